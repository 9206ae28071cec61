/*
 * template.c - a mustache template engine: the spec's core modules
 * (interpolation, sections, inverted sections, comments, partials and set
 * delimiters), without lambdas.
 *
 * A template is parsed once into a flat array of nodes.  A section node
 * records where its children end, so rendering walks the array and never
 * looks at the source again: the cost of a render is the size of its
 * output plus one name lookup per tag.
 *
 * Parsing runs in three passes over the source: cut it into tokens (text
 * and tags, following set-delimiter tags as they come), mark the
 * "standalone" tags that own their whole line, then build the nodes while
 * checking that sections nest.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "util.h"
#include "value.h"

/* Beyond these depths a render stops: a partial that includes itself
 * unconditionally would otherwise recurse until the stack runs out. */
#define TEMPLATE_MAX_PARTIAL_DEPTH 64
#define TEMPLATE_MAX_DEPTH 512
/* Partials are small files; refuse anything that is clearly not one. */
#define TEMPLATE_MAX_PARTIAL_SIZE (1024 * 1024)

enum token_kind {
	TOKEN_TEXT,
	TOKEN_VARIABLE,
	TOKEN_RAW,
	TOKEN_SECTION,
	TOKEN_INVERTED,
	TOKEN_CLOSE,
	TOKEN_COMMENT,
	TOKEN_PARTIAL,
	TOKEN_DELIMITER
};

/*
 * One piece of the source.  For text, [start, end) is the text and
 * [keep_start, keep_end) what is left after standalone tags next to it took
 * their line.  For a tag, [start, end) is its trimmed name.
 */
struct token {
	enum token_kind kind;
	size_t start;
	size_t end;
	size_t keep_start;
	size_t keep_end;
	size_t line;
	/* A standalone partial's indentation, a span of the source. */
	size_t indent_start;
	size_t indent_length;
};

enum node_kind {
	NODE_TEXT,
	NODE_VARIABLE,
	NODE_RAW,
	NODE_SECTION,
	NODE_INVERTED,
	NODE_PARTIAL
};

/*
 * One step of a render.  TEXT: offset/length into template->text.
 * VARIABLE, RAW, SECTION, INVERTED: offset into template->names, where the
 * dotted name is stored as its parts, each NUL-terminated, and length is
 * the number of parts (0 for the implicit iterator ".").  PARTIAL: offset of
 * the NUL-terminated name in template->names, and the indentation as a
 * span of template->text.  SECTION, INVERTED: end is the index of the first
 * node after the section's children.
 */
struct node {
	enum node_kind kind;
	size_t line;
	size_t offset;
	size_t length;
	size_t end;
	size_t indent_offset;
	size_t indent_length;
};

struct template
{
	char *text;
	size_t size;
	char *origin;
	struct node *nodes;
	size_t node_count;
	char *names;
};

