/*
 * announce.c - new pending comments announced in batches (see
 * announce.h).
 *
 * The queue is the text of a PostgreSQL array literal, "{id,id,...}",
 * built as ids arrive: the statement takes it as its one parameter.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "announce.h"
#include "db.h"
#include "log.h"
#include "xmalloc.h"

#define ANNOUNCE_EVERY_MS	20
/* A batch bigger than this goes out at once. */
#define ANNOUNCE_MAX_BYTES	8000

struct announcer {
	struct db_pool	*db;
	struct event	*timer;
	char		*ids;		/* "{id,id,..." so far */
	size_t		 len;
};

static void	announcer_timer_cb(evutil_socket_t, short, void *);
static void	announcer_sent_cb(const struct db_result *, void *);

struct announcer *
announcer_new(struct event_base *base, struct db_pool *db)
{
	struct announcer	*a;

	a = xcalloc(1, sizeof *a);
	a->db = db;
	a->ids = xmalloc(ANNOUNCE_MAX_BYTES);
	if ((a->timer = evtimer_new(base, announcer_timer_cb, a)) == NULL)
		fatalx("announce: evtimer_new failed");
	return a;
}

void
announcer_free(struct announcer *a)
{
	if (a == NULL)
		return;
	event_free(a->timer);
	free(a->ids);
	free(a);
}

void
announcer_add(struct announcer *a, const char *comment_id)
{
	struct timeval	tv = { 0, ANNOUNCE_EVERY_MS * 1000 };
	size_t		n = strlen(comment_id);

	/* Room for a separator, the id, the closing brace and a NUL. */
	if (a->len + n + 3 > ANNOUNCE_MAX_BYTES)
		announcer_flush(a);
	if (a->len == 0) {
		a->ids[a->len++] = '{';
		evtimer_add(a->timer, &tv);
	} else
		a->ids[a->len++] = ',';
	memcpy(a->ids + a->len, comment_id, n);
	a->len += n;
}

void
announcer_flush(struct announcer *a)
{
	const char	*param;

	if (a->len == 0)
		return;
	evtimer_del(a->timer);
	a->ids[a->len++] = '}';
	a->ids[a->len] = '\0';
	param = a->ids;
	db_query(a->db, SQL_NOTIFY_NEW, &param, 1, announcer_sent_cb, NULL);
	a->len = 0;
}

static void
announcer_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	announcer_flush(arg);
}

/* An announcement needs no answer. */
static void
announcer_sent_cb(const struct db_result *res, void *arg)
{
	(void)arg;
	if (db_result_status(res) != DB_OK)
		log_warn("new comments were not announced: %s",
		    db_result_error(res));
}
