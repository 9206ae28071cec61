/*
 * url.c - see url.h.
 */
#include "url.h"

#include <curl/curl.h>
#include <string.h>

#include "util.h"

/* Parses url into a new handle; returns NULL when it does not parse. */
static CURLU *
parse_url(const char *url, CURLUcode *code_out)
{
	CURLU *handle = curl_url();

	if (handle == NULL) {
		*code_out = CURLUE_OUT_OF_MEMORY;
		return NULL;
	}
	*code_out = curl_url_set(handle, CURLUPART_URL, url, 0);
	if (*code_out != CURLUE_OK) {
		curl_url_cleanup(handle);
		return NULL;
	}
	return handle;
}

static int
scheme_allowed(const char *scheme, const char *schemes)
{
	size_t length = strlen(scheme);
	const char *cursor = schemes;

	while (*cursor) {
		const char *end = strchr(cursor, ',');
		size_t item = end ? (size_t)(end - cursor) : strlen(cursor);

		if (item == length &&
		    util_strncasecmp(cursor, scheme, item) == 0)
			return 1;
		if (end == NULL)
			break;
		cursor = end + 1;
	}
	return 0;
}

int
url_check(const char *url, const char *schemes, char **errstr_out)
{
	CURLUcode code;
	CURLU *handle = NULL;
	char *scheme = NULL;
	char *host = NULL;
	int result = -1;

	handle = parse_url(url, &code);
	if (handle == NULL) {
		*errstr_out =
		    xasprintf("not a URL (%s)", curl_url_strerror(code));
		goto out;
	}
	if (curl_url_get(handle, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		*errstr_out = xstrdup("not a URL (no scheme)");
		goto out;
	}
	if (!scheme_allowed(scheme, schemes)) {
		*errstr_out = xasprintf("scheme \"%s\" is not one of %s",
					scheme, schemes);
		goto out;
	}
	if (util_strcasecmp(scheme, "file") != 0 &&
	    (curl_url_get(handle, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	     *host == '\0')) {
		*errstr_out = xstrdup("not a URL (no host)");
		goto out;
	}
	result = 0;
out:
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(handle);
	return result;
}

int
url_has_userinfo(const char *url)
{
	CURLUcode code;
	CURLU *handle = parse_url(url, &code);
	char *user = NULL;
	char *password = NULL;
	int found;

	if (handle == NULL)
		/* Unparsed: judge by the text, before any path. */
		return strchr(url, '@') != NULL &&
		       (strchr(url, '/') == NULL ||
			strchr(url, '@') < strchr(strchr(url, '/') + 1, '/'));
	found =
	    curl_url_get(handle, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(handle, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK;
	curl_free(user);
	curl_free(password);
	curl_url_cleanup(handle);
	return found;
}

char *
url_scheme(const char *url)
{
	CURLUcode code;
	CURLU *handle = parse_url(url, &code);
	char *scheme = NULL;
	char *copy = NULL;

	if (handle == NULL)
		return NULL;
	if (curl_url_get(handle, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK)
		copy = xstrdup(scheme);
	curl_free(scheme);
	curl_url_cleanup(handle);
	return copy;
}

char *
url_host_port(const char *url)
{
	CURLUcode code;
	CURLU *handle = parse_url(url, &code);
	char *host = NULL;
	char *port = NULL;
	char *result = NULL;

	if (handle == NULL)
		return NULL;
	if (curl_url_get(handle, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(handle, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
		CURLUE_OK)
		result = xasprintf("%s:%s", host, port);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(handle);
	return result;
}

char *
url_resolve(const char *base, const char *reference)
{
	CURLUcode code;
	CURLU *handle = parse_url(base, &code);
	char *resolved = NULL;
	char *copy = NULL;

	if (handle == NULL)
		return NULL;
	if (curl_url_set(handle, CURLUPART_URL, reference, 0) == CURLUE_OK &&
	    curl_url_get(handle, CURLUPART_URL, &resolved, 0) == CURLUE_OK)
		copy = xstrdup(resolved);
	curl_free(resolved);
	curl_url_cleanup(handle);
	return copy;
}

char *
url_from_file_path(const char *path)
{
	CURLU *handle = curl_url();
	char *url = NULL;
	char *copy = NULL;

	if (handle == NULL)
		return NULL;
	if (curl_url_set(handle, CURLUPART_SCHEME, "file", 0) == CURLUE_OK &&
	    curl_url_set(handle, CURLUPART_PATH, path, CURLU_URLENCODE) ==
		CURLUE_OK &&
	    curl_url_get(handle, CURLUPART_URL, &url, 0) == CURLUE_OK)
		copy = xstrdup(url);
	curl_free(url);
	curl_url_cleanup(handle);
	return copy;
}
