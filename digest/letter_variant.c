/*
 * letter_variant.c - one variant of the digest: rendered once with a
 * marker in place of each personal value, cut at the markers into a mail
 * stencil, and filled in per subscriber with their own values, each
 * written as the render would have written it.
 *
 * The markers stand where the templates put a value, whatever the
 * templates are: a value is never wrapped or cut by a template (the
 * renderer wraps the greeting itself, so the greeting is a value of its
 * own), and a marker carries an "&" so that the cut sees whether the
 * template escaped it for HTML ({{name}}) or not ({{{name}}}).  A random
 * nonce in each marker keeps the items' text from ever looking like one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "letter_variant.h"
#include "mail.h"
#include "util.h"

/* After the prefix and the slot's two digits, one of these ends it. */
#define MARK_RAW "&z"
#define MARK_ESCAPED "&amp;z"

void
letter_marks_make(struct letter_marks *marks, const char *nonce)
{
	snprintf(marks->prefix, sizeof marks->prefix, "dgslot%s", nonce);
	for (size_t slot = 0; slot < LETTER_SLOT_COUNT; slot++)
		snprintf(marks->marker[slot], sizeof marks->marker[slot],
			 "%s%02zu" MARK_RAW, marks->prefix, slot);
}

/* The text of a rendered part, cut at the markers. */
struct cut_text {
	char **pieces;
	size_t *holes;
	size_t count;
};

static void
cut_text_clear(struct cut_text *cut)
{
	if (cut->pieces != NULL)
		for (size_t i = 0; i <= cut->count; i++)
			free(cut->pieces[i]);
	free(cut->pieces);
	free(cut->holes);
	memset(cut, 0, sizeof *cut);
}

/*
 * Reads the slot and the escaping of the marker at text (just past the
 * prefix) into *hole_out; returns its length, or 0 when it is no marker.
 */
static size_t
read_marker(const char *text, size_t *hole_out)
{
	size_t slot;

	if (text[0] < '0' || text[0] > '9' || text[1] < '0' || text[1] > '9')
		return 0;
	slot = (size_t)(text[0] - '0') * 10 + (size_t)(text[1] - '0');
	if (slot >= LETTER_SLOT_COUNT)
		return 0;
	if (strncmp(text + 2, MARK_RAW, strlen(MARK_RAW)) == 0) {
		*hole_out = LETTER_HOLE(slot, 0);
		return 2 + strlen(MARK_RAW);
	}
	if (strncmp(text + 2, MARK_ESCAPED, strlen(MARK_ESCAPED)) == 0) {
		*hole_out = LETTER_HOLE(slot, 1);
		return 2 + strlen(MARK_ESCAPED);
	}
	return 0;
}

/*
 * Cuts text at the markers of marks into *cut_out (cut_text_clear()),
 * and sets the bit of each hole found in *used.  Returns 0, or -1 for
 * the prefix without a whole marker after it.
 */
static int
cut_at_marks(const char *text, const struct letter_marks *marks,
	     struct cut_text *cut_out, unsigned long *used)
{
	size_t prefix_length = strlen(marks->prefix);
	const char *cursor = text, *found;
	size_t hole, length;

	memset(cut_out, 0, sizeof *cut_out);
	while ((found = strstr(cursor, marks->prefix)) != NULL) {
		length = read_marker(found + prefix_length, &hole);
		if (length == 0) {
			cut_text_clear(cut_out);
			return -1;
		}
		cut_out->pieces =
		    xreallocarray(cut_out->pieces, cut_out->count + 2,
				  sizeof *cut_out->pieces);
		cut_out->holes = xreallocarray(
		    cut_out->holes, cut_out->count + 1, sizeof *cut_out->holes);
		cut_out->pieces[cut_out->count] =
		    xstrndup(cursor, (size_t)(found - cursor));
		cut_out->holes[cut_out->count++] = hole;
		*used |= 1UL << hole;
		cursor = found + prefix_length + length;
	}
	cut_out->pieces = xreallocarray(cut_out->pieces, cut_out->count + 1,
					sizeof *cut_out->pieces);
	cut_out->pieces[cut_out->count] = xstrdup(cursor);
	return 0;
}

int
letter_variant_stencil(const struct mail_input *shared, int one_click,
		       const char *text, const char *html,
		       const struct letter_marks *marks,
		       struct mail_stencil **stencil_out,
		       unsigned long *used_out)
{
	struct cut_text cuts[2];
	struct mail_stencil_text parts[2];
	struct mail_stencil_input input;
	char *errstr = NULL;
	int result = -1;

	*stencil_out = NULL;
	*used_out = 0;
	memset(cuts, 0, sizeof cuts);
	if (cut_at_marks(text, marks, &cuts[0], used_out) < 0 ||
	    (html != NULL && cut_at_marks(html, marks, &cuts[1], used_out) < 0))
		goto out;
	for (size_t i = 0; i < 2; i++) {
		parts[i].pieces = (const char *const *)cuts[i].pieces;
		parts[i].holes = cuts[i].holes;
		parts[i].count = cuts[i].count;
	}
	memset(&input, 0, sizeof input);
	input.shared = shared;
	input.one_click = one_click;
	input.text = parts[0];
	input.html = html != NULL ? &parts[1] : NULL;
	if (mail_stencil_new(&input, stencil_out, &errstr) == MAIL_OK)
		result = 0;
	free(errstr);
out:
	cut_text_clear(&cuts[0]);
	cut_text_clear(&cuts[1]);
	return result;
}
