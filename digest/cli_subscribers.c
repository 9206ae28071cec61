/*
 * cli_subscribers.c - `digest subscribers add|remove|list|set|import`: the
 * people who get the digest, managed from the shell.  The rules for a
 * subscriber's fields are subscriber.c's, the CSV import is import.c's;
 * this file turns arguments into calls and results into lines.
 */
#include "cli_commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "config.h"
#include "import.h"
#include "state.h"
#include "subscriber.h"
#include "util.h"

/* A subscriber file larger than this is surely a mistake. */
#define IMPORT_MAX_SIZE (64UL * 1024 * 1024)

/*
 * The options of set; add takes the same table from FIELD_OPTIONS on, so
 * the fields both know are written once.
 */
enum { SET_NO_PROVIDER, SET_ACTIVE, FIELD_OPTIONS };
enum { FIELD_NAME, FIELD_PROVIDER, FIELD_LANG, FIELD_FORMAT };
enum { LIST_JSON };

static const struct cli_option set_options[] = {
    {"no-provider", NULL,
     "Forgets the subscriber's choice: the default provider of [mail] "
     "carries their mail again."},
    {"active", "yes|no",
     "no pauses the digest for this subscriber without forgetting them; "
     "yes resumes it."},
    {"name", "NAME",
     "The display name used in the To: header and the greeting."},
    {"provider", "ID",
     "The webmail provider whose SMTP settings carry this subscriber's "
     "mail: the ID of a [provider ID] section."},
    {"lang", "nl|en", "The language of the digest."},
    {"format", "text|html|both",
     "text for plain text only; both (the default) or html for a message "
     "with a text and an HTML part."},
    {NULL, NULL, NULL}};
static const struct cli_option list_options[] = {
    {"json", NULL,
     "Prints one JSON object per subscriber (email, name, provider, "
     "language, format, active) instead of a table."},
    {NULL, NULL, NULL}};

static const struct cli_usage add_usage = {
    "subscribers add",
    "EMAIL [--name NAME] [--provider ID]\n"
    "           [--lang nl|en] [--format text|html|both]",
    "Adds an active subscriber.  Without --provider the default provider "
    "of [mail] carries their mail; without --lang the language of "
    "[digest].",
    set_options + FIELD_OPTIONS,
    1,
    1};
static const struct cli_usage remove_usage = {
    "subscribers remove",
    "EMAIL",
    "Removes a subscriber.  What they were sent stays recorded, so a "
    "subscriber who comes back the same day is not sent a second copy.",
    NULL,
    1,
    1};
static const struct cli_usage list_usage = {
    "subscribers list",
    "[--json]",
    "Lists every subscriber, active or not, ordered by address.",
    list_options,
    0,
    0};
static const struct cli_usage set_usage = {
    "subscribers set",
    "EMAIL [--name NAME]\n"
    "           [--provider ID | --no-provider] [--lang nl|en]\n"
    "           [--format text|html|both] [--active yes|no]",
    "Changes the fields given of one subscriber and keeps the others.",
    set_options,
    1,
    1};
static const struct cli_usage import_usage = {
    "subscribers import",
    "FILE.csv",
    "Adds or updates many subscribers from a CSV file (RFC 4180) whose "
    "header row names its columns: email[,name][,provider][,language]"
    "[,format].  The file is checked whole first and stored in one "
    "transaction: a bad row, named by FILE:LINE, stores nothing.  A column "
    "the file leaves out keeps what is stored, and an import never "
    "switches back on a subscriber who was switched off.",
    NULL,
    1,
    1};

static int
exit_code(enum state_status status)
{
	switch (status) {
	case STATE_OK:
		return EX_OK;
	case STATE_ENOTFOUND:
		return EX_NOUSER;
	case STATE_EEXISTS:
	case STATE_EINVALID:
		return EX_DATAERR;
	case STATE_EIO:
	case STATE_EBUSY:
	case STATE_ECREATE:
		return EX_IOERR;
	}
	return EX_SOFTWARE;
}

/* Reports a store failure and returns its exit code; frees errstr. */
static int
state_failed(enum state_status status, char *errstr)
{
	cli_warn("%s", errstr ? errstr : "subscriber store failed");
	free(errstr);
	return exit_code(status);
}

static int
open_state(const struct config *config, struct state **state_out)
{
	return cli_open_state(config, 0, state_out);
}

/* Reports a bad value of a flag; a sysexits code. */
static int
bad_value(const char *command, const char *flag, const char *value,
	  const char *expected, int code)
{
	char *shown = util_quote(value);

	cli_warn("%s: --%s %s: %s", command, flag, shown, expected);
	free(shown);
	return code;
}

static int
apply_provider(const struct config *config, const char *command, const char *id,
	       struct subscriber *sub)
{
	const struct provider *provider = config_find_provider(config, id);
	char *known, *shown;

