/*
 * feed_date.c - the dates feeds write: RFC 822/2822 and RFC 3339/ISO 8601.
 *
 * RFC 822 is read here; RFC 3339 goes to the one reader in datetime.c, in
 * its lenient mode.  Everything becomes numbers handed to
 * datetime_from_utc(), so neither the locale nor TZ can change a result.
 */
#include "feed.h"
#include "datetime.h"
#include "util.h"

#include <stddef.h>
#include <string.h>

/* A cursor over the date text; every reader advances it on success only. */
struct date_cursor {
	const char *at;
};

static int
date_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
date_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
date_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void
date_skip_space(struct date_cursor *cursor)
{
	while (date_is_space(*cursor->at))
		cursor->at++;
}

/*
 * Reads between min_digits and max_digits decimal digits.  Returns the
 * number of digits read (0 on failure) and the value in *value_out.
 */
static int
date_read_number(struct date_cursor *cursor, int min_digits, int max_digits,
		 int *value_out)
{
	int value = 0;
	int digit_count = 0;

	while (digit_count < max_digits &&
	       date_is_digit(cursor->at[digit_count])) {
		value = value * 10 + (cursor->at[digit_count] - '0');
		digit_count++;
	}
	if (digit_count < min_digits)
		return 0;
	/* A longer run of digits than the field allows is not this field. */
	if (date_is_digit(cursor->at[digit_count]))
		return 0;
	cursor->at += digit_count;
	*value_out = value;
	return digit_count;
}

/* Reads a run of letters into word (NUL-terminated); returns its length. */
static size_t
date_read_word(struct date_cursor *cursor, char *word, size_t capacity)
{
	size_t length = 0;

	while (date_is_alpha(cursor->at[length])) {
		if (length + 1 >= capacity)
			return 0;
		word[length] = cursor->at[length];
		length++;
	}
	word[length] = '\0';
	cursor->at += length;
	return length;
}

/*
 * Month names: the three-letter abbreviation, or the full English name that
 * some feeds write instead.  Returns 1..12, or 0.
 */
static int
date_month_from_name(const char *word)
{
	static const char *const names[12] = {
	    "january",	 "february", "march",	 "april",
	    "may",	 "june",     "july",	 "august",
	    "september", "october",  "november", "december"};
	size_t length = strlen(word);
	int index;

	for (index = 0; index < 12; index++) {
		if (length == 3 && util_strncasecmp(word, names[index], 3) == 0)
			return index + 1;
		if (util_strcasecmp(word, names[index]) == 0)
			return index + 1;
		/* "Sept" is common enough to accept. */
		if (index == 8 && util_strcasecmp(word, "sept") == 0)
			return 9;
	}
	return 0;
}

static int
date_is_weekday(const char *word)
{
	static const char *const names[7] = {"monday",	 "tuesday", "wednesday",
					     "thursday", "friday",  "saturday",
					     "sunday"};
	size_t length = strlen(word);
	int index;

	for (index = 0; index < 7; index++) {
		if (length == 3 && util_strncasecmp(word, names[index], 3) == 0)
			return 1;
		if (util_strcasecmp(word, names[index]) == 0)
			return 1;
	}
	return 0;
}

/*
 * Named zones as feeds write them.  The single military letters other than
 * Z had their signs inverted in RFC 822, so RFC 2822 (section 4.3) says to
 * read them as -0000; we follow that.  Returns 0 and the offset in seconds
 * east of UTC, or -1 for an unknown name.
 */
static int
date_zone_from_name(const char *word, long *offset_out)
{
	static const struct {
		const char *name;
		int hours;
	} zones[] = {
	    {"GMT", 0},	 {"UT", 0},   {"UTC", 0},  {"Z", 0},	{"WET", 0},
	    {"WEST", 1}, {"BST", 1},  {"CET", 1},  {"MET", 1},	{"CEST", 2},
	    {"MEST", 2}, {"EET", 2},  {"EEST", 3}, {"EST", -5}, {"EDT", -4},
	    {"CST", -6}, {"CDT", -5}, {"MST", -7}, {"MDT", -6}, {"PST", -8},
	    {"PDT", -7},
	};
	size_t index;

	for (index = 0; index < sizeof(zones) / sizeof(zones[0]); index++) {
		if (util_strcasecmp(word, zones[index].name) == 0) {
			*offset_out = (long)zones[index].hours * 3600;
			return 0;
		}
	}
	if (strlen(word) == 1 && date_is_alpha(word[0]) && word[0] != 'J' &&
	    word[0] != 'j') {
		*offset_out = 0;
		return 0;
	}
	return -1;
}

/*
 * Reads a numeric zone: +hhmm, +hh:mm or +hh.  Returns 0 and the offset in
 * seconds east of UTC, or -1.
 */
