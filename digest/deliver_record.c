/*
 * deliver_record.c - the journal's side of a run, safe from any thread:
 * a delivery begun before its data goes out, and its outcome recorded
 * and counted after, from whichever thread sent it: the main thread with
 * its store connection, the workers with the one they share.  deliver.c
 * (the main thread) and deliver_route.c (the workers) both come here;
 * nothing here calls either of them.
 */
#include "deliver_impl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

void
deliver_report(struct deliver *deliver, const char *format, ...)
{
	va_list args;
	char *line;

	va_start(args, format);
	line = xvasprintf(format, args);
	va_end(args);
	pthread_mutex_lock(&report_lock);
	deliver->setup.report(deliver->setup.report_context, line);
	pthread_mutex_unlock(&report_lock);
	free(line);
}

void
deliver_report_failure(struct deliver *deliver,
		       const struct subscriber *subscriber,
		       const struct provider *provider, const char *kind,
		       const char *reason)
{
	deliver_report(deliver, "subscriber %s (provider %s): %s: %s",
		       subscriber->email, provider ? provider->id : "?", kind,
		       reason);
}

void
deliver_copy_subscriber(struct subscriber *copy,
			const struct subscriber *subscriber)
{
	*copy = *subscriber;
	copy->email = xstrdup(subscriber->email);
	copy->name = subscriber->name ? xstrdup(subscriber->name) : NULL;
	copy->provider =
	    subscriber->provider ? xstrdup(subscriber->provider) : NULL;
	copy->language =
	    subscriber->language ? xstrdup(subscriber->language) : NULL;
}

/* Keeps a copy of subscriber to try again after a pause (locked). */
static void
queue_retry(struct deliver *deliver, const struct subscriber *subscriber)
{
	struct subscriber_list *list = &deliver->retry;

	list->subscribers = xreallocarray(list->subscribers, list->count + 1,
					  sizeof *list->subscribers);
	deliver_copy_subscriber(&list->subscribers[list->count++], subscriber);
}

/* The journal entry of job, as begun or refused. */
static void
fill_entry(struct deliver *deliver, const struct job *job,
	   struct delivery *entry)
{
	memset(entry, 0, sizeof *entry);
	entry->email = job->subscriber.email;
	util_strlcpy(entry->digest_date, deliver->setup.digest_date,
		     sizeof entry->digest_date);
	entry->provider = job->letter.provider->id;
	entry->first_edition = job->subscriber.last_edition + 1;
	entry->last_edition = edition_number(deliver->setup.edition);
	entry->message_id = job->letter.message_id;
}

/* Notes that the journal failed: from now on nothing more is sent. */
static void
journal_failed(struct deliver *deliver)
{
	pthread_mutex_lock(&deliver->lock);
	deliver->counts.record_failed = 1;
	pthread_mutex_unlock(&deliver->lock);
}

int
deliver_journal_broken(struct deliver *deliver)
{
	int broken;

	pthread_mutex_lock(&deliver->lock);
	broken = deliver->counts.record_failed;
	pthread_mutex_unlock(&deliver->lock);
	return broken;
}

int
deliver_begin(struct deliver *deliver, struct state *state, struct job *job)
{
	struct delivery entry;
	char *errstr = NULL;
	enum state_status status;

	if (deliver_journal_broken(deliver))
		return -1;
	fill_entry(deliver, job, &entry);
	pthread_mutex_lock(&deliver->store_lock);
	status = state_delivery_begin(state, &entry, time(NULL), &errstr);
	pthread_mutex_unlock(&deliver->store_lock);
	if (status == STATE_OK)
		return 0;
	if (status == STATE_EEXISTS) {
		/* Another run sharing the store began it first. */
		free(errstr);
		job->elsewhere = 1;
		return 1;
	}
	deliver_report(deliver,
		       "subscriber %s: not sent: the journal cannot record "
		       "it (%s)",
		       job->subscriber.email, errstr);
	free(errstr);
	journal_failed(deliver);
	return -1;
}

/*
 * Records how job ended.  A delivery begun is finished; one refused
 * before its data (a 5xx to RCPT, say) is recorded as it is, so that it
 * is not tried again today and counts against the address.
 */