	if (provider == NULL) {
		known = config_provider_ids(config);
		shown = util_quote(id);
		cli_warn("%s: unknown provider %s (configured: %s)", command,
			 shown, known);
		free(shown);
		free(known);
		return EX_DATAERR;
	}
	/* Store the config's own spelling of the id. */
	free(sub->provider);
	sub->provider = xstrdup(provider->id);
	return EX_OK;
}

static int
apply_name(const char *command, const char *value, struct subscriber *sub)
{
	const char *problem;
	char *name;

	problem = subscriber_clean_name(value, &name);
	if (problem != NULL) {
		cli_warn("%s: %s", command, problem);
		return EX_DATAERR;
	}
	free(sub->name);
	sub->name = name;
	return EX_OK;
}

static int
apply_language(const char *command, const char *value, struct subscriber *sub)
{
	const char *language = subscriber_language_parse(value);

	if (language == NULL)
		return bad_value(command, "lang", value, "must be nl or en",
				 EX_USAGE);
	free(sub->language);
	sub->language = xstrdup(language);
	return EX_OK;
}

static int
apply_active(const char *command, const char *value, struct subscriber *sub)
{
	if (util_strcasecmp(value, "yes") == 0)
		sub->active = 1;
	else if (util_strcasecmp(value, "no") == 0)
		sub->active = 0;
	else
		return bad_value(command, "active", value, "must be yes or no",
				 EX_USAGE);
	return EX_OK;
}

/*
 * Checks the fields that add and set share (fields[FIELD_*]) and copies
 * them into sub.  A value from a fixed list (--lang, --format) that is
 * none of them is a usage error (64); a name or provider that cannot be a
 * subscriber's is bad data (65), as it is in an imported file.
 */
static int
apply_fields(const struct config *config, const char *command,
	     const char *const *fields, struct subscriber *sub)
{
	int code = EX_OK;

	if (fields[FIELD_NAME])
		code = apply_name(command, fields[FIELD_NAME], sub);
	if (code == EX_OK && fields[FIELD_PROVIDER])
		code = apply_provider(config, command, fields[FIELD_PROVIDER],
				      sub);
	if (code == EX_OK && fields[FIELD_LANG])
		code = apply_language(command, fields[FIELD_LANG], sub);
	if (code == EX_OK && fields[FIELD_FORMAT] &&
	    subscriber_format_parse(fields[FIELD_FORMAT], &sub->format) != 0)
		code = bad_value(command, "format", fields[FIELD_FORMAT],
				 "must be text, html or both", EX_USAGE);
	return code;
}

static int
run_add(struct cli *cli, const struct cli_args *args)
{
	const struct config *config = cli->config;
	struct subscriber sub = {0};
	struct state *state = NULL;
	char *errstr = NULL;
	enum state_status status;
	int code = EX_DATAERR;

	sub.language = xstrdup(config->language);
	sub.format = SUBSCRIBER_FORMAT_BOTH;
	sub.active = 1;
	sub.email = cli_address("subscribers add", args->operands[0]);
	if (sub.email == NULL)
		goto out;
	code = apply_fields(config, "subscribers add", args->values, &sub);
	if (code == EX_OK)
		code = open_state(config, &state);
	if (code != EX_OK)
		goto out;
	status = state_subscriber_add(state, &sub, &errstr);
	if (status != STATE_OK)
		code = state_failed(status, errstr);
out:
	state_close(state);
	subscriber_clear(&sub);
	return code;
}

static int
run_remove(struct cli *cli, const struct cli_args *args)
{
	struct state *state = NULL;
	char *email, *errstr = NULL;
	enum state_status status;
	int code = EX_DATAERR;

	email = cli_address("subscribers remove", args->operands[0]);
	if (email == NULL)
		goto out;
	code = open_state(cli->config, &state);
	if (code != EX_OK)
		goto out;
	status = state_subscriber_remove(state, email, &errstr);
	if (status != STATE_OK)
		code = state_failed(status, errstr);
out:
	state_close(state);
	free(email);
	return code;
}

/* set needs something to set, and one provider flag at most. */
static int
check_set_flags(const struct cli_args *args)
{
	int given = 0;

	for (size_t i = 0; i < CLI_OPTIONS_MAX; i++)
		given |= args->values[i] != NULL;
	if (!given) {
		cli_warn("subscribers set: nothing to set");
		cli_print_synopsis(&set_usage, 1);
		return EX_USAGE;
	}
	if (args->values[FIELD_OPTIONS + FIELD_PROVIDER] &&
	    args->values[SET_NO_PROVIDER]) {
		cli_warn("subscribers set: --provider and --no-provider "
			 "exclude each other");
		cli_print_synopsis(&set_usage, 1);
		return EX_USAGE;
	}
	return EX_OK;
}

