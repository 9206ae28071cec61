/*
 * transport.h - deliver composed messages: SMTP through a provider, .eml
 * files in an outbox directory, or standard output.
 *
 * struct transport is opaque: libcurl stays inside transport_smtp.c.
 */
#ifndef DIGEST_TRANSPORT_H
#define DIGEST_TRANSPORT_H

#include <stddef.h>

#include "provider.h"

enum transport_status {
	TRANSPORT_OK = 0,
	TRANSPORT_ETEMP,   /* try again later: 4xx, connection trouble */
	TRANSPORT_EPERM,   /* will not work as it is: 5xx, bad address */
	TRANSPORT_ECONFIG, /* the provider's settings are wrong (TLS, AUTH) */
	/*
	 * The whole message went out (DATA accepted, the data and its final
	 * dot sent) but no verdict came back: the reply timed out or the
	 * connection ended.  The server may have stored it, so sending it
	 * again risks a second copy.  Anything that fails earlier is one of
	 * the statuses above.
	 */
	TRANSPORT_EUNCERTAIN
};

struct transport;

/*
 * Opens an SMTP transport for provider, with its password (may be NULL when
 * the provider has no user).  Nothing connects yet: the first send does, and
 * later sends reuse the connection as long as each send succeeds; after a
 * failure the connection is closed and the next send opens a new one.
 * Each wait has its own limit from the provider: connect_timeout to
 * connect, timeout for the greeting and each command's reply (and any
 * stall while sending), data_timeout for the reply to the end of the
 * data.  A transport only reports: it never retries a message, except once
 * on a fresh connection when a kept one turns out closed before MAIL.
 * Returns a new transport (transport_close()).
 */
struct transport *transport_open_smtp(const struct provider *provider,
				      const char *password);

/* Writes each message as an .eml file, atomically, into directory. */
struct transport *transport_open_maildir(const char *directory);

/* Writes each message to standard output, separated as an mbox would be. */
struct transport *transport_open_stdout(void);

/*
 * Sends one message from envelope_from to recipient.  On failure
 * *errstr_out (free()) holds one line for the operator: what was tried and
 * the server's reply text ("RCPT TO refused: 550 5.1.1 no such user") or
 * what it did not answer in time ("no reply to RCPT TO <a@b.nl> within
 * 5 min"), never a password.
 */
enum transport_status transport_send(struct transport *transport,
				     const char *envelope_from,
				     const char *recipient, const char *message,
				     size_t size, char **errstr_out);

/* Ends the session (QUIT) and frees the transport.  NULL is fine. */
void transport_close(struct transport *transport);

#endif
