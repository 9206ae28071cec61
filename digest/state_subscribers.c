/*
 * state_subscribers.c - the subscribers table of the SQLite store: see
 * state.h for the calls, state_impl.h for what the store's files share.
 */
#include "state_impl.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static enum state_status
validate(const struct subscriber *sub, char **errstr_out)
{
	const char *email = sub->email ? sub->email : "";

	if (!state_email_acceptable(sub->email)) {
		state_set_error(
		    errstr_out,
		    xasprintf("subscriber \"%s\": not a valid address", email));
		return STATE_EINVALID;
	}
	if (sub->language == NULL || (strcmp(sub->language, "nl") != 0 &&
				      strcmp(sub->language, "en") != 0)) {
		state_set_error(
		    errstr_out,
		    xasprintf("subscriber %s: language must be nl or "
			      "en",
			      email));
		return STATE_EINVALID;
	}
	if (subscriber_format_name(sub->format) == NULL) {
		state_set_error(errstr_out,
				xasprintf("subscriber %s: format must be text, "
					  "html or both",
					  email));
		return STATE_EINVALID;
	}
	if (sub->active != 0 && sub->active != 1) {
		state_set_error(
		    errstr_out,
		    xasprintf("subscriber %s: active must be 0 or 1", email));
		return STATE_EINVALID;
	}
	return STATE_OK;
}

/* Maps a failed step: a duplicate address, a broken rule, or I/O. */
static enum state_status
step_error(struct state *state, int result, const char *email,
	   const char *doing, char **errstr_out)
{
	if (result == STATE_STEP_DUPLICATE) {
		state_set_error(
		    errstr_out,
		    xasprintf("subscriber %s already exists", email));
		return STATE_EEXISTS;
	}
	if (result == STATE_STEP_REFUSED) {
		state_set_error(errstr_out,
				xasprintf("subscriber %s: %s", email,
					  state->driver->errmsg(state)));
		return STATE_EINVALID;
	}
	return state_db_error(state, doing, errstr_out);
}

/*
 * Someone who comes back keeps the editions they already received, so
 * they are not sent those items again.
 */
static const char insert_sql[] =
    "INSERT INTO subscribers (email, name, provider, language, format,"
    " active, created_at, updated_at, last_edition) VALUES (?1, ?2, ?3,"
    " ?4, ?5, ?6, ?7, ?7, (SELECT max(last_edition) FROM journal"
    " WHERE email = ?1 AND state = 'sent'))";

/*
 * Switching someone back on (by hand, after digest switched them off for
 * failing) starts their count of failing days afresh.
 */
static const char update_sql[] =
    "UPDATE subscribers SET email = ?1, name = ?2, provider = ?3,"
    " language = ?4, format = ?5, updated_at = ?7,"
    " failure_days = CASE WHEN ?6 = 1 AND active = 0 THEN 0"
    "  ELSE failure_days END,"
    " deactivated_at = CASE WHEN ?6 = 1 THEN NULL ELSE deactivated_at END,"
    " active = ?6"
    " WHERE email = ?1";

/* Binds sub to insert_sql or update_sql, which share their numbering. */
static int
bind_subscriber(struct state_stmt *stmt, const struct subscriber *sub)
{
	int result = 0;

	state_reset(stmt);
	if (result == 0)
		result = state_bind_text(stmt, 1, sub->email);
	if (result == 0)
		result = state_bind_text(stmt, 2, sub->name);
	if (result == 0)
		result = state_bind_text(stmt, 3, sub->provider);
	if (result == 0)
		result = state_bind_text(stmt, 4, sub->language);
	if (result == 0)
		result = state_bind_text(stmt, 5,
					 subscriber_format_name(sub->format));
	if (result == 0)
		result = state_bind_int64(stmt, 6, sub->active);
	if (result == 0)
		result = state_bind_int64(stmt, 7, (long long)time(NULL));
	return result;
}

/*
 * Runs insert_sql or update_sql for sub.  *changed_out (may be NULL) says
 * whether a row was touched.
 */
