/*
 * state_journal.c - the delivery record of the SQLite store: see state.h
 * for the calls, state_impl.h for what the store's files share.
 */
#include "state_impl.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A digest date is a calendar day, "YYYY-MM-DD". */
static int
date_acceptable(const char *date)
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

enum state_status
state_was_sent(struct state *state, const char *email, const char *digest_date,
	       int *sent_out, char **errstr_out)
{
	sqlite3_stmt *stmt = NULL;
	enum state_status status;
	int result;

	*sent_out = 0;
	status = state_db_cached(state, &state->was_sent,
				 "SELECT 1 FROM deliveries"
				 " WHERE email = ?1 AND digest_date = ?2",
				 &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	if (state_bind_text(stmt, 1, email) != SQLITE_OK ||
	    state_bind_text(stmt, 2, digest_date) != SQLITE_OK) {
		status = state_db_error(state, "bind", errstr_out);
		goto out;
	}
	result = sqlite3_step(stmt);
	if (result == SQLITE_ROW)
		*sent_out = 1;
	else if (result != SQLITE_DONE)
		status = state_db_error(state, "read deliveries", errstr_out);
out:
	state_db_release(stmt);
	return status;
}

enum state_status
state_mark_sent(struct state *state, const char *email, const char *digest_date,
		const char *message_id, time_t sent_at, char **errstr_out)
{
	sqlite3_stmt *stmt = NULL;
	enum state_status status;
	int result;

	if (!state_email_acceptable(email) || !date_acceptable(digest_date)) {
		state_set_error(
		    errstr_out,
		    xasprintf("delivery to %s for %s: bad address or "
			      "date",
			      email ? email : "(none)",
			      digest_date ? digest_date : "(none)"));
		return STATE_EINVALID;
	}
	status =
	    state_db_cached(state, &state->mark_sent,
			    "INSERT INTO deliveries (email, digest_date,"
			    " message_id, sent_at) VALUES (?1, ?2, ?3, ?4)",
			    &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	if (state_bind_text(stmt, 1, email) != SQLITE_OK ||
	    state_bind_text(stmt, 2, digest_date) != SQLITE_OK ||
	    state_bind_text(stmt, 3, message_id) != SQLITE_OK ||
	    sqlite3_bind_int64(stmt, 4, (sqlite3_int64)sent_at) != SQLITE_OK) {
		status = state_db_error(state, "bind", errstr_out);
		goto out;
	}
	result = sqlite3_step(stmt);
	if (result == SQLITE_CONSTRAINT_PRIMARYKEY) {
		state_set_error(
		    errstr_out,
		    xasprintf("%s was already sent the digest of %s", email,
			      digest_date));
		status = STATE_EEXISTS;
	} else if (result != SQLITE_DONE) {
		status = state_db_error(state, "record delivery", errstr_out);
	}
out:
	state_db_release(stmt);
	return status;
}
