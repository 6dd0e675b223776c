/*
 * db.c - a pool of non-blocking libpq connections on one event loop.
 *
 * Each connection is a small state machine (enum dbc_state).  Exactly one
 * libevent event watches its socket for what it waits for now, and one
 * timer bounds the current step (connect, query) or counts down the
 * reconnect backoff.  Queries wait in a bounded FIFO for an idle
 * connection, each with its own deadline.
 *
 * Statements are prepared lazily: the first time a connection runs a
 * statement it sends PQsendPrepare, then PQsendQueryPrepared when that
 * completes.  From then on every run is one round trip.
 */
#include <sys/queue.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "db.h"
#include "log.h"
#include "xmalloc.h"

/*
 * The SQLSTATEs the pool acts on (PostgreSQL manual, appendix A), all
 * judged in db_classify().
 */
#define SQLSTATE_CLASS_CONNECTION	"08"	/* connection exception */
#define SQLSTATE_CLASS_SHUTDOWN		"57P"	/* admin or crash shutdown,
						   cannot connect now */
#define SQLSTATE_SERIALIZATION_FAILURE	"40001"
#define SQLSTATE_DEADLOCK_DETECTED	"40P01"
#define SQLSTATE_TOO_MANY_CONNECTIONS	"53300"
#define SQLSTATE_QUERY_CANCELED		"57014"	/* statement_timeout */

/*
 * Our own timer on a running statement fires this long after the
 * server's statement_timeout should have: only a stuck server or
 * network gets that far.
 */
#define DB_HARD_TIMEOUT_GRACE_MS	2000

enum dbc_state {
	DBC_DOWN,		/* no connection; retry timer may be armed */
	DBC_CONNECTING,		/* PQconnectPoll in progress */
	DBC_IDLE,		/* connected, no query; watching for EOF */
	DBC_PREPARING,		/* PQsendPrepare sent for q's statement */
	DBC_RUNNING,		/* q's statement sent; reading its result */
	DBC_SUBSCRIBING,	/* listener: LISTEN sent */
	DBC_LISTENING,		/* listener: waiting for notifications */
	DBC_CLOSED,		/* pool is being freed */
};

struct db_query {
	TAILQ_ENTRY(db_query)	 entry;
	struct db_pool		*pool;
	enum sql_id		 id;
	int			 nparams;
	char			**params;	/* one allocation, text too */
	db_cb			 cb;
	void			*arg;
	struct event		*deadline;	/* queue wait limit */
	enum db_status		 fail_status;	/* for deferred failures */
};
TAILQ_HEAD(db_query_list, db_query);

struct db_conn {
	struct db_pool		*pool;
	int			 index;
	enum dbc_state		 state;
	PGconn			*pg;
	struct event		*io;		/* socket event, re-assigned */
	struct event		*timer;
	short			 waiting;	/* EV_READ/EV_WRITE armed */
	bool			 flushing;	/* output not yet all sent */
	bool			 failed;	/* last attempt failed */
	bool			 fatal_notice;	/* the server said goodbye */
	int			 backoff_ms;
	struct db_query		*q;		/* the query it runs */
	PGresult		*last;		/* last result of the step */
	unsigned char		 prepared[SQL_COUNT];
};

struct db_pool {
	struct event_base	*base;
	struct db_pool_config	 cfg;
	char			*conninfo;
	char			*options;	/* "-c statement_timeout=..." */
	char			*appname;
	struct db_conn		*conns;
	struct db_query_list	 waiting;
	int			 nwaiting;
	struct db_query_list	 failed;	/* to call back next tick */
	struct event		*failed_ev;
	bool			 closing;
	struct db_conn		*listener;	/* NULL unless listening */
	db_notify_cb		 notify_cb;
	db_listen_state_cb	 listen_state_cb;
	void			*listen_arg;
	bool			 listen_up;	/* reported as listening */
};

struct db_result {
	enum db_status		 status;
	PGresult		*pg;		/* NULL: no result */
	const char		*error;
	int			 retry_after;
};

