/*
 * cli_send.c - `digest send`: the daily run from cron.  Takes the run
 * lock, settles what a dead run left in the journal, makes the day's
 * edition (or takes the one made already), hands every subscriber to
 * deliver.c, and ends with one summary line and an exit code for cron.
 */
#include "cli_commands.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "deliver.h"
#include "edition.h"
#include "letter.h"
#include "render.h"
#include "state.h"
#include "util.h"

/*
 * Items are remembered this long after they were last seen in a feed
 * (beyond max_age), so that one that stays in a feed is never new again.
 */
#define SEND_REMEMBER_DAYS 30
/* As good as no limit: every item within the age window. */
#define GATHER_ALL_ITEMS 1000000L

enum { OPT_DRY_RUN, OPT_SUBSCRIBER, OPT_NOW };

static const struct cli_option options[] = {
    {"dry-run", NULL,
     "Gathers, renders and composes every message as a real run would, "
     "and reports what would be sent, but connects to no server, delivers "
     "nothing and records nothing (no edition, no journal), so a real run "
     "afterwards still sends everyone their digest."},
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
    "Mails each active subscriber the items they have not had yet, "
    "through the provider each chose, once a day: every delivery is in "
    "the journal before the message leaves, so a rerun after a crash "
    "sends nobody a second copy.  Ends with one summary line; the exit "
    "code tells cron how it went.",
    options,
    0,
    0};

struct send_run {
	struct cli *cli;
	struct state *state;
	struct renderer *renderer;
	struct links *links;	   /* the signed links; NULL without [web] */
	struct item_list gathered; /* when this run gathered */
	struct edition *edition;
	time_t now;
	char digest_date[11];
	int dry_run;
	const char *only;    /* --subscriber */
	int sources_failing; /* a source failed error_after runs in a row */
	struct run_record record;
};

/*
 * Two overlapping runs (a slow one and the next cron start, or an operator
 * by hand) must not both deliver: only one run may deliver at a time.
 * Returns the lock's descriptor, or -1 after printing why; the lock is
 * released when the descriptor closes or the process dies, so a run that
 * was killed leaves nothing stale behind.
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
parse_options(int argc, char **argv, struct send_run *run)
{
	struct cli_args args;
	int code;

	run->now = time(NULL);
	code = cli_parse_args(&usage, argc, argv, &args);
	if (code != 0)
		return code;
	run->dry_run = args.values[OPT_DRY_RUN] != NULL;
	run->only = args.values[OPT_SUBSCRIBER];
	if (args.values[OPT_NOW])
		return cli_parse_now(args.values[OPT_NOW], &run->now);
	return 0;
}

/* Prints a store failure; returns EX_IOERR. */
static int
state_failed(char *errstr)
{
	cli_warn("%s", errstr);
	free(errstr);
	return EX_IOERR;
}

/* A journal entry left "sending" is from a run that died. */
static int
settle_journal(struct send_run *run)
{
	size_t count = 0;
	char *errstr = NULL;

	if (state_deliveries_settle(run->state, time(NULL), &count, &errstr) !=
	    STATE_OK)
		return state_failed(errstr);
	if (count > 0)
		cli_warn("%zu deliveries of a run that stopped are uncertain: "
			 "not sent again (digest status lists them)",
			 count);
	return EX_OK;
}

/*
 * Keeps each source's result of this gathering; a source that has failed
 * for error_after runs in a row is an error, not a warning.
 */
static int
record_sources(struct send_run *run, const struct gather_report *report)
{
	const struct config *config = run->cli->config;
	const char *error;
	char *errstr = NULL;
	long failures = 0;

	for (size_t i = 0; i < config->source_count; i++) {
		const struct source *source = &config->sources[i];

		error = NULL;
		for (size_t p = 0; p < report->problem_count; p++)
			if (strcmp(report->problems[p].source, source->id) == 0)
				error = report->problems[p].reason;
		if (state_source_result(run->state, source->id, error, run->now,
					&failures, &errstr) != STATE_OK)
			return state_failed(errstr);
		if (error == NULL || config->error_after == 0 ||
		    failures < config->error_after)
			continue;
		cli_warn("feed \"%s\": error: no items for %ld runs in a row "
			 "(last: %s)",
			 source->id, failures, error);
		run->sources_failing = 1;
	}
	return EX_OK;
}

