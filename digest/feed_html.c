/*
 * feed_html.c - HTML fragments (feed descriptions) to readable plain text.
 *
 * libxml2's HTML parser runs in SAX mode with our own callbacks, so no tree
 * is built: text goes straight into a buffer that collapses whitespace as it
 * grows.  One parser context serves every description of a feed.
 */
#include "feed_impl.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <libxml/HTMLparser.h>
#include <libxml/xmlerror.h>

/* What separates the next word from the last one, weakest first. */
enum text_gap {
	TEXT_GAP_NONE = 0,
	TEXT_GAP_SPACE,
	TEXT_GAP_LINE,
	TEXT_GAP_PARAGRAPH
};

struct text_sink {
	struct buf out;
	enum text_gap pending;
	int single_line;
};

struct feed_html_converter {
	htmlParserCtxtPtr parser;
	struct text_sink sink;
	int skip_depth;	    /* inside script, style and the like */
	struct buf wrapped; /* a fragment that needs an element around it */
};

static void
sink_gap(struct text_sink *sink, enum text_gap gap)
{
	if (gap > sink->pending)
		sink->pending = gap;
}

/*
 * Appends text, folding whitespace (and U+00A0, which &nbsp; becomes) into
 * a pending gap.  A gap is written only before the next visible character,
 * so the result never starts or ends with whitespace.
 */
static void
sink_text(struct text_sink *sink, const char *text, size_t length)
{
	size_t index = 0;
	size_t run_start;

	while (index < length) {
		unsigned char byte = (unsigned char)text[index];

		if (byte == ' ' || byte == '\t' || byte == '\n' ||
		    byte == '\r' || byte == '\f' || byte == '\v') {
			sink_gap(sink, TEXT_GAP_SPACE);
			index++;
			continue;
		}
		if (byte == 0xC2 && index + 1 < length &&
		    (unsigned char)text[index + 1] == 0xA0) {
			sink_gap(sink, TEXT_GAP_SPACE);
			index += 2;
			continue;
		}
		if (byte < 0x20 || byte == 0x7F) {
			/* Control characters have no place in a summary. */
			index++;
			continue;
		}
		if (byte == 0xC2 && index + 1 < length &&
		    (unsigned char)text[index + 1] < 0xA0 &&
		    (unsigned char)text[index + 1] >= 0x80) {
			/* Nor have the C1 controls, U+0080 to U+009F. */
			index += 2;
			continue;
		}
		if (sink->out.length > 0 && sink->pending != TEXT_GAP_NONE) {
			if (sink->single_line ||
			    sink->pending == TEXT_GAP_SPACE)
				buf_putc(&sink->out, ' ');
			else if (sink->pending == TEXT_GAP_LINE)
				buf_putc(&sink->out, '\n');
			else
				buf_append(&sink->out, "\n\n", 2);
		}
		sink->pending = TEXT_GAP_NONE;
		/* Copy the run of ordinary bytes in one go. */
		run_start = index;
		while (index < length) {
			byte = (unsigned char)text[index];
			if (byte <= ' ' || byte == 0x7F || byte == 0xC2)
				break;
			index++;
		}
		if (index == run_start) {
			/* A lone 0xC2 lead byte that is not U+00A0. */
			index++;
		}
		buf_append(&sink->out, text + run_start, index - run_start);
	}
}

static char *
sink_take(struct text_sink *sink)
{
	sink->pending = TEXT_GAP_NONE;
	return buf_detach(&sink->out);
}

/* Returns a copy of the text so far (free()); the buffer is kept. */
static char *
sink_copy(const struct text_sink *sink)
{
	if (sink->out.data == NULL)
		return xstrdup("");
	return xstrndup(sink->out.data, sink->out.length);
}

char *
feed_html_collapse_text(const char *text, size_t size, int single_line)
{
	struct text_sink sink = {BUF_INIT, TEXT_GAP_NONE, single_line};

	buf_reserve(&sink.out, size + 1);
	/* buf_reserve() leaves new memory unterminated; text may add none. */
	buf_reset(&sink.out);
	sink_text(&sink, text, size);
	return sink_take(&sink);
}

struct element_rule {
	const char *name;
	enum text_gap gap; /* before and after the element */
	int skip;	   /* drop everything inside */
	const char *prefix;
};