struct parser {
	const char *text;
	size_t size;
	const char *origin;
	struct token *tokens;
	size_t token_count;
	size_t token_capacity;
	/* The current delimiters point into the source (or at the defaults);
	 * the two closing needles for {{{name}}} and {{=a b=}} are built from
	 * the closing delimiter. */
	const char *open;
	size_t open_length;
	const char *close;
	size_t close_length;
	struct buf brace_close;
	struct buf equals_close;
	/* Newlines counted up to line_position, for line numbers. */
	size_t line;
	size_t line_position;
	char *errstr;
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

static void parser_error(struct parser *parser, size_t line, const char *format,
			 ...) __attribute__((format(printf, 3, 4)));

static void
parser_error(struct parser *parser, size_t line, const char *format, ...)
{
	va_list args;
	char *message;

	va_start(args, format);
	message = xvasprintf(format, args);
	va_end(args);
	free(parser->errstr);
	parser->errstr = xasprintf("%s:%zu: %s", parser->origin, line, message);
	free(message);
}

/* Returns the line number of position; positions only move forward. */
static size_t
parser_line_at(struct parser *parser, size_t position)
{
	const char *cursor = parser->text + parser->line_position;
	const char *limit = parser->text + position;

	while (cursor < limit) {
		const char *newline = memchr(cursor, '\n', limit - cursor);

		if (newline == NULL)
			break;
		parser->line++;
		cursor = newline + 1;
	}
	parser->line_position = position;
	return parser->line;
}

static void
parser_set_delimiters(struct parser *parser, const char *open,
		      size_t open_length, const char *close,
		      size_t close_length)
{
	parser->open = open;
	parser->open_length = open_length;
	parser->close = close;
	parser->close_length = close_length;
	buf_reset(&parser->brace_close);
	buf_putc(&parser->brace_close, '}');
	buf_append(&parser->brace_close, close, close_length);
	buf_reset(&parser->equals_close);
	buf_putc(&parser->equals_close, '=');
	buf_append(&parser->equals_close, close, close_length);
}

static struct token *
parser_add(struct parser *parser, enum token_kind kind, size_t start,
	   size_t end, size_t line)
{
	struct token *token;

	if (parser->token_count == parser->token_capacity) {
		size_t capacity =
		    parser->token_capacity ? parser->token_capacity * 2 : 32;

		parser->tokens = xreallocarray(parser->tokens, capacity,
					       sizeof(*parser->tokens));
		parser->token_capacity = capacity;
	}
	token = &parser->tokens[parser->token_count++];
	memset(token, 0, sizeof(*token));
	token->kind = kind;
	token->start = start;
	token->end = end;
	token->keep_start = start;
	token->keep_end = end;
	token->line = line;
	return token;
}

/*
 * Finds needle at or after from; returns its position or size when absent.
 * Delimiters are a few bytes, so a memchr() for the first byte and a
 * compare beats memmem(), whose sanitizer interceptor checks the whole
 * rest of the text on every call and made sanitized parses quadratic.
 */
static size_t
parser_find(const struct parser *parser, size_t from, const char *needle,
	    size_t needle_length)
{
	const char *text = parser->text;
	size_t size = parser->size;

	while (from < size && size - from >= needle_length) {
		const char *found = memchr(text + from, needle[0],
					   size - from - needle_length + 1);

		if (found == NULL)
			break;
		from = (size_t)(found - text);
		if (memcmp(found, needle, needle_length) == 0)
			return from;
		from++;
	}
	return size;
}

/*
 * Checks a tag name, [*start, *end) trimmed in place.  Names hold no
 * whitespace and no NUL: such a "name" almost always means a tag that was
 * not closed where its author thought.
 */
static int
parser_check_name(struct parser *parser, size_t line, size_t *start,
		  size_t *end)
{
	size_t position;

	while (*start < *end && is_space(parser->text[*start]))
		(*start)++;
	while (*end > *start && is_space(parser->text[*end - 1]))
		(*end)--;
	if (*start == *end) {
		parser_error(parser, line, "empty tag name");
		return -1;
	}
	for (position = *start; position < *end; position++) {
		char c = parser->text[position];

		if (is_space(c) || c == '\0') {
			parser_error(parser, line, "bad tag name '%.*s'",
				     (int)(*end - *start),
				     parser->text + *start);
			return -1;
		}
	}
	return 0;
}

/* Applies a set-delimiter tag whose content is [start, end). */
static int
parser_delimiters(struct parser *parser, size_t line, size_t start, size_t end)
{
	size_t open_start;
	size_t open_end;
	size_t close_start;
	size_t position;

	while (start < end && is_space(parser->text[start]))
		start++;
	while (end > start && is_space(parser->text[end - 1]))
		end--;
	open_start = start;
	open_end = open_start;
	while (open_end < end && !is_space(parser->text[open_end]))
		open_end++;
	close_start = open_end;
	while (close_start < end && is_space(parser->text[close_start]))
		close_start++;
	if (open_end == open_start || close_start == end)
		goto bad;
	for (position = open_start; position < end; position++) {
		char c = parser->text[position];

		if (c == '=' || c == '\0' ||
		    (position >= close_start && is_space(c)))
			goto bad;
	}
	parser_set_delimiters(parser, parser->text + open_start,
			      open_end - open_start, parser->text + close_start,
			      end - close_start);
	return 0;
bad:
	parser_error(parser, line,
		     "bad set-delimiter tag: want two delimiters such as "
		     "{{=<%% %%>=}}");
	return -1;
}

/* Pass one: cuts the source into text and tag tokens. */
static int
parser_tokenize(struct parser *parser)
{
	size_t position = 0;

	while (position < parser->size) {
		size_t tag_start;
		size_t cursor;
		size_t close_at;
		size_t name_start;
		size_t name_end;
		size_t line;
		size_t after;
		enum token_kind kind;

		tag_start = parser_find(parser, position, parser->open,
					parser->open_length);
		if (tag_start > position)
			parser_add(parser, TOKEN_TEXT, position, tag_start,
				   parser_line_at(parser, position));
		if (tag_start == parser->size)
			break;
		line = parser_line_at(parser, tag_start);
		cursor = tag_start + parser->open_length;
		while (cursor < parser->size && is_space(parser->text[cursor]))
			cursor++;
		kind = TOKEN_VARIABLE;
		if (cursor < parser->size) {
			switch (parser->text[cursor]) {
			case '#':
				kind = TOKEN_SECTION;
				break;
			case '^':
				kind = TOKEN_INVERTED;
				break;
			case '/':
				kind = TOKEN_CLOSE;
				break;
			case '!':
				kind = TOKEN_COMMENT;
				break;
			case '>':
				kind = TOKEN_PARTIAL;
				break;
			case '&':
			case '{':
				kind = TOKEN_RAW;
				break;
			case '=':
				kind = TOKEN_DELIMITER;
				break;
			default:
				break;
			}
			if (kind != TOKEN_VARIABLE)
				cursor++;
		}
		name_start = cursor;
		if (kind == TOKEN_RAW && parser->text[cursor - 1] == '{') {
			close_at = parser_find(parser, cursor,
					       parser->brace_close.data,
					       parser->brace_close.length);
			after = close_at + parser->brace_close.length;
		} else if (kind == TOKEN_DELIMITER) {
			close_at = parser_find(parser, cursor,
					       parser->equals_close.data,
					       parser->equals_close.length);
			after = close_at + parser->equals_close.length;
		} else {
			close_at = parser_find(parser, cursor, parser->close,
					       parser->close_length);
			after = close_at + parser->close_length;
		}
		if (close_at == parser->size) {
			parser_error(parser, line, "unclosed tag");
			return -1;
		}
		name_end = close_at;
		if (kind == TOKEN_DELIMITER) {
			if (parser_delimiters(parser, line, name_start,
					      name_end) != 0)
				return -1;
		} else if (kind != TOKEN_COMMENT) {
			if (parser_check_name(parser, line, &name_start,
					      &name_end) != 0)
				return -1;
		}
		parser_add(parser, kind, name_start, name_end, line);
		position = after;
	}
	return 0;
}

static int
token_may_stand_alone(enum token_kind kind)
{
	return kind == TOKEN_SECTION || kind == TOKEN_INVERTED ||
	       kind == TOKEN_CLOSE || kind == TOKEN_COMMENT ||
	       kind == TOKEN_PARTIAL || kind == TOKEN_DELIMITER;
}

/*
 * Pass two: a section, inverted, close, comment, partial or set-delimiter
 * tag alone on its line (only blanks besides it) takes the whole line with
 * it, newline included.  The checks look at the original text spans; the
 * cuts they cause never overlap, because a cut before a tag ends at the
 * last newline of the text before it and a cut after a tag ends at the
 * first newline of the text after it.
 */
static void
parser_mark_standalone(struct parser *parser)
{
	const char *text = parser->text;
	size_t index;

	for (index = 0; index < parser->token_count; index++) {
		struct token *tag = &parser->tokens[index];
		struct token *before = NULL;
		struct token *after = NULL;
		size_t line_start;
		size_t cursor;
		size_t cut_to;

		if (!token_may_stand_alone(tag->kind))
			continue;
		/* The line must start with blanks, at a newline or at the
		 * start of the template. */
		if (index > 0) {
			before = &parser->tokens[index - 1];
			if (before->kind != TOKEN_TEXT)
				continue;
			line_start = before->end;
			while (line_start > before->start &&
			       text[line_start - 1] != '\n')
				line_start--;
			if (line_start == before->start && index > 1)
				continue;
			for (cursor = line_start; cursor < before->end;
			     cursor++) {
				if (!is_blank(text[cursor]))
					break;
			}
			if (cursor < before->end)
				continue;
		} else {
			line_start = 0;
		}
		/* And end with blanks, then a newline or the end. */
		if (index + 1 < parser->token_count) {
			after = &parser->tokens[index + 1];
			if (after->kind != TOKEN_TEXT)
				continue;
			cursor = after->start;
			while (cursor < after->end && is_blank(text[cursor]))
				cursor++;
			if (cursor < after->end && text[cursor] == '\r' &&
			    cursor + 1 < after->end && text[cursor + 1] == '\n')
				cursor++;
			if (cursor < after->end && text[cursor] == '\n')
				cut_to = cursor + 1;
			else if (cursor == after->end &&
				 index + 2 == parser->token_count)
				cut_to = cursor;
			else
				continue;
			after->keep_start = cut_to;
		}
		if (before != NULL) {
			before->keep_end = line_start;
			tag->indent_start = line_start;
			tag->indent_length = before->end - line_start;
		}
	}
}

static size_t
template_add_node(struct template *template, size_t *capacity,
		  enum node_kind kind, size_t line)
{
	struct node *node;

