/*
 * 6001-state.c - the subscriber store: creation, migration, refusal of a
 * newer schema, subscriber CRUD, upsert atomicity, deliveries and the run
 * lock.  It runs twice: on SQLite files, and (6001-state-pg) on
 * PostgreSQL databases (tests/lib/teststore.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"
#include "testcheck.h"
#include "teststore.h"
#include "util.h"

#define CHECK_STR(got, want)                                                   \
	do {                                                                   \
		const char *got_ = (got), *want_ = (want);                     \
		if ((got_ == NULL) != (want_ == NULL) ||                       \
		    (got_ && strcmp(got_, want_) != 0)) {                      \
			fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n",    \
				__FILE__, __LINE__, got_ ? got_ : "(null)",    \
				want_ ? want_ : "(null)");                     \
			failures++;                                            \
		}                                                              \
	} while (0)

/* A new store of the kind this run tests (free()). */
static char *
tmp_path(const char *name)
{
	return teststore_new(name);
}

static void
raw_exec(const char *location, const char *sql)
{
	teststore_exec(location, sql);
}

static int
raw_int(const char *location, const char *sql)
{
	return (int)teststore_long(location, sql);
}

/* How many of digest's tables the store has. */
static int
table_count(const char *location)
{
	return raw_int(location,
		       teststore_is_pg()
			   ? "SELECT count(*) FROM information_schema.tables"
			     " WHERE table_name IN ('subscribers', 'journal',"
			     " 'editions', 'items', 'runs', 'sources')"
			   : "SELECT count(*) FROM sqlite_schema WHERE name"
			     " IN ('subscribers', 'journal', 'editions',"
			     " 'items', 'runs', 'sources')");
}

static struct subscriber
make_sub(const char *email, const char *name, const char *provider,
	 const char *language, enum subscriber_format format)
{
	struct subscriber sub;

	memset(&sub, 0, sizeof sub);
	sub.email = (char *)email;
	sub.name = (char *)name;
	sub.provider = (char *)provider;
	sub.language = (char *)language;
	sub.format = format;
	sub.active = 1;
	return sub;
}

/* The SQLite file's own checks: its directory, its contents, WAL. */
static void
test_open_file(const char *path)
{
	struct state *state = NULL;
	char *missing = xasprintf("%s.d/no/such/dir/x.sqlite", path);
	char *garbage = xasprintf("%s.garbage", path);
	char *errstr = NULL;
	struct stat st;

	CHECK(stat(path, &st) == 0);
	/* WAL is a property of the file: it outlives the connection. */
	CHECK(raw_int(path, "SELECT journal_mode = 'wal'"
			    " FROM pragma_journal_mode") == 1);
	state = (struct state *)1;
	CHECK(state_open(missing, &state, &errstr) == STATE_EIO);
	CHECK(state == NULL);
	CHECK(errstr != NULL && strstr(errstr, missing) != NULL);
	free(errstr);
	errstr = NULL;

	CHECK(util_write_file_atomic(garbage,
				     "this is no database at all, "
				     "just some text that is long "
				     "enough to have a header",
				     80) == 0);
	CHECK(state_open(garbage, &state, &errstr) == STATE_EIO);
	CHECK(errstr != NULL && strstr(errstr, garbage) != NULL);
	free(errstr);
	free(missing);
	free(garbage);
}

/*
 * The server's: a database that is not there, and a URL that holds a
 * password, refused without showing it.
 */
static void
test_open_server(const char *url)
{
	struct state *state = (struct state *)1;
	char *missing = xasprintf("%s_none", url);
	char *secret = xasprintf("postgresql://digest:hunter2@127.0.0.1:1/x");
	char *errstr = NULL;

	CHECK(state_open(missing, &state, &errstr) == STATE_EIO);
	CHECK(state == NULL);
	CHECK(errstr != NULL && strstr(errstr, missing) != NULL);
	free(errstr);
	errstr = NULL;
	CHECK(state_open(secret, &state, &errstr) == STATE_EINVALID);
	CHECK(errstr != NULL && strstr(errstr, "hunter2") == NULL &&
	      strstr(errstr, "password") != NULL);
	free(errstr);
	free(missing);
	free(secret);
}

