/*
 * state_editions.c - editions and their items in the SQLite store: see
 * state.h for the calls, state_impl.h for what the store's files share.
 *
 * An item is known by its story (its id, scoped to its source unless the
 * id names itself globally, "https://..." or "urn:..."), its link, or its
 * title among items first seen lately, the rules gather.c uses within one
 * run: an agency item syndicated under another guid is the same story.
 */
#include "state_impl.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The story key of an item (free()): a global id, or source + id. */
static char *
story_key(const struct item *item)
{
	if (strchr(item->id, ':') != NULL)
		return xstrdup(item->id);
	return xasprintf("%s\x1f%s", item->source ? item->source : "",
			 item->id);
}

/* The title as the duplicate check compares it (free()), or NULL. */
static char *
title_key(const struct item *item)
{
	char *key;

	if (item->title == NULL || item->title[0] == '\0')
		return NULL;
	key = xstrdup(item->title);
	for (char *p = key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return key;
}

enum state_status
state_edition_find(struct state *state, const char *digest_date,
		   long *number_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	int result;

	*number_out = 0;
	status = state_db_prepare(state,
				  "SELECT id FROM editions WHERE"
				  " digest_date = ?1",
				  &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, digest_date) != 0) {
		status = state_db_error(state, "bind", errstr_out);
		goto out;
	}
	result = state_step(stmt);
	if (result == STATE_STEP_ROW)
		*number_out = (long)state_column_int64(stmt, 0);
	else if (result != STATE_STEP_DONE)
		status = state_db_error(state, "read editions", errstr_out);
out:
	state_finalize(stmt);
	return status;
}

/*
 * Returns the row id of the stored copy of item in an edition up to up_to
 * (0: any), 0 when the store does not know it, -1 on failure.  stmt is the
 * prepared known_sql.
 */
static const char known_sql[] =
    "SELECT id FROM items WHERE (?4 = 0 OR edition <= ?4) AND"
    " (story = ?1 OR link = ?2 OR (title_key = ?3 AND first_seen >= ?5))"
    " LIMIT 1";

static long long
item_known(struct state_stmt *stmt, const struct item *item, long up_to,
	   time_t title_since)
{
	char *story = story_key(item), *title = title_key(item);
	long long result = -1;
	int step;

	state_reset(stmt);
	if (state_bind_text(stmt, 1, story) == 0 &&
	    state_bind_text(stmt, 2, item->link) == 0 &&
	    state_bind_text(stmt, 3, title) == 0 &&
	    state_bind_int64(stmt, 4, up_to) == 0 &&
	    state_bind_int64(stmt, 5, (long long)title_since) == 0) {
		step = state_step(stmt);
		if (step == STATE_STEP_ROW)
			result = state_column_int64(stmt, 0);
		else if (step == STATE_STEP_DONE)
			result = 0;
	}
	free(story);
	free(title);
	return result;
}

static const char insert_item_sql[] =
    "INSERT INTO items (edition, story, link, title_key, source, title,"
    " summary, published_at, first_seen, last_seen) VALUES (?1, ?2, ?3,"
    " ?4, ?5, ?6, ?7, ?8, ?9, ?9)";

/*
 * A known item still in a feed is remembered for as long as it is there,
 * so that an undated one is never taken for new once its first sighting
 * has been forgotten.
 */
static const char seen_sql[] = "UPDATE items SET last_seen = ?2 WHERE id = ?1";

