/*
 * state_impl.h - what the files of the store (state*.c) share behind the
 * opaque struct state of state.h.
 *
 * The store's logic (state_subscribers.c, state_journal.c, ...) is written
 * once, against the small statement interface below; a driver carries it
 * to a database: SQLite (state_sqlite*.c) or PostgreSQL (state_pg*.c).
 * Their SQL is the dialect both understand: numbered parameters ?1, ?2
 * (the PostgreSQL driver writes them $1, $2), ON CONFLICT, RETURNING, IS
 * DISTINCT FROM, CASE where one of them lacks a function.  Only the
 * schema is written twice, once for each.  Neither library's header is
 * included here: only the driver's own files see it.  Only state*.c
 * include this file.
 */
#ifndef DIGEST_STATE_IMPL_H
#define DIGEST_STATE_IMPL_H

#include "state.h"

/*
 * The version of the schema this digest knows, in both stores: SQLite's
 * PRAGMA user_version, PostgreSQL's row in the meta table.  A store of a
 * newer version is refused.
 */
#define STATE_SCHEMA_VERSION 5

/* What one step of a statement came to. */
enum state_step {
	STATE_STEP_ERROR = -1, /* a failure; the driver's errmsg() says which */
	STATE_STEP_DONE = 0,   /* no (more) rows */
	STATE_STEP_ROW,	       /* a row to read with state_column_*() */
	STATE_STEP_DUPLICATE,  /* a unique key refused the row */
	STATE_STEP_REFUSED     /* a CHECK or NOT NULL rule refused it */
};

/* A prepared statement; each driver's own begins with this. */
struct state_stmt {
	struct state *state;
};

/*
 * A driver: the calls the store makes of a database.  The int functions
 * return 0 on success and -1 on failure, after which errmsg() tells why.
 */
struct state_driver {
	/*
	 * Connects to state->path (create: make the database and its schema
	 * when there is none) and brings the schema up to date.  password
	 * may be NULL.  STATE_ENOTFOUND when !create and there is no store.
	 */
	enum state_status (*open)(struct state *state, const char *password,
				  int create, char **errstr_out);
	void (*close)(struct state *state);
	int (*exec)(struct state *state, const char *sql);
	int (*prepare)(struct state *state, const char *sql,
		       struct state_stmt **stmt_out);
	int (*bind_text)(struct state_stmt *stmt, int index, const char *text);
	int (*bind_int64)(struct state_stmt *stmt, int index, long long value);
	/* Binds SQL NULL where an integer goes. */
	int (*bind_null)(struct state_stmt *stmt, int index);
	enum state_step (*step)(struct state_stmt *stmt);
	/* The text of a column of the current row; NULL for SQL NULL. */
	const char *(*column_text)(struct state_stmt *stmt, int column);
	long long (*column_int64)(struct state_stmt *stmt, int column);
	int (*column_is_null)(struct state_stmt *stmt, int column);
	/* The rows the last step of an INSERT, UPDATE or DELETE changed. */
	long long (*changes)(struct state_stmt *stmt);
	/* Makes the statement ready to run again, its bindings cleared. */
	void (*reset)(struct state_stmt *stmt);
	void (*finalize)(struct state_stmt *stmt);
	const char *(*errmsg)(struct state *state);
	/*
	 * Begins a transaction that writes: it waits for any other writer
	 * to finish first (SQLite's BEGIN IMMEDIATE, a transaction lock on
	 * PostgreSQL), so that a read inside it stays true until it commits.
	 */
	int (*begin)(struct state *state);
	int (*in_transaction)(struct state *state);
	/* See state_run_lock(); NULL for a shared store. */
	enum state_status (*run_lock)(struct state *state, char **errstr_out);
	/*
	 * Rows were copied in with their ids (state_migrate()): the ids
	 * made next must follow them.
	 */
	int (*ids_copied)(struct state *state);
	/* See state_edition_lock(); NULL where the run lock does it. */
	int (*edition_lock)(struct state *state, int take);
	/* Several runs share a morning (state_is_shared()). */
	int shared;
};

