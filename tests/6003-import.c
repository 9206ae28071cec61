/*
 * 6003-import.c - the CSV subscriber import (import.c) without the
 * command line: rows checked against the configuration, the first bad
 * record named by line, duplicates, and storing that keeps what the file
 * does not say.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "import.h"
#include "state.h"
#include "testcheck.h"
#include "teststore.h"
#include "util.h"

static struct provider providers[2];
static struct config config;

static void
setup_config(void)
{
	providers[0].id = "zeelandnet";
	providers[1].id = "delta";
	config.providers = providers;
	config.provider_count = 2;
	config.language = "en";
}

/* Reads text; returns the import or NULL, *errstr_out set on failure. */
static struct import *
read_text(const char *text, char **errstr_out)
{
	struct import *import = NULL;

	*errstr_out = NULL;
	if (import_read(&config, "subs.csv", text, strlen(text), &import,
			errstr_out) != IMPORT_OK)
		return NULL;
	return import;
}

/* Expects text to be refused with a message starting with want. */
static void
expect_refused(const char *text, const char *want)
{
	char *errstr = NULL;
	struct import *import = read_text(text, &errstr);

	CHECK(import == NULL);
	if (errstr == NULL || strncmp(errstr, want, strlen(want)) != 0) {
		fprintf(stderr, "got \"%s\", want \"%s...\"\n",
			errstr ? errstr : "(null)", want);
		failures++;
	}
	free(errstr);
	import_free(import);
}

static void
test_refusals(void)
{
	expect_refused("", "subs.csv: empty file");
	expect_refused("email,phone\n", "subs.csv:1: unknown column \"phone\"");
	expect_refused("name\nAnna\n", "subs.csv:1: the header row has no");
	expect_refused("email,email\n", "subs.csv:1: column email appears");
	expect_refused("email,provider\na@example.nl,delta\nb@example.nl,kpn\n",
		       "subs.csv:3: unknown provider \"kpn\" (configured: "
		       "zeelandnet, delta)");
	expect_refused("email,language\na@example.nl,de\n",
		       "subs.csv:2: language \"de\" is not nl or en");
	expect_refused("email\nnot an address\n",
		       "subs.csv:2: \"not an address\": not a valid email");
	expect_refused("email,name\na@example.nl,\"x\x01y\"\n",
		       "subs.csv:2: name contains a control character");
	/* A repeat on line 3 comes before the bad row on line 4. */
	expect_refused("email,format\na@example.nl,text\nA@example.nl,html\n"
		       "c@example.nl,pdf\n",
		       "subs.csv:3: A@example.nl appears twice (first on "
		       "line 2)");
	expect_refused("email,format\na@example.nl,\"text\n", "subs.csv:2: ");
}

static void
test_store(const char *path)
{
	struct state *state = NULL;
	struct subscriber stored = {0};
	struct import *import;
	char *errstr = NULL;
	size_t added = 0, updated = 0;

	CHECK(state_open(path, &state, &errstr) == STATE_OK);
	import = read_text("\xEF\xBB\xBF"
			   "Email,Name,Provider,Language,Format\r\n"
			   "anna@example.nl,Anna,Delta,nl,text\r\n"
			   "bert@example.nl,,,,\r\n",
			   &errstr);
	CHECK(import != NULL && import_count(import) == 2);
	CHECK(import_store(import, state, &added, &updated, &errstr) ==
	      STATE_OK);
	CHECK(added == 2 && updated == 0);
	import_free(import);
	CHECK(state_subscriber_get(state, "bert@example.nl", &stored,
				   &errstr) == STATE_OK);
	/* Empty cells take the defaults: the config's language. */
	CHECK(stored.language && strcmp(stored.language, "en") == 0);
	CHECK(stored.provider == NULL && stored.format == 0);
	subscriber_clear(&stored);

	/* Switch anna off; a file without those columns keeps the rest. */
	CHECK(state_subscriber_get(state, "anna@example.nl", &stored,
				   &errstr) == STATE_OK);
	stored.active = 0;
	CHECK(state_subscriber_update(state, &stored, &errstr) == STATE_OK);
	subscriber_clear(&stored);
	import = read_text("email,name\nanna@example.nl,Anna B\n", &errstr);
	CHECK(import != NULL);
	CHECK(import_store(import, state, &added, &updated, &errstr) ==
	      STATE_OK);
	CHECK(added == 0 && updated == 1);
	import_free(import);
	CHECK(state_subscriber_get(state, "anna@example.nl", &stored,
				   &errstr) == STATE_OK);
	CHECK(strcmp(stored.name, "Anna B") == 0);
	CHECK(stored.provider && strcmp(stored.provider, "delta") == 0);
	CHECK(strcmp(stored.language, "nl") == 0);
	CHECK(stored.format == SUBSCRIBER_FORMAT_TEXT && stored.active == 0);
	subscriber_clear(&stored);
	free(errstr);
	state_close(state);
}

int
main(void)
{
	char *path;

	teststore_init("6003");
	path = teststore_new("import");
	setup_config();
	test_refusals();
	test_store(path);
	free(path);
	teststore_cleanup();
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
