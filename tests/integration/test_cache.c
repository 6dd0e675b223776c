/*
 * test_cache.c - integration tests of the read cache's correctness (not
 * its speed) against a running commentd and its PostgreSQL database (see
 * README.md, "Read an article's comments"): invalidation across the
 * workers of one process and across processes sharing a database, the
 * stale-query race, conditional requests, the memory bound, and the loss
 * of the listening connection.
 *
 * The harness passes COMMENTD_TEST_URL (a server with two workers),
 * COMMENTD_TEST_DB, COMMENTD_TEST_PGDIR and COMMENTD_TEST_BIN, the
 * commentd binary: through it the tests make a moderator account and an
 * API token as an operator would, and start servers of their own with
 * settings the harness's does not have (a read delay, a small cache).
 *
 * A cache hit cannot be seen from outside but by its speed: servers
 * started with COMMENTD_DEBUG_READ_DELAY_MS answer a miss no faster than
 * the delay, however idle the machine, so a read faster than that was a
 * hit.  The tests use that to prove the cache was really on where a test
 * would otherwise pass with it off.  The converse does not hold on a busy
 * machine (a hit may be slow too), so where a hit is wanted a few reads
 * are allowed: a cache that never stored the answer makes each a load.
 * Otherwise the tests wait for events (a log line, a query visibly under
 * way in pg_stat_activity, a change seen) with generous deadlines,
 * never for a fixed time.
 *
 * Every article key and account name carries a per-run suffix, so the
 * suite can run twice against one database; any test case can run alone
 * (name it on the command line).
 */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "itest.h"

#define API		"/api/v1/admin"
#define PASSWORD	"password123"

/* Reads right after a change, each on a new connection (any worker). */
#define FRESH_READS	6
/* Reads that warm the cache of every worker, each on a new connection. */
#define WARM_READS	8
/* How long a change may take to reach another process (NOTIFY): a
 * deadline polled against, generous for a busy machine. */
#define NOTIFY_LIMIT_S	(10.0 * it_time_factor())
/* The read delay of the race test's server: the change, and the NOTIFY
 * that announces it, must happen while a read sleeps this long. */
#define RACE_DELAY_MS	((int)it_limit_ms(700))
/* The read delay of servers whose hits are told apart by speed. */
#define SLOW_DELAY_MS	300
/* Reads allowed to show a hit (see above). */
#define HIT_TRIES	5
/* The server's log line when a worker listens (again); "not listening
 * for changes" is the other one. */
#define LISTENING	"] listening for changes"
/* How long the listening connections of test_listen_loss stay away. */
#define LISTEN_RETRY_MS	((int)it_limit_ms(3000))

/* The bound test: articles, comments each, body size, allowed growth. */
#define BOUND_ARTICLES	400
#define BOUND_COMMENTS	24
#define BOUND_BODY	3000
#define BOUND_DELAY_MS	20
#define BOUND_GROWTH_KB	(16 * 1024)

/* How a change reaches the server under test in the race test. */
enum via {
	VIA_SAME,	/* its own admin API: bumped in-process */
	VIA_OTHER,	/* another server's admin API: NOTIFY only */
	VIA_SQL		/* plain SQL: NOTIFY only */
};

/* A request run by a thread. */
struct bg {
	struct it_req	 req;
	struct it_resp	 resp;
	pthread_t	 thread;
	bool		 running;
};

static char		 run_id[48];
static const char	*bin;
static const char	*spawned_base;	/* the last server spawn() started */

/* The moderator account of the run and its API token. */
static struct {
	bool	 tried;
	bool	 ok;
	char	 name[80];
	char	 token[200];
} adm;

static bool	 admin_at(const char *, int);
static const char *new_key(const char *);
static const char *counts_path(const char *const *, size_t);
static struct it_resp *adm_req(const char *, const char *, const char *,
		    const char *);
static bool	 act_at(const char *, int, const char *, long long,
		    const char *, const char *, const char *);
static bool	 edit_at(const char *, int, const char *, long long,
		    const char *);
static long long submit_at(const char *, int, const char *, const char *,
		    const char *, long);
static long long post_at(const char *, int, const char *, const char *);
static long long approved_at(const char *, int, const char *,
		    const char *);
static bool	 sql_status_at(const char *, int, long long, const char *);
static const json_t *tree_find(const json_t *, long long);
static bool	 list_ok(const struct it_resp *, long long, bool,
		    const char *, const char **);
static bool	 list_check_at(const char *, int, const struct it_resp *,
		    long long, bool, const char *, const char *, ...)
		    IT_PRINTF(7, 8);
static bool	 check_list_at(const char *, int, const char *,
		    const char *, long long, bool, const char *, const char *);
static long long count_of(const struct it_resp *, const char *);
static bool	 check_counts_at(const char *, int, const char *,
		    const char *, long long, const char *);
static double	 wait_list_at(const char *, int, const char *, const char *,
		    long long, bool, const char *, double, const char *);
static double	 wait_counts_at(const char *, int, const char *,
		    const char *, long long, double);
static void	 wait_mode_at(const char *, int, const char *, const char *,
		    const char *, double);
static void	 stop_at(const char *, int, struct it_proc *, const char *);
static void	*bg_main(void *);
static bool	 bg_start(struct bg *, const char *, const char *);
static void	 bg_join(struct bg *);
static size_t	 listeners(long long *, size_t);
static bool	 has_pid(const long long *, size_t, long long);
static long	 rss_kb(struct it_proc *);
static void	 bound_body(char *, const char *, int);
static bool	 bound_read(const char *, const char *, double *, long *);
static void	 race_case(const char *, const char *, enum via);
static bool	 cache_control_ok(const struct it_resp *);
static struct it_resp *get_inm(const char *, const char *);
static bool	 is_hit(const struct it_resp *, int);
static struct it_resp *read_hit(const char *, const char *, int);
static int	 sleeping_reads(void);
static bool	 wait_sleeping_at(const char *, int, const char *);
static bool	 wait_lines_at(const char *, int, struct it_proc *,
		    const char *, int);
static size_t	 new_listeners(const long long *, size_t, long long *,
		    size_t);

static void	 test_across_workers(void);
static void	 test_across_processes(void);
static void	 test_stale_query_race(void);
static void	 test_shared_load_race(void);
static void	 test_etag_304(void);
static void	 test_cache_bound(void);
static void	 test_listen_loss(void);
static void	 test_listen_loss_observed(void);
static void	 test_counts_many_articles(void);

#define cli(in, out, ...)						\
	it_cli_at(__FILE__, __LINE__, (in), (out), __VA_ARGS__)
#define admin()		admin_at(__FILE__, __LINE__)
#define act(base, id, action, from, want)				\
	act_at(__FILE__, __LINE__, (base), (id), (action), (from), (want))
#define edit(base, id, body)						\
	edit_at(__FILE__, __LINE__, (base), (id), (body))
#define submit(base, key, body, want)					\
	submit_at(__FILE__, __LINE__, (base), (key), (body), (want))
#define post(key, body)	post_at(__FILE__, __LINE__, (key), (body))
#define approved(key, body)						\
	approved_at(__FILE__, __LINE__, (key), (body))
#define sql_status(id, st)	sql_status_at(__FILE__, __LINE__, (id), (st))
#define CHECK_LIST(r, id, shown, body, ...)				\
	list_check_at(__FILE__, __LINE__, (r), (id), (shown), (body),	\
	    __VA_ARGS__)
#define check_list(base, key, id, shown, body, what)			\
	check_list_at(__FILE__, __LINE__, (base), (key), (id), (shown),	\
	    (body), (what))
#define check_counts(base, key, want, what)				\
	check_counts_at(__FILE__, __LINE__, (base), (key), (want), (what))
#define wait_list(base, key, id, shown, body, t0, what)			\
	wait_list_at(__FILE__, __LINE__, (base), (key), (id), (shown),	\
	    (body), (t0), (what))
#define wait_counts(base, key, want, t0)				\
	wait_counts_at(__FILE__, __LINE__, (base), (key), (want), (t0))
#define wait_mode(base, key, mode, t0)					\
	wait_mode_at(__FILE__, __LINE__, (base), (key), (mode), (t0))
#define spawn(workers, ...)						\
	it_server_at(__FILE__, __LINE__, &spawned_base, (workers),	\
	    __VA_ARGS__)
