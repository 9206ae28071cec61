/*
 * letter_variant.h - the markers of a variant's render and the stencil
 * cut from it (letter_variant.c), for letter_maker.c.  Private to the
 * letter module; letter.h is its contract.
 */
#ifndef DIGEST_LETTER_VARIANT_H
#define DIGEST_LETTER_VARIANT_H

#include "mail.h"
#include "subscriber.h"

/* The personal values a variant leaves open. */
enum letter_slot {
	LETTER_SLOT_NAME = 0,	   /* recipient_name */
	LETTER_SLOT_GREETING,	   /* greeting */
	LETTER_SLOT_GREETING_TEXT, /* greeting_text, wrapped */
	LETTER_SLOT_UNSUBSCRIBE,   /* unsubscribe_url */
	LETTER_SLOT_PREFS,	   /* prefs_url */
	LETTER_SLOT_VIEW,	   /* view_url */
	LETTER_SLOT_COUNT
};

/* A stencil's hole: a slot's value as it is, or escaped for HTML. */
#define LETTER_HOLE(slot, escaped) ((size_t)(slot)*2 + (escaped))
#define LETTER_HOLE_COUNT (LETTER_SLOT_COUNT * 2)

/* The markers a variant is rendered with, one per slot. */
struct letter_marks {
	char prefix[48];
	char marker[LETTER_SLOT_COUNT][64];
};

/* Makes the markers with nonce (hex digits) in each. */
void letter_marks_make(struct letter_marks *marks, const char *nonce);

/*
 * Cuts the text and (unless NULL) HTML parts rendered with marks at the
 * markers into a stencil with the fields of shared, in *stencil_out
 * (mail_stencil_free()), and sets in *used_out the bit of each hole that
 * the parts hold.  Returns 0, or -1 when the render cannot be cut or the
 * stencil not made: then each letter of the variant is built whole.
 */
int letter_variant_stencil(const struct mail_input *shared, int one_click,
			   const char *text, const char *html,
			   const struct letter_marks *marks,
			   struct mail_stencil **stencil_out,
			   unsigned long *used_out);

#endif
