/*
 * 2007-feed-shapes - feeds as they are found in the wild, read as a feed
 * reader shows them.  Each fixture tests/data/feeds/shape-NAME.xml is
 * parsed and its items written as JSON lines, one object per item, which
 * must equal shape-NAME.json beside it:
 *
 *   title-markup       markup, escaped markup, CDATA, script and style in
 *                      RSS titles: plain text
 *   latin1-is-cp1252   ISO-8859-1 with bytes 0x80-0x9F: windows-1252
 *   ascii-is-cp1252    US-ASCII with the same bytes: windows-1252
 *   atom03             Atom 0.3: base64 and escaped modes, type="" and an
 *                      unknown type as text, issued/created/modified, the
 *                      alternate web page whatever the order, a URL as the
 *                      link's text
 *   rss2-userland      RSS 2.0 in Userland's default namespace
 *   fallbacks-rss      dc:, dcterms:, media: (also media:group), itunes:
 *                      and content:encoded, in the order of preference;
 *                      a repeated element: the first with text wins
 *   fallbacks-atom     the same order and rule in Atom
 *   not-markup         text that looks like markup but is not ("<!'")
 *
 * And one feed built here: a long ISO-8859-1 description of euro signs,
 * which grow from one byte to three and cross the parser's chunks.
 */
#include "2000-feed-test.h"

#define SHAPE_BASE_URL "https://feeds.example.org/shape/feed.xml"

static const char *const shapes[] = {
    "title-markup",  "latin1-is-cp1252", "ascii-is-cp1252", "atom03",
    "rss2-userland", "fallbacks-rss",	 "fallbacks-atom",  "not-markup",
};

/* Appends item as one line of JSON. */
static void
shape_item_json(struct buf *out, const struct item *item)
{
	char published[DATETIME_RFC3339_SIZE];
	size_t index;

	buf_puts(out, "{\"title\": ");
	buf_put_json_string(out, item->title);
	buf_puts(out, ", \"link\": ");
	buf_put_json_string(out, item->link);
	buf_puts(out, ", \"id\": ");
	buf_put_json_string(out, item->id);
	buf_puts(out, ", \"published\": ");
	if (item->has_published) {
		datetime_format_rfc3339(item->published_at, published);
		buf_put_json_string(out, published);
	} else {
		buf_puts(out, "null");
	}
	buf_puts(out, ", \"summary\": ");
	buf_put_json_string(out, item->summary);
	buf_puts(out, ", \"categories\": [");
	for (index = 0; index < item->category_count; index++) {
		if (index > 0)
			buf_puts(out, ", ");
		buf_put_json_string(out, item->categories[index]);
	}
	buf_puts(out, "]}\n");
}

/* Prints the first line where got and want differ. */
static void
shape_report(const char *name, const char *got, const char *want)
{
	size_t line = 1;

	while (*got != '\0' && *got == *want) {
		if (*got == '\n')
			line++;
		got++;
		want++;
	}
	while (line > 1 && got[-1] != '\n') {
		got--;
		want--;
	}
	fprintf(feed_test_out(),
		"shape-%s: item line %zu differs\n  got:  %.*s\n  want: %.*s\n",
		name, line, (int)strcspn(got, "\n"), got,
		(int)strcspn(want, "\n"), want);
	feed_test_failures++;
}

static void
check_shape(const char *name)
{
	struct item_list list = {NULL, 0, 0};
	struct buf got = BUF_INIT;
	char *fixture = xasprintf("shape-%s.xml", name);
	char *expected_name = xasprintf("shape-%s.json", name);
	char *errstr = NULL;
	char *want;
	size_t want_size;
	size_t index;

	if (feed_test_parse(fixture, SHAPE_BASE_URL, &list, &errstr) !=
	    FEED_OK) {
		fprintf(feed_test_out(), "%s: %s\n", fixture,
			errstr != NULL ? errstr : "failed");
		feed_test_failures++;
	}
	for (index = 0; index < list.count; index++)
		shape_item_json(&got, &list.items[index]);
	want = feed_test_load(expected_name, &want_size);
	if (got.length != want_size || (want_size > 0 && got.data != NULL &&
					memcmp(got.data, want, want_size)))
		shape_report(name, got.data != NULL ? got.data : "", want);
	/* DIGEST_SHAPE_PRINT shows what the parser made of a fixture. */
	if (getenv("DIGEST_SHAPE_PRINT") != NULL && got.data != NULL)
		fputs(got.data, feed_test_out());
	free(want);
	buf_free(&got);
	free(errstr);
	free(expected_name);
	free(fixture);
	feed_item_list_clear(&list);
}

static void
check_long_cp1252(void)
{
	const size_t euro_count = 700 * 1000;
	struct item_list list = {NULL, 0, 0};
	struct buf feed = BUF_INIT;
	char *errstr = NULL;
	size_t index;

	buf_puts(&feed, "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>"
			"<rss version=\"2.0\"><channel><item><title>Euro's"
			"</title><description>");
	for (index = 0; index < euro_count; index++)
		buf_putc(&feed, '\x80');
	buf_puts(&feed, "</description></item></channel></rss>");
	CHECK(feed_parse(feed.data, feed.length, NULL, "euro", &list,
			 &errstr) == FEED_OK);
	CHECK(list.count == 1);
	if (list.count == 1) {
		const char *summary = list.items[0].summary;

		CHECK(strlen(summary) == 3 * euro_count);
		CHECK(strncmp(summary, "\xe2\x82\xac\xe2\x82\xac", 6) == 0);
		CHECK(strcmp(summary + strlen(summary) - 3, "\xe2\x82\xac") ==
		      0);
	}
	feed_item_list_clear(&list);
	buf_free(&feed);
	free(errstr);
}

int
main(void)
{
	size_t index;

	for (index = 0; index < sizeof(shapes) / sizeof(shapes[0]); index++)
		check_shape(shapes[index]);
	check_long_cp1252();
	return feed_test_result();
}
