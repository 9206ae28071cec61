/*
 * state_journal.c - the delivery journal of the SQLite store: see state.h
 * for the calls, state_impl.h for what the store's files share.
 *
 * Each call that changes the journal is one transaction, committed before
 * it returns: the send loop relies on a begun delivery being on disk
 * before the message leaves.  The one exception, a success noted with
 * state_delivery_sent_later(), rides along with the connection's next
 * journal write, so that a run commits once per message, not twice.
 */
#include "state_impl.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const state_names[] = {
    NULL,	   "sending",	"sent",	  "temp-failed",
    "perm-failed", "uncertain", "bounced"};

#define STATE_NAME_COUNT (sizeof state_names / sizeof state_names[0])

const char *
state_delivery_state_name(enum delivery_state state)
{
	if ((size_t)state >= STATE_NAME_COUNT)
		return NULL;
	return state_names[state];
}

static enum delivery_state
delivery_state_parse(const char *name)
{
	for (size_t i = 1; name != NULL && i < STATE_NAME_COUNT; i++)
		if (strcmp(name, state_names[i]) == 0)
			return (enum delivery_state)i;
	return DELIVERY_NONE;
}

int
state_date_acceptable(const char *date)
{
	size_t index;

	if (date == NULL || strlen(date) != 10)
		return 0;
	for (index = 0; index < 10; index++) {
		if (index == 4 || index == 7) {
			if (date[index] != '-')
				return 0;
		} else if (date[index] < '0' || date[index] > '9') {
			return 0;
		}
	}
	return 1;
}

static enum state_status
check_key(const char *email, const char *digest_date, char **errstr_out)
{
	if (state_email_acceptable(email) && state_date_acceptable(digest_date))
		return STATE_OK;
	state_set_error(errstr_out,
			xasprintf("delivery to %s for %s: bad address or date",
				  email ? email : "(none)",
				  digest_date ? digest_date : "(none)"));
	return STATE_EINVALID;
}

#define JOURNAL_COLUMNS                                                        \
	"SELECT email, digest_date, state, provider,"                          \
	" coalesce(first_edition, 0), coalesce(last_edition, 0), message_id,"  \
	" attempts, reply, updated_at FROM journal"

static void
read_delivery(struct state_stmt *stmt, struct delivery *delivery_out)
{
	const char *date = state_column_peek(stmt, 1);

	memset(delivery_out, 0, sizeof *delivery_out);
	delivery_out->email = state_column_text(stmt, 0);
	util_strlcpy(delivery_out->digest_date, date ? date : "",
		     sizeof delivery_out->digest_date);
	delivery_out->state = delivery_state_parse(state_column_peek(stmt, 2));
	delivery_out->provider = state_column_text(stmt, 3);
	delivery_out->first_edition = (long)state_column_int64(stmt, 4);
	delivery_out->last_edition = (long)state_column_int64(stmt, 5);
	delivery_out->message_id = state_column_text(stmt, 6);
	delivery_out->attempts = (long)state_column_int64(stmt, 7);
	delivery_out->reply = state_column_text(stmt, 8);
	delivery_out->updated_at = (time_t)state_column_int64(stmt, 9);
}

