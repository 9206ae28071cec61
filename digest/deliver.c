/*
 * deliver.c - see deliver.h.
 *
 * The order of a delivery is what makes a crash harmless: the journal
 * entry is committed as "sending" before the message leaves, and its
 * outcome after.  A crash in between leaves "sending", which the next run
 * takes as uncertain and, by default, does not send again: at most one
 * subscriber per connection that was mid-message is left without a copy,
 * and nobody gets two.
 */
#include "deliver.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "letter.h"
#include "transport.h"
#include "util.h"

/*
 * After this many temporary failures in a row and no success in between,
 * a provider is taken to be down for this run: trying each of its
 * remaining subscribers would only wait out one timeout after another.
 * They stay unsent, so the next run tries them.
 */
#define DELIVER_PAUSE_AFTER 5
/* The longest pause between two passes, however the delays double. */
#define DELIVER_RETRY_DELAY_MAX 3600L

/* One provider's connection, opened on its first message. */
struct route {
	struct transport *transport;
	char *broken;		 /* why this provider cannot be used, or NULL */
	size_t temporary_streak; /* temporary failures since the last success */
	size_t paused;		 /* subscribers not tried since it paused */
};

struct deliver {
	struct deliver_setup setup;
	struct route *routes;	  /* one per config provider */
	struct transport *shared; /* maildir or stdout, for everyone */
	int shared_failed;
	struct deliver_counts counts;
	size_t held_back;	      /* not tried once the journal failed */
	size_t uncertain_before;      /* left alone: uncertain from before */
	struct subscriber_list retry; /* failed temporarily, to try again */
};

static void report(struct deliver *deliver, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void
report(struct deliver *deliver, const char *format, ...)
{
	va_list args;
	char *line;

	va_start(args, format);
	line = xvasprintf(format, args);
	va_end(args);
	deliver->setup.report(deliver->setup.report_context, line);
	free(line);
}

struct deliver *
deliver_start(const struct deliver_setup *setup)
{
	struct deliver *deliver = xcalloc(1, sizeof *deliver);

	deliver->setup = *setup;
	deliver->routes =
	    xcalloc(setup->config->provider_count + 1, sizeof *deliver->routes);
	return deliver;
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
		report(deliver, "cannot open the outbox %s",
		       config->outbox_dir);
	}
	return deliver->shared;
}

static struct route *
route_of(struct deliver *deliver, const struct provider *provider)
{
	return &deliver->routes[provider - deliver->setup.config->providers];
}

/* The transport for provider, opened once; NULL when it is broken. */
static struct transport *
transport_for(struct deliver *deliver, const struct provider *provider)
{
	struct route *route = route_of(deliver, provider);
	char *password = NULL;
	char *errstr = NULL;

	if (deliver->setup.config->transport != TRANSPORT_KIND_SMTP)
		return shared_transport(deliver);
	if (route->broken)
		return NULL;
	if (route->transport)
		return route->transport;
	if (provider_read_password(provider, &password, &errstr) < 0) {
		route->broken = errstr;
		report(deliver, "%s", errstr);
		return NULL;
	}
	route->transport = transport_open_smtp(provider, password);
	if (password) {
		/* Do not leave the secret lying in freed memory. */
		explicit_bzero(password, strlen(password));
		free(password);
	}
	return route->transport;
}

static void
report_failure(struct deliver *deliver, const struct subscriber *subscriber,
	       const struct provider *provider, const char *kind,
	       const char *reason)
{
	report(deliver, "subscriber %s (provider %s): %s: %s",
	       subscriber->email, provider ? provider->id : "?", kind, reason);
}

/* Keeps a copy of subscriber to try again after a pause. */
static void
queue_retry(struct deliver *deliver, const struct subscriber *subscriber)
{
	struct subscriber_list *list = &deliver->retry;
	struct subscriber *copy;

	list->subscribers = xreallocarray(list->subscribers, list->count + 1,
					  sizeof *list->subscribers);
	copy = &list->subscribers[list->count++];
	*copy = *subscriber;
	copy->email = xstrdup(subscriber->email);
	copy->name = subscriber->name ? xstrdup(subscriber->name) : NULL;
	copy->provider =
	    subscriber->provider ? xstrdup(subscriber->provider) : NULL;
	copy->language =
	    subscriber->language ? xstrdup(subscriber->language) : NULL;
}