/*
 * Gathers every item within the age window: the edition keeps them all,
 * and max_items limits each subscriber's share instead, so an item that
 * did not make today's cut is not offered tomorrow as news.
 */
static int
gather_all(struct send_run *run)
{
	struct config all = *run->cli->config;
	struct gather_report report = {0};
	int code;

	all.max_items = GATHER_ALL_ITEMS;
	code = cli_gather(&all, run->now, &run->gathered, &report);
	if (!run->dry_run &&
	    (report.source_ok_count > 0 || report.problem_count > 0)) {
		int recorded = record_sources(run, &report);

		if (code == EX_OK)
			code = recorded;
	}
	gather_report_clear(&report);
	return code;
}

/*
 * Makes the day's edition from a fresh gathering, or takes the one a
 * first run made: a rerun sends the day's digest as it was.  A dry run
 * writes nothing: without an edition it shares out what it gathered.
 */
static int
prepare_edition(struct send_run *run)
{
	const struct config *config = run->cli->config;
	time_t since = run->now - config->max_age;
	size_t new_count = 0;
	long number = 0;
	char *errstr = NULL;
	int code;

	if (state_edition_find(run->state, run->digest_date, &number,
			       &errstr) != STATE_OK)
		return state_failed(errstr);
	if (number == 0) {
		if ((code = gather_all(run)) != EX_OK)
			return code;
		if (run->dry_run) {
			run->edition = edition_new_preview(
			    run->state, &run->gathered, since,
			    (size_t)config->max_items);
			return EX_OK;
		}
		if (state_edition_make(run->state, run->digest_date, run->now,
				       &run->gathered, since, &number,
				       &new_count, &errstr) != STATE_OK ||
		    state_items_prune(run->state,
				      since - SEND_REMEMBER_DAYS * 86400L,
				      &errstr) != STATE_OK)
			return state_failed(errstr);
	}
	run->edition =
	    edition_new(run->state, number, since, (size_t)config->max_items);
	return EX_OK;
}

/* Active subscribers, or the one named; a sysexits code. */
static int
load_subscribers(struct send_run *run, struct subscriber_list *list_out)
{
	char *errstr = NULL;
	char *normal;
	enum state_status status;

	memset(list_out, 0, sizeof *list_out);
	if (run->only == NULL) {
		status =
		    state_subscriber_list(run->state, 1, list_out, &errstr);
		return status == STATE_OK ? EX_OK : state_failed(errstr);
	}
	normal = cli_address("send", run->only);
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
	if (status == STATE_ENOTFOUND) {
		cli_warn("no subscriber %s", run->only);
		free(errstr);
		return EX_NOUSER;
	}
	return state_failed(errstr);
}

static void
print_report(void *context, const char *line)
{
	(void)context;
	cli_warn("%s", line);
}

static int
exit_code(const struct deliver_counts *counts)
{
	if (counts->record_failed)
		return EX_IOERR;
	if (counts->config)
		return EX_CONFIG;
	if (counts->data)
		return EX_DATAERR;
	if (counts->permanent)
		return EX_UNAVAILABLE;
	if (counts->temporary)
		return EX_TEMPFAIL;
	return EX_OK;
}

static void
print_summary(const struct send_run *run, const struct deliver_counts *counts)
{
	FILE *stream = run->cli->config->transport == TRANSPORT_KIND_STDOUT
			   ? stderr
			   : stdout;
	char *line = xasprintf(
	    "%s%s: sent %zu, failed temporarily %zu, failed permanently %zu, "
	    "skipped %zu, uncertain %zu, nothing new %zu",
	    run->dry_run ? "dry run (nothing delivered) " : "",
	    run->digest_date, counts->sent, counts->temporary,
	    counts->permanent + counts->config + counts->data, counts->skipped,
	    counts->uncertain, counts->nothing_new);

	fprintf(stream, "%s\n", line);
	cli_log(line);
	free(line);
}

