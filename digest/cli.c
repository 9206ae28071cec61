/*
 * cli.c - see cli.h.
 *
 * Modules report through status enums and error strings; this file alone
 * prints and turns statuses into sysexits(3) codes.
 */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>

#include "cli_common.h"
#include "cli_preview.h"
#include "cli_send.h"
#include "cli_subscribers.h"
#include "config.h"
#include "gather.h"
#include "render.h"
#include "state.h"
#include "url.h"
#include "util.h"

#ifndef DIGEST_VERSION
#define DIGEST_VERSION "0"
#endif

#define DEFAULT_CONFIG "/etc/digest/digest.ini"

struct command {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *summary;
};

static int cmd_check_config(struct cli *cli, int argc, char **argv);
static int cmd_items(struct cli *cli, int argc, char **argv);
static int cmd_subscribers(struct cli *cli, int argc, char **argv);

static const struct command commands[] = {
    {"send", cli_send_main, "mail today's digest to every subscriber"},
    {"preview", cli_preview_main, "show the digest (or one message)"},
    {"items", cmd_items, "list the gathered foreign-news items"},
    {"subscribers", cmd_subscribers,
     "add, remove, list, set or import subscribers"},
    {"check-config", cmd_check_config, "validate the configuration"},
    {NULL, NULL, NULL}};

static void
usage(FILE *stream)
{
	fprintf(stream, "usage: digest [--config FILE] COMMAND [ARGS]\n\n"
			"commands:\n");
	for (size_t i = 0; commands[i].name; i++)
		fprintf(stream, "  %-14s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(stream, "\nThe configuration is FILE, else $DIGEST_CONFIG, "
			"else " DEFAULT_CONFIG ".\n"
			"Each command takes --help.\n");
}

void
cli_warn(const char *format, ...)
{
	va_list args;

	fputs("digest: ", stderr);
	va_start(args, format);
	vfprintf(stderr, format, args);
	va_end(args);
	fputc('\n', stderr);
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
	return EX_OK;
}

