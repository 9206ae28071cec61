/*
 * cli_send.c - `digest send`: gather once, render and compose per
 * subscriber, deliver through each subscriber's provider (one connection
 * per provider), and record each delivery so that a rerun skips it.
 */
#include "cli_commands.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "letter.h"
#include "render.h"
#include "state.h"
#include "transport.h"
#include "util.h"

enum { OPT_DRY_RUN, OPT_SUBSCRIBER, OPT_NOW };

static const struct cli_option options[] = {
    {"dry-run", NULL,
     "Gathers, renders and composes every message as a real run would, "
     "and reports what would be sent, but connects to no server, delivers "
     "nothing and records nothing, so a real run afterwards still sends "
     "everyone their digest."},
    {"subscriber", "EMAIL",
     "Sends to this one subscriber only (who must be active), for "
     "example to retry one address; the delivery is recorded as usual."},
    {"now", "TIME",
     "Stands in for the clock (RFC 3339, as in "
     "2026-11-29T07:00:00+01:00): relative times, the age window, the "
     "Date header and the digest's day, which decides who already got "
     "today's digest, follow it."},
    {NULL, NULL, NULL}};

static const struct cli_usage usage = {
    "send",
    "[--dry-run] [--subscriber EMAIL] [--now TIME]",
    "Mails today's digest to every active subscriber through the provider "
    "each chose, records every delivery, and skips whoever already got "
    "today's.  Ends with one summary line; the exit code tells cron how "
    "it went.",
    options,
    0,
    0};

/*
 * After this many temporary failures in a row and no success in between,
 * a provider is taken to be down for this run: trying each of its
 * remaining subscribers would only wait out one connect timeout after
 * another.  They stay unsent, so the next run (EX_TEMPFAIL) tries them.
 */
#define SEND_PAUSE_AFTER 5

/* One provider's connection, opened on its first message. */
struct route {
	struct transport *transport;
	char *broken;		 /* why this provider cannot be used, or NULL */
	size_t temporary_streak; /* temporary failures since the last success */
	size_t paused;		 /* subscribers not tried since it paused */
};

struct send_run {
	struct cli *cli;
	struct state *state;
	struct renderer *renderer;
	struct item_list items;
	struct route *routes;	  /* one per config provider */
	struct transport *shared; /* maildir or stdout, for everyone */
	time_t now;
	char digest_date[11];
	int dry_run;
	size_t sent, temporary, permanent, skipped, config_trouble;
	size_t data_errors; /* the letter could not be made (EX_DATAERR) */
	size_t held_back;   /* not tried once deliveries went unrecorded */
	int record_failed;
};

/* Why one subscriber got nothing; each kind has its own exit code. */
enum failure {
	FAILURE_TEMPORARY, /* 4xx, connection trouble: a rerun may work */
	FAILURE_PERMANENT, /* 5xx, a refused address */
	FAILURE_CONFIG,	   /* the provider's settings, or no such provider */
	FAILURE_DATA	   /* the letter could not be rendered or composed */
};

/*
 * Two overlapping runs (a slow one and the next cron start, or an operator
 * by hand) would both see a subscriber as not yet sent: only one run may
 * deliver at a time.  Returns the lock's descriptor, or -1 after printing
 * why; the lock is released when the descriptor closes (or the process
 * dies).
 */
static int
take_run_lock(const char *state_path, int *code_out)
{
	char *path = xasprintf("%s.lock", state_path);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		cli_warn("cannot open the run lock %s: %s", path,
			 strerror(errno));
		*code_out = EX_CANTCREAT;
	} else if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK) {
			cli_warn("another digest send holds %s: not sending "
				 "twice; try again when it has finished",
				 path);
			*code_out = EX_TEMPFAIL;
		} else {
			cli_warn("cannot lock %s: %s", path, strerror(errno));
			*code_out = EX_IOERR;
		}
		close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