/* Keeps the run's counts in the store, for `digest status`. */
static void
record_run(struct send_run *run, const struct deliver_counts *counts, int code)
{
	char *errstr = NULL;

	if (run->dry_run || run->record.id == 0)
		return;
	run->record.finished_at = time(NULL);
	run->record.sent = (long)counts->sent;
	run->record.temp_failed = (long)counts->temporary;
	run->record.perm_failed =
	    (long)(counts->permanent + counts->config + counts->data);
	run->record.uncertain = (long)counts->uncertain;
	run->record.skipped = (long)counts->skipped;
	run->record.nothing_new = (long)counts->nothing_new;
	run->record.exit_code = code;
	if (state_run_end(run->state, &run->record, &errstr) != STATE_OK) {
		cli_warn("%s", errstr);
		free(errstr);
	}
}

static int
begin_run_record(struct send_run *run)
{
	char host[256] = "";
	char *errstr = NULL;

	if (run->dry_run)
		return EX_OK;
	if (gethostname(host, sizeof host - 1) < 0)
		util_strlcpy(host, "localhost", sizeof host);
	if (state_run_begin(run->state, run->digest_date, host, (long)getpid(),
			    time(NULL), &run->record.id, &errstr) != STATE_OK)
		return state_failed(errstr);
	return EX_OK;
}

static int
send_all(struct send_run *run, const struct subscriber_list *list)
{
	struct deliver_setup setup = {0};
	struct deliver_counts counts;
	struct deliver *deliver;
	int code;

	setup.config = run->cli->config;
	setup.state = run->state;
	setup.renderer = run->renderer;
	setup.links = run->links;
	setup.edition = run->edition;
	setup.digest_date = run->digest_date;
	setup.now = run->now;
	setup.dry_run = run->dry_run;
	setup.report = print_report;
	deliver = deliver_start(&setup);
	for (size_t i = 0; i < list->count; i++)
		deliver_one(deliver, &list->subscribers[i]);
	if (!run->dry_run)
		deliver_retry(deliver);
	deliver_end(deliver, &counts);
	print_summary(run, &counts);
	code = cli_finish_output();
	if (code == EX_OK)
		code = exit_code(&counts);
	if (code == EX_OK && run->sources_failing)
		code = EX_UNAVAILABLE;
	record_run(run, &counts, code);
	return code;
}

/* Everything after the options and the lock; a sysexits code. */
static int
run_send(struct send_run *run, struct subscriber_list *list)
{
	const struct config *config = run->cli->config;
	char *errstr = NULL;
	int code;

	if (render_open(config->template_dir, &run->renderer, &errstr) !=
	    RENDER_OK) {
		cli_warn("%s", errstr);
		free(errstr);
		return EX_CONFIG;
	}
	/* A key that cannot be read stops the run before anything leaves. */
	if ((code = cli_open_links(config, &run->links)) != EX_OK)
		return code;
	if (state_open(config->state_path, &run->state, &errstr) != STATE_OK)
		return state_failed(errstr);
	if ((code = load_subscribers(run, list)) != EX_OK)
		return code;
	if (!run->dry_run && (code = settle_journal(run)) != EX_OK)
		return code;
	if ((code = prepare_edition(run)) != EX_OK)
		return code;
	if ((code = begin_run_record(run)) != EX_OK)
		return code;
	return send_all(run, list);
}

int
cli_send_main(struct cli *cli, int argc, char **argv)
{
	struct send_run run = {0};
	struct subscriber_list list = {0};
	int lock_fd = -1;
	int code;

	run.cli = cli;
	code = parse_options(argc, argv, &run);
	if (code == CLI_HELP_SHOWN)
		return cli_finish_output();
	if (code != 0)
		return code;
	if ((code = cli_load_config(cli)) != EX_OK)
		return code;
	letter_digest_date(cli->config, run.now, run.digest_date);
	if (run.dry_run ||
	    (lock_fd = take_run_lock(cli->config->state_path, &code)) >= 0)
		code = run_send(&run, &list);
	subscriber_list_clear(&list);
	edition_free(run.edition);
	feed_item_list_clear(&run.gathered);
	render_close(run.renderer);
	links_free(run.links);
	state_close(run.state);
	if (lock_fd >= 0)
		close(lock_fd);
	return code;
}
