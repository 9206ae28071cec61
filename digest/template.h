/*
 * template.h - a mustache template engine (the spec's core: variables,
 * sections, inverted sections, comments, partials, set delimiters and the
 * standalone-line rules).
 */
#ifndef DIGEST_TEMPLATE_H
#define DIGEST_TEMPLATE_H

#include <stddef.h>

#include "util.h"
#include "value.h"

enum template_status {
	TEMPLATE_OK = 0,
	TEMPLATE_ESYNTAX, /* unclosed or mismatched section, bad tag */
	TEMPLATE_EPARTIAL /* a partial could not be parsed, or (strict) found */
};

/* How {{name}} escapes: HTML entities, or nothing (plain text). */
enum template_escape { TEMPLATE_ESCAPE_HTML = 0, TEMPLATE_ESCAPE_NONE };

/*
 * What a partial tag renders when its partial does not exist.  The mustache
 * spec says the empty string; a caller that checks templates for mistakes
 * (digest check-config) asks for an error instead.
 */
enum template_missing {
	TEMPLATE_MISSING_EMPTY = 0, /* nothing, as the spec says */
	TEMPLATE_MISSING_ERROR	    /* TEMPLATE_EPARTIAL naming file and line */
};

struct template;

/*
 * Looks up a partial by name.  Returns 0 and sets *text_out (free()) and
 * *origin_out (free(); the file name used in error messages), or -1 when
 * there is no such partial.
 */
typedef int (*template_partial_fn)(void *context, const char *name,
				   char **text_out, char **origin_out);

/*
 * Parses template text.  origin names it in errors ("templates/digest.txt").
 * On TEMPLATE_OK *template_out is new (template_free()); on error
 * *errstr_out (free()) names origin and line: "digest.txt:12: unclosed
 * section 'items'".
 */
enum template_status template_parse(const char *text, size_t size,
				    const char *origin,
				    struct template **template_out,
				    char **errstr_out);

/*
 * Renders template against data and appends the result to out.  Partials
 * are looked up through partial_fn (may be NULL: then no partial exists)
 * and parsed once per render; one that does not exist renders as missing
 * says.  A partial that exists but does not parse is always an error.  On
 * error out may hold a part of the output: the caller discards it.
 * *errstr_out (free()) as for parse.
 */
enum template_status
template_render(const struct template *template, const struct value *data,
		enum template_escape escape, enum template_missing missing,
		template_partial_fn partial_fn, void *partial_context,
		struct buf *out, char **errstr_out);

/*
 * A partial_fn that reads NAME.mustache from the directory given as
 * context (a const char *).  A name that is empty, starts with a dot or
 * holds a slash is never found, so no partial reaches outside it.
 */
int template_partial_from_dir(void *directory, const char *name,
			      char **text_out, char **origin_out);

/*
 * Appends the length bytes of text to out as {{name}} writes them under
 * TEMPLATE_ESCAPE_HTML: & < > " and ' as entities.
 */
void template_escape_html(struct buf *out, const char *text, size_t length);

void template_free(struct template *template);

#endif
