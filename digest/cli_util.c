/*
 * cli_util.c - see cli_util.h.
 */
#include "cli_util.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <syslog.h>

#include "address.h"
#include "datetime.h"
#include "gather.h"
#include "secret.h"
#include "util.h"
#include "wrap.h"

/* Long options are numbered from here (long-only, as HACKING.md says). */
#define CLI_OPTION_BASE 256
#define CLI_OPTION_HELP (CLI_OPTION_BASE + CLI_OPTIONS_MAX)
/* --help text is wrapped to this width, under an indent. */
#define CLI_HELP_WIDTH 78
#define CLI_HELP_INDENT "        "

/* Whether lines also go to syslog (--syslog, or [digest] syslog). */
static int use_syslog;

void
cli_use_syslog(void)
{
	if (use_syslog)
		return;
	openlog("digest", LOG_PID, LOG_MAIL);
	use_syslog = 1;
}

void
cli_warn(const char *format, ...)
{
	va_list args;
	char *line;

	va_start(args, format);
	line = xvasprintf(format, args);
	va_end(args);
	fprintf(stderr, "digest: %s\n", line);
	if (use_syslog)
		syslog(LOG_WARNING, "%s", line);
	free(line);
}

void
cli_log(const char *line)
{
	if (use_syslog)
		syslog(LOG_NOTICE, "%s", line);
}

void
cli_print_synopsis(const struct cli_usage *usage, int to_stderr)
{
	fprintf(to_stderr ? stderr : stdout, "usage: digest %s %s\n",
		usage->command, usage->synopsis);
}

static void
print_option_help(const char *name, const char *value_name, const char *help)
{
	char *wrapped =
	    wrap_text(help, CLI_HELP_WIDTH, CLI_HELP_INDENT, CLI_HELP_INDENT);

	printf("  --%s%s%s\n%s\n", name, value_name ? " " : "",
	       value_name ? value_name : "", wrapped);
	free(wrapped);
}

static void
print_help(const struct cli_usage *usage)
{
	char *about = wrap_text(usage->about, CLI_HELP_WIDTH, "", "");

	cli_print_synopsis(usage, 0);
	printf("\n%s\n\noptions:\n", about);
	free(about);
	for (size_t i = 0; usage->options && usage->options[i].name; i++)
		print_option_help(usage->options[i].name,
				  usage->options[i].value_name,
				  usage->options[i].help);
	print_option_help("help", NULL, "Shows this help and exits.");
}

/* Fills long_options from the table; returns how many the table has. */
static size_t
make_long_options(const struct cli_usage *usage, struct option *long_options)
{
	size_t count = 0;

	for (; usage->options && usage->options[count].name; count++) {
		const struct cli_option *option = &usage->options[count];

		if (count >= CLI_OPTIONS_MAX)
			abort(); /* a table too long is a bug, not input */
		long_options[count].name = option->name;
		long_options[count].has_arg =
		    option->value_name ? required_argument : no_argument;
		long_options[count].flag = NULL;
		long_options[count].val = CLI_OPTION_BASE + (int)count;
	}
	long_options[count] =
	    (struct option){"help", no_argument, NULL, CLI_OPTION_HELP};
	long_options[count + 1] = (struct option){NULL, 0, NULL, 0};
	return count;
}

/* Reports a bad command line: one line naming the command, the synopsis. */
static int
usage_error(const struct cli_usage *usage, const char *format, const char *arg)
{
	fprintf(stderr, "digest: %s: ", usage->command);
	fprintf(stderr, format, arg);
	fputc('\n', stderr);
	cli_print_synopsis(usage, 1);
	return EX_USAGE;
}

static int
check_operands(const struct cli_usage *usage, int count)
{
	if (count < usage->min_operands)
		return usage_error(usage, "%s", "missing operand");
	if (count > usage->max_operands)
		return usage_error(usage, "%s", "too many operands");
	return 0;
}

int
cli_parse_args(const struct cli_usage *usage, int argc, char **argv,
	       struct cli_args *args_out)
{
	struct option long_options[CLI_OPTIONS_MAX + 2];
	int option;

	memset(args_out, 0, sizeof *args_out);
	make_long_options(usage, long_options);
	/* 0 starts GNU getopt afresh after the dispatcher's own run. */
	optind = 0;
	opterr = 0;
	while ((option = getopt_long(argc, argv, ":", long_options, NULL)) !=
	       -1) {
		if (option == CLI_OPTION_HELP) {
			print_help(usage);
			return CLI_HELP_SHOWN;
		}
		if (option == ':')
			return usage_error(usage, "%s needs a value",
					   argv[optind - 1]);
		if (option < CLI_OPTION_BASE || option >= CLI_OPTION_HELP)
			return usage_error(usage, "unknown option %s",
					   argv[optind - 1]);
		args_out->values[option - CLI_OPTION_BASE] =
		    optarg != NULL ? optarg : "";
	}
	args_out->operands = argv + optind;
	args_out->operand_count = argc - optind;
	return check_operands(usage, args_out->operand_count);
}

