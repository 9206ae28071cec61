/*
 * import.c - see import.h.
 */
#include "import.h"

#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "csv.h"
#include "datetime.h"
#include "subscriber.h"
#include "util.h"

/* The columns, in the order the header may name them. */
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
	struct subscriber subscriber;
	size_t line;
	int exists;   /* the store has this address already */
	int left_out; /* erased through the pages: not added back */
};

struct import {
	const struct config *config;
	char *path;
	const struct links *links; /* recognises erased addresses */
	struct state *state;	   /* during import_store() */
	struct buf left_out;	   /* lines about those left out */
	enum column *columns;	   /* for each column of the file, its kind */
	size_t column_count;
	int present[COLUMN_KINDS];
	struct import_row *rows;
	size_t row_count;
	size_t row_capacity;
};

static const char *
default_language(const struct config *config)
{
	const char *language = subscriber_language_parse(config->language);

	return language ? language : "nl";
}

/* Finds the kind a header cell names; COLUMN_KINDS for none. */
static enum column
column_named(const char *name)
{
	int kind;

	for (kind = 0; kind < COLUMN_KINDS; kind++)
		if (util_strcasecmp(name, column_names[kind]) == 0)
			break;
	return (enum column)kind;
}

/* Reads the header row.  Returns NULL or the problem (free()). */
static char *
read_header(struct import *import, struct csv_reader *reader)
{
	struct csv_record record = {NULL, 0, 0};
	char *errstr = NULL, *shown = NULL, *problem = NULL;
	enum column kind;

	switch (csv_read_record(reader, &record, &errstr)) {
	case CSV_OK:
		break;
	case CSV_END:
		problem = xasprintf("%s: empty file: a header row (email,name,"
				    "provider,language,format) is required",
				    import->path);
		goto out;
	case CSV_ESYNTAX:
		problem =
		    xasprintf("%s:%zu: %s", import->path, record.line, errstr);
		goto out;
	}
	import->columns = xcalloc(record.count, sizeof *import->columns);
	import->column_count = record.count;
	for (size_t index = 0; index < record.count && !problem; index++) {
		util_trim(record.fields[index]);
		kind = column_named(record.fields[index]);
		if (kind == COLUMN_KINDS) {
			shown = util_quote(record.fields[index]);
			problem = xasprintf("%s:%zu: unknown column %s (the "
					    "header row names email,name,"
					    "provider,language,format)",
					    import->path, record.line, shown);
		} else if (import->present[kind]) {
			problem = xasprintf("%s:%zu: column %s appears twice",
					    import->path, record.line,
					    column_names[kind]);
		}
		if (problem == NULL) {
			import->present[kind] = 1;
			import->columns[index] = kind;
		}
	}
	if (problem == NULL && !import->present[COLUMN_EMAIL])
		problem =
		    xasprintf("%s:%zu: the header row has no email column",
			      import->path, record.line);
out:
	free(shown);
	free(errstr);
	csv_record_clear(&record);
	return problem;
}

/* Checks a provider cell; an empty one is the default provider. */
static char *
check_provider(const struct config *config, const char *value,
	       const char *shown, struct subscriber *subscriber)
{
	const struct provider *provider;
	char *known, *problem;

	if (value[0] == '\0')
		return NULL;
	provider = config_find_provider(config, value);
	if (provider != NULL) {
		/* Store the config's own spelling of the id. */
		subscriber->provider = xstrdup(provider->id);
		return NULL;
	}
	known = config_provider_ids(config);
	problem =
	    xasprintf("unknown provider %s (configured: %s)", shown, known);
	free(known);
	return problem;
}

/*
 * Checks one cell of kind and fills its field of subscriber.  Returns NULL
 * or the problem (free()).
 */
static char *
check_cell(struct import *import, enum column kind, char *value,
	   struct subscriber *subscriber)
{
	const char *language, *problem;
	char *shown = util_quote(value), *message = NULL;

	switch (kind) {
	case COLUMN_EMAIL:
		subscriber->email = address_normalize(value);
		if (subscriber->email == NULL)
			message =
			    xasprintf("%s: not a valid email address", shown);
		break;
	case COLUMN_NAME:
		problem = subscriber_clean_name(value, &subscriber->name);
		if (problem != NULL)
			message = xstrdup(problem);
		break;
	case COLUMN_PROVIDER:
		message =
		    check_provider(import->config, value, shown, subscriber);
		break;
	case COLUMN_LANGUAGE:
		language = subscriber_language_parse(value);
		if (value[0] != '\0' && language == NULL) {
			message =
			    xasprintf("language %s is not nl or en", shown);
		} else if (language != NULL) {
			free(subscriber->language);
			subscriber->language = xstrdup(language);
		}
		break;
	case COLUMN_FORMAT:
		if (value[0] != '\0' &&
		    subscriber_format_parse(value, &subscriber->format) != 0)
			message = xasprintf("format %s is not text, html or "
					    "both",
					    shown);
		break;
	case COLUMN_KINDS:
		break;
	}
	free(shown);
	return message;
}

