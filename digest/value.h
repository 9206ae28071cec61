/*
 * value.h - a small tree of maps, lists, strings and booleans: the data a
 * template is rendered against.
 */
#ifndef DIGEST_VALUE_H
#define DIGEST_VALUE_H

#include <stddef.h>

enum value_kind {
	VALUE_NULL = 0,
	VALUE_BOOL,
	VALUE_STRING,
	VALUE_LIST,
	VALUE_MAP
};

struct value;

/* Constructors; each returns a new value owned by the caller until it is
 * placed in a list or map (value_free() otherwise). */
struct value *value_new_null(void);
struct value *value_new_bool(int truth);
struct value *value_new_string(const char *text);
struct value *value_new_string_len(const char *text, size_t length);
struct value *value_new_list(void);
struct value *value_new_map(void);

/* Takes ownership of item. */
void value_list_append(struct value *list, struct value *item);
/* Takes ownership of item; replaces an earlier value for the same key. */
void value_map_set(struct value *map, const char *key, struct value *item);
/*
 * Removes key from map and returns its value, now owned by the caller
 * (value_free()), or NULL when the key is absent.  Lets a caller lend a
 * subtree to a map for one render and take it back.
 */
struct value *value_map_take(struct value *map, const char *key);
/* Shorthands for value_map_set() with a new string or boolean. */
void value_map_set_string(struct value *map, const char *key, const char *text);
void value_map_set_bool(struct value *map, const char *key, int truth);

enum value_kind value_kind(const struct value *value);
int value_bool(const struct value *value);	     /* VALUE_BOOL */
const char *value_string(const struct value *value); /* VALUE_STRING */
size_t value_list_count(const struct value *value);  /* VALUE_LIST */
const struct value *value_list_get(const struct value *value, size_t index);
/* Returns the map's value for key, or NULL when the key is absent. */
const struct value *value_map_get(const struct value *value, const char *key);

/* The byte length of a VALUE_STRING (it may hold NUL bytes); 0 otherwise. */
size_t value_string_length(const struct value *value);
/* A map's entries in insertion order: the count, then the key at an index
 * (NULL when out of range or not a map). */
size_t value_map_count(const struct value *value);
const char *value_map_key_at(const struct value *value, size_t index);

/* Frees value and everything it holds; NULL is allowed. */
void value_free(struct value *value);

#endif