	if (template->node_count == *capacity) {
		*capacity = *capacity ? *capacity * 2 : 16;
		template->nodes = xreallocarray(template->nodes, *capacity,
						sizeof(*template->nodes));
	}
	node = &template->nodes[template->node_count];
	memset(node, 0, sizeof(*node));
	node->kind = kind;
	node->line = line;
	return template->node_count++;
}

/* Stores a dotted name as its NUL-terminated parts; returns the count. */
static size_t
names_add_dotted(struct buf *names, const char *name, size_t length)
{
	size_t parts = 1;
	size_t index;

	if (length == 1 && name[0] == '.')
		return 0;
	for (index = 0; index < length; index++) {
		if (name[index] == '.') {
			buf_putc(names, '\0');
			parts++;
		} else {
			buf_putc(names, name[index]);
		}
	}
	buf_putc(names, '\0');
	return parts;
}

/* Pass three: builds the nodes and checks that sections nest. */
static int
parser_build(struct parser *parser, struct template *template)
{
	struct buf names = BUF_INIT;
	size_t *open_tokens = NULL;
	size_t *open_nodes = NULL;
	size_t open_count = 0;
	size_t open_capacity = 0;
	size_t node_capacity = 0;
	size_t index;
	int result = -1;

	for (index = 0; index < parser->token_count; index++) {
		const struct token *token = &parser->tokens[index];
		const char *name = parser->text + token->start;
		size_t name_length = token->end - token->start;
		struct node *node;
		size_t node_index;

		switch (token->kind) {
		case TOKEN_TEXT:
			if (token->keep_end <= token->keep_start)
				break;
			node_index = template_add_node(template, &node_capacity,
						       NODE_TEXT, token->line);
			node = &template->nodes[node_index];
			node->offset = token->keep_start;
			node->length = token->keep_end - token->keep_start;
			break;
		case TOKEN_VARIABLE:
		case TOKEN_RAW:
		case TOKEN_SECTION:
		case TOKEN_INVERTED:
			node_index = template_add_node(
			    template, &node_capacity,
			    token->kind == TOKEN_VARIABLE  ? NODE_VARIABLE
			    : token->kind == TOKEN_RAW	   ? NODE_RAW
			    : token->kind == TOKEN_SECTION ? NODE_SECTION
							   : NODE_INVERTED,
			    token->line);
			node = &template->nodes[node_index];
			node->offset = names.length;
			node->length =
			    names_add_dotted(&names, name, name_length);
			if (token->kind != TOKEN_SECTION &&
			    token->kind != TOKEN_INVERTED)
				break;
			if (open_count == open_capacity) {
				open_capacity =
				    open_capacity ? open_capacity * 2 : 16;
				open_tokens = xreallocarray(
				    open_tokens, open_capacity, sizeof(size_t));
				open_nodes = xreallocarray(
				    open_nodes, open_capacity, sizeof(size_t));
			}
			open_tokens[open_count] = index;
			open_nodes[open_count] = node_index;
			open_count++;
			break;
		case TOKEN_CLOSE: {
			const struct token *opener;

			if (open_count == 0) {
				parser_error(parser, token->line,
					     "unexpected close '%.*s'",
					     (int)name_length, name);
				goto out;
			}
			opener = &parser->tokens[open_tokens[open_count - 1]];
			if (opener->end - opener->start != name_length ||
			    memcmp(parser->text + opener->start, name,
				   name_length) != 0) {
				parser_error(parser, token->line,
					     "mismatched close '%.*s', "
					     "expected '%.*s'",
					     (int)name_length, name,
					     (int)(opener->end - opener->start),
					     parser->text + opener->start);
				goto out;
			}
			open_count--;
			template->nodes[open_nodes[open_count]].end =
			    template->node_count;
			break;
		}
		case TOKEN_PARTIAL:
			node_index =
			    template_add_node(template, &node_capacity,
					      NODE_PARTIAL, token->line);
			node = &template->nodes[node_index];
			node->offset = names.length;
			node->length = name_length;
			buf_append(&names, name, name_length);
			buf_putc(&names, '\0');
			node->indent_offset = token->indent_start;
			node->indent_length = token->indent_length;
			break;
		case TOKEN_COMMENT:
		case TOKEN_DELIMITER:
			break;
		}
	}
	if (open_count > 0) {
		const struct token *opener =
		    &parser->tokens[open_tokens[open_count - 1]];

		parser_error(parser, opener->line, "unclosed section '%.*s'",
			     (int)(opener->end - opener->start),
			     parser->text + opener->start);
		goto out;
	}
	result = 0;
out:
	template->names = buf_detach(&names);
	free(open_tokens);
	free(open_nodes);
	return result;
}

enum template_status
template_parse(const char *text, size_t size, const char *origin,
	       struct template **template_out, char **errstr_out)
{
	struct parser parser;
	struct template *template = NULL;
	enum template_status status = TEMPLATE_ESYNTAX;

