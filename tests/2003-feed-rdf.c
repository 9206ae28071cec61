/*
 * 2003-feed-rdf - RSS 1.0: items beside the channel in the RSS 1.0
 * namespace, dc:date and dc:subject, rdf:about as the id without a link.
 */
#include "2000-feed-test.h"

int
main(void)
{
	struct item_list list = {NULL, 0, 0};
	char *errstr = NULL;
	struct item *item;

	CHECK(feed_test_parse("rss1.xml", "https://rdf.example.org/rss", &list,
			      &errstr) == FEED_OK);
	CHECK(errstr == NULL);
	CHECK(list.count == 2);
	if (list.count != 2)
		goto out;

	item = &list.items[0];
	CHECK_STR(item->title, "Brug in Rotterdam heropend");
	CHECK_STR(item->link, "https://rdf.example.org/a1");
	CHECK_STR(item->id, "https://rdf.example.org/a1");
	CHECK(item->has_published);
	CHECK(item->published_at == datetime_from_utc(2026, 11, 29, 8, 45, 0));
	CHECK_STR(item->summary, "Na twee jaar werk is de brug weer open.");
	CHECK(item->category_count == 2);
	if (item->category_count == 2) {
		CHECK_STR(item->categories[0], "Verkeer");
		CHECK_STR(item->categories[1], "Rotterdam");
	}

	item = &list.items[1];
	CHECK_STR(item->title, "Sneeuw in de Alpen");
	CHECK(item->link == NULL);
	CHECK_STR(item->id, "https://rdf.example.org/a2");
	/* A date-only dc:date is midnight UTC. */
	CHECK(item->has_published);
	CHECK(item->published_at == datetime_from_utc(2026, 11, 28, 0, 0, 0));
	CHECK_STR(item->summary, "Skigebieden openen vroeg.");
	CHECK(item->category_count == 0);
out:
	free(errstr);
	feed_item_list_clear(&list);
	return feed_test_result();
}