static int
date_read_numeric_zone(struct date_cursor *cursor, long *offset_out)
{
	struct date_cursor probe = *cursor;
	int sign;
	int hours = 0;
	int minutes = 0;
	int digits;

	if (*probe.at != '+' && *probe.at != '-')
		return -1;
	sign = *probe.at == '-' ? -1 : 1;
	probe.at++;
	digits = date_read_number(&probe, 2, 4, &hours);
	if (digits == 4) {
		minutes = hours % 100;
		hours /= 100;
	} else if (digits == 2 && *probe.at == ':') {
		probe.at++;
		if (date_read_number(&probe, 2, 2, &minutes) == 0)
			return -1;
	} else if (digits != 2) {
		return -1;
	}
	if (hours > 23 || minutes > 59)
		return -1;
	*offset_out = sign * ((long)hours * 3600 + (long)minutes * 60);
	*cursor = probe;
	return 0;
}

/* Accepts only trailing whitespace or a parenthesised comment. */
static int
date_at_end(struct date_cursor *cursor)
{
	date_skip_space(cursor);
	if (*cursor->at == '(') {
		while (*cursor->at != '\0' && *cursor->at != ')')
			cursor->at++;
		if (*cursor->at != ')')
			return 0;
		cursor->at++;
		date_skip_space(cursor);
	}
	return *cursor->at == '\0';
}

/*
 * Reads hh:mm[:ss] into the out parameters.  Returns 0 or -1.
 */
static int
date_read_clock(struct date_cursor *cursor, int *hour_out, int *minute_out,
		int *second_out)
{
	struct date_cursor probe = *cursor;

	*second_out = 0;
	if (date_read_number(&probe, 1, 2, hour_out) == 0 || *probe.at != ':')
		return -1;
	probe.at++;
	if (date_read_number(&probe, 2, 2, minute_out) == 0)
		return -1;
	if (*probe.at == ':') {
		probe.at++;
		if (date_read_number(&probe, 2, 2, second_out) == 0)
			return -1;
	}
	*cursor = probe;
	return 0;
}

/*
 * RFC 822/2822: "[Sun,] 29 Nov 2026 07:00[:00] [zone]".  A missing zone is
 * read as UTC, since feeds that drop it mostly mean that.
 */
static int
date_parse_rfc2822(const char *text, time_t *time_out)
{
	struct date_cursor cursor = {text};
	char word[16];
	int day;
	int month;
	int year;
	int year_digits;
	int hour;
	int minute;
	int second;
	long offset = 0;

	date_skip_space(&cursor);
	if (date_is_alpha(*cursor.at)) {
		if (date_read_word(&cursor, word, sizeof(word)) == 0 ||
		    !date_is_weekday(word))
			return -1;
		date_skip_space(&cursor);
		if (*cursor.at == ',')
			cursor.at++;
		date_skip_space(&cursor);
	}
	if (date_read_number(&cursor, 1, 2, &day) == 0)
		return -1;
	/* Some feeds write "29-Nov-2026"; the RFC wants spaces. */
	if (*cursor.at == '-')
		cursor.at++;
	date_skip_space(&cursor);
	if (date_read_word(&cursor, word, sizeof(word)) == 0)
		return -1;
	month = date_month_from_name(word);
	if (month == 0)
		return -1;
	if (*cursor.at == '-')
		cursor.at++;
	date_skip_space(&cursor);
	year_digits = date_read_number(&cursor, 2, 4, &year);
	if (year_digits == 0)
		return -1;
	/* RFC 2822 section 4.3: 00-49 are 20xx, 50-99 and 3 digits 19xx. */
	if (year_digits == 2)
		year += year < 50 ? 2000 : 1900;
	else if (year_digits == 3)
		year += 1900;
	if (!date_is_space(*cursor.at))
		return -1;
	date_skip_space(&cursor);
	if (date_read_clock(&cursor, &hour, &minute, &second) != 0)
		return -1;
	date_skip_space(&cursor);
	if (*cursor.at == '+' || *cursor.at == '-') {
		if (date_read_numeric_zone(&cursor, &offset) != 0)
			return -1;
	} else if (date_is_alpha(*cursor.at)) {
		if (date_read_word(&cursor, word, sizeof(word)) == 0 ||
		    date_zone_from_name(word, &offset) != 0)
			return -1;
		/* "GMT+0100" and "UTC+01:00" also occur. */
		if ((*cursor.at == '+' || *cursor.at == '-') &&
		    date_read_numeric_zone(&cursor, &offset) != 0)
			return -1;
	}
	if (!date_at_end(&cursor))
		return -1;
	if (!datetime_valid(year, month, day, hour, minute, second))
		return -1;
	*time_out = datetime_from_utc(year, month, day, hour, minute, second) -
		    (time_t)offset;
	return 0;
}

int
feed_parse_date(const char *text, time_t *time_out)
{
	struct date_cursor cursor = {text};

	if (text == NULL)
		return -1;
	date_skip_space(&cursor);
	/* Four digits and a dash can only be ISO 8601. */
	if (date_is_digit(cursor.at[0]) && date_is_digit(cursor.at[1]) &&
	    date_is_digit(cursor.at[2]) && date_is_digit(cursor.at[3]) &&
	    cursor.at[4] == '-')
		return datetime_parse_rfc3339(cursor.at, DATETIME_LENIENT,
					      time_out);
	return date_parse_rfc2822(cursor.at, time_out);
}
