/*
 * 6001-state.c - the SQLite subscriber store: creation, migration, refusal
 * of a newer schema, subscriber CRUD, upsert atomicity and deliveries.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"
#include "util.h"

static int failures;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			failures++;                                            \
		}                                                              \
	} while (0)

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

static char tmpdir[64];

static char *
tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* Runs SQL on the file directly, behind the store's back. */
static void
raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "raw_exec %s: %s\n", sql, sqlite3_errmsg(db));
		exit(1);
	}
	sqlite3_close(db);
}

static int
raw_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	int value = -1;

	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		value = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return value;
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

static void
test_open(void)
{
	struct state *state = NULL;
	char *path = tmp_path("open.sqlite");
	char *missing = tmp_path("no/such/dir/x.sqlite");
	char *garbage = tmp_path("garbage.sqlite");
	char *errstr = NULL;
	struct stat st;

	CHECK(state_open(path, &state, &errstr) == STATE_OK);
	CHECK(state != NULL && errstr == NULL);
	state_close(state);
	CHECK(stat(path, &st) == 0);
	CHECK(raw_int(path, "PRAGMA user_version") == 4);
	/* WAL is a property of the file: it outlives the connection. */
	CHECK(raw_int(path, "SELECT journal_mode = 'wal'"
			    " FROM pragma_journal_mode") == 1);
	/* Opening again migrates nothing and keeps the version. */
	CHECK(state_open(path, &state, &errstr) == STATE_OK);
	state_close(state);
	CHECK(raw_int(path, "PRAGMA user_version") == 4);

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
	free(path);
	free(missing);
	free(garbage);
}

static enum delivery_state journal_state(struct state *state, const char *email,
					 const char *date);

/*
 * A version 1 database keeps its subscribers and what was sent: the old
 * delivery record becomes "sent" entries of the journal.
 */
static void
test_migrate_v1(void)
{
	struct state *state = NULL;
	char *old = tmp_path("v1.sqlite");
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
	CHECK(raw_int(old, "PRAGMA user_version") == 4);
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
	char *current = tmp_path("current.sqlite");
	char *next = tmp_path("next.sqlite");
	char *errstr = NULL;
	char *set_version;
	int version;

	CHECK(state_open(current, &state, &errstr) == STATE_OK);
	state_close(state);
	state = NULL;
	version = raw_int(current, "PRAGMA user_version");
	CHECK(version >= 1);
	set_version = xasprintf("PRAGMA user_version = %d;", version + 1);
	raw_exec(next, set_version);
	CHECK(state_open(next, &state, &errstr) == STATE_EIO);
	CHECK(state == NULL);
	CHECK(errstr != NULL && strstr(errstr, "newer") != NULL);
	CHECK(raw_int(next, "PRAGMA user_version") == version + 1);
	state_close(state);
	free(errstr);
	free(set_version);
	free(current);
	free(next);
}

static void
test_migrate_and_refuse(void)
{
	struct state *state = NULL;
	char *empty = tmp_path("v0.sqlite");
	char *newer = tmp_path("v99.sqlite");
	char *errstr = NULL;

	/* A database that exists but has no schema yet: version 0. */
	raw_exec(empty, "PRAGMA user_version = 0; CREATE TABLE unrelated (x);"
			"DROP TABLE unrelated;");
	CHECK(raw_int(empty, "PRAGMA user_version") == 0);
	CHECK(state_open(empty, &state, &errstr) == STATE_OK);
	state_close(state);
	CHECK(raw_int(empty, "PRAGMA user_version") == 4);
	CHECK(raw_int(empty, "SELECT count(*) FROM sqlite_schema WHERE name "
			     "IN ('subscribers', 'journal', 'editions',"
			     " 'items', 'runs', 'sources')") == 6);
	CHECK(raw_int(empty, "SELECT journal_mode = 'wal'"
			     " FROM pragma_journal_mode") == 1);

	raw_exec(newer, "CREATE TABLE future (x); PRAGMA user_version = 99;");
	CHECK(state_open(newer, &state, &errstr) == STATE_EIO);
	CHECK(state == NULL);
	CHECK(errstr != NULL && strstr(errstr, newer) != NULL &&
	      strstr(errstr, "99") != NULL && strstr(errstr, "newer"));
	free(errstr);
	/* Refusal must not touch the newer schema. */
	CHECK(raw_int(newer, "PRAGMA user_version") == 99);
	CHECK(raw_int(newer, "SELECT count(*) FROM sqlite_schema WHERE name "
			     "= 'subscribers'") == 0);
	free(empty);
	free(newer);
}

static void
test_crud(void)
{
	struct state *state = NULL;
	char *path = tmp_path("crud.sqlite");
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

static void
test_upsert(void)
{
	struct state *state = NULL;
	char *path = tmp_path("upsert.sqlite");
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
	raw_exec(path, "CREATE TRIGGER boom BEFORE INSERT ON subscribers "
		       "WHEN NEW.email = 'carl@example.nl' "
		       "BEGIN SELECT RAISE(ABORT, 'boom'); END;");
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
	raw_exec(path, "DROP TRIGGER boom;");

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
	char *path = tmp_path("providers.sqlite");
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
	char *path = tmp_path("deliveries.sqlite");
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
	char *path = tmp_path("prompted.sqlite");
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
	char *command;

	util_strlcpy(tmpdir, "/tmp/digest-6001-XXXXXX", sizeof tmpdir);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_open();
	test_migrate_and_refuse();
	test_migrate_v1();
	test_refuse_next_version();
	test_crud();
	test_upsert();
	test_providers();
	test_deliveries();
	test_formats();
	test_prompted();
	command = xasprintf("rm -rf '%s'", tmpdir);
	if (system(command) != 0)
		failures++;
	free(command);
	if (failures) {
		fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	printf("6001-state: all checks passed\n");
	return 0;
}