enum state_status
state_delivery_get(struct state *state, const char *email,
		   const char *digest_date, struct delivery *delivery_out,
		   char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	int result;

	memset(delivery_out, 0, sizeof *delivery_out);
	status = check_key(email, digest_date, errstr_out);
	if (status == STATE_OK)
		status = state_db_cached(state, &state->delivery_get,
					 JOURNAL_COLUMNS " WHERE email = ?1 AND"
							 " digest_date = ?2",
					 &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	if (state_bind_text(stmt, 1, email) != 0 ||
	    state_bind_text(stmt, 2, digest_date) != 0) {
		status = state_db_error(state, "bind", errstr_out);
		goto out;
	}
	result = state_step(stmt);
	if (result == STATE_STEP_ROW)
		read_delivery(stmt, delivery_out);
	else if (result != STATE_STEP_DONE)
		status = state_db_error(state, "read the journal", errstr_out);
out:
	state_db_release(stmt);
	return status;
}

enum state_status
state_delivery_marks(struct state *state, const char *digest_date,
		     long first_id, long last_id,
		     struct delivery_mark **marks_out, size_t *count_out,
		     char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	struct delivery_mark *marks = NULL;
	size_t count = 0, capacity = 0;
	enum state_status status;
	int result;

	*marks_out = NULL;
	*count_out = 0;
	status = state_db_prepare(
	    state,
	    "SELECT s.id, j.state FROM subscribers s JOIN journal j ON"
	    " j.email = s.email AND j.digest_date = ?1 WHERE s.id >= ?2 AND"
	    " s.id <= ?3 ORDER BY s.id",
	    &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, digest_date) != 0 ||
	    state_bind_int64(stmt, 2, first_id) != 0 ||
	    state_bind_int64(stmt, 3, last_id) != 0) {
		state_finalize(stmt);
		return state_db_error(state, "bind", errstr_out);
	}
	while ((result = state_step(stmt)) == STATE_STEP_ROW) {
		if (count == capacity) {
			capacity = capacity ? capacity * 2 : 16;
			marks = xreallocarray(marks, capacity, sizeof *marks);
		}
		marks[count].subscriber_id = (long)state_column_int64(stmt, 0);
		marks[count++].state =
		    delivery_state_parse(state_column_peek(stmt, 1));
	}
	if (result != STATE_STEP_DONE) {
		status = state_db_error(state, "read the journal", errstr_out);
		free(marks);
		marks = NULL;
		count = 0;
	}
	state_finalize(stmt);
	*marks_out = marks;
	*count_out = count;
	return status;
}

#define BEGIN_SQL(refused)                                                     \
	"INSERT INTO journal (email, digest_date, state, provider,"            \
	" first_edition, last_edition, message_id, attempts,"                  \
	" updated_at) VALUES (?1, ?2, 'sending', ?3, ?4, ?5, ?6,"              \
	" 1, ?7) ON CONFLICT (email, digest_date) DO UPDATE SET"               \
	" state = 'sending', provider = ?3, first_edition = ?4,"               \
	" last_edition = ?5, message_id = ?6,"                                 \
	" attempts = journal.attempts + 1, reply = NULL, updated_at = ?7"      \
	" WHERE journal.state NOT IN (" refused ")"

/* One run at a time (the run lock): only a day's success is final. */
static const char begin_sql[] = BEGIN_SQL("'sent', 'bounced'");

/*
 * Runs that share the store: a delivery another run is sending is never
 * begun again, so that two runs cannot both send it.
 */
static const char begin_shared_sql[] =
    BEGIN_SQL("'sent', 'bounced', 'sending'");

/* Runs the upsert of state_delivery_begin(); *changed_out: a row changed. */
static enum state_status
insert_begun(struct state *state, const struct delivery *delivery, time_t now,
	     int *changed_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	*changed_out = 0;
	status = state_db_cached(state, &state->delivery_begin,
				 state->driver->shared ? begin_shared_sql
						       : begin_sql,
				 &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, delivery->email) != 0 ||
	    state_bind_text(stmt, 2, delivery->digest_date) != 0 ||
	    state_bind_text(stmt, 3, delivery->provider) != 0 ||
	    state_bind_int64(stmt, 4, delivery->first_edition) != 0 ||
	    state_bind_int64(stmt, 5, delivery->last_edition) != 0 ||
	    state_bind_text(stmt, 6, delivery->message_id) != 0 ||
	    state_bind_int64(stmt, 7, (long long)now) != 0)
		status = state_db_error(state, "bind", errstr_out);
	else if (state_step(stmt) != STATE_STEP_DONE)
		status = state_db_error(state, "record a delivery", errstr_out);
	else
		*changed_out = state_changes(stmt) > 0;
	state_db_release(stmt);
	return status;
}

