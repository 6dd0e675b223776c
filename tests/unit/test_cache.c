/*
 * test_cache.c - the read cache (cache.c) and article generations
 * (gen.c): freshness, the stale-query race, the byte bound and LRU
 * order, reference counting of entries being sent, shared loads, and
 * ETags.
 *
 * The generation table is process-wide: every test captures the
 * generations it depends on instead of assuming any value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <sodium.h>

#include "cache.h"
#include "gen.h"
#include "token.h"

#define MAX_BYTES	(64 * 1024)

/* What a waiter of a shared load was called with. */
struct call {
	int			 n;
	struct cache_entry	*e;
	int			 retry_after;
	char			 body[64];	/* copied during the call */
};

/* -- helpers -------------------------------------------------------------- */

/* A malloc'd copy of s (the entry takes it). */
static char *
dup_body(const char *s, size_t *len)
{
	char	*p;

	*len = strlen(s);
	p = malloc(*len + 1);
	assert_non_null(p);
	memcpy(p, s, *len + 1);
	return p;
}

/* A body of n bytes of c (not NUL-terminated as far as the cache knows). */
static char *
filled_body(size_t n, int c)
{
	char	*p;

	p = malloc(n + 1);
	assert_non_null(p);
	memset(p, c, n);
	p[n] = '\0';
	return p;
}

static struct cache_entry *
new_entry(int status, const char *s)
{
	size_t	 len;
	char	*body;

	body = dup_body(s, &len);
	return cache_entry_new(status, body, len, NULL);
}

/* The deps of an answer about the given article keys (NULL-ended). */
static void
capture(struct cache *c, struct cache_deps *d, ...)
{
	const char	*keys[8];
	size_t		 lens[8];
	va_list		 ap;
	int		 n = 0;

	va_start(ap, d);
	while (n < 8 && (keys[n] = va_arg(ap, const char *)) != NULL) {
		lens[n] = strlen(keys[n]);
		n++;
	}
	va_end(ap);
	cache_deps_capture(c, d, keys, lens, n);
}

/* Stores an answer about one article under key; true if stored. */
static bool
store_one(struct cache *c, const char *key, const char *article,
    const char *body)
{
	struct cache_deps	 d;
	struct cache_entry	*e;
	bool			 ok;

	capture(c, &d, article, (char *)NULL);
	e = new_entry(200, body);
	ok = cache_store(c, key, strlen(key), e, &d);
	cache_entry_unref(e);
	return ok;
}

static struct cache_entry *
lookup(struct cache *c, const char *key)
{
	return cache_lookup(c, key, strlen(key));
}

static struct cache *
new_cache(size_t max)
{
	struct cache	*c;

	c = cache_new(max);
	assert_non_null(c);
	/* As when the worker's listening connection comes up. */
	cache_set_enabled(c, true);
	return c;
}

static struct cache_stats
stats(const struct cache *c)
{
	struct cache_stats	s;

	cache_get_stats(c, &s);
	return s;
}

static void
bump(const char *article)
{
	gen_bump_article(article, strlen(article));
}

/* -- generations ---------------------------------------------------------- */

static void
test_gen(void **state)
{
	uint32_t	s1, s2;
	uint64_t	g;

	(void)state;
	s1 = gen_slot("gen-a", 5);
	s2 = gen_slot("gen-a", 5);
	assert_int_equal(s1, s2);
	assert_true(s1 < GEN_SLOTS);
	g = gen_get(s1);
	gen_bump(s1);
	assert_true(gen_get(s1) == g + 1);
	gen_bump_article("gen-a", 5);
	assert_true(gen_get(s1) == g + 2);
	/* Out-of-range slots are masked, not overrun. */
	g = gen_get(s1);
	gen_bump(s1 + GEN_SLOTS);
	assert_true(gen_get(s1) == g + 1);
}

/* -- freshness ------------------------------------------------------------ */

