/*
 * fuzz_smtp_reply.c - feeds arbitrary server output, line by line, to the
 * SMTP reply parser and checks what it promises about each line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	size_t start = 0;

	while (start <= size) {
		const char *end = memchr(text + start, '\n', size - start);
		size_t length =
		    end ? (size_t)(end - text - start) + 1 : size - start;
		struct transport_smtp_reply_line line;
		/* A copy of exactly length bytes: ASan sees any overread. */
		char *copy = malloc(length ? length : 1);

		if (copy == NULL)
			return 0;
		memcpy(copy, text + start, length);
		if (transport_smtp_reply_parse(copy, length, &line) == 0) {
			if (line.code < 200 || line.code > 599)
				abort();
			if (line.text < copy ||
			    line.text + line.text_length > copy + length)
				abort();
			if (memchr(line.text, '\n', line.text_length) != NULL)
				abort();
		}
		free(copy);
		if (end == NULL)
			break;
		start += length;
	}
	return 0;
}