#define stop(p, what)	stop_at(__FILE__, __LINE__, (p), (what))
#define wait_sleeping(what)	wait_sleeping_at(__FILE__, __LINE__, (what))
#define wait_lines(p, needle, n)					\
	wait_lines_at(__FILE__, __LINE__, (p), (needle), (n))

/* -- helpers -------------------------------------------------------------- */

/* Makes the run's moderator account and its API token (once). */
static bool
admin_at(const char *file, int line)
{
	char	*out;

	if (adm.tried)
		return it_check_at(file, line, adm.ok, "account %s was made",
		    adm.name);
	adm.tried = true;
	snprintf(adm.name, sizeof adm.name, "cache-%s", run_id);
	if (!it_cli_at(file, line, PASSWORD "\n", NULL, "moderator", "add",
	    adm.name, "--role", "moderator", (char *)NULL))
		return false;
	if ((out = it_new_token_at(file, line, adm.name)) == NULL ||
	    !it_check_at(file, line, strlen(out) < sizeof adm.token,
	    "token of %s fits", adm.name))
		return false;
	snprintf(adm.token, sizeof adm.token, "%s", out);
	adm.ok = true;
	return true;
}

/* An article key no other run or test uses. */
static const char *
new_key(const char *tag)
{
	return it_strf("itcache-%s-%s", run_id, tag);
}

/* GET /api/v1/counts naming the n keys. */
static const char *
counts_path(const char *const *keys, size_t n)
{
	char	*p;
	size_t	 i;

	p = it_strf("/api/v1/counts?");
	for (i = 0; i < n; i++)
		p = it_strf("%s%sarticle=%s", p, i > 0 ? "&" : "",
		    it_pct(keys[i]));
	return p;
}

/* An admin request on base (NULL: the server under test). */
static struct it_resp *
adm_req(const char *base, const char *method, const char *path,
    const char *body)
{
	const char	*h[3];
	int		 n = 0;

	h[n++] = it_strf("Authorization: Bearer %s", adm.token);
	if (body != NULL)
		h[n++] = "Content-Type: application/json";
	h[n] = NULL;
	return it_http_at(base, method, path, h, body, (size_t)-1);
}

/*
 * POST /admin/comments/{id}/{action} on base, from the given status
 * (NULL: the action's default); it must answer 200 with status want.
 */
static bool
act_at(const char *file, int line, const char *base, long long id,
    const char *action, const char *from, const char *want)
{
	struct it_resp	*r;
	const char	*body = NULL;

	if (from != NULL)
		body = it_strf("{\"from\":\"%s\"}", from);
	r = adm_req(base, "POST", it_strf("%s/comments/%lld/%s", API, id,
	    action), body);
	if (!it_check_status_at(file, line, r, 200))
		return false;
	return it_check_str_at(file, line, "comment.status",
	    it_jstr(r->json, "comment.status"), want);
}

/* PATCH /admin/comments/{id} with a new body; it must answer 200. */
static bool
edit_at(const char *file, int line, const char *base, long long id,
    const char *body)
{
	struct it_resp	*r;
	json_t		*o;

	o = json_pack("{s:s}", "body", body);
	r = adm_req(base, "PATCH", it_strf("%s/comments/%lld", API, id),
	    it_dump(o));
	if (!it_check_status_at(file, line, r, 200))
		return false;
	return it_check_str_at(file, line, "comment.body",
	    it_jstr(r->json, "comment.body"), body);
}

/*
 * A public submission on base (NULL: the server under test), which must
 * answer want: 202 (pending) or 201 (published at once).  Its id, or -1.
 */
static long long
submit_at(const char *file, int line, const char *base, const char *key,
    const char *body, long want)
{
	const char	*h[] = { "Content-Type: application/json", NULL };
	struct it_resp	*r;
	long long	 id;

	r = it_http_at(base, "POST", it_list_path(key), h, it_dump(json_pack(
	    "{s:s, s:s}", "author", "قارئ", "body", body)), (size_t)-1);
	if (!it_check_status_at(file, line, r, want))
		return -1;
	id = it_jint(r->json, "comment.id", -1);
	if (!it_check_at(file, line, id > 0, "comment.id in the answer"))
		return -1;
	return id;
}

/* A submission that waits for review; its id, or -1. */
static long long
post_at(const char *file, int line, const char *key, const char *body)
{
	return submit_at(file, line, NULL, key, body, 202);
}

/* A submission approved by the moderator; its id, or -1. */
static long long
approved_at(const char *file, int line, const char *key, const char *body)
{
	long long	 id;

	if ((id = post_at(file, line, key, body)) <= 0)
		return -1;
	if (!act_at(file, line, NULL, id, "approve", NULL, "approved"))
		return -1;
	return id;
}

/* A status change in plain SQL, as another program would make it. */
static bool
sql_status_at(const char *file, int line, long long id, const char *st)
{
	PGresult	*res;

	res = it_sql_at(file, line, "UPDATE comments SET status = $2, "
	    "moderated_at = now(), moderated_by = 'sql' WHERE id = $1",
	    it_strf("%lld", id), st, (char *)NULL);
	return it_check_at(file, line, res != NULL &&
	    strcmp(PQcmdTuples(res), "1") == 0, "UPDATE of comment %lld to "
	    "%s changed one row", id, st);
}

/* The comment id anywhere in the thread tree, or NULL. */
static const json_t *
tree_find(const json_t *comments, long long id)
{
	const json_t	*c, *f;
	size_t		 i;

	json_array_foreach(comments, i, c) {
		if (it_jint(c, "id", -1) == id)
			return c;
		if ((f = tree_find(json_object_get(c, "replies"), id)) != NULL)
			return f;
	}
	return NULL;
}

/*
 * A public list answer is 200 and shows comment id (or not), with that
 * body if body is not NULL.  *why says what is wrong.
 */
static bool
list_ok(const struct it_resp *r, long long id, bool shown, const char *body,
    const char **why)
{
	const json_t	*c;
	const char	*got;

	*why = "";
	if (r->status != 200) {
		*why = it_strf("status %ld (%s)", r->status, r->status == 0 ?
		    r->error : r->body);
		return false;
	}
	c = tree_find(it_jget(r->json, "comments"), id);
	if ((c != NULL) != shown) {
		*why = it_strf("comment %lld is %s", id, c != NULL ? "shown" :
		    "not shown");
		return false;
	}
	if (c != NULL && body != NULL && ((got = it_jstr(c, "body")) ==
	    NULL || strcmp(got, body) != 0)) {
		*why = it_strf("comment %lld has body \"%s\", want \"%s\"",
		    id, got != NULL ? got : "(none)", body);
		return false;
	}
	return true;
}

/* A check that r is as list_ok() wants it; the message formatted. */
static bool
list_check_at(const char *file, int line, const struct it_resp *r,
    long long id, bool shown, const char *body, const char *fmt, ...)
{
	const char	*why;
	char		*what;
	va_list		 ap;
	bool		 ok;

	ok = list_ok(r, id, shown, body, &why);
	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) == -1)
		abort();
	va_end(ap);
	it_own(what);
	return it_check_at(file, line, ok, "%s: %s", what, why);
}

/*
 * The next FRESH_READS reads of the list on base, each on a new
 * connection, all show comment id (or not), with body if not NULL.
 */
static bool
check_list_at(const char *file, int line, const char *base, const char *key,
    long long id, bool shown, const char *body, const char *what)
{
	struct it_resp	*r;
	int		 i;

	for (i = 0; i < FRESH_READS; i++) {
		r = it_http_at(base, "GET", it_list_path(key), NULL, NULL, 0);
		if (!list_check_at(file, line, r, id, shown, body, "%s: read "
		    "%d of the list", what, i + 1))
			return false;
	}
	return true;
}

/* counts.KEY of a counts answer, or -1. */
static long long
count_of(const struct it_resp *r, const char *key)
{
	json_t	*v;

	v = json_object_get(json_object_get(r->json, "counts"), key);
	if (r->status != 200 || !json_is_integer(v))
		return -1;
	return json_integer_value(v);
}

/* The next FRESH_READS counts of key on base, each on a new connection. */
static bool
check_counts_at(const char *file, int line, const char *base,
    const char *key, long long want, const char *what)
{
	struct it_resp	*r;
	int		 i;

	for (i = 0; i < FRESH_READS; i++) {
		r = it_http_at(base, "GET", counts_path(&key, 1), NULL, NULL,
		    0);
		if (!it_check_at(file, line, r->status == 200 &&
		    count_of(r, key) == want, "%s: read %d of the counts: "
		    "status %ld, count %lld, want %lld", what, i + 1,
		    r->status, count_of(r, key), want))
			return false;
	}
	return true;
}

