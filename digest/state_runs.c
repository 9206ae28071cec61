/*
 * state_runs.c - the record of `digest send` runs in the SQLite store:
 * see state.h for the calls, state_impl.h for what the store's files
 * share.
 */
#include "state_impl.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

enum state_status
state_run_begin(struct state *state, const char *digest_date, const char *host,
		long pid, time_t now, long *id_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	*id_out = 0;
	status = state_db_prepare(state,
				  "INSERT INTO runs (digest_date, host, pid,"
				  " started_at) VALUES (?1, ?2, ?3, ?4)"
				  " RETURNING id",
				  &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, digest_date) != 0 ||
	    state_bind_text(stmt, 2, host) != 0 ||
	    state_bind_int64(stmt, 3, pid) != 0 ||
	    state_bind_int64(stmt, 4, (long long)now) != 0 ||
	    state_step(stmt) != STATE_STEP_ROW)
		status = state_db_error(state, "record the run", errstr_out);
	else
		*id_out = (long)state_column_int64(stmt, 0);
	state_finalize(stmt);
	return status;
}

enum state_status
state_run_end(struct state *state, const struct run_record *run,
	      char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	const long long values[] = {
	    run->finished_at, run->sent,      run->temp_failed,
	    run->perm_failed, run->uncertain, run->skipped,
	    run->nothing_new, run->exit_code, run->id};
	int result = 0;

	status = state_db_prepare(
	    state,
	    "UPDATE runs SET finished_at = ?1, sent = ?2, temp_failed = ?3,"
	    " perm_failed = ?4, uncertain = ?5, skipped = ?6,"
	    " nothing_new = ?7, exit_code = ?8 WHERE id = ?9",
	    &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	for (int i = 0; result == 0 && i < 9; i++)
		result = state_bind_int64(stmt, i + 1, values[i]);
	if (result != 0 || state_step(stmt) != STATE_STEP_DONE)
		status = state_db_error(state, "record the run", errstr_out);
	state_finalize(stmt);
	return status;
}

static void
read_run(struct state_stmt *stmt, struct run_record *run)
{
	const char *date = state_column_peek(stmt, 1);
	long *counts[] = {&run->sent,	     &run->temp_failed,
			  &run->perm_failed, &run->uncertain,
			  &run->skipped,     &run->nothing_new};

	memset(run, 0, sizeof *run);
	run->id = (long)state_column_int64(stmt, 0);
	util_strlcpy(run->digest_date, date ? date : "",
		     sizeof run->digest_date);
	run->host = state_column_text(stmt, 2);
	run->pid = (long)state_column_int64(stmt, 3);
	run->started_at = (time_t)state_column_int64(stmt, 4);
	run->finished_at = (time_t)state_column_int64(stmt, 5);
	for (int i = 0; i < 6; i++)
		*counts[i] = (long)state_column_int64(stmt, 6 + i);
	run->exit_code =
	    state_column_is_null(stmt, 12) ? -1 : state_column_int64(stmt, 12);
}

enum state_status
state_runs_recent(struct state *state, size_t count, struct run_list *list_out,
		  char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;
	int result = STATE_STEP_DONE;

	memset(list_out, 0, sizeof *list_out);
	status = state_db_prepare(
	    state,
	    "SELECT id, digest_date, host, pid, started_at,"
	    " coalesce(finished_at, 0), sent, temp_failed, perm_failed,"
	    " uncertain, skipped, nothing_new, exit_code FROM runs"
	    " ORDER BY id DESC LIMIT ?1",
	    &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	list_out->runs = xcalloc(count ? count : 1, sizeof *list_out->runs);
	if (state_bind_int64(stmt, 1, (long long)count) != 0) {
		status = state_db_error(state, "bind", errstr_out);
		goto out;
	}
	while (list_out->count < count &&
	       (result = state_step(stmt)) == STATE_STEP_ROW)
		read_run(stmt, &list_out->runs[list_out->count++]);
	if (list_out->count < count && result != STATE_STEP_DONE)
		status = state_db_error(state, "read runs", errstr_out);
out:
	state_finalize(stmt);
	if (status != STATE_OK)
		state_run_list_clear(list_out);
	return status;
}

void
state_run_list_clear(struct run_list *list)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < list->count; i++)
		free(list->runs[i].host);
	free(list->runs);
	memset(list, 0, sizeof *list);
}
