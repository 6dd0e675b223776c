/*
 * keyshards.c - the sharded, fixed table under ratelimit.c and
 * connlimit.c (see keyshards.h).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyshards.h"
#include "token.h"
#include "xmalloc.h"

#define KS_SHARDS	64

struct keyshards_shard {
	pthread_mutex_t	 mu;
	unsigned char	*slots;
} __attribute__((aligned(64)));

struct keyshards {
	struct keyshards_shard	 shards[KS_SHARDS];
	size_t			 mask;		/* slots per shard - 1 */
	size_t			 size;		/* of a slot */
};

struct keyshards *
keyshards_new(size_t slot_size, size_t max_keys)
{
	struct keyshards	*ks;
	size_t			 per_shard = 16, i;

	ks = xcalloc(1, sizeof *ks);
	while (per_shard * KS_SHARDS < max_keys)
		per_shard *= 2;
	ks->mask = per_shard - 1;
	ks->size = slot_size;
	for (i = 0; i < KS_SHARDS; i++) {
		pthread_mutex_init(&ks->shards[i].mu, NULL);
		ks->shards[i].slots = xcalloc(per_shard, slot_size);
	}
	return ks;
}

void
keyshards_free(struct keyshards *ks)
{
	size_t	i;

	if (ks == NULL)
		return;
	for (i = 0; i < KS_SHARDS; i++) {
		pthread_mutex_destroy(&ks->shards[i].mu);
		free(ks->shards[i].slots);
	}
	free(ks);
}

void
keyshards_lock(struct keyshards *ks, const char *key,
    struct keyshards_window *w)
{
	/* | 1: never 0, the empty mark. */
	keyshards_lock_hash(ks, token_keyed_hash(key, strlen(key)) | 1, w);
}

void
keyshards_lock_hash(struct keyshards *ks, uint64_t hash,
    struct keyshards_window *w)
{
	/* The low bits pick the shard, the others the window in it. */
	w->hash = hash;
	w->shard = &ks->shards[hash % KS_SHARDS];
	w->slots = w->shard->slots;
	w->at = (size_t)(hash / KS_SHARDS);
	w->mask = ks->mask;
	w->size = ks->size;
	pthread_mutex_lock(&w->shard->mu);
}

void
keyshards_unlock(struct keyshards_window *w)
{
	pthread_mutex_unlock(&w->shard->mu);
}
