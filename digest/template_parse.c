/*
 * template_parse.c - the mustache engine's parser: turns template text into
 * the flat node array of template_impl.h, following set-delimiter tags and
 * the spec's standalone-line rules, and checks that sections nest.
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
#include "template_impl.h"
#include "util.h"

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
	/* A tag may span lines; its message must not. */
	util_one_line(parser->errstr);
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

/* The kind of tag that a sigil (the first character after the opening
 * delimiter and any blanks) starts; TOKEN_VARIABLE when it is no sigil. */
static enum token_kind
tag_kind(char sigil)
{
	switch (sigil) {
	case '#':
		return TOKEN_SECTION;
	case '^':
		return TOKEN_INVERTED;
	case '/':
		return TOKEN_CLOSE;
	case '!':
		return TOKEN_COMMENT;
	case '>':
		return TOKEN_PARTIAL;
	case '&':
	case '{':
		return TOKEN_RAW;
	case '=':
		return TOKEN_DELIMITER;
	default:
		return TOKEN_VARIABLE;
	}
}

/*
 * Reads the tag whose opening delimiter starts at tag_start, adds its token
 * and applies it when it sets delimiters.  Returns the position after the
 * tag, or 0 on error (parser error set): no tag ends at position 0.
 */
static size_t
parser_tag(struct parser *parser, size_t tag_start)
{
	size_t line = parser_line_at(parser, tag_start);
	size_t cursor = tag_start + parser->open_length;
	const struct buf *needle = NULL;
	enum token_kind kind = TOKEN_VARIABLE;
	size_t close_at;
	size_t after;
	size_t name_start;
	size_t name_end;

	while (cursor < parser->size && is_space(parser->text[cursor]))
		cursor++;
	if (cursor < parser->size) {
		kind = tag_kind(parser->text[cursor]);
		if (kind != TOKEN_VARIABLE)
			cursor++;
	}
	/* {{{name}}} ends at "}" plus the closing delimiter, {{=a b=}} at "="
	 * plus it; every other tag at the closing delimiter alone. */
	if (kind == TOKEN_RAW && parser->text[cursor - 1] == '{')
		needle = &parser->brace_close;
	else if (kind == TOKEN_DELIMITER)
		needle = &parser->equals_close;
	name_start = cursor;
	if (needle != NULL)
		close_at =
		    parser_find(parser, cursor, needle->data, needle->length);
	else
		close_at = parser_find(parser, cursor, parser->close,
				       parser->close_length);
	if (close_at == parser->size) {
		parser_error(parser, line, "unclosed tag");
		return 0;
	}
	/* Measured now: a set-delimiter tag rebuilds the needles. */
	after =
	    close_at + (needle != NULL ? needle->length : parser->close_length);
	name_end = close_at;
	if (kind == TOKEN_DELIMITER) {
		if (parser_delimiters(parser, line, name_start, name_end) != 0)
			return 0;
	} else if (kind != TOKEN_COMMENT) {
		if (parser_check_name(parser, line, &name_start, &name_end) !=
		    0)
			return 0;
	}
	parser_add(parser, kind, name_start, name_end, line);
	return after;
}

