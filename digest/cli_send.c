/*
 * cli_send.c - `digest send`: the daily run from cron.  Takes the run
 * lock, settles what a dead run left in the journal, makes the day's
 * edition (or takes the one made already), hands every subscriber to
 * deliver.c, and ends with one summary line and an exit code for cron.
 */
#include "cli_commands.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "deliver.h"
#include "edition.h"
#include "letter.h"
#include "progress.h"
#include "render.h"
#include "share.h"
#include "state.h"
#include "util.h"

/*
 * Items are remembered this long after they were last seen in a feed
 * (beyond max_age), so that one that stays in a feed is never new again.
 */
#define SEND_REMEMBER_DAYS 30
/* Subscribers read from the store at a time. */
#define SEND_PAGE 1000
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
	const char *only;	  /* --subscriber */
	struct share *share;	  /* the claims of a shared store's run */
	struct share_batch batch; /* a dead run's, taken over */
	int batch_ready;	  /* batch is to be delivered */
	size_t done;		  /* subscribers handed over so far */
	int sources_failing; /* a source failed error_after runs in a row */
	struct run_record record;
};

/*
 * Two overlapping runs (a slow one and the next cron start, or an operator
 * by hand) must not both deliver: only one run may deliver at a time.
 * The store holds the lock (state_run_lock()), and lets it go when it is
 * closed or the process dies, so a killed run leaves nothing stale.  A
 * shared store has none: its runs share the work through claims instead.
 */
