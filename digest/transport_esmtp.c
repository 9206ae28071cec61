/*
 * transport_esmtp.c - SMTP delivery through libESMTP, which pipelines
 * (RFC 2920) where the server offers it.  Each batch is one libESMTP
 * session, so one connection: every job of the batch becomes one of the
 * session's messages, sent in order.  Nothing is kept between batches.
 * transport_esmtp_watch.c follows the session from libESMTP's callbacks;
 * transport_esmtp_classify.c turns what it saw into each job's status.
 *
 * STARTTLS uses a TLS context of our own (TLS 1.2: see
 * make_tls_context()): the peer's certificate is verified against the
 * provider's ca_file (or the system's CAs) and must name the host of
 * smtp_url, which OpenSSL checks (libESMTP's own check knows no IP
 * addresses).  libESMTP writes with write(), which raises
 * SIGPIPE on a closed connection: the signal is blocked in the sending
 * thread while a session runs, and one it raised is taken back after.
 */
#include "transport_esmtp_impl.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "address.h"
#include "url.h"

/* A limit in milliseconds for libESMTP, at most a day. */
static long
limit_ms(long seconds)
{
	return (seconds < 86400L ? seconds : 86400L) * 1000L;
}

/* A limit from the provider, or the default when it has none. */
static long
limit_or(long seconds, long fallback)
{
	return seconds > 0 ? seconds : fallback;
}

/*
 * libESMTP makes each TLS connection from our context but names no server
 * (SNI), which a server with a certificate per name needs: the name goes
 * in as the handshake starts, before the ClientHello is written.
 */
static void
name_the_server(const SSL *ssl, int where, int value)
{
	SSL *connection = (SSL *)ssl; /* OpenSSL's callback type is const */
	const struct esmtp_transport *esmtp =
	    SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));

	(void)value;
	if ((where & SSL_CB_HANDSHAKE_START) && esmtp != NULL &&
	    esmtp->server_name != NULL)
		SSL_set_tlsext_host_name(connection, esmtp->server_name);
}

/*
 * The STARTTLS context: TLS 1.2 or later, the peer verified during the
 * handshake, its certificate bound to host.  Returns NULL or the problem
 * (free()); esmtp->tls_context is set either way.
 */
