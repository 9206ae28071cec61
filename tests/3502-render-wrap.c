/*
 * 3502-render-wrap: word wrapping for the plain-text part: code points,
 * not bytes; long URLs unbroken on their own line; indents; paragraphs;
 * and a sweep over many widths checking the line limit and that no word
 * is lost, split or reordered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "wrap.h"

static int failures;

static void
expect(const char *what, char *got, const char *want)
{
	if (got == NULL || strcmp(got, want) != 0) {
		fprintf(stderr, "FAIL %s:\n got: \"%s\"\nwant: \"%s\"\n", what,
			got != NULL ? got : "(null)", want);
		failures++;
	}
	free(got);
}

static size_t
columns(const char *text, size_t length)
{
	size_t count = 0;

	for (size_t i = 0; i < length; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			count++;
	return count;
}

/* Appends the non-blank bytes of text to out: what wrapping keeps. */
static void
squeeze(const char *text, struct buf *out)
{
	for (const char *p = text; *p != '\0'; p++)
		if (*p != ' ' && *p != '\n' && *p != '\t')
			buf_putc(out, *p);
}

/* Checks the invariants of wrap_text(text, width, indent, indent). */
static void
sweep(const char *text, size_t width, const char *indent)
{
	char *wrapped = wrap_text(text, width, indent, indent);
	struct buf want = BUF_INIT, got = BUF_INIT;
	const char *line = wrapped;

	while (*line != '\0') {
		const char *end = strchr(line, '\n');
		size_t length =
		    end != NULL ? (size_t)(end - line) : strlen(line);
		const char *body = line + strlen(indent);
		size_t body_length = length - strlen(indent);

		if (length == 0) {
			/* Blank lines are allowed only between paragraphs. */
		} else if (strncmp(line, indent, strlen(indent)) != 0) {
			fprintf(stderr, "FAIL width %zu: no indent: %.*s\n",
				width, (int)length, line);
			failures++;
		} else if (columns(line, length) > width &&
			   (memchr(body, ' ', body_length) != NULL ||
			    memmem(body, body_length, "://", 3) == NULL)) {
			fprintf(stderr, "FAIL width %zu: too long: %.*s\n",
				width, (int)length, line);
			failures++;
		}
		if (length > 0 && (line[length - 1] == ' ' || body[0] == ' ')) {
			fprintf(stderr, "FAIL width %zu: stray blank: %.*s\n",
				width, (int)length, line);
			failures++;
		}
		line = end != NULL ? end + 1 : line + length;
	}
	squeeze(text, &want);
	squeeze(wrapped, &got);
	/* Indents here are blanks only, so they add nothing. */
	if (strcmp(want.data != NULL ? want.data : "",
		   got.data != NULL ? got.data : "") != 0) {
		fprintf(stderr, "FAIL width %zu: text changed\n", width);
		failures++;
	}
	buf_free(&want);
	buf_free(&got);
	free(wrapped);
}

