/*
 * fuzz_feed.c - libFuzzer target for feed_parse(): any bytes in, a status
 * out, no crash, no leak, nothing left in the list after clearing it.
 */
#include "feed.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct item_list list = {NULL, 0, 0};
	char *errstr = NULL;
	enum feed_status status;
	time_t when;

	status = feed_parse((const char *)data, size,
			    "https://fuzz.example.org/feed/", "fuzz", &list,
			    &errstr);
	/* Failure must leave the list untouched and say why. */
	if (status != FEED_OK && (list.count != 0 || errstr == NULL))
		abort();
	feed_item_list_clear(&list);
	free(errstr);
	if (size < 256) {
		char text[256];
		size_t index;

		for (index = 0; index < size; index++)
			text[index] =
			    data[index] != 0 ? (char)data[index] : ' ';
		text[size] = '\0';
		(void)feed_parse_date(text, &when);
	}
	return 0;
}
