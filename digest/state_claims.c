/*
 * state_claims.c - several runs sharing one morning on a shared store
 * (PostgreSQL): rounds, claims on batches of subscribers, the leases that
 * keep them, and the lock that lets one run make the day's edition.  See
 * state.h for the calls, state_impl.h for what the store's files share.
 *
 * A claim is a range of subscriber ids that one run works through.  It
 * belongs to its run while the run's lease holds; the run renews it while
 * it lives, so a claim whose run's lease ran out is a dead run's, and
 * another run takes it over.  Every step that hands out or takes over a
 * claim runs in one writing transaction, which waits for every other
 * writer (state_db_begin()), so two runs never get the same claim.
 *
 * A round is one pass over the subscribers.  A run joins the day's
 * current round while that round still has work (ranges not claimed yet,
 * claims of a dead run, or claims of a living one to wait for), and
 * otherwise starts the next round: a rerun later in the day goes over
 * everyone again, as a rerun on SQLite does, and the journal skips those
 * who have had the day's digest.
 */
#include "state_impl.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * Runs sql with ?1 the day and ?2... the integers (without a day, the
 * integers from ?1: PostgreSQL wants every number it is given used), and
 * reads the first
 * column of its row into *value_out (0 for none or NULL); *found_out says
 * whether there was a non-NULL one.  For statements without a row, the
 * rows changed go in *value_out.
 */