static void
test_round_trip(void **state)
{
	struct cache		*c;
	struct cache_entry	*e, *got;
	struct cache_deps	 d;
	struct cache_stats	 s;
	const char		*body;
	size_t			 len;

	(void)state;
	c = new_cache(MAX_BYTES);
	assert_true(cache_enabled(c));
	assert_null(lookup(c, "L:rt"));

	capture(c, &d, "rt-article", (char *)NULL);
	e = new_entry(200, "{\"comments\":[1,2,3]}");
	assert_true(cache_store(c, "L:rt", 4, e, &d));
	got = lookup(c, "L:rt");
	assert_ptr_equal(got, e);
	assert_int_equal(cache_entry_status(got), 200);
	assert_null(cache_entry_type(got));
	assert_int_equal(strlen(cache_entry_etag(got)), 34);
	body = cache_entry_body(got, &len);
	assert_int_equal(len, strlen("{\"comments\":[1,2,3]}"));
	assert_memory_equal(body, "{\"comments\":[1,2,3]}", len);
	/* Our reference gone, the table's keeps it. */
	cache_entry_unref(e);
	got = lookup(c, "L:rt");
	assert_non_null(got);
	body = cache_entry_body(got, &len);
	assert_memory_equal(body, "{\"comments\":[1,2,3]}", len);
	/* Another key, same prefix: no match. */
	assert_null(lookup(c, "L:r"));
	assert_null(lookup(c, "L:rtx"));

	s = stats(c);
	assert_int_equal(s.entries, 1);
	assert_int_equal(s.stores, 1);
	assert_int_equal(s.hits, 2);
	assert_int_equal(s.misses, 3);
	assert_true(s.bytes > 0 && s.bytes <= s.max_bytes);
	assert_int_equal(s.max_bytes, MAX_BYTES);

	/* Storing again under the key replaces the entry. */
	assert_true(store_one(c, "L:rt", "rt-article", "{\"v\":2}"));
	got = lookup(c, "L:rt");
	assert_non_null(got);
	body = cache_entry_body(got, &len);
	assert_memory_equal(body, "{\"v\":2}", len);
	assert_int_equal(stats(c).entries, 1);
	cache_free(c);
	cache_free(NULL);
}

static void
test_bump_invalidates(void **state)
{
	struct cache	*c;

	(void)state;
	c = new_cache(MAX_BYTES);
	assert_true(store_one(c, "L:bump", "bump-article", "{\"a\":1}"));
	assert_true(store_one(c, "L:other", "bump-other", "{\"b\":1}"));
	assert_int_not_equal(gen_slot("bump-article", 12),
	    gen_slot("bump-other", 10));
	assert_non_null(lookup(c, "L:bump"));

	bump("bump-article");
	assert_null(lookup(c, "L:bump"));
	/* The stale entry was dropped, not just skipped. */
	assert_int_equal(stats(c).entries, 1);
	assert_null(lookup(c, "L:bump"));
	/* Another article's entry is untouched. */
	assert_non_null(lookup(c, "L:other"));

	/* A new load after the change is cached again. */
	assert_true(store_one(c, "L:bump", "bump-article", "{\"a\":2}"));
	assert_non_null(lookup(c, "L:bump"));
	cache_free(c);
}

/*
 * The stale-query race: generations captured before the query was sent,
 * a change (and its bump) while it ran, the answer returns.  It must not
 * be stored, and must not be served either.
 */
static void
test_store_race(void **state)
{
	struct cache		*c;
	struct cache_entry	*e;
	struct cache_deps	 d;

	(void)state;
	c = new_cache(MAX_BYTES);
	capture(c, &d, "race-article", (char *)NULL);
	/* ... the query is under way; a moderator's action commits ... */
	bump("race-article");
	e = new_entry(200, "{\"stale\":true}");
	assert_false(cache_store(c, "L:race", 6, e, &d));
	assert_int_equal(cache_entry_refs(e), 1);
	assert_null(lookup(c, "L:race"));
	assert_int_equal(stats(c).entries, 0);
	assert_int_equal(stats(c).bytes, 0);
	assert_int_equal(stats(c).stores, 0);
	cache_entry_unref(e);

	/* A bump of the same article before the capture is harmless. */
	bump("race-article");
	capture(c, &d, "race-article", (char *)NULL);
	e = new_entry(200, "{\"stale\":false}");
	assert_true(cache_store(c, "L:race", 6, e, &d));
	cache_entry_unref(e);
	assert_non_null(lookup(c, "L:race"));
	cache_free(c);
}