/*
 * Polls the list on base (a new connection each time) until three reads
 * in a row show comment id (or not), at most NOTIFY_LIMIT_S after t0.
 * The seconds it took from t0, or -1 (a failed check).
 */
static double
wait_list_at(const char *file, int line, const char *base, const char *key,
    long long id, bool shown, const char *body, double t0, const char *what)
{
	struct it_resp	*r;
	const char	*why, *last = "";
	int		 good = 0;

	/* At least once, even when t0 is long past; a run of good reads
	 * is finished. */
	do {
		r = it_http_at(base, "GET", it_list_path(key), NULL, NULL, 0);
		if (list_ok(r, id, shown, body, &why)) {
			if (++good == 3)
				return it_now() - t0;
			continue;
		}
		last = why;
		good = 0;
		it_sleep_ms(20);
	} while (it_now() - t0 < NOTIFY_LIMIT_S || good > 0);
	it_check_at(file, line, false, "%s: not seen within %.1f s: %s", what,
	    NOTIFY_LIMIT_S, last);
	return -1;
}

/* The same for counts. */
static double
wait_counts_at(const char *file, int line, const char *base, const char *key,
    long long want, double t0)
{
	struct it_resp	*r;
	long long	 got = -1;
	int		 good = 0;

	do {
		r = it_http_at(base, "GET", counts_path(&key, 1), NULL, NULL,
		    0);
		if ((got = count_of(r, key)) == want) {
			if (++good == 3)
				return it_now() - t0;
			continue;
		}
		good = 0;
		it_sleep_ms(20);
	} while (it_now() - t0 < NOTIFY_LIMIT_S || good > 0);
	it_check_at(file, line, false, "counts of %s: %lld, want %lld, not "
	    "seen within %.1f s", key, got, want, NOTIFY_LIMIT_S);
	return -1;
}

/*
 * Polls the list on base until three reads in a row say the article's
 * mode is mode, at most NOTIFY_LIMIT_S after t0.
 */
static void
wait_mode_at(const char *file, int line, const char *base, const char *key,
    const char *mode, double t0)
{
	struct it_resp	*r;
	const char	*got = NULL;
	int		 good = 0;

	do {
		r = it_http_at(base, "GET", it_list_path(key), NULL, NULL, 0);
		got = it_jstr(r->json, "article.mode");
		if (got != NULL && strcmp(got, mode) == 0) {
			if (++good == 3)
				return;
			continue;
		}
		good = 0;
		it_sleep_ms(20);
	} while (it_now() - t0 < NOTIFY_LIMIT_S || good > 0);
	it_check_at(file, line, false, "the mode of %s is %s, want %s within "
	    "%.1f s", key, got != NULL ? got : "(none)", mode,
	    NOTIFY_LIMIT_S);
}

/* SIGTERM: exit status 0 and, under the sanitizers, no report. */
static void
stop_at(const char *file, int line, struct it_proc *p, const char *what)
{
	const char	*out;
	int		 rc;

	if (p == NULL)
		return;
	it_proc_kill(p, SIGTERM);
	rc = it_proc_wait(p, 20000);
	out = it_proc_output(p);
	it_check_at(file, line, rc == 0, "%s: exit status %d after SIGTERM; "
	    "its output: %s", what, rc, out);
	it_check_at(file, line, strstr(out, "runtime error") == NULL &&
	    strstr(out, "Sanitizer") == NULL, "%s: a sanitizer report: %s",
	    what, out);
}

static void *
bg_main(void *arg)
{
	struct bg	*b = arg;

	it_do(&b->req, &b->resp);
	return NULL;
}

/* GET path on base in a thread. */
static bool
bg_start(struct bg *b, const char *base, const char *path)
{
	memset(b, 0, sizeof *b);
	b->req.method = "GET";
	b->req.base = base;
	b->req.path = path;
	b->running = pthread_create(&b->thread, NULL, bg_main, b) == 0;
	return IT_CHECKF(b->running, "pthread_create");
}

static void
bg_join(struct bg *b)
{
	if (b->running)
		pthread_join(b->thread, NULL);
	b->running = false;
}

/* The backends of commentd's listening connections: their pids. */
static size_t
listeners(long long *pids, size_t max)
{
	PGresult	*res;
	size_t		 i, n = 0;

	res = it_sql("SELECT pid FROM pg_stat_activity WHERE query = "
	    "'LISTEN commentd_status' AND state = 'idle' AND "
	    "application_name LIKE 'commentd w%' AND pid <> "
	    "pg_backend_pid() ORDER BY pid", (char *)NULL);
	if (res == NULL)
		return 0;
	for (i = 0; i < (size_t)PQntuples(res) && n < max; i++)
		pids[n++] = strtoll(PQgetvalue(res, (int)i, 0), NULL, 10);
	return n;
}

static bool
has_pid(const long long *pids, size_t n, long long pid)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (pids[i] == pid)
			return true;
	}
	return false;
}

/* VmRSS of a process in KiB, or -1. */
static long
rss_kb(struct it_proc *p)
{
	FILE	*fp;
	char	 line[256], *path;
	long	 kb = -1;

	path = it_strf("/proc/%ld/status", (long)it_proc_pid(p));
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, fp) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kb = strtol(line + 6, NULL, 10);
			break;
		}
	}
	fclose(fp);
	return kb;
}

/*
 * Comment n of article key in the bound test, as the SQL makes it:
 * rpad(key || ':' || n || ' ', BOUND_BODY, 'abcdefghij'), into buf.
 */
static void
bound_body(char *buf, const char *key, int n)
{
	static const char fill[] = "abcdefghij";
	size_t		 len, i;

	len = (size_t)snprintf(buf, BOUND_BODY + 1, "%s:%d ", key, n);
	for (i = len; i < BOUND_BODY; i++)
		buf[i] = fill[(i - len) % (sizeof fill - 1)];
	buf[BOUND_BODY] = '\0';
}

/*
 * GET of article key's list on base (a caller-owned answer: the test
 * reads hundreds of large ones); true if it is whole and right.
 * *elapsed is how long it took, *status its status.
 */
static bool
bound_read(const char *base, const char *key, double *elapsed, long *status)
{
	struct it_req	 req;
	struct it_resp	 r;
	const json_t	*comments, *c;
	const char	*b, *k;
	char		 want[BOUND_BODY + 1];
	size_t		 i;
	unsigned long	 seen = 0;
	bool		 ok = false;
	int		 n;

	memset(&req, 0, sizeof req);
	req.method = "GET";
	req.base = base;
	req.path = it_list_path(key);
	it_do(&req, &r);
	*elapsed = r.elapsed;
	*status = r.status;
	if (r.status != 200 || (k = it_jstr(r.json, "article.key")) ==
	    NULL || strcmp(k, key) != 0)
		goto out;
	comments = it_jget(r.json, "comments");
	if (json_array_size(comments) != BOUND_COMMENTS ||
	    it_jint(r.json, "total", -1) != BOUND_COMMENTS)
		goto out;
	json_array_foreach(comments, i, c) {
		if ((b = it_jstr(c, "body")) == NULL ||
		    strncmp(b, key, strlen(key)) != 0 ||
		    b[strlen(key)] != ':')
			goto out;
		n = atoi(b + strlen(key) + 1);
		if (n < 1 || n > BOUND_COMMENTS || (seen & (1UL << n)) != 0)
			goto out;
		bound_body(want, key, n);
		if (strcmp(b, want) != 0)
			goto out;
		seen |= 1UL << n;
	}
	ok = true;
out:
	it_resp_clear(&r);
	return ok;
}

/* On a server with a read delay of delay_ms: faster than a load can be. */
static bool
is_hit(const struct it_resp *r, int delay_ms)
{
	return r->status == 200 && r->elapsed < delay_ms / 1000.0 * 0.9;
}

/*
 * Reads key's list on base until a read is a hit, at most HIT_TRIES
 * times; the hit, or the last answer.
 */
static struct it_resp *
read_hit(const char *base, const char *key, int delay_ms)
{
	struct it_resp	*r;
	int		 i = 0;

	do {
		r = it_http_at(base, "GET", it_list_path(key), NULL, NULL, 0);
	} while (r->status == 200 && !is_hit(r, delay_ms) &&
	    ++i < HIT_TRIES);
	return r;
}

