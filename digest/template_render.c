/*
 * template_render.c - the mustache engine's renderer: walks a parsed
 * template's nodes against a value tree (interpolation with HTML escaping,
 * sections, inverted sections, partials), without lambdas.
 *
 * Partials are fetched through the caller's partial_fn and parsed once per
 * render, keyed by name and indentation.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "template_impl.h"
#include "util.h"
#include "value.h"

/* Beyond these depths a render stops: a partial that includes itself
 * unconditionally would otherwise recurse until the stack runs out. */
#define TEMPLATE_MAX_PARTIAL_DEPTH 64
#define TEMPLATE_MAX_DEPTH 512
/* Partials are small files; refuse anything that is clearly not one. */
#define TEMPLATE_MAX_PARTIAL_SIZE (1024 * 1024)

/* A partial parsed during one render, by name and indentation; template
 * is NULL for a partial that does not exist. */
struct partial_entry {
	char *name;
	char *indent;
	size_t indent_length;
	struct template *template;
};

struct render {
	enum template_escape escape;
	enum template_missing missing;
	template_partial_fn partial_fn;
	void *partial_context;
	struct buf *out;
	const struct value **stack;
	size_t stack_count;
	size_t stack_capacity;
	struct partial_entry *partials;
	size_t partial_count;
	size_t partial_capacity;
	size_t depth;
	size_t partial_depth;
	enum template_status status;
	char *errstr;
};

static void render_error(struct render *render, enum template_status status,
			 const struct template *template,
			 const struct node *node, const char *format, ...)
    __attribute__((format(printf, 5, 6)));

static void
render_error(struct render *render, enum template_status status,
	     const struct template *template, const struct node *node,
	     const char *format, ...)
{
	va_list args;
	char *message;

	va_start(args, format);
	message = xvasprintf(format, args);
	va_end(args);
	free(render->errstr);
	render->errstr =
	    xasprintf("%s:%zu: %s", template->origin, node->line, message);
	/* A name may hold a line break; the message must not. */
	util_one_line(render->errstr);
	render->status = status;
	free(message);
}

static void
render_push(struct render *render, const struct value *value)
{
	if (render->stack_count == render->stack_capacity) {
		render->stack_capacity =
		    render->stack_capacity ? render->stack_capacity * 2 : 16;
		render->stack =
		    xreallocarray(render->stack, render->stack_capacity,
				  sizeof(*render->stack));
	}
	render->stack[render->stack_count++] = value;
}

/*
 * Resolves a node's name.  The first part of a dotted name is looked up
 * from the innermost context outwards; the remaining parts only descend
 * from what that found (the spec's "dotted names" rule), so a.b never
 * picks up a b from an outer context.  Returns NULL when missing.
 */
static const struct value *
render_lookup(const struct render *render, const struct template *template,
	      const struct node *node)
{
	const char *part = template->names + node->offset;
	const struct value *value = NULL;
	size_t index;

	if (node->length == 0)
		return render->stack[render->stack_count - 1];
	for (index = render->stack_count; index-- > 0;) {
		value = value_map_get(render->stack[index], part);
		if (value != NULL)
			break;
	}
	for (index = 1; value != NULL && index < node->length; index++) {
		part += strlen(part) + 1;
		value = value_map_get(value, part);
	}
	return value;
}

/* Whether a section renders: anything but null, false and an empty list
 * (an empty string does render, as the spec's truthiness leaves it). */
static int
is_truthy(const struct value *value)
{
	switch (value_kind(value)) {
	case VALUE_NULL:
		return 0;
	case VALUE_BOOL:
		return value_bool(value);
	case VALUE_LIST:
		return value_list_count(value) > 0;
	case VALUE_STRING:
	case VALUE_MAP:
		return 1;
	}
	return 0;
}

void
template_escape_html(struct buf *out, const char *text, size_t length)
{
	size_t run_start = 0;
	size_t index;

	buf_reserve(out, length);
	for (index = 0; index < length; index++) {
		const char *entity;

		switch (text[index]) {
		case '&':
			entity = "&amp;";
			break;
		case '<':
			entity = "&lt;";
			break;
		case '>':
			entity = "&gt;";
			break;
		case '"':
			entity = "&quot;";
			break;
		case '\'':
			entity = "&#39;";
			break;
		default:
			continue;
		}
		buf_append(out, text + run_start, index - run_start);
		buf_puts(out, entity);
		run_start = index + 1;
	}
	buf_append(out, text + run_start, length - run_start);
}

/* Strings print as they are; booleans as true/false; lists and maps have
 * no text of their own. */