static void	dbc_set_state(struct db_conn *, enum dbc_state);
static void	dbc_connect(struct db_conn *);
static void	dbc_connect_poll(struct db_conn *);
static void	dbc_wait(struct db_conn *, short);
static void	dbc_io_cb(evutil_socket_t, short, void *);
static void	dbc_timer_cb(evutil_socket_t, short, void *);
static void	dbc_lost(struct db_conn *, enum db_status, const char *);
static void	dbc_schedule_retry(struct db_conn *, int);
static void	dbc_start(struct db_conn *, struct db_query *);
static void	dbc_send_step(struct db_conn *);
static void	dbc_flush(struct db_conn *);
static void	dbc_read(struct db_conn *);
static void	dbc_step_done(struct db_conn *);
static void	dbc_idle(struct db_conn *);
static void	dbc_arm_timer(struct db_conn *, int);
static void	dbc_init(struct db_pool *, struct db_conn *, int);
static void	dbc_notice_cb(void *, const PGresult *);
static void	dbc_close(struct db_conn *);
static void	dbl_subscribe(struct db_conn *);
static void	dbl_read(struct db_conn *);
static void	dbq_finish(struct db_query *, enum db_status, PGresult *,
		    const char *);
static void	dbq_free(struct db_query *);
static void	dbq_deadline_cb(evutil_socket_t, short, void *);
static void	db_failed_cb(evutil_socket_t, short, void *);
static void	db_fail_later(struct db_pool *, struct db_query *,
		    enum db_status);
static bool	db_all_down(const struct db_pool *);
static enum db_status db_classify(PGconn *, PGresult *, bool *);

static const char *const dbc_state_names[] = {
	[DBC_DOWN] = "down",
	[DBC_CONNECTING] = "connecting",
	[DBC_IDLE] = "idle",
	[DBC_PREPARING] = "preparing",
	[DBC_RUNNING] = "running",
	[DBC_SUBSCRIBING] = "subscribing",
	[DBC_LISTENING] = "listening",
	[DBC_CLOSED] = "closed",
};

const char *
db_status_name(enum db_status status)
{
	switch (status) {
	case DB_OK:
		return "ok";
	case DB_SQL_ERROR:
		return "sql error";
	case DB_UNAVAILABLE:
		return "unavailable";
	case DB_TIMEOUT:
		return "timeout";
	case DB_SHUTDOWN:
		return "shutdown";
	}
	return "?";
}

struct db_pool *
db_pool_new(struct event_base *base, const struct db_pool_config *cfg)
{
	struct db_pool	*pool;
	int		 i;

	pool = xcalloc(1, sizeof *pool);
	pool->base = base;
	pool->cfg = *cfg;
	pool->conninfo = xstrdup(cfg->conninfo);
	pool->cfg.conninfo = pool->conninfo;
	pool->appname = xstrdup(cfg->application_name != NULL ?
	    cfg->application_name : "commentd");
	pool->cfg.application_name = pool->appname;
	/* JIT compiles for tens of milliseconds to save microseconds on our
	 * short statements, whose cost estimates (LIMIT over large joins)
	 * trip its threshold. */
	xasprintf(&pool->options, "-c statement_timeout=%d -c jit=off",
	    cfg->statement_timeout_ms);
	TAILQ_INIT(&pool->waiting);
	TAILQ_INIT(&pool->failed);
	pool->failed_ev = event_new(base, -1, 0, db_failed_cb, pool);
	if (pool->failed_ev == NULL)
		fatalx("db: event_new failed");

	pool->conns = xcalloc((size_t)cfg->size, sizeof *pool->conns);
	for (i = 0; i < cfg->size; i++) {
		dbc_init(pool, &pool->conns[i], i);
		dbc_connect(&pool->conns[i]);
	}
	return pool;
}

static void
dbc_init(struct db_pool *pool, struct db_conn *c, int index)
{
	c->pool = pool;
	c->index = index;
	c->state = DBC_DOWN;
	c->backoff_ms = pool->cfg.retry_min_ms;
	c->io = event_new(pool->base, -1, 0, dbc_io_cb, c);
	c->timer = evtimer_new(pool->base, dbc_timer_cb, c);
	if (c->io == NULL || c->timer == NULL)
		fatalx("db: event_new failed");
}

/* Fails the running query (DB_SHUTDOWN) and closes the connection. */
static void
dbc_close(struct db_conn *c)
{
	struct db_query	*q;

	event_del(c->io);
	event_del(c->timer);
	if ((q = c->q) != NULL) {
		c->q = NULL;
		dbq_finish(q, DB_SHUTDOWN, NULL, "shutting down");
	}
	if (c->last != NULL)
		PQclear(c->last);
	c->last = NULL;
	if (c->pg != NULL)
		PQfinish(c->pg);
	c->pg = NULL;
	c->state = DBC_CLOSED;
	event_free(c->io);
	event_free(c->timer);
}