static void
test_disabled(void **state)
{
	struct cache		*c;
	struct cache_entry	*e;
	struct cache_deps	 d;

	(void)state;
	/* A new cache is off until the listening connection is up. */
	c = cache_new(MAX_BYTES);
	assert_false(cache_enabled(c));
	capture(c, &d, "off-article", (char *)NULL);
	e = new_entry(200, "{}");
	assert_false(cache_store(c, "L:off", 5, e, &d));
	cache_entry_unref(e);
	assert_null(lookup(c, "L:off"));
	assert_int_equal(stats(c).entries, 0);

	/* Deps captured while off are no good once on (new epoch). */
	cache_set_enabled(c, true);
	e = new_entry(200, "{}");
	assert_false(cache_store(c, "L:off", 5, e, &d));
	cache_entry_unref(e);
	assert_true(store_one(c, "L:off", "off-article", "{}"));
	assert_non_null(lookup(c, "L:off"));

	/* Off: the entry is dropped and nothing is served or stored. */
	capture(c, &d, "off-article", (char *)NULL);
	cache_set_enabled(c, false);
	assert_false(cache_enabled(c));
	assert_int_equal(stats(c).entries, 0);
	assert_int_equal(stats(c).bytes, 0);
	assert_null(lookup(c, "L:off"));
	assert_false(store_one(c, "L:off", "off-article", "{}"));
	assert_null(lookup(c, "L:off"));

	/* Back on: a load begun before it was off is still refused. */
	cache_set_enabled(c, true);
	e = new_entry(200, "{}");
	assert_false(cache_store(c, "L:off", 5, e, &d));
	cache_entry_unref(e);
	assert_null(lookup(c, "L:off"));
	cache_free(c);
}

/*
 * Enabling again (the listening connection came back) starts afresh:
 * entries are dropped, and loads begun before are not stored.
 */
static void
test_enable_clears(void **state)
{
	struct cache		*c;
	struct cache_entry	*e;
	struct cache_deps	 d;
	char			 key[32];
	int			 i;

	(void)state;
	c = new_cache(MAX_BYTES);
	for (i = 0; i < 10; i++) {
		snprintf(key, sizeof key, "L:ep%d", i);
		assert_true(store_one(c, key, "epoch-article", "{}"));
	}
	assert_int_equal(stats(c).entries, 10);
	capture(c, &d, "epoch-article", (char *)NULL);

	cache_set_enabled(c, true);
	assert_true(cache_enabled(c));
	assert_int_equal(stats(c).entries, 0);
	assert_int_equal(stats(c).bytes, 0);
	for (i = 0; i < 10; i++) {
		snprintf(key, sizeof key, "L:ep%d", i);
		assert_null(lookup(c, key));
	}
	e = new_entry(200, "{}");
	assert_false(cache_store(c, "L:ep0", 5, e, &d));
	cache_entry_unref(e);
	assert_null(lookup(c, "L:ep0"));
	assert_true(store_one(c, "L:ep0", "epoch-article", "{}"));
	assert_non_null(lookup(c, "L:ep0"));
	cache_free(c);
}