static void
record(struct deliver *deliver, struct state *state, const struct job *job,
       enum delivery_state outcome, const char *reply)
{
	struct delivery entry;
	char *errstr = NULL;
	enum state_status status;

	pthread_mutex_lock(&deliver->store_lock);
	if (job->begun && outcome == DELIVERY_SENT) {
		/* Committed with the next message's begin: one commit each. */
		status = state_delivery_sent_later(state, job->subscriber.email,
						   deliver->setup.digest_date,
						   time(NULL), &errstr);
	} else if (job->begun) {
		status = state_delivery_finish(
		    state, job->subscriber.email, deliver->setup.digest_date,
		    outcome, reply, time(NULL), &errstr);
	} else {
		fill_entry(deliver, job, &entry);
		status = state_delivery_refused(state, &entry, outcome, reply,
						time(NULL), &errstr);
	}
	pthread_mutex_unlock(&deliver->store_lock);
	if (status == STATE_OK)
		return;
	deliver_report(deliver,
		       "subscriber %s: %s, but the journal cannot record it "
		       "(%s); it stays uncertain and is not sent again",
		       job->subscriber.email,
		       state_delivery_state_name(outcome), errstr);
	free(errstr);
	journal_failed(deliver);
}

struct state *
deliver_workers_store(struct deliver *deliver, char **errstr_out)
{
	struct state *state;

	pthread_mutex_lock(&deliver->store_lock);
	if (deliver->workers_store == NULL &&
	    deliver->workers_store_error == NULL &&
	    state_open(deliver->setup.config->state_path,
		       &deliver->workers_store,
		       &deliver->workers_store_error) != STATE_OK &&
	    deliver->workers_store_error == NULL)
		deliver->workers_store_error = xstrdup("cannot open the store");
	state = deliver->workers_store;
	if (state == NULL)
		*errstr_out = xstrdup(deliver->workers_store_error);
	pthread_mutex_unlock(&deliver->store_lock);
	return state;
}

void
deliver_commit(struct deliver *deliver, struct state *state)
{
	char *errstr = NULL;
	enum state_status status;
	int said;

	if (state == NULL)
		return;
	pthread_mutex_lock(&deliver->store_lock);
	status = state_deliveries_commit(state, &errstr);
	pthread_mutex_unlock(&deliver->store_lock);
	if (status == STATE_OK)
		return;
	/* Each batch's end tries again; one line says it. */
	pthread_mutex_lock(&deliver->lock);
	said = deliver->commit_failed;
	deliver->commit_failed = 1;
	pthread_mutex_unlock(&deliver->lock);
	if (!said)
		deliver_report(deliver,
			       "deliveries sent, but the journal cannot record "
			       "them (%s); they stay uncertain and are not "
			       "sent again",
			       errstr);
	free(errstr);
	journal_failed(deliver);
}

/* Counts a permanent failure against the subscriber's address. */
static void
note_permanent(struct deliver *deliver, struct state *state,
	       const struct subscriber *subscriber, const char *reason)
{
	char *errstr = NULL;
	int deactivated = 0;
	enum state_status status;

	pthread_mutex_lock(&deliver->store_lock);
	status = state_subscriber_failed(
	    state, subscriber->email, deliver->setup.digest_date, reason,
	    deliver->setup.config->deactivate_after, time(NULL), &deactivated,
	    &errstr);
	pthread_mutex_unlock(&deliver->store_lock);
	if (status != STATE_OK) {
		deliver_report(deliver, "subscriber %s: %s", subscriber->email,
			       errstr);
		free(errstr);
		journal_failed(deliver);
	} else if (deactivated) {
		deliver_report(deliver,
			       "subscriber %s: switched off after permanent "
			       "failures on %ld days (digest subscribers set "
			       "%s --active yes switches them on again)",
			       subscriber->email,
			       deliver->setup.config->deactivate_after,
			       subscriber->email);
	}
}

/*
 * "Kies je webmail" reached the subscriber: it is not shown again.  A
 * store that cannot record it only means the prompt comes once more.
 */
static void
record_prompt(struct deliver *deliver, struct state *state,
	      const struct subscriber *subscriber)
{
	char *errstr = NULL;
	enum state_status status;

	pthread_mutex_lock(&deliver->store_lock);
	status = state_subscriber_prompted(state, subscriber->email, time(NULL),
					   &errstr);
	pthread_mutex_unlock(&deliver->store_lock);
	if (status == STATE_OK)
		return;
	deliver_report(deliver, "subscriber %s: %s", subscriber->email, errstr);
	free(errstr);
}