int
cli_load_config(struct cli *cli)
{
	char *problems = NULL;
	enum config_status status;

	if (cli->config)
		return EX_OK;
	status = config_load(cli->config_path, &cli->config, &problems);
	if (status != CONFIG_OK) {
		/* Each problem is one line already, naming file and key. */
		fputs(problems, stderr);
		if (problems[0] && problems[strlen(problems) - 1] != '\n')
			fputc('\n', stderr);
		free(problems);
		return status == CONFIG_ENOENT ? EX_NOINPUT : EX_CONFIG;
	}
	if (cli->config->syslog)
		cli_use_syslog();
	return EX_OK;
}

enum state_status
cli_state_connect(const struct config *config, const char *location,
		  int existing, struct state **state_out, char **errstr_out)
{
	struct secret_source source = {
	    "[digest]", config->state_password_file, "state_password_file",
	    config->state_password_env, "state_password_env"};
	char *password = NULL;
	size_t length;
	enum state_status status;

	*state_out = NULL;
	if ((source.file || source.env) &&
	    secret_read(&source, &password, &length, errstr_out) < 0)
		return STATE_EINVALID;
	state_password_set(password);
	secret_free(password);
	location = location ? location : config->state_path;
	if (existing)
		status = state_open_existing(location, state_out, errstr_out);
	else
		status = state_open(location, state_out, errstr_out);
	return status;
}

int
cli_open_state(const struct config *config, int existing,
	       struct state **state_out)
{
	char *errstr = NULL;
	enum state_status status;

	status = cli_state_connect(config, NULL, existing, state_out, &errstr);
	if (status == STATE_OK)
		return EX_OK;
	cli_warn("%s", errstr ? errstr : "the state store failed");
	free(errstr);
	if (status == STATE_ENOTFOUND)
		return EX_NOINPUT;
	return status == STATE_EINVALID ? EX_CONFIG : EX_IOERR;
}

int
cli_parse_now(const char *text, time_t *now_out)
{
	if (datetime_parse_rfc3339(text, DATETIME_STRICT, now_out) < 0) {
		char *shown = util_quote(text);

		cli_warn("--now: %s is not an RFC 3339 time (as in "
			 "2026-11-29T07:00:00+01:00)",
			 shown);
		free(shown);
		return EX_USAGE;
	}
	return EX_OK;
}

char *
cli_address(const char *command, const char *address)
{
	char *email = address_normalize(address);
	char *shown;

	if (email == NULL) {
		shown = util_quote(address);
		cli_warn("%s: %s: not a valid email address", command, shown);
		free(shown);
	}
	return email;
}

static void
report_gather(const struct gather_report *report)
{
	for (size_t i = 0; i < report->problem_count; i++)
		cli_warn("feed \"%s\": %s", report->problems[i].source,
			 report->problems[i].reason);
	for (size_t i = 0; i < report->warning_count; i++)
		cli_warn("feed \"%s\": %s", report->warnings[i].source,
			 report->warnings[i].text);
}

int
cli_open_links(const struct config *config, struct links **links_out)
{
	char *errstr = NULL;

	switch (links_open(config, links_out, &errstr)) {
	case LINKS_OK:
	case LINKS_ENONE:
		return EX_OK;
	case LINKS_EKEY:
		break;
	}
	cli_warn("%s: %s", config->path, errstr);
	free(errstr);
	return EX_CONFIG;
}

int
cli_gather(const struct config *config, time_t now,
	   const struct fetch_validators *known, struct item_list *items_out,
	   struct gather_report *report_out)
{
	struct gather_report report;
	enum gather_status status;

	status = gather_run(config, now, known, items_out, &report);
	report_gather(&report);
	if (report_out != NULL)
		*report_out = report;
	else
		gather_report_clear(&report);
	if (status == GATHER_ENOSOURCE) {
		cli_warn("no news source could be read (%zu configured)",
			 config->source_count);
		feed_item_list_clear(items_out);
		return EX_UNAVAILABLE;
	}
	return EX_OK;
}

int
cli_write(const char *text, size_t length)
{
	if (length > 0 && fwrite(text, 1, length, stdout) != length) {
		cli_warn("standard output: %s", strerror(errno));
		return EX_IOERR;
	}
	return EX_OK;
}

int
cli_finish_output(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_warn("cannot write to standard output");
		return EX_IOERR;
	}
	return EX_OK;
}
