/*
 * state_bounces.c - bounces in the SQLite store: a delivery that was
 * accepted and came back later, recorded in the journal and counted
 * against the subscriber.  See state.h for the calls, state_impl.h for
 * what the store's files share.
 */
#include "state_impl.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The days in a row of failures that a bounced day belongs to. */
struct failure_run {
	long days;    /* bounced or refused days in it */
	char end[11]; /* its last day */
	int found;    /* the bounced day was in the journal */
};

/*
 * Walks email's journal by day and measures the run of failed days that
 * holds digest_date (just marked bounced): a delivered day ends a run,
 * a day with no settled outcome neither ends nor extends one.
 */
static enum state_status
measure_run(struct state *state, const char *email, const char *digest_date,
	    struct failure_run *run_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	int result;

	memset(run_out, 0, sizeof *run_out);
	status =
	    state_db_prepare_email(state,
				   "SELECT digest_date, state FROM journal"
				   " WHERE email = ?1 ORDER BY digest_date",
				   email, &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	while ((result = state_step(stmt)) == STATE_STEP_ROW) {
		const char *date = state_column_peek(stmt, 0);
		const char *name = state_column_peek(stmt, 1);

		if (date == NULL || name == NULL)
			continue;
		if (strcmp(name, "sent") == 0) {
			if (run_out->found)
				break;
			run_out->days = 0;
		} else if (strcmp(name, "bounced") == 0 ||
			   strcmp(name, "perm-failed") == 0) {
			run_out->days++;
			util_strlcpy(run_out->end, date, sizeof run_out->end);
			if (strcmp(date, digest_date) == 0)
				run_out->found = 1;
		}
	}
	if (result != STATE_STEP_ROW && result != STATE_STEP_DONE)
		status = state_db_error(state, "read the journal", errstr_out);
	state_finalize(stmt);
	return status;
}

/*
 * Reads the subscriber's count and last counted day; *exists_out is 0
 * when there is no such subscriber (they left; the journal stays).
 */
static enum state_status
read_count(struct state *state, const char *email, int *exists_out,
	   long *failure_days_out, char last_date_out[11], char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	int result;

	*exists_out = 0;
	*failure_days_out = 0;
	last_date_out[0] = '\0';
	status = state_db_prepare(
	    state,
	    "SELECT failure_days, coalesce(last_failure_date, '')"
	    " FROM subscribers WHERE email = ?1",
	    &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, email) != 0) {
		status = state_db_error(state, "bind", errstr_out);
	} else if ((result = state_step(stmt)) == STATE_STEP_ROW) {
		*exists_out = 1;
		*failure_days_out = (long)state_column_int64(stmt, 0);
		util_strlcpy(last_date_out, state_column_peek(stmt, 1), 11);
	} else if (result != STATE_STEP_DONE) {
		status = state_db_error(state, "read a subscriber", errstr_out);
	}
	state_finalize(stmt);
	return status;
}

/* Makes the journal entry (email, digest_date) "bounced" with reason. */
static enum state_status
mark_bounced(struct state *state, const char *email, const char *digest_date,
	     const char *reason, time_t now, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	status = state_db_prepare(
	    state,
	    "UPDATE journal SET state = 'bounced', reply = ?3, updated_at = ?4"
	    " WHERE email = ?1 AND digest_date = ?2",
	    &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, email) != 0 ||
	    state_bind_text(stmt, 2, digest_date) != 0 ||
	    state_bind_text(stmt, 3, reason) != 0 ||
	    state_bind_int64(stmt, 4, (long long)now) != 0)
		status = state_db_error(state, "bind", errstr_out);
	else if (state_step(stmt) != STATE_STEP_DONE)
		status = state_db_error(state, "record a bounce", errstr_out);
	state_finalize(stmt);
	return status;
}

/*
 * Sets the subscriber's count to days and forgets their last counted
 * day, so that state_subscriber_failed() counts the next one on top.
 */
static enum state_status
set_count(struct state *state, const char *email, long days, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	status = state_db_prepare(state,
				  "UPDATE subscribers SET failure_days = ?2,"
				  " last_failure_date = NULL WHERE email = ?1",
				  &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, email) != 0 ||
	    state_bind_int64(stmt, 2, days) != 0)
		status = state_db_error(state, "bind", errstr_out);
	else if (state_step(stmt) != STATE_STEP_DONE)
		status = state_db_error(state, "record a bounce", errstr_out);
	state_finalize(stmt);
	return status;
}

