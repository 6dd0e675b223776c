/*
 * conn.h - a worker's HTTP connections: the caps on open connections
 * (connlimit.h) and the deadlines of a request's head and body.
 *
 * libevent 2.1 gives no hook when evhttp accepts or frees a connection,
 * nor a request before its body has arrived.  So each connection's
 * bufferevent (evhttp_set_bevcb) is ours and referenced until evhttp is
 * done with it; its evhttp connection is found once accepted, in the
 * same loop pass; our close callback is on it whenever req.c's is not;
 * and every request reaches req_dispatch() with a req_host of its
 * connection, whose `done` tells us the request is over.
 *
 * Phases of a connection: the head (from accept, or from the first byte
 * of the next request) must end, at its empty line, within
 * header-timeout-s; the body within body-timeout-s of the head; past
 * either the client gets a 408 and the connection closes.  Between
 * requests only evhttp's idle timeout (http-timeout-s) applies.
 */
#ifndef COMMENTD_CONN_H
#define COMMENTD_CONN_H

struct bufferevent;
struct config;
struct connlimit;
struct conns;
struct event_base;
struct evhttp_request;
struct req_host;

/* host: the worker's (its started/done are called for every request);
 * limit: the process's caps, shared by all workers. */
struct conns	*conns_new(struct event_base *base, const struct config *cfg,
		    struct connlimit *limit, const struct req_host *host);
/* After evhttp_free(): every connection is gone by then. */
void		 conns_free(struct conns *cs);

/* For evhttp_set_bevcb (arg: the conns). */
struct bufferevent *conns_bevcb(struct event_base *base, void *arg);
/* For evhttp_set_gencb (arg: the conns): req_dispatch() with the
 * request's connection's host. */
void		 conns_dispatch(struct evhttp_request *ev, void *arg);
/* Connections still open (a stopping worker waits for them a moment:
 * worker.c). */
int		 conns_open(const struct conns *cs);
/* Writes a line about connections refused since the last one, if any
 * (called now and then, not per refusal). */
void		 conns_report(struct conns *cs);

#endif
