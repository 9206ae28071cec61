/*
 * state.h - subscribers and what each one was sent, behind one interface.
 *
 * Two stores stand behind it: a SQLite file (one host, the default) and a
 * PostgreSQL database that several sender hosts can share.  The location
 * chooses: a postgresql:// or postgres:// URL names a database server,
 * anything else a SQLite file.  struct state is opaque, and nothing above
 * this header knows which store runs; SQLite and libpq stay inside
 * state*.c.
 */
#ifndef DIGEST_STATE_H
#define DIGEST_STATE_H

#include <stddef.h>
#include <time.h>

#include "feed.h"
#include "subscriber.h"

enum state_status {
	STATE_OK = 0,
	STATE_ENOTFOUND, /* no such subscriber */
	STATE_EEXISTS,	 /* a subscriber with that address exists */
	STATE_EINVALID,	 /* a value is not acceptable (address, format) */
	STATE_EIO,	 /* the database cannot be opened, read or written */
	STATE_EBUSY,	 /* another run holds the run lock */
	STATE_ECREATE	 /* the run lock cannot be created */
};

struct state;

/*
 * Checks a location as the configuration gives it, without connecting: a
 * PostgreSQL URL must parse and must hold no password (it would show in
 * every process list and log line), and a password (password_given: from
 * state_password_file or state_password_env) is only for a database
 * server.  Returns STATE_OK, or STATE_EINVALID with *errstr_out (free())
 * that never repeats a password.
 */
enum state_status state_location_check(const char *location, int password_given,
				       char **errstr_out);

/*
 * Whether location names a file (a SQLite database), whose relative path
 * the configuration resolves, rather than a database server's URL.
 */
int state_location_is_path(const char *location);

/*
 * Sets the password that this process logs in to a database server with,
 * for every later state_open() (NULL: none).  It is copied, and never
 * appears in a message.  A SQLite file ignores it.
 */
void state_password_set(const char *password);

/*
 * Opens (creating on first use) the store at location, a SQLite path or a
 * PostgreSQL URL, and migrates its schema to the current version.  Returns
 * STATE_OK and *state_out (state_close()), or an error with *errstr_out
 * (free()) naming the location (a URL's password never shown).
 */
enum state_status state_open(const char *location, struct state **state_out,
			     char **errstr_out);

/*
 * As state_open(), but for a command that only looks: a store that does
 * not exist yet (no file; a database without digest's tables) is not made,
 * and the result is STATE_ENOTFOUND.
 */
enum state_status state_open_existing(const char *location,
				      struct state **state_out,
				      char **errstr_out);

void state_close(struct state *state);

/* The location of the store as messages name it. */
const char *state_location(const struct state *state);

/*
 * Takes the run lock, so that only one `digest send` delivers at a time:
 * a file beside a SQLite database.  It goes with state_close() or the
 * death of the process.  STATE_EBUSY when another run holds it,
 * STATE_ECREATE when the lock file cannot be made.  A shared store
 * (state_is_shared()) has none: its runs claim batches instead.
 */
enum state_status state_run_lock(struct state *state, char **errstr_out);

/*
 * Whether several runs may share a morning on this store (PostgreSQL):
 * they claim batches of subscribers instead of taking the run lock.
 */
int state_is_shared(const struct state *state);

/*
 * Joins the day's current round of a shared store, or starts the next
 * when it has no work left (a rerun goes over everyone again); starting
 * one settles every "sending" left by dead runs as uncertain and counts
 * them in *settled_out.  *round_out is for the claims.
 */
enum state_status state_share_join(struct state *state, const char *digest_date,
				   time_t now, long *round_out,
				   size_t *settled_out, char **errstr_out);

/* A batch of subscribers one run works through: ids first_id..last_id. */
struct state_claim {
	long round;  /* from state_share_join() */
	long run_id; /* from state_run_begin() */
	long long first_id, last_id;
	int taken_over; /* a dead run's claim */
	size_t settled; /* its "sending" entries, now uncertain */
};

