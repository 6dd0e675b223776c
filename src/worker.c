/*
 * worker.c - one worker thread (see worker.h).
 *
 * Stopping: the main thread writes a byte to the worker's pipe; the
 * worker closes its listening socket, serves requests that still arrive
 * on open connections with Connection: close, waits for in-flight
 * requests (at most shutdown_timeout_ms) and, DRAIN_GRACE_MS at most,
 * for clients to close their connections, and ends its loop.  Freeing
 * happens after the loop, in the order that leaves nothing behind: the
 * streams and the pool first (its callbacks answer any request still
 * waiting), then the HTTP server.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include <jansson.h>

#include "announce.h"
#include "cache.h"
#include "config.h"
#include "conn.h"
#include "ctx.h"
#include "db.h"
#include "gen.h"
#include "hashpool.h"
#include "log.h"
#include "req.h"
#include "sse.h"
#include "worker.h"
#include "words.h"
#include "xmalloc.h"

/* Bodies above this never reach our handler: libevent refuses them by
 * Content-Length before reading, and a chunked one as soon as its
 * chunks say so.  Below it, req.c answers a JSON 413 for anything over
 * max_request_bytes.  So a connection buffers at most this many body
 * limits (it was 16: 1 MiB each by default). */
#define HARD_BODY_FACTOR	4
/* Out of descriptors, a worker stops accepting this long. */
#define ACCEPT_PAUSE_MS		200
/* How often, at most, such pauses are logged. */
#define ACCEPT_LOG_EVERY_S	10
/*
 * After a stop, how long open connections are kept for the requests a
 * client (nginx's kept-alive connections) may send on them: each is
 * served with Connection: close, so the client closes it and its next
 * request goes to the process that took over (an overlapped restart).
 * Closing an idle connection instead races with a request on its way,
 * which nginx does not retry if it is a POST.  Checked every
 * DRAIN_TICK_MS; the loop ends as soon as no connection is left.
 */
#define DRAIN_GRACE_MS		1000
#define DRAIN_TICK_MS		20
/* Request lines are written in batches this often. */
#define LOG_FLUSH_EVERY_MS	200

struct worker {
	int				 index;
	struct ctx			 ctx;		/* handlers' view */
	struct req_host			 host;		/* evhttp's argument */
	struct event_base		*base;
	struct evhttp			*http;
	struct evhttp_bound_socket	*bound;
	struct event			*stop_ev;	/* stop_pipe readable */
	struct event			*drain_timer;
	struct event			*drain_tick;	/* the grace */
	struct timespec			 stopped_at;
	struct event			*finish_ev;
	struct event			*log_timer;	/* writes the log */
	struct conns			*conns;
	struct event			*accept_timer;	/* ends a pause */
	int				 spare_fd;	/* for EMFILE */
	unsigned			 pauses;	/* not logged yet */
	time_t				 pause_logged;
	int				 stop_pipe[2];
	int				 inflight;	/* not answered */
	bool				 draining;
	pthread_t			 thread;
};

static void	*worker_main(void *);
static void	 worker_stop_cb(evutil_socket_t, short, void *);
static void	 worker_drain_timeout_cb(evutil_socket_t, short, void *);
static void	 worker_drain_tick_cb(evutil_socket_t, short, void *);
static void	 worker_finish_cb(evutil_socket_t, short, void *);
static void	 worker_log_cb(evutil_socket_t, short, void *);
static void	 worker_accept_error_cb(struct evconnlistener *, void *);
static void	 worker_accept_resume_cb(evutil_socket_t, short, void *);
static void	 worker_notify_cb(const char *, void *);
static void	 worker_listen_state_cb(bool, void *);
static bool	 worker_request_started(void *);
static void	 worker_request_done(void *);

/* The worker of this thread: a listener's error callback gets evhttp as
 * its argument. */
static _Thread_local struct worker	*worker_self;

