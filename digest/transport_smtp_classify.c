/*
 * transport_smtp_classify.c - a failed SMTP transfer in words and a
 * status: what was tried, what the server said or for how long it said
 * nothing, and whether the message may have been stored all the same.
 * The advice to change the TLS mode is given only on evidence: a plain
 * reply to our TLS handshake, or a port that completes one where an SMTP
 * greeting should have come.
 */
#include "transport_smtp_impl.h"

#include <stdlib.h>
#include <string.h>

/* The TLS probe waits at most this long, or the reply timeout if less. */
#define SMTP_PROBE_TIMEOUT 10L

/* "30 s", "5 min": a limit as the operator wrote it (free()). */
static char *
format_limit(long seconds)
{
	if (seconds >= 60 && seconds % 60 == 0)
		return xasprintf("%ld min", seconds / 60);
	return xasprintf("%ld s", seconds);
}

/* Describes the command a reply answered, for "... refused: 550 ...". */
static char *
describe_command(const struct smtp_transport *smtp, const char *from,
		 const char *recipient)
{
	const char *verb = smtp->watch.last_command;

	if (strcmp(verb, "MAIL") == 0)
		return xasprintf("MAIL FROM <%s>", from);
	if (strcmp(verb, "RCPT") == 0)
		return xasprintf("RCPT TO <%s>", recipient);
	if (strcmp(verb, "DATA") == 0)
		return xasprintf("message to <%s> (DATA)", recipient);
	if (strcmp(verb, "AUTH") == 0)
		return xasprintf("AUTH as \"%s\" at %s", smtp->user,
				 smtp->host_port);
	if (verb[0] == '\0')
		return xasprintf("greeting from %s", smtp->host_port);
	return xasprintf("%s at %s", verb, smtp->host_port);
}

/* TLS libraries name a plain-text answer to a ClientHello these ways. */
static int
looks_like_plain_text_reply(const char *error)
{
	return strstr(error, "wrong version number") != NULL ||
	       strstr(error, "unknown protocol") != NULL ||
	       strstr(error, "packet length too long") != NULL ||
	       strstr(error, "record layer failure") != NULL;
}

/*
 * Failures of the connection itself: no connection, no TLS, a certificate
 * refused.  Returns 1 with *status_out and *errstr_out (free()) set, or 0
 * when result is none of these.
 */
static int
classify_connection(struct smtp_transport *smtp, CURLcode result,
		    const char *error, enum transport_status *status_out,
		    char **errstr_out)
{
	*status_out = TRANSPORT_ECONFIG;
	switch (result) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		*errstr_out = xasprintf("cannot connect to %s: %s",
					smtp->host_port, error);
		*status_out = TRANSPORT_ETEMP;
		return 1;
	case CURLE_USE_SSL_FAILED:
		*errstr_out = xasprintf("STARTTLS is required but %s does not "
					"offer it; nothing was sent in plain "
					"text",
					smtp->host_port);
		return 1;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
		*errstr_out = xasprintf("TLS certificate of %s not accepted "
					"(check ca_file): %s",
					smtp->host_port, error);
		return 1;
	case CURLE_SSL_CONNECT_ERROR:
		if (smtp->tls == TLS_IMPLICIT &&
		    looks_like_plain_text_reply(error))
			*errstr_out = xasprintf(
			    "implicit TLS (smtps://) was tried but the "
			    "server at %s speaks plain SMTP first: use "
			    "tls = starttls with smtp://",
			    smtp->host_port);
		else
			*errstr_out = xasprintf("TLS handshake with %s "
						"failed: %s",
						smtp->host_port, error);
		return 1;
	default:
		return 0;
	}
}

