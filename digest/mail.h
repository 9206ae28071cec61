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
	MAIL_EINPUT,   /* a required field is missing */
	/*
	 * A stencil cannot make this message exactly as mail_compose()
	 * would (see mail_stencil_fill()): compose it whole instead.
	 */
	MAIL_ESTENCIL
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

/*
 * A stencil: the message that many recipients share, built and encoded
 * once, with holes for what is each recipient's own: the To header, the
 * Message-ID, the one-click link in List-Unsubscribe and, in the text of
 * each part, the values of numbered holes (their name, their links).
 * GMime writes the shared headers once; the parts are encoded here in
 * quoted-printable pieces that each start and end a line (a soft line
 * break around each hole, invisible once decoded), so that a recipient's
 * message is the pieces and their values encoded alike, put together.
 * The message decodes to what mail_compose() makes of the same input:
 * the same headers (but the Message-ID and the multipart boundary) and
 * the same text; each part is 7bit where mail_compose() would choose it.
 */
struct mail_stencil;

/* A part's text with holes: pieces[0] hole 0 pieces[1] ... pieces[count]. */
struct mail_stencil_text {
	const char *const *pieces; /* count + 1 texts, UTF-8 */
	const size_t *holes; /* count hole numbers (< MAIL_STENCIL_HOLES) */
	size_t count;
};

/* Hole numbers run from 0 to this, exclusive. */
#define MAIL_STENCIL_HOLES 64

/* What every recipient of a stencil shares. */
struct mail_stencil_input {
	/*
	 * As for mail_compose(), but to_address, to_name, the bodies and
	 * unsubscribe_url are not read.
	 */
	const struct mail_input *shared;
	int one_click;		       /* each recipient has an https link */
	struct mail_stencil_text text; /* required */
	const struct mail_stencil_text *html; /* NULL: text/plain alone */
};

/* What is a recipient's own. */
struct mail_recipient {
	const char *to_address;
	const char *to_name;	     /* may be NULL */
	const char *unsubscribe_url; /* set exactly when one_click is */
	/* The text of each hole number the parts use (others may be NULL). */
	const char *const *values;
};

/*
 * Builds a stencil from input.  Returns MAIL_OK and *stencil_out
 * (mail_stencil_free()); MAIL_EINPUT or MAIL_EADDRESS as mail_compose()
 * would for the shared fields, or MAIL_ESTENCIL for text that cannot be
 * cut into pieces (a part that does not end in a line break): then
 * compose each message whole.  *errstr_out (free()) says why.
 */
enum mail_status mail_stencil_new(const struct mail_stencil_input *input,
				  struct mail_stencil **stencil_out,
				  char **errstr_out);

/*
 * Makes recipient's message from stencil, as mail_compose() does.
 * MAIL_ESTENCIL, with nothing returned, for whatever the stencil cannot
 * make exactly as mail_compose() would (an address that does not parse,
 * an unusable link, a value with a carriage return): compose that message
 * whole, which also says what is wrong.  Safe to call from several
 * threads on one stencil.  Outputs as for mail_compose().
 */
enum mail_status mail_stencil_fill(const struct mail_stencil *stencil,
				   const struct mail_recipient *recipient,
				   char **message_out, size_t *size_out,
				   char **message_id_out);

void mail_stencil_free(struct mail_stencil *stencil);

#endif