static enum state_status write_later(struct state *state, char **errstr_out);

/*
 * Ends a write that took the noted successes along: commits (then they
 * are written and forgotten) or rolls back (they are kept for the next).
 */
static enum state_status
end_grouped(struct state *state, enum state_status status, char **errstr_out)
{
	status = state_db_end(state, status, errstr_out);
	if (status == STATE_OK) {
		for (size_t i = 0; i < state->later_count; i++)
			free(state->later[i].email);
		state->later_count = 0;
	}
	return status;
}

enum state_status
state_delivery_begin(struct state *state, const struct delivery *delivery,
		     time_t now, char **errstr_out)
{
	int grouped = state->later_count > 0;
	int changed = 0;
	enum state_status status;

	status = check_key(delivery->email, delivery->digest_date, errstr_out);
	if (status != STATE_OK)
		return status;
	if (grouped) {
		status = state_db_begin(state, errstr_out);
		if (status != STATE_OK)
			return status;
		status = write_later(state, errstr_out);
	}
	if (status == STATE_OK)
		status =
		    insert_begun(state, delivery, now, &changed, errstr_out);
	if (grouped)
		status = end_grouped(state, status, errstr_out);
	if (status == STATE_OK && !changed) {
		/*
		 * Another run began it first (runs sharing a store), or a
		 * bug upstream: either way, never send a day twice.
		 */
		state_set_error(
		    errstr_out,
		    xasprintf("%s was already sent the digest of %s, or "
			      "another run is sending it",
			      delivery->email, delivery->digest_date));
		status = STATE_EEXISTS;
	}
	return status;
}

static const char finish_sql[] =
    "UPDATE journal SET state = ?5, reply = ?3, updated_at = ?4"
    " WHERE email = ?1 AND digest_date = ?2";

/* Sets the outcome of the entry (email, date). */
static enum state_status
run_finish(struct state *state, const char *email, const char *digest_date,
	   const char *reply, time_t now, const char *name, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	status = state_db_cached(state, &state->delivery_finish, finish_sql,
				 &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, email) != 0 ||
	    state_bind_text(stmt, 2, digest_date) != 0 ||
	    state_bind_text(stmt, 3, reply) != 0 ||
	    state_bind_int64(stmt, 4, (long long)now) != 0 ||
	    state_bind_text(stmt, 5, name) != 0)
		status = state_db_error(state, "bind", errstr_out);
	else if (state_step(stmt) != STATE_STEP_DONE)
		status = state_db_error(state, "record a delivery", errstr_out);
	state_db_release(stmt);
	return status;
}

/* A success: the editions are the subscriber's now, their count clear. */
static enum state_status
mark_received(struct state *state, const char *email, const char *digest_date,
	      time_t now, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	status = state_db_cached(
	    state, &state->delivery_received,
	    "UPDATE subscribers SET failure_days = 0, updated_at = ?3,"
	    " last_edition = CASE WHEN coalesce(last_edition, 0) > (SELECT"
	    "  coalesce(last_edition, 0) FROM journal WHERE email = ?1 AND"
	    "  digest_date = ?2) THEN last_edition ELSE (SELECT"
	    "  coalesce(last_edition, 0) FROM journal WHERE email = ?1 AND"
	    "  digest_date = ?2) END WHERE email = ?1",
	    &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, email) != 0 ||
	    state_bind_text(stmt, 2, digest_date) != 0 ||
	    state_bind_int64(stmt, 3, (long long)now) != 0)
		status = state_db_error(state, "bind", errstr_out);
	else if (state_step(stmt) != STATE_STEP_DONE)
		status = state_db_error(state, "record a delivery", errstr_out);
	state_db_release(stmt);
	return status;
}

