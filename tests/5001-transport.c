/*
 * 5001-transport.c - the transports without a server, and a client the
 * 5xxx scripts drive.
 *
 * Without arguments: the SMTP reply parser table, envelope address checks,
 * the maildir outbox and the SMTP transport's configuration checks.
 *
 * With "stdout FROM RCPT...": the same through the stdout transport.
 *
 * With "send FROM RCPT...": composes one digest per recipient and sends
 * them all over one SMTP transport, printing "RCPT STATUS message" per
 * recipient.  The provider comes from the environment, the password too
 * (never argv): SMTP_TEST_URL, SMTP_TEST_TLS (starttls, implicit, none),
 * SMTP_TEST_CA, SMTP_TEST_USER, SMTP_TEST_PASSWORD, and the limits in
 * seconds SMTP_TEST_CONNECT_TIMEOUT, SMTP_TEST_TIMEOUT and
 * SMTP_TEST_DATA_TIMEOUT (5, 5 and 10 when unset); SMTP_TEST_PAUSE_MS
 * makes it wait that long between two messages; with SMTP_TEST_NO_DOTS
 * the text has no line that starts with a dot.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "address.h"
#include "mail.h"
#include "transport.h"
#include "transport_impl.h"
#include "transport_smtp_impl.h"
#include "datetime.h"
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

struct reply_case {
	const char *line;
	int code; /* 0: refused */
	int is_last;
	const char *text;
};

static const struct reply_case reply_cases[] = {
    {"250 OK\r\n", 250, 1, "OK"},
    {"250-SIZE 1000\r\n", 250, 0, "SIZE 1000"},
    {"550 5.1.1 no such user", 550, 1, "5.1.1 no such user"},
    {"220", 220, 1, ""},
    {"354 \n", 354, 1, ""},
    {"421-", 421, 0, ""},
    {"199 too low", 0, 0, NULL},
    {"600 too high", 0, 0, NULL},
    {"25 short", 0, 0, NULL},
    {"2500 four digits", 0, 0, NULL},
    {"25a x", 0, 0, NULL},
    {"", 0, 0, NULL},
    {"\r\n", 0, 0, NULL},
    {"\x16\x03\x01\x02\x00", 0, 0, NULL},
    {"250_x", 0, 0, NULL},
};

static void
test_reply_parser(void)
{
	size_t i;

	for (i = 0; i < sizeof reply_cases / sizeof reply_cases[0]; i++) {
		const struct reply_case *c = &reply_cases[i];
		struct transport_smtp_reply_line parsed;
		int result = transport_smtp_reply_parse(
		    c->line, strlen(c->line), &parsed);

		if (c->code == 0) {
			CHECK(result == -1, "reply %zu \"%s\" accepted", i,
			      c->line);
			continue;
		}
		CHECK(result == 0, "reply %zu \"%s\" refused", i, c->line);
		if (result != 0)
			continue;
		CHECK(parsed.code == c->code && parsed.is_last == c->is_last &&
			  parsed.text_length == strlen(c->text) &&
			  memcmp(parsed.text, c->text, parsed.text_length) == 0,
		      "reply %zu: %d %d \"%.*s\"", i, parsed.code,
		      parsed.is_last, (int)parsed.text_length, parsed.text);
	}
}

/* Feeds one piece of traffic to watch. */
static void
feed(struct smtp_watch *watch, enum smtp_traffic kind, const char *text)
{
	transport_smtp_reply_take(watch, kind, text, strlen(text));
}

