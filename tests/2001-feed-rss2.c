/*
 * 2001-feed-rss2 - RSS 2.0: fields, CDATA, entities, content:encoded,
 * categories, ids, xml:base and relative links, and the encodings feeds
 * really use (BOM, ISO-8859-1, windows-1252, undeclared Latin-1).
 */
#include "2000-feed-test.h"

#define FEED_URL "https://nieuws.example.org/feeds/buitenland.xml"

static void
test_basic(void)
{
	struct item_list list = {NULL, 0, 0};
	char *errstr = NULL;
	struct item *item;

	CHECK(feed_test_parse("rss2-basic.xml", FEED_URL, &list, &errstr) ==
	      FEED_OK);
	CHECK(errstr == NULL);
	CHECK(list.count == 4);
	if (list.count != 4)
		goto out;

	item = &list.items[0];
	CHECK_STR(item->source, "test");
	CHECK_STR(item->title, "Storm treft kust van Portugal");
	CHECK_STR(item->link,
		  "https://nieuws.example.org/buitenland/storm-portugal");
	CHECK_STR(item->id, "nieuws-4711");
	CHECK(item->has_published);
	CHECK(item->published_at == datetime_from_utc(2026, 11, 29, 6, 30, 0));
	/* CDATA with HTML: paragraphs, &nbsp; decoded, script dropped. */
	CHECK_STR(item->summary, "Een zware storm heeft de kust bereikt.\n\n"
				 "Duizenden huizen zonder stroom.");
	CHECK(item->category_count == 2);
	if (item->category_count == 2) {
		CHECK_STR(item->categories[0], "Europa");
		CHECK_STR(item->categories[1], "Weer");
	}

	/* Numeric and predefined entities; escaped HTML; dc:date and
	 * dc:subject; a relative link resolved against the feed URL and used
	 * as the id for want of a guid. */
	item = &list.items[1];
	CHECK_STR(item->title, "Caf\xc3\xa9 & markt in Gent \xe2\x82\xac 5 "
			       "miljoen");
	CHECK_STR(item->link, "https://nieuws.example.org/buitenland/"
			      "gent-markt");
	CHECK_STR(item->id, item->link);
	CHECK(item->has_published);
	CHECK(item->published_at == datetime_from_utc(2026, 11, 28, 18, 5, 0));
	CHECK_STR(item->summary, "Het stadsbestuur & de handelaars zijn het "
				 "eens.\n\n- Nieuwe kramen\n- Langere tijden");
	CHECK(item->category_count == 1);
	if (item->category_count == 1)
		CHECK_STR(item->categories[0], "Belgi\xc3\xab");

	/* Empty description: content:encoded instead; permalink guid. */
	item = &list.items[2];
	CHECK_STR(item->link, "https://news.example.com/world/"
			      "malta-elections");
	CHECK_STR(item->id, "https://news.example.com/world/"
			    "malta-elections");
	CHECK(!item->has_published);
	CHECK_STR(item->summary, "The prime minister called early "
				 "elections.\nVoting is set for March.");
	CHECK(item->category_count == 0);

	/* Neither guid nor link: a hash id, stable across parses. */
	item = &list.items[3];
	CHECK_STR(item->title, "");
	CHECK(item->link == NULL);
	CHECK(item->id != NULL &&
	      strncmp(item->id, "urn:digest:item:", 16) == 0);
	CHECK_STR(item->summary, "Alleen een beschrijving, zonder titel of "
				 "link.");
out:
	free(errstr);
	feed_item_list_clear(&list);
}

/* A second parse appends after what the list holds; ids are stable. */
static void
test_append_and_copy(void)
{
	struct item_list list = {NULL, 0, 0};
	struct item_list copies = {NULL, 0, 0};
	char *errstr = NULL;
	size_t index;

	CHECK(feed_test_parse("rss2-basic.xml", FEED_URL, &list, &errstr) ==
	      FEED_OK);
	CHECK(feed_test_parse("rss2-basic.xml", FEED_URL, &list, &errstr) ==
	      FEED_OK);
	CHECK(list.count == 8);
	if (list.count == 8) {
		for (index = 0; index < 4; index++)
			CHECK_STR(list.items[index].id,
				  list.items[index + 4].id);
	}
	for (index = 0; index < list.count; index++)
		feed_item_list_push_copy(&copies, &list.items[index]);
	CHECK(copies.count == list.count);
	if (copies.count == 8) {
		CHECK(copies.items[0].title != list.items[0].title);
		CHECK_STR(copies.items[0].title, list.items[0].title);
		CHECK(copies.items[0].category_count == 2);
		CHECK_STR(copies.items[0].categories[1], "Weer");
		CHECK(copies.items[0].published_at ==
		      list.items[0].published_at);
	}
	feed_item_list_clear(&list);
	CHECK(list.count == 0 && list.items == NULL);
	feed_item_list_clear(&copies);
	free(errstr);
}

