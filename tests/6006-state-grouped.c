/*
 * 6006-state-grouped: the journal's writes grouped for speed, on SQLite
 * and on PostgreSQL alike.  A success noted with
 * state_delivery_sent_later() is not in the store until the connection's
 * next journal write (a begin, a finish) or state_deliveries_commit(), and
 * then exactly as state_delivery_finish() would have written it (the
 * subscriber's editions too); a begin refused still writes what was noted;
 * what a connection closes on stays "sending", which the next run settles
 * as uncertain.  And state_delivery_marks(): today's journal of a range of
 * subscriber ids in one query.
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
	for (int i = 1; i <= count; i++) {
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

static enum state_status
begin(struct state *state, int who, char **errstr_out)
{
	struct delivery entry = {0};
	char *email = xasprintf("lezer%02d@example.nl", who);
	enum state_status status;

	entry.email = email;
	util_strlcpy(entry.digest_date, DAY, sizeof entry.digest_date);
	entry.provider = "zeelandnet";
	entry.first_edition = 1;
	entry.last_edition = 4;
	entry.message_id = "id@example.nl";
	status = state_delivery_begin(state, &entry, NOW, errstr_out);
	free(email);
	return status;
}

static enum state_status
sent_later(struct state *state, int who)
{
	char *email = xasprintf("lezer%02d@example.nl", who);
	enum state_status status =
	    state_delivery_sent_later(state, email, DAY, NOW + who, NULL);

	free(email);
	return status;
}

/* The journal state of subscriber who as the store holds it now. */
static char *
stored_state(const char *path, int who)
{
	char *sql = xasprintf("SELECT CASE state WHEN 'sending' THEN 1 WHEN"
			      " 'sent' THEN 2 WHEN 'uncertain' THEN 3 ELSE 9"
			      " END FROM journal WHERE email ="
			      " 'lezer%02d@example.nl'",
			      who);
	long found = teststore_long(path, sql);

	free(sql);
	switch (found) {
	case 1:
		return "sending";
	case 2:
		return "sent";
	case 3:
		return "uncertain";
	case -1:
		return "none";
	default:
		return "other";
	}
}

static long
stored_edition(const char *path, int who)
{
	char *sql = xasprintf("SELECT coalesce(last_edition, 0) FROM"
			      " subscribers WHERE email ="
			      " 'lezer%02d@example.nl'",
			      who);
	long found = teststore_long(path, sql);

	free(sql);
	return found;
}

/* Noted successes ride along with the next begin, and with a finish. */
static void
test_grouped(const char *path, struct state *state)
{
	char *errstr = NULL;

	CHECK(begin(state, 1, NULL) == STATE_OK);
	CHECK(sent_later(state, 1) == STATE_OK);
	/* Another connection reads the store: not written yet. */
	CHECK(strcmp(stored_state(path, 1), "sending") == 0);
	CHECK(stored_edition(path, 1) == 0);
	CHECK(begin(state, 2, NULL) == STATE_OK);
	CHECK(strcmp(stored_state(path, 1), "sent") == 0);
	CHECK(stored_edition(path, 1) == 4);
	CHECK(strcmp(stored_state(path, 2), "sending") == 0);
	CHECK(teststore_long(path, "SELECT updated_at FROM journal WHERE"
				   " email = 'lezer01@example.nl'") == NOW + 1);
	/* A finish takes them along too. */
	CHECK(sent_later(state, 2) == STATE_OK);
	CHECK(begin(state, 3, NULL) == STATE_OK);
	CHECK(sent_later(state, 3) == STATE_OK);
	CHECK(strcmp(stored_state(path, 3), "sending") == 0);
	CHECK(begin(state, 4, NULL) == STATE_OK);
	CHECK(state_delivery_finish(state, "lezer04@example.nl", DAY,
				    DELIVERY_UNCERTAIN, "timed out", NOW,
				    NULL) == STATE_OK);
	CHECK(strcmp(stored_state(path, 3), "sent") == 0);
	CHECK(strcmp(stored_state(path, 4), "uncertain") == 0);
	/* A begin refused (sent already) still writes what was noted. */
	CHECK(begin(state, 5, NULL) == STATE_OK);
	CHECK(sent_later(state, 5) == STATE_OK);
	CHECK(begin(state, 1, &errstr) == STATE_EEXISTS);
	CHECK(errstr != NULL && strstr(errstr, "lezer01") != NULL);
	free(errstr);
	CHECK(strcmp(stored_state(path, 5), "sent") == 0);
	/* Nothing noted: a commit is nothing to do. */
	CHECK(state_deliveries_commit(state, NULL) == STATE_OK);
	/* An explicit commit writes them. */
	CHECK(begin(state, 6, NULL) == STATE_OK);
	CHECK(sent_later(state, 6) == STATE_OK);
	CHECK(state_deliveries_commit(state, NULL) == STATE_OK);
	CHECK(strcmp(stored_state(path, 6), "sent") == 0);
	CHECK(stored_edition(path, 6) == 4);
	/* A bad key is refused at once, not when written. */
	CHECK(state_delivery_sent_later(state, "lezer07@example.nl", "29-11",
					NOW, NULL) == STATE_EINVALID);
	CHECK(state_deliveries_commit(state, NULL) == STATE_OK);
}

