/*
 * words.c - the language tables, and the two words that depend on the
 * clock and the zone: relative times and long dates.
 */
#include "words.h"

#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "util.h"

#define SECONDS_PER_MINUTE 60
#define SECONDS_PER_HOUR 3600
#define SECONDS_PER_DAY 86400L

static const struct words_ui_string ui_nl[] = {
    {"heading", "Buitenland"},
    {"read_more", "Lees verder"},
    {"no_items", "Geen nieuwe berichten sinds het vorige overzicht."},
    {"why_heading", "Waarom krijg je dit bericht?"},
    {"unsubscribe_heading", "Afmelden"},
    {"unsubscribe_link", "Afmelden voor dit overzicht"},
    {"unsubscribe_url_intro",
     "Wil je dit overzicht niet meer ontvangen? Meld je af via:"},
    {"unsubscribe_mailto_or", "Of stuur een e-mail naar:"},
    {"unsubscribe_mailto_intro",
     "Wil je dit overzicht niet meer ontvangen? Stuur een e-mail naar:"},
    {"automatic", "Dit overzicht is automatisch samengesteld."},
    {"prefs_link", "Voorkeuren"},
    {"prefs_intro", "Je webmail, taal of opmaak wijzigen:"},
    {"view_link", "Bekijk dit overzicht in je browser"},
    {"view_intro", "Bekijk dit overzicht in je browser:"},
    {"prompt_heading", "Kies je webmail"},
    {"prompt_link", "Naar je voorkeuren"},
    {NULL, NULL}};

static const struct words_ui_string ui_en[] = {
    {"heading", "Foreign news"},
    {"read_more", "Read more"},
    {"no_items", "No new items since the previous digest."},
    {"why_heading", "Why do you get this message?"},
    {"unsubscribe_heading", "Unsubscribe"},
    {"unsubscribe_link", "Unsubscribe from this digest"},
    {"unsubscribe_url_intro", "No longer want this digest? Unsubscribe here:"},
    {"unsubscribe_mailto_or", "Or send an e-mail to:"},
    {"unsubscribe_mailto_intro",
     "No longer want this digest? Send an e-mail to:"},
    {"automatic", "This digest was put together automatically."},
    {"prefs_link", "Preferences"},
    {"prefs_intro", "Change your webmail, language or format:"},
    {"view_link", "View this digest in your browser"},
    {"view_intro", "View this digest in your browser:"},
    {"prompt_heading", "Choose your webmail"},
    {"prompt_link", "Go to your preferences"},
    {NULL, NULL}};

static const struct words_language languages[WORDS_LANGUAGE_COUNT] = {
    {
	"nl",
	{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag",
	 "zaterdag"},
	{"januari", "februari", "maart", "april", "mei", "juni", "juli",
	 "augustus", "september", "oktober", "november", "december"},
	{"jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.", "sep.",
	 "okt.", "nov.", "dec."},
	"zojuist",
	"1 minuut geleden",
	"%ld minuten geleden",
	"1 uur geleden",
	"%ld uur geleden",
	"gisteren",
	"%ld dagen geleden",
	"1 bericht",
	"%zu berichten",
	"Dit is je overzicht van het buitenlandse nieuws: %s.",
	"Dit is je overzicht van het buitenlandse nieuws.",
	"Hallo %s,",
	"Hallo,",
	"Je ontvangt dit overzicht omdat je je via %s hebt aangemeld "
	"voor het dagelijkse nieuws uit de rubriek Buitenland.",
	"Je ontvangt dit overzicht omdat je je hebt aangemeld voor het "
	"dagelijkse nieuws uit de rubriek Buitenland.",
	"Laat ons weten of je je mail leest in %s, dan komt dit overzicht "
	"voortaan van jouw eigen webmail.",
	" of ",
	ui_nl,
    },
    {
	"en",
	{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	 "Saturday"},
	{"January", "February", "March", "April", "May", "June", "July",
	 "August", "September", "October", "November", "December"},
	{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	 "Nov", "Dec"},
	"just now",
	"1 minute ago",
	"%ld minutes ago",
	"1 hour ago",
	"%ld hours ago",
	"yesterday",
	"%ld days ago",
	"1 item",
	"%zu items",
	"Here is your foreign news digest: %s.",
	"Here is your foreign news digest.",
	"Hello %s,",
	"Hello,",
	"You receive this digest because you signed up at %s for the "
	"daily news from the Foreign news column.",
	"You receive this digest because you signed up for the daily "
	"news from the Foreign news column.",
	"Tell us whether you read your mail in %s, and this digest will "
	"come from your own webmail from then on.",
	" or ",
	ui_en,
    },
};

