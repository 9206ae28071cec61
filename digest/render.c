/*
 * render.c - the digest's words: relative times, long dates, word wrapping
 * for the plain-text part, and the value tree the templates render against.
 *
 * Month and day names live in tables here instead of coming from the C
 * locale: the digest must read the same on every host, whatever LANG cron
 * happens to run with.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "template.h"
#include "datetime.h"
#include "util.h"
#include "value.h"

/* The plain-text part is wrapped at this many columns (code points). */
#define RENDER_TEXT_WIDTH 72
/* Item bodies in the text part hang under the title by this much. */
#define RENDER_TEXT_INDENT "    "
/* Longer summaries are cut at a word boundary: a digest is a list of
 * pointers to articles, not the articles. */
#define RENDER_SUMMARY_MAX 480
/* No template of ours comes near this; a larger file is a mistake. */
#define RENDER_TEMPLATE_MAX (1024 * 1024)

#define SECONDS_PER_MINUTE 60
#define SECONDS_PER_HOUR 3600
#define SECONDS_PER_DAY 86400L

struct ui_string {
	const char *key;
	const char *text;
};

struct language {
	const char *code;
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
	const struct ui_string *ui; /* the template's t.*, NULL-terminated */
};

static const struct ui_string ui_nl[] = {
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
    {NULL, NULL}};

static const struct ui_string ui_en[] = {
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
    {NULL, NULL}};

static const struct language languages[] = {
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
	ui_en,
    },
};

/* A partial's text, read from the template directory once. */
struct partial_text {
	char *name;
	char *text;
	char *origin;
};

/* What item_value() reads of one item: the items cache's key. */
struct item_key {
	char *source;
	char *title;
	char *link;
	char *summary;
	time_t published_at;
	int has_published;
};

/*
 * The items part of the data tree depends only on the items, the language,
 * the clock and the zone: every subscriber of one language shares it, so it
 * is built once and lent to each render (render once per variant).  The key
 * is a copy of the items' contents, not the list's address: a caller may
 * refill the same list, or get a new one at a freed one's address.
 */
struct items_cache {
	struct item_key *keys;
	size_t count;
	const struct language *lang;
	time_t now;
	char *timezone;
	struct value *list; /* NULL: nothing cached */
};

struct renderer {
	char *directory;
	struct template *templates[2]; /* indexed by enum render_format */
	struct partial_text *partials;
	size_t partial_count;
	struct items_cache cache[2]; /* one per language */
};

static const char *const template_names[2] = {
    "digest.txt.mustache",
    "digest.html.mustache",
};

