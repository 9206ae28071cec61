/*
 * feed_rss.c - one RSS 2.0, 0.9x or 1.0 (RDF) item into a struct item.
 *
 * The title, summary and date come from feed_fields.c; this file reads
 * what only RSS has: the link, the guid (a permalink unless it says
 * otherwise), rdf:about and the categories.  Where link or guid occurs
 * twice, the first that holds text wins.
 */
#include "feed_impl.h"
#include "util.h"

#include <string.h>

#include <libxml/tree.h>

/* The elements of one item that fill its fields. */
struct rss_parts {
	struct feed_fields fields;
	xmlNodePtr link;
	xmlNodePtr guid;
};

/*
 * Finds the elements of the item that fill its fields, the first of each
 * kind, and adds every category to item.
 */
static void
rss_find_parts(struct feed_parse_state *state, xmlNodePtr element,
	       struct rss_parts *parts, struct item *item)
{
	xmlNodePtr child;

	memset(parts, 0, sizeof(*parts));
	feed_fields_init(&parts->fields, FEED_KIND_RSS);
	for (child = element->children; child != NULL; child = child->next) {
		if (child->type != XML_ELEMENT_NODE ||
		    feed_fields_note(&parts->fields, child))
			continue;
		if (feed_element_is(child, FEED_VOCAB_RSS, "link")) {
			if (parts->link == NULL)
				parts->link = child;
		} else if (feed_element_is(child, FEED_VOCAB_RSS, "guid")) {
			if (parts->guid == NULL)
				parts->guid = child;
		} else if (feed_element_is(child, FEED_VOCAB_RSS, "category") ||
			   feed_element_is(child, FEED_VOCAB_DC, "subject"))
			feed_item_add_category(
			    item, feed_element_plain(state, child, 1));
	}
}

/*
 * Returns the text of the first element from element on, it included,
 * with the same name that is not empty (free()), and sets *found_out to
 * it.  Returns NULL when there is none.
 */
static char *
rss_first_plain(struct feed_parse_state *state, xmlNodePtr element,
		xmlNodePtr *found_out)
{
	for (; element != NULL; element = feed_element_next_same(element)) {
		char *text = feed_element_plain(state, element, 1);

		if (*text != '\0') {
			*found_out = element;
			return text;
		}
		free(text);
	}
	return NULL;
}

/*
 * Sets the item's link and id from link, guid and rdf:about.  Returns the
 * link element's own text (free()), or NULL.
 */
static char *
rss_read_link_and_id(struct feed_parse_state *state, xmlNodePtr element,
		     const struct rss_parts *parts, struct item *item)
{
	xmlNodePtr link = parts->link;
	xmlNodePtr guid = parts->guid;
	char *raw_link = rss_first_plain(state, link, &link);

	item->link = feed_element_link(state, link, raw_link);
	item->id = rss_first_plain(state, guid, &guid);
	if (item->link == NULL && item->id != NULL) {
		/* A guid is a permalink unless it says otherwise. */
		char *permalink = feed_element_attribute(guid, "isPermaLink");

		if (permalink == NULL || util_strcasecmp(permalink, "false"))
			item->link = feed_element_link(state, guid, item->id);
		free(permalink);
	}
	if (item->id == NULL && parts->link == NULL) {
		/* RSS 1.0 names each item by its rdf:about. */
		xmlChar *about = xmlGetNsProp(element, (const xmlChar *)"about",
					      (const xmlChar *)FEED_NS_RDF);

		if (about != NULL)
			item->id = xstrdup((const char *)about);
		xmlFree(about);
	}
	return raw_link;
}

void
feed_rss_read_item(struct feed_parse_state *state, xmlNodePtr element)
{
	struct item item;
	struct rss_parts parts;
	char *raw_link = NULL;
	char *date_text = NULL;

	memset(&item, 0, sizeof(item));
	rss_find_parts(state, element, &parts, &item);
	item.title = feed_fields_title(state, &parts.fields);
	raw_link = rss_read_link_and_id(state, element, &parts, &item);
	item.summary = feed_fields_summary(state, &parts.fields);
	date_text = feed_fields_date(state, &parts.fields, &item);
	feed_item_finish(state, &item, raw_link, date_text);
	free(raw_link);
	free(date_text);
}