static enum state_status
run_sql(struct state *state, const char *sql, const char *digest_date,
	const long long *ints, int int_count, long long *value_out,
	int *found_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	enum state_step step;
	int result = 0;

	*value_out = 0;
	if (found_out)
		*found_out = 0;
	status = state_db_prepare(state, sql, &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (digest_date)
		result = state_bind_text(stmt, 1, digest_date);
	for (int i = 0; result == 0 && i < int_count; i++)
		result =
		    state_bind_int64(stmt, i + (digest_date ? 2 : 1), ints[i]);
	step = result == 0 ? state_step(stmt) : STATE_STEP_ERROR;
	if (step == STATE_STEP_ROW) {
		if (!state_column_is_null(stmt, 0)) {
			*value_out = state_column_int64(stmt, 0);
			if (found_out)
				*found_out = 1;
		}
	} else if (step == STATE_STEP_DONE) {
		*value_out = state_changes(stmt);
	} else {
		status = state_db_error(state, "share the morning", errstr_out);
	}
	state_finalize(stmt);
	return status;
}

/* Claims of the round that are not finished and whose run still lives. */
static const char living_sql[] =
    "SELECT count(*) FROM claims c JOIN runs r ON r.id = c.run_id"
    " WHERE c.digest_date = ?1 AND c.round = ?2 AND c.finished = 0"
    " AND coalesce(r.lease_until, 0) >= ?3 AND c.run_id <> ?4";

/* Claims of the round that are not finished and whose run died. */
static const char dead_sql[] =
    "SELECT min(c.first_id) FROM claims c JOIN runs r ON r.id = c.run_id"
    " WHERE c.digest_date = ?1 AND c.round = ?2 AND c.finished = 0"
    " AND coalesce(r.lease_until, 0) < ?3";

/* The last subscriber id the round has handed out. */
static const char reached_sql[] = "SELECT coalesce(max(last_id), 0) FROM claims"
				  " WHERE digest_date = ?1 AND round = ?2";

/* Whether the round has work left at now: 1 or 0 in *open_out. */
static enum state_status
round_open(struct state *state, const char *digest_date, long round, time_t now,
	   int *open_out, char **errstr_out)
{
	long long ints[] = {round, (long long)now, 0}, value, reached;
	enum state_status status;
	int found;

	*open_out = 0;
	status = run_sql(state, living_sql, digest_date, ints, 3, &value, NULL,
			 errstr_out);
	if (status != STATE_OK || value > 0) {
		*open_out = status == STATE_OK;
		return status;
	}
	status = run_sql(state, dead_sql, digest_date, ints, 2, &value, &found,
			 errstr_out);
	if (status != STATE_OK || found) {
		*open_out = status == STATE_OK;
		return status;
	}
	status = run_sql(state, reached_sql, digest_date, ints, 1, &reached,
			 NULL, errstr_out);
	if (status == STATE_OK)
		status = run_sql(state,
				 "SELECT count(*) FROM subscribers"
				 " WHERE id > ?1",
				 NULL, &reached, 1, &value, NULL, errstr_out);
	*open_out = status == STATE_OK && value > 0;
	return status;
}

/* "sending" left by runs that are gone becomes "uncertain". */
static const char settle_sql[] =
    "UPDATE journal SET state = 'uncertain', updated_at = ?1,"
    " reply = coalesce(reply, 'the run sending it stopped before the"
    " server answered') WHERE state = 'sending'";

enum state_status
state_share_join(struct state *state, const char *digest_date, time_t now,
		 long *round_out, size_t *settled_out, char **errstr_out)
{
	long long value, ints[] = {0, 0};
	enum state_status status;
	int open = 0;

	*round_out = 0;
	*settled_out = 0;
	status = state_db_begin(state, errstr_out);
	if (status == STATE_OK)
		status =
		    run_sql(state,
			    "SELECT coalesce(max(round), 0) FROM claims"
			    " WHERE digest_date = ?1",
			    digest_date, NULL, 0, &value, NULL, errstr_out);
	if (status == STATE_OK && value > 0)
		status = round_open(state, digest_date, (long)value, now, &open,
				    errstr_out);
	if (status == STATE_OK && !open) {
		/*
		 * A new round: no other run is working, so every "sending"
		 * is a dead run's, as at the start of a run on SQLite.
		 */
		value++;
		ints[0] = (long long)now;
		status = run_sql(state, settle_sql, NULL, ints, 1, &ints[1],
				 NULL, errstr_out);
		*settled_out = (size_t)ints[1];
		if (status == STATE_OK)
			status = run_sql(state,
					 "DELETE FROM claims"
					 " WHERE digest_date <> ?1",
					 digest_date, NULL, 0, &ints[1], NULL,
					 errstr_out);
	}
	status = state_db_end(state, status, errstr_out);
	if (status == STATE_OK)
		*round_out = (long)value;
	return status;
}

/* Takes over the first claim of a dead run, if any, for run_id. */
static enum state_status
take_over(struct state *state, const char *digest_date,
	  struct state_claim *claim, time_t now, int *taken_out,
	  char **errstr_out)
{
	long long ints[] = {claim->round, (long long)now, 0, 0}, first,
		  count = 0;
	enum state_status status;

	*taken_out = 0;
	status = run_sql(state, dead_sql, digest_date, ints, 2, &first,
			 taken_out, errstr_out);
	if (status != STATE_OK || !*taken_out)
		return status;
	ints[1] = first;
	status =
	    run_sql(state,
		    "SELECT last_id FROM claims WHERE digest_date = ?1"
		    " AND round = ?2 AND first_id = ?3",
		    digest_date, ints, 2, &claim->last_id, NULL, errstr_out);
	claim->first_id = first;
	ints[2] = claim->run_id;
	if (status == STATE_OK)
		status =
		    run_sql(state,
			    "UPDATE claims SET run_id = ?4"
			    " WHERE digest_date = ?1 AND round = ?2"
			    " AND first_id = ?3",
			    digest_date, ints, 3, &count, NULL, errstr_out);
	/* The dead run's deliveries under way in the range are uncertain. */
	ints[0] = (long long)now;
	ints[1] = claim->first_id;
	ints[2] = claim->last_id;
	if (status == STATE_OK)
		status = run_sql(
		    state,
		    "UPDATE journal SET state = 'uncertain', updated_at = ?2,"
		    " reply = coalesce(reply, 'the run sending it stopped"
		    " before the server answered') WHERE digest_date = ?1"
		    " AND state = 'sending' AND email IN (SELECT email FROM"
		    " subscribers WHERE id BETWEEN ?3 AND ?4)",
		    digest_date, ints, 3, &count, NULL, errstr_out);
	claim->settled = (size_t)count;
	return status;
}

/* Hands out the next batch_size subscribers the round has not reached. */
static enum state_status
claim_new(struct state *state, const char *digest_date,
	  struct state_claim *claim, long batch_size, int *made_out,
	  char **errstr_out)
{
	long long ints[] = {claim->round, 0, 0, 0}, reached, last, count;
	enum state_status status;

	*made_out = 0;
	status = run_sql(state, reached_sql, digest_date, ints, 1, &reached,
			 NULL, errstr_out);
	ints[0] = reached;
	ints[1] = batch_size;
	if (status == STATE_OK)
		status = run_sql(state,
				 "SELECT max(id) FROM (SELECT id FROM"
				 " subscribers WHERE id > ?1 ORDER BY id"
				 " LIMIT ?2) AS batch",
				 NULL, ints, 2, &last, made_out, errstr_out);
	if (status != STATE_OK || !*made_out)
		return status;
	claim->first_id = reached + 1;
	claim->last_id = last;
	claim->settled = 0;
	ints[0] = claim->round;
	ints[1] = claim->first_id;
	ints[2] = claim->last_id;
	ints[3] = claim->run_id;
	return run_sql(state,
		       "INSERT INTO claims (digest_date, round, first_id,"
		       " last_id, run_id) VALUES (?1, ?2, ?3, ?4, ?5)",
		       digest_date, ints, 4, &count, NULL, errstr_out);
}

enum state_status
state_claim_next(struct state *state, const char *digest_date, long batch_size,
		 time_t now, struct state_claim *claim,
		 enum state_claim_result *result_out, char **errstr_out)
{
	long long ints[] = {claim->round, (long long)now, claim->run_id},
		  living = 0;
	enum state_status status;
	int got = 0;

	*result_out = STATE_CLAIM_DONE;
	claim->taken_over = 0;
	status = state_db_begin(state, errstr_out);
	if (status == STATE_OK)
		status =
		    take_over(state, digest_date, claim, now, &got, errstr_out);
	if (status == STATE_OK && got)
		claim->taken_over = 1;
	if (status == STATE_OK && !got)
		status = claim_new(state, digest_date, claim, batch_size, &got,
				   errstr_out);
	if (status == STATE_OK && !got)
		status = run_sql(state, living_sql, digest_date, ints, 3,
				 &living, NULL, errstr_out);
	status = state_db_end(state, status, errstr_out);
	if (status == STATE_OK && got)
		*result_out = STATE_CLAIM_BATCH;
	else if (status == STATE_OK && living > 0)
		*result_out = STATE_CLAIM_WAIT;
	return status;
}

enum state_status
state_claims_finish(struct state *state, long run_id, char **errstr_out)
{
	long long ints[] = {run_id}, count;

	return run_sql(state,
		       "UPDATE claims SET finished = 1 WHERE run_id = ?1", NULL,
		       ints, 1, &count, NULL, errstr_out);
}

enum state_status
state_run_renew(struct state *state, long run_id, time_t until,
		char **errstr_out)
{
	long long ints[] = {run_id, (long long)until}, count;

	return run_sql(state, "UPDATE runs SET lease_until = ?2 WHERE id = ?1",
		       NULL, ints, 2, &count, NULL, errstr_out);
}

int
state_is_shared(const struct state *state)
{
	return state->driver->shared;
}

enum state_status
state_edition_lock(struct state *state, int take, char **errstr_out)
{
	if (state->driver->edition_lock == NULL)
		return STATE_OK;
	if (state->driver->edition_lock(state, take) != 0)
		return state_db_error(state,
				      take ? "take the edition lock"
					   : "let the edition lock go",
				      errstr_out);
	return STATE_OK;
}
