/*
 * letter.h - one subscriber's digest: the rendered parts put into a message
 * with the right provider's From, List-Id and unsubscribe headers, the
 * subject, the subscriber's signed links (unsubscribe, preferences, the
 * digest in the browser) and, once, the "Kies je webmail" prompt.  Shared
 * by `digest preview --format eml` and `digest send`, so an admin sees
 * exactly what is sent.
 */
#ifndef DIGEST_LETTER_H
#define DIGEST_LETTER_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "feed.h"
#include "links.h"
#include "render.h"
#include "subscriber.h"

enum letter_status {
	LETTER_OK = 0,
	LETTER_ERENDER,	 /* a template failed */
	LETTER_ECOMPOSE, /* the message could not be built (bad address) */
	LETTER_EPROVIDER /* the subscriber's provider is not configured */
};

struct letter {
	const struct provider *provider; /* the one it goes through */
	char *message;			 /* CRLF, ready for SMTP (free()) */
	size_t size;
	char *message_id; /* without <> (free()) */
	/*
	 * The envelope sender (MAIL FROM) for the subscriber and the digest
	 * date of now: letter_envelope_from() (free()).
	 */
	char *envelope_from;
	int prompted; /* it carries the "Kies je webmail" prompt */
};

/*
 * Returns the provider the subscriber's mail goes through: their own
 * choice, else the config's default provider; NULL when that is not
 * configured.
 */
const struct provider *letter_provider(const struct config *config,
				       const struct subscriber *subscriber);

/*
 * The day the digest of now is for, in the config's time zone, as
 * "2026-11-29" into out[11].  One subscriber gets one digest per such day.
 */
void letter_digest_date(const struct config *config, time_t now, char out[11]);

/*
 * The envelope sender of the digest of digest_date ("2026-11-29") to
 * email through provider: with a bounce_domain, the VERP address that
 * names them both (verp.h), so that a bounce says whose digest of which
 * day it was; without one, or when that address would be too long, the
 * provider's From address.  Returns a new string (free()).
 */
char *letter_envelope_from(const struct provider *provider, const char *email,
			   const char *digest_date);

/*
 * Renders and composes the subscriber's message.  links (from
 * links_open(); NULL without [web] base_url) makes the subscriber's signed
 * links, issued at now: List-Unsubscribe with one-click (RFC 8058) and the
 * footer's links; with links, a subscriber who has not chosen a provider
 * and was never prompted gets the "Kies je webmail" prompt, and
 * letter_out->prompted says so (the caller records it once the letter is
 * delivered).  On LETTER_OK fills *letter_out (letter_clear()); otherwise
 * *errstr_out (free()) says why.
 */
enum letter_status letter_build(const struct config *config,
				struct renderer *renderer,
				const struct links *links,
				const struct item_list *items,
				const struct subscriber *subscriber, time_t now,
				struct letter *letter_out, char **errstr_out);

/*
 * Renders just one part for the subscriber as letter_build() would (for
 * `preview --format text|html --subscriber`); links may be NULL.  Returns
 * RENDER_OK and *output_out (free()).
 */
enum render_status letter_render_part(const struct config *config,
				      struct renderer *renderer,
				      const struct links *links,
				      const struct item_list *items,
				      const struct subscriber *subscriber,
				      enum render_format format, time_t now,
				      char **output_out, char **errstr_out);

void letter_clear(struct letter *letter);

/*
 * Letters for a whole run, rendered once per variant: each distinct digest
 * (the share of the editions, the language, text alone or with HTML, the
 * provider, whether the reader has a name, whether it carries the prompt)
 * is rendered and encoded once, and each subscriber's letter is that
 * digest with their own parts put in: the To header, the Message-ID, the
 * greeting with their name and their signed links (in the footers and in
 * List-Unsubscribe).  A letter decodes to exactly what letter_build()
 * makes for the same subscriber (but the Message-ID and the multipart
 * boundary); where it could not, the maker builds that letter whole.
 * One maker may serve several threads at once.
 */
struct letter_maker;

/*
 * Starts making letters for config with renderer and links (NULL without
 * [web] base_url), all of now; each must outlive the maker, and renderer
 * must be used only through it meanwhile.  Returns a new maker
 * (letter_maker_free()).
 */
struct letter_maker *letter_maker_new(const struct config *config,
				      struct renderer *renderer,
				      const struct links *links, time_t now);

/*
 * Makes the subscriber's letter from share, their share of the editions,
 * as letter_build() would.  share_key names the share: the same key must
 * mean the same items for the maker's life (edition_share()'s
 * last_received does); the maker also compares the items when it is
 * given another list under a known key.  On LETTER_OK fills *letter_out
 * (letter_clear()); otherwise *errstr_out (free()) says why.
 */
enum letter_status letter_make(struct letter_maker *maker,
			       const struct item_list *share, long share_key,
			       const struct subscriber *subscriber,
			       struct letter *letter_out, char **errstr_out);

/* How a maker's letters were made, for tests and benchmarks. */
struct letter_maker_stats {
	size_t variants_rendered; /* digests rendered and encoded */
	size_t variants_kept;	  /* of those, kept now */
	size_t letters_filled;	  /* letters made from a variant */
	size_t letters_whole;	  /* letters built whole instead */
};

void letter_maker_stats(struct letter_maker *maker,
			struct letter_maker_stats *stats_out);

/* Frees the maker and every variant it keeps; NULL is fine. */
void letter_maker_free(struct letter_maker *maker);

#endif
