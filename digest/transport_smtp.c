/*
 * transport_smtp.c - SMTP delivery through libcurl.  One easy handle per
 * provider, so libcurl keeps the connection open between messages; the
 * server's replies are read through the debug callback so that errors can
 * quote them and say which command they answered.
 */
#include "transport_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "url.h"
#include "util.h"

/* Reply text quoted in an error: enough for any enhanced status line. */
#define SMTP_REPLY_MAX 300
#define SMTP_DEFAULT_TIMEOUT 60L

struct smtp_upload {
	const char *data;
	size_t size;
	size_t offset;
};

struct smtp_transport {
	struct transport base;
	CURL *curl;
	char *url;
	char *host_port; /* "host:port", for messages */
	char *user;	 /* NULL: no AUTH */
	char *password;	 /* zeroed before it is freed */
	enum tls_mode tls;
	long timeout;
	char *config_problem; /* set at open: every send reports it */
	char error_buffer[CURL_ERROR_SIZE];

	/* Filled by the debug callback during one send. */
	struct buf line;       /* a reply line still being received */
	struct buf reply;      /* the reply being assembled */
	char *last_reply;      /* the last complete reply, "550 ..." */
	int last_code;	       /* its code */
	int quitting;	       /* QUIT sent: keep the reply before it */
	int reply_count;       /* complete replies seen this send */
	int garbage_seen;      /* a line that was no SMTP reply */
	char last_command[16]; /* verb of the last command sent */
	struct smtp_upload upload;
};

int
transport_smtp_reply_parse(const char *line, size_t length,
			   struct transport_smtp_reply_line *line_out)
{
	size_t i;