int
main(void)
{
	const char *url = "https://nieuws.example.net/buitenland/2026/11/29/"
			  "verkiezingen-in-bogota-verlopen-rustig-ondanks-"
			  "oproepen-tot-boycot";
	const char *story =
	    "De regering in Bogotá heeft zondag bekendgemaakt dat de "
	    "verkiezingen rustig zijn verlopen. Waarnemers uit Zürich en "
	    "Curaçao spreken van een opkomst die hoger lag dan verwacht; "
	    "in de noordelijke provincies werd tot laat in de avond "
	    "gestemd.\n\nZie https://nieuws.example.net/buitenland/2026/"
	    "11/29/een-heel-lange-adres-regel-die-niet-mag-breken voor "
	    "het volledige verslag. Één ding is zeker: de coalitie moet "
	    "opnieuw onderhandelen over de begroting.";
	char *text;

	/* A wrapping loop that makes no progress fails here, not by hanging
	 * until the memory runs out. */
	alarm(60);
	expect("empty", wrap_text("", 72, "", ""), "");
	expect("NULL", wrap_text(NULL, 72, NULL, NULL), "");
	expect("blanks only", wrap_text("  \t \n\n ", 72, "> ", "> "), "");
	expect("break", wrap_text("aaa bbb ccc", 7, "", ""), "aaa bbb\nccc");
	expect("exact fit", wrap_text("aaa bbb ccc", 11, "", ""),
	       "aaa bbb ccc");
	expect("one short", wrap_text("aaa bbb ccc", 10, "", ""),
	       "aaa bbb\nccc");
	expect("collapse", wrap_text("  a \t  b  ", 72, "", ""), "a b");
	/* "één twee" is 8 code points but 10 bytes. */
	expect("utf-8 columns",
	       wrap_text("\xC3\xA9\xC3\xA9n twee drie", 8, "", ""),
	       "\xC3\xA9\xC3\xA9n twee\ndrie");
	expect("utf-8 break",
	       wrap_text("\xC3\xA9\xC3\xA9n twee drie", 7, "", ""),
	       "\xC3\xA9\xC3\xA9n\ntwee\ndrie");
	/* A no-break space (U+00A0) is part of its word. */
	expect("no-break space", wrap_text("aa 10\xC2\xA0km bb", 6, "", ""),
	       "aa\n10\xC2\xA0km\nbb");

	text = xasprintf("Zie %s voor meer.", url);
	expect("long url", wrap_text(text, 20, "", ""),
	       "Zie\n"
	       "https://nieuws.example.net/buitenland/2026/11/29/"
	       "verkiezingen-in-bogota-verlopen-rustig-ondanks-"
	       "oproepen-tot-boycot\nvoor meer.");
	free(text);
	expect("url first", wrap_text(url, 20, "    ", "    "),
	       "    https://nieuws.example.net/buitenland/2026/11/29/"
	       "verkiezingen-in-bogota-verlopen-rustig-ondanks-"
	       "oproepen-tot-boycot");

	/* Long words that are not URLs: at a hyphen, else at the width,
	 * never inside a UTF-8 sequence. */
	expect("long word at hyphen",
	       wrap_text("a noord-zuid-verbinding b", 12, "", ""),
	       "a\nnoord-zuid-\nverbinding b");
	expect("long word hard",
	       wrap_text("x \xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9 y", 2, "",
			 ""),
	       "x\n\xC3\xA9\xC3\xA9\n\xC3\xA9\xC3\xA9\n\xC3\xA9\ny");
	expect("long word indented", wrap_text("abcdefghij", 6, "  ", "  "),
	       "  abcd\n  efgh\n  ij");
	expect("long address",
	       wrap_text("mail lang.adres@example.org", 8, "", ""),
	       "mail\nlang.adres@example.org");
	expect("hanging indent",
	       wrap_text("alpha beta gamma delta", 12, "1.  ", "    "),
	       "1.  alpha\n    beta\n    gamma\n    delta");
	expect("hanging fits",
	       wrap_text("alpha beta gamma delta", 15, "10. ", "    "),
	       "10. alpha beta\n    gamma delta");
	/* Regression: an indent wider than the width left no room on a
	 * line, and the cut of a long word then looped for ever. */
	expect("indent wider than width", wrap_text("abc", 2, "", "    "),
	       "ab\n    c");
	expect("indents wider than width",
	       wrap_text("ab cde", 2, "      ", "    "),
	       "      a\n    b\n    c\n    d\n    e");
	expect("hard break", wrap_text("a\nb", 72, "", ""), "a\nb");
	expect("paragraphs", wrap_text("a\n\n\n\nb c", 72, "  ", "  "),
	       "  a\n\n  b c");
	expect("leading and trailing breaks",
	       wrap_text("\n\n a b \n\n", 72, "", ""), "a b");
	expect("crlf", wrap_text("a\r\nb", 72, "", ""), "a\nb");

	for (size_t width = 8; width <= 80; width++) {
		sweep(story, width, "");
		sweep(story, width, "    ");
	}

	if (failures > 0) {
		fprintf(stderr, "%d failure(s)\n", failures);
		return 1;
	}
	return 0;
}