/* Counts depend on many articles: a change to any one invalidates. */
static void
test_multi_deps(void **state)
{
	static const char *const arts[] = { "md-a", "md-b", "md-c" };
	struct cache		*c;
	struct cache_entry	*e;
	struct cache_deps	 d;
	size_t			 i;

	(void)state;
	c = new_cache(MAX_BYTES);
	assert_int_not_equal(gen_slot("md-a", 4), gen_slot("md-b", 4));
	assert_int_not_equal(gen_slot("md-b", 4), gen_slot("md-c", 4));
	assert_int_not_equal(gen_slot("md-a", 4), gen_slot("md-c", 4));
	assert_int_not_equal(gen_slot("md-x", 4), gen_slot("md-a", 4));
	assert_int_not_equal(gen_slot("md-x", 4), gen_slot("md-b", 4));
	assert_int_not_equal(gen_slot("md-x", 4), gen_slot("md-c", 4));

	for (i = 0; i < 3; i++) {
		capture(c, &d, "md-a", "md-b", "md-c", (char *)NULL);
		assert_int_equal(d.n, 3);
		e = new_entry(200, "{\"counts\":{}}");
		assert_true(cache_store(c, "N[md]", 5, e, &d));
		cache_entry_unref(e);
		assert_non_null(lookup(c, "N[md]"));
		/* An article it does not name changes nothing. */
		bump("md-x");
		assert_non_null(lookup(c, "N[md]"));
		bump(arts[i]);
		assert_null(lookup(c, "N[md]"));
		assert_int_equal(stats(c).entries, 0);
	}

	/* And a bump of any one of them during the query refuses it. */
	for (i = 0; i < 3; i++) {
		capture(c, &d, "md-a", "md-b", "md-c", (char *)NULL);
		bump(arts[i]);
		e = new_entry(200, "{\"counts\":{}}");
		assert_false(cache_store(c, "N[md]", 5, e, &d));
		cache_entry_unref(e);
		assert_null(lookup(c, "N[md]"));
	}
	cache_free(c);
}

/* -- the bound and the LRU order ------------------------------------------ */

static void
test_bound(void **state)
{
	struct cache		*c;
	struct cache_entry	*e;
	struct cache_deps	 d;
	struct cache_stats	 s;
	char			 key[32], art[32];
	int			 i;

	(void)state;
	c = new_cache(MAX_BYTES);
	assert_true(store_one(c, "L:hot", "lru-hot", "{\"hot\":1}"));
	for (i = 0; i < 2000; i++) {
		snprintf(key, sizeof key, "L:lru%d", i);
		snprintf(art, sizeof art, "lru-art%d", i);
		capture(c, &d, art, (char *)NULL);
		e = cache_entry_new(200, filled_body(700 + (size_t)(i % 7) * 50,
		    'a' + i % 26), 700 + (size_t)(i % 7) * 50, NULL);
		assert_true(cache_store(c, key, strlen(key), e, &d));
		cache_entry_unref(e);
		s = stats(c);
		assert_true(s.bytes <= MAX_BYTES);
		/* Read often: the hot entry stays. */
		if (i % 10 == 0)
			assert_non_null(lookup(c, "L:hot"));
	}
	s = stats(c);
	assert_true(s.evictions > 0);
	assert_true(s.entries > 10 && s.entries < 2000);
	/* A bound in bytes of the whole entry, not just the body. */
	assert_true(s.bytes >= (size_t)s.entries * 700);
	assert_non_null(lookup(c, "L:hot"));

	/* The newest are all there; the oldest are gone. */
	for (i = 1999; i > 1999 - 10; i--) {
		snprintf(key, sizeof key, "L:lru%d", i);
		assert_non_null(lookup(c, key));
	}
	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof key, "L:lru%d", i);
		assert_null(lookup(c, key));
	}
	cache_free(c);
}

static void
test_lru_order(void **state)
{
	struct cache	*c;
	char		 key[32], art[32], body[1100];
	int		 i, n;

	(void)state;
	c = new_cache(MAX_BYTES);
	memset(body, 'x', sizeof body - 1);
	body[sizeof body - 1] = '\0';
	/* Fill the cache exactly, without evicting. */
	for (n = 0;; n++) {
		snprintf(key, sizeof key, "L:ord%04d", n);
		snprintf(art, sizeof art, "ord-art%d", n);
		if (stats(c).bytes + (stats(c).entries > 0 ? stats(c).bytes /
		    stats(c).entries : 2000) > MAX_BYTES)
			break;
		assert_true(store_one(c, key, art, body));
	}
	assert_int_equal(stats(c).evictions, 0);
	assert_true(n > 8);
	/* Read the oldest half: they become the most recently used. */
	for (i = 0; i < n / 2; i++) {
		snprintf(key, sizeof key, "L:ord%04d", i);
		assert_non_null(lookup(c, key));
	}
	/* Add as many again: those not read are evicted first. */
	for (i = 0; i < n / 2; i++) {
		snprintf(key, sizeof key, "L:new%04d", i);
		snprintf(art, sizeof art, "ord-new%d", i);
		assert_true(store_one(c, key, art, body));
		assert_true(stats(c).bytes <= MAX_BYTES);
	}
	assert_true(stats(c).evictions > 0);
	for (i = 0; i < n / 2; i++) {
		snprintf(key, sizeof key, "L:ord%04d", i);
		assert_non_null(lookup(c, key));
		snprintf(key, sizeof key, "L:new%04d", i);
		assert_non_null(lookup(c, key));
	}
	/* The last never-read one was evicted. */
	snprintf(key, sizeof key, "L:ord%04d", n / 2);
	assert_null(lookup(c, key));
	cache_free(c);
}

