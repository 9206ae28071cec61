/*
 * 4102-bounce-parse.c - mail_bounce_parse() on the fixtures in
 * tests/data/bounces/: RFC 3464 reports (hard, delayed, expired, a
 * success), qmail's format (hard, and given up after the queue), plain
 * text from Exim and Exchange, an auto-reply that is no bounce, garbage,
 * and two truncated reports; then the same messages with CRLF line ends,
 * messages nested past the bound, and every prefix of one report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail_bounce.h"
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

#define VERP_ANNA "bounce+20261129-anna=example.nl@bounces.zeelandnet.nl"

struct fixture {
	const char *file;
	enum mail_bounce_kind kind;
	enum mail_bounce_format format;
	const char *recipient;	  /* NULL: none found */
	const char *status;	  /* NULL: none found */
	const char *reason_part;  /* in the reason; NULL: no reason */
	const char *message_id;	  /* NULL: none found */
	const char *addressed[3]; /* the first ones, in order */
};

static const struct fixture fixtures[] = {
    {"dsn-hard.eml",
     MAIL_BOUNCE_HARD,
     MAIL_BOUNCE_FORMAT_DSN,
     "anna@example.nl",
     "5.1.1",
     "550 5.1.1 <anna@example.nl>: Recipient address rejected: User "
     "unknown in local recipient table",
     "5f1c0a9e8d7b6a5f4e3d2c1b0a998877@zeelandnet.nl",
     {VERP_ANNA}},
    {"dsn-delayed.eml",
     MAIL_BOUNCE_SOFT,
     MAIL_BOUNCE_FORMAT_DSN,
     "joost@delta.example",
     "4.0.0",
     "451 4.3.0 Temporary lookup failure",
     "0a1b2c3d4e5f60718293a4b5c6d7e8f9@zeelandnet.nl",
     {"bounce@bounces.zeelandnet.nl",
      "bounce+20261129-joost=delta.example@bounces.zeelandnet.nl"}},
    /* Failed, but with a 4.x.x: given up after days, soft. */
    {"dsn-expired.eml",
     MAIL_BOUNCE_SOFT,
     MAIL_BOUNCE_FORMAT_DSN,
     "anna@example.nl",
     "4.4.1",
     "Connection timed out",
     NULL,
     {"bounce+20261201-anna=example.nl@bounces.zeelandnet.nl"}},
    {"dsn-delivered.eml",
     MAIL_BOUNCE_NONE,
     MAIL_BOUNCE_FORMAT_NONE,
     NULL,
     NULL,
     NULL,
     NULL,
     {VERP_ANNA}},
    {"qmail.eml",
     MAIL_BOUNCE_HARD,
     MAIL_BOUNCE_FORMAT_QMAIL,
     "mila@example.org",
     "5.1.1",
     "Sorry, no mailbox here by that name. (#5.1.1)",
     "c0ffee00c0ffee00c0ffee00c0ffee00@zeelandnet.nl",
     {"bounce+20261129-mila=example.org@bounces.zeelandnet.nl"}},
    {"qmail-queue.eml",
     MAIL_BOUNCE_SOFT,
     MAIL_BOUNCE_FORMAT_QMAIL,
     "mila@example.org",
     NULL,
     "in the queue too long",
     NULL,
     {"bounce+20261129-mila=example.org@bounces.zeelandnet.nl"}},
    {"plain-exim.eml",
     MAIL_BOUNCE_HARD,
     MAIL_BOUNCE_FORMAT_PLAIN,
     "piet@example.com",
     "5.7.1",
     "550 5.7.1 <piet@example.com>: Relay access denied",
     "1122334455667788990011223344556677@zeelandnet.nl",
     {"bounce+20261129-piet=example.com@bounces.zeelandnet.nl"}},
    {"plain-exchange.eml",
     MAIL_BOUNCE_HARD,
     MAIL_BOUNCE_FORMAT_PLAIN,
     "sanne@outlook.example",
     "5.1.10",
     "RESOLVER.ADR.RecipientNotFound; Recipient not found",
     "feedfacefeedfacefeedfacefeedface@zeelandnet.nl",
     {"nieuws@zeelandnet.nl"}},
    /* An auto-reply with numbers that look like replies: no bounce. */
    {"not-bounce.eml",
     MAIL_BOUNCE_NONE,
     MAIL_BOUNCE_FORMAT_NONE,
     NULL,
     NULL,
     NULL,
     NULL,
     {VERP_ANNA}},
    /* Cut after the Status line: still says enough. */
    {"truncated-report.eml",
     MAIL_BOUNCE_HARD,
     MAIL_BOUNCE_FORMAT_DSN,
     "anna@example.nl",
     "5.1.1",
     NULL,
     NULL,
     {VERP_ANNA}},
    /* Cut before anything says why: not understood. */
    {"truncated-early.eml",
     MAIL_BOUNCE_NONE,
     MAIL_BOUNCE_FORMAT_NONE,
     NULL,
     NULL,
     NULL,
     NULL,
     {VERP_ANNA}},
};