/* Sorted by name for bsearch(). */
static const struct element_rule element_rules[] = {
    {"address", TEXT_GAP_LINE, 0, NULL},
    {"article", TEXT_GAP_PARAGRAPH, 0, NULL},
    {"blockquote", TEXT_GAP_PARAGRAPH, 0, NULL},
    {"br", TEXT_GAP_LINE, 0, NULL},
    {"dd", TEXT_GAP_LINE, 0, NULL},
    {"div", TEXT_GAP_LINE, 0, NULL},
    {"dl", TEXT_GAP_PARAGRAPH, 0, NULL},
    {"dt", TEXT_GAP_LINE, 0, NULL},
    {"figcaption", TEXT_GAP_LINE, 0, NULL},
    {"figure", TEXT_GAP_PARAGRAPH, 0, NULL},
    {"footer", TEXT_GAP_LINE, 0, NULL},
    {"h1", TEXT_GAP_PARAGRAPH, 0, NULL},
    {"h2", TEXT_GAP_PARAGRAPH, 0, NULL},
    {"h3", TEXT_GAP_PARAGRAPH, 0, NULL},
    {"h4", TEXT_GAP_PARAGRAPH, 0, NULL},
    {"h5", TEXT_GAP_PARAGRAPH, 0, NULL},
    {"h6", TEXT_GAP_PARAGRAPH, 0, NULL},
    {"head", TEXT_GAP_NONE, 1, NULL},
    {"header", TEXT_GAP_LINE, 0, NULL},
    {"hr", TEXT_GAP_PARAGRAPH, 0, NULL},
    {"iframe", TEXT_GAP_NONE, 1, NULL},
    {"li", TEXT_GAP_LINE, 0, "-"},
    {"noscript", TEXT_GAP_NONE, 1, NULL},
    {"object", TEXT_GAP_NONE, 1, NULL},
    {"ol", TEXT_GAP_PARAGRAPH, 0, NULL},
    {"p", TEXT_GAP_PARAGRAPH, 0, NULL},
    {"pre", TEXT_GAP_PARAGRAPH, 0, NULL},
    {"script", TEXT_GAP_NONE, 1, NULL},
    {"section", TEXT_GAP_PARAGRAPH, 0, NULL},
    {"style", TEXT_GAP_NONE, 1, NULL},
    {"table", TEXT_GAP_PARAGRAPH, 0, NULL},
    {"td", TEXT_GAP_SPACE, 0, NULL},
    {"template", TEXT_GAP_NONE, 1, NULL},
    {"th", TEXT_GAP_SPACE, 0, NULL},
    {"tr", TEXT_GAP_LINE, 0, NULL},
    {"ul", TEXT_GAP_PARAGRAPH, 0, NULL},
};

static int
element_rule_compare(const void *key, const void *entry)
{
	const struct element_rule *rule = entry;

	return strcmp(key, rule->name);
}

static const struct element_rule *
element_rule_find(const xmlChar *name)
{
	if (name == NULL)
		return NULL;
	return bsearch(name, element_rules,
		       sizeof(element_rules) / sizeof(element_rules[0]),
		       sizeof(element_rules[0]), element_rule_compare);
}

static struct feed_html_converter *
converter_from_context(void *context)
{
	htmlParserCtxtPtr parser = context;

	return parser->_private;
}

static void
html_on_start(void *context, const xmlChar *name, const xmlChar **attributes)
{
	struct feed_html_converter *converter = converter_from_context(context);
	const struct element_rule *rule = element_rule_find(name);

	(void)attributes;
	if (rule == NULL)
		return;
	if (rule->skip) {
		converter->skip_depth++;
		return;
	}
	if (converter->skip_depth > 0)
		return;
	sink_gap(&converter->sink, rule->gap);
	if (rule->prefix != NULL) {
		/* The prefix is visible text, so it takes the gap first. */
		sink_text(&converter->sink, rule->prefix, strlen(rule->prefix));
		sink_gap(&converter->sink, TEXT_GAP_SPACE);
	}
}

static void
html_on_end(void *context, const xmlChar *name)
{
	struct feed_html_converter *converter = converter_from_context(context);
	const struct element_rule *rule = element_rule_find(name);

	if (rule == NULL)
		return;
	if (rule->skip) {
		if (converter->skip_depth > 0)
			converter->skip_depth--;
		return;
	}
	if (converter->skip_depth == 0)
		sink_gap(&converter->sink, rule->gap);
}

static void
html_on_text(void *context, const xmlChar *text, int length)
{
	struct feed_html_converter *converter = converter_from_context(context);

	if (converter->skip_depth > 0 || length <= 0)
		return;
	sink_text(&converter->sink, (const char *)text, (size_t)length);
}

static void
html_on_raw(void *context, const xmlChar *text, int length)
{
	/* The HTML parser hands script and style bodies here: drop them. */
	(void)context;
	(void)text;
	(void)length;
}

static void
html_on_error(void *context, xmlErrorPtr error)
{
	/* Descriptions are tag soup more often than not; errors are noise. */
	(void)context;
	(void)error;
}

