/*
 * 3501-render-time: relative times around every boundary of the rule in
 * words.c, in Dutch and English, across midnight, DST changes and years;
 * and long dates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "util.h"
#include "words.h"

static int failures;

static void
expect(const char *what, char *got, const char *want)
{
	if (got == NULL || strcmp(got, want) != 0) {
		fprintf(stderr, "FAIL %s: got \"%s\", want \"%s\"\n", what,
			got != NULL ? got : "(null)", want);
		failures++;
	}
	free(got);
}

static time_t
at(const char *rfc3339)
{
	time_t when;

	if (datetime_parse_rfc3339(rfc3339, DATETIME_STRICT, &when) < 0) {
		fprintf(stderr, "bad time in test: %s\n", rfc3339);
		exit(2);
	}
	return when;
}

/* One relative-time case in both languages. */
static void
relative(const char *zone, const char *published, const char *now,
	 const char *nl, const char *en)
{
	char what[160];
	time_t p = at(published), n = at(now);

	snprintf(what, sizeof what, "nl %s -> %s (%s)", published, now, zone);
	expect(what, words_relative_time(p, n, "nl", zone), nl);
	snprintf(what, sizeof what, "en %s -> %s (%s)", published, now, zone);
	expect(what, words_relative_time(p, n, "en", zone), en);
}

static void
offset(time_t now, long seconds_back, const char *nl, const char *en)
{
	char what[80];

	snprintf(what, sizeof what, "nl now-%lds", seconds_back);
	expect(what,
	       words_relative_time(now - seconds_back, now, "nl",
				   "Europe/Amsterdam"),
	       nl);
	snprintf(what, sizeof what, "en now-%lds", seconds_back);
	expect(what,
	       words_relative_time(now - seconds_back, now, "en",
				   "Europe/Amsterdam"),
	       en);
}

static void
long_date(const char *when, const char *zone, const char *nl, const char *en)
{
	char what[120];

	snprintf(what, sizeof what, "long date nl %s %s", when, zone);
	expect(what, words_long_date(at(when), "nl", zone), nl);
	snprintf(what, sizeof what, "long date en %s %s", when, zone);
	expect(what, words_long_date(at(when), "en", zone), en);
}

/* Relative times up to a week back, counted from now in Amsterdam. */
static void
check_recent(time_t now, const char *ams)
{
	/* Seconds, minutes, hours. */
	offset(now, 0, "zojuist", "just now");
	offset(now, 59, "zojuist", "just now");
	offset(now, 60, "1 minuut geleden", "1 minute ago");
	offset(now, 119, "1 minuut geleden", "1 minute ago");
	offset(now, 120, "2 minuten geleden", "2 minutes ago");
	offset(now, 11 * 60, "11 minuten geleden", "11 minutes ago");
	offset(now, 59 * 60 + 59, "59 minuten geleden", "59 minutes ago");
	offset(now, 60 * 60, "1 uur geleden", "1 hour ago");
	offset(now, 2 * 3600 - 1, "1 uur geleden", "1 hour ago");
	offset(now, 3 * 3600, "3 uur geleden", "3 hours ago");
	/* Local midnight is 8 hours back: still today, then yesterday. */
	offset(now, 8 * 3600, "8 uur geleden", "8 hours ago");
	offset(now, 8 * 3600 + 1, "gisteren", "yesterday");
	/* The future (clock skew) is "just now". */
	offset(now, -300, "zojuist", "just now");
	offset(now, -86400 * 3, "zojuist", "just now");

	/* Days, by calendar date. */
	offset(now, 2 * 86400, "2 dagen geleden", "2 days ago");
	offset(now, 6 * 86400, "6 dagen geleden", "6 days ago");
	offset(now, 7 * 86400, "22 nov.", "22 Nov");
	relative(ams, "2026-01-03T12:00:00Z", "2026-11-29T07:00:00Z", "3 jan.",
		 "3 Jan");
	relative(ams, "2026-05-04T12:00:00Z", "2026-11-29T07:00:00Z", "4 mei",
		 "4 May");
	relative(ams, "2025-11-12T10:00:00Z", "2026-11-29T07:00:00Z",
		 "12 nov. 2025", "12 Nov 2025");
}