/* A job held back before its data because the journal failed. */
void
deliver_held_back(struct deliver *deliver)
{
	pthread_mutex_lock(&deliver->lock);
	deliver->counts.temporary++;
	deliver->held_back++;
	pthread_mutex_unlock(&deliver->lock);
}

/* Counts a temporary failure, and keeps the subscriber for a retry. */
static void
count_temporary(struct deliver *deliver, const struct job *job)
{
	pthread_mutex_lock(&deliver->lock);
	deliver->counts.temporary++;
	queue_retry(deliver, &job->subscriber);
	pthread_mutex_unlock(&deliver->lock);
}

void
deliver_count(struct deliver *deliver, size_t *counter)
{
	pthread_mutex_lock(&deliver->lock);
	(*counter)++;
	pthread_mutex_unlock(&deliver->lock);
}

void
deliver_outcome(struct deliver *deliver, struct state *state, struct job *job,
		enum transport_status status, char *errstr)
{
	const struct provider *provider = job->letter.provider;
	const struct subscriber *subscriber = &job->subscriber;

	if (job->elsewhere) {
		deliver_count(deliver, &deliver->counts.skipped);
		free(errstr);
		return;
	}
	if (!job->begun && deliver_journal_broken(deliver)) {
		deliver_held_back(deliver);
		free(errstr);
		return;
	}
	switch (status) {
	case TRANSPORT_OK:
		deliver_count(deliver, &deliver->counts.sent);
		record(deliver, state, job, DELIVERY_SENT, NULL);
		if (job->letter.prompted)
			record_prompt(deliver, state, subscriber);
		break;
	case TRANSPORT_EUNCERTAIN:
		deliver_count(deliver, &deliver->counts.uncertain);
		deliver_report_failure(deliver, subscriber, provider,
				       "uncertain, not sent again", errstr);
		record(deliver, state, job, DELIVERY_UNCERTAIN, errstr);
		break;
	case TRANSPORT_EPERM:
		deliver_count(deliver, &deliver->counts.permanent);
		deliver_report_failure(deliver, subscriber, provider,
				       "failed permanently", errstr);
		record(deliver, state, job, DELIVERY_PERM_FAILED, errstr);
		note_permanent(deliver, state, subscriber, errstr);
		break;
	case TRANSPORT_ECONFIG:
		deliver_count(deliver, &deliver->counts.config);
		deliver_report_failure(deliver, subscriber, provider,
				       "not sent (provider settings)", errstr);
		/* Nothing left: the next run tries again, settings fixed. */
		if (job->begun)
			record(deliver, state, job, DELIVERY_TEMP_FAILED,
			       errstr);
		break;
	case TRANSPORT_ETEMP:
		count_temporary(deliver, job);
		deliver_report_failure(deliver, subscriber, provider,
				       "failed temporarily", errstr);
		record(deliver, state, job, DELIVERY_TEMP_FAILED, errstr);
		break;
	}
	free(errstr);
}

void
deliver_set_aside(struct deliver *deliver, struct state *state, struct job *job,
		  const char *reply)
{
	if (!job->begun)
		return;
	record(deliver, state, job, DELIVERY_TEMP_FAILED, reply);
	job->begun = 0;
}

void
deliver_not_tried(struct deliver *deliver, struct route *route, struct job *job)
{
	int broken;

	pthread_mutex_lock(&route->lock);
	broken = route->broken != NULL;
	pthread_mutex_unlock(&route->lock);
	if (broken) {
		deliver_count(deliver, &deliver->counts.config);
		deliver_report_failure(
		    deliver, &job->subscriber, route->provider,
		    "not sent (provider settings)",
		    "the provider cannot be used (see above)");
		return;
	}
	pthread_mutex_lock(&deliver->lock);
	deliver->counts.temporary++;
	route->paused++;
	pthread_mutex_unlock(&deliver->lock);
}

void
deliver_job_free(struct job *job)
{
	if (job == NULL)
		return;
	subscriber_clear(&job->subscriber);
	letter_clear(&job->letter);
	free(job);
}
