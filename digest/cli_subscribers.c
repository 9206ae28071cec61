/*
 * cli_subscribers.c - see cli_subscribers.h.
 */
#include "cli_subscribers.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "address.h"
#include "cli_common.h"
#include "config.h"
#include "csv.h"
#include "state.h"
#include "util.h"

/* A subscriber file larger than this is surely a mistake. */
#define IMPORT_MAX_SIZE (64UL * 1024 * 1024)

enum option_id {
	OPT_NAME = 256,
	OPT_PROVIDER,
	OPT_NO_PROVIDER,
	OPT_LANG,
	OPT_FORMAT,
	OPT_ACTIVE,
	OPT_JSON,
	OPT_HELP
};

/* What a subcommand's flags said; NULL or 0 for flags not given. */
struct options {
	const char *name;
	const char *provider;
	int no_provider;
	const char *language;
	const char *format;
	const char *active;
	int json;
	int help;
	char **operands;
	int operand_count;
};

struct command {
	const char *name;
	const char *usage;
	const struct option *long_options;
	int operand_count;
	int (*run)(const struct config *config, const struct options *opts);
};

static const char add_usage[] =
    "usage: digest subscribers add EMAIL [--name NAME] [--provider ID]\n"
    "           [--lang nl|en] [--format text|html|both]\n";
static const char remove_usage[] = "usage: digest subscribers remove EMAIL\n";
static const char list_usage[] = "usage: digest subscribers list [--json]\n";
static const char set_usage[] =
    "usage: digest subscribers set EMAIL [--name NAME]\n"
    "           [--provider ID | --no-provider] [--lang nl|en]\n"
    "           [--format text|html|both] [--active yes|no]\n";
static const char import_usage[] =
    "usage: digest subscribers import FILE.csv\n"
    "       (header row: email[,name][,provider][,language][,format])\n";

static const struct option add_options[] = {
    {"name", required_argument, NULL, OPT_NAME},
    {"provider", required_argument, NULL, OPT_PROVIDER},
    {"lang", required_argument, NULL, OPT_LANG},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};
static const struct option set_options[] = {
    {"name", required_argument, NULL, OPT_NAME},
    {"provider", required_argument, NULL, OPT_PROVIDER},
    {"no-provider", no_argument, NULL, OPT_NO_PROVIDER},
    {"lang", required_argument, NULL, OPT_LANG},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"active", required_argument, NULL, OPT_ACTIVE},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};
static const struct option list_options[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};
static const struct option help_only_options[] = {
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/*
 * Quotes text for a one-line message: control bytes become \xNN so that a
 * stray newline in an argument or a CSV field cannot split the line.
 * Returns a new string (free()).
 */
static char *
quote(const char *text)
{
	struct buf out = BUF_INIT;
	const unsigned char *cursor;

	buf_putc(&out, '"');
	for (cursor = (const unsigned char *)text; *cursor; cursor++) {
		if (*cursor < 0x20 || *cursor == 0x7f)
			buf_printf(&out, "\\x%02x", *cursor);
		else if (*cursor == '"' || *cursor == '\\')
			buf_printf(&out, "\\%c", *cursor);
		else
			buf_putc(&out, (char)*cursor);
	}
	buf_putc(&out, '"');
	return buf_detach(&out);
}

/* The configured provider ids, "zeelandnet, delta" (free()). */
static char *
provider_ids(const struct config *config)
{
	struct buf ids = BUF_INIT;

	for (size_t i = 0; i < config->provider_count; i++)
		buf_printf(&ids, "%s%s", i ? ", " : "",
			   config->providers[i].id);
	if (config->provider_count == 0)
		buf_puts(&ids, "none");
	return buf_detach(&ids);
}

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
	enum state_status status;
	char *errstr = NULL;

	*state_out = NULL;
	if (config->state_path == NULL) {
		cli_warn("%s: no state database configured",
			 config->path ? config->path : "config");
		return EX_CONFIG;
	}
	status = state_open(config->state_path, state_out, &errstr);
	if (status != STATE_OK)
		return state_failed(status, errstr);
	return EX_OK;
}