static void
test_open(void)
{
	struct state *state = NULL;
	char *path = tmp_path("open");
	char *errstr = NULL;

	/* A store that only looks finds none, and makes none. */
	CHECK(state_open_existing(path, &state, &errstr) == STATE_ENOTFOUND);
	CHECK(state == NULL && errstr != NULL &&
	      strstr(errstr, "no state database yet") != NULL);
	free(errstr);
	errstr = NULL;
	CHECK(teststore_is_pg() ? table_count(path) == 0
				: access(path, F_OK) != 0);
	CHECK(state_open(path, &state, &errstr) == STATE_OK);
	CHECK(state != NULL && errstr == NULL);
	state_close(state);
	CHECK(teststore_version(path) == 5);
	/* Opening again migrates nothing and keeps the version. */
	CHECK(state_open(path, &state, &errstr) == STATE_OK);
	state_close(state);
	CHECK(state_open_existing(path, &state, &errstr) == STATE_OK);
	state_close(state);
	CHECK(teststore_version(path) == 5);
	if (teststore_is_pg())
		test_open_server(path);
	else
		test_open_file(path);
	free(path);
}

static enum delivery_state journal_state(struct state *state, const char *email,
					 const char *date);

/*
 * A version 1 database keeps its subscribers and what was sent: the old
 * delivery record becomes "sent" entries of the journal.  (SQLite only:
 * the PostgreSQL store began at version 4.)
 */
static void
test_migrate_v1(void)
{
	struct state *state = NULL;
	char *old = tmp_path("v1");
	char *errstr = NULL;

	raw_exec(old,
		 "CREATE TABLE subscribers (id INTEGER PRIMARY KEY, email TEXT"
		 " NOT NULL UNIQUE COLLATE NOCASE, name TEXT, provider TEXT,"
		 " language TEXT NOT NULL, format TEXT NOT NULL, active"
		 " INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL,"
		 " updated_at INTEGER NOT NULL);"
		 "CREATE INDEX subscribers_provider ON subscribers (provider);"
		 "CREATE TABLE deliveries (email TEXT NOT NULL COLLATE NOCASE,"
		 " digest_date TEXT NOT NULL, message_id TEXT, sent_at INTEGER"
		 " NOT NULL, PRIMARY KEY (email, digest_date));"
		 "INSERT INTO subscribers VALUES (1, 'anna@example.nl', NULL,"
		 " NULL, 'nl', 'both', 1, 1, 1);"
		 "INSERT INTO deliveries VALUES ('anna@example.nl',"
		 " '2026-11-28', 'm@example.nl', 1800000000);"
		 "PRAGMA user_version = 1;");
	CHECK(state_open(old, &state, &errstr) == STATE_OK);
	CHECK(journal_state(state, "anna@example.nl", "2026-11-28") ==
	      DELIVERY_SENT);
	state_close(state);
	CHECK(teststore_version(old) == 5);
	CHECK(raw_int(old, "SELECT count(*) FROM subscribers") == 1);
	free(errstr);
	free(old);
}

/*
 * Found by scripts/mutate (issue 7): a check that let through one version
 * more than this digest knows went unnoticed, since the only newer
 * database tried was version 99.  The very next version must be refused
 * too: there is no migration to run for it.
 */
