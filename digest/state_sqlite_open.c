/*
 * state_sqlite_open.c - opening the SQLite store: the file, its pragmas,
 * the schema migrated one version at a time, and the run lock beside the
 * file.  The schema version lives in PRAGMA user_version and grows one
 * migration at a time, each inside its own transaction.
 */
#include "state_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

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
    /*
     * 2: the delivery journal (which replaces the plain record), numbered
     * editions of the items each day brought, the runs, and the health
     * of each source.
     */
    "CREATE TABLE journal ("
    " email TEXT NOT NULL COLLATE NOCASE,"
    " digest_date TEXT NOT NULL,"
    " state TEXT NOT NULL CHECK (state IN ('sending', 'sent',"
    "  'temp-failed', 'perm-failed', 'uncertain', 'bounced')),"
    " provider TEXT,"
    " first_edition INTEGER,"
    " last_edition INTEGER,"
    " message_id TEXT,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " reply TEXT,"
    " updated_at INTEGER NOT NULL,"
    " PRIMARY KEY (email, digest_date));"
    "CREATE INDEX journal_state ON journal (state, digest_date);"
    "INSERT INTO journal (email, digest_date, state, message_id, attempts,"
    " updated_at) SELECT email, digest_date, 'sent', message_id, 1, sent_at"
    " FROM deliveries;"
    "DROP TABLE deliveries;"
    "CREATE TABLE editions ("
    " id INTEGER PRIMARY KEY,"
    " digest_date TEXT NOT NULL UNIQUE,"
    " created_at INTEGER NOT NULL,"
    " item_count INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE items ("
    " id INTEGER PRIMARY KEY,"
    " edition INTEGER NOT NULL REFERENCES editions (id),"
    " story TEXT NOT NULL,"
    " link TEXT,"
    " title_key TEXT,"
    " source TEXT NOT NULL,"
    " title TEXT NOT NULL,"
    " summary TEXT NOT NULL,"
    " published_at INTEGER,"
    " first_seen INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL);"
    "CREATE INDEX items_story ON items (story);"
    "CREATE INDEX items_link ON items (link);"
    "CREATE INDEX items_title ON items (title_key);"
    "CREATE INDEX items_edition ON items (edition);"
    "ALTER TABLE subscribers ADD COLUMN last_edition INTEGER;"
    "ALTER TABLE subscribers ADD COLUMN failure_days INTEGER NOT NULL"
    " DEFAULT 0;"
    "ALTER TABLE subscribers ADD COLUMN last_failure_date TEXT;"
    "ALTER TABLE subscribers ADD COLUMN last_failure TEXT;"
    "ALTER TABLE subscribers ADD COLUMN deactivated_at INTEGER;"
    "CREATE TABLE runs ("
    " id INTEGER PRIMARY KEY,"
    " digest_date TEXT NOT NULL,"
    " host TEXT NOT NULL,"
    " pid INTEGER NOT NULL,"
    " started_at INTEGER NOT NULL,"
    " finished_at INTEGER,"
    " sent INTEGER NOT NULL DEFAULT 0,"
    " temp_failed INTEGER NOT NULL DEFAULT 0,"
    " perm_failed INTEGER NOT NULL DEFAULT 0,"
    " uncertain INTEGER NOT NULL DEFAULT 0,"
    " skipped INTEGER NOT NULL DEFAULT 0,"
    " nothing_new INTEGER NOT NULL DEFAULT 0,"
    " exit_code INTEGER);"
    "CREATE TABLE sources ("
    " id TEXT PRIMARY KEY,"
    " last_success INTEGER,"
    " last_attempt INTEGER,"
    " failures INTEGER NOT NULL DEFAULT 0,"
    " last_error TEXT);",
    /*
     * 3: what the subscribers' own pages need: when an address was
     * confirmed (double opt-in) and how it came, when it was shown the
     * "Kies je webmail" prompt, when it left (for undo), sign-ups waiting
     * for their confirmation, and the keyed hashes of erased addresses.
     */
    "ALTER TABLE subscribers ADD COLUMN confirmed_at INTEGER;"
    "ALTER TABLE subscribers ADD COLUMN origin TEXT NOT NULL DEFAULT 'admin'"
    " CHECK (origin IN ('admin', 'import', 'web'));"
    "ALTER TABLE subscribers ADD COLUMN prompted_at INTEGER;"
    "ALTER TABLE subscribers ADD COLUMN unsubscribed_at INTEGER;"
    "CREATE TABLE signups ("
    " email TEXT PRIMARY KEY COLLATE NOCASE,"
    " name TEXT,"
    " provider TEXT,"
    " language TEXT NOT NULL CHECK (language IN ('nl', 'en')),"
    " format TEXT NOT NULL CHECK (format IN ('both', 'text', 'html')),"
    " requested_at INTEGER NOT NULL);"
    "CREATE TABLE suppressions ("
    " hash TEXT PRIMARY KEY,"
    " erased_at INTEGER NOT NULL);",
    /* 4: each source's validators, to fetch it only when it changed. */
    ("ALTER TABLE sources ADD COLUMN etag TEXT;"
     "ALTER TABLE sources ADD COLUMN last_modified TEXT;"),
    /*
     * 5: runs that share a morning, and the sends they took under the
     * providers' limits (a PostgreSQL store's; here the run
     * lock keeps runs apart, and the tables stay empty), so that both
     * stores have one schema and state migrate copies either way.
     */
    ("ALTER TABLE runs ADD COLUMN lease_until INTEGER;"
     "CREATE TABLE claims ("
     " digest_date TEXT NOT NULL,"
     " round INTEGER NOT NULL,"
     " first_id INTEGER NOT NULL,"
     " last_id INTEGER NOT NULL,"
     " run_id INTEGER NOT NULL,"
     " finished INTEGER NOT NULL DEFAULT 0,"
     " PRIMARY KEY (digest_date, round, first_id));"
     "CREATE TABLE sends ("
     " id INTEGER PRIMARY KEY,"
     " provider TEXT NOT NULL,"
     " digest_date TEXT NOT NULL,"
     " at INTEGER NOT NULL,"
     " count INTEGER NOT NULL);"
     "CREATE INDEX sends_provider ON sends (provider, at);"),
};

