/*
 * testcheck.h - CHECK() for the C test drivers: a condition that does not
 * hold is reported with its file and line and counted in failures, and
 * the test goes on, so that one run shows every failure.  main() returns
 * 1 when failures is above 0.  Include it in the driver's one source file.
 */
#ifndef DIGEST_TESTCHECK_H
#define DIGEST_TESTCHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			failures++;                                            \
		}                                                              \
	} while (0)

#endif