static char *
make_tls_context(struct esmtp_transport *esmtp, const struct provider *provider,
		 const char *host)
{
	SSL_CTX *context = SSL_CTX_new(TLS_client_method());
	X509_VERIFY_PARAM *param;
	int loaded;

	esmtp->tls_context = context;
	if (context == NULL)
		return xstrdup("OpenSSL cannot make a TLS context");
	/*
	 * TLS 1.2 only.  A TLS 1.3 server sends its session tickets after
	 * the handshake; when they arrive before libESMTP has flushed its
	 * EHLO, libESMTP reads for EHLO's reply first and waits out the
	 * whole timeout (seen under valgrind and on a busy machine).  In
	 * TLS 1.2 a ticket is part of the handshake.
	 */
	SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(context, TLS1_2_VERSION);
	SSL_CTX_set_verify(context, SSL_VERIFY_PEER, transport_esmtp_verify);
	SSL_CTX_set_app_data(context, esmtp);
	SSL_CTX_set_info_callback(context, name_the_server);
	if (provider->ca_file != NULL)
		loaded = SSL_CTX_load_verify_locations(context,
						       provider->ca_file, NULL);
	else
		loaded = SSL_CTX_set_default_verify_paths(context);
	ERR_clear_error();
	if (loaded != 1)
		return xasprintf("provider \"%s\": the CA certificates in "
				 "\"%s\" cannot be read",
				 provider->id,
				 provider->ca_file ? provider->ca_file
						   : "the system store");
	param = SSL_CTX_get0_param(context);
	X509_VERIFY_PARAM_set_hostflags(param,
					X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	/* An IP address must be in the certificate as one, a name as one. */
	if (X509_VERIFY_PARAM_set1_ip_asc(param, host) == 1) {
		ERR_clear_error();
		return NULL;
	}
	ERR_clear_error();
	if (X509_VERIFY_PARAM_set1_host(param, host, 0) != 1)
		return xasprintf("provider \"%s\": cannot check certificates "
				 "against host \"%s\"",
				 provider->id, host);
	esmtp->server_name = xstrdup(host);
	return NULL;
}

/*
 * Checks the provider against what this transport can do, and makes the
 * TLS context.  Returns NULL or the problem (free()).
 */
static char *
check_provider(struct esmtp_transport *esmtp, const struct provider *provider)
{
	char *problem;
	char *host;
	char *message;

	if (provider->smtp_url == NULL)
		return xasprintf("provider \"%s\" has no smtp_url",
				 provider->id);
	problem = provider_smtp_url_problem(provider->smtp_url, provider->tls);
	if (problem != NULL) {
		message =
		    xasprintf("provider \"%s\": %s", provider->id, problem);
		free(problem);
		return message;
	}
	if (provider->tls == TLS_IMPLICIT)
		return xasprintf("provider \"%s\": libESMTP cannot do implicit "
				 "TLS (smtps://); use the libcurl transport",
				 provider->id);
	host = url_host(provider->smtp_url);
	if (host == NULL || esmtp->host_port == NULL)
		problem = xasprintf("provider \"%s\": smtp_url does not parse",
				    provider->id);
	else if (strchr(host, ':') != NULL)
		problem = xasprintf("provider \"%s\": libESMTP cannot reach an "
				    "IPv6 address literal; name the host",
				    provider->id);
	else if (provider->tls == TLS_STARTTLS)
		problem = make_tls_context(esmtp, provider, host);
	free(host);
	return problem;
}

/*
 * libESMTP's SASL mechanisms ask for the user and the password here.  The
 * strings stay ours; libESMTP only reads them.
 */
static int
interact(auth_client_request_t request, char **result, int fields, void *arg)
{
	struct esmtp_transport *esmtp = arg;
	int i;

	for (i = 0; i < fields; i++) {
		if (request[i].flags & AUTH_USER)
			result[i] = esmtp->user;
		else if (request[i].flags & AUTH_PASS)
			result[i] = esmtp->password;
		else
			return 0; /* a realm, say: nothing we know */
	}
	return 1;
}

/* Sets the time limits; libESMTP's RFC 5321 minimums are overridden. */
static int
set_timeouts(struct esmtp_transport *esmtp, smtp_session_t session)
{
	const int override = Timeout_OVERRIDE_RFC2822_MINIMUM;
	long command = limit_ms(esmtp->timeout);

	return smtp_set_timeout(session, Timeout_GREETING | override,
				command) != 0 &&
	       smtp_set_timeout(session, Timeout_ENVELOPE | override,
				command) != 0 &&
	       smtp_set_timeout(session, Timeout_DATA | override, command) !=
		   0 &&
	       smtp_set_timeout(session, Timeout_TRANSFER | override,
				command) != 0 &&
	       smtp_set_timeout(session, Timeout_DATA2 | override,
				limit_ms(esmtp->data_timeout)) != 0;
}

/*
 * Adds job as a message of session, unless its addresses are unusable:
 * then it is settled at once.  Returns 1 when added, 0 when settled, -1
 * when libESMTP ran out of memory.
 */
static int
add_job(smtp_session_t session, struct esmtp_job *job)
{
	struct transport_job *outer = job->job;

	if (!address_is_safe(outer->envelope_from)) {
		outer->tried = 1;
		outer->status = TRANSPORT_ECONFIG;
		outer->errstr = xstrdup("envelope sender is not a usable "
					"address");
		return 0;
	}
	if (!address_is_safe(outer->recipient)) {
		outer->tried = 1;
		outer->status = TRANSPORT_EPERM;
		outer->errstr = xstrdup("recipient is not a usable address");
		return 0;
	}
	job->message = smtp_add_message(session);
	if (job->message == NULL ||
	    !smtp_set_reverse_path(job->message, outer->envelope_from))
		return -1;
	job->recipient = smtp_add_recipient(job->message, outer->recipient);
	if (job->recipient == NULL)
		return -1;
	/* With SIZE the server can refuse a message too big at MAIL. */
	if (outer->size < 0x7fffffffUL)
		smtp_size_set_estimate(job->message, outer->size);
	return 1;
}

/*
 * Makes the session of batch and its messages.  Returns the session
 * (smtp_destroy_session()), or NULL when libESMTP could not; *auth_out is
 * the AUTH context (auth_destroy_context()) or NULL.  *added_out counts
 * the messages.
 */
static smtp_session_t
make_session(struct esmtp_batch *batch, auth_context_t *auth_out,
	     size_t *added_out)
{
	struct esmtp_transport *esmtp = batch->esmtp;
	smtp_session_t session = smtp_create_session();
	int starttls = esmtp->tls == TLS_STARTTLS;
	size_t i;
	int added;

	*auth_out = NULL;
	*added_out = 0;
	if (session == NULL || !smtp_set_server(session, esmtp->host_port) ||
	    !set_timeouts(esmtp, session) ||
	    !smtp_starttls_enable(session, starttls ? Starttls_REQUIRED
						    : Starttls_DISABLED) ||
	    (starttls && !smtp_starttls_set_ctx(session, esmtp->tls_context)))
		goto fail;
	if (esmtp->user != NULL) {
		*auth_out = auth_create_context();
		if (*auth_out == NULL)
			goto fail;
		/* PLAIN and LOGIN: over TLS, or to this host (tls = none). */
		auth_set_mechanism_flags(*auth_out, AUTH_PLUGIN_PLAIN, 0);
		auth_set_interact_cb(*auth_out, interact, esmtp);
		smtp_auth_set_context(session, *auth_out);
	}
	for (i = 0; i < batch->count; i++) {
		added = add_job(session, &batch->jobs[i]);
		if (added < 0)
			goto fail;
		*added_out += (size_t)added;
	}
	transport_esmtp_watch(batch, session);
	return session;
fail:
	if (session != NULL)
		smtp_destroy_session(session);
	if (*auth_out != NULL)
		auth_destroy_context(*auth_out);
	*auth_out = NULL;
	return NULL;
}

/*
 * Runs the session with SIGPIPE blocked in this thread; a SIGPIPE it
 * raised (a write to a closed connection) is taken back afterwards unless
 * one was pending already.
 */
static void
run_session(struct esmtp_batch *batch, smtp_session_t session)
{
	struct timespec no_wait = {0, 0};
	sigset_t pipe_set, old_set, pending;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigemptyset(&pending);
	sigpending(&pending);
	batch->sigpipe_before = sigismember(&pending, SIGPIPE) == 1;
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
	ERR_clear_error();
	transport_esmtp_watch_current(batch);
	batch->watch.last_activity_ms = transport_esmtp_now_ms();
	transport_esmtp_socket_before(batch);
	batch->session_result = smtp_start_session(session);
	transport_esmtp_socket_release(batch);
	batch->session_error = smtp_errno();
	batch->ended_ms = transport_esmtp_now_ms();
	batch->tls_error = ERR_peek_last_error();
	transport_esmtp_watch_current(NULL);
	ERR_clear_error();
	if (!batch->sigpipe_before)
		while (sigtimedwait(&pipe_set, NULL, &no_wait) == SIGPIPE)
			continue;
	pthread_sigmask(SIG_SETMASK, &old_set, NULL);
}

/*
 * Every job gets the same status and message; the first is the one that
 * met the problem, the rest were never begun on.
 */
static enum transport_status
settle_all(struct transport_job *jobs, size_t count,
	   enum transport_status status, const char *message)
{
	size_t i;

	for (i = 0; i < count; i++) {
		jobs[i].tried = i == 0;
		jobs[i].status = status;
		free(jobs[i].errstr);
		jobs[i].errstr = xstrdup(message);
	}
	return status;
}

static enum transport_status
esmtp_send_batch(struct transport *transport, struct transport_job *jobs,
		 size_t count, const struct transport_hooks *hooks,
		 void *context)
{
	struct esmtp_transport *esmtp = (struct esmtp_transport *)transport;
	enum transport_status status = TRANSPORT_OK;
	struct esmtp_batch batch;
	smtp_session_t session = NULL;
	auth_context_t auth = NULL;
	size_t added = 0;
	size_t i;

	memset(&batch, 0, sizeof batch);
	batch.socket_fd = -1;
	batch.esmtp = esmtp;
	batch.count = count;
	batch.hooks = hooks;
	batch.context = context;
	batch.jobs = xcalloc(count > 0 ? count : 1, sizeof *batch.jobs);
	for (i = 0; i < count; i++) {
		batch.jobs[i].batch = &batch;
		batch.jobs[i].job = &jobs[i];
	}
	if (esmtp->config_problem != NULL) {
		status = settle_all(jobs, count, TRANSPORT_ECONFIG,
				    esmtp->config_problem);
	} else if ((session = make_session(&batch, &auth, &added)) == NULL) {
		status = settle_all(jobs, count, TRANSPORT_ETEMP,
				    "libESMTP could not set up a session");
	} else if (added > 0) {
		run_session(&batch, session);
		status = transport_esmtp_classify(&batch);
	}
	/* Whatever was not told during the session is told now. */
	for (i = 0; i < count; i++)
		transport_esmtp_tell(&batch, &batch.jobs[i]);
	if (session != NULL)
		smtp_destroy_session(session);
	if (auth != NULL)
		auth_destroy_context(auth);
	transport_esmtp_socket_release(&batch);
	transport_esmtp_watch_free(&batch.watch);
	free(batch.jobs);
	return status;
}

/* One message is a batch of one. */
static enum transport_status
esmtp_send(struct transport *transport, const char *envelope_from,
	   const char *recipient, const char *message, size_t size,
	   char **errstr_out)
{
	struct transport_job job;

	memset(&job, 0, sizeof job);
	job.envelope_from = envelope_from;
	job.recipient = recipient;
	job.message = message;
	job.size = size;
	job.status = TRANSPORT_ETEMP;
	esmtp_send_batch(transport, &job, 1, NULL, NULL);
	*errstr_out = job.errstr;
	return job.status;
}

static void
esmtp_close(struct transport *transport)
{
	struct esmtp_transport *esmtp = (struct esmtp_transport *)transport;

	if (esmtp->password != NULL) {
		explicit_bzero(esmtp->password, strlen(esmtp->password));
		free(esmtp->password);
	}
	SSL_CTX_free(esmtp->tls_context);
	free(esmtp->server_name);
	free(esmtp->config_problem);
	free(esmtp->user);
	free(esmtp->host_port);
	free(esmtp);
}

static const struct transport_ops esmtp_ops = {
    .send = esmtp_send,
    .send_batch = esmtp_send_batch,
    .close = esmtp_close,
};

struct transport *
transport_open_esmtp(const struct provider *provider, const char *password)
{
	struct esmtp_transport *esmtp = xcalloc(1, sizeof *esmtp);

	esmtp->base.ops = &esmtp_ops;
	esmtp->tls = provider->tls;
	esmtp->timeout = limit_or(provider->timeout, PROVIDER_TIMEOUT);
	esmtp->data_timeout =
	    limit_or(provider->data_timeout, PROVIDER_DATA_TIMEOUT);
	if (provider->smtp_url != NULL)
		esmtp->host_port = url_host_port(provider->smtp_url);
	if (provider->user != NULL)
		esmtp->user = xstrdup(provider->user);
	if (password != NULL)
		esmtp->password = xstrdup(password);
	esmtp->config_problem = check_provider(esmtp, provider);
	if (esmtp->host_port == NULL)
		esmtp->host_port =
		    xstrdup(provider->smtp_url ? provider->smtp_url : "");
	if (esmtp->config_problem == NULL && esmtp->user != NULL &&
	    esmtp->password == NULL)
		esmtp->config_problem = xasprintf("provider \"%s\" has a user "
						  "but no password",
						  provider->id);
	return &esmtp->base;
}