_Static_assert(sizeof migrations / sizeof migrations[0] == STATE_SCHEMA_VERSION,
	       "one SQLite migration per schema version");

static enum state_status
read_user_version(struct state *state, int *version_out, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	status =
	    state_db_prepare(state, "PRAGMA user_version", &stmt, errstr_out);
	if (status != STATE_OK)
		goto out;
	if (state_step(stmt) != STATE_STEP_ROW) {
		status =
		    state_db_error(state, "read schema version", errstr_out);
		goto out;
	}
	*version_out = (int)state_column_int64(stmt, 0);
out:
	state_finalize(stmt);
	return status;
}

static enum state_status
check_version(struct state *state, int version, char **errstr_out)
{
	if (version < 0 || version > STATE_SCHEMA_VERSION) {
		state_set_error(
		    errstr_out,
		    xasprintf("%s: schema version %d is newer than this "
			      "digest knows (%d): use a newer digest",
			      state->path, version, STATE_SCHEMA_VERSION));
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
		status = state_db_begin(state, errstr_out);
		if (status != STATE_OK)
			goto out;
		status = read_user_version(state, &version, errstr_out);
		if (status == STATE_OK)
			status = check_version(state, version, errstr_out);
		if (status != STATE_OK)
			goto out;
		if (version == STATE_SCHEMA_VERSION)
			break;
		status = state_db_exec(state, migrations[version],
				       "migrate schema", errstr_out);
		if (status != STATE_OK)
			goto out;
		/* A PRAGMA takes no parameters; this is our own integer. */
		free(set_version);
		set_version =
		    xasprintf("PRAGMA user_version = %d", version + 1);
		status = state_db_exec(state, set_version, "set schema version",
				       errstr_out);
		if (status != STATE_OK)
			goto out;
		status = state_db_exec(state, "COMMIT", "commit migration",
				       errstr_out);
		if (status != STATE_OK)
			goto out;
	}
	status = state_db_exec(state, "COMMIT", "commit", errstr_out);
out:
	if (status != STATE_OK)
		state_db_rollback(state);
	free(set_version);
	return status;
}

static enum state_status
set_journal_mode(struct state *state, char **errstr_out)
{
	struct state_stmt *stmt = NULL;
	enum state_status status;

	/* journal_mode answers with a row: the mode now in force. */
	status = state_db_prepare(state, "PRAGMA journal_mode = WAL", &stmt,
				  errstr_out);
	if (status != STATE_OK)
		goto out;
	if (state_step(stmt) != STATE_STEP_ROW)
		status = state_db_error(state, "set journal mode", errstr_out);
out:
	state_finalize(stmt);
	return status;
}

