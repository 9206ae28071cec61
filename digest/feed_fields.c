/*
 * feed_fields.c - which element fills an item's title, summary and date.
 *
 * Feeds carry the same field under many names: their own (RSS title,
 * atom:summary), Dublin Core, Media RSS, iTunes, content:encoded.  Each
 * field reads them in one order of preference, the same for RSS and Atom
 * (the README's "How feeds are read" says it in words):
 *
 *   title:   title, dc:title, media:title, media:group/media:title
 *   summary: description or atom:summary, dc:description, itunes:summary,
 *            media:description, media:group/media:description, and only
 *            then the full content (content:encoded, atom:content): a
 *            digest wants the short text
 *   date:    pubDate or atom:published (0.3: issued), dc:date,
 *            dcterms:issued, created (0.3), dcterms:created, then the
 *            dates of a change: atom:updated (0.3: modified),
 *            dcterms:modified
 *
 * An element that is empty (or a date that does not parse) counts as
 * absent.  Where one element occurs twice, the first occurrence that
 * holds text wins.
 */
#include "feed_impl.h"
#include "util.h"

#include <string.h>

#include <libxml/tree.h>

/* An element that fills a slot; kind is FEED_KIND_UNKNOWN in any feed. */
struct slot_rule {
	enum feed_kind kind;
	enum feed_vocabulary vocabulary;
	const char *name;
	enum feed_slot slot;
};

static const struct slot_rule slot_rules[] = {
    {FEED_KIND_RSS, FEED_VOCAB_RSS, "title", FEED_SLOT_TITLE},
    {FEED_KIND_RSS, FEED_VOCAB_RSS, "description", FEED_SLOT_SUMMARY},
    {FEED_KIND_RSS, FEED_VOCAB_RSS, "pubDate", FEED_SLOT_PUBLISHED},
    {FEED_KIND_ATOM, FEED_VOCAB_ATOM, "title", FEED_SLOT_TITLE},
    {FEED_KIND_ATOM, FEED_VOCAB_ATOM, "summary", FEED_SLOT_SUMMARY},
    {FEED_KIND_ATOM, FEED_VOCAB_ATOM, "content", FEED_SLOT_CONTENT},
    {FEED_KIND_ATOM, FEED_VOCAB_ATOM, "published", FEED_SLOT_PUBLISHED},
    {FEED_KIND_ATOM, FEED_VOCAB_ATOM, "issued", FEED_SLOT_PUBLISHED},
    {FEED_KIND_ATOM, FEED_VOCAB_ATOM, "created", FEED_SLOT_CREATED},
    {FEED_KIND_ATOM, FEED_VOCAB_ATOM, "updated", FEED_SLOT_UPDATED},
    {FEED_KIND_ATOM, FEED_VOCAB_ATOM, "modified", FEED_SLOT_UPDATED},
    {FEED_KIND_UNKNOWN, FEED_VOCAB_DC, "title", FEED_SLOT_DC_TITLE},
    {FEED_KIND_UNKNOWN, FEED_VOCAB_DC, "description", FEED_SLOT_DC_DESCRIPTION},
    {FEED_KIND_UNKNOWN, FEED_VOCAB_DC, "date", FEED_SLOT_DC_DATE},
    {FEED_KIND_UNKNOWN, FEED_VOCAB_CONTENT, "encoded", FEED_SLOT_CONTENT},
    {FEED_KIND_UNKNOWN, FEED_VOCAB_MEDIA, "title", FEED_SLOT_MEDIA_TITLE},
    {FEED_KIND_UNKNOWN, FEED_VOCAB_MEDIA, "description",
     FEED_SLOT_MEDIA_DESCRIPTION},
    {FEED_KIND_UNKNOWN, FEED_VOCAB_ITUNES, "summary", FEED_SLOT_ITUNES_SUMMARY},
    {FEED_KIND_UNKNOWN, FEED_VOCAB_DCTERMS, "issued", FEED_SLOT_DCTERMS_ISSUED},
    {FEED_KIND_UNKNOWN, FEED_VOCAB_DCTERMS, "created",
     FEED_SLOT_DCTERMS_CREATED},
    {FEED_KIND_UNKNOWN, FEED_VOCAB_DCTERMS, "modified",
     FEED_SLOT_DCTERMS_MODIFIED},
};

static const enum feed_slot title_order[] = {
    FEED_SLOT_TITLE, FEED_SLOT_DC_TITLE, FEED_SLOT_MEDIA_TITLE,
    FEED_SLOT_GROUP_MEDIA_TITLE};

static const enum feed_slot summary_order[] = {
    FEED_SLOT_SUMMARY,
    FEED_SLOT_DC_DESCRIPTION,
    FEED_SLOT_ITUNES_SUMMARY,
    FEED_SLOT_MEDIA_DESCRIPTION,
    FEED_SLOT_GROUP_MEDIA_DESCRIPTION,
    FEED_SLOT_CONTENT};

