/*
 * 4001-mail-compose.c - address_normalize() table and mail_compose()
 * checks that need no parser: required fields, header injection, line
 * lengths and CRLF.  With a directory argument it also writes composed
 * messages there for 4002-mail-parse.py to parse back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "mail.h"
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

struct address_case {
	const char *input;
	const char *expected; /* NULL: refused */
};

static const struct address_case address_cases[] = {
    {"Anna@Example.NL ", "Anna@example.nl"},
    {"  jan.de.vries@zeelandnet.nl\t", "jan.de.vries@zeelandnet.nl"},
    {"x+tag@Sub.Delta.NL", "x+tag@sub.delta.nl"},
    {"a@b.c", "a@b.c"},
    {"o'brien@example.com", "o'brien@example.com"},
    {"", NULL},
    {"   ", NULL},
    {"no-at-sign", NULL},
    {"two@@example.nl", NULL},
    {"a@b@example.nl", NULL},
    {"@example.nl", NULL},
    {"anna@", NULL},
    {"anna@localhost", NULL},
    {"an na@example.nl", NULL},
    {"anna@exa mple.nl", NULL},
    {"\"anna\"@example.nl", NULL},
    {"<anna@example.nl>", NULL},
    {"anna(x)@example.nl", NULL},
    {"anna,b@example.nl", NULL},
    {"anna;b@example.nl", NULL},
    {"anna:b@example.nl", NULL},
    {"anna\x01@example.nl", NULL},
    {"anna\r\nBcc: x@example.nl", NULL},
    {"anna@example.nl\r\nBcc: x@example.nl", NULL},
    {"anna@-example.nl", NULL},
    {"anna@example-.nl", NULL},
    {"anna@example..nl", NULL},
    {"anna@.example.nl", NULL},
    {"anna@example.nl.", NULL},
    {"anna@ex_ample.nl", NULL},
    {".anna@example.nl", NULL},
    {"anna.@example.nl", NULL},
    {"an..na@example.nl", NULL},
    {"\xc3\xabla@example.nl", NULL},
    {"anna@\xc3\xab.nl", NULL},
};

static void
test_normalize(void)
{
	size_t i;
	char long_local[80];
	char *address;
	char *got;

	for (i = 0; i < sizeof address_cases / sizeof address_cases[0]; i++) {
		got = address_normalize(address_cases[i].input);
		if (address_cases[i].expected == NULL)
			CHECK(got == NULL, "case %zu: accepted \"%s\" as %s", i,
			      address_cases[i].input, got);
		else
			CHECK(got != NULL &&
				  strcmp(got, address_cases[i].expected) == 0,
			      "case %zu: \"%s\" gave %s, want %s", i,
			      address_cases[i].input, got ? got : "NULL",
			      address_cases[i].expected);
		free(got);
	}
	CHECK(address_normalize(NULL) == NULL, "NULL accepted");

	/* The length limits: 64 for the local part, 254 in all. */
	memset(long_local, 'a', 64);
	long_local[64] = '\0';
	address = xasprintf("%s@example.nl", long_local);
	got = address_normalize(address);
	CHECK(got != NULL, "64-byte local part refused");
	free(got);
	free(address);
	long_local[64] = 'a';
	long_local[65] = '\0';
	address = xasprintf("%s@example.nl", long_local);
	got = address_normalize(address);
	CHECK(got == NULL, "65-byte local part accepted");
	free(got);
	free(address);
	{
		struct buf domain = BUF_INIT;

		while (domain.length < 250)
			buf_puts(&domain, "abcdefghi.");
		buf_puts(&domain, "nl");
		/* 2 + 252 = 254 bytes: the longest path allowed. */
		address = xasprintf("a@%s", domain.data);
		got = address_normalize(address);
		CHECK(got != NULL, "%zu-byte address refused", strlen(address));
		free(got);
		free(address);
		address = xasprintf("abc@%s", domain.data);
		got = address_normalize(address);
		CHECK(got == NULL, "%zu-byte address accepted",
		      strlen(address));
		free(got);
		free(address);
		buf_free(&domain);
	}
}

/*
 * Found by scripts/mutate (issue 7): the 63-byte limit of a domain label
 * (RFC 1035) was never tried, so a limit of 64 went unnoticed.
 */
