/*
 * share.h - one run's part of a morning that several `digest send` runs
 * share, on one host or many, through a shared store (PostgreSQL): the
 * batches of subscribers it claims, one after another, and the lease
 * that keeps them its own while it lives.
 *
 * A thread of its own renews the lease over a connection of its own, so
 * that a run busy sending (or waiting for a provider's limit) keeps its
 * claims; a run that dies stops renewing, and once its lease runs out
 * another run takes its claims over.  The module prints nothing.
 */
#ifndef DIGEST_SHARE_H
#define DIGEST_SHARE_H

#include <stddef.h>

#include "state.h"

struct share;

/* Where a run stands in the round. */
struct share_batch {
	long long first_id, last_id; /* the subscribers' ids, both in */
	int taken_over;		     /* a dead run's batch */
	size_t settled; /* its deliveries under way, now uncertain */
};

/*
 * Joins the day's round for the run run_id (state_run_begin()) on state,
 * and starts renewing its lease of lease_seconds over a connection of its
 * own to location.  *settled_out counts the deliveries a dead run left
 * under way that starting a new round settled as uncertain.  Returns
 * STATE_OK and *share_out (share_end()), or an error with *errstr_out
 * (free()).
 */
enum state_status share_start(struct state *state, const char *location,
			      const char *digest_date, long run_id,
			      long lease_seconds, struct share **share_out,
			      size_t *settled_out, char **errstr_out);

/*
 * Claims the run's next batch into *batch_out and returns 1, or returns 0
 * when there is none to claim now.  -1 after a failure (the store, or the
 * lease that could not be renewed), with *errstr_out (free()).
 */
int share_next(struct share *share, struct share_batch *batch_out,
	       char **errstr_out);

/*
 * Marks the run's claims so far done: every delivery of theirs is
 * recorded.  Returns STATE_OK, or an error with *errstr_out (free()).
 */
enum state_status share_finish(struct share *share, char **errstr_out);

/*
 * After share_next() found nothing and share_finish(): while other living
 * runs still hold claims, waits, for one of them to die (its batch taken
 * over into *batch_out: returns 1) or for all of them to finish (returns
 * 0).  A run that waits has finished its own claims first, so that two
 * runs never wait for each other.  -1 after a failure, as share_next().
 */
int share_wait(struct share *share, struct share_batch *batch_out,
	       char **errstr_out);

/*
 * Stops renewing the lease and frees share.  Claims not marked done with
 * share_finish() are left for another run to take over once the lease
 * runs out.
 */
void share_end(struct share *share);

#endif
