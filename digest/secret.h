/*
 * secret.h - secrets (an SMTP password, the key that signs links) read from
 * a file only its owner may read, or from the environment: never from the
 * configuration file or the command line, and never shown in a message.
 */
#ifndef DIGEST_SECRET_H
#define DIGEST_SECRET_H

#include <stddef.h>

/* Where a secret comes from, and how messages name it. */
struct secret_source {
	const char *who;      /* "provider delta", "[web]" */
	const char *file;     /* a path, or NULL */
	const char *file_key; /* "password_file" */
	const char *env;      /* an environment variable's name, or NULL */
	const char *env_key;  /* "password_env" */
};

/*
 * Reads the secret: the file's first line (refused when group or others
 * may read the file), else the variable's value.  Returns 0 with
 * *secret_out (secret_free()) and *length_out, or -1 with *errstr_out
 * (free()) naming who, the key and the file or variable, but never the
 * secret.
 */
int secret_read(const struct secret_source *source, char **secret_out,
		size_t *length_out, char **errstr_out);

/* Overwrites the secret, then frees it; NULL is fine. */
void secret_free(char *secret);

#endif
