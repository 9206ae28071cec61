/*
 * feed_parse.c - benchmark for feed_parse(): builds RSS 2.0 feeds of about
 * 5 MB, 10 MB and 16 MB (the default max_size) in memory (items with HTML
 * descriptions of some 1.6 KB, half CDATA, half escaped), parses each
 * several times and prints MB/s, the 10 MB / 5 MB time ratio, and what a
 * parse adds to the resident set: at its peak, and after it while the
 * items it returned are alive.  The difference is the parser's own
 * memory, which stays flat however long the document.
 *
 * Usage: bench-feed [repetitions]
 */
#include "feed.h"
#include "util.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static const char *const bench_words[] = {
    "de",	    "regering", "in",	      "Lissabon",  "heeft",  "maandag",
    "besloten",	    "om",	"the",	      "minister",  "said",   "talks",
    "would",	    "continue", "zware",      "storm",	   "kust",   "haven",
    "verkiezingen", "opkomst",	"parliament", "coalition", "border", "akkoord",
    "graan",	    "export",	"schepen",    "weather"};

static void
bench_sentence(struct buf *out, unsigned int *seed, int word_count)
{
	int index;

	for (index = 0; index < word_count; index++) {
		*seed = *seed * 1103515245u + 12345u;
		if (index > 0)
			buf_putc(out, ' ');
		buf_puts(out,
			 bench_words[(*seed >> 16) % (sizeof(bench_words) /
						      sizeof(bench_words[0]))]);
	}
	buf_putc(out, '.');
}

/* Appends one item whose description is about 1.6 KB of HTML. */
static void
bench_item(struct buf *out, size_t number, unsigned int *seed)
{
	struct buf html = BUF_INIT;
	size_t index;
	int paragraph;

	for (paragraph = 0; paragraph < 4; paragraph++) {
		buf_puts(&html, "<p>");
		bench_sentence(&html, seed, 18);
		buf_puts(&html, " <b>Nadruk</b>&nbsp;en een "
				"<a href=\"https://example.org/x\">link</a> ");
		bench_sentence(&html, seed, 12);
		buf_puts(&html, "</p>\n");
	}
	buf_puts(&html, "<ul><li>een</li><li>twee &amp; drie</li></ul>");
	buf_printf(out, "<item>\n<title>Bericht %zu: ", number);
	bench_sentence(out, seed, 8);
	buf_printf(out,
		   "</title>\n<link>https://nieuws.example.org/"
		   "buitenland/%zu</link>\n"
		   "<guid isPermaLink=\"false\">bench-%zu</guid>\n"
		   "<pubDate>Sun, 29 Nov 2026 07:%02zu:00 +0100</pubDate>\n"
		   "<category>Buitenland</category>\n",
		   number, number, number % 60);
	if (number % 2 == 0) {
		buf_puts(out, "<description><![CDATA[");
		buf_append(out, html.data, html.length);
		buf_puts(out, "]]></description>\n");
	} else {
		buf_puts(out, "<description>");
		for (index = 0; index < html.length; index++) {
			char c = html.data[index];

			if (c == '<')
				buf_puts(out, "&lt;");
			else if (c == '>')
				buf_puts(out, "&gt;");
			else if (c == '&')
				buf_puts(out, "&amp;");
			else
				buf_putc(out, c);
		}
		buf_puts(out, "</description>\n");
	}
	buf_puts(out, "</item>\n");
	buf_free(&html);
}

static char *
bench_feed(size_t target_size, size_t *size_out, size_t *items_out)
{
	struct buf out = BUF_INIT;
	unsigned int seed = 2026;
	size_t number = 0;

	buf_puts(&out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		       "<rss version=\"2.0\"><channel>\n"
		       "<title>Bench</title>\n"
		       "<link>https://nieuws.example.org/</link>\n");
	while (out.length < target_size)
		bench_item(&out, number++, &seed);
	buf_puts(&out, "</channel></rss>\n");
	*size_out = out.length;
	*items_out = number;
	return buf_detach(&out);
}

