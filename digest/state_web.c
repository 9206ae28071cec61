/*
 * state_web.c - what the subscribers' own pages (digest serve) keep in the
 * SQLite store: pending sign-ups, the choices a subscriber makes, leaving
 * and coming back, their history, and erasing it all but a keyed hash.
 * See state.h for the calls, state_impl.h for what the store's files
 * share.  Each call that changes more than one row runs in one
 * transaction, so a page never leaves half a change behind.
 */
#include "state_impl.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Binds an integer; SQLite's result code. */
static int
bind_time(struct state_stmt *stmt, int index, time_t when)
{
	return state_bind_int64(stmt, index, (long long)when);
}

/* Runs stmt to its end; *changed_out (may be NULL) gets the row count. */
static enum state_status
step_done(struct state *state, struct state_stmt *stmt, const char *doing,
	  int *changed_out, char **errstr_out)
{
	if (state_step(stmt) != STATE_STEP_DONE)
		return state_db_error(state, doing, errstr_out);
	if (changed_out != NULL)
		*changed_out = state_changes(stmt);
	return STATE_OK;
}

/*
 * Prepares sql, binds email as ?1 and now as ?2 (when now >= 0), and runs
 * it; *changed_out (may be NULL) gets the number of rows it changed.
 */
static enum state_status
run_email(struct state *state, const char *sql, const char *email, time_t now,
	  const char *doing, int *changed_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	status = state_db_prepare(state, sql, &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, email) != 0 ||
	    (now >= 0 && bind_time(stmt, 2, now) != 0))
		status = state_db_error(state, "bind", errstr_out);
	else
		status = step_done(state, stmt, doing, changed_out, errstr_out);
	state_finalize(stmt);
	return status;
}

void
state_signup_clear(struct signup *signup)
{
	if (signup == NULL)
		return;
	free(signup->email);
	free(signup->name);
	free(signup->provider);
	free(signup->language);
	memset(signup, 0, sizeof *signup);
}

enum state_status
state_signup_get(struct state *state, const char *email,
		 struct signup *signup_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	int result;

	memset(signup_out, 0, sizeof *signup_out);
	status =
	    state_db_prepare_email(state,
				   "SELECT email, name, provider, language,"
				   " format, requested_at FROM signups"
				   " WHERE email = ?1",
				   email, &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	result = state_step(stmt);
	if (result == STATE_STEP_DONE) {
		state_set_error(errstr_out,
				xasprintf("no sign-up of %s waits", email));
		status = STATE_ENOTFOUND;
	} else if (result != STATE_STEP_ROW) {
		status = state_db_error(state, "read sign-up", errstr_out);
	} else {
		signup_out->email = state_column_text(stmt, 0);
		signup_out->name = state_column_text(stmt, 1);
		signup_out->provider = state_column_text(stmt, 2);
		signup_out->language = state_column_text(stmt, 3);
		if (subscriber_format_parse(state_column_peek(stmt, 4),
					    &signup_out->format) != 0)
			signup_out->format = SUBSCRIBER_FORMAT_BOTH;
		signup_out->requested_at = (time_t)state_column_int64(stmt, 5);
	}
	state_finalize(stmt);
	return status;
}

static enum state_status
insert_signup(struct state *state, const struct signup *signup,
	      char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	status = state_db_prepare(
	    state,
	    "INSERT INTO signups (email, name, provider, language, format,"
	    " requested_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT"
	    " (email) DO UPDATE SET email = excluded.email,"
	    " name = excluded.name, provider = excluded.provider,"
	    " language = excluded.language, format = excluded.format,"
	    " requested_at = excluded.requested_at",
	    &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, signup->email) != 0 ||
	    state_bind_text(stmt, 2, signup->name) != 0 ||
	    state_bind_text(stmt, 3, signup->provider) != 0 ||
	    state_bind_text(stmt, 4, signup->language) != 0 ||
	    state_bind_text(stmt, 5, subscriber_format_name(signup->format)) !=
		0 ||
	    bind_time(stmt, 6, signup->requested_at) != 0)
		status = state_db_error(state, "bind", errstr_out);
	else
		status =
		    step_done(state, stmt, "store sign-up", NULL, errstr_out);
	state_finalize(stmt);
	return status;
}

