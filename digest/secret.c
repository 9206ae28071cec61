/*
 * secret.c - see secret.h.
 */
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* A secret longer than this is no secret but a mistake. */
#define SECRET_MAX 4096

static int
read_file(const struct secret_source *source, char **secret_out,
	  char **errstr_out)
{
	struct stat info;
	char *data = NULL;
	size_t size = 0;
	int fd;

	fd = open(source->file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &info) < 0) {
		*errstr_out =
		    xasprintf("%s: %s %s: %s", source->who, source->file_key,
			      source->file, strerror(errno));
		goto fail;
	}
	if (info.st_mode & (S_IRWXG | S_IRWXO)) {
		*errstr_out =
		    xasprintf("%s: %s %s may be read by others; "
			      "chmod 600 it",
			      source->who, source->file_key, source->file);
		goto fail;
	}
	/* Read what was checked: the same descriptor, not the path again. */
	if (util_read_fd(fd, SECRET_MAX, &data, &size) < 0) {
		*errstr_out =
		    xasprintf("%s: %s %s: %s", source->who, source->file_key,
			      source->file, strerror(errno));
		goto fail;
	}
	data[strcspn(data, "\r\n")] = '\0';
	if (data[0] == '\0') {
		*errstr_out = xasprintf("%s: %s %s is empty", source->who,
					source->file_key, source->file);
		secret_free(data);
		goto fail;
	}
	close(fd);
	*secret_out = data;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

int
secret_read(const struct secret_source *source, char **secret_out,
	    size_t *length_out, char **errstr_out)
{
	const char *value;

	*secret_out = NULL;
	*length_out = 0;
	if (source->file != NULL) {
		if (read_file(source, secret_out, errstr_out) < 0)
			return -1;
	} else {
		value = source->env ? getenv(source->env) : NULL;
		if (value == NULL || *value == '\0') {
			*errstr_out = xasprintf(
			    "%s: environment variable %s (%s) is not set",
			    source->who, source->env ? source->env : "(none)",
			    source->env_key);
			return -1;
		}
		*secret_out = xstrdup(value);
	}
	*length_out = strlen(*secret_out);
	return 0;
}

void
secret_free(char *secret)
{
	if (secret == NULL)
		return;
	explicit_bzero(secret, strlen(secret));
	free(secret);
}
