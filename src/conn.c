/*
 * conn.c - a worker's HTTP connections: caps and deadlines (see conn.h).
 *
 * Lifetime.  conns_bevcb makes a connection's bufferevent and takes a
 * reference on it, so that it stays readable after evhttp frees it; the
 * connection is "gone" when evhttp calls our close callback, or when the
 * bufferevent has lost evhttp's callbacks (bufferevent_free clears
 * them: evhttp freed it while req.c's close callback was on it).  Gone
 * releases the caps exactly once and drops our reference; the struct
 * itself lives until its last request is done.
 *
 * A new connection is looked at in the same loop pass as its accept,
 * before any of its bytes are read (conns_todo_cb): its evhttp
 * connection is the bufferevent's callback argument, as evhttp has set
 * it since 2.0 (checked, and fatal if not).
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "config.h"
#include "conn.h"
#include "connlimit.h"
#include "log.h"
#include "netaddr.h"
#include "req.h"
#include "xmalloc.h"

/* How often, at most, refused connections are reported. */
#define REPORT_EVERY_S	10
/* What a refused or timed-out client may have sent that we read and
 * drop before closing, so that the close is a FIN after our answer,
 * not a reset that may discard it. */
#define DRAIN_MAX	65536

enum conn_phase {
	PHASE_HEAD,		/* a request's line and headers */
	PHASE_BODY,		/* after its empty line, until dispatch */
	PHASE_HANDLING,		/* with req.c, until done */
	PHASE_IDLE		/* between requests */
};

struct conn {
	struct conns		*cs;
	struct bufferevent	*bev;		/* our reference; NULL: gone */
	struct evhttp_connection *evcon;	/* NULL: not looked at yet */
	struct evbuffer_cb_entry *incb;		/* on the input */
	struct event		*deadline;
	struct connlimit_slot	*slot;
	struct req_host		 host;		/* its requests' */
	TAILQ_ENTRY(conn)	 all;
	TAILQ_ENTRY(conn)	 todo;
	enum conn_phase		 phase;
	int			 fd;
	int			 inflight;	/* requests with req.c */
	int			 nl;		/* head scan state */
	bool			 counted;	/* holds a place in the caps */
	bool			 gone;
	bool			 queued;	/* on todo */
};

TAILQ_HEAD(conn_list, conn);

struct conns {
	struct event_base	*base;
	const struct config	*cfg;
	struct connlimit	*limit;
	const struct req_host	*host;		/* the worker's */
	struct event		*todo_ev;
	struct conn_list	 all;
	struct conn_list	 todo;
	struct conn		**byfd;		/* live connections by fd */
	size_t			 nbyfd;
	unsigned long		 refused;	/* since the last report */
	time_t			 reported;
};

static void	conns_todo_cb(evutil_socket_t, short, void *);
static void	conn_queue(struct conn *);
static void	conn_accepted(struct conn *);
static bool	conn_bev_gone(const struct conn *);
static void	conn_gone(struct conn *);
static void	conn_free(struct conn *);
static void	conn_closed_cb(struct evhttp_connection *, void *);
static bool	conn_started(void *);
static void	conn_done(void *);
static void	conn_head_start(struct conn *);
static void	conn_arm(struct conn *, int);
static void	conn_input_cb(struct evbuffer *,
		    const struct evbuffer_cb_info *, void *);
static void	conn_scan(struct conn *, size_t);
static void	conn_deadline_cb(evutil_socket_t, short, void *);
static void	conn_refuse(struct conn *, int, const char *, const char *,
		    const char *);

struct conns *
conns_new(struct event_base *base, const struct config *cfg,
    struct connlimit *limit, const struct req_host *host)
{
	struct conns	*cs;

	cs = xcalloc(1, sizeof *cs);
	cs->base = base;
	cs->cfg = cfg;
	cs->limit = limit;
	cs->host = host;
	TAILQ_INIT(&cs->all);
	TAILQ_INIT(&cs->todo);
	if ((cs->todo_ev = event_new(base, -1, 0, conns_todo_cb, cs)) ==
	    NULL)
		fatalx("event_new failed");
	return cs;
}

void
conns_free(struct conns *cs)
{
	struct conn	*c;

	if (cs == NULL)
		return;
	/* evhttp_free() has freed every connection: what is left is gone
	 * (or was never looked at) and has no request any more. */
	while ((c = TAILQ_FIRST(&cs->all)) != NULL) {
		c->inflight = 0;
		if (!c->gone)
			conn_gone(c);
		else
			conn_free(c);
	}
	event_free(cs->todo_ev);
	free(cs->byfd);
	free(cs);
}