struct feed_html_converter *
feed_html_converter_new(void)
{
	struct feed_html_converter *converter = xcalloc(1, sizeof(*converter));
	htmlSAXHandler handler;

	converter->parser = htmlNewParserCtxt();
	if (converter->parser == NULL || converter->parser->sax == NULL) {
		fputs("digest: out of memory\n", stderr);
		exit(EX_OSERR);
	}
	memset(&handler, 0, sizeof(handler));
	handler.startElement = html_on_start;
	handler.endElement = html_on_end;
	handler.characters = html_on_text;
	handler.ignorableWhitespace = html_on_text;
	handler.cdataBlock = html_on_raw;
	handler.serror = html_on_error;
	handler.initialized = 1;
	*converter->parser->sax = handler;
	converter->parser->_private = converter;
	return converter;
}

void
feed_html_converter_free(struct feed_html_converter *converter)
{
	if (converter == NULL)
		return;
	htmlFreeParserCtxt(converter->parser);
	buf_free(&converter->sink.out);
	buf_free(&converter->wrapped);
	free(converter);
}

/* True when the bytes hold no markup or entity, so no parser is needed. */
static int
html_is_plain(const char *html, size_t size)
{
	return memchr(html, '<', size) == NULL &&
	       memchr(html, '&', size) == NULL;
}

static int
html_is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * True when the fragment starts with a '<' that opens no markup, as in
 * "<3" or "<!'".  libxml2 writes such a '<' before it opens the implied
 * paragraph for the text after it, which would break the text in two; the
 * caller puts the fragment inside an element instead.
 */
static int
html_starts_with_loose_angle(const char *html, size_t size)
{
	size_t index = 0;

	while (index < size && (html[index] == ' ' || html[index] == '\t' ||
				html[index] == '\r' || html[index] == '\n'))
		index++;
	if (index + 1 >= size || html[index] != '<')
		return 0;
	index++;
	if (html_is_letter(html[index]) || html[index] == '/' ||
	    html[index] == '?')
		return 0;
	if (html[index] != '!')
		return 1;
	/* Comments and a doctype are markup; anything else after "<!" is
	 * text to libxml2. */
	return !(size - index >= 3 && memcmp(html + index, "!--", 3) == 0) &&
	       !(size - index >= 8 &&
		 util_strncasecmp(html + index, "!doctype", 8) == 0);
}

char *
feed_html_converter_run(struct feed_html_converter *converter, const char *html,
			size_t size, int single_line)
{
	htmlDocPtr leftover;

	converter->sink.single_line = single_line;
	converter->sink.pending = TEXT_GAP_NONE;
	converter->skip_depth = 0;
	buf_reset(&converter->sink.out);
	if (size == 0 || size > INT_MAX)
		return xstrdup("");
	if (html_is_plain(html, size)) {
		sink_text(&converter->sink, html, size);
		return sink_copy(&converter->sink);
	}
	if (html_starts_with_loose_angle(html, size)) {
		buf_reset(&converter->wrapped);
		buf_puts(&converter->wrapped, "<span>");
		buf_append(&converter->wrapped, html, size);
		html = converter->wrapped.data;
		size = converter->wrapped.length;
		if (size > INT_MAX)
			return xstrdup("");
	}
	converter->parser->_private = converter;
	leftover = htmlCtxtReadMemory(
	    converter->parser, html, (int)size, NULL, "UTF-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
		HTML_PARSE_RECOVER);
	/* Our handler builds no tree, but be safe should one appear. */
	if (leftover != NULL)
		xmlFreeDoc(leftover);
	return sink_copy(&converter->sink);
}

static void
html_quiet_generic(void *context, const char *message, ...)
{
	(void)context;
	(void)message;
}

char *
feed_html_to_text(const char *html, size_t size)
{
	struct feed_html_converter *converter = NULL;
	xmlStructuredErrorFunc old_structured = xmlStructuredError;
	void *old_structured_context = xmlStructuredErrorContext;
	xmlGenericErrorFunc old_generic = xmlGenericError;
	void *old_generic_context = xmlGenericErrorContext;
	char *text;

	if (html == NULL)
		return xstrdup("");
	/* Errors that bypass the parser context must not reach stderr. */
	xmlSetStructuredErrorFunc(NULL, html_on_error);
	xmlSetGenericErrorFunc(NULL, html_quiet_generic);
	converter = feed_html_converter_new();
	text = feed_html_converter_run(converter, html, size, 0);
	feed_html_converter_free(converter);
	xmlSetStructuredErrorFunc(old_structured_context, old_structured);
	xmlSetGenericErrorFunc(old_generic_context, old_generic);
	return text;
}