static void
test_refuse_next_version(void)
{
	struct state *state = NULL;
	char *current = tmp_path("current");
	char *next = tmp_path("next");
	char *errstr = NULL;
	long version;

	CHECK(state_open(current, &state, &errstr) == STATE_OK);
	state_close(state);
	state = NULL;
	version = teststore_version(current);
	CHECK(version >= 1);
	teststore_set_version(next, version + 1);
	CHECK(state_open(next, &state, &errstr) == STATE_EIO);
	CHECK(state == NULL);
	CHECK(errstr != NULL && strstr(errstr, "newer") != NULL);
	CHECK(teststore_version(next) == version + 1);
	state_close(state);
	free(errstr);
	free(current);
	free(next);
}

static void
test_migrate_and_refuse(void)
{
	struct state *state = NULL;
	char *empty = tmp_path("v0");
	char *newer = tmp_path("v99");
	char *errstr = NULL;

	/* A database that exists but has no schema yet: version 0. */
	raw_exec(empty, "CREATE TABLE unrelated (x bigint);"
			"DROP TABLE unrelated;");
	CHECK(teststore_version(empty) <= 0);
	CHECK(state_open(empty, &state, &errstr) == STATE_OK);
	state_close(state);
	CHECK(teststore_version(empty) == 5);
	CHECK(table_count(empty) == 6);
	if (!teststore_is_pg())
		CHECK(raw_int(empty, "SELECT journal_mode = 'wal'"
				     " FROM pragma_journal_mode") == 1);

	raw_exec(newer, "CREATE TABLE future (x bigint);");
	teststore_set_version(newer, 99);
	CHECK(state_open(newer, &state, &errstr) == STATE_EIO);
	CHECK(state == NULL);
	CHECK(errstr != NULL && strstr(errstr, "99") != NULL &&
	      strstr(errstr, "newer"));
	free(errstr);
	/* Refusal must not touch the newer schema. */
	CHECK(teststore_version(newer) == 99);
	CHECK(table_count(newer) == 0);
	free(empty);
	free(newer);
}

