/*
 * gather.c - see gather.h.
 */
#include "gather.h"

#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "datetime.h"
#include "util.h"

static void
add_problem(struct gather_report *report, const char *source,
	    const char *reason)
{
	struct gather_problem *slot;

	report->problems =
	    xreallocarray(report->problems, report->problem_count + 1,
			  sizeof *report->problems);
	slot = &report->problems[report->problem_count++];
	slot->source = xstrdup(source);
	slot->reason = xstrdup(reason);
}

static void
add_warning(struct gather_report *report, const char *source, char *text)
{
	struct gather_warning *slot;

	report->warnings =
	    xreallocarray(report->warnings, report->warning_count + 1,
			  sizeof *report->warnings);
	slot = &report->warnings[report->warning_count++];
	slot->source = xstrdup(source);
	slot->text = text;
}

static void
fetch_options_from(const struct config *config, struct fetch_options *options)
{
	options->connect_timeout = config->connect_timeout;
	options->total_timeout = config->fetch_timeout;
	options->max_size = config->max_feed_size;
	options->max_redirects = config->max_redirects;
	options->user_agent = config->user_agent;
	options->validators = NULL;
}

/* Keeps only the items of list that carry category (case-insensitive). */
static void
keep_category(struct item_list *list, const char *category)
{
	size_t kept = 0;

	for (size_t i = 0; i < list->count; i++) {
		struct item *item = &list->items[i];
		int match = 0;

		for (size_t c = 0; c < item->category_count && !match; c++)
			match =
			    util_strcasecmp(item->categories[c], category) == 0;
		if (match)
			list->items[kept++] = *item;
		else
			feed_item_clear(item);
	}
	list->count = kept;
}

/*
 * An item dated further ahead than the tolerance would sort above every
 * other item and read "zojuist" until that date: it counts as published
 * when it was first gathered, which for now is this run.  A few minutes of
 * clock skew stay as they are.  One warning names the source.
 */
static void
hold_back_future(struct item_list *list, time_t now, long tolerance,
		 const char *source, struct gather_report *report)
{
	size_t count = 0;
	time_t latest = now;
	char latest_text[DATETIME_RFC3339_SIZE];

	for (size_t i = 0; i < list->count; i++) {
		struct item *item = &list->items[i];

		if (!item->has_published || item->published_at <= now ||
		    item->published_at - now <= tolerance)
			continue;
		if (item->published_at > latest)
			latest = item->published_at;
		item->published_at = now;
		count++;
	}
	if (count == 0)
		return;
	datetime_format_rfc3339(latest, latest_text);
	if (count == 1)
		add_warning(report, source,
			    xasprintf("an item is dated %s, beyond "
				      "future_tolerance: counted as "
				      "published now",
				      latest_text));
	else
		add_warning(report, source,
			    xasprintf("%zu items are dated up to %s, beyond "
				      "future_tolerance: counted as "
				      "published now",
				      count, latest_text));
}

/* An item and its place in the feeds, so that sorting is stable. */
struct sort_entry {
	struct item item;
	size_t order;
};

/* Newest first; undated items after every dated one; ties in feed order. */
static int
compare_newest_first(const void *a, const void *b)
{
	const struct sort_entry *left = a;
	const struct sort_entry *right = b;

	if (left->item.has_published != right->item.has_published)
		return left->item.has_published ? -1 : 1;
	if (left->item.has_published &&
	    left->item.published_at != right->item.published_at)
		return left->item.published_at > right->item.published_at ? -1
									  : 1;
	return left->order < right->order ? -1 : left->order > right->order;
}

static void
sort_newest_first(struct item_list *list)
{
	struct sort_entry *entries;

	if (list->count < 2)
		return;
	entries = xcalloc(list->count, sizeof *entries);
	for (size_t i = 0; i < list->count; i++) {
		entries[i].item = list->items[i];
		entries[i].order = i;
	}
	qsort(entries, list->count, sizeof *entries, compare_newest_first);
	for (size_t i = 0; i < list->count; i++)
		list->items[i] = entries[i].item;
	free(entries);
}

/*
 * Two items are the same story when they share an id or a link, or carry
 * the same title: agencies syndicate one item to several feeds under
 * different guids.  Many feeds number their guids ("12345"), so such a
 * bare id names a story only within its own feed; an id with a scheme
 * ("https://...", "urn:...", "tag:...") is taken as global.
 */
static int
same_story(const struct item *a, const struct item *b)
{
	if (strcmp(a->id, b->id) == 0 &&
	    (strchr(a->id, ':') != NULL || strcmp(a->source, b->source) == 0))
		return 1;
	if (a->link && b->link && strcmp(a->link, b->link) == 0)
		return 1;
	return a->title && b->title && *a->title &&
	       util_strcasecmp(a->title, b->title) == 0;
}