static void
render_value(struct render *render, const struct value *value, int escape)
{
	const char *text;
	size_t length;

	switch (value_kind(value)) {
	case VALUE_STRING:
		text = value_string(value);
		length = value_string_length(value);
		break;
	case VALUE_BOOL:
		text = value_bool(value) ? "true" : "false";
		length = strlen(text);
		break;
	default:
		return;
	}
	if (escape && render->escape == TEMPLATE_ESCAPE_HTML)
		template_escape_html(render->out, text, length);
	else
		buf_append(render->out, text, length);
}

/*
 * Counts one more level of sections and partials for node; fails past the
 * limit, so that a hostile template cannot exhaust the C stack.  The caller
 * undoes it with render->depth-- on success.
 */
static int
render_enter(struct render *render, const struct template *template,
	     const struct node *node)
{
	if (render->depth >= TEMPLATE_MAX_DEPTH) {
		render_error(render, TEMPLATE_ESYNTAX, template, node,
			     "sections and partials nested more than %d deep",
			     TEMPLATE_MAX_DEPTH);
		return -1;
	}
	render->depth++;
	return 0;
}

static int render_nodes(struct render *render, const struct template *template,
			size_t begin, size_t end);

/* Copies a partial's text with indent put before every line: a standalone
 * partial tag indents the whole partial as the spec asks. */
static char *
indent_text(const char *text, const char *indent)
{
	struct buf indented = BUF_INIT;
	const char *line = text;

	while (*line != '\0') {
		const char *newline = strchr(line, '\n');
		size_t length =
		    newline ? (size_t)(newline - line) + 1 : strlen(line);

		buf_puts(&indented, indent);
		buf_append(&indented, line, length);
		line += length;
	}
	return buf_detach(&indented);
}

/* Remembers a partial (NULL: it does not exist) for the rest of the
 * render; takes indent. */
static void
render_keep_partial(struct render *render, const char *name, char *indent,
		    struct template *partial)
{
	struct partial_entry *entry;

	if (render->partial_count == render->partial_capacity) {
		render->partial_capacity =
		    render->partial_capacity ? render->partial_capacity * 2 : 4;
		render->partials =
		    xreallocarray(render->partials, render->partial_capacity,
				  sizeof(*render->partials));
	}
	entry = &render->partials[render->partial_count++];
	entry->name = xstrdup(name);
	entry->indent = indent;
	entry->indent_length = strlen(indent);
	entry->template = partial;
}

/* Returns the render's entry for a node's partial, or NULL when the render
 * has not met it yet.  Allocates nothing: this runs for every partial tag
 * of every list item. */
static const struct partial_entry *
render_find_partial(const struct render *render,
		    const struct template *template, const struct node *node)
{
	const char *name = template->names + node->offset;
	const char *indent = template->text + node->indent_offset;
	size_t index;

	for (index = 0; index < render->partial_count; index++) {
		const struct partial_entry *entry = &render->partials[index];

		if (entry->indent_length == node->indent_length &&
		    memcmp(entry->indent, indent, node->indent_length) == 0 &&
		    strcmp(entry->name, name) == 0)
			return entry;
	}
	return NULL;
}

/*
 * Sets *partial_out to the partial for a node from the render's cache,
 * loading and parsing it on first use, or to NULL when it does not exist
 * and may render as nothing.  Returns -1 on error (render->errstr set).
 */
static int
render_load_partial(struct render *render, const struct template *template,
		    const struct node *node,
		    const struct template **partial_out)
{
	const struct partial_entry *known =
	    render_find_partial(render, template, node);
	const char *name = template->names + node->offset;
	char *indent = NULL;
	char *text = NULL;
	char *origin = NULL;
	char *parse_error = NULL;
	struct template *partial = NULL;
	int result = -1;

	*partial_out = NULL;
	if (known != NULL) {
		*partial_out = known->template;
		return 0;
	}
	indent =
	    xstrndup(template->text + node->indent_offset, node->indent_length);
	if (render->partial_fn == NULL ||
	    render->partial_fn(render->partial_context, name, &text, &origin) !=
		0) {
		if (render->missing == TEMPLATE_MISSING_ERROR) {
			render_error(render, TEMPLATE_EPARTIAL, template, node,
				     "partial '%s' not found", name);
			goto out;
		}
		/* Remembered too, so that partial_fn is asked once. */
		render_keep_partial(render, name, indent, NULL);
		indent = NULL;
		result = 0;
		goto out;
	}
	if (node->indent_length > 0) {
		char *indented = indent_text(text, indent);

		free(text);
		text = indented;
	}
	if (template_parse(text, strlen(text), origin ? origin : name, &partial,
			   &parse_error) != TEMPLATE_OK) {
		render_error(render, TEMPLATE_EPARTIAL, template, node,
			     "in partial '%s': %s", name, parse_error);
		goto out;
	}
	render_keep_partial(render, name, indent, partial);
	indent = NULL;
	*partial_out = partial;
	result = 0;
out:
	free(indent);
	free(text);
	free(origin);
	free(parse_error);
	return result;
}