static void
test_label_length(void)
{
	char label[70];
	char *address;
	char *got;

	memset(label, 'a', 63);
	label[63] = '\0';
	address = xasprintf("nieuws@%s.example.nl", label);
	got = address_normalize(address);
	CHECK(got != NULL, "a 63-byte label refused");
	free(got);
	free(address);
	address = xasprintf("%s.nl", label);
	CHECK(address_domain_is_valid(address, strlen(address)),
	      "a domain with a 63-byte label refused");
	free(address);

	label[63] = 'a';
	label[64] = '\0';
	address = xasprintf("nieuws@%s.example.nl", label);
	got = address_normalize(address);
	CHECK(got == NULL, "a 64-byte label accepted");
	free(got);
	free(address);
	address = xasprintf("nieuws@example.%s", label);
	got = address_normalize(address);
	CHECK(got == NULL, "a 64-byte last label accepted");
	free(got);
	free(address);
}

/* A List-Id whose description is not ASCII (4002 checks it too). */
#define LIST_ID_UTF8                                                           \
	"Nieuws uit Z\xc3\xbcrich \xe2\x80\x93 \xc3\xa9\xc3\xa9n "             \
	"lijst <zurich.example.nl>"

static const char dutch_text[] =
    "Buitenland vandaag\n\n"
    "1. Overleg in Brussel over de begroting loopt vast; "
    "de ministers praten door tot diep in de nacht en daarna nog langer "
    "omdat niemand wil toegeven.\n"
    "2. Café in Zürich wint prijs – „beste koffie” van Europa\n";

static const char dutch_html[] =
    "<!DOCTYPE html><html lang=\"nl\"><head><meta charset=\"utf-8\">"
    "<title>Buitenland vandaag</title></head><body><h1>Buitenland "
    "vandaag – zondag 29 november</h1><ul><li><a href=\"https://"
    "nieuws.example.nl/artikel/12345?utm_source=digest&amp;utm_medium="
    "email\">Café in Zürich wint prijs</a></li></ul></body></html>\n";

static void
base_input(struct mail_input *input)
{
	memset(input, 0, sizeof *input);
	input->from_address = "nieuws@ZeelandNet.NL";
	input->from_name = "ZeelandNet webmail";
	input->to_address = "ella.unal@example.nl";
	input->to_name = "Ëlla Ünal";
	input->subject = "Buitenland vandaag – zondag 29 november";
	input->date = datetime_from_utc(2026, 11, 29, 6, 0, 0);
	input->timezone = "Europe/Amsterdam";
	input->text_body = dutch_text;
	input->html_body = dutch_html;
	input->list_id = "Buitenland digest <buitenland.example.nl>";
	input->unsubscribe_mailto = "afmelden@example.nl";
	input->unsubscribe_url =
	    "https://nieuws.example.nl/afmelden?token=abcdef0123456789"
	    "abcdef0123456789abcdef0123456789";
	input->message_id_domain = "digest.example.nl";
}

/* Every line ends in CRLF, none is longer than 998 bytes. */
static void
check_lines(const char *label, const char *message, size_t size)
{
	size_t line_start = 0;
	size_t i;

	CHECK(strlen(message) == size, "%s: NUL inside or size wrong", label);
	CHECK(size >= 2 && message[size - 2] == '\r' &&
		  message[size - 1] == '\n',
	      "%s: no CRLF at the end", label);
	for (i = 0; i < size; i++) {
		if (message[i] == '\n') {
			CHECK(i > 0 && message[i - 1] == '\r',
			      "%s: bare LF at byte %zu", label, i);
			CHECK(i - line_start <= 999,
			      "%s: line of %zu bytes at %zu", label,
			      i - line_start - 1, line_start);
			line_start = i + 1;
		} else if (message[i] == '\r') {
			CHECK(i + 1 < size && message[i + 1] == '\n',
			      "%s: bare CR at byte %zu", label, i);
		}
	}
}

static char *
compose_ok(const char *label, const struct mail_input *input, size_t *size)
{
	char *message = NULL;
	char *message_id = NULL;
	char *errstr = NULL;
	enum mail_status status;

	status = mail_compose(input, &message, size, &message_id, &errstr);
	CHECK(status == MAIL_OK, "%s: status %d: %s", label, (int)status,
	      errstr ? errstr : "");
	if (status != MAIL_OK) {
		free(errstr);
		return NULL;
	}
	CHECK(message_id != NULL && strchr(message_id, '<') == NULL &&
		  strstr(message_id, "@digest.example.nl") != NULL,
	      "%s: Message-ID %s", label, message_id ? message_id : "NULL");
	check_lines(label, message, *size);
	free(message_id);
	return message;
}