static void
test_too_large(void **state)
{
	struct cache		*c;
	struct cache_entry	*e;
	struct cache_deps	 d;

	(void)state;
	c = new_cache(MAX_BYTES);
	assert_true(store_one(c, "L:small", "big-small", "{}"));
	capture(c, &d, "big-article", (char *)NULL);
	e = cache_entry_new(200, filled_body(MAX_BYTES / 4, 'b'),
	    MAX_BYTES / 4, NULL);
	assert_false(cache_store(c, "L:big", 5, e, &d));
	assert_int_equal(cache_entry_refs(e), 1);
	cache_entry_unref(e);
	assert_null(lookup(c, "L:big"));
	/* Nothing was evicted to make room for it. */
	assert_non_null(lookup(c, "L:small"));
	assert_int_equal(stats(c).entries, 1);
	assert_int_equal(stats(c).evictions, 0);

	/* Somewhat smaller fits. */
	e = cache_entry_new(200, filled_body(MAX_BYTES / 8, 'b'),
	    MAX_BYTES / 8, NULL);
	assert_true(cache_store(c, "L:big", 5, e, &d));
	cache_entry_unref(e);
	assert_non_null(lookup(c, "L:big"));

	/* A cache too small for anything stores nothing. */
	cache_free(c);
	c = new_cache(100);
	assert_false(store_one(c, "L:tiny", "big-tiny", "{}"));
	assert_null(lookup(c, "L:tiny"));
	assert_int_equal(stats(c).bytes, 0);
	cache_free(c);
}

/* -- reference counting --------------------------------------------------- */

static void
check_buffer(struct evbuffer *buf, const char *want, size_t len)
{
	char	*got;

	assert_int_equal(evbuffer_get_length(buf), len);
	got = malloc(len);
	assert_non_null(got);
	assert_int_equal(evbuffer_copyout(buf, got, len), (ev_ssize_t)len);
	assert_memory_equal(got, want, len);
	free(got);
}

static void
test_refs_evicted(void **state)
{
	struct cache		*c;
	struct cache_entry	*e;
	struct cache_deps	 d;
	struct evbuffer		*buf, *buf2;
	char			*want, key[32], art[32];
	size_t			 len = 5000;
	int			 i;

	(void)state;
	c = new_cache(MAX_BYTES);
	want = filled_body(len, 'r');
	capture(c, &d, "refs-article", (char *)NULL);
	e = cache_entry_new(200, filled_body(len, 'r'), len, NULL);
	assert_true(cache_store(c, "L:refs", 6, e, &d));
	cache_entry_unref(e);		/* the loader's */
	e = lookup(c, "L:refs");
	assert_non_null(e);
	assert_int_equal(cache_entry_refs(e), 1);

	/* Being sent on two connections. */
	buf = evbuffer_new();
	buf2 = evbuffer_new();
	assert_non_null(buf);
	assert_non_null(buf2);
	evbuffer_add(buf, "HTTP", 4);
	cache_entry_add_to(e, buf);
	cache_entry_add_to(e, buf2);
	assert_int_equal(cache_entry_refs(e), 3);

	/* Evicted by newer entries while still queued. */
	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof key, "L:push%d", i);
		snprintf(art, sizeof art, "refs-push%d", i);
		assert_true(store_one(c, key, art, want));
	}
	assert_null(lookup(c, "L:refs"));
	assert_true(stats(c).evictions > 0);
	/* Only the buffers hold it now; its bytes are intact. */
	assert_int_equal(cache_entry_refs(e), 2);
	evbuffer_drain(buf, 4);
	check_buffer(buf, want, len);
	check_buffer(buf2, want, len);

	/* Sent in parts: alive until the last byte is gone. */
	evbuffer_drain(buf, len / 2);
	assert_int_equal(cache_entry_refs(e), 2);
	check_buffer(buf, want + len / 2, len - len / 2);
	evbuffer_drain(buf, len - len / 2);
	assert_int_equal(evbuffer_get_length(buf), 0);
	assert_int_equal(cache_entry_refs(e), 1);
	check_buffer(buf2, want, len);
	/* A connection closed before sending: the buffer's free drops it
	 * (LeakSanitizer would report the entry otherwise). */
	evbuffer_free(buf2);
	evbuffer_free(buf);

	/* Invalidated (not evicted) while being sent: the same. */
	assert_true(store_one(c, "L:refs2", "refs-article2", want));
	e = lookup(c, "L:refs2");
	assert_non_null(e);
	buf = evbuffer_new();
	assert_non_null(buf);
	cache_entry_add_to(e, buf);
	bump("refs-article2");
	assert_null(lookup(c, "L:refs2"));
	check_buffer(buf, want, len);
	/* The cache goes first (a worker's end), the buffer after. */
	cache_free(c);
	check_buffer(buf, want, len);
	evbuffer_free(buf);
	free(want);
}

