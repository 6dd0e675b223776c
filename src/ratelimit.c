/*
 * ratelimit.c - token buckets shared by threads (see ratelimit.h).
 *
 * A key is hashed with the process's secret SipHash key
 * (token_keyed_hash), so nobody can aim many keys at one slot; the hash
 * picks a shard (its own mutex and cache line) and a window of RL_PROBE
 * slots in it.  Only the 64-bit hash is kept: two keys colliding would
 * need 2^32 keys.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ratelimit.h"
#include "token.h"
#include "xmalloc.h"

#define RL_SHARDS	64
#define RL_PROBE	8

struct rl_slot {
	uint64_t	hash;		/* 0: empty */
	double		tokens;		/* as of `at` */
	double		at;
};

struct rl_shard {
	pthread_mutex_t	 mu;
	struct rl_slot	*slots;
} __attribute__((aligned(64)));

struct ratelimit {
	struct rl_shard	 shards[RL_SHARDS];
	size_t		 mask;		/* slots per shard - 1 */
	double		 per_s;
	double		 burst;
};

static double	rl_refilled(const struct ratelimit *, const struct rl_slot *,
		    double);

struct ratelimit *
ratelimit_new(double per_minute, double burst, size_t max_keys)
{
	struct ratelimit	*rl;
	size_t			 per_shard = 16, i;

	rl = xcalloc(1, sizeof *rl);
	while (per_shard * RL_SHARDS < max_keys)
		per_shard *= 2;
	rl->mask = per_shard - 1;
	rl->per_s = per_minute / 60.0;
	rl->burst = burst;
	for (i = 0; i < RL_SHARDS; i++) {
		pthread_mutex_init(&rl->shards[i].mu, NULL);
		rl->shards[i].slots = xcalloc(per_shard,
		    sizeof(struct rl_slot));
	}
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	size_t	i;

	if (rl == NULL)
		return;
	for (i = 0; i < RL_SHARDS; i++) {
		pthread_mutex_destroy(&rl->shards[i].mu);
		free(rl->shards[i].slots);
	}
	free(rl);
}

/* The slot's tokens at now: what it had plus the refill, up to burst. */
static double
rl_refilled(const struct ratelimit *rl, const struct rl_slot *s, double now)
{
	double	t;

	/* Threads read the clock apart: a moment's step back is none. */
	if (now < s->at)
		now = s->at;
	t = s->tokens + (now - s->at) * rl->per_s;

	return t > rl->burst ? rl->burst : t;
}

bool
ratelimit_take(struct ratelimit *rl, const char *key, double now,
    int *retry_s)
{
	struct rl_shard	*sh;
	struct rl_slot	*s = NULL, *victim = NULL;
	uint64_t	 h;
	size_t		 i, at;
	double		 t, most = -1;
	bool		 ok;

	h = token_keyed_hash(key, strlen(key));
	h |= 1;				/* never 0, the empty mark */
	sh = &rl->shards[h % RL_SHARDS];
	at = (size_t)(h / RL_SHARDS);

	pthread_mutex_lock(&sh->mu);
	for (i = 0; i < RL_PROBE; i++) {
		s = &sh->slots[(at + i) & rl->mask];
		if (s->hash == h)
			break;
		if (s->hash == 0)
			t = rl->burst + 1;	/* an empty slot beats any */
		else
			t = rl_refilled(rl, s, now);
		if (t > most) {
			most = t;
			victim = s;
		}
		s = NULL;
	}
	if (s == NULL) {
		s = victim;
		s->hash = h;
		s->tokens = rl->burst;
		s->at = now;
	}
	t = rl_refilled(rl, s, now);
	if ((ok = t >= 1.0))
		t -= 1.0;
	s->tokens = t;
	if (now > s->at)
		s->at = now;
	pthread_mutex_unlock(&sh->mu);

	if (!ok && retry_s != NULL)
		*retry_s = (int)ceil((1.0 - t) / rl->per_s);
	if (!ok && retry_s != NULL && *retry_s < 1)
		*retry_s = 1;
	return ok;
}

double
ratelimit_clock(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