static void
test_crud(void)
{
	struct state *state = NULL;
	char *path = tmp_path("crud");
	char *errstr = NULL;
	struct subscriber sub, got;
	struct subscriber_list list;

	CHECK(state_open(path, &state, &errstr) == STATE_OK);
	sub = make_sub("anna@example.nl", "Anna de Vries", "zeelandnet", "nl",
		       SUBSCRIBER_FORMAT_HTML);
	CHECK(state_subscriber_add(state, &sub, &errstr) == STATE_OK);
	sub = make_sub("bert@example.nl", NULL, NULL, "en",
		       SUBSCRIBER_FORMAT_TEXT);
	CHECK(state_subscriber_add(state, &sub, &errstr) == STATE_OK);

	/* Addresses compare without regard to case. */
	sub = make_sub("ANNA@example.nl", NULL, NULL, "nl",
		       SUBSCRIBER_FORMAT_BOTH);
	CHECK(state_subscriber_add(state, &sub, &errstr) == STATE_EEXISTS);
	CHECK_STR(errstr, "subscriber ANNA@example.nl already exists");
	free(errstr);
	errstr = NULL;

	sub = make_sub("carl@example.nl", NULL, NULL, "de",
		       SUBSCRIBER_FORMAT_BOTH);
	CHECK(state_subscriber_add(state, &sub, &errstr) == STATE_EINVALID);
	free(errstr);
	errstr = NULL;
	sub = make_sub("carl@example.nl", NULL, NULL, "nl",
		       (enum subscriber_format)7);
	CHECK(state_subscriber_add(state, &sub, &errstr) == STATE_EINVALID);
	free(errstr);
	errstr = NULL;
	sub = make_sub("not an address", NULL, NULL, "nl",
		       SUBSCRIBER_FORMAT_BOTH);
	CHECK(state_subscriber_add(state, &sub, &errstr) == STATE_EINVALID);
	free(errstr);
	errstr = NULL;

	CHECK(state_subscriber_get(state, "Anna@Example.nl", &got, &errstr) ==
	      STATE_OK);
	CHECK_STR(got.email, "anna@example.nl");
	CHECK_STR(got.name, "Anna de Vries");
	CHECK_STR(got.provider, "zeelandnet");
	CHECK_STR(got.language, "nl");
	CHECK(got.format == SUBSCRIBER_FORMAT_HTML && got.active == 1);
	CHECK(got.id > 0);
	subscriber_clear(&got);

	CHECK(state_subscriber_get(state, "nobody@example.nl", &got, &errstr) ==
	      STATE_ENOTFOUND);
	CHECK_STR(errstr, "no subscriber nobody@example.nl");
	free(errstr);
	errstr = NULL;

	sub = make_sub("bert@example.nl", "Bert", "delta", "nl",
		       SUBSCRIBER_FORMAT_BOTH);
	sub.active = 0;
	CHECK(state_subscriber_update(state, &sub, &errstr) == STATE_OK);
	CHECK(state_subscriber_get(state, "bert@example.nl", &got, &errstr) ==
	      STATE_OK);
	CHECK_STR(got.name, "Bert");
	CHECK_STR(got.provider, "delta");
	CHECK(got.active == 0 && got.format == SUBSCRIBER_FORMAT_BOTH);
	subscriber_clear(&got);
	sub = make_sub("nobody@example.nl", NULL, NULL, "nl",
		       SUBSCRIBER_FORMAT_BOTH);
	CHECK(state_subscriber_update(state, &sub, &errstr) == STATE_ENOTFOUND);
	free(errstr);
	errstr = NULL;

	CHECK(state_subscriber_list(state, 0, &list, &errstr) == STATE_OK);
	CHECK(list.count == 2);
	if (list.count == 2) {
		CHECK_STR(list.subscribers[0].email, "anna@example.nl");
		CHECK_STR(list.subscribers[1].email, "bert@example.nl");
	}
	subscriber_list_clear(&list);
	CHECK(state_subscriber_list(state, 1, &list, &errstr) == STATE_OK);
	CHECK(list.count == 1);
	subscriber_list_clear(&list);

	CHECK(state_subscriber_remove(state, "BERT@example.nl", &errstr) ==
	      STATE_OK);
	CHECK(state_subscriber_remove(state, "bert@example.nl", &errstr) ==
	      STATE_ENOTFOUND);
	CHECK_STR(errstr, "no subscriber bert@example.nl");
	free(errstr);
	errstr = NULL;
	CHECK(state_subscriber_list(state, 0, &list, &errstr) == STATE_OK);
	CHECK(list.count == 1);
	subscriber_list_clear(&list);
	state_close(state);
	free(path);
}

/* A trigger that makes the database refuse carl's row. */
static const char sqlite_boom[] =
    "CREATE TRIGGER boom BEFORE INSERT ON subscribers"
    " WHEN NEW.email = 'carl@example.nl'"
    " BEGIN SELECT RAISE(ABORT, 'boom'); END;";
static const char pg_boom[] =
    "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS"
    " 'BEGIN IF NEW.email = ''carl@example.nl'' THEN"
    " RAISE EXCEPTION ''boom''; END IF; RETURN NEW; END';"
    "CREATE TRIGGER boom BEFORE INSERT ON subscribers FOR EACH ROW"
    " EXECUTE FUNCTION boom();";

