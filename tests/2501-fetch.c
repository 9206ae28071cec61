/*
 * 2501-fetch.c - fetch_all() against tests/lib/httpserver.py: one call with
 * every kind of outcome at once, so a slow server is seen not to hold up
 * the rest.
 */
#include "fetch.h"
#include "testhttp.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TOTAL_TIMEOUT 2L
#define MAX_SIZE 65536
#define USER_AGENT "digest-test/2501"

static int failures;

#define CHECK(condition, ...)                                                  \
	do {                                                                   \
		if (!(condition)) {                                            \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__,          \
				__LINE__, #condition);                         \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			failures++;                                            \
		}                                                              \
	} while (0)

enum case_index {
	CASE_FEED,
	CASE_404,
	CASE_500,
	CASE_SLOW,
	CASE_BIG_LENGTH,
	CASE_BIG_NOLENGTH,
	CASE_EXACT_SIZE,
	CASE_REDIRECT_OK,
	CASE_REDIRECT_TOO_MANY,
	CASE_REDIRECT_FILE,
	CASE_REFUSED,
	CASE_FILE,
	CASE_FILE_MISSING,
	CASE_GZIP,
	CASE_HEADERS,
	CASE_CREDENTIALS,
	CASE_PARTIAL,
	CASE_HTML,
	CASE_FTP,
	CASE_COUNT
};

static const char *
show(const char *text)
{
	return text != NULL ? text : "(null)";
}

static int
ends_with(const char *text, const char *suffix)
{
	size_t text_length;
	size_t suffix_length = strlen(suffix);

	if (text == NULL)
		return 0;
	text_length = strlen(text);
	return text_length >= suffix_length &&
	       strcmp(text + text_length - suffix_length, suffix) == 0;
}

/* Checks a failed result: its status, errstr and that no body came back. */
static void
expect_error(const struct fetch_result *results, enum case_index which,
	     enum fetch_status status, const char *errstr)
{
	const struct fetch_result *result = &results[which];

	CHECK(result->status == status, "case %d: status %d, want %d",
	      (int)which, (int)result->status, (int)status);
	CHECK(result->errstr != NULL && strcmp(result->errstr, errstr) == 0,
	      "case %d: errstr \"%s\", want \"%s\"", (int)which,
	      show(result->errstr), errstr);
	CHECK(result->body == NULL && result->size == 0,
	      "case %d: a body on error", (int)which);
}

static void
expect_ok(const struct fetch_result *results, enum case_index which,
	  long http_status)
{
	const struct fetch_result *result = &results[which];

	CHECK(result->status == FETCH_OK, "case %d: status %d (%s)", (int)which,
	      (int)result->status, show(result->errstr));
	CHECK(result->errstr == NULL, "case %d: errstr %s", (int)which,
	      show(result->errstr));
	CHECK(result->body != NULL && result->body[result->size] == '\0',
	      "case %d: body not terminated", (int)which);
	CHECK(result->http_status == http_status, "case %d: HTTP %ld",
	      (int)which, result->http_status);
}

static double
now(void)
{
	struct timespec clock;

	clock_gettime(CLOCK_MONOTONIC, &clock);
	return (double)clock.tv_sec + (double)clock.tv_nsec / 1e9;
}