struct worker *
worker_new(int index, const struct shared *shared, int listen_fd)
{
	const struct config	*cfg = shared->cfg;
	struct worker		*w;
	struct event_config	*ecfg;
	struct db_pool_config	 dbc;
	struct evconnlistener	*lev;
	struct timeval		 log_every = { 0, LOG_FLUSH_EVERY_MS * 1000 };
	char			 appname[32];

	w = xcalloc(1, sizeof *w);
	w->index = index;

	/* A worker's base is only ever touched by its own thread. */
	if ((ecfg = event_config_new()) == NULL)
		fatalx("event_config_new failed");
	event_config_set_flag(ecfg, EVENT_BASE_FLAG_NOLOCK);
	/* Batch epoll_ctl changes per loop pass: without it libevent makes
	 * four epoll_ctl calls for each request (bufferevents enable and
	 * disable reading and writing). */
	event_config_set_flag(ecfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	w->base = event_base_new_with_config(ecfg);
	event_config_free(ecfg);
	if (w->base == NULL)
		fatalx("event_base_new failed");

	if ((w->http = evhttp_new(w->base)) == NULL)
		fatalx("evhttp_new failed");
	evhttp_set_max_body_size(w->http,
	    (ev_ssize_t)cfg->max_request_bytes * HARD_BODY_FACTOR);
	evhttp_set_max_headers_size(w->http, 16384);
	evhttp_set_timeout(w->http, cfg->http_timeout_s);
	evhttp_set_default_content_type(w->http,
	    "application/json; charset=utf-8");
	evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_PATCH | EVHTTP_REQ_OPTIONS);
	w->host.ctx = &w->ctx;
	w->host.started = worker_request_started;
	w->host.done = worker_request_done;
	w->host.arg = w;
	w->conns = conns_new(w->base, cfg, shared->connlimit, &w->host);
	evhttp_set_gencb(w->http, conns_dispatch, w->conns);
	evhttp_set_bevcb(w->http, conns_bevcb, w->conns);
	/* Our own listener, for its error callback: without one, libevent
	 * logs a failed accept and tries again at once, for ever. */
	lev = evconnlistener_new(w->base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, listen_fd);
	if (lev == NULL)
		fatalx("evconnlistener_new failed");
	evconnlistener_set_error_cb(lev, worker_accept_error_cb);
	if ((w->bound = evhttp_bind_listener(w->http, lev)) == NULL)
		fatalx("evhttp_bind_listener failed");
	w->accept_timer = evtimer_new(w->base, worker_accept_resume_cb, w);
	if (w->accept_timer == NULL)
		fatalx("event_new failed");
	/* The descriptor given up to refuse one client when there are no
	 * more (see worker_accept_error_cb). */
	w->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	snprintf(appname, sizeof appname, "commentd w%d", index);
	memset(&dbc, 0, sizeof dbc);
	dbc.conninfo = cfg->database_url;
	dbc.size = cfg->db_pool_size;
	dbc.queue_max = cfg->db_queue_max;
	dbc.queue_timeout_ms = cfg->db_queue_timeout_ms;
	dbc.connect_timeout_ms = cfg->db_connect_timeout_ms;
	dbc.statement_timeout_ms = cfg->db_statement_timeout_ms;
	dbc.retry_min_ms = cfg->db_retry_min_ms;
	dbc.retry_max_ms = cfg->db_retry_max_ms;
	dbc.application_name = appname;
	w->ctx.cfg = cfg;
	w->ctx.limits = &shared->limits;
	w->ctx.token_secret = shared->token_secret;
	w->ctx.token_secret_len = shared->token_secret_len;
	w->ctx.public_cache_control = shared->public_cache_control;
	w->ctx.submit_rl = shared->submit_rl;
	w->ctx.report_rl = shared->report_rl;
	w->ctx.base = w->base;
	w->ctx.db = db_pool_new(w->base, &dbc);
	w->ctx.sse = sse_hub_new(w->base, w->ctx.db, cfg->sse_max_clients,
	    cfg->sse_keepalive_s, cfg->sse_max_per_moderator);
	w->ctx.cache = cache_new(shared->cache_bytes);
	w->ctx.hash = hashpool_inbox_new(shared->hashpool, w->base);
	w->ctx.announcer = announcer_new(w->base, w->ctx.db);
	w->ctx.words = words_new(w->ctx.db);
	/* Each worker listens itself: its streams (and caches) hear every
	 * change made by any process on the database. */
	db_pool_listen(w->ctx.db, worker_notify_cb, worker_listen_state_cb,
	    w);

	if (pipe2(w->stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		fatal("pipe2");
	w->stop_ev = event_new(w->base, w->stop_pipe[0], EV_READ,
	    worker_stop_cb, w);
	w->drain_timer = evtimer_new(w->base, worker_drain_timeout_cb, w);
	w->drain_tick = event_new(w->base, -1, EV_PERSIST,
	    worker_drain_tick_cb, w);
	w->finish_ev = event_new(w->base, -1, 0, worker_finish_cb, w);
	if (w->stop_ev == NULL || w->drain_timer == NULL ||
	    w->drain_tick == NULL || w->finish_ev == NULL)
		fatalx("event_new failed");
	event_add(w->stop_ev, NULL);
	w->log_timer = event_new(w->base, -1, EV_PERSIST, worker_log_cb, w);
	if (w->log_timer == NULL)
		fatalx("event_new failed");
	event_add(w->log_timer, &log_every);
	return w;
}

int
worker_start(struct worker *w)
{
	int	rc;

	if ((rc = pthread_create(&w->thread, NULL, worker_main, w)) != 0) {
		errno = rc;
		log_error("pthread_create: %s", strerror(rc));
		return -1;
	}
	return 0;
}

static void *
worker_main(void *arg)
{
	struct worker	*w = arg;
	char		 name[16];

	snprintf(name, sizeof name, "w%d", w->index);
	log_set_thread_name(name);
	worker_self = w;
	event_base_dispatch(w->base);

	/* The pool before what its callbacks use: freeing it answers the
	 * requests still waiting (past the shutdown timeout), and a read's
	 * answer ends its load in the cache. */
	sse_hub_free(w->ctx.sse);
	db_pool_free(w->ctx.db);
	words_free(w->ctx.words);
	cache_free(w->ctx.cache);
	hashpool_inbox_free(w->ctx.hash);
	announcer_free(w->ctx.announcer);
	memset(&w->ctx, 0, sizeof w->ctx);
	evhttp_free(w->http);
	w->http = NULL;
	conns_free(w->conns);
	w->conns = NULL;
	event_free(w->accept_timer);
	if (w->spare_fd >= 0)
		close(w->spare_fd);
	event_free(w->stop_ev);
	event_free(w->drain_timer);
	event_free(w->drain_tick);
	event_free(w->finish_ev);
	event_free(w->log_timer);
	event_base_free(w->base);
	w->base = NULL;
	log_thread_done();
	return NULL;
}

void
worker_stop(struct worker *w)
{
	char	c = 's';

	/* A full pipe already holds a stop request. */
	if (write(w->stop_pipe[1], &c, 1) < 0 && errno != EAGAIN)
		log_warn("worker %d: stop: %s", w->index, strerror(errno));
}

static void
worker_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker	*w = arg;
	struct timeval	 tv, tick = { 0, DRAIN_TICK_MS * 1000 };

	(void)fd;
	(void)what;
	if (w->draining)
		return;
	w->draining = true;
	clock_gettime(CLOCK_MONOTONIC, &w->stopped_at);
	evtimer_del(w->accept_timer);
	if (w->bound != NULL) {
		evhttp_del_accept_socket(w->http, w->bound);
		w->bound = NULL;
	}
	/* Event streams never end by themselves; queued announcements go
	 * out while the pool still runs. */
	sse_hub_end_all(w->ctx.sse);
	announcer_flush(w->ctx.announcer);
	if (w->inflight == 0 && conns_open(w->conns) == 0) {
		event_active(w->finish_ev, 0, 0);
		return;
	}
	if (w->inflight > 0)
		log_info("draining %d request(s)", w->inflight);
	event_add(w->drain_tick, &tick);
	tv.tv_sec = w->ctx.cfg->shutdown_timeout_ms / 1000;
	tv.tv_usec = (w->ctx.cfg->shutdown_timeout_ms % 1000) * 1000;
	evtimer_add(w->drain_timer, &tv);
}

/* The loop ends once no request is in flight and no connection is open,
 * or no request is in flight and the grace is over. */
static void
worker_drain_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker	*w = arg;
	struct timespec	 now;
	long		 ms;

	(void)fd;
	(void)what;
	if (w->inflight > 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - w->stopped_at.tv_sec) * 1000 +
	    (now.tv_nsec - w->stopped_at.tv_nsec) / 1000000;
	if (ms >= DRAIN_GRACE_MS || conns_open(w->conns) == 0) {
		event_del(w->drain_tick);
		event_active(w->finish_ev, 0, 0);
	}
}