static int
same(const char *got, const char *want)
{
	if (got == NULL || want == NULL)
		return got == want;
	return strcmp(got, want) == 0;
}

static const char *
shown(const char *text)
{
	return text ? text : "(null)";
}

static void
check_result(const char *name, const struct fixture *f,
	     const struct mail_bounce *b)
{
	CHECK(b->kind == f->kind, "%s: kind %s, want %s", name,
	      mail_bounce_kind_name(b->kind), mail_bounce_kind_name(f->kind));
	CHECK(b->format == f->format, "%s: format %s, want %s", name,
	      mail_bounce_format_name(b->format),
	      mail_bounce_format_name(f->format));
	CHECK(same(b->recipient, f->recipient), "%s: recipient %s, want %s",
	      name, shown(b->recipient), shown(f->recipient));
	CHECK(same(b->status, f->status), "%s: status %s, want %s", name,
	      shown(b->status), shown(f->status));
	if (f->reason_part == NULL)
		CHECK(b->reason == NULL || f->kind != MAIL_BOUNCE_NONE,
		      "%s: reason %s", name, b->reason);
	else
		CHECK(b->reason && strstr(b->reason, f->reason_part),
		      "%s: reason %s lacks %s", name, shown(b->reason),
		      f->reason_part);
	if (b->reason != NULL)
		CHECK(strlen(b->reason) <= MAIL_BOUNCE_REASON_MAX &&
			  strpbrk(b->reason, "\r\n\t") == NULL,
		      "%s: reason not one short line: %s", name, b->reason);
	CHECK(same(b->original_message_id, f->message_id),
	      "%s: message id %s, want %s", name, shown(b->original_message_id),
	      shown(f->message_id));
	for (size_t i = 0; i < 3 && f->addressed[i]; i++)
		CHECK(i < b->addressed_count &&
			  strcmp(b->addressed_to[i], f->addressed[i]) == 0,
		      "%s: addressed to #%zu %s, want %s", name, i,
		      i < b->addressed_count ? b->addressed_to[i] : "none",
		      f->addressed[i]);
}

static char *
read_fixture(const char *file, size_t *size_out)
{
	const char *data_dir = getenv("DIGEST_TEST_DATA");
	char *path =
	    xasprintf("%s/bounces/%s", data_dir ? data_dir : "data", file);
	char *data = NULL;

	if (util_read_file(path, (size_t)1 << 20, &data, size_out) < 0) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	free(path);
	return data;
}

/* The same bytes with every LF made CRLF, as a message on the wire. */
static char *
to_crlf(const char *data, size_t size, size_t *size_out)
{
	struct buf out = BUF_INIT;

	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\n')
			buf_putc(&out, '\r');
		buf_putc(&out, data[i]);
	}
	*size_out = out.length;
	return buf_detach(&out);
}