static void
test_upsert(void)
{
	struct state *state = NULL;
	char *path = tmp_path("upsert");
	char *errstr = NULL;
	struct subscriber subs[3], got;
	struct subscriber_list list;
	size_t added = 99, updated = 99;

	CHECK(state_open(path, &state, &errstr) == STATE_OK);
	subs[0] = make_sub("anna@example.nl", "Anna", NULL, "nl",
			   SUBSCRIBER_FORMAT_BOTH);
	CHECK(state_subscriber_add(state, &subs[0], &errstr) == STATE_OK);

	subs[0] = make_sub("anna@example.nl", "Anna B", "delta", "en",
			   SUBSCRIBER_FORMAT_TEXT);
	subs[1] = make_sub("bert@example.nl", NULL, NULL, "nl",
			   SUBSCRIBER_FORMAT_BOTH);
	subs[2] = make_sub("carl@example.nl", NULL, NULL, "xx",
			   SUBSCRIBER_FORMAT_BOTH);
	/* An invalid element: nothing at all is written. */
	CHECK(state_subscriber_upsert_all(state, subs, 3, &added, &updated,
					  &errstr) == STATE_EINVALID);
	CHECK(added == 0 && updated == 0);
	free(errstr);
	errstr = NULL;
	CHECK(state_subscriber_list(state, 0, &list, &errstr) == STATE_OK);
	CHECK(list.count == 1);
	subscriber_list_clear(&list);

	/*
	 * A failure inside the transaction, after rows were written: the
	 * trigger makes the database itself refuse the third row.
	 */
	state_close(state);
	raw_exec(path, teststore_is_pg() ? pg_boom : sqlite_boom);
	CHECK(state_open(path, &state, &errstr) == STATE_OK);
	subs[2].language = "nl";
	CHECK(state_subscriber_upsert_all(state, subs, 3, &added, &updated,
					  &errstr) == STATE_EIO);
	CHECK(errstr != NULL && strstr(errstr, "boom") != NULL);
	free(errstr);
	errstr = NULL;
	CHECK(state_subscriber_list(state, 0, &list, &errstr) == STATE_OK);
	CHECK(list.count == 1);
	subscriber_list_clear(&list);
	CHECK(state_subscriber_get(state, "anna@example.nl", &got, &errstr) ==
	      STATE_OK);
	CHECK_STR(got.name, "Anna");
	CHECK(got.provider == NULL);
	subscriber_clear(&got);
	state_close(state);
	raw_exec(path, teststore_is_pg() ? "DROP TRIGGER boom ON subscribers"
					 : "DROP TRIGGER boom");

	/* The store works on after a rollback. */
	CHECK(state_open(path, &state, &errstr) == STATE_OK);
	CHECK(state_subscriber_upsert_all(state, subs, 3, &added, &updated,
					  &errstr) == STATE_OK);
	CHECK(added == 2 && updated == 1);
	CHECK(state_subscriber_get(state, "anna@example.nl", &got, &errstr) ==
	      STATE_OK);
	CHECK_STR(got.name, "Anna B");
	CHECK_STR(got.provider, "delta");
	CHECK_STR(got.language, "en");
	CHECK(got.format == SUBSCRIBER_FORMAT_TEXT);
	subscriber_clear(&got);
	CHECK(state_subscriber_upsert_all(state, subs, 3, &added, &updated,
					  &errstr) == STATE_OK);
	CHECK(added == 0 && updated == 3);
	CHECK(state_subscriber_upsert_all(state, subs, 0, &added, &updated,
					  &errstr) == STATE_OK);
	CHECK(added == 0 && updated == 0);
	state_close(state);
	free(path);
}

