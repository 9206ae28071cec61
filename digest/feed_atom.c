/*
 * feed_atom.c - one Atom 1.0 or 0.3 entry into a struct item.
 *
 * Atom says what its text is (the type attribute of a text construct, and
 * in Atom 0.3 also a mode), so text stays text and only HTML and XHTML go
 * through the HTML converter (feed_element.c reads text constructs).  The
 * title, summary and date come from feed_fields.c; this file reads what
 * only Atom has: the alternate link, atom:id and categories.  Where atom:id
 * occurs twice, the first that holds text wins.
 */
#include "feed_impl.h"
#include "util.h"

#include <string.h>

#include <libxml/tree.h>

/* The elements of one entry that fill its fields. */
struct atom_parts {
	struct feed_fields fields;
	xmlNodePtr id;
};

/*
 * How well a link names the entry's web page: 0 not at all (another rel),
 * 1 an alternate in some other format, 2 an alternate web page.  A link
 * without rel is an alternate.
 */
static int
atom_link_rank(xmlNodePtr link)
{
	char *rel = feed_element_attribute(link, "rel");
	char *type = NULL;
	int rank = 0;

	if (rel != NULL && *rel != '\0' &&
	    util_strcasecmp(rel, "alternate") != 0 &&
	    strcmp(rel, "http://www.iana.org/assignments/relation/"
			"alternate") != 0)
		goto out;
	type = feed_element_attribute(link, "type");
	rank = type == NULL || *type == '\0' ||
		       util_strcasecmp(type, "text/html") == 0 ||
		       util_strcasecmp(type, "application/xhtml+xml") == 0
		   ? 2
		   : 1;
out:
	free(rel);
	free(type);
	return rank;
}

/*
 * Sets the entry's link from its best alternate link, whatever the order
 * of the links: the first web page, else the first alternate of another
 * type.  The URL is in href, or (in some Atom 0.3 feeds) the element's
 * text.  Returns the URL as written (free()), or NULL.
 */
static char *
atom_read_link(struct feed_parse_state *state, xmlNodePtr entry,
	       struct item *item)
{
	xmlNodePtr child;
	xmlNodePtr best = NULL;
	char *best_url = NULL;
	int best_rank = 0;

	for (child = entry->children; child != NULL && best_rank < 2;
	     child = child->next) {
		char *url;
		int rank;

		if (!feed_element_is(child, FEED_VOCAB_ATOM, "link"))
			continue;
		rank = atom_link_rank(child);
		if (rank <= best_rank)
			continue;
		url = feed_element_attribute(child, "href");
		if (url == NULL)
			url = feed_element_plain(state, child, 1);
		if (*url == '\0') {
			free(url);
			continue;
		}
		free(best_url);
		best = child;
		best_url = url;
		best_rank = rank;
	}
	if (best != NULL)
		item->link = feed_element_link(state, best, best_url);
	return best_url;
}

/* Adds the category an atom:category names, by its label or its term. */
static void
atom_add_category(struct item *item, xmlNodePtr category)
{
	char *label = feed_element_attribute(category, "label");

	if (label == NULL || *label == '\0') {
		free(label);
		label = feed_element_attribute(category, "term");
	}
	feed_item_add_category(item, label);
}

/*
 * Finds the elements of the entry that fill its fields, the first of each
 * kind, and adds every category to item.
 */
static void
atom_find_parts(struct feed_parse_state *state, xmlNodePtr entry,
		struct atom_parts *parts, struct item *item)
{
	xmlNodePtr child;

	memset(parts, 0, sizeof(*parts));
	feed_fields_init(&parts->fields, FEED_KIND_ATOM);
	for (child = entry->children; child != NULL; child = child->next) {
		if (child->type != XML_ELEMENT_NODE ||
		    feed_fields_note(&parts->fields, child))
			continue;
		if (feed_element_is(child, FEED_VOCAB_ATOM, "id")) {
			if (parts->id == NULL)
				parts->id = child;
		} else if (feed_element_is(child, FEED_VOCAB_ATOM, "category"))
			atom_add_category(item, child);
		else if (feed_element_is(child, FEED_VOCAB_DC, "subject"))
			feed_item_add_category(
			    item, feed_element_plain(state, child, 1));
	}
}

/* Returns the first atom:id that holds text (free()), or NULL. */
static char *
atom_read_id(struct feed_parse_state *state, xmlNodePtr id)
{
	for (; id != NULL; id = feed_element_next_same(id)) {
		char *text = feed_element_plain(state, id, 1);

		if (*text != '\0')
			return text;
		free(text);
	}
	return NULL;
}

void
feed_atom_read_entry(struct feed_parse_state *state, xmlNodePtr entry)
{
	struct item item;
	struct atom_parts parts;
	char *href = NULL;
	char *date_text = NULL;

	memset(&item, 0, sizeof(item));
	atom_find_parts(state, entry, &parts, &item);
	item.title = feed_fields_title(state, &parts.fields);
	item.id = atom_read_id(state, parts.id);
	href = atom_read_link(state, entry, &item);
	item.summary = feed_fields_summary(state, &parts.fields);
	date_text = feed_fields_date(state, &parts.fields, &item);
	feed_item_finish(state, &item, href, date_text);
	free(href);
	free(date_text);
}