/* Pass one: cuts the source into text and tag tokens. */
static int
parser_tokenize(struct parser *parser)
{
	size_t position = 0;

	while (position < parser->size) {
		size_t tag_start = parser_find(parser, position, parser->open,
					       parser->open_length);

		if (tag_start > position)
			parser_add(parser, TOKEN_TEXT, position, tag_start,
				   parser_line_at(parser, position));
		if (tag_start == parser->size)
			break;
		position = parser_tag(parser, tag_start);
		if (position == 0)
			return -1;
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

/* The state of pass three: the template being built and the sections that
 * are open, as the indices of their tokens and of their nodes. */
struct builder {
	struct parser *parser;
	struct template *template;
	struct buf names;
	size_t node_capacity;
	size_t *open_tokens;
	size_t *open_nodes;
	size_t open_count;
	size_t open_capacity;
};

/* Text left over after the standalone cuts becomes a text node. */
static void
build_text(struct builder *builder, const struct token *token)
{
	struct node *node;
	size_t node_index;

	if (token->keep_end <= token->keep_start)
		return;
	node_index = template_add_node(
	    builder->template, &builder->node_capacity, NODE_TEXT, token->line);
	node = &builder->template->nodes[node_index];
	node->offset = token->keep_start;
	node->length = token->keep_end - token->keep_start;
}

/* A variable, raw variable, section or inverted section: a node holding a
 * dotted name.  A section stays open until its close tag. */
static void
build_named(struct builder *builder, size_t token_index)
{
	const struct token *token = &builder->parser->tokens[token_index];
	enum node_kind kind = token->kind == TOKEN_VARIABLE  ? NODE_VARIABLE
			      : token->kind == TOKEN_RAW     ? NODE_RAW
			      : token->kind == TOKEN_SECTION ? NODE_SECTION
							     : NODE_INVERTED;
	struct node *node;
	size_t node_index;

	node_index = template_add_node(
	    builder->template, &builder->node_capacity, kind, token->line);
	node = &builder->template->nodes[node_index];
	node->offset = builder->names.length;
	node->length = names_add_dotted(&builder->names,
					builder->parser->text + token->start,
					token->end - token->start);
	if (kind != NODE_SECTION && kind != NODE_INVERTED)
		return;
	if (builder->open_count == builder->open_capacity) {
		builder->open_capacity =
		    builder->open_capacity ? builder->open_capacity * 2 : 16;
		builder->open_tokens =
		    xreallocarray(builder->open_tokens, builder->open_capacity,
				  sizeof(size_t));
		builder->open_nodes =
		    xreallocarray(builder->open_nodes, builder->open_capacity,
				  sizeof(size_t));
	}
	builder->open_tokens[builder->open_count] = token_index;
	builder->open_nodes[builder->open_count] = node_index;
	builder->open_count++;
}

/* A close tag must name the innermost open section; it records where that
 * section's children end.  Returns -1 (parser error set) when it does not. */
static int
build_close(struct builder *builder, const struct token *token)
{
	struct parser *parser = builder->parser;
	const char *name = parser->text + token->start;
	size_t name_length = token->end - token->start;
	const struct token *opener;

	if (builder->open_count == 0) {
		parser_error(parser, token->line, "unexpected close '%.*s'",
			     (int)name_length, name);
		return -1;
	}
	opener = &parser->tokens[builder->open_tokens[builder->open_count - 1]];
	if (opener->end - opener->start != name_length ||
	    memcmp(parser->text + opener->start, name, name_length) != 0) {
		parser_error(parser, token->line,
			     "mismatched close '%.*s', expected '%.*s'",
			     (int)name_length, name,
			     (int)(opener->end - opener->start),
			     parser->text + opener->start);
		return -1;
	}
	builder->open_count--;
	builder->template->nodes[builder->open_nodes[builder->open_count]].end =
	    builder->template->node_count;
	return 0;
}

/* A partial keeps its name whole (dots and all) and its indentation. */
static void
build_partial(struct builder *builder, const struct token *token)
{
	struct node *node;
	size_t node_index;

	node_index =
	    template_add_node(builder->template, &builder->node_capacity,
			      NODE_PARTIAL, token->line);
	node = &builder->template->nodes[node_index];
	node->offset = builder->names.length;
	node->length = token->end - token->start;
	buf_append(&builder->names, builder->parser->text + token->start,
		   token->end - token->start);
	buf_putc(&builder->names, '\0');
	node->indent_offset = token->indent_start;
	node->indent_length = token->indent_length;
}

/* Pass three: builds the nodes and checks that sections nest. */
static int
parser_build(struct parser *parser, struct template *template)
{
	struct builder builder;
	size_t index;
	int result = -1;

	memset(&builder, 0, sizeof(builder));
	builder.parser = parser;
	builder.template = template;
	for (index = 0; index < parser->token_count; index++) {
		const struct token *token = &parser->tokens[index];

		switch (token->kind) {
		case TOKEN_TEXT:
			build_text(&builder, token);
			break;
		case TOKEN_VARIABLE:
		case TOKEN_RAW:
		case TOKEN_SECTION:
		case TOKEN_INVERTED:
			build_named(&builder, index);
			break;
		case TOKEN_CLOSE:
			if (build_close(&builder, token) != 0)
				goto out;
			break;
		case TOKEN_PARTIAL:
			build_partial(&builder, token);
			break;
		case TOKEN_COMMENT:
		case TOKEN_DELIMITER:
			break;
		}
	}
	if (builder.open_count > 0) {
		const struct token *opener =
		    &parser
			 ->tokens[builder.open_tokens[builder.open_count - 1]];

		parser_error(parser, opener->line, "unclosed section '%.*s'",
			     (int)(opener->end - opener->start),
			     parser->text + opener->start);
		goto out;
	}
	result = 0;
out:
	template->names = buf_detach(&builder.names);
	free(builder.open_tokens);
	free(builder.open_nodes);
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
