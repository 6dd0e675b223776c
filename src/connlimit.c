/*
 * connlimit.c - open connections per process and per address (see
 * connlimit.h).
 *
 * The total is one atomic counter.  Addresses are hashed with the
 * process's secret SipHash key (token_keyed_hash), so nobody can aim
 * many addresses at one slot; the hash picks a shard (its own mutex) and
 * a window of CL_PROBE slots in it.  A slot whose count falls to zero is
 * empty again.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "connlimit.h"
#include "token.h"
#include "xmalloc.h"

#define CL_SHARDS	64
#define CL_PROBE	8

struct connlimit_slot {
	uint64_t	hash;		/* 0: empty */
	int		count;
};

struct cl_shard {
	pthread_mutex_t		 mu;
	struct connlimit_slot	*slots;
} __attribute__((aligned(64)));

struct connlimit {
	struct cl_shard	 shards[CL_SHARDS];
	size_t		 mask;		/* slots per shard - 1 */
	int		 max_total;
	int		 max_per_key;
	atomic_int	 total;
};

struct connlimit *
connlimit_new(int max_total, int max_per_key, size_t max_keys)
{
	struct connlimit	*cl;
	size_t			 per_shard = 16, i;

	cl = xcalloc(1, sizeof *cl);
	while (per_shard * CL_SHARDS < max_keys)
		per_shard *= 2;
	cl->mask = per_shard - 1;
	cl->max_total = max_total;
	cl->max_per_key = max_per_key;
	atomic_init(&cl->total, 0);
	for (i = 0; i < CL_SHARDS; i++) {
		pthread_mutex_init(&cl->shards[i].mu, NULL);
		cl->shards[i].slots = xcalloc(per_shard,
		    sizeof(struct connlimit_slot));
	}
	return cl;
}

void
connlimit_free(struct connlimit *cl)
{
	size_t	i;

	if (cl == NULL)
		return;
	for (i = 0; i < CL_SHARDS; i++) {
		pthread_mutex_destroy(&cl->shards[i].mu);
		free(cl->shards[i].slots);
	}
	free(cl);
}

bool
connlimit_acquire(struct connlimit *cl, const char *key,
    struct connlimit_slot **slot)
{
	struct cl_shard		*sh;
	struct connlimit_slot	*s, *found = NULL, *empty = NULL;
	uint64_t		 h;
	size_t			 i, at;
	int			 n;

	*slot = NULL;
	n = atomic_fetch_add(&cl->total, 1) + 1;
	if (cl->max_total > 0 && n > cl->max_total) {
		atomic_fetch_sub(&cl->total, 1);
		return false;
	}
	if (key == NULL || cl->max_per_key <= 0)
		return true;

	h = token_keyed_hash(key, strlen(key)) | 1;	/* never 0 */
	sh = &cl->shards[h % CL_SHARDS];
	at = (size_t)(h / CL_SHARDS);
	pthread_mutex_lock(&sh->mu);
	/* The whole window: a slot emptied before the key's own does not
	 * end the search. */
	for (i = 0; i < CL_PROBE && found == NULL; i++) {
		s = &sh->slots[(at + i) & cl->mask];
		if (s->hash == h)
			found = s;
		else if (s->hash == 0 && empty == NULL)
			empty = s;
	}
	if (found == NULL && empty != NULL) {
		found = empty;
		found->hash = h;
		found->count = 0;
	}
	if (found != NULL && found->count >= cl->max_per_key) {
		pthread_mutex_unlock(&sh->mu);
		atomic_fetch_sub(&cl->total, 1);
		return false;
	}
	if (found != NULL)
		found->count++;
	pthread_mutex_unlock(&sh->mu);
	*slot = found;
	return true;
}

void
connlimit_release(struct connlimit *cl, struct connlimit_slot *slot)
{
	struct cl_shard	*sh;

	atomic_fetch_sub(&cl->total, 1);
	if (slot == NULL)
		return;
	sh = &cl->shards[slot->hash % CL_SHARDS];
	pthread_mutex_lock(&sh->mu);
	if (--slot->count <= 0) {
		slot->count = 0;
		slot->hash = 0;
	}
	pthread_mutex_unlock(&sh->mu);
}

int
connlimit_total(struct connlimit *cl)
{
	return atomic_load(&cl->total);
}
