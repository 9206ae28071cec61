/*
 * 5101-esmtp.c - the libESMTP transport without a server, and a client the
 * 51xx scripts drive.
 *
 * Without arguments: what the transport refuses to try (implicit TLS, an
 * IPv6 literal, the shared URL rules, a CA file that cannot be read),
 * unusable addresses in a batch, and the session watch (credentials never
 * kept, pipelined commands, AUTH and STARTTLS replies).
 *
 * With "send FROM RCPT...": composes one digest per recipient and sends
 * them with transport_send_batch() in batches of SMTP_TEST_BATCH (all in
 * one when unset), printing "RCPT STATUS message" per recipient and
 * "batch STATUS" per batch.  The provider comes from the environment as
 * for 5001-transport (SMTP_TEST_URL, SMTP_TEST_TLS, SMTP_TEST_CA,
 * SMTP_TEST_USER, SMTP_TEST_PASSWORD, SMTP_TEST_TIMEOUT,
 * SMTP_TEST_DATA_TIMEOUT, SMTP_TEST_NO_DOTS).  With SMTP_TEST_HOOK the
 * before_data hook prints "hook RCPT" each time it is called, and
 * returns -1 for the recipient SMTP_TEST_HOLD.  With SMTP_TEST_SAVE=DIR
 * each composed message is also written to DIR/RCPT.eml, so that a script
 * can compare it with what the server stored.  SMTP_TEST_CURL=1 sends
 * through the libcurl transport instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "mail.h"
#include "transport.h"
#include "transport_esmtp_impl.h"
#include "util.h"

static int failures;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);        \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			failures++;                                            \
		}                                                              \
	} while (0)

static const char *const status_names[] = {"OK", "ETEMP", "EPERM", "ECONFIG",
					   "EUNCERTAIN"};

/* One send through a transport made for url that must fail with needle. */
static void
expect_config_problem(const char *url, enum tls_mode tls, const char *ca_file,
		      const char *needle)
{
	struct provider provider;
	struct transport *transport;
	char *errstr = NULL;
	enum transport_status status;

	memset(&provider, 0, sizeof provider);
	provider.id = "zeelandnet";
	provider.smtp_url = (char *)url;
	provider.tls = tls;
	provider.ca_file = (char *)ca_file;
	provider.timeout = 2;
	transport = transport_open_esmtp(&provider, NULL);
	status = transport_send(transport, "from@example.nl", "to@example.nl",
				"x\r\n", 3, &errstr);
	CHECK(status == TRANSPORT_ECONFIG && errstr != NULL &&
		  strstr(errstr, needle) != NULL,
	      "%s: %d \"%s\", want \"%s\"", url, (int)status,
	      errstr ? errstr : "", needle);
	free(errstr);
	transport_close(transport);
}

static void
test_config(void)
{
	expect_config_problem("smtps://127.0.0.1:1", TLS_IMPLICIT, NULL,
			      "libESMTP cannot do implicit TLS");
	expect_config_problem("smtp://[::1]:1", TLS_NONE, NULL,
			      "IPv6 address literal");
	expect_config_problem("smtp://mail.example.nl:25", TLS_NONE, NULL,
			      "tls = none is only for a relay on this");
	expect_config_problem("smtps://127.0.0.1:1", TLS_STARTTLS, NULL,
			      "tls = starttls needs an smtp:// URL");
	expect_config_problem("smtp://127.0.0.1:1", TLS_STARTTLS,
			      "/nonexistent/ca.pem", "/nonexistent/ca.pem");
}

/*
 * Jobs with unusable addresses are settled without a connection: the port
 * here has nothing behind it, so a connection would show as ETEMP.
 */
static void
test_unusable_addresses(void)
{
	struct provider provider;
	struct transport *transport;
	struct transport_job jobs[2];
	enum transport_status status;

	memset(&provider, 0, sizeof provider);
	provider.id = "local";
	provider.smtp_url = "smtp://127.0.0.1:1";
	provider.tls = TLS_NONE;
	memset(jobs, 0, sizeof jobs);
	jobs[0].envelope_from = "from@example.nl";
	jobs[0].recipient = "to@example.nl>\r\nRCPT TO:<x@example.nl";
	jobs[1].envelope_from = "from@example.nl\r\n";
	jobs[1].recipient = "to@example.nl";
	jobs[0].message = jobs[1].message = "x\r\n";
	jobs[0].size = jobs[1].size = 3;
	transport = transport_open_esmtp(&provider, NULL);
	status = transport_send_batch(transport, jobs, 2, NULL, NULL);
	CHECK(status == TRANSPORT_OK, "batch status %d", (int)status);
	CHECK(jobs[0].status == TRANSPORT_EPERM && jobs[0].errstr != NULL &&
		  strstr(jobs[0].errstr, "recipient") != NULL,
	      "unusable recipient: %d %s", (int)jobs[0].status,
	      jobs[0].errstr ? jobs[0].errstr : "");
	CHECK(jobs[1].status == TRANSPORT_ECONFIG, "unusable sender: %d",
	      (int)jobs[1].status);
	free(jobs[0].errstr);
	free(jobs[1].errstr);
	transport_close(transport);
}