/* Public reads of a delayed server sleeping in their query now. */
static int
sleeping_reads(void)
{
	return (int)it_sql_ll("SELECT count(*) FROM pg_stat_activity WHERE "
	    "state = 'active' AND wait_event = 'PgSleep' AND query LIKE "
	    "'%pg_sleep%' AND pid <> pg_backend_pid()", (char *)NULL);
}

/*
 * Waits until a read's query visibly sleeps (its snapshot is taken):
 * a deadline, not a speed.
 */
static bool
wait_sleeping_at(const char *file, int line, const char *what)
{
	double	 deadline = it_now() + it_limit_ms(10000) / 1000.0;

	while (sleeping_reads() < 1 && it_now() < deadline)
		it_sleep_ms(5);
	return it_check_at(file, line, sleeping_reads() >= 1, "%s: a read's "
	    "query sleeps in pg_stat_activity", what);
}

/* Waits until p's output has n lines containing needle. */
static bool
wait_lines_at(const char *file, int line, struct it_proc *p,
    const char *needle, int n)
{
	double		 deadline = it_now() + it_limit_ms(10000) / 1000.0;
	const char	*out, *at;
	int		 k;

	for (;;) {
		out = it_proc_output(p);
		for (k = 0, at = out; (at = strstr(at, needle)) != NULL; k++)
			at += strlen(needle);
		if (k >= n || it_now() > deadline)
			break;
		it_sleep_ms(20);
	}
	return it_check_at(file, line, k >= n, "%d lines with \"%s\" in the "
	    "server's output, want %d: %s", k, needle, n, out);
}

/* The listening connections now that are not among before[0..nb). */
static size_t
new_listeners(const long long *before, size_t nb, long long *fresh,
    size_t max)
{
	long long	 now[64];
	size_t		 nn, i, n = 0;

	nn = listeners(now, 64);
	for (i = 0; i < nn && n < max; i++) {
		if (!has_pid(before, nb, now[i]))
			fresh[n++] = now[i];
	}
	return n;
}

/* -- 1. across the workers of one process ------------------------------- */

/*
 * Every action is seen by the very next read on either worker: the
 * worker that made the change bumps the article's generation before it
 * answers, and generations are shared by the workers.
 */
static void
test_across_workers(void)
{
	const char	*key = new_key("workers"), *other, *keys[2], *post_key;
	const char	*body3 = "التعليق بعد التحرير";
	struct it_resp	*r;
	long long	 c1, c2, c3, c4;
	int		 i;

	IT_REQUIRE(admin());
	other = new_key("workers-other");
	post_key = new_key("workers-post");
	c1 = approved(key, "التعليق الأول");
	c2 = approved(key, "التعليق الثاني");
	c3 = post(key, "التعليق الثالث");
	IT_REQUIRE(c1 > 0 && c2 > 0 && c3 > 0);
	IT_REQUIRE(approved(other, "تعليق على مقال آخر") > 0);
	keys[0] = key;
	keys[1] = other;

	/* Warm both workers' caches: the list shows c1 and c2, not c3. */
	for (i = 0; i < WARM_READS; i++) {
		r = it_http("GET", it_list_path(key), NULL, NULL, 0);
		if (!CHECK_LIST(r, c3, false, NULL, "warm-up read"))
			return;
		if (!CHECK_LIST(r, c1, true, NULL, "warm-up read"))
			return;
		r = it_http("GET", counts_path(keys, 2), NULL, NULL, 0);
		IT_REQUIRE(IT_CHECK_INT(count_of(r, key), 2));
		IT_CHECK_INT(count_of(r, other), 1);
	}

	/* Approve. */
	IT_REQUIRE(act(NULL, c3, "approve", NULL, "approved"));
	check_list(NULL, key, c3, true, NULL, "after approve");
	check_counts(NULL, key, 3, "after approve");
	for (i = 0; i < FRESH_READS; i++) {
		r = it_http("GET", counts_path(keys, 2), NULL, NULL, 0);
		IT_CHECKF(count_of(r, key) == 3 && count_of(r, other) == 1,
		    "counts of two articles after approve: %lld and %lld",
		    count_of(r, key), count_of(r, other));
	}

	/* Reject a published comment (unpublish). */
	for (i = 0; i < WARM_READS; i++) {
		r = it_http("GET", it_list_path(key), NULL, NULL, 0);
		if (!CHECK_LIST(r, c1, true, NULL, "warm-up"))
			return;
		r = it_http("GET", counts_path(&key, 1), NULL, NULL, 0);
	}
	IT_REQUIRE(act(NULL, c1, "reject", "approved", "rejected"));
	check_list(NULL, key, c1, false, NULL, "after reject");
	check_counts(NULL, key, 2, "after reject");

	/* Delete a published comment. */
	for (i = 0; i < WARM_READS; i++) {
		r = it_http("GET", it_list_path(key), NULL, NULL, 0);
		if (!CHECK_LIST(r, c2, true, NULL, "warm-up"))
			return;
		r = it_http("GET", counts_path(&key, 1), NULL, NULL, 0);
	}
	IT_REQUIRE(act(NULL, c2, "delete", "approved", "deleted"));
	check_list(NULL, key, c2, false, NULL, "after delete");
	check_counts(NULL, key, 1, "after delete");

	/* Edit the body of a published comment. */
	for (i = 0; i < WARM_READS; i++) {
		r = it_http("GET", it_list_path(key), NULL, NULL, 0);
		if (!CHECK_LIST(r, c3, true, "التعليق الثالث",
		    "warm-up"))
			return;
	}
	IT_REQUIRE(edit(NULL, c3, body3));
	check_list(NULL, key, c3, true, body3, "after edit");
	check_counts(NULL, key, 1, "after edit");

	/* Restore the deleted one (back to pending: still not shown),
	 * then approve it again. */
	IT_REQUIRE(act(NULL, c2, "restore", NULL, "pending"));
	check_list(NULL, key, c2, false, NULL, "after restore");
	IT_REQUIRE(act(NULL, c2, "approve", NULL, "approved"));
	check_list(NULL, key, c2, true, NULL, "after approving again");
	check_counts(NULL, key, 2, "after approving again");

	/* A submission published at once (a postmoderated article). */
	IT_REQUIRE(it_sql("INSERT INTO articles (key, mode) VALUES ($1, "
	    "'postmoderated')", post_key, (char *)NULL) != NULL);
	for (i = 0; i < WARM_READS; i++) {
		r = it_http("GET", it_list_path(post_key), NULL, NULL, 0);
		IT_REQUIRE_STATUS(r, 200);
		r = it_http("GET", counts_path(&post_key, 1), NULL, NULL, 0);
	}
	c4 = submit(NULL, post_key, "منشور فورا", 201);
	IT_REQUIRE(c4 > 0);
	check_list(NULL, post_key, c4, true, "منشور فورا", "after a "
	    "submission published at once");
	check_counts(NULL, post_key, 1, "after a submission published at "
	    "once");
}

/* -- 2. across processes on one database ---------------------------------- */