void
db_pool_listen(struct db_pool *pool, db_notify_cb notify_cb,
    db_listen_state_cb state_cb, void *arg)
{
	if (pool->listener != NULL)
		fatalx("db: already listening");
	pool->notify_cb = notify_cb;
	pool->listen_state_cb = state_cb;
	pool->listen_arg = arg;
	pool->listener = xcalloc(1, sizeof *pool->listener);
	dbc_init(pool, pool->listener, -1);
	dbc_connect(pool->listener);
}

void
db_pool_free(struct db_pool *pool)
{
	struct db_query	*q;
	int		 i;

	if (pool == NULL)
		return;
	pool->closing = true;
	for (i = 0; i < pool->cfg.size; i++)
		dbc_close(&pool->conns[i]);
	if (pool->listener != NULL) {
		dbc_close(pool->listener);
		free(pool->listener);
	}
	while ((q = TAILQ_FIRST(&pool->waiting)) != NULL) {
		TAILQ_REMOVE(&pool->waiting, q, entry);
		pool->nwaiting--;
		dbq_finish(q, DB_SHUTDOWN, NULL, "shutting down");
	}
	while ((q = TAILQ_FIRST(&pool->failed)) != NULL) {
		TAILQ_REMOVE(&pool->failed, q, entry);
		dbq_finish(q, DB_SHUTDOWN, NULL, "shutting down");
	}
	event_free(pool->failed_ev);
	free(pool->conns);
	free(pool->conninfo);
	free(pool->options);
	free(pool->appname);
	free(pool);
}

/* -- queries --------------------------------------------------------- */

void
db_query(struct db_pool *pool, enum sql_id id, const char *const *params,
    int nparams, db_cb cb, void *arg)
{
	struct db_query	*q;
	struct timeval	 tv;
	size_t		 size, off;
	int		 i;

	if (id >= SQL_COUNT || nparams != sql_stmt(id)->nparams)
		fatalx("db_query: statement %d takes %d parameters, got %d",
		    (int)id, id < SQL_COUNT ? sql_stmt(id)->nparams : -1,
		    nparams);

	/* The parameter array and the copied text share one allocation. */
	size = (size_t)nparams * sizeof(char *);
	for (i = 0; i < nparams; i++) {
		if (params[i] != NULL)
			size += strlen(params[i]) + 1;
	}
	q = xcalloc(1, sizeof *q);
	q->pool = pool;
	q->id = id;
	q->nparams = nparams;
	q->cb = cb;
	q->arg = arg;
	q->params = xmalloc(size);
	off = (size_t)nparams * sizeof(char *);
	for (i = 0; i < nparams; i++) {
		if (params[i] == NULL) {
			q->params[i] = NULL;
			continue;
		}
		q->params[i] = (char *)q->params + off;
		memcpy(q->params[i], params[i], strlen(params[i]) + 1);
		off += strlen(params[i]) + 1;
	}

	if (pool->closing) {
		db_fail_later(pool, q, DB_SHUTDOWN);
		return;
	}
	for (i = 0; i < pool->cfg.size; i++) {
		if (pool->conns[i].state == DBC_IDLE &&
		    TAILQ_EMPTY(&pool->waiting)) {
			dbc_start(&pool->conns[i], q);
			return;
		}
	}
	/*
	 * Fail fast rather than queue when nothing can serve the query
	 * soon: a full queue, or every connection known to be down.
	 */
	if (pool->nwaiting >= pool->cfg.queue_max || db_all_down(pool)) {
		db_fail_later(pool, q, DB_UNAVAILABLE);
		return;
	}
	q->deadline = evtimer_new(pool->base, dbq_deadline_cb, q);
	if (q->deadline == NULL)
		fatalx("db: evtimer_new failed");
	tv.tv_sec = pool->cfg.queue_timeout_ms / 1000;
	tv.tv_usec = (pool->cfg.queue_timeout_ms % 1000) * 1000;
	evtimer_add(q->deadline, &tv);
	TAILQ_INSERT_TAIL(&pool->waiting, q, entry);
	pool->nwaiting++;
}

