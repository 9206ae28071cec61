/*
 * transport_smtp.c - SMTP delivery through libcurl.  One easy handle and
 * its own multi handle per provider, so the connection stays open between
 * messages, but only while every reply came in step: after any failure the
 * handles and their connection are dropped and the next message starts a
 * new one.  transport_smtp_reply.c watches each transfer and enforces the
 * time limits; transport_smtp_classify.c explains a failure.
 */
#include "transport_smtp_impl.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "url.h"

/*
 * libcurl counts the whole handshake (greeting, EHLO, STARTTLS, TLS,
 * EHLO, AUTH) as connecting, and has one limit for every reply.  Its own
 * limits are set this far above ours so that ours, per phase, fire first.
 */
#define SMTP_HANDSHAKE_STEPS 8L
#define SMTP_CAP_MARGIN 5L

/* How long the QUIT that ends a good session may wait for its reply. */
#define SMTP_QUIT_TIMEOUT 5L

/*
 * Notes "host:port" for messages and checks the URL against the TLS mode
 * with the rules config.c applies (a provider may come from elsewhere, a
 * test, say).  Returns NULL or the problem (free()).
 */
static char *
check_url(struct smtp_transport *smtp, const struct provider *provider)
{
	char *problem, *message;

	if (provider->smtp_url == NULL)
		return xasprintf("provider \"%s\" has no smtp_url",
				 provider->id);
	smtp->host_port = url_host_port(provider->smtp_url);
	problem = provider_smtp_url_problem(provider->smtp_url, provider->tls);
	if (problem == NULL)
		return NULL;
	message = xasprintf("provider \"%s\": %s", provider->id, problem);
	free(problem);
	return message;
}

/* A limit in seconds, at most a day, so that sums of them cannot wrap. */
static long
at_most_a_day(long seconds)
{
	return seconds < 86400L ? seconds : 86400L;
}

static void
set_options(struct smtp_transport *smtp)
{
	CURL *curl = smtp->curl;
	long connect_cap = at_most_a_day(smtp->connect_timeout) +
			   SMTP_HANDSHAKE_STEPS * at_most_a_day(smtp->timeout) +
			   SMTP_CAP_MARGIN;

	curl_easy_setopt(curl, CURLOPT_URL, smtp->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, smtp->error_buffer);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	/* STARTTLS is required, never tried: no silent plain text. */
	if (smtp->tls == TLS_STARTTLS)
		curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (smtp->ca_file != NULL)
		curl_easy_setopt(curl, CURLOPT_CAINFO, smtp->ca_file);
	if (smtp->user != NULL) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, smtp->user);
		curl_easy_setopt(curl, CURLOPT_PASSWORD,
				 smtp->password ? smtp->password : "");
	}
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, connect_cap);
	curl_easy_setopt(curl, CURLOPT_SERVER_RESPONSE_TIMEOUT,
			 at_most_a_day(smtp->data_timeout) + SMTP_CAP_MARGIN);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	transport_smtp_reply_watch(smtp);
}

/* Makes the handles for a new connection; returns 0, or -1. */
static int
open_handles(struct smtp_transport *smtp)
{
	if (url_library_init(NULL) < 0)
		return -1;
	smtp->multi = curl_multi_init();
	smtp->curl = curl_easy_init();
	smtp->socket = CURL_SOCKET_BAD;
	if (smtp->multi == NULL || smtp->curl == NULL) {
		curl_easy_cleanup(smtp->curl);
		curl_multi_cleanup(smtp->multi);
		smtp->curl = NULL;
		smtp->multi = NULL;
		return -1;
	}
	set_options(smtp);
	return 0;
}

/*
 * Closes the connection and frees the handles.  After a good session
 * (polite) libcurl says QUIT and waits a little for the reply; it takes
 * that wait from the handle added to the multi handle last (not from the
 * handle as it is now: test 5018 holds it to that), so ours is added once
 * more with a short one.  After a failure the connection is in
 * an unknown state, a late reply perhaps on its way: it is cut at once,
 * so that the QUIT can neither wait on a stuck server nor read that reply.
 */