int
conns_open(const struct conns *cs)
{
	const struct conn	*c;
	int			 n = 0;

	TAILQ_FOREACH(c, &cs->all, all) {
		if (!c->gone && c->bev != NULL && !conn_bev_gone(c))
			n++;
	}
	return n;
}

/*
 * A connection's bufferevent.  libevent writes at most 16 KiB per
 * write(2) by default: a 34 KiB page took three system calls.  One
 * writev of the whole answer lets the kernel take what fits.
 */
struct bufferevent *
conns_bevcb(struct event_base *base, void *arg)
{
	struct conns		*cs = arg;
	struct bufferevent	*bev;
	struct conn		*c;

	bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		return NULL;
	bufferevent_set_max_single_write(bev, 1024 * 1024);
	bufferevent_incref(bev);
	c = xcalloc(1, sizeof *c);
	c->cs = cs;
	c->bev = bev;
	c->fd = -1;
	c->host.ctx = cs->host->ctx;
	c->host.started = conn_started;
	c->host.done = conn_done;
	c->host.arg = c;
	TAILQ_INSERT_TAIL(&cs->all, c, all);
	conn_queue(c);
	return bev;
}

void
conns_dispatch(struct evhttp_request *ev, void *arg)
{
	struct conns			*cs = arg;
	struct evhttp_connection	*evcon;
	struct bufferevent		*bev;
	struct conn			*c = NULL;
	int				 fd;

	if ((evcon = evhttp_request_get_connection(ev)) != NULL &&
	    (bev = evhttp_connection_get_bufferevent(evcon)) != NULL &&
	    (fd = bufferevent_getfd(bev)) >= 0 && (size_t)fd < cs->nbyfd &&
	    cs->byfd[fd] != NULL && cs->byfd[fd]->bev == bev)
		c = cs->byfd[fd];
	req_dispatch(ev, c != NULL ? &c->host : (void *)cs->host);
}

void
conns_report(struct conns *cs)
{
	time_t	now = time(NULL);

	if (cs->refused == 0 || now - cs->reported < REPORT_EVERY_S)
		return;
	log_warn("refused %lu connection(s) over COMMENTD_MAX_CONNECTIONS "
	    "(%d) or COMMENTD_MAX_CONNECTIONS_PER_IP (%d); open: %d",
	    cs->refused, cs->cfg->max_connections,
	    cs->cfg->max_connections_per_ip, connlimit_total(cs->limit));
	cs->refused = 0;
	cs->reported = now;
}

static void
conn_queue(struct conn *c)
{
	if (!c->queued) {
		TAILQ_INSERT_TAIL(&c->cs->todo, c, todo);
		c->queued = true;
	}
	event_active(c->cs->todo_ev, 0, 0);
}

/* New connections, and connections whose request just ended (evhttp may
 * have freed them under req.c's close callback). */
static void
conns_todo_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conns	*cs = arg;
	struct conn	*c;

	(void)fd;
	(void)what;
	while ((c = TAILQ_FIRST(&cs->todo)) != NULL) {
		TAILQ_REMOVE(&cs->todo, c, todo);
		c->queued = false;
		if (c->gone)
			continue;
		if (conn_bev_gone(c))
			conn_gone(c);
		else if (c->evcon == NULL)
			conn_accepted(c);
	}
}

static bool
conn_bev_gone(const struct conn *c)
{
	void	(*eventcb)(struct bufferevent *, short, void *) = NULL;

	bufferevent_getcb(c->bev, NULL, NULL, &eventcb, NULL);
	return eventcb == NULL;
}