static void
test_across_processes(void)
{
	const char	*key = new_key("procs"), *late, *base2;
	const char	*body2 = "نص معدل من خادم آخر";
	struct it_proc	*p;
	struct it_resp	*r;
	long long	 c1, c2, c3, c4, c5, c6;
	double		 t0, t;
	int		 i;

	IT_REQUIRE(admin());
	c1 = approved(key, "أول");
	c2 = approved(key, "ثان");
	c3 = post(key, "ثالث");
	IT_REQUIRE(c1 > 0 && c2 > 0 && c3 > 0);
	p = spawn("1", (char *)NULL);
	IT_REQUIRE(p != NULL);
	base2 = spawned_base;
	it_note("a second server listens at %s", base2);

	/* A never-commented article: an empty page, cached too. */
	late = new_key("procs-late");
	for (i = 0; i < 3; i++) {
		r = it_http_at(base2, "GET", it_list_path(late), NULL, NULL, 0);
		IT_CHECK_STATUS(r, 200);
		IT_CHECK_INT(it_jint(r->json, "total", -1), 0);
	}

	/* Warm the second server; act through the first. */
	for (i = 0; i < 3; i++) {
		r = it_http_at(base2, "GET", it_list_path(key), NULL, NULL, 0);
		CHECK_LIST(r, c3, false, NULL, "warm-up");
		r = it_http_at(base2, "GET", counts_path(&key, 1), NULL, NULL,
		    0);
		IT_CHECK_INT(count_of(r, key), 2);
	}
	t0 = it_now();
	IT_REQUIRE(act(NULL, c3, "approve", NULL, "approved"));
	t = wait_list(base2, key, c3, true, NULL, t0, "approve on the "
	    "first server, read on the second");
	it_note("the approval reached the second server in %.3f s", t);
	wait_counts(base2, key, 3, t0);

	t0 = it_now();
	IT_REQUIRE(act(NULL, c1, "reject", "approved", "rejected"));
	t = wait_list(base2, key, c1, false, NULL, t0, "reject on the first "
	    "server, read on the second");
	it_note("the rejection reached the second server in %.3f s", t);
	wait_counts(base2, key, 2, t0);

	t0 = it_now();
	IT_REQUIRE(edit(NULL, c2, body2));
	t = wait_list(base2, key, c2, true, body2, t0, "edit on the first "
	    "server, read on the second");
	it_note("the edit reached the second server in %.3f s", t);

	/* And the other way round: act on the second, read the first. */
	for (i = 0; i < WARM_READS; i++)
		it_http("GET", it_list_path(key), NULL, NULL, 0);
	t0 = it_now();
	IT_REQUIRE(act(base2, c2, "delete", "approved", "deleted"));
	check_list(base2, key, c2, false, NULL, "delete on the second "
	    "server, read on it");
	wait_list(NULL, key, c2, false, NULL, t0, "delete on the second "
	    "server, read on the first");

	/* A change in plain SQL: both servers hear it by NOTIFY alone. */
	for (i = 0; i < WARM_READS; i++) {
		it_http("GET", it_list_path(key), NULL, NULL, 0);
		it_http_at(base2, "GET", it_list_path(key), NULL, NULL, 0);
	}
	t0 = it_now();
	IT_REQUIRE(sql_status(c3, "rejected"));
	t = wait_list(base2, key, c3, false, NULL, t0, "SQL change, second "
	    "server");
	it_note("the SQL change reached the second server in %.3f s", t);
	t = wait_list(NULL, key, c3, false, NULL, t0, "SQL change, first "
	    "server");
	check_list(NULL, key, c3, false, NULL, "SQL change, first server "
	    "again");
	wait_counts(NULL, key, 0, t0);
	wait_counts(base2, key, 0, t0);

	t0 = it_now();
	IT_REQUIRE(sql_status(c3, "approved"));
	wait_list(base2, key, c3, true, NULL, t0, "SQL approval, second "
	    "server");
	wait_list(NULL, key, c3, true, NULL, t0, "SQL approval, first "
	    "server");

	/* An article and its comment made in SQL: the cached empty page
	 * goes. */
	t0 = it_now();
	c4 = it_sql_ll("WITH a AS (INSERT INTO articles (key) VALUES ($1) "
	    "RETURNING id) INSERT INTO comments (article_id, author, body, "
	    "status, submitted_status) SELECT id, 'sql', 'من SQL', "
	    "'approved', 'approved' FROM a RETURNING id", late, (char *)NULL);
	IT_REQUIRE(c4 > 0);
	wait_list(base2, late, c4, true, "من SQL", t0, "a new article made "
	    "in SQL, second server");
	wait_list(NULL, late, c4, true, "من SQL", t0, "a new article made "
	    "in SQL, first server");

	/* Published at once: announced after the submission's commit. */
	t0 = it_now();
	IT_REQUIRE(it_sql("UPDATE articles SET mode = 'postmoderated' WHERE "
	    "key = $1", key, (char *)NULL) != NULL);
	wait_mode(base2, key, "postmoderated", t0);
	wait_mode(NULL, key, "postmoderated", t0);
	for (i = 0; i < WARM_READS; i++) {
		r = it_http("GET", it_list_path(key), NULL, NULL, 0);
		IT_CHECK_STR(it_jstr(r->json, "article.mode"),
		    "postmoderated");
		r = it_http_at(base2, "GET", it_list_path(key), NULL, NULL, 0);
		IT_CHECK_STR(it_jstr(r->json, "article.mode"),
		    "postmoderated");
	}
	t0 = it_now();
	c5 = submit(NULL, key, "منشور من الخادم الأول", 201);
	IT_REQUIRE(c5 > 0);
	check_list(NULL, key, c5, true, NULL, "published at once, first "
	    "server");
	t = wait_list(base2, key, c5, true, NULL, t0, "published at once "
	    "on the first server, second server");
	it_note("a comment published at once reached the second server in "
	    "%.3f s", t);
	t0 = it_now();
	c6 = submit(base2, key, "منشور من الخادم الثاني", 201);
	IT_REQUIRE(c6 > 0);
	check_list(base2, key, c6, true, NULL, "published at once, second "
	    "server");
	wait_list(NULL, key, c6, true, NULL, t0, "published at once on the "
	    "second server, first server");

	stop(p, "the second server");
}

/* -- 3. the stale-query race --------------------------------------------- */

/*
 * One round on the slow server at base: a read (A) starts a load whose
 * query sleeps RACE_DELAY_MS inside its snapshot; once that query visibly
 * sleeps, comment c is rejected (via says how the server learns of it),
 * and the server hears of it, while A's query still sleeps.  A shows c
 * (its snapshot predates the commit); the next read (B) must not: A's
 * answer must not have been cached.  Every step of the race is observed,
 * not timed: the query in pg_stat_activity, the server's knowledge of
 * the change by the article's counts (cached, not delayed, and made stale
 * by the same change).
 */
static void
race_case(const char *base, const char *tag, enum via via)
{
	static const char *const names[] = { "this server's admin API",
	    "the other server's admin API", "plain SQL" };
	const char	*key = new_key(tag), *how = names[via];
	struct it_resp	*r, *r2;
	struct bg	 a;
	long long	 c, d, n = -1;
	double		 deadline;
	int		 i;

	c = approved(key, "سيرفض أثناء القراءة");
	d = approved(key, "يبقى منشورا");
	IT_REQUIRE(c > 0 && d > 0);
	/* The counts, cached: they tell when the server heard. */
	for (i = 0; i < 2; i++) {
		r = it_http_at(base, "GET", counts_path(&key, 1), NULL, NULL,
		    0);
		IT_REQUIRE(IT_CHECK_INT(count_of(r, key), 2));
	}
	IT_REQUIRE(IT_CHECK_INT(sleeping_reads(), 0));

	IT_REQUIRE(bg_start(&a, base, it_list_path(key)));
	if (!wait_sleeping(how)) {
		bg_join(&a);
		return;
	}
	switch (via) {
	case VIA_SAME:
		IT_CHECK(act(base, c, "reject", "approved", "rejected"));
		break;
	case VIA_OTHER:
		IT_CHECK(act(NULL, c, "reject", "approved", "rejected"));
		break;
	case VIA_SQL:
		IT_CHECK(sql_status(c, "rejected"));
		break;
	}
	/* Heard: the counts are made stale by the change (in-process, or
	 * by its NOTIFY). */
	deadline = it_now() + NOTIFY_LIMIT_S;
	do {
		r = it_http_at(base, "GET", counts_path(&key, 1), NULL, NULL,
		    0);
		if ((n = count_of(r, key)) == 1)
			break;
		it_sleep_ms(5);
	} while (it_now() < deadline);
	IT_CHECKF(n == 1, "%s: the server's counts show the change: %lld",
	    how, n);
	/* The race really happened: A's query still sleeps. */
	IT_CHECKF(sleeping_reads() >= 1, "%s: read A's query ended before "
	    "the server heard of the change: no race (a machine too busy "
	    "for a %d ms read delay?)", how, RACE_DELAY_MS);
	bg_join(&a);

	IT_CHECKF(a.resp.status == 200, "%s: read A: status %ld (%s)", how,
	    a.resp.status, a.resp.error);
	IT_CHECKF(a.resp.elapsed >= RACE_DELAY_MS / 1000.0 * 0.9,
	    "%s: read A took %.3f s: not a load", how, a.resp.elapsed);
	if (a.resp.status == 200)
		CHECK_LIST(&a.resp, c, true, NULL, "%s: read A (its snapshot "
		    "is older than the change)", how);
	it_resp_clear(&a.resp);

	/* B: must not show c. */
	r = it_http_at(base, "GET", it_list_path(key), NULL, NULL, 0);
	CHECK_LIST(r, c, false, NULL, "%s: read B after the race", how);
	CHECK_LIST(r, d, true, NULL, "%s: read B", how);
	/* And the cache is on: B's answer was stored and is served. */
	r2 = read_hit(base, key, RACE_DELAY_MS);
	CHECK_LIST(r2, c, false, NULL, "%s: read after B", how);
	IT_CHECKF(is_hit(r2, RACE_DELAY_MS), "%s: %d reads after B, the "
	    "last took %.3f s: none from the cache", how, HIT_TRIES,
	    r2->elapsed);
	IT_CHECKF(r->body_len == r2->body_len && memcmp(r->body, r2->body,
	    r->body_len) == 0, "%s: the cached answer is B's", how);
}