static const struct language *
language_find(const char *code)
{
	if (code == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof languages / sizeof languages[0]; i++)
		if (strcmp(languages[i].code, code) == 0)
			return &languages[i];
	return NULL;
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
render_relative_time(time_t published, time_t now, const char *language,
		     const char *zone)
{
	const struct language *lang = language_find(language);
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
render_long_date(time_t when, const char *language, const char *zone)
{
	const struct language *lang = language_find(language);
	struct tm tm;

	if (lang == NULL)
		return NULL;
	break_down(zone, when, &tm);
	return xasprintf("%s %d %s %d", lang->weekdays[tm.tm_wday], tm.tm_mday,
			 lang->months[tm.tm_mon], tm.tm_year + 1900);
}

/* Columns of a UTF-8 run: its code points (continuation bytes are free). */
static size_t
utf8_columns(const char *text, size_t length)
{
	size_t columns = 0;

	for (size_t i = 0; i < length; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			columns++;
	return columns;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * A URL or mail address must survive copying from the text part in one
 * piece, so it is never broken, however long.
 */
static int
is_unbreakable(const char *word, size_t length)
{
	if (memchr(word, '@', length) != NULL)
		return 1;
	if (length >= 4 && util_strncasecmp(word, "www.", 4) == 0)
		return 1;
	for (size_t i = 0; i + 3 <= length; i++)
		if (memcmp(word + i, "://", 3) == 0)
			return 1;
	return 0;
}

/* Byte length of the first count code points of text[0..length). */
static size_t
utf8_prefix(const char *text, size_t length, size_t count)
{
	size_t i = 0;

	while (i < length && count > 0) {
		i++;
		while (i < length && ((unsigned char)text[i] & 0xC0) == 0x80)
			i++;
		count--;
	}
	return i;
}

/*
 * Breaks at ASCII blanks, so a UTF-8 sequence is never split; a no-break
 * space stays inside its word, as it should.  A word wider than a line is
 * cut after its last hyphen that fits, else at the width, at a code point
 * boundary; a URL or address stays whole on a line of its own.
 */
char *
render_wrap(const char *text, size_t width, const char *first_indent,
	    const char *indent)
{
	struct buf out = BUF_INIT;
	const char *p = text != NULL ? text : "";
	size_t column = 0;
	int at_line_start = 1, any_line = 0, blank_pending = 0;

	if (first_indent == NULL)
		first_indent = "";
	if (indent == NULL)
		indent = "";
	while (*p != '\0') {
		const char *word;
		size_t length, columns;

		if (is_blank(*p)) {
			p++;
			continue;
		}
		if (*p == '\n') {
			/* A hard break ends the line; two or more in a row
			 * leave one blank line between paragraphs. */
			if (any_line && at_line_start)
				blank_pending = 1;
			at_line_start = 1;
			p++;
			continue;
		}
		word = p;
		while (*p != '\0' && *p != '\n' && !is_blank(*p))
			p++;
		length = (size_t)(p - word);
		columns = utf8_columns(word, length);
		if (!at_line_start && column + 1 + columns <= width) {
			buf_putc(&out, ' ');
			column++;
		} else {
			const char *prefix = any_line ? indent : first_indent;

			if (any_line)
				buf_puts(&out, blank_pending ? "\n\n" : "\n");
			blank_pending = 0;
			buf_puts(&out, prefix);
			column = utf8_columns(prefix, strlen(prefix));
			at_line_start = 0;
			any_line = 1;
			while (column + columns > width &&
			       !is_unbreakable(word, length)) {
				size_t fit =
				    width > column ? width - column : 1;
				size_t cut = utf8_prefix(word, length, fit);

				/* An indent as wide as the line leaves room
				 * for nothing: keep the rest here rather
				 * than start empty lines forever. */
				if (cut >= length)
					break;
				for (size_t i = cut; i > 1; i--) {
					if (word[i - 1] == '-') {
						cut = i;
						break;
					}
				}
				buf_append(&out, word, cut);
				buf_putc(&out, '\n');
				buf_puts(&out, indent);
				column = utf8_columns(indent, strlen(indent));
				columns -= utf8_columns(word, cut);
				word += cut;
				length -= cut;
			}
		}
		buf_append(&out, word, length);
		column += columns;
	}
	return buf_detach(&out);
}

/*
 * Cuts text after at most max code points, at the last blank before the
 * limit, and marks the cut with an ellipsis.  Returns a new string (free()).
 */
static char *
shorten(const char *text, size_t max)
{
	size_t columns = 0, cut = 0, i;

	for (i = 0; text[i] != '\0'; i++) {
		if (((unsigned char)text[i] & 0xC0) == 0x80)
			continue;
		if (columns == max)
			break;
		if (is_blank(text[i]) || text[i] == '\n')
			cut = i;
		columns++;
	}
	if (text[i] == '\0')
		return xstrdup(text);
	while (cut > 0 && (is_blank(text[cut - 1]) || text[cut - 1] == '\n'))
		cut--;
	/* No blank after the first word: cut inside it, at a code point. */
	if (cut == 0)
		cut = i;
	return xasprintf("%.*s \xE2\x80\xA6", (int)cut, text);
}

static int
has_text(const char *text)
{
	return text != NULL && *text != '\0';
}

/*
 * Only web links become links: a "javascript:" or "data:" URL that got
 * through a feed has no place in a mail.
 */
static int
is_web_link(const char *link)
{
	return link != NULL && (util_strncasecmp(link, "http://", 7) == 0 ||
				util_strncasecmp(link, "https://", 8) == 0);
}

/*
 * The summary's lines as a list of {text} maps, so that the HTML part can
 * give each its own paragraph; blank lines are dropped.
 */
static struct value *
paragraphs_value(const char *text)
{
	struct value *list = value_new_list();
	const char *p = text;

	while (*p != '\0') {
		const char *end, *last;
		struct value *paragraph;

		while (*p == '\n' || is_blank(*p))
			p++;
		if (*p == '\0')
			break;
		end = strchr(p, '\n');
		if (end == NULL)
			end = p + strlen(p);
		last = end;
		while (last > p && is_blank(last[-1]))
			last--;
		paragraph = value_new_map();
		value_map_set(paragraph, "text",
			      value_new_string_len(p, (size_t)(last - p)));
		value_list_append(list, paragraph);
		p = end;
	}
	return list;
}

static void
map_take_string(struct value *map, const char *key, char *text)
{
	value_map_set_string(map, key, text);
	free(text);
}

static struct value *
item_value(const struct item *item, size_t index, const struct language *lang,
	   const struct render_context *context)
{
	struct value *map = value_new_map();
	const char *source = item->source != NULL ? item->source : "";
	const char *title = item->title != NULL ? item->title : "";
	const size_t indent_width = strlen(RENDER_TEXT_INDENT);
	char *relative = NULL, *byline, *marker, *number;
	char published[21];

	map_take_string(map, "index", xasprintf("%zu", index));
	/* "1.  " and "10. " both take four columns, the text indent. */
	number = xasprintf("%zu.", index);
	marker =
	    xasprintf("%-*s",
		      strlen(number) < indent_width ? (int)indent_width
						    : (int)strlen(number) + 1,
		      number);
	free(number);
	value_map_set_string(map, "marker", marker);
	value_map_set_string(map, "title", title);
	map_take_string(
	    map, "title_text",
	    render_wrap(title, RENDER_TEXT_WIDTH, marker, RENDER_TEXT_INDENT));
	free(marker);
	value_map_set_string(map, "source", source);
	value_map_set_bool(map, "has_link", is_web_link(item->link));
	value_map_set_string(map, "link",
			     is_web_link(item->link) ? item->link : "");
	if (has_text(item->summary)) {
		char *summary = shorten(item->summary, RENDER_SUMMARY_MAX);

		value_map_set_bool(map, "has_summary", 1);
		value_map_set_string(map, "summary", summary);
		value_map_set(map, "paragraphs", paragraphs_value(summary));
		map_take_string(map, "summary_text",
				render_wrap(summary, RENDER_TEXT_WIDTH,
					    RENDER_TEXT_INDENT,
					    RENDER_TEXT_INDENT));
		free(summary);
	} else {
		value_map_set_bool(map, "has_summary", 0);
		value_map_set_string(map, "summary", "");
		value_map_set_string(map, "summary_text", "");
		value_map_set(map, "paragraphs", value_new_list());
	}
	value_map_set_bool(map, "has_published", item->has_published);
	value_map_set_bool(map, "has_time", item->has_published);
	if (item->has_published) {
		datetime_format_rfc3339(item->published_at, published);
		relative =
		    render_relative_time(item->published_at, context->now,
					 lang->code, context->timezone);
	} else {
		published[0] = '\0';
	}
	value_map_set_string(map, "published", published);
	value_map_set_string(map, "time", relative != NULL ? relative : "");
	/* U+00B7 MIDDLE DOT between the source and the time. */
	if (relative != NULL && *source != '\0')
		byline = xasprintf("%s \xC2\xB7 %s", source, relative);
	else
		byline = xstrdup(relative != NULL ? relative : source);
	value_map_set_string(map, "byline", byline);
	map_take_string(map, "byline_text",
			render_wrap(byline, RENDER_TEXT_WIDTH,
				    RENDER_TEXT_INDENT, RENDER_TEXT_INDENT));
	free(byline);
	free(relative);
	return map;
}

/* Sets key to text and key_text to text wrapped for the text part. */
static void
map_set_wrapped(struct value *map, const char *key, const char *text)
{
	char *wrapped_key = xasprintf("%s_text", key);

	value_map_set_string(map, key, text);
	map_take_string(map, wrapped_key,
			render_wrap(text, RENDER_TEXT_WIDTH, "", ""));
	free(wrapped_key);
}

/* Returns the whole data tree (value_free()). */
static struct value *
digest_value(const struct render_context *context,
	     const struct item_list *items, const struct language *lang,
	     struct value *list)
{
	struct value *data = value_new_map();
	struct value *ui = value_new_map();
	size_t count = items != NULL ? items->count : 0;
	char *text;

	map_set_wrapped(data, "title",
			has_text(context->title) ? context->title : "");
	map_take_string(
	    data, "date",
	    render_long_date(context->now, lang->code, context->timezone));
	value_map_set_string(data, "language", lang->code);
	map_take_string(data, "item_count", xasprintf("%zu", count));
	value_map_set_bool(data, "has_items", count > 0);

	if (count == 0) {
		map_set_wrapped(data, "intro", lang->intro_empty);
	} else {
		char *counted = count == 1 ? xstrdup(lang->item_one)
					   : xasprintf(lang->items, count);

		text = xasprintf(lang->intro, counted);
		map_set_wrapped(data, "intro", text);
		free(text);
		free(counted);
	}

	value_map_set_bool(data, "has_recipient",
			   has_text(context->recipient_name));
	value_map_set_string(
	    data, "recipient_name",
	    has_text(context->recipient_name) ? context->recipient_name : "");
	text = has_text(context->recipient_name)
		   ? xasprintf(lang->greeting, context->recipient_name)
		   : xstrdup(lang->greeting_anonymous);
	map_set_wrapped(data, "greeting", text);
	free(text);

	value_map_set_bool(data, "has_provider",
			   has_text(context->provider_name));
	value_map_set_string(
	    data, "provider_name",
	    has_text(context->provider_name) ? context->provider_name : "");
	text = has_text(context->provider_name)
		   ? xasprintf(lang->why, context->provider_name)
		   : xstrdup(lang->why_anonymous);
	map_set_wrapped(data, "why", text);
	free(text);

	value_map_set_bool(data, "has_unsubscribe",
			   has_text(context->unsubscribe_url) ||
			       has_text(context->unsubscribe_mailto));
	value_map_set_bool(data, "has_unsubscribe_url",
			   has_text(context->unsubscribe_url));
	value_map_set_string(
	    data, "unsubscribe_url",
	    has_text(context->unsubscribe_url) ? context->unsubscribe_url : "");
	value_map_set_bool(data, "has_unsubscribe_mailto",
			   has_text(context->unsubscribe_mailto));
	value_map_set_string(data, "unsubscribe_mailto",
			     has_text(context->unsubscribe_mailto)
				 ? context->unsubscribe_mailto
				 : "");

	for (const struct ui_string *s = lang->ui; s->key != NULL; s++)
		value_map_set_string(ui, s->key, s->text);
	value_map_set(data, "t", ui);
	value_map_set(data, "items", list);
	return data;
}

static char *
copy_or_null(const char *text)
{
	return text != NULL ? xstrdup(text) : NULL;
}

static int
same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
cache_clear(struct items_cache *cache)
{
	for (size_t i = 0; i < cache->count; i++) {
		free(cache->keys[i].source);
		free(cache->keys[i].title);
		free(cache->keys[i].link);
		free(cache->keys[i].summary);
	}
	free(cache->keys);
	free(cache->timezone);
	value_free(cache->list);
	memset(cache, 0, sizeof *cache);
}

/* Compares contents: cheap next to building the tree (wrapping, dates). */
static int
cache_matches(const struct items_cache *cache,
	      const struct render_context *context,
	      const struct item_list *items, const struct language *lang)
{
	const char *zone = context->timezone ? context->timezone : "";
	size_t count = items != NULL ? items->count : 0;

	if (cache->list == NULL || cache->count != count ||
	    cache->lang != lang || cache->now != context->now ||
	    strcmp(cache->timezone, zone) != 0)
		return 0;
	for (size_t i = 0; i < count; i++) {
		const struct item_key *key = &cache->keys[i];
		const struct item *item = &items->items[i];

		if (key->has_published != item->has_published ||
		    (item->has_published &&
		     key->published_at != item->published_at) ||
		    !same_text(key->source, item->source) ||
		    !same_text(key->title, item->title) ||
		    !same_text(key->link, item->link) ||
		    !same_text(key->summary, item->summary))
			return 0;
	}
	return 1;
}

/*
 * Returns the items list for this render, built on first use; the renderer
 * keeps it, and render_digest() takes it back out of the data tree.
 */
static struct value *
items_list(struct renderer *renderer, const struct render_context *context,
	   const struct item_list *items, const struct language *lang)
{
	size_t slot = (size_t)(lang - languages);
	struct items_cache *cache = &renderer->cache[slot < 2 ? slot : 0];
	size_t count = items != NULL ? items->count : 0;

	if (cache_matches(cache, context, items, lang))
		return cache->list;
	cache_clear(cache);
	cache->keys = xcalloc(count > 0 ? count : 1, sizeof *cache->keys);
	cache->count = count;
	cache->lang = lang;
	cache->now = context->now;
	cache->timezone = xstrdup(context->timezone ? context->timezone : "");
	cache->list = value_new_list();
	for (size_t i = 0; i < count; i++) {
		const struct item *item = &items->items[i];
		struct item_key *key = &cache->keys[i];

		key->source = copy_or_null(item->source);
		key->title = copy_or_null(item->title);
		key->link = copy_or_null(item->link);
		key->summary = copy_or_null(item->summary);
		key->published_at = item->published_at;
		key->has_published = item->has_published;
		value_list_append(cache->list,
				  item_value(item, i + 1, lang, context));
	}
	return cache->list;
}

/*
 * The partial_fn for the engine: serves partials from the renderer's
 * memory, reading each file of the template directory only the first time.
 */
static int
cached_partial(void *context, const char *name, char **text_out,
	       char **origin_out)
{
	struct renderer *renderer = context;
	struct partial_text *slot;
	char *text = NULL, *origin = NULL;

	for (size_t i = 0; i < renderer->partial_count; i++) {
		slot = &renderer->partials[i];
		if (strcmp(slot->name, name) == 0) {
			*text_out = xstrdup(slot->text);
			*origin_out = xstrdup(slot->origin);
			return 0;
		}
	}
	if (template_partial_from_dir(renderer->directory, name, &text,
				      &origin) < 0)
		return -1;
	renderer->partials =
	    xreallocarray(renderer->partials, renderer->partial_count + 1,
			  sizeof *renderer->partials);
	slot = &renderer->partials[renderer->partial_count++];
	slot->name = xstrdup(name);
	slot->text = text;
	slot->origin = origin;
	*text_out = xstrdup(text);
	*origin_out = xstrdup(origin);
	return 0;
}

enum render_status
render_open(const char *template_dir, struct renderer **renderer_out,
	    char **errstr_out)
{
	struct renderer *renderer = xcalloc(1, sizeof *renderer);
	enum render_status status = RENDER_OK;
	char *path = NULL, *text = NULL, *error = NULL;
	size_t size;

	*renderer_out = NULL;
	*errstr_out = NULL;
	renderer->directory = xstrdup(template_dir);
	for (size_t i = 0; i < 2; i++) {
		free(path);
		free(text);
		text = NULL;
		path = xasprintf("%s/%s", template_dir, template_names[i]);
		if (util_read_file(path, RENDER_TEMPLATE_MAX, &text, &size) <
		    0) {
			*errstr_out =
			    xasprintf("%s: %s", path, strerror(errno));
			status = RENDER_ETEMPLATE;
			goto out;
		}
		if (template_parse(text, size, path, &renderer->templates[i],
				   &error) != TEMPLATE_OK) {
			/* The engine's message names the file and line. */
			*errstr_out = error != NULL
					  ? error
					  : xasprintf("%s: cannot parse", path);
			error = NULL;
			status = RENDER_ETEMPLATE;
			goto out;
		}
	}
	*renderer_out = renderer;
	renderer = NULL;
out:
	free(path);
	free(text);
	render_close(renderer);
	return status;
}

enum render_status
render_digest(struct renderer *renderer, enum render_format format,
	      const struct render_context *context,
	      const struct item_list *items, char **output_out,
	      char **errstr_out)
{
	const struct language *lang = language_find(context->language);
	struct value *data = NULL;
	struct buf out = BUF_INIT;
	enum render_status status = RENDER_OK;
	enum template_status rendered;
	char *error = NULL;
	size_t which = format == RENDER_HTML ? 1 : 0;

	*output_out = NULL;
	*errstr_out = NULL;
	if (lang == NULL) {
		*errstr_out = xasprintf(
		    "unknown language \"%s\" "
		    "(use \"nl\" or \"en\")",
		    context->language != NULL ? context->language : "");
		status = RENDER_ELANGUAGE;
		goto out;
	}
	data = digest_value(context, items, lang,
			    items_list(renderer, context, items, lang));
	rendered = template_render(renderer->templates[which], data,
				   format == RENDER_HTML ? TEMPLATE_ESCAPE_HTML
							 : TEMPLATE_ESCAPE_NONE,
				   cached_partial, renderer, &out, &error);
	/* The items list is the renderer's: take it back before freeing. */
	value_map_take(data, "items");
	if (rendered != TEMPLATE_OK) {
		*errstr_out = error != NULL ? error
					    : xasprintf("%s/%s: cannot render",
							renderer->directory,
							template_names[which]);
		error = NULL;
		status = RENDER_ETEMPLATE;
		goto out;
	}
	*output_out = buf_detach(&out);
out:
	buf_free(&out);
	if (data != NULL)
		value_free(data);
	return status;
}

void
render_close(struct renderer *renderer)
{
	if (renderer == NULL)
		return;
	for (size_t i = 0; i < 2; i++) {
		if (renderer->templates[i] != NULL)
			template_free(renderer->templates[i]);
		cache_clear(&renderer->cache[i]);
	}
	for (size_t i = 0; i < renderer->partial_count; i++) {
		free(renderer->partials[i].name);
		free(renderer->partials[i].text);
		free(renderer->partials[i].origin);
	}
	free(renderer->partials);
	free(renderer->directory);
	free(renderer);
}
