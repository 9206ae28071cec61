/*
 * 2601-gather - gather_run() over two file:// sources: duplicates dropped
 * across sources (by URI id, link or title, the newest copy kept), newest
 * first, undated items last, the age window and the item limit.
 *
 * Regression: bare guids such as "1" were compared across sources, so two
 * different stories that two feeds both numbered 1 became one.
 */
#include "2000-feed-test.h"
#include "2600-gather-test.h"

#include "config.h"
#include "gather.h"

#include <unistd.h>

#define RSS_HEAD "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
#define RSS_TAIL "</channel></rss>"
#define ITEM(guid, title, link, date)                                          \
	"<item><guid isPermaLink=\"false\">" guid "</guid><title>" title       \
	"</title><link>" link "</link>" date "</item>"
#define DATE(text) "<pubDate>" text "</pubDate>"

static const char feed_a[] = RSS_HEAD ITEM(
    "1", "Storm in Chili", "https://a.example/1", DATE("2026-11-29T08:30:00Z"))
    ITEM("2", "Verkiezingen in Peru", "https://a.example/2",
	 DATE("2026-11-29T06:30:00Z"))
	ITEM("3", "Zonder datum", "https://a.example/3", "")
	    ITEM("4", "Oud nieuws", "https://a.example/4",
		 DATE("2026-11-24T09:00:00Z"))
		ITEM("urn:uuid:77", "Gedeeld verhaal (kopie)",
		     "https://a.example/5", DATE("2026-11-29T03:30:00Z"))
		    RSS_TAIL;

static const char feed_b[] =
    RSS_HEAD ITEM("1", "Aardbeving in Japan", "https://b.example/1",
		  DATE("2026-11-29T07:30:00Z"))
	ITEM("b-9", "storm in chili", "https://b.example/9",
	     DATE("2026-11-29T08:00:00Z"))
	    ITEM("x-7", "Peru kiest", "https://a.example/2",
		 DATE("2026-11-29T05:30:00Z"))
		ITEM("urn:uuid:77", "Gedeeld verhaal", "https://b.example/6",
		     DATE("2026-11-29T04:30:00Z")) RSS_TAIL;

static struct config *
load(const char *max_items)
{
	struct config *config = NULL;
	char *problems = NULL;
	char *ini =
	    xasprintf("[digest]\ntitle = t\nmax_items = %s\n"
		      "max_age = 48h\n\n[source a]\nurl = file:a.xml\n\n"
		      "[source b]\nurl = file:b.xml\n",
		      max_items);
	char *path = xasprintf("%s/gather.ini", directory);

	write_file("gather.ini", ini);
	if (config_load(path, &config, &problems) != CONFIG_OK) {
		fprintf(stderr, "config: %s\n", problems ? problems : "?");
		exit(99);
	}
	free(problems);
	free(ini);
	free(path);
	return config;
}

static void
check_titles(const struct item_list *items, const char *const *want,
	     size_t want_count)
{
	CHECK(items->count == want_count);
	for (size_t i = 0; i < items->count && i < want_count; i++)
		CHECK_STR(items->items[i].title, want[i]);
}

int
main(void)
{
	static const char *const all[] = {
	    "Storm in Chili", "Aardbeving in Japan", "Verkiezingen in Peru",
	    "Gedeeld verhaal", "Zonder datum"};
	static const char *const two[] = {"Storm in Chili",
					  "Aardbeving in Japan"};
	time_t now = datetime_from_utc(2026, 11, 29, 9, 30, 0);
	struct item_list items;
	struct gather_report report;
	struct config *config;

	if (mkdtemp(directory) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	write_file("a.xml", feed_a);
	write_file("b.xml", feed_b);

	config = load("20");
	CHECK(gather_run(config, now, NULL, &items, &report) == GATHER_OK);
	CHECK(report.problem_count == 0 && report.source_ok_count == 2);
	check_titles(&items, all, sizeof all / sizeof all[0]);
	if (items.count == 5) {
		/* The newer copy of a duplicate is the one kept. */
		CHECK_STR(items.items[0].link, "https://a.example/1");
		CHECK_STR(items.items[2].link, "https://a.example/2");
		CHECK_STR(items.items[3].link, "https://b.example/6");
		CHECK(!items.items[4].has_published);
	}
	feed_item_list_clear(&items);
	gather_report_clear(&report);
	config_free(config);

	config = load("2");
	CHECK(gather_run(config, now, NULL, &items, &report) == GATHER_OK);
	check_titles(&items, two, sizeof two / sizeof two[0]);
	feed_item_list_clear(&items);
	gather_report_clear(&report);
	config_free(config);

	/* A source that fails is reported by its id; the other still counts. */
	remove_file("b.xml");
	config = load("20");
	CHECK(gather_run(config, now, NULL, &items, &report) == GATHER_OK);
	CHECK(report.source_ok_count == 1 && report.problem_count == 1);
	if (report.problem_count == 1)
		CHECK_STR(report.problems[0].source, "b");
	feed_item_list_clear(&items);
	gather_report_clear(&report);
	config_free(config);

	remove_file("a.xml");
	remove_file("gather.ini");
	rmdir(directory);
	return feed_test_result();
}
