/*
 * 4010-letter-variant.c - letters rendered once per variant
 * (letter_make()) against the same letters built whole (letter_build(),
 * the reference): for readers of both languages and every format, with
 * and without names (plain, accented, "=?", markup characters, long
 * enough to wrap the greeting), with and without signed links, through
 * either provider, with and without the prompt, on the shipped templates
 * and on templates that put the personal values in odd places, each
 * message has the same headers (but the Message-ID and the boundary),
 * the same part headers (7bit where the whole letter is 7bit) and the
 * same decoded text.  The variants are rendered once each, a changed
 * share under a known key is rendered anew, and the maker keeps at most
 * its cap of variants.  With a directory argument the pairs of messages
 * are also written there for 4011-letter-variant-parse.py.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "3500-render-sample.h"
#include "4010-letter-variant.h"
#include "config.h"
#include "letter.h"
#include "links.h"

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

#define KEY "4010-the-key-that-signs-links-0123456789"

static const time_t now = 1795941000; /* 2026-11-29 07:50 UTC */

/* Where to write the pairs of messages, or NULL. */
static const char *out_dir;
static size_t pair_count;
/* Letters whose text part went 7bit. */
static size_t seven_bit_count;

/* Writes text to directory/name; exits 2 when it cannot. */
static char *
put_file(const char *directory, const char *name, const char *text, int mode)
{
	char *path = xasprintf("%s/%s", directory, name);

	if (util_write_file_atomic(path, text, strlen(text)) < 0 ||
	    chmod(path, (mode_t)mode) < 0) {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return path;
}

/* Two providers; [web] at base unless NULL; templates from templates. */
static struct config *
load_config(const char *directory, const char *base, const char *templates)
{
	char *web = base != NULL ? xasprintf("[web]\nbase_url = %s\n"
					     "secret_file = %s/link.key\n",
					     base, directory)
				 : xstrdup("");
	char *text = xasprintf(
	    "[digest]\ntitle = Buitenland\ntemplates = %s\n"
	    "state = %s/state.sqlite\n"
	    "[source leeg]\nurl = file:///dev/null\n"
	    "[mail]\ntransport = stdout\ndefault_provider = zeelandnet\n"
	    "list_id = Buitenland <buitenland.example.nl>\n"
	    "unsubscribe_mailto = afmelden@example.nl\n"
	    "[provider zeelandnet]\nname = ZeelandNet webmail\n"
	    "smtp_url = smtps://127.0.0.1:1\nfrom = nieuws@zeelandnet.example\n"
	    "from_name = ZeelandNet Nieuws\n"
	    "footer = ZeelandNet B.V. \xC2\xB7 Middelburg\n"
	    "[provider delta]\nname = DELTA webmail\n"
	    "smtp_url = smtps://127.0.0.1:1\nfrom = nieuws@delta.example\n"
	    "list_id = Buitenland DELTA \xC3\xA9\xC3\xA9n "
	    "<buitenland.delta.example>\n"
	    "unsubscribe_mailto = afmelden@delta.example\n%s",
	    templates, directory, web);
	char *path = put_file(directory, "digest.ini", text, 0644);
	struct config *config = NULL;
	char *problems = NULL;

	if (config_load(path, &config, &problems) != CONFIG_OK) {
		fprintf(stderr, "config: %s\n", problems);
		exit(2);
	}
	free(problems);
	free(path);
	free(text);
	free(web);
	return config;
}

/* The names readers go by in these tests. */
static const char *const names[] = {
    NULL,
    "",
    "Anna de Vries",
    "B\xC3\xA9rt \xC3\x96l\xC3\xA7"
    "er-van den Heuvel",
    "Evil =?utf-8?q?x?= \"q\"",
    "Jan & <Piet> \"O'Brien\" jr.",
    "Maximiliaan Alexander Christiaan Frederik van Oranje-Nassau tot "
    "Amsberg en Lippe-Biesterfeld",
    "Tab\there",
    "x",
    "O'Brien-Smith",
    "Jan  Jansen",
    " Padded ",
};

static void
write_pair(const char *old_message, const char *new_message)
{
	char name[32];
	char *path;

	if (out_dir == NULL) {
		pair_count++;
		return;
	}
	snprintf(name, sizeof name, "%04zu-old.eml", pair_count);
	path = put_file(out_dir, name, old_message, 0644);
	free(path);
	snprintf(name, sizeof name, "%04zu-new.eml", pair_count);
	path = put_file(out_dir, name, new_message, 0644);
	free(path);
	pair_count++;
}

/*
 * Builds the reader's letter both ways and compares them; returns 1 when
 * the letters came out the same.
 */
static int
compare(struct letter_maker *maker, const struct config *config,
	struct renderer *renderer, const struct links *links,
	const struct item_list *items, long share_key,
	const struct subscriber *reader, const char *what)
{
	struct letter old_letter, new_letter;
	char *errstr = NULL, *old_form, *new_form;
	int same;

	if (letter_build(config, renderer, links, items, reader, now,
			 &old_letter, &errstr) != LETTER_OK) {
		CHECK(0, "%s: letter_build: %s", what, errstr);
		free(errstr);
		return 0;
	}
	if (letter_make(maker, items, share_key, reader, &new_letter,
			&errstr) != LETTER_OK) {
		CHECK(0, "%s: letter_make: %s", what, errstr);
		free(errstr);
		letter_clear(&old_letter);
		return 0;
	}
	old_form = canonical_form(old_letter.message);
	new_form = canonical_form(new_letter.message);
	same = strcmp(old_form, new_form) == 0;
	CHECK(same, "%s: the letters differ:\n%s", what,
	      first_difference(old_form, new_form));
	CHECK(new_letter.size == strlen(new_letter.message), "%s: size %zu",
	      what, new_letter.size);
	CHECK(strstr(new_letter.message, new_letter.message_id) != NULL,
	      "%s: Message-ID %s not in the message", what,
	      new_letter.message_id);
	CHECK(strcmp(old_letter.envelope_from, new_letter.envelope_from) == 0,
	      "%s: envelope %s, want %s", what, new_letter.envelope_from,
	      old_letter.envelope_from);
	CHECK(old_letter.provider == new_letter.provider &&
		  old_letter.prompted == new_letter.prompted,
	      "%s: provider or prompt differ", what);
	CHECK(crlf_only(new_letter.message), "%s: a bare CR or LF", what);
	if (strstr(new_letter.message, "Content-Transfer-Encoding: 7bit"))
		seven_bit_count++;
	write_pair(old_letter.message, new_letter.message);
	free(old_form);
	free(new_form);
	letter_clear(&old_letter);
	letter_clear(&new_letter);
	return same;
}

/*
 * Every reader of the matrix: languages, formats, names, providers and
 * prompts.  Returns how many letters were compared.
 */
static size_t
compare_matrix(struct letter_maker *maker, const struct config *config,
	       struct renderer *renderer, const struct links *links,
	       const struct item_list *items, const char *what)
{
	static const char *const languages[] = {"nl", "en"};
	static const enum subscriber_format formats[] = {
	    SUBSCRIBER_FORMAT_BOTH, SUBSCRIBER_FORMAT_TEXT,
	    SUBSCRIBER_FORMAT_HTML};
	static const char *const providers[] = {NULL, "delta"};
	struct subscriber reader = {0};
	size_t count = 0;
	char label[160];

	reader.active = 1;
	for (size_t l = 0; l < 2; l++)
		for (size_t f = 0; f < 3; f++)
			for (size_t n = 0; n < sizeof names / sizeof *names;
			     n++)
				for (size_t p = 0; p < 4; p++) {
					reader.email = xasprintf(
					    "reader%zu.%zu@example.nl", n, p);
					reader.language = (char *)languages[l];
					reader.format = formats[f];
					reader.name = (char *)names[n];
					reader.provider =
					    (char *)providers[p % 2];
					reader.prompted_at = p >= 2 ? now : 0;
					snprintf(label, sizeof label,
						 "%s %s/%d name %zu p%zu", what,
						 languages[l], (int)formats[f],
						 n, p);
					compare(maker, config, renderer, links,
						items, 7, &reader, label);
					free(reader.email);
					count++;
				}
	return count;
}

/*
 * Templates that put the personal values where the shipped ones do not:
 * the name inside a line and unescaped in HTML, the greeting plain, a
 * link twice on one long line, the name in a section of its own.
 */
static void
write_odd_templates(const char *directory, const char *shipped)
{
	static const char *const partials[] = {"item.txt", "item.html"};

	write_template(
	    directory, "digest.txt.mustache",
	    "{{title_text}}\n"
	    "Voor {{recipient_name}}: {{greeting}} -- en verder\n"
	    "{{#has_recipient}}[{{recipient_name}}]{{/has_recipient}}"
	    "{{^has_recipient}}[niemand]{{/has_recipient}}\n"
	    "{{greeting_text}}\n"
	    "{{#items}}{{> item.txt}}\n{{/items}}"
	    "Links: {{unsubscribe_url}} en {{prefs_url}} en "
	    "{{view_url}} {{unsubscribe_url}}\n"
	    "{{#view_url}}view: {{.}}{{/view_url}}\n");
	write_template(directory, "digest.html.mustache",
		       "<html><body><p>{{{recipient_name}}} / "
		       "{{recipient_name}} / {{{greeting}}}</p>\n"
		       "{{#items}}{{> item.html}}{{/items}}"
		       "<a href=\"{{unsubscribe_url}}\">x</a><a href=\""
		       "{{{prefs_url}}}\">y</a>{{view_url}}{{view_url}}"
		       "</body></html>\n");
	for (size_t i = 0; i < 2; i++) {
		char *path = xasprintf("%s/%s.mustache", shipped, partials[i]);
		char *text = NULL;
		size_t size;

		if (util_read_file(path, 1 << 20, &text, &size) < 0) {
			fprintf(stderr, "cannot read %s\n", path);
			exit(2);
		}
		free(path);
		path = xasprintf("%s.mustache", partials[i]);
		write_template(directory, path, text);
		free(path);
		free(text);
	}
}

/* Items that keep the text part 7bit: ASCII, short lines, no dates. */
static const struct sample_item ascii_items[] = {
    {"Wire", "Talks in Geneva end without a deal",
     "https://wire.example.org/a/1", -1, NULL,
     "Negotiators left without an agreement."},
    {"Wire", "Rain in the north", NULL, -1, NULL, NULL},
};

struct setup {
	const char *what;
	const char *base; /* [web] base_url, or NULL */
	int odd;	  /* the odd templates */
	int ascii;	  /* the 7bit items */
};

static void
run_setup(const char *directory, const struct setup *setup)
{
	char *shipped = sample_template_dir();
	char *odd = xasprintf("%s/odd", directory);
	struct config *config;
	struct links *links = NULL;
	struct renderer *renderer = NULL;
	struct letter_maker *maker;
	struct letter_maker_stats stats;
	struct item_list items = {0};
	char *errstr = NULL;
	size_t count;

	if (setup->odd) {
		mkdir(odd, 0700);
		write_odd_templates(odd, shipped);
	}
	config =
	    load_config(directory, setup->base, setup->odd ? odd : shipped);
	if ((setup->base != NULL &&
	     links_open(config, &links, &errstr) != LINKS_OK) ||
	    render_open(config->template_dir, &renderer, &errstr) !=
		RENDER_OK) {
		fprintf(stderr, "%s: setup: %s\n", setup->what, errstr);
		exit(2);
	}
	if (setup->ascii)
		sample_list_fill(&items, ascii_items, 2);
	else
		sample_list_fill(&items, sample_items, 4);
	maker = letter_maker_new(config, renderer, links, now);
	count =
	    compare_matrix(maker, config, renderer, links, &items, setup->what);
	letter_maker_stats(maker, &stats);
	/* Only the name with a tab is cleaned in To; none is built whole. */
	CHECK(stats.letters_filled == count && stats.letters_whole == 0,
	      "%s: %zu filled, %zu whole of %zu", setup->what,
	      stats.letters_filled, stats.letters_whole, count);
	/* 2 languages x 2 formats x 2 providers x name or not x prompt. */
	CHECK(stats.variants_rendered <= 32, "%s: %zu variants rendered",
	      setup->what, stats.variants_rendered);
	letter_maker_free(maker);
	sample_list_free(&items);
	render_close(renderer);
	links_free(links);
	config_free(config);
	free(odd);
	free(shipped);
}

/* The readers a maker serves in the tests below. */
static void
reader_init(struct subscriber *reader, const char *email, const char *name)
{
	memset(reader, 0, sizeof *reader);
	reader->email = (char *)email;
	reader->name = (char *)name;
	reader->language = "nl";
	reader->active = 1;
}

/*
 * Plain names of every length around where GMime folds the To line, for
 * addresses short and long, and long addresses without a name: the To
 * lines written without GMime must be the ones GMime writes.
 */
static void
test_to_lengths(const char *directory)
{
	char *shipped = sample_template_dir();
	struct config *config = load_config(directory, NULL, shipped);
	struct renderer *renderer = NULL;
	struct letter_maker *maker;
	struct item_list items = {0};
	struct subscriber reader = {0};
	char *errstr = NULL, name[100], local[80], label[64];

	sample_list_fill(&items, sample_items, 1);
	if (render_open(config->template_dir, &renderer, &errstr) != RENDER_OK)
		exit(2);
	maker = letter_maker_new(config, renderer, NULL, now);
	reader.language = "en";
	reader.format = SUBSCRIBER_FORMAT_TEXT;
	reader.active = 1;
	for (size_t local_length = 1; local_length < 64; local_length += 9) {
		memset(local, 'k', local_length);
		local[local_length] = '\0';
		reader.email = xasprintf("%s@example.nl", local);
		for (size_t length = 0; length < 90; length++) {
			for (size_t i = 0; i < length; i++)
				name[i] = i % 6 == 5 && i + 1 < length
					      ? ' '
					      : "aB-'9z"[i % 6];
			name[length] = '\0';
			reader.name = length > 0 ? name : NULL;
			snprintf(label, sizeof label, "To %zu+%zu",
				 local_length, length);
			compare(maker, config, renderer, NULL, &items, 1,
				&reader, label);
		}
		free(reader.email);
	}
	letter_maker_free(maker);
	render_close(renderer);
	config_free(config);
	sample_list_free(&items);
	free(shipped);
}

/*
 * A name with a carriage return, and templates whose text does not end
 * a line: those letters are built whole, and still come out the same.
 */
static void
test_built_whole(const char *directory)
{
	char *shipped = sample_template_dir();
	char *odd = xasprintf("%s/open", directory);
	struct config *config = load_config(directory, NULL, shipped);
	struct renderer *renderer = NULL;
	struct letter_maker *maker;
	struct letter_maker_stats stats;
	struct item_list items = {0};
	struct subscriber reader;
	char *errstr = NULL;

	sample_list_fill(&items, sample_items, 3);
	if (render_open(config->template_dir, &renderer, &errstr) != RENDER_OK)
		exit(2);
	maker = letter_maker_new(config, renderer, NULL, now);
	reader_init(&reader, "cr@example.nl", "Carriage\rReturn");
	compare(maker, config, renderer, NULL, &items, 1, &reader, "CR name");
	reader_init(&reader, "lf@example.nl", "Line\nFeed");
	compare(maker, config, renderer, NULL, &items, 1, &reader, "LF name");
	letter_maker_stats(maker, &stats);
	CHECK(stats.letters_whole == 1 && stats.letters_filled == 1,
	      "CR/LF names: %zu whole, %zu filled", stats.letters_whole,
	      stats.letters_filled);
	letter_maker_free(maker);
	render_close(renderer);
	config_free(config);

	mkdir(odd, 0700);
	write_template(odd, "digest.txt.mustache", "Hallo {{recipient_name}}");
	write_template(odd, "digest.html.mustache", "<p>{{greeting}}</p>\n");
	config = load_config(directory, NULL, odd);
	if (render_open(config->template_dir, &renderer, &errstr) != RENDER_OK)
		exit(2);
	maker = letter_maker_new(config, renderer, NULL, now);
	reader_init(&reader, "open@example.nl", "Anna");
	compare(maker, config, renderer, NULL, &items, 1, &reader, "open end");
	compare(maker, config, renderer, NULL, &items, 1, &reader,
		"open end again");
	letter_maker_stats(maker, &stats);
	CHECK(stats.letters_whole == 2 && stats.variants_rendered == 1,
	      "open end: %zu whole, %zu variants", stats.letters_whole,
	      stats.variants_rendered);
	letter_maker_free(maker);
	render_close(renderer);
	config_free(config);
	sample_list_free(&items);
	free(odd);
	free(shipped);
}

/*
 * A share is known by its key: another list with the same items is the
 * same variant, other items under the key a new one; and past the cap,
 * the maker lets variants go.
 */
static void
test_shares(const char *directory)
{
	char *shipped = sample_template_dir();
	struct config *config = load_config(directory, NULL, shipped);
	struct renderer *renderer = NULL;
	struct letter_maker *maker;
	struct letter_maker_stats stats;
	struct item_list items = {0}, copy = {0}, other = {0};
	struct subscriber reader;
	char *errstr = NULL;

	sample_list_fill(&items, sample_items, 3);
	sample_list_fill(&copy, sample_items, 3);
	sample_list_fill(&other, sample_items + 1, 3);
	if (render_open(config->template_dir, &renderer, &errstr) != RENDER_OK)
		exit(2);
	maker = letter_maker_new(config, renderer, NULL, now);
	reader_init(&reader, "share@example.nl", "Anna");
	compare(maker, config, renderer, NULL, &items, 5, &reader, "share");
	compare(maker, config, renderer, NULL, &copy, 5, &reader, "copy");
	letter_maker_stats(maker, &stats);
	CHECK(stats.variants_rendered == 1, "a copy rendered again");
	compare(maker, config, renderer, NULL, &other, 5, &reader, "other");
	letter_maker_stats(maker, &stats);
	CHECK(stats.variants_rendered == 2, "other items not rendered");
	for (long key = 100; key < 300; key++) {
		struct letter letter;

		if (letter_make(maker, &items, key, &reader, &letter,
				&errstr) == LETTER_OK)
			letter_clear(&letter);
	}
	letter_maker_stats(maker, &stats);
	CHECK(stats.variants_rendered == 202 && stats.variants_kept <= 64,
	      "%zu variants rendered, %zu kept", stats.variants_rendered,
	      stats.variants_kept);
	letter_maker_free(maker);
	render_close(renderer);
	config_free(config);
	sample_list_free(&items);
	sample_list_free(&copy);
	sample_list_free(&other);
	free(shipped);
}

/* Threads sharing one maker, each with its readers. */
struct worker {
	struct letter_maker *maker;
	const struct item_list *items;
	size_t first;
	char *messages[40];
};

static void *
work(void *argument)
{
	struct worker *worker = argument;

	for (size_t i = 0; i < 40; i++) {
		struct subscriber reader;
		struct letter letter;
		char *email = xasprintf("t%zu@example.nl", worker->first + i);
		char *errstr = NULL;

		reader_init(&reader, email, i % 3 ? "Thread Lezer" : NULL);
		reader.language = i % 2 ? "en" : "nl";
		/* Every ninth share is new: variants come and go meanwhile. */
		if (letter_make(worker->maker, worker->items,
				i % 9 == 0 ? (long)(worker->first + i) : 1,
				&reader, &letter, &errstr) == LETTER_OK)
			worker->messages[i] = canonical_form(letter.message);
		free(errstr);
		letter_clear(&letter);
		free(email);
	}
	return NULL;
}

static void
test_threads(const char *directory)
{
	char *shipped = sample_template_dir();
	struct config *config = load_config(directory, NULL, shipped);
	struct renderer *renderer = NULL;
	struct letter_maker *maker;
	struct item_list items = {0};
	struct worker workers[4];
	pthread_t threads[4];
	char *errstr = NULL;

	sample_list_fill(&items, sample_items, 3);
	if (render_open(config->template_dir, &renderer, &errstr) != RENDER_OK)
		exit(2);
	maker = letter_maker_new(config, renderer, NULL, now);
	for (size_t t = 0; t < 4; t++) {
		memset(&workers[t], 0, sizeof workers[t]);
		workers[t].maker = maker;
		workers[t].items = &items;
		workers[t].first = 1000 * t;
		pthread_create(&threads[t], NULL, work, &workers[t]);
	}
	for (size_t t = 0; t < 4; t++)
		pthread_join(threads[t], NULL);
	/* The renderer is free again: compare with the letters built whole. */
	for (size_t t = 0; t < 4; t++)
		for (size_t i = 0; i < 40; i++) {
			struct subscriber reader;
			struct letter letter;
			char *email =
			    xasprintf("t%zu@example.nl", 1000 * t + i);
			char *form = NULL;

			reader_init(&reader, email,
				    i % 3 ? "Thread Lezer" : NULL);
			reader.language = i % 2 ? "en" : "nl";
			if (letter_build(config, renderer, NULL, &items,
					 &reader, now, &letter,
					 &errstr) == LETTER_OK)
				form = canonical_form(letter.message);
			CHECK(form != NULL && workers[t].messages[i] != NULL &&
				  strcmp(form, workers[t].messages[i]) == 0,
			      "thread %zu letter %zu differs", t, i);
			free(form);
			free(workers[t].messages[i]);
			letter_clear(&letter);
			free(email);
		}
	letter_maker_free(maker);
	render_close(renderer);
	config_free(config);
	sample_list_free(&items);
	free(shipped);
}

int
main(int argc, char **argv)
{
	static const struct setup setups[] = {
	    {"https", "https://nieuws.example.nl/digest", 0, 0},
	    {"no web", NULL, 0, 0},
	    {"http", "http://127.0.0.1:8080/digest", 0, 0},
	    {"odd https", "https://nieuws.example.nl/digest", 1, 0},
	    {"ascii", NULL, 0, 1},
	    {"odd ascii", NULL, 1, 1},
	};
	char directory[] = "/tmp/digest-4010-XXXXXX";
	char *key_path, *command;

	if (argc > 1)
		out_dir = argv[1];
	if (mkdtemp(directory) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	key_path = put_file(directory, "link.key", KEY "\n", 0600);
	for (size_t i = 0; i < sizeof setups / sizeof *setups; i++) {
		size_t before = seven_bit_count;

		run_setup(directory, &setups[i]);
		if (setups[i].ascii)
			CHECK(seven_bit_count > before,
			      "%s: no letter went 7bit", setups[i].what);
	}
	test_to_lengths(directory);
	test_built_whole(directory);
	test_shares(directory);
	test_threads(directory);
	free(key_path);
	command = xasprintf("rm -rf '%s'", directory);
	if (system(command) != 0)
		fprintf(stderr, "cannot remove %s\n", directory);
	free(command);
	if (failures > 0) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("%zu letters compared, %zu of them 7bit\n", pair_count,
	       seven_bit_count);
	return 0;
}
