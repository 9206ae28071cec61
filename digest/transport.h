/*
 * transport.h - deliver composed messages: SMTP through a provider, .eml
 * files in an outbox directory, or standard output.
 *
 * struct transport is opaque: libcurl stays inside transport_smtp*.c,
 * libESMTP inside transport_esmtp*.c.
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

/*
 * Opens an SMTP transport built on libESMTP for provider, with its
 * password (may be NULL when the provider has no user).  Each
 * transport_send_batch() is one session over one connection, with SMTP
 * PIPELINING where the server offers it (libESMTP 1.1 waits for MAIL's
 * reply, then sends RCPT and DATA together: three round trips a message
 * against libcurl's four); transport_send() is a batch of one.  Nothing
 * is kept between batches.  STARTTLS is required unless tls = none (this
 * host only), in TLS 1.2 (libESMTP stalls on TLS 1.3's late session
 * tickets), the certificate verified against ca_file and the host name;
 * AUTH uses PLAIN or LOGIN with the provider's user and password.
 *
 * libESMTP cannot do implicit TLS: for a provider with tls = implicit
 * (smtps://, port 465) every send fails with ECONFIG; use
 * transport_open_smtp() there.  Other limits of libESMTP: an IPv6 address
 * literal cannot be reached (name the host); connect_timeout is not
 * applied (libESMTP connects without a limit of its own, so a host that
 * never answers takes the kernel's time, about two minutes); a message
 * lacking Date, From or Message-ID gets one from libESMTP, and a
 * Return-Path header is dropped.  timeout bounds the greeting, each
 * command's reply and each stalled write, data_timeout the reply to the
 * end of the data.
 *
 * With before_data: its -1 leaves that job unsent (ETEMP, "held back")
 * but ends the connection (libESMTP cannot take back a DATA the server
 * accepted), so the jobs after it are ETEMP, not sent, without their
 * hook being called, and the batch returns ETEMP.  Where the server
 * offers CHUNKING, libESMTP sends the data with BDAT right after RCPT:
 * the hook then runs before RCPT's reply.
 * Returns a new transport (transport_close()).
 */
struct transport *transport_open_esmtp(const struct provider *provider,
				       const char *password);

/*
 * Opens the transport of provider's smtp_client: transport_open_esmtp()
 * or transport_open_smtp().
 */
struct transport *transport_open_provider(const struct provider *provider,
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

/* One message of a batch, and, after transport_send_batch(), its fate. */
struct transport_job {
	const char *envelope_from;
	const char *recipient;
	const char *message; /* CRLF line ends */
	size_t size;
	void *context; /* the caller's */
	int tried;     /* the transport began on it (sent its envelope) */
	enum transport_status status;
	char *errstr; /* on failure, as transport_send() says */
};

/*
 * What the caller hears during a batch, from the thread running it.
 * before_data is called just before a job's data goes out (after the
 * server accepted its envelope, where the back end pipelines; before the
 * job is sent at all, where it does not); it returns 0 to send it, or -1
 * to leave it unsent (ETEMP, "held back").  after is called once for every
 * job, tried or not, as soon as its fate is known (a message's final
 * reply is reported before the next message's data goes out), and takes
 * its errstr.  Either may be NULL; without after, each errstr stays in
 * its job for the caller to free.
 */
struct transport_hooks {
	int (*before_data)(void *context, struct transport_job *job);
	void (*after)(void *context, struct transport_job *job);
};

/*
 * Sends count jobs, over one connection where the back end can (with
 * SMTP PIPELINING where the server offers it).  A failure of the session
 * (no connection, a timeout, wrong settings) ends the batch: the jobs not
 * begun on are ETEMP with tried 0, for the caller to send later.  A job
 * refused on its own (a 5xx to RCPT) does not.  Back ends without a batch
 * of their own send the jobs one by one with transport_send().  Returns
 * TRANSPORT_OK, or the status that ended the batch.
 */
enum transport_status transport_send_batch(struct transport *transport,
					   struct transport_job *jobs,
					   size_t count,
					   const struct transport_hooks *hooks,
					   void *context);

/* Ends the session (QUIT) and frees the transport.  NULL is fine. */
void transport_close(struct transport *transport);

#endif