/* Returns "nl" or "en" for either spelled in any case, else NULL. */
static const char *
parse_language(const char *text)
{
	if (util_strcasecmp(text, "nl") == 0)
		return "nl";
	if (util_strcasecmp(text, "en") == 0)
		return "en";
	return NULL;
}

static int
has_control(const char *text)
{
	const unsigned char *cursor;

	for (cursor = (const unsigned char *)text; *cursor; cursor++)
		if (*cursor < 0x20 || *cursor == 0x7f)
			return 1;
	return 0;
}

static const char *
name_problem(const char *name)
{
	if (has_control(name))
		return "name contains a control character";
	if (!csv_utf8_valid(name, strlen(name)))
		return "name is not valid UTF-8";
	return NULL;
}

static void
trim(char *text)
{
	size_t length = strlen(text), start = 0;

	while (length > 0 &&
	       (text[length - 1] == ' ' || text[length - 1] == '\t'))
		text[--length] = '\0';
	while (text[start] == ' ' || text[start] == '\t')
		start++;
	memmove(text, text + start, length - start + 1);
}

/*
 * A display name: printable, valid UTF-8.  A line break or tab (a
 * spreadsheet cell may hold one) reads as a space.  Returns a new string
 * (free()) in *name_out, NULL for an empty name, or a problem.
 */
static const char *
clean_name(const char *name, char **name_out)
{
	char *copy = xstrdup(name), *cursor;
	const char *problem = NULL;

	*name_out = NULL;
	for (cursor = copy; *cursor; cursor++)
		if (*cursor == '\n' || *cursor == '\r' || *cursor == '\t')
			*cursor = ' ';
	trim(copy);
	problem = name_problem(copy);
	if (problem == NULL && copy[0] != '\0') {
		*name_out = copy;
		copy = NULL;
	}
	free(copy);
	return problem;
}

static const char *
default_language(const struct config *config)
{
	const char *language = NULL;

	if (config->language != NULL)
		language = parse_language(config->language);
	return language ? language : "nl";
}

/*
 * Checks the flags that add and set share and copies them into sub.
 * Returns EX_OK or prints the problem and returns an exit code.
 */
static int
apply_options(const struct config *config, const char *command,
	      const struct options *opts, struct subscriber *sub)
{
	const char *problem;
	char *shown = NULL;
	int code = EX_OK;

	if (opts->name != NULL) {
		char *name;

		problem = clean_name(opts->name, &name);
		if (problem != NULL) {
			cli_warn("subscribers %s: %s", command, problem);
			code = EX_DATAERR;
			goto out;
		}
		free(sub->name);
		sub->name = name;
	}
	if (opts->provider != NULL) {
		const struct provider *provider =
		    config_find_provider(config, opts->provider);

		if (provider == NULL) {
			char *known = provider_ids(config);

			shown = quote(opts->provider);
			cli_warn("subscribers %s: unknown provider %s "
				 "(configured: %s)",
				 command, shown, known);
			free(known);
			code = EX_DATAERR;
			goto out;
		}
		/* Store the config's own spelling of the id. */
		free(sub->provider);
		sub->provider = xstrdup(provider->id);
	}
	if (opts->no_provider) {
		free(sub->provider);
		sub->provider = NULL;
	}
	if (opts->language != NULL) {
		const char *language = parse_language(opts->language);

		if (language == NULL) {
			shown = quote(opts->language);
			cli_warn("subscribers %s: --lang %s: must be nl or en",
				 command, shown);
			code = EX_USAGE;
			goto out;
		}
		free(sub->language);
		sub->language = xstrdup(language);
	}
	if (opts->format != NULL &&
	    subscriber_format_parse(opts->format, &sub->format) != 0) {
		shown = quote(opts->format);
		cli_warn("subscribers %s: --format %s: must be text, html or "
			 "both",
			 command, shown);
		code = EX_USAGE;
		goto out;
	}
	if (opts->active != NULL) {
		if (util_strcasecmp(opts->active, "yes") == 0) {
			sub->active = 1;
		} else if (util_strcasecmp(opts->active, "no") == 0) {
			sub->active = 0;
		} else {
			shown = quote(opts->active);
			cli_warn("subscribers %s: --active %s: must be yes "
				 "or no",
				 command, shown);
			code = EX_USAGE;
			goto out;
		}
	}
out:
	free(shown);
	return code;
}

