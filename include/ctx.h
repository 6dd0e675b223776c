/*
 * ctx.h - what a request handler may use: its worker's context.
 *
 * Each worker builds one before it serves and frees its parts after its
 * loop ends; a handler reaches it as r->ctx and nothing else of the
 * worker.  The process-wide members are read-only while serving (or
 * thread-safe by design); the rest belong to the worker's thread and are
 * used on it only.  A new facility a handler needs (a rate limiter, a
 * model, metrics) gets a member here.
 */
#ifndef COMMENTD_CTX_H
#define COMMENTD_CTX_H

#include <stddef.h>

struct announcer;
struct cache;
struct config;
struct db_pool;
struct event_base;
struct hashpool_inbox;
struct ratelimit;
struct sse_hub;
struct text_limits;
struct words;

struct ctx {
	/* The process's, read-only while serving. */
	const struct config		*cfg;
	const struct text_limits	*limits;	/* of submissions */
	const unsigned char		*token_secret;	/* HMAC key */
	size_t				 token_secret_len;
	const char			*public_cache_control; /* reads */
	/* Thread-safe by design; NULL: that limit is off. */
	struct ratelimit		*submit_rl;	/* reader, e-mail */
	struct ratelimit		*report_rl;	/* reader */

	/* The worker's own. */
	struct event_base		*base;		/* its loop (timers) */
	struct db_pool			*db;		/* queries */
	struct cache			*cache;		/* rendered reads */
	struct sse_hub			*sse;		/* live streams */
	struct hashpool_inbox		*hash;		/* argon2id jobs */
	struct announcer		*announcer;	/* new comments */
	struct words			*words;		/* the word lists */
};

#endif