static int
insert_item(struct state_stmt *stmt, long edition, const struct item *item,
	    time_t now)
{
	char *story = story_key(item), *title = title_key(item);
	int result;

	state_reset(stmt);
	result = state_bind_int64(stmt, 1, edition);
	if (result == 0)
		result = state_bind_text(stmt, 2, story);
	if (result == 0)
		result = state_bind_text(stmt, 3, item->link);
	if (result == 0)
		result = state_bind_text(stmt, 4, title);
	if (result == 0)
		result = state_bind_text(stmt, 5, item->source);
	if (result == 0)
		result = state_bind_text(stmt, 6, item->title);
	if (result == 0)
		result = state_bind_text(stmt, 7, item->summary);
	if (result == 0)
		result = item->has_published
			     ? state_bind_int64(stmt, 8, item->published_at)
			     : state_bind_null(stmt, 8);
	if (result == 0)
		result = state_bind_int64(stmt, 9, (long long)now);
	if (result == 0)
		result = state_step(stmt);
	free(story);
	free(title);
	return result == STATE_STEP_DONE ? 0 : -1;
}

/* Inserts the edition row; its number is the new row's id. */
static enum state_status
insert_edition(struct state *state, const char *digest_date, time_t now,
	       long *number_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	status = state_db_prepare(state,
				  "INSERT INTO editions (digest_date,"
				  " created_at) VALUES (?1, ?2) RETURNING id",
				  &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, digest_date) != 0 ||
	    state_bind_int64(stmt, 2, (long long)now) != 0 ||
	    state_step(stmt) != STATE_STEP_ROW)
		status = state_db_error(state, "make an edition", errstr_out);
	else
		*number_out = (long)state_column_int64(stmt, 0);
	state_finalize(stmt);
	return status;
}

/* Stores item in edition number, or notes that a known one was seen. */
static enum state_status
take_item(struct state *state, struct state_stmt *const stmts[3], long number,
	  const struct item *item, time_t now, time_t title_since,
	  size_t *new_count_out, char **errstr_out)
{
	long long known = item_known(stmts[0], item, 0, title_since);
	int result;

	if (known < 0)
		return state_db_error(state, "read items", errstr_out);
	if (known == 0) {
		if (insert_item(stmts[1], number, item, now) < 0)
			return state_db_error(state, "store an item",
					      errstr_out);
		(*new_count_out)++;
		return STATE_OK;
	}
	state_reset(stmts[2]);
	result = state_bind_int64(stmts[2], 1, known);
	if (result == 0)
		result = state_bind_int64(stmts[2], 2, (long long)now);
	if (result != 0 || state_step(stmts[2]) != STATE_STEP_DONE)
		return state_db_error(state, "store an item", errstr_out);
	return STATE_OK;
}

/* Adds the items the store does not know to edition number. */
static enum state_status
add_new_items(struct state *state, long number, const struct item_list *items,
	      time_t now, time_t title_since, size_t *new_count_out,
	      char **errstr_out)
{
	static const char *const sql[3] = {known_sql, insert_item_sql,
					   seen_sql};
	struct state_stmt *stmts[3] = {NULL, NULL, NULL};
	enum state_status status = STATE_OK;

	for (int i = 0; status == STATE_OK && i < 3; i++)
		status = state_db_prepare(state, sql[i], &stmts[i], errstr_out);
	for (size_t i = 0; status == STATE_OK && i < items->count; i++)
		status = take_item(state, stmts, number, &items->items[i], now,
				   title_since, new_count_out, errstr_out);
	for (int i = 0; i < 3; i++)
		state_finalize(stmts[i]);
	return status;
}

static enum state_status
set_item_count(struct state *state, long number, size_t count,
	       char **errstr_out)
{
	char *sql = xasprintf("UPDATE editions SET item_count = %zu"
			      " WHERE id = %ld",
			      count, number);
	enum state_status status =
	    state_db_exec(state, sql, "count items", errstr_out);

	free(sql);
	return status;
}

