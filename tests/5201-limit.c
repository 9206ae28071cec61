/*
 * 5201-limit.c - a provider's sending limits (limit.c): per minute, per
 * rolling hour and per day, what may go now and when the next may.
 */
#include <stdio.h>
#include <stdlib.h>

#include "limit.h"
#include "testcheck.h"

static void
test_minute(void)
{
	struct limit limit;
	time_t at = 0;

	limit_init(&limit, 10, 0, 0, 0);
	CHECK(limit_take(&limit, 1000, 4, &at) == 4);
	CHECK(limit_take(&limit, 1010, 100, &at) == 6);
	CHECK(limit_take(&limit, 1020, 1, &at) == 0);
	/* The first four age out at 1060. */
	CHECK(at == 1060);
	CHECK(limit_take(&limit, 1059, 1, &at) == 0 && at == 1060);
	CHECK(limit_take(&limit, 1060, 10, &at) == 4);
	CHECK(limit_take(&limit, 1070, 10, &at) == 6);
	limit_clear(&limit);
}

static void
test_hour_and_day(void)
{
	struct limit limit;
	time_t at = 0;

	limit_init(&limit, 0, 5, 0, 0);
	for (int i = 0; i < 5; i++)
		CHECK(limit_take(&limit, 100 + i * 600, 1, &at) == 1);
	/* A rolling hour: the send at 100 ages out at 3700. */
	CHECK(limit_take(&limit, 3000, 1, &at) == 0 && at == 3700);
	CHECK(limit_take(&limit, 3700, 2, &at) == 1);
	limit_clear(&limit);

	/* Today's earlier runs count; once spent, nothing more today. */
	limit_init(&limit, 0, 0, 10, 7);
	CHECK(limit_take(&limit, 0, 5, &at) == 3);
	CHECK(limit_take(&limit, 1, 1, &at) == 0 && at == 0);
	limit_give_back(&limit, 2);
	CHECK(limit_take(&limit, 2, 5, &at) == 2);
	limit_clear(&limit);

	/* No limits at all: everything may go. */
	limit_init(&limit, 0, 0, 0, 0);
	CHECK(limit_take(&limit, 0, 100000, &at) == 100000);
	limit_clear(&limit);
}

int
main(void)
{
	test_minute();
	test_hour_and_day();
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