/*
 * Counts the bounced day against the subscriber: their count becomes the
 * length of its run (at least what it was, when the run is the one being
 * counted), through state_subscriber_failed() on the run's last day, so
 * that switching off happens in one place.
 */
static enum state_status
count_bounce(struct state *state, const char *email, const char *digest_date,
	     const char *reason, long deactivate_after, time_t now,
	     struct delivery_bounce *bounce_out, char **errstr_out)
{
	struct failure_run run;
	char last_date[11];
	long failure_days;
	int exists;
	enum state_status status;

	status = read_count(state, email, &exists, &failure_days, last_date,
			    errstr_out);
	if (status == STATE_OK && exists)
		status =
		    measure_run(state, email, digest_date, &run, errstr_out);
	if (status != STATE_OK || !exists || !run.found ||
	    strcmp(run.end, last_date) < 0)
		return status;
	if (strcmp(run.end, last_date) == 0 && failure_days > run.days)
		run.days = failure_days;
	/* One less, and no last day: state_subscriber_failed() adds it. */
	status = set_count(state, email, run.days - 1, errstr_out);
	if (status == STATE_OK)
		status = state_subscriber_failed(
		    state, email, run.end, reason, deactivate_after, now,
		    &bounce_out->deactivated, errstr_out);
	if (status == STATE_OK) {
		bounce_out->counted = 1;
		bounce_out->failure_days = run.days;
	}
	return status;
}

enum state_status
state_delivery_bounced(struct state *state, const char *email,
		       const char *digest_date, const char *reason,
		       long deactivate_after, time_t now,
		       struct delivery_bounce *bounce_out, char **errstr_out)
{
	struct delivery entry = {0};
	enum state_status status;

	memset(bounce_out, 0, sizeof *bounce_out);
	status = state_db_begin(state, errstr_out);
	if (status == STATE_OK)
		status = state_delivery_get(state, email, digest_date, &entry,
					    errstr_out);
	if (status != STATE_OK)
		goto out;
	switch (entry.state) {
	case DELIVERY_NONE:
		state_set_error(errstr_out, xasprintf("no delivery to %s on %s",
						      email, digest_date));
		status = STATE_ENOTFOUND;
		goto out;
	case DELIVERY_SENDING:
		bounce_out->outcome = DELIVERY_BOUNCE_PENDING;
		goto out;
	case DELIVERY_BOUNCED:
	case DELIVERY_PERM_FAILED:
		bounce_out->outcome = DELIVERY_BOUNCE_ALREADY;
		goto out;
	case DELIVERY_SENT:
	case DELIVERY_TEMP_FAILED:
	case DELIVERY_UNCERTAIN:
		break;
	}
	/* entry.email is the journal's spelling of the address. */
	status = mark_bounced(state, entry.email, digest_date, reason, now,
			      errstr_out);
	if (status == STATE_OK)
		status =
		    count_bounce(state, entry.email, digest_date, reason,
				 deactivate_after, now, bounce_out, errstr_out);
out:
	if (status == STATE_OK)
		status = state_db_exec(state, "COMMIT", "commit", errstr_out);
	if (status != STATE_OK)
		state_db_rollback(state);
	state_delivery_clear(&entry);
	return status;
}

/* The day of email's delivery with message_id, or of their newest. */
static const char find_sql[] =
    "SELECT digest_date FROM journal WHERE email = ?1 AND"
    " (message_id = ?2 OR (?2 IS NULL AND state IN ('sent', 'uncertain',"
    "  'bounced'))) ORDER BY digest_date DESC LIMIT 1";

enum state_status
state_delivery_find(struct state *state, const char *email,
		    const char *message_id, char date_out[11],
		    char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	int result;

	date_out[0] = '\0';
	status = state_db_prepare(state, find_sql, &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	/* By the Message-ID first; without a match, the newest. */
	for (int pass = message_id ? 0 : 1; pass < 2 && !date_out[0]; pass++) {
		state_reset(stmt);
		if (state_bind_text(stmt, 1, email) != 0 ||
		    state_bind_text(stmt, 2, pass == 0 ? message_id : NULL) !=
			0) {
			status = state_db_error(state, "bind", errstr_out);
			break;
		}
		result = state_step(stmt);
		if (result == STATE_STEP_ROW && state_column_peek(stmt, 0))
			util_strlcpy(date_out, state_column_peek(stmt, 0), 11);
		else if (result != STATE_STEP_ROW &&
			 result != STATE_STEP_DONE) {
			status = state_db_error(state, "read the journal",
						errstr_out);
			break;
		}
	}
	state_finalize(stmt);
	return status;
}