int
main(void)
{
	struct testhttp server = {-1, -1, 0};
	struct fetch_options options = {
	    .connect_timeout = 5,
	    .total_timeout = TOTAL_TIMEOUT,
	    .max_size = MAX_SIZE,
	    .max_redirects = 5,
	    .user_agent = USER_AGENT,
	};
	struct fetch_result results[CASE_COUNT];
	char *urls[CASE_COUNT] = {NULL};
	char data_dir[PATH_MAX];
	char *fixture_path = NULL;
	char *fixture = NULL;
	size_t fixture_size = 0;
	const char *data = getenv("DIGEST_TEST_DATA");
	char *root = NULL;
	size_t ok_count;
	double started;
	double elapsed;
	int closed_port;
	int status;
	size_t index;

	if (data == NULL)
		data = "data";
	if (realpath(data, data_dir) == NULL) {
		perror(data);
		return 1;
	}
	root = xasprintf("%s/fetch", data_dir);
	fixture_path = xasprintf("%s/sample.rss", root);
	if (util_read_file(fixture_path, 1 << 20, &fixture, &fixture_size)) {
		perror(fixture_path);
		return 1;
	}
	status = testhttp_start(&server, root);
	if (status != 0)
		return status;
	closed_port = testhttp_closed_port();
	CHECK(closed_port > 0, "no free port");

#define AT(path) xasprintf("http://127.0.0.1:%d%s", server.port, path)
	urls[CASE_FEED] = AT("/feed/sample.rss");
	urls[CASE_404] = AT("/status/404");
	urls[CASE_500] = AT("/status/500");
	urls[CASE_SLOW] = AT("/slow/30");
	urls[CASE_BIG_LENGTH] = AT("/big/200000");
	urls[CASE_BIG_NOLENGTH] = AT("/big/200000?chunked");
	urls[CASE_EXACT_SIZE] = AT("/big/65536?chunked");
	urls[CASE_REDIRECT_OK] = AT("/redirect/5");
	urls[CASE_REDIRECT_TOO_MANY] = AT("/redirect/6");
	urls[CASE_REDIRECT_FILE] = AT("/redirect-file");
	urls[CASE_REFUSED] = xasprintf("http://127.0.0.1:%d/feed", closed_port);
	urls[CASE_FILE] = xasprintf("file://%s", fixture_path);
	urls[CASE_FILE_MISSING] = xasprintf("file://%s/missing.rss", root);
	urls[CASE_GZIP] = AT("/gzip");
	urls[CASE_HEADERS] = AT("/headers");
	urls[CASE_CREDENTIALS] = xasprintf(
	    "http://alice:s3cret-pw@127.0.0.1:%d/status/401", server.port);
	urls[CASE_PARTIAL] = AT("/partial");
	urls[CASE_HTML] = AT("/html");
	urls[CASE_FTP] = xasprintf("ftp://127.0.0.1:%d/feed", closed_port);
#undef AT

	started = now();
	ok_count =
	    fetch_all(&options, (const char *const *)urls, CASE_COUNT, results);
	elapsed = now() - started;
	fprintf(stderr, "fetch_all: %zu of %d ok in %.2f s\n", ok_count,
		CASE_COUNT, elapsed);
	for (index = 0; index < CASE_COUNT; index++)
		fprintf(stderr, "  %2zu %d HTTP %3ld %-28s %s\n", index,
			(int)results[index].status, results[index].http_status,
			show(results[index].errstr), urls[index]);

	/* The slow server gets its full timeout, and nobody waits longer. */
	CHECK(elapsed >= (double)TOTAL_TIMEOUT - 0.2, "ended in %.2f s",
	      elapsed);
	CHECK(elapsed < (double)TOTAL_TIMEOUT + 3.0, "took %.2f s", elapsed);
	CHECK(ok_count == 7, "%zu ok", ok_count);

	expect_ok(results, CASE_FEED, 200);
	CHECK(results[CASE_FEED].size == fixture_size &&
		  memcmp(results[CASE_FEED].body, fixture, fixture_size) == 0,
	      "feed body differs (%zu bytes)", results[CASE_FEED].size);
	CHECK(strcmp(show(results[CASE_FEED].content_type),
		     "application/rss+xml") == 0,
	      "content type %s", show(results[CASE_FEED].content_type));
	CHECK(strcmp(show(results[CASE_FEED].effective_url), urls[CASE_FEED]) ==
		  0,
	      "effective url %s", show(results[CASE_FEED].effective_url));

	expect_error(results, CASE_404, FETCH_EHTTP, "HTTP 404");
	CHECK(results[CASE_404].http_status == 404, "404 status %ld",
	      results[CASE_404].http_status);
	expect_error(results, CASE_500, FETCH_EHTTP, "HTTP 500");
	expect_error(results, CASE_SLOW, FETCH_ETIMEOUT, "timed out after 2 s");
	expect_error(results, CASE_BIG_LENGTH, FETCH_ETOOBIG,
		     "larger than 65536 bytes");
	expect_error(results, CASE_BIG_NOLENGTH, FETCH_ETOOBIG,
		     "larger than 65536 bytes");

	/* The cap is inclusive: exactly max_size bytes still fit. */
	expect_ok(results, CASE_EXACT_SIZE, 200);
	CHECK(results[CASE_EXACT_SIZE].size == MAX_SIZE, "exact size %zu",
	      results[CASE_EXACT_SIZE].size);

	expect_ok(results, CASE_REDIRECT_OK, 200);
	CHECK(ends_with(results[CASE_REDIRECT_OK].effective_url, "/redirect/0"),
	      "redirect effective url %s",
	      show(results[CASE_REDIRECT_OK].effective_url));
	CHECK(results[CASE_REDIRECT_OK].body != NULL &&
		  strstr(results[CASE_REDIRECT_OK].body,
			 "<title>Test feed</title>") != NULL,
	      "redirect body");
	expect_error(results, CASE_REDIRECT_TOO_MANY, FETCH_EOTHER,
		     "more than 5 redirects");

	/* The server may not send us to read local files. */
	CHECK(results[CASE_REDIRECT_FILE].status != FETCH_OK,
	      "redirect to file:// followed");
	CHECK(results[CASE_REDIRECT_FILE].body == NULL,
	      "redirect to file:// has a body");
	CHECK(strncmp(show(results[CASE_REDIRECT_FILE].errstr),
		      "refused redirect", 16) == 0,
	      "redirect-file errstr %s",
	      show(results[CASE_REDIRECT_FILE].errstr));

	expect_error(results, CASE_REFUSED, FETCH_ECONNECT,
		     "cannot connect: Connection refused");

	expect_ok(results, CASE_FILE, 0);
	CHECK(results[CASE_FILE].size == fixture_size &&
		  memcmp(results[CASE_FILE].body, fixture, fixture_size) == 0,
	      "file body differs");
	expect_error(results, CASE_FILE_MISSING, FETCH_EOTHER, "no such file");

	/* Decoded: the same bytes as the plain small feed. */
	expect_ok(results, CASE_GZIP, 200);
	CHECK(results[CASE_REDIRECT_OK].body != NULL &&
		  results[CASE_GZIP].body != NULL &&
		  strcmp(results[CASE_GZIP].body,
			 results[CASE_REDIRECT_OK].body) == 0,
	      "gzip body not decoded");

	expect_ok(results, CASE_HEADERS, 200);
	CHECK(results[CASE_HEADERS].body != NULL &&
		  strstr(results[CASE_HEADERS].body,
			 "User-Agent: " USER_AGENT "\n") != NULL,
	      "user agent not sent: %s", show(results[CASE_HEADERS].body));
	CHECK(results[CASE_HEADERS].body != NULL &&
		  strstr(results[CASE_HEADERS].body, "gzip") != NULL,
	      "gzip not offered");

	/* Credentials in a URL appear in no message and no result. */
	expect_error(results, CASE_CREDENTIALS, FETCH_EHTTP, "HTTP 401");
	CHECK(results[CASE_CREDENTIALS].effective_url != NULL &&
		  strstr(results[CASE_CREDENTIALS].effective_url, "s3cret") ==
		      NULL &&
		  strstr(results[CASE_CREDENTIALS].effective_url, "alice") ==
		      NULL,
	      "credentials in %s",
	      show(results[CASE_CREDENTIALS].effective_url));

	CHECK(results[CASE_PARTIAL].status == FETCH_EOTHER &&
		  strncmp(show(results[CASE_PARTIAL].errstr),
			  "transfer cut short", 18) == 0,
	      "partial: %s", show(results[CASE_PARTIAL].errstr));

	/* Fetching does not judge content; the parser does. */
	expect_ok(results, CASE_HTML, 200);
	CHECK(strcmp(show(results[CASE_HTML].content_type),
		     "text/html; charset=utf-8") == 0,
	      "html content type %s", show(results[CASE_HTML].content_type));

	CHECK(results[CASE_FTP].status == FETCH_EOTHER &&
		  strncmp(show(results[CASE_FTP].errstr),
			  "unsupported protocol", 20) == 0,
	      "ftp: %s", show(results[CASE_FTP].errstr));

	for (index = 0; index < CASE_COUNT; index++) {
		fetch_result_clear(&results[index]);
		CHECK(results[index].body == NULL &&
			  results[index].errstr == NULL,
		      "not cleared");
		free(urls[index]);
	}
	CHECK(fetch_all(&options, NULL, 0, NULL) == 0, "empty batch");

	testhttp_stop(&server);
	free(fixture);
	free(fixture_path);
	free(root);
	if (failures != 0)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures != 0;
}
