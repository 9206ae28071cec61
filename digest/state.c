/*
 * state.c - see state.h.  The SQLite store.
 *
 * Every statement binds its values; nothing the user typed is ever pasted
 * into SQL.  The schema version lives in PRAGMA user_version and grows one
 * migration at a time, each inside its own transaction.
 */
#include "state.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct state {
	sqlite3 *db;
	char *path;
	/* Prepared once, reset after each use: these run per subscriber. */
	sqlite3_stmt *was_sent;
	sqlite3_stmt *mark_sent;
};

/*
 * The schema, one entry per version: migrations[0] takes a database from
 * version 0 (empty) to version 1, and so on.  Append to add a version;
 * never edit one that has shipped.
 */
static const char *const migrations[] = {
    /* 1: subscribers and the delivery record. */
    "CREATE TABLE subscribers ("
    " id INTEGER PRIMARY KEY,"
    " email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    " name TEXT,"
    " provider TEXT,"
    " language TEXT NOT NULL CHECK (language IN ('nl', 'en')),"
    " format TEXT NOT NULL CHECK (format IN ('both', 'text', 'html')),"
    " active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL);"
    "CREATE INDEX subscribers_provider ON subscribers (provider);"
    /*
     * No foreign key to subscribers: the record of what was sent outlives
     * a subscriber who leaves and comes back on the same day.
     */
    "CREATE TABLE deliveries ("
    " email TEXT NOT NULL COLLATE NOCASE,"
    " digest_date TEXT NOT NULL,"
    " message_id TEXT,"
    " sent_at INTEGER NOT NULL,"
    " PRIMARY KEY (email, digest_date));",
};

#define STATE_SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

static void
set_error(char **errstr_out, char *message)
{
	if (errstr_out != NULL)
		*errstr_out = message;
	else
		free(message);
}

/* Reports a database failure: the path, what was being done, SQLite's word. */
static enum state_status
db_error(struct state *state, const char *doing, char **errstr_out)
{
	set_error(errstr_out, xasprintf("%s: %s: %s", state->path, doing,
					sqlite3_errmsg(state->db)));
	return STATE_EIO;
}