/* Records the outcome; a journal that fails stops all sending. */
static void
record(struct deliver *deliver, const struct subscriber *subscriber,
       enum delivery_state outcome, const char *reply)
{
	char *errstr = NULL;

	if (state_delivery_finish(deliver->setup.state, subscriber->email,
				  deliver->setup.digest_date, outcome, reply,
				  time(NULL), &errstr) == STATE_OK)
		return;
	report(deliver,
	       "subscriber %s: %s, but the journal cannot record it (%s); it "
	       "stays uncertain and is not sent again",
	       subscriber->email, state_delivery_state_name(outcome), errstr);
	free(errstr);
	deliver->counts.record_failed = 1;
}

/* Counts a permanent failure against the subscriber's address. */
static void
note_permanent(struct deliver *deliver, const struct subscriber *subscriber,
	       const char *reason)
{
	char *errstr = NULL;
	int deactivated = 0;

	if (state_subscriber_failed(deliver->setup.state, subscriber->email,
				    deliver->setup.digest_date, reason,
				    deliver->setup.config->deactivate_after,
				    time(NULL), &deactivated,
				    &errstr) != STATE_OK) {
		report(deliver, "subscriber %s: %s", subscriber->email, errstr);
		free(errstr);
		deliver->counts.record_failed = 1;
	} else if (deactivated) {
		report(deliver,
		       "subscriber %s: switched off after permanent failures "
		       "on %ld days (digest subscribers set %s --active yes "
		       "switches them on again)",
		       subscriber->email,
		       deliver->setup.config->deactivate_after,
		       subscriber->email);
	}
}

/* What the transport said, recorded and counted. */
static void
take_outcome(struct deliver *deliver, const struct subscriber *subscriber,
	     const struct provider *provider, enum transport_status status,
	     char *reason)
{
	struct route *route = route_of(deliver, provider);

	switch (status) {
	case TRANSPORT_OK:
		deliver->counts.sent++;
		route->temporary_streak = 0;
		record(deliver, subscriber, DELIVERY_SENT, NULL);
		break;
	case TRANSPORT_EUNCERTAIN:
		deliver->counts.uncertain++;
		report_failure(deliver, subscriber, provider,
			       "uncertain, not sent again", reason);
		record(deliver, subscriber, DELIVERY_UNCERTAIN, reason);
		break;
	case TRANSPORT_EPERM:
		deliver->counts.permanent++;
		report_failure(deliver, subscriber, provider,
			       "failed permanently", reason);
		record(deliver, subscriber, DELIVERY_PERM_FAILED, reason);
		note_permanent(deliver, subscriber, reason);
		break;
	case TRANSPORT_ECONFIG:
		deliver->counts.config++;
		report_failure(deliver, subscriber, provider,
			       "not sent (provider settings)", reason);
		/* Nothing left: the next run tries again, settings fixed. */
		record(deliver, subscriber, DELIVERY_TEMP_FAILED, reason);
		/*
		 * Wrong settings fail for every subscriber of the provider
		 * alike; trying each would only repeat the line and could
		 * get the account locked for too many failed logins.
		 */
		if (deliver->setup.config->transport == TRANSPORT_KIND_SMTP &&
		    route->broken == NULL) {
			route->broken = reason;
			return;
		}
		break;
	case TRANSPORT_ETEMP:
		deliver->counts.temporary++;
		report_failure(deliver, subscriber, provider,
			       "failed temporarily", reason);
		record(deliver, subscriber, DELIVERY_TEMP_FAILED, reason);
		queue_retry(deliver, subscriber);
		if (++route->temporary_streak == DELIVER_PAUSE_AFTER)
			report(deliver,
			       "provider %s: %d temporary failures in a row; "
			       "its other subscribers are left for the next "
			       "run",
			       provider->id, DELIVER_PAUSE_AFTER);
		break;
	}
	free(reason);
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
		report(deliver, "subscriber %s: %s", subscriber->email, errstr);
		free(errstr);
		deliver->counts.temporary++;
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
			deliver->counts.uncertain++;
			deliver->uncertain_before++;
		}
		break;
	case DELIVERY_SENT:
	case DELIVERY_PERM_FAILED:
	case DELIVERY_BOUNCED:
		deliver->counts.skipped++;
		break;
	}
	state_delivery_clear(&entry);
	return allowed;
}

