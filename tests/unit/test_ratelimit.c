/*
 * test_ratelimit.c - readers' addresses (IPv4, IPv6 /64, blocks) and the
 * token buckets shared by threads.
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

#include "netaddr.h"
#include "ratelimit.h"

static const char *
reader(const char *s)
{
	static char		key[NETADDR_KEY_MAX];
	struct netaddr		a;

	if (!netaddr_parse(s, &a))
		return "invalid";
	netaddr_reader_key(&a, key);
	return key;
}

static bool
in(const char *addr, const char *block)
{
	struct netaddr	a, b;

	assert_true(netaddr_parse(addr, &a));
	assert_true(netaddr_parse(block, &b));
	return netaddr_in(&a, &b);
}

static void
test_reader_keys(void **state)
{
	(void)state;
	assert_string_equal(reader("192.0.2.7"), "192.0.2.7");
	/* An IPv4 address seen through an IPv6 socket is the same reader. */
	assert_string_equal(reader("::ffff:192.0.2.7"), "192.0.2.7");
	/* Every address of a /64 is one reader. */
	assert_string_equal(reader("2001:db8:1:2::1"), "2001:db8:1:2::/64");
	assert_string_equal(reader("2001:db8:1:2:aaaa:bbbb:cccc:dddd"),
	    "2001:db8:1:2::/64");
	assert_string_equal(reader("2001:db8:1:3::1"), "2001:db8:1:3::/64");
	assert_string_equal(reader("::1"), "::/64");
	assert_string_equal(reader(""), "invalid");
	assert_string_equal(reader("example.com"), "invalid");
	assert_string_equal(reader("1.2.3.4.5"), "invalid");
	assert_string_equal(reader("1.2.3.4 "), "invalid");
}

static const char *
text(const char *s)
{
	static char		buf[NETADDR_TEXT_MAX];
	struct netaddr		a;

	if (!netaddr_parse(s, &a))
		return "invalid";
	netaddr_text(&a, buf);
	return buf;
}

/* What a ban stores: one spelling for each address or block. */
static void
test_text(void **state)
{
	(void)state;
	assert_string_equal(text("192.0.2.7"), "192.0.2.7");
	assert_string_equal(text("::ffff:192.0.2.7"), "192.0.2.7");
	assert_string_equal(text("::FFFF:c000:0207"), "192.0.2.7");
	assert_string_equal(text("192.0.2.0/24"), "192.0.2.0/24");
	assert_string_equal(text("::ffff:192.0.2.0/24"), "192.0.2.0/24");
	assert_string_equal(text("0.0.0.0/0"), "0.0.0.0/0");
	assert_string_equal(text("192.0.2.7/32"), "192.0.2.7");
	assert_string_equal(text("2001:DB8:0:0::1"), "2001:db8::1");
	assert_string_equal(text("2001:db8::/32"), "2001:db8::/32");
	assert_string_equal(text("2001:db8::1/128"), "2001:db8::1");
	assert_string_equal(text("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_string_equal(text("::/0"), "::/0");
}

static void
test_blocks(void **state)
{
	struct netaddr	a;

	(void)state;
	assert_true(in("192.0.2.7", "192.0.2.0/24"));
	assert_true(in("192.0.2.7", "192.0.2.7"));
	assert_true(in("::ffff:192.0.2.7", "192.0.2.0/24"));
	assert_false(in("192.0.3.7", "192.0.2.0/24"));
	assert_true(in("10.1.2.3", "10.0.0.0/8"));
	assert_true(in("10.1.2.3", "0.0.0.0/0"));
	assert_false(in("2001:db8::1", "0.0.0.0/0"));
	assert_true(in("2001:db8:1:2::9", "2001:db8:1:2::/64"));
	assert_true(in("2001:db8:1:2::9", "2001:db8::/32"));
	assert_false(in("2001:db9::1", "2001:db8::/32"));
	assert_true(in("2001:db8::1", "2001:db8::/33"));
	assert_false(in("2001:db8:8000::1", "2001:db8::/33"));
	/* Host bits set, bad lengths, garbage: not a block. */
	assert_false(netaddr_parse("192.0.2.7/24", &a));
	assert_false(netaddr_parse("192.0.2.0/33", &a));
	assert_false(netaddr_parse("2001:db8::/129", &a));
	assert_false(netaddr_parse("192.0.2.0/", &a));
	assert_false(netaddr_parse("192.0.2.0/-1", &a));
	assert_false(netaddr_parse("192.0.2.0/8x", &a));
	assert_true(netaddr_parse("192.0.2.0/24", &a));
	assert_true(a.v4);
	assert_int_equal(a.prefix, 120);
}

/* burst tokens at once, then one per 60/rate seconds. */
static void
test_bucket(void **state)
{
	struct ratelimit	*rl = ratelimit_new(6, 3, 1000);
	int			 retry = 0, i;

	(void)state;
	for (i = 0; i < 3; i++)
		assert_true(ratelimit_take(rl, "a", 100.0, &retry));
	assert_false(ratelimit_take(rl, "a", 100.0, &retry));
	assert_int_equal(retry, 10);		/* 6 a minute: one per 10 s */
	assert_false(ratelimit_take(rl, "a", 104.0, &retry));
	assert_int_equal(retry, 6);
	/* Another key has its own bucket. */
	assert_true(ratelimit_take(rl, "b", 104.0, &retry));
	/* Refilled by one after 10 s, not two. */
	assert_true(ratelimit_take(rl, "a", 110.5, &retry));
	assert_false(ratelimit_take(rl, "a", 110.5, &retry));
	assert_true(retry >= 1 && retry <= 10);
	/* Never more than burst, however long the wait. */
	for (i = 0; i < 3; i++)
		assert_true(ratelimit_take(rl, "a", 10000.0, &retry));
	assert_false(ratelimit_take(rl, "a", 10000.0, &retry));
	/* A clock read a moment earlier by another thread takes nothing. */
	assert_false(ratelimit_take(rl, "a", 9999.9, &retry));
	ratelimit_free(rl);
}

/*
 * A table full of keys: memory stays bounded, and a busy key (an empty
 * bucket) is not the one that makes room.
 */
static void
test_bounded(void **state)
{
	struct ratelimit	*rl = ratelimit_new(1, 2, 1);
	char			 key[32];
	int			 retry, i;

	(void)state;
	assert_true(ratelimit_take(rl, "busy", 0, &retry));
	assert_true(ratelimit_take(rl, "busy", 0, &retry));
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof key, "k%d", i);
		(void)ratelimit_take(rl, key, 1, &retry);
	}
	assert_false(ratelimit_take(rl, "busy", 1, &retry));
	ratelimit_free(rl);
}

#define THREADS		4
#define TRIES		5000

static struct ratelimit	*shared_rl;

static void *
taker(void *arg)
{
	long	*allowed = arg;
	int	 retry, i;

	for (i = 0; i < TRIES; i++)
		if (ratelimit_take(shared_rl, "one reader", 50.0, &retry))
			(*allowed)++;
	return NULL;
}

/* Threads share one allowance: together they get burst, not N×. */
static void
test_threads(void **state)
{
	pthread_t	t[THREADS];
	long		allowed[THREADS] = { 0 }, sum = 0;
	int		i;

	(void)state;
	shared_rl = ratelimit_new(1, 100, 1000);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, taker,
		    &allowed[i]), 0);
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		sum += allowed[i];
	}
	assert_int_equal(sum, 100);
	ratelimit_free(shared_rl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_keys),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_threads),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
