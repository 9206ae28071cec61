/*
 * address.h - mail addresses: what digest accepts as a subscriber's or a
 * sender's address, in one place for the config, the CLI, the CSV import,
 * the composer and the transports.
 */
#ifndef DIGEST_ADDRESS_H
#define DIGEST_ADDRESS_H

#include <stddef.h>

/*
 * Checks and normalises an address ("Anna@Example.NL " -> "Anna@example.nl":
 * the domain lowercased, surrounding space trimmed).  Returns a new string
 * (free()), or NULL when it is not a usable address (one local part of
 * atoms, one domain of at least two LDH labels, no spaces or controls).
 */
char *address_normalize(const char *address);

/* Returns 1 when the length bytes at domain are dotted LDH labels. */
int address_domain_is_valid(const char *domain, size_t length);

/*
 * Checks an envelope address before it goes into a protocol line or a
 * file name: one '@', no space, control character or angle bracket, at
 * most 254 bytes.  Returns 1 when it is usable.
 */
int address_is_safe(const char *address);

#endif
