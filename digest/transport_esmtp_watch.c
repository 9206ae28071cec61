/*
 * transport_esmtp_watch.c - libESMTP's callbacks for one batch.
 *
 * The message callback hands each message to libESMTP in one piece (it
 * does the dot-stuffing itself, as it copies the lines into its socket
 * buffer) and, on its first call for a message, calls the caller's
 * before_data hook: libESMTP asks for the data only once the server has
 * said 354 to DATA (with BDAT, once RCPT is on its way).  A hook that says
 * -1 leaves that message unsent: the callback fails, and libESMTP, which
 * cannot abandon a message once DATA was accepted, drops the connection
 * without the final dot, so the server discards what it has.
 *
 * The monitor callback sees the commands and replies (not the message
 * data): the greeting, STARTTLS and AUTH go by here, and each reply notes
 * the time, so that a wait that ended can be told from one that ran out.
 * Of our commands only the verbs are kept; the lines after AUTH carry the
 * credentials and are skipped.  The event callback notes the connection,
 * the TLS outcome and the certificate checks.
 */
#include "transport_esmtp_impl.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Of a reply line without an end, this much is kept. */
#define ESMTP_LINE_MAX 1024

/* Each piece handed to libESMTP: its lengths are ints. */
#define ESMTP_PIECE_MAX ((size_t)1 << 30)

/* The batch whose session runs in this thread, for the verify callback. */
static _Thread_local struct esmtp_batch *current_batch;

int64_t
transport_esmtp_now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

void
transport_esmtp_watch_current(struct esmtp_batch *batch)
{
	current_batch = batch;
}

int
transport_esmtp_verify(int preverified, X509_STORE_CTX *store)
{
	struct esmtp_batch *batch = current_batch;

	if (!preverified && batch != NULL &&
	    batch->watch.certificate_error == 0)
		batch->watch.certificate_error =
		    X509_STORE_CTX_get_error(store);
	return preverified;
}