static void
test_refs_unstored(void **state)
{
	struct cache_entry	*e;
	struct evbuffer		*buf;

	(void)state;
	/* An answer not cached (a refused store) is still sent whole. */
	e = new_entry(200, "{\"uncached\":true}");
	buf = evbuffer_new();
	assert_non_null(buf);
	cache_entry_add_to(e, buf);
	cache_entry_unref(e);
	check_buffer(buf, "{\"uncached\":true}", 17);
	evbuffer_free(buf);
	cache_entry_unref(NULL);
}

/* -- shared loads --------------------------------------------------------- */

static void
waiter_cb(struct cache_entry *e, int retry_after, void *arg)
{
	struct call	*c = arg;
	const char	*body;
	size_t		 len;

	c->n++;
	c->e = e;
	c->retry_after = retry_after;
	if (e != NULL) {
		/* Valid during the call even if nobody else holds it. */
		assert_true(cache_entry_refs(e) >= 1);
		body = cache_entry_body(e, &len);
		snprintf(c->body, sizeof c->body, "%.*s", (int)len, body);
	}
}

static void
test_shared_loads(void **state)
{
	struct cache		*c;
	struct cache_entry	*e;
	struct cache_deps	 d, d2;
	struct cache_load	*l, *l2;
	struct call		 calls[5];
	int			 i;

	(void)state;
	c = new_cache(MAX_BYTES);
	memset(calls, 0, sizeof calls);
	/* Nothing under way: the first miss loads. */
	assert_false(cache_load_join(c, "L:sh", 4, waiter_cb, &calls[0]));
	capture(c, &d, "shared-article", (char *)NULL);
	l = cache_load_begin(c, "L:sh", 4, &d);
	for (i = 1; i < 5; i++)
		assert_true(cache_load_join(c, "L:sh", 4, waiter_cb,
		    &calls[i]));
	/* Another key is another load. */
	assert_false(cache_load_join(c, "L:sh2", 5, waiter_cb, &calls[0]));
	assert_int_equal(stats(c).shared_loads, 4);
	/* Nobody is called before the load is done. */
	for (i = 0; i < 5; i++)
		assert_int_equal(calls[i].n, 0);

	e = new_entry(200, "{\"shared\":1}");
	assert_true(cache_store(c, "L:sh", 4, e, &d));
	cache_load_done(c, l, e, 0);
	/* The loader answers itself: waiters 1..4 each once. */
	assert_int_equal(calls[0].n, 0);
	for (i = 1; i < 5; i++) {
		assert_int_equal(calls[i].n, 1);
		assert_ptr_equal(calls[i].e, e);
		assert_string_equal(calls[i].body, "{\"shared\":1}");
		assert_int_equal(calls[i].retry_after, 0);
	}
	/* the loader's and the table's */
	assert_int_equal(cache_entry_refs(e), 2);
	cache_entry_unref(e);

	/* The load is over: the next miss of the key starts a new one. */
	assert_false(cache_load_join(c, "L:sh", 4, waiter_cb, &calls[0]));
	memset(calls, 0, sizeof calls);
	capture(c, &d, "shared-article", (char *)NULL);
	l = cache_load_begin(c, "L:sh", 4, &d);
	assert_true(cache_load_join(c, "L:sh", 4, waiter_cb, &calls[1]));
	assert_true(cache_load_join(c, "L:sh", 4, waiter_cb, &calls[2]));
	/* A failed load: waiters get NULL and when to retry. */
	cache_load_done(c, l, NULL, 3);
	for (i = 1; i < 3; i++) {
		assert_int_equal(calls[i].n, 1);
		assert_null(calls[i].e);
		assert_int_equal(calls[i].retry_after, 3);
	}
	assert_int_equal(calls[3].n, 0);

	/*
	 * A change after a load's query was sent: that load may answer
	 * with what the change undid, so a new reader must not join it;
	 * it starts its own load, which later readers join.
	 */
	memset(calls, 0, sizeof calls);
	capture(c, &d, "moving-article", (char *)NULL);
	l = cache_load_begin(c, "L:mv", 4, &d);
	assert_true(cache_load_join(c, "L:mv", 4, waiter_cb, &calls[1]));
	gen_bump_article("moving-article", strlen("moving-article"));
	assert_false(cache_load_join(c, "L:mv", 4, waiter_cb, &calls[2]));
	capture(c, &d2, "moving-article", (char *)NULL);
	l2 = cache_load_begin(c, "L:mv", 4, &d2);
	assert_true(cache_load_join(c, "L:mv", 4, waiter_cb, &calls[3]));
	/* The old load ends: its answer is not stored, its waiter only. */
	e = new_entry(200, "{\"old\":1}");
	assert_false(cache_store(c, "L:mv", 4, e, &d));
	cache_load_done(c, l, e, 0);
	cache_entry_unref(e);
	assert_int_equal(calls[1].n, 1);
	assert_string_equal(calls[1].body, "{\"old\":1}");
	assert_int_equal(calls[3].n, 0);
	e = new_entry(200, "{\"new\":1}");
	assert_true(cache_store(c, "L:mv", 4, e, &d2));
	cache_load_done(c, l2, e, 0);
	cache_entry_unref(e);
	assert_int_equal(calls[3].n, 1);
	assert_string_equal(calls[3].body, "{\"new\":1}");
	assert_int_equal(calls[1].n, 1);

	/* An answer that was not stored still reaches the waiters, and
	 * lives through their calls. */
	memset(calls, 0, sizeof calls);
	capture(c, &d, "shared-article", (char *)NULL);
	l = cache_load_begin(c, "L:sh2", 5, &d);
	assert_true(cache_load_join(c, "L:sh2", 5, waiter_cb, &calls[1]));
	e = new_entry(404, "{\"error\":{}}");
	cache_load_done(c, l, e, 0);
	assert_int_equal(calls[1].n, 1);
	assert_ptr_equal(calls[1].e, e);
	assert_string_equal(calls[1].body, "{\"error\":{}}");
	assert_int_equal(cache_entry_refs(e), 1);
	cache_entry_unref(e);

	/* Loads still under way when the cache goes: their waiters are
	 * freed without a call (the worker is ending). */
	capture(c, &d, "left", (char *)NULL);
	(void)cache_load_begin(c, "L:left", 6, &d);
	assert_true(cache_load_join(c, "L:left", 6, waiter_cb, &calls[4]));
	cache_free(c);
	assert_int_equal(calls[4].n, 0);
}