enum state_claim_result {
	STATE_CLAIM_BATCH, /* *claim holds a batch for this run */
	STATE_CLAIM_WAIT,  /* none now; living runs hold claims: ask again */
	STATE_CLAIM_DONE   /* the round has no more work */
};

/*
 * Hands claim->run_id the next batch of the round: a claim of a run whose
 * lease ran out (its deliveries under way become uncertain, counted in
 * claim->settled), else the next batch_size subscribers by id.
 */
enum state_status state_claim_next(struct state *state, const char *digest_date,
				   long batch_size, time_t now,
				   struct state_claim *claim,
				   enum state_claim_result *result_out,
				   char **errstr_out);

/* Marks every claim of the run done: its deliveries are all recorded. */
enum state_status state_claims_finish(struct state *state, long run_id,
				      char **errstr_out);

/* The run lives until until: its claims are its own until then. */
enum state_status state_run_renew(struct state *state, long run_id,
				  time_t until, char **errstr_out);

/*
 * Takes (take: 1; waiting for another run that holds it) or lets go (0)
 * the lock under which a run of a shared store looks for the day's edition
 * and makes it, so that only one is made a day.  Nothing on SQLite, where
 * the run lock keeps runs apart.
 */
enum state_status state_edition_lock(struct state *state, int take,
				     char **errstr_out);

/*
 * One take of sends under a provider's limits, counted across every run
 * that shares the store (state_limit_take()).
 */
struct state_limit_take {
	const char *provider;
	const char *digest_date;	    /* the day per_day counts */
	long per_minute, per_hour, per_day; /* 0: none */
	long long now_ms;		    /* the clock, in milliseconds */
	size_t want;
	/* Filled in: */
	size_t taken;	   /* how many may go now */
	long long take_id; /* names the take for state_limit_give_back() */
	int day_full;	   /* none until tomorrow */
};

/*
 * Takes up to take->want sends of take->provider now, as far as the sends
 * every run took in the last minute, the last hour and the day leave room
 * (one writer at a time, so that two runs never take the same room), and
 * counts them.  Fills take->taken (0: none now; with take->day_full, none
 * today), take->take_id.
 */
enum state_status state_limit_take(struct state *state,
				   struct state_limit_take *take,
				   char **errstr_out);

/* Gives back count sends of the take take_id that were not made. */
enum state_status state_limit_give_back(struct state *state, long long take_id,
					size_t count, char **errstr_out);

/* What state_migrate() copied: a count per table, in copy order. */
struct state_copy_count {
	const char *table;
	long long rows;
};

#define STATE_COPY_TABLES 8

/*
 * Copies everything in from into to, a store with no rows at all (else
 * STATE_EEXISTS), in one transaction of to's: all or nothing.  Row ids
 * stay as they were.  Fills counts_out (STATE_COPY_TABLES entries).
 */
enum state_status
state_migrate(struct state *from, struct state *to,
	      struct state_copy_count counts_out[STATE_COPY_TABLES],
	      char **errstr_out);

/* Adds a subscriber; sub->email must already be normalised. */
enum state_status state_subscriber_add(struct state *state,
				       const struct subscriber *sub,
				       char **errstr_out);

/* Replaces every field of the subscriber with sub->email. */
enum state_status state_subscriber_update(struct state *state,
					  const struct subscriber *sub,
					  char **errstr_out);

enum state_status state_subscriber_remove(struct state *state,
					  const char *email, char **errstr_out);

/* Looks one up; *sub_out is filled (subscriber_clear()). */
enum state_status state_subscriber_get(struct state *state, const char *email,
				       struct subscriber *sub_out,
				       char **errstr_out);

/*
 * Lists subscribers ordered by address; only the active ones when
 * active_only.  *list_out is filled (subscriber_list_clear()).
 */
