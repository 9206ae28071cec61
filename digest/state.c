/*
 * state.c - see state.h.  What every store shares: choosing the driver by
 * the location, the password a database server asks for, and the thin
 * statement interface of state_impl.h that the store's logic is written
 * against.
 *
 * Every statement binds its values; nothing the user typed is ever pasted
 * into SQL.
 */
#include "state_impl.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "util.h"

/*
 * The password of the database server, for every connection this process
 * opens: a run's delivery workers each open their own (deliver_route.c),
 * from the location alone.  Set once by the command before it opens the
 * store; the lock is for the workers reading it meanwhile.
 */
static pthread_mutex_t password_lock = PTHREAD_MUTEX_INITIALIZER;
static char *password;

void
state_password_set(const char *new_password)
{
	pthread_mutex_lock(&password_lock);
	secret_free(password);
	password = new_password ? xstrdup(new_password) : NULL;
	pthread_mutex_unlock(&password_lock);
}

static enum state_status
open_store(const char *location, int create, struct state **state_out,
	   char **errstr_out)
{
	struct state *state = xcalloc(1, sizeof *state);
	enum state_status status;
	char *copy = NULL;

	if (state_location_is_pg(location)) {
		state->driver = &state_pg_driver;
		state->path = state_pg_redact(location);
		/* A password belongs in a file or the environment only. */
		status = state_location_check(location, 0, errstr_out);
		if (status != STATE_OK) {
			char *reason = errstr_out ? *errstr_out : NULL;

			state_set_error(errstr_out,
					xasprintf("%s: %s", state->path,
						  reason ? reason : ""));
			free(reason);
			goto out;
		}
	} else {
		state->driver = &state_sqlite_driver;
		state->path = xstrdup(location);
	}
	pthread_mutex_lock(&password_lock);
	copy = password ? xstrdup(password) : NULL;
	pthread_mutex_unlock(&password_lock);
	status = state->driver->open(state, copy, create, errstr_out);
	secret_free(copy);
out:
	if (status != STATE_OK) {
		state_close(state);
		state = NULL;
	}
	*state_out = state;
	return status;
}

enum state_status
state_open(const char *location, struct state **state_out, char **errstr_out)
{
	return open_store(location, 1, state_out, errstr_out);
}

enum state_status
state_open_existing(const char *location, struct state **state_out,
		    char **errstr_out)
{
	return open_store(location, 0, state_out, errstr_out);
}

void
state_close(struct state *state)
{
	if (state == NULL)
		return;
	/* Other statements are finalized where they are made. */
	state_finalize(state->delivery_get);
	state_finalize(state->delivery_begin);
	state_finalize(state->delivery_finish);
	state_finalize(state->delivery_received);
	/* Not written: they stay "sending", uncertain to the next run. */
	for (size_t i = 0; i < state->later_count; i++)
		free(state->later[i].email);
	free(state->later);
	if (state->conn != NULL)
		state->driver->close(state);
	free(state->path);
	free(state);
}

const char *
state_location(const struct state *state)
{
	return state->path;
}

enum state_status
state_run_lock(struct state *state, char **errstr_out)
{
	if (state->driver->run_lock == NULL)
		return STATE_OK;
	return state->driver->run_lock(state, errstr_out);
}

void
state_set_error(char **errstr_out, char *message)
{
	if (errstr_out != NULL)
		*errstr_out = message;
	else
		free(message);
}

enum state_status
state_db_error(struct state *state, const char *doing, char **errstr_out)
{
	state_set_error(errstr_out, xasprintf("%s: %s: %s", state->path, doing,
					      state->driver->errmsg(state)));
	return STATE_EIO;
}

enum state_status
state_db_exec(struct state *state, const char *sql, const char *doing,
	      char **errstr_out)
{
	if (state->driver->exec(state, sql) != 0)
		return state_db_error(state, doing, errstr_out);
	return STATE_OK;
}

