/*
 * 2006-feed-hostile - input that must fail cleanly: external entities and
 * DTDs (no file may leak in), entity-expansion bombs (fast, small), broken
 * and truncated XML, an HTML page, empty input, binary garbage, base64
 * that holds no text, a feed that is too big.  A failure appends nothing, and
 * libxml2 never writes to stderr.
 */
#include "2000-feed-test.h"

#include <stdint.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static struct item_list list;

/* Starts every case from one known item, to see that none is added. */
static void
reset_list(void)
{
	struct item seed;

	feed_item_list_clear(&list);
	memset(&seed, 0, sizeof(seed));
	seed.title = "vorige";
	seed.id = "vorige-id";
	seed.summary = "";
	feed_item_list_push_copy(&list, &seed);
}

static int
item_mentions(const struct item *item, const char *needle)
{
	size_t index;

	if (strstr(item->title, needle) != NULL ||
	    strstr(item->summary, needle) != NULL ||
	    strstr(item->id, needle) != NULL)
		return 1;
	for (index = 0; index < item->category_count; index++)
		if (strstr(item->categories[index], needle) != NULL)
			return 1;
	return 0;
}

static void
expect_failure(const char *what, const char *data, size_t size,
	       enum feed_status want, const char *message_start)
{
	char *errstr = NULL;
	enum feed_status status;

	reset_list();
	status =
	    feed_parse(data, size, "https://example.org/", "x", &list, &errstr);
	if (status != want) {
		fprintf(feed_test_out(), "%s: status %d, want %d (%s)\n", what,
			status, want, errstr != NULL ? errstr : "no message");
		feed_test_failures++;
	}
	CHECK(list.count == 1);
	CHECK(errstr != NULL);
	if (errstr != NULL && message_start != NULL &&
	    strncmp(errstr, message_start, strlen(message_start)) != 0) {
		fprintf(feed_test_out(), "%s: message [%s], want [%s...]\n",
			what, errstr, message_start);
		feed_test_failures++;
	}
	free(errstr);
}

static void
expect_fixture_failure(const char *fixture, enum feed_status want,
		       const char *message_start)
{
	size_t size;
	char *data = feed_test_load(fixture, &size);

	expect_failure(fixture, data, size, want, message_start);
	free(data);
}

static void
test_external_entities(void)
{
	const char *fixtures[] = {"hostile-xxe.xml", "hostile-xxe-dtd.xml"};
	size_t fixture;
	size_t index;

	for (fixture = 0; fixture < 2; fixture++) {
		char *errstr = NULL;

		reset_list();
		/* Either refused or parsed without the entity: both safe. */
		(void)feed_test_parse(fixtures[fixture], NULL, &list, &errstr);
		free(errstr);
		for (index = 0; index < list.count; index++) {
			CHECK(!item_mentions(&list.items[index], "root:"));
			CHECK(!item_mentions(&list.items[index], "/bin/"));
		}
	}
	/* The references themselves come to nothing. */
	CHECK(list.count == 2);
	if (list.count == 2)
		CHECK_STR(list.items[1].title, "Extern");
}

static long
peak_rss_kib(void)
{
	struct rusage usage;

	if (getrusage(RUSAGE_SELF, &usage) != 0)
		return 0;
	return usage.ru_maxrss;
}

static double
seconds_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static void
test_entity_bombs(void)
{
	long rss_before = peak_rss_kib();
	double started = seconds_now();
	struct buf bomb = BUF_INIT;
	int copy;

	/* Billion laughs: ten to the ninth "lol"s if expanded. */
	expect_fixture_failure("hostile-laughs.xml", FEED_EPARSE,
			       "not well-formed XML");
	/* Quadratic blow-up: one big entity referenced many times, which
	 * libxml2's own loop check lets through; our budget must not. */
	buf_puts(&bomb, "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n"
			"<!ENTITY big \"");
	for (copy = 0; copy < 6000; copy++)
		buf_puts(&bomb, "bbbbbbbbbb");
	buf_puts(&bomb, "\">\n]>\n<rss version=\"2.0\"><channel><item>"
			"<title>t</title><description>");
	for (copy = 0; copy < 40; copy++)
		buf_puts(&bomb, "&big;");
	buf_puts(&bomb, "</description></item></channel></rss>\n");
	expect_failure("quadratic blow-up", bomb.data, bomb.length, FEED_EPARSE,
		       "not well-formed XML");
	buf_free(&bomb);
	expect_fixture_failure("hostile-amplify.xml", FEED_EPARSE,
			       "not well-formed XML");
	CHECK(seconds_now() - started < 5.0);
	/* The peak may not grow by more than a few MiB (ASan adds some). */
	CHECK(peak_rss_kib() - rss_before < 48 * 1024);
}