static int
run_set(struct cli *cli, const struct cli_args *args)
{
	struct subscriber sub = {0};
	struct state *state = NULL;
	char *email = NULL, *errstr = NULL;
	enum state_status status;
	int code;

	if ((code = check_set_flags(args)) != EX_OK)
		return code;
	code = EX_DATAERR;
	email = cli_address("subscribers set", args->operands[0]);
	if (email == NULL)
		goto out;
	code = open_state(cli->config, &state);
	if (code != EX_OK)
		goto out;
	status = state_subscriber_get(state, email, &sub, &errstr);
	if (status != STATE_OK) {
		code = state_failed(status, errstr);
		goto out;
	}
	code = apply_fields(cli->config, "subscribers set",
			    args->values + FIELD_OPTIONS, &sub);
	if (code == EX_OK && args->values[SET_ACTIVE])
		code = apply_active("subscribers set", args->values[SET_ACTIVE],
				    &sub);
	if (code != EX_OK)
		goto out;
	if (args->values[SET_NO_PROVIDER]) {
		free(sub.provider);
		sub.provider = NULL;
	}
	status = state_subscriber_update(state, &sub, &errstr);
	if (status != STATE_OK)
		code = state_failed(status, errstr);
out:
	state_close(state);
	subscriber_clear(&sub);
	free(email);
	return code;
}

/* Columns on a terminal: UTF-8 continuation bytes take none. */
static size_t
display_width(const char *text)
{
	size_t width = 0;

	for (; *text; text++)
		if (((unsigned char)*text & 0xC0) != 0x80)
			width++;
	return width;
}

static void
format_json(struct buf *out, const struct subscriber_list *list)
{
	for (size_t index = 0; index < list->count; index++) {
		const struct subscriber *sub = &list->subscribers[index];

		buf_puts(out, "{\"email\":");
		buf_put_json_string(out, sub->email);
		buf_puts(out, ",\"name\":");
		buf_put_json_string(out, sub->name);
		buf_puts(out, ",\"provider\":");
		buf_put_json_string(out, sub->provider);
		buf_puts(out, ",\"language\":");
		buf_put_json_string(out, sub->language);
		buf_puts(out, ",\"format\":");
		buf_put_json_string(out, subscriber_format_name(sub->format));
		buf_printf(out, ",\"active\":%s}\n",
			   sub->active ? "true" : "false");
	}
}

enum {
	COL_EMAIL,
	COL_NAME,
	COL_PROVIDER,
	COL_LANG,
	COL_FORMAT,
	COL_ACTIVE,
	COL_COUNT
};

static void
row_cells(const struct subscriber *sub, const char *cells[COL_COUNT])
{
	cells[COL_EMAIL] = sub->email;
	cells[COL_NAME] = sub->name ? sub->name : "-";
	cells[COL_PROVIDER] = sub->provider ? sub->provider : "(default)";
	cells[COL_LANG] = sub->language;
	cells[COL_FORMAT] = subscriber_format_name(sub->format);
	cells[COL_ACTIVE] = sub->active ? "yes" : "no";
}

static void
put_row(struct buf *out, const char *cells[COL_COUNT],
	const size_t widths[COL_COUNT])
{
	for (size_t column = 0; column < COL_COUNT; column++) {
		buf_puts(out, cells[column]);
		if (column == COL_COUNT - 1)
			break;
		for (size_t pad = display_width(cells[column]);
		     pad < widths[column] + 2; pad++)
			buf_putc(out, ' ');
	}
	buf_putc(out, '\n');
}

static void
format_table(struct buf *out, const struct subscriber_list *list)
{
	static const char *header[COL_COUNT] = {"EMAIL", "NAME",   "PROVIDER",
						"LANG",	 "FORMAT", "ACTIVE"};
	const char *cells[COL_COUNT];
	size_t widths[COL_COUNT], width;

	for (size_t column = 0; column < COL_COUNT; column++)
		widths[column] = display_width(header[column]);
	for (size_t index = 0; index < list->count; index++) {
		row_cells(&list->subscribers[index], cells);
		for (size_t column = 0; column < COL_COUNT; column++) {
			width = display_width(cells[column]);
			if (width > widths[column])
				widths[column] = width;
		}
	}
	put_row(out, header, widths);
	for (size_t index = 0; index < list->count; index++) {
		row_cells(&list->subscribers[index], cells);
		put_row(out, cells, widths);
	}
}

