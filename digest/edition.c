/*
 * edition.c - see edition.h.
 */
#include "edition.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* More distinct histories than this, and the cache starts afresh. */
#define EDITION_SHARES_MAX 256

struct share {
	long last_received;
	struct item_list items;
};

struct edition {
	struct state *state;
	const struct item_list *gathered; /* a preview's items, else NULL */
	time_t title_since;
	long number;
	time_t oldest;
	size_t max_items;
	struct share *shares;
	size_t share_count;
};

struct edition *
edition_new(struct state *state, long number, time_t oldest, size_t max_items)
{
	struct edition *edition = xcalloc(1, sizeof *edition);

	edition->state = state;
	edition->number = number;
	edition->oldest = oldest;
	edition->max_items = max_items;
	return edition;
}

struct edition *
edition_new_preview(struct state *state, const struct item_list *gathered,
		    time_t title_since, size_t max_items)
{
	struct edition *edition = xcalloc(1, sizeof *edition);

	edition->max_items = max_items;
	edition->state = state;
	edition->gathered = gathered;
	edition->title_since = title_since;
	return edition;
}

long
edition_number(const struct edition *edition)
{
	return edition->number;
}

static void
forget_shares(struct edition *edition)
{
	for (size_t i = 0; i < edition->share_count; i++)
		feed_item_list_clear(&edition->shares[i].items);
	free(edition->shares);
	edition->shares = NULL;
	edition->share_count = 0;
}

/* The gathered items that a subscriber has not had yet. */
static enum state_status
preview_share(struct edition *edition, long last_received,
	      struct item_list *items_out, char **errstr_out)
{
	const struct item_list *gathered = edition->gathered;
	int *known =
	    xcalloc(gathered->count ? gathered->count : 1, sizeof *known);
	enum state_status status = STATE_OK;

	if (edition->state != NULL)
		status =
		    state_items_known(edition->state, gathered, last_received,
				      edition->title_since, known, errstr_out);
	for (size_t i = 0; status == STATE_OK && i < gathered->count; i++)
		if (!known[i])
			feed_item_list_push_copy(items_out,
						 &gathered->items[i]);
	free(known);
	return status;
}

enum state_status
edition_share(struct edition *edition, long last_received,
	      const struct item_list **items_out, char **errstr_out)
{
	struct share *share;
	enum state_status status;

	for (size_t i = 0; i < edition->share_count; i++) {
		if (edition->shares[i].last_received == last_received) {
			*items_out = &edition->shares[i].items;
			return STATE_OK;
		}
	}
	if (edition->share_count == EDITION_SHARES_MAX)
		forget_shares(edition);
	edition->shares = xreallocarray(
	    edition->shares, edition->share_count + 1, sizeof *edition->shares);
	share = &edition->shares[edition->share_count];
	memset(share, 0, sizeof *share);
	share->last_received = last_received;
	if (edition->gathered != NULL)
		status = preview_share(edition, last_received, &share->items,
				       errstr_out);
	else
		status = state_edition_items(edition->state, last_received,
					     edition->number, edition->oldest,
					     edition->max_items, &share->items,
					     errstr_out);
	if (status != STATE_OK) {
		feed_item_list_clear(&share->items);
		return status;
	}
	edition->share_count++;
	*items_out = &share->items;
	return STATE_OK;
}

void
edition_free(struct edition *edition)
{
	if (edition == NULL)
		return;
	forget_shares(edition);
	free(edition);
}