/* Feeds text to watch as if libESMTP wrote (1) or read (0) it. */
static void
feed(struct esmtp_watch *watch, const char *text, int writing)
{
	transport_esmtp_watch_take(watch, text, strlen(text), writing);
}

static void
test_watch(void)
{
	struct esmtp_watch watch;

	memset(&watch, 0, sizeof watch);
	/* A greeting in pieces, split mid-line. */
	feed(&watch, "220-smtp.example.nl\r\n220 re", 0);
	CHECK(watch.reply_count == 0, "reply ended early");
	feed(&watch, "ady\x01\r\n", 0);
	CHECK(watch.greeting_code == 220 && watch.greeting != NULL &&
		  strcmp(watch.greeting, "220 smtp.example.nl / ready?") == 0,
	      "greeting \"%s\"", watch.greeting ? watch.greeting : "");
	feed(&watch, "STARTTLS\r\n", 1);
	feed(&watch, "454 4.7.0 TLS not available\r\n", 0);
	CHECK(watch.starttls_code == 454, "STARTTLS reply %d",
	      watch.starttls_code);
	/* AUTH's later lines are credentials: never kept, never verbs. */
	feed(&watch, "AUTH LOGIN\r\n", 1);
	feed(&watch, "334 VXNlcm5hbWU6\r\n", 0);
	feed(&watch, "RSETc2VjcmV0\r\n", 1);
	CHECK(strcmp(watch.last_command, "AUTH") == 0,
	      "a credential line became the verb %s", watch.last_command);
	feed(&watch, "535 5.7.8 bad credentials\r\n", 0);
	CHECK(watch.auth_code == 535 && watch.auth_reply != NULL &&
		  strstr(watch.auth_reply, "bad credentials") != NULL,
	      "AUTH reply %d", watch.auth_code);
	/* Pipelined commands in one write: the last one counts. */
	feed(&watch, "MAIL FROM:<a@example.nl>\r\n", 1);
	CHECK(strcmp(watch.last_command, "MAIL") == 0, "MAIL not seen");
	feed(&watch, "RCPT TO:<b@example.nl>\r\nDATA\r\n", 1);
	CHECK(strcmp(watch.last_command, "DATA") == 0, "DATA not seen: %s",
	      watch.last_command);
	/* A line that is no reply changes nothing. */
	feed(&watch, "hello there\r\n", 0);
	CHECK(watch.last_code == 535, "garbage taken as a reply");
	transport_esmtp_watch_free(&watch);
}

static char *
compose_for(const char *from, const char *recipient)
{
	struct mail_input input;
	char *message = NULL;
	char *errstr = NULL;
	size_t size;

	memset(&input, 0, sizeof input);
	input.from_address = from;
	input.from_name = "ZeelandNet webmail";
	input.to_address = recipient;
	input.to_name = "Ëlla Ünal";
	input.subject = "Buitenland vandaag – zondag 29 november";
	input.date = datetime_from_utc(2026, 11, 29, 6, 0, 0);
	input.timezone = "Europe/Amsterdam";
	input.text_body = "Buitenland vandaag\n\n1. Café in Zürich\n"
			  ".\n.. a line with dots\nFrom here on\n";
	if (getenv("SMTP_TEST_NO_DOTS") != NULL)
		input.text_body = "Buitenland vandaag\n\n1. Café in Zürich\n";
	input.html_body = "<h1>Buitenland vandaag</h1>\n<p>Café in Zürich"
			  "</p>\n";
	input.list_id = "Buitenland digest <buitenland.example.nl>";
	input.unsubscribe_mailto = "afmelden@example.nl";
	input.unsubscribe_url = "https://nieuws.example.nl/afmelden?t=1";
	input.message_id_domain = "digest.example.nl";
	if (mail_compose(&input, &message, &size, NULL, &errstr) != MAIL_OK) {
		fprintf(stderr, "compose: %s\n", errstr);
		free(errstr);
		return NULL;
	}
	return message;
}

/* Reads a number from min to max from the environment; -1 when bad. */
static int
number_from(const char *variable, long min, long max, long fallback,
	    long *value_out)
{
	const char *value = getenv(variable);

	*value_out = fallback;
	if (value == NULL)
		return 0;
	return util_parse_long(value, min, max, value_out);
}

