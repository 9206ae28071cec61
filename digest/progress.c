/*
 * progress.c - the progress line of `digest send` on a terminal: see
 * progress.h.
 */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static double
seconds_since(const struct timespec *then, const struct timespec *now)
{
	return (double)(now->tv_sec - then->tv_sec) +
	       (double)(now->tv_nsec - then->tv_nsec) / 1e9;
}

void
progress_start(struct progress *progress, size_t total)
{
	const char *term = getenv("TERM");

	memset(progress, 0, sizeof *progress);
	progress->on =
	    isatty(STDERR_FILENO) && term != NULL && strcmp(term, "dumb") != 0;
	progress->total = total;
	clock_gettime(CLOCK_MONOTONIC, &progress->started);
	progress->last = progress->started;
}

void
progress_clear(struct progress *progress)
{
	if (progress->shown)
		fputs("\r\033[K", stderr);
	progress->shown = 0;
}

/* Rewrites the line at most five times a second. */
void
progress_show(struct progress *progress, struct deliver *deliver, size_t done)
{
	struct deliver_counts counts;
	struct timespec now;
	double elapsed, rate;
	size_t left = progress->total - done, failed;
	long to_go;

	if (!progress->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (seconds_since(&progress->last, &now) < 0.2 && left > 0)
		return;
	progress->last = now;
	deliver_counts_now(deliver, &counts);
	elapsed = seconds_since(&progress->started, &now);
	rate = elapsed > 0 ? (double)done / elapsed : 0;
	to_go = rate > 0 ? (long)((double)left / rate) : 0;
	failed =
	    counts.temporary + counts.permanent + counts.config + counts.data;
	fprintf(stderr,
		"\r\033[Ksent %zu, failed %zu, left %zu, %.0f/s, %ld:%02ld "
		"to go",
		counts.sent, failed, left, rate, to_go / 60, to_go % 60);
	progress->shown = 1;
}
