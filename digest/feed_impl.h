/*
 * feed_impl.h - what the files of the feed parser share behind feed.h.
 *
 * The parser is one module split over several files: feed.c reads the
 * document (hardening, the push parser, encodings, feed_parse()),
 * feed_element.c reads one element's text and links, feed_fields.c says
 * which element fills the title, summary and date, feed_rss.c and
 * feed_atom.c turn an RSS item or an Atom entry into a struct item,
 * feed_item.c fills and stores items, feed_html.c turns HTML into text and
 * feed_date.c parses dates.  Only feed*.c include this header; it is the
 * one place outside them where libxml2 types appear.  Other stages use
 * feed.h alone.
 */
#ifndef DIGEST_FEED_IMPL_H
#define DIGEST_FEED_IMPL_H

#include <stddef.h>

#include <libxml/tree.h>

#include "feed.h"

#define FEED_NS_ATOM "http://www.w3.org/2005/Atom"
#define FEED_NS_ATOM03 "http://purl.org/atom/ns#"
#define FEED_NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define FEED_NS_RSS10 "http://purl.org/rss/1.0/"
#define FEED_NS_RSS090 "http://my.netscape.com/rdf/simple/0.9/"
#define FEED_NS_DC "http://purl.org/dc/elements/1.1/"
#define FEED_NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define FEED_NS_DCTERMS "http://purl.org/dc/terms/"
#define FEED_NS_MEDIA "http://search.yahoo.com/mrss/"
#define FEED_NS_ITUNES "http://www.itunes.com/dtds/podcast-1.0.dtd"
/* RSS 2.0 as some feeds write it, in a default namespace of its own. */
#define FEED_NS_RSS2_USERLAND "http://backend.userland.com/rss2"

enum feed_kind {
	FEED_KIND_UNKNOWN = 0,
	FEED_KIND_RSS, /* RSS 0.9x, 1.0 and 2.0 */
	FEED_KIND_ATOM,
	FEED_KIND_OTHER
};

/* Everything one feed_parse() call knows while it reads the document. */
struct feed_parse_state {
	xmlDocPtr document;
	const char *source_name;
	struct feed_html_converter *html;
	struct item_list items; /* read so far; handed over at the end */
	enum feed_kind kind;
	/* The first error libxml2 reported, while collecting. */
	int collecting;
	char *first_error;
	int first_error_line;
	int first_error_code;
	/* Entity expansion accounting (see feed_element.c). */
	size_t expansion_left;
	int expansion_exceeded;
};

/* Which vocabulary an element name is looked up in. */
enum feed_vocabulary {
	FEED_VOCAB_RSS,	 /* no namespace, RSS 1.0 / 0.90, or Userland's */
	FEED_VOCAB_ATOM, /* Atom 1.0, or the old 0.3 namespace */
	FEED_VOCAB_DC,
	FEED_VOCAB_DCTERMS,
	FEED_VOCAB_CONTENT,
	FEED_VOCAB_MEDIA, /* Media RSS */
	FEED_VOCAB_ITUNES,
	FEED_VOCAB_RDF,
	FEED_VOCAB_OTHER /* anything else: never a field of ours */
};

/*
 * The elements that may fill an item's title, summary and date.  Each
 * field reads them in an order of preference (feed_fields.c, and the
 * README's "How feeds are read").
 */
enum feed_slot {
	FEED_SLOT_TITLE, /* RSS title, atom:title */
	FEED_SLOT_DC_TITLE,
	FEED_SLOT_MEDIA_TITLE,
	FEED_SLOT_GROUP_MEDIA_TITLE, /* media:title inside media:group */
	FEED_SLOT_SUMMARY,	     /* RSS description, atom:summary */
	FEED_SLOT_DC_DESCRIPTION,
	FEED_SLOT_ITUNES_SUMMARY,
	FEED_SLOT_MEDIA_DESCRIPTION,
	FEED_SLOT_GROUP_MEDIA_DESCRIPTION,
	FEED_SLOT_CONTENT,   /* content:encoded, atom:content */
	FEED_SLOT_PUBLISHED, /* RSS pubDate, atom:published, 0.3 issued */
	FEED_SLOT_DC_DATE,
	FEED_SLOT_DCTERMS_ISSUED,
	FEED_SLOT_CREATED, /* Atom 0.3 created */
	FEED_SLOT_DCTERMS_CREATED,
	FEED_SLOT_UPDATED, /* atom:updated, 0.3 modified */
	FEED_SLOT_DCTERMS_MODIFIED,
	FEED_SLOT_COUNT
};

/* The first element of each slot in one item or entry. */
struct feed_fields {
	enum feed_kind kind;
	xmlNodePtr first[FEED_SLOT_COUNT];
};

/* feed_element.c: one element's text, attributes and links. */

