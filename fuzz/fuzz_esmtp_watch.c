/*
 * fuzz_esmtp_watch.c - feeds arbitrary server output, in pieces of
 * varying size, to the libESMTP transport's session watch as its monitor
 * callback would, with our commands (AUTH's credentials among them) in
 * between, and checks what it keeps: bounded, printable replies to quote,
 * a known verb or none (a credential line is never taken for one), a
 * bounded line buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport_esmtp_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *text)
{
	size_t length;
	size_t i;

	if (text == NULL)
		return;
	length = strlen(text);
	/* The code, a separator, then at most ESMTP_REPLY_MAX. */
	if (length > ESMTP_REPLY_MAX + 3)
		abort();
	for (i = 0; i < length; i++)
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
			abort();
}

static void
check_watch(const struct esmtp_watch *watch)
{
	static const char *const verbs[] = {"",	    "EHLO", "STARTTLS", "AUTH",
					    "MAIL", "RCPT", "DATA",	"QUIT"};
	size_t i;
	int known = 0;

	check_text(watch->last_reply);
	check_text(watch->greeting);
	check_text(watch->auth_reply);
	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(watch->last_command, verbs[i]) == 0)
			known = 1;
	if (!known || watch->line.length > 1024)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const commands[] = {"EHLO digest\r\n",
					       "STARTTLS\r\n",
					       "AUTH PLAIN c2VjcmV0\r\n",
					       "c2VjcmV0\r\n",
					       "MAIL FROM:<a@b.nl>\r\n",
					       "RCPT TO:<c@d.nl>\r\nDATA\r\n",
					       "QUIT\r\n"};
	const char *text = (const char *)data;
	struct esmtp_watch watch;
	size_t offset = 0;
	size_t turn = 0;
	int replies = 0;

	memset(&watch, 0, sizeof watch);
	while (offset < size) {
		size_t piece = 1 + (unsigned char)text[offset] % 64;

		if (piece > size - offset)
			piece = size - offset;
		transport_esmtp_watch_take(&watch, text + offset, piece, 0);
		offset += piece;
		check_watch(&watch);
		if (watch.reply_count == replies)
			continue;
		replies = watch.reply_count;
		transport_esmtp_watch_take(&watch, commands[turn % 7],
					   strlen(commands[turn % 7]), 1);
		turn++;
		check_watch(&watch);
	}
	transport_esmtp_watch_free(&watch);
	return 0;
}
