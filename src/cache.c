/*
 * cache.c - a worker's cache of rendered answers (see cache.h).
 *
 * A chained hash table on the key and a doubly linked LRU list; the
 * cost of an entry is its bytes plus a fixed overhead, and stores evict
 * from the cold end until the total fits.  Entries are reference
 * counted so one being sent survives its eviction.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "cache.h"
#include "gen.h"
#include "log.h"
#include "token.h"
#include "xmalloc.h"

#define CACHE_ENTRY_OVERHEAD	160	/* struct, chains, allocator */

struct cache_entry {
	int		 status;	/* 200 or 404 */
	char		*body;		/* the answer's bytes */
	size_t		 len;
	char		 etag[40];	/* quoted strong ETag (200 only) */
	const char	*type;		/* Content-Type; NULL: JSON */
	unsigned	 refs;
	char		*key;		/* set when stored */
	size_t		 keylen;
	size_t		 cost;
	int		 ndeps;
	uint32_t	*slots;		/* ndeps each, set when stored */
	uint64_t	*gens;
	uint64_t	 epoch;
	bool		 linked;
	struct cache_entry *hnext;	/* hash chain */
	struct cache_entry *lprev, *lnext;	/* LRU list */
};

struct cache_waiter {
	cache_wait_cb		 cb;
	void			*arg;
	struct cache_waiter	*next;
};

/* A load under way and who waits for it. */
struct cache_load {
	char			*key;
	size_t			 keylen;
	struct cache_deps	 deps;		/* from before its query */
	struct cache_waiter	*waiters, **tail;
	struct cache_load	*next;
};

struct cache {
	size_t			 max_bytes;
	size_t			 bytes;
	unsigned		 entries;
	struct cache_entry	**buckets;
	size_t			 nbuckets;	/* a power of two */
	struct cache_entry	*lru_head, *lru_tail;	/* hot .. cold */
	struct cache_load	*loads;
	uint64_t		 epoch;		/* bumped by each clear */
	bool			 enabled;
	struct cache_stats	 stats;
};

static uint32_t	cache_hash(const char *, size_t);
static void	cache_unlink(struct cache *, struct cache_entry *);
static void	cache_lru_front(struct cache *, struct cache_entry *);
static bool	cache_fresh(const struct cache *, const struct cache_entry *);
static bool	cache_deps_current(const struct cache *,
		    const struct cache_deps *);
static void	cache_grow(struct cache *);
static void	cache_clear(struct cache *);
static struct cache_entry *cache_find(const struct cache *, const char *,
		    size_t);

/* Keyed: the keys are article keys and queries readers choose. */
static uint32_t
cache_hash(const char *key, size_t len)
{
	return (uint32_t)token_keyed_hash(key, len);
}

struct cache *
cache_new(size_t max_bytes)
{
	struct cache	*c;

	c = xcalloc(1, sizeof *c);
	c->max_bytes = max_bytes;
	c->nbuckets = 1024;
	c->buckets = xcalloc(c->nbuckets, sizeof *c->buckets);
	c->epoch = 1;
	c->enabled = false;	/* until the listening connection is up */
	return c;
}

void
cache_free(struct cache *c)
{
	struct cache_load	*l;
	struct cache_waiter	*w;

	if (c == NULL)
		return;
	cache_clear(c);
	while ((l = c->loads) != NULL) {
		c->loads = l->next;
		while ((w = l->waiters) != NULL) {
			l->waiters = w->next;
			free(w);
		}
		free(l->key);
		free(l);
	}
	free(c->buckets);
	free(c);
}

static void
cache_clear(struct cache *c)
{
	while (c->lru_head != NULL)
		cache_unlink(c, c->lru_head);
	c->epoch++;
}

void
cache_set_enabled(struct cache *c, bool enabled)
{
	cache_clear(c);
	c->enabled = enabled;
}

bool
cache_enabled(const struct cache *c)
{
	return c->enabled;
}

void
cache_get_stats(const struct cache *c, struct cache_stats *s)
{
	*s = c->stats;
	s->bytes = c->bytes;
	s->max_bytes = c->max_bytes;
	s->entries = c->entries;
}

/* -- entries ------------------------------------------------------------ */

struct cache_entry *
cache_entry_new(int status, char *body, size_t len, const char *type)
{
	struct cache_entry	*e;
	char			 digest[33];

	e = xcalloc(1, sizeof *e);
	e->status = status;
	e->body = body;
	e->len = len;
	e->type = type;
	e->refs = 1;
	if (status == 200) {
		token_digest_hex(body, len, digest);
		e->etag[0] = '"';
		memcpy(e->etag + 1, digest, 32);
		e->etag[33] = '"';
		e->etag[34] = '\0';
	}
	return e;
}

void
cache_entry_ref(struct cache_entry *e)
{
	e->refs++;
}

