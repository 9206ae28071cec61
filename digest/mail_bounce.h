/*
 * mail_bounce.h - read a bounce: a message that says a digest could not
 * be delivered, in one of the forms mail servers write them:
 *
 * - a delivery status notification (RFC 3464: multipart/report;
 *   report-type=delivery-status, or any message/delivery-status part), as
 *   Postfix, Exim, Sendmail, Microsoft Exchange and Gmail send;
 * - qmail's own format (QSBMF: "Hi. This is the qmail-send program at
 *   ..."), with one "<address>:" paragraph per failed recipient;
 * - plain text from a mailer daemon that quotes the server's SMTP reply
 *   ("550 5.1.1 <anna@example.nl>: Recipient address rejected").
 *
 * A permanent failure (5.x.x, 5xx) is a hard bounce; a delay or a failure
 * that may pass (4.x.x, 4xx, "Action: delayed") is a soft one.  Where a
 * report leaves it unclear, the bounce is soft: nobody is switched off on
 * a guess.
 *
 * Bounces come from anyone: the input is bounded (MAIL_BOUNCE_SIZE_MAX,
 * and a bound on the MIME parts) and nothing in it is trusted.  GMime
 * parses the message inside mail_bounce.c; the types here are plain C.
 * The module prints nothing.
 */
#ifndef DIGEST_MAIL_BOUNCE_H
#define DIGEST_MAIL_BOUNCE_H

#include <stddef.h>

/* A larger file is not read: bounces carry at most the digest back. */
#define MAIL_BOUNCE_SIZE_MAX ((size_t)10 << 20)
/* How many addresses the bounce was sent to are kept. */
#define MAIL_BOUNCE_ADDRESSED_MAX 8
/* The longest reason kept, in bytes. */
#define MAIL_BOUNCE_REASON_MAX 200

enum mail_bounce_status {
	MAIL_BOUNCE_OK = 0,
	MAIL_BOUNCE_ETOOBIG,	/* larger than MAIL_BOUNCE_SIZE_MAX */
	MAIL_BOUNCE_EUNREADABLE /* not a mail message that can be read */
};

enum mail_bounce_kind {
	MAIL_BOUNCE_NONE = 0, /* not a bounce this module understands */
	MAIL_BOUNCE_HARD,     /* failed for good: 5.x.x, 5xx */
	MAIL_BOUNCE_SOFT      /* delayed, or a failure that may pass */
};

enum mail_bounce_format {
	MAIL_BOUNCE_FORMAT_NONE = 0,
	MAIL_BOUNCE_FORMAT_DSN,	  /* RFC 3464 */
	MAIL_BOUNCE_FORMAT_QMAIL, /* QSBMF */
	MAIL_BOUNCE_FORMAT_PLAIN  /* a daemon's text with an SMTP reply */
};

struct mail_bounce {
	enum mail_bounce_kind kind;
	enum mail_bounce_format format;
	/* The failed recipient the report names, normalised; or NULL. */
	char *recipient;
	/* "5.1.1", or the SMTP reply code "550" when that is all; or NULL. */
	char *status;
	/* The server's words, one printable line; or NULL. */
	char *reason;
	/* The Message-ID of the message that bounced, without <>; or NULL. */
	char *original_message_id;
	/*
	 * Where the bounce itself was delivered: the addresses of its
	 * Delivered-To, X-Original-To, Envelope-To, X-Envelope-To and To
	 * headers, in that order, as written (a VERP address among them
	 * names the subscriber and the day).
	 */
	char *addressed_to[MAIL_BOUNCE_ADDRESSED_MAX];
	size_t addressed_count;
};

/*
 * Reads the size bytes at data as a mail message.  On MAIL_BOUNCE_OK
 * *bounce_out is filled (mail_bounce_clear()); its kind is
 * MAIL_BOUNCE_NONE when the message is not a bounce this module
 * understands (a vacation reply, a report that everything arrived).
 * Otherwise *errstr_out (free()) says why the message cannot be read.
 */
enum mail_bounce_status mail_bounce_parse(const char *data, size_t size,
					  struct mail_bounce *bounce_out,
					  char **errstr_out);

void mail_bounce_clear(struct mail_bounce *bounce);

/* "hard", "soft" or "none". */
const char *mail_bounce_kind_name(enum mail_bounce_kind kind);

/* "DSN", "qmail", "plain text" or "none". */
const char *mail_bounce_format_name(enum mail_bounce_format format);

#endif
