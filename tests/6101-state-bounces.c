/*
 * 6101-state-bounces.c - bounces in the store (state_bounces.c): the
 * journal entry becomes "bounced", the day counts against the subscriber
 * even though the server's acceptance cleared their count, days in a row
 * are judged by the journal (a delivered day breaks a run, a late bounce
 * can join two), a duplicate is not counted twice, a run older than the
 * last counted failure leaves the count alone, and a delivery is found
 * by its Message-ID or as the newest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "testcheck.h"
#include "teststore.h"
#include "util.h"

#define NOW 1800000000
#define DEACTIVATE_AFTER 3

static struct state *state;

static void
add_subscriber(const char *email)
{
	struct subscriber sub = {0};
	char *errstr = NULL;

	sub.email = (char *)email;
	sub.language = "nl";
	sub.active = 1;
	CHECK(state_subscriber_add(state, &sub, &errstr) == STATE_OK);
	free(errstr);
}

/* A delivery of date to email that ended as outcome. */
static void
deliver(const char *email, const char *date, enum delivery_state outcome)
{
	struct delivery entry = {0};
	char *errstr = NULL;
	int deactivated = 0;

	entry.email = (char *)email;
	util_strlcpy(entry.digest_date, date, sizeof entry.digest_date);
	entry.message_id = xasprintf("%s.%s", date, email);
	CHECK(state_delivery_begin(state, &entry, NOW, &errstr) == STATE_OK);
	if (outcome != DELIVERY_SENDING)
		CHECK(state_delivery_finish(state, email, date, outcome,
					    "550 no", NOW,
					    &errstr) == STATE_OK);
	/* The send loop counts a refusal as deliver.c does. */
	if (outcome == DELIVERY_PERM_FAILED)
		CHECK(state_subscriber_failed(
			  state, email, date, "550 no", DEACTIVATE_AFTER, NOW,
			  &deactivated, &errstr) == STATE_OK);
	free(entry.message_id);
	free(errstr);
}

static struct delivery_bounce
bounce(const char *email, const char *date, enum state_status want)
{
	static time_t later = NOW;
	struct delivery_bounce result;
	char *errstr = NULL;

	/* Each bounce read a minute after the one before. */
	later += 60;
	CHECK(state_delivery_bounced(state, email, date, "bounced: 5.1.1",
				     DEACTIVATE_AFTER, later, &result,
				     &errstr) == want);
	if (want == STATE_ENOTFOUND)
		CHECK(errstr != NULL && strstr(errstr, date) != NULL);
	free(errstr);
	return result;
}

static enum delivery_state
journal(const char *email, const char *date)
{
	struct delivery entry;
	char *errstr = NULL;
	enum delivery_state found;

	CHECK(state_delivery_get(state, email, date, &entry, &errstr) ==
	      STATE_OK);
	found = entry.state;
	state_delivery_clear(&entry);
	free(errstr);
	return found;
}

static int
is_active(const char *email)
{
	struct subscriber sub;
	char *errstr = NULL;
	int active = -1;

	if (state_subscriber_get(state, email, &sub, &errstr) == STATE_OK) {
		active = sub.active;
		subscriber_clear(&sub);
	}
	free(errstr);
	return active;
}

/* The subscriber's count of failing days, from the attention list. */
static long
failure_days(const char *email)
{
	struct attention_list list;
	char *errstr = NULL;
	long days = 0;

	CHECK(state_subscribers_attention(state, &list, &errstr) == STATE_OK);
	for (size_t i = 0; i < list.count; i++)
		if (strcmp(list.subscribers[i].email, email) == 0)
			days = list.subscribers[i].failure_days;
	state_attention_list_clear(&list);
	free(errstr);
	return days;
}

/* Bounces read every day, between the mornings' runs. */
static void
test_daily(void)
{
	static const char *const days[] = {"2026-11-29", "2026-11-30",
					   "2026-12-01"};
	const char *anna = "anna@example.nl";
	struct delivery_bounce result;

	add_subscriber(anna);
	for (int i = 0; i < 3; i++) {
		deliver(anna, days[i], DELIVERY_SENT);
		/* The server's acceptance cleared the count... */
		CHECK(failure_days(anna) == 0);
		result = bounce(anna, days[i], STATE_OK);
		/* ...and the bounce puts the days back together. */
		CHECK(result.outcome == DELIVERY_BOUNCE_RECORDED);
		CHECK(result.counted && result.failure_days == i + 1);
		CHECK(result.deactivated == (i == 2));
		CHECK(failure_days(anna) == i + 1);
		CHECK(journal(anna, days[i]) == DELIVERY_BOUNCED);
	}
	CHECK(is_active(anna) == 0);
	/* The same bounce again: nothing counted twice. */
	result = bounce("ANNA@example.nl", days[1], STATE_OK);
	CHECK(result.outcome == DELIVERY_BOUNCE_ALREADY && !result.counted);
	CHECK(failure_days(anna) == 3);
}

