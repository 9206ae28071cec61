/*
 * feed_atom.c - one Atom 1.0 or 0.3 entry into a struct item.
 *
 * Atom says what its text is (the type attribute of a text construct), so
 * text stays text and only html and xhtml go through the HTML converter.
 * The first occurrence of each element is the one read.
 */
#include "feed_impl.h"
#include "util.h"

#include <string.h>

#include <libxml/tree.h>

/* The elements of one entry that fill its fields. */
struct atom_parts {
	xmlNodePtr title;
	xmlNodePtr id;
	xmlNodePtr published;
	xmlNodePtr updated;
	xmlNodePtr summary;
	xmlNodePtr content;
};

/*
 * Converts an Atom text construct (title, summary, content) by its type
 * attribute.  Returns plain text (free()), or NULL when element is NULL or
 * holds something that is not text (a src link, an image).
 */
static char *
atom_text(struct feed_parse_state *state, xmlNodePtr element, int single_line)
{
	char *type;
	char *src;
	char *plain = NULL;

	if (element == NULL)
		return NULL;
	src = feed_element_attribute(element, "src");
	if (src != NULL) {
		free(src);
		return NULL;
	}
	type = feed_element_attribute(element, "type");
	if (type == NULL || util_strcasecmp(type, "text") == 0 ||
	    util_strcasecmp(type, "text/plain") == 0)
		plain = feed_element_plain(state, element, single_line);
	else if (util_strcasecmp(type, "html") == 0 ||
		 util_strcasecmp(type, "text/html") == 0)
		plain = feed_element_html(state, element, single_line);
	else if (util_strcasecmp(type, "xhtml") == 0 ||
		 util_strcasecmp(type, "application/xhtml+xml") == 0)
		plain = feed_element_xhtml(state, element, single_line);
	else if (util_strncasecmp(type, "text/", 5) == 0)
		plain = feed_element_plain(state, element, single_line);
	free(type);
	return plain;
}

/* Picks the entry's alternate link: rel="alternate" or no rel at all. */
static xmlNodePtr
atom_alternate_link(xmlNodePtr entry)
{
	xmlNodePtr child;

	for (child = entry->children; child != NULL; child = child->next) {
		xmlChar *rel;
		int alternate;

		if (!feed_element_is(child, FEED_VOCAB_ATOM, "link"))
			continue;
		rel = xmlGetNoNsProp(child, (const xmlChar *)"rel");
		alternate = rel == NULL ||
			    strcmp((const char *)rel, "alternate") == 0 ||
			    strcmp((const char *)rel,
				   "http://www.iana.org/assignments/relation/"
				   "alternate") == 0;
		xmlFree(rel);
		if (alternate)
			return child;
	}
	return NULL;
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
	for (child = entry->children; child != NULL; child = child->next) {
		if (child->type != XML_ELEMENT_NODE)
			continue;
		if (feed_element_is(child, FEED_VOCAB_ATOM, "title") &&
		    parts->title == NULL)
			parts->title = child;
		else if (feed_element_is(child, FEED_VOCAB_ATOM, "id") &&
			 parts->id == NULL)
			parts->id = child;
		else if ((feed_element_is(child, FEED_VOCAB_ATOM,
					  "published") ||
			  feed_element_is(child, FEED_VOCAB_ATOM, "issued")) &&
			 parts->published == NULL)
			parts->published = child;
		else if ((feed_element_is(child, FEED_VOCAB_ATOM, "updated") ||
			  feed_element_is(child, FEED_VOCAB_ATOM,
					  "modified")) &&
			 parts->updated == NULL)
			parts->updated = child;
		else if (feed_element_is(child, FEED_VOCAB_ATOM, "summary") &&
			 parts->summary == NULL)
			parts->summary = child;
		else if (feed_element_is(child, FEED_VOCAB_ATOM, "content") &&
			 parts->content == NULL)
			parts->content = child;
		else if (feed_element_is(child, FEED_VOCAB_ATOM, "category"))
			atom_add_category(item, child);
		else if (feed_element_is(child, FEED_VOCAB_DC, "subject"))
			feed_item_add_category(
			    item, feed_element_plain(state, child, 1));
	}
}

void
feed_atom_read_entry(struct feed_parse_state *state, xmlNodePtr entry)
{
	struct item item;
	struct atom_parts parts;
	xmlNodePtr link;
	char *href = NULL;
	char *date_text = NULL;

	memset(&item, 0, sizeof(item));
	atom_find_parts(state, entry, &parts, &item);
	item.title = atom_text(state, parts.title, 1);
	item.id = feed_element_plain(state, parts.id, 1);
	link = atom_alternate_link(entry);
	if (link != NULL) {
		href = feed_element_attribute(link, "href");
		item.link = feed_element_link(state, link, href);
	}
	item.summary = atom_text(state, parts.summary, 0);
	if (item.summary == NULL || *item.summary == '\0') {
		char *text = atom_text(state, parts.content, 0);

		if (text != NULL) {
			free(item.summary);
			item.summary = text;
		}
	}
	date_text = feed_element_plain(state, parts.published, 1);
	feed_item_set_date(&item, date_text);
	if (!item.has_published) {
		free(date_text);
		date_text = feed_element_plain(state, parts.updated, 1);
		feed_item_set_date(&item, date_text);
	}
	feed_item_finish(state, &item, href, date_text);
	free(href);
	free(date_text);
}
