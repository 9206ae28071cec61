/*
 * 3511-render-check: properties of every document the shipped templates
 * make, for the sample items plus hostile ones (very long titles, words,
 * sources and URLs, markup, a script tag in a summary):
 *   - HTML parses as XML with libxml2 without a single error or warning,
 *     has the mail-client metadata, and never contains "<script" or a
 *     javascript: link;
 *   - text has no HTML entities, no tags we put there, and no line
 *     longer than 72 columns unless it is one bare URL or address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "3500-render-sample.h"

static int failures;
static int xml_errors;

static void
fail(const char *name, const char *message, const char *detail)
{
	fprintf(stderr, "FAIL %s: %s%s%s\n", name, message,
		detail != NULL ? ": " : "", detail != NULL ? detail : "");
	failures++;
}

static void
count_xml_error(void *context, xmlErrorPtr error)
{
	(void)context;
	fprintf(stderr, "libxml2: line %d: %s", error->line, error->message);
	xml_errors++;
}

static const char *
find_ascii_nocase(const char *haystack, const char *needle)
{
	size_t length = strlen(needle);

	for (const char *p = haystack; *p != '\0'; p++)
		if (util_strncasecmp(p, needle, length) == 0)
			return p;
	return NULL;
}

/*
 * One <style> block is allowed, in <head>, holding only the dark-mode
 * media query: clients that drop it still get the inline styles.
 */
static void
check_style_block(const char *name, const char *html)
{
	const char *style = find_ascii_nocase(html, "<style");
	const char *head_end = find_ascii_nocase(html, "</head>");

	if (style == NULL) {
		fail(name, "missing", "the dark-mode <style> block");
		return;
	}
	if (head_end == NULL || style > head_end)
		fail(name, "a <style> block outside <head>", NULL);
	else if (find_ascii_nocase(style + 1, "<style") != NULL)
		fail(name, "more than one <style> block", NULL);
	else if (find_ascii_nocase(style, "prefers-color-scheme: dark") == NULL)
		fail(name, "the <style> block lacks", "prefers-color-scheme");
}

static void
check_html(const char *name, const char *html)
{
	static const char *const required[] = {
	    "<!DOCTYPE html>",
	    "name=\"viewport\"",
	    "name=\"color-scheme\" content=\"light dark\"",
	    "name=\"supported-color-schemes\"",
	    "max-width:600px",
	};
	static const char *const forbidden[] = {
	    "<script", "javascript:",  "<link",	      "<img",	 "@import",
	    "url(",    "<ontevreden>", "<oneerlijk>", "<b>bold",
	};
	xmlDocPtr document;

	xml_errors = 0;
	xmlSetStructuredErrorFunc(NULL, count_xml_error);
	document = xmlReadMemory(html, (int)strlen(html), name, "UTF-8",
				 XML_PARSE_NONET | XML_PARSE_PEDANTIC);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (document == NULL || xml_errors > 0)
		fail(name, "HTML is not well-formed XML", NULL);
	else if (xmlStrcmp(xmlDocGetRootElement(document)->name,
			   (const xmlChar *)"html") != 0)
		fail(name, "the root element is not <html>", NULL);
	xmlFreeDoc(document);
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		if (strstr(html, required[i]) == NULL)
			fail(name, "missing", required[i]);
	for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++)
		if (find_ascii_nocase(html, forbidden[i]) != NULL)
			fail(name, "contains", forbidden[i]);
	check_style_block(name, html);
}

static size_t
columns(const char *text, size_t length)
{
	size_t count = 0;

	for (size_t i = 0; i < length; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			count++;
	return count;
}

/* A line that may pass 72 columns: indent, then one URL or address. */
static int
is_bare_url(const char *line, size_t length)
{
	while (length > 0 && *line == ' ') {
		line++;
		length--;
	}
	if (memchr(line, ' ', length) != NULL)
		return 0;
	return util_strncasecmp(line, "https://", 8) == 0 ||
	       util_strncasecmp(line, "http://", 7) == 0 ||
	       memchr(line, '@', length) != NULL;
}

static void
check_text(const char *name, const char *text)
{
	static const char *const forbidden[] = {
	    "&amp;", "&lt;", "&gt;", "&quot;",	    "&#",
	    "<p",    "<br",  "<a ",  "javascript:",
	};
	const char *line = text;
	size_t number = 1;

	for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++)
		if (find_ascii_nocase(text, forbidden[i]) != NULL)
			fail(name, "contains", forbidden[i]);
	if (strlen(text) == 0 || text[strlen(text) - 1] != '\n')
		fail(name, "does not end in a newline", NULL);
	while (*line != '\0') {
		const char *end = strchr(line, '\n');
		size_t length =
		    end != NULL ? (size_t)(end - line) : strlen(line);

		if (columns(line, length) > 72 && !is_bare_url(line, length)) {
			char *copy = xasprintf("line %zu: %.*s", number,
					       (int)length, line);

			fail(name, "line longer than 72 columns", copy);
			free(copy);
		}
		if (memchr(line, '\t', length) != NULL)
			fail(name, "tab in text", NULL);
		line = end != NULL ? end + 1 : line + length;
		number++;
	}
}

