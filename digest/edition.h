/*
 * edition.h - what a subscriber gets: the items of the editions after the
 * last one they received, within the age window, at most max_items, newest
 * first.  Subscribers who received the same editions share one list,
 * read from the store once.  (The editions themselves, each day's new
 * items numbered, live in the store: state.h.)
 */
#ifndef DIGEST_EDITION_H
#define DIGEST_EDITION_H

#include <stddef.h>
#include <time.h>

#include "feed.h"
#include "state.h"

struct edition;

/*
 * Starts handing out shares of edition number (the newest to send):
 * items published at or after oldest, at most max_items a share.
 * Returns a new edition (edition_free()); state must outlive it.
 */
struct edition *edition_new(struct state *state, long number, time_t oldest,
			    size_t max_items);

/*
 * For a dry run or a preview, before the day's edition exists: shares of
 * the gathered items (which must outlive the edition), each without what
 * the subscriber received already (by id, link, or a title first seen
 * since title_since), at most max_items.  edition_number() is 0.
 */
struct edition *edition_new_preview(struct state *state,
				    const struct item_list *gathered,
				    time_t title_since, size_t max_items);

/* The edition handed out. */
long edition_number(const struct edition *edition);

/*
 * Sets *items_out to the share of a subscriber whose last edition was
 * last_received (0: none yet): borrowed from the edition, valid until
 * edition_free().  It may be empty: nothing new for them.
 */
enum state_status edition_share(struct edition *edition, long last_received,
				const struct item_list **items_out,
				char **errstr_out);

void edition_free(struct edition *edition);

#endif