static void
test_broken_documents(void)
{
	char *errstr = NULL;

	expect_fixture_failure("truncated.xml", FEED_EPARSE,
			       "not well-formed XML at line ");
	{
		/* A download cut off between two items. */
		size_t size;
		char *data = feed_test_load("rss2-basic.xml", &size);
		char *cut = strstr(data, "</item>");

		CHECK(cut != NULL);
		if (cut != NULL)
			expect_failure("cut after an item", data,
				       (size_t)(cut - data) + 7, FEED_EPARSE,
				       "not well-formed XML at line 17: "
				       "premature end of data");
		free(data);
	}
	expect_fixture_failure("rss2-bad-nesting.xml", FEED_EPARSE,
			       "not well-formed XML at line 6: ");
	expect_fixture_failure("page.html", FEED_ENOTFEED,
			       "not a feed: the document is HTML");
	expect_fixture_failure("page-xhtml.xml", FEED_ENOTFEED,
			       "not a feed: the document is HTML");
	expect_fixture_failure("not-a-feed.xml", FEED_ENOTFEED,
			       "not a feed: the root element is <config>");
	expect_failure("empty", "", 0, FEED_EPARSE, "not well-formed XML");
	expect_failure("NULL data", NULL, 0, FEED_EPARSE, NULL);
	expect_failure("blank", " \r\n\t ", 5, FEED_EPARSE,
		       "not well-formed XML");
	expect_failure("BOM only", "\xEF\xBB\xBF", 3, FEED_EPARSE, NULL);
	expect_failure("text", "Service Unavailable", 19, FEED_EPARSE, NULL);
	expect_failure("two roots", "<rss></rss><rss></rss>", 22, FEED_EPARSE,
		       NULL);
	/* A NUL in the middle ends nothing early: the size says how long. */
	expect_failure("embedded NUL", "<rss>\0</rss>", 12, FEED_EPARSE, NULL);
	/* errstr_out may be NULL. */
	reset_list();
	CHECK(feed_parse("<x/>", 4, NULL, "x", &list, NULL) == FEED_ENOTFEED);
	CHECK(list.count == 1);
	free(errstr);
}

/*
 * Atom 0.3 base64 text too short to hold a byte, or not base64 at all:
 * no text, and (checked in main) nothing from GLib on stderr.
 */
static void
test_bad_base64(void)
{
	static const char feed[] =
	    "<feed xmlns=\"http://purl.org/atom/ns#\"><entry>"
	    "<title mode=\"base64\"></title><summary mode=\"base64\">Q"
	    "</summary><content mode=\"base64\">*** ////</content>"
	    "</entry><entry><title mode=\"base64\">/w==</title></entry>"
	    "</feed>";
	struct item_list parsed = {NULL, 0, 0};
	char *errstr = NULL;

	CHECK(feed_parse(feed, sizeof(feed) - 1, NULL, "x", &parsed, &errstr) ==
	      FEED_OK);
	CHECK(parsed.count == 2);
	if (parsed.count == 2) {
		CHECK_STR(parsed.items[0].title, "");
		CHECK_STR(parsed.items[0].summary, "");
		/* 0xFF is not UTF-8: not text. */
		CHECK_STR(parsed.items[1].title, "");
	}
	feed_item_list_clear(&parsed);
	free(errstr);
}

static void
test_garbage(void)
{
	unsigned char garbage[4096];
	uint32_t state = 12345;
	int round;
	size_t index;

	for (round = 0; round < 50; round++) {
		char *errstr = NULL;

		for (index = 0; index < sizeof(garbage); index++) {
			state = state * 1103515245u + 12345u;
			garbage[index] = (unsigned char)(state >> 16);
		}
		if (round % 2 == 1)
			memcpy(garbage, "<?xml version=\"1.0\"?><rss>", 26);
		reset_list();
		CHECK(feed_parse((const char *)garbage,
				 (size_t)(round * 80 + 1), NULL, "x", &list,
				 &errstr) != FEED_OK);
		CHECK(list.count == 1);
		CHECK(errstr != NULL);
		free(errstr);
	}
}

static void
test_too_big(void)
{
	size_t size = (size_t)64 * 1024 * 1024 + 1;
	char *huge = xmalloc(size);

	memset(huge, ' ', size);
	memcpy(huge, "<rss version=\"2.0\"><channel>", 28);
	expect_failure("65 MiB", huge, size, FEED_ETOOBIG, NULL);
	free(huge);
}

int
main(void)
{
	FILE *capture = tmpfile();
	int saved_stderr = dup(STDERR_FILENO);
	long captured;

	if (capture == NULL || saved_stderr < 0) {
		perror("tmpfile");
		return 99;
	}
	/* Our own messages go to the saved stderr; anything libxml2 writes
	 * lands in the capture file, which must stay empty. */
	feed_test_log = fdopen(saved_stderr, "w");
	if (feed_test_log == NULL)
		return 99;
	setvbuf(feed_test_log, NULL, _IONBF, 0);
	fflush(stderr);
	if (dup2(fileno(capture), STDERR_FILENO) < 0)
		return 99;
	test_external_entities();
	test_entity_bombs();
	test_broken_documents();
	test_bad_base64();
	test_garbage();
	test_too_big();
	fflush(stderr);
	captured = ftell(capture);
	if (dup2(saved_stderr, STDERR_FILENO) < 0)
		return 99;
	fclose(feed_test_log);
	feed_test_log = NULL;
	if (captured != 0) {
		char text[512];
		size_t length;

		rewind(capture);
		length = fread(text, 1, sizeof(text) - 1, capture);
		text[length] = '\0';
		fprintf(feed_test_out(), "stderr received %ld bytes:\n%s\n",
			captured, text);
		feed_test_failures++;
	}
	fclose(capture);
	feed_item_list_clear(&list);
	return feed_test_result();
}