	*template_out = NULL;
	if (errstr_out != NULL)
		*errstr_out = NULL;
	if (origin == NULL)
		origin = "template";
	template = xcalloc(1, sizeof(*template));
	/* The nodes point into a private copy of the source. */
	template->text = xmalloc(size + 1);
	if (size > 0)
		memcpy(template->text, text, size);
	template->text[size] = '\0';
	template->size = size;
	template->origin = xstrdup(origin);

	memset(&parser, 0, sizeof(parser));
	parser.text = template->text;
	parser.size = size;
	parser.origin = origin;
	parser.line = 1;
	parser_set_delimiters(&parser, "{{", 2, "}}", 2);
	if (parser_tokenize(&parser) != 0)
		goto out;
	parser_mark_standalone(&parser);
	if (parser_build(&parser, template) != 0)
		goto out;
	status = TEMPLATE_OK;
	*template_out = template;
	template = NULL;
out:
	if (errstr_out != NULL) {
		*errstr_out = parser.errstr;
		parser.errstr = NULL;
	}
	free(parser.errstr);
	free(parser.tokens);
	buf_free(&parser.brace_close);
	buf_free(&parser.equals_close);
	template_free(template);
	return status;
}

void
template_free(struct template *template)
{
	if (template == NULL)
		return;
	free(template->text);
	free(template->origin);
	free(template->nodes);
	free(template->names);
	free(template);
}

/* A partial parsed during one render, by name and indentation. */
struct partial_entry {
	char *name;
	char *indent;
	struct template *template;
};

struct render {
	enum template_escape escape;
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

static void
append_html_escaped(struct buf *out, const char *text, size_t length)
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
		append_html_escaped(render->out, text, length);
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

/* Returns the partial for a node from the render's cache, loading and
 * parsing it on first use; NULL on error (render->errstr set). */
static const struct template *
render_load_partial(struct render *render, const struct template *template,
		    const struct node *node)
{
	const char *name = template->names + node->offset;
	char *indent =
	    xstrndup(template->text + node->indent_offset, node->indent_length);
	char *text = NULL;
	char *origin = NULL;
	char *parse_error = NULL;
	struct template *partial = NULL;
	struct partial_entry *entry;
	size_t index;

	for (index = 0; index < render->partial_count; index++) {
		entry = &render->partials[index];
		if (strcmp(entry->name, name) == 0 &&
		    strcmp(entry->indent, indent) == 0) {
			partial = entry->template;
			goto out;
		}
	}
	if (render->partial_fn == NULL ||
	    render->partial_fn(render->partial_context, name, &text, &origin) !=
		0) {
		render_error(render, TEMPLATE_EPARTIAL, template, node,
			     "partial '%s' not found", name);
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
	entry->template = partial;
	indent = NULL;
out:
	free(indent);
	free(text);
	free(origin);
	free(parse_error);
	return partial;
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
	partial = render_load_partial(render, template, node);
	if (partial == NULL)
		return -1;
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
		enum template_escape escape, template_partial_fn partial_fn,
		void *partial_context, struct buf *out, char **errstr_out)
{
	struct render render;
	size_t index;

	if (errstr_out != NULL)
		*errstr_out = NULL;
	memset(&render, 0, sizeof(render));
	render.escape = escape;
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
