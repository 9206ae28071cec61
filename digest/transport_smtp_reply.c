/*
 * transport_smtp_reply.c - watches one SMTP transfer from libcurl's
 * callbacks: the server's replies (the debug callback, so that errors can
 * quote them and name the command they answered), the commands sent, the
 * upload, and from those the phase of the session.  The progress callback,
 * which libcurl calls about once a second whatever it is doing (connecting,
 * waiting for a reply, sending), stops a transfer whose current wait has
 * outlasted its own limit: libcurl itself has one limit for every reply
 * and counts the whole handshake as "connecting".
 */
#include "transport_smtp_impl.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static int64_t
now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void
enter(struct smtp_watch *watch, enum smtp_phase phase)
{
	watch->phase = phase;
	watch->phase_started_ms = now_ms();
}

long
transport_smtp_reply_limit(const struct smtp_transport *smtp,
			   enum smtp_phase phase)
{
	if (phase == SMTP_PHASE_CONNECT)
		return smtp->connect_timeout;
	if (phase == SMTP_PHASE_FINAL)
		return smtp->data_timeout;
	return smtp->timeout;
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

/* A TLS handshake or alert record: content type 22 or 21, version 3.x. */
static int
looks_like_tls_record(const char *text, size_t length)
{
	return length >= 2 && (text[0] == 0x16 || text[0] == 0x15) &&
	       text[1] == 0x03;
}

/* Moves the phase on when a whole reply has come in. */
static void
reply_complete(struct smtp_watch *watch)
{
	switch (watch->phase) {
	case SMTP_PHASE_CONNECT:
	case SMTP_PHASE_GREETING:
	case SMTP_PHASE_REPLY:
		enter(watch, SMTP_PHASE_CLIENT);
		break;
	case SMTP_PHASE_DATA:
		/* A refusal before the end: the data will not complete. */
		watch->final_reply_seen = 1;
		break;
	case SMTP_PHASE_FINAL:
		watch->final_reply_seen = 1;
		enter(watch, SMTP_PHASE_DONE);
		break;
	case SMTP_PHASE_CLIENT:
	case SMTP_PHASE_DONE:
		/* A reply to a command we never sent: a late one, say. */
		watch->out_of_step = 1;
		break;
	}
}

/* Feeds one complete line from the server into the reply being built. */
static void
take_reply_line(struct smtp_watch *watch, const char *text, size_t length)
{
	struct transport_smtp_reply_line parsed;

	if (watch->quitting)
		return;
	if (transport_smtp_reply_parse(text, length, &parsed) < 0) {
		if (watch->reply_count == 0 && !watch->garbage_seen &&
		    looks_like_tls_record(text, length))
			watch->tls_record_seen = 1;
		watch->garbage_seen = 1;
		watch->out_of_step = 1;
		return;
	}
	if (watch->reply.length == 0)
		buf_printf(&watch->reply, "%d", parsed.code);
	/*
	 * A multi-line reply is quoted as one line, its parts joined; past
	 * the cap nothing is added, however many lines a server sends.
	 */
	if (watch->reply.length < SMTP_REPLY_MAX) {
		buf_puts(&watch->reply, watch->reply.length > 3 ? " / " : " ");
		append_printable(&watch->reply, parsed.text,
				 parsed.text_length);
	}
	if (!parsed.is_last)
		return;
	free(watch->last_reply);
	watch->last_reply = buf_detach(&watch->reply);
	watch->last_code = parsed.code;
	watch->reply_count++;
	reply_complete(watch);
}

/*
 * Remembers only the verb of a command we sent, and only a known one: the
 * lines after AUTH LOGIN carry the credentials in base64, and the AUTH
 * PLAIN line itself does, so nothing else of an outgoing line is kept.
 * Every line out, known or not, is a command whose reply is now due.
 */
static void
take_command(struct smtp_watch *watch, const char *data, size_t size)
{
	static const char *const verbs[] = {"EHLO", "HELO", "STARTTLS",
					    "AUTH", "MAIL", "RCPT",
					    "DATA", "RSET", "QUIT"};
	size_t i;

	/*
	 * libcurl says QUIT when it drops a connection after an error; the
	 * reply worth quoting, and the phase that failed, are the ones
	 * before.
	 */
	if (watch->quitting)
		return;
	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		size_t length = strlen(verbs[i]);

		if (size >= length &&
		    util_strncasecmp(data, verbs[i], length) == 0 &&
		    (size == length || data[length] == ' ' ||
		     data[length] == '\r' || data[length] == '\n')) {
			if (strcmp(verbs[i], "QUIT") == 0) {
				watch->quitting = 1;
				watch->quit_started_ms = now_ms();
				return;
			}
			util_strlcpy(watch->last_command, verbs[i],
				     sizeof watch->last_command);
			break;
		}
	}
	enter(watch, SMTP_PHASE_REPLY);
}

/* The whole message went out: the final dot and the verdict are next. */
static void
upload_complete(struct smtp_watch *watch)
{
	if (watch->upload_complete)
		return;
	watch->upload_complete = 1;
	enter(watch, SMTP_PHASE_FINAL);
}

/*
 * Each piece of the message sent is progress.  libcurl knows the message
 * is all sent in one of two ways: the read callback has nothing more, or
 * (when no line started with a dot, which it would double) it has sent
 * exactly the size it was given, and then it asks no more.
 */
static void
take_data(struct smtp_watch *watch, size_t size)
{
	if (watch->phase != SMTP_PHASE_CLIENT &&
	    watch->phase != SMTP_PHASE_DATA)
		return;
	enter(watch, SMTP_PHASE_DATA);
	watch->data_sent += size;
	if (watch->offset == watch->size && watch->data_sent == watch->size)
		upload_complete(watch);
}