enum state_status
state_edition_make(struct state *state, const char *digest_date, time_t now,
		   const struct item_list *items, time_t title_since,
		   long *number_out, size_t *new_count_out, char **errstr_out)
{
	enum state_status status;

	*number_out = 0;
	*new_count_out = 0;
	if (!state_date_acceptable(digest_date)) {
		state_set_error(errstr_out, xstrdup("edition: bad date"));
		return STATE_EINVALID;
	}
	status = state_db_begin(state, errstr_out);
	if (status == STATE_OK)
		status = state_edition_find(state, digest_date, number_out,
					    errstr_out);
	if (status == STATE_OK && *number_out != 0)
		return state_db_exec(state, "COMMIT", "commit", errstr_out);
	if (status == STATE_OK)
		status = insert_edition(state, digest_date, now, number_out,
					errstr_out);
	if (status == STATE_OK)
		status = add_new_items(state, *number_out, items, now,
				       title_since, new_count_out, errstr_out);
	if (status == STATE_OK)
		status = set_item_count(state, *number_out, *new_count_out,
					errstr_out);
	if (status == STATE_OK)
		status = state_db_exec(state, "COMMIT", "commit", errstr_out);
	if (status != STATE_OK) {
		state_db_rollback(state);
		*number_out = 0;
		*new_count_out = 0;
	}
	return status;
}

/* Fills item from a row of the items query. */
static void
read_item(struct state_stmt *stmt, struct item *item)
{
	memset(item, 0, sizeof *item);
	item->source = state_column_text(stmt, 0);
	item->title = state_column_text(stmt, 1);
	item->link = state_column_text(stmt, 2);
	item->id = state_column_text(stmt, 3);
	item->summary = state_column_text(stmt, 4);
	item->has_published = !state_column_is_null(stmt, 5);
	item->published_at = (time_t)state_column_int64(stmt, 5);
	if (item->id == NULL)
		item->id = xstrdup("");
}

/*
 * Newest first by the time shown (the date, else when first seen); ties
 * in the order they were stored, which is the gathered order.
 */
static const char items_sql[] =
    "SELECT source, title, link, story, summary, published_at FROM items"
    " WHERE edition > ?1 AND edition <= ?2 AND"
    " coalesce(published_at, first_seen) >= ?3"
    " ORDER BY published_at IS NULL, coalesce(published_at, first_seen)"
    " DESC, id LIMIT ?4";

enum state_status
state_edition_items(struct state *state, long after_edition, long up_to_edition,
		    time_t oldest, size_t max_items,
		    struct item_list *items_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	struct item item;
	enum state_status status;
	int result;

	status = state_db_prepare(state, items_sql, &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_int64(stmt, 1, after_edition) != 0 ||
	    state_bind_int64(stmt, 2, up_to_edition) != 0 ||
	    state_bind_int64(stmt, 3, (long long)oldest) != 0 ||
	    state_bind_int64(stmt, 4, (long long)max_items) != 0) {
		status = state_db_error(state, "bind", errstr_out);
		goto out;
	}
	while ((result = state_step(stmt)) == STATE_STEP_ROW) {
		read_item(stmt, &item);
		feed_item_list_push_copy(items_out, &item);
		feed_item_clear(&item);
	}
	if (result != STATE_STEP_DONE)
		status = state_db_error(state, "read items", errstr_out);
out:
	state_finalize(stmt);
	return status;
}

enum state_status
state_items_known(struct state *state, const struct item_list *items,
		  long up_to_edition, time_t title_since, int *known_out,
		  char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	long long known;

	status = state_db_prepare(state, known_sql, &stmt, errstr_out);
	for (size_t i = 0; status == STATE_OK && i < items->count; i++) {
		known_out[i] = 0;
		if (up_to_edition <= 0)
			continue;
		known = item_known(stmt, &items->items[i], up_to_edition,
				   title_since);
		if (known < 0)
			status =
			    state_db_error(state, "read items", errstr_out);
		else
			known_out[i] = known > 0;
	}
	state_finalize(stmt);
	return status;
}

enum state_status
state_items_prune(struct state *state, time_t before, char **errstr_out)
{
	char *sql = xasprintf("DELETE FROM items WHERE last_seen < %lld",
			      (long long)before);
	enum state_status status =
	    state_db_exec(state, sql, "forget old items", errstr_out);

	free(sql);
	return status;
}
