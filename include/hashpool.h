/*
 * hashpool.h - password hashing off the event loops.
 *
 * argon2id takes tens of milliseconds and tens of megabytes by design;
 * run on a worker's loop it would stall every request of that worker.
 * A small process-wide pool of threads does the hashing, and each result
 * is handed back to the loop of the worker that asked for it, where its
 * callback runs.  The pool is the only shared state a login touches, and
 * only to queue the job and to post the result.
 */
#ifndef COMMENTD_HASHPOOL_H
#define COMMENTD_HASHPOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "cs.h"

struct event_base;
struct hashpool;
struct hashpool_inbox;

/* The outcome of a job, given to the callback on the asking loop. */
struct hashpool_result {
	bool		 ok;		/* verify: password matches;
					   hash: hash was made */
	bool		 overloaded;	/* refused: too many jobs waiting */
	const char	*hash;		/* hash jobs: the new hash string,
					   valid during the callback only */
};

typedef void (*hashpool_cb)(const struct hashpool_result *res, void *arg);

/* Starts nthreads hashing threads; queue_max jobs may wait at most. */
struct hashpool	*hashpool_new(int nthreads, int queue_max);
/* Finishes queued jobs' threads and frees the pool: call after every
 * inbox is freed (no results can be delivered any more).  NULL-safe. */
void		 hashpool_free(struct hashpool *pool);

/* Each event loop that submits jobs has one inbox on its own base. */
struct hashpool_inbox *hashpool_inbox_new(struct hashpool *pool,
		    struct event_base *base);
/* Jobs of this inbox still running are finished and their callbacks
 * dropped (not called).  NULL-safe.  Call from the inbox's own thread. */
void		 hashpool_inbox_free(struct hashpool_inbox *inbox);

/*
 * Verifies password against an argon2id string (crypto_pwhash_str) or,
 * with hash NULL, against a fixed dummy hash so an unknown account costs
 * the same time as a known one (the result is then never ok).  The
 * callback runs later on the inbox's loop, exactly once, never inside
 * this call.  The strings are copied.
 */
void		 hashpool_verify(struct hashpool_inbox *inbox,
		    const char *hash, const char *password, hashpool_cb cb,
		    void *arg);

/* Hashes password with argon2id; the result's hash is the string. */
void		 hashpool_hash(struct hashpool_inbox *inbox,
		    const char *password, hashpool_cb cb, void *arg);

/* argon2id with the cost every commentd hash uses (blocking: for the
 * command line and the pool's threads).  out has crypto_pwhash_STRBYTES. */
int		 hashpool_hash_now(const char *password, char *out)
		    CS_MUSTCHECK;

/* Jobs queued or running now (for tests and /metrics). */
int		 hashpool_pending(struct hashpool *pool);

#endif
