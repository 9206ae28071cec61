/*
 * progress.h - the progress line of a long run: on a terminal, one line
 * that keeps being rewritten says how far `digest send` is (sent, failed,
 * left, the rate, the time to go); under cron (no terminal) there is
 * none, and only the summary line is printed.
 */
#ifndef DIGEST_PROGRESS_H
#define DIGEST_PROGRESS_H

#include <stddef.h>
#include <time.h>

#include "deliver.h"

struct progress {
	int on; /* standard error is a terminal that can rewrite a line */
	int shown;
	size_t total;
	struct timespec started;
	struct timespec last;
};

/* Starts counting towards total subscribers; on only on a terminal. */
void progress_start(struct progress *progress, size_t total);

/* Wipes the line, so that a report can be printed in its place. */
void progress_clear(struct progress *progress);

/* Shows done of the total and deliver's counts (at most 5 times a second). */
void progress_show(struct progress *progress, struct deliver *deliver,
		   size_t done);

#endif
