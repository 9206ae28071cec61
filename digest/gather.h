/*
 * gather.h - fetch every configured source, parse, keep the foreign news,
 * drop duplicates, newest first.
 */
#ifndef DIGEST_GATHER_H
#define DIGEST_GATHER_H

#include <time.h>

#include "config.h"
#include "feed.h"
#include "fetch.h"

/* One source that could not be used, for the caller to report. */
struct gather_problem {
	char *source; /* the source's id: [source ID] */
	char *reason; /* "HTTP 404", "not a feed: ..." */
};

/* Something odd about a source that was used, for the caller to report. */
struct gather_warning {
	char *source; /* the source's id: [source ID] */
	char *text;   /* "an item is dated ..., counted as published now" */
};

struct gather_report {
	struct gather_problem *problems;
	size_t problem_count;
	struct gather_warning *warnings;
	size_t warning_count;
	size_t source_ok_count;	   /* sources fetched and parsed */
	size_t not_modified_count; /* of those, unchanged since known */
	/* Per source, in the config's order: what to send next time. */
	struct fetch_validators *validators;
	size_t validator_count;
};

enum gather_status {
	GATHER_OK = 0,	 /* at least one source could be used */
	GATHER_ENOSOURCE /* none could: the digest would be empty */
};

/*
 * Fetches and parses every source of config, keeps each source's category,
 * drops duplicates across sources, sorts newest first (undated items last),
 * keeps items no older than config->max_age before now and at most
 * config->max_items.  An item dated more than config->future_tolerance
 * after now counts as published now, the run that first gathered it.
 * Items go to *items_out (feed_item_list_clear()); the report
 * (gather_report_clear()) lists every source that failed, and a warning
 * for each source that had items dated in the future.  known (may be
 * NULL) holds per source the validators of an earlier fetch: a source
 * that answers "not modified" counts as read, with no items.
 */
enum gather_status gather_run(const struct config *config, time_t now,
			      const struct fetch_validators *known,
			      struct item_list *items_out,
			      struct gather_report *report_out);

/*
 * Fetches and parses one URL as it is: every item in feed order, without
 * category filter, age window or limit (for `digest items --source`).
 * Returns 0, or -1 with *errstr_out (free()).
 */
int gather_one(const struct config *config, const char *url,
	       struct item_list *items_out, char **errstr_out);

void gather_report_clear(struct gather_report *report);

#endif
