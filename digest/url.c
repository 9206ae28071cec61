/*
 * url.c - see url.h.  The one file that sets libcurl up for the process;
 * fetch.c and transport_smtp.c call url_library_init() before they use it.
 */
#include "url.h"

#include <curl/curl.h>
#include <pthread.h>
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

static pthread_once_t library_once = PTHREAD_ONCE_INIT;
static CURLcode library_status;

static void
library_init(void)
{
	library_status = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int
url_library_init(const char **error_out)
{
	/*
	 * Once per process and never cleaned up: curl_global_cleanup() while
	 * another module still holds a handle would pull the TLS library out
	 * from under it, and the process ends soon enough.
	 */
	pthread_once(&library_once, library_init);
	if (library_status == CURLE_OK)
		return 0;
	if (error_out != NULL)
		*error_out = curl_easy_strerror(library_status);
	return -1;
}

char *
url_host(const char *url)
{
	CURLUcode code;
	CURLU *handle = parse_url(url, &code);
	char *host = NULL;
	char *copy = NULL;

	if (handle == NULL)
		return NULL;
	if (curl_url_get(handle, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		copy = xstrdup(host);
	curl_free(host);
	curl_url_cleanup(handle);
	return copy;
}

char *
url_escape(const char *text)
{
	char *escaped = curl_easy_escape(NULL, text, 0);
	char *copy;

	if (escaped == NULL)
		return NULL;
	copy = xstrdup(escaped);
	curl_free(escaped);
	return copy;
}

void
url_scrub_credentials(char **text, const char *url)
{
	static const CURLUPart parts[] = {CURLUPART_PASSWORD, CURLUPART_USER};
	static const unsigned int flags[] = {0, CURLU_URLDECODE};
	CURLU *handle = curl_url();

	if (handle == NULL)
		return;
	if (curl_url_set(handle, CURLUPART_URL, url,
			 CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
		goto out;
	/* The password first: a user name may be a part of it. */
	for (size_t part = 0; part < sizeof parts / sizeof parts[0]; part++) {
		for (size_t flag = 0; flag < sizeof flags / sizeof flags[0];
		     flag++) {
			char *value = NULL;

			if (curl_url_get(handle, parts[part], &value,
					 flags[flag]) != CURLUE_OK)
				continue;
			util_redact(text, value);
			curl_free(value);
		}
	}
out:
	curl_url_cleanup(handle);
}

char *
url_without_credentials(const char *url)
{
	CURLU *handle = curl_url();
	char *plain = NULL;
	char *result = NULL;

	if (handle == NULL)
		goto out;
	if (curl_url_set(handle, CURLUPART_URL, url,
			 CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
		goto out;
	if (curl_url_set(handle, CURLUPART_USER, NULL, 0) != CURLUE_OK ||
	    curl_url_set(handle, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(handle, CURLUPART_URL, &plain, 0) != CURLUE_OK)
		goto out;
	result = xstrdup(plain);
out:
	curl_free(plain);
	curl_url_cleanup(handle);
	if (result == NULL) {
		/* Better a copy scrubbed by text than none at all. */
		result = xstrdup(url);
		url_scrub_credentials(&result, url);
	}
	return result;
}

char *
url_encode_unsafe(const char *url)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf out = BUF_INIT;

	for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
		if (*p <= 0x20 || *p >= 0x7f || strchr("\"'<>\\^`{|}", *p)) {
			buf_putc(&out, '%');
			buf_putc(&out, hex[*p >> 4]);
			buf_putc(&out, hex[*p & 15]);
		} else {
			buf_putc(&out, (char)*p);
		}
	}
	return buf_detach(&out);
}