static bool
db_all_down(const struct db_pool *pool)
{
	int	i;

	for (i = 0; i < pool->cfg.size; i++) {
		const struct db_conn *c = &pool->conns[i];

		if (c->state != DBC_DOWN && !(c->state == DBC_CONNECTING &&
		    c->failed))
			return false;
	}
	return true;
}

static void
db_fail_later(struct db_pool *pool, struct db_query *q, enum db_status st)
{
	q->fail_status = st;
	TAILQ_INSERT_TAIL(&pool->failed, q, entry);
	event_active(pool->failed_ev, 0, 0);
}

static void
db_failed_cb(evutil_socket_t fd, short what, void *arg)
{
	struct db_pool	*pool = arg;
	struct db_query	*q;

	(void)fd;
	(void)what;
	while ((q = TAILQ_FIRST(&pool->failed)) != NULL) {
		TAILQ_REMOVE(&pool->failed, q, entry);
		dbq_finish(q, q->fail_status, NULL,
		    q->fail_status == DB_SHUTDOWN ? "shutting down" :
		    "database unavailable");
	}
}

static void
dbq_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct db_query	*q = arg;
	struct db_pool	*pool = q->pool;

	(void)fd;
	(void)what;
	TAILQ_REMOVE(&pool->waiting, q, entry);
	pool->nwaiting--;
	dbq_finish(q, DB_UNAVAILABLE, NULL, "no database connection in time");
}

static void
dbq_finish(struct db_query *q, enum db_status status, PGresult *pg,
    const char *error)
{
	struct db_result	res;

	res.status = status;
	res.pg = pg;
	res.error = error != NULL ? error : "";
	res.retry_after = (q->pool->cfg.retry_max_ms + 999) / 1000;
	if (res.retry_after < 1)
		res.retry_after = 1;
	q->cb(&res, q->arg);
	dbq_free(q);
}

static void
dbq_free(struct db_query *q)
{
	if (q->deadline != NULL)
		event_free(q->deadline);
	free(q->params);
	free(q);
}

/* -- results --------------------------------------------------------- */

enum db_status
db_result_status(const struct db_result *res)
{
	return res->status;
}

int
db_result_ntuples(const struct db_result *res)
{
	return res->pg != NULL && res->status == DB_OK ?
	    PQntuples(res->pg) : 0;
}

const char *
db_result_value(const struct db_result *res, int row, int col)
{
	if (res->pg == NULL || row < 0 || row >= PQntuples(res->pg) ||
	    col < 0 || col >= PQnfields(res->pg) ||
	    PQgetisnull(res->pg, row, col))
		return NULL;
	return PQgetvalue(res->pg, row, col);
}

int
db_result_column(const struct db_result *res, const char *name)
{
	return res->pg != NULL ? PQfnumber(res->pg, name) : -1;
}

json_t *
db_result_json(const struct db_result *res, int row, const char *col)
{
	int		 c = db_result_column(res, col);
	const char	*v = db_result_value(res, row, c);

	/* The database is UTF8 (checked at start, migrate.c): its text
	 * needs no second check, which costs as much as writing it. */
	return v != NULL ? json_stringn_nocheck(v,
	    (size_t)PQgetlength(res->pg, row, c)) : json_null();
}

long long
db_result_int(const struct db_result *res, int row, const char *col)
{
	const char	*v = db_result_value(res, row, db_result_column(res,
	    col));

	return v != NULL ? strtoll(v, NULL, 10) : 0;
}

const char *
db_result_sqlstate(const struct db_result *res)
{
	const char	*s;

	if (res->pg == NULL)
		return "";
	s = PQresultErrorField(res->pg, PG_DIAG_SQLSTATE);
	return s != NULL ? s : "";
}

const char *
db_result_error(const struct db_result *res)
{
	return res->error;
}

int
db_result_retry_after(const struct db_result *res)
{
	return res->retry_after;
}

/* -- connections ------------------------------------------------------- */

static void
dbc_set_state(struct db_conn *c, enum dbc_state st)
{
	if (st > DBC_CLOSED)
		fatalx("db: bad connection state %d", (int)st);
	if (c->state != st)
		log_debug("db conn %d: %s -> %s", c->index,
		    dbc_state_names[c->state], dbc_state_names[st]);
	c->state = st;
}