/*
 * Checks one record and fills row.  Returns NULL, or a problem (free())
 * without the file and line, which the caller adds.
 */
static char *
check_record(struct import *import, struct csv_record *record,
	     struct import_row *row)
{
	struct subscriber *subscriber = &row->subscriber;
	char *message = NULL;

	memset(row, 0, sizeof *row);
	row->line = record->line;
	subscriber->format = SUBSCRIBER_FORMAT_BOTH;
	subscriber->active = 1;
	subscriber->language = xstrdup(default_language(import->config));
	if (record->count != import->column_count)
		return xasprintf("expected %zu fields, found %zu",
				 import->column_count, record->count);
	for (size_t index = 0; index < record->count && !message; index++) {
		util_trim(record->fields[index]);
		message = check_cell(import, import->columns[index],
				     record->fields[index], subscriber);
	}
	return message;
}

static int
compare_rows_by_email(const void *a, const void *b)
{
	const struct import_row *const *left = a, *const *right = b;
	int order = util_strcasecmp((*left)->subscriber.email,
				    (*right)->subscriber.email);

	if (order != 0)
		return order;
	return (*left)->line < (*right)->line ? -1 : 1;
}

/*
 * Finds the earliest line that repeats an address of an earlier line.
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
			if (util_strcasecmp(sorted[run]->subscriber.email,
					    sorted[index]->subscriber.email) !=
			    0)
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

/* The problem to report: a repeated address on an earlier line wins. */
static char *
first_problem(const struct import *import, size_t line, char *problem)
{
	const struct import_row *dup = NULL, *first = NULL;
	char *message;

	if (find_duplicate(import, &dup, &first) == 0 &&
	    (problem == NULL || dup->line < line)) {
		message = xasprintf("%s:%zu: %s appears twice (first on line "
				    "%zu)",
				    import->path, dup->line,
				    dup->subscriber.email, first->line);
	} else if (problem != NULL) {
		message = xasprintf("%s:%zu: %s", import->path, line, problem);
	} else {
		return NULL;
	}
	free(problem);
	return message;
}

static struct import_row *
next_row(struct import *import)
{
	if (import->row_count == import->row_capacity) {
		import->row_capacity =
		    import->row_capacity ? import->row_capacity * 2 : 64;
		import->rows = xreallocarray(import->rows, import->row_capacity,
					     sizeof *import->rows);
	}
	return &import->rows[import->row_count];
}

/* Reads and checks every row; the first bad one stops the import. */
static char *
read_rows(struct import *import, struct csv_reader *reader)
{
	struct csv_record record = {NULL, 0, 0};
	struct import_row *row;
	char *problem = NULL;
	enum csv_status read;

	while ((read = csv_read_record(reader, &record, &problem)) != CSV_END) {
		if (read == CSV_OK) {
			row = next_row(import);
			problem = check_record(import, &record, row);
			if (problem == NULL)
				import->row_count++;
			else
				subscriber_clear(&row->subscriber);
		}
		if (problem != NULL)
			break;
		csv_record_clear(&record);
	}
	problem = first_problem(import, record.line, problem);
	csv_record_clear(&record);
	return problem;
}

enum import_status
import_read(const struct config *config, const char *path, const char *data,
	    size_t size, struct import **import_out, char **errstr_out)
{
	struct import *import = xcalloc(1, sizeof *import);
	struct csv_reader reader;
	char *problem;

	*import_out = NULL;
	import->config = config;
	import->path = xstrdup(path);
	csv_reader_init(&reader, data, size);
	problem = read_header(import, &reader);
	if (problem == NULL)
		problem = read_rows(import, &reader);
	if (problem != NULL) {
		*errstr_out = problem;
		import_free(import);
		return IMPORT_EDATA;
	}
	*import_out = import;
	return IMPORT_OK;
}

size_t
import_count(const struct import *import)
{
	return import->row_count;
}

/* Takes the stored value of a field that the file does not have. */
static void
keep_stored(char **field, char **stored)
{
	free(*field);
	*field = *stored;
	*stored = NULL;
}