/* Opens the file itself; a store that must exist already is looked for. */
static enum state_status
open_file(struct state *state, struct state_sqlite *conn, int create,
	  char **errstr_out)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW |
		    (create ? SQLITE_OPEN_CREATE : 0);
	struct stat info;
	int sys_errno;

	if (!create && stat(state->path, &info) < 0 && errno == ENOENT) {
		state_set_error(errstr_out,
				xasprintf("%s: no state database yet: digest "
					  "has not run",
					  state->path));
		return STATE_ENOTFOUND;
	}
	if (sqlite3_open_v2(state->path, &conn->db, flags, NULL) == SQLITE_OK)
		return STATE_OK;
	sys_errno = conn->db ? sqlite3_system_errno(conn->db) : 0;
	if (sys_errno != 0)
		state_set_error(errstr_out,
				xasprintf("%s: cannot open database: %s",
					  state->path, strerror(sys_errno)));
	else
		state_db_error(state, "cannot open database", errstr_out);
	return STATE_EIO;
}

enum state_status
state_sqlite_open(struct state *state, const char *password, int create,
		  char **errstr_out)
{
	struct state_sqlite *conn = xcalloc(1, sizeof *conn);
	enum state_status status;

	/* A file needs no password: check-config says so of one given. */
	(void)password;
	conn->lock_fd = -1;
	state->conn = conn;
	status = open_file(state, conn, create, errstr_out);
	if (status != STATE_OK)
		return status;
	sqlite3_extended_result_codes(conn->db, 1);
	/* Another digest (or the CLI) may hold the write lock briefly. */
	sqlite3_busy_timeout(conn->db, 5000);
	status = set_journal_mode(state, errstr_out);
	/*
	 * NORMAL: in WAL mode a commit is in the file before the call
	 * returns, so a killed run or a full disk loses nothing committed;
	 * only a power cut may take the last moments back.  FULL would make
	 * that safe too, at one fsync per commit, a few hundred a second on
	 * a common disk: too slow for a journal entry a message.
	 */
	/*
	 * A run reads and writes the store mostly in order (subscribers by
	 * id, journal entries appended), so a few hot pages are its working
	 * set: 512 KB of cache, not SQLite's 2 MB, which a connection fills
	 * when no other connection's commits empty it, as the one the
	 * send's workers share.  Same speed; 3 MB less at 50,000 sent.
	 */
	if (status == STATE_OK)
		status = state_db_exec(state,
				       "PRAGMA foreign_keys = ON;"
				       "PRAGMA synchronous = NORMAL;"
				       "PRAGMA cache_size = -512;",
				       "set pragmas", errstr_out);
	if (status == STATE_OK)
		status = migrate(state, errstr_out);
	return status;
}

void
state_sqlite_close(struct state *state)
{
	struct state_sqlite *conn = state->conn;

	sqlite3_close(conn->db);
	if (conn->lock_fd >= 0)
		close(conn->lock_fd);
	free(conn);
	state->conn = NULL;
}

/*
 * The run lock is a file beside the database, locked with flock(): the
 * lock goes when the descriptor closes or the process dies, so a run that
 * was killed leaves nothing stale behind.
 */
enum state_status
state_sqlite_run_lock(struct state *state, char **errstr_out)
{
	struct state_sqlite *conn = state->conn;
	char *path = xasprintf("%s.lock", state->path);
	enum state_status status = STATE_OK;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		state_set_error(errstr_out,
				xasprintf("cannot open the run lock %s: %s",
					  path, strerror(errno)));
		status = STATE_ECREATE;
	} else if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK) {
			state_set_error(
			    errstr_out,
			    xasprintf("another digest send holds %s: not "
				      "sending twice; try again when it has "
				      "finished",
				      path));
			status = STATE_EBUSY;
		} else {
			state_set_error(errstr_out,
					xasprintf("cannot lock %s: %s", path,
						  strerror(errno)));
			status = STATE_EIO;
		}
		close(fd);
	} else {
		if (conn->lock_fd >= 0)
			close(conn->lock_fd);
		conn->lock_fd = fd;
	}
	free(path);
	return status;
}
