/*
 * provider.c - see provider.h.
 */
#include "provider.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "url.h"
#include "util.h"

/* A relay reached in plain text must be this host. */
static int
host_is_local(const char *host)
{
	return strcmp(host, "localhost") == 0 ||
	       strcmp(host, "127.0.0.1") == 0 || strcmp(host, "[::1]") == 0 ||
	       strcmp(host, "::1") == 0;
}

char *
provider_smtp_url_problem(const char *smtp_url, enum tls_mode tls)
{
	char *scheme = url_scheme(smtp_url);
	char *host = url_host(smtp_url);
	char *problem = NULL;

	if (scheme == NULL || host == NULL)
		problem = xstrdup("smtp_url does not parse");
	else if (url_has_userinfo(smtp_url))
		problem = xstrdup("smtp_url must not hold a user or password");
	else if (tls == TLS_IMPLICIT && util_strcasecmp(scheme, "smtps") != 0)
		problem = xstrdup("implicit TLS needs an smtps:// URL (port "
				  "465); for smtp:// (port 587) use tls = "
				  "starttls");
	else if (tls != TLS_IMPLICIT && util_strcasecmp(scheme, "smtp") != 0)
		problem = xasprintf(
		    "tls = %s needs an smtp:// URL, not %s://%s",
		    tls == TLS_NONE ? "none" : "starttls", scheme,
		    util_strcasecmp(scheme, "smtps") == 0
			? "; an smtps:// URL means implicit TLS (tls = "
			  "implicit)"
			: "");
	else if (tls == TLS_NONE && !host_is_local(host))
		problem = xasprintf("tls = none is only for a relay on this "
				    "host, not %s",
				    host);
	free(host);
	free(scheme);
	return problem;
}

/* Reads the first line of a private file; refuses group/other access. */
static int
read_password_file(const struct provider *provider, char **password_out,
		   char **errstr_out)
{
	struct stat info;
	char *data = NULL;
	size_t size = 0;
	int fd = -1;

	fd = open(provider->password_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &info) < 0) {
		*errstr_out =
		    xasprintf("provider %s: password_file %s: %s", provider->id,
			      provider->password_file, strerror(errno));
		goto fail;
	}
	if (info.st_mode & (S_IRWXG | S_IRWXO)) {
		*errstr_out = xasprintf("provider %s: password_file %s may be "
					"read by others; chmod 600 it",
					provider->id, provider->password_file);
		goto fail;
	}
	/* Read what was checked: the same descriptor, not the path again. */
	if (util_read_fd(fd, 4096, &data, &size) < 0) {
		*errstr_out =
		    xasprintf("provider %s: password_file %s: %s", provider->id,
			      provider->password_file, strerror(errno));
		goto fail;
	}
	data[strcspn(data, "\r\n")] = '\0';
	if (data[0] == '\0') {
		*errstr_out = xasprintf("provider %s: password_file %s is "
					"empty",
					provider->id, provider->password_file);
		free(data);
		goto fail;
	}
	close(fd);
	*password_out = data;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

int
provider_read_password(const struct provider *provider, char **password_out,
		       char **errstr_out)
{
	const char *value;

	*password_out = NULL;
	if (provider->user == NULL)
		return 0;
	if (provider->password_file)
		return read_password_file(provider, password_out, errstr_out);
	value = provider->password_env ? getenv(provider->password_env) : NULL;
	if (value == NULL || *value == '\0') {
		*errstr_out = xasprintf(
		    "provider %s: environment variable %s "
		    "(password_env) is not set",
		    provider->id,
		    provider->password_env ? provider->password_env : "(none)");
		return -1;
	}
	*password_out = xstrdup(value);
	return 0;
}