/* Writes the noted successes in the transaction open on state. */
static enum state_status
write_later(struct state *state, char **errstr_out)
{
	enum state_status status = STATE_OK;

	for (size_t i = 0; i < state->later_count && status == STATE_OK; i++) {
		const struct state_sent_later *sent = &state->later[i];

		status = run_finish(state, sent->email, sent->digest_date, NULL,
				    sent->at, "sent", errstr_out);
		if (status == STATE_OK)
			status =
			    mark_received(state, sent->email, sent->digest_date,
					  sent->at, errstr_out);
		if (status != STATE_OK && errstr_out != NULL &&
		    *errstr_out != NULL) {
			/* The caller reports another delivery: name this one.
			 */
			char *named =
			    xasprintf("%s, recording that %s was sent",
				      *errstr_out, sent->email);

			free(*errstr_out);
			*errstr_out = named;
		}
	}
	return status;
}

/*
 * More than this many noted successes are written at once: the memory
 * they hold stays small, and so does what a crash leaves uncertain.
 */
#define SENT_LATER_MAX 64

enum state_status
state_delivery_sent_later(struct state *state, const char *email,
			  const char *digest_date, time_t now,
			  char **errstr_out)
{
	struct state_sent_later *sent;
	enum state_status status;

	status = check_key(email, digest_date, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state->later_count == state->later_capacity) {
		state->later_capacity =
		    state->later_capacity ? state->later_capacity * 2 : 8;
		state->later = xreallocarray(
		    state->later, state->later_capacity, sizeof *state->later);
	}
	sent = &state->later[state->later_count++];
	sent->email = xstrdup(email);
	util_strlcpy(sent->digest_date, digest_date, sizeof sent->digest_date);
	sent->at = now;
	if (state->later_count >= SENT_LATER_MAX)
		return state_deliveries_commit(state, errstr_out);
	return STATE_OK;
}

enum state_status
state_deliveries_commit(struct state *state, char **errstr_out)
{
	enum state_status status;

	if (state->later_count == 0)
		return STATE_OK;
	status = state_db_begin(state, errstr_out);
	if (status != STATE_OK)
		return status;
	return end_grouped(state, write_later(state, errstr_out), errstr_out);
}

enum state_status
state_delivery_finish(struct state *state, const char *email,
		      const char *digest_date, enum delivery_state outcome,
		      const char *reply, time_t now, char **errstr_out)
{
	const char *name = state_delivery_state_name(outcome);
	enum state_status status;

	status = check_key(email, digest_date, errstr_out);
	if (status != STATE_OK)
		return status;
	if (name == NULL || outcome == DELIVERY_SENDING) {
		state_set_error(errstr_out, xstrdup("not an outcome"));
		return STATE_EINVALID;
	}
	status = state_db_begin(state, errstr_out);
	if (status != STATE_OK)
		return status;
	status = write_later(state, errstr_out);
	if (status == STATE_OK)
		status = run_finish(state, email, digest_date, reply, now, name,
				    errstr_out);
	if (status == STATE_OK && outcome == DELIVERY_SENT)
		status =
		    mark_received(state, email, digest_date, now, errstr_out);
	return end_grouped(state, status, errstr_out);
}

enum state_status
state_deliveries_settle(struct state *state, time_t now, size_t *count_out,
			char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	*count_out = 0;
	status = state_db_prepare(
	    state,
	    "UPDATE journal SET state = 'uncertain', updated_at = ?1,"
	    " reply = coalesce(reply, 'the run sending it stopped before the"
	    " server answered') WHERE state = 'sending'",
	    &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_int64(stmt, 1, (long long)now) != 0 ||
	    state_step(stmt) != STATE_STEP_DONE)
		status =
		    state_db_error(state, "settle the journal", errstr_out);
	else
		*count_out = (size_t)state_changes(stmt);
	state_finalize(stmt);
	return status;
}

