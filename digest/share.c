/*
 * share.c - see share.h.
 */
#include "share.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "util.h"

/* Subscribers in one claim: small enough that a dead run loses little. */
#define SHARE_BATCH 200
/* How often a run with nothing to claim asks again, at most (ms). */
#define SHARE_POLL_MS 1000

struct share {
	struct state *state; /* the run's own connection */
	const char *digest_date;
	long lease;
	struct state_claim claim;
	pthread_t renewer;
	int renewing; /* the thread runs */
	pthread_mutex_t lock;
	pthread_cond_t stop_signal;
	int stop;
	int others;	   /* the last claim found living runs' claims */
	char *lease_error; /* the renewer's failure, for share_next() */
	struct state *renew_state;
};

/* Renews the lease a third of its length before it runs out. */
static void *
renewer_main(void *argument)
{
	struct share *share = argument;
	struct timespec wake;
	char *errstr = NULL;

	pthread_mutex_lock(&share->lock);
	while (!share->stop) {
		clock_gettime(CLOCK_REALTIME, &wake);
		wake.tv_sec += share->lease / 3 > 0 ? share->lease / 3 : 1;
		while (!share->stop &&
		       pthread_cond_timedwait(&share->stop_signal, &share->lock,
					      &wake) != ETIMEDOUT)
			;
		if (share->stop)
			break;
		pthread_mutex_unlock(&share->lock);
		if (state_run_renew(share->renew_state, share->claim.run_id,
				    time(NULL) + share->lease,
				    &errstr) != STATE_OK) {
			pthread_mutex_lock(&share->lock);
			if (share->lease_error == NULL)
				share->lease_error = errstr;
			else
				free(errstr);
			errstr = NULL;
			continue;
		}
		pthread_mutex_lock(&share->lock);
	}
	pthread_mutex_unlock(&share->lock);
	return NULL;
}

enum state_status
share_start(struct state *state, const char *location, const char *digest_date,
	    long run_id, long lease_seconds, struct share **share_out,
	    size_t *settled_out, char **errstr_out)
{
	struct share *share = xcalloc(1, sizeof *share);
	enum state_status status;

	*share_out = NULL;
	share->state = state;
	share->digest_date = digest_date;
	share->lease = lease_seconds;
	share->claim.run_id = run_id;
	pthread_mutex_init(&share->lock, NULL);
	pthread_cond_init(&share->stop_signal, NULL);
	status = state_run_renew(state, run_id, time(NULL) + lease_seconds,
				 errstr_out);
	if (status == STATE_OK)
		status = state_share_join(state, digest_date, time(NULL),
					  &share->claim.round, settled_out,
					  errstr_out);
	if (status == STATE_OK)
		status = state_open(location, &share->renew_state, errstr_out);
	if (status == STATE_OK &&
	    pthread_create(&share->renewer, NULL, renewer_main, share) != 0) {
		*errstr_out = xstrdup("cannot start the lease's thread");
		status = STATE_EIO;
	}
	if (status != STATE_OK) {
		share_end(share);
		return status;
	}
	share->renewing = 1;
	*share_out = share;
	return STATE_OK;
}

/* Sleeps ms milliseconds. */
static void
pause_ms(long ms)
{
	struct timespec delay = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&delay, &delay) != 0 && errno == EINTR)
		;
}

int
share_next(struct share *share, struct share_batch *batch_out,
	   char **errstr_out)
{
	enum state_claim_result result;

	pthread_mutex_lock(&share->lock);
	if (share->lease_error != NULL) {
		*errstr_out = share->lease_error;
		share->lease_error = NULL;
		pthread_mutex_unlock(&share->lock);
		return -1;
	}
	pthread_mutex_unlock(&share->lock);
	if (state_claim_next(share->state, share->digest_date, SHARE_BATCH,
			     time(NULL), &share->claim, &result,
			     errstr_out) != STATE_OK)
		return -1;
	share->others = result == STATE_CLAIM_WAIT;
	if (result != STATE_CLAIM_BATCH)
		return 0;
	batch_out->first_id = share->claim.first_id;
	batch_out->last_id = share->claim.last_id;
	batch_out->taken_over = share->claim.taken_over;
	batch_out->settled = share->claim.settled;
	return 1;
}

enum state_status
share_finish(struct share *share, char **errstr_out)
{
	return state_claims_finish(share->state, share->claim.run_id,
				   errstr_out);
}

int
share_wait(struct share *share, struct share_batch *batch_out,
	   char **errstr_out)
{
	long poll = share->lease * 1000 / 4;
	int got;

	if (poll > SHARE_POLL_MS)
		poll = SHARE_POLL_MS;
	while (share->others) {
		pause_ms(poll);
		if ((got = share_next(share, batch_out, errstr_out)) != 0)
			return got;
	}
	return 0;
}

void
share_end(struct share *share)
{
	if (share == NULL)
		return;
	if (share->renewing) {
		pthread_mutex_lock(&share->lock);
		share->stop = 1;
		pthread_cond_signal(&share->stop_signal);
		pthread_mutex_unlock(&share->lock);
		pthread_join(share->renewer, NULL);
	}
	state_close(share->renew_state);
	free(share->lease_error);
	pthread_cond_destroy(&share->stop_signal);
	pthread_mutex_destroy(&share->lock);
	free(share);
}
