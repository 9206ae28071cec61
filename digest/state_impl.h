/*
 * state_impl.h - what the files of the SQLite store (state*.c) share
 * behind the opaque struct state of state.h: the handle, and small helpers
 * that bind every value and turn SQLite's failures into one line naming
 * the database.  Only state*.c include it.
 */
#ifndef DIGEST_STATE_IMPL_H
#define DIGEST_STATE_IMPL_H

#include <sqlite3.h>

#include "state.h"

struct state {
	sqlite3 *db;
	char *path;
	/* Prepared once, reset after each use: these run per subscriber. */
	sqlite3_stmt *delivery_get;
	sqlite3_stmt *delivery_begin;
};

/* Hands message (free()) to *errstr_out, or frees it when that is NULL. */
void state_set_error(char **errstr_out, char *message);

/* Reports a failure: the path, what was being done, SQLite's words. */
enum state_status state_db_error(struct state *state, const char *doing,
				 char **errstr_out);

/* Runs SQL without results (one or more statements). */
enum state_status state_db_exec(struct state *state, const char *sql,
				const char *doing, char **errstr_out);

/* Prepares sql into *stmt_out (sqlite3_finalize()). */
enum state_status state_db_prepare(struct state *state, const char *sql,
				   sqlite3_stmt **stmt_out, char **errstr_out);

/*
 * Returns in *stmt_out the statement kept in *slot, preparing it on first
 * use; hand it back with state_db_release() instead of finalizing.
 */
enum state_status state_db_cached(struct state *state, sqlite3_stmt **slot,
				  const char *sql, sqlite3_stmt **stmt_out,
				  char **errstr_out);

/* Resets a cached statement and clears its bindings; NULL is fine. */
void state_db_release(sqlite3_stmt *stmt);

/* Rolls back an open transaction after a failure. */
void state_db_rollback(struct state *state);

/* Binds text, or SQL NULL when text is NULL; SQLite copies it. */
int state_bind_text(sqlite3_stmt *stmt, int index, const char *text);

/* A copy of a text column (free()), or NULL for SQL NULL. */
char *state_column_text(sqlite3_stmt *stmt, int column);

/* An address as the store accepts it: normalised by the caller already. */
int state_email_acceptable(const char *email);

/* A digest date is a calendar day, "YYYY-MM-DD". */
int state_date_acceptable(const char *date);

#endif
