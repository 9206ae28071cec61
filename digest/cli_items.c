/*
 * cli_items.c - `digest items`: the gathered items, as the digest would
 * use them, or one feed as it is parsed.
 */
#include "cli_commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>
#include <time.h>

#include "datetime.h"
#include "gather.h"
#include "url.h"
#include "util.h"

enum { OPT_JSON, OPT_SOURCE, OPT_NOW };

static const struct cli_option options[] = {
    {"json", NULL,
     "Prints one JSON object per line (source, title, link, published in "
     "RFC 3339 UTC or null, summary) instead of the readable list."},
    {"source", "URL",
     "Fetches and parses this one feed (http, https or file) and lists "
     "every item it holds in feed order, without the category filter, the "
     "age window or the item limit: to see how digest reads a feed."},
    {"now", "TIME",
     "Stands in for the clock (RFC 3339, as in "
     "2026-11-29T07:00:00+01:00): the age window counts back from it."},
    {NULL, NULL, NULL}};

static const struct cli_usage usage = {
    "items",
    "[--json] [--source URL] [--now TIME]",
    "Lists the foreign-news items the digest would use now: every "
    "configured source fetched, filtered by category, duplicates dropped, "
    "newest first, within max_age and max_items.",
    options,
    0,
    0};

static void
print_item_json(const struct item *item)
{
	struct buf line = BUF_INIT;
	char published[DATETIME_RFC3339_SIZE];

	buf_puts(&line, "{\"source\":");
	buf_put_json_string(&line, item->source);
	buf_puts(&line, ",\"title\":");
	buf_put_json_string(&line, item->title);
	buf_puts(&line, ",\"link\":");
	buf_put_json_string(&line, item->link);
	buf_puts(&line, ",\"published\":");
	if (item->has_published)
		datetime_format_rfc3339(item->published_at, published);
	buf_put_json_string(&line, item->has_published ? published : NULL);
	buf_puts(&line, ",\"summary\":");
	buf_put_json_string(&line, item->summary);
	buf_puts(&line, "}\n");
	fputs(line.data, stdout);
	buf_free(&line);
}

static void
print_item_text(const struct item *item)
{
	char published[DATETIME_RFC3339_SIZE] = "-";

	if (item->has_published)
		datetime_format_rfc3339(item->published_at, published);
	printf("%-20s  %s\n", published, item->source);
	printf("    %s\n",
	       item->title && *item->title ? item->title : "(untitled)");
	if (item->link)
		printf("    %s\n", item->link);
}

static void
print_items(const struct item_list *items, int json)
{
	for (size_t i = 0; i < items->count; i++) {
		if (json)
			print_item_json(&items->items[i]);
		else
			print_item_text(&items->items[i]);
	}
}

static int
items_one_source(struct cli *cli, const char *url, int json)
{
	struct item_list items;
	char *errstr = NULL;

	if (url_check(url, "http,https,file", &errstr) < 0) {
		cli_warn("items --source: \"%s\": %s", url, errstr);
		free(errstr);
		return EX_USAGE;
	}
	if (gather_one(cli->config, url, &items, &errstr) < 0) {
		cli_warn("feed \"%s\": %s", url, errstr);
		free(errstr);
		return EX_UNAVAILABLE;
	}
	print_items(&items, json);
	feed_item_list_clear(&items);
	return cli_finish_output();
}

int
cli_items_main(struct cli *cli, int argc, char **argv)
{
	struct cli_args args;
	struct item_list items;
	time_t now = time(NULL);
	int json, code;

	code = cli_parse_args(&usage, argc, argv, &args);
	if (code == CLI_HELP_SHOWN)
		return cli_finish_output();
	if (code != 0)
		return code;
	json = args.values[OPT_JSON] != NULL;
	if (args.values[OPT_NOW] &&
	    (code = cli_parse_now(args.values[OPT_NOW], &now)) != EX_OK)
		return code;
	if ((code = cli_load_config(cli)) != EX_OK)
		return code;
	if (args.values[OPT_SOURCE])
		return items_one_source(cli, args.values[OPT_SOURCE], json);
	if ((code = cli_gather(cli->config, now, NULL, &items, NULL)) != EX_OK)
		return code;
	print_items(&items, json);
	feed_item_list_clear(&items);
	return cli_finish_output();
}