static int
render_partial(struct render *render, const struct template *template,
	       const struct node *node)
{
	const struct template *partial;
	int result;

	if (render->partial_depth >= TEMPLATE_MAX_PARTIAL_DEPTH) {
		render_error(render, TEMPLATE_EPARTIAL, template, node,
			     "partial '%s' nested more than %d deep "
			     "(recursive partial?)",
			     template->names + node->offset,
			     TEMPLATE_MAX_PARTIAL_DEPTH);
		return -1;
	}
	if (render_load_partial(render, template, node, &partial) != 0)
		return -1;
	if (partial == NULL)
		return 0;
	if (render_enter(render, template, node) != 0)
		return -1;
	render->partial_depth++;
	result = render_nodes(render, partial, 0, partial->node_count);
	render->partial_depth--;
	render->depth--;
	return result;
}

/* Renders a section's children once with value as the innermost context. */
static int
render_section_with(struct render *render, const struct template *template,
		    const struct node *node, const struct value *value)
{
	size_t index = node - template->nodes;
	int result;

	if (render_enter(render, template, node) != 0)
		return -1;
	render_push(render, value);
	result = render_nodes(render, template, index + 1, node->end);
	render->stack_count--;
	render->depth--;
	return result;
}

static int
render_section(struct render *render, const struct template *template,
	       const struct node *node)
{
	const struct value *value = render_lookup(render, template, node);
	size_t index = node - template->nodes;
	size_t count;
	size_t item;
	int result = 0;

	if (node->kind == NODE_INVERTED) {
		if (is_truthy(value))
			return 0;
		if (render_enter(render, template, node) != 0)
			return -1;
		result = render_nodes(render, template, index + 1, node->end);
		render->depth--;
		return result;
	}
	if (!is_truthy(value))
		return 0;
	if (value_kind(value) != VALUE_LIST)
		return render_section_with(render, template, node, value);
	count = value_list_count(value);
	for (item = 0; item < count && result == 0; item++)
		result = render_section_with(render, template, node,
					     value_list_get(value, item));
	return result;
}

static int
render_nodes(struct render *render, const struct template *template,
	     size_t begin, size_t end)
{
	size_t index;
	int result = 0;

	for (index = begin; index < end && result == 0; index++) {
		const struct node *node = &template->nodes[index];

		switch (node->kind) {
		case NODE_TEXT:
			buf_append(render->out, template->text + node->offset,
				   node->length);
			break;
		case NODE_VARIABLE:
		case NODE_RAW:
			render_value(render,
				     render_lookup(render, template, node),
				     node->kind == NODE_VARIABLE);
			break;
		case NODE_SECTION:
		case NODE_INVERTED:
			result = render_section(render, template, node);
			index = node->end - 1;
			break;
		case NODE_PARTIAL:
			result = render_partial(render, template, node);
			break;
		}
	}
	return result;
}

enum template_status
template_render(const struct template *template, const struct value *data,
		enum template_escape escape, enum template_missing missing,
		template_partial_fn partial_fn, void *partial_context,
		struct buf *out, char **errstr_out)
{
	struct render render;
	size_t index;

	if (errstr_out != NULL)
		*errstr_out = NULL;
	memset(&render, 0, sizeof(render));
	render.escape = escape;
	render.missing = missing;
	render.partial_fn = partial_fn;
	render.partial_context = partial_context;
	render.out = out;
	render.status = TEMPLATE_OK;
	render_push(&render, data);
	/* Make sure out is a valid (empty) string even when nothing renders. */
	buf_reserve(out, 1);
	if (render_nodes(&render, template, 0, template->node_count) != 0 &&
	    render.status == TEMPLATE_OK)
		render.status = TEMPLATE_ESYNTAX;
	for (index = 0; index < render.partial_count; index++) {
		free(render.partials[index].name);
		free(render.partials[index].indent);
		template_free(render.partials[index].template);
	}
	free(render.partials);
	free(render.stack);
	if (errstr_out != NULL)
		*errstr_out = render.errstr;
	else
		free(render.errstr);
	return render.status;
}

int
template_partial_from_dir(void *directory, const char *name, char **text_out,
			  char **origin_out)
{
	char *path = NULL;
	char *data = NULL;
	size_t size;
	int result = -1;

	*text_out = NULL;
	*origin_out = NULL;
	/* A partial name must not reach outside the directory. */
	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL)
		goto out;
	path = xasprintf("%s/%s.mustache", (const char *)directory, name);
	if (util_read_file(path, TEMPLATE_MAX_PARTIAL_SIZE, &data, &size) != 0)
		goto out;
	*text_out = data;
	*origin_out = path;
	path = NULL;
	result = 0;
out:
	free(path);
	return result;
}
