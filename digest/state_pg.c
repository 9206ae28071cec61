/*
 * state_pg.c - the PostgreSQL driver of the store: statements, steps and
 * transactions over one libpq connection (state_impl.h's interface).
 * Connecting, the schema and the run lock are in state_pg_open.c.
 *
 * A statement is the shared SQL with its parameters ?N written $N, sent
 * with its values as text and their types (text or bigint), so that the
 * server never has to guess one.  Its first step runs it; the rows of the
 * result are then handed out one step at a time.
 */
#include "state_pg.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The most parameters a statement of the store has. */
#define PG_PARAMS_MAX 32
/* The types of the parameters, as the server numbers them. */
#define PG_TYPE_INT8 20
#define PG_TYPE_TEXT 25

struct pg_stmt {
	struct state_stmt base;
	char *sql;
	int param_count;
	char *values[PG_PARAMS_MAX];
	Oid types[PG_PARAMS_MAX];
	PGresult *result; /* NULL until the first step */
	int row;	  /* the current row of result */
	long long changes;
};

static struct state_pg *
pg_of(struct state *state)
{
	return state->conn;
}

void
state_pg_fail(struct state *state, const char *message)
{
	struct state_pg *pg = pg_of(state);
	char *line = xstrdup(message ? message : "unknown failure");
	size_t length;

	/* libpq's messages end in a newline and may hold more lines. */
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	length = strlen(line);
	while (length > 0 && line[length - 1] == ' ')
		line[--length] = '\0';
	free(pg->error);
	pg->error = line;
}

void
state_pg_fail_result(struct state *state, const PGresult *result)
{
	const char *primary =
	    result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	state_pg_fail(state,
		      primary ? primary : PQerrorMessage(pg_of(state)->conn));
}

