/*
 * 2600-gather-test.h - what the gather tests (26xx) share: a scratch
 * directory (mkdtemp() it first) and writing and removing the feeds and
 * configuration files in it.
 */
#ifndef DIGEST_2600_GATHER_TEST_H
#define DIGEST_2600_GATHER_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util.h"

static char directory[] = "/tmp/digest-gather-XXXXXX";

/* Writes text to name in the directory; exits 99 when it cannot. */
static void
write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", directory, name);
	FILE *file = fopen(path, "w");

	if (file == NULL || fputs(text, file) == EOF || fclose(file) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(99);
	}
	free(path);
}

static void
remove_file(const char *name)
{
	char *path = xasprintf("%s/%s", directory, name);

	unlink(path);
	free(path);
}

#endif