static void
worker_drain_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker	*w = arg;

	(void)fd;
	(void)what;
	if (w->inflight > 0)
		log_warn("shutdown timeout: %d request(s) still in flight",
		    w->inflight);
	event_base_loopbreak(w->base);
}

/*
 * accept() failed for a reason other than a client that gave up: most
 * likely no descriptor is left (EMFILE, ENFILE).  The listening socket
 * stays readable, so trying again at once would spin: stop accepting
 * for ACCEPT_PAUSE_MS instead.  The oldest waiting client is accepted
 * on the spare descriptor and closed, so that clients see a close
 * rather than a hang; and the log gets a line now and then, not one
 * per failure.
 */
static void
worker_accept_error_cb(struct evconnlistener *lev, void *arg)
{
	struct worker	*w = worker_self;
	struct timeval	 tv = { 0, ACCEPT_PAUSE_MS * 1000 };
	time_t		 now = time(NULL);
	int		 err = EVUTIL_SOCKET_ERROR(), fd;

	(void)arg;
	evconnlistener_disable(lev);
	if (w == NULL)
		return;
	if (w->spare_fd >= 0) {
		close(w->spare_fd);
		if ((fd = accept4(evconnlistener_get_fd(lev), NULL, NULL,
		    SOCK_CLOEXEC)) >= 0)
			close(fd);
	}
	/* Another thread may have taken it meanwhile: then next time. */
	w->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	evtimer_add(w->accept_timer, &tv);
	w->pauses++;
	if (now - w->pause_logged >= ACCEPT_LOG_EVERY_S) {
		log_warn("accept: %s: not accepting for %d ms (%u pause(s) "
		    "since the last such line)", strerror(err),
		    ACCEPT_PAUSE_MS, w->pauses);
		w->pauses = 0;
		w->pause_logged = now;
	}
}

