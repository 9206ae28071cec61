/*
 * 2004-feed-date - feed_parse_date() over every form feeds use, and over
 * inputs it must refuse.  Expected values are UTC civil times.
 */
#include "2000-feed-test.h"

#include <stdlib.h>

struct date_case {
	const char *text;
	int valid;
	int year, month, day, hour, minute, second; /* UTC */
};

static const struct date_case date_cases[] = {
    /* RFC 822 / 2822 */
    {"Sun, 29 Nov 2026 07:30:00 +0100", 1, 2026, 11, 29, 6, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 -0530", 1, 2026, 11, 29, 13, 0, 0},
    {"Sun, 29 Nov 2026 07:30:00 GMT", 1, 2026, 11, 29, 7, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 UT", 1, 2026, 11, 29, 7, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 UTC", 1, 2026, 11, 29, 7, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 Z", 1, 2026, 11, 29, 7, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 EST", 1, 2026, 11, 29, 12, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 EDT", 1, 2026, 11, 29, 11, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 CST", 1, 2026, 11, 29, 13, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 CDT", 1, 2026, 11, 29, 12, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 MST", 1, 2026, 11, 29, 14, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 MDT", 1, 2026, 11, 29, 13, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 PST", 1, 2026, 11, 29, 15, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 PDT", 1, 2026, 11, 29, 14, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 CET", 1, 2026, 11, 29, 6, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 CEST", 1, 2026, 11, 29, 5, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 est", 1, 2026, 11, 29, 12, 30, 0},
    /* Military letters other than Z: -0000 per RFC 2822 4.3. */
    {"Sun, 29 Nov 2026 07:30:00 A", 1, 2026, 11, 29, 7, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 M", 1, 2026, 11, 29, 7, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 Y", 1, 2026, 11, 29, 7, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 J", 0, 0, 0, 0, 0, 0, 0},
    /* Two- and three-digit years. */
    {"Sun, 29 Nov 26 07:30:00 GMT", 1, 2026, 11, 29, 7, 30, 0},
    {"Mon, 29 Nov 49 07:30:00 GMT", 1, 2049, 11, 29, 7, 30, 0},
    {"Tue, 29 Nov 99 07:30:00 GMT", 1, 1999, 11, 29, 7, 30, 0},
    {"Wed, 29 Nov 50 07:30:00 GMT", 1, 1950, 11, 29, 7, 30, 0},
    {"29 Nov 126 07:30:00 GMT", 1, 2026, 11, 29, 7, 30, 0},
    /* No seconds, no weekday, extra whitespace, odd forms. */
    {"Sun, 29 Nov 2026 07:30 +0100", 1, 2026, 11, 29, 6, 30, 0},
    {"29 Nov 2026 07:30:15 +0000", 1, 2026, 11, 29, 7, 30, 15},
    {"  Sun,   1  Mar   2026   7:05:00   GMT  ", 1, 2026, 3, 1, 7, 5, 0},
    {"Sun,29 Nov 2026 07:30:00 GMT", 1, 2026, 11, 29, 7, 30, 0},
    {"Sunday, 29 November 2026 07:30:00 GMT", 1, 2026, 11, 29, 7, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 +01:00", 1, 2026, 11, 29, 6, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 +0100 (CET)", 1, 2026, 11, 29, 6, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00 GMT+0100", 1, 2026, 11, 29, 6, 30, 0},
    {"Sun, 29 Nov 2026 07:30:00", 1, 2026, 11, 29, 7, 30, 0},
    {"Thu, 29 Feb 2024 12:00:00 GMT", 1, 2024, 2, 29, 12, 0, 0},
    {"Sun, 01 Jan 2027 00:30:00 +0100", 1, 2026, 12, 31, 23, 30, 0},
    /* RFC 3339 / ISO 8601 / dc:date */
    {"2026-11-29T07:30:00Z", 1, 2026, 11, 29, 7, 30, 0},
    {"2026-11-29T07:30:00+01:00", 1, 2026, 11, 29, 6, 30, 0},
    {"2026-11-29T07:30:00-03:30", 1, 2026, 11, 29, 11, 0, 0},
    {"2026-11-29T07:30:00.123456Z", 1, 2026, 11, 29, 7, 30, 0},
    {"2026-11-29T07:30:00.5+02:00", 1, 2026, 11, 29, 5, 30, 0},
    {"2026-11-29t07:30:00z", 1, 2026, 11, 29, 7, 30, 0},
    {"2026-11-29T07:30Z", 1, 2026, 11, 29, 7, 30, 0},
    {"2026-11-29T07:30:00+0100", 1, 2026, 11, 29, 6, 30, 0},
    {"2026-11-29 07:30:00", 1, 2026, 11, 29, 7, 30, 0},
    {"2026-11-29", 1, 2026, 11, 29, 0, 0, 0},
    {" 2026-11-29T07:30:00Z \n", 1, 2026, 11, 29, 7, 30, 0},
    /* Refused. */
    {"", 0, 0, 0, 0, 0, 0, 0},
    {"   ", 0, 0, 0, 0, 0, 0, 0},
    {"gisteren", 0, 0, 0, 0, 0, 0, 0},
    {"Sun, 31 Nov 2026 07:30:00 GMT", 0, 0, 0, 0, 0, 0, 0},
    {"Sun, 29 Feb 2026 07:30:00 GMT", 0, 0, 0, 0, 0, 0, 0},
    {"Sun, 29 Foo 2026 07:30:00 GMT", 0, 0, 0, 0, 0, 0, 0},
    {"Sun, 29 Nov 2026 24:00:00 GMT", 0, 0, 0, 0, 0, 0, 0},
    {"Sun, 29 Nov 2026 07:61:00 GMT", 0, 0, 0, 0, 0, 0, 0},
    {"Sun, 29 Nov 2026 07:30:00 XYZ", 0, 0, 0, 0, 0, 0, 0},
    {"Sun, 29 Nov 2026 07:30:00 +2500", 0, 0, 0, 0, 0, 0, 0},
    {"Sun, 29 Nov 2026 07:30:00 GMT trailing", 0, 0, 0, 0, 0, 0, 0},
    {"Sun, 29 Nov 2026", 0, 0, 0, 0, 0, 0, 0},
    {"Blursday, 29 Nov 2026 07:30:00 GMT", 0, 0, 0, 0, 0, 0, 0},
    {"Sun, 29 Nov 20266 07:30:00 GMT", 0, 0, 0, 0, 0, 0, 0},
    {"2026-13-01T00:00:00Z", 0, 0, 0, 0, 0, 0, 0},
    {"2026-11-31", 0, 0, 0, 0, 0, 0, 0},
    {"2026-11-29T25:00:00Z", 0, 0, 0, 0, 0, 0, 0},
    {"2026-11-29T07:30:00.Z", 0, 0, 0, 0, 0, 0, 0},
    {"2026-11-29T07:30:00+1", 0, 0, 0, 0, 0, 0, 0},
    {"2026-11-29T07:30:00Zjunk", 0, 0, 0, 0, 0, 0, 0},
    {"2026-1-29", 0, 0, 0, 0, 0, 0, 0},
    {"29/11/2026", 0, 0, 0, 0, 0, 0, 0},
};

int
main(void)
{
	size_t index;
	time_t parsed;

	/* The result must not depend on the local zone. */
	setenv("TZ", "America/Los_Angeles", 1);
	for (index = 0; index < sizeof(date_cases) / sizeof(date_cases[0]);
	     index++) {
		const struct date_case *c = &date_cases[index];
		int rc;

		parsed = (time_t)-12345;
		rc = feed_parse_date(c->text, &parsed);
		if (!c->valid) {
			if (rc != -1) {
				fprintf(stderr, "accepted [%s] as %lld\n",
					c->text, (long long)parsed);
				feed_test_failures++;
			}
			continue;
		}
		if (rc != 0) {
			fprintf(stderr, "refused [%s]\n", c->text);
			feed_test_failures++;
			continue;
		}
		if (parsed != datetime_from_utc(c->year, c->month, c->day,
						c->hour, c->minute,
						c->second)) {
			fprintf(stderr, "[%s] parsed as %lld\n", c->text,
				(long long)parsed);
			feed_test_failures++;
		}
	}
	CHECK(feed_parse_date(NULL, &parsed) == -1);
	return feed_test_result();
}
