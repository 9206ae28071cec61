/*
 * serve_mail.c - the confirmation mails of digest serve, sent by a thread
 * of their own through the provider the visitor chose, as the digest is
 * (transport.h; or into the Maildir or onto standard output when the
 * configuration says so).  A sign-up page only queues its mail: it
 * answers at once, and as fast for an address that gets no mail as for
 * one that does, so the page's timing tells nothing either.
 */
#include "serve_impl.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "transport.h"

/* More waiting mails than this is a flood: the rest are not sent. */
#define SERVE_MAIL_QUEUE 32

struct queued_mail {
	const struct provider *provider;
	char *recipient;
	char *message;
	size_t size;
};

struct serve_mailer {
	const struct config *config;
	serve_log_fn log;
	void *log_context;
	pthread_t thread;
	int running;
	pthread_mutex_t lock; /* guards the queue and stopping */
	pthread_cond_t ready;
	struct queued_mail queue[SERVE_MAIL_QUEUE];
	size_t first, count;
	int stopping;
};

static void mailer_log(struct serve_mailer *mailer, int problem,
		       const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void
mailer_log(struct serve_mailer *mailer, int problem, const char *format, ...)
{
	va_list args;
	char *line;

	va_start(args, format);
	line = xvasprintf(format, args);
	va_end(args);
	mailer->log(mailer->log_context, problem, line);
	free(line);
}

/* Opens the transport for provider, as a digest run does. */
static struct transport *
open_transport(struct serve_mailer *mailer, const struct provider *provider)
{
	const struct config *config = mailer->config;
	struct transport *transport;
	char *password = NULL, *errstr = NULL;

	if (config->transport == TRANSPORT_KIND_STDOUT)
		return transport_open_stdout();
	if (config->transport == TRANSPORT_KIND_MAILDIR)
		return transport_open_maildir(config->outbox_dir);
	if (provider_read_password(provider, &password, &errstr) < 0) {
		mailer_log(mailer, 1, "confirmation mail: %s", errstr);
		free(errstr);
		return NULL;
	}
	transport = transport_open_provider(provider, password);
	if (password) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	return transport;
}

static void
send_one(struct serve_mailer *mailer, struct queued_mail *mail)
{
	struct transport *transport = open_transport(mailer, mail->provider);
	enum transport_status status;
	char *errstr = NULL;

	if (transport == NULL) {
		mailer_log(mailer, 1,
			   "confirmation mail to %s (provider %s): not sent",
			   mail->recipient, mail->provider->id);
		return;
	}
	status =
	    transport_send(transport, mail->provider->from_address,
			   mail->recipient, mail->message, mail->size, &errstr);
	if (status == TRANSPORT_OK)
		mailer_log(mailer, 0,
			   "confirmation mail to %s sent (provider %s)",
			   mail->recipient, mail->provider->id);
	else
		mailer_log(mailer, 1,
			   "confirmation mail to %s (provider %s): not sent: "
			   "%s",
			   mail->recipient, mail->provider->id,
			   errstr ? errstr : "failed");
	free(errstr);
	transport_close(transport);
}

static void
clear_mail(struct queued_mail *mail)
{
	free(mail->recipient);
	free(mail->message);
	memset(mail, 0, sizeof *mail);
}

static void *
mailer_thread(void *context)
{
	struct serve_mailer *mailer = context;
	struct queued_mail mail;

	pthread_mutex_lock(&mailer->lock);
	for (;;) {
		while (mailer->count == 0 && !mailer->stopping)
			pthread_cond_wait(&mailer->ready, &mailer->lock);
		if (mailer->count == 0)
			break;
		mail = mailer->queue[mailer->first];
		mailer->first = (mailer->first + 1) % SERVE_MAIL_QUEUE;
		mailer->count--;
		pthread_mutex_unlock(&mailer->lock);
		send_one(mailer, &mail);
		clear_mail(&mail);
		pthread_mutex_lock(&mailer->lock);
	}
	pthread_mutex_unlock(&mailer->lock);
	return NULL;
}

struct serve_mailer *
serve_mailer_start(const struct config *config, serve_log_fn log,
		   void *log_context)
{
	struct serve_mailer *mailer = xcalloc(1, sizeof *mailer);

	mailer->config = config;
	mailer->log = log;
	mailer->log_context = log_context;
	pthread_mutex_init(&mailer->lock, NULL);
	pthread_cond_init(&mailer->ready, NULL);
	if (pthread_create(&mailer->thread, NULL, mailer_thread, mailer) == 0)
		mailer->running = 1;
	return mailer;
}

int
serve_mailer_queue(struct serve_mailer *mailer, const struct provider *provider,
		   const char *recipient, char *message, size_t size)
{
	struct queued_mail *slot;
	int result = -1;

	pthread_mutex_lock(&mailer->lock);
	if (mailer->running && mailer->count < SERVE_MAIL_QUEUE &&
	    !mailer->stopping) {
		slot = &mailer->queue[(mailer->first + mailer->count) %
				      SERVE_MAIL_QUEUE];
		slot->provider = provider;
		slot->recipient = xstrdup(recipient);
		slot->message = message;
		slot->size = size;
		message = NULL;
		mailer->count++;
		pthread_cond_signal(&mailer->ready);
		result = 0;
	}
	pthread_mutex_unlock(&mailer->lock);
	free(message);
	return result;
}

void
serve_mailer_stop(struct serve_mailer *mailer)
{
	if (mailer == NULL)
		return;
	pthread_mutex_lock(&mailer->lock);
	mailer->stopping = 1;
	pthread_cond_signal(&mailer->ready);
	pthread_mutex_unlock(&mailer->lock);
	/* The thread sends what is queued before it ends. */
	if (mailer->running)
		pthread_join(mailer->thread, NULL);
	while (mailer->count > 0) {
		clear_mail(&mailer->queue[mailer->first]);
		mailer->first = (mailer->first + 1) % SERVE_MAIL_QUEUE;
		mailer->count--;
	}
	pthread_cond_destroy(&mailer->ready);
	pthread_mutex_destroy(&mailer->lock);
	free(mailer);
}