enum state_status
state_deliveries_list(struct state *state, enum delivery_state which,
		      const char *since_date, struct delivery_list *list_out,
		      char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	struct delivery_list list = {NULL, 0};
	size_t capacity = 0;
	enum state_status status;
	int result;

	status = state_db_prepare(state,
				  JOURNAL_COLUMNS " WHERE state = ?1 AND"
						  " digest_date >= ?2"
						  " ORDER BY digest_date DESC,"
						  " updated_at DESC, email",
				  &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	if (state_bind_text(stmt, 1, state_delivery_state_name(which)) != 0 ||
	    state_bind_text(stmt, 2, since_date ? since_date : "") != 0) {
		status = state_db_error(state, "bind", errstr_out);
		goto out;
	}
	while ((result = state_step(stmt)) == STATE_STEP_ROW) {
		if (list.count == capacity) {
			capacity = capacity ? capacity * 2 : 16;
			list.deliveries = xreallocarray(
			    list.deliveries, capacity, sizeof *list.deliveries);
		}
		read_delivery(stmt, &list.deliveries[list.count++]);
	}
	if (result != STATE_STEP_DONE)
		status = state_db_error(state, "list the journal", errstr_out);
out:
	state_finalize(stmt);
	if (status != STATE_OK)
		state_delivery_list_clear(&list);
	*list_out = list;
	return status;
}

void
state_delivery_clear(struct delivery *delivery)
{
	if (delivery == NULL)
		return;
	free(delivery->email);
	free(delivery->provider);
	free(delivery->message_id);
	free(delivery->reply);
	memset(delivery, 0, sizeof *delivery);
}

void
state_delivery_list_clear(struct delivery_list *list)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < list->count; i++)
		state_delivery_clear(&list->deliveries[i]);
	free(list->deliveries);
	list->deliveries = NULL;
	list->count = 0;
}

/*
 * Counts today's failure once, and switches the subscriber off at max.
 * NEW_DAY is 1 when digest_date was not counted yet.
 */
#define NEW_DAY                                                                \
	"CASE WHEN coalesce(last_failure_date, '') <> ?2 THEN 1 ELSE 0 END"
static const char failed_sql[] =
    "UPDATE subscribers SET"
    " failure_days = failure_days + " NEW_DAY ","
    " last_failure_date = ?2, last_failure = ?3, updated_at = ?4,"
    " active = CASE WHEN ?5 > 0 AND failure_days + " NEW_DAY " >= ?5"
    "  THEN 0 ELSE active END,"
    " deactivated_at = CASE WHEN active = 1 AND ?5 > 0 AND"
    "  failure_days + " NEW_DAY " >= ?5 THEN ?4 ELSE deactivated_at END"
    " WHERE email = ?1 RETURNING CASE WHEN active = 0 AND"
    " deactivated_at = ?4 THEN 1 ELSE 0 END";

enum state_status
state_subscriber_failed(struct state *state, const char *email,
			const char *digest_date, const char *reason,
			long deactivate_after, time_t now, int *deactivated_out,
			char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	int result;

	*deactivated_out = 0;
	status = check_key(email, digest_date, errstr_out);
	if (status == STATE_OK)
		status = state_db_prepare(state, failed_sql, &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, email) != 0 ||
	    state_bind_text(stmt, 2, digest_date) != 0 ||
	    state_bind_text(stmt, 3, reason) != 0 ||
	    state_bind_int64(stmt, 4, (long long)now) != 0 ||
	    state_bind_int64(stmt, 5, deactivate_after) != 0) {
		status = state_db_error(state, "bind", errstr_out);
		goto out;
	}
	result = state_step(stmt);
	if (result == STATE_STEP_ROW) {
		*deactivated_out = state_column_int64(stmt, 0) != 0;
		result = state_step(stmt);
	}
	if (result != STATE_STEP_DONE)
		status = state_db_error(state, "record a failure", errstr_out);
