/*
 * wrap.h - plain-text layout: word wrapping by code points and shortening
 * at a word boundary, for the text part of the digest.
 */
#ifndef DIGEST_WRAP_H
#define DIGEST_WRAP_H

#include <stddef.h>

/*
 * Word-wraps text: lines of at most width columns (UTF-8 code points),
 * broken at blanks, so a multibyte character is never split.  A URL or
 * mail address longer than width stands alone on its own line, unbroken;
 * any other word wider than a line is cut after its last hyphen that fits,
 * else at the width.  Runs of blanks collapse to one space; a newline in
 * text is a hard break and two or more make one blank line.  first_indent
 * starts the first line, indent every later one (either may be NULL); both
 * count toward width.  No trailing newline.  text may be NULL (empty).
 * Returns a new string (free()).
 */
char *wrap_text(const char *text, size_t width, const char *first_indent,
		const char *indent);

/*
 * Cuts text after at most max code points, at the last blank before the
 * limit, and marks the cut with a space and an ellipsis (U+2026).  Text
 * that fits comes back whole.  Returns a new string (free()).
 */
char *wrap_shorten(const char *text, size_t max);

#endif