/* The session watch: phases, quoting, and what counts as out of step. */
static void
test_watch(void)
{
	struct smtp_transport *smtp = xcalloc(1, sizeof *smtp);
	struct smtp_watch *watch = &smtp->watch;

	transport_smtp_reply_reset(smtp, "x\r\n", 3);
	CHECK(watch->phase == SMTP_PHASE_CONNECT, "starts connecting");
	/* A greeting in two pieces, its second line split mid-way. */
	feed(watch, SMTP_TRAFFIC_REPLY, "220-smtp.example.nl\r\n220 re");
	CHECK(watch->reply_count == 0, "a reply ended early");
	feed(watch, SMTP_TRAFFIC_REPLY, "ady\x01\r\n");
	CHECK(watch->reply_count == 1 && watch->last_code == 220 &&
		  strcmp(watch->last_reply, "220 smtp.example.nl / ready?") ==
		      0 &&
		  watch->phase == SMTP_PHASE_CLIENT,
	      "greeting: %d \"%s\" phase %d", watch->reply_count,
	      watch->last_reply ? watch->last_reply : "", (int)watch->phase);
	feed(watch, SMTP_TRAFFIC_COMMAND, "RCPT TO:<a@example.nl>\r\n");
	CHECK(watch->phase == SMTP_PHASE_REPLY &&
		  strcmp(watch->last_command, "RCPT") == 0,
	      "RCPT: phase %d", (int)watch->phase);
	/* AUTH's later lines are credentials: never kept as a verb. */
	feed(watch, SMTP_TRAFFIC_COMMAND, "c2VjcmV0\r\n");
	CHECK(strcmp(watch->last_command, "RCPT") == 0, "credentials kept");
	feed(watch, SMTP_TRAFFIC_REPLY, "354 go ahead\r\n");
	feed(watch, SMTP_TRAFFIC_DATA, "x\r");
	CHECK(watch->phase == SMTP_PHASE_DATA && !watch->out_of_step,
	      "data: phase %d", (int)watch->phase);
	/*
	 * libcurl took the whole message (the read callback moved offset)
	 * and has sent exactly its size: it will not ask again, so this is
	 * the end of the data.
	 */
	watch->offset = watch->size;
	feed(watch, SMTP_TRAFFIC_DATA, "\n");
	CHECK(watch->upload_complete && watch->phase == SMTP_PHASE_FINAL,
	      "end of data missed: phase %d", (int)watch->phase);
	feed(watch, SMTP_TRAFFIC_REPLY, "250 queued\r\n");
	CHECK(watch->final_reply_seen && watch->phase == SMTP_PHASE_DONE,
	      "final reply missed: phase %d", (int)watch->phase);
	/* A reply nobody asked for, then libcurl's QUIT: neither counts. */
	transport_smtp_reply_reset(smtp, "x\r\n", 3);
	feed(watch, SMTP_TRAFFIC_REPLY, "220 hi\r\n250 late\r\n");
	CHECK(watch->out_of_step && watch->last_code == 250,
	      "a reply to nothing passed");
	feed(watch, SMTP_TRAFFIC_COMMAND, "QUIT\r\n");
	feed(watch, SMTP_TRAFFIC_REPLY, "221 bye\r\n");
	CHECK(watch->quitting && watch->last_code == 250,
	      "QUIT's reply replaced the one before");
	/* A TLS record where the greeting should be. */
	transport_smtp_reply_reset(smtp, "x\r\n", 3);
	feed(watch, SMTP_TRAFFIC_REPLY, "\x16\x03\x01\x02\x10\n");
	CHECK(watch->tls_record_seen && watch->garbage_seen &&
		  watch->reply_count == 0,
	      "TLS record not seen");
	transport_smtp_reply_free(smtp);
	free(smtp);
}

static void
test_addresses(void)
{
	CHECK(address_is_safe("a@example.nl"), "plain refused");
	CHECK(!address_is_safe("a@example.nl>\r\nRCPT TO:<b@x.nl"),
	      "CRLF accepted");
	CHECK(!address_is_safe("<a@example.nl>"), "<> accepted");
	CHECK(!address_is_safe("a b@example.nl"), "space");
	CHECK(!address_is_safe("example.nl"), "no @");
	CHECK(!address_is_safe(""), "empty");
	CHECK(!address_is_safe(NULL), "NULL");
}