static const enum feed_slot date_order[] = {
    FEED_SLOT_PUBLISHED,       FEED_SLOT_DC_DATE,
    FEED_SLOT_DCTERMS_ISSUED,  FEED_SLOT_CREATED,
    FEED_SLOT_DCTERMS_CREATED, FEED_SLOT_UPDATED,
    FEED_SLOT_DCTERMS_MODIFIED};

#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

void
feed_fields_init(struct feed_fields *fields, enum feed_kind kind)
{
	memset(fields, 0, sizeof(*fields));
	fields->kind = kind;
}

/* Returns the slot element fills in a feed of this kind, or -1. */
static int
fields_slot_of(enum feed_kind kind, xmlNodePtr element)
{
	enum feed_vocabulary vocabulary = feed_element_vocabulary(element);
	size_t index;

	if (vocabulary == FEED_VOCAB_OTHER)
		return -1;
	for (index = 0; index < COUNT_OF(slot_rules); index++) {
		const struct slot_rule *rule = &slot_rules[index];

		if (rule->vocabulary == vocabulary &&
		    (rule->kind == FEED_KIND_UNKNOWN || rule->kind == kind) &&
		    strcmp((const char *)element->name, rule->name) == 0)
			return (int)rule->slot;
	}
	return -1;
}

/* Notes the media:title and media:description of a media:group. */
static void
fields_note_group(struct feed_fields *fields, xmlNodePtr group)
{
	xmlNodePtr child;

	for (child = group->children; child != NULL; child = child->next) {
		enum feed_slot slot;

		if (child->type != XML_ELEMENT_NODE)
			continue;
		if (feed_element_is(child, FEED_VOCAB_MEDIA, "title"))
			slot = FEED_SLOT_GROUP_MEDIA_TITLE;
		else if (feed_element_is(child, FEED_VOCAB_MEDIA,
					 "description"))
			slot = FEED_SLOT_GROUP_MEDIA_DESCRIPTION;
		else
			continue;
		if (fields->first[slot] == NULL)
			fields->first[slot] = child;
	}
}

int
feed_fields_note(struct feed_fields *fields, xmlNodePtr child)
{
	int slot;

	if (feed_element_is(child, FEED_VOCAB_MEDIA, "group")) {
		fields_note_group(fields, child);
		return 1;
	}
	slot = fields_slot_of(fields->kind, child);
	if (slot < 0)
		return 0;
	if (fields->first[slot] == NULL)
		fields->first[slot] = child;
	return 1;
}

/*
 * Reads one element as text by what it is: Atom says its type, Media RSS
 * says "plain" or "html", and everything else is HTML more often than not
 * (titles included), so it goes through the HTML converter, which leaves
 * text that only looks like markup alone.
 */
static char *
fields_text(struct feed_parse_state *state, xmlNodePtr element, int single_line)
{
	char *type;
	int html;

	switch (feed_element_vocabulary(element)) {
	case FEED_VOCAB_ATOM:
		return feed_element_text_construct(state, element, single_line);
	case FEED_VOCAB_MEDIA:
		type = feed_element_attribute(element, "type");
		html = type != NULL && util_strcasecmp(type, "html") == 0;
		free(type);
		if (!html)
			return feed_element_plain(state, element, single_line);
		return feed_element_html(state, element, single_line);
	default:
		return feed_element_html(state, element, single_line);
	}
}

/* Returns the first text of the slots in order that is not empty. */
static char *
fields_first_text(struct feed_parse_state *state,
		  const struct feed_fields *fields, const enum feed_slot *order,
		  size_t order_count, int single_line)
{
	size_t index;
	xmlNodePtr element;

	for (index = 0; index < order_count; index++) {
		for (element = fields->first[order[index]]; element != NULL;
		     element = feed_element_next_same(element)) {
			char *text = fields_text(state, element, single_line);

			if (text != NULL && *text != '\0')
				return text;
			free(text);
		}
	}
	return NULL;
}

char *
feed_fields_title(struct feed_parse_state *state,
		  const struct feed_fields *fields)
{
	return fields_first_text(state, fields, title_order,
				 COUNT_OF(title_order), 1);
}

char *
feed_fields_summary(struct feed_parse_state *state,
		    const struct feed_fields *fields)
{
	return fields_first_text(state, fields, summary_order,
				 COUNT_OF(summary_order), 0);
}

char *
feed_fields_date(struct feed_parse_state *state,
		 const struct feed_fields *fields, struct item *item)
{
	char *first_text = NULL;
	size_t index;
	xmlNodePtr element;

	for (index = 0; index < COUNT_OF(date_order); index++) {
		for (element = fields->first[date_order[index]];
		     element != NULL;
		     element = feed_element_next_same(element)) {
			char *text = feed_element_plain(state, element, 1);
			time_t when;

			if (feed_parse_date(text, &when) == 0) {
				item->published_at = when;
				item->has_published = 1;
				free(first_text);
				return text;
			}
			if (first_text == NULL)
				first_text = text;
			else
				free(text);
		}
	}
	return first_text;
}