static void
dbc_arm_timer(struct db_conn *c, int ms)
{
	struct timeval	tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(c->timer, &tv);
}

/* Arms the socket event for what; the fd is re-read every time because
 * libpq may change it between PQconnectPoll steps. */
static void
dbc_wait(struct db_conn *c, short what)
{
	event_del(c->io);
	c->waiting = what;
	if (what == 0)
		return;
	event_assign(c->io, c->pool->base, PQsocket(c->pg),
	    what | EV_PERSIST, dbc_io_cb, c);
	event_add(c->io, NULL);
}

static void
dbc_connect(struct db_conn *c)
{
	struct db_pool		*pool = c->pool;
	const char *const	 keys[] = { "dbname", "options",
	    "application_name", "client_encoding", NULL };
	const char *const	 vals[] = { pool->conninfo, pool->options,
	    pool->appname, "UTF8", NULL };

	/* dbname is expanded as a connection string; ours follow it. */
	c->pg = PQconnectStartParams(keys, vals, 1);
	if (c->pg == NULL)
		fatalx("db: out of memory starting a connection");
	if (PQstatus(c->pg) == CONNECTION_BAD) {
		dbc_lost(c, DB_UNAVAILABLE, PQerrorMessage(c->pg));
		return;
	}
	if (PQsetnonblocking(c->pg, 1) != 0) {
		dbc_lost(c, DB_UNAVAILABLE, PQerrorMessage(c->pg));
		return;
	}
	c->fatal_notice = false;
	PQsetNoticeReceiver(c->pg, dbc_notice_cb, c);
	memset(c->prepared, 0, sizeof c->prepared);
	dbc_set_state(c, DBC_CONNECTING);
	/* libpq ignores connect_timeout under PQconnectPoll: our timer. */
	dbc_arm_timer(c, pool->cfg.connect_timeout_ms);
	dbc_wait(c, EV_WRITE);
}

/*
 * Notices go to our log, not raw to stderr.  A FATAL arriving outside a
 * query (the backend was terminated, the server is shutting down) comes
 * as a notice before the socket closes: the connection is lost now, and
 * for the listener every moment it seems alive, changes go unheard.
 */
static void
dbc_notice_cb(void *arg, const PGresult *res)
{
	struct db_conn	*c = arg;
	const char	*sev, *msg;

	sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (sev != NULL && (strcmp(sev, "FATAL") == 0 ||
	    strcmp(sev, "PANIC") == 0)) {
		c->fatal_notice = true;
		log_warn("db conn %d: server: %s", c->index,
		    msg != NULL ? msg : "fatal error");
	} else
		log_debug("db conn %d: notice: %s", c->index,
		    msg != NULL ? msg : "");
}

static void
dbc_connect_poll(struct db_conn *c)
{
	switch (PQconnectPoll(c->pg)) {
	case PGRES_POLLING_READING:
		dbc_wait(c, EV_READ);
		break;
	case PGRES_POLLING_WRITING:
		dbc_wait(c, EV_WRITE);
		break;
	case PGRES_POLLING_OK:
		evtimer_del(c->timer);
		if (c->failed)
			log_info("db conn %d: connected again", c->index);
		c->failed = false;
		c->backoff_ms = c->pool->cfg.retry_min_ms;
		if (c == c->pool->listener)
			dbl_subscribe(c);
		else
			dbc_idle(c);
		break;
	case PGRES_POLLING_FAILED:
	default:
		dbc_lost(c, DB_UNAVAILABLE, PQerrorMessage(c->pg));
		break;
	}
}

/*
 * The connection is gone or unusable: fail its query, close it, and try
 * again after the backoff delay.
 */
