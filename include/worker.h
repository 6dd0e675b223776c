/*
 * worker.h - one worker thread: an event loop, its HTTP server on its own
 * SO_REUSEPORT socket, its database pool, read cache and live streams.
 *
 * What a worker is stays private to worker.c: server.c starts and stops
 * workers through the functions below, and handlers see only the
 * worker's context (ctx.h).
 */
#ifndef COMMENTD_WORKER_H
#define COMMENTD_WORKER_H

#include <stddef.h>

#include "cs.h"
#include "validate.h"

struct config;
struct connlimit;
struct hashpool;
struct ratelimit;
struct worker;

#define SECRET_MAX	64

/* What every worker reads and nobody writes once serving starts. */
struct shared {
	const struct config	*cfg;
	struct text_limits	 limits;
	unsigned char		 token_secret[SECRET_MAX];
	size_t			 token_secret_len;
	struct hashpool		*hashpool;	/* thread-safe by design */
	/* One for all workers, so that N connections get one allowance
	 * (thread-safe by design; NULL: off). */
	struct ratelimit	*submit_rl;
	struct ratelimit	*report_rl;
	/* The caps on open connections, counted for all workers. */
	struct connlimit	*connlimit;
	size_t			 cache_bytes;	/* each worker's share */
	char			 public_cache_control[96]; /* of reads */
};

/* Creates a worker serving on listen_fd (which it takes over). */
struct worker	*worker_new(int index, const struct shared *shared,
		    int listen_fd);
/* Runs the worker's loop on a new thread. */
int		 worker_start(struct worker *w) CS_MUSTCHECK;
/* Asks the worker to stop accepting, finish in-flight requests (within
 * shutdown_timeout_ms) and end its loop.  Async-signal and thread safe. */
void		 worker_stop(struct worker *w);
/* Waits for the worker's thread, then frees it. */
void		 worker_join_free(struct worker *w);

#endif