/* A waiter that joins the same key again from its callback. */
struct rejoin {
	struct cache	*c;
	int		 n;
	bool		 joined;
};

static void
rejoin_cb(struct cache_entry *e, int retry_after, void *arg)
{
	struct rejoin	*r = arg;

	(void)e;
	(void)retry_after;
	r->n++;
	if (r->n == 1)
		r->joined = cache_load_join(r->c, "L:rj", 4, rejoin_cb, r);
}

static void
test_shared_rejoin(void **state)
{
	struct cache		*c;
	struct cache_deps	 d;
	struct cache_load	*l;
	struct rejoin		 r;

	(void)state;
	c = new_cache(MAX_BYTES);
	memset(&r, 0, sizeof r);
	r.c = c;
	capture(c, &d, "rejoin", (char *)NULL);
	l = cache_load_begin(c, "L:rj", 4, &d);
	assert_true(cache_load_join(c, "L:rj", 4, rejoin_cb, &r));
	cache_load_done(c, l, NULL, 1);
	/* The finished load was gone: joining again found nothing. */
	assert_int_equal(r.n, 1);
	assert_false(r.joined);
	l = cache_load_begin(c, "L:rj", 4, &d);
	assert_true(cache_load_join(c, "L:rj", 4, rejoin_cb, &r));
	cache_load_done(c, l, NULL, 1);
	assert_int_equal(r.n, 2);
	cache_free(c);
}