/* Whether a result is a success: rows, or a command that ran. */
static int
result_ok(const PGresult *result)
{
	ExecStatusType status = PQresultStatus(result);

	return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

static int
db_exec(struct state *state, const char *sql)
{
	PGresult *result = PQexec(pg_of(state)->conn, sql);
	int ok = result_ok(result);

	if (!ok)
		state_pg_fail_result(state, result);
	PQclear(result);
	return ok ? 0 : -1;
}

/*
 * Writes sql's parameters ?N as $N (a new string, free()) and sets
 * *count_out to the highest N.  Quoted text is left alone.
 */
static char *
translate(const char *sql, int *count_out)
{
	char *copy = xstrdup(sql);
	char quote = 0;
	long number;

	*count_out = 0;
	for (char *p = copy; *p; p++) {
		if (quote) {
			quote = *p == quote ? 0 : quote;
			continue;
		}
		if (*p == '\'' || *p == '"') {
			quote = *p;
			continue;
		}
		if (*p != '?' || p[1] < '1' || p[1] > '9')
			continue;
		*p = '$';
		number = 0;
		for (const char *digit = p + 1; *digit >= '0' && *digit <= '9';
		     digit++)
			number = number * 10 + (*digit - '0');
		if (number > *count_out)
			*count_out = (int)(number < 1000 ? number : 1000);
	}
	return copy;
}

static int
db_prepare(struct state *state, const char *sql, struct state_stmt **stmt_out)
{
	struct pg_stmt *stmt = xcalloc(1, sizeof *stmt);

	stmt->base.state = state;
	stmt->sql = translate(sql, &stmt->param_count);
	*stmt_out = NULL;
	if (stmt->param_count > PG_PARAMS_MAX) {
		/* A statement of ours with too many: a bug, said plainly. */
		state_pg_fail(state, "too many parameters in a statement");
		free(stmt->sql);
		free(stmt);
		return -1;
	}
	*stmt_out = &stmt->base;
	return 0;
}

/* Keeps value (copied; NULL for SQL NULL) of type for parameter index. */
static int
bind(struct state_stmt *base, int index, const char *value, Oid type)
{
	struct pg_stmt *stmt = (struct pg_stmt *)base;

	if (index < 1 || index > stmt->param_count) {
		state_pg_fail(base->state, "no such parameter");
		return -1;
	}
	free(stmt->values[index - 1]);
	stmt->values[index - 1] = value ? xstrdup(value) : NULL;
	stmt->types[index - 1] = type;
	return 0;
}

static int
db_bind_text(struct state_stmt *stmt, int index, const char *text)
{
	return bind(stmt, index, text, PG_TYPE_TEXT);
}

static int
db_bind_int64(struct state_stmt *stmt, int index, long long value)
{
	char text[24];

	snprintf(text, sizeof text, "%lld", value);
	return bind(stmt, index, text, PG_TYPE_INT8);
}

static int
db_bind_null(struct state_stmt *stmt, int index)
{
	return bind(stmt, index, NULL, PG_TYPE_INT8);
}

/* Maps a failed result to a step: a refused key or rule, or a failure. */
static enum state_step
step_failed(struct state *state, const PGresult *result)
{
	const char *code =
	    result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;

	state_pg_fail_result(state, result);
	if (code != NULL && strcmp(code, "23505") == 0)
		return STATE_STEP_DUPLICATE;
	if (code != NULL &&
	    (strcmp(code, "23514") == 0 || strcmp(code, "23502") == 0))
		return STATE_STEP_REFUSED;
	return STATE_STEP_ERROR;
}

static enum state_step
db_step(struct state_stmt *base)
{
	struct pg_stmt *stmt = (struct pg_stmt *)base;
	const char *tuples;

	if (stmt->result == NULL) {
		stmt->result = PQexecParams(pg_of(base->state)->conn, stmt->sql,
					    stmt->param_count, stmt->types,
					    (const char *const *)stmt->values,
					    NULL, NULL, 0);
		if (!result_ok(stmt->result)) {
			enum state_step step =
			    step_failed(base->state, stmt->result);

			PQclear(stmt->result);
			stmt->result = NULL;
			return step;
		}
		tuples = PQcmdTuples(stmt->result);
		stmt->changes = tuples[0] ? strtoll(tuples, NULL, 10) : 0;
		stmt->row = -1;
	}
	if (stmt->row + 1 >= PQntuples(stmt->result))
		return STATE_STEP_DONE;
	stmt->row++;
	return STATE_STEP_ROW;
}

static const char *
db_column_text(struct state_stmt *base, int column)
{
	struct pg_stmt *stmt = (struct pg_stmt *)base;

	if (stmt->result == NULL || stmt->row < 0 ||
	    column >= PQnfields(stmt->result) ||
	    PQgetisnull(stmt->result, stmt->row, column))
		return NULL;
	return PQgetvalue(stmt->result, stmt->row, column);
}

static long long
db_column_int64(struct state_stmt *stmt, int column)
{
	const char *text = db_column_text(stmt, column);
	long value = 0;

	/* Booleans never reach here: the shared SQL gives 0 or 1. */
	if (text == NULL || util_parse_long(text, LONG_MIN, LONG_MAX, &value))
		return 0;
	return value;
}

static int
db_column_is_null(struct state_stmt *stmt, int column)
{
	return db_column_text(stmt, column) == NULL;
}

static long long
db_changes(struct state_stmt *stmt)
{
	return ((struct pg_stmt *)stmt)->changes;
}

static void
db_reset(struct state_stmt *base)
{
	struct pg_stmt *stmt = (struct pg_stmt *)base;

	PQclear(stmt->result);
	stmt->result = NULL;
	stmt->changes = 0;
	for (int i = 0; i < stmt->param_count; i++) {
		free(stmt->values[i]);
		stmt->values[i] = NULL;
		stmt->types[i] = 0;
	}
}

static void
db_finalize(struct state_stmt *base)
{
	struct pg_stmt *stmt = (struct pg_stmt *)base;

	db_reset(base);
	free(stmt->sql);
	free(stmt);
}

static const char *
db_errmsg(struct state *state)
{
	struct state_pg *pg = pg_of(state);

	return pg->error ? pg->error : "unknown failure";
}

/*
 * PostgreSQL lets writers run side by side and a row read in one
 * transaction change under it; the store's logic counts on SQLite's one
 * writer at a time (read, decide, write).  So every writing transaction
 * first takes the same transaction lock, which ends with it.
 */
static int
db_begin(struct state *state)
{
	char *sql = xasprintf("BEGIN; SELECT pg_advisory_xact_lock(%d, %d)",
			      STATE_PG_LOCK_CLASS, STATE_PG_LOCK_WRITE);
	int result = db_exec(state, sql);

	free(sql);
	/* A lock that failed leaves the transaction open: end it. */
	if (result != 0 &&
	    PQtransactionStatus(pg_of(state)->conn) != PQTRANS_IDLE)
		PQclear(PQexec(pg_of(state)->conn, "ROLLBACK"));
	return result;
}

static int
db_in_transaction(struct state *state)
{
	PGTransactionStatusType status =
	    PQtransactionStatus(pg_of(state)->conn);

	return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

const struct state_driver state_pg_driver = {
    state_pg_open,
    state_pg_close,
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
    NULL, /* no run lock: the runs share the morning */
    state_pg_ids_copied,
    state_pg_edition_lock,
    1,
};