static void
conn_accepted(struct conn *c)
{
	struct conns	*cs = c->cs;
	struct netaddr	 a;
	char		 key[NETADDR_KEY_MAX], *addr = NULL;
	void		*arg = NULL;
	ev_uint16_t	 port;
	bool		 per_ip;
	size_t		 n;

	bufferevent_getcb(c->bev, NULL, NULL, NULL, &arg);
	c->evcon = arg;
	if (c->evcon == NULL ||
	    evhttp_connection_get_bufferevent(c->evcon) != c->bev)
		fatalx("this libevent's evhttp does not keep its connection "
		    "as its bufferevent's argument");
	c->fd = bufferevent_getfd(c->bev);
	if ((c->deadline = evtimer_new(cs->base, conn_deadline_cb, c)) ==
	    NULL)
		fatalx("event_new failed");

	/* Behind a proxy every connection is the proxy's: its own limits
	 * (nginx's limit_conn) count clients. */
	per_ip = !cs->cfg->trust_proxy && cs->cfg->max_connections_per_ip > 0;
	key[0] = '\0';
	if (per_ip) {
		evhttp_connection_get_peer(c->evcon, &addr, &port);
		if (addr != NULL && netaddr_parse(addr, &a) &&
		    a.prefix == 128)
			netaddr_reader_key(&a, key);
	}
	if (!connlimit_acquire(cs->limit, key[0] != '\0' ? key : NULL,
	    &c->slot)) {
		cs->refused++;
		conn_refuse(c, 503, "Service Unavailable",
		    "too_many_connections", "too many open connections; "
		    "retry later");
		return;
	}
	c->counted = true;
	if ((size_t)c->fd >= cs->nbyfd) {
		n = cs->nbyfd > 0 ? cs->nbyfd : 64;
		while (n <= (size_t)c->fd)
			n *= 2;
		cs->byfd = xrealloc(cs->byfd, n * sizeof *cs->byfd);
		memset(cs->byfd + cs->nbyfd, 0,
		    (n - cs->nbyfd) * sizeof *cs->byfd);
		cs->nbyfd = n;
	}
	cs->byfd[c->fd] = c;
	evhttp_connection_set_closecb(c->evcon, conn_closed_cb, c);
	c->incb = evbuffer_add_cb(bufferevent_get_input(c->bev),
	    conn_input_cb, c);
	/* The first request's head is due from the accept. */
	conn_head_start(c);
	conn_scan(c, evbuffer_get_length(bufferevent_get_input(c->bev)));
}

/* Exactly once per connection: its places in the caps, our reference. */
static void
conn_gone(struct conn *c)
{
	struct conns	*cs = c->cs;

	if (c->gone)
		return;
	c->gone = true;
	if (c->counted)
		connlimit_release(cs->limit, c->slot);
	c->counted = false;
	if (c->fd >= 0 && (size_t)c->fd < cs->nbyfd && cs->byfd[c->fd] == c)
		cs->byfd[c->fd] = NULL;
	if (c->deadline != NULL)
		evtimer_del(c->deadline);
	if (c->incb != NULL)
		evbuffer_remove_cb_entry(bufferevent_get_input(c->bev),
		    c->incb);
	c->incb = NULL;
	bufferevent_decref(c->bev);
	c->bev = NULL;
	c->evcon = NULL;
	if (c->inflight == 0)
		conn_free(c);
}

static void
conn_free(struct conn *c)
{
	if (c->queued)
		TAILQ_REMOVE(&c->cs->todo, c, todo);
	TAILQ_REMOVE(&c->cs->all, c, all);
	if (c->deadline != NULL)
		event_free(c->deadline);
	free(c);
}

static void
conn_closed_cb(struct evhttp_connection *evcon, void *arg)
{
	(void)evcon;
	conn_gone(arg);
}

static bool
conn_started(void *arg)
{
	struct conn	*c = arg;

	c->inflight++;
	c->phase = PHASE_HANDLING;
	evtimer_del(c->deadline);
	return c->cs->host->started(c->cs->host->arg);
}

static void
conn_done(void *arg)
{
	struct conn		*c = arg;
	const struct req_host	*host = c->cs->host;

	host->done(host->arg);
	c->inflight--;
	if (c->gone) {
		if (c->inflight == 0)
			conn_free(c);
		return;
	}
	if (conn_bev_gone(c)) {
		conn_gone(c);
		return;
	}
	/* req.c's close callback is off (written) or running (lost): ours
	 * again, and a look later in this pass tells which. */
	evhttp_connection_set_closecb(c->evcon, conn_closed_cb, c);
	conn_queue(c);
	c->phase = PHASE_IDLE;
	c->nl = 0;
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0) {
		conn_head_start(c);
		conn_scan(c, evbuffer_get_length(
		    bufferevent_get_input(c->bev)));
	}
}

static void
conn_head_start(struct conn *c)
{
	c->phase = PHASE_HEAD;
	c->nl = 0;
	conn_arm(c, c->cs->cfg->header_timeout_s);
}

static void
conn_arm(struct conn *c, int seconds)
{
	struct timeval	tv = { seconds, 0 };

	if (seconds > 0)
		evtimer_add(c->deadline, &tv);
	else
		evtimer_del(c->deadline);
}

