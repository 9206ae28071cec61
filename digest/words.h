/*
 * words.h - the digest's words in each language it speaks: portal-style
 * relative times ("11 minuten geleden"), long dates ("zondag 29 november
 * 2026"), and the sentences and fixed texts (the templates' t.*) that the
 * renderer puts into its data tree.
 *
 * Day and month names live in tables here instead of coming from the C
 * locale, so the digest reads the same on every host whatever LANG cron
 * runs with.
 */
#ifndef DIGEST_WORDS_H
#define DIGEST_WORDS_H

#include <stddef.h>
#include <time.h>

/* One fixed text of a language: the template reads it as t.KEY. */
struct words_ui_string {
	const char *key;
	const char *text;
};

/*
 * A language's sentences.  The ones marked "takes" are printf formats with
 * one conversion: %ld for a count of minutes, hours or days, %zu for a count
 * of items, %s for a text.
 */
struct words_language {
	const char *code;	 /* "nl", "en" */
	const char *weekdays[7]; /* Sunday first, as struct tm counts */
	const char *months[12];
	const char *months_short[12];
	const char *just_now;
	const char *minute_one;
	const char *minutes; /* takes the count */
	const char *hour_one;
	const char *hours; /* takes the count */
	const char *yesterday;
	const char *days; /* takes the count */
	const char *item_one;
	const char *items; /* takes the count */
	const char *intro; /* takes "6 berichten" */
	const char *intro_empty;
	const char *greeting; /* takes the name */
	const char *greeting_anonymous;
	const char *why; /* takes the provider */
	const char *why_anonymous;
	const char *prompt;  /* takes the webmails: "ZeelandNet of DELTA" */
	const char *or_word; /* " of ", between the last two webmails */
	const struct words_ui_string *ui; /* the t.* texts, NULL-key ended */
};

/* How many languages there are. */
#define WORDS_LANGUAGE_COUNT 2

/*
 * Returns the language with this code ("nl", "en"), or NULL for an unknown
 * code or NULL.  The result is static: never freed.
 */
const struct words_language *words_find_language(const char *code);

/* The language's position in [0, WORDS_LANGUAGE_COUNT), for callers that
 * keep something per language. */
size_t words_language_index(const struct words_language *language);

/*
 * The portal's relative time of published against now in language:
 * "zojuist", "1 minuut geleden", "11 minuten geleden", "3 uur geleden",
 * "gisteren", "3 dagen geleden" (and "just now", "11 minutes ago", ...
 * in English).  Calendar words ("gisteren") follow the days of timezone.
 * Returns a new string (free()), or NULL for an unknown language.
 */
char *words_relative_time(time_t published, time_t now, const char *language,
			  const char *timezone);

/*
 * The long date of when in language and timezone: "zondag 29 november 2026"
 * or "Sunday 29 November 2026".  Returns a new string (free()), or NULL for
 * an unknown language.
 */
char *words_long_date(time_t when, const char *language, const char *timezone);

#endif
