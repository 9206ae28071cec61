/*
 * deliver.h - one run's deliveries: for each subscriber, their share of
 * the editions rendered and composed, the delivery begun in the journal
 * (committed before anything leaves), handed to their provider, and its
 * outcome recorded; temporary failures tried again after growing pauses;
 * a provider that keeps failing, or whose settings do not work, left
 * alone for the rest of the run.
 *
 * The module prints nothing: every problem reaches the caller as one line
 * through the report callback.
 */
#ifndef DIGEST_DELIVER_H
#define DIGEST_DELIVER_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "edition.h"
#include "links.h"
#include "render.h"
#include "state.h"
#include "subscriber.h"

/* Receives one line about a subscriber, a provider or the run. */
typedef void (*deliver_report_fn)(void *context, const char *line);

struct deliver_setup {
	const struct config *config;
	struct state *state;
	struct renderer *renderer;
	const struct links *links; /* the signed links; NULL: none */
	struct edition *edition;
	const char *digest_date; /* "2026-11-29": one digest a day */
	time_t now;		 /* the Date header and relative times */
	int dry_run;		 /* compose, but send and record nothing */
	deliver_report_fn report;
	void *report_context;
};

/* What became of the subscribers the run was given. */
struct deliver_counts {
	size_t sent;
	size_t temporary;   /* 4xx, no connection, held back: next run */
	size_t permanent;   /* 5xx: not tried again today */
	size_t config;	    /* the provider's settings, or no such provider */
	size_t data;	    /* the letter could not be made */
	size_t uncertain;   /* may have arrived: not sent again */
	size_t skipped;	    /* had today's already, or inactive */
	size_t nothing_new; /* no item they have not had */
	int record_failed;  /* the journal could not be written */
};

struct deliver;

/* Starts a run; setup is copied.  Returns a new run (deliver_end()). */
struct deliver *deliver_start(const struct deliver_setup *setup);

/*
 * Reads today's journal for the subscribers of page (ordered by id) in one
 * query, for the deliver_one() calls that follow; NULL forgets it.
 */
void deliver_expect(struct deliver *deliver,
		    const struct subscriber_list *page);

/* Delivers to one subscriber (an inactive one is only counted). */
void deliver_one(struct deliver *deliver, const struct subscriber *subscriber);

/*
 * Tries again, up to config->retries times with pauses from retry_delay
 * on (each twice the one before), those that failed temporarily, unless
 * their provider was left alone.
 */
void deliver_retry(struct deliver *deliver);

/* The counts so far, for a progress line. */
void deliver_counts_now(struct deliver *deliver,
			struct deliver_counts *counts_out);

/* Closes the connections, fills *counts_out and frees the run. */
void deliver_end(struct deliver *deliver, struct deliver_counts *counts_out);

#endif
