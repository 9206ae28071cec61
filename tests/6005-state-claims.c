/*
 * 6005-state-claims: runs sharing a morning through the store (state.h's
 * rounds, claims and leases), on SQLite and on PostgreSQL alike, since
 * the logic is written once: batches handed out in id order and never
 * twice, a run that waits while a living run still holds claims, a dead
 * run's claim taken over with its deliveries under way settled as
 * uncertain, a new round once everything is done; a second run's
 * state_delivery_begin() refused while another run is sending; and a
 * provider's limits counted across runs (state_limit_take()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "testcheck.h"
#include "teststore.h"
#include "util.h"

#define DAY "2026-11-29"
#define NOW 1800000000L

static void
add_subscribers(struct state *state, int count)
{
	for (int i = 0; i < count; i++) {
		char *email = xasprintf("lezer%02d@example.nl", i);
		struct subscriber sub = {0};

		sub.email = email;
		sub.language = (char *)"nl";
		sub.format = SUBSCRIBER_FORMAT_BOTH;
		sub.active = 1;
		CHECK(state_subscriber_add(state, &sub, NULL) == STATE_OK);
		free(email);
	}
}

/* A run of the store: its record, its lease until lease_until. */
static long
new_run(struct state *state, time_t lease_until)
{
	long id = 0;

	CHECK(state_run_begin(state, DAY, "host", 1, NOW, &id, NULL) ==
	      STATE_OK);
	CHECK(state_run_renew(state, id, lease_until, NULL) == STATE_OK);
	return id;
}

static enum state_claim_result
next(struct state *state, struct state_claim *claim)
{
	enum state_claim_result result = STATE_CLAIM_DONE;

	CHECK(state_claim_next(state, DAY, 4, NOW, claim, &result, NULL) ==
	      STATE_OK);
	return result;
}

/* Begins a delivery to email as a run would, before its data. */
static enum state_status
begin(struct state *state, const char *email)
{
	struct delivery entry = {0};
	char *errstr = NULL;
	enum state_status status;

	entry.email = (char *)email;
	util_strlcpy(entry.digest_date, DAY, sizeof entry.digest_date);
	entry.provider = (char *)"delta";
	entry.first_edition = 1;
	entry.last_edition = 1;
	status = state_delivery_begin(state, &entry, NOW, &errstr);
	free(errstr);
	return status;
}

static enum delivery_state
journal_state(struct state *state, const char *email)
{
	struct delivery entry;
	enum delivery_state found;

	CHECK(state_delivery_get(state, email, DAY, &entry, NULL) == STATE_OK);
	found = entry.state;
	state_delivery_clear(&entry);
	return found;
}

static void
test_shared_round(struct state *one, struct state *two)
{
	struct state_claim a = {0}, b = {0};
	size_t settled = 1;

	a.run_id = new_run(one, NOW + 60);
	b.run_id = new_run(two, NOW + 60);
	CHECK(state_share_join(one, DAY, NOW, &a.round, &settled, NULL) ==
	      STATE_OK);
	CHECK(a.round == 1 && settled == 0);
	CHECK(next(one, &a) == STATE_CLAIM_BATCH);
	CHECK(a.first_id == 1 && a.last_id == 4 && !a.taken_over);
	/* The second run joins the same round and gets the next batch. */
	CHECK(state_share_join(two, DAY, NOW, &b.round, &settled, NULL) ==
	      STATE_OK);
	CHECK(b.round == 1);
	CHECK(next(two, &b) == STATE_CLAIM_BATCH);
	CHECK(b.first_id == 5 && b.last_id == 8);
	CHECK(next(one, &a) == STATE_CLAIM_BATCH);
	CHECK(a.first_id == 9 && a.last_id == 10);
	/* Nothing left to hand out; the first run still works: wait. */
	CHECK(next(two, &b) == STATE_CLAIM_WAIT);
	CHECK(state_claims_finish(one, a.run_id, NULL) == STATE_OK);
	CHECK(next(two, &b) == STATE_CLAIM_DONE);
	CHECK(state_claims_finish(two, b.run_id, NULL) == STATE_OK);
}