enum state_status
state_signup_put(struct state *state, const struct signup *signup,
		 time_t expire_before, char **errstr_out)
{
	enum state_status status;

	if (!state_email_acceptable(signup->email)) {
		state_set_error(errstr_out,
				xstrdup("sign-up: not a valid address"));
		return STATE_EINVALID;
	}
	status = state_db_begin(state, errstr_out);
	if (status != STATE_OK)
		return status;
	status = run_email(state,
			   "DELETE FROM signups WHERE email <> ?1 AND"
			   " requested_at < ?2",
			   signup->email, expire_before, "forget old sign-ups",
			   NULL, errstr_out);
	if (status == STATE_OK)
		status = insert_signup(state, signup, errstr_out);
	return state_db_end(state, status, errstr_out);
}

/*
 * Adds the subscriber of the sign-up of ?1, or switches an existing one
 * on again with its choices.  Someone who comes back keeps the editions
 * they received, as an added subscriber does (state_subscribers.c).
 */
static const char confirm_sql[] =
    "INSERT INTO subscribers (email, name, provider, language, format,"
    " active, created_at, updated_at, last_edition, confirmed_at, origin)"
    " SELECT email, name, provider, language, format, 1, ?2, ?2,"
    " (SELECT max(last_edition) FROM journal WHERE email = ?1 AND"
    "  state = 'sent'), ?2, 'web' FROM signups WHERE email = ?1"
    " ON CONFLICT (email) DO UPDATE SET"
    " name = coalesce(excluded.name, subscribers.name),"
    " provider = excluded.provider,"
    " language = excluded.language, format = excluded.format, active = 1,"
    " updated_at = ?2, confirmed_at = ?2, origin = 'web',"
    " unsubscribed_at = NULL, deactivated_at = NULL, failure_days = 0";

/* Removes the suppressions of the address: it asked to come back. */
static enum state_status
lift_suppressions(struct state *state, const char *const *hashes,
		  size_t hash_count, char **errstr_out)
{
	enum state_status status = STATE_OK;

	for (size_t i = 0; i < hash_count && status == STATE_OK; i++)
		if (hashes[i] != NULL)
			status = run_email(state,
					   "DELETE FROM suppressions"
					   " WHERE hash = ?1",
					   hashes[i], -1, "lift suppression",
					   NULL, errstr_out);
	return status;
}

/* Whether email is an active subscriber: 1, 0, or -1 on failure. */
static int
is_active(struct state *state, const char *email, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	int result, active = -1;

	if (state_db_prepare(state,
			     "SELECT active FROM subscribers WHERE email = ?1",
			     &stmt, errstr_out) != STATE_OK)
		return -1;
	if (state_bind_text(stmt, 1, email) != 0) {
		state_db_error(state, "bind", errstr_out);
		goto out;
	}
	result = state_step(stmt);
	if (result == STATE_STEP_ROW)
		active = state_column_int64(stmt, 0) != 0;
	else if (result == STATE_STEP_DONE)
		active = 0;
	else
		state_db_error(state, "read subscriber", errstr_out);
out:
	state_finalize(stmt);
	return active;
}

enum state_status
state_signup_confirm(struct state *state, const char *email,
		     const char *const *hashes, size_t hash_count, time_t now,
		     enum state_confirm *result_out, char **errstr_out)
{
	enum state_status status;
	int changed = 0, active;

	*result_out = STATE_CONFIRM_NONE;
	status = state_db_begin(state, errstr_out);
	if (status != STATE_OK)
		return status;
	status = run_email(state, confirm_sql, email, now, "confirm sign-up",
			   &changed, errstr_out);
	if (status == STATE_OK && changed > 0) {
		*result_out = STATE_CONFIRMED;
		status =
		    run_email(state, "DELETE FROM signups WHERE email = ?1",
			      email, -1, "forget sign-up", NULL, errstr_out);
		if (status == STATE_OK)
			status = lift_suppressions(state, hashes, hash_count,
						   errstr_out);
	} else if (status == STATE_OK) {
		active = is_active(state, email, errstr_out);
		if (active < 0)
			status = STATE_EIO;
		else if (active)
			*result_out = STATE_CONFIRM_ALREADY;
	}
	return state_db_end(state, status, errstr_out);
}

