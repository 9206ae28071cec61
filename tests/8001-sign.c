/*
 * 8001-sign.c - signed link tokens (sign.c): a token verifies for its own
 * subject and action only; any change, a cut, another key, an old or a
 * future token is refused; a replaced key verifies until its time is up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sign.h"
#include "testcheck.h"
#include "util.h"

static const char key_a[] = "a key of at least thirty-two bytes, for tests";
static const char key_b[] = "another key of thirty-two bytes or more, too";
static const time_t issued = 1795941000; /* 2026-11-29 07:50 UTC */

static enum sign_status
check(const struct signer *signer, const char *token, const char *action,
      time_t now, long max_age, char **subject_out)
{
	*subject_out = NULL;
	return sign_check(signer, token, action, now, max_age, subject_out,
			  NULL);
}

static void
test_round_trip(const struct signer *signer)
{
	char *token =
	    sign_token(signer, "anna@example.nl", "unsubscribe", issued);
	char *subject = NULL;
	time_t when = 0;

	for (const char *p = token; *p; p++)
		CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
			     "wxyz0123456789-_.",
			     *p) != NULL);
	CHECK(sign_check(signer, token, "unsubscribe", issued + 60, 86400,
			 &subject, &when) == SIGN_OK);
	CHECK(subject != NULL && strcmp(subject, "anna@example.nl") == 0);
	CHECK(when == issued);
	free(subject);
	/* Another action: forged, whatever it says. */
	CHECK(check(signer, token, "prefs", issued, 86400, &subject) ==
	      SIGN_EFORGED);
	CHECK(subject == NULL);
	/* Too old, or from too far ahead. */
	CHECK(check(signer, token, "unsubscribe", issued + 86401, 86400,
		    &subject) == SIGN_EEXPIRED);
	CHECK(check(signer, token, "unsubscribe", issued - 3600, 86400,
		    &subject) == SIGN_EFORGED);
	/* A negative max_age means no limit. */
	CHECK(check(signer, token, "unsubscribe", issued + 3650L * 86400, -1,
		    &subject) == SIGN_OK);
	free(subject);
	free(token);
}

/* Every single-character change and every cut is refused. */
static void
test_tampering(const struct signer *signer)
{
	char *token = sign_token(signer, "anna@example.nl", "prefs", issued);
	size_t length = strlen(token);
	char *subject = NULL;
	int accepted = 0;

	for (size_t i = 0; i < length; i++) {
		char *copy = xstrdup(token);

		copy[i] = copy[i] == 'A' ? 'B' : 'A';
		if (check(signer, copy, "prefs", issued, 86400, &subject) ==
		    SIGN_OK)
			accepted++;
		free(subject);
		copy[i] = '\0';
		if (check(signer, copy, "prefs", issued, 86400, &subject) ==
		    SIGN_OK)
			accepted++;
		free(subject);
		free(copy);
	}
	CHECK(accepted == 0);
	/* Bob's token for Anna's address is no use: the subject is signed. */
	free(token);
	token = sign_token(signer, "bob@example.nl", "prefs", issued);
	CHECK(check(signer, token, "prefs", issued, 86400, &subject) ==
	      SIGN_OK);
	CHECK(strcmp(subject, "bob@example.nl") == 0);
	free(subject);
	free(token);
	CHECK(check(signer, "", "prefs", issued, 86400, &subject) ==
	      SIGN_EMALFORMED);
	CHECK(check(signer, "....", "prefs", issued, 86400, &subject) ==
	      SIGN_EMALFORMED);
	CHECK(check(signer, NULL, "prefs", issued, 86400, &subject) ==
	      SIGN_EMALFORMED);
	CHECK(check(signer, "2.YQ.prefs.1.AAAA", "prefs", issued, 86400,
		    &subject) == SIGN_EMALFORMED);
}

static void
test_rotation(void)
{
	struct signer *old = sign_new(key_a, strlen(key_a), NULL, 0, 0);
	struct signer *rotated = sign_new(key_b, strlen(key_b), key_a,
					  strlen(key_a), issued + 86400);
	struct signer *other = sign_new(key_b, strlen(key_b), NULL, 0, 0);
	char *token = sign_token(old, "anna@example.nl", "view", issued);
	char *fresh = sign_token(rotated, "anna@example.nl", "view", issued);
	char *subject = NULL;

	CHECK(check(rotated, token, "view", issued + 3600, -1, &subject) ==
	      SIGN_OK);
	free(subject);
	CHECK(check(rotated, token, "view", issued + 86401, -1, &subject) ==
	      SIGN_EFORGED);
	CHECK(check(other, token, "view", issued, -1, &subject) ==
	      SIGN_EFORGED);
	/* New tokens are made with the new key alone. */
	CHECK(check(old, fresh, "view", issued, -1, &subject) == SIGN_EFORGED);
	CHECK(check(other, fresh, "view", issued, -1, &subject) == SIGN_OK);
	free(subject);
	free(token);
	free(fresh);
	sign_free(old);
	sign_free(rotated);
	sign_free(other);
}

int
main(void)
{
	struct signer *signer = sign_new(key_a, strlen(key_a), NULL, 0, 0);

	test_round_trip(signer);
	test_tampering(signer);
	test_rotation();
	sign_free(signer);
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
