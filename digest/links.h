/*
 * links.h - a subscriber's personal links: the pages of `digest serve`
 * (unsubscribe, preferences, the digest in the browser, the sign-up
 * confirmation), each with a token signed by the key of [web], so that
 * nobody can act for another address.  Letters make the links; the pages
 * check them.
 */
#ifndef DIGEST_LINKS_H
#define DIGEST_LINKS_H

#include <time.h>

#include "config.h"
#include "sign.h"

/* The actions, which are also the pages' paths. */
#define LINKS_UNSUBSCRIBE "unsubscribe"
#define LINKS_PREFS "prefs"
#define LINKS_VIEW "view"
#define LINKS_CONFIRM "confirm"
/* Undo an unsubscribe: a form's token, never a link in a mail. */
#define LINKS_RESUBSCRIBE "resubscribe"

enum links_status {
	LINKS_OK = 0,
	LINKS_ENONE, /* [web] has no base_url: no links to make */
	LINKS_EKEY   /* the key cannot be read */
};

struct links;

/*
 * Reads the keys of config's [web] and returns the links maker in
 * *links_out (links_free()).  LINKS_ENONE without a base_url; LINKS_EKEY
 * with *errstr_out (free()) naming the key's file or variable.
 */
enum links_status links_open(const struct config *config,
			     struct links **links_out, char **errstr_out);

/*
 * The link to action's page for email, issued at now:
 * "https://nieuws.example.nl/digest/unsubscribe?t=TOKEN".  Returns a new
 * string (free()).
 */
char *links_url(const struct links *links, const char *action,
		const char *email, time_t now);

/*
 * The keyed hashes of an address (case folded) under the current key and,
 * when there is one, the previous key, into hashes_out[0] and [1] (free()
 * each; [1] may be NULL): what the suppression list keeps of an address
 * that was erased, so that it is recognised without being stored.
 */
void links_address_hashes(const struct links *links, const char *email,
			  char *hashes_out[2]);

/* The signer, for the pages that check tokens. */
const struct signer *links_signer(const struct links *links);

void links_free(struct links *links);

#endif