/* The hook: says which job is about to go, and holds one back. */
static int
before_data(void *context, struct transport_job *job)
{
	const char *hold = context;

	printf("hook %s\n", job->recipient);
	return hold != NULL && strcmp(hold, job->recipient) == 0 ? -1 : 0;
}

/*
 * The after hook: says that a job's fate is known (before the next job's
 * hook, when it is known as its final reply comes), leaving errstr in it.
 */
static void
after(void *context, struct transport_job *job)
{
	(void)context;
	printf("after %s\n", job->recipient);
}

/* Writes message to DIR/RCPT.eml when SMTP_TEST_SAVE names DIR. */
static int
save(const char *recipient, const char *message)
{
	const char *directory = getenv("SMTP_TEST_SAVE");
	char *path;
	int result;

	if (directory == NULL)
		return 0;
	path = xasprintf("%s/%s.eml", directory, recipient);
	result = util_write_file_atomic(path, message, strlen(message));
	free(path);
	return result;
}

/* Sends jobs[0..count) as one batch and prints the outcome. */
static void
send_batch(struct transport *transport, struct transport_job *jobs,
	   size_t count)
{
	static const struct transport_hooks hooks = {before_data, after};
	enum transport_status status;
	size_t i;

	status = transport_send_batch(transport, jobs, count,
				      getenv("SMTP_TEST_HOOK") != NULL ? &hooks
								       : NULL,
				      (void *)getenv("SMTP_TEST_HOLD"));
	for (i = 0; i < count; i++) {
		printf("%s %s %s\n", jobs[i].recipient,
		       status_names[jobs[i].status],
		       jobs[i].errstr ? jobs[i].errstr : "-");
		free(jobs[i].errstr);
		jobs[i].errstr = NULL;
	}
	printf("batch %s\n", status_names[status]);
}

static struct transport *
open_transport(void)
{
	static struct provider provider;
	const char *tls = getenv("SMTP_TEST_TLS");

	memset(&provider, 0, sizeof provider);
	provider.id = "testprovider";
	provider.smtp_url = getenv("SMTP_TEST_URL");
	provider.ca_file = getenv("SMTP_TEST_CA");
	provider.user = getenv("SMTP_TEST_USER");
	provider.tls = TLS_STARTTLS;
	if (tls != NULL && strcmp(tls, "implicit") == 0)
		provider.tls = TLS_IMPLICIT;
	else if (tls != NULL && strcmp(tls, "none") == 0)
		provider.tls = TLS_NONE;
	if (number_from("SMTP_TEST_CONNECT_TIMEOUT", 1, 3600, 5,
			&provider.connect_timeout) < 0 ||
	    number_from("SMTP_TEST_TIMEOUT", 1, 3600, 5, &provider.timeout) <
		0 ||
	    number_from("SMTP_TEST_DATA_TIMEOUT", 1, 3600, 10,
			&provider.data_timeout) < 0)
		return NULL;
	if (getenv("SMTP_TEST_CURL") != NULL)
		return transport_open_smtp(&provider,
					   getenv("SMTP_TEST_PASSWORD"));
	return transport_open_esmtp(&provider, getenv("SMTP_TEST_PASSWORD"));
}

static int
run_client(int argc, char **argv)
{
	struct transport *transport = open_transport();
	size_t count = (size_t)(argc - 3);
	struct transport_job *jobs;
	char **messages;
	long batch_size;
	size_t i, start;
	int result = 0;

	if (transport == NULL || number_from("SMTP_TEST_BATCH", 1, 100000,
					     (long)count, &batch_size) < 0)
		return 2;
	jobs = xcalloc(count, sizeof *jobs);
	messages = xcalloc(count, sizeof *messages);
	for (i = 0; i < count && result == 0; i++) {
		messages[i] = compose_for(argv[2], argv[i + 3]);
		if (messages[i] == NULL || save(argv[i + 3], messages[i]) < 0)
			result = 2;
		jobs[i].envelope_from = argv[2];
		jobs[i].recipient = argv[i + 3];
		jobs[i].message = messages[i];
		jobs[i].size = messages[i] ? strlen(messages[i]) : 0;
	}
	for (start = 0; start < count && result == 0;
	     start += (size_t)batch_size)
		send_batch(transport, jobs + start,
			   count - start < (size_t)batch_size
			       ? count - start
			       : (size_t)batch_size);
	transport_close(transport);
	for (i = 0; i < count; i++)
		free(messages[i]);
	free(messages);
	free(jobs);
	if (fflush(stdout) != 0)
		return 2;
	return result;
}

int
main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "send") == 0)
		return run_client(argc, argv);
	test_config();
	test_unusable_addresses();
	test_watch();
	if (failures != 0) {
		fprintf(stderr, "%d failures\n", failures);
		return 1;
	}
	return 0;
}
