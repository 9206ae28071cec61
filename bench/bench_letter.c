/*
 * bench_letter - makes one letter each for N subscribers (Dutch and
 * English, multipart and text alone, each with a name and signed links)
 * from the demo feeds, first whole per subscriber (letter_build(), as
 * `digest send` did) and then rendered once per variant (letter_make()),
 * and prints letters per second of CPU time for both.  Not a test: it
 * prints figures for a person to read.
 *
 * Usage: bench-letter [N [old|new]]; the second argument runs one way
 * only, for a profiler.  Instructions per letter, repeatable where time
 * is not: valgrind --tool=callgrind --toggle-collect=bench_old_way
 * (or bench_new_way) bench-letter N, and divide the total by N.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "datetime.h"
#include "feed.h"
#include "letter.h"
#include "links.h"
#include "render.h"
#include "util.h"

#define BENCH_MAX_ITEMS 10

/* What both ways need. */
struct bench {
	struct config *config;
	struct renderer *renderer;
	struct links *links;
	struct item_list items;
	struct subscriber *readers;
	size_t count;
	time_t now;
};

static double
cpu_seconds(void)
{
	struct timespec now;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "bench-letter: %s: %s\n", what, why ? why : "failed");
	exit(1);
}

/* Writes text to directory/name with mode (free() the path). */
static char *
put_file(const char *directory, const char *name, const char *text, int mode)
{
	char *path = xasprintf("%s/%s", directory, name);

	if (util_write_file_atomic(path, text, strlen(text)) < 0 ||
	    chmod(path, (mode_t)mode) < 0)
		die(path, strerror(errno));
	return path;
}

/* Appends the items of the demo feed name, the newest first at most. */
static void
load_feed(struct item_list *items, const char *name)
{
	char *path = xasprintf("%s/config/demo/%s", DIGEST_SOURCE_DIR, name);
	char *data = NULL, *errstr = NULL;
	size_t size;

	if (util_read_file(path, 1 << 24, &data, &size) < 0)
		die(path, strerror(errno));
	if (feed_parse(data, size, NULL, name, items, &errstr) != FEED_OK)
		die(path, errstr);
	free(data);
	free(path);
}

static void
bench_open(struct bench *bench, const char *directory, size_t count)
{
	char *key, *path, *text, *errstr = NULL;
	struct item_list all = {0};

	key = put_file(directory, "link.key",
		       "bench-letter-a-key-of-some-32-bytes-0123\n", 0600);
	text = xasprintf(
	    "[digest]\ntitle = Buitenland vandaag\ntemplates = %s/templates\n"
	    "state = %s/state.sqlite\n[source demo]\nurl = file:///dev/null\n"
	    "[mail]\ntransport = stdout\ndefault_provider = zeelandnet\n"
	    "list_id = Bench <bench.example.nl>\n"
	    "unsubscribe_mailto = afmelden@example.nl\n"
	    "[web]\nbase_url = https://nieuws.example.nl/digest\n"
	    "secret_file = %s\n"
	    "[provider zeelandnet]\nname = ZeelandNet webmail\n"
	    "smtp_url = smtp://127.0.0.1:1\nfrom = nieuws@zeelandnet.example\n"
	    "from_name = ZeelandNet Nieuws\n",
	    DIGEST_SOURCE_DIR, directory, key);
	path = put_file(directory, "digest.ini", text, 0644);
	if (config_load(path, &bench->config, &errstr) != CONFIG_OK)
		die(path, errstr);
	if (links_open(bench->config, &bench->links, &errstr) != LINKS_OK ||
	    render_open(bench->config->template_dir, &bench->renderer,
			&errstr) != RENDER_OK)
		die("setup", errstr);
	if (datetime_parse_rfc3339("2026-11-29T09:30:00+01:00", DATETIME_STRICT,
				   &bench->now) < 0)
		die("now", NULL);
	load_feed(&all, "buitenland.xml");
	load_feed(&all, "wereld.atom");
	for (size_t i = 0; i < all.count && i < BENCH_MAX_ITEMS; i++)
		feed_item_list_push_copy(&bench->items, &all.items[i]);
	feed_item_list_clear(&all);
	bench->count = count;
	bench->readers = xcalloc(count, sizeof *bench->readers);
	for (size_t i = 0; i < count; i++) {
		struct subscriber *reader = &bench->readers[i];

		reader->email = xasprintf("lezer%zu@example.nl", i);
		reader->name = xasprintf("Lezer Nummer %zu", i);
		reader->language = xstrdup(i % 2 ? "en" : "nl");
		reader->format =
		    i % 4 < 2 ? SUBSCRIBER_FORMAT_BOTH : SUBSCRIBER_FORMAT_TEXT;
		reader->active = 1;
		reader->prompted_at = bench->now;
	}
	unlink(path);
	unlink(key);
	free(path);
	free(key);
	free(text);
}

