/*
 * feed_rss.c - one RSS 2.0, 0.9x or 1.0 (RDF) item into a struct item.
 *
 * RSS text is HTML more often than not, so descriptions go through the
 * HTML converter.  The first occurrence of each element is the one read.
 */
#include "feed_impl.h"
#include "util.h"

#include <string.h>

#include <libxml/tree.h>

/* The elements of one item that fill its fields. */
struct rss_parts {
	xmlNodePtr title;
	xmlNodePtr link;
	xmlNodePtr guid;
	xmlNodePtr description;
	xmlNodePtr encoded;
	xmlNodePtr pub_date;
	xmlNodePtr dc_date;
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
	for (child = element->children; child != NULL; child = child->next) {
		if (child->type != XML_ELEMENT_NODE)
			continue;
		if (feed_element_is(child, FEED_VOCAB_RSS, "title") &&
		    parts->title == NULL)
			parts->title = child;
		else if (feed_element_is(child, FEED_VOCAB_RSS, "link") &&
			 parts->link == NULL)
			parts->link = child;
		else if (feed_element_is(child, FEED_VOCAB_RSS, "guid") &&
			 parts->guid == NULL)
			parts->guid = child;
		else if (feed_element_is(child, FEED_VOCAB_RSS,
					 "description") &&
			 parts->description == NULL)
			parts->description = child;
		else if (feed_element_is(child, FEED_VOCAB_CONTENT,
					 "encoded") &&
			 parts->encoded == NULL)
			parts->encoded = child;
		else if (feed_element_is(child, FEED_VOCAB_RSS, "pubDate") &&
			 parts->pub_date == NULL)
			parts->pub_date = child;
		else if (feed_element_is(child, FEED_VOCAB_DC, "date") &&
			 parts->dc_date == NULL)
			parts->dc_date = child;
		else if (feed_element_is(child, FEED_VOCAB_RSS, "category") ||
			 feed_element_is(child, FEED_VOCAB_DC, "subject"))
			feed_item_add_category(
			    item, feed_element_plain(state, child, 1));
	}
}

/*
 * Sets the item's link and id from link, guid and rdf:about.  Returns the
 * link element's own text (free()), or NULL.
 */
static char *
rss_read_link_and_id(struct feed_parse_state *state, xmlNodePtr element,
		     const struct rss_parts *parts, struct item *item)
{
	char *raw_link = feed_element_plain(state, parts->link, 1);

	item->link = feed_element_link(state, parts->link, raw_link);
	item->id = feed_element_plain(state, parts->guid, 1);
	if (item->link == NULL && parts->guid != NULL && item->id != NULL) {
		/* A guid is a permalink unless it says otherwise. */
		char *permalink =
		    feed_element_attribute(parts->guid, "isPermaLink");

		if (permalink == NULL || util_strcasecmp(permalink, "false"))
			item->link =
			    feed_element_link(state, parts->guid, item->id);
		free(permalink);
	}
	if ((item->id == NULL || *item->id == '\0') && raw_link == NULL) {
		/* RSS 1.0 names each item by its rdf:about. */
		xmlChar *about = xmlGetNsProp(element, (const xmlChar *)"about",
					      (const xmlChar *)FEED_NS_RDF);

		if (about != NULL) {
			free(item->id);
			item->id = xstrdup((const char *)about);
		}
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
	item.title = feed_element_plain(state, parts.title, 1);
	raw_link = rss_read_link_and_id(state, element, &parts, &item);
	item.summary = feed_element_html(state, parts.description, 0);
	if (item.summary == NULL || *item.summary == '\0') {
		char *content = feed_element_html(state, parts.encoded, 0);

		if (content != NULL) {
			free(item.summary);
			item.summary = content;
		}
	}
	date_text = feed_element_plain(state, parts.pub_date, 1);
	feed_item_set_date(&item, date_text);
	if (!item.has_published) {
		free(date_text);
		date_text = feed_element_plain(state, parts.dc_date, 1);
		feed_item_set_date(&item, date_text);
	}
	feed_item_finish(state, &item, raw_link, date_text);
	free(raw_link);
	free(date_text);
}
