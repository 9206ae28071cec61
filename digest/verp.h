/*
 * verp.h - variable envelope return paths: an envelope sender that names
 * the subscriber and the digest date it was sent for, so that a bounce,
 * which goes back to the envelope sender, says whose digest bounced.
 *
 * The form, on a provider's bounce domain:
 *
 *     bounce+20261129-anna=example.nl@bounces.zeelandnet.nl
 *
 * "bounce", a '+', the digest date as eight digits, a '-', the
 * subscriber's local part, a '=' and the subscriber's domain.  A mail
 * server with '+' as its recipient delimiter (Postfix's
 * recipient_delimiter, Exim's local_part_suffix) delivers every such
 * address to the one mailbox bounce@bounces.zeelandnet.nl.  A domain
 * never holds a '=', so the last '=' splits local part and domain however
 * many the local part has.
 *
 * The local part is longer than the 64 octets of RFC 5321 4.5.3.1.1
 * whenever the subscriber's address is longer than 48: VERP has always
 * done that, and the mail servers in use (Postfix, Exim, Sendmail, qmail)
 * accept it.  The whole address stays within the 254 octets that fit a
 * reverse-path; a subscriber whose VERP address would not fit gets the
 * provider's plain sender, and a bounce of theirs is matched by the
 * recipient it names instead.
 */
#ifndef DIGEST_VERP_H
#define DIGEST_VERP_H

/* The longest VERP address made: a reverse-path without its brackets. */
#define VERP_ADDRESS_MAX 254

/*
 * Makes the VERP address of email (normalised) for digest_date
 * ("2026-11-29") on bounce_domain.  Returns a new string (free()), or NULL
 * when an argument is unusable or the address would be longer than
 * VERP_ADDRESS_MAX.
 */
char *verp_encode(const char *bounce_domain, const char *email,
		  const char *digest_date);

/*
 * Reads address back: when it is a VERP address on bounce_domain (any
 * domain when NULL; letters in either case), returns 0 with *email_out
 * (free()) the subscriber's address and date_out the digest date
 * ("2026-11-29").  Returns -1, with nothing to free, for any other
 * address.  Angle brackets around address are allowed.
 */
int verp_decode(const char *address, const char *bounce_domain,
		char **email_out, char date_out[11]);

#endif
