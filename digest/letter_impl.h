/*
 * letter_impl.h - what letter.c shares with letter_maker.c, so that a
 * letter made once per variant is written from the same fields as one
 * built whole.  Private to the letter module; letter.h is its contract.
 */
#ifndef DIGEST_LETTER_IMPL_H
#define DIGEST_LETTER_IMPL_H

#include "letter.h"
#include "mail.h"

/* What one letter says beyond the items: its links and its prompt. */
struct letter_extras {
	char *unsubscribe_url; /* the signed pages, or NULL without [web] */
	char *prefs_url;
	char *view_url;
	const char **webmail_names; /* every provider's name, for the prompt */
	int prompt;		    /* it carries "Kies je webmail" */
};

/*
 * The subject line: the title and the long date of now in the language.
 * Returns a new string (free()).
 */
char *letter_subject(const struct config *config, const char *language,
		     time_t now);

/*
 * "Kies je webmail" goes to whoever has not chosen a provider and has not
 * had the prompt yet, once there is a preferences page to choose on and
 * more than one webmail to choose from.
 */
int letter_wants_prompt(const struct config *config, const struct links *links,
			const struct subscriber *subscriber);

/* Every provider's name, NULL-ended (free() the array only). */
const char **letter_webmail_names(const struct config *config);

/* The render context of the subscriber's letter (borrows everything). */
void letter_fill_context(const struct config *config,
			 const struct subscriber *subscriber,
			 const struct provider *provider, time_t now,
			 const struct letter_extras *extras,
			 struct render_context *context);

/*
 * RFC 8058 one-click unsubscribe is for https links only; a plain http
 * base (allowed for this host alone, as in a test) keeps its links in
 * the footer but leaves List-Unsubscribe to the mailto.  Returns url or
 * NULL.
 */
const char *letter_one_click_url(const char *url);

/*
 * Fills the message's fields for the subscriber from their provider and
 * context (borrows everything; the subject and bodies are left NULL).
 */
void letter_fill_input(const struct config *config,
		       const struct subscriber *subscriber,
		       const struct provider *provider,
		       const struct render_context *context,
		       struct mail_input *input);

#endif
