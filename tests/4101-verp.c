/*
 * 4101-verp.c - VERP envelope senders: the exact form verp_encode()
 * makes, verp_decode() reading back what it made (and refusing what it
 * did not), and letter_envelope_from() choosing between VERP and the
 * provider's plain sender.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "letter.h"
#include "util.h"
#include "verp.h"

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

#define DOMAIN "bounces.zeelandnet.nl"

struct encode_case {
	const char *email;
	const char *date;
	const char *expected; /* NULL: no VERP address */
};

static const struct encode_case encode_cases[] = {
    {"anna@example.nl", "2026-11-29",
     "bounce+20261129-anna=example.nl@" DOMAIN},
    {"jan.de.vries@zeelandnet.nl", "2027-01-02",
     "bounce+20270102-jan.de.vries=zeelandnet.nl@" DOMAIN},
    /* '+' and '=' in the local part: the last '=' still splits. */
    {"a+b=c@delta.example", "2026-11-29",
     "bounce+20261129-a+b=c=delta.example@" DOMAIN},
    {"O'Brien@example.com", "2026-12-31",
     "bounce+20261231-O'Brien=example.com@" DOMAIN},
    /* Not usable: bad address, bad date. */
    {"no-at-sign", "2026-11-29", NULL},
    {"anna@example.nl", "2026-13-01", NULL},
    {"anna@example.nl", "2026-11-2", NULL},
    {"anna@example.nl", "29-11-2026", NULL},
    {"an na@example.nl", "2026-11-29", NULL},
};

static void
check_encode(void)
{
	for (size_t i = 0; i < sizeof encode_cases / sizeof encode_cases[0];
	     i++) {
		const struct encode_case *c = &encode_cases[i];
		char *got = verp_encode(DOMAIN, c->email, c->date);

		if (c->expected == NULL)
			CHECK(got == NULL, "encode %s %s: got %s", c->email,
			      c->date, got);
		else
			CHECK(got && strcmp(got, c->expected) == 0,
			      "encode %s %s: got %s, want %s", c->email,
			      c->date, got ? got : "NULL", c->expected);
		free(got);
	}
	CHECK(verp_encode("localhost", "anna@example.nl", "2026-11-29") == NULL,
	      "a bounce domain without a dot is refused");
	CHECK(verp_encode(NULL, "anna@example.nl", "2026-11-29") == NULL,
	      "no bounce domain, no VERP");
}

/* Every address that encodes decodes back to the same address and date. */
static void
check_round_trip(const char *email, const char *date)
{
	char *address = verp_encode(DOMAIN, email, date);
	char *decoded = NULL;
	char decoded_date[11] = "";

	CHECK(address != NULL, "encode %s", email);
	if (address == NULL)
		return;
	CHECK(strlen(address) <= VERP_ADDRESS_MAX, "%s: too long", address);
	CHECK(verp_decode(address, DOMAIN, &decoded, decoded_date) == 0 &&
		  strcmp(decoded, email) == 0 &&
		  strcmp(decoded_date, date) == 0,
	      "round trip of %s %s: %s %s", email, date,
	      decoded ? decoded : "NULL", decoded_date);
	free(decoded);
	free(address);
}

struct decode_case {
	const char *address;
	const char *domain; /* the bounce domain asked for */
	const char *email;  /* NULL: not a VERP address */
	const char *date;
};

static const struct decode_case decode_cases[] = {
    {"bounce+20261129-anna=example.nl@" DOMAIN, DOMAIN, "anna@example.nl",
     "2026-11-29"},
    /* Brackets, as in Return-Path or a Delivered-To copied from one. */
    {"<bounce+20261129-anna=example.nl@" DOMAIN ">", DOMAIN, "anna@example.nl",
     "2026-11-29"},
    /* A relay that folded the case: the domains are normalised. */
    {"BOUNCE+20261129-Anna=Example.NL@BOUNCES.ZeelandNet.NL", DOMAIN,
     "Anna@example.nl", "2026-11-29"},
    /* Any bounce domain when none is asked for. */
    {"bounce+20261129-anna=example.nl@bounces.delta.example", NULL,
     "anna@example.nl", "2026-11-29"},
    /* Not ours, or not VERP at all. */
    {"bounce+20261129-anna=example.nl@bounces.delta.example", DOMAIN, NULL,
     NULL},
    {"bounce+20261129-anna=example.nl@x" DOMAIN, DOMAIN, NULL, NULL},
    {"bounce@" DOMAIN, DOMAIN, NULL, NULL},
    {"nieuws@zeelandnet.nl", NULL, NULL, NULL},
    {"bounce+2026112-anna=example.nl@" DOMAIN, DOMAIN, NULL, NULL},
    {"bounce+20261129anna=example.nl@" DOMAIN, DOMAIN, NULL, NULL},
    {"bounce+20261329-anna=example.nl@" DOMAIN, DOMAIN, NULL, NULL},
    {"bounce+20261100-anna=example.nl@" DOMAIN, DOMAIN, NULL, NULL},
    {"bounce+20261129-anna@" DOMAIN, DOMAIN, NULL, NULL},
    {"bounce+20261129-=example.nl@" DOMAIN, DOMAIN, NULL, NULL},
    {"bounce+20261129-anna=@" DOMAIN, DOMAIN, NULL, NULL},
    {"bounce+20261129-anna=localhost@" DOMAIN, DOMAIN, NULL, NULL},
    {"bounce+20261129-an na=example.nl@" DOMAIN, DOMAIN, NULL, NULL},
    {"bounce+20261129-anna=exa\r\nmple.nl@" DOMAIN, DOMAIN, NULL, NULL},
    {"bounce+20261129-anna=example.nl", NULL, NULL, NULL},
    {"", NULL, NULL, NULL},
    {"<>", NULL, NULL, NULL},
    {"@", NULL, NULL, NULL},
};