	while (length > 0 &&
	       (line[length - 1] == '\n' || line[length - 1] == '\r'))
		length--;
	if (length < 3 || line[0] < '2' || line[0] > '5')
		return -1;
	for (i = 0; i < 3; i++)
		if (line[i] < '0' || line[i] > '9')
			return -1;
	if (length > 3 && line[3] != ' ' && line[3] != '-')
		return -1;
	line_out->code =
	    (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	line_out->is_last = length == 3 || line[3] == ' ';
	line_out->text = length > 4 ? line + 4 : line + length;
	line_out->text_length = length > 4 ? length - 4 : 0;
	return 0;
}

/* Appends reply text, dropping control bytes a server might send. */
static void
append_printable(struct buf *out, const char *text, size_t length)
{
	size_t i;

	for (i = 0; i < length && out->length < SMTP_REPLY_MAX; i++) {
		unsigned char c = (unsigned char)text[i];

		buf_putc(out, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
}

/* Feeds one complete line from the server into the reply being built. */
static void
take_reply_line(struct smtp_transport *smtp, const char *text, size_t length)
{
	struct transport_smtp_reply_line parsed;

	if (smtp->quitting)
		return;
	if (transport_smtp_reply_parse(text, length, &parsed) < 0) {
		smtp->garbage_seen = 1;
		return;
	}
	if (smtp->reply.length == 0)
		buf_printf(&smtp->reply, "%d", parsed.code);
	/*
	 * A multi-line reply is quoted as one line, its parts joined; past
	 * the cap nothing is added, however many lines a server sends.
	 */
	if (smtp->reply.length < SMTP_REPLY_MAX) {
		buf_puts(&smtp->reply, smtp->reply.length > 3 ? " / " : " ");
		append_printable(&smtp->reply, parsed.text, parsed.text_length);
	}
	if (!parsed.is_last)
		return;
	free(smtp->last_reply);
	smtp->last_reply = buf_detach(&smtp->reply);
	smtp->last_code = parsed.code;
	smtp->reply_count++;
}

/*
 * Remembers only the verb of a command we sent, and only a known one: the
 * lines after AUTH LOGIN carry the credentials in base64, and the AUTH
 * PLAIN line itself does, so nothing else of an outgoing line is kept.
 */
static void
take_command(struct smtp_transport *smtp, const char *data, size_t size)
{
	static const char *const verbs[] = {"EHLO", "HELO", "STARTTLS",
					    "AUTH", "MAIL", "RCPT",
					    "DATA", "RSET", "QUIT"};
	size_t i;

	/*
	 * libcurl says QUIT when it drops a connection after an error; the
	 * reply worth quoting is the one before.
	 */
	if (smtp->quitting)
		return;
	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		size_t length = strlen(verbs[i]);

		if (size >= length &&
		    util_strncasecmp(data, verbs[i], length) == 0 &&
		    (size == length || data[length] == ' ' ||
		     data[length] == '\r' || data[length] == '\n')) {
			if (strcmp(verbs[i], "QUIT") == 0)
				smtp->quitting = 1;
			else
				util_strlcpy(smtp->last_command, verbs[i],
					     sizeof smtp->last_command);
			return;
		}
	}
}

static int
smtp_debug(CURL *curl, curl_infotype type, char *data, size_t size,
	   void *userdata)
{
	struct smtp_transport *smtp = userdata;
	size_t start = 0;
	size_t i;

	(void)curl;
	if (type == CURLINFO_HEADER_OUT) {
		take_command(smtp, data, size);
		return 0;
	}
	if (type != CURLINFO_HEADER_IN)
		return 0;
	/* Lines may arrive whole, several at once or in pieces. */
	for (i = 0; i < size; i++) {
		if (data[i] != '\n')
			continue;
		buf_append(&smtp->line, data + start, i - start);
		take_reply_line(smtp, smtp->line.data ? smtp->line.data : "",
				smtp->line.length);
		buf_reset(&smtp->line);
		start = i + 1;
	}
	if (start < size && smtp->line.length < 4096)
		buf_append(&smtp->line, data + start, size - start);
	return 0;
}

static size_t
smtp_read(char *buffer, size_t size, size_t count, void *userdata)
{
	struct smtp_upload *upload = userdata;
	size_t room = size * count;
	size_t left = upload->size - upload->offset;
	size_t chunk = left < room ? left : room;

	memcpy(buffer, upload->data + upload->offset, chunk);
	upload->offset += chunk;
	return chunk;
}

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

static void
set_options(struct smtp_transport *smtp, const struct provider *provider)
{
	CURL *curl = smtp->curl;

	curl_easy_setopt(curl, CURLOPT_URL, smtp->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, smtp->error_buffer);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	/* STARTTLS is required, never tried: no silent plain text. */
	if (provider->tls == TLS_STARTTLS)
		curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (provider->ca_file != NULL)
		curl_easy_setopt(curl, CURLOPT_CAINFO, provider->ca_file);
	if (smtp->user != NULL) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, smtp->user);
		curl_easy_setopt(curl, CURLOPT_PASSWORD,
				 smtp->password ? smtp->password : "");
	}
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, smtp->timeout);
	curl_easy_setopt(curl, CURLOPT_SERVER_RESPONSE_TIMEOUT, smtp->timeout);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, smtp_read);
	curl_easy_setopt(curl, CURLOPT_READDATA, &smtp->upload);
	/* The debug callback only runs in verbose mode; it prints nothing. */
	curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, smtp_debug);
	curl_easy_setopt(curl, CURLOPT_DEBUGDATA, smtp);
	curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
}

