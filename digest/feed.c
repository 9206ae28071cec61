/*
 * feed.c - RSS 2.0, RSS 1.0 (RDF) and Atom 1.0 into struct item.
 *
 * The document is parsed into a libxml2 tree with the network off, no
 * external entity or DTD loading and no entity substitution.  Entities
 * declared in the document stay references in the tree; we expand them
 * ourselves under a byte budget, so an expansion bomb fails instead of
 * eating memory.  Items are built in a private list and handed over only
 * when the whole feed was read, so a failure appends nothing.
 */
#include "feed.h"
#include "util.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>

/* Feeds bigger than this are refused before parsing. */
#define FEED_MAX_SIZE ((size_t)64 * 1024 * 1024)
/* Bytes that expanding the document's own entities may add, beyond its
 * size; a few harmless entities fit, a bomb does not. */
#define FEED_EXPANSION_ALLOWANCE ((size_t)1024 * 1024)
/* Entities nested deeper than this are refused. */
#define FEED_ENTITY_DEPTH_MAX 8
/* Longest libxml2 message we quote in an error. */
#define FEED_MESSAGE_MAX 160

#define NS_ATOM "http://www.w3.org/2005/Atom"
#define NS_ATOM03 "http://purl.org/atom/ns#"
#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_RSS10 "http://purl.org/rss/1.0/"
#define NS_RSS090 "http://my.netscape.com/rdf/simple/0.9/"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_XHTML "http://www.w3.org/1999/xhtml"

enum feed_kind {
	FEED_KIND_UNKNOWN = 0,
	FEED_KIND_RSS, /* RSS 0.9x, 1.0 and 2.0 */
	FEED_KIND_ATOM,
	FEED_KIND_OTHER
};

struct parse_state {
	xmlDocPtr document;
	const char *source_name;
	struct feed_html_converter *html;
	struct item_list items;
	enum feed_kind kind;
	/* The first error libxml2 reported, while collecting. */
	int collecting;
	char *first_error;
	int first_error_line;
	int first_error_code;
	/* Entity expansion accounting (see text_collect). */
	size_t expansion_left;
	int expansion_exceeded;
};

/* Which vocabulary an element name is looked up in. */
enum vocabulary {
	VOCAB_RSS,  /* no namespace, or RSS 1.0 / 0.90 */
	VOCAB_ATOM, /* Atom 1.0, or the old 0.3 namespace */
	VOCAB_DC,
	VOCAB_CONTENT,
	VOCAB_RDF
};

static pthread_once_t feed_init_once = PTHREAD_ONCE_INIT;

static xmlParserInputPtr
feed_refuse_entity_loader(const char *url, const char *public_id,
			  xmlParserCtxtPtr parser)
{
	/* A feed may not make us open files or URLs: refuse them all. */
	(void)url;
	(void)public_id;
	(void)parser;
	return NULL;
}

static void
feed_init(void)
{
	xmlInitParser();
	/* Only feed.c uses libxml2, so the process-wide loader is ours. */
	xmlSetExternalEntityLoader(feed_refuse_entity_loader);
}

static void
feed_on_error(void *context, xmlErrorPtr error)
{
	struct parse_state *state = context;

	if (state == NULL || error == NULL || !state->collecting ||
	    state->first_error != NULL || error->level < XML_ERR_ERROR)
		return;
	state->first_error =
	    xstrdup(error->message != NULL ? error->message : "unknown error");
	state->first_error_line = error->line;
	state->first_error_code = error->code;
}

static void
feed_quiet_generic(void *context, const char *message, ...)
{
	(void)context;
	(void)message;
}

static xmlParserInputPtr
feed_refuse_resolve(void *context, const xmlChar *public_id,
		    const xmlChar *system_id)
{
	(void)context;
	(void)public_id;
	(void)system_id;
	return NULL;
}