static void
check_fixture(const struct fixture *f)
{
	struct mail_bounce bounce;
	char *errstr = NULL;
	size_t size, crlf_size;
	char *data = read_fixture(f->file, &size);
	char *crlf = to_crlf(data, size, &crlf_size);
	char *name = xasprintf("%s (CRLF)", f->file);

	CHECK(mail_bounce_parse(data, size, &bounce, &errstr) == MAIL_BOUNCE_OK,
	      "%s: %s", f->file, shown(errstr));
	check_result(f->file, f, &bounce);
	mail_bounce_clear(&bounce);
	CHECK(mail_bounce_parse(crlf, crlf_size, &bounce, &errstr) ==
		  MAIL_BOUNCE_OK,
	      "%s: %s", name, shown(errstr));
	check_result(name, f, &bounce);
	mail_bounce_clear(&bounce);
	free(errstr);
	free(name);
	free(crlf);
	free(data);
}

/* Random bytes: unreadable or no bounce, and no crash either way. */
static void
check_garbage(void)
{
	struct mail_bounce bounce;
	char *errstr = NULL;
	size_t size;
	char *data = read_fixture("garbage.eml", &size);
	enum mail_bounce_status status =
	    mail_bounce_parse(data, size, &bounce, &errstr);

	CHECK(status == MAIL_BOUNCE_EUNREADABLE ||
		  (status == MAIL_BOUNCE_OK && bounce.kind == MAIL_BOUNCE_NONE),
	      "garbage.eml: status %d kind %s", status,
	      mail_bounce_kind_name(bounce.kind));
	CHECK(status == MAIL_BOUNCE_OK || errstr != NULL,
	      "garbage.eml: no reason given");
	mail_bounce_clear(&bounce);
	free(errstr);
	free(data);
	errstr = NULL;
	CHECK(mail_bounce_parse("", 0, &bounce, &errstr) ==
		  MAIL_BOUNCE_EUNREADABLE,
	      "an empty file is not a message");
	free(errstr);
}

/* Multiparts nested depth deep, each with its own boundary. */
static char *
nested(int depth, size_t *size_out)
{
	struct buf out = BUF_INIT;

	buf_puts(&out, "From: MAILER-DAEMON@example.nl\nSubject: x\n");
	for (int i = 0; i < depth; i++)
		buf_printf(&out,
			   "Content-Type: multipart/mixed; boundary=\"b%d\"\n"
			   "\n--b%d\n",
			   i, i);
	buf_puts(&out, "Content-Type: text/plain\n\n550 5.1.1 <a@b.nl>\n");
	*size_out = out.length;
	return buf_detach(&out);
}

static void
check_bounds(void)
{
	struct mail_bounce bounce;
	char *errstr = NULL;
	size_t size;
	char *data = nested(5000, &size);

	CHECK(mail_bounce_parse(data, size, &bounce, &errstr) ==
		  MAIL_BOUNCE_EUNREADABLE,
	      "5000 nested parts are refused");
	CHECK(errstr && strstr(errstr, "MIME parts"), "reason: %s",
	      shown(errstr));
	free(errstr);
	free(data);
	errstr = NULL;
	data = nested(90, &size);
	CHECK(mail_bounce_parse(data, size, &bounce, &errstr) == MAIL_BOUNCE_OK,
	      "90 nested parts are read: %s", shown(errstr));
	mail_bounce_clear(&bounce);
	free(data);
	CHECK(mail_bounce_parse("x", MAIL_BOUNCE_SIZE_MAX + 1, &bounce,
				&errstr) == MAIL_BOUNCE_ETOOBIG,
	      "a message over the size bound is refused unread");
	free(errstr);
}

/* Every prefix of a report: whatever it says, it never crashes. */
static void
check_prefixes(void)
{
	struct mail_bounce bounce;
	size_t size;
	char *data = read_fixture("dsn-hard.eml", &size);

	for (size_t length = 0; length <= size; length += 7) {
		char *copy = xmalloc(length ? length : 1);
		char *errstr = NULL;

		memcpy(copy, data, length);
		if (mail_bounce_parse(copy, length, &bounce, &errstr) ==
		    MAIL_BOUNCE_OK)
			mail_bounce_clear(&bounce);
		free(errstr);
		free(copy);
	}
	free(data);
}

int
main(void)
{
	for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++)
		check_fixture(&fixtures[i]);
	check_garbage();
	check_bounds();
	check_prefixes();
	if (failures != 0) {
		fprintf(stderr, "%d failures\n", failures);
		return 1;
	}
	printf("all bounce parser checks passed\n");
	return 0;
}