/* Relative times where the calendar day, the year or the offset turns. */
static void
check_calendar(const char *ams)
{
	/* Across midnight: 00:10 on the 29th in Amsterdam. */
	relative(ams, "2026-11-28T22:55:00Z", "2026-11-28T23:10:00Z",
		 "15 minuten geleden", "15 minutes ago");
	relative(ams, "2026-11-28T22:00:00Z", "2026-11-28T23:10:00Z",
		 "gisteren", "yesterday");
	/* The same instants in UTC are both on the 28th. */
	relative("UTC", "2026-11-28T21:00:00Z", "2026-11-28T23:10:00Z",
		 "2 uur geleden", "2 hours ago");
	relative(ams, "2026-11-28T21:00:00Z", "2026-11-28T23:10:00Z",
		 "gisteren", "yesterday");

	/* DST ends on 25 October 2026 (03:00 CEST -> 02:00 CET): that day has
	 * 25 hours.  At 00:30 CET on the 26th, 00:30 CEST on the 25th is 25
	 * hours back but yesterday; 23:30 CEST on the 24th is two days. */
	relative(ams, "2026-10-24T22:30:00Z", "2026-10-25T23:30:00Z",
		 "gisteren", "yesterday");
	relative(ams, "2026-10-24T21:30:00Z", "2026-10-25T23:30:00Z",
		 "2 dagen geleden", "2 days ago");
	/* Same long day: 00:10 CEST to 23:30 CET is 24 h 20 min. */
	relative(ams, "2026-10-24T22:10:00Z", "2026-10-25T22:30:00Z",
		 "24 uur geleden", "24 hours ago");
	/* DST starts on 29 March 2026: a 23-hour day. */
	relative(ams, "2026-03-28T22:50:00Z", "2026-03-29T21:30:00Z",
		 "gisteren", "yesterday");
	relative(ams, "2026-03-28T23:10:00Z", "2026-03-29T21:30:00Z",
		 "22 uur geleden", "22 hours ago");

	/* The year turns in Amsterdam an hour before it does in UTC. */
	relative(ams, "2026-12-31T20:00:00Z", "2027-01-01T07:00:00Z",
		 "gisteren", "yesterday");
	relative(ams, "2026-12-24T12:00:00Z", "2026-12-31T23:30:00Z",
		 "24 dec. 2026", "24 Dec 2026");
	relative("UTC", "2026-12-24T12:00:00Z", "2026-12-31T23:30:00Z",
		 "24 dec.", "24 Dec");
}

int
main(void)
{
	const char *ams = "Europe/Amsterdam";
	/* Sunday 29 November 2026, 08:00 in Amsterdam. */
	time_t now = at("2026-11-29T07:00:00Z");

	if (!datetime_zone_exists(ams)) {
		fprintf(stderr, "SKIP: no zoneinfo for %s\n", ams);
		return 77;
	}
	check_recent(now, ams);
	check_calendar(ams);

	/* Unknown languages. */
	expect("language de",
	       words_relative_time(now - 30, now, "de", ams) == NULL
		   ? xstrdup("NULL")
		   : xstrdup("not NULL"),
	       "NULL");
	expect("language NULL",
	       words_relative_time(now - 30, now, NULL, ams) == NULL
		   ? xstrdup("NULL")
		   : xstrdup("not NULL"),
	       "NULL");

	long_date("2026-11-29T07:00:00Z", ams, "zondag 29 november 2026",
		  "Sunday 29 November 2026");
	long_date("2026-11-28T23:30:00Z", ams, "zondag 29 november 2026",
		  "Sunday 29 November 2026");
	long_date("2026-11-28T23:30:00Z", "UTC", "zaterdag 28 november 2026",
		  "Saturday 28 November 2026");
	long_date("2024-02-29T12:00:00Z", ams, "donderdag 29 februari 2024",
		  "Thursday 29 February 2024");
	long_date("2026-05-04T12:00:00Z", ams, "maandag 4 mei 2026",
		  "Monday 4 May 2026");
	long_date("2026-12-31T23:30:00Z", ams, "vrijdag 1 januari 2027",
		  "Friday 1 January 2027");
	long_date("2026-03-25T12:00:00Z", ams, "woensdag 25 maart 2026",
		  "Wednesday 25 March 2026");
	long_date("2026-10-06T12:00:00Z", ams, "dinsdag 6 oktober 2026",
		  "Tuesday 6 October 2026");
	expect("long date de",
	       words_long_date(now, "de", ams) == NULL ? xstrdup("NULL")
						       : xstrdup("not NULL"),
	       "NULL");

	if (failures > 0) {
		fprintf(stderr, "%d failure(s)\n", failures);
		return 1;
	}
	return 0;
}
