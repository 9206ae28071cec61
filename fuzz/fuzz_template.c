/*
 * fuzz_template - parses the input as a mustache template and renders it
 * against a small fixed tree, with every partial name answered by a small
 * fixed template except "missing", which does not exist: once HTML-escaped
 * with missing partials empty, once plain with them an error.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "util.h"
#include "value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct value *tree;

static struct value *
make_item(const char *title, int flag)
{
	struct value *item = value_new_map();
	struct value *tags = value_new_list();

	value_map_set_string(item, "title", title);
	value_map_set_bool(item, "flag", flag);
	value_list_append(tags, value_new_string("x&y"));
	value_map_set(item, "tags", tags);
	return item;
}

static void
make_tree(void)
{
	struct value *items = value_new_list();
	struct value *nested = value_new_map();
	struct value *inner = value_new_map();

	tree = value_new_map();
	value_map_set_string(tree, "name", "<Wereld & \"Nieuws\">");
	value_map_set_string(tree, "empty", "");
	value_map_set_bool(tree, "yes", 1);
	value_map_set_bool(tree, "no", 0);
	value_map_set(tree, "nothing", value_new_null());
	value_list_append(items, make_item("one", 1));
	value_list_append(items, make_item("two'", 0));
	value_map_set(tree, "items", items);
	value_map_set(tree, "none", value_new_list());
	value_map_set_string(inner, "c", "deep");
	value_map_set(nested, "b", inner);
	value_map_set(tree, "a", nested);
}

/* Any name is a partial; it uses a section and the context but includes no
 * partial itself, so renders stay small. */
static int
fixed_partial(void *context, const char *name, char **text_out,
	      char **origin_out)
{
	(void)context;
	if (strcmp(name, "missing") == 0)
		return -1;
	*text_out =
	    xstrdup("[{{name}}\n  {{#items}}\n  {{title}}{{/items}}]\n");
	*origin_out = xasprintf("%s.mustache", name);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct template *template = NULL;
	struct buf out = BUF_INIT;
	char *errstr = NULL;
	size_t sections = 0;
	size_t index;

	if (tree == NULL)
		make_tree();
	if (template_parse((const char *)data, size, "fuzz", &template,
			   &errstr) != TEMPLATE_OK) {
		free(errstr);
		return 0;
	}
	/* Every section needs a '#'; nested sections over a two-item list
	 * double the output, so cap them to keep each run quick. */
	for (index = 0; index < size; index++)
		sections += data[index] == '#';
	if (sections <= 10) {
		template_render(template, tree, TEMPLATE_ESCAPE_HTML,
				TEMPLATE_MISSING_EMPTY, fixed_partial, NULL,
				&out, &errstr);
		free(errstr);
		errstr = NULL;
		buf_reset(&out);
		template_render(template, tree, TEMPLATE_ESCAPE_NONE,
				TEMPLATE_MISSING_ERROR, fixed_partial, NULL,
				&out, &errstr);
		free(errstr);
	}
	buf_free(&out);
	template_free(template);
	return 0;
}
