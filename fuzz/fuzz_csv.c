/*
 * fuzz_csv.c - feeds arbitrary bytes to the CSV reader and checks what it
 * hands back: every record has a line within the input, fields are valid
 * UTF-8, and the reader always ends.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_reader reader;
	struct csv_record record;
	char *errstr = NULL;
	enum csv_status status;
	size_t lines = 1, index, records = 0;

	for (index = 0; index < size; index++)
		if (data[index] == '\n')
			lines++;
	csv_reader_init(&reader, (const char *)data, size);
	for (;;) {
		status = csv_read_record(&reader, &record, &errstr);
		if (record.line < 1 || record.line > lines)
			abort();
		if (status == CSV_END)
			break;
		if (status == CSV_ESYNTAX) {
			if (errstr == NULL)
				abort();
			free(errstr);
			csv_record_clear(&record);
			break;
		}
		if (record.count == 0)
			abort();
		for (index = 0; index < record.count; index++)
			if (!util_utf8_valid(record.fields[index],
					     strlen(record.fields[index])))
				abort();
		csv_record_clear(&record);
		/* Each record consumes at least one byte. */
		if (++records > size)
			abort();
	}
	return 0;
}