/* A day that arrived breaks a run; its late bounce joins the two. */
static void
test_runs(void)
{
	const char *bob = "bob@example.nl";
	struct delivery_bounce result;

	add_subscriber(bob);
	deliver(bob, "2026-11-29", DELIVERY_SENT);
	deliver(bob, "2026-11-30", DELIVERY_SENT);
	deliver(bob, "2026-12-01", DELIVERY_SENT);
	/* A day with no delivery (nothing new) neither breaks nor counts. */
	deliver(bob, "2026-12-03", DELIVERY_SENT);
	result = bounce(bob, "2026-11-29", STATE_OK);
	CHECK(result.counted && result.failure_days == 1);
	result = bounce(bob, "2026-12-01", STATE_OK);
	CHECK(result.counted && result.failure_days == 1);
	result = bounce(bob, "2026-11-30", STATE_OK);
	CHECK(result.counted && result.failure_days == 3 && result.deactivated);
	CHECK(is_active(bob) == 0);
	result = bounce(bob, "2026-12-03", STATE_OK);
	CHECK(result.counted && result.failure_days == 4 &&
	      !result.deactivated);
}

/* A refusal (5xx) and a bounce are days of one run. */
static void
test_refused_then_bounced(void)
{
	const char *dave = "dave@example.nl";
	struct delivery_bounce result;

	add_subscriber(dave);
	deliver(dave, "2026-11-29", DELIVERY_PERM_FAILED);
	CHECK(failure_days(dave) == 1);
	deliver(dave, "2026-11-30", DELIVERY_SENT);
	CHECK(failure_days(dave) == 0);
	result = bounce(dave, "2026-11-30", STATE_OK);
	CHECK(result.counted && result.failure_days == 2);
	/* The refused day is no delivery that could bounce. */
	result = bounce(dave, "2026-11-29", STATE_OK);
	CHECK(result.outcome == DELIVERY_BOUNCE_ALREADY);
	CHECK(is_active(dave) == 1);
}

/* A bounce from before the last counted failure is history. */
static void
test_old_run(void)
{
	const char *carol = "carol@example.nl";
	struct delivery_bounce result;

	add_subscriber(carol);
	deliver(carol, "2026-11-29", DELIVERY_SENT);
	deliver(carol, "2026-11-30", DELIVERY_SENT);
	deliver(carol, "2026-12-01", DELIVERY_PERM_FAILED);
	deliver(carol, "2026-12-02", DELIVERY_PERM_FAILED);
	CHECK(failure_days(carol) == 2);
	result = bounce(carol, "2026-11-29", STATE_OK);
	CHECK(result.outcome == DELIVERY_BOUNCE_RECORDED && !result.counted);
	CHECK(journal(carol, "2026-11-29") == DELIVERY_BOUNCED);
	CHECK(failure_days(carol) == 2);
}

static void
test_other_states(void)
{
	const char *erin = "erin@example.nl";
	struct delivery_bounce result;

	add_subscriber(erin);
	/* A run is still on it: not yet. */
	deliver(erin, "2026-11-29", DELIVERY_SENDING);
	result = bounce(erin, "2026-11-29", STATE_OK);
	CHECK(result.outcome == DELIVERY_BOUNCE_PENDING && !result.counted);
	CHECK(journal(erin, "2026-11-29") == DELIVERY_SENDING);
	/* Uncertain: the bounce shows it arrived at a server. */
	deliver(erin, "2026-11-30", DELIVERY_UNCERTAIN);
	result = bounce(erin, "2026-11-30", STATE_OK);
	CHECK(result.outcome == DELIVERY_BOUNCE_RECORDED && result.counted);
	CHECK(journal(erin, "2026-11-30") == DELIVERY_BOUNCED);
	/* No delivery that day, or no such address. */
	bounce(erin, "2026-12-05", STATE_ENOTFOUND);
	bounce("nobody@example.nl", "2026-11-29", STATE_ENOTFOUND);
	/* A subscriber who left: the journal keeps the bounce, no count. */
	deliver("gone@example.nl", "2026-11-29", DELIVERY_SENT);
	result = bounce("gone@example.nl", "2026-11-29", STATE_OK);
	CHECK(result.outcome == DELIVERY_BOUNCE_RECORDED && !result.counted);
	CHECK(journal("gone@example.nl", "2026-11-29") == DELIVERY_BOUNCED);
}

static void
test_find(void)
{
	const char *fred = "fred@example.nl";
	char date[11];
	char *errstr = NULL;

	deliver(fred, "2026-11-29", DELIVERY_SENT);
	deliver(fred, "2026-11-30", DELIVERY_SENT);
	deliver(fred, "2026-12-01", DELIVERY_TEMP_FAILED);
	CHECK(state_delivery_find(state, fred, "2026-11-29.fred@example.nl",
				  date, &errstr) == STATE_OK &&
	      strcmp(date, "2026-11-29") == 0);
	/* Unknown or no Message-ID: the newest that went out. */
	CHECK(state_delivery_find(state, "Fred@example.nl", "x@y.nl", date,
				  &errstr) == STATE_OK &&
	      strcmp(date, "2026-11-30") == 0);
	CHECK(state_delivery_find(state, fred, NULL, date, &errstr) ==
		  STATE_OK &&
	      strcmp(date, "2026-11-30") == 0);
	CHECK(state_delivery_find(state, "nobody@example.nl", NULL, date,
				  &errstr) == STATE_OK &&
	      date[0] == '\0');
	free(errstr);
}

int
main(void)
{
	char *path, *errstr = NULL;

	teststore_init("6101");
	path = teststore_new("bounces");
	if (state_open(path, &state, &errstr) != STATE_OK) {
		fprintf(stderr, "%s\n", errstr);
		return 1;
	}
	test_daily();
	test_runs();
	test_refused_then_bounced();
	test_old_run();
	test_other_states();
	test_find();
	state_close(state);
	free(path);
	teststore_cleanup();
	if (failures) {
		fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	printf("6101-state-bounces: all checks passed\n");
	return 0;
}
