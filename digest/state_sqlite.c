/*
 * state_sqlite.c - the SQLite driver of the store: statements, steps and
 * transactions over one sqlite3 connection (state_impl.h's interface).
 * Opening, the schema and the run lock are in state_sqlite_open.c.
 */
#include "state_sqlite.h"

#include <stdlib.h>

#include "util.h"

struct sqlite_stmt {
	struct state_stmt base;
	sqlite3_stmt *stmt;
	long long changes; /* after the last step */
};

static sqlite3 *
db_of(struct state *state)
{
	return ((struct state_sqlite *)state->conn)->db;
}

static sqlite3_stmt *
stmt_of(struct state_stmt *stmt)
{
	return ((struct sqlite_stmt *)stmt)->stmt;
}

static int
db_exec(struct state *state, const char *sql)
{
	return sqlite3_exec(db_of(state), sql, NULL, NULL, NULL) == SQLITE_OK
		   ? 0
		   : -1;
}

static int
db_prepare(struct state *state, const char *sql, struct state_stmt **stmt_out)
{
	struct sqlite_stmt *stmt = xcalloc(1, sizeof *stmt);

	*stmt_out = NULL;
	if (sqlite3_prepare_v2(db_of(state), sql, -1, &stmt->stmt, NULL) !=
	    SQLITE_OK) {
		sqlite3_finalize(stmt->stmt);
		free(stmt);
		return -1;
	}
	stmt->base.state = state;
	*stmt_out = &stmt->base;
	return 0;
}

static int
db_bind_text(struct state_stmt *stmt, int index, const char *text)
{
	int result = text == NULL
			 ? sqlite3_bind_null(stmt_of(stmt), index)
			 : sqlite3_bind_text(stmt_of(stmt), index, text, -1,
					     SQLITE_TRANSIENT);

	return result == SQLITE_OK ? 0 : -1;
}

static int
db_bind_int64(struct state_stmt *stmt, int index, long long value)
{
	return sqlite3_bind_int64(stmt_of(stmt), index, (sqlite3_int64)value) ==
		       SQLITE_OK
		   ? 0
		   : -1;
}

static int
db_bind_null(struct state_stmt *stmt, int index)
{
	return sqlite3_bind_null(stmt_of(stmt), index) == SQLITE_OK ? 0 : -1;
}

static enum state_step
db_step(struct state_stmt *base)
{
	struct sqlite_stmt *stmt = (struct sqlite_stmt *)base;
	int result = sqlite3_step(stmt->stmt);

	stmt->changes = sqlite3_changes(db_of(base->state));
	switch (result) {
	case SQLITE_ROW:
		return STATE_STEP_ROW;
	case SQLITE_DONE:
		return STATE_STEP_DONE;
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return STATE_STEP_DUPLICATE;
	case SQLITE_CONSTRAINT_CHECK:
	case SQLITE_CONSTRAINT_NOTNULL:
		return STATE_STEP_REFUSED;
	default:
		return STATE_STEP_ERROR;
	}
}

static const char *
db_column_text(struct state_stmt *stmt, int column)
{
	return (const char *)sqlite3_column_text(stmt_of(stmt), column);
}

static long long
db_column_int64(struct state_stmt *stmt, int column)
{
	return (long long)sqlite3_column_int64(stmt_of(stmt), column);
}

static int
db_column_is_null(struct state_stmt *stmt, int column)
{
	return sqlite3_column_type(stmt_of(stmt), column) == SQLITE_NULL;
}

static long long
db_changes(struct state_stmt *stmt)
{
	return ((struct sqlite_stmt *)stmt)->changes;
}

static void
db_reset(struct state_stmt *stmt)
{
	sqlite3_reset(stmt_of(stmt));
	sqlite3_clear_bindings(stmt_of(stmt));
}

static void
db_finalize(struct state_stmt *stmt)
{
	sqlite3_finalize(stmt_of(stmt));
	free(stmt);
}

static const char *
db_errmsg(struct state *state)
{
	return sqlite3_errmsg(db_of(state));
}

/* IMMEDIATE: take the write lock now, not halfway through. */
static int
db_begin(struct state *state)
{
	return db_exec(state, "BEGIN IMMEDIATE");
}

static int
db_in_transaction(struct state *state)
{
	return sqlite3_get_autocommit(db_of(state)) == 0;
}

/* SQLite takes the next id from the largest in the table: nothing to do. */
static int
db_ids_copied(struct state *state)
{
	(void)state;
	return 0;
}

const struct state_driver state_sqlite_driver = {
    state_sqlite_open,
    state_sqlite_close,
    db_exec,
    db_prepare,
    db_bind_text,
    db_bind_int64,
    db_bind_null,
    db_step,
    db_column_text,
    db_column_int64,
    db_column_is_null,
    db_changes,
    db_reset,
    db_finalize,
    db_errmsg,
    db_begin,
    db_in_transaction,
    state_sqlite_run_lock,
    db_ids_copied,
    NULL, /* the run lock keeps runs apart */
    0,
};