void
state_profile_clear(struct profile *profile)
{
	if (profile == NULL)
		return;
	subscriber_clear(&profile->subscriber);
	free(profile->origin);
	memset(profile, 0, sizeof *profile);
}

static void
read_profile(struct state_stmt *stmt, struct profile *profile)
{
	struct subscriber *sub = &profile->subscriber;

	sub->id = (long)state_column_int64(stmt, 0);
	sub->email = state_column_text(stmt, 1);
	sub->name = state_column_text(stmt, 2);
	sub->provider = state_column_text(stmt, 3);
	sub->language = state_column_text(stmt, 4);
	if (subscriber_format_parse(state_column_peek(stmt, 5), &sub->format) !=
	    0)
		sub->format = SUBSCRIBER_FORMAT_BOTH;
	sub->active = state_column_int64(stmt, 6) != 0;
	sub->last_edition = (long)state_column_int64(stmt, 7);
	profile->origin = state_column_text(stmt, 8);
	profile->created_at = (time_t)state_column_int64(stmt, 9);
	profile->updated_at = (time_t)state_column_int64(stmt, 10);
	profile->confirmed_at = (time_t)state_column_int64(stmt, 11);
	profile->unsubscribed_at = (time_t)state_column_int64(stmt, 12);
	profile->prompted_at = (time_t)state_column_int64(stmt, 13);
	profile->deactivated_at = (time_t)state_column_int64(stmt, 14);
}

enum state_status
state_profile_get(struct state *state, const char *email,
		  struct profile *profile_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	int result;

	memset(profile_out, 0, sizeof *profile_out);
	status = state_db_prepare_email(
	    state,
	    "SELECT id, email, name, provider, language, format, active,"
	    " coalesce(last_edition, 0), origin, created_at, updated_at,"
	    " coalesce(confirmed_at, 0), coalesce(unsubscribed_at, 0),"
	    " coalesce(prompted_at, 0), coalesce(deactivated_at, 0)"
	    " FROM subscribers WHERE email = ?1",
	    email, &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	result = state_step(stmt);
	if (result == STATE_STEP_ROW) {
		read_profile(stmt, profile_out);
	} else if (result == STATE_STEP_DONE) {
		state_set_error(errstr_out,
				xasprintf("no subscriber %s", email));
		status = STATE_ENOTFOUND;
	} else {
		status = state_db_error(state, "read subscriber", errstr_out);
	}
	state_finalize(stmt);
	return status;
}

/* Tells a subscriber who is gone from one who changed nothing. */
static enum state_status
found_or_not(struct state *state, const char *email, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	int result;

	status = state_db_prepare(state,
				  "SELECT 1 FROM subscribers WHERE email = ?1",
				  &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, email) != 0)
		status = state_db_error(state, "bind", errstr_out);
	else if ((result = state_step(stmt)) == STATE_STEP_DONE) {
		state_set_error(errstr_out,
				xasprintf("no subscriber %s", email));
		status = STATE_ENOTFOUND;
	} else if (result != STATE_STEP_ROW) {
		status = state_db_error(state, "read subscriber", errstr_out);
	}
	state_finalize(stmt);
	return status;
}

enum state_status
state_subscriber_choose(struct state *state, const struct subscriber *sub,
			int *changed_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	const char *format = subscriber_format_name(sub->format);

	*changed_out = 0;
	if (format == NULL || sub->language == NULL ||
	    (strcmp(sub->language, "nl") != 0 &&
	     strcmp(sub->language, "en") != 0)) {
		state_set_error(errstr_out,
				xasprintf("subscriber %s: language or format "
					  "out of range",
					  sub->email));
		return STATE_EINVALID;
	}
	status = state_db_prepare(
	    state,
	    "UPDATE subscribers SET name = ?2, provider = ?3, language = ?4,"
	    " format = ?5, updated_at = ?6 WHERE email = ?1 AND"
	    " (name IS DISTINCT FROM ?2 OR provider IS DISTINCT FROM ?3 OR"
	    "  language IS DISTINCT FROM ?4 OR format IS DISTINCT FROM ?5)",
	    &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, sub->email) != 0 ||
	    state_bind_text(stmt, 2, sub->name) != 0 ||
	    state_bind_text(stmt, 3, sub->provider) != 0 ||
	    state_bind_text(stmt, 4, sub->language) != 0 ||
	    state_bind_text(stmt, 5, format) != 0 ||
	    bind_time(stmt, 6, time(NULL)) != 0)
		status = state_db_error(state, "bind", errstr_out);
	else
		status = step_done(state, stmt, "save choices", changed_out,
				   errstr_out);
	state_finalize(stmt);
	if (status == STATE_OK && *changed_out == 0)
		status = found_or_not(state, sub->email, errstr_out);
	return status;
}

