/*
 * test_keyshards.c - the sharded table under the rate limits and the
 * connection caps: sizing, a key's window, its lock.
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

#include "keyshards.h"

#define THREADS	4
#define ROUNDS	20000

struct slot {
	uint64_t	hash;
	long		n;
	char		pad[3];		/* an odd size, rounded by sizeof */
};

/* Per shard a power of two, at least 16, and at least max_keys in all
 * 64 shards. */
static void
test_sizing(void **state)
{
	static const size_t	 asked[] = { 0, 16, 1024, 1025, 100000 };
	static const size_t	 per_shard[] = { 16, 16, 16, 32, 2048 };
	struct keyshards	*ks;
	struct keyshards_window	 w;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof asked / sizeof asked[0]; i++) {
		ks = keyshards_new(sizeof(struct slot), asked[i]);
		keyshards_lock(ks, "k", &w);
		assert_int_equal(w.mask + 1, per_shard[i]);
		assert_int_equal(w.size, sizeof(struct slot));
		keyshards_unlock(&w);
		keyshards_free(ks);
	}
	keyshards_free(NULL);
}

/* A key's window: the same each time, by key or by its hash; distinct
 * zeroed slots inside its shard's array, wrapping at its end. */
static void
test_window(void **state)
{
	struct keyshards	*ks = keyshards_new(sizeof(struct slot), 0);
	struct keyshards_window	 w, w2;
	struct slot		*s[KEYSHARDS_PROBE], *base;
	char			 key[32];
	size_t			 i, j, k;
	int			 wrapped = 0;

	(void)state;
	for (k = 0; k < 2000; k++) {
		snprintf(key, sizeof key, "198.51.100.%zu", k);
		keyshards_lock(ks, key, &w);
		assert_true(w.hash & 1);
		base = (struct slot *)(void *)w.slots;
		for (i = 0; i < KEYSHARDS_PROBE; i++) {
			s[i] = keyshards_slot(&w, i);
			assert_true(s[i] >= base && s[i] <= base + w.mask);
			for (j = 0; j < i; j++)
				assert_ptr_not_equal(s[i], s[j]);
		}
		wrapped += s[KEYSHARDS_PROBE - 1] < s[0];
		if (k == 0) {
			assert_int_equal(s[0]->hash, 0);
			assert_int_equal(s[0]->n, 0);
			s[0]->hash = w.hash;
		}
		keyshards_unlock(&w);

		keyshards_lock(ks, key, &w2);
		assert_true(w2.hash == w.hash);
		assert_ptr_equal(keyshards_slot(&w2, 0), s[0]);
		keyshards_unlock(&w2);
		keyshards_lock_hash(ks, w.hash, &w2);
		assert_ptr_equal(w2.shard, w.shard);
		assert_ptr_equal(keyshards_slot(&w2, 3), s[3]);
		keyshards_unlock(&w2);
	}
	/* 16 slots a shard, 8 a window: about half the windows wrap. */
	assert_true(wrapped > 0);
	/* Two keys, two hashes. */
	keyshards_lock(ks, "198.51.100.0", &w);
	keyshards_unlock(&w);
	keyshards_lock(ks, "198.51.100.1", &w2);
	keyshards_unlock(&w2);
	assert_true(w.hash != w2.hash);
	keyshards_free(ks);
}

static struct keyshards	*shared_ks;

static void *
bump(void *arg)
{
	struct keyshards_window	 w;
	struct slot		*s;
	int			 i;

	(void)arg;
	for (i = 0; i < ROUNDS; i++) {
		keyshards_lock(shared_ks, "203.0.113.9", &w);
		s = keyshards_slot(&w, 0);
		s->n++;
		keyshards_unlock(&w);
	}
	return NULL;
}

/* The shard lock is one for all threads: no increment is lost. */
static void
test_threads(void **state)
{
	struct keyshards_window	 w;
	pthread_t		 t[THREADS];
	int			 i;

	(void)state;
	shared_ks = keyshards_new(sizeof(struct slot), 1024);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, bump, NULL), 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	keyshards_lock(shared_ks, "203.0.113.9", &w);
	assert_int_equal(((struct slot *)keyshards_slot(&w, 0))->n,
	    THREADS * ROUNDS);
	keyshards_unlock(&w);
	keyshards_free(shared_ks);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizing),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_threads),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
