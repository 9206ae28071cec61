/*
 * state_sqlite.h - what the two files of the SQLite driver share: its
 * connection, and the calls state_sqlite_open.c gives the driver table in
 * state_sqlite.c.  Only state_sqlite*.c include it.
 */
#ifndef DIGEST_STATE_SQLITE_H
#define DIGEST_STATE_SQLITE_H

#include <sqlite3.h>

#include "state_impl.h"

struct state_sqlite {
	sqlite3 *db;
	int lock_fd; /* the run lock's descriptor, or -1 */
};

enum state_status state_sqlite_open(struct state *state, const char *password,
				    int create, char **errstr_out);
void state_sqlite_close(struct state *state);
enum state_status state_sqlite_run_lock(struct state *state, char **errstr_out);

#endif
