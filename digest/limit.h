/*
 * limit.h - a provider's sending limits: messages per minute, per rolling
 * hour and per day.  The deliveries of a run ask before each batch how
 * many may go now, and when the next may.
 */
#ifndef DIGEST_LIMIT_H
#define DIGEST_LIMIT_H

#include <stddef.h>
#include <time.h>

struct limit {
	long per_minute; /* 0: no limit */
	long per_hour;
	long per_day;
	long sent_today; /* counted against per_day */
	/* The times of the sends within the last hour, oldest first. */
	time_t *stamps;
	size_t capacity;
	size_t head;
	size_t count;
};

/*
 * Starts a limit with the three maxima (0: none) and what was sent today
 * already (by earlier runs).  Release it with limit_clear().
 */
void limit_init(struct limit *limit, long per_minute, long per_hour,
		long per_day, long sent_today);

/*
 * Takes up to want sends at now and returns how many it took (counted as
 * sent).  When it takes none, *retry_at_out is when one may go, or 0 when
 * none may go today.
 */
size_t limit_take(struct limit *limit, time_t now, size_t want,
		  time_t *retry_at_out);

/* Gives back count sends taken but not made (a batch that stopped short). */
void limit_give_back(struct limit *limit, size_t count);

void limit_clear(struct limit *limit);

#endif
