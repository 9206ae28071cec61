/*
 * mail.h - compose one digest message (GMime 3).
 *
 * GMime stays inside mail.c.
 */
#ifndef DIGEST_MAIL_H
#define DIGEST_MAIL_H

#include <stddef.h>
#include <time.h>

struct mail_input {
	const char *from_address;	/* provider's From address */
	const char *from_name;		/* its display name; may be NULL */
	const char *to_address;		/* the subscriber */
	const char *to_name;		/* may be NULL */
	const char *subject;		/* UTF-8; RFC 2047-encoded if needed */
	time_t date;			/* the Date header */
	const char *timezone;		/* IANA zone for Date; NULL: UTC */
	const char *text_body;		/* UTF-8 plain text; required */
	const char *html_body;		/* UTF-8 HTML; NULL: text only */
	const char *list_id;		/* List-Id value; NULL: none */
	const char *unsubscribe_mailto; /* address for List-Unsubscribe */
	const char *unsubscribe_url; /* https URL: adds one-click (RFC 8058) */
	const char *message_id_domain; /* right side of the Message-ID */
};

enum mail_status {
	MAIL_OK = 0,
	MAIL_EADDRESS, /* an address does not parse */
	MAIL_EINPUT    /* a required field is missing */
};

/*
 * Builds the message: text/plain alone, or multipart/alternative with
 * text/plain first and text/html second, UTF-8, quoted-printable where it
 * helps, lines within RFC 5322 limits, CRLF line ends.  On MAIL_OK
 * *message_out (free()) holds size bytes (NUL-terminated as well) and
 * *message_id_out (free(), may be NULL to ignore) the Message-ID without
 * angle brackets.  On error *errstr_out (free()) says which field.
 */
enum mail_status mail_compose(const struct mail_input *input,
			      char **message_out, size_t *size_out,
			      char **message_id_out, char **errstr_out);

#endif
