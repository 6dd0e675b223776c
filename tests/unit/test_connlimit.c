/*
 * test_connlimit.c - the connection caps' counts: per key, in all,
 * released exactly, shared by threads, in bounded memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <sodium.h>

#include "connlimit.h"

#define THREADS	8

static void
test_per_key(void **state)
{
	struct connlimit	*cl = connlimit_new(0, 2, 1024);
	struct connlimit_slot	*a1, *a2, *a3, *b1;

	(void)state;
	assert_true(connlimit_acquire(cl, "192.0.2.1", &a1));
	assert_true(connlimit_acquire(cl, "192.0.2.1", &a2));
	assert_non_null(a1);
	assert_ptr_equal(a1, a2);
	assert_false(connlimit_acquire(cl, "192.0.2.1", &a3));
	assert_null(a3);
	/* Another address has its own count. */
	assert_true(connlimit_acquire(cl, "2001:db8:1:2::/64", &b1));
	assert_int_equal(connlimit_total(cl), 3);
	/* A closed connection frees its place. */
	connlimit_release(cl, a1);
	assert_true(connlimit_acquire(cl, "192.0.2.1", &a3));
	connlimit_release(cl, a2);
	connlimit_release(cl, a3);
	connlimit_release(cl, b1);
	assert_int_equal(connlimit_total(cl), 0);
	/* Emptied, the slot serves again from zero. */
	assert_true(connlimit_acquire(cl, "192.0.2.1", &a1));
	assert_true(connlimit_acquire(cl, "192.0.2.1", &a2));
	assert_false(connlimit_acquire(cl, "192.0.2.1", &a3));
	connlimit_release(cl, a1);
	connlimit_release(cl, a2);
	connlimit_free(cl);
}

static void
test_total(void **state)
{
	struct connlimit	*cl = connlimit_new(3, 0, 1024);
	struct connlimit_slot	*s[4];

	(void)state;
	/* No cap per key: nothing kept per key. */
	assert_true(connlimit_acquire(cl, "192.0.2.1", &s[0]));
	assert_null(s[0]);
	assert_true(connlimit_acquire(cl, "192.0.2.2", &s[1]));
	assert_true(connlimit_acquire(cl, NULL, &s[2]));
	assert_false(connlimit_acquire(cl, "192.0.2.3", &s[3]));
	assert_int_equal(connlimit_total(cl), 3);
	connlimit_release(cl, s[1]);
	assert_true(connlimit_acquire(cl, "192.0.2.3", &s[3]));
	connlimit_release(cl, s[0]);
	connlimit_release(cl, s[2]);
	connlimit_release(cl, s[3]);
	assert_int_equal(connlimit_total(cl), 0);
	connlimit_free(cl);
}

/* More addresses than slots: the ones without room are let in, counted
 * in all only, and everything is released. */
static void
test_bounded(void **state)
{
	struct connlimit	*cl = connlimit_new(0, 1, 16);
	struct connlimit_slot	*s[5000];
	char			 key[32];
	int			 i, kept = 0;

	(void)state;
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "10.0.%d.%d", i / 256, i % 256);
		assert_true(connlimit_acquire(cl, key, &s[i]));
		kept += s[i] != NULL;
	}
	assert_true(kept > 0 && kept < 5000);
	assert_int_equal(connlimit_total(cl), 5000);
	for (i = 0; i < 5000; i++)
		connlimit_release(cl, s[i]);
	assert_int_equal(connlimit_total(cl), 0);
	connlimit_free(cl);
}

static struct connlimit		*shared_cl;
static pthread_barrier_t	 barrier;

/* Takes as many places for one key as it can, holds them until all
 * threads have tried, then releases them. */
static void *
grab(void *arg)
{
	struct connlimit_slot	*s[200];
	int			*got = arg, i;

	for (i = 0; i < 200 &&
	    connlimit_acquire(shared_cl, "198.51.100.7", &s[*got]); i++)
		(*got)++;
	pthread_barrier_wait(&barrier);
	for (i = 0; i < *got; i++)
		connlimit_release(shared_cl, s[i]);
	return NULL;
}

static void
test_threads(void **state)
{
	pthread_t	t[THREADS];
	int		got[THREADS], i, sum = 0;

	(void)state;
	shared_cl = connlimit_new(1000, 100, 1024);
	pthread_barrier_init(&barrier, NULL, THREADS);
	for (i = 0; i < THREADS; i++) {
		got[i] = 0;
		assert_int_equal(pthread_create(&t[i], NULL, grab, &got[i]),
		    0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		sum += got[i];
	}
	/* One cap for all threads, and every place given back. */
	assert_int_equal(sum, 100);
	assert_int_equal(connlimit_total(shared_cl), 0);
	pthread_barrier_destroy(&barrier);
	connlimit_free(shared_cl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_key),
		cmocka_unit_test(test_total),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_threads),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