/* Appends reply text, dropping control bytes a server might send. */
static void
append_printable(struct buf *out, const char *text, size_t length)
{
	size_t i;

	for (i = 0; i < length && out->length < ESMTP_REPLY_MAX; i++) {
		unsigned char c = (unsigned char)text[i];

		buf_putc(out, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
}

/* A whole reply came: what it answered decides where it is kept. */
static void
reply_complete(struct esmtp_watch *watch, int code)
{
	free(watch->last_reply);
	watch->last_reply = buf_detach(&watch->reply);
	watch->last_code = code;
	if (watch->reply_count++ == 0) {
		watch->greeting = xstrdup(watch->last_reply);
		watch->greeting_code = code;
	}
	if (strcmp(watch->last_command, "STARTTLS") == 0)
		watch->starttls_code = code;
	if (watch->in_auth && code != 334) {
		watch->in_auth = 0;
		free(watch->auth_reply);
		watch->auth_reply = xstrdup(watch->last_reply);
		watch->auth_code = code;
	}
}

/* One complete line from the server. */
static void
take_reply_line(struct esmtp_watch *watch, const char *text, size_t length)
{
	struct transport_smtp_reply_line parsed;

	if (transport_smtp_reply_parse(text, length, &parsed) < 0)
		return; /* libESMTP refuses it and ends the session */
	if (watch->reply.length == 0)
		buf_printf(&watch->reply, "%d", parsed.code);
	/* A multi-line reply is quoted as one line, its parts joined. */
	if (watch->reply.length < ESMTP_REPLY_MAX) {
		buf_puts(&watch->reply, watch->reply.length > 3 ? " / " : " ");
		append_printable(&watch->reply, parsed.text,
				 parsed.text_length);
	}
	if (parsed.is_last)
		reply_complete(watch, parsed.code);
}

/* Bytes from the server, in any pieces. */
static void
take_replies(struct esmtp_watch *watch, const char *data, size_t size)
{
	const char *end;
	size_t piece;

	while (size > 0) {
		end = memchr(data, '\n', size);
		piece = end != NULL ? (size_t)(end - data) + 1 : size;
		if (watch->line.length < ESMTP_LINE_MAX)
			buf_append(&watch->line, data,
				   piece < ESMTP_LINE_MAX ? piece
							  : ESMTP_LINE_MAX);
		if (end != NULL) {
			take_reply_line(watch, watch->line.data,
					watch->line.length);
			buf_reset(&watch->line);
		}
		data += piece;
		size -= piece;
	}
}

/* The verb of one command line we sent, if it is one of SMTP's. */
static void
take_command(struct esmtp_watch *watch, const char *line, size_t length)
{
	static const char *const verbs[] = {"EHLO", "HELO", "STARTTLS", "AUTH",
					    "MAIL", "RCPT", "DATA",	"BDAT",
					    "RSET", "QUIT", NULL};
	size_t verb_length = 0;
	size_t i;

	/* After AUTH come the credentials, until its final reply. */
	if (watch->in_auth)
		return;
	while (verb_length < length && line[verb_length] >= 'A' &&
	       line[verb_length] <= 'Z')
		verb_length++;
	for (i = 0; verbs[i] != NULL; i++)
		if (strlen(verbs[i]) == verb_length &&
		    memcmp(verbs[i], line, verb_length) == 0)
			break;
	if (verbs[i] == NULL)
		return;
	memcpy(watch->last_command, verbs[i], verb_length + 1);
	if (strcmp(verbs[i], "AUTH") == 0)
		watch->in_auth = 1;
}

void
transport_esmtp_watch_take(struct esmtp_watch *watch, const char *data,
			   size_t size, int writing)
{
	const char *end;
	size_t piece;

	watch->last_activity_ms = transport_esmtp_now_ms();
	if (!writing) {
		take_replies(watch, data, size);
		return;
	}
	/* Pipelined commands go out together: each line is one. */
	while (size > 0) {
		end = memchr(data, '\n', size);
		piece = end != NULL ? (size_t)(end - data) + 1 : size;
		take_command(watch, data, piece);
		data += piece;
		size -= piece;
	}
}

void
transport_esmtp_watch_free(struct esmtp_watch *watch)
{
	buf_free(&watch->line);
	buf_free(&watch->reply);
	free(watch->last_reply);
	free(watch->greeting);
	free(watch->auth_reply);
	memset(watch, 0, sizeof *watch);
}

static void
monitor(const char *data, int length, int writing, void *arg)
{
	struct esmtp_batch *batch = arg;

	if (length > 0 && writing != SMTP_CB_HEADERS)
		transport_esmtp_watch_take(&batch->watch, data, (size_t)length,
					   writing == SMTP_CB_WRITING);
}

/* A certificate libESMTP questions; OpenSSL has checked it already. */
static void
certificate_event(struct esmtp_watch *watch, int event, va_list args)
{
	long result;
	int *ok;

	if (event == SMTP_EV_INVALID_PEER_CERTIFICATE) {
		result = va_arg(args, long);
		ok = va_arg(args, int *);
		*ok = 0;
		if (watch->certificate_error == 0)
			watch->certificate_error = result;
	} else if (event == SMTP_EV_NO_PEER_CERTIFICATE) {
		ok = va_arg(args, int *);
		*ok = 0;
		if (watch->certificate_error == 0)
			watch->certificate_error = -1;
	} else if (event == SMTP_EV_WRONG_PEER_CERTIFICATE) {
		/*
		 * libESMTP matches DNS names only.  OpenSSL has matched the
		 * host, an IP address too, against the certificate during
		 * the handshake (make_tls_context()), or refused it.
		 */
		ok = va_arg(args, int *);
		*ok = 1;
	} else if (event == SMTP_EV_WEAK_CIPHER) {
		(void)va_arg(args, int);
		ok = va_arg(args, int *);
		*ok = 0;
	}
}

static void
event(smtp_session_t session, int event, void *arg, ...)
{
	struct esmtp_batch *batch = arg;
	struct esmtp_watch *watch = &batch->watch;
	struct esmtp_job *job;
	va_list args;

	(void)session;
	/* Told for every line of a message; message_piece() notes those. */
	if (event == SMTP_EV_MESSAGEDATA)
		return;
	/* The end of the connection is no activity: a wait ran out before. */
	if (event != SMTP_EV_DISCONNECT)
		watch->last_activity_ms = transport_esmtp_now_ms();
	va_start(args, arg);
	switch (event) {
	case SMTP_EV_CONNECT:
		watch->connected = 1;
		transport_esmtp_socket_connected(batch);
		break;
	case SMTP_EV_DISCONNECT:
		transport_esmtp_socket_release(batch);
		break;
	case SMTP_EV_EXTNA_STARTTLS:
		watch->starttls_missing = 1;
		break;
	case SMTP_EV_STARTTLS_OK:
		watch->tls_up = 1;
		break;
	case SMTP_EV_MESSAGESENT:
		/* The reply to the data, or to DATA refusing it. */
		job = smtp_message_get_application_data(
		    va_arg(args, smtp_message_t));
		if (job != NULL) {
			job->final_seen = 1;
			transport_esmtp_settle_early(batch, job);
		}
		break;
	case SMTP_EV_INVALID_PEER_CERTIFICATE:
	case SMTP_EV_NO_PEER_CERTIFICATE:
	case SMTP_EV_WRONG_PEER_CERTIFICATE:
	case SMTP_EV_WEAK_CIPHER:
		certificate_event(watch, event, args);
		break;
	default:
		break;
	}
	va_end(args);
}

/* A write to a closed connection raised SIGPIPE (blocked: pending). */
static int
write_failed(const struct esmtp_batch *batch)
{
	sigset_t pending;

	sigemptyset(&pending);
	return !batch->sigpipe_before && sigpending(&pending) == 0 &&
	       sigismember(&pending, SIGPIPE) == 1;
}

/*
 * The first call for a message (after its rewind): the caller's hook,
 * then, unless it or a failed AUTH says no, the message.  Returns it, or
 * NULL with errno set to make libESMTP drop the connection.
 */
static const char *
first_piece(struct esmtp_job *job, int *length)
{
	struct esmtp_batch *batch = job->batch;
	const struct esmtp_watch *watch = &batch->watch;

	if (batch->esmtp->user != NULL && watch->auth_code != 235) {
		/* The server took MAIL without AUTH: send it nothing. */
		job->refused = 1;
		errno = EACCES;
		return NULL;
	}
	if (!job->hook_called) {
		job->hook_called = 1;
		if (batch->hooks != NULL && batch->hooks->before_data != NULL &&
		    batch->hooks->before_data(batch->context, job->job) < 0) {
			job->held_back = 1;
			errno = ECANCELED;
			return NULL;
		}
	}
	job->data_started = 1;
	transport_esmtp_socket_cork(batch, 1);
	*length = 0;
	return "";
}

static const char *
message_piece(void **context, int *length, void *arg)
{
	struct esmtp_job *job = arg;
	const struct transport_job *outer = job->job;
	size_t left;

	(void)context;
	job->batch->watch.last_activity_ms = transport_esmtp_now_ms();
	if (length == NULL) {
		/* libESMTP rewinds before it reads a message. */
		job->handed = 0;
		return NULL;
	}
	*length = 0;
	if (!job->data_started && first_piece(job, length) == NULL)
		return NULL;
	errno = 0;
	left = outer->size - job->handed;
	if (left == 0) {
		/* The end: libESMTP writes the final dot after this. */
		job->data_complete = 1;
		/* Out with it all: libESMTP writes its last piece next. */
		transport_esmtp_socket_cork(job->batch, 0);
		job->write_failed = write_failed(job->batch);
		return NULL;
	}
	if (left > ESMTP_PIECE_MAX)
		left = ESMTP_PIECE_MAX;
	*length = (int)left;
	job->handed += left;
	return outer->message + job->handed - left;
}

void
transport_esmtp_watch(struct esmtp_batch *batch, smtp_session_t session)
{
	size_t i;

	smtp_set_monitorcb(session, monitor, batch, 0);
	smtp_set_eventcb(session, event, batch);
	for (i = 0; i < batch->count; i++)
		if (batch->jobs[i].message != NULL) {
			smtp_set_messagecb(batch->jobs[i].message,
					   message_piece, &batch->jobs[i]);
			smtp_message_set_application_data_release(
			    batch->jobs[i].message, &batch->jobs[i], NULL);
		}
}
