/*
 * teststore.h - the store the state tests (6xxx) run against: SQLite files
 * in a temporary directory, or, when DIGEST_TEST_STATE_URL names a
 * PostgreSQL server (tests/lib/pgserver.py starts one), a new database on
 * it for each store, logged in to with DIGEST_TEST_STATE_PASSWORD.  Each
 * test's ctest entry runs once per store.
 *
 * Every call exits the test (status 1) when its own setup fails: that is
 * no finding about the store.
 */
#ifndef DIGEST_TESTSTORE_H
#define DIGEST_TESTSTORE_H

/* Starts: name ("6001") names the temporary directory and databases. */
void teststore_init(const char *name);

/* Removes what teststore_new() made. */
void teststore_cleanup(void);

/* Whether the stores are PostgreSQL's. */
int teststore_is_pg(void);

/* The location of a new, empty store named name (free()). */
char *teststore_new(const char *name);

/* Runs SQL on the store at location directly, behind the store's back. */
void teststore_exec(const char *location, const char *sql);

/* The first column of the first row of sql as a number; -1 when none. */
long teststore_long(const char *location, const char *sql);

/* The schema version, as each store keeps it. */
long teststore_version(const char *location);

/* Sets the schema version, as each store keeps it (making a store). */
void teststore_set_version(const char *location, long version);

#endif