static void
feed_skip_external_subset(void *context, const xmlChar *name,
			  const xmlChar *external_id, const xmlChar *system_id)
{
	(void)context;
	(void)name;
	(void)external_id;
	(void)system_id;
}

/*
 * Makes a libxml2 message fit for an error string: one line, printable
 * ASCII, bounded length.  Returns a new string (free()).
 */
static char *
feed_clean_message(const char *message)
{
	struct buf clean = BUF_INIT;
	size_t index;

	for (index = 0; message[index] != '\0'; index++) {
		unsigned char byte = (unsigned char)message[index];

		if (clean.length >= FEED_MESSAGE_MAX) {
			buf_puts(&clean, "...");
			break;
		}
		if (byte == '\n' || byte == '\r' || byte == '\t')
			byte = ' ';
		buf_putc(&clean,
			 byte >= 0x20 && byte < 0x7F ? (char)byte : '?');
	}
	while (clean.length > 0 && clean.data[clean.length - 1] == ' ')
		clean.data[--clean.length] = '\0';
	return buf_detach(&clean);
}

/* True when the start of the data looks like an HTML page. */
static int
feed_looks_like_html(const char *data, size_t size)
{
	size_t limit = size < 2048 ? size : 2048;
	size_t index;

	for (index = 0; index < limit; index++) {
		size_t left = limit - index;

		if (data[index] != '<')
			continue;
		if (left >= 14 &&
		    util_strncasecmp(data + index, "<!doctype html", 14) == 0)
			return 1;
		if (left >= 5 &&
		    util_strncasecmp(data + index, "<html", 5) == 0)
			return 1;
	}
	return 0;
}

/* True when the data holds nothing but whitespace (and perhaps a BOM). */
static int
feed_is_blank(const char *data, size_t size)
{
	size_t index = 0;

	if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		index = 3;
	for (; index < size; index++) {
		if (data[index] != ' ' && data[index] != '\t' &&
		    data[index] != '\r' && data[index] != '\n')
			return 0;
	}
	return 1;
}

static const char *
node_namespace(xmlNodePtr node)
{
	return node->ns != NULL && node->ns->href != NULL
		   ? (const char *)node->ns->href
		   : NULL;
}

/* True when node is an element called name in the given vocabulary. */
static int
node_is(xmlNodePtr node, enum vocabulary vocabulary, const char *name)
{
	const char *ns;

	if (node->type != XML_ELEMENT_NODE ||
	    strcmp((const char *)node->name, name) != 0)
		return 0;
	ns = node_namespace(node);
	switch (vocabulary) {
	case VOCAB_RSS:
		return ns == NULL || strcmp(ns, NS_RSS10) == 0 ||
		       strcmp(ns, NS_RSS090) == 0;
	case VOCAB_ATOM:
		return ns != NULL &&
		       (strcmp(ns, NS_ATOM) == 0 || strcmp(ns, NS_ATOM03) == 0);
	case VOCAB_DC:
		return ns != NULL && strcmp(ns, NS_DC) == 0;
	case VOCAB_CONTENT:
		return ns != NULL && strcmp(ns, NS_CONTENT) == 0;
	case VOCAB_RDF:
		return ns != NULL && strcmp(ns, NS_RDF) == 0;
	}
	return 0;
}

/*
 * Appends the text below node to out.  References to the document's own
 * entities are expanded here rather than by the parser, each expanded byte
 * charged to state->expansion_left.
 */
