/*
 * sse.c - live event streams (see sse.h).
 *
 * Each stream remembers the highest event id it has seen (for catching
 * up) and the last few ids it sent (ids are not in commit order, so a
 * lower id may legitimately arrive after a higher one; the ring only
 * stops the same event being sent twice when a catch-up query and its
 * NOTIFY overlap).
 *
 * A stream lives only as long as the credential it was opened with: it
 * is closed when that token or session is revoked or expires, or its
 * moderator is disabled.  The worker that makes such a change closes
 * its own streams at once; every worker hears of any change by NOTIFY
 * (migration 0008) and checks its streams of that moderator again; and
 * at each keep-alive one query checks every token of the worker's
 * streams.  While the database is away streams stay open: it cannot
 * say, and a reconnecting client could not be authenticated either.
 *
 * The streams one moderator may hold are counted per process, in a
 * small table under a mutex shared by the workers (taken only when a
 * stream opens or ends).
 */
#include <sys/queue.h>

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>
#include <sodium.h>

#include "auth.h"
#include "db.h"
#include "log.h"
#include "req.h"
#include "sse.h"
#include "xmalloc.h"

#define SSE_RECENT		64
#define SSE_CATCHUP_ROWS	500
#define SSE_HELLO		": connected\nretry: %d\n\n"
/* The browser's reconnect delay, jittered per stream (2 to 4 s): pages
 * that lost the server together do not all come back at one instant. */
#define SSE_RETRY_MAX_MS	4000
#define SSE_PING		": keep-alive\n\n"

struct sse_client {
	TAILQ_ENTRY(sse_client)	 entry;
	struct sse_hub		*hub;
	struct req		*r;
	int64_t			 last_id;
	bool			 querying;	/* a query holds a pointer */
	bool			 catching_up;	/* live events wait */
	bool			 again;		/* events came meanwhile */
	bool			 dead;		/* stream ended */
	bool			 counted;	/* in sse_counts */
	int64_t			 moderator_id;
	int64_t			 token_id;	/* what it was opened with */
	char			 name[72];	/* the moderator's */
	int64_t			 recent[SSE_RECENT];
	unsigned		 nrecent;
};
TAILQ_HEAD(sse_client_list, sse_client);

struct sse_hub {
	struct db_pool		*db;
	struct sse_client_list	 clients;
	int			 count;
	int			 max_clients;
	int			 max_per_moderator;	/* 0: any */
	struct event		*keepalive;
	bool			 checking;	/* a recheck query holds hub */
	bool			 check_again;	/* asked for meanwhile */
	bool			 dead;		/* freed while checking */
	bool			 ended;		/* the worker stops */
};

/* Streams per moderator in this process, chained by id. */
#define SSE_COUNT_BUCKETS	64
struct sse_count {
	struct sse_count	*next;
	int64_t			 id;
	int			 n;
};
static pthread_mutex_t	 sse_counts_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sse_count	*sse_counts[SSE_COUNT_BUCKETS];

static void	sse_client_end(struct sse_client *);
static void	sse_client_free_if_idle(struct sse_client *);
static void	sse_on_close(struct req *);
static void	sse_send_event(struct sse_client *, int64_t, const char *);
static bool	sse_recent(const struct sse_client *, int64_t);
static void	sse_catch_up(struct sse_client *);
static void	sse_catch_up_cb(const struct db_result *, void *);
static void	sse_latest_cb(const struct db_result *, void *);
static void	sse_keepalive_cb(evutil_socket_t, short, void *);
static void	sse_recheck(struct sse_hub *);
static void	sse_recheck_cb(const struct db_result *, void *);

/* One more stream of moderator id, unless max are open already. */
static bool
sse_count_take(int64_t id, int max)
{
	struct sse_count	**b, *e;
	bool			 ok = true;

	b = &sse_counts[(uint64_t)id % SSE_COUNT_BUCKETS];
	pthread_mutex_lock(&sse_counts_lock);
	for (e = *b; e != NULL && e->id != id; e = e->next)
		;
	if (e == NULL) {
		e = xcalloc(1, sizeof *e);
		e->id = id;
		e->next = *b;
		*b = e;
	}
	if (e->n >= max)
		ok = false;
	else
		e->n++;
	pthread_mutex_unlock(&sse_counts_lock);
	return ok;
}

