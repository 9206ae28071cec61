/*
 * sign.h - personal links that cannot be forged.  A token carries the
 * subscriber's address, the action it allows ("unsubscribe", "prefs",
 * "confirm", "view") and when it was issued, and ends in an HMAC-SHA256
 * over all three, keyed by a secret only this installation knows.  A key
 * that was replaced keeps verifying until a set time, so links in mails
 * already sent go on working through a key rotation.
 */
#ifndef DIGEST_SIGN_H
#define DIGEST_SIGN_H

#include <stddef.h>
#include <time.h>

enum sign_status {
	SIGN_OK = 0,
	SIGN_EMALFORMED, /* not a token at all, or cut short */
	SIGN_EFORGED,	 /* a MAC no key of ours made, or another action */
	SIGN_EEXPIRED	 /* genuine, but older than allowed */
};

struct signer;

/*
 * Makes a signer from the current key and, when previous is not NULL, the
 * key it replaced, which verifies (never signs) until previous_until.
 * The keys are copied.  Returns a new signer (sign_free()).
 */
struct signer *sign_new(const char *current, size_t current_length,
			const char *previous, size_t previous_length,
			time_t previous_until);

/*
 * Returns the token for subject (an address) and action, issued at
 * issued: URL-safe ("A-Za-z0-9-_."), so it needs no escaping in a link.
 * The caller frees it with free().
 */
char *sign_token(const struct signer *signer, const char *subject,
		 const char *action, time_t issued);

/*
 * Checks that token was made by one of our keys for action, and is at
 * most max_age seconds old at now (a token from the future by more than
 * a few minutes is forged).  On SIGN_OK *subject_out (free()) is the
 * address it was made for, and *issued_out (may be NULL) when.
 */
enum sign_status sign_check(const struct signer *signer, const char *token,
			    const char *action, time_t now, long max_age,
			    char **subject_out, time_t *issued_out);

/*
 * A keyed hash of text for purpose (a label such as "erased"), under the
 * current key (which 0) or the previous one (which 1), whatever its
 * date: 43 URL-safe characters that tell nothing about text without the
 * key.  Returns a new string (free()), or NULL when there is no such key.
 */
char *sign_keyed_hash(const struct signer *signer, int which,
		      const char *purpose, const char *text);

/* Overwrites the keys and frees the signer; NULL is fine. */
void sign_free(struct signer *signer);

#endif