static void
test_stale_query_race(void)
{
	struct it_proc	*p;
	const char	*base;

	IT_REQUIRE(admin());
	p = spawn("1", it_strf("COMMENTD_DEBUG_READ_DELAY_MS=%d",
	    RACE_DELAY_MS), (char *)NULL);
	IT_REQUIRE(p != NULL);
	base = spawned_base;
	race_case(base, "race-same", VIA_SAME);
	race_case(base, "race-other", VIA_OTHER);
	race_case(base, "race-sql", VIA_SQL);
	stop(p, "the slow server");
}

/*
 * A read arriving while a load of the same answer is under way waits
 * for it (a shared load).  If the article changed after that load's
 * query was sent (and the change's 200 was already answered), the
 * waiter must not get the load's stale answer: the change must be
 * visible to the very next read.
 */
static void
test_shared_load_race(void)
{
	struct it_proc	*p;
	struct it_resp	*r;
	struct bg	 a;
	const char	*base, *key = new_key("race-join");
	long long	 c, d;
	bool		 racing;

	IT_REQUIRE(admin());
	c = approved(key, "سيرفض أثناء القراءة");
	d = approved(key, "يبقى منشورا");
	IT_REQUIRE(c > 0 && d > 0);
	p = spawn("1", it_strf("COMMENTD_DEBUG_READ_DELAY_MS=%d",
	    RACE_DELAY_MS), (char *)NULL);
	IT_REQUIRE(p != NULL);
	base = spawned_base;

	IT_REQUIRE(bg_start(&a, base, it_list_path(key)));
	if (!wait_sleeping("shared load")) {
		bg_join(&a);
		return;
	}
	IT_CHECK(act(base, c, "reject", "approved", "rejected"));
	racing = sleeping_reads() >= 1;
	/* A is still loading: this read is issued after the 200. */
	r = it_http_at(base, "GET", it_list_path(key), NULL, NULL, 0);
	bg_join(&a);
	IT_CHECKF(racing, "read A's query ended before the change's answer: "
	    "no race (a machine too busy for a %d ms read delay?)",
	    RACE_DELAY_MS);
	it_resp_clear(&a.resp);
	CHECK_LIST(r, c, false, NULL, "the read issued after the reject's "
	    "200, while an older load was under way (%.3f s)", r->elapsed);
	CHECK_LIST(r, d, true, NULL, "that read");
	check_list(base, key, c, false, NULL, "after the shared load");
	stop(p, "the slow server");
}

/* -- 4. conditional requests ---------------------------------------------- */

static bool
cache_control_ok(const struct it_resp *r)
{
	const char	*cc = it_header(r, "Cache-Control"), *m, *s;

	if (cc == NULL || strstr(cc, "public") == NULL)
		return false;
	m = strstr(cc, "max-age=");
	s = strstr(cc, "stale-while-revalidate=");
	return m != NULL && s != NULL &&
	    m[8] >= '0' && m[8] <= '9' && s[23] >= '0' && s[23] <= '9';
}

/* A GET of path with If-None-Match: inm. */
static struct it_resp *
get_inm(const char *path, const char *inm)
{
	const char	*h[2];

	h[0] = it_strf("If-None-Match: %s", inm);
	h[1] = NULL;
	return it_http("GET", path, h, NULL, 0);
}

