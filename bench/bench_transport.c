/*
 * bench_transport - sends N prepared messages through one SMTP transport
 * with transport_send_batch() and prints messages per second.  Not a
 * test: it prints figures for a person to read (bench/README.md).
 *
 *   bench-transport [--transport esmtp|curl] [--count N] [--size BYTES]
 *                   [--batch B] [--port PORT] [--host HOST]
 *
 * The peer is smtp://HOST:PORT with tls = none (so HOST is this machine:
 * Postfix's smtp-sink, or bench/latency-proxy in front of it).  Each
 * message is the same text of about BYTES bytes in CRLF lines of 76
 * characters, some starting with a dot, to its own recipient.  With esmtp
 * each batch of B is one libESMTP session, so one connection; libcurl
 * sends one message after another over the connection it keeps.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "transport.h"
#include "util.h"

struct options {
	const char *transport; /* "esmtp" or "curl" */
	long count;
	long size;
	long batch;
	long port;
	const char *host;
};

static void
usage(void)
{
	fputs("usage: bench-transport [--transport esmtp|curl] [--count N] "
	      "[--size BYTES] [--batch B] [--port PORT] [--host HOST]\n",
	      stderr);
	exit(64);
}

static void
parse_options(int argc, char **argv, struct options *options)
{
	static const struct option long_options[] = {
	    {"transport", required_argument, NULL, 't'},
	    {"count", required_argument, NULL, 'n'},
	    {"size", required_argument, NULL, 's'},
	    {"batch", required_argument, NULL, 'b'},
	    {"port", required_argument, NULL, 'p'},
	    {"host", required_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	int option;
	int bad = 0;

	while ((option = getopt_long(argc, argv, "", long_options, NULL)) !=
	       -1) {
		if (option == 't')
			options->transport = optarg;
		else if (option == 'n')
			bad |= util_parse_long(optarg, 1, 10000000,
					       &options->count) < 0;
		else if (option == 's')
			bad |= util_parse_long(optarg, 200, 100000000,
					       &options->size) < 0;
		else if (option == 'b')
			bad |= util_parse_long(optarg, 1, 10000000,
					       &options->batch) < 0;
		else if (option == 'p')
			bad |= util_parse_long(optarg, 1, 65535,
					       &options->port) < 0;
		else if (option == 'h')
			options->host = optarg;
		else
			bad = 1;
	}
	if (bad || optind != argc || options->port == 0 ||
	    (strcmp(options->transport, "esmtp") != 0 &&
	     strcmp(options->transport, "curl") != 0))
		usage();
}

/* A message of about size bytes: headers, then 76-character lines. */
static char *
make_message(long size)
{
	struct buf message = BUF_INIT;
	long line = 0;

	buf_puts(&message, "From: Nieuws <nieuws@example.nl>\r\n"
			   "To: Lezer <lezer@example.nl>\r\n"
			   "Subject: Buitenland vandaag\r\n"
			   "Date: Sun, 29 Nov 2026 07:00:00 +0100\r\n"
			   "Message-ID: <bench@digest.example.nl>\r\n"
			   "MIME-Version: 1.0\r\n"
			   "Content-Type: text/plain; charset=utf-8\r\n\r\n");
	while ((long)message.length < size - 78) {
		/* One line in twenty starts with a dot, to be stuffed. */
		buf_printf(&message, "%c%075ld\r\n", line % 20 == 0 ? '.' : 'x',
			   line);
		line++;
	}
	return buf_detach(&message);
}

static double
seconds_between(const struct timespec *start, const struct timespec *end)
{
	return (double)(end->tv_sec - start->tv_sec) +
	       (double)(end->tv_nsec - start->tv_nsec) / 1e9;
}

int
main(int argc, char **argv)
{
	struct options options = {"esmtp", 1000, 18000, 0, 0, "127.0.0.1"};
	struct provider provider;
	struct transport *transport;
	struct transport_job *jobs;
	struct timespec wall_start, wall_end, cpu_start, cpu_end;
	char **recipients;
	char *message;
	long sent = 0;
	long i, start, size;
	double wall;

	parse_options(argc, argv, &options);
	if (options.batch == 0)
		options.batch = options.count;
	memset(&provider, 0, sizeof provider);
	provider.id = "bench";
	provider.smtp_url =
	    xasprintf("smtp://%s:%ld", options.host, options.port);
	provider.tls = TLS_NONE;
	message = make_message(options.size);
	jobs = xcalloc((size_t)options.count, sizeof *jobs);
	recipients = xcalloc((size_t)options.count, sizeof *recipients);
	for (i = 0; i < options.count; i++) {
		recipients[i] = xasprintf("lezer%ld@example.nl", i);
		jobs[i].envelope_from = "nieuws@example.nl";
		jobs[i].recipient = recipients[i];
		jobs[i].message = message;
		jobs[i].size = strlen(message);
	}
	transport = strcmp(options.transport, "esmtp") == 0
			? transport_open_esmtp(&provider, NULL)
			: transport_open_smtp(&provider, NULL);
	clock_gettime(CLOCK_MONOTONIC, &wall_start);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_start);
	for (start = 0; start < options.count; start += options.batch) {
		size = options.count - start < options.batch
			   ? options.count - start
			   : options.batch;
		transport_send_batch(transport, jobs + start, (size_t)size,
				     NULL, NULL);
	}
	transport_close(transport);
	clock_gettime(CLOCK_MONOTONIC, &wall_end);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_end);
	for (i = 0; i < options.count; i++) {
		if (jobs[i].status == TRANSPORT_OK)
			sent++;
		else if (sent == i) /* the first failure says why */
			fprintf(stderr, "bench-transport: <%s>: %s\n",
				jobs[i].recipient,
				jobs[i].errstr ? jobs[i].errstr : "?");
		free(jobs[i].errstr);
		free(recipients[i]);
	}
	wall = seconds_between(&wall_start, &wall_end);
	printf("%s: %ld of %ld messages of %zu bytes, batches of %ld: "
	       "%.2f s, %.0f messages/s, CPU %.2f s\n",
	       options.transport, sent, options.count, strlen(message),
	       options.batch, wall, (double)sent / wall,
	       seconds_between(&cpu_start, &cpu_end));
	free(recipients);
	free(jobs);
	free(message);
	free(provider.smtp_url);
	return sent == options.count ? 0 : 1;
}
