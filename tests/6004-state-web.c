/*
 * 6004-state-web.c - what the subscribers' pages keep (state_web.c): a
 * sign-up waits, is replaced and expires; confirming adds a subscriber,
 * switches an inactive one back on, or finds nothing; leaving and coming
 * back; choices saved only when they differ; erasing keeps nothing but
 * the hash, and confirming again lifts it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state.h"
#include "testcheck.h"
#include "teststore.h"
#include "util.h"

static const time_t now = 1796027400;

static void
put(struct state *state, const char *email, const char *provider, time_t when,
    time_t expire_before)
{
	struct signup signup = {0};

	signup.email = (char *)email;
	signup.provider = (char *)provider;
	signup.language = (char *)"en";
	signup.format = SUBSCRIBER_FORMAT_TEXT;
	signup.requested_at = when;
	CHECK(state_signup_put(state, &signup, expire_before, NULL) ==
	      STATE_OK);
}

static void
test_signups(struct state *state)
{
	struct signup signup;
	enum state_confirm result;
	struct profile profile;

	put(state, "old@example.nl", "delta", now - 9000, 0);
	put(state, "anna@example.nl", "zeelandnet", now - 100, 0);
	put(state, "Anna@example.nl", "delta", now, now - 3600);
	/* Replaced, and the old one forgotten as it expired. */
	CHECK(state_signup_get(state, "anna@example.nl", &signup, NULL) ==
	      STATE_OK);
	CHECK(signup.requested_at == now &&
	      strcmp(signup.provider, "delta") == 0);
	state_signup_clear(&signup);
	CHECK(state_signup_get(state, "old@example.nl", &signup, NULL) ==
	      STATE_ENOTFOUND);
	/* Nothing to confirm for an unknown address. */
	CHECK(state_signup_confirm(state, "nobody@example.nl", NULL, 0, now,
				   &result, NULL) == STATE_OK);
	CHECK(result == STATE_CONFIRM_NONE);
	CHECK(state_signup_confirm(state, "ANNA@example.nl", NULL, 0, now,
				   &result, NULL) == STATE_OK);
	CHECK(result == STATE_CONFIRMED);
	CHECK(state_profile_get(state, "anna@example.nl", &profile, NULL) ==
	      STATE_OK);
	CHECK(profile.subscriber.active && profile.confirmed_at == now &&
	      strcmp(profile.origin, "web") == 0 &&
	      strcmp(profile.subscriber.provider, "delta") == 0 &&
	      profile.subscriber.format == SUBSCRIBER_FORMAT_TEXT);
	state_profile_clear(&profile);
	CHECK(state_signup_confirm(state, "anna@example.nl", NULL, 0, now,
				   &result, NULL) == STATE_OK);
	CHECK(result == STATE_CONFIRM_ALREADY);
}

static void
test_leave_and_choose(struct state *state)
{
	struct subscriber sub = {0};
	struct profile profile;
	int changed = -1;

	CHECK(state_subscriber_leave(state, "anna@example.nl", now + 1,
				     &changed, NULL) == STATE_OK &&
	      changed == 1);
	CHECK(state_subscriber_leave(state, "anna@example.nl", now + 2,
				     &changed, NULL) == STATE_OK &&
	      changed == 0);
	CHECK(state_subscriber_leave(state, "nobody@example.nl", now, &changed,
				     NULL) == STATE_ENOTFOUND);
	CHECK(state_subscriber_return(state, "anna@example.nl", now + 3,
				      &changed, NULL) == STATE_OK &&
	      changed == 1);
	CHECK(state_subscriber_return(state, "anna@example.nl", now + 3,
				      &changed, NULL) == STATE_OK &&
	      changed == 0);
	sub.email = (char *)"anna@example.nl";
	sub.provider = (char *)"zeelandnet";
	sub.language = (char *)"nl";
	sub.format = SUBSCRIBER_FORMAT_BOTH;
	CHECK(state_subscriber_choose(state, &sub, &changed, NULL) ==
		  STATE_OK &&
	      changed == 1);
	CHECK(state_subscriber_choose(state, &sub, &changed, NULL) ==
		  STATE_OK &&
	      changed == 0);
	sub.language = (char *)"de";
	CHECK(state_subscriber_choose(state, &sub, &changed, NULL) ==
	      STATE_EINVALID);
	sub.email = (char *)"nobody@example.nl";
	sub.language = (char *)"nl";
	CHECK(state_subscriber_choose(state, &sub, &changed, NULL) ==
	      STATE_ENOTFOUND);
	CHECK(state_profile_get(state, "anna@example.nl", &profile, NULL) ==
	      STATE_OK);
	CHECK(profile.subscriber.active && profile.unsubscribed_at == 0 &&
	      strcmp(profile.subscriber.provider, "zeelandnet") == 0);
	state_profile_clear(&profile);
}

static void
test_erase(struct state *state)
{
	const char *hashes[2] = {"hash-of-anna", NULL};
	enum state_confirm result;
	size_t count = 0;
	time_t erased_at = 0;
	int found = 0;

	CHECK(state_subscriber_erase(state, "anna@example.nl", "hash-of-anna",
				     now, &found, NULL) == STATE_OK &&
	      found);
	CHECK(state_profile_get(state, "anna@example.nl", &(struct profile){0},
				NULL) == STATE_ENOTFOUND);
	CHECK(state_suppression_count(state, &count, NULL) == STATE_OK &&
	      count == 1);
	CHECK(state_suppressed(state, hashes, 2, &erased_at, NULL) ==
		  STATE_OK &&
	      erased_at == now);
	CHECK(state_subscriber_erase(state, "anna@example.nl", "hash-of-anna",
				     now, &found, NULL) == STATE_OK &&
	      !found);
	/* Back through a confirmed sign-up: the suppression goes. */
	put(state, "anna@example.nl", NULL, now + 10, 0);
	CHECK(state_signup_confirm(state, "anna@example.nl", hashes, 2,
				   now + 20, &result, NULL) == STATE_OK &&
	      result == STATE_CONFIRMED);
	CHECK(state_suppression_count(state, &count, NULL) == STATE_OK &&
	      count == 0);
}

int
main(void)
{
	struct state *state = NULL;
	char *path, *errstr = NULL;

	teststore_init("6004");
	path = teststore_new("web");
	if (state_open(path, &state, &errstr) != STATE_OK) {
		fprintf(stderr, "%s\n", errstr);
		return 1;
	}
	test_signups(state);
	test_leave_and_choose(state);
	test_erase(state);
	state_close(state);
	free(path);
	teststore_cleanup();
	if (failures) {
		fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	printf("6004-state-web: all checks passed\n");
	return 0;
}
