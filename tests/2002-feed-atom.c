/*
 * 2002-feed-atom - Atom 1.0: text constructs (text, html, xhtml), the
 * alternate link among others, nested xml:base, published before updated,
 * summary before content, category label or term, atom:id.
 */
#include "2000-feed-test.h"

int
main(void)
{
	struct item_list list = {NULL, 0, 0};
	char *errstr = NULL;
	struct item *item;

	CHECK(feed_test_parse("atom.xml", "https://ignored.example.org/feed",
			      &list, &errstr) == FEED_OK);
	CHECK(errstr == NULL);
	CHECK(list.count == 4);
	if (list.count != 4)
		goto out;

	item = &list.items[0];
	/* type="html" title: markup gone, the escaped &amp; decoded. */
	CHECK_STR(item->title, "Akkoord over graanexport & havens");
	CHECK_STR(item->id, "tag:wereld.example.org,2026:graan");
	/* rel="self" comes first but the alternate link wins; the entry's
	 * relative xml:base nests inside the feed's. */
	CHECK_STR(item->link, "https://wereld.example.org/nieuws/2026/"
			      "graan-akkoord.html");
	/* published (21:15 +01:00) beats updated. */
	CHECK(item->has_published);
	CHECK(item->published_at == datetime_from_utc(2026, 11, 28, 20, 15, 0));
	CHECK_STR(item->summary, "De ministers tekenden het akkoord laat op "
				 "de avond.\n\nSchepen vertrekken maandag.");
	CHECK(item->category_count == 2);
	if (item->category_count == 2) {
		CHECK_STR(item->categories[0], "Economie");
		CHECK_STR(item->categories[1], "oekraine");
	}

	item = &list.items[1];
	CHECK_STR(item->title, "Verkiezingen in Chili");
	/* A link without rel is the alternate; its own xml:base applies. */
	CHECK_STR(item->link, "https://andes.example.org/verkiezingen/"
			      "chili.html");
	/* No published: updated, with fraction and a negative offset. */
	CHECK(item->has_published);
	CHECK(item->published_at == datetime_from_utc(2026, 11, 27, 15, 0, 0));
	/* No summary: html content, style dropped, heading a paragraph. */
	CHECK_STR(item->summary, "De opkomst was hoog.\n\nUitslag\n\n"
				 "Volgende week.");

	item = &list.items[2];
	CHECK_STR(item->title, "Plain text title");
	/* rel="enclosure" is not the article. */
	CHECK(item->link == NULL);
	CHECK(!item->has_published);
	/* type="text" stays text: the angle brackets are content. */
	CHECK_STR(item->summary, "Kort overzicht <niet> als HTML gelezen.");
	CHECK(item->id != NULL && *item->id != '\0');

	item = &list.items[3];
	CHECK_STR(item->title, "Titel met nadruk");
	/* content with src holds no text of its own. */
	CHECK_STR(item->summary, "");
out:
	free(errstr);
	feed_item_list_clear(&list);
	return feed_test_result();
}
