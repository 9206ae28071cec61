/*
 * address.c - see address.h.
 */
#include "address.h"

#include <string.h>

#include "util.h"

/* RFC 5321 limits: local part, domain, whole path without brackets. */
#define ADDRESS_LOCAL_MAX 64
#define ADDRESS_DOMAIN_MAX 255
#define ADDRESS_MAX 254

static int
is_local_char(unsigned char c)
{
	/* Quoted local parts are refused outright: nobody we mail has one. */
	if (c <= 0x20 || c >= 0x7f)
		return 0;
	return strchr("<>()[]\\,;:\"@", c) == NULL;
}

static int
is_domain_label_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

int
address_domain_is_valid(const char *domain, size_t length)
{
	size_t label_length = 0;
	size_t dot_count = 0;
	size_t i;

	if (length == 0 || length > ADDRESS_DOMAIN_MAX)
		return 0;
	for (i = 0; i < length; i++) {
		unsigned char c = (unsigned char)domain[i];

		if (c == '.') {
			if (label_length == 0 || domain[i - 1] == '-')
				return 0;
			label_length = 0;
			dot_count++;
			continue;
		}
		if (!is_domain_label_char(c))
			return 0;
		if (label_length == 0 && c == '-')
			return 0;
		if (++label_length > 63)
			return 0;
	}
	if (label_length == 0 || domain[length - 1] == '-')
		return 0;
	return dot_count >= 1;
}

char *
address_normalize(const char *address)
{
	const char *start;
	const char *end;
	const char *at = NULL;
	const char *p;
	char *result;
	size_t local_length;
	size_t i;

	if (address == NULL)
		return NULL;
	start = address;
	while (*start == ' ' || *start == '\t' || *start == '\r' ||
	       *start == '\n')
		start++;
	end = start + strlen(start);
	while (end > start && (end[-1] == ' ' || end[-1] == '\t' ||
			       end[-1] == '\r' || end[-1] == '\n'))
		end--;
	if ((size_t)(end - start) > ADDRESS_MAX)
		return NULL;
	for (p = start; p < end; p++) {
		if (*p == '@') {
			if (at != NULL)
				return NULL;
			at = p;
		}
	}
	if (at == NULL)
		return NULL;
	local_length = (size_t)(at - start);
	if (local_length == 0 || local_length > ADDRESS_LOCAL_MAX)
		return NULL;
	for (p = start; p < at; p++)
		if (!is_local_char((unsigned char)*p))
			return NULL;
	/* Dots may separate atoms but not start, end or double up. */
	if (start[0] == '.' || at[-1] == '.')
		return NULL;
	for (p = start + 1; p < at; p++)
		if (p[0] == '.' && p[-1] == '.')
			return NULL;
	if (!address_domain_is_valid(at + 1, (size_t)(end - at - 1)))
		return NULL;
	result = xstrndup(start, (size_t)(end - start));
	for (i = local_length + 1; result[i] != '\0'; i++)
		if (result[i] >= 'A' && result[i] <= 'Z')
			result[i] = (char)(result[i] - 'A' + 'a');
	return result;
}

int
address_is_safe(const char *address)
{
	const unsigned char *p;
	const char *at;

	if (address == NULL || *address == '\0')
		return 0;
	at = strchr(address, '@');
	if (at == NULL || at == address || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL)
		return 0;
	for (p = (const unsigned char *)address; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '<' || *p == '>')
			return 0;
	return strlen(address) <= 254;
}
