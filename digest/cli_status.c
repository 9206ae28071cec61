/*
 * cli_status.c - `digest status`: how the mornings went, for the operator:
 * the last runs with their counts, deliveries that may or may not have
 * arrived, subscribers that need attention, and each source's health.
 */
#include "cli_commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>

#include "datetime.h"
#include "state.h"
#include "util.h"

/* How many runs status shows. */
#define STATUS_RUNS 10

enum { OPT_JSON };

static const struct cli_option options[] = {
    {"json", NULL,
     "Prints one JSON object with the lists runs, uncertain, attention and "
     "sources instead of the readable report."},
    {NULL, NULL, NULL}};

static const struct cli_usage usage = {
    "status",
    "[--json]",
    "Shows the last runs of digest send with their counts, the deliveries "
    "that may or may not have arrived (never sent again unless [mail] "
    "uncertain = resend), the subscribers whose mail keeps failing or who "
    "were switched off for it, and how each news source has been doing.",
    options,
    0,
    0};

struct report {
	struct run_list runs;
	struct delivery_list uncertain;
	struct attention_list attention;
	struct source_health_list sources;
};

/* A time in the configured zone, "2026-11-29 09:30", or "-" for 0. */
static void
local_time(const struct config *config, time_t when, char out[20])
{
	struct tm tm;

	if (when == 0 || datetime_local(config->timezone, when, &tm) < 0 ||
	    strftime(out, 20, "%Y-%m-%d %H:%M", &tm) == 0)
		util_strlcpy(out, "-", 20);
}

static enum state_status
read_report(struct state *state, struct report *report, char **errstr_out)
{
	enum state_status status;

	status =
	    state_runs_recent(state, STATUS_RUNS, &report->runs, errstr_out);
	if (status == STATE_OK)
		status = state_deliveries_list(state, DELIVERY_UNCERTAIN, NULL,
					       &report->uncertain, errstr_out);
	if (status == STATE_OK)
		status = state_subscribers_attention(state, &report->attention,
						     errstr_out);
	if (status == STATE_OK)
		status =
		    state_sources_health(state, &report->sources, errstr_out);
	return status;
}

static void
clear_report(struct report *report)
{
	state_run_list_clear(&report->runs);
	state_delivery_list_clear(&report->uncertain);
	state_attention_list_clear(&report->attention);
	state_source_health_list_clear(&report->sources);
}

static void
text_runs(struct buf *out, const struct config *config,
	  const struct run_list *runs)
{
	char started[20], finished[20];

	buf_puts(out, "Runs, newest first:\n");
	if (runs->count == 0)
		buf_puts(out, "  none yet\n");
	for (size_t i = 0; i < runs->count; i++) {
		const struct run_record *run = &runs->runs[i];

		local_time(config, run->started_at, started);
		local_time(config, run->finished_at, finished);
		buf_printf(out, "  %s  on %s (pid %ld), %s to %s: ",
			   run->digest_date, run->host, run->pid, started,
			   run->finished_at ? finished : "(stopped)");
		buf_printf(out,
			   "sent %ld, failed temporarily %ld, failed "
			   "permanently %ld, skipped %ld, uncertain %ld, "
			   "nothing new %ld",
			   run->sent, run->temp_failed, run->perm_failed,
			   run->skipped, run->uncertain, run->nothing_new);
		if (run->exit_code >= 0)
			buf_printf(out, "; exit %d", run->exit_code);
		buf_putc(out, '\n');
	}
}

static void
text_uncertain(struct buf *out, const struct delivery_list *list)
{
	buf_puts(out, "\nUncertain deliveries (not sent again):\n");
	if (list->count == 0)
		buf_puts(out, "  none\n");
	for (size_t i = 0; i < list->count; i++) {
		const struct delivery *entry = &list->deliveries[i];

		buf_printf(out, "  %s  %s (provider %s): %s\n",
			   entry->digest_date, entry->email,
			   entry->provider ? entry->provider : "?",
			   entry->reply ? entry->reply : "no reply");
	}
}

static void
text_attention(struct buf *out, const struct config *config,
	       const struct attention_list *list)
{
	char when[20];

	buf_puts(out, "\nSubscribers that need attention:\n");
	if (list->count == 0)
		buf_puts(out, "  none\n");
	for (size_t i = 0; i < list->count; i++) {
		const struct attention *entry = &list->subscribers[i];

		buf_printf(out, "  %s  ", entry->email);
		if (!entry->active && entry->deactivated_at) {
			local_time(config, entry->deactivated_at, when);
			buf_printf(out, "switched off %s, ", when);
		}
		buf_printf(
		    out, "permanent failures on %ld day%s, last %s: %s\n",
		    entry->failure_days, entry->failure_days == 1 ? "" : "s",
		    entry->last_failure_date,
		    entry->last_failure ? entry->last_failure : "-");
	}
}

static void
text_sources(struct buf *out, const struct config *config,
	     const struct source_health_list *list)
{
	char success[20];

	buf_puts(out, "\nSources:\n");
	if (list->count == 0)
		buf_puts(out, "  not gathered yet\n");
	for (size_t i = 0; i < list->count; i++) {
		const struct source_health *entry = &list->sources[i];

		local_time(config, entry->last_success, success);
		if (entry->failures == 0)
			buf_printf(out, "  %s  ok, last read %s\n", entry->id,
				   success);
		else
			buf_printf(out,
				   "  %s  failing for %ld run%s (last read "
				   "%s): %s\n",
				   entry->id, entry->failures,
				   entry->failures == 1 ? "" : "s", success,
				   entry->last_error ? entry->last_error : "-");
	}
}

