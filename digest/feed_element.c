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

#include <glib.h>
#include <libxml/tree.h>
#include <libxml/uri.h>

/* Entities nested deeper than this are refused. */
#define FEED_ENTITY_DEPTH_MAX 8

/* Returns the namespace URI of node, or NULL when it has none. */
static const char *
element_namespace(xmlNodePtr node)
{
	return node->ns != NULL && node->ns->href != NULL
		   ? (const char *)node->ns->href
		   : NULL;
}

/* Namespaces with the vocabulary each stands for, the likeliest first. */
static const struct {
	const char *uri;
	enum feed_vocabulary vocabulary;
} element_namespaces[] = {
    {FEED_NS_ATOM, FEED_VOCAB_ATOM},
    {FEED_NS_DC, FEED_VOCAB_DC},
    {FEED_NS_CONTENT, FEED_VOCAB_CONTENT},
    {FEED_NS_RSS10, FEED_VOCAB_RSS},
    {FEED_NS_MEDIA, FEED_VOCAB_MEDIA},
    /* Media RSS as some feeds spell it, without the final slash. */
    {"http://search.yahoo.com/mrss", FEED_VOCAB_MEDIA},
    {FEED_NS_ITUNES, FEED_VOCAB_ITUNES},
    {FEED_NS_DCTERMS, FEED_VOCAB_DCTERMS},
    {FEED_NS_ATOM03, FEED_VOCAB_ATOM},
    {FEED_NS_RDF, FEED_VOCAB_RDF},
    {FEED_NS_RSS090, FEED_VOCAB_RSS},
    {FEED_NS_RSS2_USERLAND, FEED_VOCAB_RSS},
};

enum feed_vocabulary
feed_element_vocabulary(xmlNodePtr node)
{
	const char *ns = element_namespace(node);
	size_t index;

	if (ns == NULL)
		return FEED_VOCAB_RSS;
	for (index = 0;
	     index < sizeof(element_namespaces) / sizeof(element_namespaces[0]);
	     index++) {
		if (strcmp(ns, element_namespaces[index].uri) == 0)
			return element_namespaces[index].vocabulary;
	}
	return FEED_VOCAB_OTHER;
}

int
feed_element_is(xmlNodePtr node, enum feed_vocabulary vocabulary,
		const char *name)
{
	return node->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)node->name, name) == 0 &&
	       feed_element_vocabulary(node) == vocabulary;
}

xmlNodePtr
feed_element_next_same(xmlNodePtr element)
{
	const char *ns = element_namespace(element);
	xmlNodePtr sibling;

	for (sibling = element->next; sibling != NULL;
	     sibling = sibling->next) {
		const char *sibling_ns;

		if (sibling->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)sibling->name,
			   (const char *)element->name) != 0)
			continue;
		sibling_ns = element_namespace(sibling);
		if (sibling_ns == ns || (sibling_ns != NULL && ns != NULL &&
					 strcmp(sibling_ns, ns) == 0))
			return sibling;
	}
	return NULL;
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

/* What a text construct holds, by its type attribute. */
enum atom_form {
	ATOM_FORM_NONE = 0, /* not text: an image, say */
	ATOM_FORM_TEXT,
	ATOM_FORM_HTML,
	ATOM_FORM_XHTML
};

/* True for an XML media type: text/xml, application/rss+xml and such. */
static int
atom_type_is_xml(const char *type)
{
	size_t length = strlen(type);

	return length > 4 && (util_strcasecmp(type + length - 4, "+xml") == 0 ||
			      util_strcasecmp(type + length - 4, "/xml") == 0);
}

/*
 * Reads the type attribute.  Atom 1.0 says text, html or xhtml; Atom 0.3
 * gives MIME types.  An empty type, or a word that is neither (no '/'),
 * is text: a reader would rather show it than drop it.  Other MIME types
 * that are neither text nor XML hold no text.
 */
static enum atom_form
atom_form_of(const char *type)
{
	if (type == NULL || util_strcasecmp(type, "text") == 0 ||
	    util_strcasecmp(type, "text/plain") == 0)
		return ATOM_FORM_TEXT;
	if (util_strcasecmp(type, "html") == 0 ||
	    util_strcasecmp(type, "text/html") == 0)
		return ATOM_FORM_HTML;
	if (util_strcasecmp(type, "xhtml") == 0 ||
	    util_strcasecmp(type, "application/xhtml+xml") == 0)
		return ATOM_FORM_XHTML;
	if (strchr(type, '/') == NULL ||
	    util_strncasecmp(type, "text/", 5) == 0 || atom_type_is_xml(type))
		return ATOM_FORM_TEXT;
	return ATOM_FORM_NONE;
}

/*
 * Reads an Atom 0.3 text construct in mode="base64": the decoded bytes
 * must be UTF-8 text without NUL to be read as the form says.  Returns
 * plain text (free()), or NULL.
 */
static char *
atom_base64_text(struct feed_parse_state *state, xmlNodePtr element,
		 enum atom_form form, int single_line)
{
	char *encoded = feed_element_plain(state, element, 0);
	char *plain = NULL;
	gsize size = 0;

	/* GLib (linked with GMime) decodes, and the bytes fit in place; it
	 * complains on stderr about fewer than two characters, which hold
	 * no byte anyway. */
	if (strlen(encoded) < 2)
		goto out;
	g_base64_decode_inplace(encoded, &size);
	if (memchr(encoded, '\0', size) != NULL ||
	    !g_utf8_validate(encoded, (gssize)size, NULL))
		goto out;
	if (form == ATOM_FORM_TEXT)
		plain = feed_html_collapse_text(encoded, size, single_line);
	else
		plain = feed_html_converter_run(state->html, encoded, size,
						single_line);
out:
	free(encoded);
	return plain;
}

char *
feed_element_text_construct(struct feed_parse_state *state, xmlNodePtr element,
			    int single_line)
{
	char *type = NULL;
	char *mode = NULL;
	char *src;
	enum atom_form form;
	char *plain = NULL;

	if (element == NULL)
		return NULL;
	src = feed_element_attribute(element, "src");
	if (src != NULL) {
		free(src);
		return NULL;
	}
	type = feed_element_attribute(element, "type");
	mode = feed_element_attribute(element, "mode");
	form = atom_form_of(type);
	if (mode != NULL && util_strcasecmp(mode, "base64") == 0) {
		if (form != ATOM_FORM_NONE)
			plain =
			    atom_base64_text(state, element, form, single_line);
	} else if (form == ATOM_FORM_TEXT)
		plain = feed_element_plain(state, element, single_line);
	else if (form == ATOM_FORM_HTML ||
		 (form == ATOM_FORM_XHTML && mode != NULL &&
		  util_strcasecmp(mode, "escaped") == 0))
		plain = feed_element_html(state, element, single_line);
	else if (form == ATOM_FORM_XHTML)
		plain = feed_element_xhtml(state, element, single_line);
	free(type);
	free(mode);
	return plain;
}
