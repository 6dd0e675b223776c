/*
 * test_backoff.c - unit tests for the database pool's reconnect delay
 * (db_retry_delay_ms in db.c): jittered, so processes that lost the
 * database together do not all retry at the same instant, and bounded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db.h"

static void
test_bounds(void **state)
{
	static const int	 backoff[] = { 1, 2, 100, 101, 250, 30000 };
	size_t			 i;
	int			 d;

	(void)state;
	for (i = 0; i < sizeof backoff / sizeof backoff[0]; i++) {
		/* The extremes of r give the extremes of the range. */
		assert_int_equal(db_retry_delay_ms(backoff[i], 0),
		    backoff[i] / 2);
		assert_int_equal(db_retry_delay_ms(backoff[i], UINT32_MAX),
		    backoff[i]);
		d = db_retry_delay_ms(backoff[i], UINT32_MAX / 2);
		assert_true(d >= backoff[i] / 2 && d <= backoff[i]);
	}
	assert_int_equal(db_retry_delay_ms(0, 12345), 0);
}

/* Eight connections that lost the server at once spread their retries
 * over the window instead of meeting in one instant. */
static void
test_spread(void **state)
{
	int		 seen[1001] = { 0 }, distinct = 0, d, i;
	uint32_t	 r = 2463534242u;

	(void)state;
	for (i = 0; i < 1000; i++) {
		r ^= r << 13;
		r ^= r >> 17;
		r ^= r << 5;
		d = db_retry_delay_ms(1000, r);
		assert_true(d >= 500 && d <= 1000);
		if (seen[d]++ == 0)
			distinct++;
	}
	/* 1,000 draws over 501 values: most values are hit. */
	assert_true(distinct > 300);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_spread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