static double
bench_clock(clockid_t clock)
{
	struct timespec now;

	clock_gettime(clock, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static long
bench_peak_rss_kib(void)
{
	struct rusage usage;

	if (getrusage(RUSAGE_SELF, &usage) != 0)
		return -1;
	return usage.ru_maxrss;
}

/* Reads one "Name:   123 kB" line of /proc/self/status; -1 if absent. */
static long
bench_status_kib(const char *name)
{
	FILE *status = fopen("/proc/self/status", "r");
	char line[256];
	size_t length = strlen(name);
	long value = -1;

	if (status == NULL)
		return -1;
	while (fgets(line, sizeof(line), status) != NULL) {
		if (strncmp(line, name, length) == 0 && line[length] == ':') {
			char *end = NULL;

			value = strtol(line + length + 1, &end, 10);
			if (end == line + length + 1)
				value = -1;
			break;
		}
	}
	fclose(status);
	return value;
}

/*
 * Resets the peak resident set (VmHWM) to the current one, so that the
 * next reading is the peak of what follows.  Returns 0, or -1 where the
 * kernel does not offer it.
 */
static int
bench_reset_peak(void)
{
	FILE *clear = fopen("/proc/self/clear_refs", "w");
	int ok;

	if (clear == NULL)
		return -1;
	ok = fputs("5", clear) != EOF;
	return fclose(clear) == 0 && ok ? 0 : -1;
}

/* What one parse costs. */
struct bench_figures {
	double cpu;    /* seconds */
	double wall;   /* seconds */
	long peak_kib; /* resident set at the peak, above the one before */
	long held_kib; /* resident set after, items alive, above before */
};

/*
 * Parses feed once into figures; with measure_memory, first gives freed
 * memory back to the system, so that the parse cannot reuse what an
 * earlier one left resident and seem to need none (which costs page
 * faults, so such a round is not timed).  Returns 0, or -1 when the parse
 * fails or returns another number of items than expected.
 */
static int
bench_parse_once(const char *feed, size_t size, size_t item_count,
		 int measure_memory, struct bench_figures *figures)
{
	struct item_list list = {NULL, 0, 0};
	char *errstr = NULL;
	long before_kib;
	double started;
	double started_wall;
	int status = 0;

	figures->peak_kib = -1;
	before_kib = -1;
	if (measure_memory && malloc_trim(0) >= 0 && bench_reset_peak() == 0)
		before_kib = bench_status_kib("VmRSS");
	started = bench_clock(CLOCK_PROCESS_CPUTIME_ID);
	started_wall = bench_clock(CLOCK_MONOTONIC);
	if (feed_parse(feed, size, "https://nieuws.example.org/", "bench",
		       &list, &errstr) != FEED_OK ||
	    list.count != item_count) {
		fprintf(stderr, "bench-feed: parse failed: %s\n",
			errstr != NULL ? errstr : "wrong item count");
		status = -1;
		goto out;
	}
	figures->cpu = bench_clock(CLOCK_PROCESS_CPUTIME_ID) - started;
	figures->wall = bench_clock(CLOCK_MONOTONIC) - started_wall;
	if (before_kib >= 0 && bench_status_kib("VmHWM") >= 0) {
		figures->peak_kib = bench_status_kib("VmHWM") - before_kib;
		/* What the parser freed goes back, the items stay. */
		malloc_trim(0);
		figures->held_kib = bench_status_kib("VmRSS") - before_kib;
	}
out:
	free(errstr);
	feed_item_list_clear(&list);
	return status;
}

/*
 * Returns the best CPU time of repetitions parses, or a negative on error.
 * CPU time is the figure to trust on a shared machine; wall time is shown
 * beside it.
 */
static double
bench_run(const char *label, size_t target_size, int repetitions)
{
	size_t size;
	size_t item_count;
	char *feed = bench_feed(target_size, &size, &item_count);
	struct bench_figures best = {-1, -1, -1, 0};
	struct bench_figures figures;
	int round;

	for (round = 0; round < repetitions; round++) {
		if (bench_parse_once(feed, size, item_count, 0, &figures) !=
		    0) {
			free(feed);
			return -1;
		}
		if (best.cpu < 0 || figures.cpu < best.cpu)
			best.cpu = figures.cpu;
		if (best.wall < 0 || figures.wall < best.wall)
			best.wall = figures.wall;
	}
	printf("%-5s %6.2f MB %5zu items  cpu %6.1f ms %6.1f MB/s  "
	       "wall %6.1f ms %6.1f MB/s\n",
	       label, (double)size / 1e6, item_count, best.cpu * 1e3,
	       (double)size / 1e6 / best.cpu, best.wall * 1e3,
	       (double)size / 1e6 / best.wall);
	if (bench_parse_once(feed, size, item_count, 1, &figures) == 0 &&
	    figures.peak_kib >= 0)
		printf("      resident set: +%ld KiB at the peak of the parse, "
		       "+%ld KiB after it (the items); the parser's own: "
		       "%ld KiB\n",
		       figures.peak_kib, figures.held_kib,
		       figures.peak_kib - figures.held_kib);
	free(feed);
	return best.cpu;
}

int
main(int argc, char **argv)
{
	long repetitions = 5;
	double small;
	double large;

	if (argc > 1 && util_parse_long(argv[1], 1, 1000, &repetitions) != 0) {
		fputs("usage: bench-feed [repetitions]\n", stderr);
		return 64;
	}
	small = bench_run("5MB", (size_t)5 * 1000 * 1000, (int)repetitions);
	large = bench_run("10MB", (size_t)10 * 1000 * 1000, (int)repetitions);
	if (small <= 0 || large <= 0 ||
	    bench_run("16MB", (size_t)16 * 1024 * 1024, (int)repetitions) <= 0)
		return 1;
	printf("cpu time ratio 10MB/5MB: %.2f\n", large / small);
	printf("peak RSS: %ld KiB\n", bench_peak_rss_kib());
	if (fflush(stdout) != 0)
		return 1;
	return 0;
}
