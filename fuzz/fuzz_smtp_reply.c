/*
 * fuzz_smtp_reply.c - feeds arbitrary server output, line by line, to the
 * SMTP reply parser and checks what it promises about each line; then
 * feeds the same output, in pieces of varying size, to the session watch
 * of the SMTP transport as the debug callback would, with our commands in
 * between, and checks what it keeps: a bounded, printable reply to quote,
 * a known verb, a phase that exists.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport_smtp_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_lines(const char *text, size_t size)
{
	size_t start = 0;

	while (start <= size) {
		const char *end = memchr(text + start, '\n', size - start);
		size_t length =
		    end ? (size_t)(end - text - start) + 1 : size - start;
		struct transport_smtp_reply_line line;
		/* A copy of exactly length bytes: ASan sees any overread. */
		char *copy = malloc(length ? length : 1);

		if (copy == NULL)
			return;
		memcpy(copy, text + start, length);
		if (transport_smtp_reply_parse(copy, length, &line) == 0) {
			if (line.code < 200 || line.code > 599)
				abort();
			if (line.text < copy ||
			    line.text + line.text_length > copy + length)
				abort();
			if (memchr(line.text, '\n', line.text_length) != NULL)
				abort();
		}
		free(copy);
		if (end == NULL)
			break;
		start += length;
	}
}

static void
check_watch(const struct smtp_watch *watch)
{
	static const char *const verbs[] = {"",		"EHLO", "HELO",
					    "STARTTLS", "AUTH", "MAIL",
					    "RCPT",	"DATA", "RSET"};
	size_t i;
	int known = 0;

	if (watch->last_reply != NULL) {
		size_t length = strlen(watch->last_reply);

		/* The code, a separator, then at most SMTP_REPLY_MAX. */
		if (length > SMTP_REPLY_MAX + 3)
			abort();
		for (i = 0; i < length; i++)
			if ((unsigned char)watch->last_reply[i] < 0x20 ||
			    watch->last_reply[i] == 0x7f)
				abort();
	}
	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(watch->last_command, verbs[i]) == 0)
			known = 1;
	if (!known || watch->phase > SMTP_PHASE_DONE ||
	    watch->line.length > 2 * SMTP_LINE_MAX)
		abort();
}

/* The server's output in pieces; our next command after each reply. */
static void
run_session(const char *text, size_t size)
{
	static const char *const commands[] = {"EHLO digest\r\n",
					       "STARTTLS\r\n",
					       "AUTH PLAIN c2VjcmV0\r\n",
					       "c2VjcmV0\r\n",
					       "MAIL FROM:<a@b.nl>\r\n",
					       "RCPT TO:<c@d.nl>\r\n",
					       "DATA\r\n",
					       "QUIT\r\n"};
	struct smtp_transport *smtp = calloc(1, sizeof *smtp);
	size_t offset = 0;
	size_t turn = 0;
	int replies = 0;

	if (smtp == NULL)
		return;
	transport_smtp_reply_reset(smtp, "x\r\n", 3);
	while (offset < size) {
		size_t piece = 1 + (unsigned char)text[offset] % 64;

		if (piece > size - offset)
			piece = size - offset;
		transport_smtp_reply_take(&smtp->watch, SMTP_TRAFFIC_REPLY,
					  text + offset, piece);
		offset += piece;
		check_watch(&smtp->watch);
		if (smtp->watch.reply_count == replies)
			continue;
		replies = smtp->watch.reply_count;
		if (turn % 9 == 8)
			transport_smtp_reply_take(
			    &smtp->watch, SMTP_TRAFFIC_DATA, "x\r\n", 3);
		else
			transport_smtp_reply_take(
			    &smtp->watch, SMTP_TRAFFIC_COMMAND,
			    commands[turn % 9], strlen(commands[turn % 9]));
		turn++;
		check_watch(&smtp->watch);
	}
	transport_smtp_reply_free(smtp);
	free(smtp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_lines((const char *)data, size);
	run_session((const char *)data, size);
	return 0;
}
