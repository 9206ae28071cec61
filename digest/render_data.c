/*
 * render_data.c - builds the value tree that the digest templates render
 * against (every key is listed in templates/README.md), and caches its
 * items part between renders.
 */
#include <stdlib.h>
#include <string.h>

#include "render_data.h"
#include "datetime.h"
#include "url.h"
#include "util.h"
#include "wrap.h"

/* The plain-text part is wrapped at this many columns (code points). */
#define RENDER_TEXT_WIDTH 72
/* Item bodies in the text part hang under the title by this much. */
#define RENDER_TEXT_INDENT "    "
/* Longer summaries are cut at a word boundary: a digest is a list of
 * pointers to articles, not the articles. */
#define RENDER_SUMMARY_MAX 480

/* What item_value() reads of one item: the items cache's key. */
struct render_data_key {
	char *source;
	char *title;
	char *link;
	char *summary;
	time_t published_at;
	int has_published;
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
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
 * The length of the bullet that starts line: "- " (how the feed reader
 * writes an HTML <li>) or "\u2022 " (a bullet written as text), else 0.
 */
static size_t
bullet_length(const char *line)
{
	if (line[0] == '-' && line[1] == ' ')
		return 2;
	if (strncmp(line, "\xE2\x80\xA2 ", 4) == 0)
		return 4;
	return 0;
}

/* One line of a summary: its text without blanks around it. */
struct summary_line {
	const char *text;
	size_t length;
	int after_blank; /* a blank line came between it and the one before */
};

/*
 * Finds the next line with text from *cursor on, and moves *cursor past
 * it.  Returns 0 at the end of text.
 */
static int
next_line(const char **cursor, struct summary_line *line_out)
{
	const char *p = *cursor, *end, *last;
	int newlines = 0;

	while (*p == '\n' || is_blank(*p))
		newlines += *p++ == '\n';
	if (*p == '\0')
		return 0;
	end = strchr(p, '\n');
	if (end == NULL)
		end = p + strlen(p);
	last = end;
	while (last > p && is_blank(last[-1]))
		last--;
	line_out->text = p;
	line_out->length = (size_t)(last - p);
	line_out->after_blank = newlines > 1;
	*cursor = end;
	return 1;
}

/* The buffer's text as a string value (a copy). */
static struct value *
lines_value(const struct buf *lines)
{
	return value_new_string_len(lines->data != NULL ? lines->data : "",
				    lines->length);
}

/* A {text} map of the length bytes at text. */
static struct value *
text_map(const char *text, size_t length)
{
	struct value *map = value_new_map();

	value_map_set(map, "text", value_new_string_len(text, length));
	return map;
}

/*
 * The summary's lines as a list of blocks, so that the HTML part can give
 * each line its own paragraph and each run of bullet lines ("- " or
 * "\u2022 ", blank lines between them allowed) one list: a block is
 * {text, is_list, bullets}; a list's bullets are {text} maps without their
 * marks, and its text holds the lines as they were.  Blank lines are
 * dropped.  Every block has every key, so that a template never reaches
 * past it for a key of the same name outside.
 */
static struct value *
paragraphs_value(const char *text)
{
	struct value *list = value_new_list();
	struct value *block = NULL, *bullets = NULL;
	struct summary_line line;
	struct buf lines = BUF_INIT;
	const char *cursor = text;
	size_t mark;

	while (next_line(&cursor, &line)) {
		mark = bullet_length(line.text);
		if (mark > 0 && bullets != NULL) {
			buf_putc(&lines, '\n');
		} else {
			if (block != NULL)
				value_map_set(block, "text",
					      lines_value(&lines));
			buf_reset(&lines);
			block = value_new_map();
			bullets = value_new_list();
			value_map_set_bool(block, "is_list", mark > 0);
			value_map_set(block, "bullets", bullets);
			value_list_append(list, block);
			if (mark == 0)
				bullets = NULL;
		}
		buf_append(&lines, line.text, line.length);
		if (mark > 0)
			value_list_append(
			    bullets,
			    text_map(line.text + mark, line.length - mark));
	}
	if (block != NULL)
		value_map_set(block, "text", lines_value(&lines));
	buf_free(&lines);
	return list;
}

/*
 * The summary wrapped for the text part, every line indented: a bullet
 * line hangs under its text, past the mark; a blank line between two
 * lines stays one blank line.  Returns a new string (free()).
 */
static char *
summary_text_value(const char *text)
{
	struct buf out = BUF_INIT;
	struct summary_line line;
	const char *cursor = text;
	char *copy, *wrapped;
	int first = 1;

	while (next_line(&cursor, &line)) {
		if (!first)
			buf_puts(&out, line.after_blank ? "\n\n" : "\n");
		first = 0;
		copy = xstrndup(line.text, line.length);
		wrapped =
		    wrap_text(copy, RENDER_TEXT_WIDTH, RENDER_TEXT_INDENT,
			      bullet_length(copy) > 0 ? RENDER_TEXT_INDENT "  "
						      : RENDER_TEXT_INDENT);
		buf_puts(&out, wrapped);
		free(wrapped);
		free(copy);
	}
	return buf_detach(&out);
}

static void
map_take_string(struct value *map, const char *key, char *text)
{
	value_map_set_string(map, key, text);
	free(text);
}

static struct value *
item_value(const struct item *item, size_t index,
	   const struct words_language *lang,
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
	    wrap_text(title, RENDER_TEXT_WIDTH, marker, RENDER_TEXT_INDENT));
	free(marker);
	value_map_set_string(map, "source", source);
	value_map_set_bool(map, "has_link", is_web_link(item->link));
	if (is_web_link(item->link))
		map_take_string(map, "link", url_encode_unsafe(item->link));
	else
		value_map_set_string(map, "link", "");
	if (has_text(item->summary)) {
		char *summary = wrap_shorten(item->summary, RENDER_SUMMARY_MAX);

		value_map_set_bool(map, "has_summary", 1);
		value_map_set_string(map, "summary", summary);
		value_map_set(map, "paragraphs", paragraphs_value(summary));
		map_take_string(map, "summary_text",
				summary_text_value(summary));
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
		relative = words_relative_time(item->published_at, context->now,
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
			wrap_text(byline, RENDER_TEXT_WIDTH, RENDER_TEXT_INDENT,
				  RENDER_TEXT_INDENT));
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
			wrap_text(text, RENDER_TEXT_WIDTH, "", ""));
	free(wrapped_key);
}

