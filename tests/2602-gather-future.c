/*
 * 2602-gather-future - items dated in the future.  Beyond [fetch]
 * future_tolerance (1h unless set) an item counts as published at the
 * run that gathered it, and one warning names its source; a few minutes
 * of clock skew keep their date and still read "zojuist".
 *
 * Regression: an item dated 2099 passed the age window, sorted above
 * every other item and read "zojuist" until 2099.
 */
#include "2000-feed-test.h"
#include "2600-gather-test.h"

#include "config.h"
#include "gather.h"
#include "words.h"

#include <unistd.h>

#define ITEM(title, date)                                                      \
	"<item><title>" title "</title><guid>urn:test:" title "</guid>"        \
	"<pubDate>" date "</pubDate></item>"

/* The run is at 2026-11-29T09:30:00Z. */
static const char feed_ahead[] =
    "<rss version=\"2.0\"><channel>" ITEM("Skew", "2026-11-29T09:35:00Z")
	ITEM("Far", "2099-01-01T00:00:00Z") ITEM("Past", "2026-11-29T08:00:00Z")
	    ITEM("Hours", "2026-11-29T11:30:00Z") "</channel></rss>";

static const char feed_plain[] = "<rss version=\"2.0\"><channel>" ITEM(
    "Other", "2026-11-29T09:00:00Z") "</channel></rss>";

static struct config *
load(const char *fetch_section)
{
	struct config *config = NULL;
	char *problems = NULL;
	char *ini = xasprintf("[digest]\ntitle = t\nmax_items = 20\n\n%s"
			      "[source ahead]\nurl = file:ahead.xml\n\n"
			      "[source plain]\nurl = file:plain.xml\n",
			      fetch_section);
	char *path = xasprintf("%s/future.ini", directory);

	write_file("future.ini", ini);
	if (config_load(path, &config, &problems) != CONFIG_OK) {
		fprintf(stderr, "config: %s\n", problems ? problems : "?");
		exit(99);
	}
	free(problems);
	free(ini);
	free(path);
	return config;
}

static const struct item *
find(const struct item_list *items, const char *title)
{
	for (size_t i = 0; i < items->count; i++)
		if (strcmp(items->items[i].title, title) == 0)
			return &items->items[i];
	return NULL;
}

static void
test_default_tolerance(time_t now)
{
	struct config *config = load("");
	struct item_list items;
	struct gather_report report;
	const struct item *item;
	char *words;

	CHECK(config->future_tolerance == 3600);
	CHECK(gather_run(config, now, NULL, &items, &report) == GATHER_OK);
	CHECK(items.count == 5);
	/* Five minutes ahead is clock skew: the date stays, "zojuist". */
	item = find(&items, "Skew");
	CHECK(item != NULL &&
	      item->published_at == datetime_from_utc(2026, 11, 29, 9, 35, 0));
	if (item != NULL) {
		words = words_relative_time(item->published_at, now, "nl",
					    "Europe/Amsterdam");
		CHECK_STR(words, "zojuist");
		free(words);
	}
	/* Two hours and 73 years ahead: published now, as gathered. */
	item = find(&items, "Far");
	CHECK(item != NULL && item->has_published && item->published_at == now);
	item = find(&items, "Hours");
	CHECK(item != NULL && item->published_at == now);
	item = find(&items, "Past");
	CHECK(item != NULL &&
	      item->published_at == datetime_from_utc(2026, 11, 29, 8, 0, 0));
	/* One warning, naming the source with the future, not the other. */
	CHECK(report.problem_count == 0);
	CHECK(report.warning_count == 1);
	if (report.warning_count == 1) {
		CHECK_STR(report.warnings[0].source, "ahead");
		CHECK(strstr(report.warnings[0].text, "2 items") != NULL);
		CHECK(strstr(report.warnings[0].text, "2099-01-01T00:00:00Z") !=
		      NULL);
	}
	feed_item_list_clear(&items);
	gather_report_clear(&report);
	CHECK(report.warning_count == 0 && report.warnings == NULL);
	config_free(config);
}

static void
test_set_tolerance(time_t now)
{
	struct config *config = load("[fetch]\nfuture_tolerance = 3h\n\n");
	struct item_list items;
	struct gather_report report;
	const struct item *item;

	CHECK(config->future_tolerance == 3 * 3600);
	CHECK(gather_run(config, now, NULL, &items, &report) == GATHER_OK);
	/* Within three hours, the item keeps its date (and sorts first). */
	item = find(&items, "Hours");
	CHECK(item != NULL &&
	      item->published_at == datetime_from_utc(2026, 11, 29, 11, 30, 0));
	CHECK(items.count > 0 && strcmp(items.items[0].title, "Hours") == 0);
	CHECK(report.warning_count == 1);
	if (report.warning_count == 1)
		CHECK(strstr(report.warnings[0].text,
			     "an item is dated "
			     "2099-01-01T00:00:00Z") != NULL);
	feed_item_list_clear(&items);
	gather_report_clear(&report);
	config_free(config);

	/* A tolerance of 0: even the five minutes count as the future. */
	config = load("[fetch]\nfuture_tolerance = 0\n\n");
	CHECK(gather_run(config, now, NULL, &items, &report) == GATHER_OK);
	item = find(&items, "Skew");
	CHECK(item != NULL && item->published_at == now);
	CHECK(report.warning_count == 1 &&
	      strstr(report.warnings[0].text, "3 items") != NULL);
	feed_item_list_clear(&items);
	gather_report_clear(&report);
	config_free(config);
}

int
main(void)
{
	time_t now = datetime_from_utc(2026, 11, 29, 9, 30, 0);

	if (mkdtemp(directory) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	write_file("ahead.xml", feed_ahead);
	write_file("plain.xml", feed_plain);
	test_default_tolerance(now);
	test_set_tolerance(now);
	remove_file("ahead.xml");
	remove_file("plain.xml");
	remove_file("future.ini");
	rmdir(directory);
	return feed_test_result();
}