/*
 * Keeps what the file does not say: a column the header leaves out keeps
 * the stored value of a subscriber who exists already, and an import never
 * reactivates someone who was switched off.
 */
static enum state_status
merge_existing(struct import *import, struct state *state, char **errstr_out)
{
	struct subscriber existing, *subscriber;
	enum state_status status;

	for (size_t index = 0; index < import->row_count; index++) {
		subscriber = &import->rows[index].subscriber;
		status = state_subscriber_get(state, subscriber->email,
					      &existing, errstr_out);
		if (status == STATE_ENOTFOUND) {
			free(*errstr_out);
			*errstr_out = NULL;
			continue;
		}
		if (status != STATE_OK)
			return status;
		import->rows[index].exists = 1;
		if (!import->present[COLUMN_NAME])
			keep_stored(&subscriber->name, &existing.name);
		if (!import->present[COLUMN_PROVIDER])
			keep_stored(&subscriber->provider, &existing.provider);
		if (!import->present[COLUMN_LANGUAGE])
			keep_stored(&subscriber->language, &existing.language);
		if (!import->present[COLUMN_FORMAT])
			subscriber->format = existing.format;
		subscriber->active = existing.active;
		subscriber_clear(&existing);
	}
	return STATE_OK;
}

void
import_set_links(struct import *import, const struct links *links)
{
	import->links = links;
}

/* Whether the address of row was erased; notes it when it was. */
static enum state_status
check_erased(struct import *import, struct import_row *row, char **errstr_out)
{
	char *hashes[2];
	time_t erased_at = 0;
	char date[DATETIME_RFC3339_SIZE];
	enum state_status status;

	links_address_hashes(import->links, row->subscriber.email, hashes);
	status = state_suppressed(import->state, (const char *const *)hashes, 2,
				  &erased_at, errstr_out);
	free(hashes[0]);
	free(hashes[1]);
	if (status != STATE_OK || erased_at == 0)
		return status;
	row->left_out = 1;
	datetime_format_rfc3339(erased_at, date);
	date[10] = '\0';
	buf_printf(&import->left_out,
		   "%s:%zu: %s erased their data through the subscribers' "
		   "pages on %s: left out, not added back (digest "
		   "subscribers add adds them, if they ask)\n",
		   import->path, row->line, row->subscriber.email, date);
	return STATE_OK;
}

/*
 * The hook that keeps erased addresses out: every subscriber the import
 * would add is looked up, by keyed hash, on the suppression list.
 */
static enum state_status
leave_out_erased(struct import *import, char **errstr_out)
{
	enum state_status status;
	size_t count = 0;

	status = state_suppression_count(import->state, &count, errstr_out);
	if (status != STATE_OK || count == 0)
		return status;
	if (import->links == NULL) {
		*errstr_out = xasprintf(
		    "%s: the store lists %zu erased addresses, and they can "
		    "only be recognised with the key of [web] (base_url, "
		    "secret_file or secret_env): nothing imported",
		    import->path, count);
		return STATE_EINVALID;
	}
	for (size_t index = 0; index < import->row_count; index++) {
		if (import->rows[index].exists)
			continue;
		status = check_erased(import, &import->rows[index], errstr_out);
		if (status != STATE_OK)
			return status;
	}
	return STATE_OK;
}

enum state_status
import_store(struct import *import, struct state *state, size_t *added_out,
	     size_t *updated_out, char **errstr_out)
{
	struct subscriber *subscribers;
	enum state_status status;
	size_t count = 0;

	*added_out = 0;
	*updated_out = 0;
	import->state = state;
	status = merge_existing(import, state, errstr_out);
	if (status == STATE_OK)
		status = leave_out_erased(import, errstr_out);
	if (status != STATE_OK)
		return status;
	subscribers =
	    xreallocarray(NULL, import->row_count, sizeof *subscribers);
	for (size_t index = 0; index < import->row_count; index++)
		if (!import->rows[index].left_out)
			subscribers[count++] = import->rows[index].subscriber;
	status = state_subscriber_upsert_all(
	    state, subscribers, count, added_out, updated_out, errstr_out);
	free(subscribers);
	return status;
}

const char *
import_left_out(const struct import *import)
{
	return import->left_out.length > 0 ? import->left_out.data : NULL;
}

void
import_free(struct import *import)
{
	if (import == NULL)
		return;
	for (size_t index = 0; index < import->row_count; index++)
		subscriber_clear(&import->rows[index].subscriber);
	free(import->rows);
	free(import->columns);
	free(import->path);
	buf_free(&import->left_out);
	free(import);
}