static int
run_list(struct cli *cli, const struct cli_args *args)
{
	struct subscriber_list list = {NULL, 0};
	struct state *state = NULL;
	struct buf out = BUF_INIT;
	char *errstr = NULL;
	enum state_status status;
	int code;

	code = open_state(cli->config, &state);
	if (code != EX_OK)
		goto out;
	status = state_subscriber_list(state, 0, &list, &errstr);
	if (status != STATE_OK) {
		code = state_failed(status, errstr);
		goto out;
	}
	if (args->values[LIST_JSON])
		format_json(&out, &list);
	else
		format_table(&out, &list);
	code = cli_write(out.data, out.length);
	if (code == EX_OK)
		code = cli_finish_output();
out:
	buf_free(&out);
	subscriber_list_clear(&list);
	state_close(state);
	return code;
}

/* The summary, after a line for each address left out as erased. */
static int
report_import(const struct import *import, size_t added, size_t updated)
{
	const char *left_out = import_left_out(import);
	size_t left_out_count = 0;
	const char *end;

	for (const char *line = left_out; line && *line; line = end + 1) {
		end = strchr(line, '\n');
		cli_warn("subscribers import: %.*s", (int)(end - line), line);
		left_out_count++;
	}
	printf("imported %zu subscribers (%zu added, %zu updated)",
	       added + updated, added, updated);
	if (left_out_count > 0)
		printf("; %zu left out: they erased their data",
		       left_out_count);
	printf("\n");
	return cli_finish_output();
}

static int
run_import(struct cli *cli, const struct cli_args *args)
{
	const char *path = args->operands[0];
	struct links *links = NULL;
	char *key_error = NULL;
	struct import *import = NULL;
	struct state *state = NULL;
	char *data = NULL, *errstr = NULL;
	size_t size = 0, added = 0, updated = 0;
	enum state_status status;
	int code;

	if (util_read_file(path, IMPORT_MAX_SIZE, &data, &size) != 0) {
		int error = errno; /* printing may change errno */

		cli_warn("%s: %s", path, strerror(error));
		code = error == EFBIG ? EX_DATAERR : EX_NOINPUT;
		goto out;
	}
	if (import_read(cli->config, path, data, size, &import, &errstr) !=
	    IMPORT_OK) {
		cli_warn("%s", errstr);
		free(errstr);
		code = EX_DATAERR;
		goto out;
	}
	code = open_state(cli->config, &state);
	if (code != EX_OK)
		goto out;
	/* The key recognises addresses erased through digest serve. */
	if (links_open(cli->config, &links, &key_error) == LINKS_OK)
		import_set_links(import, links);
	status = import_store(import, state, &added, &updated, &errstr);
	if (status != STATE_OK) {
		/* Without the key the erased cannot be told: a config
		 * problem, not the file's. */
		if (links == NULL && status == STATE_EINVALID) {
			if (key_error != NULL)
				cli_warn("%s", key_error);
			cli_warn("%s", errstr);
			free(errstr);
			code = EX_CONFIG;
		} else {
			code = state_failed(status, errstr);
		}
		goto out;
	}
	code = report_import(import, added, updated);
out:
	free(key_error);
	links_free(links);
	import_free(import);
	state_close(state);
	free(data);
	return code;
}

struct subcommand {
	const char *name;
	const struct cli_usage *usage;
	int (*run)(struct cli *cli, const struct cli_args *args);
};

static const struct subcommand subcommands[] = {
    {"add", &add_usage, run_add},
    {"remove", &remove_usage, run_remove},
    {"list", &list_usage, run_list},
    {"set", &set_usage, run_set},
    {"import", &import_usage, run_import}};

#define SUBCOMMAND_COUNT (sizeof subcommands / sizeof subcommands[0])

static void
print_all_synopses(int to_stderr)
{
	for (size_t index = 0; index < SUBCOMMAND_COUNT; index++)
		cli_print_synopsis(subcommands[index].usage, to_stderr);
}

static const struct subcommand *
find_subcommand(const char *name)
{
	for (size_t index = 0; index < SUBCOMMAND_COUNT; index++)
		if (strcmp(name, subcommands[index].name) == 0)
			return &subcommands[index];
	return NULL;
}

int
cli_subscribers_main(struct cli *cli, int argc, char **argv)
{
	const struct subcommand *subcommand;
	struct cli_args args;
	int code;

	if (argc < 2) {
		cli_warn("subscribers: missing command");
		print_all_synopses(1);
		return EX_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		print_all_synopses(0);
		puts("\nEach takes --help.");
		return cli_finish_output();
	}
	subcommand = find_subcommand(argv[1]);
	if (subcommand == NULL) {
		char *shown = util_quote(argv[1]);

		cli_warn("subscribers: unknown command %s", shown);
		free(shown);
		print_all_synopses(1);
		return EX_USAGE;
	}
	code = cli_parse_args(subcommand->usage, argc - 1, argv + 1, &args);
	if (code == CLI_HELP_SHOWN)
		return cli_finish_output();
	if (code != 0)
		return code;
	if ((code = cli_load_config(cli)) != EX_OK)
		return code;
	return subcommand->run(cli, &args);
}
