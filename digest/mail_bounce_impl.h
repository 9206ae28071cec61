/*
 * mail_bounce_impl.h - what mail_bounce.c (the message, through GMime)
 * and mail_bounce_text.c (the texts inside it, no library) share.  Only
 * those two files include it.
 *
 * Every function takes a text and its length: the text is a part's
 * decoded body, may hold NUL bytes and need not end in one.
 */
#ifndef DIGEST_MAIL_BOUNCE_IMPL_H
#define DIGEST_MAIL_BOUNCE_IMPL_H

#include <stddef.h>

#include "mail_bounce.h"

/*
 * Reads the fields of a message/delivery-status body (RFC 3464 2.2, 2.3).
 * When a recipient failed or was delayed, returns 1 with the kind, the
 * recipient, the status and the reason of the worst one in *bounce;
 * otherwise returns 0 and leaves *bounce alone.
 */
int mail_bounce_text_dsn(const char *text, size_t length,
			 struct mail_bounce *bounce);

/*
 * Reads a body in qmail's format (QSBMF): "Hi. This is the" first, then
 * an "<address>:" paragraph per recipient.  Returns 1 and fills *bounce
 * as mail_bounce_text_dsn() does, or 0 when the text is not one.
 */
int mail_bounce_text_qmail(const char *text, size_t length,
			   struct mail_bounce *bounce);

/*
 * Looks, in a mailer daemon's text up to where the returned message
 * starts, for a line that quotes an SMTP reply ("550 5.1.1 <x@y>: ...").
 * Returns 1 and fills *bounce from the first permanent one (else the
 * first temporary one), or 0 when there is none.
 */
int mail_bounce_text_plain(const char *text, size_t length,
			   struct mail_bounce *bounce);

/*
 * The Message-ID of the returned message: in the header block at the
 * start of text when headers_first (a text/rfc822-headers part), else in
 * the header block after the line that says the returned message
 * follows.  Returns it without <> (free()), or NULL.
 */
char *mail_bounce_text_message_id(const char *text, size_t length,
				  int headers_first);

/*
 * Where needle (in lower case) first occurs in the length bytes at text,
 * in either case; NULL when it does not.
 */
const char *mail_bounce_text_find(const char *text, size_t length,
				  const char *needle);

/*
 * The address in a field value such as "rfc822; <anna@example.nl>",
 * normalised (free()), or NULL when it holds none.
 */
char *mail_bounce_text_address(const char *text, size_t length);

#endif
