/*
 * datetime.c - see datetime.h.
 *
 * Time zones go through the C library alone: TZ names the zone and
 * localtime_r(3) reads its rules, switched only when the zone changes so
 * that the hot path (a relative time per item) makes no system call.
 */
#include "datetime.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define ZONEINFO_DIR "/usr/share/zoneinfo/"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
skip_blanks(const char **at)
{
	while (is_blank(**at))
		(*at)++;
}

/*
 * Reads min_digits to max_digits decimal digits at *at into *value_out and
 * advances.  A longer run of digits is not this field.  Returns 0 or -1.
 */
static int
read_number(const char **at, int min_digits, int max_digits, int *value_out)
{
	int value = 0, count = 0;

	while (count < max_digits && is_digit((*at)[count])) {
		value = value * 10 + ((*at)[count] - '0');
		count++;
	}
	if (count < min_digits || is_digit((*at)[count]))
		return -1;
	*at += count;
	*value_out = value;
	return 0;
}

/* Reads a zone offset: "Z", "+01:00" and, when lenient, "+0100", "+01". */
static int
read_zone(const char **at, enum datetime_rules rules, long *offset_out)
{
	const char *p = *at;
	int sign, hours, minutes = 0;

	if (*p == 'Z' || *p == 'z') {
		*offset_out = 0;
		*at = p + 1;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (read_number(&p, 2, rules == DATETIME_LENIENT ? 4 : 2, &hours) < 0)
		return -1;
	if (hours > 99) {
		minutes = hours % 100;
		hours /= 100;
	} else if (*p == ':') {
		p++;
		if (read_number(&p, 2, 2, &minutes) < 0)
			return -1;
	} else if (rules == DATETIME_STRICT) {
		return -1;
	}
	if (hours > 23 || minutes > 59)
		return -1;
	*offset_out = sign * ((long)hours * 3600 + (long)minutes * 60);
	*at = p;
	return 0;
}

/* Reads "hh:mm[:ss][.fraction]"; strict wants two-digit hours, seconds. */
static int
read_clock(const char **at, enum datetime_rules rules, int clock_out[3])
{
	const char *p = *at;
	int strict = rules == DATETIME_STRICT;

	clock_out[2] = 0;
	if (read_number(&p, strict ? 2 : 1, 2, &clock_out[0]) < 0 ||
	    *p++ != ':' || read_number(&p, 2, 2, &clock_out[1]) < 0)
		return -1;
	if (*p == ':') {
		p++;
		if (read_number(&p, 2, 2, &clock_out[2]) < 0)
			return -1;
	} else if (strict) {
		return -1;
	}
	/* Fractions of a second are dropped. */
	if (*p == '.' || (!strict && *p == ',')) {
		p++;
		if (!is_digit(*p))
			return -1;
		while (is_digit(*p))
			p++;
	}
	*at = p;
	return 0;
}

/* Lenient endings: blanks, then perhaps one "(comment)" and blanks. */
static int
at_end(const char *p, enum datetime_rules rules)
{
	if (rules == DATETIME_STRICT)
		return *p == '\0';
	skip_blanks(&p);
	if (*p == '(') {
		p = strchr(p, ')');
		if (p == NULL)
			return 0;
		p++;
		skip_blanks(&p);
	}
	return *p == '\0';
}

/* True when a time of day follows the date at p. */
static int
time_follows(const char *p, enum datetime_rules rules)
{
	if (*p == 'T' || *p == 't')
		return 1;
	if (*p == ' ')
		return rules == DATETIME_STRICT || is_digit(p[1]);
	return 0;
}

int
datetime_parse_rfc3339(const char *text, enum datetime_rules rules,
		       time_t *time_out)
{
	const char *p = text;
	int year, month, day, clock[3] = {0, 0, 0};
	long offset = 0;

	if (text == NULL)
		return -1;
	if (rules == DATETIME_LENIENT)
		skip_blanks(&p);
	if (read_number(&p, 4, 4, &year) < 0 || *p++ != '-' ||
	    read_number(&p, 2, 2, &month) < 0 || *p++ != '-' ||
	    read_number(&p, 2, 2, &day) < 0)
		return -1;
	if (time_follows(p, rules)) {
		p++;
		if (read_clock(&p, rules, clock) < 0)
			return -1;
		if (rules == DATETIME_LENIENT)
			skip_blanks(&p);
		if ((*p != '\0' || rules == DATETIME_STRICT) &&
		    read_zone(&p, rules, &offset) < 0 &&
		    rules == DATETIME_STRICT)
			return -1;
	} else if (rules == DATETIME_STRICT) {
		return -1;
	}
	if (!at_end(p, rules) ||
	    !datetime_valid(year, month, day, clock[0], clock[1], clock[2]))
		return -1;
	*time_out =
	    datetime_from_utc(year, month, day, clock[0], clock[1], clock[2]) -
	    (time_t)offset;
	return 0;
}

void
datetime_format_rfc3339(time_t when, char out[DATETIME_RFC3339_SIZE])
{
	struct tm tm;

	if (gmtime_r(&when, &tm) == NULL ||
	    strftime(out, DATETIME_RFC3339_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm) ==
		0)
		util_strlcpy(out, "1970-01-01T00:00:00Z",
			     DATETIME_RFC3339_SIZE);
}

int
datetime_valid(int year, int month, int day, int hour, int minute, int second)
{
	static const int month_days[12] = {31, 28, 31, 30, 31, 30,
					   31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	int last_day;

	if (year < 1900 || year > 9999 || month < 1 || month > 12)
		return 0;
	last_day = month_days[month - 1] + (month == 2 && leap);
	/* Second 60 is a leap second; timegm() carries it to the minute. */
	return day >= 1 && day <= last_day && hour >= 0 && hour <= 23 &&
	       minute >= 0 && minute <= 59 && second >= 0 && second <= 60;
}

time_t
datetime_from_utc(int year, int month, int day, int hour, int minute,
		  int second)
{
	struct tm tm = {0};

	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = minute;
	tm.tm_sec = second;
	return timegm(&tm);
}

int
datetime_zone_exists(const char *zone)
{
	char path[PATH_MAX];
	struct stat info;

	if (zone == NULL || *zone == '\0' || strcmp(zone, "UTC") == 0)
		return 1;
	if (zone[0] == '/' || strstr(zone, "..") != NULL)
		return 0;
	if ((size_t)snprintf(path, sizeof path, ZONEINFO_DIR "%s", zone) >=
	    sizeof path)
		return 0;
	return stat(path, &info) == 0 && S_ISREG(info.st_mode);
}

int
datetime_local(const char *zone, time_t when, struct tm *tm_out)
{
	static char current[256];
	static int have_current;

	if (zone == NULL || *zone == '\0' || strcmp(zone, "UTC") == 0)
		return gmtime_r(&when, tm_out) ? 0 : -1;
	/* The C library reads zones only from TZ; switch only on change. */
	if (!have_current || strcmp(current, zone) != 0) {
		if (!datetime_zone_exists(zone) ||
		    strlen(zone) >= sizeof current)
			return -1;
		if (setenv("TZ", zone, 1) < 0)
			return -1;
		tzset();
		util_strlcpy(current, zone, sizeof current);
		have_current = 1;
	}
	return localtime_r(&when, tm_out) ? 0 : -1;
}

long
datetime_day_number(const struct tm *tm)
{
	return (long)(datetime_from_utc(tm->tm_year + 1900, tm->tm_mon + 1,
					tm->tm_mday, 0, 0, 0) /
		      86400);
}

int
datetime_format_rfc5322(time_t when, const char *zone,
			char out[DATETIME_RFC5322_SIZE])
{
	static const char *const weekdays[7] = {"Sun", "Mon", "Tue", "Wed",
						"Thu", "Fri", "Sat"};
	static const char *const months[12] = {"Jan", "Feb", "Mar", "Apr",
					       "May", "Jun", "Jul", "Aug",
					       "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	long offset, minutes;

	if (datetime_local(zone, when, &tm) < 0)
		return -1;
	offset = tm.tm_gmtoff;
	minutes = (offset < 0 ? -offset : offset) / 60;
	snprintf(out, DATETIME_RFC5322_SIZE,
		 "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld",
		 weekdays[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 offset < 0 ? '-' : '+', minutes / 60, minutes % 60);
	return 0;
}
