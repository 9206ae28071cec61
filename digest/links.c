/*
 * links.c - see links.h.
 */
#include "links.h"

#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "util.h"

struct links {
	char *base_url; /* without a trailing slash */
	struct signer *signer;
};

/* Reads one key; NULL source (no file, no variable) gives no key. */
static int
read_key(const char *file, const char *env, const char *file_key,
	 const char *env_key, char **key_out, size_t *length_out,
	 char **errstr_out)
{
	struct secret_source source = {"[web]", file, file_key, env, env_key};

	*key_out = NULL;
	*length_out = 0;
	if (file == NULL && env == NULL)
		return 0;
	return secret_read(&source, key_out, length_out, errstr_out);
}

enum links_status
links_open(const struct config *config, struct links **links_out,
	   char **errstr_out)
{
	const struct web *web = &config->web;
	char *key = NULL, *previous = NULL;
	size_t key_length = 0, previous_length = 0;
	struct links *links;
	size_t base_length;

	*links_out = NULL;
	if (web->base_url == NULL)
		return LINKS_ENONE;
	if (read_key(web->secret_file, web->secret_env, "secret_file",
		     "secret_env", &key, &key_length, errstr_out) < 0 ||
	    read_key(web->previous_secret_file, web->previous_secret_env,
		     "previous_secret_file", "previous_secret_env", &previous,
		     &previous_length, errstr_out) < 0) {
		secret_free(key);
		return LINKS_EKEY;
	}
	if (key == NULL || key_length < 32) {
		*errstr_out = xstrdup("[web]: the key that signs links must "
				      "be at least 32 bytes (as in: head -c "
				      "32 /dev/urandom | base64)");
		secret_free(key);
		secret_free(previous);
		return LINKS_EKEY;
	}
	links = xcalloc(1, sizeof *links);
	links->base_url = xstrdup(web->base_url);
	base_length = strlen(links->base_url);
	while (base_length > 0 && links->base_url[base_length - 1] == '/')
		links->base_url[--base_length] = '\0';
	links->signer = sign_new(key, key_length, previous, previous_length,
				 web->previous_until);
	secret_free(key);
	secret_free(previous);
	*links_out = links;
	return LINKS_OK;
}

char *
links_url(const struct links *links, const char *action, const char *email,
	  time_t now)
{
	char *token = sign_token(links->signer, email, action, now);
	char *url = xasprintf("%s/%s?t=%s", links->base_url, action, token);

	free(token);
	return url;
}

void
links_address_hashes(const struct links *links, const char *email,
		     char *hashes_out[2])
{
	char *folded = xstrdup(email);

	/* The store compares addresses without case: so does the hash. */
	for (char *p = folded; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	for (int which = 0; which < 2; which++)
		hashes_out[which] =
		    sign_keyed_hash(links->signer, which, "erased", folded);
	free(folded);
}

const struct signer *
links_signer(const struct links *links)
{
	return links->signer;
}

void
links_free(struct links *links)
{
	if (links == NULL)
		return;
	sign_free(links->signer);
	free(links->base_url);
	free(links);
}