/* Sets key to text (or "") and has_KEY to whether there is any. */
static void
map_set_optional(struct value *map, const char *key, const char *text)
{
	char *has_key = xasprintf("has_%s", key);

	value_map_set_bool(map, has_key, has_text(text));
	value_map_set_string(map, key, has_text(text) ? text : "");
	free(has_key);
}

/* The footer: the ways to leave, the other links, the provider's line. */
static void
footer_values(struct value *data, const struct render_context *context)
{
	value_map_set_bool(data, "has_unsubscribe",
			   has_text(context->unsubscribe_url) ||
			       has_text(context->unsubscribe_mailto));
	map_set_optional(data, "unsubscribe_url", context->unsubscribe_url);
	map_set_optional(data, "unsubscribe_mailto",
			 context->unsubscribe_mailto);
	map_set_optional(data, "prefs_url", context->prefs_url);
	map_set_optional(data, "view_url", context->view_url);
	value_map_set_bool(data, "has_links",
			   has_text(context->unsubscribe_url) ||
			       has_text(context->prefs_url) ||
			       has_text(context->view_url));
	value_map_set_bool(data, "has_footer", has_text(context->footer));
	map_set_wrapped(data, "footer",
			has_text(context->footer) ? context->footer : "");
}

/*
 * "Kies je webmail": one sentence that names every webmail ("A of B",
 * "A, B of C"), for a reader who has not chosen one, when there is a
 * preferences page to choose on.
 */
