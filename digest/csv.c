/*
 * csv.c - see csv.h.
 */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void
csv_reader_init(struct csv_reader *reader, const char *data, size_t size)
{
	reader->data = data;
	reader->size = size;
	reader->position = 0;
	reader->line = 1;
	/* Spreadsheets like to start UTF-8 exports with a byte order mark. */
	if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		reader->position = 3;
}

/* Returns the length of the line break at position (0, 1 or 2). */
static size_t
line_break_at(const struct csv_reader *reader, size_t position)
{
	if (position >= reader->size)
		return 0;
	if (reader->data[position] == '\n')
		return 1;
	if (reader->data[position] == '\r' && position + 1 < reader->size &&
	    reader->data[position + 1] == '\n')
		return 2;
	return 0;
}

static void
record_push(struct csv_record *record, struct buf *field)
{
	record->fields = xreallocarray(record->fields, record->count + 1,
				       sizeof *record->fields);
	record->fields[record->count++] = buf_detach(field);
}

/* Reads a quoted field; the reader stands on its opening quote. */
static const char *
read_quoted(struct csv_reader *reader, struct buf *field)
{
	size_t brk;

	reader->position++;
	for (;;) {
		if (reader->position >= reader->size)
			return "unclosed quoted field";
		if (reader->data[reader->position] == '"') {
			if (reader->position + 1 < reader->size &&
			    reader->data[reader->position + 1] == '"') {
				buf_putc(field, '"');
				reader->position += 2;
				continue;
			}
			reader->position++;
			break;
		}
		brk = line_break_at(reader, reader->position);
		if (brk > 0) {
			/* A line break inside a field reads as LF alone. */
			buf_putc(field, '\n');
			reader->position += brk;
			reader->line++;
			continue;
		}
		if (reader->data[reader->position] == '\0')
			return "NUL byte in a field";
		buf_putc(field, reader->data[reader->position++]);
	}
	if (reader->position < reader->size &&
	    reader->data[reader->position] != ',' &&
	    line_break_at(reader, reader->position) == 0)
		return "text after the closing quote of a field";
	return NULL;
}

static const char *
read_plain(struct csv_reader *reader, struct buf *field)
{
	while (reader->position < reader->size &&
	       reader->data[reader->position] != ',' &&
	       line_break_at(reader, reader->position) == 0) {
		char c = reader->data[reader->position];

		if (c == '"')
			return "quote inside an unquoted field";
		if (c == '\0')
			return "NUL byte in a field";
		buf_putc(field, c);
		reader->position++;
	}
	return NULL;
}

enum csv_status
csv_read_record(struct csv_reader *reader, struct csv_record *record_out,
		char **errstr_out)
{
	struct buf field = BUF_INIT;
	const char *problem = NULL;
	size_t brk;

	memset(record_out, 0, sizeof *record_out);
	while ((brk = line_break_at(reader, reader->position)) > 0) {
		reader->position += brk;
		reader->line++;
	}
	record_out->line = reader->line;
	if (reader->position >= reader->size)
		return CSV_END;
	for (;;) {
		/* A comma at the very end still leaves an empty field. */
		if (reader->position < reader->size &&
		    reader->data[reader->position] == '"')
			problem = read_quoted(reader, &field);
		else
			problem = read_plain(reader, &field);
		if (problem == NULL &&
		    !util_utf8_valid(field.data, field.length))
			problem = "field is not valid UTF-8";
		if (problem != NULL)
			goto out;
		record_push(record_out, &field);
		if (reader->position >= reader->size)
			break;
		if (reader->data[reader->position] == ',') {
			reader->position++;
			continue;
		}
		brk = line_break_at(reader, reader->position);
		reader->position += brk;
		reader->line++;
		break;
	}
out:
	buf_free(&field);
	if (problem != NULL) {
		if (errstr_out != NULL)
			*errstr_out = xstrdup(problem);
		return CSV_ESYNTAX;
	}
	return CSV_OK;
}

void
csv_record_clear(struct csv_record *record)
{
	size_t index;

	if (record == NULL)
		return;
	for (index = 0; index < record->count; index++)
		free(record->fields[index]);
	free(record->fields);
	record->fields = NULL;
	record->count = 0;
}
