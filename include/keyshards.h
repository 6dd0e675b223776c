/*
 * keyshards.h - a table of fixed memory keyed by strings, shared by the
 * threads of the process: the storage under ratelimit.c and connlimit.c.
 *
 * A key is hashed with the process's secret SipHash key
 * (token_keyed_hash), so nobody can aim many keys at one slot; the hash
 * picks a shard (its own mutex and cache line) and a window of
 * KEYSHARDS_PROBE slots in it.  The slots are the user's: slot_size
 * bytes each, zeroed at first.  The user keeps the hash in its slot to
 * know its key's (0, never a hash, marks an empty slot) and decides what
 * a full window means.  Only the 64-bit hash is kept: two keys colliding
 * would need 2^32 keys.
 */
#ifndef COMMENTD_KEYSHARDS_H
#define COMMENTD_KEYSHARDS_H

#include <stddef.h>
#include <stdint.h>

#define KEYSHARDS_PROBE	8

struct keyshards;
struct keyshards_shard;

/* A key's window, its shard locked: keyshards_slot(w, 0 .. PROBE - 1). */
struct keyshards_window {
	uint64_t		 hash;		/* the key's; never 0 */
	struct keyshards_shard	*shard;
	unsigned char		*slots;		/* the shard's */
	size_t			 at;		/* the window's first */
	size_t			 mask;		/* slots per shard - 1 */
	size_t			 size;		/* of a slot */
};

/*
 * Room for at least max_keys slots of slot_size bytes (a multiple of the
 * slot type's alignment, as sizeof is), a power of two per shard.
 */
struct keyshards *keyshards_new(size_t slot_size, size_t max_keys);
void		 keyshards_free(struct keyshards *);

/* Hashes key and locks its shard: *w is its window until unlocked. */
void		 keyshards_lock(struct keyshards *, const char *key,
		    struct keyshards_window *w);
/* The same for a hash keyshards_lock gave (kept in a slot). */
void		 keyshards_lock_hash(struct keyshards *, uint64_t hash,
		    struct keyshards_window *w);
void		 keyshards_unlock(struct keyshards_window *w);

/* The window's i-th slot (i < KEYSHARDS_PROBE), wrapping in its shard. */
static inline void *
keyshards_slot(const struct keyshards_window *w, size_t i)
{
	return w->slots + ((w->at + i) & w->mask) * w->size;
}

#endif
