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
	sqlite3_stmt *stmt = NULL;
	enum state_status status;

	*id_out = 0;
	status = state_db_prepare(state,
				  "INSERT INTO runs (digest_date, host, pid,"
				  " started_at) VALUES (?1, ?2, ?3, ?4)",
				  &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	if (state_bind_text(stmt, 1, digest_date) != SQLITE_OK ||
	    state_bind_text(stmt, 2, host) != SQLITE_OK ||
	    sqlite3_bind_int64(stmt, 3, pid) != SQLITE_OK ||
	    sqlite3_bind_int64(stmt, 4, (sqlite3_int64)now) != SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_DONE)
		status = state_db_error(state, "record the run", errstr_out);
	else
		*id_out = (long)sqlite3_last_insert_rowid(state->db);
	sqlite3_finalize(stmt);
	return status;
}

enum state_status
state_run_end(struct state *state, const struct run_record *run,
	      char **errstr_out)
{
	sqlite3_stmt *stmt = NULL;
	enum state_status status;
	const sqlite3_int64 values[] = {
	    run->finished_at, run->sent,      run->temp_failed,
	    run->perm_failed, run->uncertain, run->skipped,
	    run->nothing_new, run->exit_code, run->id};
	int result = SQLITE_OK;

	status = state_db_prepare(
	    state,
	    "UPDATE runs SET finished_at = ?1, sent = ?2, temp_failed = ?3,"
	    " perm_failed = ?4, uncertain = ?5, skipped = ?6,"
	    " nothing_new = ?7, exit_code = ?8 WHERE id = ?9",
	    &stmt, errstr_out);
	if (status != STATE_OK)
		return status;
	for (int i = 0; result == SQLITE_OK && i < 9; i++)
		result = sqlite3_bind_int64(stmt, i + 1, values[i]);
	if (result != SQLITE_OK || sqlite3_step(stmt) != SQLITE_DONE)
		status = state_db_error(state, "record the run", errstr_out);
	sqlite3_finalize(stmt);
	return status;
}

static void
read_run(sqlite3_stmt *stmt, struct run_record *run)
{
	const char *date = (const char *)sqlite3_column_text(stmt, 1);
	long *counts[] = {&run->sent,	     &run->temp_failed,
			  &run->perm_failed, &run->uncertain,
			  &run->skipped,     &run->nothing_new};

	memset(run, 0, sizeof *run);
	run->id = (long)sqlite3_column_int64(stmt, 0);
	util_strlcpy(run->digest_date, date ? date : "",
		     sizeof run->digest_date);
	run->host = state_column_text(stmt, 2);
	run->pid = (long)sqlite3_column_int64(stmt, 3);
	run->started_at = (time_t)sqlite3_column_int64(stmt, 4);
	run->finished_at = (time_t)sqlite3_column_int64(stmt, 5);
	for (int i = 0; i < 6; i++)
		*counts[i] = (long)sqlite3_column_int64(stmt, 6 + i);
	run->exit_code = sqlite3_column_type(stmt, 12) == SQLITE_NULL
			     ? -1
			     : sqlite3_column_int(stmt, 12);
}

enum state_status
state_runs_recent(struct state *state, size_t count, struct run_list *list_out,
		  char **errstr_out)
{
	sqlite3_stmt *stmt = NULL;
	enum state_status status;
	int result = SQLITE_DONE;

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
	if (sqlite3_bind_int64(stmt, 1, (sqlite3_int64)count) != SQLITE_OK) {
		status = state_db_error(state, "bind", errstr_out);
		goto out;
	}
	while (list_out->count < count &&
	       (result = sqlite3_step(stmt)) == SQLITE_ROW)
		read_run(stmt, &list_out->runs[list_out->count++]);
	if (list_out->count < count && result != SQLITE_DONE)
		status = state_db_error(state, "read runs", errstr_out);
out:
	sqlite3_finalize(stmt);
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