static void
dbc_lost(struct db_conn *c, enum db_status st, const char *why)
{
	struct db_query	*q;
	char		 reason[256];
	size_t		 n;
	int		 delay;

	snprintf(reason, sizeof reason, "%s", why != NULL && *why != '\0' ?
	    why : "connection lost");
	n = strlen(reason);
	while (n > 0 && (reason[n - 1] == '\n' || reason[n - 1] == ' '))
		reason[--n] = '\0';
	for (n = 0; reason[n] != '\0'; n++) {
		if (reason[n] == '\n' || reason[n] == '\t')
			reason[n] = ' ';
	}
	delay = db_retry_delay_ms(c->backoff_ms, randombytes_random());
	if (!c->failed || c->state != DBC_CONNECTING)
		log_warn("db conn %d: %s (%s); retrying in %d ms", c->index,
		    reason, dbc_state_names[c->state], delay);

	event_del(c->io);
	evtimer_del(c->timer);
	c->waiting = 0;
	c->flushing = false;
	if (c->last != NULL) {
		PQclear(c->last);
		c->last = NULL;
	}
	if (c->pg != NULL) {
		PQfinish(c->pg);
		c->pg = NULL;
	}
	c->failed = true;
	dbc_set_state(c, DBC_DOWN);
	dbc_schedule_retry(c, delay);
	if (c == c->pool->listener) {
		if (c->pool->listen_up) {
			c->pool->listen_up = false;
			c->pool->listen_state_cb(false, c->pool->listen_arg);
		}
		return;
	}

	if ((q = c->q) != NULL) {
		c->q = NULL;
		dbq_finish(q, st, NULL, reason);
	}
	/* With every connection down, waiting queries would only time out. */
	if (db_all_down(c->pool)) {
		while ((q = TAILQ_FIRST(&c->pool->waiting)) != NULL) {
			TAILQ_REMOVE(&c->pool->waiting, q, entry);
			c->pool->nwaiting--;
			dbq_finish(q, DB_UNAVAILABLE, NULL, reason);
		}
	}
}

int
db_retry_delay_ms(int backoff_ms, uint32_t r)
{
	int	half = backoff_ms / 2;

	return half + (int)((uint64_t)r * (uint64_t)(backoff_ms - half + 1) >>
	    32);
}

static void
dbc_schedule_retry(struct db_conn *c, int delay_ms)
{
	dbc_arm_timer(c, delay_ms);
	c->backoff_ms *= 2;
	if (c->backoff_ms > c->pool->cfg.retry_max_ms)
		c->backoff_ms = c->pool->cfg.retry_max_ms;
}

static void
dbc_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct db_conn	*c = arg;

	(void)fd;
	(void)what;
	switch (c->state) {
	case DBC_DOWN:
		dbc_connect(c);
		break;
	case DBC_CONNECTING:
		dbc_lost(c, DB_UNAVAILABLE, "connect timed out");
		break;
	case DBC_PREPARING:
	case DBC_RUNNING:
	case DBC_SUBSCRIBING:
		/* statement_timeout should have fired first: the server or
		 * the network is stuck, so this connection is not usable. */
		dbc_lost(c, DB_TIMEOUT, "query timed out");
		break;
	case DBC_IDLE:
	case DBC_LISTENING:
	case DBC_CLOSED:
		break;
	default:
		fatalx("db conn %d: timer in bad state %d", c->index,
		    (int)c->state);
	}
}

static void
dbc_io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct db_conn	*c = arg;

	(void)fd;
	switch (c->state) {
	case DBC_CONNECTING:
		dbc_connect_poll(c);
		break;
	case DBC_IDLE:
		/* An idle connection only becomes readable when the server
		 * says goodbye (shutdown, terminate) or the socket closes. */
		if (PQconsumeInput(c->pg) == 0 || c->fatal_notice ||
		    PQstatus(c->pg) == CONNECTION_BAD) {
			dbc_lost(c, DB_UNAVAILABLE, c->fatal_notice ?
			    "terminated by the server" : PQerrorMessage(c->pg));
			return;
		}
		while (!PQisBusy(c->pg)) {
			PGresult *r = PQgetResult(c->pg);

			if (r == NULL)
				break;
			PQclear(r);
		}
		break;
	case DBC_PREPARING:
	case DBC_RUNNING:
		if ((what & EV_READ) && PQconsumeInput(c->pg) == 0) {
			dbc_lost(c, DB_UNAVAILABLE, PQerrorMessage(c->pg));
			return;
		}
		if (c->flushing) {
			dbc_flush(c);
			if (c->state != DBC_PREPARING &&
			    c->state != DBC_RUNNING)
				return;
		}
		if (!c->flushing)
			dbc_read(c);
		break;
	case DBC_SUBSCRIBING:
	case DBC_LISTENING:
		if (((what & EV_READ) && PQconsumeInput(c->pg) == 0) ||
		    c->fatal_notice) {
			dbc_lost(c, DB_UNAVAILABLE, c->fatal_notice ?
			    "terminated by the server" : PQerrorMessage(c->pg));
			return;
		}
		if (c->flushing)
			dbc_flush(c);
		if (c->state != DBC_DOWN && !c->flushing)
			dbl_read(c);
		break;
	default:
		fatalx("db conn %d: socket event in bad state %d", c->index,
		    (int)c->state);
	}
}

