/*
 * worker.h - one worker thread: an event loop, its HTTP server on its own
 * SO_REUSEPORT socket, and its database pool.  Workers share nothing on
 * the request path; what they read in common (configuration, the token
 * secret) is immutable once they start.
 */
#ifndef COMMENTD_WORKER_H
#define COMMENTD_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "validate.h"

struct event_base;
struct event;
struct evhttp;
struct evhttp_bound_socket;
struct db_pool;
struct hashpool;
struct hashpool_inbox;
struct sse_hub;
struct cache;

#define SECRET_MAX	64

/* What every worker reads and nobody writes once serving starts. */
struct shared {
	const struct config	*cfg;
	struct text_limits	 limits;
	unsigned char		 token_secret[SECRET_MAX];
	size_t			 token_secret_len;
	struct hashpool		*hashpool;	/* thread-safe by design */
	size_t			 cache_bytes;	/* each worker's share */
	char			 public_cache_control[96]; /* of reads */
};

struct worker {
	int				 index;
	const struct shared		*shared;
	const struct config		*cfg;
	struct event_base		*base;
	struct evhttp			*http;
	struct evhttp_bound_socket	*bound;
	struct db_pool			*db;
	struct hashpool_inbox		*hash;		/* argon2id results */
	struct sse_hub			*sse;		/* live event streams */
	struct cache			*cache;		/* rendered answers */
	struct event			*stop_ev;	/* stop_pipe readable */
	struct event			*drain_timer;
	struct event			*finish_ev;
	struct event			*log_timer;	/* flushes request lines */
	struct event			*announce_timer;
	char				*announce;	/* "{id,id,...}" so far */
	size_t				 announce_len;
	int				 stop_pipe[2];
	int				 inflight;	/* requests not answered */
	bool				 draining;
	pthread_t			 thread;
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

/*
 * Queues the announcement (NOTIFY) of a new pending comment; a worker
 * sends its queue in one statement every few milliseconds, so a burst
 * of submissions costs the database one small transaction, not one each.
 */
void		 worker_announce_new(struct worker *w, const char *comment_id);

/* Called by req.c as requests start and end. */
void		 worker_request_started(struct worker *w);
void		 worker_request_done(struct worker *w);

#endif