static void
test_providers(void)
{
	struct state *state = NULL;
	char *path = tmp_path("providers");
	char *errstr = NULL, **ids = NULL;
	struct subscriber sub;
	size_t count = 99, index;

	CHECK(state_open(path, &state, &errstr) == STATE_OK);
	CHECK(state_providers_in_use(state, &ids, &errstr) == STATE_OK);
	CHECK(ids != NULL && ids[0] == NULL);
	free(ids);
	sub = make_sub("a@example.nl", NULL, "zeelandnet", "nl",
		       SUBSCRIBER_FORMAT_BOTH);
	CHECK(state_subscriber_add(state, &sub, &errstr) == STATE_OK);
	sub = make_sub("b@example.nl", NULL, "delta", "nl",
		       SUBSCRIBER_FORMAT_BOTH);
	CHECK(state_subscriber_add(state, &sub, &errstr) == STATE_OK);
	sub = make_sub("c@example.nl", NULL, "zeelandnet", "nl",
		       SUBSCRIBER_FORMAT_BOTH);
	sub.active = 0;
	CHECK(state_subscriber_add(state, &sub, &errstr) == STATE_OK);
	sub =
	    make_sub("d@example.nl", NULL, NULL, "nl", SUBSCRIBER_FORMAT_BOTH);
	CHECK(state_subscriber_add(state, &sub, &errstr) == STATE_OK);

	CHECK(state_count_by_provider(state, "zeelandnet", &count, &errstr) ==
	      STATE_OK);
	CHECK(count == 2);
	CHECK(state_count_by_provider(state, "delta", &count, &errstr) ==
	      STATE_OK);
	CHECK(count == 1);
	CHECK(state_count_by_provider(state, "none", &count, &errstr) ==
	      STATE_OK);
	CHECK(count == 0);
	CHECK(state_providers_in_use(state, &ids, &errstr) == STATE_OK);
	CHECK(ids != NULL && ids[0] && ids[1] && ids[2] == NULL);
	if (ids && ids[0] && ids[1]) {
		CHECK_STR(ids[0], "delta");
		CHECK_STR(ids[1], "zeelandnet");
	}
	for (index = 0; ids && ids[index]; index++)
		free(ids[index]);
	free(ids);
	state_close(state);
	free(path);
}

/* Begins a delivery of anna's for date. */
static enum state_status
begin_anna(struct state *state, const char *email, const char *date, time_t now,
	   char **errstr)
{
	struct delivery entry = {0};

	entry.email = (char *)email;
	util_strlcpy(entry.digest_date, date, sizeof entry.digest_date);
	entry.message_id = "abc@example.nl";
	entry.last_edition = 7;
	return state_delivery_begin(state, &entry, now, errstr);
}

static enum delivery_state
journal_state(struct state *state, const char *email, const char *date)
{
	struct delivery entry;
	char *errstr = NULL;
	enum delivery_state found = DELIVERY_NONE;

	CHECK(state_delivery_get(state, email, date, &entry, &errstr) ==
	      STATE_OK);
	found = entry.state;
	state_delivery_clear(&entry);
	free(errstr);
	return found;
}

static void
test_deliveries(void)
{
	struct state *state = NULL;
	char *path = tmp_path("deliveries");
	char *errstr = NULL;
	size_t settled = 0;

	CHECK(state_open(path, &state, &errstr) == STATE_OK);
	CHECK(journal_state(state, "anna@example.nl", "2026-11-29") ==
	      DELIVERY_NONE);
	CHECK(begin_anna(state, "anna@example.nl", "2026-11-29", 1800000000,
			 &errstr) == STATE_OK);
	CHECK(journal_state(state, "Anna@example.nl", "2026-11-29") ==
	      DELIVERY_SENDING);
	CHECK(state_delivery_finish(state, "anna@example.nl", "2026-11-29",
				    DELIVERY_SENT, NULL, 1800000000,
				    &errstr) == STATE_OK);
	CHECK(journal_state(state, "Anna@example.nl", "2026-11-29") ==
	      DELIVERY_SENT);
	CHECK(journal_state(state, "anna@example.nl", "2026-11-30") ==
	      DELIVERY_NONE);
	/* A day already sent is never begun again. */
	CHECK(begin_anna(state, "anna@example.nl", "2026-11-29", 1800000001,
			 &errstr) == STATE_EEXISTS);
	CHECK(errstr != NULL && strstr(errstr, "2026-11-29") != NULL);
	free(errstr);
	errstr = NULL;
	CHECK(begin_anna(state, "anna@example.nl", "2026-11-30", 1800000001,
			 &errstr) == STATE_OK);
	CHECK(begin_anna(state, "anna@example.nl", "29-11-2026", 1800000001,
			 &errstr) == STATE_EINVALID);
	free(errstr);
	errstr = NULL;
	/* A run that dies leaves "sending": the next one settles it. */
	CHECK(state_deliveries_settle(state, 1800000002, &settled, &errstr) ==
	      STATE_OK);
	CHECK(settled == 1);
	CHECK(journal_state(state, "anna@example.nl", "2026-11-30") ==
	      DELIVERY_UNCERTAIN);
	state_close(state);
	CHECK(raw_int(path, "SELECT updated_at FROM journal WHERE digest_date"
			    " = '2026-11-29'") == 1800000000);
	CHECK(raw_int(path, "SELECT attempts FROM journal WHERE digest_date"
			    " = '2026-11-30'") == 1);
	free(path);
}