static void
conn_input_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct conn	*c = arg;

	(void)buf;
	if (info->n_added == 0 || c->gone)
		return;
	if (conn_bev_gone(c)) {
		conn_gone(c);
		return;
	}
	if (c->phase == PHASE_IDLE)
		conn_head_start(c);
	if (c->phase == PHASE_HEAD)
		conn_scan(c, info->n_added);
}

/*
 * Looks for the head's end, an empty line ("\n\n" or "\n\r\n", as
 * evhttp reads lines), in the last n bytes of the input.  The bytes
 * after it are the body's (or the next request's): not scanned.
 */
static void
conn_scan(struct conn *c, size_t n)
{
	struct evbuffer		*in = bufferevent_get_input(c->bev);
	struct evbuffer_ptr	 p;
	struct evbuffer_iovec	 v[8];
	size_t			 len = evbuffer_get_length(in), off, k, m;
	const unsigned char	*b;
	int			 nv, i;

	if (n > len)
		n = len;
	for (off = len - n; off < len && c->phase == PHASE_HEAD; ) {
		if (evbuffer_ptr_set(in, &p, off, EVBUFFER_PTR_SET) != 0 ||
		    (nv = evbuffer_peek(in, (ev_ssize_t)(len - off), &p, v,
		    8)) <= 0)
			return;
		for (i = 0; i < nv && i < 8 && off < len; i++) {
			b = v[i].iov_base;
			m = v[i].iov_len < len - off ? v[i].iov_len :
			    len - off;
			for (k = 0; k < m; k++) {
				if (b[k] == '\n' && c->nl > 0)
					break;
				c->nl = b[k] == '\n' ? 1 :
				    (b[k] == '\r' && c->nl == 1 ? 2 : 0);
			}
			if (k < m) {
				c->phase = PHASE_BODY;
				conn_arm(c, c->cs->cfg->body_timeout_s);
				return;
			}
			off += m;
		}
	}
}

static void
conn_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;
	const char	*part;

	(void)fd;
	(void)what;
	if (c->gone || (c->phase != PHASE_HEAD && c->phase != PHASE_BODY))
		return;
	/* evhttp may have freed it under req.c's close callback. */
	if (conn_bev_gone(c)) {
		conn_gone(c);
		return;
	}
	part = c->phase == PHASE_HEAD ? "head" : "body";
	log_info("408 a request's %s took over %d s: closing its "
	    "connection", part, c->phase == PHASE_HEAD ?
	    c->cs->cfg->header_timeout_s : c->cs->cfg->body_timeout_s);
	conn_refuse(c, 408, "Request Timeout", "request_timeout",
	    c->phase == PHASE_HEAD ? "the request's headers came too slowly" :
	    "the request's body came too slowly");
}

/*
 * Answers status with a JSON error, straight on the socket (no request
 * of evhttp's to answer with: it has not finished reading one), when
 * nothing else is waiting to go out, then closes the connection.
 */
static void
conn_refuse(struct conn *c, int status, const char *reason,
    const char *code, const char *message)
{
	struct evhttp_connection	*evcon = c->evcon;
	char				 body[256], msg[768], drop[4096];
	int				 blen, mlen;
	size_t				 dropped = 0;
	ssize_t				 got;

	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		blen = snprintf(body, sizeof body, "{\"error\":{\"code\":"
		    "\"%s\",\"message\":\"%s\"}}\n", code, message);
		mlen = snprintf(msg, sizeof msg, "HTTP/1.1 %d %s\r\n"
		    "Content-Type: application/json; charset=utf-8\r\n"
		    "Content-Length: %d\r\n%s"
		    "X-Content-Type-Options: nosniff\r\n"
		    "Content-Security-Policy: " REQ_CSP_API "\r\n"
		    "Connection: close\r\n\r\n%s", status, reason, blen,
		    status == 503 ? "Retry-After: 1\r\n" : "", body);
		if (mlen > 0 && (size_t)mlen < sizeof msg)
			(void)send(c->fd, msg, (size_t)mlen,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
	}
	while (dropped < DRAIN_MAX && (got = recv(c->fd, drop, sizeof drop,
	    MSG_DONTWAIT)) > 0)
		dropped += (size_t)got;
	/* Looked at again after the close: evhttp calls our close
	 * callback only once it has seen the connection as connected. */
	conn_queue(c);
	evhttp_connection_free(evcon);
}