/* Normalises an address operand, or reports it and returns NULL. */
static char *
normalize_operand(const char *command, const char *address)
{
	char *email = address_normalize(address);
	char *shown;

	if (email == NULL) {
		shown = quote(address);
		cli_warn("subscribers %s: %s: not a valid email address",
			 command, shown);
		free(shown);
	}
	return email;
}

static int
run_add(const struct config *config, const struct options *opts)
{
	struct subscriber sub;
	struct state *state = NULL;
	char *errstr = NULL;
	enum state_status status;
	int code;

	memset(&sub, 0, sizeof sub);
	sub.language = xstrdup(default_language(config));
	sub.format = SUBSCRIBER_FORMAT_BOTH;
	sub.active = 1;
	sub.email = normalize_operand("add", opts->operands[0]);
	if (sub.email == NULL) {
		code = EX_DATAERR;
		goto out;
	}
	code = apply_options(config, "add", opts, &sub);
	if (code != EX_OK)
		goto out;
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
run_remove(const struct config *config, const struct options *opts)
{
	struct state *state = NULL;
	char *email, *errstr = NULL;
	enum state_status status;
	int code;

	email = normalize_operand("remove", opts->operands[0]);
	if (email == NULL) {
		code = EX_DATAERR;
		goto out;
	}
	code = open_state(config, &state);
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

static int
run_set(const struct config *config, const struct options *opts)
{
	struct subscriber sub;
	struct state *state = NULL;
	char *email, *errstr = NULL;
	enum state_status status;
	int code;

	memset(&sub, 0, sizeof sub);
	if (opts->name == NULL && opts->provider == NULL &&
	    !opts->no_provider && opts->language == NULL &&
	    opts->format == NULL && opts->active == NULL) {
		cli_warn("subscribers set: nothing to set");
		fputs(set_usage, stderr);
		return EX_USAGE;
	}
	if (opts->provider != NULL && opts->no_provider) {
		cli_warn("subscribers set: --provider and --no-provider "
			 "exclude each other");
		fputs(set_usage, stderr);
		return EX_USAGE;
	}
	email = normalize_operand("set", opts->operands[0]);
	if (email == NULL) {
		code = EX_DATAERR;
		goto out;
	}
	code = open_state(config, &state);
	if (code != EX_OK)
		goto out;
	status = state_subscriber_get(state, email, &sub, &errstr);
	if (status != STATE_OK) {
		code = state_failed(status, errstr);
		goto out;
	}
	code = apply_options(config, "set", opts, &sub);
	if (code != EX_OK)
		goto out;
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
put_cell(struct buf *out, const char *text, size_t width, int last)
{
	size_t pad;

	buf_puts(out, text);
	if (last)
		return;
	for (pad = display_width(text); pad < width + 2; pad++)
		buf_putc(out, ' ');
}

static void
format_json(struct buf *out, const struct subscriber_list *list)
{
	const struct subscriber *sub;
	size_t index;

	for (index = 0; index < list->count; index++) {
		sub = &list->subscribers[index];
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
format_table(struct buf *out, const struct subscriber_list *list)
{
	static const char *const header[COL_COUNT] = {
	    "EMAIL", "NAME", "PROVIDER", "LANG", "FORMAT", "ACTIVE"};
	const char *cells[COL_COUNT];
	size_t widths[COL_COUNT], index, column, width;

	for (column = 0; column < COL_COUNT; column++)
		widths[column] = display_width(header[column]);
	for (index = 0; index < list->count; index++) {
		row_cells(&list->subscribers[index], cells);
		for (column = 0; column < COL_COUNT; column++) {
			width = display_width(cells[column]);
			if (width > widths[column])
				widths[column] = width;
		}
	}
	for (column = 0; column < COL_COUNT; column++)
		put_cell(out, header[column], widths[column],
			 column == COL_COUNT - 1);
	buf_putc(out, '\n');
	for (index = 0; index < list->count; index++) {
		row_cells(&list->subscribers[index], cells);
		for (column = 0; column < COL_COUNT; column++)
			put_cell(out, cells[column], widths[column],
				 column == COL_COUNT - 1);
		buf_putc(out, '\n');
	}
}

/* Writes all of text to stdout and flushes; returns EX_OK or EX_IOERR. */
static int
write_stdout(const char *text, size_t length)
{
	if ((length > 0 && fwrite(text, 1, length, stdout) != length) ||
	    fflush(stdout) != 0 || ferror(stdout)) {
		cli_warn("standard output: %s", strerror(errno));
		return EX_IOERR;
	}
	return EX_OK;
}

static int
run_list(const struct config *config, const struct options *opts)
{
	struct subscriber_list list = {NULL, 0};
	struct state *state = NULL;
	struct buf out = BUF_INIT;
	char *errstr = NULL;
	enum state_status status;
	int code;

	code = open_state(config, &state);
	if (code != EX_OK)
		goto out;
	status = state_subscriber_list(state, 0, &list, &errstr);
	if (status != STATE_OK) {
		code = state_failed(status, errstr);
		goto out;
	}
	if (opts->json)
		format_json(&out, &list);
	else
		format_table(&out, &list);
	code = write_stdout(out.data, out.length);
out:
	buf_free(&out);
	subscriber_list_clear(&list);
	state_close(state);
	return code;
}

/* The import columns, in the order the header may name them. */
enum column {
	COLUMN_EMAIL,
	COLUMN_NAME,
	COLUMN_PROVIDER,
	COLUMN_LANGUAGE,
	COLUMN_FORMAT,
	COLUMN_KINDS
};

static const char *const column_names[COLUMN_KINDS] = {
    "email", "name", "provider", "language", "format"};

/* One row of the file, checked, with where it came from. */
struct import_row {
	struct subscriber sub;
	size_t line;
};

struct import {
	const char *path;
	const struct config *config;
	/* For each column of the file, which kind it is. */
	enum column *columns;
	size_t column_count;
	int present[COLUMN_KINDS];
	struct import_row *rows;
	size_t row_count;
};

/* Reads the header row; reports a problem and returns an exit code. */
static int
read_header(struct import *import, struct csv_reader *reader)
{
	struct csv_record record = {NULL, 0, 0};
	char *errstr = NULL, *shown = NULL;
	size_t index;
	int kind, code = EX_DATAERR;

	switch (csv_read_record(reader, &record, &errstr)) {
	case CSV_OK:
		break;
	case CSV_END:
		cli_warn("%s: empty file: a header row (email,name,provider,"
			 "language,format) is required",
			 import->path);
		goto out;
	case CSV_ESYNTAX:
		cli_warn("%s:%zu: %s", import->path, record.line, errstr);
		goto out;
	}
	import->columns = xcalloc(record.count, sizeof *import->columns);
	import->column_count = record.count;
	for (index = 0; index < record.count; index++) {
		trim(record.fields[index]);
		for (kind = 0; kind < COLUMN_KINDS; kind++)
			if (util_strcasecmp(record.fields[index],
					    column_names[kind]) == 0)
				break;
		if (kind == COLUMN_KINDS) {
			shown = quote(record.fields[index]);
			cli_warn("%s:%zu: unknown column %s (the header row "
				 "names email,name,provider,language,format)",
				 import->path, record.line, shown);
			goto out;
		}
		if (import->present[kind]) {
			cli_warn("%s:%zu: column %s appears twice",
				 import->path, record.line, column_names[kind]);
			goto out;
		}
		import->present[kind] = 1;
		import->columns[index] = (enum column)kind;
	}
	if (!import->present[COLUMN_EMAIL]) {
		cli_warn("%s:%zu: the header row has no email column",
			 import->path, record.line);
		goto out;
	}
	code = EX_OK;
out:
	free(shown);
	free(errstr);
	csv_record_clear(&record);
	return code;
}

/*
 * Checks one record and fills row.  Returns NULL, or a problem (free())
 * without the file and line, which the caller adds.
 */
static char *
check_record(struct import *import, struct csv_record *record,
	     struct import_row *row)
{
	struct subscriber *sub = &row->sub;
	const struct provider *provider;
	const char *language, *problem;
	char *shown = NULL, *message = NULL;
	size_t index;
	char *value;

	memset(row, 0, sizeof *row);
	row->line = record->line;
	sub->format = SUBSCRIBER_FORMAT_BOTH;
	sub->active = 1;
	sub->language = xstrdup(default_language(import->config));
	if (record->count != import->column_count)
		return xasprintf("expected %zu fields, found %zu",
				 import->column_count, record->count);
	for (index = 0; index < record->count; index++) {
		value = record->fields[index];
		trim(value);
		shown = quote(value);
		switch (import->columns[index]) {
		case COLUMN_EMAIL:
			sub->email = address_normalize(value);
			if (sub->email == NULL)
				message = xasprintf("%s: not a valid email "
						    "address",
						    shown);
			break;
		case COLUMN_NAME:
			problem = clean_name(value, &sub->name);
			if (problem != NULL)
				message = xstrdup(problem);
			break;
		case COLUMN_PROVIDER:
			if (value[0] == '\0')
				break;
			provider = config_find_provider(import->config, value);
			if (provider == NULL) {
				char *known = provider_ids(import->config);

				message = xasprintf("unknown provider %s "
						    "(configured: %s)",
						    shown, known);
				free(known);
			} else {
				sub->provider = xstrdup(provider->id);
			}
			break;
		case COLUMN_LANGUAGE:
			if (value[0] == '\0')
				break;
			language = parse_language(value);
			if (language == NULL) {
				message = xasprintf("language %s is not nl "
						    "or en",
						    shown);
			} else {
				free(sub->language);
				sub->language = xstrdup(language);
			}
			break;
		case COLUMN_FORMAT:
			if (value[0] != '\0' &&
			    subscriber_format_parse(value, &sub->format) != 0)
				message = xasprintf("format %s is not text, "
						    "html or both",
						    shown);
			break;
		case COLUMN_KINDS:
			break;
		}
		free(shown);
		shown = NULL;
		if (message != NULL)
			return message;
	}
	return NULL;
}

static int
compare_rows_by_email(const void *a, const void *b)
{
	const struct import_row *const *left = a, *const *right = b;
	int order = util_strcasecmp((*left)->sub.email, (*right)->sub.email);

	if (order != 0)
		return order;
	return (*left)->line < (*right)->line ? -1 : 1;
}

/*
 * Finds the earliest line that repeats an address from an earlier line.
 * Returns 0 and sets *dup_out and *first_out, or -1 when none repeats.
 */
static int
find_duplicate(const struct import *import, const struct import_row **dup_out,
	       const struct import_row **first_out)
{
	const struct import_row **sorted;
	size_t index, run;
	int found = -1;

	if (import->row_count < 2)
		return -1;
	sorted = xreallocarray(NULL, import->row_count, sizeof *sorted);
	for (index = 0; index < import->row_count; index++)
		sorted[index] = &import->rows[index];
	/* Equal addresses end up together, each run ordered by line. */
	qsort(sorted, import->row_count, sizeof *sorted, compare_rows_by_email);
	for (run = 0; run < import->row_count; run = index) {
		for (index = run + 1; index < import->row_count; index++)
			if (util_strcasecmp(sorted[run]->sub.email,
					    sorted[index]->sub.email) != 0)
				break;
		if (index - run < 2)
			continue;
		if (found == 0 && sorted[run + 1]->line >= (*dup_out)->line)
			continue;
		*dup_out = sorted[run + 1];
		*first_out = sorted[run];
		found = 0;
	}
	free(sorted);
	return found;
}

/*
 * Keeps what the file does not say: a column the header leaves out keeps
 * the stored value of a subscriber who exists already, and an import never
 * reactivates someone who was switched off.
 */
static enum state_status
merge_existing(struct import *import, struct state *state, char **errstr_out)
{
	struct subscriber existing;
	enum state_status status;
	struct subscriber *sub;
	size_t index;

	for (index = 0; index < import->row_count; index++) {
		sub = &import->rows[index].sub;
		status = state_subscriber_get(state, sub->email, &existing,
					      errstr_out);
		if (status == STATE_ENOTFOUND) {
			free(*errstr_out);
			*errstr_out = NULL;
			continue;
		}
		if (status != STATE_OK)
			return status;
		if (!import->present[COLUMN_NAME]) {
			free(sub->name);
			sub->name = existing.name;
			existing.name = NULL;
		}
		if (!import->present[COLUMN_PROVIDER]) {
			free(sub->provider);
			sub->provider = existing.provider;
			existing.provider = NULL;
		}
		if (!import->present[COLUMN_LANGUAGE]) {
			free(sub->language);
			sub->language = existing.language;
			existing.language = NULL;
		}
		if (!import->present[COLUMN_FORMAT])
			sub->format = existing.format;
		sub->active = existing.active;
		subscriber_clear(&existing);
	}
	return STATE_OK;
}

/* Reads and checks every row; the first bad one stops the import. */
static int
read_rows(struct import *import, struct csv_reader *reader)
{
	const struct import_row *dup = NULL, *first = NULL;
	struct csv_record record = {NULL, 0, 0};
	char *errstr = NULL;
	size_t capacity = 0;
	int code = EX_DATAERR;

	for (;;) {
		enum csv_status read =
		    csv_read_record(reader, &record, &errstr);

		if (read == CSV_END)
			break;
		if (read == CSV_ESYNTAX) {
			/* A later duplicate cannot come before this line. */
			if (find_duplicate(import, &dup, &first) == 0)
				break;
			cli_warn("%s:%zu: %s", import->path, record.line,
				 errstr);
			goto out;
		}
		if (import->row_count == capacity) {
			capacity = capacity ? capacity * 2 : 64;
			import->rows = xreallocarray(import->rows, capacity,
						     sizeof *import->rows);
		}
		errstr = check_record(import, &record,
				      &import->rows[import->row_count]);
		import->row_count++;
		if (errstr != NULL) {
			import->row_count--;
			subscriber_clear(&import->rows[import->row_count].sub);
			if (find_duplicate(import, &dup, &first) == 0)
				break;
			cli_warn("%s:%zu: %s", import->path, record.line,
				 errstr);
			goto out;
		}
		csv_record_clear(&record);
	}
	if (dup != NULL || find_duplicate(import, &dup, &first) == 0) {
		cli_warn("%s:%zu: %s appears twice (first on line %zu)",
			 import->path, dup->line, dup->sub.email, first->line);
		goto out;
	}
	code = EX_OK;
out:
	csv_record_clear(&record);
	free(errstr);
	return code;
}

static int
run_import(const struct config *config, const struct options *opts)
{
	struct import import;
	struct csv_reader reader;
	struct state *state = NULL;
	struct subscriber *subs = NULL;
	enum state_status status;
	char *data = NULL, *errstr = NULL;
	size_t size = 0, added = 0, updated = 0, index;
	int code;

	memset(&import, 0, sizeof import);
	import.path = opts->operands[0];
	import.config = config;
	if (util_read_file(import.path, IMPORT_MAX_SIZE, &data, &size) != 0) {
		int error = errno; /* printing may change errno */

		cli_warn("%s: %s", import.path, strerror(error));
		code = error == EFBIG ? EX_DATAERR : EX_NOINPUT;
		goto out;
	}
	csv_reader_init(&reader, data, size);
	code = read_header(&import, &reader);
	if (code == EX_OK)
		code = read_rows(&import, &reader);
	if (code != EX_OK)
		goto out;
	code = open_state(config, &state);
	if (code != EX_OK)
		goto out;
	status = merge_existing(&import, state, &errstr);
	if (status != STATE_OK) {
		code = state_failed(status, errstr);
		goto out;
	}
	subs = xreallocarray(NULL, import.row_count, sizeof *subs);
	for (index = 0; index < import.row_count; index++)
		subs[index] = import.rows[index].sub;
	status = state_subscriber_upsert_all(state, subs, import.row_count,
					     &added, &updated, &errstr);
	if (status != STATE_OK) {
		code = state_failed(status, errstr);
		goto out;
	}
	printf("imported %zu subscribers (%zu added, %zu updated)\n",
	       added + updated, added, updated);
	code = write_stdout("", 0);
out:
	free(subs);
	for (index = 0; index < import.row_count; index++)
		subscriber_clear(&import.rows[index].sub);
	free(import.rows);
	free(import.columns);
	state_close(state);
	free(data);
	return code;
}

static const struct command commands[] = {
    {"add", add_usage, add_options, 1, run_add},
    {"remove", remove_usage, help_only_options, 1, run_remove},
    {"list", list_usage, list_options, 0, run_list},
    {"set", set_usage, set_options, 1, run_set},
    {"import", import_usage, help_only_options, 1, run_import},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void
print_all_usage(FILE *stream)
{
	size_t index;

	for (index = 0; index < COMMAND_COUNT; index++)
		fputs(commands[index].usage, stream);
}

/*
 * Parses a subcommand's flags.  argv[0] is the subcommand.  Returns EX_OK,
 * or prints the problem and the usage and returns EX_USAGE.
 */
static int
parse_options(const struct command *command, int argc, char **argv,
	      struct options *opts_out)
{
	int option;

	memset(opts_out, 0, sizeof *opts_out);
	/* The top-level cli ran getopt already: 0 starts GNU getopt anew. */
	optind = 0;
	opterr = 0;
	while ((option = getopt_long(argc, argv, ":h", command->long_options,
				     NULL)) != -1) {
		switch (option) {
		case OPT_NAME:
			opts_out->name = optarg;
			break;
		case OPT_PROVIDER:
			opts_out->provider = optarg;
			break;
		case OPT_NO_PROVIDER:
			opts_out->no_provider = 1;
			break;
		case OPT_LANG:
			opts_out->language = optarg;
			break;
		case OPT_FORMAT:
			opts_out->format = optarg;
			break;
		case OPT_ACTIVE:
			opts_out->active = optarg;
			break;
		case OPT_JSON:
			opts_out->json = 1;
			break;
		case 'h':
		case OPT_HELP:
			opts_out->help = 1;
			break;
		case ':':
			cli_warn("subscribers %s: %s needs a value",
				 command->name, argv[optind - 1]);
			goto usage;
		default:
			if (optopt != 0)
				cli_warn("subscribers %s: unknown option -%c",
					 command->name, optopt);
			else
				cli_warn("subscribers %s: unknown option %s",
					 command->name, argv[optind - 1]);
			goto usage;
		}
	}
	if (opts_out->help)
		return EX_OK;
	opts_out->operands = argv + optind;
	opts_out->operand_count = argc - optind;
	if (opts_out->operand_count != command->operand_count) {
		cli_warn("subscribers %s: %s", command->name,
			 opts_out->operand_count < command->operand_count
			     ? "missing operand"
			     : "too many operands");
		goto usage;
	}
	return EX_OK;
usage:
	fputs(command->usage, stderr);
	return EX_USAGE;
}

int
cli_subscribers_main(const struct config *config, int argc, char **argv)
{
	const struct command *command = NULL;
	struct options opts;
	size_t index;
	int code;

	if (argc < 2) {
		cli_warn("subscribers: missing command");
		print_all_usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		print_all_usage(stdout);
		return write_stdout("", 0);
	}
	for (index = 0; index < COMMAND_COUNT; index++)
		if (strcmp(argv[1], commands[index].name) == 0)
			command = &commands[index];
	if (command == NULL) {
		char *shown = quote(argv[1]);

		cli_warn("subscribers: unknown command %s", shown);
		free(shown);
		print_all_usage(stderr);
		return EX_USAGE;
	}
	code = parse_options(command, argc - 1, argv + 1, &opts);
	if (code != EX_OK)
		return code;
	if (opts.help) {
		fputs(command->usage, stdout);
		return write_stdout("", 0);
	}
	return command->run(config, &opts);
}