static enum state_status
db_exec(struct state *state, const char *sql, const char *doing,
	char **errstr_out)
{
	if (sqlite3_exec(state->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(state, doing, errstr_out);
	return STATE_OK;
}

static enum state_status
db_prepare(struct state *state, const char *sql, sqlite3_stmt **stmt_out,
	   char **errstr_out)
{
	if (sqlite3_prepare_v2(state->db, sql, -1, stmt_out, NULL) != SQLITE_OK)
		return db_error(state, "prepare", errstr_out);
	return STATE_OK;
}

/*
 * Returns in *stmt_out the statement kept in *slot, preparing it on first
 * use.  The caller hands it back with db_release() instead of finalizing.
 */
static enum state_status
db_cached(struct state *state, sqlite3_stmt **slot, const char *sql,
	  sqlite3_stmt **stmt_out, char **errstr_out)
{
	if (*slot == NULL) {
		enum state_status status =
		    db_prepare(state, sql, slot, errstr_out);

		if (status != STATE_OK)
			return status;
	}
	*stmt_out = *slot;
	return STATE_OK;
}

static void
db_release(sqlite3_stmt *stmt)
{
	if (stmt == NULL)
		return;
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

/* Binds text, or SQL NULL when text is NULL; SQLite copies it. */
static int
bind_text(sqlite3_stmt *stmt, int index, const char *text)
{
	if (text == NULL)
		return sqlite3_bind_null(stmt, index);
	return sqlite3_bind_text(stmt, index, text, -1, SQLITE_TRANSIENT);
}

/* Rolls back after a failure, keeping the first error's message. */
static void
db_rollback(struct state *state)
{
	if (sqlite3_get_autocommit(state->db) == 0)
		(void)sqlite3_exec(state->db, "ROLLBACK", NULL, NULL, NULL);
}

static enum state_status
read_user_version(struct state *state, int *version_out, char **errstr_out)
{
	sqlite3_stmt *stmt = NULL;
	enum state_status status;

	status = db_prepare(state, "PRAGMA user_version", &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		status = db_error(state, "read schema version", errstr_out);
		goto out;
	}
	*version_out = sqlite3_column_int(stmt, 0);
out:
	sqlite3_finalize(stmt);
	return status;
}

static enum state_status
check_version(struct state *state, int version, char **errstr_out)
{
	if (version < 0 || version > STATE_SCHEMA_VERSION) {
		set_error(errstr_out,
			  xasprintf("%s: schema version %d is newer than this "
				    "digest knows (%d): use a newer digest",
				    state->path, version,
				    STATE_SCHEMA_VERSION));
		return STATE_EIO;
	}
	return STATE_OK;
}

/*
 * Brings the schema up to date one step at a time.  Each step re-reads the
 * version inside its write transaction, so two processes opening a fresh
 * file at once do not both run the same migration.
 */
static enum state_status
migrate(struct state *state, char **errstr_out)
{
	enum state_status status = STATE_OK;
	char *set_version = NULL;
	int version = 0;

	for (;;) {
		status = db_exec(state, "BEGIN IMMEDIATE", "begin migration",
				 errstr_out);
		if (status != STATE_OK)
			goto out;
		status = read_user_version(state, &version, errstr_out);
		if (status == STATE_OK)
			status = check_version(state, version, errstr_out);
		if (status != STATE_OK)
			goto out;
		if (version == STATE_SCHEMA_VERSION)
			break;
		status = db_exec(state, migrations[version], "migrate schema",
				 errstr_out);
		if (status != STATE_OK)
			goto out;
		/* A PRAGMA takes no parameters; this is our own integer. */
		free(set_version);
		set_version =
		    xasprintf("PRAGMA user_version = %d", version + 1);
		status = db_exec(state, set_version, "set schema version",
				 errstr_out);
		if (status != STATE_OK)
			goto out;
		status =
		    db_exec(state, "COMMIT", "commit migration", errstr_out);
		if (status != STATE_OK)
			goto out;
	}
	status = db_exec(state, "COMMIT", "commit", errstr_out);
out:
	if (status != STATE_OK)
		db_rollback(state);
	free(set_version);
	return status;
}

static enum state_status
set_journal_mode(struct state *state, char **errstr_out)
{
	sqlite3_stmt *stmt = NULL;
	enum state_status status;

	/* journal_mode answers with a row: the mode now in force. */
	status =
	    db_prepare(state, "PRAGMA journal_mode = WAL", &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	if (sqlite3_step(stmt) != SQLITE_ROW)
		status = db_error(state, "set journal mode", errstr_out);
out:
	sqlite3_finalize(stmt);
	return status;
}

enum state_status
state_open(const char *path, struct state **state_out, char **errstr_out)
{
	struct state *state = xcalloc(1, sizeof *state);
	enum state_status status;
	int flags =
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW;

	state->path = xstrdup(path);
	if (sqlite3_open_v2(path, &state->db, flags, NULL) != SQLITE_OK) {
		int sys_errno = state->db ? sqlite3_system_errno(state->db) : 0;

		if (sys_errno != 0)
			set_error(errstr_out,
				  xasprintf("%s: cannot open database: %s",
					    path, strerror(sys_errno)));
		else
			status =
			    db_error(state, "cannot open database", errstr_out);
		status = STATE_EIO;
		goto out;
	}
	sqlite3_extended_result_codes(state->db, 1);
	/* Another digest (or the CLI) may hold the write lock briefly. */
	sqlite3_busy_timeout(state->db, 5000);
	status = set_journal_mode(state, errstr_out);
	if (status == STATE_OK)
		status = db_exec(state,
				 "PRAGMA foreign_keys = ON;"
				 "PRAGMA synchronous = NORMAL;",
				 "set pragmas", errstr_out);
	if (status == STATE_OK)
		status = migrate(state, errstr_out);
out:
	if (status != STATE_OK) {
		state_close(state);
		state = NULL;
	}
	*state_out = state;
	return status;
}

void
state_close(struct state *state)
{
	if (state == NULL)
		return;
	/* Other statements are finalized where they are made. */
	sqlite3_finalize(state->was_sent);
	sqlite3_finalize(state->mark_sent);
	sqlite3_close(state->db);
	free(state->path);
	free(state);
}

/* An address as the store accepts it: normalised by the caller already. */
static int
email_acceptable(const char *email)
{
	const unsigned char *cursor;

	if (email == NULL || email[0] == '\0' || strchr(email, '@') == NULL)
		return 0;
	for (cursor = (const unsigned char *)email; *cursor; cursor++)
		if (*cursor <= ' ' || *cursor == 0x7f)
			return 0;
	return 1;
}

static enum state_status
validate(const struct subscriber *sub, char **errstr_out)
{
	const char *email = sub->email ? sub->email : "";

	if (!email_acceptable(sub->email)) {
		set_error(
		    errstr_out,
		    xasprintf("subscriber \"%s\": not a valid address", email));
		return STATE_EINVALID;
	}
	if (sub->language == NULL || (strcmp(sub->language, "nl") != 0 &&
				      strcmp(sub->language, "en") != 0)) {
		set_error(errstr_out,
			  xasprintf("subscriber %s: language must be nl or "
				    "en",
				    email));
		return STATE_EINVALID;
	}
	if (subscriber_format_name(sub->format) == NULL) {
		set_error(errstr_out,
			  xasprintf("subscriber %s: format must be text, "
				    "html or both",
				    email));
		return STATE_EINVALID;
	}
	if (sub->active != 0 && sub->active != 1) {
		set_error(
		    errstr_out,
		    xasprintf("subscriber %s: active must be 0 or 1", email));
		return STATE_EINVALID;
	}
	return STATE_OK;
}

/* Maps a failed step: a duplicate address, a broken rule, or I/O. */
static enum state_status
step_error(struct state *state, int result, const char *email,
	   const char *doing, char **errstr_out)
{
	if (result == SQLITE_CONSTRAINT_UNIQUE ||
	    result == SQLITE_CONSTRAINT_PRIMARYKEY) {
		set_error(errstr_out,
			  xasprintf("subscriber %s already exists", email));
		return STATE_EEXISTS;
	}
	if (result == SQLITE_CONSTRAINT_CHECK ||
	    result == SQLITE_CONSTRAINT_NOTNULL) {
		set_error(errstr_out, xasprintf("subscriber %s: %s", email,
						sqlite3_errmsg(state->db)));
		return STATE_EINVALID;
	}
	return db_error(state, doing, errstr_out);
}

static const char insert_sql[] =
    "INSERT INTO subscribers (email, name, provider, language, format,"
    " active, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
    " ?7, ?7)";

static const char update_sql[] =
    "UPDATE subscribers SET email = ?1, name = ?2, provider = ?3,"
    " language = ?4, format = ?5, active = ?6, updated_at = ?7"
    " WHERE email = ?1";

/* Binds sub to insert_sql or update_sql, which share their numbering. */
static int
bind_subscriber(sqlite3_stmt *stmt, const struct subscriber *sub)
{
	int result = SQLITE_OK;

	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (result == SQLITE_OK)
		result = bind_text(stmt, 1, sub->email);
	if (result == SQLITE_OK)
		result = bind_text(stmt, 2, sub->name);
	if (result == SQLITE_OK)
		result = bind_text(stmt, 3, sub->provider);
	if (result == SQLITE_OK)
		result = bind_text(stmt, 4, sub->language);
	if (result == SQLITE_OK)
		result =
		    bind_text(stmt, 5, subscriber_format_name(sub->format));
	if (result == SQLITE_OK)
		result = sqlite3_bind_int(stmt, 6, sub->active);
	if (result == SQLITE_OK)
		result = sqlite3_bind_int64(stmt, 7, (sqlite3_int64)time(NULL));
	return result;
}

/*
 * Runs insert_sql or update_sql for sub.  *changed_out (may be NULL) says
 * whether a row was touched.
 */
static enum state_status
write_subscriber(struct state *state, sqlite3_stmt *stmt,
		 const struct subscriber *sub, int *changed_out,
		 char **errstr_out)
{
	int result;

	if (bind_subscriber(stmt, sub) != SQLITE_OK)
		return db_error(state, "bind", errstr_out);
	result = sqlite3_step(stmt);
	if (result != SQLITE_DONE)
		return step_error(state, result, sub->email, "write subscriber",
				  errstr_out);
	if (changed_out != NULL)
		*changed_out = sqlite3_changes(state->db) > 0;
	return STATE_OK;
}

enum state_status
state_subscriber_add(struct state *state, const struct subscriber *sub,
		     char **errstr_out)
{
	sqlite3_stmt *stmt = NULL;
	enum state_status status;

	status = validate(sub, errstr_out);
	if (status != STATE_OK)
		goto out;
	status = db_prepare(state, insert_sql, &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	status = write_subscriber(state, stmt, sub, NULL, errstr_out);
out:
	sqlite3_finalize(stmt);
	return status;
}

enum state_status
state_subscriber_update(struct state *state, const struct subscriber *sub,
			char **errstr_out)
{
	sqlite3_stmt *stmt = NULL;
	enum state_status status;
	int changed = 0;

	status = validate(sub, errstr_out);
	if (status != STATE_OK)
		goto out;
	status = db_prepare(state, update_sql, &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	status = write_subscriber(state, stmt, sub, &changed, errstr_out);
	if (status == STATE_OK && !changed) {
		set_error(errstr_out,
			  xasprintf("no subscriber %s", sub->email));
		status = STATE_ENOTFOUND;
	}
out:
	sqlite3_finalize(stmt);
	return status;
}

enum state_status
state_subscriber_remove(struct state *state, const char *email,
			char **errstr_out)
{
	sqlite3_stmt *stmt = NULL;
	enum state_status status;

	status = db_prepare(state, "DELETE FROM subscribers WHERE email = ?1",
			    &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	if (bind_text(stmt, 1, email) != SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_DONE) {
		status = db_error(state, "remove subscriber", errstr_out);
		goto out;
	}
	if (sqlite3_changes(state->db) == 0) {
		set_error(errstr_out, xasprintf("no subscriber %s", email));
		status = STATE_ENOTFOUND;
	}
out:
	sqlite3_finalize(stmt);
	return status;
}

static char *
column_text(sqlite3_stmt *stmt, int column)
{
	const unsigned char *text = sqlite3_column_text(stmt, column);

	return text ? xstrdup((const char *)text) : NULL;
}

#define SELECT_COLUMNS                                                         \
	"SELECT id, email, name, provider, language, format, active"           \
	" FROM subscribers"

/* Fills sub_out from a row of SELECT_COLUMNS. */
static void
read_subscriber(sqlite3_stmt *stmt, struct subscriber *sub_out)
{
	const unsigned char *format = sqlite3_column_text(stmt, 5);

	memset(sub_out, 0, sizeof *sub_out);
	sub_out->id = (long)sqlite3_column_int64(stmt, 0);
	sub_out->email = column_text(stmt, 1);
	sub_out->name = column_text(stmt, 2);
	sub_out->provider = column_text(stmt, 3);
	sub_out->language = column_text(stmt, 4);
	/* The CHECK constraint keeps the column to the three names. */
	if (subscriber_format_parse((const char *)format, &sub_out->format) !=
	    0)
		sub_out->format = SUBSCRIBER_FORMAT_BOTH;
	sub_out->active = sqlite3_column_int(stmt, 6) != 0;
}

enum state_status
state_subscriber_get(struct state *state, const char *email,
		     struct subscriber *sub_out, char **errstr_out)
{
	sqlite3_stmt *stmt = NULL;
	enum state_status status;
	int result;

	memset(sub_out, 0, sizeof *sub_out);
	status = db_prepare(state, SELECT_COLUMNS " WHERE email = ?1", &stmt,
			    errstr_out);
	if (status != STATE_OK)
		goto out;
	if (bind_text(stmt, 1, email) != SQLITE_OK) {
		status = db_error(state, "bind", errstr_out);
		goto out;
	}
	result = sqlite3_step(stmt);
	if (result == SQLITE_ROW) {
		read_subscriber(stmt, sub_out);
	} else if (result == SQLITE_DONE) {
		set_error(errstr_out, xasprintf("no subscriber %s", email));
		status = STATE_ENOTFOUND;
	} else {
		status = db_error(state, "read subscriber", errstr_out);
	}
out:
	sqlite3_finalize(stmt);
	return status;
}

enum state_status
state_subscriber_list(struct state *state, int active_only,
		      struct subscriber_list *list_out, char **errstr_out)
{
	sqlite3_stmt *stmt = NULL;
	struct subscriber_list list = {NULL, 0};
	size_t capacity = 0;
	enum state_status status;
	int result;

	status = db_prepare(state,
			    SELECT_COLUMNS " WHERE ?1 = 0 OR active = 1"
					   " ORDER BY email",
			    &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	if (sqlite3_bind_int(stmt, 1, active_only != 0) != SQLITE_OK) {
		status = db_error(state, "bind", errstr_out);
		goto out;
	}
	while ((result = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (list.count == capacity) {
			capacity = capacity ? capacity * 2 : 16;
			list.subscribers =
			    xreallocarray(list.subscribers, capacity,
					  sizeof *list.subscribers);
		}
		read_subscriber(stmt, &list.subscribers[list.count++]);
	}
	if (result != SQLITE_DONE)
		status = db_error(state, "list subscribers", errstr_out);
out:
	sqlite3_finalize(stmt);
	if (status != STATE_OK)
		subscriber_list_clear(&list);
	*list_out = list;
	return status;
}

enum state_status
state_subscriber_upsert_all(struct state *state, const struct subscriber *subs,
			    size_t count, size_t *added_out,
			    size_t *updated_out, char **errstr_out)
{
	sqlite3_stmt *insert = NULL, *update = NULL;
	enum state_status status;
	size_t added = 0, updated = 0, index;
	int changed;

	*added_out = 0;
	*updated_out = 0;
	for (index = 0; index < count; index++) {
		status = validate(&subs[index], errstr_out);
		if (status != STATE_OK)
			return status;
	}
	status = db_prepare(state, insert_sql, &insert, errstr_out);
	if (status == STATE_OK)
		status = db_prepare(state, update_sql, &update, errstr_out);
	if (status != STATE_OK)
		goto out;
	/* IMMEDIATE: take the write lock now, not halfway through. */
	status = db_exec(state, "BEGIN IMMEDIATE", "begin", errstr_out);
	if (status != STATE_OK)
		goto out;
	for (index = 0; index < count; index++) {
		status = write_subscriber(state, update, &subs[index], &changed,
					  errstr_out);
		if (status != STATE_OK)
			goto out;
		if (changed) {
			updated++;
			continue;
		}
		status = write_subscriber(state, insert, &subs[index], NULL,
					  errstr_out);
		if (status != STATE_OK)
			goto out;
		added++;
	}
	/* Reset first: a statement still stepping would hold up COMMIT. */
	sqlite3_reset(insert);
	sqlite3_reset(update);
	status = db_exec(state, "COMMIT", "commit", errstr_out);
	if (status == STATE_OK) {
		*added_out = added;
		*updated_out = updated;
	}
out:
	sqlite3_finalize(insert);
	sqlite3_finalize(update);
	if (status != STATE_OK)
		db_rollback(state);
	return status;
}

enum state_status
state_count_by_provider(struct state *state, const char *provider_id,
			size_t *count_out, char **errstr_out)
{
	sqlite3_stmt *stmt = NULL;
	enum state_status status;

	*count_out = 0;
	status = db_prepare(state,
			    "SELECT count(*) FROM subscribers"
			    " WHERE provider = ?1",
			    &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	if (bind_text(stmt, 1, provider_id) != SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_ROW) {
		status = db_error(state, "count subscribers", errstr_out);
		goto out;
	}
	*count_out = (size_t)sqlite3_column_int64(stmt, 0);
out:
	sqlite3_finalize(stmt);
	return status;
}

enum state_status
state_providers_in_use(struct state *state, char ***ids_out, char **errstr_out)
{
	sqlite3_stmt *stmt = NULL;
	enum state_status status;
	char **ids = xcalloc(1, sizeof *ids);
	size_t count = 0, index;
	int result;

	status = db_prepare(state,
			    "SELECT DISTINCT provider FROM subscribers"
			    " WHERE provider IS NOT NULL ORDER BY provider",
			    &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	while ((result = sqlite3_step(stmt)) == SQLITE_ROW) {
		ids = xreallocarray(ids, count + 2, sizeof *ids);
		ids[count++] = column_text(stmt, 0);
		ids[count] = NULL;
	}
	if (result != SQLITE_DONE)
		status = db_error(state, "list providers", errstr_out);
out:
	sqlite3_finalize(stmt);
	if (status != STATE_OK) {
		for (index = 0; index < count; index++)
			free(ids[index]);
		free(ids);
		ids = NULL;
	}
	*ids_out = ids;
	return status;
}

/* A digest date is a calendar day, "YYYY-MM-DD". */
static int
date_acceptable(const char *date)
{
	size_t index;

	if (date == NULL || strlen(date) != 10)
		return 0;
	for (index = 0; index < 10; index++) {
		if (index == 4 || index == 7) {
			if (date[index] != '-')
				return 0;
		} else if (date[index] < '0' || date[index] > '9') {
			return 0;
		}
	}
	return 1;
}

enum state_status
state_was_sent(struct state *state, const char *email, const char *digest_date,
	       int *sent_out, char **errstr_out)
{
	sqlite3_stmt *stmt = NULL;
	enum state_status status;
	int result;

	*sent_out = 0;
	status = db_cached(state, &state->was_sent,
			   "SELECT 1 FROM deliveries"
			   " WHERE email = ?1 AND digest_date = ?2",
			   &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	if (bind_text(stmt, 1, email) != SQLITE_OK ||
	    bind_text(stmt, 2, digest_date) != SQLITE_OK) {
		status = db_error(state, "bind", errstr_out);
		goto out;
	}
	result = sqlite3_step(stmt);
	if (result == SQLITE_ROW)
		*sent_out = 1;
	else if (result != SQLITE_DONE)
		status = db_error(state, "read deliveries", errstr_out);
out:
	db_release(stmt);
	return status;
}

enum state_status
state_mark_sent(struct state *state, const char *email, const char *digest_date,
		const char *message_id, time_t sent_at, char **errstr_out)
{
	sqlite3_stmt *stmt = NULL;
	enum state_status status;
	int result;

	if (!email_acceptable(email) || !date_acceptable(digest_date)) {
		set_error(errstr_out,
			  xasprintf("delivery to %s for %s: bad address or "
				    "date",
				    email ? email : "(none)",
				    digest_date ? digest_date : "(none)"));
		return STATE_EINVALID;
	}
	status = db_cached(state, &state->mark_sent,
			   "INSERT INTO deliveries (email, digest_date,"
			   " message_id, sent_at) VALUES (?1, ?2, ?3, ?4)",
			   &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	if (bind_text(stmt, 1, email) != SQLITE_OK ||
	    bind_text(stmt, 2, digest_date) != SQLITE_OK ||
	    bind_text(stmt, 3, message_id) != SQLITE_OK ||
	    sqlite3_bind_int64(stmt, 4, (sqlite3_int64)sent_at) != SQLITE_OK) {
		status = db_error(state, "bind", errstr_out);
		goto out;
	}
	result = sqlite3_step(stmt);
	if (result == SQLITE_CONSTRAINT_PRIMARYKEY) {
		set_error(errstr_out,
			  xasprintf("%s was already sent the digest of %s",
				    email, digest_date));
		status = STATE_EEXISTS;
	} else if (result != SQLITE_DONE) {
		status = db_error(state, "record delivery", errstr_out);
	}
out:
	db_release(stmt);
	return status;
}