/*
 * Drops later duplicates.  The list is already sorted newest first, so the
 * copy kept is the newest.  Quadratic in the kept count, which is capped by
 * max_items, so it stays small.
 */
static void
drop_duplicates_and_trim(struct item_list *list, time_t oldest,
			 size_t max_items)
{
	size_t kept = 0;

	for (size_t i = 0; i < list->count; i++) {
		struct item *item = &list->items[i];
		int drop = kept >= max_items ||
			   (item->has_published && item->published_at < oldest);

		for (size_t k = 0; k < kept && !drop; k++)
			drop = same_story(&list->items[k], item);
		if (drop)
			feed_item_clear(item);
		else
			list->items[kept++] = *item;
	}
	list->count = kept;
}

/* Appends the items of one fetched source; reports what went wrong. */
static int
take_source(const struct config *config, const struct source *source,
	    const struct fetch_result *result, time_t now,
	    struct item_list *items, struct gather_report *report)
{
	struct item_list parsed = {0};
	char *errstr = NULL;
	const char *base;

	if (result->status != FETCH_OK) {
		add_problem(report, source->id, result->errstr);
		return -1;
	}
	/* Unchanged since the last run: its items are known already. */
	if (result->not_modified) {
		report->not_modified_count++;
		return 0;
	}
	base = result->effective_url ? result->effective_url : source->url;
	if (feed_parse(result->body, result->size, base, source->name, &parsed,
		       &errstr) != FEED_OK) {
		add_problem(report, source->id, errstr);
		free(errstr);
		return -1;
	}
	if (source->category)
		keep_category(&parsed, source->category);
	hold_back_future(&parsed, now, config->future_tolerance, source->id,
			 report);
	/* One step per source, not per item: a feed may hold thousands. */
	if (parsed.count > 0) {
		items->items =
		    xreallocarray(items->items, items->count + parsed.count,
				  sizeof *items->items);
		memcpy(items->items + items->count, parsed.items,
		       parsed.count * sizeof *parsed.items);
		items->count += parsed.count;
	}
	free(parsed.items);
	return 0;
}

enum gather_status
gather_run(const struct config *config, time_t now,
	   const struct fetch_validators *known, struct item_list *items_out,
	   struct gather_report *report_out)
{
	struct fetch_options options;
	struct fetch_result *results;
	const char **urls;
	size_t count = config->source_count;

	memset(items_out, 0, sizeof *items_out);
	memset(report_out, 0, sizeof *report_out);
	fetch_options_from(config, &options);
	options.validators = known;
	urls = xcalloc(count, sizeof *urls);
	results = xcalloc(count, sizeof *results);
	report_out->validators =
	    xcalloc(count ? count : 1, sizeof *report_out->validators);
	for (size_t i = 0; i < count; i++)
		urls[i] = config->sources[i].url;
	fetch_all(&options, urls, count, results);
	for (size_t i = 0; i < count; i++) {
		if (take_source(config, &config->sources[i], &results[i], now,
				items_out, report_out) == 0) {
			report_out->source_ok_count++;
			report_out->validators[i] = results[i].validators;
			memset(&results[i].validators, 0,
			       sizeof results[i].validators);
		}
		fetch_result_clear(&results[i]);
	}
	report_out->validator_count = count;
	free(results);
	free(urls);
	items_out->capacity = items_out->count;
	sort_newest_first(items_out);
	drop_duplicates_and_trim(items_out, now - config->max_age,
				 (size_t)config->max_items);
	return report_out->source_ok_count > 0 ? GATHER_OK : GATHER_ENOSOURCE;
}

int
gather_one(const struct config *config, const char *url,
	   struct item_list *items_out, char **errstr_out)
{
	struct fetch_options options;
	struct fetch_result result = {0};
	const char *urls[1] = {url};
	int status = -1;

	memset(items_out, 0, sizeof *items_out);
	fetch_options_from(config, &options);
	fetch_all(&options, urls, 1, &result);
	if (result.status != FETCH_OK) {
		*errstr_out = xstrdup(result.errstr);
		goto out;
	}
	if (feed_parse(result.body, result.size,
		       result.effective_url ? result.effective_url : url, url,
		       items_out, errstr_out) != FEED_OK)
		goto out;
	status = 0;
out:
	fetch_result_clear(&result);
	return status;
}

void
gather_report_clear(struct gather_report *report)
{
	for (size_t i = 0; i < report->problem_count; i++) {
		free(report->problems[i].source);
		free(report->problems[i].reason);
	}
	free(report->problems);
	for (size_t i = 0; i < report->warning_count; i++) {
		free(report->warnings[i].source);
		free(report->warnings[i].text);
	}
	free(report->warnings);
	for (size_t i = 0; i < report->validator_count; i++)
		fetch_validators_clear(&report->validators[i]);
	free(report->validators);
	memset(report, 0, sizeof *report);
}