static size_t
count_entries(const char *directory)
{
	DIR *dir = opendir(directory);
	struct dirent *entry;
	size_t count = 0;

	if (dir == NULL)
		return 0;
	while ((entry = readdir(dir)) != NULL)
		if (entry->d_name[0] != '.')
			count++;
	closedir(dir);
	return count;
}

static void
test_maildir(void)
{
	char template[] = "/tmp/digest-5001-XXXXXX";
	char *outbox;
	char *new_dir;
	char *tmp_dir;
	char *errstr = NULL;
	struct transport *transport;
	enum transport_status status;
	static const char message[] = "Subject: x\r\n\r\nbody\r\n";
	int i;

	if (mkdtemp(template) == NULL) {
		CHECK(0, "mkdtemp failed");
		return;
	}
	outbox = xasprintf("%s/outbox", template);
	new_dir = xasprintf("%s/new", outbox);
	tmp_dir = xasprintf("%s/tmp", outbox);
	transport = transport_open_maildir(outbox);
	for (i = 0; i < 3; i++) {
		status = transport_send(transport, "from@example.nl",
					"to@example.nl", message,
					sizeof message - 1, &errstr);
		CHECK(status == TRANSPORT_OK, "maildir send %d: %s", i,
		      errstr ? errstr : "");
		free(errstr);
		errstr = NULL;
	}
	CHECK(count_entries(new_dir) == 3, "new/ holds %zu files",
	      count_entries(new_dir));
	CHECK(count_entries(tmp_dir) == 0, "tmp/ not empty");
	status =
	    transport_send(transport, "from@example.nl", "to@example.nl>\r\nX",
			   message, sizeof message - 1, &errstr);
	CHECK(status == TRANSPORT_EPERM && errstr != NULL,
	      "unsafe recipient accepted");
	free(errstr);
	errstr = NULL;
	transport_close(transport);

	/* A directory that cannot be made is a settings problem. */
	transport = transport_open_maildir("/proc/digest-cannot-exist/out");
	status = transport_send(transport, "from@example.nl", "to@example.nl",
				message, sizeof message - 1, &errstr);
	CHECK(status == TRANSPORT_ECONFIG && errstr != NULL &&
		  strstr(errstr, "/proc/digest-cannot-exist") != NULL,
	      "bad outbox: %d %s", (int)status, errstr ? errstr : "");
	free(errstr);
	transport_close(transport);

	{
		char *command = xasprintf("rm -rf '%s'", template);

		CHECK(system(command) == 0, "cleanup failed");
		free(command);
	}
	free(tmp_dir);
	free(new_dir);
	free(outbox);
}

static void
expect_config_problem(const char *url, enum tls_mode tls, const char *user,
		      const char *password, const char *needle)
{
	struct provider provider;
	struct transport *transport;
	char *errstr = NULL;
	enum transport_status status;

	memset(&provider, 0, sizeof provider);
	provider.id = "zeelandnet";
	provider.smtp_url = (char *)url;
	provider.tls = tls;
	provider.user = (char *)user;
	provider.timeout = 2;
	transport = transport_open_smtp(&provider, password);
	status = transport_send(transport, "from@example.nl", "to@example.nl",
				"x\r\n", 3, &errstr);
	CHECK(status == TRANSPORT_ECONFIG && errstr != NULL &&
		  strstr(errstr, needle) != NULL,
	      "%s: %d \"%s\", want \"%s\"", url, (int)status,
	      errstr ? errstr : "", needle);
	CHECK(password == NULL || errstr == NULL ||
		  strstr(errstr, password) == NULL,
	      "%s: password in errstr", url);
	free(errstr);
	transport_close(transport);
}