/*
 * The two newest journal calls: a refusal before the data is recorded
 * (and never over a delivery already out or under way), and the count of
 * a provider's deliveries that went out on a day.
 */
static void
test_refused_and_count(void)
{
	struct state *state = NULL;
	char *path = tmp_path("refused");
	struct delivery entry = {0}, got;
	long count = -1;

	CHECK(state_open(path, &state, NULL) == STATE_OK);
	entry.email = "anna@example.nl";
	util_strlcpy(entry.digest_date, "2026-11-29", sizeof entry.digest_date);
	entry.provider = "delta";
	entry.message_id = "m1@example.nl";
	CHECK(state_delivery_refused(state, &entry, DELIVERY_TEMP_FAILED,
				     "451 later", 100, NULL) == STATE_OK);
	CHECK(state_delivery_refused(state, &entry, DELIVERY_PERM_FAILED,
				     "550 no", 101, NULL) == STATE_OK);
	CHECK(state_delivery_get(state, "anna@example.nl", "2026-11-29", &got,
				 NULL) == STATE_OK);
	CHECK(got.state == DELIVERY_PERM_FAILED && got.attempts == 2);
	CHECK_STR(got.reply, "550 no");
	state_delivery_clear(&got);
	CHECK(state_delivery_refused(state, &entry, DELIVERY_SENT, NULL, 102,
				     NULL) == STATE_EINVALID);
	/* Not counted: refused before its data. */
	CHECK(state_deliveries_sent_count(state, "2026-11-29", "delta", &count,
					  NULL) == STATE_OK &&
	      count == 0);
	entry.email = "bert@example.nl";
	CHECK(state_delivery_begin(state, &entry, 103, NULL) == STATE_OK);
	/* A delivery under way is left as it is. */
	CHECK(state_delivery_refused(state, &entry, DELIVERY_TEMP_FAILED, "451",
				     104, NULL) == STATE_OK);
	CHECK(journal_state(state, "bert@example.nl", "2026-11-29") ==
	      DELIVERY_SENDING);
	entry.email = "carl@example.nl";
	CHECK(state_delivery_begin(state, &entry, 105, NULL) == STATE_OK);
	CHECK(state_delivery_finish(state, "carl@example.nl", "2026-11-29",
				    DELIVERY_SENT, NULL, 106,
				    NULL) == STATE_OK);
	entry.provider = "zeelandnet";
	entry.email = "dirk@example.nl";
	CHECK(state_delivery_begin(state, &entry, 107, NULL) == STATE_OK);
	CHECK(state_deliveries_sent_count(state, "2026-11-29", "delta", &count,
					  NULL) == STATE_OK &&
	      count == 2);
	CHECK(state_deliveries_sent_count(state, "2026-11-30", "delta", &count,
					  NULL) == STATE_OK &&
	      count == 0);
	state_close(state);
	free(path);
}

/*
 * One run at a time on a file: a second connection finds the lock held,
 * until the first closes.  A shared store (PostgreSQL) has no run lock:
 * its runs share the morning through claims (6005).
 */