/* Commits the delivery as begun; 0, or -1 when the journal failed. */
static int
begin(struct deliver *deliver, const struct subscriber *subscriber,
      const struct letter *letter)
{
	struct delivery entry = {0};
	char *errstr = NULL;
	long number = edition_number(deliver->setup.edition);

	entry.email = subscriber->email;
	util_strlcpy(entry.digest_date, deliver->setup.digest_date,
		     sizeof entry.digest_date);
	entry.provider = letter->provider->id;
	entry.first_edition = subscriber->last_edition + 1;
	entry.last_edition = number;
	entry.message_id = letter->message_id;
	if (state_delivery_begin(deliver->setup.state, &entry, time(NULL),
				 &errstr) == STATE_OK)
		return 0;
	report(deliver,
	       "subscriber %s: not sent: the journal cannot record it (%s)",
	       subscriber->email, errstr);
	free(errstr);
	deliver->counts.record_failed = 1;
	deliver->counts.temporary++;
	return -1;
}

/*
 * "Kies je webmail" reached the subscriber: it is not shown again.  A
 * store that cannot record it only means the prompt comes once more.
 */
static void
record_prompt(struct deliver *deliver, const struct subscriber *subscriber)
{
	char *errstr = NULL;

	if (state_subscriber_prompted(deliver->setup.state, subscriber->email,
				      time(NULL), &errstr) == STATE_OK)
		return;
	report(deliver, "subscriber %s: %s", subscriber->email, errstr);
	free(errstr);
}

/* Sends the letter through its provider, once the journal has it. */
static void
hand_over(struct deliver *deliver, const struct subscriber *subscriber,
	  const struct letter *letter)
{
	struct route *route = route_of(deliver, letter->provider);
	struct transport *transport;
	enum transport_status status;
	char *errstr = NULL;

	if (route->temporary_streak >= DELIVER_PAUSE_AFTER) {
		deliver->counts.temporary++;
		route->paused++;
		return;
	}
	transport = transport_for(deliver, letter->provider);
	if (transport == NULL) {
		deliver->counts.config++;
		report_failure(deliver, subscriber, letter->provider,
			       "not sent (provider settings)",
			       "the provider cannot be used (see above)");
		return;
	}
	if (begin(deliver, subscriber, letter) < 0)
		return;
	status =
	    transport_send(transport, letter->envelope_from, subscriber->email,
			   letter->message, letter->size, &errstr);
	take_outcome(deliver, subscriber, letter->provider, status, errstr);
	if (status == TRANSPORT_OK && letter->prompted)
		record_prompt(deliver, subscriber);
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
		report(deliver, "subscriber %s: %s", subscriber->email, errstr);
		free(errstr);
		deliver->counts.temporary++;
		return -1;
	}
	if (items->count == 0 && !setup->config->note_when_empty) {
		deliver->counts.nothing_new++;
		return -1;
	}
	status =
	    letter_build(setup->config, setup->renderer, setup->links, items,
			 subscriber, setup->now, letter_out, &errstr);
	if (status == LETTER_OK)
		return 0;
	if (status == LETTER_EPROVIDER)
		deliver->counts.config++;
	else
		deliver->counts.data++;
	report_failure(deliver, subscriber,
		       letter_provider(setup->config, subscriber),
		       status == LETTER_EPROVIDER
			   ? "not sent (provider settings)"
			   : "not sent (the message could not be made)",
		       errstr);
	free(errstr);
	return -1;
}