static void
test_smtp_config(void)
{
	expect_config_problem("smtp://127.0.0.1:1", TLS_IMPLICIT, NULL, NULL,
			      "implicit TLS needs an smtps:// URL");
	expect_config_problem("smtps://127.0.0.1:1", TLS_STARTTLS, NULL, NULL,
			      "tls = starttls needs an smtp:// URL");
	expect_config_problem("http://127.0.0.1:1", TLS_NONE, NULL, NULL,
			      "needs an smtp:// URL");
	expect_config_problem("smtp://u:hunter2@127.0.0.1:1", TLS_NONE, NULL,
			      "hunter2", "must not hold a user");
	expect_config_problem("smtp://127.0.0.1:1", TLS_NONE, "nieuws", NULL,
			      "has a user but no password");
	expect_config_problem("smtp://mail.example.nl:25", TLS_NONE, NULL, NULL,
			      "tls = none is only for a relay on this");
	expect_config_problem("not a url", TLS_NONE, NULL, NULL,
			      "does not parse");
	transport_close(NULL);
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
	/* libcurl doubles a leading dot, so the size it sends differs. */
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

/* "stdout FROM RCPT...": the same messages through the stdout transport. */
static int
run_stdout(int argc, char **argv)
{
	struct transport *transport = transport_open_stdout();
	int result = 0;
	int i;

	for (i = 3; i < argc; i++) {
		char *message = compose_for(argv[2], argv[i]);
		char *errstr = NULL;

		if (message == NULL ||
		    transport_send(transport, argv[2], argv[i], message,
				   strlen(message), &errstr) != TRANSPORT_OK) {
			fprintf(stderr, "stdout: %s\n", errstr ? errstr : "");
			result = 2;
		}
		free(errstr);
		free(message);
	}
	transport_close(transport);
	return result;
}

/* Reads a number from min to 3600 from the environment; -1 when bad. */
static int
number_from(const char *variable, long min, long fallback, long *value_out)
{
	const char *value = getenv(variable);

	*value_out = fallback;
	if (value == NULL)
		return 0;
	return util_parse_long(value, min, 3600, value_out);
}

static int
run_client(int argc, char **argv)
{
	struct provider provider;
	struct transport *transport;
	const char *tls = getenv("SMTP_TEST_TLS");
	long pause_ms;
	int i;

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
	if (number_from("SMTP_TEST_CONNECT_TIMEOUT", 1, 5,
			&provider.connect_timeout) < 0 ||
	    number_from("SMTP_TEST_TIMEOUT", 1, 5, &provider.timeout) < 0 ||
	    number_from("SMTP_TEST_DATA_TIMEOUT", 1, 10,
			&provider.data_timeout) < 0 ||
	    number_from("SMTP_TEST_PAUSE_MS", 0, 0, &pause_ms) < 0)
		return 2;
	transport =
	    transport_open_smtp(&provider, getenv("SMTP_TEST_PASSWORD"));
	for (i = 3; i < argc; i++) {
		char *message = compose_for(argv[2], argv[i]);
		char *errstr = NULL;
		enum transport_status status;
		struct timespec pause = {pause_ms / 1000,
					 pause_ms % 1000 * 1000000};

		if (message == NULL)
			return 2;
		if (i > 3 && pause_ms > 0)
			nanosleep(&pause, NULL);
		status = transport_send(transport, argv[2], argv[i], message,
					strlen(message), &errstr);
		printf("%s %s %s\n", argv[i], status_names[status],
		       errstr ? errstr : "-");
		free(errstr);
		free(message);
	}
	transport_close(transport);
	return fflush(stdout) == 0 ? 0 : 2;
}

int
main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "send") == 0)
		return run_client(argc, argv);
	if (argc >= 3 && strcmp(argv[1], "stdout") == 0)
		return run_stdout(argc, argv);
	test_reply_parser();
	test_watch();
	test_addresses();
	test_maildir();
	test_smtp_config();
	if (failures != 0) {
		fprintf(stderr, "%d failures\n", failures);
		return 1;
	}
	return 0;
}
