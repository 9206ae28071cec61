/*
 * import.h - a subscriber list in CSV (RFC 4180, csv.c), read and checked
 * whole, then stored in one transaction: all rows or none.
 *
 * The header row names the columns, in any order:
 * email[,name][,provider][,language][,format].  A column the file leaves
 * out keeps what the store has for a subscriber who exists already, and an
 * import never switches back on someone who was switched off.
 */
#ifndef DIGEST_IMPORT_H
#define DIGEST_IMPORT_H

#include <stddef.h>

#include "config.h"
#include "links.h"
#include "state.h"

enum import_status {
	IMPORT_OK = 0,
	IMPORT_EDATA /* the file is not an acceptable subscriber list */
};

struct import;

/*
 * Reads the CSV data of size bytes (path names it in messages) and checks
 * every row against config (providers, the default language).  On
 * IMPORT_OK *import_out is new (import_free()); on IMPORT_EDATA
 * *errstr_out (free()) is one line naming where the first bad record
 * starts: "subs.csv:4: unknown provider "kpn" (configured: ...)".  A
 * repeated address is reported at its second line.
 */
enum import_status import_read(const struct config *config, const char *path,
			       const char *data, size_t size,
			       struct import **import_out, char **errstr_out);

/* The number of subscribers read. */
size_t import_count(const struct import *import);

/*
 * Gives the import the keys that recognise addresses erased through the
 * subscribers' pages (links.h; NULL when [web] has none).  See
 * import_store().
 */
void import_set_links(struct import *import, const struct links *links);

/*
 * Adds or updates every subscriber read in one transaction, keeping what
 * the file does not say.  A subscriber it would add whose address was
 * erased through the subscribers' pages (a keyed hash of it is on the
 * store's suppression list) is left out, never silently added back:
 * import_left_out() names each.  That check needs the keys of
 * import_set_links() when the list is not empty (STATE_EINVALID without
 * them).  Returns STATE_OK with the counts, or the store's status with
 * *errstr_out (free()).
 */
enum state_status import_store(struct import *import, struct state *state,
			       size_t *added_out, size_t *updated_out,
			       char **errstr_out);

/*
 * After import_store(): one line per subscriber left out because their
 * address was erased ("subs.csv:4: anna@example.nl erased their data on
 * 2026-12-01 ..."), each ending in a newline; NULL when none was.  Valid
 * until import_free().
 */
const char *import_left_out(const struct import *import);

/* Frees what import_read() made; NULL is fine. */
void import_free(struct import *import);

#endif