static void
sse_count_give(int64_t id)
{
	struct sse_count	**p, *e;

	pthread_mutex_lock(&sse_counts_lock);
	for (p = &sse_counts[(uint64_t)id % SSE_COUNT_BUCKETS];
	    (e = *p) != NULL; p = &e->next) {
		if (e->id != id)
			continue;
		if (--e->n <= 0) {
			*p = e->next;
			free(e);
		}
		break;
	}
	pthread_mutex_unlock(&sse_counts_lock);
}

struct sse_hub *
sse_hub_new(struct event_base *base, struct db_pool *db, int max_clients,
    int keepalive_s, int max_per_moderator)
{
	struct sse_hub	*hub;
	struct timeval	 tv = { keepalive_s, 0 };

	hub = xcalloc(1, sizeof *hub);
	hub->db = db;
	hub->max_clients = max_clients;
	hub->max_per_moderator = max_per_moderator;
	TAILQ_INIT(&hub->clients);
	hub->keepalive = event_new(base, -1, EV_PERSIST, sse_keepalive_cb,
	    hub);
	if (hub->keepalive == NULL)
		fatalx("sse: event_new failed");
	event_add(hub->keepalive, &tv);
	return hub;
}

void
sse_hub_end_all(struct sse_hub *hub)
{
	struct sse_client	*c;

	if (hub == NULL)
		return;
	hub->ended = true;
	/* Each stream's connection closes after its end (evhttp reads the
	 * reply's headers again then): the client reconnects on a new one,
	 * which reaches the process taking over, not this one's 503. */
	while ((c = TAILQ_FIRST(&hub->clients)) != NULL) {
		if (c->r != NULL && c->r->ev != NULL)
			req_add_header(c->r, "Connection", "close");
		sse_client_end(c);
	}
}

void
sse_hub_free(struct sse_hub *hub)
{
	if (hub == NULL)
		return;
	sse_hub_end_all(hub);
	event_free(hub->keepalive);
	/* A recheck under way frees it when the pool fails the query. */
	if (hub->checking)
		hub->dead = true;
	else
		free(hub);
}

