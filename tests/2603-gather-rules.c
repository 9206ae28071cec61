/*
 * 2603-gather-rules - two rules of gather_run() that the demo feeds never
 * put to the test:
 *
 * Regression (issue 7): the duplicate check once took every two items
 * without a title for the same story (their empty titles are equal), so
 * all untitled items but the first vanished.  Untitled items with their
 * own ids and links must all survive; a real duplicate (the same link)
 * still goes.
 *
 * Regression (issue 7): the category filter was once case-sensitive, and
 * every test wrote the category exactly as the feed does.  A source's
 * "buitenland" must keep items filed under "Buitenland" or "BUITENLAND".
 */
#include "2000-feed-test.h"
#include "2600-gather-test.h"

#include "config.h"
#include "gather.h"

#include <unistd.h>

#define RSS_HEAD "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
#define RSS_TAIL "</channel></rss>"
#define DATE(hour) "<pubDate>Sun, 29 Nov 2026 " hour ":00:00 GMT</pubDate>"
#define ITEM(guid, link, rest)                                                 \
	"<item><guid isPermaLink=\"false\">" guid "</guid><link>" link         \
	"</link>" rest "</item>"

/* Four untitled items, one of which repeats another's link. */
static const char untitled_feed[] = RSS_HEAD ITEM(
    "u-1", "https://u.example/1",
    DATE("08") "<description>Eerste bericht zonder kop</description>")
    ITEM("u-2", "https://u.example/2",
	 DATE("07") "<title></title><description>Tweede</description>")
	ITEM("u-3", "https://u.example/3",
	     DATE("06") "<description>Derde</description>")
	    ITEM("u-4", "https://u.example/1",
		 DATE("05") "<description>Kopie van het eerste</description>")
		RSS_TAIL;

static const char category_feed[] =
    RSS_HEAD ITEM("c-1", "https://c.example/1",
		  DATE("08") "<title>Zo geschreven</title>"
			     "<category>Buitenland</category>")
	ITEM("c-2", "https://c.example/2",
	     DATE("07") "<title>In hoofdletters</title>"
			"<category>Sport</category><category>BUITENLAND"
			"</category>")
	    ITEM("c-3", "https://c.example/3",
		 DATE("06") "<title>Alleen sport</title>"
			    "<category>Sport</category>")
		ITEM("c-4", "https://c.example/4",
		     DATE("05") "<title>Zonder categorie</title>") RSS_TAIL;

static struct config *
load(const char *sources)
{
	struct config *config = NULL;
	char *problems = NULL;
	char *ini = xasprintf("[digest]\ntitle = t\nmax_items = 20\n"
			      "max_age = 48h\n\n%s",
			      sources);
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

/* Gathers the sources and compares the links kept, in order. */
static void
check_links(const char *sources, const char *const *want, size_t want_count)
{
	time_t now = datetime_from_utc(2026, 11, 29, 9, 30, 0);
	struct config *config = load(sources);
	struct item_list items;
	struct gather_report report;

	CHECK(gather_run(config, now, NULL, &items, &report) == GATHER_OK);
	CHECK(report.problem_count == 0);
	CHECK(items.count == want_count);
	for (size_t i = 0; i < items.count && i < want_count; i++)
		CHECK_STR(items.items[i].link, want[i]);
	if (items.count != want_count)
		for (size_t i = 0; i < items.count; i++)
			fprintf(stderr, "  kept: %s\n", items.items[i].link);
	feed_item_list_clear(&items);
	gather_report_clear(&report);
	config_free(config);
}

int
main(void)
{
	static const char *const untitled[] = {"https://u.example/1",
					       "https://u.example/2",
					       "https://u.example/3"};
	static const char *const foreign[] = {"https://c.example/1",
					      "https://c.example/2"};

	if (mkdtemp(directory) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	write_file("untitled.xml", untitled_feed);
	write_file("category.xml", category_feed);

	check_links("[source u]\nurl = file:untitled.xml\n", untitled,
		    sizeof untitled / sizeof untitled[0]);
	check_links("[source c]\nurl = file:category.xml\n"
		    "category = buitenland\n",
		    foreign, sizeof foreign / sizeof foreign[0]);

	remove_file("untitled.xml");
	remove_file("category.xml");
	remove_file("gather.ini");
	rmdir(directory);
	return feed_test_result();
}
