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
	TEMPLATE_EPARTIAL /* a partial could not be found or parsed */
};

/* How {{name}} escapes: HTML entities, or nothing (plain text). */
enum template_escape { TEMPLATE_ESCAPE_HTML = 0, TEMPLATE_ESCAPE_NONE };

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
 * are looked up through partial_fn (may be NULL: then any partial tag is an
 * error) and parsed once per render.  On error out may hold a part of the
 * output: the caller discards it.  *errstr_out (free()) as for parse.
 */
enum template_status
template_render(const struct template *template, const struct value *data,
		enum template_escape escape, template_partial_fn partial_fn,
		void *partial_context, struct buf *out, char **errstr_out);

/*
 * A partial_fn that reads NAME.mustache from the directory given as
 * context (a const char *).
 */
int template_partial_from_dir(void *directory, const char *name,
			      char **text_out, char **origin_out);

void template_free(struct template *template);

#endif