static void
json_time(struct buf *out, const char *key, time_t when)
{
	char text[DATETIME_RFC3339_SIZE];

	buf_printf(out, ",\"%s\":", key);
	if (when != 0)
		datetime_format_rfc3339(when, text);
	buf_put_json_string(out, when != 0 ? text : NULL);
}

static void
json_runs(struct buf *out, const struct run_list *runs)
{
	buf_puts(out, "{\"runs\":[");
	for (size_t i = 0; i < runs->count; i++) {
		const struct run_record *run = &runs->runs[i];

		buf_puts(out, i ? ",{\"date\":" : "{\"date\":");
		buf_put_json_string(out, run->digest_date);
		buf_puts(out, ",\"host\":");
		buf_put_json_string(out, run->host);
		buf_printf(out, ",\"pid\":%ld", run->pid);
		json_time(out, "started", run->started_at);
		json_time(out, "finished", run->finished_at);
		buf_printf(out,
			   ",\"sent\":%ld,\"failed_temporarily\":%ld,"
			   "\"failed_permanently\":%ld,\"skipped\":%ld,"
			   "\"uncertain\":%ld,\"nothing_new\":%ld",
			   run->sent, run->temp_failed, run->perm_failed,
			   run->skipped, run->uncertain, run->nothing_new);
		if (run->exit_code >= 0)
			buf_printf(out, ",\"exit\":%d}", run->exit_code);
		else
			buf_puts(out, ",\"exit\":null}");
	}
	buf_puts(out, "]");
}

static void
json_uncertain(struct buf *out, const struct delivery_list *list)
{
	buf_puts(out, ",\"uncertain\":[");
	for (size_t i = 0; i < list->count; i++) {
		const struct delivery *entry = &list->deliveries[i];

		buf_puts(out, i ? ",{\"date\":" : "{\"date\":");
		buf_put_json_string(out, entry->digest_date);
		buf_puts(out, ",\"email\":");
		buf_put_json_string(out, entry->email);
		buf_puts(out, ",\"provider\":");
		buf_put_json_string(out, entry->provider);
		buf_puts(out, ",\"message_id\":");
		buf_put_json_string(out, entry->message_id);
		buf_puts(out, ",\"reason\":");
		buf_put_json_string(out, entry->reply);
		buf_putc(out, '}');
	}
	buf_puts(out, "]");
}

static void
json_attention(struct buf *out, const struct attention_list *list)
{
	buf_puts(out, ",\"attention\":[");
	for (size_t i = 0; i < list->count; i++) {
		const struct attention *entry = &list->subscribers[i];

		buf_puts(out, i ? ",{\"email\":" : "{\"email\":");
		buf_put_json_string(out, entry->email);
		buf_printf(out, ",\"active\":%s,\"failure_days\":%ld",
			   entry->active ? "true" : "false",
			   entry->failure_days);
		buf_puts(out, ",\"last_failure_date\":");
		buf_put_json_string(out, entry->last_failure_date[0]
					     ? entry->last_failure_date
					     : NULL);
		buf_puts(out, ",\"last_failure\":");
		buf_put_json_string(out, entry->last_failure);
		json_time(out, "switched_off", entry->deactivated_at);
		buf_putc(out, '}');
	}
	buf_puts(out, "]");
}

static void
json_sources(struct buf *out, const struct source_health_list *list)
{
	buf_puts(out, ",\"sources\":[");
	for (size_t i = 0; i < list->count; i++) {
		const struct source_health *entry = &list->sources[i];

		buf_puts(out, i ? ",{\"id\":" : "{\"id\":");
		buf_put_json_string(out, entry->id);
		json_time(out, "last_success", entry->last_success);
		json_time(out, "last_attempt", entry->last_attempt);
		buf_printf(
		    out, ",\"failures\":%ld,\"last_error\":", entry->failures);
		buf_put_json_string(out,
				    entry->failures ? entry->last_error : NULL);
		buf_putc(out, '}');
	}
	buf_puts(out, "]}\n");
}

static void
format_report(struct buf *out, const struct config *config,
	      const struct report *report, int json)
{
	if (json) {
		json_runs(out, &report->runs);
		json_uncertain(out, &report->uncertain);
		json_attention(out, &report->attention);
		json_sources(out, &report->sources);
		return;
	}
	text_runs(out, config, &report->runs);
	text_uncertain(out, &report->uncertain);
	text_attention(out, config, &report->attention);
	text_sources(out, config, &report->sources);
}

int
cli_status_main(struct cli *cli, int argc, char **argv)
{
	struct report report = {0};
	struct cli_args args;
	struct state *state = NULL;
	struct buf out = BUF_INIT;
	char *errstr = NULL;
	int code;

	code = cli_parse_args(&usage, argc, argv, &args);
	if (code == CLI_HELP_SHOWN)
		return cli_finish_output();
	if (code != 0)
		return code;
	if ((code = cli_load_config(cli)) != EX_OK)
		return code;
	/* Looking must not create the database. */
	if ((code = cli_open_state(cli->config, 1, &state)) != EX_OK)
		return code;
	if (read_report(state, &report, &errstr) != STATE_OK) {
		cli_warn("%s", errstr);
		free(errstr);
		code = EX_IOERR;
		goto out;
	}
	format_report(&out, cli->config, &report, args.values[OPT_JSON] != 0);
	code = cli_write(out.data, out.length);
	if (code == EX_OK)
		code = cli_finish_output();
out:
	buf_free(&out);
	clear_report(&report);
	state_close(state);
	return code;
}