struct state {
	const struct state_driver *driver;
	void *conn; /* the driver's connection */
	char *path; /* the location, as every message names it */
	/* Prepared once, reset after each use: these run per subscriber. */
	struct state_stmt *delivery_get;
	struct state_stmt *delivery_begin;
	struct state_stmt *delivery_finish;
	struct state_stmt *delivery_received;
	/* Successes noted by state_delivery_sent_later(), not yet written. */
	struct state_sent_later *later;
	size_t later_count, later_capacity;
};

struct state_sent_later {
	char *email;
	char digest_date[11];
	time_t at;
};

extern const struct state_driver state_sqlite_driver;
extern const struct state_driver state_pg_driver;

/* state_pg_location.c: where the store is. */

/* Whether location names a PostgreSQL database (postgresql:// or postgres://).
 */
int state_location_is_pg(const char *location);

/*
 * The location as a message may show it (free()): a URL's password, if
 * one slipped in, replaced by "***".
 */
char *state_pg_redact(const char *location);

/*
 * The password in a PostgreSQL URL (free()), from its user part or a
 * password= parameter, or NULL: for taking it out of messages.
 */
char *state_pg_url_password(const char *location);

/* Hands message (free()) to *errstr_out, or frees it when that is NULL. */
void state_set_error(char **errstr_out, char *message);

/* Reports a failure: the path, what was being done, the database's words. */
enum state_status state_db_error(struct state *state, const char *doing,
				 char **errstr_out);

/* Runs SQL without results (one or more statements). */
enum state_status state_db_exec(struct state *state, const char *sql,
				const char *doing, char **errstr_out);

/* Prepares sql into *stmt_out (state_finalize()). */
enum state_status state_db_prepare(struct state *state, const char *sql,
				   struct state_stmt **stmt_out,
				   char **errstr_out);

/*
 * Prepares sql with ?1 bound to email (the query of one address) into
 * *stmt_out (state_finalize()); on failure nothing is left to finalize.
 */
enum state_status state_db_prepare_email(struct state *state, const char *sql,
					 const char *email,
					 struct state_stmt **stmt_out,
					 char **errstr_out);

/*
 * Returns in *stmt_out the statement kept in *slot, preparing it on first
 * use; hand it back with state_db_release() instead of finalizing.
 */
enum state_status state_db_cached(struct state *state, struct state_stmt **slot,
				  const char *sql, struct state_stmt **stmt_out,
				  char **errstr_out);

/* Resets a cached statement and clears its bindings; NULL is fine. */
void state_db_release(struct state_stmt *stmt);

/* Begins a transaction that writes (see struct state_driver's begin). */
enum state_status state_db_begin(struct state *state, char **errstr_out);

/* Commits, or rolls back when status says something failed before. */
enum state_status state_db_end(struct state *state, enum state_status status,
			       char **errstr_out);

/* Rolls back an open transaction after a failure. */
void state_db_rollback(struct state *state);

/* Binds text, or SQL NULL when text is NULL; the value is copied. */
int state_bind_text(struct state_stmt *stmt, int index, const char *text);
int state_bind_int64(struct state_stmt *stmt, int index, long long value);
int state_bind_null(struct state_stmt *stmt, int index);

enum state_step state_step(struct state_stmt *stmt);
long long state_changes(struct state_stmt *stmt);
void state_reset(struct state_stmt *stmt);
void state_finalize(struct state_stmt *stmt);

/* A copy of a text column (free()), or NULL for SQL NULL. */
char *state_column_text(struct state_stmt *stmt, int column);
/* The column's text itself, valid until the next step; NULL for NULL. */
const char *state_column_peek(struct state_stmt *stmt, int column);
long long state_column_int64(struct state_stmt *stmt, int column);
int state_column_is_null(struct state_stmt *stmt, int column);

/* An address as the store accepts it: normalised by the caller already. */
int state_email_acceptable(const char *email);

/* A digest date is a calendar day, "YYYY-MM-DD". */
int state_date_acceptable(const char *date);

#endif