static void
test_run_lock(void)
{
	struct state *first = NULL, *second = NULL;
	char *path = tmp_path("lock");
	char *errstr = NULL;

	CHECK(state_open(path, &first, NULL) == STATE_OK);
	CHECK(state_open(path, &second, NULL) == STATE_OK);
	CHECK(state_is_shared(first) == teststore_is_pg());
	CHECK(state_run_lock(first, NULL) == STATE_OK);
	if (teststore_is_pg()) {
		CHECK(state_run_lock(second, NULL) == STATE_OK);
	} else {
		CHECK(state_run_lock(second, &errstr) == STATE_EBUSY);
		CHECK(errstr != NULL &&
		      strstr(errstr, "another digest send") != NULL);
		free(errstr);
		state_close(first);
		first = NULL;
		CHECK(state_run_lock(second, NULL) == STATE_OK);
	}
	state_close(first);
	state_close(second);
	free(path);
}

static void
test_formats(void)
{
	enum subscriber_format format = SUBSCRIBER_FORMAT_TEXT;

	CHECK_STR(subscriber_format_name(SUBSCRIBER_FORMAT_BOTH), "both");
	CHECK_STR(subscriber_format_name(SUBSCRIBER_FORMAT_TEXT), "text");
	CHECK_STR(subscriber_format_name(SUBSCRIBER_FORMAT_HTML), "html");
	CHECK(subscriber_format_parse("html", &format) == 0 &&
	      format == SUBSCRIBER_FORMAT_HTML);
	CHECK(subscriber_format_parse("Both", &format) == 0 &&
	      format == SUBSCRIBER_FORMAT_BOTH);
	CHECK(subscriber_format_parse("pdf", &format) == -1);
	CHECK(subscriber_format_parse("", &format) == -1);
}

/*
 * "Kies je webmail" is marked once: the first time stays, the subscriber
 * record carries it, an update (choosing a provider) keeps it, and an
 * address that left meanwhile is no error.
 */
static void
test_prompted(void)
{
	struct state *state = NULL;
	char *path = tmp_path("prompted");
	char *errstr = NULL;
	struct subscriber sub, got;
	struct subscriber_list list;

	CHECK(state_open(path, &state, &errstr) == STATE_OK);
	sub = make_sub("mila@example.nl", NULL, NULL, "en",
		       SUBSCRIBER_FORMAT_BOTH);
	CHECK(state_subscriber_add(state, &sub, &errstr) == STATE_OK);
	CHECK(state_subscriber_get(state, "mila@example.nl", &got, &errstr) ==
	      STATE_OK);
	CHECK(got.prompted_at == 0);
	subscriber_clear(&got);
	CHECK(state_subscriber_prompted(state, "MILA@example.nl", 1000,
					&errstr) == STATE_OK);
	CHECK(state_subscriber_prompted(state, "mila@example.nl", 2000,
					&errstr) == STATE_OK);
	CHECK(state_subscriber_prompted(state, "gone@example.nl", 3000,
					&errstr) == STATE_OK);
	sub = make_sub("mila@example.nl", NULL, "delta", "en",
		       SUBSCRIBER_FORMAT_BOTH);
	CHECK(state_subscriber_update(state, &sub, &errstr) == STATE_OK);
	CHECK(state_subscriber_list(state, 1, &list, &errstr) == STATE_OK);
	CHECK(list.count == 1 && list.subscribers[0].prompted_at == 1000);
	subscriber_list_clear(&list);
	CHECK(raw_int(path, "SELECT prompted_at FROM subscribers") == 1000);
	state_close(state);
	free(path);
}

int
main(void)
{
	teststore_init("6001");
	test_open();
	test_migrate_and_refuse();
	if (!teststore_is_pg())
		test_migrate_v1();
	test_refuse_next_version();
	test_crud();
	test_upsert();
	test_providers();
	test_deliveries();
	test_refused_and_count();
	test_run_lock();
	test_formats();
	test_prompted();
	teststore_cleanup();
	if (failures) {
		fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	printf("6001-state: all checks passed on %s\n",
	       teststore_is_pg() ? "PostgreSQL" : "SQLite");
	return 0;
}