enum state_status
state_db_prepare(struct state *state, const char *sql,
		 struct state_stmt **stmt_out, char **errstr_out)
{
	if (state->driver->prepare(state, sql, stmt_out) != 0)
		return state_db_error(state, "prepare", errstr_out);
	return STATE_OK;
}

enum state_status
state_db_prepare_email(struct state *state, const char *sql, const char *email,
		       struct state_stmt **stmt_out, char **errstr_out)
{
	enum state_status status =
	    state_db_prepare(state, sql, stmt_out, errstr_out);

	if (status != STATE_OK)
		return status;
	if (state_bind_text(*stmt_out, 1, email) == 0)
		return STATE_OK;
	status = state_db_error(state, "bind", errstr_out);
	state_finalize(*stmt_out);
	*stmt_out = NULL;
	return status;
}

enum state_status
state_db_cached(struct state *state, struct state_stmt **slot, const char *sql,
		struct state_stmt **stmt_out, char **errstr_out)
{
	if (*slot == NULL) {
		enum state_status status =
		    state_db_prepare(state, sql, slot, errstr_out);

		if (status != STATE_OK)
			return status;
	}
	*stmt_out = *slot;
	return STATE_OK;
}

void
state_db_release(struct state_stmt *stmt)
{
	state_reset(stmt);
}

enum state_status
state_db_begin(struct state *state, char **errstr_out)
{
	if (state->driver->begin(state) != 0)
		return state_db_error(state, "begin", errstr_out);
	return STATE_OK;
}

enum state_status
state_db_end(struct state *state, enum state_status status, char **errstr_out)
{
	if (status == STATE_OK)
		status = state_db_exec(state, "COMMIT", "commit", errstr_out);
	if (status != STATE_OK)
		state_db_rollback(state);
	return status;
}

/* Rolls back after a failure, keeping the first error's message. */
void
state_db_rollback(struct state *state)
{
	if (state->driver->in_transaction(state))
		(void)state->driver->exec(state, "ROLLBACK");
}

int
state_bind_text(struct state_stmt *stmt, int index, const char *text)
{
	return stmt->state->driver->bind_text(stmt, index, text);
}

int
state_bind_int64(struct state_stmt *stmt, int index, long long value)
{
	return stmt->state->driver->bind_int64(stmt, index, value);
}

int
state_bind_null(struct state_stmt *stmt, int index)
{
	return stmt->state->driver->bind_null(stmt, index);
}

enum state_step
state_step(struct state_stmt *stmt)
{
	return stmt->state->driver->step(stmt);
}

long long
state_changes(struct state_stmt *stmt)
{
	return stmt->state->driver->changes(stmt);
}

void
state_reset(struct state_stmt *stmt)
{
	if (stmt != NULL)
		stmt->state->driver->reset(stmt);
}

void
state_finalize(struct state_stmt *stmt)
{
	if (stmt != NULL)
		stmt->state->driver->finalize(stmt);
}

char *
state_column_text(struct state_stmt *stmt, int column)
{
	const char *text = state_column_peek(stmt, column);

	return text ? xstrdup(text) : NULL;
}

const char *
state_column_peek(struct state_stmt *stmt, int column)
{
	return stmt->state->driver->column_text(stmt, column);
}

long long
state_column_int64(struct state_stmt *stmt, int column)
{
	return stmt->state->driver->column_int64(stmt, column);
}

int
state_column_is_null(struct state_stmt *stmt, int column)
{
	return stmt->state->driver->column_is_null(stmt, column);
}

/* An address as the store accepts it: normalised by the caller already. */
int
state_email_acceptable(const char *email)
{
	const unsigned char *cursor;

	if (email == NULL || email[0] == '\0' || strchr(email, '@') == NULL)
		return 0;
	for (cursor = (const unsigned char *)email; *cursor; cursor++)
		if (*cursor <= ' ' || *cursor == 0x7f)
			return 0;
	return 1;
}
