/*
 * deliver.c - see deliver.h.  The main thread's part of a run: whether
 * the journal lets a subscriber have today's digest, their letter, and the
 * route of their provider that sends it (deliver_route.c), which records
 * what became of it from whichever thread sent it (deliver_record.c).
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
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

/* The longest pause between two passes, however the delays double. */
#define DELIVER_RETRY_DELAY_MAX 3600L

struct deliver *
deliver_start(const struct deliver_setup *setup)
{
	struct deliver *deliver = xcalloc(1, sizeof *deliver);
	const struct config *config = setup->config;

	deliver->setup = *setup;
	deliver->marks_first = 1; /* no page read: marks_last below it */
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

void
deliver_expect(struct deliver *deliver, const struct subscriber_list *page)
{
	char *errstr = NULL;

	free(deliver->marks);
	deliver->marks = NULL;
	deliver->mark_count = 0;
	deliver->marks_first = 1;
	deliver->marks_last = 0;
	if (page == NULL || page->count == 0 || deliver->setup.dry_run)
		return;
	if (state_delivery_marks(
		deliver->setup.state, deliver->setup.digest_date,
		page->subscribers[0].id, page->subscribers[page->count - 1].id,
		&deliver->marks, &deliver->mark_count, &errstr) != STATE_OK) {
		/* Each subscriber's own lookup will say what is wrong. */
		free(errstr);
		return;
	}
	deliver->marks_first = page->subscribers[0].id;
	deliver->marks_last = page->subscribers[page->count - 1].id;
}

/* Today's journal state of subscriber, from the page read or the store. */
static enum state_status
journal_today(struct deliver *deliver, const struct subscriber *subscriber,
	      enum delivery_state *today_out, char **errstr_out)
{
	struct delivery entry;
	enum state_status status;
	size_t low = 0, high = deliver->mark_count;

	if (subscriber->id >= deliver->marks_first &&
	    subscriber->id <= deliver->marks_last) {
		*today_out = DELIVERY_NONE;
		while (low < high) {
			size_t middle = low + (high - low) / 2;

			if (deliver->marks[middle].subscriber_id <
			    subscriber->id)
				low = middle + 1;
			else
				high = middle;
		}
		if (low < deliver->mark_count &&
		    deliver->marks[low].subscriber_id == subscriber->id)
			*today_out = deliver->marks[low].state;
		return STATE_OK;
	}
	status =
	    state_delivery_get(deliver->setup.state, subscriber->email,
			       deliver->setup.digest_date, &entry, errstr_out);
	*today_out = entry.state;
	state_delivery_clear(&entry);
	return status;
}

/*
 * Whether today's journal lets the subscriber be sent to: returns 1, or
 * 0 after counting why not.
 */
static int
journal_allows(struct deliver *deliver, const struct subscriber *subscriber)
{
	enum delivery_state today;
	char *errstr = NULL;
	int allowed = 0;

	if (journal_today(deliver, subscriber, &today, &errstr) != STATE_OK) {
		deliver_report(deliver, "subscriber %s: %s", subscriber->email,
			       errstr);
		free(errstr);
		deliver_count(deliver, &deliver->counts.temporary);
		return 0;
	}
	switch (today) {
	case DELIVERY_NONE:
	case DELIVERY_TEMP_FAILED:
		allowed = 1;
		break;
	case DELIVERY_SENDING:
	case DELIVERY_UNCERTAIN:
		allowed = deliver->setup.config->resend_uncertain;
		if (!allowed) {
			deliver_count(deliver, &deliver->counts.uncertain);
			deliver_count(deliver, &deliver->uncertain_before);
		}
		break;
	case DELIVERY_SENT:
	case DELIVERY_PERM_FAILED:
	case DELIVERY_BOUNCED:
		deliver_count(deliver, &deliver->counts.skipped);
		break;
	}
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
		deliver_count(deliver, &deliver->counts.temporary);
		return -1;
	}
	if (items->count == 0 && !setup->config->note_when_empty) {
		deliver_count(deliver, &deliver->counts.nothing_new);
		return -1;
	}
	status = letter_make(deliver->maker, items, subscriber->last_edition,
			     subscriber, letter_out, &errstr);
	if (status == LETTER_OK)
		return 0;
	deliver_count(deliver, status == LETTER_EPROVIDER
				   ? &deliver->counts.config
				   : &deliver->counts.data);
	deliver_report_failure(deliver, subscriber,
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
	int begun;

	if (transport == NULL) {
		deliver_count(deliver, &deliver->counts.config);
	} else if ((begun = deliver_begin(deliver, deliver->setup.state,
					  job)) == 0) {
		job->begun = 1;
		status = transport_send(
		    transport, job->letter.envelope_from, job->subscriber.email,
		    job->letter.message, job->letter.size, &errstr);
		deliver_outcome(deliver, deliver->setup.state, job, status,
				errstr);
	} else if (begun > 0) {
		deliver_count(deliver, &deliver->counts.skipped);
	} else {
		deliver_held_back(deliver);
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
		deliver_count(deliver, &deliver->counts.skipped);
		return;
	}
	/*
	 * Once the journal failed, each further message would go out
	 * unrecorded: hold the rest back (one warning at the end).
	 */
	if (deliver_journal_broken(deliver)) {
		deliver_held_back(deliver);
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
	deliver_copy_subscriber(&job->subscriber, subscriber);
	if (deliver->setup.dry_run) {
		deliver_count(deliver, &deliver->counts.sent);
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

	deliver_expect(deliver, NULL); /* their entries have changed since */
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
	deliver_commit(deliver, deliver->workers_store);
	state_close(deliver->workers_store);
	free(deliver->workers_store_error);
	deliver_commit(deliver, deliver->setup.state);
	deliver_expect(deliver, NULL);
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