static void
worker_accept_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker	*w = arg;

	(void)fd;
	(void)what;
	if (!w->draining && w->bound != NULL)
		evconnlistener_enable(evhttp_bound_socket_get_listener(
		    w->bound));
}

static void
worker_log_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker	*w = arg;

	(void)fd;
	(void)what;
	conns_report(w->conns);
	log_flush();
}

static void
worker_finish_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker	*w = arg;

	(void)fd;
	(void)what;
	event_base_loopbreak(w->base);
}

/*
 * A change announced by any process: what public answers about the
 * article no longer hold (a new pending comment changes none, unless
 * the article itself is new, which comes as an "article" change), what
 * moderators' streams must hear, changes to the word lists, and to a
 * moderator's credentials.
 */
static void
worker_notify_cb(const char *payload, void *arg)
{
	struct worker	*w = arg;
	json_t		*j;
	const char	*kind, *status, *article;
	json_int_t	 id;

	if ((j = json_loads(payload, 0, NULL)) == NULL) {
		log_warn("ignoring a malformed change notification");
		return;
	}
	kind = json_string_value(json_object_get(j, "kind"));
	status = json_string_value(json_object_get(j, "status"));
	article = json_string_value(json_object_get(j, "article"));
	id = json_integer_value(json_object_get(j, "id"));
	if (kind != NULL && article != NULL && (strcmp(kind, "new") != 0 ||
	    (status != NULL && strcmp(status, "approved") == 0)))
		gen_bump_article(article, strlen(article));
	if (kind != NULL && strcmp(kind, "words") == 0)
		words_reload(w->ctx.words);
	/* A moderator's credentials changed (migration 0008). */
	if (kind != NULL && strcmp(kind, "auth") == 0)
		sse_hub_recheck_moderator(w->ctx.sse, (int64_t)
		    json_integer_value(json_object_get(j, "moderator_id")));
	if (kind != NULL && strcmp(kind, "article") != 0 && id > 0)
		sse_hub_notify(w->ctx.sse, (int64_t)id, payload);
	json_decref(j);
}

static void
worker_listen_state_cb(bool listening, void *arg)
{
	struct worker	*w = arg;

	/* Changes go unheard without the listening connection: serve
	 * nothing from the cache until it is back, then start afresh. */
	cache_set_enabled(w->ctx.cache, listening);
	if (listening) {
		log_info("listening for changes");
		sse_hub_resync(w->ctx.sse);
		/* Changes to the word lists may have gone unheard. */
		words_reload(w->ctx.words);
	} else
		log_warn("not listening for changes until the database "
		    "is back: the read cache is off");
}

/* Requests are counted so that a stop can wait for them; one that
 * arrives while stopping is refused. */
static bool
worker_request_started(void *arg)
{
	struct worker	*w = arg;

	w->inflight++;
	return !w->draining;
}

static void
worker_request_done(void *arg)
{
	struct worker	*w = arg;

	/* Stopping, the next tick ends the loop (worker_drain_tick_cb). */
	w->inflight--;
}

void
worker_join_free(struct worker *w)
{
	if (w == NULL)
		return;
	pthread_join(w->thread, NULL);
	close(w->stop_pipe[0]);
	close(w->stop_pipe[1]);
	free(w);
}
