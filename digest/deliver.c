/*
 * deliver.c - see deliver.h.  The main thread's part of a run: whether
 * the journal lets a subscriber have today's digest, their letter, and the
 * route of their provider that sends it (deliver_route.c); and, from
 * whichever thread sent it, what became of it.
 *
 * The order of a delivery is what makes a crash harmless: the journal
 * entry is committed as "sending" right before the message's data goes
 * out, and its outcome after.  A crash in between leaves "sending", which
 * the next run takes as uncertain and, by default, does not send again:
 * at most one subscriber per connection that was mid-message is left
 * without a copy, and nobody gets two.
 */
#include "deliver_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

/* The longest pause between two passes, however the delays double. */
#define DELIVER_RETRY_DELAY_MAX 3600L

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

struct deliver *
deliver_start(const struct deliver_setup *setup)
{
	struct deliver *deliver = xcalloc(1, sizeof *deliver);
	const struct config *config = setup->config;

	deliver->setup = *setup;
	deliver->maker =
	    letter_maker_new(config, setup->renderer, setup->links, setup->now);
	pthread_mutex_init(&deliver->lock, NULL);
	pthread_mutex_init(&deliver->store_lock, NULL);
	deliver->routes =
	    xcalloc(config->provider_count + 1, sizeof *deliver->routes);
	for (size_t i = 0; i < config->provider_count; i++)
		deliver_route_init(&deliver->routes[i], deliver,
				   &config->providers[i]);
	return deliver;
}

static struct route *
route_of(struct deliver *deliver, const struct provider *provider)
{
	return &deliver->routes[provider - deliver->setup.config->providers];
}

static void
report_failure(struct deliver *deliver, const struct subscriber *subscriber,
	       const struct provider *provider, const char *kind,
	       const char *reason)
{
	deliver_report(deliver, "subscriber %s (provider %s): %s: %s",
		       subscriber->email, provider ? provider->id : "?", kind,
		       reason);
}

