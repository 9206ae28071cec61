/*
 * feed_element.c - the text, attributes and links of one feed element.
 *
 * Entities that the document declares stay references in the tree (see
 * feed.c); they are expanded here, each expanded byte charged to the
 * parse's budget, so that an expansion bomb ends the parse instead of
 * eating memory.
 */
#include "feed_impl.h"
#include "util.h"

#include <string.h>

#include <libxml/tree.h>
#include <libxml/uri.h>

/* Entities nested deeper than this are refused. */
#define FEED_ENTITY_DEPTH_MAX 8

const char *
feed_element_namespace(xmlNodePtr node)
{
	return node->ns != NULL && node->ns->href != NULL
		   ? (const char *)node->ns->href
		   : NULL;
}

/* True when node is an element called name in the given vocabulary. */
int
feed_element_is(xmlNodePtr node, enum feed_vocabulary vocabulary,
		const char *name)
{
	const char *ns;

	if (node->type != XML_ELEMENT_NODE ||
	    strcmp((const char *)node->name, name) != 0)
		return 0;
	ns = feed_element_namespace(node);
	switch (vocabulary) {
	case FEED_VOCAB_RSS:
		return ns == NULL || strcmp(ns, FEED_NS_RSS10) == 0 ||
		       strcmp(ns, FEED_NS_RSS090) == 0;
	case FEED_VOCAB_ATOM:
		return ns != NULL && (strcmp(ns, FEED_NS_ATOM) == 0 ||
				      strcmp(ns, FEED_NS_ATOM03) == 0);
	case FEED_VOCAB_DC:
		return ns != NULL && strcmp(ns, FEED_NS_DC) == 0;
	case FEED_VOCAB_CONTENT:
		return ns != NULL && strcmp(ns, FEED_NS_CONTENT) == 0;
	case FEED_VOCAB_RDF:
		return ns != NULL && strcmp(ns, FEED_NS_RDF) == 0;
	}
	return 0;
}

/*
 * Appends the text below node to out.  References to the document's own
 * entities are expanded here rather than by the parser, each expanded byte
 * charged to state->expansion_left.
 */
static void
text_collect(struct feed_parse_state *state, xmlNodePtr node, int entity_depth,
	     struct buf *out)
{
	xmlNodePtr child;
	size_t length;

	for (child = node; child != NULL; child = child->next) {
		if (state->expansion_exceeded)
			return;
		switch (child->type) {
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (child->content == NULL)
				break;
			length = strlen((const char *)child->content);
			if (entity_depth > 0) {
				if (length > state->expansion_left) {
					state->expansion_exceeded = 1;
					return;
				}
				state->expansion_left -= length;
			}
			buf_append(out, (const char *)child->content, length);
			break;
		case XML_ELEMENT_NODE:
			text_collect(state, child->children, entity_depth, out);
			break;
		case XML_ENTITY_REF_NODE: {
			xmlEntityPtr entity = (xmlEntityPtr)child->children;

			if (entity_depth >= FEED_ENTITY_DEPTH_MAX) {
				state->expansion_exceeded = 1;
				return;
			}
			if (entity != NULL && entity->type == XML_ENTITY_DECL)
				text_collect(state, entity->children,
					     entity_depth + 1, out);
			break;
		}
		default:
			break;
		}
	}
}

/*
 * Returns the text content of element as a new string (free()), or NULL
 * when the element is absent.
 */
static char *
element_text(struct feed_parse_state *state, xmlNodePtr element)
{
	struct buf text = BUF_INIT;
	xmlNodePtr only;

	if (element == NULL)
		return NULL;
	only = element->children;
	/* The usual case, one text node, needs no buffer. */
	if (only != NULL && only->next == NULL &&
	    (only->type == XML_TEXT_NODE ||
	     only->type == XML_CDATA_SECTION_NODE))
		return xstrdup(
		    only->content != NULL ? (const char *)only->content : "");
	text_collect(state, element->children, 0, &text);
	return buf_detach(&text);
}

/* Returns element's text with whitespace collapsed (free()), or NULL. */
char *
feed_element_plain(struct feed_parse_state *state, xmlNodePtr element,
		   int single_line)
{
	char *raw = element_text(state, element);
	char *plain;

	if (raw == NULL)
		return NULL;
	plain = feed_html_collapse_text(raw, strlen(raw), single_line);
	free(raw);
	return plain;
}

/* Returns element's HTML content as plain text (free()), or NULL. */
char *
feed_element_html(struct feed_parse_state *state, xmlNodePtr element,
		  int single_line)
{
	char *raw = element_text(state, element);
	char *plain;

	if (raw == NULL)
		return NULL;
	plain =
	    feed_html_converter_run(state->html, raw, strlen(raw), single_line);
	free(raw);
	return plain;
}

/*
 * Returns an XHTML text construct (the children of its div) as plain text
 * (free()).  The markup is serialised and read back by the HTML converter
 * so that the same rules for breaks apply.
 */
char *
feed_element_xhtml(struct feed_parse_state *state, xmlNodePtr element,
		   int single_line)
{
	xmlBufferPtr markup = xmlBufferCreate();
	xmlNodePtr child;
	char *plain;

	if (markup == NULL)
		return feed_element_plain(state, element, single_line);
	for (child = element->children; child != NULL; child = child->next)
		xmlNodeDump(markup, state->document, child, 0, 0);
	plain = feed_html_converter_run(
	    state->html, (const char *)xmlBufferContent(markup),
	    (size_t)xmlBufferLength(markup), single_line);
	xmlBufferFree(markup);
	return plain;
}

/* Returns a non-namespaced attribute, trimmed, or NULL (free()). */
char *
feed_element_attribute(xmlNodePtr element, const char *name)
{
	xmlChar *value = xmlGetNoNsProp(element, (const xmlChar *)name);
	char *trimmed;

	if (value == NULL)
		return NULL;
	trimmed = feed_html_collapse_text((const char *)value,
					  strlen((const char *)value), 1);
	xmlFree(value);
	return trimmed;
}

static int
link_scheme_allowed(const char *url)
{
	return util_strncasecmp(url, "http://", 7) == 0 ||
	       util_strncasecmp(url, "https://", 8) == 0;
}

/*
 * Resolves href against the xml:base in scope at element (which ends in
 * the document's base_url).  Returns an absolute http(s) URL (free()), or
 * NULL when there is none to be had.
 */
char *
feed_element_link(struct feed_parse_state *state, xmlNodePtr element,
		  const char *href)
{
	xmlChar *base = NULL;
	xmlChar *resolved = NULL;
	char *link = NULL;

	if (href == NULL || *href == '\0')
		return NULL;
	base = xmlNodeGetBase(state->document, element);
	resolved = xmlBuildURI((const xmlChar *)href, base);
	if (resolved != NULL && link_scheme_allowed((const char *)resolved))
		link = xstrdup((const char *)resolved);
	else if (resolved == NULL && link_scheme_allowed(href))
		link = xstrdup(href);
	xmlFree(resolved);
	xmlFree(base);
	return link;
}