void
transport_smtp_reply_take(struct smtp_watch *watch, enum smtp_traffic kind,
			  const char *data, size_t size)
{
	size_t start = 0;
	size_t i;

	if (kind == SMTP_TRAFFIC_COMMAND) {
		take_command(watch, data, size);
		return;
	}
	if (kind == SMTP_TRAFFIC_DATA) {
		take_data(watch, size);
		return;
	}
	/* Lines may arrive whole, several at once or in pieces. */
	for (i = 0; i < size; i++) {
		if (data[i] != '\n')
			continue;
		buf_append(&watch->line, data + start, i - start);
		take_reply_line(watch, watch->line.data ? watch->line.data : "",
				watch->line.length);
		buf_reset(&watch->line);
		start = i + 1;
	}
	/* The start of an endless line is enough to judge it by. */
	if (start < size && watch->line.length < SMTP_LINE_MAX)
		buf_append(&watch->line, data + start,
			   size - start < SMTP_LINE_MAX ? size - start
							: SMTP_LINE_MAX);
}

static int
watch_debug(CURL *curl, curl_infotype type, char *data, size_t size,
	    void *userdata)
{
	struct smtp_watch *watch = &((struct smtp_transport *)userdata)->watch;

	(void)curl;
	if (type == CURLINFO_HEADER_OUT)
		transport_smtp_reply_take(watch, SMTP_TRAFFIC_COMMAND, data,
					  size);
	else if (type == CURLINFO_DATA_OUT)
		transport_smtp_reply_take(watch, SMTP_TRAFFIC_DATA, data, size);
	else if (type == CURLINFO_HEADER_IN)
		transport_smtp_reply_take(watch, SMTP_TRAFFIC_REPLY, data,
					  size);
	return 0;
}

static size_t
watch_read(char *buffer, size_t size, size_t count, void *userdata)
{
	struct smtp_watch *watch = &((struct smtp_transport *)userdata)->watch;
	size_t room = size * count;
	size_t left = watch->size - watch->offset;
	size_t chunk = left < room ? left : room;

	if (chunk == 0) {
		upload_complete(watch);
		return 0;
	}
	memcpy(buffer, watch->data + watch->offset, chunk);
	watch->offset += chunk;
	return chunk;
}

/* Connected yet?  For smtps:// that includes the TLS handshake. */
static int
is_connected(struct smtp_transport *smtp)
{
	curl_off_t connected_us = 0;

	if (curl_easy_getinfo(smtp->curl,
			      smtp->tls == TLS_IMPLICIT
				  ? CURLINFO_APPCONNECT_TIME_T
				  : CURLINFO_CONNECT_TIME_T,
			      &connected_us) != CURLE_OK)
		return 0;
	return connected_us > 0;
}

/* After libcurl's QUIT, a reply is not worth more than this wait. */
#define SMTP_QUIT_WAIT_MS 2000

static int
watch_progress(void *userdata, curl_off_t download_total,
	       curl_off_t download_now, curl_off_t upload_total,
	       curl_off_t upload_now)
{
	struct smtp_transport *smtp = userdata;
	struct smtp_watch *watch = &smtp->watch;
	int64_t now = now_ms();

	(void)download_total;
	(void)download_now;
	(void)upload_total;
	(void)upload_now;
	if (watch->quitting)
		return now - watch->quit_started_ms > SMTP_QUIT_WAIT_MS;
	if (watch->phase == SMTP_PHASE_CONNECT && is_connected(smtp))
		enter(watch, SMTP_PHASE_GREETING);
	if (watch->phase == SMTP_PHASE_DONE)
		return 0;
	if (now - watch->phase_started_ms <=
	    transport_smtp_reply_limit(smtp, watch->phase) * 1000)
		return 0;
	/* Returning non-zero stops the transfer; the phase says why. */
	watch->timed_out = 1;
	return 1;
}

void
transport_smtp_reply_watch(struct smtp_transport *smtp)
{
	CURL *curl = smtp->curl;

	curl_easy_setopt(curl, CURLOPT_READFUNCTION, watch_read);
	curl_easy_setopt(curl, CURLOPT_READDATA, smtp);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, watch_progress);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, smtp);
	/* The debug callback only runs in verbose mode; it prints nothing. */
	curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, watch_debug);
	curl_easy_setopt(curl, CURLOPT_DEBUGDATA, smtp);
	curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
}

void
transport_smtp_reply_reset(struct smtp_transport *smtp, const char *message,
			   size_t size)
{
	struct smtp_watch *watch = &smtp->watch;

	buf_reset(&watch->line);
	buf_reset(&watch->reply);
	free(watch->last_reply);
	watch->last_reply = NULL;
	watch->last_code = 0;
	watch->reply_count = 0;
	watch->last_command[0] = '\0';
	watch->timed_out = 0;
	watch->quitting = 0;
	watch->garbage_seen = 0;
	watch->tls_record_seen = 0;
	watch->out_of_step = 0;
	watch->upload_complete = 0;
	watch->final_reply_seen = 0;
	watch->data = message;
	watch->size = size;
	watch->offset = 0;
	watch->data_sent = 0;
	enter(watch, SMTP_PHASE_CONNECT);
	smtp->error_buffer[0] = '\0';
}

void
transport_smtp_reply_free(struct smtp_transport *smtp)
{
	buf_free(&smtp->watch.line);
	buf_free(&smtp->watch.reply);
	free(smtp->watch.last_reply);
	smtp->watch.last_reply = NULL;
}
