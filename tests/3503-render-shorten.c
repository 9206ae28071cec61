/*
 * 3503-render-shorten: wrap_shorten(), which keeps a feed's summary to at
 * most max code points: a text that fits comes back whole; a longer one
 * is cut at a blank and ends in " ..." (U+2026), never longer than max
 * before it; a first word longer than max is cut at a code point, never
 * inside a UTF-8 sequence.
 *
 * Found by scripts/mutate (issue 7): nothing called wrap_shorten() with a
 * text near its limit, so a limit one code point too high went unnoticed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wrap.h"

#define ELLIPSIS " \xE2\x80\xA6"

static int failures;

static size_t
code_points(const char *text, size_t length)
{
	size_t count = 0;

	for (size_t i = 0; i < length; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			count++;
	return count;
}

/* One case: the exact result, and the rule it must keep to. */
static void
expect(const char *text, size_t max, const char *want)
{
	char *got = wrap_shorten(text, max);
	size_t kept;

	if (got == NULL || strcmp(got, want) != 0) {
		fprintf(stderr,
			"FAIL \"%s\" to %zu:\n got: \"%s\"\nwant: \"%s\"\n",
			text, max, got ? got : "(null)", want);
		failures++;
	}
	if (got != NULL) {
		kept = strlen(got);
		if (strcmp(got, text) != 0 && kept >= strlen(ELLIPSIS) &&
		    strcmp(got + kept - strlen(ELLIPSIS), ELLIPSIS) == 0)
			kept -= strlen(ELLIPSIS);
		if (code_points(got, kept) > max) {
			fprintf(stderr,
				"FAIL \"%s\" to %zu: kept %zu code points\n",
				text, max, code_points(got, kept));
			failures++;
		}
	}
	free(got);
}

int
main(void)
{
	/* Fits: whole, at the limit and below it. */
	expect("abcd", 4, "abcd");
	expect("ab cd", 5, "ab cd");
	expect("", 4, "");
	/* "één" is 3 code points in 5 bytes: it fits in 3. */
	expect("\xC3\xA9\xC3\xA9n", 3, "\xC3\xA9\xC3\xA9n");
	/* One code point too many. */
	expect("abcde", 4, "abcd" ELLIPSIS);
	expect("ab cde", 5, "ab" ELLIPSIS);
	expect("\xC3\xA9\xC3\xA9n", 2, "\xC3\xA9\xC3\xA9" ELLIPSIS);
	/* Cut at the last blank that fits; blanks before it go too. */
	expect("een twee drie vier", 14, "een twee drie" ELLIPSIS);
	expect("een twee   drie", 12, "een twee" ELLIPSIS);
	expect("een\ntwee drie", 9, "een\ntwee" ELLIPSIS);
	/* A first word longer than max: cut inside it, at a code point. */
	expect("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9 x", 3,
	       "\xC3\xA9\xC3\xA9\xC3\xA9" ELLIPSIS);

	if (failures > 0) {
		fprintf(stderr, "%d failure(s)\n", failures);
		return 1;
	}
	return 0;
}
