/*
 * 2000-feed-test.h - small checking helpers shared by the 2xxx feed parser
 * drivers.  Each check prints what differed and counts the failure; main()
 * returns feed_test_result().
 */
#ifndef DIGEST_FEED_TEST_H
#define DIGEST_FEED_TEST_H

#include "feed.h"
#include "datetime.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int feed_test_failures;
/* Where check failures are reported; stderr unless a driver says. */
static FILE *feed_test_log;

static inline FILE *
feed_test_out(void)
{
	return feed_test_log != NULL ? feed_test_log : stderr;
}

#define CHECK(condition)                                                       \
	feed_test_check((condition) != 0, #condition, __FILE__, __LINE__)
#define CHECK_STR(actual, expected)                                            \
	feed_test_check_str((actual), (expected), #actual, __FILE__, __LINE__)

static inline void
feed_test_check(int ok, const char *what, const char *file, int line)
{
	if (ok)
		return;
	fprintf(feed_test_out(), "%s:%d: check failed: %s\n", file, line, what);
	feed_test_failures++;
}

static inline void
feed_test_check_str(const char *actual, const char *expected, const char *what,
		    const char *file, int line)
{
	if (actual == NULL && expected == NULL)
		return;
	if (actual != NULL && expected != NULL && strcmp(actual, expected) == 0)
		return;
	fprintf(feed_test_out(), "%s:%d: %s\n  got:  [%s]\n  want: [%s]\n",
		file, line, what, actual != NULL ? actual : "(null)",
		expected != NULL ? expected : "(null)");
	feed_test_failures++;
}

/* Reads tests/data/feeds/<name>; exits 99 (a hard error) when missing. */
static inline char *
feed_test_load(const char *name, size_t *size_out)
{
	const char *root = getenv("DIGEST_TEST_DATA");
	char *path =
	    xasprintf("%s/feeds/%s", root != NULL ? root : "data", name);
	char *data = NULL;

	if (util_read_file(path, (size_t)16 << 20, &data, size_out) != 0) {
		fprintf(stderr, "cannot read fixture %s\n", path);
		exit(99);
	}
	free(path);
	return data;
}

/*
 * Parses a fixture into list.  Returns the status; the error string, if
 * any, goes to *errstr_out (free()).
 */
static inline enum feed_status
feed_test_parse(const char *name, const char *base_url, struct item_list *list,
		char **errstr_out)
{
	size_t size;
	char *data = feed_test_load(name, &size);
	enum feed_status status;

	*errstr_out = NULL;
	status = feed_parse(data, size, base_url, "test", list, errstr_out);
	free(data);
	return status;
}

static inline int
feed_test_result(void)
{
	if (feed_test_failures > 0) {
		fprintf(feed_test_out(), "%d check(s) failed\n",
			feed_test_failures);
		return 1;
	}
	return 0;
}

#endif
