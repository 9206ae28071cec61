/*
 * csv.h - a reader for RFC 4180 comma-separated values held in memory.
 *
 * Quoted fields may hold commas, line breaks and doubled quotes; records end
 * in CRLF or LF; a UTF-8 byte order mark at the start is skipped; every
 * field must be valid UTF-8.  Lines that are wholly empty are skipped.
 */
#ifndef DIGEST_CSV_H
#define DIGEST_CSV_H

#include <stddef.h>

enum csv_status {
	CSV_OK = 0, /* a record was read */
	CSV_END,    /* no more records */
	CSV_ESYNTAX /* the input is not valid CSV here */
};

struct csv_reader {
	const char *data;
	size_t size;
	size_t position;
	size_t line; /* physical line of position, from 1 */
};

struct csv_record {
	char **fields; /* count NUL-terminated fields */
	size_t count;
	size_t line; /* the physical line where the record starts */
};

/* Starts reading size bytes at data, which must outlive the reader. */
void csv_reader_init(struct csv_reader *reader, const char *data, size_t size);

/*
 * Reads the next record into *record_out (csv_record_clear()); its line is
 * set even on CSV_ESYNTAX, when *errstr_out (free()) says what is wrong
 * ("unclosed quoted field").  Returns CSV_END at the end of the input.
 */
enum csv_status csv_read_record(struct csv_reader *reader,
				struct csv_record *record_out,
				char **errstr_out);

void csv_record_clear(struct csv_record *record);

#endif