static void
check_decode(void)
{
	for (size_t i = 0; i < sizeof decode_cases / sizeof decode_cases[0];
	     i++) {
		const struct decode_case *c = &decode_cases[i];
		char *email = NULL;
		char date[11] = "";
		int result = verp_decode(c->address, c->domain, &email, date);

		if (c->email == NULL) {
			CHECK(result < 0 && email == NULL,
			      "decode %s: got %s %s", c->address, email, date);
		} else {
			CHECK(result == 0 && email &&
				  strcmp(email, c->email) == 0 &&
				  strcmp(date, c->date) == 0,
			      "decode %s: got %d %s %s, want %s %s", c->address,
			      result, email ? email : "NULL", date, c->email,
			      c->date);
		}
		free(email);
	}
}

/* A domain of exactly length bytes: labels of 'a's, at most 60 each. */
static char *
make_domain(size_t length)
{
	struct buf domain = BUF_INIT;

	while (length - domain.length > 61) {
		for (int i = 0; i < 60; i++)
			buf_putc(&domain, 'a');
		buf_putc(&domain, '.');
	}
	while (domain.length < length)
		buf_putc(&domain, 'b');
	return buf_detach(&domain);
}

/* A VERP address stays a reverse-path: too long means no VERP at all. */
static void
check_lengths(void)
{
	/* The longest subscriber address whose VERP address fits ('=' takes
	 * the place of its '@'). */
	size_t room =
	    VERP_ADDRESS_MAX - strlen("bounce+20261129-") - strlen("@" DOMAIN);
	char *domain = make_domain(room - strlen("anna@"));
	char *email = xasprintf("anna@%s", domain);
	char *address = verp_encode(DOMAIN, email, "2026-11-29");

	CHECK(strlen(email) == room, "test setup: %zu, want %zu", strlen(email),
	      room);
	CHECK(address && strlen(address) == VERP_ADDRESS_MAX,
	      "an address of %zu bytes should just fit", strlen(email));
	free(address);
	free(email);
	email = xasprintf("annax@%s", domain);
	address = verp_encode(DOMAIN, email, "2026-11-29");
	CHECK(strlen(email) == room + 1 && address == NULL,
	      "an address of %zu bytes should not fit: %s", strlen(email),
	      address ? address : "NULL");
	free(address);
	free(email);
	free(domain);
}

static void
check_letter(void)
{
	struct provider provider = {0};
	char *sender;

	provider.from_address = "nieuws@zeelandnet.nl";
	sender =
	    letter_envelope_from(&provider, "anna@example.nl", "2026-11-29");
	CHECK(strcmp(sender, "nieuws@zeelandnet.nl") == 0,
	      "without bounce_domain: %s", sender);
	free(sender);
	provider.bounce_domain = DOMAIN;
	sender =
	    letter_envelope_from(&provider, "anna@example.nl", "2026-11-29");
	CHECK(strcmp(sender, "bounce+20261129-anna=example.nl@" DOMAIN) == 0,
	      "with bounce_domain: %s", sender);
	free(sender);
	sender = letter_envelope_from(&provider, "bad address", "2026-11-29");
	CHECK(strcmp(sender, "nieuws@zeelandnet.nl") == 0,
	      "no VERP possible: %s", sender);
	free(sender);
}

int
main(void)
{
	check_encode();
	check_round_trip("anna@example.nl", "2026-11-29");
	check_round_trip("a+b=c@delta.example", "2026-01-01");
	check_round_trip("x.y-z_w@sub.domain.example.org", "2030-12-31");
	check_round_trip("#!$%&'*/=?^`{|}~@example.nl", "2026-02-28");
	check_decode();
	check_lengths();
	check_letter();
	if (failures != 0) {
		fprintf(stderr, "%d failures\n", failures);
		return 1;
	}
	printf("all VERP checks passed\n");
	return 0;
}