static void
text_collect(struct parse_state *state, xmlNodePtr node, int entity_depth,
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
element_text(struct parse_state *state, xmlNodePtr element)
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
static char *
element_plain(struct parse_state *state, xmlNodePtr element, int single_line)
{
	char *raw = element_text(state, element);
	char *plain;

	if (raw == NULL)
		return NULL;
	plain = feed_text_collapse(raw, strlen(raw), single_line);
	free(raw);
	return plain;
}

/* Returns element's HTML content as plain text (free()), or NULL. */
static char *
element_html(struct parse_state *state, xmlNodePtr element, int single_line)
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
static char *
element_xhtml(struct parse_state *state, xmlNodePtr element, int single_line)
{
	xmlBufferPtr markup = xmlBufferCreate();
	xmlNodePtr child;
	char *plain;

	if (markup == NULL)
		return element_plain(state, element, single_line);
	for (child = element->children; child != NULL; child = child->next)
		xmlNodeDump(markup, state->document, child, 0, 0);
	plain = feed_html_converter_run(
	    state->html, (const char *)xmlBufferContent(markup),
	    (size_t)xmlBufferLength(markup), single_line);
	xmlBufferFree(markup);
	return plain;
}

/* Returns a non-namespaced attribute, trimmed, or NULL (free()). */
static char *
element_attribute(xmlNodePtr element, const char *name)
{
	xmlChar *value = xmlGetNoNsProp(element, (const xmlChar *)name);
	char *trimmed;

	if (value == NULL)
		return NULL;
	trimmed = feed_text_collapse((const char *)value,
				     strlen((const char *)value), 1);
	xmlFree(value);
	return trimmed;
}

/*
 * Converts an Atom text construct (title, summary, content) by its type
 * attribute.  Returns plain text (free()), or NULL when element is NULL or
 * holds something that is not text (a src link, an image).
 */
static char *
atom_text(struct parse_state *state, xmlNodePtr element, int single_line)
{
	char *type;
	char *src;
	char *plain = NULL;

	if (element == NULL)
		return NULL;
	src = element_attribute(element, "src");
	if (src != NULL) {
		free(src);
		return NULL;
	}
	type = element_attribute(element, "type");
	if (type == NULL || util_strcasecmp(type, "text") == 0 ||
	    util_strcasecmp(type, "text/plain") == 0)
		plain = element_plain(state, element, single_line);
	else if (util_strcasecmp(type, "html") == 0 ||
		 util_strcasecmp(type, "text/html") == 0)
		plain = element_html(state, element, single_line);
	else if (util_strcasecmp(type, "xhtml") == 0 ||
		 util_strcasecmp(type, "application/xhtml+xml") == 0)
		plain = element_xhtml(state, element, single_line);
	else if (util_strncasecmp(type, "text/", 5) == 0)
		plain = element_plain(state, element, single_line);
	free(type);
	return plain;
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
static char *
link_resolve(struct parse_state *state, xmlNodePtr element, const char *href)
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

static void
item_add_category(struct item *item, char *category)
{
	if (category == NULL)
		return;
	if (*category == '\0') {
		free(category);
		return;
	}
	item->categories =
	    xreallocarray(item->categories, item->category_count + 1,
			  sizeof(*item->categories));
	item->categories[item->category_count++] = category;
}

/*
 * Gives an item without guid or link a stable id from its title and date
 * (64-bit FNV-1a), so that the state stage can still recognise it.
 */
static char *
item_hash_id(const char *title, const char *date_text, const char *summary)
{
	const char *parts[3] = {title, date_text, summary};
	uint64_t hash = 14695981039346656037ULL;
	size_t part;
	const unsigned char *byte;

	for (part = 0; part < 3; part++) {
		if (parts[part] != NULL) {
			for (byte = (const unsigned char *)parts[part];
			     *byte != '\0'; byte++) {
				hash ^= *byte;
				hash *= 1099511628211ULL;
			}
		}
		hash ^= 0xFF;
		hash *= 1099511628211ULL;
	}
	return xasprintf("urn:digest:item:%016llx", (unsigned long long)hash);
}

/* Sets the date from the first text that parses. */
static void
item_set_date(struct item *item, const char *date_text)
{
	time_t when;

	if (item->has_published || date_text == NULL)
		return;
	if (feed_parse_date(date_text, &when) == 0) {
		item->published_at = when;
		item->has_published = 1;
	}
}

/*
 * Fills the fields every item must have and appends it to the private
 * list.  Takes ownership of item's strings.
 */
static void
item_finish(struct parse_state *state, struct item *item, const char *raw_link,
	    const char *date_text)
{
	struct item_list *items = &state->items;

	item->source =
	    xstrdup(state->source_name != NULL ? state->source_name : "");
	if (item->title == NULL)
		item->title = xstrdup("");
	if (item->summary == NULL)
		item->summary = xstrdup("");
	if (item->id != NULL && *item->id == '\0') {
		free(item->id);
		item->id = NULL;
	}
	if (item->id == NULL && item->link != NULL)
		item->id = xstrdup(item->link);
	if (item->id == NULL && raw_link != NULL && *raw_link != '\0')
		item->id = xstrdup(raw_link);
	if (item->id == NULL)
		item->id = item_hash_id(item->title, date_text, item->summary);
	if (items->count == items->capacity) {
		items->capacity =
		    items->capacity == 0 ? 16 : items->capacity * 2;
		items->items = xreallocarray(items->items, items->capacity,
					     sizeof(*items->items));
	}
	items->items[items->count++] = *item;
	memset(item, 0, sizeof(*item));
}

/* Reads one RSS 2.0 or RSS 1.0 item. */
static void
rss_read_item(struct parse_state *state, xmlNodePtr element)
{
	struct item item;
	xmlNodePtr child;
	xmlNodePtr title = NULL;
	xmlNodePtr link = NULL;
	xmlNodePtr guid = NULL;
	xmlNodePtr description = NULL;
	xmlNodePtr encoded = NULL;
	xmlNodePtr pub_date = NULL;
	xmlNodePtr dc_date = NULL;
	char *raw_link = NULL;
	char *date_text = NULL;

	memset(&item, 0, sizeof(item));
	for (child = element->children; child != NULL; child = child->next) {
		if (child->type != XML_ELEMENT_NODE)
			continue;
		if (node_is(child, VOCAB_RSS, "title") && title == NULL)
			title = child;
		else if (node_is(child, VOCAB_RSS, "link") && link == NULL)
			link = child;
		else if (node_is(child, VOCAB_RSS, "guid") && guid == NULL)
			guid = child;
		else if (node_is(child, VOCAB_RSS, "description") &&
			 description == NULL)
			description = child;
		else if (node_is(child, VOCAB_CONTENT, "encoded") &&
			 encoded == NULL)
			encoded = child;
		else if (node_is(child, VOCAB_RSS, "pubDate") &&
			 pub_date == NULL)
			pub_date = child;
		else if (node_is(child, VOCAB_DC, "date") && dc_date == NULL)
			dc_date = child;
		else if (node_is(child, VOCAB_RSS, "category") ||
			 node_is(child, VOCAB_DC, "subject"))
			item_add_category(&item,
					  element_plain(state, child, 1));
	}

	item.title = element_plain(state, title, 1);
	raw_link = element_plain(state, link, 1);
	item.link = link_resolve(state, link, raw_link);
	item.id = element_plain(state, guid, 1);
	if (item.link == NULL && guid != NULL && item.id != NULL) {
		/* A guid is a permalink unless it says otherwise. */
		char *permalink = element_attribute(guid, "isPermaLink");

		if (permalink == NULL || util_strcasecmp(permalink, "false"))
			item.link = link_resolve(state, guid, item.id);
		free(permalink);
	}
	if ((item.id == NULL || *item.id == '\0') && raw_link == NULL) {
		/* RSS 1.0 names each item by its rdf:about. */
		xmlChar *about = xmlGetNsProp(element, (const xmlChar *)"about",
					      (const xmlChar *)NS_RDF);

		if (about != NULL) {
			free(item.id);
			item.id = xstrdup((const char *)about);
		}
		xmlFree(about);
	}
	item.summary = element_html(state, description, 0);
	if (item.summary == NULL || *item.summary == '\0') {
		char *content = element_html(state, encoded, 0);

		if (content != NULL) {
			free(item.summary);
			item.summary = content;
		}
	}
	date_text = element_plain(state, pub_date, 1);
	item_set_date(&item, date_text);
	if (!item.has_published) {
		free(date_text);
		date_text = element_plain(state, dc_date, 1);
		item_set_date(&item, date_text);
	}
	item_finish(state, &item, raw_link, date_text);
	free(raw_link);
	free(date_text);
}

/* Picks the entry's alternate link: rel="alternate" or no rel at all. */
static xmlNodePtr
atom_alternate_link(xmlNodePtr entry)
{
	xmlNodePtr child;

	for (child = entry->children; child != NULL; child = child->next) {
		xmlChar *rel;
		int alternate;

		if (!node_is(child, VOCAB_ATOM, "link"))
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

static void
atom_read_entry(struct parse_state *state, xmlNodePtr entry)
{
	struct item item;
	xmlNodePtr child;
	xmlNodePtr title = NULL;
	xmlNodePtr id = NULL;
	xmlNodePtr published = NULL;
	xmlNodePtr updated = NULL;
	xmlNodePtr summary = NULL;
	xmlNodePtr content = NULL;
	xmlNodePtr link;
	char *href = NULL;
	char *date_text = NULL;

	memset(&item, 0, sizeof(item));
	for (child = entry->children; child != NULL; child = child->next) {
		if (child->type != XML_ELEMENT_NODE)
			continue;
		if (node_is(child, VOCAB_ATOM, "title") && title == NULL)
			title = child;
		else if (node_is(child, VOCAB_ATOM, "id") && id == NULL)
			id = child;
		else if ((node_is(child, VOCAB_ATOM, "published") ||
			  node_is(child, VOCAB_ATOM, "issued")) &&
			 published == NULL)
			published = child;
		else if ((node_is(child, VOCAB_ATOM, "updated") ||
			  node_is(child, VOCAB_ATOM, "modified")) &&
			 updated == NULL)
			updated = child;
		else if (node_is(child, VOCAB_ATOM, "summary") &&
			 summary == NULL)
			summary = child;
		else if (node_is(child, VOCAB_ATOM, "content") &&
			 content == NULL)
			content = child;
		else if (node_is(child, VOCAB_ATOM, "category")) {
			char *label = element_attribute(child, "label");

			if (label == NULL || *label == '\0') {
				free(label);
				label = element_attribute(child, "term");
			}
			item_add_category(&item, label);
		} else if (node_is(child, VOCAB_DC, "subject"))
			item_add_category(&item,
					  element_plain(state, child, 1));
	}

	item.title = atom_text(state, title, 1);
	item.id = element_plain(state, id, 1);
	link = atom_alternate_link(entry);
	if (link != NULL) {
		href = element_attribute(link, "href");
		item.link = link_resolve(state, link, href);
	}
	item.summary = atom_text(state, summary, 0);
	if (item.summary == NULL || *item.summary == '\0') {
		char *text = atom_text(state, content, 0);

		if (text != NULL) {
			free(item.summary);
			item.summary = text;
		}
	}
	date_text = element_plain(state, published, 1);
	item_set_date(&item, date_text);
	if (!item.has_published) {
		free(date_text);
		date_text = element_plain(state, updated, 1);
		item_set_date(&item, date_text);
	}
	item_finish(state, &item, href, date_text);
	free(href);
	free(date_text);
}

/* Moves every item of from to the end of list; from ends empty. */
static void
item_list_take(struct item_list *list, struct item_list *from)
{
	size_t needed = list->count + from->count;

	if (from->count == 0)
		goto out;
	if (needed > list->capacity) {
		list->items =
		    xreallocarray(list->items, needed, sizeof(*list->items));
		list->capacity = needed;
	}
	memcpy(list->items + list->count, from->items,
	       from->count * sizeof(*from->items));
	list->count = needed;
out:
	free(from->items);
	memset(from, 0, sizeof(*from));
}

/* What the root element says the document is. */
static enum feed_kind
feed_kind_of(xmlNodePtr root)
{
	if (root == NULL)
		return FEED_KIND_OTHER;
	if (strcmp((const char *)root->name, "rss") == 0 &&
	    node_namespace(root) == NULL)
		return FEED_KIND_RSS;
	if (node_is(root, VOCAB_RDF, "RDF"))
		return FEED_KIND_RSS;
	if (node_is(root, VOCAB_ATOM, "feed"))
		return FEED_KIND_ATOM;
	return FEED_KIND_OTHER;
}

/*
 * Reads element into an item when it is one: an RSS item in the root or
 * its channel, or an Atom entry in the feed.  Returns 1 when it was.
 */
static int
feed_take_item(struct parse_state *state, xmlNodePtr element)
{
	xmlNodePtr root = xmlDocGetRootElement(state->document);
	xmlNodePtr parent = element->parent;

	if (state->kind == FEED_KIND_UNKNOWN)
		state->kind = feed_kind_of(root);
	if (parent == NULL || element == root)
		return 0;
	if (state->kind == FEED_KIND_RSS &&
	    node_is(element, VOCAB_RSS, "item") &&
	    (parent == root || (parent->parent == root &&
				node_is(parent, VOCAB_RSS, "channel")))) {
		rss_read_item(state, element);
		return 1;
	}
	if (state->kind == FEED_KIND_ATOM &&
	    node_is(element, VOCAB_ATOM, "entry") && parent == root) {
		atom_read_entry(state, element);
		return 1;
	}
	return 0;
}

/*
 * Replaces libxml2's end-of-element callback: an item is read as soon as
 * it is complete and its subtree freed, so the tree never holds more than
 * one item's content and memory stays flat however long the feed.
 */
static void
feed_on_end_element(void *context, const xmlChar *local_name,
		    const xmlChar *prefix, const xmlChar *uri)
{
	xmlParserCtxtPtr parser = context;
	struct parse_state *state = parser->_private;
	xmlNodePtr element = parser->node;
	int taken = 0;

	if (element != NULL && parser->myDoc != NULL && parser->wellFormed &&
	    !state->expansion_exceeded) {
		state->document = parser->myDoc;
		/* Errors from here on are the HTML converter's, not the
		 * feed's. */
		state->collecting = 0;
		taken = feed_take_item(state, element);
		state->collecting = 1;
	}
	xmlSAX2EndElementNs(context, local_name, prefix, uri);
	if (taken && element->children != NULL) {
		/* The empty element stays: libxml2 keeps state about the last
		 * child of the parent to merge text into, and unlinking the
		 * item would make a stale text node that child. */
		xmlFreeNodeList(element->children);
		element->children = NULL;
		element->last = NULL;
	}
	if (state->expansion_exceeded)
		xmlStopParser(parser);
}

/*
 * Parses data with the push parser, reading items as they complete.
 * Returns the (item-less) document (xmlFreeDoc()), or NULL with
 * state->first_error set.  encoding overrides the prolog when given.
 */
static xmlDocPtr
feed_read(struct parse_state *state, const char *data, size_t size,
	  const char *base_url, const char *encoding)
{
	/* Chunks keep libxml2 from copying the whole feed at once. */
	const size_t chunk_size = 256 * 1024;
	int options = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT;
	xmlParserCtxtPtr parser = NULL;
	xmlDocPtr document = NULL;
	size_t offset;
	size_t head = size < 4 ? size : 4;

	free(state->first_error);
	state->first_error = NULL;
	state->first_error_line = 0;
	state->first_error_code = 0;
	feed_item_list_clear(&state->items);
	state->kind = FEED_KIND_UNKNOWN;
	state->document = NULL;
	state->expansion_left = size + FEED_EXPANSION_ALLOWANCE;
	state->expansion_exceeded = 0;
	state->collecting = 1;

	parser = xmlCreatePushParserCtxt(NULL, NULL, data, (int)head, base_url);
	if (parser == NULL || parser->sax == NULL) {
		state->first_error = xstrdup("out of memory");
		goto out;
	}
	if (encoding != NULL) {
		if (xmlCtxtResetPush(parser, data, (int)head, base_url,
				     encoding) != 0) {
			state->first_error = xstrdup("unknown encoding");
			goto out;
		}
		options |= XML_PARSE_IGNORE_ENC;
	}
	xmlCtxtUseOptions(parser, options);
	parser->_private = state;
	/* Belt and braces next to the refusing loader: no DTD, no entity
	 * from outside, whatever the options say. */
	parser->sax->resolveEntity = feed_refuse_resolve;
	parser->sax->externalSubset = feed_skip_external_subset;
	parser->sax->endElementNs = feed_on_end_element;

	for (offset = head; offset < size; offset += chunk_size) {
		size_t length =
		    size - offset < chunk_size ? size - offset : chunk_size;

		xmlParseChunk(parser, data + offset, (int)length, 0);
		if (!parser->wellFormed || parser->disableSAX)
			break;
	}
	if (parser->wellFormed && !parser->disableSAX) {
		xmlParserInputState before = parser->instate;

		xmlParseChunk(parser, NULL, 0, 1);
		/* libxml2 calls a document that just stops "extra content at
		 * the end"; say what happened instead. */
		if (state->first_error_code == XML_ERR_DOCUMENT_END &&
		    before != XML_PARSER_EPILOG && before != XML_PARSER_EOF) {
			free(state->first_error);
			state->first_error = xstrdup("premature end of data, "
						     "the document is "
						     "truncated");
		}
	}
	state->collecting = 0;
	document = parser->myDoc;
	parser->myDoc = NULL;
	/* A halted parser (an encoding error, say) may still look well
	 * formed: both flags must be clean. */
	if (document != NULL && (!parser->wellFormed || parser->disableSAX)) {
		xmlFreeDoc(document);
		document = NULL;
	}
	if (document == NULL && state->first_error == NULL)
		state->first_error = xstrdup("the parser gave up");
out:
	state->collecting = 0;
	state->document = document;
	if (parser != NULL) {
		if (parser->myDoc != NULL)
			xmlFreeDoc(parser->myDoc);
		parser->myDoc = NULL;
		xmlFreeParserCtxt(parser);
	}
	return document;
}

enum feed_status
feed_parse(const char *data, size_t size, const char *base_url,
	   const char *source_name, struct item_list *list, char **errstr_out)
{
	struct parse_state state;
	enum feed_status status = FEED_OK;
	xmlStructuredErrorFunc old_structured = NULL;
	void *old_structured_context = NULL;
	xmlGenericErrorFunc old_generic = NULL;
	void *old_generic_context = NULL;
	xmlNodePtr root;
	char *errstr = NULL;

	memset(&state, 0, sizeof(state));
	state.source_name = source_name;
	if (data == NULL || feed_is_blank(data, size)) {
		status = FEED_EPARSE;
		errstr = xstrdup("not well-formed XML: the document is empty");
		goto out;
	}
	if (size > FEED_MAX_SIZE) {
		status = FEED_ETOOBIG;
		errstr = xasprintf("feed larger than %zu MiB",
				   FEED_MAX_SIZE / (1024 * 1024));
		goto out;
	}
	pthread_once(&feed_init_once, feed_init);
	/* Every libxml2 message comes to us, never to stderr. */
	old_structured = xmlStructuredError;
	old_structured_context = xmlStructuredErrorContext;
	old_generic = xmlGenericError;
	old_generic_context = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(&state, feed_on_error);
	xmlSetGenericErrorFunc(NULL, feed_quiet_generic);

	state.html = feed_html_converter_new();
	state.document = feed_read(&state, data, size, base_url, NULL);
	if (state.document == NULL && state.first_error != NULL &&
	    strstr(state.first_error, "not proper UTF-8") != NULL) {
		/* Undeclared Latin-1 is the commonest lie; cp1252 covers it. */
		state.document =
		    feed_read(&state, data, size, base_url, "windows-1252");
	}
	if (state.expansion_exceeded) {
		status = FEED_EPARSE;
		errstr = xstrdup("not well-formed XML: entity expansion "
				 "exceeds the limit");
		goto restore;
	}
	if (state.document == NULL) {
		char *message;

		if (feed_looks_like_html(data, size)) {
			status = FEED_ENOTFEED;
			errstr = xstrdup("not a feed: the document is HTML");
			goto restore;
		}
		message = feed_clean_message(state.first_error);
		status = FEED_EPARSE;
		errstr = xasprintf("not well-formed XML at line %d: %s",
				   state.first_error_line, message);
		free(message);
		goto restore;
	}
	root = xmlDocGetRootElement(state.document);
	if (root == NULL) {
		status = FEED_EPARSE;
		errstr = xstrdup("not well-formed XML: no root element");
		goto restore;
	}
	if (util_strcasecmp((const char *)root->name, "html") == 0) {
		status = FEED_ENOTFEED;
		errstr = xstrdup("not a feed: the document is HTML");
		goto restore;
	}
	if (feed_kind_of(root) == FEED_KIND_OTHER) {
		status = FEED_ENOTFEED;
		errstr = xasprintf("not a feed: the root element is <%.40s>",
				   (const char *)root->name);
		goto restore;
	}
	item_list_take(list, &state.items);
restore:
	xmlSetStructuredErrorFunc(old_structured_context, old_structured);
	xmlSetGenericErrorFunc(old_generic_context, old_generic);
out:
	feed_item_list_clear(&state.items);
	feed_html_converter_free(state.html);
	if (state.document != NULL)
		xmlFreeDoc(state.document);
	free(state.first_error);
	if (errstr_out != NULL)
		*errstr_out = errstr;
	else
		free(errstr);
	return status;
}

static char *
copy_or_null(const char *text)
{
	return text != NULL ? xstrdup(text) : NULL;
}

void
feed_item_list_push_copy(struct item_list *list, const struct item *item)
{
	struct item *copy;
	size_t index;

	if (list->count == list->capacity) {
		list->capacity = list->capacity == 0 ? 16 : list->capacity * 2;
		list->items = xreallocarray(list->items, list->capacity,
					    sizeof(*list->items));
	}
	copy = &list->items[list->count++];
	memset(copy, 0, sizeof(*copy));
	copy->source = copy_or_null(item->source);
	copy->title = copy_or_null(item->title);
	copy->link = copy_or_null(item->link);
	copy->id = copy_or_null(item->id);
	copy->published_at = item->published_at;
	copy->has_published = item->has_published;
	copy->summary = copy_or_null(item->summary);
	if (item->category_count > 0) {
		copy->categories = xreallocarray(NULL, item->category_count,
						 sizeof(*copy->categories));
		for (index = 0; index < item->category_count; index++)
			copy->categories[index] =
			    copy_or_null(item->categories[index]);
		copy->category_count = item->category_count;
	}
}

void
feed_item_clear(struct item *item)
{
	size_t index;

	if (item == NULL)
		return;
	free(item->source);
	free(item->title);
	free(item->link);
	free(item->id);
	free(item->summary);
	for (index = 0; index < item->category_count; index++)
		free(item->categories[index]);
	free(item->categories);
	memset(item, 0, sizeof(*item));
}

void
feed_item_list_clear(struct item_list *list)
{
	size_t index;

	if (list == NULL)
		return;
	for (index = 0; index < list->count; index++)
		feed_item_clear(&list->items[index]);
	free(list->items);
	memset(list, 0, sizeof(*list));
}