static void
drop_connection(struct smtp_transport *smtp, int polite)
{
	if (smtp->curl == NULL)
		return;
	if (!polite && smtp->socket != CURL_SOCKET_BAD)
		shutdown(smtp->socket, SHUT_RDWR);
	if (polite) {
		curl_easy_setopt(smtp->curl, CURLOPT_SERVER_RESPONSE_TIMEOUT,
				 SMTP_QUIT_TIMEOUT);
		if (curl_multi_add_handle(smtp->multi, smtp->curl) == CURLM_OK)
			curl_multi_remove_handle(smtp->multi, smtp->curl);
	}
	curl_multi_cleanup(smtp->multi);
	curl_easy_cleanup(smtp->curl);
	smtp->multi = NULL;
	smtp->curl = NULL;
	smtp->socket = CURL_SOCKET_BAD;
}

/*
 * Runs one transfer on the multi handle to its end.  Notes the socket of
 * the connection libcurl keeps, if any, for drop_connection().
 */
static CURLcode
run_transfer(struct smtp_transport *smtp)
{
	CURLcode result = CURLE_OUT_OF_MEMORY;
	CURLMcode multi_result;
	CURLMsg *message;
	int running = 1;
	int left;

	if (curl_multi_add_handle(smtp->multi, smtp->curl) != CURLM_OK)
		return result;
	while (running) {
		multi_result = curl_multi_perform(smtp->multi, &running);
		if (multi_result == CURLM_OK && running)
			multi_result =
			    curl_multi_poll(smtp->multi, NULL, 0, 1000, NULL);
		if (multi_result != CURLM_OK)
			break;
	}
	while ((message = curl_multi_info_read(smtp->multi, &left)) != NULL)
		if (message->msg == CURLMSG_DONE &&
		    message->easy_handle == smtp->curl)
			result = message->data.result;
	/* libcurl tells the socket only while the handle is added. */
	if (curl_easy_getinfo(smtp->curl, CURLINFO_ACTIVESOCKET,
			      &smtp->socket) != CURLE_OK)
		smtp->socket = CURL_SOCKET_BAD;
	curl_multi_remove_handle(smtp->multi, smtp->curl);
	return result;
}

/*
 * A server may close an idle connection, or end it with 421, between two
 * messages; libcurl only finds out when it next uses it.  Such a failure
 * on a reused connection before DATA delivered nothing, so one try on a
 * fresh connection is safe.  Returns 1 when that try is worth making.
 */
static int
stale_connection_failed(struct smtp_transport *smtp, CURLcode result)
{
	long new_connections = -1;
	/* After DATA the server may hold the message: never send it twice. */
	int after_data = strcmp(smtp->watch.last_command, "DATA") == 0 ||
			 smtp->watch.upload_complete || smtp->watch.timed_out;

	if (curl_easy_getinfo(smtp->curl, CURLINFO_NUM_CONNECTS,
			      &new_connections) != CURLE_OK ||
	    new_connections != 0)
		return 0;
	if (after_data)
		return 0;
	if (smtp->watch.last_code == 421)
		return 1;
	return smtp->watch.last_code < 400 &&
	       (result == CURLE_SEND_ERROR || result == CURLE_RECV_ERROR ||
		result == CURLE_GOT_NOTHING);
}

/* The envelope and message of one send, set on each new handle. */
struct smtp_envelope {
	const char *mail_from; /* "<a@b>" */
	struct curl_slist *recipients;
	const char *message;
	size_t size;
};

/*
 * Between two messages the server has nothing to say.  If the kept
 * connection has anything to read (a late reply, a 421 before closing, the
 * end of the connection), the next command's reply would not be its own:
 * returns 0 and the connection is not used.
 */
static int
kept_connection_quiet(const struct smtp_transport *smtp)
{
	struct pollfd pending = {.fd = smtp->socket, .events = POLLIN};

	if (smtp->socket == CURL_SOCKET_BAD)
		return 1;
	return poll(&pending, 1, 0) == 0;
}

/* One transfer on the kept connection or, if there is none, a new one. */
static CURLcode
transfer(struct smtp_transport *smtp, const struct smtp_envelope *envelope)
{
	CURLcode result;

	if (smtp->curl != NULL && !kept_connection_quiet(smtp))
		drop_connection(smtp, 0);
	if (smtp->curl == NULL && open_handles(smtp) < 0)
		return CURLE_FAILED_INIT;
	transport_smtp_reply_reset(smtp, envelope->message, envelope->size);
	curl_easy_setopt(smtp->curl, CURLOPT_MAIL_FROM, envelope->mail_from);
	curl_easy_setopt(smtp->curl, CURLOPT_MAIL_RCPT, envelope->recipients);
	curl_easy_setopt(smtp->curl, CURLOPT_INFILESIZE_LARGE,
			 (curl_off_t)envelope->size);
	result = run_transfer(smtp);
	/* The list must not outlive its use: drop libcurl's pointer too. */
	curl_easy_setopt(smtp->curl, CURLOPT_MAIL_RCPT, NULL);
	return result;
}