static void
test_take_over(struct state *one, struct state *two)
{
	struct state_claim dead = {0}, alive = {0};
	size_t settled = 0;

	/* Everything is done: a later run starts the next round. */
	dead.run_id = new_run(one, NOW + 60);
	CHECK(state_share_join(one, DAY, NOW, &dead.round, &settled, NULL) ==
	      STATE_OK);
	CHECK(dead.round == 2);
	CHECK(next(one, &dead) == STATE_CLAIM_BATCH);
	CHECK(dead.first_id == 1 && dead.last_id == 4);
	CHECK(begin(one, "lezer01@example.nl") == STATE_OK);
	/*
	 * While it sends, no other run may begin the same delivery (on a
	 * shared store; SQLite's run lock keeps a second run out anyway).
	 */
	CHECK(begin(two, "lezer01@example.nl") ==
	      (teststore_is_pg() ? STATE_EEXISTS : STATE_OK));
	CHECK(journal_state(one, "lezer01@example.nl") == DELIVERY_SENDING);
	/* The run dies: its lease runs out. */
	CHECK(state_run_renew(one, dead.run_id, NOW - 1, NULL) == STATE_OK);
	alive.run_id = new_run(two, NOW + 60);
	CHECK(state_share_join(two, DAY, NOW, &alive.round, &settled, NULL) ==
	      STATE_OK);
	CHECK(alive.round == 2 && settled == 0);
	CHECK(next(two, &alive) == STATE_CLAIM_BATCH);
	CHECK(alive.taken_over && alive.first_id == 1 && alive.last_id == 4);
	CHECK(alive.settled == 1);
	CHECK(journal_state(two, "lezer01@example.nl") == DELIVERY_UNCERTAIN);
	/* The claim is the new run's now: nobody takes it again. */
	CHECK(next(two, &alive) == STATE_CLAIM_BATCH);
	CHECK(!alive.taken_over && alive.first_id == 5);
	CHECK(next(two, &alive) == STATE_CLAIM_BATCH && alive.last_id == 10);
	CHECK(next(two, &alive) == STATE_CLAIM_DONE);
	CHECK(state_claims_finish(two, alive.run_id, NULL) == STATE_OK);
}

/* A new round settles what a dead run left "sending". */
static void
test_new_round(struct state *one, struct state *two)
{
	struct state_claim claim = {0};
	size_t settled = 0;

	CHECK(begin(one, "lezer07@example.nl") == STATE_OK);
	claim.run_id = new_run(two, NOW + 60);
	CHECK(state_share_join(two, DAY, NOW, &claim.round, &settled, NULL) ==
	      STATE_OK);
	CHECK(claim.round == 3 && settled == 1);
	CHECK(journal_state(two, "lezer07@example.nl") == DELIVERY_UNCERTAIN);
}

/* Takes want sends of "delta" at the second at (3 a minute, 5 a day). */
static size_t
take(struct state *state, long at, size_t want, long long *id_out,
     int *day_full_out)
{
	struct state_limit_take take = {0};

	take.provider = "delta";
	take.digest_date = DAY;
	take.per_minute = 3;
	take.per_day = 5;
	take.now_ms = (long long)at * 1000;
	take.want = want;
	CHECK(state_limit_take(state, &take, NULL) == STATE_OK);
	if (id_out)
		*id_out = take.take_id;
	if (day_full_out)
		*day_full_out = take.day_full;
	return take.taken;
}

static void
test_limits(struct state *one, struct state *two)
{
	long long first = 0;
	int day_full = 1;

	CHECK(take(one, NOW, 2, &first, NULL) == 2 && first != 0);
	/* The other run sees the first run's sends. */
	CHECK(take(two, NOW + 10, 2, NULL, NULL) == 1);
	CHECK(take(two, NOW + 20, 1, NULL, &day_full) == 0 && !day_full);
	/* One of the first take was not sent after all. */
	CHECK(state_limit_give_back(one, first, 1, NULL) == STATE_OK);
	CHECK(take(two, NOW + 30, 2, NULL, NULL) == 1);
	/* A minute after the first take, its one send has aged out. */
	CHECK(take(one, NOW + 59, 1, NULL, NULL) == 0);
	CHECK(take(one, NOW + 61, 3, NULL, NULL) == 1);
	/* The day's five are spent (2 - 1 + 1 + 1 + 1 + 1). */
	CHECK(take(one, NOW + 200, 3, NULL, NULL) == 1);
	CHECK(take(two, NOW + 300, 1, NULL, &day_full) == 0 && day_full);
}

int
main(void)
{
	struct state *one = NULL, *two = NULL;
	char *path;

	teststore_init("6005");
	path = teststore_new("claims");
	CHECK(state_open(path, &one, NULL) == STATE_OK);
	CHECK(state_open(path, &two, NULL) == STATE_OK);
	if (one == NULL || two == NULL)
		return 1;
	add_subscribers(one, 10);
	/* Taking and letting go of the edition lock, as send does. */
	CHECK(state_edition_lock(one, 1, NULL) == STATE_OK);
	CHECK(state_edition_lock(one, 0, NULL) == STATE_OK);
	test_shared_round(one, two);
	test_take_over(one, two);
	test_new_round(one, two);
	test_limits(one, two);
	state_close(one);
	state_close(two);
	free(path);
	teststore_cleanup();
	if (failures) {
		fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	printf("6005-state-claims: all checks passed on %s\n",
	       teststore_is_pg() ? "PostgreSQL" : "SQLite");
	return 0;
}
