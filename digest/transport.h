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
	 * The whole message was handed over but no final reply came: the
	 * server may have stored it, so it must not be sent again.
	 */
	TRANSPORT_EUNCERTAIN
};

struct transport;

/*
 * Opens an SMTP transport for provider, with its password (may be NULL when
 * the provider has no user).  Nothing connects yet: the first send does, and
 * later sends reuse the connection.  Returns a new transport
 * (transport_close()).
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
 * the server's reply text ("RCPT TO refused: 550 5.1.1 no such user"), never
 * a password.
 */
enum transport_status transport_send(struct transport *transport,
				     const char *envelope_from,
				     const char *recipient, const char *message,
				     size_t size, char **errstr_out);

/* Ends the session (QUIT) and frees the transport.  NULL is fine. */
void transport_close(struct transport *transport);

#endif