enum state_status state_subscriber_list(struct state *state, int active_only,
					struct subscriber_list *list_out,
					char **errstr_out);

/*
 * Lists at most limit active subscribers whose id is above after_id, by
 * id: a page of the list, so that a run over a million subscribers never
 * holds them all.  An empty page is the end.
 */
enum state_status state_subscriber_page(struct state *state, long after_id,
					size_t limit,
					struct subscriber_list *list_out,
					char **errstr_out);

/* Counts the active subscribers. */
enum state_status state_subscriber_count(struct state *state, size_t *count_out,
					 char **errstr_out);

/*
 * Adds or updates many subscribers in one transaction: all or nothing.
 * Returns STATE_OK with *added_out and *updated_out set.
 */
enum state_status state_subscriber_upsert_all(struct state *state,
					      const struct subscriber *subs,
					      size_t count, size_t *added_out,
					      size_t *updated_out,
					      char **errstr_out);

/*
 * Records that the "Kies je webmail" prompt reached email at now, unless
 * an earlier digest did: it is shown once and never again.  An address
 * that is not there is no error (it may have left meanwhile).
 */
enum state_status state_subscriber_prompted(struct state *state,
					    const char *email, time_t now,
					    char **errstr_out);

/* Counts subscribers (active or not) whose provider is provider_id. */
enum state_status state_count_by_provider(struct state *state,
					  const char *provider_id,
					  size_t *count_out, char **errstr_out);

/*
 * Lists the distinct provider ids that subscribers use (NULL excluded).
 * *ids_out is a NULL-terminated array (free each, then the array).
 */
enum state_status state_providers_in_use(struct state *state, char ***ids_out,
					 char **errstr_out);

/*
 * The delivery journal: for each subscriber and digest date, where the
 * delivery stands.  A delivery is begun (committed as "sending") before the
 * message is handed to the transport, so nothing goes out unrecorded; a
 * "sending" that a new run finds is from a run that died: it is uncertain
 * whether the message arrived.
 */
enum delivery_state {
	DELIVERY_NONE = 0,    /* nothing recorded for that day */
	DELIVERY_SENDING,     /* handed to the transport, outcome unknown */
	DELIVERY_SENT,	      /* the server accepted it */
	DELIVERY_TEMP_FAILED, /* a 4xx or no connection: try again */
	DELIVERY_PERM_FAILED, /* a 5xx: not tried again that day */
	DELIVERY_UNCERTAIN,   /* may have arrived: never resent by default */
	DELIVERY_BOUNCED      /* accepted, then bounced (digest bounces) */
};

struct delivery {
	char *email;
	char digest_date[11];
	enum delivery_state state;
	char *provider;	    /* the provider it went through, or NULL */
	long first_edition; /* the editions the digest covered */
	long last_edition;
	char *message_id; /* without <>, or NULL */
	long attempts;
	char *reply; /* the server's reply or the reason, or NULL */
	time_t updated_at;
};

struct delivery_list {
	struct delivery *deliveries;
	size_t count;
};

/* "sending", "sent", ...; NULL for DELIVERY_NONE. */
const char *state_delivery_state_name(enum delivery_state state);

/*
 * Reads the journal entry of email for digest_date into *delivery_out
 * (state_delivery_clear()); its state is DELIVERY_NONE when there is none.
 */
enum state_status state_delivery_get(struct state *state, const char *email,
				     const char *digest_date,
				     struct delivery *delivery_out,
				     char **errstr_out);

/* A subscriber's journal entry of one day, by id (state_delivery_marks()). */
struct delivery_mark {
	long subscriber_id;
	enum delivery_state state;
};

/*
 * Reads the journal state of digest_date of the subscribers with ids from
 * first_id to last_id that have an entry that day, by id, into *marks_out
 * (free()): one query for a page of the list instead of one per address.
 */
