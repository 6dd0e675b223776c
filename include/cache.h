/*
 * cache.h - a worker's cache of rendered public answers.
 *
 * Entries hold the exact bytes of an answer (its JSON, status and ETag),
 * built once and sent by reference, never re-encoded.  Each records the
 * generations (gen.h) of the articles it depends on as they were when
 * its query was sent; a lookup returns it only while they are all still
 * current.  The cache is bounded in bytes and evicts the least recently
 * used entries.
 *
 * Loads are shared: the first miss for a key loads it, later misses for
 * the same key wait for that load (no stampede on a popular article).
 *
 * One cache per worker; not thread-safe, and needs no locks.
 */
#ifndef COMMENTD_CACHE_H
#define COMMENTD_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cache;
struct cache_entry;		/* an answer: built by a load, cached if it
				   may be, sent to waiters */
struct cache_load;
struct evbuffer;

#define CACHE_MAX_DEPS	100	/* articles one answer depends on */

/* Dependencies captured before a load's query is sent. */
struct cache_deps {
	int		 n;
	bool		 too_many;	/* more than CACHE_MAX_DEPS: never
					   stored */
	uint32_t	 slots[CACHE_MAX_DEPS];
	uint64_t	 gens[CACHE_MAX_DEPS];
	uint64_t	 epoch;
};

/* A waiter's callback: e is the shared answer (NULL if the load failed;
 * then retry_after says when to retry). e is valid during the call. */
typedef void (*cache_wait_cb)(struct cache_entry *e, int retry_after,
    void *arg);

struct cache	*cache_new(size_t max_bytes);
void		 cache_free(struct cache *c);

/* Drops every entry, and disables (or re-enables) storing and serving:
 * without the listening connection no change can be heard. */
void		 cache_set_enabled(struct cache *c, bool enabled);
bool		 cache_enabled(const struct cache *c);

/* A fresh entry for key, or NULL (missing, stale, or disabled). */
struct cache_entry *cache_lookup(struct cache *c, const char *key,
		    size_t keylen);

/* Records the current generations of the given article keys. */
void		 cache_deps_capture(const struct cache *c,
		    struct cache_deps *d, const char *const *keys,
		    const size_t *lens, int n);

/* A new entry (one reference, the caller's) owning body: status 200 or
 * 404, the exact bytes, their Content-Type (a static string; NULL: JSON).
 * A 200 gets a strong ETag of its bytes. */
struct cache_entry *cache_entry_new(int status, char *body, size_t len,
		    const char *type);
void		 cache_entry_ref(struct cache_entry *e);
void		 cache_entry_unref(struct cache_entry *e);
int		 cache_entry_status(const struct cache_entry *e);
/* The quoted ETag of a 200, "" otherwise. */
const char	*cache_entry_etag(const struct cache_entry *e);
/* The Content-Type, NULL for JSON. */
const char	*cache_entry_type(const struct cache_entry *e);
const char	*cache_entry_body(const struct cache_entry *e, size_t *len);
/* References held: the creator's, the table's, buffers still sending it
 * (what tests check to see that none leaks or goes early). */
unsigned	 cache_entry_refs(const struct cache_entry *e);

/* Stores e under key if deps are all still current (true if stored). */
bool		 cache_store(struct cache *c, const char *key, size_t keylen,
		    struct cache_entry *e, const struct cache_deps *d);

/*
 * Shared loads.  cache_load_join: if a load of key is under way whose
 * query saw the current generations (no change since it was sent),
 * queues cb for its answer and returns true.  Otherwise the caller
 * starts its own load with cache_load_begin (deps captured just before
 * its query), and ends it with cache_load_done, which calls every queued
 * waiter with the answer (e may be NULL).
 */
bool		 cache_load_join(struct cache *c, const char *key,
		    size_t keylen, cache_wait_cb cb, void *arg);
struct cache_load *cache_load_begin(struct cache *c, const char *key,
		    size_t keylen, const struct cache_deps *d);
void		 cache_load_done(struct cache *c, struct cache_load *l,
		    struct cache_entry *e, int retry_after);

/* Appends e's body to buf by reference (the entry lives until sent). */
void		 cache_entry_add_to(struct cache_entry *e,
		    struct evbuffer *buf);

/* Statistics, for tests and /metrics. */
struct cache_stats {
	size_t		 bytes, max_bytes;
	unsigned	 entries;
	uint64_t	 hits, misses, stores, evictions, shared_loads;
};
void		 cache_get_stats(const struct cache *c,
		    struct cache_stats *s);

#endif
