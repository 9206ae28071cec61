/*
 * value.c - the tree of maps, lists, strings and booleans that templates are
 * rendered against.
 *
 * Maps keep their keys in insertion order and are searched linearly: the
 * maps a digest builds hold a dozen keys at most, where a scan of a small
 * array beats hashing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "value.h"

struct value_entry {
	char *key;
	struct value *item;
};

struct value {
	enum value_kind kind;
	union {
		int truth;
		struct {
			char *text;
			size_t length;
		} string;
		struct {
			struct value **items;
			size_t count;
			size_t capacity;
		} list;
		struct {
			struct value_entry *entries;
			size_t count;
			size_t capacity;
		} map;
	} as;
};

/* Using a list as a map (or the like) is a bug in the caller, not bad
 * input: stop loudly rather than corrupt the tree. */
static void
value_misuse(const char *what)
{
	fprintf(stderr, "digest: internal error: value: %s\n", what);
	abort();
}

static struct value *
value_new(enum value_kind kind)
{
	struct value *value = xcalloc(1, sizeof(*value));

	value->kind = kind;
	return value;
}

struct value *
value_new_null(void)
{
	return value_new(VALUE_NULL);
}

struct value *
value_new_bool(int truth)
{
	struct value *value = value_new(VALUE_BOOL);

	value->as.truth = truth != 0;
	return value;
}

struct value *
value_new_string(const char *text)
{
	return value_new_string_len(text, strlen(text));
}

struct value *
value_new_string_len(const char *text, size_t length)
{
	struct value *value = value_new(VALUE_STRING);

	/* Copied by length, not with xstrndup(): the bytes may hold a NUL. */
	value->as.string.text = xmalloc(length + 1);
	memcpy(value->as.string.text, text, length);
	value->as.string.text[length] = '\0';
	value->as.string.length = length;
	return value;
}

struct value *
value_new_list(void)
{
	return value_new(VALUE_LIST);
}

struct value *
value_new_map(void)
{
	return value_new(VALUE_MAP);
}

void
value_list_append(struct value *list, struct value *item)
{
	if (list == NULL || list->kind != VALUE_LIST)
		value_misuse("append to a non-list");
	if (item == NULL)
		item = value_new_null();
	if (list->as.list.count == list->as.list.capacity) {
		size_t capacity =
		    list->as.list.capacity ? list->as.list.capacity * 2 : 4;

		list->as.list.items = xreallocarray(
		    list->as.list.items, capacity, sizeof(struct value *));
		list->as.list.capacity = capacity;
	}
	list->as.list.items[list->as.list.count++] = item;
}

static struct value_entry *
value_map_find(const struct value *map, const char *key)
{
	size_t index;

	for (index = 0; index < map->as.map.count; index++) {
		if (strcmp(map->as.map.entries[index].key, key) == 0)
			return &map->as.map.entries[index];
	}
	return NULL;
}

void
value_map_set(struct value *map, const char *key, struct value *item)
{
	struct value_entry *entry;

	if (map == NULL || map->kind != VALUE_MAP)
		value_misuse("set on a non-map");
	if (item == NULL)
		item = value_new_null();
	entry = value_map_find(map, key);
	if (entry != NULL) {
		value_free(entry->item);
		entry->item = item;
		return;
	}
	if (map->as.map.count == map->as.map.capacity) {
		size_t capacity =
		    map->as.map.capacity ? map->as.map.capacity * 2 : 8;

		map->as.map.entries = xreallocarray(map->as.map.entries,
						    capacity, sizeof(*entry));
		map->as.map.capacity = capacity;
	}
	entry = &map->as.map.entries[map->as.map.count++];
	entry->key = xstrdup(key);
	entry->item = item;
}

struct value *
value_map_take(struct value *map, const char *key)
{
	struct value_entry *entry;
	struct value *item;
	size_t index;

	if (map == NULL || map->kind != VALUE_MAP)
		value_misuse("take on a non-map");
	entry = value_map_find(map, key);
	if (entry == NULL)
		return NULL;
	item = entry->item;
	free(entry->key);
	/* Keep insertion order for the keys that remain. */
	index = (size_t)(entry - map->as.map.entries);
	memmove(entry, entry + 1,
		(map->as.map.count - index - 1) * sizeof *entry);
	map->as.map.count--;
	return item;
}

void
value_map_set_string(struct value *map, const char *key, const char *text)
{
	value_map_set(map, key, value_new_string(text));
}

void
value_map_set_bool(struct value *map, const char *key, int truth)
{
	value_map_set(map, key, value_new_bool(truth));
}

enum value_kind
value_kind(const struct value *value)
{
	return value == NULL ? VALUE_NULL : value->kind;
}

int
value_bool(const struct value *value)
{
	return value != NULL && value->kind == VALUE_BOOL && value->as.truth;
}

const char *
value_string(const struct value *value)
{
	if (value == NULL || value->kind != VALUE_STRING)
		return NULL;
	return value->as.string.text;
}

size_t
value_string_length(const struct value *value)
{
	if (value == NULL || value->kind != VALUE_STRING)
		return 0;
	return value->as.string.length;
}

size_t
value_list_count(const struct value *value)
{
	if (value == NULL || value->kind != VALUE_LIST)
		return 0;
	return value->as.list.count;
}

const struct value *
value_list_get(const struct value *value, size_t index)
{
	if (value == NULL || value->kind != VALUE_LIST ||
	    index >= value->as.list.count)
		return NULL;
	return value->as.list.items[index];
}

const struct value *
value_map_get(const struct value *value, const char *key)
{
	const struct value_entry *entry;

	if (value == NULL || value->kind != VALUE_MAP)
		return NULL;
	entry = value_map_find(value, key);
	return entry == NULL ? NULL : entry->item;
}

size_t
value_map_count(const struct value *value)
{
	if (value == NULL || value->kind != VALUE_MAP)
		return 0;
	return value->as.map.count;
}

const char *
value_map_key_at(const struct value *value, size_t index)
{
	if (value == NULL || value->kind != VALUE_MAP ||
	    index >= value->as.map.count)
		return NULL;
	return value->as.map.entries[index].key;
}

void
value_free(struct value *value)
{
	size_t index;

	if (value == NULL)
		return;
	switch (value->kind) {
	case VALUE_STRING:
		free(value->as.string.text);
		break;
	case VALUE_LIST:
		for (index = 0; index < value->as.list.count; index++)
			value_free(value->as.list.items[index]);
		free(value->as.list.items);
		break;
	case VALUE_MAP:
		for (index = 0; index < value->as.map.count; index++) {
			free(value->as.map.entries[index].key);
			value_free(value->as.map.entries[index].item);
		}
		free(value->as.map.entries);
		break;
	case VALUE_NULL:
	case VALUE_BOOL:
		break;
	}
	free(value);
}
