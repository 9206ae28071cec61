/*
 * fetch.h - fetch many URLs at once (libcurl multi): http, https, file.
 *
 * libcurl stays inside fetch.c.
 */
#ifndef DIGEST_FETCH_H
#define DIGEST_FETCH_H

#include <stddef.h>

enum fetch_status {
	FETCH_OK = 0,
	FETCH_EHTTP,	/* the server answered with a status >= 400 */
	FETCH_ETIMEOUT, /* connect or total timeout */
	FETCH_ETOOBIG,	/* the body exceeded max_size */
	FETCH_ECONNECT, /* no connection (refused, DNS, TLS ...) */
	FETCH_EOTHER	/* anything else libcurl reports */
};

/*
 * What a server said about the version of a feed it sent (its ETag and
 * Last-Modified headers), so that the next fetch asks for it only if it
 * changed.  NULL where unknown.
 */
struct fetch_validators {
	char *etag;
	char *last_modified;
};

/* A timeout or max_size of 0 means no limit. */
struct fetch_options {
	long connect_timeout; /* seconds */
	long total_timeout;   /* seconds */
	size_t max_size;      /* bytes, after decoding gzip */
	long max_redirects;   /* 0: none followed */
	const char *user_agent;
	/*
	 * One per URL (NULL: none): the validators of the last fetch, sent
	 * as If-None-Match / If-Modified-Since to http(s) servers.
	 */
	const struct fetch_validators *validators;
};

struct fetch_result {
	enum fetch_status status;
	char *body; /* NUL-terminated after size bytes; NULL on error */
	size_t size;
	long http_status;    /* 0 for file:// */
	char *content_type;  /* as the server said, or NULL */
	char *effective_url; /* after redirects: the base for relative links;
			      * without any user:password@ */
	char *errstr;	     /* on error: "HTTP 404", "timed out after 10 s" */
	int not_modified;    /* HTTP 304: unchanged, and no body */
	struct fetch_validators validators; /* the response's, for next time */
};

/*
 * Fetches url_count URLs in parallel.  results_out must point to url_count
 * structs; each is filled whatever happens to the others.  Returns the
 * number of URLs fetched with FETCH_OK.  Release each result with
 * fetch_result_clear().
 */
size_t fetch_all(const struct fetch_options *options, const char *const *urls,
		 size_t url_count, struct fetch_result *results_out);

void fetch_result_clear(struct fetch_result *result);

/* Frees the strings of validators and sets them to NULL. */
void fetch_validators_clear(struct fetch_validators *validators);

#endif
