/*
 * transport_esmtp_classify.c - each job's status and message once its
 * libESMTP session is over, with the same words and statuses as the
 * libcurl transport (transport_smtp_classify.c).
 *
 * libESMTP keeps each message's replies (MAIL, RCPT, the data); the watch
 * (transport_esmtp_watch.c) kept what came before them and what ended the
 * session.  libESMTP reports a wait that ran out like a connection that
 * ended; the clock tells them apart: a session that ended a whole limit
 * after the last thing that happened had timed out.
 */
#include "transport_esmtp_impl.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

/* poll() never ends a wait early; this much slack covers the clock. */
#define ESMTP_TIMEOUT_SLACK_MS 100

/* "30 s", "5 min": a limit as the operator wrote it (free()). */
static char *
format_limit(long seconds)
{
	if (seconds >= 60 && seconds % 60 == 0)
		return xasprintf("%ld min", seconds / 60);
	return xasprintf("%ld s", seconds);
}

/* The wait that ended the session ran for its whole limit. */
static int
timed_out(const struct esmtp_batch *batch, long seconds)
{
	return batch->ended_ms - batch->watch.last_activity_ms >=
	       seconds * 1000 - ESMTP_TIMEOUT_SLACK_MS;
}

/* Why a wait ended without its reply (free()). */
static char *
ending(const struct esmtp_batch *batch)
{
	switch (batch->session_error) {
	case SMTP_ERR_INVALID_RESPONSE_SYNTAX:
	case SMTP_ERR_STATUS_MISMATCH:
	case SMTP_ERR_UNTERMINATED_RESPONSE:
	case SMTP_ERR_INVALID_RESPONSE_STATUS:
		return xasprintf("the server at %s answered out of step",
				 batch->esmtp->host_port);
	default:
		return xasprintf("the connection to %s ended",
				 batch->esmtp->host_port);
	}
}

/*
 * what (freed here) got no reply within limit seconds, or the connection
 * ended first.  Returns the message (free()).
 */
static char *
no_reply(const struct esmtp_batch *batch, char *what, long limit)
{
	char *words;
	char *message;

	if (timed_out(batch, limit)) {
		words = format_limit(limit);
		message = xasprintf("no reply to %s within %s", what, words);
	} else {
		words = ending(batch);
		message =
		    xasprintf("%s failed: %s before its reply", what, words);
	}
	free(words);
	free(what);
	return message;
}

/*
 * A reply as the server wrote it, on one line: "550 5.1.1 no such user"
 * (free()).  libESMTP keeps the code, the enhanced status and the text
 * (its lines joined by CRLF) apart.
 */
