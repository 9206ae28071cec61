/*
 * 2502-fetch-limits.c - fetch_all() runs transfers side by side, and its
 * limits (size after gzip decoding, zero redirects, no limit) hold.
 */
#include "fetch.h"
#include "testhttp.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PARALLEL 12

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

static const char *
show(const char *text)
{
	return text != NULL ? text : "(null)";
}

static double
now(void)
{
	struct timespec clock;

	clock_gettime(CLOCK_MONOTONIC, &clock);
	return (double)clock.tv_sec + (double)clock.tv_nsec / 1e9;
}

static void
clear_all(struct fetch_result *results, char **urls, size_t count)
{
	size_t index;

	for (index = 0; index < count; index++) {
		fetch_result_clear(&results[index]);
		free(urls[index]);
		urls[index] = NULL;
	}
}

/* Twelve one-second responses take about one second, not twelve. */
static void
check_parallel(int port)
{
	struct fetch_options options = {5, 20, 1 << 20, 5, "digest-test", NULL};
	struct fetch_result results[PARALLEL];
	char *urls[PARALLEL];
	double started;
	double elapsed;
	size_t ok_count;
	size_t index;

	for (index = 0; index < PARALLEL; index++)
		urls[index] = xasprintf("http://127.0.0.1:%d/slow/1", port);
	started = now();
	ok_count =
	    fetch_all(&options, (const char *const *)urls, PARALLEL, results);
	elapsed = now() - started;
	fprintf(stderr, "%d x /slow/1: %zu ok in %.2f s\n", PARALLEL, ok_count,
		elapsed);
	CHECK(ok_count == PARALLEL, "%zu ok", ok_count);
	CHECK(elapsed >= 0.9 && elapsed < 3.0, "took %.2f s", elapsed);
	clear_all(results, urls, PARALLEL);
}

/*
 * /gzip sends about 250 compressed bytes that decode to over 400: a
 * 300-byte cap must catch the decoded size the Content-Length hides.
 */
static void
check_tight_limits(int port)
{
	struct fetch_options options = {5, 10, 300, 0, "digest-test", NULL};
	struct fetch_result results[4];
	char *urls[4];
	size_t index;

	urls[0] = xasprintf("http://127.0.0.1:%d/gzip", port);
	urls[1] = xasprintf("http://127.0.0.1:%d/truncated", port);
	urls[2] = xasprintf("http://127.0.0.1:%d/redirect/1", port);
	urls[3] = xasprintf("http://127.0.0.1:%d/redirect/0", port);
	CHECK(fetch_all(&options, (const char *const *)urls, 4, results) == 1,
	      "tight limits");
	for (index = 0; index < 4; index++)
		fprintf(stderr, "  %zu %d %s\n", index,
			(int)results[index].status,
			show(results[index].errstr));
	CHECK(results[0].status == FETCH_ETOOBIG &&
		  strcmp(show(results[0].errstr), "larger than 300 bytes") == 0,
	      "gzip: %s", show(results[0].errstr));
	CHECK(results[1].status == FETCH_OK && results[1].size < 300,
	      "truncated: %s", show(results[1].errstr));
	CHECK(results[2].status == FETCH_EOTHER &&
		  strcmp(show(results[2].errstr), "more than 0 redirects") == 0,
	      "redirect: %s", show(results[2].errstr));
	CHECK(results[3].status == FETCH_ETOOBIG, "plain 415 bytes: %s",
	      show(results[3].errstr));
	clear_all(results, urls, 4);
}

/* Zero means no limit. */
static void
check_no_limits(int port)
{
	struct fetch_options options = {0, 0, 0, 5, NULL, NULL};
	struct fetch_result result;
	char *url = xasprintf("http://127.0.0.1:%d/big/3000000?chunked", port);

	CHECK(fetch_all(&options, (const char *const *)&url, 1, &result) == 1,
	      "no limits: %s", show(result.errstr));
	CHECK(result.size == 3000000, "size %zu", result.size);
	clear_all(&result, &url, 1);
}

int
main(void)
{
	struct testhttp server = {-1, -1, 0};
	int status = testhttp_start(&server, NULL);

	if (status != 0)
		return status;
	check_parallel(server.port);
	check_tight_limits(server.port);
	check_no_limits(server.port);
	testhttp_stop(&server);
	if (failures != 0)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures != 0;
}