int
cli_parse_now(const char *text, time_t *now_out)
{
	if (util_parse_rfc3339(text, now_out) < 0) {
		cli_warn("--now: \"%s\" is not an RFC 3339 time (as in "
			 "2026-11-29T07:00:00+01:00)",
			 text);
		return EX_USAGE;
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

static void
print_item_json(const struct item *item)
{
	struct buf line = BUF_INIT;
	char published[21];

	buf_puts(&line, "{\"source\":");
	buf_put_json_string(&line, item->source);
	buf_puts(&line, ",\"title\":");
	buf_put_json_string(&line, item->title);
	buf_puts(&line, ",\"link\":");
	buf_put_json_string(&line, item->link);
	buf_puts(&line, ",\"published\":");
	if (item->has_published)
		util_format_rfc3339(item->published_at, published);
	buf_put_json_string(&line, item->has_published ? published : NULL);
	buf_puts(&line, ",\"summary\":");
	buf_put_json_string(&line, item->summary);
	buf_puts(&line, "}\n");
	fputs(line.data, stdout);
	buf_free(&line);
}

static void
print_item_text(const struct item *item)
{
	char published[21] = "-";

	if (item->has_published)
		util_format_rfc3339(item->published_at, published);
	printf("%-20s  %s\n", published, item->source);
	printf("    %s\n",
	       item->title && *item->title ? item->title : "(untitled)");
	if (item->link)
		printf("    %s\n", item->link);
}

static void
print_items(const struct item_list *items, int json)
{
	for (size_t i = 0; i < items->count; i++) {
		if (json)
			print_item_json(&items->items[i]);
		else
			print_item_text(&items->items[i]);
	}
}

void
cli_report_gather(const struct gather_report *report)
{
	for (size_t i = 0; i < report->problem_count; i++)
		cli_warn("feed \"%s\": %s", report->problems[i].source,
			 report->problems[i].reason);
	for (size_t i = 0; i < report->warning_count; i++)
		cli_warn("feed \"%s\": %s", report->warnings[i].source,
			 report->warnings[i].text);
}

int
cli_gather(struct cli *cli, time_t now, struct item_list *items_out)
{
	struct gather_report report;
	enum gather_status status;

	status = gather_run(cli->config, now, items_out, &report);
	cli_report_gather(&report);
	gather_report_clear(&report);
	if (status == GATHER_ENOSOURCE) {
		cli_warn("no news source could be read (%zu configured)",
			 cli->config->source_count);
		feed_item_list_clear(items_out);
		return EX_UNAVAILABLE;
	}
	return EX_OK;
}

static int
items_one_source(struct cli *cli, const char *url, int json)
{
	struct item_list items;
	char *errstr = NULL;

	if (url_check(url, "http,https,file", &errstr) < 0) {
		cli_warn("items --source: \"%s\": %s", url, errstr);
		free(errstr);
		return EX_USAGE;
	}
	if (gather_one(cli->config, url, &items, &errstr) < 0) {
		cli_warn("feed \"%s\": %s", url, errstr);
		free(errstr);
		return EX_UNAVAILABLE;
	}
	print_items(&items, json);
	feed_item_list_clear(&items);
	return cli_finish_output();
}

static int
cmd_items(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
	    {"json", no_argument, NULL, CLI_OPT_JSON},
	    {"source", required_argument, NULL, CLI_OPT_SOURCE},
	    {"now", required_argument, NULL, CLI_OPT_NOW},
	    {"help", no_argument, NULL, CLI_OPT_HELP},
	    {NULL, 0, NULL, 0}};
	static const char synopsis[] =
	    "usage: digest items [--json] [--source URL] [--now TIME]\n";
	const char *source_url = NULL;
	struct item_list items;
	time_t now = time(NULL);
	int json = 0;
	int option;
	int code;

	while ((option = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (option) {
		case CLI_OPT_JSON:
			json = 1;
			break;
		case CLI_OPT_SOURCE:
			source_url = optarg;
			break;
		case CLI_OPT_NOW:
			if ((code = cli_parse_now(optarg, &now)) != EX_OK)
				return code;
			break;
		case CLI_OPT_HELP:
			fputs(synopsis, stdout);
			return cli_finish_output();
		default:
			fputs(synopsis, stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		fputs(synopsis, stderr);
		return EX_USAGE;
	}
	if ((code = cli_load_config(cli)) != EX_OK)
		return code;
	if (source_url)
		return items_one_source(cli, source_url, json);
	if ((code = cli_gather(cli, now, &items)) != EX_OK)
		return code;
	print_items(&items, json);
	feed_item_list_clear(&items);
	return cli_finish_output();
}

static int
cmd_subscribers(struct cli *cli, int argc, char **argv)
{
	int code;

	if ((code = cli_load_config(cli)) != EX_OK)
		return code;
	return cli_subscribers_main(cli->config, argc, argv);
}

/*
 * Beyond the file itself: the templates must parse, and so must the
 * partials they include, which the engine reads only when a render reaches
 * them.  Trial renders in each language and format, with one sample item
 * and with none, reach them as a real run would, so that a broken partial
 * shows here and not as a failure for every subscriber at send time.
 */
static size_t
check_templates(const struct config *config)
{
	static const char *const languages[] = {"nl", "en"};
	char source[] = "Voorbeeld";
	char title[] = "Voorbeeldbericht";
	char link[] = "https://example.org/voorbeeld";
	char summary[] = "Een voorbeeld.\n\nTweede alinea.";
	struct item sample = {0};
	struct item_list items = {0};
	struct render_context context = {0};
	struct renderer *renderer = NULL;
	char *output = NULL;
	char *errstr = NULL;
	size_t problems = 0;

	if (render_open(config->template_dir, &renderer, &errstr) !=
	    RENDER_OK) {
		problems = 1;
		goto out;
	}
	sample.source = source;
	sample.title = title;
	sample.link = link;
	sample.id = link;
	sample.summary = summary;
	sample.published_at = time(NULL) - 3600;
	sample.has_published = 1;
	items.items = &sample;
	context.title = config->title;
	context.timezone = config->timezone;
	context.now = sample.published_at + 3600;
	context.provider_name = "webmail";
	context.recipient_name = "Lezer";
	context.unsubscribe_url = "https://example.org/afmelden";
	context.unsubscribe_mailto = "afmelden@example.org";
	for (size_t trial = 0; trial < 8 && problems == 0; trial++) {
		enum render_format format =
		    trial % 2 ? RENDER_HTML : RENDER_TEXT;

		context.language = languages[trial / 4];
		items.count = trial / 2 % 2 == 0 ? 1 : 0;
		if (render_digest(renderer, format, &context, &items, &output,
				  &errstr) != RENDER_OK)
			problems = 1;
		free(output);
		output = NULL;
	}
out:
	if (problems > 0)
		fprintf(stderr, "%s: [digest] templates: %s\n", config->path,
			errstr);
	free(errstr);
	render_close(renderer);
	return problems;
}

/*
 * Password files must be private; an unset variable is only a warning,
 * since cron's environment is not this shell's.  Without SMTP (the
 * maildir or stdout transport) no password is needed at all.
 */
static size_t
check_passwords(const struct config *config)
{
	size_t problems = 0;

	if (config->transport != TRANSPORT_KIND_SMTP)
		return 0;
	for (size_t i = 0; i < config->provider_count; i++) {
		const struct provider *provider = &config->providers[i];
		char *password = NULL;
		char *errstr = NULL;

		if (config_read_password(provider, &password, &errstr) == 0) {
			free(password);
			continue;
		}
		if (provider->password_file) {
			fprintf(stderr, "%s: [provider %s] password_file: %s\n",
				config->path, provider->id, errstr);
			problems++;
		} else {
			cli_warn("warning: %s", errstr);
		}
		free(errstr);
	}
	return problems;
}

/* Providers that subscribers chose but the config no longer has. */
static size_t
check_stranded(const struct config *config)
{
	struct state *state = NULL;
	char **ids = NULL;
	char *errstr = NULL;
	struct stat info;
	size_t problems = 0;

	/* Checking must not create the database. */
	if (stat(config->state_path, &info) < 0)
		return 0;
	if (state_open(config->state_path, &state, &errstr) != STATE_OK ||
	    state_providers_in_use(state, &ids, &errstr) != STATE_OK) {
		fprintf(stderr, "%s: [digest] state: %s\n", config->path,
			errstr);
		problems++;
		goto out;
	}
	for (size_t i = 0; ids[i]; i++) {
		size_t count = 0;

		if (config_find_provider(config, ids[i]))
			continue;
		if (state_count_by_provider(state, ids[i], &count, NULL) !=
		    STATE_OK)
			count = 0;
		fprintf(stderr,
			"%s: [provider %s]: missing, but %zu subscriber%s "
			"chose it and would get no digest\n",
			config->path, ids[i], count, count == 1 ? "" : "s");
		problems++;
	}
out:
	for (size_t i = 0; ids && ids[i]; i++)
		free(ids[i]);
	free(ids);
	free(errstr);
	state_close(state);
	return problems;
}

static int
cmd_check_config(struct cli *cli, int argc, char **argv)
{
	static const char synopsis[] = "usage: digest check-config\n";
	size_t problems;
	int code;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		fputs(synopsis, stdout);
		return cli_finish_output();
	}
	if (argc != 1) {
		fputs(synopsis, stderr);
		return EX_USAGE;
	}
	if ((code = cli_load_config(cli)) != EX_OK)
		return code;
	problems = check_templates(cli->config);
	problems += check_passwords(cli->config);
	problems += check_stranded(cli->config);
	if (problems)
		return EX_CONFIG;
	printf("%s: ok (%zu sources, %zu providers)\n", cli->config->path,
	       cli->config->source_count, cli->config->provider_count);
	return cli_finish_output();
}

static const struct command *
find_command(const char *name)
{
	for (size_t i = 0; commands[i].name; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int
cli_main(int argc, char **argv)
{
	static const struct option options[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0}};
	struct cli cli = {0};
	const struct command *command;
	int option;
	int code;

	cli.config_path = getenv("DIGEST_CONFIG");
	if (cli.config_path == NULL || *cli.config_path == '\0')
		cli.config_path = DEFAULT_CONFIG;
	/* "+": stop at the command; its own options are its business. */
	while ((option = getopt_long(argc, argv, "+c:hV", options, NULL)) !=
	       -1) {
		switch (option) {
		case 'c':
			cli.config_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return cli_finish_output();
		case 'V':
			printf("digest %s\n", DIGEST_VERSION);
			return cli_finish_output();
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	command = find_command(argv[optind]);
	if (command == NULL) {
		cli_warn("unknown command \"%s\"", argv[optind]);
		usage(stderr);
		return EX_USAGE;
	}
	argc -= optind;
	argv += optind;
	optind = 0; /* a full reset for the command's own getopt_long */
	code = command->run(&cli, argc, argv);
	config_free(cli.config);
	return code;
}