void
deliver_one(struct deliver *deliver, const struct subscriber *subscriber)
{
	struct letter letter;

	if (!subscriber->active) {
		/* Only --subscriber can name one: say why nothing. */
		report(deliver, "subscriber %s is not active: not sent",
		       subscriber->email);
		deliver->counts.skipped++;
		return;
	}
	/*
	 * Once the journal failed, each further message would go out
	 * unrecorded: hold the rest back (one warning at the end).
	 */
	if (deliver->counts.record_failed) {
		deliver->counts.temporary++;
		deliver->held_back++;
		return;
	}
	if (!deliver->setup.dry_run && !journal_allows(deliver, subscriber))
		return;
	if (make_letter(deliver, subscriber, &letter) < 0)
		return;
	if (deliver->setup.dry_run)
		deliver->counts.sent++;
	else
		hand_over(deliver, subscriber, &letter);
	letter_clear(&letter);
}

/* Whether the subscriber's provider is still worth a try this run. */
static int
provider_usable(struct deliver *deliver, const struct subscriber *subscriber)
{
	const struct provider *provider =
	    letter_provider(deliver->setup.config, subscriber);
	const struct route *route;

	if (provider == NULL)
		return 0;
	route = route_of(deliver, provider);
	return route->broken == NULL &&
	       route->temporary_streak < DELIVER_PAUSE_AFTER;
}

static void
pause_for(long seconds)
{
	struct timespec left = {seconds, 0};

	while (nanosleep(&left, &left) < 0 && errno == EINTR)
		continue;
}

void
deliver_retry(struct deliver *deliver)
{
	struct subscriber_list queue;
	long delay = deliver->setup.config->retry_delay;

	for (long pass = 0; pass < deliver->setup.config->retries; pass++) {
		if (deliver->retry.count == 0 || deliver->counts.record_failed)
			return;
		queue = deliver->retry;
		memset(&deliver->retry, 0, sizeof deliver->retry);
		pause_for(delay);
		/*
		 * After a pause each provider that was not given up on
		 * starts a fresh count; one that failed five times in a row
		 * is left for the next run.
		 */
		for (size_t i = 0; i < deliver->setup.config->provider_count;
		     i++)
			if (deliver->routes[i].temporary_streak <
			    DELIVER_PAUSE_AFTER)
				deliver->routes[i].temporary_streak = 0;
		for (size_t i = 0; i < queue.count; i++) {
			if (!provider_usable(deliver, &queue.subscribers[i]))
				continue;
			/* Counted again by how this try ends. */
			deliver->counts.temporary--;
			deliver_one(deliver, &queue.subscribers[i]);
		}
		subscriber_list_clear(&queue);
		delay = delay * 2 > DELIVER_RETRY_DELAY_MAX
			    ? DELIVER_RETRY_DELAY_MAX
			    : delay * 2;
	}
}

void
deliver_counts_now(const struct deliver *deliver,
		   struct deliver_counts *counts_out)
{
	*counts_out = deliver->counts;
}

void
deliver_end(struct deliver *deliver, struct deliver_counts *counts_out)
{
	const struct config *config = deliver->setup.config;

	for (size_t i = 0; i < config->provider_count; i++) {
		if (deliver->routes[i].paused > 0)
			report(deliver,
			       "provider %s: %zu subscribers not tried (left "
			       "for the next run)",
			       config->providers[i].id,
			       deliver->routes[i].paused);
		transport_close(deliver->routes[i].transport);
		free(deliver->routes[i].broken);
	}
	if (deliver->held_back > 0)
		report(deliver,
		       "%zu subscribers not sent: deliveries can no longer be "
		       "recorded (see above); rerun once the state database "
		       "works",
		       deliver->held_back);
	if (deliver->uncertain_before > 0)
		report(deliver,
		       "%zu subscribers not sent again: today's delivery to "
		       "them is uncertain (digest status lists them; "
		       "[mail] uncertain = resend sends them again)",
		       deliver->uncertain_before);
	transport_close(deliver->shared);
	free(deliver->routes);
	subscriber_list_clear(&deliver->retry);
	*counts_out = deliver->counts;
	free(deliver);
}
