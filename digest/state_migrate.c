/*
 * state_migrate.c - copying a whole store into another (`digest state
 * migrate`): a SQLite installation moving to PostgreSQL.  Written against
 * the statement interface of state_impl.h, so it copies between any two
 * stores of the same schema version.
 */
#include "state_impl.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * Every table of schema version 4 with its columns and their kinds (i:
 * integer, t: text), in an order that keeps the one foreign key (items
 * to editions) satisfied.
 */
static const struct {
	const char *table;
	const char *columns;
	const char *kinds;
} tables[STATE_COPY_TABLES] = {
    {"subscribers",
     "id, email, name, provider, language, format, active, created_at,"
     " updated_at, last_edition, failure_days, last_failure_date,"
     " last_failure, deactivated_at, confirmed_at, origin, prompted_at,"
     " unsubscribed_at",
     "itttttiiiiittiitii"},
    {"journal",
     "email, digest_date, state, provider, first_edition, last_edition,"
     " message_id, attempts, reply, updated_at",
     "ttttiititi"},
    {"editions", "id, digest_date, created_at, item_count", "itii"},
    {"items",
     "id, edition, story, link, title_key, source, title, summary,"
     " published_at, first_seen, last_seen",
     "iittttttiii"},
    {"runs",
     "id, digest_date, host, pid, started_at, finished_at, sent,"
     " temp_failed, perm_failed, uncertain, skipped, nothing_new,"
     " exit_code",
     "ittiiiiiiiiii"},
    {"sources",
     "id, last_success, last_attempt, failures, last_error, etag,"
     " last_modified",
     "tiiittt"},
    {"signups", "email, name, provider, language, format, requested_at",
     "ttttti"},
    {"suppressions", "hash, erased_at", "ti"},
};

/*
 * Version 5's claims, leases and sends are the running morning's, not
 * copied: state migrate runs with no digest send under way.
 */
_Static_assert(STATE_SCHEMA_VERSION == 5,
	       "a new schema version may add tables or columns to copy");

/* Whether table has any row: 1, 0, or -1 after a failure. */
static int
has_rows(struct state *state, const char *table, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	/* Our own table name, not the user's text. */
	char *sql = xasprintf("SELECT 1 FROM %s LIMIT 1", table);
	enum state_step step;
	int result = -1;

	if (state_db_prepare(state, sql, &stmt, errstr_out) == STATE_OK) {
		step = state_step(stmt);
		if (step == STATE_STEP_ROW || step == STATE_STEP_DONE)
			result = step == STATE_STEP_ROW;
		else
			state_db_error(state, "read", errstr_out);
	}
	state_finalize(stmt);
	free(sql);
	return result;
}

/* The INSERT of a row of table i: "INSERT ... VALUES (?1, ..., ?N)". */
static char *
insert_sql(size_t i)
{
	struct buf sql = BUF_INIT;
	size_t count = strlen(tables[i].kinds);

	buf_printf(&sql, "INSERT INTO %s (%s) VALUES (", tables[i].table,
		   tables[i].columns);
	for (size_t column = 1; column <= count; column++)
		buf_printf(&sql, "%s?%zu", column > 1 ? ", " : "", column);
	buf_puts(&sql, ")");
	return buf_detach(&sql);
}

/* Binds the current row of from, column by column, to insert. */
static int
bind_row(struct state_stmt *from, struct state_stmt *insert, const char *kinds)
{
	int result = 0;

	state_reset(insert);
	for (int column = 0; result == 0 && kinds[column]; column++) {
		if (kinds[column] == 't')
			result =
			    state_bind_text(insert, column + 1,
					    state_column_peek(from, column));
		else if (state_column_is_null(from, column))
			result = state_bind_null(insert, column + 1);
		else
			result =
			    state_bind_int64(insert, column + 1,
					     state_column_int64(from, column));
	}
	return result;
}

/* Copies table i, row by row; *rows_out counts them. */
static enum state_status
copy_table(struct state *from, struct state *to, size_t i, long long *rows_out,
	   char **errstr_out)
{
	struct state_stmt *select = NULL, *insert = NULL;
	char *select_sql =
	    xasprintf("SELECT %s FROM %s", tables[i].columns, tables[i].table);
	char *insert_text = insert_sql(i);
	enum state_status status;
	enum state_step step = STATE_STEP_DONE;

	*rows_out = 0;
	status = state_db_prepare(from, select_sql, &select, errstr_out);
	if (status == STATE_OK)
		status = state_db_prepare(to, insert_text, &insert, errstr_out);
	while (status == STATE_OK &&
	       (step = state_step(select)) == STATE_STEP_ROW) {
		if (bind_row(select, insert, tables[i].kinds) != 0 ||
		    state_step(insert) != STATE_STEP_DONE)
			status =
			    state_db_error(to, tables[i].table, errstr_out);
		else
			(*rows_out)++;
	}
	if (status == STATE_OK && step != STATE_STEP_DONE)
		status = state_db_error(from, tables[i].table, errstr_out);
	state_finalize(select);
	state_finalize(insert);
	free(select_sql);
	free(insert_text);
	return status;
}

/* Refuses a target that holds anything: a copy never merges. */
static enum state_status
check_empty(struct state *to, char **errstr_out)
{
	for (size_t i = 0; i < STATE_COPY_TABLES; i++) {
		int rows = has_rows(to, tables[i].table, errstr_out);

		if (rows < 0)
			return STATE_EIO;
		if (rows > 0) {
			state_set_error(
			    errstr_out,
			    xasprintf("%s is not empty (its table %s has rows):"
				      " migrate copies into an empty store"
				      " only",
				      to->path, tables[i].table));
			return STATE_EEXISTS;
		}
	}
	return STATE_OK;
}

/*
 * Both stores hold their write lock throughout, so that nothing changes
 * the source halfway and the target is all or nothing.
 */
enum state_status
state_migrate(struct state *from, struct state *to,
	      struct state_copy_count counts_out[STATE_COPY_TABLES],
	      char **errstr_out)
{
	enum state_status status;

	memset(counts_out, 0, STATE_COPY_TABLES * sizeof *counts_out);
	status = state_db_begin(to, errstr_out);
	if (status == STATE_OK)
		status = state_db_begin(from, errstr_out);
	if (status == STATE_OK)
		status = check_empty(to, errstr_out);
	for (size_t i = 0; status == STATE_OK && i < STATE_COPY_TABLES; i++) {
		counts_out[i].table = tables[i].table;
		status =
		    copy_table(from, to, i, &counts_out[i].rows, errstr_out);
	}
	if (status == STATE_OK && to->driver->ids_copied(to) != 0)
		status = state_db_error(to, "set the next ids", errstr_out);
	state_db_rollback(from);
	return state_db_end(to, status, errstr_out);
}