void
cache_entry_unref(struct cache_entry *e)
{
	if (e == NULL || --e->refs > 0)
		return;
	free(e->body);
	free(e->key);
	free(e->slots);
	free(e->gens);
	free(e);
}

int
cache_entry_status(const struct cache_entry *e)
{
	return e->status;
}

const char *
cache_entry_etag(const struct cache_entry *e)
{
	return e->etag;
}

const char *
cache_entry_type(const struct cache_entry *e)
{
	return e->type;
}

const char *
cache_entry_body(const struct cache_entry *e, size_t *len)
{
	*len = e->len;
	return e->body;
}

unsigned
cache_entry_refs(const struct cache_entry *e)
{
	return e->refs;
}

static void
cache_entry_cleanup_cb(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	cache_entry_unref(arg);
}

void
cache_entry_add_to(struct cache_entry *e, struct evbuffer *buf)
{
	cache_entry_ref(e);
	if (evbuffer_add_reference(buf, e->body, e->len,
	    cache_entry_cleanup_cb, e) != 0) {
		cache_entry_unref(e);
		evbuffer_add(buf, e->body, e->len);
	}
}

/* -- the table ---------------------------------------------------------- */

static bool
cache_fresh(const struct cache *c, const struct cache_entry *e)
{
	int	i;

	if (e->epoch != c->epoch)
		return false;
	for (i = 0; i < e->ndeps; i++) {
		if (gen_get(e->slots[i]) != e->gens[i])
			return false;
	}
	return true;
}

/* Whether no dependency changed since d was captured. */
static bool
cache_deps_current(const struct cache *c, const struct cache_deps *d)
{
	int	i;

	if (d->too_many || d->epoch != c->epoch)
		return false;
	for (i = 0; i < d->n; i++) {
		if (gen_get(d->slots[i]) != d->gens[i])
			return false;
	}
	return true;
}

static void
cache_lru_front(struct cache *c, struct cache_entry *e)
{
	if (c->lru_head == e)
		return;
	/* out */
	if (e->lprev != NULL)
		e->lprev->lnext = e->lnext;
	if (e->lnext != NULL)
		e->lnext->lprev = e->lprev;
	if (c->lru_tail == e)
		c->lru_tail = e->lprev;
	/* in, at the hot end */
	e->lprev = NULL;
	e->lnext = c->lru_head;
	if (c->lru_head != NULL)
		c->lru_head->lprev = e;
	c->lru_head = e;
	if (c->lru_tail == NULL)
		c->lru_tail = e;
}

/* Removes e from the table and the list and drops the table's ref. */
static void
cache_unlink(struct cache *c, struct cache_entry *e)
{
	struct cache_entry	**pp;

	pp = &c->buckets[cache_hash(e->key, e->keylen) & (c->nbuckets - 1)];
	while (*pp != NULL && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp == e)
		*pp = e->hnext;
	if (e->lprev != NULL)
		e->lprev->lnext = e->lnext;
	else
		c->lru_head = e->lnext;
	if (e->lnext != NULL)
		e->lnext->lprev = e->lprev;
	else
		c->lru_tail = e->lprev;
	e->hnext = e->lprev = e->lnext = NULL;
	e->linked = false;
	c->bytes -= e->cost;
	c->entries--;
	cache_entry_unref(e);
}

static struct cache_entry *
cache_find(const struct cache *c, const char *key, size_t keylen)
{
	struct cache_entry	*e;

	e = c->buckets[cache_hash(key, keylen) & (c->nbuckets - 1)];
	for (; e != NULL; e = e->hnext) {
		if (e->keylen == keylen && memcmp(e->key, key, keylen) == 0)
			break;
	}
	return e;
}

struct cache_entry *
cache_lookup(struct cache *c, const char *key, size_t keylen)
{
	struct cache_entry	*e;

	if (!c->enabled) {
		c->stats.misses++;
		return NULL;
	}
	if ((e = cache_find(c, key, keylen)) == NULL) {
		c->stats.misses++;
		return NULL;
	}
	if (!cache_fresh(c, e)) {
		cache_unlink(c, e);
		c->stats.misses++;
		return NULL;
	}
	cache_lru_front(c, e);
	c->stats.hits++;
	return e;
}

void
cache_deps_capture(const struct cache *c, struct cache_deps *d,
    const char *const *keys, const size_t *lens, int n)
{
	int	i;

	d->too_many = n > CACHE_MAX_DEPS;
	if (d->too_many)
		n = CACHE_MAX_DEPS;
	d->n = n;
	d->epoch = c->epoch;
	for (i = 0; i < n; i++) {
		d->slots[i] = gen_slot(keys[i], lens[i]);
		d->gens[i] = gen_get(d->slots[i]);
	}
}

