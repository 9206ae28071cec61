/*
 * feed.h - the feed parser of the gather stage: RSS 2.0, RSS 1.0 (RDF) and
 * Atom documents into items.
 *
 * The module owns struct item (one news item as every later stage sees
 * it) and struct item_list, the parsing of a feed document, of the dates
 * feeds write and of the HTML in their text.  This header is its whole
 * contract; libxml2 stays inside feed*.c (their shared internals are in
 * feed_impl.h).  The parser never touches the network, loads no external
 * entities and refuses entity-expansion bombs.
 */
#ifndef DIGEST_FEED_H
#define DIGEST_FEED_H

#include <stddef.h>
#include <time.h>

enum feed_status {
	FEED_OK = 0,
	FEED_EPARSE,   /* not well-formed XML, or truncated */
	FEED_ENOTFEED, /* XML, but not RSS or Atom (an HTML page, say) */
	FEED_ETOOBIG   /* larger than the parser accepts */
};

struct item {
	char *source;	     /* the source's name */
	char *title;	     /* plain text, markup stripped, one line */
	char *link;	     /* absolute URL, or NULL */
	char *id;	     /* guid / atom:id, else the link; never NULL */
	time_t published_at; /* UTC; meaningful when has_published */
	int has_published;
	char *summary;	   /* plain text from the (HTML) description */
	char **categories; /* as the feed names them */
	size_t category_count;
};

struct item_list {
	struct item *items;
	size_t count;
	size_t capacity;
};

/*
 * Parses one feed document of size bytes.  base_url resolves relative links
 * (with xml:base taking precedence where the feed sets it); source_name is
 * copied into each item.  Items are appended to *list in feed order.  On
 * failure nothing is appended and *errstr_out (free()) says why in a few
 * words ("not a feed: the document is HTML").
 */
enum feed_status feed_parse(const char *data, size_t size, const char *base_url,
			    const char *source_name, struct item_list *list,
			    char **errstr_out);

/*
 * Parses a date as feeds write it: RFC 822/2822 (named or numeric zones,
 * two-digit years, no weekday, no seconds), RFC 3339 / ISO 8601 (also
 * dc:date).  Returns 0 and sets *time_out (UTC), or -1.
 */
int feed_parse_date(const char *text, time_t *time_out);

/*
 * Turns an HTML fragment into readable plain text: block elements become
 * line breaks, entities are decoded, script and style are dropped, runs of
 * whitespace are collapsed.  Returns a new string (free()).
 */
char *feed_html_to_text(const char *html, size_t size);

/* Deep-copies item into a new slot at the end of list. */
void feed_item_list_push_copy(struct item_list *list, const struct item *item);

/* Frees the strings of one item (not the item itself). */
void feed_item_clear(struct item *item);

/* Frees every item and the array; the list is empty afterwards. */
void feed_item_list_clear(struct item_list *list);

#endif
