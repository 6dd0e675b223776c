/*
 * ratelimit.h - token buckets by key (a reader's address, an e-mail),
 * shared by every worker thread of the process, so that N connections
 * landing on N workers get one allowance, not N.
 *
 * Each key has a bucket of `burst` tokens, refilled at `per_minute`;
 * an action takes one token or is refused.  Memory is bounded: a table
 * of max_keys buckets, and when it is full a new key takes the place of
 * the bucket nearest to full (a full bucket is the same as none).
 * Locks are per shard and held for a few instructions.
 */
#ifndef COMMENTD_RATELIMIT_H
#define COMMENTD_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>

struct ratelimit;

/* per_minute > 0, burst ≥ 1; max_keys is rounded up to a power of two. */
struct ratelimit *ratelimit_new(double per_minute, double burst,
		    size_t max_keys);
void		 ratelimit_free(struct ratelimit *);

/*
 * Takes a token from key's bucket at now (monotonic seconds).  True if
 * there was one; false if not, with *retry_s the whole seconds (≥ 1)
 * until there is.
 */
bool		 ratelimit_take(struct ratelimit *, const char *key,
		    double now, int *retry_s);
/* The clock to give ratelimit_take: monotonic seconds (a step of the
 * wall clock must neither refill nor drain every bucket). */
double		 ratelimit_clock(void);

#endif
