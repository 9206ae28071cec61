/*
 * feed_parse.c - benchmark for feed_parse(): builds RSS 2.0 feeds of about
 * 5 MB and 10 MB in memory (items with HTML descriptions of some 1.6 KB,
 * half CDATA, half escaped), parses each several times and prints MB/s,
 * the 10 MB / 5 MB time ratio and the peak resident set size.
 *
 * Usage: bench-feed [repetitions]
 */
#include "feed.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
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
	double best = -1;
	double best_wall = -1;
	int round;

	for (round = 0; round < repetitions; round++) {
		struct item_list list = {NULL, 0, 0};
		char *errstr = NULL;
		double started = bench_clock(CLOCK_PROCESS_CPUTIME_ID);
		double started_wall = bench_clock(CLOCK_MONOTONIC);
		double elapsed;
		double elapsed_wall;

		if (feed_parse(feed, size, "https://nieuws.example.org/",
			       "bench", &list, &errstr) != FEED_OK ||
		    list.count != item_count) {
			fprintf(stderr, "bench-feed: parse failed: %s\n",
				errstr != NULL ? errstr : "wrong item count");
			free(errstr);
			feed_item_list_clear(&list);
			free(feed);
			return -1;
		}
		elapsed = bench_clock(CLOCK_PROCESS_CPUTIME_ID) - started;
		elapsed_wall = bench_clock(CLOCK_MONOTONIC) - started_wall;
		if (best < 0 || elapsed < best)
			best = elapsed;
		if (best_wall < 0 || elapsed_wall < best_wall)
			best_wall = elapsed_wall;
		feed_item_list_clear(&list);
	}
	printf("%-5s %6.2f MB %5zu items  cpu %6.1f ms %6.1f MB/s  "
	       "wall %6.1f ms %6.1f MB/s  peak RSS %ld KiB\n",
	       label, (double)size / 1e6, item_count, best * 1e3,
	       (double)size / 1e6 / best, best_wall * 1e3,
	       (double)size / 1e6 / best_wall, bench_peak_rss_kib());
	free(feed);
	return best;
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
	if (small <= 0 || large <= 0)
		return 1;
	printf("cpu time ratio 10MB/5MB: %.2f\n", large / small);
	printf("peak RSS: %ld KiB\n", bench_peak_rss_kib());
	if (fflush(stdout) != 0)
		return 1;
	return 0;
}