const struct words_language *
words_find_language(const char *code)
{
	if (code == NULL)
		return NULL;
	for (size_t i = 0; i < WORDS_LANGUAGE_COUNT; i++)
		if (strcmp(languages[i].code, code) == 0)
			return &languages[i];
	return NULL;
}

size_t
words_language_index(const struct words_language *language)
{
	return (size_t)(language - languages);
}

/*
 * Breaks when down in zone.  An unknown zone falls back to UTC rather than
 * failing: config.c refuses unknown zones, and a digest with dates a few
 * hours off beats no digest.
 */
static void
break_down(const char *zone, time_t when, struct tm *tm_out)
{
	if (datetime_local(zone, when, tm_out) == 0)
		return;
	if (gmtime_r(&when, tm_out) == NULL)
		memset(tm_out, 0, sizeof *tm_out);
}

/*
 * The rule, in this order:
 *   - less than a minute old, or in the future (clock skew): "zojuist";
 *   - less than an hour old: whole minutes, "11 minuten geleden", even
 *     when midnight lies in between ("23:55" seen at "00:10");
 *   - on today's calendar date in the zone: whole elapsed hours, "3 uur
 *     geleden" (elapsed, so a DST change day may show "24 uur");
 *   - on the previous calendar date: "gisteren", even when only two
 *     hours old, because that is how a reader remembers it;
 *   - 2 to 6 calendar days back: "3 dagen geleden";
 *   - older: the short date, "12 nov.", with the year ("12 nov. 2025")
 *     when it is not this year.
 */
char *
words_relative_time(time_t published, time_t now, const char *language,
		    const char *zone)
{
	const struct words_language *lang = words_find_language(language);
	struct tm published_tm, now_tm;
	long elapsed, days;

	if (lang == NULL)
		return NULL;
	if (published >= now || now - published < SECONDS_PER_MINUTE)
		return xstrdup(lang->just_now);
	elapsed = (long)(now - published);
	if (elapsed < SECONDS_PER_HOUR) {
		if (elapsed / SECONDS_PER_MINUTE == 1)
			return xstrdup(lang->minute_one);
		return xasprintf(lang->minutes, elapsed / SECONDS_PER_MINUTE);
	}
	break_down(zone, published, &published_tm);
	break_down(zone, now, &now_tm);
	days =
	    datetime_day_number(&now_tm) - datetime_day_number(&published_tm);
	if (days <= 0) {
		if (elapsed / SECONDS_PER_HOUR == 1)
			return xstrdup(lang->hour_one);
		return xasprintf(lang->hours, elapsed / SECONDS_PER_HOUR);
	}
	if (days == 1)
		return xstrdup(lang->yesterday);
	if (days < 7)
		return xasprintf(lang->days, days);
	if (published_tm.tm_year == now_tm.tm_year)
		return xasprintf("%d %s", published_tm.tm_mday,
				 lang->months_short[published_tm.tm_mon]);
	return xasprintf("%d %s %d", published_tm.tm_mday,
			 lang->months_short[published_tm.tm_mon],
			 published_tm.tm_year + 1900);
}

char *
words_long_date(time_t when, const char *language, const char *zone)
{
	const struct words_language *lang = words_find_language(language);
	struct tm tm;

	if (lang == NULL)
		return NULL;
	break_down(zone, when, &tm);
	return xasprintf("%s %d %s %d", lang->weekdays[tm.tm_wday], tm.tm_mday,
			 lang->months[tm.tm_mon], tm.tm_year + 1900);
}
