/*
 * fuzz_bounce.c - feeds arbitrary bytes to the bounce reader as a mail
 * message and checks what it promises: a bounce has a kind and a format
 * together, every string it hands back is one printable line within its
 * bound, addresses are usable, and the VERP reader takes any of them (and
 * the raw input) without harm.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "mail_bounce.h"
#include "util.h"
#include "verp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_line(const char *text, size_t max)
{
	if (text == NULL)
		return;
	if (strlen(text) > max)
		abort();
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			abort();
}

static void
check_verp(const char *address)
{
	char *email = NULL;
	char date[11];

	if (verp_decode(address, NULL, &email, date) == 0) {
		if (email == NULL || !address_is_safe(email) ||
		    strlen(date) != 10)
			abort();
	} else if (email != NULL) {
		abort();
	}
	free(email);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail_bounce bounce;
	char *errstr = NULL;
	char *copy;

	/* Exactly size bytes: ASan sees any read past the end. */
	copy = malloc(size ? size : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	if (mail_bounce_parse(copy, size, &bounce, &errstr) == MAIL_BOUNCE_OK) {
		if ((bounce.kind == MAIL_BOUNCE_NONE) !=
		    (bounce.format == MAIL_BOUNCE_FORMAT_NONE))
			abort();
		check_line(bounce.reason, MAIL_BOUNCE_REASON_MAX);
		check_line(bounce.status, 16);
		check_line(bounce.original_message_id, 250);
		if (bounce.recipient && !address_is_safe(bounce.recipient))
			abort();
		if (bounce.addressed_count > MAIL_BOUNCE_ADDRESSED_MAX)
			abort();
		for (size_t i = 0; i < bounce.addressed_count; i++) {
			if (!address_is_safe(bounce.addressed_to[i]))
				abort();
			check_verp(bounce.addressed_to[i]);
		}
		mail_bounce_clear(&bounce);
	} else if (errstr == NULL) {
		abort();
	}
	free(errstr);
	free(copy);
	/* The input itself as an address, when it is a string. */
	if (size < 300 && memchr(data, '\0', size) == NULL) {
		char *address = xstrndup((const char *)data, size);

		check_verp(address);
		free(address);
	}
	return 0;
}