void
sse_hub_open(struct sse_hub *hub, struct req *r, int64_t last_id)
{
	const struct moderator	*m = r->mod;
	struct sse_client	*c;
	char			 hello[64];
	int			 n;

	/* A stream would hold a stopping worker to its timeout: the
	 * client reconnects (Last-Event-ID) to the process taking over;
	 * req.c has added Connection: close. */
	if (hub->ended) {
		req_add_header(r, "Retry-After", "1");
		req_reply_error(r, 503, "shutting_down",
		    "the server is shutting down; retry");
		return;
	}
	if (hub->count >= hub->max_clients) {
		req_add_header(r, "Retry-After", "5");
		req_reply_error(r, 503, "too_many_streams",
		    "too many live event streams on this server");
		return;
	}
	if (hub->max_per_moderator > 0 &&
	    !sse_count_take(m->id, hub->max_per_moderator)) {
		req_add_header(r, "Retry-After", "5");
		req_reply_error(r, 429, "too_many_streams",
		    "%d live event streams of this moderator are open",
		    hub->max_per_moderator);
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->hub = hub;
	c->r = r;
	c->counted = hub->max_per_moderator > 0;
	c->moderator_id = m->id;
	c->token_id = m->token_id;
	snprintf(c->name, sizeof c->name, "%s", m->name);
	r->data = c;
	r->on_close = sse_on_close;
	TAILQ_INSERT_TAIL(&hub->clients, c, entry);
	hub->count++;

	req_add_header(r, "Content-Type", "text/event-stream; charset=utf-8");
	req_add_header(r, "Cache-Control", "no-cache, no-store");
	/* nginx must pass events through at once, not buffer them. */
	req_add_header(r, "X-Accel-Buffering", "no");
	req_stream_start(r);
	n = snprintf(hello, sizeof hello, SSE_HELLO,
	    db_retry_delay_ms(SSE_RETRY_MAX_MS, randombytes_random()));
	req_stream_send(r, hello, (size_t)n);

	if (last_id >= 0) {
		c->last_id = last_id;
		sse_catch_up(c);
	} else {
		/* Live at once; the newest id only matters for a resync. */
		c->querying = true;
		db_query(hub->db, SQL_EVENTS_LATEST, NULL, 0,
		    sse_latest_cb, c);
	}
}

static void
sse_latest_cb(const struct db_result *res, void *arg)
{
	struct sse_client	*c = arg;
	int64_t			 id;

	c->querying = false;
	if (c->dead) {
		sse_client_free_if_idle(c);
		return;
	}
	if (db_result_status(res) == DB_OK && db_result_ntuples(res) == 1) {
		id = strtoll(db_result_value(res, 0, 0), NULL, 10);
		if (id > c->last_id)
			c->last_id = id;
	}
}

/* Ends the stream (freeing the request) and drops the client. */
static void
sse_client_end(struct sse_client *c)
{
	struct req	*r = c->r;

	if (c->dead)
		return;
	c->dead = true;
	TAILQ_REMOVE(&c->hub->clients, c, entry);
	c->hub->count--;
	if (c->counted)
		sse_count_give(c->moderator_id);
	c->r = NULL;
	r->data = NULL;
	r->on_close = NULL;
	req_stream_end(r);
	sse_client_free_if_idle(c);
}

static void
sse_client_free_if_idle(struct sse_client *c)
{
	if (c->dead && !c->querying)
		free(c);
}

static void
sse_on_close(struct req *r)
{
	struct sse_client	*c = r->data;

	if (c != NULL)
		sse_client_end(c);
}

static bool
sse_recent(const struct sse_client *c, int64_t id)
{
	unsigned	i, n;

	n = c->nrecent < SSE_RECENT ? c->nrecent : SSE_RECENT;
	for (i = 0; i < n; i++) {
		if (c->recent[i] == id)
			return true;
	}
	return false;
}

static void
sse_send_event(struct sse_client *c, int64_t id, const char *json)
{
	char	*msg;
	int	 n;

	if (c->dead || sse_recent(c, id))
		return;
	c->recent[c->nrecent++ % SSE_RECENT] = id;
	if (id > c->last_id)
		c->last_id = id;
	n = xasprintf(&msg, "id: %" PRId64 "\nevent: comment\ndata: %s\n\n",
	    id, json);
	if (req_stream_send(c->r, msg, (size_t)n) != 0) {
		free(msg);
		sse_client_end(c);
		return;
	}
	free(msg);
}

void
sse_hub_notify(struct sse_hub *hub, int64_t id, const char *payload)
{
	struct sse_client	*c, *next;

	for (c = TAILQ_FIRST(&hub->clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->catching_up)
			c->again = true;
		else
			sse_send_event(c, id, payload);
	}
}

void
sse_hub_resync(struct sse_hub *hub)
{
	struct sse_client	*c;

	TAILQ_FOREACH(c, &hub->clients, entry) {
		if (!c->catching_up && !c->querying)
			sse_catch_up(c);
		else
			c->again = true;
	}
}

static void
sse_catch_up(struct sse_client *c)
{
	const char	*params[2];
	char		 since[24], rows[16];

	snprintf(since, sizeof since, "%" PRId64, c->last_id);
	snprintf(rows, sizeof rows, "%d", SSE_CATCHUP_ROWS);
	params[0] = since;
	params[1] = rows;
	c->catching_up = true;
	c->again = false;
	c->querying = true;
	db_query(c->hub->db, SQL_EVENTS_SINCE, params, 2,
	    sse_catch_up_cb, c);
}

static void
sse_catch_up_cb(const struct db_result *res, void *arg)
{
	struct sse_client	*c = arg;
	int			 i, n;

	if (c->dead || db_result_status(res) != DB_OK) {
		/* Gone; or the database is away and the next resync tries
		 * again. */
		c->querying = false;
		c->catching_up = false;
		sse_client_free_if_idle(c);
		return;
	}
	/* Still "querying" while sending: a failed send must not free c
	 * under this loop. */
	n = db_result_ntuples(res);
	for (i = 0; i < n && !c->dead; i++)
		sse_send_event(c, strtoll(db_result_value(res, i, 0), NULL,
		    10), db_result_value(res, i, 1));
	c->querying = false;
	if (c->dead) {
		sse_client_free_if_idle(c);
		return;
	}
	if (n == SSE_CATCHUP_ROWS || c->again) {
		sse_catch_up(c);
		return;
	}
	c->catching_up = false;
}

static void
sse_keepalive_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sse_hub		*hub = arg;
	struct sse_client	*c, *next;

	(void)fd;
	(void)what;
	/* Also how a vanished client is noticed: the write fails. */
	for (c = TAILQ_FIRST(&hub->clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (req_stream_send(c->r, SSE_PING, sizeof SSE_PING - 1) != 0)
			sse_client_end(c);
	}
	/* Sessions expire, and a change may have gone unheard. */
	sse_recheck(hub);
}

void
sse_hub_end_token(struct sse_hub *hub, int64_t token_id)
{
	struct sse_client	*c, *next;

	for (c = TAILQ_FIRST(&hub->clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->token_id == token_id)
			sse_client_end(c);
	}
}

void
sse_hub_end_moderator(struct sse_hub *hub, const char *name)
{
	struct sse_client	*c, *next;

	for (c = TAILQ_FIRST(&hub->clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (strcmp(c->name, name) == 0)
			sse_client_end(c);
	}
}

void
sse_hub_recheck_moderator(struct sse_hub *hub, int64_t moderator_id)
{
	struct sse_client	*c;

	TAILQ_FOREACH(c, &hub->clients, entry) {
		if (c->moderator_id == moderator_id) {
			sse_recheck(hub);
			return;
		}
	}
}

static int
sse_id_cmp(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* One query for the tokens of every stream: those no longer valid end
 * their streams (sse_recheck_cb).  At most one at a time per hub. */
static void
sse_recheck(struct sse_hub *hub)
{
	struct sse_client	*c;
	int64_t			*ids;
	char			*text, *p;
	const char		*params[1];
	int			 i, n = 0;

	if (hub->checking) {
		hub->check_again = true;
		return;
	}
	hub->check_again = false;
	if (hub->count == 0)
		return;
	ids = xcalloc((size_t)hub->count, sizeof *ids);
	TAILQ_FOREACH(c, &hub->clients, entry)
		ids[n++] = c->token_id;
	qsort(ids, (size_t)n, sizeof *ids, sse_id_cmp);
	/* "{1,2,3}": 20 digits and a comma each at most. */
	p = text = xmalloc((size_t)n * 21 + 3);
	*p++ = '{';
	for (i = 0; i < n; i++) {
		if (i > 0 && ids[i] == ids[i - 1])
			continue;
		p += sprintf(p, "%s%" PRId64, i > 0 ? "," : "", ids[i]);
	}
	*p++ = '}';
	*p = '\0';
	params[0] = text;
	hub->checking = true;
	db_query(hub->db, SQL_STREAM_RECHECK, params, 1, sse_recheck_cb, hub);
	free(text);
	free(ids);
}

static void
sse_recheck_cb(const struct db_result *res, void *arg)
{
	struct sse_hub	*hub = arg;
	int		 i, n;

	hub->checking = false;
	if (hub->dead) {
		free(hub);
		return;
	}
	/* A failed check keeps the streams: the next one tries again. */
	if (db_result_status(res) == DB_OK) {
		n = db_result_ntuples(res);
		for (i = 0; i < n; i++)
			sse_hub_end_token(hub, strtoll(db_result_value(res,
			    i, 0), NULL, 10));
	}
	if (hub->check_again)
		sse_recheck(hub);
}