static const struct sample_item hostile_items[] = {
    {"Een bron met een heel lange naam die zelf al bijna de hele regel "
     "vult, zoals sommige buitenlandse persbureaus",
     "Eentitelzonderspatiesdielangerisdantweeenzeventigtekensenduszijn"
     "eigenregelkrijgtzonderafgebrokenteworden en dan gewone woorden "
     "met één, twee en drie diakrieten: ç, ë, ø en ž",
     "https://nieuws.example.org/" /* 200+ characters */
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
     "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
     "?a=1&b=2&c=\"3\"",
     90, NULL,
     "Een samenvatting met <script>alert(1)</script> en <b>bold</b> "
     "als letterlijke tekst, een adres "
     "https://docs.example.org/zeer/lang/pad/naar/een/document/dat/"
     "niet/op/een/regel/past/index.html midden in de zin, en "
     "Zeer-lange-samengestelde-woorden-met-koppeltekens-die-nergens-"
     "een-spatie-bevatten-en-toch-door-moeten."},
    {"AP", "Kort", "http://ap.example.com/k", 30, NULL,
     "Regel een\nRegel twee\n\n\nRegel drie na witregels"},
};

static void
render_all(struct renderer *renderer, const char *language,
	   const struct item_list *items, int full_context)
{
	struct render_context context = sample_context(language);
	char *output = NULL, *error = NULL, *name;

	if (!full_context) {
		context.recipient_name = NULL;
		context.provider_name = NULL;
		context.unsubscribe_url = NULL;
		context.unsubscribe_mailto = NULL;
		context.prefs_url = NULL;
		context.view_url = NULL;
		context.footer = NULL;
		context.prompt = 0;
	}
	name = xasprintf("%s text, %zu items", language, items->count);
	if (render_digest(renderer, RENDER_TEXT, &context, items, &output,
			  &error) != RENDER_OK)
		fail(name, "render", error);
	else
		check_text(name, output);
	free(output);
	free(error);
	free(name);
	output = error = NULL;
	name = xasprintf("%s html, %zu items", language, items->count);
	if (render_digest(renderer, RENDER_HTML, &context, items, &output,
			  &error) != RENDER_OK)
		fail(name, "render", error);
	else
		check_html(name, output);
	free(output);
	free(error);
	free(name);
}

/* A summary of 3,000 characters is cut near 480, with an ellipsis. */
static void
check_long_summary(struct renderer *renderer)
{
	struct render_context context = sample_context("nl");
	struct sample_item sample = {"NOS", "Lang", "https://x.example/",
				     60,    NULL,   NULL};
	struct item_list items = {0};
	struct buf summary = BUF_INIT;
	char *output = NULL, *error = NULL;
	const char *start, *end;

	for (int i = 0; i < 300; i++)
		buf_printf(&summary, "w%03d zeer ", i);
	sample.summary = summary.data;
	sample_list_fill(&items, &sample, 1);
	if (render_digest(renderer, RENDER_HTML, &context, &items, &output,
			  &error) != RENDER_OK) {
		fail("long summary", "render", error);
		goto out;
	}
	start = strstr(output, "w000 zeer");
	end = start != NULL ? strstr(start, " \xE2\x80\xA6</p>") : NULL;
	if (end == NULL || end - start > 480 || end - start < 400)
		fail("long summary", "not cut near 480 characters", NULL);
	if (strstr(output, "w299") != NULL)
		fail("long summary", "not cut at all", NULL);
out:
	free(output);
	free(error);
	buf_free(&summary);
	sample_list_free(&items);
}

/*
 * A link with spaces, quotes or other unsafe bytes is percent-encoded
 * before it reaches an href or the text part.  Regression: it went in as
 * the feed wrote it.
 */
static void
check_unsafe_link(struct renderer *renderer)
{
	static const char encoded[] =
	    "https://x.example/a%20b%22%3E%3Cx%20y=1%3E%C3%A9?q=%41";
	struct render_context context = sample_context("nl");
	struct sample_item sample = {
	    "NOS", "Link", "https://x.example/a b\"><x y=1>\xC3\xA9?q=%41",
	    60,	   NULL,   NULL};
	struct item_list items = {0};
	char *output = NULL, *error = NULL;

	sample_list_fill(&items, &sample, 1);
	for (int format = RENDER_TEXT; format <= RENDER_HTML; format++) {
		if (render_digest(renderer, (enum render_format)format,
				  &context, &items, &output,
				  &error) != RENDER_OK)
			fail("unsafe link", "render", error);
		else if (strstr(output, encoded) == NULL)
			fail("unsafe link", "not percent-encoded", output);
		free(output);
		free(error);
		output = error = NULL;
	}
	sample_list_free(&items);
}

int
main(void)
{
	static const char *const languages[] = {"nl", "en"};
	struct renderer *renderer = NULL;
	struct item_list sample = {0}, hostile = {0}, none = {0};
	char *directory = sample_template_dir(), *error = NULL;

	if (!datetime_zone_exists("Europe/Amsterdam")) {
		fprintf(stderr, "SKIP: no zoneinfo for Europe/Amsterdam\n");
		free(directory);
		return 77;
	}
	if (render_open(directory, &renderer, &error) != RENDER_OK) {
		fprintf(stderr, "FAIL render_open: %s\n", error);
		free(error);
		free(directory);
		return 1;
	}
	sample_list_fill(&sample, sample_items, SAMPLE_ITEM_COUNT);
	sample_list_fill(&hostile, hostile_items,
			 sizeof hostile_items / sizeof hostile_items[0]);
	for (size_t i = 0; i < 2; i++) {
		render_all(renderer, languages[i], &sample, 1);
		render_all(renderer, languages[i], &hostile, 1);
		render_all(renderer, languages[i], &hostile, 0);
		render_all(renderer, languages[i], &none, 0);
	}
	check_long_summary(renderer);
	check_unsafe_link(renderer);
	sample_list_free(&sample);
	sample_list_free(&hostile);
	render_close(renderer);
	free(directory);
	xmlCleanupParser();
	if (failures > 0) {
		fprintf(stderr, "%d failure(s)\n", failures);
		return 1;
	}
	return 0;
}
