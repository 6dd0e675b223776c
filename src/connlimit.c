/*
 * connlimit.c - open connections per process and per address (see
 * connlimit.h).
 *
 * The total is one atomic counter.  The counts per address are slots of
 * a keyshards table (a secret-keyed hash, a shard lock, a short window
 * of slots); a slot whose count falls to zero is empty again.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "connlimit.h"
#include "keyshards.h"
#include "xmalloc.h"

struct connlimit_slot {
	uint64_t	hash;		/* 0: empty */
	int		count;
};

struct connlimit {
	struct keyshards	*ks;
	int			 max_total;
	int			 max_per_key;
	atomic_int		 total;
};

struct connlimit *
connlimit_new(int max_total, int max_per_key, size_t max_keys)
{
	struct connlimit	*cl;

	cl = xcalloc(1, sizeof *cl);
	cl->ks = keyshards_new(sizeof(struct connlimit_slot), max_keys);
	cl->max_total = max_total;
	cl->max_per_key = max_per_key;
	atomic_init(&cl->total, 0);
	return cl;
}

void
connlimit_free(struct connlimit *cl)
{
	if (cl == NULL)
		return;
	keyshards_free(cl->ks);
	free(cl);
}

bool
connlimit_acquire(struct connlimit *cl, const char *key,
    struct connlimit_slot **slot)
{
	struct keyshards_window	 w;
	struct connlimit_slot	*s, *found = NULL, *empty = NULL;
	size_t			 i;
	int			 n;

	*slot = NULL;
	n = atomic_fetch_add(&cl->total, 1) + 1;
	if (cl->max_total > 0 && n > cl->max_total) {
		atomic_fetch_sub(&cl->total, 1);
		return false;
	}
	if (key == NULL || cl->max_per_key <= 0)
		return true;

	keyshards_lock(cl->ks, key, &w);
	/* The whole window: a slot emptied before the key's own does not
	 * end the search. */
	for (i = 0; i < KEYSHARDS_PROBE && found == NULL; i++) {
		s = keyshards_slot(&w, i);
		if (s->hash == w.hash)
			found = s;
		else if (s->hash == 0 && empty == NULL)
			empty = s;
	}
	if (found == NULL && empty != NULL) {
		found = empty;
		found->hash = w.hash;
		found->count = 0;
	}
	if (found != NULL && found->count >= cl->max_per_key) {
		keyshards_unlock(&w);
		atomic_fetch_sub(&cl->total, 1);
		return false;
	}
	if (found != NULL)
		found->count++;
	keyshards_unlock(&w);
	*slot = found;
	return true;
}

void
connlimit_release(struct connlimit *cl, struct connlimit_slot *slot)
{
	struct keyshards_window	w;

	atomic_fetch_sub(&cl->total, 1);
	if (slot == NULL)
		return;
	/* The slot's hash stays while it counts this connection. */
	keyshards_lock_hash(cl->ks, slot->hash, &w);
	if (--slot->count <= 0) {
		slot->count = 0;
		slot->hash = 0;
	}
	keyshards_unlock(&w);
}

int
connlimit_total(struct connlimit *cl)
{
	return atomic_load(&cl->total);
}