static void
prompt_values(struct value *data, const struct render_context *context,
	      const struct words_language *lang)
{
	const char *const *names = context->webmail_names;
	size_t count = 0;
	struct buf joined = BUF_INIT;
	char *text;

	while (names != NULL && names[count] != NULL)
		count++;
	if (!context->prompt || !has_text(context->prefs_url) || count < 2) {
		value_map_set_bool(data, "has_prompt", 0);
		map_set_wrapped(data, "prompt", "");
		return;
	}
	for (size_t i = 0; i < count; i++) {
		if (i > 0)
			buf_puts(&joined,
				 i + 1 == count ? lang->or_word : ", ");
		buf_puts(&joined, names[i]);
	}
	text = xasprintf(lang->prompt, joined.data);
	value_map_set_bool(data, "has_prompt", 1);
	map_set_wrapped(data, "prompt", text);
	free(text);
	buf_free(&joined);
}

char *
render_data_greeting(const struct words_language *lang,
		     const char *recipient_name, int wrapped)
{
	char *text = has_text(recipient_name)
			 ? xasprintf(lang->greeting, recipient_name)
			 : xstrdup(lang->greeting_anonymous);
	char *wrapped_text;

	if (!wrapped)
		return text;
	/* The same wrap as map_set_wrapped() gives greeting_text. */
	wrapped_text = wrap_text(text, RENDER_TEXT_WIDTH, "", "");
	free(text);
	return wrapped_text;
}

struct value *
render_data_tree(const struct render_context *context,
		 const struct item_list *items,
		 const struct words_language *lang, struct value *list)
{
	struct value *data = value_new_map();
	struct value *ui = value_new_map();
	size_t count = items != NULL ? items->count : 0;
	char *text;

	map_set_wrapped(data, "title",
			has_text(context->title) ? context->title : "");
	map_take_string(
	    data, "date",
	    words_long_date(context->now, lang->code, context->timezone));
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
	if (context->greeting_as_is != NULL) {
		value_map_set_string(data, "greeting", context->greeting_as_is);
		value_map_set_string(data, "greeting_text",
				     context->greeting_text_as_is);
	} else {
		text = render_data_greeting(lang, context->recipient_name, 0);
		map_set_wrapped(data, "greeting", text);
		free(text);
	}

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

	footer_values(data, context);
	prompt_values(data, context, lang);
	for (const struct words_ui_string *s = lang->ui; s->key != NULL; s++)
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

void
render_data_cache_clear(struct render_data_cache *cache)
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
cache_matches(const struct render_data_cache *cache,
	      const struct render_context *context,
	      const struct item_list *items, const struct words_language *lang)
{
	const char *zone = context->timezone ? context->timezone : "";
	size_t count = items != NULL ? items->count : 0;

	if (cache->list == NULL || cache->count != count ||
	    cache->lang != lang || cache->now != context->now ||
	    strcmp(cache->timezone, zone) != 0)
		return 0;
	for (size_t i = 0; i < count; i++) {
		const struct render_data_key *key = &cache->keys[i];
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

struct value *
render_data_items(struct render_data_cache *cache,
		  const struct render_context *context,
		  const struct item_list *items,
		  const struct words_language *lang)
{
	size_t count = items != NULL ? items->count : 0;

	if (cache_matches(cache, context, items, lang))
		return cache->list;
	render_data_cache_clear(cache);
	cache->keys = xcalloc(count > 0 ? count : 1, sizeof *cache->keys);
	cache->count = count;
	cache->lang = lang;
	cache->now = context->now;
	cache->timezone = xstrdup(context->timezone ? context->timezone : "");
	cache->list = value_new_list();
	for (size_t i = 0; i < count; i++) {
		const struct item *item = &items->items[i];
		struct render_data_key *key = &cache->keys[i];

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