static void
test_etag_304(void)
{
	const char	*key = new_key("etag"), *path, *etag, *etag2, *cp;
	const char	*cetag, *h;
	struct it_resp	*r, *first;
	long long	 c1, c2;
	int		 i;

	IT_REQUIRE(admin());
	c1 = approved(key, "تعليق للوسم");
	c2 = post(key, "تعليق ينتظر");
	IT_REQUIRE(c1 > 0 && c2 > 0);
	path = it_list_path(key);

	first = it_http("GET", path, NULL, NULL, 0);
	IT_REQUIRE_STATUS(first, 200);
	etag = it_header(first, "ETag");
	IT_REQUIREF(etag != NULL && strlen(etag) > 2 && etag[0] == '"' &&
	    etag[strlen(etag) - 1] == '"', "a quoted strong ETag: %s",
	    etag != NULL ? etag : "(none)");
	IT_CHECKF(cache_control_ok(first), "Cache-Control: %s",
	    it_header(first, "Cache-Control") != NULL ? it_header(first,
	    "Cache-Control") : "(none)");

	/* Same bytes on either worker: the same ETag, and 304s. */
	for (i = 0; i < FRESH_READS; i++) {
		r = it_http("GET", path, NULL, NULL, 0);
		IT_CHECK_STATUS(r, 200);
		IT_CHECK_STR(it_header(r, "ETag"), etag);
		IT_CHECKF(r->body_len == first->body_len && memcmp(r->body,
		    first->body, r->body_len) == 0, "the same answer");
	}
	for (i = 0; i < FRESH_READS; i++) {
		r = get_inm(path, etag);
		IT_CHECK_STATUS(r, 304);
		IT_CHECK_INT(r->body_len, 0);
		IT_CHECK_STR(it_header(r, "ETag"), etag);
		IT_CHECKF(cache_control_ok(r), "Cache-Control on a 304");
	}
	/* The forms a client or proxy may send. */
	r = get_inm(path, it_strf("W/%s", etag));
	IT_CHECK_STATUS(r, 304);
	IT_CHECK_INT(r->body_len, 0);
	r = get_inm(path, it_strf("\"a\", %s, \"b\"", etag));
	IT_CHECK_STATUS(r, 304);
	r = get_inm(path, it_strf("\"a\",%s", etag));
	IT_CHECK_STATUS(r, 304);
	r = get_inm(path, it_strf("\"a\", W/%s", etag));
	IT_CHECK_STATUS(r, 304);
	r = get_inm(path, "*");
	IT_CHECK_STATUS(r, 304);
	/* Others do not match: the whole answer. */
	r = get_inm(path, "\"0123456789abcdef0123456789abcdef\"");
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(r->body_len, first->body_len);
	IT_CHECK_STR(it_header(r, "ETag"), etag);
	cp = it_strf("%.*s\"", (int)strlen(etag) - 2, etag);
	r = get_inm(path, cp);		/* a prefix of the tag */
	IT_CHECK_STATUS(r, 200);
	r = get_inm(path, it_strf("\"a\", \"b\""));
	IT_CHECK_STATUS(r, 200);

	/* Counts have ETags too. */
	r = it_http("GET", counts_path(&key, 1), NULL, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	cetag = it_header(r, "ETag");
	IT_CHECKF(cetag != NULL && strcmp(cetag, etag) != 0, "counts have "
	    "their own ETag: %s", cetag != NULL ? cetag : "(none)");
	IT_CHECKF(cache_control_ok(r), "Cache-Control on counts");
	if (cetag != NULL) {
		r = get_inm(counts_path(&key, 1), cetag);
		IT_CHECK_STATUS(r, 304);
		IT_CHECK_INT(r->body_len, 0);
	}

	/* After a change: the old tag gets the new answer, a new tag. */
	IT_REQUIRE(act(NULL, c2, "approve", NULL, "approved"));
	etag2 = NULL;
	for (i = 0; i < FRESH_READS; i++) {
		r = get_inm(path, etag);
		IT_CHECK_STATUS(r, 200);
		CHECK_LIST(r, c2, true, NULL, "after the change");
		h = it_header(r, "ETag");
		IT_CHECKF(h != NULL && strcmp(h, etag) != 0, "a new ETag "
		    "after the change: %s", h != NULL ? h : "(none)");
		if (etag2 == NULL)
			etag2 = h;
		else
			IT_CHECK_STR(h, etag2);
	}
	if (cetag != NULL) {
		r = get_inm(counts_path(&key, 1), cetag);
		IT_CHECK_STATUS(r, 200);
		IT_CHECK_INT(count_of(r, key), 2);
	}
	IT_REQUIRE(etag2 != NULL);
	for (i = 0; i < FRESH_READS; i++) {
		r = get_inm(path, etag2);
		IT_CHECK_STATUS(r, 304);
	}

	/* Not found (a key no article can have): no ETag, and
	 * If-None-Match does not make it 304. */
	r = get_inm("/api/v1/articles/bad%ffkey/comments", "*");
	IT_CHECK_STATUS(r, 404);
	IT_CHECK(it_header(r, "ETag") == NULL);
}

/* -- 5. the memory bound -------------------------------------------------- */

static void
test_cache_bound(void)
{
	const char	*prefix = new_key("bound-"), *base, *key;
	struct it_proc	*p;
	PGresult	*res;
	long		 rss0, rss1, st;
	double		 t0, el;
	int		 i, j, bad = 0, hits = 0, early_hits = 0;

	/* Made in one statement (each row announced, as always). */
	t0 = it_now();
	res = it_sql("WITH a AS (INSERT INTO articles (key) SELECT $1 || "
	    "lpad(g::text, 4, '0') FROM generate_series(1, $2::int) g "
	    "RETURNING id, key) INSERT INTO comments (article_id, author, "
	    "body, status, submitted_status) SELECT a.id, 'bound', "
	    "rpad(a.key || ':' || n || ' ', $3::int, 'abcdefghij'), "
	    "'approved', 'approved' FROM a, generate_series(1, $4::int) n",
	    prefix, it_strf("%d", BOUND_ARTICLES), it_strf("%d", BOUND_BODY),
	    it_strf("%d", BOUND_COMMENTS), (char *)NULL);
	IT_REQUIRE(res != NULL);
	IT_REQUIRE(IT_CHECK_STR(PQcmdTuples(res), it_strf("%d",
	    BOUND_ARTICLES * BOUND_COMMENTS)));
	it_note("%d articles, %d comments of %d bytes each, made in %.2f s "
	    "(answers of ~%d KiB, ~%d MiB in all)", BOUND_ARTICLES,
	    BOUND_COMMENTS, BOUND_BODY, it_now() - t0,
	    BOUND_COMMENTS * BOUND_BODY / 1024, BOUND_ARTICLES *
	    BOUND_COMMENTS * BOUND_BODY / 1024 / 1024);

	p = spawn("1", "COMMENTD_CACHE_MB=1", it_strf(
	    "COMMENTD_DEBUG_READ_DELAY_MS=%d", BOUND_DELAY_MS), (char *)NULL);
	IT_REQUIRE(p != NULL);
	base = spawned_base;

	/* Warm up (connections, buffers, a full cache), then measure. */
	for (i = 1; i <= 40; i++) {
		key = it_strf("%s%04d", prefix, i);
		IT_REQUIREF(bound_read(base, key, &el, &st), "the answer "
		    "about %s: status %ld", key, st);
	}
	it_sleep_ms(200);
	rss0 = rss_kb(p);
	IT_REQUIRE(rss0 > 0);

	/*
	 * Every article: a load, then (mostly) a hit.  A hit is a read
	 * faster than the delay; one slowed by a busy machine is given a
	 * few more reads (a cache that did not keep the answer makes each
	 * a load).
	 */
	for (i = 1; i <= BOUND_ARTICLES; i++) {
		key = it_strf("%s%04d", prefix, i);
		for (j = 0; j < 1 + HIT_TRIES; j++) {
			if (!bound_read(base, key, &el, &st) && bad++ < 5)
				IT_CHECKF(false, "read %d of %s: a wrong "
				    "answer (status %ld)", j + 1, key, st);
			if (j > 0 && el < BOUND_DELAY_MS / 1000.0) {
				hits++;
				break;
			}
		}
	}
	/* The first ones again: evicted long ago, so loaded again. */
	for (i = 1; i <= 100; i++) {
		key = it_strf("%s%04d", prefix, i);
		if (!bound_read(base, key, &el, &st) && bad++ < 5)
			IT_CHECKF(false, "re-read of %s: a wrong answer "
			    "(status %ld)", key, st);
		if (el < BOUND_DELAY_MS / 1000.0)
			early_hits++;
	}
	IT_CHECK_INT(bad, 0);
	rss1 = rss_kb(p);
	it_note("resident size %ld KiB before, %ld KiB after (%+ld KiB); "
	    "%d of %d articles read again were hits, %d of 100 re-reads",
	    rss0, rss1, rss1 - rss0, hits, BOUND_ARTICLES, early_hits);
	IT_CHECKF(rss1 - rss0 < BOUND_GROWTH_KB, "the server grew by %ld "
	    "KiB reading %d MiB of answers with a 1 MiB cache", rss1 - rss0,
	    BOUND_ARTICLES * BOUND_COMMENTS * BOUND_BODY / 1024 / 1024);
	/* The cache was on (second reads hit), and bounded (the oldest
	 * entries were gone: every re-read was a load). */
	IT_CHECKF(hits >= BOUND_ARTICLES / 2, "only %d of %d articles read "
	    "again were served from the cache", hits, BOUND_ARTICLES);
	IT_CHECKF(early_hits == 0, "%d of 100 re-reads of the first "
	    "articles were served from a 1 MiB cache holding %d MiB",
	    early_hits, BOUND_ARTICLES * BOUND_COMMENTS * BOUND_BODY / 1024 /
	    1024);
	stop(p, "the bounded server");
}

/* -- 6. loss of the listening connection ---------------------------------- */

/*
 * Both workers of a server lose their listening connections at once, and
 * stay without them for LISTEN_RETRY_MS: a change made meanwhile is heard
 * by nobody, so the cache must be off (every read a load, right), and
 * once they are back nothing cached before is served.  The server's log
 * says when each worker noticed and came back: the test waits for those
 * lines, and checks in pg_stat_activity that the change really committed
 * while nobody listened.
 */
static void
test_listen_loss(void)
{
	const char	*key = new_key("listen"), *arr, *base;
	struct it_proc	*p;
	struct it_resp	*r;
	long long	 before[64], mine[64], back[64], c1, c2, c3;
	size_t		 nb, nm, n, i;
	double		 t0;
	int		 k;

	IT_REQUIRE(admin());
	c1 = approved(key, "قبل الانقطاع");
	c2 = approved(key, "تعليق ثان");
	c3 = approved(key, "تعليق ثالث");
	IT_REQUIRE(c1 > 0 && c2 > 0 && c3 > 0);
	nb = listeners(before, 64);
	p = spawn("2", it_strf("COMMENTD_DB_RETRY_MIN_MS=%d", LISTEN_RETRY_MS),
	    it_strf("COMMENTD_DB_RETRY_MAX_MS=%d", LISTEN_RETRY_MS),
	    (char *)NULL);
	IT_REQUIRE(p != NULL);
	base = spawned_base;
	/* Both workers listen (the first line was waited for at start). */
	IT_REQUIRE(wait_lines(p, LISTENING, 2));
	t0 = it_now();
	while ((nm = new_listeners(before, nb, mine, 64)) < 2 &&
	    it_now() - t0 < it_limit_ms(10000) / 1000.0)
		it_sleep_ms(20);
	IT_REQUIREF(nm == 2, "the server's two workers listen: %zu new "
	    "listening connections", nm);
	for (k = 0; k < WARM_READS; k++) {
		r = it_http_at(base, "GET", it_list_path(key), NULL, NULL, 0);
		if (!CHECK_LIST(r, c1, true, NULL, "warm-up"))
			goto out;
	}

	/* Both at once; each worker says when it noticed. */
	arr = it_strf("{%lld,%lld}", mine[0], mine[1]);
	IT_REQUIRE(it_sql("SELECT pg_terminate_backend(p, 5000) FROM "
	    "unnest($1::int[]) p", arr, (char *)NULL) != NULL);
	if (!wait_lines(p, "the read cache is off", 2))
		goto out;
	/* Its NOTIFY reaches no listener of the server. */
	IT_REQUIRE(sql_status(c1, "rejected"));
	for (i = 0, n = listeners(back, 64); i < n; i++)
		IT_CHECKF(has_pid(before, nb, back[i]), "listening connection "
		    "%lld is back before the change was checked: the cache "
		    "may have heard it (a machine too busy for %d ms?)",
		    back[i], LISTEN_RETRY_MS);
	check_list(base, key, c1, false, NULL, "a change while the "
	    "listening connections are down");

	/* They come back (a new connection each), and the cache is on
	 * again: nothing from before the loss may be served. */
	if (!wait_lines(p, LISTENING, 4))
		goto out;
	check_list(base, key, c1, false, NULL, "after the listeners came "
	    "back");

	/* Caching again, and invalidated by NOTIFY again. */
	for (k = 0; k < WARM_READS; k++) {
		r = it_http_at(base, "GET", it_list_path(key), NULL, NULL, 0);
		CHECK_LIST(r, c2, true, NULL, "warm-up");
	}
	t0 = it_now();
	IT_REQUIRE(sql_status(c2, "rejected"));
	wait_list(base, key, c2, false, NULL, t0, "a SQL change after the "
	    "listeners came back");
	check_list(base, key, c2, false, NULL, "reads after that");
	check_list(base, key, c3, true, NULL, "reads after that");
	t0 = it_now();
	IT_REQUIRE(sql_status(c1, "approved"));
	wait_list(base, key, c1, true, NULL, t0, "a second SQL change");
	check_list(base, key, c1, true, NULL, "reads after that");
	wait_counts(base, key, 2, t0);
out:
	stop(p, "the server that lost its listeners");
}

/*
 * The same on a server of our own whose hits are told by speed and whose
 * listening connection stays down for a while: the cache is off while
 * it is down (every read a load), and on again once it is back.
 */
static void
test_listen_loss_observed(void)
{
	const char	*key = new_key("listen-slow"), *base;
	struct it_proc	*p;
	struct it_resp	*r;
	long long	 before[64], now[64], mine = 0, c1, c2;
	size_t		 nb;
	double		 t0, slow = SLOW_DELAY_MS / 1000.0 * 0.9;
	int		 k;

	IT_REQUIRE(admin());
	c1 = approved(key, "قبل الانقطاع");
	c2 = approved(key, "تعليق ثان");
	IT_REQUIRE(c1 > 0 && c2 > 0);
	nb = listeners(before, 64);
	p = spawn("1", it_strf("COMMENTD_DEBUG_READ_DELAY_MS=%d",
	    SLOW_DELAY_MS), it_strf("COMMENTD_DB_RETRY_MIN_MS=%d",
	    LISTEN_RETRY_MS), it_strf("COMMENTD_DB_RETRY_MAX_MS=%d",
	    LISTEN_RETRY_MS), (char *)NULL);
	IT_REQUIRE(p != NULL);
	base = spawned_base;

	/* Its listening connection: the new one. */
	t0 = it_now();
	while (new_listeners(before, nb, &mine, 1) == 0 &&
	    it_now() - t0 < it_limit_ms(10000) / 1000.0)
		it_sleep_ms(50);
	IT_REQUIREF(mine > 0, "the server's listening connection is in "
	    "pg_stat_activity");

	/* On: a load, then a hit. */
	r = it_http_at(base, "GET", it_list_path(key), NULL, NULL, 0);
	CHECK_LIST(r, c1, true, NULL, "first read");
	IT_CHECKF(r->elapsed >= slow, "first read: a load, yet %.3f s",
	    r->elapsed);
	r = read_hit(base, key, SLOW_DELAY_MS);
	CHECK_LIST(r, c1, true, NULL, "read after it");
	IT_CHECKF(is_hit(r, SLOW_DELAY_MS), "%d reads after the first: none "
	    "a hit (the last %.3f s)", HIT_TRIES, r->elapsed);

	IT_REQUIRE(IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM (SELECT "
	    "pg_terminate_backend($1::int, 5000)) t", it_strf("%lld", mine),
	    (char *)NULL), 1));
	IT_REQUIREF(wait_lines(p, "the read cache is off", 1), "the server "
	    "logs that the cache is off");
	IT_REQUIRE(sql_status(c1, "rejected"));
	/* Down: every read is a load, and right. */
	for (k = 0; k < 3; k++) {
		r = it_http_at(base, "GET", it_list_path(key), NULL, NULL, 0);
		CHECK_LIST(r, c1, false, NULL, "read %d while not listening",
		    k + 1);
		IT_CHECKF(r->elapsed >= slow, "read %d while not listening "
		    "took %.3f s: served from the cache", k + 1, r->elapsed);
	}
	/* ... and it was still down after them. */
	before[nb++] = mine;
	IT_CHECKF(new_listeners(before, nb, now, 64) == 0, "the listening "
	    "connection was back before the reads while not listening "
	    "ended: too late to be sure it was down (a machine too busy for "
	    "%d ms?)", LISTEN_RETRY_MS);

	/*
	 * Back, with no read under way meanwhile (a load straddling the
	 * return would hide an entry kept from before): once the server
	 * says it listens again, what was cached before the loss is gone,
	 * and the cache is on again.
	 */
	IT_REQUIREF(wait_lines(p, LISTENING, 2), "the server "
	    "logs that it listens again");
	r = it_http_at(base, "GET", it_list_path(key), NULL, NULL, 0);
	CHECK_LIST(r, c1, false, NULL, "the first read once listening again");
	IT_CHECKF(r->elapsed >= slow, "the first read once listening again "
	    "took %.3f s: an entry from before the loss", r->elapsed);
	r = read_hit(base, key, SLOW_DELAY_MS);
	CHECK_LIST(r, c1, false, NULL, "reading once listening again");
	IT_REQUIREF(is_hit(r, SLOW_DELAY_MS), "the cache is on again: %d "
	    "reads, none a hit (the last %.3f s)", HIT_TRIES, r->elapsed);

	/* And NOTIFY invalidates again. */
	t0 = it_now();
	IT_REQUIRE(sql_status(c2, "rejected"));
	wait_list(base, key, c2, false, NULL, t0, "a SQL change once "
	    "listening again");
	r = read_hit(base, key, SLOW_DELAY_MS);
	CHECK_LIST(r, c2, false, NULL, "then");
	IT_CHECKF(is_hit(r, SLOW_DELAY_MS), "then a hit again: %d reads, "
	    "none a hit (the last %.3f s)", HIT_TRIES, r->elapsed);
	stop(p, "the server that lost its listener");
}