/* -- ETags ---------------------------------------------------------------- */

static void
test_etag(void **state)
{
	struct cache_entry	*a, *b, *x, *nf;
	size_t			 i;

	(void)state;
	a = new_entry(200, "{\"comments\":[]}");
	b = new_entry(200, "{\"comments\":[]}");
	x = new_entry(200, "{\"comments\":[1]}");
	nf = new_entry(404, "{\"error\":{\"code\":\"not_found\"}}");

	/* A quoted strong tag of 32 hex digits. */
	assert_int_equal(strlen(cache_entry_etag(a)), 34);
	assert_int_equal(cache_entry_etag(a)[0], '"');
	assert_int_equal(cache_entry_etag(a)[33], '"');
	for (i = 1; i < 33; i++)
		assert_non_null(strchr("0123456789abcdef",
		    cache_entry_etag(a)[i]));
	assert_string_equal(cache_entry_etag(a), cache_entry_etag(b));
	assert_string_not_equal(cache_entry_etag(a), cache_entry_etag(x));
	assert_string_equal(cache_entry_etag(nf), "");

	cache_entry_unref(a);
	cache_entry_unref(b);
	cache_entry_unref(x);
	cache_entry_unref(nf);

	/* One byte apart, same length. */
	a = new_entry(200, "{\"n\":1}");
	b = new_entry(200, "{\"n\":2}");
	assert_string_not_equal(cache_entry_etag(a), cache_entry_etag(b));
	cache_entry_unref(a);
	cache_entry_unref(b);
}

/* The buckets and generation slots are keyed by a secret drawn at
 * start: the same key lands in the same place within a process, and
 * somewhere else under another secret (another process, a restart), so
 * keys cannot be chosen ahead to collide. */
static void
test_keyed_hash(void **state)
{
	const char	*k = "news/2023/kim-putin";
	uint64_t	 a, b;
	uint32_t	 slot;
	int		 i, moved = 0;

	(void)state;
	assert_int_equal(token_init(), 0);
	a = token_keyed_hash(k, strlen(k));
	assert_true(a == token_keyed_hash(k, strlen(k)));
	assert_true(a != token_keyed_hash(k, strlen(k) - 1));
	slot = gen_slot(k, strlen(k));
	assert_true(slot == gen_slot(k, strlen(k)));
	assert_true(slot < GEN_SLOTS);
	for (i = 0; i < 8; i++) {
		assert_int_equal(token_init(), 0);	/* a new secret */
		b = token_keyed_hash(k, strlen(k));
		moved += b != a;
		if (gen_slot(k, strlen(k)) != slot)
			moved++;
	}
	/* 16 chances, each missed with probability 2^-64 or 2^-16. */
	assert_true(moved >= 15);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gen),
		cmocka_unit_test(test_keyed_hash),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bump_invalidates),
		cmocka_unit_test(test_store_race),
		cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_enable_clears),
		cmocka_unit_test(test_multi_deps),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_lru_order),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_refs_evicted),
		cmocka_unit_test(test_refs_unstored),
		cmocka_unit_test(test_shared_loads),
		cmocka_unit_test(test_shared_rejoin),
		cmocka_unit_test(test_etag),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