enum state_status state_delivery_marks(struct state *state,
				       const char *digest_date, long first_id,
				       long last_id,
				       struct delivery_mark **marks_out,
				       size_t *count_out, char **errstr_out);

/*
 * Commits delivery (email, digest_date, provider, editions, message_id) as
 * DELIVERY_SENDING, one attempt more than before.  The caller hands the
 * message to the transport only after this returned STATE_OK.
 */
enum state_status state_delivery_begin(struct state *state,
				       const struct delivery *delivery,
				       time_t now, char **errstr_out);

/*
 * Records how a begun delivery ended: outcome is DELIVERY_SENT (which also
 * makes its last edition the subscriber's, and clears their count of
 * failing days), DELIVERY_TEMP_FAILED, DELIVERY_PERM_FAILED or
 * DELIVERY_UNCERTAIN; reply (may be NULL) says why.
 */
enum state_status state_delivery_finish(struct state *state, const char *email,
					const char *digest_date,
					enum delivery_state outcome,
					const char *reply, time_t now,
					char **errstr_out);

/*
 * Notes that the begun delivery (email, digest_date) was sent, as
 * state_delivery_finish() with DELIVERY_SENT would record it, but without
 * a commit of its own: it is written with this connection's next
 * state_delivery_begin() or state_delivery_finish(), or by
 * state_deliveries_commit(), which the caller runs before it closes the
 * store.  Until then the entry says "sending"; a crash meanwhile leaves it
 * uncertain, which the next run does not resend: the message arrived.
 */
enum state_status state_delivery_sent_later(struct state *state,
					    const char *email,
					    const char *digest_date, time_t now,
					    char **errstr_out);

/* Writes the successes noted by state_delivery_sent_later(), if any. */
enum state_status state_deliveries_commit(struct state *state,
					  char **errstr_out);

/*
 * Records a delivery refused before its data was sent (a 4xx or 5xx to
 * MAIL or RCPT): outcome is DELIVERY_TEMP_FAILED or DELIVERY_PERM_FAILED,
 * one attempt more than before; an entry already sent or under way is
 * left as it is.
 */
enum state_status state_delivery_refused(struct state *state,
					 const struct delivery *delivery,
					 enum delivery_state outcome,
					 const char *reply, time_t now,
					 char **errstr_out);

/*
 * Marks every DELIVERY_SENDING entry DELIVERY_UNCERTAIN: called by a run
 * that holds the run lock, so such entries are from a run that died.
 * *count_out says how many.
 */
enum state_status state_deliveries_settle(struct state *state, time_t now,
					  size_t *count_out, char **errstr_out);

/*
 * Lists the entries in state from since_date ("YYYY-MM-DD", may be NULL
 * for all) on, newest first, into *list_out (state_delivery_list_clear()).
 */
enum state_status state_deliveries_list(struct state *state,
					enum delivery_state which,
					const char *since_date,
					struct delivery_list *list_out,
					char **errstr_out);

/*
 * Counts a permanent failure of email on digest_date against the
 * subscriber: one per day however many messages failed, a success clears
 * the count.  When the count reaches deactivate_after (0: never), the
 * subscriber is switched off and *deactivated_out set to 1.
 */
enum state_status
state_subscriber_failed(struct state *state, const char *email,
			const char *digest_date, const char *reason,
			long deactivate_after, time_t now, int *deactivated_out,
			char **errstr_out);

/* What state_delivery_bounced() made of a bounce. */
enum delivery_bounce_outcome {
	DELIVERY_BOUNCE_RECORDED = 0, /* the entry is DELIVERY_BOUNCED now */
	DELIVERY_BOUNCE_ALREADY,      /* it was bounced or refused before */
	DELIVERY_BOUNCE_PENDING	      /* still "sending": not yet */
};

struct delivery_bounce {
	enum delivery_bounce_outcome outcome;
	int counted;	   /* the day counts against the subscriber */
	long failure_days; /* their days in a row after (when counted) */
	int deactivated;   /* it switched them off */
};

