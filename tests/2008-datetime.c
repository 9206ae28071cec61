/*
 * 2008-datetime.c - the time module (datetime.c) on its own: the calendar
 * rule behind every date it accepts, and RFC 5322 dates in zones on both
 * sides of Greenwich.
 *
 * Found by scripts/mutate (issue 7), two gaps no test covered:
 * - the Gregorian century rule: 1900 and 2100 are no leap years, 2000 is;
 *   a rule that took every century year for a leap year accepted
 *   1900-02-29 and no test noticed;
 * - a zone west of Greenwich: the Date header of a digest sent from
 *   America/New_York must say -0500; written with a plus sign it would
 *   be ten hours off, and every test used +0100 or +0000.
 */
#include <stdio.h>
#include <string.h>

#include "datetime.h"

static int failures;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);        \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			failures++;                                            \
		}                                                              \
	} while (0)

struct leap_case {
	int year;
	int leap;
};

static const struct leap_case leap_cases[] = {
    {1900, 0}, {1996, 1}, {2000, 1}, {2023, 0},
    {2024, 1}, {2100, 0}, {2400, 1}, {2500, 0},
};

static void
test_leap_years(void)
{
	char text[40];
	time_t when;

	for (size_t i = 0; i < sizeof leap_cases / sizeof leap_cases[0]; i++) {
		const struct leap_case *c = &leap_cases[i];

		CHECK(datetime_valid(c->year, 2, 29, 12, 0, 0) == c->leap,
		      "%d-02-29 %s", c->year, c->leap ? "refused" : "accepted");
		CHECK(datetime_valid(c->year, 2, 28, 12, 0, 0),
		      "%d-02-28 refused", c->year);
		snprintf(text, sizeof text, "%04d-02-29T12:00:00Z", c->year);
		CHECK((datetime_parse_rfc3339(text, DATETIME_STRICT, &when) ==
		       0) == c->leap,
		      "strict %s %s", text, c->leap ? "refused" : "accepted");
		snprintf(text, sizeof text, "%04d-02-29", c->year);
		CHECK((datetime_parse_rfc3339(text, DATETIME_LENIENT, &when) ==
		       0) == c->leap,
		      "lenient %s %s", text, c->leap ? "refused" : "accepted");
	}
}

struct rfc5322_case {
	const char *zone;
	const char *expected;
};

/* 2026-11-29T09:30:00Z in each zone. */
static const struct rfc5322_case rfc5322_cases[] = {
    {"Europe/Amsterdam", "Sun, 29 Nov 2026 10:30:00 +0100"},
    {"America/New_York", "Sun, 29 Nov 2026 04:30:00 -0500"},
    {"America/St_Johns", "Sun, 29 Nov 2026 06:00:00 -0330"},
    {"Asia/Kolkata", "Sun, 29 Nov 2026 15:00:00 +0530"},
    {"Pacific/Pago_Pago", "Sat, 28 Nov 2026 22:30:00 -1100"},
    {NULL, "Sun, 29 Nov 2026 09:30:00 +0000"},
};

static void
test_rfc5322(void)
{
	time_t when = datetime_from_utc(2026, 11, 29, 9, 30, 0);
	char out[DATETIME_RFC5322_SIZE];

	for (size_t i = 0; i < sizeof rfc5322_cases / sizeof rfc5322_cases[0];
	     i++) {
		const struct rfc5322_case *c = &rfc5322_cases[i];

		memset(out, 0, sizeof out);
		CHECK(datetime_format_rfc5322(when, c->zone, out) == 0 &&
			  strcmp(out, c->expected) == 0,
		      "%s: \"%s\", want \"%s\"", c->zone ? c->zone : "UTC", out,
		      c->expected);
	}
	CHECK(datetime_format_rfc5322(when, "Mars/Olympus_Mons", out) == -1,
	      "an unknown zone formatted");
}

int
main(void)
{
	test_leap_years();
	test_rfc5322();
	return failures != 0;
}
