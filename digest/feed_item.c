/*
 * feed_item.c - filling, storing, copying and freeing items.
 *
 * The readers of RSS and Atom (feed_rss.c, feed_atom.c) pick an item's
 * fields; feed_item_finish() gives every item what it must have (a source,
 * an id) and appends it to the parse's private list, which feed_parse()
 * hands over only when the whole document was read.
 */
#include "feed_impl.h"
#include "util.h"

#include <stdint.h>
#include <string.h>

void
feed_item_add_category(struct item *item, char *category)
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

/*
 * Fills the fields every item must have and appends it to the private
 * list.  Takes ownership of item's strings.
 */
void
feed_item_finish(struct feed_parse_state *state, struct item *item,
		 const char *raw_link, const char *date_text)
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

void
feed_item_list_take(struct item_list *list, struct item_list *from)
{
	size_t needed = list->count + from->count;

	if (from->count == 0)
		goto out;
	if (list->items == NULL) {
		/* The usual case, one feed into an empty list: no copy, so
		 * the peak does not hold the items array twice. */
		*list = *from;
		memset(from, 0, sizeof(*from));
		return;
	}
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