static void
cache_grow(struct cache *c)
{
	struct cache_entry	**nb, *e, *next;
	size_t			  i, n = c->nbuckets * 2;

	nb = xcalloc(n, sizeof *nb);
	for (i = 0; i < c->nbuckets; i++) {
		for (e = c->buckets[i]; e != NULL; e = next) {
			next = e->hnext;
			e->hnext = nb[cache_hash(e->key, e->keylen) & (n - 1)];
			nb[cache_hash(e->key, e->keylen) & (n - 1)] = e;
		}
	}
	free(c->buckets);
	c->buckets = nb;
	c->nbuckets = n;
}

bool
cache_store(struct cache *c, const char *key, size_t keylen,
    struct cache_entry *e, const struct cache_deps *d)
{
	struct cache_entry	*old, **bucket;

	/*
	 * The classic race: a query sent before a change committed may
	 * return after the change was announced.  Its answer is stale;
	 * comparing generations from before the query catches it.
	 */
	if (!c->enabled || e->linked || e->key != NULL ||
	    !cache_deps_current(c, d))
		return false;
	e->cost = CACHE_ENTRY_OVERHEAD + keylen + e->len +
	    (size_t)d->n * (sizeof *e->slots + sizeof *e->gens);
	if (e->cost > c->max_bytes / 4)
		return false;	/* one answer may not crowd out the rest */

	if ((old = cache_find(c, key, keylen)) != NULL)
		cache_unlink(c, old);
	while (c->bytes + e->cost > c->max_bytes && c->lru_tail != NULL) {
		cache_unlink(c, c->lru_tail);
		c->stats.evictions++;
	}
	e->key = xmalloc(keylen);
	memcpy(e->key, key, keylen);
	e->keylen = keylen;
	e->ndeps = d->n;
	e->slots = xcalloc((size_t)d->n, sizeof *e->slots);
	e->gens = xcalloc((size_t)d->n, sizeof *e->gens);
	memcpy(e->slots, d->slots, (size_t)d->n * sizeof *e->slots);
	memcpy(e->gens, d->gens, (size_t)d->n * sizeof *e->gens);
	e->epoch = d->epoch;
	if (c->entries >= c->nbuckets)
		cache_grow(c);
	bucket = &c->buckets[cache_hash(key, keylen) & (c->nbuckets - 1)];
	e->hnext = *bucket;
	*bucket = e;
	e->lprev = NULL;
	e->lnext = c->lru_head;
	if (c->lru_head != NULL)
		c->lru_head->lprev = e;
	c->lru_head = e;
	if (c->lru_tail == NULL)
		c->lru_tail = e;
	e->linked = true;
	cache_entry_ref(e);		/* the table's */
	c->bytes += e->cost;
	c->entries++;
	c->stats.stores++;
	return true;
}

/* -- shared loads --------------------------------------------------------- */

bool
cache_load_join(struct cache *c, const char *key, size_t keylen,
    cache_wait_cb cb, void *arg)
{
	struct cache_load	*l;
	struct cache_waiter	*w;

	/*
	 * Only a load that started after the last change may answer a new
	 * reader: one sent before it may return what the change undid.
	 */
	for (l = c->loads; l != NULL; l = l->next) {
		if (l->keylen == keylen && memcmp(l->key, key, keylen) == 0 &&
		    cache_deps_current(c, &l->deps))
			break;
	}
	if (l == NULL)
		return false;
	w = xcalloc(1, sizeof *w);
	w->cb = cb;
	w->arg = arg;
	*l->tail = w;
	l->tail = &w->next;
	c->stats.shared_loads++;
	return true;
}

struct cache_load *
cache_load_begin(struct cache *c, const char *key, size_t keylen,
    const struct cache_deps *d)
{
	struct cache_load	*l;

	l = xcalloc(1, sizeof *l);
	l->key = xmalloc(keylen);
	memcpy(l->key, key, keylen);
	l->keylen = keylen;
	l->deps = *d;
	l->tail = &l->waiters;
	l->next = c->loads;
	c->loads = l;
	return l;
}

void
cache_load_done(struct cache *c, struct cache_load *l, struct cache_entry *e,
    int retry_after)
{
	struct cache_load	**pp;
	struct cache_waiter	*w;

	for (pp = &c->loads; *pp != NULL && *pp != l; pp = &(*pp)->next)
		;
	if (*pp == NULL)
		fatalx("cache: ending a load that is not under way");
	*pp = l->next;
	/* Waiters may reply and so free their requests, not the entry:
	 * hold it across the calls. */
	if (e != NULL)
		cache_entry_ref(e);
	while ((w = l->waiters) != NULL) {
		l->waiters = w->next;
		w->cb(e, retry_after, w->arg);
		free(w);
	}
	if (e != NULL)
		cache_entry_unref(e);
	free(l->key);
	free(l);
}
