/*
 * state_pg.h - what the two files of the PostgreSQL driver share: its
 * connection, and the calls state_pg_open.c gives the driver table in
 * state_pg.c.  Only state_pg*.c include it, and only they see libpq.
 */
#ifndef DIGEST_STATE_PG_H
#define DIGEST_STATE_PG_H

#include <libpq-fe.h>

#include "state_impl.h"

struct state_pg {
	PGconn *conn;
	char *error; /* the last failure, one line */
};

/*
 * The advisory locks digest takes, as (class, key) pairs: the class is
 * "dige" in ASCII, so that other users of the same database are unlikely
 * to collide with it.
 */
#define STATE_PG_LOCK_CLASS 1684629349
#define STATE_PG_LOCK_WRITE 1	/* every writing transaction */
#define STATE_PG_LOCK_EDITION 3 /* one run makes the day's edition */

/* Keeps message as the connection's last failure (it is copied). */
void state_pg_fail(struct state *state, const char *message);

/* Notes a failed result's message as the last failure. */
void state_pg_fail_result(struct state *state, const PGresult *result);

enum state_status state_pg_open(struct state *state, const char *password,
				int create, char **errstr_out);
void state_pg_close(struct state *state);
int state_pg_edition_lock(struct state *state, int take);
int state_pg_ids_copied(struct state *state);

#endif
