/*
 * req.h - one HTTP request from arrival to reply.
 *
 * The dispatcher (req_dispatch, evhttp's generic callback) creates a
 * struct req, routes it, checks and parses a JSON body where the route
 * wants one, and calls the handler.  The handler answers with exactly
 * one req_reply_*() call, now or from a database callback; that call
 * sends the reply, logs the request line and frees the req.
 *
 * Replies never use evhttp_send_error(): it answers HTML and dereferences
 * the connection of a request whose client has gone.
 */
#ifndef COMMENTD_REQ_H
#define COMMENTD_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "cs.h"
#include "netaddr.h"
#include "router.h"

struct cache_entry;
struct ctx;
struct db_result;
struct evhttp_request;
struct evkeyvalq;
struct moderator;
struct ratelimit;

/*
 * Who serves the requests: a worker registers one as the argument of
 * evhttp's generic callback.  Handlers see only its ctx.  started runs
 * as each request arrives (false: the server is stopping: the request is
 * served all the same, with Connection: close, so that the client's
 * next request goes to the process that took over) and done once its
 * reply is written (or its connection gone), so the owner knows what is
 * in flight.
 */
struct req_host {
	struct ctx	*ctx;
	bool		(*started)(void *arg);
	void		(*done)(void *arg);
	void		*arg;
};

struct req {
	struct evhttp_request	*ev;
	struct ctx		*ctx;		/* what handlers may use */
	const struct req_host	*host;
	const struct route	*route;
	struct route_params	 params;
	struct evkeyvalq	*query;		/* decoded query string */
	json_t			*body;		/* ROUTE_JSON_BODY routes */
	unsigned		 method;	/* ROUTE_* bit */
	char			*path;		/* raw path, for the log */
	/* The reply's Content-Security-Policy: the API's (REQ_CSP_API)
	 * unless the handler says otherwise; NULL sends none. */
	const char		*csp;
	struct timespec		 started;
	struct moderator	*mod;		/* ROUTE_AUTH: who is calling */
	void			*data;		/* the handler's state */
	void			(*data_free)(void *);
	void			(*on_close)(struct req *); /* streams */
	bool			 streaming;	/* req_stream_start() called */
};

/*
 * Every answer (errors, 304s and streams too) carries
 * X-Content-Type-Options: nosniff and r->csp; this one by default: the
 * API's JSON and the comments fragment load nothing and are framed by
 * nobody.  Web files set their own (assets.c).
 */
#define REQ_CSP_API	"default-src 'none'; frame-ancestors 'none'"

/* evhttp generic callback; arg is the struct req_host. */
void		 req_dispatch(struct evhttp_request *ev, void *arg);
/* After authentication: the body checks, then the route's handler. */
void		 req_continue(struct req *r);

/* Input */
const char	*req_header(const struct req *r, const char *name);
/* The first value of a query parameter, or NULL. */
const char	*req_query(const struct req *r, const char *name);
/* Every value of a repeated query parameter, in order; returns count
 * (at most max) or -1 if there are more than max. */
int		 req_query_all(const struct req *r, const char *name,
		    const char **values, int max);
/* The client's address as text (X-Forwarded-For when trusted), or NULL. */
const char	*req_client_ip(const struct req *r, char *buf, size_t size);
/* The last address of an X-Forwarded-For value, checked, into buf; or
 * NULL.  Exported for its fuzz target. */
const char	*req_forwarded_ip(const char *xff, char *buf, size_t size);
/* True if an If-None-Match value names etag (or is "*"). */
bool		 req_etag_matches(const char *if_none_match,
		    const char *etag);
/* The reader the client's address stands for (netaddr.h: the address,
 * or its IPv6 /64), or "" when the address is unknown. */
void		 req_reader_key(const struct req *r,
		    char key[NETADDR_KEY_MAX]);
/*
 * Takes a token from rl (NULL: no limit) for key, folded to lower case,
 * or for the client's reader (req_reader_key) when key is NULL.  True
 * if taken; false after replying 429 rate_limited with Retry-After.
 */
bool		 req_rate_take(struct req *r, struct ratelimit *rl,
		    const char *key);

/* Output: headers before the reply. */
void		 req_add_header(struct req *r, const char *name,
		    const char *value);

/* Replies (each frees r). */
void		 req_reply_json_new(struct req *r, int status, json_t *body);
void		 req_reply_empty(struct req *r, int status);
/*
 * A public answer from the read cache (or just built for it): its status,
 * ETag and bytes, sent by reference; 304 without a body when
 * If-None-Match names its ETag.  cache_control is sent as is.
 */
void		 req_reply_entry(struct req *r, struct cache_entry *e,
		    const char *cache_control);
/* 200 with static bytes (they must outlive the process's requests),
 * sent by reference; 304 when If-None-Match names etag. */
void		 req_reply_bytes(struct req *r, const char *type,
		    const char *etag, const void *data, size_t len);
void		 req_reply_error(struct req *r, int status, const char *code,
		    const char *fmt, ...) CS_PRINTF(4, 5);
/* As req_reply_error with a "fields" object (stolen). */
void		 req_reply_fields_new(struct req *r, int status,
		    const char *code, json_t *fields, const char *fmt, ...)
		    CS_PRINTF(5, 6);
void		 req_reply_unavailable(struct req *r, int retry_after);
/* 429 rate_limited, Retry-After and error.retry_after: retry_after s. */
void		 req_reply_rate_limited(struct req *r, int retry_after);
/* A failed query: 503 when the database is away or slow, else 500 with
 * the details logged, not sent. */
void		 req_reply_db_failure(struct req *r,
		    const struct db_result *res);
/* An admin list: 200 {name: [row(res, i, arg), ...]}, Cache-Control
 * no-store; the failure reply when res failed. */
void		 req_reply_rows(struct req *r, const struct db_result *res,
		    const char *name,
		    json_t *(*row)(const struct db_result *, int, const void *),
		    const void *arg);
/* A query that must find rows: false after replying with the failure,
 * or 404 "no such <what>" when it found none. */
bool		 req_found(struct req *r, const struct db_result *res,
		    const char *what);
/* As req_reply_error with more members of the error object (stolen),
 * e.g. {"current": {...}} for a 409. */
void		 req_reply_error_extra_new(struct req *r, int status,
		    const char *code, json_t *extra, const char *fmt, ...)
		    CS_PRINTF(5, 6);

/*
 * Streams (Server-Sent Events): start a chunked 200 with the headers
 * added so far, send chunks, end.  on_close (set before starting) runs
 * if the client goes away first; the stream must then be ended (which
 * frees r) from on_close or later.  req_stream_send returns -1 once the
 * client is gone.
 */
void		 req_stream_start(struct req *r);
int		 req_stream_send(struct req *r, const char *data, size_t len);
void		 req_stream_end(struct req *r);

#endif