static enum state_status
write_subscriber(struct state *state, struct state_stmt *stmt,
		 const struct subscriber *sub, int *changed_out,
		 char **errstr_out)
{
	int result;

	if (bind_subscriber(stmt, sub) != 0)
		return state_db_error(state, "bind", errstr_out);
	result = state_step(stmt);
	if (result != STATE_STEP_DONE)
		return step_error(state, result, sub->email, "write subscriber",
				  errstr_out);
	if (changed_out != NULL)
		*changed_out = state_changes(stmt) > 0;
	return STATE_OK;
}

enum state_status
state_subscriber_add(struct state *state, const struct subscriber *sub,
		     char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	status = validate(sub, errstr_out);
	if (status != STATE_OK)
		goto out;
	status = state_db_prepare(state, insert_sql, &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	status = write_subscriber(state, stmt, sub, NULL, errstr_out);
out:
	state_finalize(stmt);
	return status;
}

enum state_status
state_subscriber_update(struct state *state, const struct subscriber *sub,
			char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	int changed = 0;

	status = validate(sub, errstr_out);
	if (status != STATE_OK)
		goto out;
	status = state_db_prepare(state, update_sql, &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	status = write_subscriber(state, stmt, sub, &changed, errstr_out);
	if (status == STATE_OK && !changed) {
		state_set_error(errstr_out,
				xasprintf("no subscriber %s", sub->email));
		status = STATE_ENOTFOUND;
	}
out:
	state_finalize(stmt);
	return status;
}

enum state_status
state_subscriber_remove(struct state *state, const char *email,
			char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	status =
	    state_db_prepare(state, "DELETE FROM subscribers WHERE email = ?1",
			     &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	if (state_bind_text(stmt, 1, email) != 0 ||
	    state_step(stmt) != STATE_STEP_DONE) {
		status = state_db_error(state, "remove subscriber", errstr_out);
		goto out;
	}
	if (state_changes(stmt) == 0) {
		state_set_error(errstr_out,
				xasprintf("no subscriber %s", email));
		status = STATE_ENOTFOUND;
	}
out:
	state_finalize(stmt);
	return status;
}

#define SELECT_COLUMNS                                                         \
	"SELECT id, email, name, provider, language, format, active,"          \
	" coalesce(last_edition, 0), coalesce(prompted_at, 0)"                 \
	" FROM subscribers"

/* Fills sub_out from a row of SELECT_COLUMNS. */
static void
read_subscriber(struct state_stmt *stmt, struct subscriber *sub_out)
{
	const char *format = state_column_peek(stmt, 5);

	memset(sub_out, 0, sizeof *sub_out);
	sub_out->id = (long)state_column_int64(stmt, 0);
	sub_out->email = state_column_text(stmt, 1);
	sub_out->name = state_column_text(stmt, 2);
	sub_out->provider = state_column_text(stmt, 3);
	sub_out->language = state_column_text(stmt, 4);
	/* The CHECK constraint keeps the column to the three names. */
	if (subscriber_format_parse(format, &sub_out->format) != 0)
		sub_out->format = SUBSCRIBER_FORMAT_BOTH;
	sub_out->active = state_column_int64(stmt, 6) != 0;
	sub_out->last_edition = (long)state_column_int64(stmt, 7);
	sub_out->prompted_at = (time_t)state_column_int64(stmt, 8);
}

enum state_status
state_subscriber_get(struct state *state, const char *email,
		     struct subscriber *sub_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	int result;

	memset(sub_out, 0, sizeof *sub_out);
	status = state_db_prepare(state, SELECT_COLUMNS " WHERE email = ?1",
				  &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	if (state_bind_text(stmt, 1, email) != 0) {
		status = state_db_error(state, "bind", errstr_out);
		goto out;
	}
	result = state_step(stmt);
	if (result == STATE_STEP_ROW) {
		read_subscriber(stmt, sub_out);
	} else if (result == STATE_STEP_DONE) {
		state_set_error(errstr_out,
				xasprintf("no subscriber %s", email));
		status = STATE_ENOTFOUND;
	} else {
		status = state_db_error(state, "read subscriber", errstr_out);
	}
out:
	state_finalize(stmt);
	return status;
}

/* Reads every row of stmt (SELECT_COLUMNS) into *list_out. */
static enum state_status
read_rows(struct state *state, struct state_stmt *stmt,
	  struct subscriber_list *list_out, char **errstr_out)
{
	size_t capacity = 0;
	int result;

	memset(list_out, 0, sizeof *list_out);
	while ((result = state_step(stmt)) == STATE_STEP_ROW) {
		if (list_out->count == capacity) {
			capacity = capacity ? capacity * 2 : 16;
			list_out->subscribers =
			    xreallocarray(list_out->subscribers, capacity,
					  sizeof *list_out->subscribers);
		}
		read_subscriber(stmt,
				&list_out->subscribers[list_out->count++]);
	}
	if (result == STATE_STEP_DONE)
		return STATE_OK;
	subscriber_list_clear(list_out);
	return state_db_error(state, "list subscribers", errstr_out);
}

enum state_status
state_subscriber_list(struct state *state, int active_only,
		      struct subscriber_list *list_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	memset(list_out, 0, sizeof *list_out);
	status = state_db_prepare(state,
				  SELECT_COLUMNS " WHERE ?1 = 0 OR active = 1"
						 " ORDER BY email",
				  &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_int64(stmt, 1, active_only != 0) != 0)
		status = state_db_error(state, "bind", errstr_out);
	else
		status = read_rows(state, stmt, list_out, errstr_out);
	state_finalize(stmt);
	return status;
}

enum state_status
state_subscriber_page(struct state *state, long after_id, size_t limit,
		      struct subscriber_list *list_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	memset(list_out, 0, sizeof *list_out);
	status = state_db_prepare(state,
				  SELECT_COLUMNS " WHERE active = 1 AND id > ?1"
						 " ORDER BY id LIMIT ?2",
				  &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_int64(stmt, 1, after_id) != 0 ||
	    state_bind_int64(stmt, 2, (long long)limit) != 0)
		status = state_db_error(state, "bind", errstr_out);
	else
		status = read_rows(state, stmt, list_out, errstr_out);
	state_finalize(stmt);
	return status;
}

enum state_status
state_subscriber_count(struct state *state, size_t *count_out,
		       char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	*count_out = 0;
	status = state_db_prepare(state,
				  "SELECT count(*) FROM subscribers"
				  " WHERE active = 1",
				  &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_step(stmt) == STATE_STEP_ROW)
		*count_out = (size_t)state_column_int64(stmt, 0);
	else
		status = state_db_error(state, "count subscribers", errstr_out);
	state_finalize(stmt);
	return status;
}

enum state_status
state_subscriber_upsert_all(struct state *state, const struct subscriber *subs,
			    size_t count, size_t *added_out,
			    size_t *updated_out, char **errstr_out)
{
	struct state_stmt *insert = NULL, *update = NULL;
	enum state_status status;
	size_t added = 0, updated = 0, index;
	int changed;

	*added_out = 0;
	*updated_out = 0;
	for (index = 0; index < count; index++) {
		status = validate(&subs[index], errstr_out);
		if (status != STATE_OK)
			return status;
	}
	status = state_db_prepare(state, insert_sql, &insert, errstr_out);
	if (status == STATE_OK)
		status =
		    state_db_prepare(state, update_sql, &update, errstr_out);
	if (status != STATE_OK)
		goto out;
	/* IMMEDIATE: take the write lock now, not halfway through. */
	status = state_db_begin(state, errstr_out);
	if (status != STATE_OK)
		goto out;
	for (index = 0; index < count; index++) {
		status = write_subscriber(state, update, &subs[index], &changed,
					  errstr_out);
		if (status != STATE_OK)
			goto out;
		if (changed) {
			updated++;
			continue;
		}
		status = write_subscriber(state, insert, &subs[index], NULL,
					  errstr_out);
		if (status != STATE_OK)
			goto out;
		added++;
	}
	/* Reset first: a statement still stepping would hold up COMMIT. */
	state_reset(insert);
	state_reset(update);
	status = state_db_exec(state, "COMMIT", "commit", errstr_out);
	if (status == STATE_OK) {
		*added_out = added;
		*updated_out = updated;
	}
out:
	state_finalize(insert);
	state_finalize(update);
	if (status != STATE_OK)
		state_db_rollback(state);
	return status;
}

enum state_status
state_count_by_provider(struct state *state, const char *provider_id,
			size_t *count_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	*count_out = 0;
	status = state_db_prepare(state,
				  "SELECT count(*) FROM subscribers"
				  " WHERE provider = ?1",
				  &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	if (state_bind_text(stmt, 1, provider_id) != 0 ||
	    state_step(stmt) != STATE_STEP_ROW) {
		status = state_db_error(state, "count subscribers", errstr_out);
		goto out;
	}
	*count_out = (size_t)state_column_int64(stmt, 0);
out:
	state_finalize(stmt);
	return status;
}

enum state_status
state_providers_in_use(struct state *state, char ***ids_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	char **ids = xcalloc(1, sizeof *ids);
	size_t count = 0, index;
	int result;

	status =
	    state_db_prepare(state,
			     "SELECT DISTINCT provider FROM subscribers"
			     " WHERE provider IS NOT NULL ORDER BY provider",
			     &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	while ((result = state_step(stmt)) == STATE_STEP_ROW) {
		ids = xreallocarray(ids, count + 2, sizeof *ids);
		ids[count++] = state_column_text(stmt, 0);
		ids[count] = NULL;
	}
	if (result != STATE_STEP_DONE)
		status = state_db_error(state, "list providers", errstr_out);
out:
	state_finalize(stmt);
	if (status != STATE_OK) {
		for (index = 0; index < count; index++)
			free(ids[index]);
		free(ids);
		ids = NULL;
	}
	*ids_out = ids;
	return status;
}

static void
read_attention(struct state_stmt *stmt, struct attention *entry)
{
	const char *date = state_column_peek(stmt, 3);

	memset(entry, 0, sizeof *entry);
	entry->email = state_column_text(stmt, 0);
	entry->active = state_column_int64(stmt, 1) != 0;
	entry->failure_days = (long)state_column_int64(stmt, 2);
	util_strlcpy(entry->last_failure_date, date ? date : "",
		     sizeof entry->last_failure_date);
	entry->last_failure = state_column_text(stmt, 4);
	entry->deactivated_at = (time_t)state_column_int64(stmt, 5);
}

enum state_status
state_subscribers_attention(struct state *state,
			    struct attention_list *list_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	int result;

	memset(list_out, 0, sizeof *list_out);
	status = state_db_prepare(
	    state,
	    "SELECT email, active, failure_days, last_failure_date,"
	    " last_failure, coalesce(deactivated_at, 0) FROM subscribers"
	    " WHERE failure_days > 0 OR deactivated_at IS NOT NULL"
	    " ORDER BY email",
	    &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	while ((result = state_step(stmt)) == STATE_STEP_ROW) {
		list_out->subscribers =
		    xreallocarray(list_out->subscribers, list_out->count + 1,
				  sizeof *list_out->subscribers);
		read_attention(stmt, &list_out->subscribers[list_out->count++]);
	}
	if (result != STATE_STEP_DONE) {
		status = state_db_error(state, "list subscribers", errstr_out);
		state_attention_list_clear(list_out);
	}
	state_finalize(stmt);
	return status;
}

void
state_attention_list_clear(struct attention_list *list)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < list->count; i++) {
		free(list->subscribers[i].email);
		free(list->subscribers[i].last_failure);
	}
	free(list->subscribers);
	memset(list, 0, sizeof *list);
}