static char *
quote_reply(const smtp_status_t *reply)
{
	struct buf quoted = BUF_INIT;
	const char *text = reply->text ? reply->text : "";
	int in_break = 0;

	buf_printf(&quoted, "%d", reply->code);
	if (reply->enh_class != 0)
		buf_printf(&quoted, " %d.%d.%d", reply->enh_class,
			   reply->enh_subject, reply->enh_detail);
	if (*text != '\0')
		buf_putc(&quoted, ' ');
	for (; *text != '\0' && quoted.length < ESMTP_REPLY_MAX; text++) {
		unsigned char c = (unsigned char)*text;

		if (c == '\r' || c == '\n') {
			in_break = 1;
			continue;
		}
		if (in_break)
			buf_puts(&quoted, " / ");
		in_break = 0;
		buf_putc(&quoted, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
	return buf_detach(&quoted);
}

/* what (freed here) was refused with reply: its status and message. */
static enum transport_status
refused(char *what, const smtp_status_t *reply, char **errstr_out)
{
	char *quoted = quote_reply(reply);
	int code = reply->code;

	*errstr_out = xasprintf("%s refused: %s", what, quoted);
	free(quoted);
	free(what);
	if (code == 530 || code == 534 || code == 535 || code == 538)
		return TRANSPORT_ECONFIG;
	return code >= 500 ? TRANSPORT_EPERM : TRANSPORT_ETEMP;
}

/* The TLS part of the session failed.  Returns OK when it did not. */
static enum transport_status
tls_problem(const struct esmtp_batch *batch, char **problem_out)
{
	const struct esmtp_watch *watch = &batch->watch;
	const char *host_port = batch->esmtp->host_port;
	char error[256] = "the connection ended";
	char *limit;

	if (watch->starttls_missing) {
		*problem_out = xasprintf("STARTTLS is required but %s does not "
					 "offer it; nothing was sent in plain "
					 "text",
					 host_port);
		return TRANSPORT_ECONFIG;
	}
	if (watch->certificate_error != 0) {
		*problem_out = xasprintf(
		    "TLS certificate of %s not accepted (check ca_file): %s",
		    host_port,
		    watch->certificate_error < 0
			? "it sent none"
			: X509_verify_cert_error_string(
			      watch->certificate_error));
		return TRANSPORT_ECONFIG;
	}
	if (batch->esmtp->tls != TLS_STARTTLS || watch->tls_up ||
	    strcmp(watch->last_command, "STARTTLS") != 0)
		return TRANSPORT_OK;
	if (watch->starttls_code == 0) {
		*problem_out =
		    no_reply(batch, xasprintf("STARTTLS at %s", host_port),
			     batch->esmtp->timeout);
		return TRANSPORT_ETEMP;
	}
	if (watch->starttls_code >= 400) {
		*problem_out = xasprintf("STARTTLS at %s refused: %s",
					 host_port, watch->last_reply);
		return watch->starttls_code >= 500 ? TRANSPORT_ECONFIG
						   : TRANSPORT_ETEMP;
	}
	if (timed_out(batch, batch->esmtp->timeout)) {
		limit = format_limit(batch->esmtp->timeout);
		*problem_out = xasprintf("TLS handshake with %s after STARTTLS "
					 "took more than %s",
					 host_port, limit);
		free(limit);
		return TRANSPORT_ETEMP;
	}
	if (batch->tls_error != 0)
		ERR_error_string_n(batch->tls_error, error, sizeof error);
	*problem_out =
	    xasprintf("TLS handshake with %s failed: %s", host_port, error);
	return TRANSPORT_ECONFIG;
}

/* AUTH was due and did not succeed. */
static enum transport_status
auth_problem(const struct esmtp_batch *batch, int any_reached,
	     char **problem_out)
{
	const struct esmtp_watch *watch = &batch->watch;
	const struct esmtp_transport *esmtp = batch->esmtp;

	if (esmtp->user == NULL || watch->auth_code == 235)
		return TRANSPORT_OK;
	if (watch->auth_code != 0)
		*problem_out =
		    xasprintf("AUTH as \"%s\" at %s refused: %s", esmtp->user,
			      esmtp->host_port, watch->auth_reply);
	else if (any_reached)
		*problem_out = xasprintf("AUTH as \"%s\" at %s failed: the "
					 "server offers no mechanism we can "
					 "use (PLAIN, LOGIN)",
					 esmtp->user, esmtp->host_port);
	else
		return TRANSPORT_OK;
	return TRANSPORT_ECONFIG;
}

/* The session ended before its first MAIL command. */
static enum transport_status
handshake_problem(const struct esmtp_batch *batch, char **problem_out)
{
	const struct esmtp_watch *watch = &batch->watch;
	const char *host_port = batch->esmtp->host_port;
	int code = watch->last_code;
	char *limit;

	if (watch->reply_count == 0) {
		if (batch->session_error == SMTP_ERR_INVALID_RESPONSE_SYNTAX) {
			*problem_out = xasprintf(
			    "the server at %s does not speak SMTP: its first "
			    "line is not an SMTP greeting",
			    host_port);
			return TRANSPORT_ECONFIG;
		}
		if (timed_out(batch, batch->esmtp->timeout)) {
			limit = format_limit(batch->esmtp->timeout);
			*problem_out = xasprintf(
			    "no greeting from %s within %s", host_port, limit);
			free(limit);
		} else {
			*problem_out = xasprintf("the connection to %s ended "
						 "before its greeting",
						 host_port);
		}
		return TRANSPORT_ETEMP;
	}
	if (watch->greeting_code >= 400) {
		code = watch->greeting_code;
		*problem_out = xasprintf("greeting from %s refused: %s",
					 host_port, watch->greeting);
	} else if (code >= 400) {
		*problem_out =
		    xasprintf("%s at %s refused: %s", watch->last_command,
			      host_port, watch->last_reply);
	} else {
		*problem_out = no_reply(
		    batch,
		    xasprintf("%s at %s", watch->last_command, host_port),
		    batch->esmtp->timeout);
		return TRANSPORT_ETEMP;
	}
	return code >= 500 ? TRANSPORT_EPERM : TRANSPORT_ETEMP;
}

/* A MAIL command went out: the session is in the messages' hands. */
static int
transaction_began(const struct esmtp_watch *watch)
{
	static const char *const verbs[] = {"MAIL", "RCPT", "DATA",
					    "BDAT", "RSET", NULL};
	size_t i;

	for (i = 0; verbs[i] != NULL; i++)
		if (strcmp(watch->last_command, verbs[i]) == 0)
			return 1;
	return 0;
}

/*
 * What went wrong for the whole session, before or instead of its
 * messages.  Returns OK when nothing did, or the status with
 * *problem_out (free()).
 */
static enum transport_status
session_problem(const struct esmtp_batch *batch, char **problem_out)
{
	enum transport_status status;
	char error[256];
	int any_reached = 0;
	size_t i;

	*problem_out = NULL;
	for (i = 0; i < batch->count; i++)
		if (batch->jobs[i].message != NULL &&
		    smtp_reverse_path_status(batch->jobs[i].message)->code != 0)
			any_reached = 1;
	if (!batch->watch.connected) {
		smtp_strerror(batch->session_error, error, sizeof error);
		*problem_out = xasprintf("cannot connect to %s: %s",
					 batch->esmtp->host_port, error);
		return TRANSPORT_ETEMP;
	}
	status = tls_problem(batch, problem_out);
	if (status == TRANSPORT_OK)
		status = auth_problem(batch, any_reached, problem_out);
	if (status == TRANSPORT_OK && !any_reached &&
	    !transaction_began(&batch->watch))
		status = handshake_problem(batch, problem_out);
	return status;
}

/* After the data: the final reply, or why none came. */
static enum transport_status
classify_end(const struct esmtp_batch *batch, const struct esmtp_job *job,
	     char **errstr_out, int *broke_out)
{
	const smtp_status_t *reply = smtp_message_transfer_status(job->message);
	const char *recipient = job->job->recipient;
	char *words;

	if (job->final_seen && reply->code >= 200 && reply->code < 300 &&
	    job->data_complete)
		return TRANSPORT_OK;
	if (job->final_seen && reply->code >= 400)
		return refused(xasprintf("message to <%s> (DATA)", recipient),
			       reply, errstr_out);
	*broke_out = 1;
	if (!job->data_complete || job->write_failed || job->final_seen) {
		words = ending(batch);
		*errstr_out = xasprintf("sending the message to <%s> failed: "
					"%s",
					recipient, words);
		free(words);
		return TRANSPORT_ETEMP;
	}
	if (timed_out(batch, batch->esmtp->data_timeout)) {
		words = format_limit(batch->esmtp->data_timeout);
		*errstr_out = xasprintf("no reply to the end of the message "
					"to <%s> within %s: the server may "
					"have stored it",
					recipient, words);
	} else {
		words = ending(batch);
		*errstr_out = xasprintf("message to <%s> (DATA): %s before "
					"the reply to the end of the message: "
					"the server may have stored it",
					recipient, words);
	}
	free(words);
	return TRANSPORT_EUNCERTAIN;
}

/*
 * One job the session reached, from its replies.  *broke_out says the
 * session ended at this job, so that none after it was tried.
 */
static enum transport_status
classify_job(const struct esmtp_batch *batch, const struct esmtp_job *job,
	     char **errstr_out, int *broke_out)
{
	const smtp_status_t *mail = smtp_reverse_path_status(job->message);
	const smtp_status_t *rcpt = smtp_recipient_status(job->recipient);
	const smtp_status_t *data = smtp_message_transfer_status(job->message);
	const struct transport_job *outer = job->job;
	long limit = batch->esmtp->timeout;

	*broke_out = 0;
	if (job->held_back) {
		*broke_out = 1;
		*errstr_out = xstrdup("held back before its data");
		return TRANSPORT_ETEMP;
	}
	if (mail->code < 400 && mail->code >= 200 && rcpt->code >= 400)
		return refused(xasprintf("RCPT TO <%s>", outer->recipient),
			       rcpt, errstr_out);
	if (mail->code >= 400)
		return refused(
		    xasprintf("MAIL FROM <%s>", outer->envelope_from), mail,
		    errstr_out);
	*broke_out = 1;
	if (mail->code == 0) {
		*errstr_out = no_reply(
		    batch, xasprintf("MAIL FROM <%s>", outer->envelope_from),
		    limit);
		return TRANSPORT_ETEMP;
	}
	if (rcpt->code == 0) {
		*errstr_out = no_reply(
		    batch, xasprintf("RCPT TO <%s>", outer->recipient), limit);
		return TRANSPORT_ETEMP;
	}
	*broke_out = 0;
	if (job->data_started)
		return classify_end(batch, job, errstr_out, broke_out);
	if (job->final_seen && data->code >= 400)
		return refused(
		    xasprintf("message to <%s> (DATA)", outer->recipient), data,
		    errstr_out);
	*broke_out = 1;
	*errstr_out = no_reply(
	    batch, xasprintf("message to <%s> (DATA)", outer->recipient),
	    limit);
	return TRANSPORT_ETEMP;
}

/* Why the jobs after the one where the session ended were not sent. */
static char *
not_sent(const struct esmtp_batch *batch, const struct esmtp_job *job)
{
	if (job->held_back)
		return xasprintf("not sent: the connection was closed to hold "
				 "back the message to <%s>",
				 job->job->recipient);
	return xasprintf("not sent: the session with %s broke off at the "
			 "message to <%s>",
			 batch->esmtp->host_port, job->job->recipient);
}

enum transport_status
transport_esmtp_classify(struct esmtp_batch *batch)
{
	enum transport_status status = TRANSPORT_OK;
	enum transport_status session;
	char *problem = NULL;
	char *reason = NULL;
	struct esmtp_job *job;
	int broke;
	size_t i;

	session = session_problem(batch, &problem);
	for (i = 0; i < batch->count; i++) {
		job = &batch->jobs[i];
		if (job->message == NULL || job->told)
			continue; /* settled before the session, or during */
		free(job->job->errstr);
		job->job->errstr = NULL;
		if (problem != NULL) {
			/* The first job met the problem; the rest never began.
			 */
			job->job->tried = status == TRANSPORT_OK;
			job->job->status = session;
			job->job->errstr = xstrdup(problem);
			status = session;
			continue;
		}
		if (reason != NULL) {
			job->job->status = TRANSPORT_ETEMP;
			job->job->errstr = xstrdup(reason);
			status = TRANSPORT_ETEMP;
			continue;
		}
		job->job->tried = 1;
		job->job->status =
		    classify_job(batch, job, &job->job->errstr, &broke);
		if (broke)
			reason = not_sent(batch, job);
	}
	free(reason);
	free(problem);
	return status;
}

void
transport_esmtp_settle_early(struct esmtp_batch *batch, struct esmtp_job *job)
{
	int code = smtp_message_transfer_status(job->message)->code;
	int broke = 0;

	if (job->told || !job->data_started)
		return;
	/* A 2xx counts only if all of the data went out before it. */
	if (!(code >= 400 || (code >= 200 && code < 300 && job->data_complete &&
			      !job->write_failed)))
		return;
	free(job->job->errstr);
	job->job->errstr = NULL;
	job->job->tried = 1;
	job->job->status = classify_end(batch, job, &job->job->errstr, &broke);
	transport_esmtp_tell(batch, job);
}

void
transport_esmtp_tell(struct esmtp_batch *batch, struct esmtp_job *job)
{
	const struct transport_hooks *hooks = batch->hooks;

	if (job->told)
		return;
	job->told = 1;
	util_redact(&job->job->errstr, batch->esmtp->password);
	if (hooks != NULL && hooks->after != NULL)
		hooks->after(batch->context, job->job);
}