/* Reads the options; CLI_HELP_SHOWN, 0 or a sysexits code. */
static int
parse_options(int argc, char **argv, struct send_run *run,
	      const char **subscriber_out)
{
	struct cli_args args;
	int code;

	run->now = time(NULL);
	code = cli_parse_args(&usage, argc, argv, &args);
	if (code != 0)
		return code;
	run->dry_run = args.values[OPT_DRY_RUN] != NULL;
	*subscriber_out = args.values[OPT_SUBSCRIBER];
	if (args.values[OPT_NOW])
		return cli_parse_now(args.values[OPT_NOW], &run->now);
	return 0;
}

/* The transport for provider, opened once; NULL when it is broken. */
static struct transport *
route_for(struct send_run *run, const struct provider *provider)
{
	const struct config *config = run->cli->config;
	struct route *route = &run->routes[provider - config->providers];
	char *password = NULL;
	char *errstr = NULL;

	if (config->transport != TRANSPORT_KIND_SMTP)
		return run->shared;
	if (route->broken)
		return NULL;
	if (route->transport)
		return route->transport;
	if (provider_read_password(provider, &password, &errstr) < 0) {
		route->broken = errstr;
		cli_warn("%s", errstr);
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

static enum failure
failure_of(enum transport_status status)
{
	if (status == TRANSPORT_ETEMP)
		return FAILURE_TEMPORARY;
	if (status == TRANSPORT_ECONFIG)
		return FAILURE_CONFIG;
	return FAILURE_PERMANENT;
}

static void
count_failure(struct send_run *run, const struct subscriber *subscriber,
	      const struct provider *provider, enum failure failure,
	      const char *reason)
{
	const char *kind = "failed permanently";

	switch (failure) {
	case FAILURE_TEMPORARY:
		run->temporary++;
		kind = "failed temporarily";
		break;
	case FAILURE_CONFIG:
		run->config_trouble++;
		kind = "not sent (provider settings)";
		break;
	case FAILURE_DATA:
		run->data_errors++;
		kind = "not sent (the message could not be made)";
		break;
	case FAILURE_PERMANENT:
		run->permanent++;
		break;
	}
	cli_warn("subscriber %s (provider %s): %s: %s", subscriber->email,
		 provider ? provider->id : "?", kind, reason);
}

/* Records a delivery; a failure here risks a second copy on a rerun. */
static void
record(struct send_run *run, const struct subscriber *subscriber,
       const struct letter *letter)
{
	char *errstr = NULL;

	if (state_mark_sent(run->state, subscriber->email, run->digest_date,
			    letter->message_id, time(NULL),
			    &errstr) != STATE_OK) {
		cli_warn("subscriber %s: sent, but not recorded: %s",
			 subscriber->email, errstr);
		free(errstr);
		run->record_failed = 1;
	}
}

static void
deliver_one(struct send_run *run, const struct subscriber *subscriber)
{
	const struct config *config = run->cli->config;
	struct transport *transport;
	struct route *route;
	struct letter letter;
	enum letter_status letter_status;
	enum transport_status status;
	char *errstr = NULL;
	int sent = 0;

	if (state_was_sent(run->state, subscriber->email, run->digest_date,
			   &sent, &errstr) != STATE_OK) {
		count_failure(run, subscriber, NULL, FAILURE_TEMPORARY, errstr);
		free(errstr);
		return;
	}
	if (sent) {
		run->skipped++;
		return;
	}
	/*
	 * Once a delivery went unrecorded, each further one would be sent
	 * again by the rerun: hold the rest back (one warning at the end).
	 */
	if (run->record_failed) {
		run->temporary++;
		run->held_back++;
		return;
	}
	letter_status = letter_build(config, run->renderer, &run->items,
				     subscriber, run->now, &letter, &errstr);
	if (letter_status != LETTER_OK) {
		count_failure(run, subscriber,
			      letter_provider(config, subscriber),
			      letter_status == LETTER_EPROVIDER ? FAILURE_CONFIG
								: FAILURE_DATA,
			      errstr);
		free(errstr);
		return;
	}
	if (run->dry_run) {
		run->sent++;
		goto out;
	}
	route = &run->routes[letter.provider - config->providers];
	if (route->temporary_streak >= SEND_PAUSE_AFTER) {
		run->temporary++;
		route->paused++;
		goto out;
	}
	transport = route_for(run, letter.provider);
	if (transport == NULL) {
		count_failure(run, subscriber, letter.provider, FAILURE_CONFIG,
			      "the provider cannot be used (see above)");
		goto out;
	}
	status = transport_send(transport, letter.provider->from_address,
				subscriber->email, letter.message, letter.size,
				&errstr);
	if (status == TRANSPORT_OK) {
		run->sent++;
		route->temporary_streak = 0;
		record(run, subscriber, &letter);
		goto out;
	}
	count_failure(run, subscriber, letter.provider, failure_of(status),
		      errstr);
	if (status == TRANSPORT_ETEMP &&
	    ++route->temporary_streak == SEND_PAUSE_AFTER)
		cli_warn("provider %s: %d temporary failures in a row; its "
			 "other subscribers are left for the next run",
			 letter.provider->id, SEND_PAUSE_AFTER);
	/*
	 * Wrong settings (AUTH, TLS, the sender) fail for every subscriber
	 * of the provider alike; trying each would only repeat the line and
	 * could get the account locked for too many failed logins.
	 */
	if (status == TRANSPORT_ECONFIG &&
	    config->transport == TRANSPORT_KIND_SMTP)
		run->routes[letter.provider - config->providers].broken =
		    errstr;
	else
		free(errstr);
out:
	letter_clear(&letter);
}

/* Active subscribers, or the one named; a sysexits code. */
static int
load_subscribers(struct send_run *run, const char *email,
		 struct subscriber_list *list_out)
{
	char *errstr = NULL;
	char *normal;
	enum state_status status;

	memset(list_out, 0, sizeof *list_out);
	if (email == NULL) {
		status =
		    state_subscriber_list(run->state, 1, list_out, &errstr);
		if (status == STATE_OK)
			return EX_OK;
		cli_warn("%s", errstr);
		free(errstr);
		return EX_IOERR;
	}
	normal = cli_address("send", email);
	if (normal == NULL)
		return EX_DATAERR;
	list_out->subscribers = xcalloc(1, sizeof *list_out->subscribers);
	status = state_subscriber_get(run->state, normal, list_out->subscribers,
				      &errstr);
	free(normal);
	if (status == STATE_OK) {
		list_out->count = 1;
		return EX_OK;
	}
	free(list_out->subscribers);
	list_out->subscribers = NULL;
	if (status == STATE_ENOTFOUND) {
		cli_warn("no subscriber %s", email);
		free(errstr);
		return EX_NOUSER;
	}
	cli_warn("%s", errstr);
	free(errstr);
	return EX_IOERR;
}

static int
open_shared_transport(struct send_run *run)
{
	const struct config *config = run->cli->config;

	if (run->dry_run || config->transport == TRANSPORT_KIND_SMTP)
		return EX_OK;
	if (config->transport == TRANSPORT_KIND_STDOUT) {
		run->shared = transport_open_stdout();
	} else {
		run->shared = transport_open_maildir(config->outbox_dir);
	}
	if (run->shared == NULL) {
		cli_warn("cannot open the outbox %s", config->outbox_dir);
		return EX_CANTCREAT;
	}
	return EX_OK;
}

static int
exit_code(const struct send_run *run)
{
	if (run->record_failed)
		return EX_IOERR;
	if (run->config_trouble)
		return EX_CONFIG;
	if (run->data_errors)
		return EX_DATAERR;
	if (run->permanent)
		return EX_UNAVAILABLE;
	if (run->temporary)
		return EX_TEMPFAIL;
	return EX_OK;
}

static void
print_summary(const struct send_run *run)
{
	FILE *stream = run->cli->config->transport == TRANSPORT_KIND_STDOUT
			   ? stderr
			   : stdout;

	fprintf(stream,
		"%s%s: sent %zu, failed temporarily %zu, failed permanently "
		"%zu, skipped %zu\n",
		run->dry_run ? "dry run (nothing delivered) " : "",
		run->digest_date, run->sent, run->temporary,
		run->permanent + run->config_trouble + run->data_errors,
		run->skipped);
}

static int
send_all(struct send_run *run, struct subscriber_list *list)
{
	int code;

	if ((code = open_shared_transport(run)) != EX_OK)
		return code;
	for (size_t i = 0; i < list->count; i++) {
		if (!list->subscribers[i].active) {
			/* Only --subscriber can name one: say why nothing. */
			cli_warn("subscriber %s is not active: not sent",
				 list->subscribers[i].email);
			run->skipped++;
			continue;
		}
		deliver_one(run, &list->subscribers[i]);
	}
	for (size_t i = 0; i < run->cli->config->provider_count; i++)
		if (run->routes[i].paused > 0)
			cli_warn("provider %s: %zu subscribers not tried "
				 "(left for the next run)",
				 run->cli->config->providers[i].id,
				 run->routes[i].paused);
	if (run->held_back > 0)
		cli_warn("%zu subscribers not sent: deliveries can no longer "
			 "be recorded (see above); rerun once the state "
			 "database works",
			 run->held_back);
	print_summary(run);
	code = cli_finish_output();
	return code != EX_OK ? code : exit_code(run);
}

static void
close_run(struct send_run *run)
{
	const struct config *config = run->cli->config;

	for (size_t i = 0; run->routes && i < config->provider_count; i++) {
		transport_close(run->routes[i].transport);
		free(run->routes[i].broken);
	}
	free(run->routes);
	transport_close(run->shared);
	render_close(run->renderer);
	feed_item_list_clear(&run->items);
	state_close(run->state);
}

int
cli_send_main(struct cli *cli, int argc, char **argv)
{
	struct send_run run = {0};
	struct subscriber_list list = {0};
	const char *only = NULL;
	char *errstr = NULL;
	int lock_fd = -1;
	int code;

	run.cli = cli;
	code = parse_options(argc, argv, &run, &only);
	if (code == CLI_HELP_SHOWN)
		return cli_finish_output();
	if (code != 0)
		return code;
	if ((code = cli_load_config(cli)) != EX_OK)
		return code;
	run.routes =
	    xcalloc(cli->config->provider_count + 1, sizeof *run.routes);
	letter_digest_date(cli->config, run.now, run.digest_date);
	if (!run.dry_run &&
	    (lock_fd = take_run_lock(cli->config->state_path, &code)) < 0)
		goto out;
	code = EX_CONFIG;
	if (render_open(cli->config->template_dir, &run.renderer, &errstr) !=
	    RENDER_OK)
		goto out;
	code = EX_IOERR;
	if (state_open(cli->config->state_path, &run.state, &errstr) !=
	    STATE_OK)
		goto out;
	if ((code = load_subscribers(&run, only, &list)) != EX_OK)
		goto out;
	if ((code = cli_gather(cli, run.now, &run.items)) != EX_OK)
		goto out;
	if (run.items.count == 0) {
		cli_warn("no news items in the last %ld hours: nothing sent",
			 cli->config->max_age / 3600);
		goto out;
	}
	code = send_all(&run, &list);
out:
	if (errstr) {
		cli_warn("%s", errstr);
		free(errstr);
	}
	subscriber_list_clear(&list);
	close_run(&run);
	if (lock_fd >= 0)
		close(lock_fd);
	return code;
}
