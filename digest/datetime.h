/*
 * datetime.h - the one time module: reading and writing RFC 3339 times,
 * civil dates to time_t, the time zone of the digest (IANA names through
 * the C library's TZ), and the RFC 5322 Date value of a message.
 *
 * Every other stage goes through these calls: there is one RFC 3339
 * reader (strict for the command line, lenient for feeds), one way to turn
 * a civil date into seconds (glibc's timegm(3)) and one time-zone
 * mechanism, so that a date never depends on who computed it.
 */
#ifndef DIGEST_DATETIME_H
#define DIGEST_DATETIME_H

#include <time.h>

/* "2026-11-29T07:00:00Z" and its NUL. */
#define DATETIME_RFC3339_SIZE 21
/* "Sun, 29 Nov 2026 09:30:00 +0100" and its NUL, with room for any int. */
#define DATETIME_RFC5322_SIZE 128

enum datetime_rules {
	/*
	 * What a person types (--now): "2026-11-29T07:00:00+01:00", seconds
	 * and a zone required, nothing before or after.
	 */
	DATETIME_STRICT = 0,
	/*
	 * What feeds write: also a date alone ("2026-11-29"), no seconds,
	 * a one-digit hour, a comma before the fraction, no zone (read as
	 * UTC), zones as +hhmm or +hh, and blanks or a parenthesised comment
	 * around it.
	 */
	DATETIME_LENIENT
};

/*
 * Parses an RFC 3339 / ISO 8601 time under rules into a UTC time.
 * Impossible dates (30 February) are refused.  Returns 0 and sets
 * *time_out, or -1.
 */
int datetime_parse_rfc3339(const char *text, enum datetime_rules rules,
			   time_t *time_out);

/* Formats when as RFC 3339 UTC ("2026-11-29T07:00:00Z") into out. */
void datetime_format_rfc3339(time_t when, char out[DATETIME_RFC3339_SIZE]);

/*
 * Returns 1 when the civil date and time exist: a year from 1900 to 9999,
 * a real day of the month, a second up to 60 (a leap second).
 */
int datetime_valid(int year, int month, int day, int hour, int minute,
		   int second);

/*
 * Seconds since the epoch of a civil date and time in UTC (months 1..12),
 * through timegm(3), so the local zone plays no part.
 */
time_t datetime_from_utc(int year, int month, int day, int hour, int minute,
			 int second);

/* Returns 1 when the IANA zone name ("Europe/Amsterdam") is installed. */
int datetime_zone_exists(const char *zone);

/*
 * Breaks when down in the IANA zone; an empty or NULL zone means UTC.
 * Returns 0, or -1 when the zone is unknown.
 */
int datetime_local(const char *zone, time_t when, struct tm *tm_out);

/*
 * The calendar day of a broken-down date as a day count since the epoch,
 * so that two dates subtract to whole days whatever DST does in between.
 */
long datetime_day_number(const struct tm *tm);

/*
 * Formats when in zone as an RFC 5322 date ("Sun, 29 Nov 2026 09:30:00
 * +0100") into out, with English names whatever the locale.  Returns 0,
 * or -1 when the zone is unknown.
 */
int datetime_format_rfc5322(time_t when, const char *zone,
			    char out[DATETIME_RFC5322_SIZE]);

#endif
