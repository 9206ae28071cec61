/*
 * teststore.c - see teststore.h.  The raw access goes past the store on
 * purpose, through SQLite or libpq directly, as a test looks behind it.
 */
#include "teststore.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "util.h"

static char directory[64];
static const char *server_url;
static char prefix[32];

void
teststore_init(const char *name)
{
	server_url = getenv("DIGEST_TEST_STATE_URL");
	if (server_url != NULL && server_url[0] == '\0')
		server_url = NULL;
	snprintf(prefix, sizeof prefix, "t%s_", name);
	if (server_url != NULL) {
		state_password_set(getenv("DIGEST_TEST_STATE_PASSWORD"));
		return;
	}
	snprintf(directory, sizeof directory, "/tmp/digest-%s-XXXXXX", name);
	if (mkdtemp(directory) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
}

void
teststore_cleanup(void)
{
	char *command;

	state_password_set(NULL);
	/* The server and its databases go with pgserver.py's directory. */
	if (server_url != NULL)
		return;
	command = xasprintf("rm -rf '%s'", directory);
	if (system(command) != 0)
		fprintf(stderr, "cannot remove %s\n", directory);
	free(command);
}

int
teststore_is_pg(void)
{
	return server_url != NULL;
}

static int
is_pg(const char *location)
{
	return strncmp(location, "postgresql://", 13) == 0;
}

static PGconn *
pg_connect(const char *location)
{
	const char *const keywords[] = {"dbname", "password", NULL};
	const char *const values[] = {
	    location, getenv("DIGEST_TEST_STATE_PASSWORD"), NULL};
	PGconn *conn = PQconnectdbParams(keywords, values, 1);

	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "teststore: %s: %s", location,
			PQerrorMessage(conn));
		exit(1);
	}
	return conn;
}

/* Runs sql on PostgreSQL; returns the first value as a number, or -1. */
static long
pg_run(const char *location, const char *sql)
{
	PGconn *conn = pg_connect(location);
	PGresult *result = PQexec(conn, sql);
	ExecStatusType status = PQresultStatus(result);
	long value = -1;

	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		fprintf(stderr, "teststore: %s: %s", sql,
			PQresultErrorMessage(result));
		exit(1);
	}
	if (status == PGRES_TUPLES_OK && PQntuples(result) > 0 &&
	    !PQgetisnull(result, 0, 0))
		value = strtol(PQgetvalue(result, 0, 0), NULL, 10);
	PQclear(result);
	PQfinish(conn);
	return value;
}

char *
teststore_new(const char *name)
{
	char *database, *sql, *maintenance;

	if (server_url == NULL)
		return xasprintf("%s/%s.sqlite", directory, name);
	database = xasprintf("%s%s", prefix, name);
	maintenance = xasprintf("%s/postgres", server_url);
	/* FILE_COPY: faster than the default for a database this small. */
	sql =
	    xasprintf("CREATE DATABASE \"%s\" STRATEGY = FILE_COPY", database);
	pg_run(maintenance, sql);
	free(sql);
	free(maintenance);
	sql = xasprintf("%s/%s", server_url, database);
	free(database);
	return sql;
}

void
teststore_exec(const char *location, const char *sql)
{
	sqlite3 *db = NULL;

	if (is_pg(location)) {
		pg_run(location, sql);
		return;
	}
	if (sqlite3_open(location, &db) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "teststore: %s: %s\n", sql, sqlite3_errmsg(db));
		exit(1);
	}
	sqlite3_close(db);
}

long
teststore_long(const char *location, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	long value = -1;

	if (is_pg(location))
		return pg_run(location, sql);
	if (sqlite3_open(location, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		value = (long)sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return value;
}

long
teststore_version(const char *location)
{
	if (is_pg(location))
		return teststore_long(location,
				      "SELECT CASE WHEN to_regclass('meta')"
				      " IS NULL THEN 0 END") == 0
			   ? 0
			   : teststore_long(
				 location,
				 "SELECT CAST(value AS bigint) FROM"
				 " meta WHERE key = 'schema_version'");
	return teststore_long(location, "PRAGMA user_version");
}

void
teststore_set_version(const char *location, long version)
{
	char *sql;

	if (is_pg(location))
		sql = xasprintf("CREATE TABLE IF NOT EXISTS meta (key text"
				" PRIMARY KEY, value text NOT NULL);"
				"INSERT INTO meta VALUES ('schema_version',"
				" '%ld') ON CONFLICT (key) DO UPDATE SET"
				" value = excluded.value",
				version);
	else
		sql = xasprintf("PRAGMA user_version = %ld", version);
	teststore_exec(location, sql);
	free(sql);
}