/*
 * Records that the digest of digest_date to email bounced for good (a
 * hard bounce that `digest bounces` read): the journal entry becomes
 * DELIVERY_BOUNCED with reason, and the day counts as a permanent failure
 * through state_subscriber_failed().
 *
 * A digest that the server accepted and that bounced later was no
 * success, although its acceptance cleared the subscriber's count; so for
 * a bounce the days in a row are counted from the journal: the run of
 * bounced and refused days around digest_date that no delivered day
 * breaks (days without a delivery, or whose delivery failed only for
 * the moment or is uncertain, neither break nor extend it).  A run that
 * ends before the subscriber's last counted failure is history and
 * leaves the count alone.  One transaction.
 *
 * Returns STATE_ENOTFOUND when the journal has no delivery of that day,
 * else fills *bounce_out.
 */
enum state_status state_delivery_bounced(struct state *state, const char *email,
					 const char *digest_date,
					 const char *reason,
					 long deactivate_after, time_t now,
					 struct delivery_bounce *bounce_out,
					 char **errstr_out);

/*
 * Finds the day of a delivery to email: the one whose Message-ID is
 * message_id (without <>), or, when message_id is NULL or none has it,
 * the newest that went out (sent, uncertain or bounced).  Fills date_out
 * ("2026-11-29"), or sets it to "" when there is none.
 */
enum state_status state_delivery_find(struct state *state, const char *email,
				      const char *message_id, char date_out[11],
				      char **errstr_out);

/* A subscriber whose deliveries keep failing, or whom digest switched off. */
struct attention {
	char *email;
	int active;
	long failure_days; /* days with a permanent failure, in a row */
	char last_failure_date[11]; /* "" when none */
	char *last_failure;	    /* the reply, or NULL */
	time_t deactivated_at;	    /* 0: not switched off by digest */
};

struct attention_list {
	struct attention *subscribers;
	size_t count;
};

/* The subscribers that need attention, by address (..._list_clear()). */
enum state_status state_subscribers_attention(struct state *state,
					      struct attention_list *list_out,
					      char **errstr_out);

void state_attention_list_clear(struct attention_list *list);

/*
 * Counts the deliveries of digest_date through provider that went out (or
 * may have): what that day's runs used of the provider's daily limit.
 */
enum state_status state_deliveries_sent_count(struct state *state,
					      const char *digest_date,
					      const char *provider,
					      long *count_out,
					      char **errstr_out);

void state_delivery_clear(struct delivery *delivery);
void state_delivery_list_clear(struct delivery_list *list);

/*
 * Editions: each day's new items, numbered in the order they were made.
 * A subscriber's digest is the items of the editions after the last one
 * they received, so nobody gets an item twice and whoever missed a day
 * gets what they missed.
 */

/* The edition of digest_date, or 0 in *number_out when there is none. */
enum state_status state_edition_find(struct state *state,
				     const char *digest_date, long *number_out,
				     char **errstr_out);

/*
 * Makes the edition of digest_date from the gathered items: every item the
 * store does not know yet (by its id, its link, or its title among items
 * first seen since title_since) becomes part of it, first seen at now.
 * If another run made that edition first, it is used as it is.  One
 * transaction.  Sets *number_out and *new_count_out.
 */
enum state_status state_edition_make(struct state *state,
				     const char *digest_date, time_t now,
				     const struct item_list *items,
				     time_t title_since, long *number_out,
				     size_t *new_count_out, char **errstr_out);

/*
 * Appends to *items_out (feed_item_list_clear()) the items of the editions
 * after after_edition up to and including up_to_edition that were
 * published (or, undated, first seen) at or after oldest: newest first, at
 * most max_items.
 */
enum state_status state_edition_items(struct state *state, long after_edition,
				      long up_to_edition, time_t oldest,
				      size_t max_items,
				      struct item_list *items_out,
				      char **errstr_out);

