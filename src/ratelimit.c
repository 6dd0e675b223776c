/*
 * ratelimit.c - token buckets shared by threads (see ratelimit.h).
 *
 * The buckets are slots of a keyshards table (a secret-keyed hash, a
 * shard lock, a short window of slots); a full window gives the bucket
 * nearest to full to the new key.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "keyshards.h"
#include "ratelimit.h"
#include "xmalloc.h"

struct rl_slot {
	uint64_t	hash;		/* 0: empty */
	double		tokens;		/* as of `at` */
	double		at;
};

struct ratelimit {
	struct keyshards	*ks;
	double			 per_s;
	double			 burst;
};

static double	rl_refilled(const struct ratelimit *, const struct rl_slot *,
		    double);

struct ratelimit *
ratelimit_new(double per_minute, double burst, size_t max_keys)
{
	struct ratelimit	*rl;

	rl = xcalloc(1, sizeof *rl);
	rl->ks = keyshards_new(sizeof(struct rl_slot), max_keys);
	rl->per_s = per_minute / 60.0;
	rl->burst = burst;
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	keyshards_free(rl->ks);
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
	struct keyshards_window	 w;
	struct rl_slot		*s = NULL, *victim = NULL;
	size_t			 i;
	double			 t, most = -1;
	bool			 ok;

	keyshards_lock(rl->ks, key, &w);
	for (i = 0; i < KEYSHARDS_PROBE; i++) {
		s = keyshards_slot(&w, i);
		if (s->hash == w.hash)
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
		s->hash = w.hash;
		s->tokens = rl->burst;
		s->at = now;
	}
	t = rl_refilled(rl, s, now);
	if ((ok = t >= 1.0))
		t -= 1.0;
	s->tokens = t;
	if (now > s->at)
		s->at = now;
	keyshards_unlock(&w);

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
