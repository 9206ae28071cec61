/*
 * verp.c - see verp.h.
 */
#include "verp.h"

#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "util.h"

#define VERP_TAG "bounce+"
#define VERP_TAG_LENGTH (sizeof VERP_TAG - 1)
/* "20261129-": the date's eight digits and the separator after them. */
#define VERP_DATE_LENGTH 9

/*
 * Checks a date's digits: "2026-11-29" when dashed, else "20261129".
 * Only the shape and plausible ranges; the journal holds the real ones.
 */
static int
date_is_plausible(const char *text, int dashed)
{
	const size_t length = dashed ? 10 : 8;
	char digits[8];
	size_t count = 0;
	int month, day;

	for (size_t i = 0; i < length; i++) {
		if (dashed && (i == 4 || i == 7)) {
			if (text[i] != '-')
				return 0;
			continue;
		}
		if (text[i] < '0' || text[i] > '9')
			return 0;
		digits[count++] = text[i];
	}
	month = (digits[4] - '0') * 10 + (digits[5] - '0');
	day = (digits[6] - '0') * 10 + (digits[7] - '0');
	return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

char *
verp_encode(const char *bounce_domain, const char *email,
	    const char *digest_date)
{
	const char *at;
	char *address;

	if (bounce_domain == NULL || email == NULL || digest_date == NULL)
		return NULL;
	if (!address_domain_is_valid(bounce_domain, strlen(bounce_domain)) ||
	    !address_is_safe(email) || strlen(digest_date) != 10 ||
	    !date_is_plausible(digest_date, 1))
		return NULL;
	at = strchr(email, '@');
	address = xasprintf(VERP_TAG "%.4s%.2s%.2s-%.*s=%s@%s", digest_date,
			    digest_date + 5, digest_date + 8, (int)(at - email),
			    email, at + 1, bounce_domain);
	if (strlen(address) > VERP_ADDRESS_MAX || !address_is_safe(address)) {
		free(address);
		return NULL;
	}
	return address;
}

int
verp_decode(const char *address, const char *bounce_domain, char **email_out,
	    char date_out[11])
{
	const char *start = address;
	const char *end, *at, *local, *equals;
	char *candidate;

	*email_out = NULL;
	if (address == NULL)
		return -1;
	end = start + strlen(start);
	if (*start == '<' && end > start + 1 && end[-1] == '>') {
		start++;
		end--;
	}
	if ((size_t)(end - start) > VERP_ADDRESS_MAX)
		return -1;
	at = memrchr(start, '@', (size_t)(end - start));
	if (at == NULL)
		return -1;
	if (bounce_domain != NULL &&
	    (strlen(bounce_domain) != (size_t)(end - at - 1) ||
	     util_strncasecmp(at + 1, bounce_domain, (size_t)(end - at - 1))))
		return -1;
	if ((size_t)(at - start) <= VERP_TAG_LENGTH + VERP_DATE_LENGTH ||
	    util_strncasecmp(start, VERP_TAG, VERP_TAG_LENGTH) != 0)
		return -1;
	local = start + VERP_TAG_LENGTH;
	if (!date_is_plausible(local, 0) || local[8] != '-')
		return -1;
	equals = memrchr(local + VERP_DATE_LENGTH, '=',
			 (size_t)(at - local - VERP_DATE_LENGTH));
	if (equals == NULL)
		return -1;
	candidate = xasprintf(
	    "%.*s@%.*s", (int)(equals - local - VERP_DATE_LENGTH),
	    local + VERP_DATE_LENGTH, (int)(at - equals - 1), equals + 1);
	*email_out = address_normalize(candidate);
	free(candidate);
	if (*email_out == NULL)
		return -1;
	/* "2026" "-" "11" "-" "29" from "20261129". */
	memcpy(date_out, local, 4);
	date_out[4] = '-';
	memcpy(date_out + 5, local + 4, 2);
	date_out[7] = '-';
	memcpy(date_out + 8, local + 6, 2);
	date_out[10] = '\0';
	return 0;
}