static int
take_run_lock(struct send_run *run)
{
	char *errstr = NULL;
	enum state_status status = state_run_lock(run->state, &errstr);

	if (status == STATE_OK)
		return EX_OK;
	cli_warn("%s", errstr);
	free(errstr);
	switch (status) {
	case STATE_EBUSY:
		return EX_TEMPFAIL;
	case STATE_ECREATE:
		return EX_CANTCREAT;
	default:
		return EX_IOERR;
	}
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
gather_all(struct send_run *run, struct gather_report *report_out)
{
	const struct config *config = run->cli->config;
	struct config all = *config;
	struct fetch_validators *known;
	char *errstr = NULL;
	int code = EX_OK;

	/* A dry run asks for everything: it keeps nothing for next time. */
	known = xcalloc(config->source_count + 1, sizeof *known);
	for (size_t i = 0; !run->dry_run && i < config->source_count; i++)
		if (state_source_validators(
			run->state, config->sources[i].id, &known[i].etag,
			&known[i].last_modified, &errstr) != STATE_OK)
			code = state_failed(errstr);
	all.max_items = GATHER_ALL_ITEMS;
	if (code == EX_OK)
		code = cli_gather(&all, run->now, known, &run->gathered,
				  report_out);
	if (!run->dry_run && (report_out->source_ok_count > 0 ||
			      report_out->problem_count > 0)) {
		int recorded = record_sources(run, report_out);

		if (code == EX_OK)
			code = recorded;
	}
	for (size_t i = 0; i < config->source_count; i++)
		fetch_validators_clear(&known[i]);
	free(known);
	return code;
}

/*
 * Keeps what each source said about its version, once the edition that
 * holds its items is made: a later run that hears "not modified" must
 * find those items stored.
 */
static int
keep_validators(struct send_run *run, const struct gather_report *report)
{
	const struct config *config = run->cli->config;
	char *errstr = NULL;

	for (size_t i = 0; i < report->validator_count; i++) {
		const struct fetch_validators *v = &report->validators[i];

		if (v->etag == NULL && v->last_modified == NULL)
			continue;
		if (state_source_set_validators(
			run->state, config->sources[i].id, v->etag,
			v->last_modified, &errstr) != STATE_OK)
			return state_failed(errstr);
	}
	return EX_OK;
}

/*
 * Makes the day's edition from a fresh gathering, or takes the one a
 * first run made: a rerun sends the day's digest as it was.  A dry run
 * writes nothing: without an edition it shares out what it gathered.
 */
static int
make_edition(struct send_run *run)
{
	const struct config *config = run->cli->config;
	struct gather_report report = {0};
	time_t since = run->now - config->max_age;
	size_t new_count = 0;
	long number = 0;
	char *errstr = NULL;
	int code;

	if (state_edition_find(run->state, run->digest_date, &number,
			       &errstr) != STATE_OK)
		return state_failed(errstr);
	if (number == 0) {
		code = gather_all(run, &report);
		if (code == EX_OK && run->dry_run)
			run->edition = edition_new_preview(
			    run->state, &run->gathered, since,
			    (size_t)config->max_items);
		if (code != EX_OK || run->dry_run) {
			gather_report_clear(&report);
			return code;
		}
		if (state_edition_make(run->state, run->digest_date, run->now,
				       &run->gathered, since, &number,
				       &new_count, &errstr) != STATE_OK ||
		    state_items_prune(run->state,
				      since - SEND_REMEMBER_DAYS * 86400L,
				      &errstr) != STATE_OK) {
			gather_report_clear(&report);
			return state_failed(errstr);
		}
		code = keep_validators(run, &report);
		gather_report_clear(&report);
		if (code != EX_OK)
			return code;
	}
	run->edition =
	    edition_new(run->state, number, since, (size_t)config->max_items);
	return EX_OK;
}

/*
 * As make_edition(), under the edition lock of a shared store: the first
 * run gathers and makes the day's edition, the others wait and take it.
 */
static int
prepare_edition(struct send_run *run)
{
	char *errstr = NULL;
	int locked = !run->dry_run && state_is_shared(run->state);
	int code;

	if (locked && state_edition_lock(run->state, 1, &errstr) != STATE_OK)
		return state_failed(errstr);
	code = make_edition(run);
	if (locked && state_edition_lock(run->state, 0, &errstr) != STATE_OK &&
	    code == EX_OK)
		code = state_failed(errstr);
	free(errstr);
	return code;
}

/* The subscriber named by --subscriber into *list_out; a sysexits code. */
static int
load_named(struct send_run *run, struct subscriber_list *list_out)
{
	char *errstr = NULL;
	char *normal;
	enum state_status status;

	memset(list_out, 0, sizeof *list_out);
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
	progress_clear(context);
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

/*
 * Hands the active subscribers with ids after first - 1 up to last to
 * deliver, a page at a time, so that nothing per subscriber is held for
 * the run.
 */
static int
deliver_range(struct send_run *run, struct deliver *deliver,
	      struct progress *progress, long long first, long long last,
	      size_t *done)
{
	struct subscriber_list page = {0};
	char *errstr = NULL;
	long after = (long)first - 1;

	for (;;) {
		if (state_subscriber_page(run->state, after, SEND_PAGE, &page,
					  &errstr) != STATE_OK)
			return state_failed(errstr);
		if (page.count == 0)
			break;
		deliver_expect(deliver, &page);
		for (size_t i = 0; i < page.count && after < last; i++) {
			after = page.subscribers[i].id;
			if (after <= last) {
				deliver_one(deliver, &page.subscribers[i]);
				progress_show(progress, deliver, ++*done);
			}
		}
		subscriber_list_clear(&page);
		if (after >= last)
			break;
	}
	deliver_expect(deliver, NULL);
	return EX_OK;
}

/*
 * On a shared store, the batches this run claims, one after another (the
 * first one given, when run->batch_ready), until there is none to claim.
 */
static int
deliver_claimed(struct send_run *run, struct deliver *deliver,
		struct progress *progress)
{
	struct share_batch *batch = &run->batch;
	char *errstr = NULL;
	int got = run->batch_ready, code = EX_OK;

	if (!got)
		got = share_next(run->share, batch, &errstr);
	while (code == EX_OK && got > 0) {
		if (batch->settled > 0)
			cli_warn("%zu deliveries of a run that stopped are "
				 "uncertain: not sent again (digest status "
				 "lists them)",
				 batch->settled);
		code = deliver_range(run, deliver, progress, batch->first_id,
				     batch->last_id, &run->done);
		if (code == EX_OK)
			got = share_next(run->share, batch, &errstr);
	}
	run->batch_ready = 0;
	if (code == EX_OK && got < 0)
		code = state_failed(errstr);
	return code;
}

/* Hands every subscriber to deliver, or the one named. */
static int
deliver_all(struct send_run *run, struct deliver *deliver,
	    struct progress *progress)
{
	struct subscriber_list page = {0};
	int code;

	if (run->only != NULL) {
		if ((code = load_named(run, &page)) == EX_OK)
			deliver_one(deliver, &page.subscribers[0]);
		subscriber_list_clear(&page);
		return code;
	}
	if (run->share != NULL)
		return deliver_claimed(run, deliver, progress);
	return deliver_range(run, deliver, progress, 1, LLONG_MAX, &run->done);
}

/*
 * A run of a shared store joins the day's round (one that starts a new
 * round settles the deliveries dead runs left under way), and from then
 * on renews its lease; --subscriber and a dry run claim nothing.
 */
static int
join_round(struct send_run *run)
{
	const struct config *config = run->cli->config;
	size_t settled = 0;
	char *errstr = NULL;

	if (run->dry_run || run->only != NULL || !state_is_shared(run->state))
		return EX_OK;
	if (share_start(run->state, config->state_path, run->digest_date,
			run->record.id, config->claim_lease, &run->share,
			&settled, &errstr) != STATE_OK)
		return state_failed(errstr);
	if (settled > 0)
		cli_warn("%zu deliveries of a run that stopped are uncertain: "
			 "not sent again (digest status lists them)",
			 settled);
	return EX_OK;
}

/*
 * The run's claims are done once every delivery of theirs is recorded;
 * then it waits while other runs work, to take over the batch of one that
 * dies (run->batch_ready).  A run whose journal failed leaves its claims
 * to another run.  A sysexits code.
 */
static int
after_claims(struct send_run *run, const struct deliver_counts *counts)
{
	char *errstr = NULL;
	int got;

	if (counts->record_failed)
		return EX_OK;
	if (share_finish(run->share, &errstr) != STATE_OK)
		return state_failed(errstr);
	got = share_wait(run->share, &run->batch, &errstr);
	if (got < 0)
		return state_failed(errstr);
	run->batch_ready = got;
	return EX_OK;
}

static void
fill_setup(struct send_run *run, struct progress *progress,
	   struct deliver_setup *setup)
{
	memset(setup, 0, sizeof *setup);
	setup->config = run->cli->config;
	setup->state = run->state;
	setup->renderer = run->renderer;
	setup->links = run->links;
	setup->edition = run->edition;
	setup->digest_date = run->digest_date;
	setup->now = run->now;
	setup->dry_run = run->dry_run;
	setup->report = print_report;
	setup->report_context = progress;
}

static void
add_counts(struct deliver_counts *total, const struct deliver_counts *part)
{
	total->sent += part->sent;
	total->temporary += part->temporary;
	total->permanent += part->permanent;
	total->config += part->config;
	total->data += part->data;
	total->uncertain += part->uncertain;
	total->skipped += part->skipped;
	total->nothing_new += part->nothing_new;
	total->record_failed |= part->record_failed;
}

/*
 * Delivers what the run has to into *counts: on a shared store, one more
 * pass for each dead run's batch it takes over after its own.
 */
static int
deliver_passes(struct send_run *run, struct progress *progress,
	       struct deliver_counts *counts)
{
	struct deliver_setup setup;
	struct deliver_counts part;
	struct deliver *deliver;
	int code;

	memset(counts, 0, sizeof *counts);
	fill_setup(run, progress, &setup);
	do {
		deliver = deliver_start(&setup);
		code = deliver_all(run, deliver, progress);
		if (code == EX_OK && !run->dry_run)
			deliver_retry(deliver);
		progress_clear(progress);
		deliver_end(deliver, &part);
		add_counts(counts, &part);
		if (code == EX_OK && run->share != NULL)
			code = after_claims(run, &part);
	} while (code == EX_OK && run->batch_ready);
	return code;
}

static int
send_all(struct send_run *run)
{
	struct deliver_counts counts;
	struct progress progress;
	size_t total = 1;
	char *errstr = NULL;
	int code;

	if (run->only == NULL &&
	    state_subscriber_count(run->state, &total, &errstr) != STATE_OK)
		return state_failed(errstr);
	if ((code = join_round(run)) != EX_OK)
		return code;
	progress_start(&progress, total);
	code = deliver_passes(run, &progress, &counts);
	share_end(run->share);
	run->share = NULL;
	if (code != EX_OK)
		return code;
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
run_send(struct send_run *run)
{
	const struct config *config = run->cli->config;
	struct subscriber_list named = {0};
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
	if ((code = cli_open_state(config, 0, &run->state)) != EX_OK)
		return code;
	if (!run->dry_run && (code = take_run_lock(run)) != EX_OK)
		return code;
	/* A --subscriber that does not exist needs no feeds to say so. */
	if (run->only != NULL) {
		code = load_named(run, &named);
		subscriber_list_clear(&named);
		if (code != EX_OK)
			return code;
	}
	/* A shared store settles what dead runs left as runs join. */
	if (!run->dry_run && !state_is_shared(run->state) &&
	    (code = settle_journal(run)) != EX_OK)
		return code;
	if ((code = prepare_edition(run)) != EX_OK)
		return code;
	if ((code = begin_run_record(run)) != EX_OK)
		return code;
	return send_all(run);
}

int
cli_send_main(struct cli *cli, int argc, char **argv)
{
	struct send_run run = {0};
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
	code = run_send(&run);
	edition_free(run.edition);
	feed_item_list_clear(&run.gathered);
	render_close(run.renderer);
	links_free(run.links);
	/* This lets the run lock go. */
	state_close(run.state);
	return code;
}