/* The vocabulary of node's namespace. */
enum feed_vocabulary feed_element_vocabulary(xmlNodePtr node);

/* True when node is an element called name in the given vocabulary. */
int feed_element_is(xmlNodePtr node, enum feed_vocabulary vocabulary,
		    const char *name);

/*
 * Return element's text (free()), or NULL when element is NULL: _plain
 * only collapses whitespace, _html reads it as an HTML fragment, _xhtml
 * reads the element's children as XHTML.  single_line makes every break a
 * space, for titles.  The document's own entities are expanded under the
 * byte budget in state; when it runs out, state->expansion_exceeded is set
 * and the text is cut short.
 */
char *feed_element_plain(struct feed_parse_state *state, xmlNodePtr element,
			 int single_line);
char *feed_element_html(struct feed_parse_state *state, xmlNodePtr element,
			int single_line);
char *feed_element_xhtml(struct feed_parse_state *state, xmlNodePtr element,
			 int single_line);

/*
 * Returns the next sibling of element with the same name and namespace, or
 * NULL: where an element occurs twice, the first that holds text wins.
 */
xmlNodePtr feed_element_next_same(xmlNodePtr element);

/* Returns a non-namespaced attribute, trimmed (free()), or NULL. */
char *feed_element_attribute(xmlNodePtr element, const char *name);

/*
 * Converts an Atom text construct (title, summary, content) by its type
 * and (Atom 0.3) mode attributes.  Returns plain text (free()), or NULL
 * when element is NULL or holds something that is not text (a src link,
 * an image).
 */
char *feed_element_text_construct(struct feed_parse_state *state,
				  xmlNodePtr element, int single_line);

/*
 * Resolves href against the xml:base in scope at element (which ends in
 * the document's base URL).  Returns an absolute http(s) URL (free()), or
 * NULL when there is none to be had.
 */
char *feed_element_link(struct feed_parse_state *state, xmlNodePtr element,
			const char *href);

/* feed_fields.c: which element fills the title, summary and date. */

/* Starts an empty set of fields for an item of a feed of this kind. */
void feed_fields_init(struct feed_fields *fields, enum feed_kind kind);

/*
 * Notes child of an item or entry when it is one of the slots (looking
 * inside media:group too).  Returns 1 when it was, 0 when the reader must
 * look at it itself (links, ids, categories).
 */
int feed_fields_note(struct feed_fields *fields, xmlNodePtr child);

/*
 * Return the first text in the field's order of preference that is not
 * empty (free()), or NULL when there is none.
 */
char *feed_fields_title(struct feed_parse_state *state,
			const struct feed_fields *fields);
char *feed_fields_summary(struct feed_parse_state *state,
			  const struct feed_fields *fields);

/*
 * Sets the item's date from the first date in the order of preference
 * that parses.  Returns the text of that date, else of the first date
 * element there is (free()), or NULL: feed_item_finish() makes an id of it
 * for an item that has no other.
 */
char *feed_fields_date(struct feed_parse_state *state,
		       const struct feed_fields *fields, struct item *item);

/* feed_item.c: filling and storing items. */

/* Adds category (taken; free()d when empty) to item. */
void feed_item_add_category(struct item *item, char *category);

/*
 * Fills the fields every item must have (source, an id) and appends the
 * item to state->items.  Takes ownership of item's strings and leaves
 * *item empty.  raw_link and date_text are the feed's own text, used for
 * an id when there is no better one.
 */
void feed_item_finish(struct feed_parse_state *state, struct item *item,
		      const char *raw_link, const char *date_text);

/* Moves every item of from to the end of list; from ends empty. */
void feed_item_list_take(struct item_list *list, struct item_list *from);

/* feed_rss.c and feed_atom.c: one item each. */

/* Reads one RSS 2.0 or RSS 1.0 item into state->items. */
void feed_rss_read_item(struct feed_parse_state *state, xmlNodePtr element);

/* Reads one Atom 1.0 or 0.3 entry into state->items. */
void feed_atom_read_entry(struct feed_parse_state *state, xmlNodePtr entry);

/* feed_html.c: HTML fragments and plain text to readable text. */

/*
 * A converter keeps one HTML parser for many fragments.  run() returns a
 * new string (free()); single_line turns every break into a space, for
 * titles.
 */
struct feed_html_converter;

struct feed_html_converter *feed_html_converter_new(void);
void feed_html_converter_free(struct feed_html_converter *converter);
char *feed_html_converter_run(struct feed_html_converter *converter,
			      const char *html, size_t size, int single_line);

/*
 * Collapses the whitespace of text that is not HTML, as the converter
 * does, and drops control characters.  Returns a new string (free()).
 */
char *feed_html_collapse_text(const char *text, size_t size, int single_line);

#endif
