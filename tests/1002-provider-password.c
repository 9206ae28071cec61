/*
 * 1002-provider-password.c - provider_read_password() reads a password
 * file only when no one but its owner may do anything with it: each single
 * permission bit for group or others is refused on its own, and the refusal
 * names the provider and the file but never the secret.
 *
 * Regression (issue 7): a check that looked only at the bits for others
 * let a group-readable file (0640) through, and no test noticed because
 * only 0644 was tried, which both checks refuse.  The table below tries
 * every group and other bit alone, so a mask that misses any one fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "provider.h"
#include "util.h"

#define SECRET "Veere-Secret-81"

static int failures;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);        \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			failures++;                                            \
		}                                                              \
	} while (0)

struct mode_case {
	mode_t mode;
	int accepted;
};

static const struct mode_case mode_cases[] = {
    {0600, 1}, {0400, 1}, {0700, 1}, {0640, 0}, {0620, 0}, {0610, 0}, {0604, 0},
    {0602, 0}, {0601, 0}, {0660, 0}, {0644, 0}, {0666, 0}, {0440, 0}, {0404, 0},
};

static char directory[] = "/tmp/digest-1002-XXXXXX";

static void
try_mode(struct provider *provider, const struct mode_case *c)
{
	char *password = NULL;
	char *errstr = NULL;
	int result;

	if (chmod(provider->password_file, c->mode) < 0) {
		fprintf(stderr, "chmod %s: %s\n", provider->password_file,
			strerror(errno));
		exit(99);
	}
	result = provider_read_password(provider, &password, &errstr);
	if (c->accepted) {
		CHECK(result == 0 && password != NULL &&
			  strcmp(password, SECRET) == 0,
		      "mode %04o: refused or wrong password: %s",
		      (unsigned)c->mode, errstr ? errstr : "(no message)");
	} else {
		CHECK(result == -1 && password == NULL,
		      "mode %04o: accepted a file others may use",
		      (unsigned)c->mode);
		CHECK(errstr != NULL && strstr(errstr, "provider veere") &&
			  strstr(errstr, provider->password_file) &&
			  strstr(errstr, "chmod 600") &&
			  !strstr(errstr, SECRET),
		      "mode %04o: message \"%s\"", (unsigned)c->mode,
		      errstr ? errstr : "(none)");
	}
	free(password);
	free(errstr);
}

/*
 * Found by scripts/mutate (issue 7): an empty password file, or one whose
 * first line is empty, was accepted unnoticed; it would log in with an
 * empty password instead of saying what is wrong.
 */
static void
try_empty(struct provider *provider, const char *content)
{
	char *password = NULL;
	char *errstr = NULL;
	FILE *file = fopen(provider->password_file, "w");

	if (file == NULL || fputs(content, file) == EOF || fclose(file) != 0 ||
	    chmod(provider->password_file, 0600) < 0) {
		fprintf(stderr, "cannot write %s\n", provider->password_file);
		exit(99);
	}
	CHECK(provider_read_password(provider, &password, &errstr) == -1 &&
		  password == NULL,
	      "an empty first line (\"%s\") accepted", content);
	CHECK(errstr != NULL && strstr(errstr, "empty") &&
		  strstr(errstr, provider->password_file),
	      "empty file: message \"%s\"", errstr ? errstr : "(none)");
	free(password);
	free(errstr);
}

int
main(void)
{
	struct provider provider = {0};
	char *path;
	FILE *file;

	if (mkdtemp(directory) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	path = xasprintf("%s/veere.pw", directory);
	file = fopen(path, "w");
	if (file == NULL || fputs(SECRET "\n", file) == EOF ||
	    fclose(file) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		return 99;
	}
	provider.id = "veere";
	provider.user = "nieuws";
	provider.password_file = path;
	for (size_t i = 0; i < sizeof mode_cases / sizeof mode_cases[0]; i++)
		try_mode(&provider, &mode_cases[i]);
	try_empty(&provider, "");
	try_empty(&provider, "\n");
	try_empty(&provider, "\r\nsecond line\n");

	unlink(path);
	rmdir(directory);
	free(path);
	return failures != 0;
}