/* Describes the command a reply answered, for "... refused: 550 ...". */
static char *
describe_command(const struct smtp_transport *smtp, const char *from,
		 const char *recipient)
{
	const char *verb = smtp->last_command;

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

/* Connected, yet no greeting or a garbled one: TLS at once? */
static int
expects_tls_at_once(struct smtp_transport *smtp, CURLcode result)
{
	curl_off_t connected_us = 0;

	if (curl_easy_getinfo(smtp->curl, CURLINFO_CONNECT_TIME_T,
			      &connected_us) != CURLE_OK)
		connected_us = 0;
	return smtp->tls != TLS_IMPLICIT && connected_us > 0 &&
	       smtp->reply_count == 0 &&
	       (result == CURLE_OPERATION_TIMEDOUT ||
		result == CURLE_WEIRD_SERVER_REPLY || smtp->garbage_seen);
}

/* The reply code of the failure, from our parse or else from libcurl. */
static int
reply_code(struct smtp_transport *smtp)
{
	long curl_code = 0;

	if (smtp->last_code != 0)
		return smtp->last_code;
	if (curl_easy_getinfo(smtp->curl, CURLINFO_RESPONSE_CODE, &curl_code) ==
		CURLE_OK &&
	    curl_code >= 200 && curl_code <= 599)
		return (int)curl_code;
	return 0;
}

/* Failures of a command: what the server said, or that it went quiet. */
static enum transport_status
classify_reply(struct smtp_transport *smtp, CURLcode result, const char *error,
	       const char *from, const char *recipient, char **errstr_out)
{
	enum transport_status status = TRANSPORT_ETEMP;
	int code = reply_code(smtp);
	char *what = describe_command(smtp, from, recipient);

	if (code >= 400 && smtp->last_reply != NULL) {
		if (code == 535 || code == 534 || code == 538 || code == 530 ||
		    result == CURLE_LOGIN_DENIED)
			status = TRANSPORT_ECONFIG;
		else if (code >= 500)
			status = TRANSPORT_EPERM;
		*errstr_out =
		    xasprintf("%s refused: %s", what, smtp->last_reply);
	} else if (result == CURLE_LOGIN_DENIED) {
		/* No reply to quote: no mechanism both sides know. */
		status = TRANSPORT_ECONFIG;
		*errstr_out = xasprintf("AUTH as \"%s\" at %s failed: %s",
					smtp->user, smtp->host_port, error);
	} else if (smtp->last_reply != NULL) {
		/* The server went quiet or away after a good reply. */
		*errstr_out = xasprintf("%s failed after \"%s\": %s", what,
					smtp->last_reply, error);
	} else {
		*errstr_out = xasprintf("%s failed: %s", what, error);
	}
	free(what);
	return status;
}

/*
 * Turns a failed transfer into a status and one line for the operator.
 * Returns the status; *errstr_out (free()) says what was tried.
 */
static enum transport_status
classify(struct smtp_transport *smtp, CURLcode result, const char *from,
	 const char *recipient, char **errstr_out)
{
	const char *error = smtp->error_buffer[0] != '\0'
				? smtp->error_buffer
				: curl_easy_strerror(result);
	enum transport_status status;

	if (classify_connection(smtp, result, error, &status, errstr_out))
		return status;
	if (expects_tls_at_once(smtp, result)) {
		*errstr_out = xasprintf(
		    "%s (smtp://) was tried but the server at %s sent no "
		    "SMTP greeting: it expects TLS at once: use tls = "
		    "implicit with smtps://",
		    smtp->tls == TLS_STARTTLS ? "STARTTLS" : "plain SMTP",
		    smtp->host_port);
		return TRANSPORT_ECONFIG;
	}
	return classify_reply(smtp, result, error, from, recipient, errstr_out);
}

static void
reset_capture(struct smtp_transport *smtp)
{
	buf_reset(&smtp->line);
	buf_reset(&smtp->reply);
	free(smtp->last_reply);
	smtp->last_reply = NULL;
	smtp->last_code = 0;
	smtp->reply_count = 0;
	smtp->quitting = 0;
	smtp->garbage_seen = 0;
	smtp->last_command[0] = '\0';
	smtp->error_buffer[0] = '\0';
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

	if (curl_easy_getinfo(smtp->curl, CURLINFO_NUM_CONNECTS,
			      &new_connections) != CURLE_OK ||
	    new_connections != 0)
		return 0;
	/* After DATA the server may hold the message: never send it twice. */
	if (strcmp(smtp->last_command, "DATA") == 0)
		return 0;
	if (smtp->last_code == 421)
		return 1;
	return smtp->last_code < 400 &&
	       (result == CURLE_SEND_ERROR || result == CURLE_RECV_ERROR ||
		result == CURLE_GOT_NOTHING);
}

/* One transfer; once more on a fresh connection if a kept one had died. */
static CURLcode
perform(struct smtp_transport *smtp)
{
	CURLcode result;

	smtp->upload.offset = 0;
	result = curl_easy_perform(smtp->curl);
	if (result == CURLE_OK || !stale_connection_failed(smtp, result))
		return result;
	reset_capture(smtp);
	smtp->upload.offset = 0;
	curl_easy_setopt(smtp->curl, CURLOPT_FRESH_CONNECT, 1L);
	result = curl_easy_perform(smtp->curl);
	curl_easy_setopt(smtp->curl, CURLOPT_FRESH_CONNECT, 0L);
	return result;
}

static enum transport_status
smtp_send(struct transport *transport, const char *envelope_from,
	  const char *recipient, const char *message, size_t size,
	  char **errstr_out)
{
	struct smtp_transport *smtp = (struct smtp_transport *)transport;
	enum transport_status status = TRANSPORT_OK;
	struct curl_slist *recipients = NULL;
	char *mail_from = NULL;
	char *rcpt = NULL;
	CURLcode result;

	if (smtp->config_problem != NULL) {
		*errstr_out = xstrdup(smtp->config_problem);
		return TRANSPORT_ECONFIG;
	}
	if (smtp->curl == NULL) {
		*errstr_out = xstrdup("libcurl could not start");
		return TRANSPORT_ETEMP;
	}
	reset_capture(smtp);
	mail_from = xasprintf("<%s>", envelope_from);
	rcpt = xasprintf("<%s>", recipient);
	recipients = curl_slist_append(NULL, rcpt);
	if (recipients == NULL) {
		*errstr_out = xstrdup("out of memory");
		status = TRANSPORT_ETEMP;
		goto out;
	}
	smtp->upload.data = message;
	smtp->upload.size = size;
	curl_easy_setopt(smtp->curl, CURLOPT_MAIL_FROM, mail_from);
	curl_easy_setopt(smtp->curl, CURLOPT_MAIL_RCPT, recipients);
	curl_easy_setopt(smtp->curl, CURLOPT_INFILESIZE_LARGE,
			 (curl_off_t)size);
	result = perform(smtp);
	if (result != CURLE_OK) {
		status = classify(smtp, result, envelope_from, recipient,
				  errstr_out);
		util_redact(errstr_out, smtp->password);
	}
out:
	/* The list must not outlive its use: drop libcurl's pointer too. */
	curl_easy_setopt(smtp->curl, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(recipients);
	free(rcpt);
	free(mail_from);
	return status;
}

static void
smtp_close(struct transport *transport)
{
	struct smtp_transport *smtp = (struct smtp_transport *)transport;

	/* Cleanup sends QUIT on a connection libcurl still holds. */
	if (smtp->curl != NULL)
		curl_easy_cleanup(smtp->curl);
	if (smtp->password != NULL) {
		explicit_bzero(smtp->password, strlen(smtp->password));
		free(smtp->password);
	}
	buf_free(&smtp->line);
	buf_free(&smtp->reply);
	free(smtp->last_reply);
	free(smtp->config_problem);
	free(smtp->user);
	free(smtp->host_port);
	free(smtp->url);
	free(smtp);
}

static const struct transport_ops smtp_ops = {
    .send = smtp_send,
    .close = smtp_close,
};

struct transport *
transport_open_smtp(const struct provider *provider, const char *password)
{
	struct smtp_transport *smtp = xcalloc(1, sizeof *smtp);

	smtp->base.ops = &smtp_ops;
	smtp->tls = provider->tls;
	smtp->timeout =
	    provider->timeout > 0 ? provider->timeout : SMTP_DEFAULT_TIMEOUT;
	smtp->url = xstrdup(provider->smtp_url ? provider->smtp_url : "");
	if (provider->user != NULL)
		smtp->user = xstrdup(provider->user);
	if (password != NULL)
		smtp->password = xstrdup(password);
	smtp->config_problem = check_url(smtp, provider);
	if (smtp->host_port == NULL)
		smtp->host_port = xstrdup(smtp->url);
	if (smtp->config_problem == NULL && smtp->user != NULL &&
	    smtp->password == NULL)
		smtp->config_problem = xasprintf("provider \"%s\" has a user "
						 "but no password",
						 provider->id);
	if (url_library_init(NULL) == 0)
		smtp->curl = curl_easy_init();
	if (smtp->curl != NULL)
		set_options(smtp, provider);
	return &smtp->base;
}