static void
compose_fails(const char *label, const struct mail_input *input,
	      enum mail_status expected, const char *needle)
{
	char *message = NULL;
	char *errstr = NULL;
	size_t size = 0;
	enum mail_status status;

	status = mail_compose(input, &message, &size, NULL, &errstr);
	CHECK(status == expected, "%s: status %d, want %d", label, (int)status,
	      (int)expected);
	CHECK(message == NULL, "%s: a message came back", label);
	CHECK(errstr != NULL && strstr(errstr, needle) != NULL,
	      "%s: errstr \"%s\" lacks \"%s\"", label, errstr ? errstr : "",
	      needle);
	free(errstr);
}

/* Returns 1 when message holds a byte outside 7-bit ASCII. */
static int
has_8bit(const char *message, size_t size)
{
	for (size_t i = 0; i < size; i++)
		if ((unsigned char)message[i] >= 0x80)
			return 1;
	return 0;
}

/*
 * Returns the value of the header name in message, its folds undone, or
 * NULL when it has none (free()).
 */
static char *
header_value(const char *message, const char *name)
{
	char *needle = xasprintf("\r\n%s:", name);
	const char *start = strstr(message, needle);
	struct buf value = BUF_INIT;

	if (start != NULL) {
		start += strlen(needle);
		/* The value ends at a line break not followed by a fold. */
		while (*start != '\0' &&
		       !(start[0] == '\r' && start[1] == '\n' &&
			 start[2] != ' ' && start[2] != '\t')) {
			if (*start != '\r' && *start != '\n')
				buf_putc(&value, *start);
			start++;
		}
	}
	free(needle);
	return start != NULL ? buf_detach(&value) : NULL;
}

/*
 * Regression (issue 7): a List-Id with a non-ASCII description was once
 * written raw, as 8-bit bytes in a header, instead of as RFC 2047 encoded
 * words; every test used an ASCII one.  4002-mail-parse decodes it back.
 */
static void
test_list_id_encoded(void)
{
	struct mail_input input;
	char *message;
	char *value;
	size_t size;

	base_input(&input);
	input.list_id = LIST_ID_UTF8;
	message = compose_ok("utf-8 List-Id", &input, &size);
	if (message == NULL)
		return;
	CHECK(!has_8bit(message, size), "utf-8 List-Id: 8-bit bytes in the "
					"message");
	value = header_value(message, "List-Id");
	CHECK(value != NULL && strstr(value, "=?") != NULL &&
		  strstr(value, "?=") != NULL &&
		  strstr(value, "<zurich.example.nl>") != NULL,
	      "utf-8 List-Id: not encoded words: %s", value ? value : "none");
	free(value);
	free(message);

	/*
	 * Found by scripts/mutate: a line break in the List-Id was accepted
	 * unnoticed.  It would start a header of its own.
	 */
	base_input(&input);
	input.list_id = "Lijst <l.example.nl>\r\nBcc: everyone@example.nl";
	compose_fails("List-Id injection", &input, MAIL_EINPUT, "List-Id");
	input.list_id = "Lijst\n <l.example.nl>";
	compose_fails("List-Id line feed", &input, MAIL_EINPUT, "List-Id");
}

