/*
 * limit.c - see limit.h.
 *
 * The times of the sends of the last hour sit in a ring, oldest first:
 * how many fall in the last minute or hour is a walk from the newest end,
 * and the time the next send may go is when the oldest that counts gets
 * old enough.
 */
#include "limit.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void
limit_init(struct limit *limit, long per_minute, long per_hour, long per_day,
	   long sent_today)
{
	long window = per_hour > per_minute ? per_hour : per_minute;

	memset(limit, 0, sizeof *limit);
	limit->per_minute = per_minute;
	limit->per_hour = per_hour;
	limit->per_day = per_day;
	limit->sent_today = sent_today;
	if (window > 0) {
		limit->capacity = (size_t)window;
		limit->stamps = xcalloc(limit->capacity, sizeof *limit->stamps);
	}
}

static time_t
stamp_at(const struct limit *limit, size_t age)
{
	/* age 0 is the newest. */
	return limit
	    ->stamps[(limit->head + limit->count - 1 - age) % limit->capacity];
}

/* Forgets sends older than an hour (or than a minute without per_hour). */
static void
expire(struct limit *limit, time_t now)
{
	time_t keep = limit->per_hour > 0 ? 3600 : 60;

	while (limit->count > 0 && limit->stamps[limit->head] <= now - keep) {
		limit->head = (limit->head + 1) % limit->capacity;
		limit->count--;
	}
}

/* Sends within the last seconds before now. */
static size_t
within(const struct limit *limit, time_t now, time_t seconds)
{
	size_t count = 0;

	while (count < limit->count && stamp_at(limit, count) > now - seconds)
		count++;
	return count;
}

/* How many more may go now under one window's maximum; when next. */
static size_t
room(const struct limit *limit, time_t now, long maximum, time_t seconds,
     time_t *next_out)
{
	size_t used = within(limit, now, seconds);

	if (maximum <= 0)
		return (size_t)-1;
	if (used < (size_t)maximum)
		return (size_t)maximum - used;
	/* The send that must age out first is the maximum-th newest. */
	*next_out = stamp_at(limit, (size_t)maximum - 1) + seconds;
	return 0;
}

static void
record(struct limit *limit, time_t now, size_t count)
{
	limit->sent_today += (long)count;
	for (size_t i = 0; limit->capacity > 0 && i < count; i++) {
		if (limit->count == limit->capacity) {
			limit->head = (limit->head + 1) % limit->capacity;
			limit->count--;
		}
		limit->stamps[(limit->head + limit->count) % limit->capacity] =
		    now;
		limit->count++;
	}
}

size_t
limit_take(struct limit *limit, time_t now, size_t want, time_t *retry_at_out)
{
	size_t minute, hour, day = (size_t)-1, take;
	time_t next_minute = 0, next_hour = 0;

	*retry_at_out = 0;
	if (limit->capacity > 0)
		expire(limit, now);
	minute = room(limit, now, limit->per_minute, 60, &next_minute);
	hour = room(limit, now, limit->per_hour, 3600, &next_hour);
	if (limit->per_day > 0)
		day = limit->sent_today < limit->per_day
			  ? (size_t)(limit->per_day - limit->sent_today)
			  : 0;
	take = want;
	if (minute < take)
		take = minute;
	if (hour < take)
		take = hour;
	if (day < take)
		take = day;
	if (take > 0) {
		record(limit, now, take);
		return take;
	}
	if (day == 0)
		return 0; /* not today: *retry_at_out stays 0 */
	*retry_at_out = next_minute > next_hour ? next_minute : next_hour;
	return 0;
}

void
limit_give_back(struct limit *limit, size_t count)
{
	if (count > (size_t)limit->sent_today)
		count = (size_t)limit->sent_today;
	limit->sent_today -= (long)count;
	for (size_t i = 0; i < count && limit->count > 0; i++)
		limit->count--;
}

void
limit_clear(struct limit *limit)
{
	free(limit->stamps);
	memset(limit, 0, sizeof *limit);
}