enum state_status
state_subscriber_leave(struct state *state, const char *email, time_t now,
		       int *changed_out, char **errstr_out)
{
	enum state_status status;

	*changed_out = 0;
	status = run_email(state,
			   "UPDATE subscribers SET active = 0,"
			   " unsubscribed_at = ?2, updated_at = ?2"
			   " WHERE email = ?1 AND active = 1",
			   email, now, "unsubscribe", changed_out, errstr_out);
	if (status == STATE_OK && *changed_out == 0)
		status = found_or_not(state, email, errstr_out);
	return status;
}

enum state_status
state_subscriber_return(struct state *state, const char *email, time_t now,
			int *changed_out, char **errstr_out)
{
	enum state_status status;

	*changed_out = 0;
	status =
	    run_email(state,
		      "UPDATE subscribers SET active = 1,"
		      " unsubscribed_at = NULL, updated_at = ?2"
		      " WHERE email = ?1 AND active = 0 AND"
		      " unsubscribed_at IS NOT NULL",
		      email, now, "subscribe again", changed_out, errstr_out);
	if (status == STATE_OK && *changed_out == 0)
		status = found_or_not(state, email, errstr_out);
	return status;
}

enum state_status
state_subscriber_erase(struct state *state, const char *email, const char *hash,
		       time_t now, int *found_out, char **errstr_out)
{
	static const char *const deletes[] = {
	    "DELETE FROM subscribers WHERE email = ?1",
	    "DELETE FROM journal WHERE email = ?1",
	    "DELETE FROM signups WHERE email = ?1"};
	enum state_status status;
	int changed = 0;

	*found_out = 0;
	status = state_db_begin(state, errstr_out);
	for (size_t i = 0; i < 3 && status == STATE_OK; i++) {
		status = run_email(state, deletes[i], email, -1, "erase",
				   &changed, errstr_out);
		if (changed > 0)
			*found_out = 1;
	}
	if (status == STATE_OK)
		status =
		    run_email(state,
			      "INSERT INTO suppressions (hash, erased_at)"
			      " VALUES (?1, ?2) ON CONFLICT (hash) DO UPDATE"
			      " SET erased_at = excluded.erased_at",
			      hash, now, "keep suppression", NULL, errstr_out);
	return state_db_end(state, status, errstr_out);
}

enum state_status
state_suppressed(struct state *state, const char *const *hashes,
		 size_t hash_count, time_t *erased_at_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	int result;

	*erased_at_out = 0;
	status = state_db_prepare(state,
				  "SELECT erased_at FROM suppressions"
				  " WHERE hash = ?1",
				  &stmt, errstr_out);
	for (size_t i = 0; i < hash_count && status == STATE_OK; i++) {
		if (hashes[i] == NULL)
			continue;
		state_reset(stmt);
		if (state_bind_text(stmt, 1, hashes[i]) != 0) {
			status = state_db_error(state, "bind", errstr_out);
			break;
		}
		result = state_step(stmt);
		if (result == STATE_STEP_ROW) {
			*erased_at_out = (time_t)state_column_int64(stmt, 0);
			break;
		}
		if (result != STATE_STEP_DONE)
			status = state_db_error(state, "read suppressions",
						errstr_out);
	}
	state_finalize(stmt);
	return status;
}

enum state_status
state_suppression_count(struct state *state, size_t *count_out,
			char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	*count_out = 0;
	status = state_db_prepare(state, "SELECT count(*) FROM suppressions",
				  &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_step(stmt) == STATE_STEP_ROW)
		*count_out = (size_t)state_column_int64(stmt, 0);
	else
		status =
		    state_db_error(state, "count suppressions", errstr_out);
	state_finalize(stmt);
	return status;
}