static void
dbc_idle(struct db_conn *c)
{
	struct db_pool	*pool = c->pool;
	struct db_query	*q;

	dbc_set_state(c, DBC_IDLE);
	evtimer_del(c->timer);
	if ((q = TAILQ_FIRST(&pool->waiting)) != NULL) {
		TAILQ_REMOVE(&pool->waiting, q, entry);
		pool->nwaiting--;
		evtimer_del(q->deadline);
		dbc_start(c, q);
		return;
	}
	dbc_wait(c, EV_READ);
}

static void
dbc_start(struct db_conn *c, struct db_query *q)
{
	c->q = q;
	dbc_set_state(c, c->prepared[q->id] || sql_stmt(q->id)->one_shot ?
	    DBC_RUNNING : DBC_PREPARING);
	dbc_arm_timer(c, c->pool->cfg.statement_timeout_ms +
	    DB_HARD_TIMEOUT_GRACE_MS);
	dbc_send_step(c);
}

/* Sends what the current state needs: the Prepare, or the Execute. */
static void
dbc_send_step(struct db_conn *c)
{
	const struct sql_stmt	*st = sql_stmt(c->q->id);
	int			 ok;

	if (c->state == DBC_PREPARING)
		ok = PQsendPrepare(c->pg, st->name, st->text, st->nparams,
		    NULL);
	else if (st->one_shot)
		ok = PQsendQueryParams(c->pg, st->text, c->q->nparams, NULL,
		    (const char *const *)c->q->params, NULL, NULL, 0);
	else
		ok = PQsendQueryPrepared(c->pg, st->name, c->q->nparams,
		    (const char *const *)c->q->params, NULL, NULL, 0);
	if (!ok) {
		dbc_lost(c, DB_UNAVAILABLE, PQerrorMessage(c->pg));
		return;
	}
	c->flushing = true;
	dbc_flush(c);
	if ((c->state == DBC_PREPARING || c->state == DBC_RUNNING) &&
	    !c->flushing)
		dbc_read(c);
}

static void
dbc_flush(struct db_conn *c)
{
	switch (PQflush(c->pg)) {
	case 0:
		c->flushing = false;
		dbc_wait(c, EV_READ);
		break;
	case 1:
		/* Wait for room to write, and read meanwhile: the server may
		 * block sending to us until we read (libpq docs). */
		if (c->waiting != (EV_READ | EV_WRITE))
			dbc_wait(c, EV_READ | EV_WRITE);
		break;
	default:
		dbc_lost(c, DB_UNAVAILABLE, PQerrorMessage(c->pg));
		break;
	}
}

static void
dbc_read(struct db_conn *c)
{
	PGresult	*r;

	for (;;) {
		if (PQisBusy(c->pg))
			return;		/* more to come; EV_READ is armed */
		r = PQgetResult(c->pg);
		if (r == NULL)
			break;
		/* Keep the last result; a statement has one, an error may
		 * come after a partial result. */
		if (c->last != NULL)
			PQclear(c->last);
		c->last = r;
	}
	dbc_step_done(c);
}

/*
 * What a statement's last result means for its caller, and (*lost)
 * whether the connection itself is gone: then the caller drops it.
 * Errors the next attempt may not meet (the server shutting down or
 * out of connections, a serialization failure, a deadlock) are
 * DB_UNAVAILABLE, so the client gets 503 and retries.
 */
