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
#include "router.h"

struct evhttp_request;
struct evkeyvalq;
struct worker;

struct req {
	struct evhttp_request	*ev;
	struct worker		*worker;
	const struct route	*route;
	struct route_params	 params;
	struct evkeyvalq	*query;		/* decoded query string */
	json_t			*body;		/* ROUTE_JSON_BODY routes */
	unsigned		 method;	/* ROUTE_* bit */
	char			*path;		/* raw path, for the log */
	struct timespec		 started;
	void			*data;		/* the handler's state */
	void			(*data_free)(void *);
};

/* evhttp generic callback; arg is the struct worker. */
void		 req_dispatch(struct evhttp_request *ev, void *arg);

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

/* Output: headers before the reply. */
void		 req_add_header(struct req *r, const char *name,
		    const char *value);

/* Replies (each frees r). */
void		 req_reply_json_new(struct req *r, int status, json_t *body);
void		 req_reply_bytes(struct req *r, int status,
		    const char *content_type, const void *data, size_t len);
void		 req_reply_empty(struct req *r, int status);
void		 req_reply_error(struct req *r, int status, const char *code,
		    const char *fmt, ...) CS_PRINTF(4, 5);
/* As req_reply_error with a "fields" object (stolen). */
void		 req_reply_fields_new(struct req *r, int status,
		    const char *code, json_t *fields, const char *fmt, ...)
		    CS_PRINTF(5, 6);
void		 req_reply_unavailable(struct req *r, int retry_after);

#endif