/*
 * Among the items, marks in known_out[i] (count = items->count) those the
 * store already has in an edition up to and including up_to_edition: what
 * a subscriber who received that edition has seen.  For previews.
 */
enum state_status state_items_known(struct state *state,
				    const struct item_list *items,
				    long up_to_edition, time_t title_since,
				    int *known_out, char **errstr_out);

/* Forgets items last seen in a feed before before; editions stay. */
enum state_status state_items_prune(struct state *state, time_t before,
				    char **errstr_out);

/* One run of `digest send`, for `digest status`. */
struct run_record {
	long id;
	char digest_date[11];
	char *host;
	long pid;
	time_t started_at;
	time_t finished_at; /* 0: still running, or died */
	long sent, temp_failed, perm_failed, uncertain, skipped, nothing_new;
	int exit_code; /* -1 until it finished */
};

struct run_list {
	struct run_record *runs;
	size_t count;
};

/* Records the start of a run; *id_out names it for state_run_end(). */
enum state_status state_run_begin(struct state *state, const char *digest_date,
				  const char *host, long pid, time_t now,
				  long *id_out, char **errstr_out);

/* Records a run's counts, finish time and exit code (from run->id). */
enum state_status state_run_end(struct state *state,
				const struct run_record *run,
				char **errstr_out);

/* The last count runs, newest first (state_run_list_clear()). */
enum state_status state_runs_recent(struct state *state, size_t count,
				    struct run_list *list_out,
				    char **errstr_out);

void state_run_list_clear(struct run_list *list);

/* How a news source has been doing, run by run. */
struct source_health {
	char *id;
	time_t last_success; /* 0: never */
	time_t last_attempt;
	long failures; /* runs in a row that could not use it */
	char *last_error;
};

struct source_health_list {
	struct source_health *sources;
	size_t count;
};

/*
 * Records one run's result for source id: a success (error NULL) clears
 * its failures, a failure adds one.  *failures_out (may be NULL) is the
 * count after.
 */
enum state_status state_source_result(struct state *state, const char *id,
				      const char *error, time_t now,
				      long *failures_out, char **errstr_out);

/* Every source with a record, by id (state_source_health_list_clear()). */
enum state_status state_sources_health(struct state *state,
				       struct source_health_list *list_out,
				       char **errstr_out);

void state_source_health_list_clear(struct source_health_list *list);

/*
 * The validators (ETag, Last-Modified) of source id's last fetch, each
 * NULL when unknown, in *etag_out and *last_modified_out (free()).
 */
enum state_status state_source_validators(struct state *state, const char *id,
					  char **etag_out,
					  char **last_modified_out,
					  char **errstr_out);

/* Keeps source id's validators (either may be NULL) for the next fetch. */
enum state_status state_source_set_validators(struct state *state,
					      const char *id, const char *etag,
					      const char *last_modified,
					      char **errstr_out);

/*
 * The subscribers' own pages (digest serve, state_web.c): sign-ups that
 * wait for their confirmation (double opt-in), choices a subscriber makes
 * themselves, leaving and coming back, and erasing everything, after
 * which only a keyed hash of the address stays, so that an import does
 * not silently add it back.  Every change is one transaction.
 */

/* A sign-up waiting for the click on the link in its confirmation mail. */
struct signup {
	char *email; /* normalised */
	char *name;  /* may be NULL */
	char *provider;
	char *language; /* "nl" or "en" */
	enum subscriber_format format;
	time_t requested_at;
};

void state_signup_clear(struct signup *signup);

/*
 * Reads the pending sign-up of email into *signup_out
 * (state_signup_clear()); STATE_ENOTFOUND when there is none.
 */
enum state_status state_signup_get(struct state *state, const char *email,
				   struct signup *signup_out,
				   char **errstr_out);

