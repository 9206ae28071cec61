/*
 * subscriber.h - the subscriber: who gets the digest, in which language
 * and format, through which webmail provider.
 *
 * The record belongs to neither the store that keeps it (state.c) nor the
 * letter that is written for it (letter.c): both take it from here.
 */
#ifndef DIGEST_SUBSCRIBER_H
#define DIGEST_SUBSCRIBER_H

#include <stddef.h>
#include <time.h>

enum subscriber_format {
	SUBSCRIBER_FORMAT_BOTH = 0, /* multipart/alternative */
	SUBSCRIBER_FORMAT_TEXT,	    /* text/plain only */
	SUBSCRIBER_FORMAT_HTML	    /* alternative too: HTML preferred */
};

struct subscriber {
	long id;
	char *email;	/* normalised (address_normalize()) */
	char *name;	/* display name, or NULL */
	char *provider; /* provider id, or NULL: the default provider */
	char *language; /* "nl" or "en" */
	enum subscriber_format format;
	int active;
	long last_edition;  /* the newest edition they received; 0: none */
	time_t prompted_at; /* when "Kies je webmail" reached them; 0: never */
};

struct subscriber_list {
	struct subscriber *subscribers;
	size_t count;
};

/* Frees the strings of one subscriber and zeroes it; NULL is fine. */
void subscriber_clear(struct subscriber *subscriber);

/* Frees every subscriber and the array; the list is empty afterwards. */
void subscriber_list_clear(struct subscriber_list *list);

/* "both", "text" or "html"; NULL for a value outside the enum. */
const char *subscriber_format_name(enum subscriber_format format);

/*
 * Reads "both", "text" or "html" in any case into *format_out.  Returns 0,
 * or -1 for anything else.
 */
int subscriber_format_parse(const char *text,
			    enum subscriber_format *format_out);

/*
 * Returns "nl" or "en" for either spelled in any case: the languages the
 * digest is written in.  NULL for anything else.
 */
const char *subscriber_language_parse(const char *text);

/*
 * Makes a display name of name: a line break or tab reads as a space,
 * blanks around it go, and it must be valid UTF-8 without control
 * characters.  Returns NULL with *name_out a new string (free()), or NULL
 * for an empty name; or a problem in a few words (static) and NULL.
 */
const char *subscriber_clean_name(const char *name, char **name_out);

#endif