/* The URL of the provider's host and port with https:// (free()). */
static char *
probe_url(const struct smtp_transport *smtp)
{
	CURLU *handle = curl_url();
	char *port = NULL;
	char *url = NULL;
	char *copy = NULL;

	if (handle == NULL)
		return NULL;
	/* Keep the port: it would follow the scheme's default otherwise. */
	if (curl_url_set(handle, CURLUPART_URL, smtp->url, 0) == CURLUE_OK &&
	    curl_url_get(handle, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
		CURLUE_OK &&
	    curl_url_set(handle, CURLUPART_SCHEME, "https", 0) == CURLUE_OK &&
	    curl_url_set(handle, CURLUPART_PORT, port, 0) == CURLUE_OK &&
	    curl_url_set(handle, CURLUPART_PATH, "/", 0) == CURLUE_OK &&
	    curl_url_get(handle, CURLUPART_URL, &url, 0) == CURLUE_OK)
		copy = xstrdup(url);
	curl_free(url);
	curl_free(port);
	curl_url_cleanup(handle);
	return copy;
}

/*
 * Asks the port once more, with a TLS handshake this time and the
 * provider's own certificate checks.  A handshake that completes, or a
 * certificate that is refused, means the port speaks TLS at once.  A
 * timeout or a plain-text answer proves nothing.  Returns 1 or 0.
 */
static int
speaks_tls_at_once(const struct smtp_transport *smtp)
{
	long limit = smtp->timeout < SMTP_PROBE_TIMEOUT ? smtp->timeout
							: SMTP_PROBE_TIMEOUT;
	char *url = probe_url(smtp);
	CURL *probe = url ? curl_easy_init() : NULL;
	CURLcode result;

	if (probe == NULL) {
		free(url);
		return 0;
	}
	curl_easy_setopt(probe, CURLOPT_URL, url);
	curl_easy_setopt(probe, CURLOPT_PROTOCOLS_STR, "https");
	/* Only the handshake: no request goes out. */
	curl_easy_setopt(probe, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(probe, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(probe, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(probe, CURLOPT_SSL_VERIFYHOST, 2L);
	if (smtp->ca_file != NULL)
		curl_easy_setopt(probe, CURLOPT_CAINFO, smtp->ca_file);
	curl_easy_setopt(probe, CURLOPT_CONNECTTIMEOUT, limit);
	result = curl_easy_perform(probe);
	curl_easy_cleanup(probe);
	free(url);
	return result == CURLE_OK || result == CURLE_PEER_FAILED_VERIFICATION;
}

/* Connected, but no reply at all came: no greeting, or not SMTP. */
static int
greeting_missing(struct smtp_transport *smtp)
{
	curl_off_t connected_us = 0;

	/* For smtps:// the greeting is due once TLS is up. */
	if (smtp->watch.reply_count != 0 ||
	    curl_easy_getinfo(smtp->curl,
			      smtp->tls == TLS_IMPLICIT
				  ? CURLINFO_APPCONNECT_TIME_T
				  : CURLINFO_CONNECT_TIME_T,
			      &connected_us) != CURLE_OK)
		return 0;
	return connected_us > 0 && smtp->watch.last_command[0] == '\0';
}

/*
 * No greeting came, or something else in its place.  Returns the status
 * and sets *errstr_out (free()); the TLS advice only on evidence.
 */
static enum transport_status
classify_no_greeting(struct smtp_transport *smtp, int timed_out,
		     char **errstr_out)
{
	char *limit;

	if (smtp->tls != TLS_IMPLICIT &&
	    (smtp->watch.tls_record_seen || speaks_tls_at_once(smtp))) {
		*errstr_out = xasprintf(
		    "%s (smtp://) was tried but the server at %s sent no "
		    "SMTP greeting and speaks TLS at once: use tls = "
		    "implicit with smtps://",
		    smtp->tls == TLS_STARTTLS ? "STARTTLS" : "plain SMTP",
		    smtp->host_port);
		return TRANSPORT_ECONFIG;
	}
	if (timed_out) {
		/* Slow or silent: it may answer on the next try. */
		limit = format_limit(smtp->timeout);
		*errstr_out = xasprintf("no greeting from %s within %s",
					smtp->host_port, limit);
		free(limit);
		return TRANSPORT_ETEMP;
	}
	*errstr_out = xasprintf("the server at %s does not speak SMTP: its "
				"first line is not an SMTP greeting",
				smtp->host_port);
	return TRANSPORT_ECONFIG;
}

/* A wait that outlasted its limit; the phase says which. */
static enum transport_status
classify_timeout(struct smtp_transport *smtp, const char *from,
		 const char *recipient, char **errstr_out)
{
	enum smtp_phase phase = smtp->watch.phase;
	enum transport_status status = TRANSPORT_ETEMP;
	char *limit;
	char *what;

	if (phase == SMTP_PHASE_GREETING)
		return classify_no_greeting(smtp, 1, errstr_out);
	limit = format_limit(transport_smtp_reply_limit(smtp, phase));
	if (phase == SMTP_PHASE_CONNECT) {
		*errstr_out = xasprintf(
		    "cannot connect to %s%s within %s", smtp->host_port,
		    smtp->tls == TLS_IMPLICIT ? " (TCP and TLS)" : "", limit);
	} else if (phase == SMTP_PHASE_FINAL) {
		status = TRANSPORT_EUNCERTAIN;
		*errstr_out = xasprintf("no reply to the end of the message "
					"to <%s> within %s: the server may "
					"have stored it",
					recipient, limit);
	} else if (phase == SMTP_PHASE_DATA) {
		*errstr_out = xasprintf("sending the message to <%s> stalled: "
					"%s took nothing for %s",
					recipient, smtp->host_port, limit);
	} else if (phase == SMTP_PHASE_CLIENT &&
		   strcmp(smtp->watch.last_command, "STARTTLS") == 0) {
		*errstr_out = xasprintf("TLS handshake with %s after STARTTLS "
					"took more than %s",
					smtp->host_port, limit);
	} else {
		what = describe_command(smtp, from, recipient);
		*errstr_out =
		    xasprintf("no reply to %s within %s", what, limit);
		free(what);
	}
	free(limit);
	return status;
}

/* The reply code of the failure, from our parse or else from libcurl. */
static int
reply_code(struct smtp_transport *smtp)
{
	long curl_code = 0;

	if (smtp->watch.last_code != 0)
		return smtp->watch.last_code;
	if (curl_easy_getinfo(smtp->curl, CURLINFO_RESPONSE_CODE, &curl_code) ==
		CURLE_OK &&
	    curl_code >= 200 && curl_code <= 599)
		return (int)curl_code;
	return 0;
}

/* Failures of a command: what the server said, or that it went away. */
static enum transport_status
classify_reply(struct smtp_transport *smtp, CURLcode result, const char *error,
	       const char *from, const char *recipient, char **errstr_out)
{
	enum transport_status status = TRANSPORT_ETEMP;
	const char *last_reply = smtp->watch.last_reply;
	int code = reply_code(smtp);
	char *what = describe_command(smtp, from, recipient);

	if (code >= 400 && last_reply != NULL) {
		if (code == 535 || code == 534 || code == 538 || code == 530 ||
		    result == CURLE_LOGIN_DENIED)
			status = TRANSPORT_ECONFIG;
		else if (code >= 500)
			status = TRANSPORT_EPERM;
		*errstr_out = xasprintf("%s refused: %s", what, last_reply);
	} else if (result == CURLE_LOGIN_DENIED) {
		/* No reply to quote: no mechanism both sides know. */
		status = TRANSPORT_ECONFIG;
		*errstr_out = xasprintf("AUTH as \"%s\" at %s failed: %s",
					smtp->user, smtp->host_port, error);
	} else if (last_reply != NULL) {
		/* The server went quiet or away after a good reply. */
		*errstr_out = xasprintf("%s failed after \"%s\": %s", what,
					last_reply, error);
	} else {
		*errstr_out = xasprintf("%s failed: %s", what, error);
	}
	free(what);
	return status;
}

/*
 * The whole message went out, the final dot too (a send error means it
 * did not), and no verdict came back: the server may have stored it.
 */
static int
outcome_unknown(const struct smtp_transport *smtp, CURLcode result)
{
	return smtp->watch.upload_complete && !smtp->watch.final_reply_seen &&
	       result != CURLE_SEND_ERROR;
}

enum transport_status
transport_smtp_classify(struct smtp_transport *smtp, CURLcode result,
			const char *from, const char *recipient,
			char **errstr_out)
{
	const char *error = smtp->error_buffer[0] != '\0'
				? smtp->error_buffer
				: curl_easy_strerror(result);
	enum transport_status status;

	/* libcurl's own limits are caps above ours, but count the same. */
	if (smtp->watch.timed_out || result == CURLE_OPERATION_TIMEDOUT) {
		if (smtp->watch.phase == SMTP_PHASE_CONNECT &&
		    greeting_missing(smtp))
			smtp->watch.phase = SMTP_PHASE_GREETING;
		return classify_timeout(smtp, from, recipient, errstr_out);
	}
	if (outcome_unknown(smtp, result)) {
		*errstr_out = xasprintf("message to <%s> (DATA): the "
					"connection to %s ended before the "
					"reply to the end of the message: the "
					"server may have stored it",
					recipient, smtp->host_port);
		return TRANSPORT_EUNCERTAIN;
	}
	if (classify_connection(smtp, result, error, &status, errstr_out))
		return status;
	if (greeting_missing(smtp) &&
	    (smtp->watch.garbage_seen || result == CURLE_WEIRD_SERVER_REPLY))
		return classify_no_greeting(smtp, 0, errstr_out);
	return classify_reply(smtp, result, error, from, recipient, errstr_out);
}