/*
 * Stores signup, replacing a pending one of the same address, and forgets
 * every sign-up requested before expire_before: an address nobody
 * confirmed is not kept.  One transaction.
 */
enum state_status state_signup_put(struct state *state,
				   const struct signup *signup,
				   time_t expire_before, char **errstr_out);

enum state_confirm {
	STATE_CONFIRMED = 0, /* the sign-up made (or made again) a subscriber */
	STATE_CONFIRM_ALREADY, /* no sign-up waits, but the address is active */
	STATE_CONFIRM_NONE     /* nothing to confirm */
};

/*
 * Confirms the pending sign-up of email: the subscriber is added, or an
 * inactive one switched on again, with the sign-up's choices, confirmed
 * at now and from the web; the sign-up goes, and so do the suppressions
 * with the given hashes (the address asked to come back).  One
 * transaction.  *result_out says which case it was.
 */
enum state_status state_signup_confirm(struct state *state, const char *email,
				       const char *const *hashes,
				       size_t hash_count, time_t now,
				       enum state_confirm *result_out,
				       char **errstr_out);

/* A subscriber with what the store knows about how and when. */
struct profile {
	struct subscriber subscriber;
	char *origin; /* "admin", "import" or "web" */
	time_t created_at;
	time_t updated_at;
	time_t confirmed_at;	/* 0: never confirmed by mail */
	time_t unsubscribed_at; /* 0: did not leave through the pages */
	time_t prompted_at;	/* 0: not shown the webmail prompt */
	time_t deactivated_at;	/* 0: not switched off for failures */
};

void state_profile_clear(struct profile *profile);

/* Reads the profile of email (state_profile_clear()); STATE_ENOTFOUND. */
enum state_status state_profile_get(struct state *state, const char *email,
				    struct profile *profile_out,
				    char **errstr_out);

/*
 * Saves the choices a subscriber makes on their page: name, provider,
 * language and format of sub (sub->email names them).  *changed_out says
 * whether anything differed.  STATE_ENOTFOUND when they are gone.
 */
enum state_status state_subscriber_choose(struct state *state,
					  const struct subscriber *sub,
					  int *changed_out, char **errstr_out);

/*
 * Unsubscribes email at now (active off, unsubscribed_at set); *changed_out
 * is 0 when they were not active.  STATE_ENOTFOUND when there is no such
 * subscriber.
 */
enum state_status state_subscriber_leave(struct state *state, const char *email,
					 time_t now, int *changed_out,
					 char **errstr_out);

/*
 * Undoes state_subscriber_leave(): only a subscriber who left through the
 * pages comes back (not one switched off for failures).  *changed_out is 0
 * when there was nothing to undo.
 */
enum state_status state_subscriber_return(struct state *state,
					  const char *email, time_t now,
					  int *changed_out, char **errstr_out);

/*
 * Every journal entry of email, oldest first, into *list_out
 * (state_delivery_list_clear()): what was sent, when, and how it went.
 */
enum state_status state_subscriber_history(struct state *state,
					   const char *email,
					   struct delivery_list *list_out,
					   char **errstr_out);

/*
 * Erases email: the subscriber, their journal and a pending sign-up go,
 * and hash (a keyed hash of the address, links.h) is kept on the
 * suppression list with the time.  One transaction.  *found_out says
 * whether anything was stored about them.
 */
enum state_status state_subscriber_erase(struct state *state, const char *email,
					 const char *hash, time_t now,
					 int *found_out, char **errstr_out);

/*
 * Whether one of hashes is on the suppression list: *erased_at_out is
 * when, or 0.
 */
enum state_status state_suppressed(struct state *state,
				   const char *const *hashes, size_t hash_count,
				   time_t *erased_at_out, char **errstr_out);

/* How many addresses are on the suppression list. */
enum state_status state_suppression_count(struct state *state,
					  size_t *count_out, char **errstr_out);

#endif
