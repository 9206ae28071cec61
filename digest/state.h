/*
 * state.h - subscribers and what each one was sent, behind one interface.
 *
 * SQLite stays inside state.c; struct state is opaque so that another store
 * (PostgreSQL for several sender hosts) can later stand behind the same
 * functions.
 */
#ifndef DIGEST_STATE_H
#define DIGEST_STATE_H

#include <stddef.h>
#include <time.h>

#include "subscriber.h"

enum state_status {
	STATE_OK = 0,
	STATE_ENOTFOUND, /* no such subscriber */
	STATE_EEXISTS,	 /* a subscriber with that address exists */
	STATE_EINVALID,	 /* a value is not acceptable (address, format) */
	STATE_EIO	 /* the database cannot be opened, read or written */
};

struct state;

/*
 * Opens (creating on first use) the database at path and migrates its schema
 * to the current version.  Returns STATE_OK and *state_out (state_close()),
 * or an error with *errstr_out (free()) naming the path.
 */
enum state_status state_open(const char *path, struct state **state_out,
			     char **errstr_out);

void state_close(struct state *state);

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
 * Adds or updates many subscribers in one transaction: all or nothing.
 * Returns STATE_OK with *added_out and *updated_out set.
 */
enum state_status state_subscriber_upsert_all(struct state *state,
					      const struct subscriber *subs,
					      size_t count, size_t *added_out,
					      size_t *updated_out,
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
 * The delivery record.  digest_date is the day the digest is for
 * ("2026-11-29"), so that one subscriber gets one digest per day.
 */
enum state_status state_was_sent(struct state *state, const char *email,
				 const char *digest_date, int *sent_out,
				 char **errstr_out);

enum state_status state_mark_sent(struct state *state, const char *email,
				  const char *digest_date,
				  const char *message_id, time_t sent_at,
				  char **errstr_out);

#endif