/* Sends, once more on a fresh connection if a kept one had died. */
static CURLcode
perform(struct smtp_transport *smtp, const struct smtp_envelope *envelope)
{
	CURLcode result = transfer(smtp, envelope);

	if (result == CURLE_OK || result == CURLE_FAILED_INIT ||
	    !stale_connection_failed(smtp, result))
		return result;
	drop_connection(smtp, 0);
	return transfer(smtp, envelope);
}

static enum transport_status
smtp_send(struct transport *transport, const char *envelope_from,
	  const char *recipient, const char *message, size_t size,
	  char **errstr_out)
{
	struct smtp_transport *smtp = (struct smtp_transport *)transport;
	enum transport_status status = TRANSPORT_OK;
	struct smtp_envelope envelope;
	char *mail_from = NULL;
	char *rcpt = NULL;
	CURLcode result;

	if (smtp->config_problem != NULL) {
		*errstr_out = xstrdup(smtp->config_problem);
		return TRANSPORT_ECONFIG;
	}
	mail_from = xasprintf("<%s>", envelope_from);
	rcpt = xasprintf("<%s>", recipient);
	envelope.mail_from = mail_from;
	envelope.recipients = curl_slist_append(NULL, rcpt);
	envelope.message = message;
	envelope.size = size;
	if (envelope.recipients == NULL) {
		*errstr_out = xstrdup("out of memory");
		status = TRANSPORT_ETEMP;
		goto out;
	}
	result = perform(smtp, &envelope);
	if (result == CURLE_FAILED_INIT) {
		*errstr_out = xstrdup("libcurl could not start");
		status = TRANSPORT_ETEMP;
		goto out;
	}
	if (result != CURLE_OK) {
		status = transport_smtp_classify(smtp, result, envelope_from,
						 recipient, errstr_out);
		util_redact(errstr_out, smtp->password);
	}
	/* Never reuse a connection that failed or went out of step. */
	if (result != CURLE_OK || smtp->watch.out_of_step)
		drop_connection(smtp, 0);
out:
	curl_slist_free_all(envelope.recipients);
	free(rcpt);
	free(mail_from);
	return status;
}

static void
smtp_close(struct transport *transport)
{
	struct smtp_transport *smtp = (struct smtp_transport *)transport;

	drop_connection(smtp, 1);
	if (smtp->password != NULL) {
		explicit_bzero(smtp->password, strlen(smtp->password));
		free(smtp->password);
	}
	transport_smtp_reply_free(smtp);
	free(smtp->config_problem);
	free(smtp->ca_file);
	free(smtp->user);
	free(smtp->host_port);
	free(smtp->url);
	free(smtp);
}

static const struct transport_ops smtp_ops = {
    .send = smtp_send,
    .close = smtp_close,
};

/* A limit from the provider, or the default when it has none. */
static long
limit_or(long seconds, long fallback)
{
	return seconds > 0 ? seconds : fallback;
}

struct transport *
transport_open_smtp(const struct provider *provider, const char *password)
{
	struct smtp_transport *smtp = xcalloc(1, sizeof *smtp);

	smtp->base.ops = &smtp_ops;
	smtp->socket = CURL_SOCKET_BAD;
	smtp->tls = provider->tls;
	smtp->connect_timeout =
	    limit_or(provider->connect_timeout, PROVIDER_CONNECT_TIMEOUT);
	smtp->timeout = limit_or(provider->timeout, PROVIDER_TIMEOUT);
	smtp->data_timeout =
	    limit_or(provider->data_timeout, PROVIDER_DATA_TIMEOUT);
	smtp->url = xstrdup(provider->smtp_url ? provider->smtp_url : "");
	if (provider->user != NULL)
		smtp->user = xstrdup(provider->user);
	if (password != NULL)
		smtp->password = xstrdup(password);
	if (provider->ca_file != NULL)
		smtp->ca_file = xstrdup(provider->ca_file);
	smtp->config_problem = check_url(smtp, provider);
	if (smtp->host_port == NULL)
		smtp->host_port = xstrdup(smtp->url);
	if (smtp->config_problem == NULL && smtp->user != NULL &&
	    smtp->password == NULL)
		smtp->config_problem = xasprintf("provider \"%s\" has a user "
						 "but no password",
						 provider->id);
	return &smtp->base;
}
