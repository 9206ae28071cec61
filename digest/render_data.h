/*
 * render_data.h - the value tree a digest is rendered against, and the
 * cache of its items part.  Private to the renderer (render.c): render.h is
 * the module's contract; templates/README.md documents the tree's keys.
 */
#ifndef DIGEST_RENDER_DATA_H
#define DIGEST_RENDER_DATA_H

#include <time.h>

#include "feed.h"
#include "render.h"
#include "value.h"
#include "words.h"

struct render_data_key;

/*
 * The items part of the data tree depends only on the items, the language,
 * the clock and the zone: every subscriber of one language shares it, so it
 * is built once and lent to each render (render once per variant).  The key
 * is a copy of the items' contents, not the list's address: a caller may
 * refill the same list, or get a new one at a freed one's address.  A
 * zeroed struct is an empty cache.
 */
struct render_data_cache {
	struct render_data_key *keys;
	size_t count;
	const struct words_language *lang;
	time_t now;
	char *timezone;
	struct value *list; /* NULL: nothing cached */
};

/*
 * Returns the items list for a render of items in lang, from cache when it
 * still matches, else built anew into it.  The cache keeps the list: the
 * caller lends it to the tree of render_data_tree() and takes it back out
 * (value_map_take(tree, "items")) before freeing the tree.
 */
struct value *render_data_items(struct render_data_cache *cache,
				const struct render_context *context,
				const struct item_list *items,
				const struct words_language *lang);

/*
 * Returns the whole data tree for context and items in lang (value_free()),
 * with list (from render_data_items()) lent to it as "items".
 */
struct value *render_data_tree(const struct render_context *context,
			       const struct item_list *items,
			       const struct words_language *lang,
			       struct value *list);

/*
 * The greeting for recipient_name in lang as the tree holds it: plain, or
 * wrapped for the text part.  Returns a new string (free()).
 */
char *render_data_greeting(const struct words_language *lang,
			   const char *recipient_name, int wrapped);

/* Frees what cache holds and leaves it empty. */
void render_data_cache_clear(struct render_data_cache *cache);

#endif