static void
test_xml_base(void)
{
	struct item_list list = {NULL, 0, 0};
	char *errstr = NULL;

	CHECK(feed_test_parse("rss2-xmlbase.xml", FEED_URL, &list, &errstr) ==
	      FEED_OK);
	CHECK(list.count == 4);
	if (list.count == 4) {
		CHECK_STR(list.items[0].link, "https://portal.example.net/"
					      "nieuws/buitenland/"
					      "artikel-1.html");
		CHECK_STR(list.items[1].link, "https://portal.example.net/"
					      "archief/2026/artikel-2.html");
		CHECK_STR(list.items[2].link, "https://other.example.net/a/c/"
					      "artikel-3.html");
		/* Only http(s) links reach the mail. */
		CHECK(list.items[3].link == NULL);
		CHECK(list.items[3].id != NULL);
	}
	feed_item_list_clear(&list);
	free(errstr);

	CHECK(feed_test_parse("rss2-relative.xml", FEED_URL, &list, &errstr) ==
	      FEED_OK);
	CHECK(list.count == 1);
	if (list.count == 1)
		CHECK_STR(list.items[0].link, "https://nieuws.example.org/"
					      "artikelen/oost.html?id=3&p=1");
	feed_item_list_clear(&list);

	/* Without a base URL a relative link cannot become absolute. */
	CHECK(feed_test_parse("rss2-relative.xml", NULL, &list, &errstr) ==
	      FEED_OK);
	CHECK(list.count == 1);
	if (list.count == 1) {
		CHECK(list.items[0].link == NULL);
		CHECK_STR(list.items[0].id, "../artikelen/oost.html?id=3&p=1");
	}
	feed_item_list_clear(&list);
	free(errstr);
}

static void
check_one(const char *fixture, const char *title, const char *summary)
{
	struct item_list list = {NULL, 0, 0};
	char *errstr = NULL;

	CHECK(feed_test_parse(fixture, FEED_URL, &list, &errstr) == FEED_OK);
	if (errstr != NULL)
		fprintf(stderr, "%s: %s\n", fixture, errstr);
	CHECK(list.count == 1);
	if (list.count == 1) {
		CHECK_STR(list.items[0].title, title);
		if (summary != NULL)
			CHECK_STR(list.items[0].summary, summary);
	}
	feed_item_list_clear(&list);
	free(errstr);
}

static void
test_encodings(void)
{
	check_one("rss2-bom.xml", "Premi\xc3\xa8re in Z\xc3\xbcrich",
		  "Caf\xc3\xa9 opent opnieuw.");
	check_one("rss2-latin1.xml", "Caf\xc3\xa9 in Li\xc3\xa8ge heropend",
		  "De eigenaar is \xc3\xa9\xc3\xa9n van de bekendste koks "
		  "\xc2\xab van Wallonie \xc2\xbb.");
	/* cp1252: curly quotes 0x93/0x94, euro 0x80, en dash 0x96. */
	check_one("rss2-cp1252.xml",
		  "\xe2\x80\x9cPrijzen stijgen\xe2\x80\x9d in Caf\xc3\xa9s",
		  "Een kop koffie kost nu \xe2\x82\xac 4,50 \xe2\x80\x93 zegt "
		  "de bond.");
	/* Latin-1 bytes without any declaration: read as windows-1252. */
	check_one("rss2-undeclared-latin1.xml",
		  "Na\xc3\xaf"
		  "ef Latin-1 zonder declaratie",
		  "");
}

/*
 * Regression (found by fuzz_feed): text made only of whitespace came back
 * from feed_html_collapse_text() unterminated, and the id hash read past it.
 */
static void
test_blank_fields(void)
{
	static const char feed[] =
	    "<rss version=\"2.0\"><channel><item><title> \n\t </title>"
	    "<category>   </category><guid>  </guid><pubDate> </pubDate>"
	    "<description>\t</description></item></channel></rss>";
	struct item_list list = {NULL, 0, 0};
	char *errstr = NULL;

	CHECK(feed_parse(feed, sizeof(feed) - 1, NULL, "blank", &list,
			 &errstr) == FEED_OK);
	CHECK(list.count == 1);
	if (list.count == 1) {
		CHECK_STR(list.items[0].title, "");
		CHECK_STR(list.items[0].summary, "");
		CHECK(list.items[0].category_count == 0);
		CHECK(!list.items[0].has_published);
		CHECK(strncmp(list.items[0].id, "urn:digest:item:", 16) == 0);
	}
	feed_item_list_clear(&list);
	free(errstr);
}

int
main(void)
{
	test_basic();
	test_append_and_copy();
	test_xml_base();
	test_encodings();
	test_blank_fields();
	return feed_test_result();
}
