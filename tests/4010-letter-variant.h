/*
 * 4010-letter-variant.h - a message in a form to compare two ways of
 * making it by: its headers with the Message-ID and the multipart
 * boundary blanked out, and each part's headers and decoded text.  The
 * decoding is the test's own, small and strict: it takes quoted-printable
 * and 7bit, the two encodings mail.c writes.
 */
#ifndef DIGEST_TEST_LETTER_VARIANT_H
#define DIGEST_TEST_LETTER_VARIANT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Whether every line of message ends in CRLF, and no CR or LF is alone. */
static inline int
crlf_only(const char *message)
{
	size_t length = strlen(message);

	if (length < 2 || strcmp(message + length - 2, "\r\n") != 0)
		return 0;
	for (size_t i = 0; i < length; i++) {
		if (message[i] == '\r' && message[i + 1] != '\n')
			return 0;
		if (message[i] == '\n' && (i == 0 || message[i - 1] != '\r'))
			return 0;
	}
	return 1;
}

static inline int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Appends the length bytes of quoted-printable at text, decoded. */
static inline void
qp_decode(struct buf *out, const char *text, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		if (text[i] != '=') {
			buf_putc(out, text[i]);
			continue;
		}
		if (i + 2 < length && text[i + 1] == '\r' &&
		    text[i + 2] == '\n') {
			i += 2;
		} else if (i + 2 < length && hex_value(text[i + 1]) >= 0 &&
			   hex_value(text[i + 2]) >= 0) {
			buf_putc(out, (char)(hex_value(text[i + 1]) * 16 +
					     hex_value(text[i + 2])));
			i += 2;
		} else {
			/* Not quoted-printable: let the forms differ. */
			buf_puts(out, "<BAD QP>");
		}
	}
}

/* Replaces every needle in *text (malloc'd) with replacement. */
static inline void
replace_all(char **text, const char *needle, const char *replacement)
{
	struct buf out = BUF_INIT;
	const char *cursor = *text, *found;

	if (needle[0] == '\0')
		return;
	while ((found = strstr(cursor, needle)) != NULL) {
		buf_append(&out, cursor, (size_t)(found - cursor));
		buf_puts(&out, replacement);
		cursor = found + strlen(needle);
	}
	buf_puts(&out, cursor);
	free(*text);
	*text = buf_detach(&out);
}

/* Appends a part (headers, blank line, body) with its body decoded. */
static inline void
part_form(struct buf *out, const char *part, size_t length)
{
	const char *end = part + length;
	const char *body = strstr(part, "\r\n\r\n");
	char *headers;

	if (body == NULL || body > end) {
		buf_puts(out, "<NO PART HEADERS>");
		return;
	}
	headers = xstrndup(part, (size_t)(body - part) + 2);
	body += 4;
	buf_puts(out, headers);
	buf_puts(out, "--\n");
	if (strstr(headers, "Content-Transfer-Encoding: quoted-printable\r\n"))
		qp_decode(out, body, (size_t)(end - body));
	else
		buf_append(out, body, (size_t)(end - body));
	buf_puts(out, "\n==\n");
	free(headers);
}

/*
 * The message in comparable form (free()): the Message-ID's value and
 * the boundary blanked, every part's text decoded.
 */
static inline char *
canonical_form(const char *message)
{
	struct buf out = BUF_INIT;
	const char *split = strstr(message, "\r\n\r\n");
	const char *id, *mark, *cursor, *next;
	char *text = xstrdup(message), *boundary = NULL, *delimiter;

	if (split == NULL)
		return xstrdup("<NO HEADERS>");
	id = strstr(message, "\r\nMessage-Id: <");
	if (id != NULL && id < split) {
		char *value = xstrndup(id + 15, strcspn(id + 15, ">"));

		replace_all(&text, value, "ID");
		free(value);
	}
	mark = strstr(message, "; boundary=\"");
	if (mark != NULL && mark < split)
		boundary = xstrndup(mark + 12, strcspn(mark + 12, "\""));
	if (boundary == NULL) {
		part_form(&out, text, strlen(text));
		free(text);
		return buf_detach(&out);
	}
	/* The top headers, then each part between the delimiters. */
	delimiter = xasprintf("\r\n--%s", boundary);
	cursor = strstr(text, "\r\n\r\n");
	buf_append(&out, text, (size_t)(cursor - text) + 2);
	cursor = strstr(cursor, delimiter);
	while (cursor != NULL &&
	       strncmp(cursor + strlen(delimiter), "--", 2) != 0) {
		cursor += strlen(delimiter) + 2;
		next = strstr(cursor, delimiter);
		if (next == NULL) {
			buf_puts(&out, "<UNCLOSED PART>");
			break;
		}
		part_form(&out, cursor, (size_t)(next - cursor));
		cursor = next;
	}
	if (cursor != NULL)
		buf_puts(&out, cursor + strlen(delimiter));
	free(delimiter);
	{
		char *form = buf_detach(&out);

		replace_all(&form, boundary, "BOUNDARY");
		free(boundary);
		free(text);
		return form;
	}
}

/* The first line where two forms differ, both ways (static storage). */
static inline const char *
first_difference(const char *a, const char *b)
{
	static char line[600];
	size_t at = 0, start = 0;

	while (a[at] != '\0' && a[at] == b[at]) {
		if (a[at] == '\n')
			start = at + 1;
		at++;
	}
	snprintf(line, sizeof line,
		 "at byte %zu:\n want: %.200s\n got:  %.200s", at, a + start,
		 b + start);
	return line;
}

#endif
