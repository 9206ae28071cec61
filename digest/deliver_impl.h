/*
 * deliver_impl.h - what the three files of the delivery engine share: the
 * run (deliver.c, on the main thread: the journal's say, the letters,
 * retries), its routes (deliver_route.c: per provider, a queue of letters
 * and up to max_connections worker threads that send them in batches
 * within the provider's limits), and the record of each delivery that
 * both of them keep (deliver_record.c: journal entries and counts, from
 * any thread).  Only deliver*.c include it.
 */
#ifndef DIGEST_DELIVER_IMPL_H
#define DIGEST_DELIVER_IMPL_H

#include <pthread.h>

#include "deliver.h"
#include "letter.h"
#include "limit.h"
#include "transport.h"

/*
 * After this many temporary failures in a row and no success in between,
 * a provider is taken to be down for this run: trying each of its
 * remaining subscribers would only wait out one timeout after another.
 * They stay unsent, so the next run tries them.
 */
#define DELIVER_PAUSE_AFTER 5

/*
 * The letters a route holds at once, queued or being sent, in bytes:
 * memory stays flat however long the list, and a worker that finds fewer
 * than messages_per_connection queued sends a shorter session.  4 MiB is
 * some 230 digests of the demo's size, enough to keep eight sessions busy.
 */
#define DELIVER_ROUTE_BYTES ((size_t)4 << 20)

/* One subscriber's letter on its way through a route. */
struct job {
	struct subscriber subscriber; /* a copy the job owns */
	struct letter letter;
	int begun;	     /* its journal entry says "sending" */
	int held;	     /* kept from its data: the journal failed */
	int elsewhere;	     /* kept from its data: another run has it */
	long long take_id;   /* its place in the shared limits, or 0 */
	struct state *state; /* the worker's, during the batch */
	struct deliver *deliver;
};

/* One provider: its queue, its workers and what it allows. */
struct route {
	struct deliver *deliver;
	const struct provider *provider;
	pthread_mutex_t lock;
	pthread_cond_t work; /* a job, the end, or a pause over */
	pthread_cond_t room; /* the queue took one away, or went idle */
	struct job **queue;  /* a ring of capacity */
	size_t head, count, capacity;
	size_t in_flight; /* taken by a worker, fate not yet known */
	size_t bytes;	  /* the letters of the queued and in flight */
	pthread_t *threads;
	size_t thread_count;
	size_t busy; /* workers in a batch */
	char *password;
	int started; /* the password was read and workers may start */
	int closing;
	int flushing;		 /* the run waits for the queue to empty */
	int producer_waits;	 /* the run waits for room in the queue */
	char *broken;		 /* why it cannot be used, or NULL */
	int given_up;		 /* down, or its day's limit spent */
	size_t temporary_streak; /* temporary failures since a success */
	size_t paused;		 /* subscribers left for the next run */
	time_t backoff_until;	 /* it said "too many": wait till then */
	long backoff;		 /* the next pause, doubling */
	int backoff_streak;
	struct limit limit;
	/* The limits count every run's sends, in the shared store. */
	int shared_limits;
	long long take_id; /* the last take from them, for take_some() */
};

struct deliver {
	struct deliver_setup setup;
	pthread_mutex_t lock; /* counts, reports, the retry list */
	/*
	 * Taken around each use of the workers' store: one connection that
	 * the workers of every route share, in turn.  SQLite lets one
	 * connection write at a time and makes others sleep and poll (1 ms,
	 * 2 ms, 5 ms ...), which with a connection per worker cost more time
	 * than sending, and each connection's commits made the others read
	 * their pages again.
	 */
	pthread_mutex_t store_lock;
	struct state *workers_store; /* opened by the first worker */
	char *workers_store_error;   /* why it could not be opened */
	struct deliver_counts counts;
	struct route *routes;	  /* one per config provider */
	struct transport *shared; /* maildir or stdout, on the main thread */
	int shared_failed;
	int commit_failed;	      /* deliver_commit() said so once */
	size_t held_back;	      /* not tried once the journal failed */
	size_t uncertain_before;      /* left alone: uncertain from before */
	struct subscriber_list retry; /* failed temporarily, to try again */
	struct letter_maker *maker;   /* each variant rendered once */
	/* Today's journal of the page being sent (deliver_expect()). */
	struct delivery_mark *marks;
	size_t mark_count;
	long marks_first, marks_last; /* the ids they cover */
};

/* deliver_record.c: reporting and recording, safe from any thread. */
void deliver_report(struct deliver *deliver, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Commits job's delivery as begun in state (the thread's connection);
 * 0, 1 when another run began it first (job->elsewhere: not sent here),
 * or -1 when the journal failed (then nothing more is sent).
 */
int deliver_begin(struct deliver *deliver, struct state *state,
		  struct job *job);

/*
 * Records and counts what the transport said of job (takes errstr);
 * called from the thread that sent it, with its connection.
 */
void deliver_outcome(struct deliver *deliver, struct state *state,
		     struct job *job, enum transport_status status,
		     char *errstr);

/*
 * The store connection the workers share (opened on first use; take
 * store_lock around each use), or NULL with why in *errstr_out (free()).
 */
struct state *deliver_workers_store(struct deliver *deliver, char **errstr_out);

/*
 * Commits the successes recorded on state (the workers' connection or the
 * main thread's) that wait for its next journal write: at the end of each
 * batch and of the run.
 */
void deliver_commit(struct deliver *deliver, struct state *state);

/* Whether the journal failed (then nothing more is sent). */
int deliver_journal_broken(struct deliver *deliver);

/*
 * A job begun but put back in the queue (its provider asked for less):
 * its journal entry says it failed temporarily, not "sending", until it
 * is begun again, so that a crash meanwhile does not leave it uncertain.
 */
void deliver_set_aside(struct deliver *deliver, struct state *state,
		       struct job *job, const char *reply);

/* Counts a subscriber not tried because its provider cannot be used. */
void deliver_not_tried(struct deliver *deliver, struct route *route,
		       struct job *job);

void deliver_job_free(struct job *job);

/* Adds one to counter, under the run's lock. */
void deliver_count(struct deliver *deliver, size_t *counter);

/* Counts a job held back before its data because the journal failed. */
void deliver_held_back(struct deliver *deliver);

/* Reports "subscriber X (provider P): kind: reason". */
void deliver_report_failure(struct deliver *deliver,
			    const struct subscriber *subscriber,
			    const struct provider *provider, const char *kind,
			    const char *reason);

/* Fills copy with copies of subscriber's strings (subscriber_clear). */
void deliver_copy_subscriber(struct subscriber *copy,
			     const struct subscriber *subscriber);

/* deliver_route.c: the routes. */
void deliver_route_init(struct route *route, struct deliver *deliver,
			const struct provider *provider);

/*
 * Queues job on route (takes it), starting a worker when it has more work
 * than its workers; waits while the queue is full.
 */
void deliver_route_enqueue(struct route *route, struct job *job);

/* Waits until route has nothing queued and no batch under way. */
void deliver_route_drain(struct route *route);

/* Ends the workers (after they finished the queue) and frees the route. */
void deliver_route_close(struct route *route);

/*
 * Whether route still takes work: not broken, not given up (locks it).
 */
int deliver_route_usable(struct route *route);

#endif