static void
test_compose(void)
{
	struct mail_input input;
	char *first;
	char *second;
	size_t size;
	size_t second_size;

	base_input(&input);
	first = compose_ok("full", &input, &size);
	if (first != NULL) {
		CHECK(strstr(first, "\r\nList-Unsubscribe-Post: "
				    "List-Unsubscribe=One-Click\r\n") != NULL,
		      "full: no one-click header");
		CHECK(strstr(first, "multipart/alternative") != NULL,
		      "full: not multipart/alternative");
		CHECK(strstr(first, "Zürich") == NULL,
		      "full: raw 8-bit text in the message");
		CHECK(strstr(first, "Date: Sun, 29 Nov 2026 07:00:00 +0100") !=
			  NULL,
		      "full: Date not in Europe/Amsterdam");
	}
	second = compose_ok("again", &input, &second_size);
	if (first != NULL && second != NULL) {
		char *id_a = strstr(first, "Message-Id:");
		char *id_b = strstr(second, "Message-Id:");

		if (id_a == NULL)
			id_a = strstr(first, "Message-ID:");
		if (id_b == NULL)
			id_b = strstr(second, "Message-ID:");
		CHECK(id_a != NULL && id_b != NULL &&
			  strncmp(id_a, id_b, 40) != 0,
		      "two messages share a Message-ID");
	}
	free(first);
	free(second);

	base_input(&input);
	input.html_body = NULL;
	input.timezone = NULL;
	first = compose_ok("text only", &input, &size);
	if (first != NULL) {
		CHECK(strstr(first, "multipart") == NULL,
		      "text only: multipart");
		CHECK(strstr(first, "+0000") != NULL, "text only: not UTC");
	}
	free(first);

	base_input(&input);
	input.to_address = "not an address";
	compose_fails("bad to", &input, MAIL_EADDRESS, "recipient");
	base_input(&input);
	input.from_address = "nieuws@localhost";
	compose_fails("bad from", &input, MAIL_EADDRESS, "From");
	base_input(&input);
	input.subject = "Hallo\r\nBcc: everyone@example.nl";
	compose_fails("subject injection", &input, MAIL_EINPUT, "subject");
	base_input(&input);
	input.unsubscribe_url = "http://nieuws.example.nl/afmelden";
	compose_fails("plain http unsubscribe", &input, MAIL_EINPUT, "https");
	base_input(&input);
	input.unsubscribe_url = "https://x.example.nl/a>, <https://evil";
	compose_fails("bracket in url", &input, MAIL_EINPUT, "https");
	base_input(&input);
	input.text_body = NULL;
	compose_fails("no text", &input, MAIL_EINPUT, "text body");
	base_input(&input);
	input.timezone = "Mars/Olympus_Mons";
	compose_fails("unknown zone", &input, MAIL_EINPUT, "time zone");
	base_input(&input);
	input.message_id_domain = NULL;
	compose_fails("no msgid domain", &input, MAIL_EINPUT, "Message-ID");
}

static void
write_message(const char *directory, const char *name,
	      const struct mail_input *input)
{
	char *message;
	char *path;
	size_t size;

	message = compose_ok(name, input, &size);
	if (message == NULL)
		return;
	path = xasprintf("%s/%s.eml", directory, name);
	CHECK(util_write_file_atomic(path, message, size) == 0,
	      "cannot write %s", path);
	free(path);
	free(message);
}

/* The messages 4002-mail-parse.py reads back, one per case it checks. */
static void
write_messages(const char *directory)
{
	struct mail_input input;
	struct buf long_line = BUF_INIT;

	base_input(&input);
	write_message(directory, "full", &input);

	base_input(&input);
	input.html_body = NULL;
	input.timezone = NULL;
	input.unsubscribe_url = NULL;
	write_message(directory, "text-only", &input);

	base_input(&input);
	input.subject = "Plain ASCII subject";
	input.from_name = NULL;
	input.to_name = NULL;
	input.text_body = "Short ASCII lines only.\r\nFrom here on.\n";
	input.html_body = "<p>Short</p>\n";
	input.list_id = NULL;
	input.unsubscribe_mailto = NULL;
	input.unsubscribe_url = NULL;
	write_message(directory, "ascii", &input);

	/* Issue 7: a non-ASCII List-Id must go out as RFC 2047 words. */
	base_input(&input);
	input.list_id = LIST_ID_UTF8;
	write_message(directory, "list-id-utf8", &input);

	base_input(&input);
	while (long_line.length < 3000)
		buf_puts(&long_line, "word ");
	buf_puts(&long_line, "\n");
	input.text_body = long_line.data;
	input.html_body = long_line.data;
	write_message(directory, "long-line", &input);
	buf_free(&long_line);

	/*
	 * Names are text, whatever they look like: a line break is gone and
	 * an encoded word is sent so that it decodes to itself.  4002 checks
	 * how they read.  Regression: such a name reached To: as it was.
	 */
	base_input(&input);
	input.to_name = "Ella\r\nBcc: x@example.nl";
	write_message(directory, "newline-name", &input);
	base_input(&input);
	input.to_name = "=?utf-8?q?x=0D=0ABcc:_evil@example.org?=";
	input.from_name = "Nieuws =?iso-8859-1?q?caf=E9?= \xC3\xABn meer, "
			  "een heel lange naam die over de regel gaat";
	write_message(directory, "encoded-name", &input);
}

int
main(int argc, char **argv)
{
	if (argc == 2) {
		write_messages(argv[1]);
		return failures != 0;
	}
	test_normalize();
	test_label_length();
	test_compose();
	test_list_id_encoded();
	if (failures != 0) {
		fprintf(stderr, "%d failures\n", failures);
		return 1;
	}
	return 0;
}