/* -- counts of many articles ---------------------------------------------- */

/*
 * A counts answer depends on every article it names.  A server may
 * allow more than CACHE_MAX_DEPS (100) of them: a change to any one must
 * still be seen.
 */
/*
 * A counts answer depends on every article it names, and the cache
 * records at most CACHE_MAX_DEPS (100) of them: so no request may name
 * more.  The server refuses a higher setting, and the harness server a
 * 101-article request.
 */
static void
test_counts_many_articles(void)
{
	const char	*prefix = new_key("many-"), *keys[101];
	char		*argv[4];
	char		*env[3];
	struct it_resp	*r;
	int		 i, rc;

	IT_REQUIRE(bin != NULL);
	argv[0] = (char *)bin;
	argv[1] = "serve";
	argv[2] = "--help";
	argv[3] = NULL;
	env[0] = "COMMENTD_COUNTS_MAX_ARTICLES=150";
	env[1] = NULL;
	/* --help loads the settings first: a bad one is exit status 2. */
	rc = it_run_io(argv, env, NULL, NULL, 10);
	IT_CHECK_INT(rc, 2);
	env[0] = "COMMENTD_COUNTS_MAX_ARTICLES=100";
	rc = it_run_io(argv, env, NULL, NULL, 10);
	IT_CHECK_INT(rc, 0);

	for (i = 0; i < 101; i++)
		keys[i] = it_strf("%s%03d", prefix, i);
	r = it_http("GET", counts_path(keys, 101), NULL, NULL, 0);
	IT_CHECK_STATUS(r, 400);
	IT_CHECK_STR(it_jstr(r->json, "error.code"), "invalid_parameter");
	r = it_http("GET", counts_path(keys, 100), NULL, NULL, 0);
	IT_CHECK_STATUS(r, 200);
}

static const struct it_test tests[] = {
	{ "across_workers", test_across_workers },
	{ "across_processes", test_across_processes },
	{ "stale_query_race", test_stale_query_race },
	{ "shared_load_race", test_shared_load_race },
	{ "etag_304", test_etag_304 },
	{ "cache_bound", test_cache_bound },
	{ "listen_loss", test_listen_loss },
	{ "listen_loss_observed", test_listen_loss_observed },
	{ "counts_many_articles", test_counts_many_articles },
};

int
main(int argc, char **argv)
{
	snprintf(run_id, sizeof run_id, "%ld-%ld", (long)getpid(),
	    (long)time(NULL));
	bin = getenv("COMMENTD_TEST_BIN");
	return it_main(tests, sizeof tests / sizeof tests[0], argc, argv);
}