static void
bench_close(struct bench *bench)
{
	for (size_t i = 0; i < bench->count; i++)
		subscriber_clear(&bench->readers[i]);
	free(bench->readers);
	feed_item_list_clear(&bench->items);
	render_close(bench->renderer);
	links_free(bench->links);
	config_free(bench->config);
}

/* Kept apart, so that a profiler can count each way alone. */
static size_t bench_old_way(struct bench *bench) __attribute__((noinline));
static size_t bench_new_way(struct bench *bench) __attribute__((noinline));

/* Each letter whole, as `digest send` made them; returns the bytes. */
static size_t
bench_old_way(struct bench *bench)
{
	size_t bytes = 0;

	for (size_t i = 0; i < bench->count; i++) {
		struct letter letter;
		char *errstr = NULL;

		if (letter_build(bench->config, bench->renderer, bench->links,
				 &bench->items, &bench->readers[i], bench->now,
				 &letter, &errstr) != LETTER_OK)
			die("letter_build", errstr);
		bytes += letter.size;
		letter_clear(&letter);
	}
	return bytes;
}

/* Rendered once per variant; returns the bytes. */
static size_t
bench_new_way(struct bench *bench)
{
	struct letter_maker *maker = letter_maker_new(
	    bench->config, bench->renderer, bench->links, bench->now);
	struct letter_maker_stats stats;
	size_t bytes = 0;

	for (size_t i = 0; i < bench->count; i++) {
		struct letter letter;
		char *errstr = NULL;

		if (letter_make(maker, &bench->items, 0, &bench->readers[i],
				&letter, &errstr) != LETTER_OK)
			die("letter_make", errstr);
		bytes += letter.size;
		letter_clear(&letter);
	}
	letter_maker_stats(maker, &stats);
	if (stats.letters_whole > 0)
		fprintf(stderr, "bench-letter: %zu letters built whole\n",
			stats.letters_whole);
	letter_maker_free(maker);
	return bytes;
}

/* Runs one way and prints its line; returns letters per CPU second. */
static double
run(struct bench *bench, const char *name, size_t (*way)(struct bench *bench))
{
	double start = cpu_seconds(), elapsed;
	size_t bytes = way(bench);

	elapsed = cpu_seconds() - start;
	printf(
	    "%-4s %zu letters (%.1f KB mean) in %.3f s CPU: %.0f letters/s\n",
	    name, bench->count, (double)bytes / (double)bench->count / 1024,
	    elapsed, (double)bench->count / elapsed);
	return (double)bench->count / elapsed;
}

int
main(int argc, char **argv)
{
	char directory[] = "/tmp/bench-letter-XXXXXX";
	struct bench bench = {0};
	long count = 2000;
	const char *only = argc > 2 ? argv[2] : NULL;
	double old_rate = 0, new_rate = 0;

	if (argc > 1 && util_parse_long(argv[1], 1, 10000000, &count) < 0)
		die("N", "a whole number from 1 on");
	if (mkdtemp(directory) == NULL)
		die("mkdtemp", strerror(errno));
	bench_open(&bench, directory, (size_t)count);
	rmdir(directory);
	if (only == NULL || strcmp(only, "old") == 0)
		old_rate = run(&bench, "old", bench_old_way);
	if (only == NULL || strcmp(only, "new") == 0)
		new_rate = run(&bench, "new", bench_new_way);
	if (old_rate > 0 && new_rate > 0)
		printf("new/old: %.1fx\n", new_rate / old_rate);
	bench_close(&bench);
	return 0;
}
