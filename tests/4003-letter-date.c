/*
 * 4003-letter-date.c - letter_digest_date(): the day a digest is for, which
 * decides who already got today's digest, is the calendar day in the
 * configured time zone.
 *
 * Regression (issue 7): the day was once taken in UTC.  Every other test
 * runs at 09:30 +01:00, where UTC and Amsterdam agree on the date, so that
 * went unnoticed; a run at 00:30 local time would have been filed under
 * yesterday and skipped everyone who got yesterday's digest.  The cases
 * below sit on either side of midnight, where the two disagree, in winter
 * and summer time, east and west of Greenwich.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "datetime.h"
#include "letter.h"

static int failures;

struct date_case {
	const char *zone; /* NULL: no zone configured, which means UTC */
	int year, month, day, hour, minute; /* the moment, in UTC */
	const char *expected;
};

static const struct date_case date_cases[] = {
    /* 00:30 on 30 November in Amsterdam (+01:00) is still the 29th in UTC. */
    {"Europe/Amsterdam", 2026, 11, 29, 23, 30, "2026-11-30"},
    /* 23:59 on the 29th in Amsterdam: the same day in both. */
    {"Europe/Amsterdam", 2026, 11, 29, 22, 59, "2026-11-29"},
    /* The 09:30 run every other test makes. */
    {"Europe/Amsterdam", 2026, 11, 29, 8, 30, "2026-11-29"},
    /* Summer time (+02:00): 01:30 on 1 July is 23:30 on 30 June in UTC. */
    {"Europe/Amsterdam", 2026, 6, 30, 23, 30, "2026-07-01"},
    {"Europe/Amsterdam", 2026, 6, 30, 21, 30, "2026-06-30"},
    /* West of Greenwich the day ends later than in UTC. */
    {"America/New_York", 2026, 11, 30, 3, 30, "2026-11-29"},
    /* A year boundary: 00:15 on 1 January in Amsterdam. */
    {"Europe/Amsterdam", 2026, 12, 31, 23, 15, "2027-01-01"},
    /* Without a zone the day is the UTC day. */
    {NULL, 2026, 11, 29, 23, 30, "2026-11-29"},
    {"", 2026, 11, 29, 23, 30, "2026-11-29"},
};

int
main(void)
{
	struct config config;
	char date[11];

	for (size_t i = 0; i < sizeof date_cases / sizeof date_cases[0]; i++) {
		const struct date_case *c = &date_cases[i];
		time_t now = datetime_from_utc(c->year, c->month, c->day,
					       c->hour, c->minute, 0);

		memset(&config, 0, sizeof config);
		config.timezone = (char *)c->zone;
		memset(date, 'x', sizeof date);
		letter_digest_date(&config, now, date);
		if (memchr(date, '\0', sizeof date) == NULL ||
		    strcmp(date, c->expected) != 0) {
			fprintf(stderr,
				"case %zu: %04d-%02d-%02dT%02d:%02dZ in %s "
				"gave %.10s, want %s\n",
				i, c->year, c->month, c->day, c->hour,
				c->minute, c->zone ? c->zone : "(none)", date,
				c->expected);
			failures++;
		}
	}
	return failures != 0;
}