out:
	state_finalize(stmt);
	return status;
}

enum state_status
state_deliveries_sent_count(struct state *state, const char *digest_date,
			    const char *provider, long *count_out,
			    char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	*count_out = 0;
	status = state_db_prepare(state,
				  "SELECT count(*) FROM journal WHERE"
				  " digest_date = ?1 AND provider = ?2 AND"
				  " state IN ('sending', 'sent', 'uncertain',"
				  " 'bounced')",
				  &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, digest_date) != 0 ||
	    state_bind_text(stmt, 2, provider) != 0 ||
	    state_step(stmt) != STATE_STEP_ROW)
		status = state_db_error(state, "count deliveries", errstr_out);
	else
		*count_out = (long)state_column_int64(stmt, 0);
	state_finalize(stmt);
	return status;
}

enum state_status
state_delivery_refused(struct state *state, const struct delivery *delivery,
		       enum delivery_state outcome, const char *reply,
		       time_t now, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	const char *name = state_delivery_state_name(outcome);
	enum state_status status;

	status = check_key(delivery->email, delivery->digest_date, errstr_out);
	if (status != STATE_OK)
		return status;
	if (outcome != DELIVERY_TEMP_FAILED &&
	    outcome != DELIVERY_PERM_FAILED) {
		state_set_error(errstr_out, xstrdup("not a refusal"));
		return STATE_EINVALID;
	}
	status = state_db_prepare(
	    state,
	    "INSERT INTO journal (email, digest_date, state, provider,"
	    " first_edition, last_edition, message_id, attempts, reply,"
	    " updated_at) VALUES (?1, ?2, ?8, ?3, ?4, ?5, ?6, 1, ?9, ?7)"
	    " ON CONFLICT (email, digest_date) DO UPDATE SET state = ?8,"
	    " provider = ?3, first_edition = ?4, last_edition = ?5,"
	    " message_id = ?6, attempts = journal.attempts + 1, reply = ?9,"
	    " updated_at = ?7 WHERE journal.state NOT IN ('sent', 'bounced',"
	    " 'sending', 'uncertain')",
	    &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, delivery->email) != 0 ||
	    state_bind_text(stmt, 2, delivery->digest_date) != 0 ||
	    state_bind_text(stmt, 3, delivery->provider) != 0 ||
	    state_bind_int64(stmt, 4, delivery->first_edition) != 0 ||
	    state_bind_int64(stmt, 5, delivery->last_edition) != 0 ||
	    state_bind_text(stmt, 6, delivery->message_id) != 0 ||
	    state_bind_int64(stmt, 7, (long long)now) != 0 ||
	    state_bind_text(stmt, 8, name) != 0 ||
	    state_bind_text(stmt, 9, reply) != 0)
		status = state_db_error(state, "bind", errstr_out);
	else if (state_step(stmt) != STATE_STEP_DONE)
		status = state_db_error(state, "record a delivery", errstr_out);
	state_finalize(stmt);
	return status;
}

/* Everything the journal holds of email, day by day (the data export). */
enum state_status
state_subscriber_history(struct state *state, const char *email,
			 struct delivery_list *list_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	int result;

	memset(list_out, 0, sizeof *list_out);
	status = state_db_prepare_email(
	    state, JOURNAL_COLUMNS " WHERE email = ?1 ORDER BY digest_date",
	    email, &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	while ((result = state_step(stmt)) == STATE_STEP_ROW) {
		list_out->deliveries =
		    xreallocarray(list_out->deliveries, list_out->count + 1,
				  sizeof *list_out->deliveries);
		read_delivery(stmt, &list_out->deliveries[list_out->count++]);
	}
	if (result != STATE_STEP_DONE)
		status = state_db_error(state, "read the journal", errstr_out);
	state_finalize(stmt);
	if (status != STATE_OK)
		state_delivery_list_clear(list_out);
	return status;
}
