/*
 * wrap.c - plain-text layout for the text part: word wrapping that counts
 * code points, never splits a UTF-8 sequence and keeps URLs whole, and
 * shortening at a word boundary.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "wrap.h"

/* Columns of a UTF-8 run: its code points (continuation bytes are free). */
static size_t
utf8_columns(const char *text, size_t length)
{
	size_t columns = 0;

	for (size_t i = 0; i < length; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			columns++;
	return columns;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * A URL or mail address must survive copying from the text part in one
 * piece, so it is never broken, however long.
 */
static int
is_unbreakable(const char *word, size_t length)
{
	if (memchr(word, '@', length) != NULL)
		return 1;
	if (length >= 4 && util_strncasecmp(word, "www.", 4) == 0)
		return 1;
	for (size_t i = 0; i + 3 <= length; i++)
		if (memcmp(word + i, "://", 3) == 0)
			return 1;
	return 0;
}

/* Byte length of the first count code points of text[0..length). */
static size_t
utf8_prefix(const char *text, size_t length, size_t count)
{
	size_t i = 0;

	while (i < length && count > 0) {
		i++;
		while (i < length && ((unsigned char)text[i] & 0xC0) == 0x80)
			i++;
		count--;
	}
	return i;
}

/*
 * Breaks at ASCII blanks, so a UTF-8 sequence is never split; a no-break
 * space stays inside its word, as it should.  A word wider than a line is
 * cut after its last hyphen that fits, else at the width, at a code point
 * boundary; a URL or address stays whole on a line of its own.
 */
char *
wrap_text(const char *text, size_t width, const char *first_indent,
	  const char *indent)
{
	struct buf out = BUF_INIT;
	const char *p = text != NULL ? text : "";
	size_t column = 0;
	int at_line_start = 1, any_line = 0, blank_pending = 0;

	if (first_indent == NULL)
		first_indent = "";
	if (indent == NULL)
		indent = "";
	while (*p != '\0') {
		const char *word;
		size_t length, columns;

		if (is_blank(*p)) {
			p++;
			continue;
		}
		if (*p == '\n') {
			/* A hard break ends the line; two or more in a row
			 * leave one blank line between paragraphs. */
			if (any_line && at_line_start)
				blank_pending = 1;
			at_line_start = 1;
			p++;
			continue;
		}
		word = p;
		while (*p != '\0' && *p != '\n' && !is_blank(*p))
			p++;
		length = (size_t)(p - word);
		columns = utf8_columns(word, length);
		if (!at_line_start && column + 1 + columns <= width) {
			buf_putc(&out, ' ');
			column++;
		} else {
			const char *prefix = any_line ? indent : first_indent;

			if (any_line)
				buf_puts(&out, blank_pending ? "\n\n" : "\n");
			blank_pending = 0;
			buf_puts(&out, prefix);
			column = utf8_columns(prefix, strlen(prefix));
			at_line_start = 0;
			any_line = 1;
			while (column + columns > width &&
			       !is_unbreakable(word, length)) {
				size_t fit =
				    width > column ? width - column : 1;
				size_t cut = utf8_prefix(word, length, fit);

				/* An indent as wide as the line leaves room
				 * for nothing: keep the rest here rather
				 * than start empty lines forever. */
				if (cut >= length)
					break;
				for (size_t i = cut; i > 1; i--) {
					if (word[i - 1] == '-') {
						cut = i;
						break;
					}
				}
				buf_append(&out, word, cut);
				buf_putc(&out, '\n');
				buf_puts(&out, indent);
				column = utf8_columns(indent, strlen(indent));
				columns -= utf8_columns(word, cut);
				word += cut;
				length -= cut;
			}
		}
		buf_append(&out, word, length);
		column += columns;
	}
	return buf_detach(&out);
}

/* The cut is made at the last blank within max code points, so a word is
 * never split unless the first word alone is longer than max. */
char *
wrap_shorten(const char *text, size_t max)
{
	size_t columns = 0, cut = 0, i;

	for (i = 0; text[i] != '\0'; i++) {
		if (((unsigned char)text[i] & 0xC0) == 0x80)
			continue;
		if (columns == max)
			break;
		if (is_blank(text[i]) || text[i] == '\n')
			cut = i;
		columns++;
	}
	if (text[i] == '\0')
		return xstrdup(text);
	while (cut > 0 && (is_blank(text[cut - 1]) || text[cut - 1] == '\n'))
		cut--;
	/* No blank after the first word: cut inside it, at a code point. */
	if (cut == 0)
		cut = i;
	return xasprintf("%.*s \xE2\x80\xA6", (int)cut, text);
}