static void
copy_subscriber(struct subscriber *copy, const struct subscriber *subscriber)
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
	copy_subscriber(&list->subscribers[list->count++], subscriber);
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
	if (job->begun) {
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
static void
held_back(struct deliver *deliver)
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

static void
count(struct deliver *deliver, size_t *counter)
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

	if (!job->begun && deliver_journal_broken(deliver)) {
		held_back(deliver);
		free(errstr);
		return;
	}
	switch (status) {
	case TRANSPORT_OK:
		count(deliver, &deliver->counts.sent);
		record(deliver, state, job, DELIVERY_SENT, NULL);
		if (job->letter.prompted)
			record_prompt(deliver, state, subscriber);
		break;
	case TRANSPORT_EUNCERTAIN:
		count(deliver, &deliver->counts.uncertain);
		report_failure(deliver, subscriber, provider,
			       "uncertain, not sent again", errstr);
		record(deliver, state, job, DELIVERY_UNCERTAIN, errstr);
		break;
	case TRANSPORT_EPERM:
		count(deliver, &deliver->counts.permanent);
		report_failure(deliver, subscriber, provider,
			       "failed permanently", errstr);
		record(deliver, state, job, DELIVERY_PERM_FAILED, errstr);
		note_permanent(deliver, state, subscriber, errstr);
		break;
	case TRANSPORT_ECONFIG:
		count(deliver, &deliver->counts.config);
		report_failure(deliver, subscriber, provider,
			       "not sent (provider settings)", errstr);
		/* Nothing left: the next run tries again, settings fixed. */
		if (job->begun)
			record(deliver, state, job, DELIVERY_TEMP_FAILED,
			       errstr);
		break;
	case TRANSPORT_ETEMP:
		count_temporary(deliver, job);
		report_failure(deliver, subscriber, provider,
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
		count(deliver, &deliver->counts.config);
		report_failure(deliver, &job->subscriber, route->provider,
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

/*
 * Whether today's journal lets the subscriber be sent to: returns 1, or
 * 0 after counting why not.
 */
static int
journal_allows(struct deliver *deliver, const struct subscriber *subscriber)
{
	struct delivery entry;
	char *errstr = NULL;
	int allowed = 0;

	if (state_delivery_get(deliver->setup.state, subscriber->email,
			       deliver->setup.digest_date, &entry,
			       &errstr) != STATE_OK) {
		deliver_report(deliver, "subscriber %s: %s", subscriber->email,
			       errstr);
		free(errstr);
		count(deliver, &deliver->counts.temporary);
		return 0;
	}
	switch (entry.state) {
	case DELIVERY_NONE:
	case DELIVERY_TEMP_FAILED:
		allowed = 1;
		break;
	case DELIVERY_SENDING:
	case DELIVERY_UNCERTAIN:
		allowed = deliver->setup.config->resend_uncertain;
		if (!allowed) {
			count(deliver, &deliver->counts.uncertain);
			count(deliver, &deliver->uncertain_before);
		}
		break;
	case DELIVERY_SENT:
	case DELIVERY_PERM_FAILED:
	case DELIVERY_BOUNCED:
		count(deliver, &deliver->counts.skipped);
		break;
	}
	state_delivery_clear(&entry);
	return allowed;
}

/* Builds the subscriber's letter from their share; 0, or -1 if none. */
static int
make_letter(struct deliver *deliver, const struct subscriber *subscriber,
	    struct letter *letter_out)
{
	const struct deliver_setup *setup = &deliver->setup;
	const struct item_list *items = NULL;
	enum letter_status status;
	char *errstr = NULL;

	if (edition_share(setup->edition, subscriber->last_edition, &items,
			  &errstr) != STATE_OK) {
		deliver_report(deliver, "subscriber %s: %s", subscriber->email,
			       errstr);
		free(errstr);
		count(deliver, &deliver->counts.temporary);
		return -1;
	}
	if (items->count == 0 && !setup->config->note_when_empty) {
		count(deliver, &deliver->counts.nothing_new);
		return -1;
	}
	status = letter_make(deliver->maker, items, subscriber->last_edition,
			     subscriber, letter_out, &errstr);
	if (status == LETTER_OK)
		return 0;
	count(deliver, status == LETTER_EPROVIDER ? &deliver->counts.config
						  : &deliver->counts.data);
	report_failure(deliver, subscriber,
		       letter_provider(setup->config, subscriber),
		       status == LETTER_EPROVIDER
			   ? "not sent (provider settings)"
			   : "not sent (the message could not be made)",
		       errstr);
	free(errstr);
	return -1;
}

/* The shared transport of maildir or stdout, opened once. */
static struct transport *
shared_transport(struct deliver *deliver)
{
	const struct config *config = deliver->setup.config;

	if (deliver->shared != NULL || deliver->shared_failed)
		return deliver->shared;
	if (config->transport == TRANSPORT_KIND_STDOUT)
		deliver->shared = transport_open_stdout();
	else
		deliver->shared = transport_open_maildir(config->outbox_dir);
	if (deliver->shared == NULL) {
		deliver->shared_failed = 1;
		deliver_report(deliver, "cannot open the outbox %s",
			       config->outbox_dir);
	}
	return deliver->shared;
}

/* Writes job into the outbox or on stdout, here on the main thread. */
static void
hand_over_here(struct deliver *deliver, struct job *job)
{
	struct transport *transport = shared_transport(deliver);
	enum transport_status status;
	char *errstr = NULL;

	if (transport == NULL) {
		count(deliver, &deliver->counts.config);
	} else if (deliver_begin(deliver, deliver->setup.state, job) == 0) {
		job->begun = 1;
		status = transport_send(
		    transport, job->letter.envelope_from, job->subscriber.email,
		    job->letter.message, job->letter.size, &errstr);
		deliver_outcome(deliver, deliver->setup.state, job, status,
				errstr);
	} else {
		held_back(deliver);
	}
	deliver_job_free(job);
}

/* Reads the provider's password once, before its first letter. */
static int
start_route(struct deliver *deliver, struct route *route)
{
	char *errstr = NULL;

	if (route->started)
		return route->broken == NULL ? 0 : -1;
	route->started = 1;
	if (provider_read_password(route->provider, &route->password,
				   &errstr) == 0)
		return 0;
	deliver_report(deliver, "%s", errstr);
	pthread_mutex_lock(&route->lock);
	route->broken = errstr;
	pthread_mutex_unlock(&route->lock);
	return -1;
}

/* Hands job to its provider's route (which takes it). */
static void
hand_over(struct deliver *deliver, struct job *job)
{
	struct route *route = route_of(deliver, job->letter.provider);

	if (deliver->setup.config->transport != TRANSPORT_KIND_SMTP) {
		hand_over_here(deliver, job);
		return;
	}
	if (start_route(deliver, route) < 0 || !deliver_route_usable(route)) {
		deliver_not_tried(deliver, route, job);
		deliver_job_free(job);
		return;
	}
	deliver_route_enqueue(route, job);
}

void
deliver_one(struct deliver *deliver, const struct subscriber *subscriber)
{
	struct job *job;

	if (!subscriber->active) {
		/* Only --subscriber can name one: say why nothing. */
		deliver_report(deliver, "subscriber %s is not active: not sent",
			       subscriber->email);
		count(deliver, &deliver->counts.skipped);
		return;
	}
	/*
	 * Once the journal failed, each further message would go out
	 * unrecorded: hold the rest back (one warning at the end).
	 */
	if (deliver_journal_broken(deliver)) {
		held_back(deliver);
		return;
	}
	if (!deliver->setup.dry_run && !journal_allows(deliver, subscriber))
		return;
	job = xcalloc(1, sizeof *job);
	job->deliver = deliver;
	if (make_letter(deliver, subscriber, &job->letter) < 0) {
		free(job);
		return;
	}
	copy_subscriber(&job->subscriber, subscriber);
	if (deliver->setup.dry_run) {
		count(deliver, &deliver->counts.sent);
		deliver_job_free(job);
		return;
	}
	hand_over(deliver, job);
}

/* Waits until every route has sent what it was given. */
static void
drain_all(struct deliver *deliver)
{
	for (size_t i = 0; i < deliver->setup.config->provider_count; i++)
		deliver_route_drain(&deliver->routes[i]);
}

static void
pause_for(long seconds)
{
	struct timespec left = {seconds, 0};

	while (nanosleep(&left, &left) < 0 && errno == EINTR)
		continue;
}

/* One pass over the subscribers that failed temporarily. */
static void
retry_pass(struct deliver *deliver, struct subscriber_list *queue)
{
	const struct config *config = deliver->setup.config;

	/*
	 * After a pause each provider that was not given up on starts a
	 * fresh count; one that failed five times in a row is left for the
	 * next run.
	 */
	for (size_t i = 0; i < config->provider_count; i++) {
		pthread_mutex_lock(&deliver->routes[i].lock);
		if (deliver->routes[i].temporary_streak < DELIVER_PAUSE_AFTER)
			deliver->routes[i].temporary_streak = 0;
		pthread_mutex_unlock(&deliver->routes[i].lock);
	}
	for (size_t i = 0; i < queue->count; i++) {
		const struct provider *provider =
		    letter_provider(config, &queue->subscribers[i]);

		if (provider == NULL ||
		    !deliver_route_usable(route_of(deliver, provider)))
			continue;
		/* Counted again by how this try ends. */
		pthread_mutex_lock(&deliver->lock);
		deliver->counts.temporary--;
		pthread_mutex_unlock(&deliver->lock);
		deliver_one(deliver, &queue->subscribers[i]);
	}
}

void
deliver_retry(struct deliver *deliver)
{
	struct subscriber_list queue;
	long delay = deliver->setup.config->retry_delay;

	for (long pass = 0; pass < deliver->setup.config->retries; pass++) {
		drain_all(deliver);
		pthread_mutex_lock(&deliver->lock);
		queue = deliver->retry;
		memset(&deliver->retry, 0, sizeof deliver->retry);
		pthread_mutex_unlock(&deliver->lock);
		if (queue.count == 0 || deliver_journal_broken(deliver)) {
			subscriber_list_clear(&queue);
			return;
		}
		pause_for(delay);
		retry_pass(deliver, &queue);
		subscriber_list_clear(&queue);
		delay = delay * 2 > DELIVER_RETRY_DELAY_MAX
			    ? DELIVER_RETRY_DELAY_MAX
			    : delay * 2;
	}
}

void
deliver_counts_now(struct deliver *deliver, struct deliver_counts *counts_out)
{
	pthread_mutex_lock(&deliver->lock);
	*counts_out = deliver->counts;
	pthread_mutex_unlock(&deliver->lock);
}

static void
report_leftovers(struct deliver *deliver)
{
	const struct config *config = deliver->setup.config;

	for (size_t i = 0; i < config->provider_count; i++)
		if (deliver->routes[i].paused > 0)
			deliver_report(deliver,
				       "provider %s: %zu subscribers not tried "
				       "(left for the next run)",
				       config->providers[i].id,
				       deliver->routes[i].paused);
	if (deliver->held_back > 0)
		deliver_report(deliver,
			       "%zu subscribers not sent: deliveries can no "
			       "longer be recorded (see above); rerun once the "
			       "state database works",
			       deliver->held_back);
	if (deliver->uncertain_before > 0)
		deliver_report(deliver,
			       "%zu subscribers not sent again: today's "
			       "delivery to them is uncertain (digest status "
			       "lists them; [mail] uncertain = resend sends "
			       "them again)",
			       deliver->uncertain_before);
}

void
deliver_end(struct deliver *deliver, struct deliver_counts *counts_out)
{
	const struct config *config = deliver->setup.config;

	for (size_t i = 0; i < config->provider_count; i++)
		deliver_route_close(&deliver->routes[i]);
	report_leftovers(deliver);
	transport_close(deliver->shared);
	free(deliver->routes);
	subscriber_list_clear(&deliver->retry);
	*counts_out = deliver->counts;
	letter_maker_free(deliver->maker);
	pthread_mutex_destroy(&deliver->lock);
	pthread_mutex_destroy(&deliver->store_lock);
	free(deliver);
}