/* What a connection closes on is not written: the next run settles it. */
static void
test_closed_unwritten(const char *path)
{
	struct state *state = NULL;
	size_t settled = 0;

	CHECK(state_open(path, &state, NULL) == STATE_OK);
	if (state == NULL)
		return;
	CHECK(begin(state, 7, NULL) == STATE_OK);
	CHECK(sent_later(state, 7) == STATE_OK);
	state_close(state);
	CHECK(strcmp(stored_state(path, 7), "sending") == 0);
	state = NULL;
	CHECK(state_open(path, &state, NULL) == STATE_OK);
	if (state == NULL)
		return;
	CHECK(state_deliveries_settle(state, NOW, &settled, NULL) == STATE_OK);
	CHECK(settled == 1);
	CHECK(strcmp(stored_state(path, 7), "uncertain") == 0);
	state_close(state);
}

/*
 * Many noted successes are written before they pile up (64 at most), so
 * that memory and what a crash leaves uncertain stay small.
 */
static void
test_many(const char *path, struct state *state)
{
	for (int who = 10; who < 90; who++)
		CHECK(begin(state, who, NULL) == STATE_OK);
	for (int who = 10; who < 90; who++)
		CHECK(sent_later(state, who) == STATE_OK);
	CHECK(strcmp(stored_state(path, 10), "sent") == 0);
	CHECK(strcmp(stored_state(path, 73), "sent") == 0);
	CHECK(strcmp(stored_state(path, 74), "sending") == 0);
	CHECK(strcmp(stored_state(path, 89), "sending") == 0);
	CHECK(state_deliveries_commit(state, NULL) == STATE_OK);
	CHECK(strcmp(stored_state(path, 89), "sent") == 0);
	CHECK(teststore_long(path, "SELECT count(*) FROM journal WHERE state"
				   " = 'sent'") == 85);
}

/* Today's journal of an id range, one query. */
static void
test_marks(struct state *state)
{
	struct delivery_mark *marks = NULL;
	size_t count = 0;

	CHECK(state_delivery_marks(state, DAY, 1, 6, &marks, &count, NULL) ==
	      STATE_OK);
	CHECK(count == 6);
	for (size_t i = 0; i < count && count == 6; i++)
		CHECK(marks[i].subscriber_id == (long)i + 1);
	if (count == 6) {
		CHECK(marks[0].state == DELIVERY_SENT);
		CHECK(marks[3].state == DELIVERY_UNCERTAIN);
	}
	free(marks);
	/* Another day: nobody has an entry. */
	CHECK(state_delivery_marks(state, "2026-11-30", 1, 99, &marks, &count,
				   NULL) == STATE_OK);
	CHECK(count == 0 && marks == NULL);
	/* A range that covers subscriber 2 alone. */
	CHECK(state_delivery_marks(state, DAY, 2, 2, &marks, &count, NULL) ==
	      STATE_OK);
	CHECK(count == 1 && marks != NULL && marks[0].subscriber_id == 2);
	free(marks);
}

int
main(void)
{
	struct state *state = NULL;
	char *path;

	teststore_init("6006");
	path = teststore_new("grouped");
	CHECK(state_open(path, &state, NULL) == STATE_OK);
	if (state == NULL)
		return 1;
	add_subscribers(state, 90);
	test_grouped(path, state);
	test_marks(state);
	test_many(path, state);
	state_close(state);
	test_closed_unwritten(path);
	free(path);
	teststore_cleanup();
	if (failures) {
		fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	printf("6006-state-grouped: all checks passed on %s\n",
	       teststore_is_pg() ? "PostgreSQL" : "SQLite");
	return 0;
}