static enum db_status
db_classify(PGconn *pg, PGresult *r, bool *lost)
{
	const char	*state;

	*lost = false;
	if (r != NULL && (PQresultStatus(r) == PGRES_COMMAND_OK ||
	    PQresultStatus(r) == PGRES_TUPLES_OK))
		return DB_OK;
	if (r == NULL || PQstatus(pg) == CONNECTION_BAD) {
		*lost = PQstatus(pg) == CONNECTION_BAD;
		return DB_UNAVAILABLE;
	}
	if ((state = PQresultErrorField(r, PG_DIAG_SQLSTATE)) == NULL)
		return DB_UNAVAILABLE;
	if (strncmp(state, SQLSTATE_CLASS_CONNECTION, 2) == 0 ||
	    strncmp(state, SQLSTATE_CLASS_SHUTDOWN, 3) == 0) {
		*lost = true;
		return DB_UNAVAILABLE;
	}
	if (strcmp(state, SQLSTATE_SERIALIZATION_FAILURE) == 0 ||
	    strcmp(state, SQLSTATE_DEADLOCK_DETECTED) == 0 ||
	    strcmp(state, SQLSTATE_TOO_MANY_CONNECTIONS) == 0)
		return DB_UNAVAILABLE;
	if (strcmp(state, SQLSTATE_QUERY_CANCELED) == 0)
		return DB_TIMEOUT;
	return DB_SQL_ERROR;
}

static void
dbc_step_done(struct db_conn *c)
{
	struct db_query	*q = c->q;
	PGresult	*r = c->last;
	enum db_status	 st;
	bool		 lost;

	c->last = NULL;
	st = db_classify(c->pg, r, &lost);

	if (c->state == DBC_PREPARING && st == DB_OK) {
		PQclear(r);
		c->prepared[q->id] = 1;
		dbc_set_state(c, DBC_RUNNING);
		dbc_send_step(c);
		return;
	}

	if (lost) {
		/* The connection itself failed: drop it; dbc_lost fails q. */
		char	msg[256];

		snprintf(msg, sizeof msg, "%s", r != NULL ?
		    PQresultErrorMessage(r) : PQerrorMessage(c->pg));
		if (r != NULL)
			PQclear(r);
		dbc_lost(c, DB_UNAVAILABLE, msg);
		return;
	}

	c->q = NULL;
	if (st != DB_OK)
		log_warn("db: %s failed: %s%s%s", sql_stmt(q->id)->name,
		    db_status_name(st), r != NULL ? ": " : "",
		    r != NULL ? PQresultErrorMessage(r) : "");
	dbq_finish(q, st, r, r != NULL ? PQresultErrorMessage(r) :
	    "no result");
	if (r != NULL)
		PQclear(r);
	/* The callback may have freed the pool only via db_pool_free, which
	 * is never called from a query callback. */
	dbc_idle(c);
}

/* -- the listening connection ------------------------------------------ */

static void
dbl_subscribe(struct db_conn *c)
{
	dbc_set_state(c, DBC_SUBSCRIBING);
	dbc_arm_timer(c, c->pool->cfg.statement_timeout_ms +
	    DB_HARD_TIMEOUT_GRACE_MS);
	if (!PQsendQuery(c->pg, sql_stmt(SQL_LISTEN)->text)) {
		dbc_lost(c, DB_UNAVAILABLE, PQerrorMessage(c->pg));
		return;
	}
	c->flushing = true;
	dbc_flush(c);
	if (c->state == DBC_SUBSCRIBING && !c->flushing)
		dbl_read(c);
}

/*
 * Reads the LISTEN's result, then notifications.  Notifications are
 * dispatched only after every pending result is read, and the callbacks
 * must not free the pool.
 */
static void
dbl_read(struct db_conn *c)
{
	struct db_pool	*pool = c->pool;
	PGnotify	*n;
	PGresult	*r;
	bool		 bad = false;
	char		 msg[256];

	if (PQstatus(c->pg) == CONNECTION_BAD) {
		dbc_lost(c, DB_UNAVAILABLE, PQerrorMessage(c->pg));
		return;
	}
	while (!PQisBusy(c->pg)) {
		if ((r = PQgetResult(c->pg)) == NULL) {
			if (c->state == DBC_SUBSCRIBING && !bad) {
				evtimer_del(c->timer);
				dbc_set_state(c, DBC_LISTENING);
				dbc_wait(c, EV_READ);
				pool->listen_up = true;
				pool->listen_state_cb(true, pool->listen_arg);
			}
			break;
		}
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			snprintf(msg, sizeof msg, "%s",
			    PQresultErrorMessage(r));
			bad = true;
		}
		PQclear(r);
	}
	if (bad) {
		dbc_lost(c, DB_UNAVAILABLE, msg);
		return;
	}
	if (c->state != DBC_LISTENING)
		return;
	while ((n = PQnotifies(c->pg)) != NULL) {
		pool->notify_cb(n->extra, pool->listen_arg);
		PQfreemem(n);
	}
}
