/*
 * test_lifecycle.c - the paths around the requests rather than in them,
 * each against servers of its own (one worker, settings the harness's
 * server does not have): a graceful stop within and past the shutdown
 * timeout, 503 when a worker's database queue is full or a query waits
 * too long, the live stream limit, migrations (several servers starting
 * at once on a new database, `commentd migrate`, `serve --no-migrate`,
 * and a binary older than the schema), which account commands migrate,
 * `--version`, the warning of a pool larger than PostgreSQL's
 * connections, a chunked body over the limit, the HTTP idle timeout,
 * the request log (text and JSON) and the read delay's warning.
 *
 * Slow requests come from COMMENTD_DEBUG_READ_DELAY_MS: a public page
 * that misses the cache sleeps inside PostgreSQL.  Tests wait for events
 * (the sleeping backends in pg_stat_activity, a line in the server's
 * log), never for a fixed time.  The durations asserted are lower bounds
 * the server's own timers guarantee, upper bounds far above what things
 * should take, and the order of two answers (a refusal before a slow
 * read's answer).
 *
 * The migration tests make scratch databases on the test cluster and
 * drop them at the end.  Names carry a per-run suffix, so the program
 * can run twice against one database; any test can run alone.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "itest.h"

#define PASSWORD	"lifecycle-password"
#define JSON_CT		"Content-Type: application/json"
#define EVENTS		"/api/v1/admin/events"
/* How long a server may take to start, stop, or notice anything. */
#define START_MS	30000
#define STOP_MS		20000
#define EVENT_MS	15000

/* The graceful stop: the slow reads' delay, within a long timeout. */
#define DRAIN_DELAY_MS	3000
#define DRAIN_READS	3
/* Past the timeout: reads far slower than the stop may take. */
#define STUCK_DELAY_MS	30000
#define STUCK_TIMEOUT	"300"
#define STUCK_READS	2
/* The queue: a full one refuses at once, a slow one after its wait. */
#define QFULL_DELAY_MS	2000
#define QFULL_READS	8
#define QWAIT_DELAY_MS	3000
#define QWAIT_MS	300
/* The live stream limit. */
#define SSE_MAX		2
/* The body limit, and libevent's own (4 times it: worker.c). */
#define BODY_MAX	1024
#define BODY_HARD	(4 * BODY_MAX)
/* The HTTP timeout, in seconds, and when a connection must still be
 * open (a fraction of it). */
#define HTTP_TIMEOUT_S	2
#define STILL_OPEN_MS	(HTTP_TIMEOUT_S * 300)
#define CLOSED_S	(HTTP_TIMEOUT_S + 10.0)
/* A version no migration will have. */
#define FUTURE_VERSION	9999

static char		 run_id[48];
static const char	*bin;
static char		*token;	/* a moderator's, outlives test cases */

/* -- helpers --------------------------------------------------------------- */

static const char *
new_key(const char *tag)
{
	return it_strf("itlife-%s-%s", run_id, tag);
}

/* An article, so its pages are real reads. */
static bool
article_at(const char *file, int line, const char *key)
{
	return it_check_at(file, line, it_sql_at(file, line,
	    "INSERT INTO articles (key) VALUES ($1)", key, (char *)NULL) !=
	    NULL, "article %s was made", key);
}
#define article(key)	article_at(__FILE__, __LINE__, (key))

/* Page n of key's list: a cache entry, and a query, of its own. */
static const char *
page(const char *key, int n)
{
	return it_strf("%s?limit=%d", it_list_path(key), n);
}

static bool
moderator_at(const char *file, int line)
{
	char	*name;

	if (token != NULL)
		return true;
	name = it_strf("life-%s", run_id);
	if (!it_cli_at(file, line, PASSWORD "\n", NULL, "moderator", "add",
	    name, "--role", "moderator", (char *)NULL))
		return false;
	token = it_new_token_at(file, line, name);
	if (token != NULL)
		token = strdup(token);
	return token != NULL;
}
#define moderator()	moderator_at(__FILE__, __LINE__)

/* The database's clock now: servers started after it have backends
 * that started after it. */
static const char *
db_now(void)
{
	PGresult	*r;

	r = it_sql("SELECT clock_timestamp()::text", (char *)NULL);
	return r != NULL && PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) :
	    "infinity";
}

/* Backends of the servers started since `since` sleeping in a read. */
static long long
sleepers(const char *since)
{
	return it_sql_ll("SELECT count(*) FROM pg_stat_activity"
	    " WHERE backend_start >= $1::timestamptz"
	    "   AND application_name LIKE 'commentd w%'"
	    "   AND state = 'active' AND query LIKE '%pg_sleep%'",
	    since, (char *)NULL);
}

/* Waits until n reads of servers started since `since` sleep. */
static bool
wait_sleepers_at(const char *file, int line, const char *since,
    long long n)
{
	double		 t0 = it_now();
	long long	 got;

	while ((got = sleepers(since)) != n && it_now() - t0 < EVENT_MS /
	    1000.0)
		it_sleep_ms(20);
	return it_check_at(file, line, got == n, "%lld read(s) under way in "
	    "PostgreSQL, want %lld", got, n);
}
#define wait_sleepers(since, n)	wait_sleepers_at(__FILE__, __LINE__, \
	(since), (n))

/* Ends the reads that servers gone since `since` left sleeping. */
static void
end_sleepers(const char *since)
{
	(void)it_sql("SELECT count(pg_terminate_backend(pid))"
	    " FROM pg_stat_activity WHERE backend_start >= $1::timestamptz"
	    "   AND application_name LIKE 'commentd w%'"
	    "   AND query LIKE '%pg_sleep%'", since, (char *)NULL);
}

/* `bin` with the arguments (NULL-terminated), stdout and stderr kept. */
static struct it_proc *
bin_spawn(const char *arg, ...)
{
	char		*argv[24];
	const char	*a;
	va_list		 ap;
	int		 n = 0;

	argv[n++] = (char *)bin;
	va_start(ap, arg);
	for (a = arg; a != NULL && n < 23; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	return it_spawn(argv, NULL);
}

/* Waits until p serves and listens for changes; *base its address. */
static bool
serving_at(const char *file, int line, struct it_proc *p, const char **base)
{
	const char	*l, *at;
	int		 port = 0;

	*base = NULL;
	if (!it_check_at(file, line, p != NULL, "the server started"))
		return false;
	l = it_proc_wait_line(p, "listening on 127.0.0.1:", START_MS);
	if (l != NULL && (at = strstr(l, "127.0.0.1:")) != NULL)
		port = atoi(at + strlen("127.0.0.1:"));
	if (!it_check_at(file, line, port > 0, "the server listens; its "
	    "output: %s", it_proc_output(p)))
		return false;
	if (!it_check_at(file, line, it_proc_wait_line(p,
	    "listening for changes", START_MS) != NULL, "the server listens "
	    "for changes; its output: %s", it_proc_output(p)))
		return false;
	*base = it_strf("http://127.0.0.1:%d", port);
	return true;
}
#define serving(p, base)	serving_at(__FILE__, __LINE__, (p), (base))

/*
 * `serve` with one worker on conninfo (NULL: the test database) and
 * the flags given (NULL-terminated): flags win over the environment,
 * so these servers can have a shutdown timeout of their own.
 */
static struct it_proc *
serve(const char *conninfo, ...)
{
	char		*argv[32];
	const char	*a;
	va_list		 ap;
	int		 n = 0;

	argv[n++] = (char *)bin;
	argv[n++] = (char *)"serve";
	argv[n++] = (char *)"--listen";
	argv[n++] = (char *)"127.0.0.1:0";
	argv[n++] = (char *)"--workers";
	argv[n++] = (char *)"1";
	argv[n++] = (char *)"--database-url";
	argv[n++] = (char *)(conninfo != NULL ? conninfo : it_db_conninfo);
	va_start(ap, conninfo);
	while (n < 31 && (a = va_arg(ap, const char *)) != NULL)
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	return it_spawn(argv, NULL);
}

/* SIGTERM: exit status 0 and, under the sanitizers, no report. */
static void
stop_at(const char *file, int line, struct it_proc *p)
{
	const char	*out;
	int		 rc;

	if (p == NULL)
		return;
	it_proc_kill(p, SIGTERM);
	rc = it_proc_wait(p, STOP_MS);
	out = it_proc_output(p);
	it_check_at(file, line, rc == 0, "exit status %d after SIGTERM; its "
	    "output: %s", rc, out);
	it_check_at(file, line, strstr(out, "runtime error") == NULL &&
	    strstr(out, "Sanitizer") == NULL, "a sanitizer report: %s", out);
}
#define stop(p)	stop_at(__FILE__, __LINE__, (p))

/* Lines of out holding needle. */
static int
count_lines(const char *out, const char *needle)
{
	const char	*s, *nl;
	int		 n = 0;

	for (s = out; (s = strstr(s, needle)) != NULL; s = nl) {
		n++;
		if ((nl = strchr(s, '\n')) == NULL)
			break;
	}
	return n;
}

/*
 * The request log line of `METHOD PATH STATUS` (src/req.c): one line,
 * "TIME info [wN] METHOD PATH STATUS D.DDms", within the flush interval.
 */
static void
check_logged_at(const char *file, int line, struct it_proc *p,
    const char *method, const char *path, int status, int times)
{
	const char	*want, *l, *at;
	double		 ms = -1;
	char		 unit[8] = "";
	int		 n;

	want = it_strf("] %s %s %d ", method, path, status);
	l = it_proc_wait_line(p, want, EVENT_MS);
	if (!it_check_at(file, line, l != NULL, "the log has a line \"%s\"; "
	    "its output: %s", want + 2, it_proc_output(p)))
		return;
	at = strstr(l, want) + strlen(want);
	n = sscanf(at, "%lfm%7s", &ms, unit);
	it_check_at(file, line, n == 2 && ms >= 0 && strcmp(unit, "s") == 0,
	    "the line ends in the duration in ms: %s", l);
	/* "2026-12-07T21:44:47.715Z info [w0] " */
	it_check_at(file, line, strlen(l) > 35 && l[4] == '-' &&
	    l[10] == 'T' && l[19] == '.' && l[23] == 'Z' &&
	    strncmp(l + 24, " info [w0] ", 11) == 0, "the line starts with "
	    "the time, the level and the worker: %s", l);
	/* Give a second line, if there is one, the time to be written. */
	it_sleep_ms(400);
	n = count_lines(it_proc_output(p), want);
	it_check_at(file, line, n == times, "%d line(s) \"%s\", want %d",
	    n, want + 2, times);
}
#define check_logged(p, m, path, st, n)					\
	check_logged_at(__FILE__, __LINE__, (p), (m), (path), (st), (n))

/* -- requests in the background -------------------------------------------- */

struct bg {
	pthread_t	 thread;
	struct it_req	 req;
	struct it_resp	 resp;
	double		 done;	/* it_now() at the answer; 0 before */
	pthread_mutex_t	 lock;
	bool		 started;
};

static void *
bg_main(void *arg)
{
	struct bg	*b = arg;

	it_do(&b->req, &b->resp);
	pthread_mutex_lock(&b->lock);
	b->done = it_now();
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

static bool
bg_start(struct bg *b, const char *base, const char *path)
{
	memset(b, 0, sizeof *b);
	pthread_mutex_init(&b->lock, NULL);
	b->req.method = "GET";
	b->req.base = base;
	b->req.path = path;
	b->req.timeout_ms = STUCK_DELAY_MS + 30000;
	b->started = pthread_create(&b->thread, NULL, bg_main, b) == 0;
	return IT_CHECKF(b->started, "a background request started");
}

static double
bg_done(struct bg *b)
{
	double	d;

	pthread_mutex_lock(&b->lock);
	d = b->done;
	pthread_mutex_unlock(&b->lock);
	return d;
}

/* Waits for the answer; clear with bg_clear. */
static void
bg_join(struct bg *b)
{
	if (b->started)
		pthread_join(b->thread, NULL);
	b->started = false;
}

static void
bg_clear(struct bg *b)
{
	bg_join(b);
	it_resp_clear(&b->resp);
	pthread_mutex_destroy(&b->lock);
}

/* -- raw connections ------------------------------------------------------- */

/*
 * Seconds from t0 until the server closed fd (what it sent meanwhile is
 * read and dropped, its length added to *got), or -1 if still open at
 * t0 + limit_s.
 */
static double
raw_closed_after(int fd, double t0, double limit_s, size_t *got)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	char		 tmp[4096];
	ssize_t		 k;
	double		 left;

	for (;;) {
		if ((left = t0 + limit_s - it_now()) <= 0)
			return -1;
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		if ((k = read(fd, tmp, sizeof tmp)) <= 0)
			return it_now() - t0;
		*got += (size_t)k;
	}
}

/* A JSON refusal on a raw connection: status, code, JSON type. */
static void
check_raw_error_at(const char *file, int line, const struct it_raw *r,
    long st, const char *code)
{
	const char	*got, *ct;

	it_check_at(file, line, r->status == st, "status %ld, want %ld: %s%s",
	    r->status, st, r->head != NULL ? r->head : "(no answer)",
	    r->body != NULL ? r->body : "");
	ct = it_raw_header(r, "Content-Type");
	it_check_at(file, line, ct != NULL &&
	    strncmp(ct, "application/json", 16) == 0, "Content-Type %s",
	    ct != NULL ? ct : "(none)");
	got = it_raw_error_code(r);
	it_check_at(file, line, got != NULL && strcmp(got, code) == 0,
	    "error.code %s, want %s", got != NULL ? got : "(none)", code);
}
#define check_raw_error(r, st, code)					\
	check_raw_error_at(__FILE__, __LINE__, (r), (st), (code))

/* -- scratch databases ----------------------------------------------------- */

/* A new empty database on the test cluster; its name. */
static const char *
scratch_new(const char *tag)
{
	const char	*name;
	char		*p;

	name = it_strf("itlife_%s_%s", run_id, tag);
	for (p = (char *)name; *p != '\0'; p++) {
		if (*p == '-')
			*p = '_';
	}
	if (it_sql(it_strf("CREATE DATABASE %s", name), (char *)NULL) ==
	    NULL)
		return NULL;
	return name;
}

/* The test database's connection string, naming another database. */
static const char *
scratch_conninfo(const char *name)
{
	return it_strf("%s dbname=%s", it_db_conninfo, name);
}

static void
scratch_drop(const char *name)
{
	if (name != NULL)
		(void)it_sql(it_strf("DROP DATABASE IF EXISTS %s WITH (FORCE)",
		    name), (char *)NULL);
}

/* One integer from sql on another database; -1 on any failure. */
static long long
scratch_ll(const char *conninfo, const char *sql)
{
	PGconn		*pg;
	PGresult	*r;
	long long	 v = -1;

	pg = PQconnectdb(conninfo);
	if (PQstatus(pg) == CONNECTION_OK) {
		r = PQexec(pg, sql);
		if (PQresultStatus(r) == PGRES_TUPLES_OK &&
		    PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
			v = atoll(PQgetvalue(r, 0, 0));
		else if (PQresultStatus(r) == PGRES_COMMAND_OK)
			v = atoll(PQcmdTuples(r));
		else
			it_note("%s: %s", sql, PQresultErrorMessage(r));
		PQclear(r);
	} else
		it_note("%s: %s", conninfo, PQerrorMessage(pg));
	PQfinish(pg);
	return v;
}

/* The migrations this binary carries: the test database has them all. */
static long long
migrations_known(void)
{
	return it_sql_ll("SELECT count(*) FROM schema_migrations",
	    (char *)NULL);
}

/* -- graceful stop --------------------------------------------------------- */

/*
 * SIGTERM with reads under way and a timeout longer than they take:
 * the server stops accepting (a new connection is refused; a request on
 * a connection already open is served, with Connection: close, since a
 * proxy would not retry a refused POST on its kept-alive connection),
 * the reads finish
 * with 200, and the process exits 0.  This server also shows the read
 * delay's warning.
 */
static void
test_shutdown_drains(void)
{
	struct bg	 b[DRAIN_READS];
	struct it_proc	*p;
	struct it_resp	*r;
	struct it_raw	 raw;
	const char	*base, *key = new_key("drain"), *since, *out;
	static const char ka[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
	char		 delay[16];
	int		 i, fd = -1, rc;

	IT_REQUIRE(article(key));
	since = db_now();
	snprintf(delay, sizeof delay, "%d", DRAIN_DELAY_MS);
	p = serve(NULL, "--debug-read-delay-ms", delay,
	    "--shutdown-timeout-ms", "60000", (char *)NULL);
	IT_REQUIRE(serving(p, &base));
	IT_CHECKF(it_proc_wait_line(p, it_strf("COMMENTD_DEBUG_READ_DELAY_MS "
	    "is %d", DRAIN_DELAY_MS), 0) != NULL, "the server warns that "
	    "reads are delayed: %s", it_proc_output(p));

	/* A connection that stays open across the stop. */
	fd = it_raw_connect(base);
	IT_REQUIRE(fd >= 0);
	IT_CHECK(it_raw_send(fd, ka, sizeof ka - 1));
	it_raw_read(fd, EVENT_MS, &raw);
	IT_CHECKF(raw.status == 200 && !raw.closed, "keep-alive /healthz: "
	    "%ld", raw.status);

	for (i = 0; i < DRAIN_READS; i++)
		bg_start(&b[i], base, page(key, i + 1));
	IT_CHECK(wait_sleepers(since, DRAIN_READS));
	IT_CHECK(it_proc_kill(p, SIGTERM) == 0);
	IT_CHECKF(it_proc_wait_line(p, it_strf("draining %d request(s)",
	    DRAIN_READS), EVENT_MS) != NULL, "the server drains %d requests; "
	    "its output: %s", DRAIN_READS, it_proc_output(p));

	/* Nothing new is accepted... */
	r = it_http_at(base, "GET", "/healthz", NULL, NULL, 0);
	IT_CHECKF(r->status == 0, "a new connection after SIGTERM was "
	    "served: %ld", r->status);
	/* ...and a request on an open connection is served, the last. */
	IT_CHECK(it_raw_send(fd, ka, sizeof ka - 1));
	it_raw_read(fd, EVENT_MS, &raw);
	IT_CHECKF(raw.status == 200, "a request on an open connection "
	    "while draining: %ld", raw.status);
	IT_CHECKF(raw.closed, "the connection closes after the answer");
	IT_CHECK_STR(it_raw_header(&raw, "Connection"), "close");

	for (i = 0; i < DRAIN_READS; i++) {
		bg_join(&b[i]);
		IT_CHECK_STATUS(&b[i].resp, 200);
		IT_CHECK_STR(it_jstr(b[i].resp.json, "article.key"), key);
		bg_clear(&b[i]);
	}
	rc = it_proc_wait(p, STOP_MS);
	out = it_proc_output(p);
	IT_CHECKF(rc == 0, "exit status %d after draining; output: %s", rc,
	    out);
	IT_CHECKF(strstr(out, "stopped") != NULL &&
	    strstr(out, "shutdown timeout") == NULL, "a clean stop: %s", out);
	IT_CHECKF(strstr(out, "runtime error") == NULL &&
	    strstr(out, "Sanitizer") == NULL, "a sanitizer report: %s", out);
	/* Each read was logged as it was answered. */
	IT_CHECKF(count_lines(out, it_strf("] GET %s 200 ",
	    it_list_path(key))) == DRAIN_READS, "%d reads logged: %s",
	    DRAIN_READS, out);
	if (fd >= 0)
		close(fd);
	end_sleepers(since);
}

/*
 * SIGTERM with reads that outlast COMMENTD_SHUTDOWN_TIMEOUT_MS: the
 * server says so and exits anyway, long before the reads would end;
 * they get no 200.
 */
static void
test_shutdown_timeout(void)
{
	struct bg	 b[STUCK_READS];
	struct it_proc	*p;
	const char	*base, *key = new_key("stuck"), *since, *out;
	char		 delay[16], stmt[16];
	double		 t0, took = -1;
	int		 i, rc;

	IT_REQUIRE(article(key));
	since = db_now();
	snprintf(delay, sizeof delay, "%d", STUCK_DELAY_MS);
	snprintf(stmt, sizeof stmt, "%d", STUCK_DELAY_MS * 2);
	p = serve(NULL, "--debug-read-delay-ms", delay,
	    "--db-statement-timeout-ms", stmt,
	    "--shutdown-timeout-ms", STUCK_TIMEOUT, (char *)NULL);
	IT_REQUIRE(serving(p, &base));
	for (i = 0; i < STUCK_READS; i++)
		bg_start(&b[i], base, page(key, i + 1));
	if (wait_sleepers(since, STUCK_READS)) {
		t0 = it_now();
		IT_CHECK(it_proc_kill(p, SIGTERM) == 0);
		/* Bounded: well before the reads could have ended. */
		rc = it_proc_wait(p, STUCK_DELAY_MS / 2);
		if (rc != -1)
			took = it_now() - t0;
		out = it_proc_output(p);
		IT_CHECKF(rc != -1, "still running %d ms after SIGTERM with a "
		    "%s ms shutdown timeout: %s", STUCK_DELAY_MS / 2,
		    STUCK_TIMEOUT, out);
		IT_CHECKF(rc == 0, "exit status %d", rc);
		IT_CHECKF(strstr(out, it_strf("shutdown timeout: %d request(s) "
		    "still in flight", STUCK_READS)) != NULL, "the log says "
		    "the timeout cut %d requests: %s", STUCK_READS, out);
		IT_CHECKF(strstr(out, "runtime error") == NULL &&
		    strstr(out, "Sanitizer") == NULL, "a sanitizer report: "
		    "%s", out);
		it_note("stopped %.2f s after SIGTERM", took);
	} else
		it_proc_kill(p, SIGKILL);
	for (i = 0; i < STUCK_READS; i++) {
		bg_join(&b[i]);
		IT_CHECKF(b[i].resp.status != 200, "a read cut by the stop "
		    "got 200");
		IT_CHECKF(b[i].resp.elapsed < STUCK_DELAY_MS / 2000.0,
		    "a cut read ended after %.2f s", b[i].resp.elapsed);
		it_note("cut read: status %ld (%s)", b[i].resp.status,
		    b[i].resp.status == 0 ? b[i].resp.error :
		    it_jstr(b[i].resp.json, "error.code"));
		bg_clear(&b[i]);
	}
	end_sleepers(since);
}

/* -- the database queue ---------------------------------------------------- */

/* Waits until base's worker reaches PostgreSQL. */
static bool
ready_at(const char *file, int line, const char *base)
{
	struct it_resp	*r;
	double		 t0 = it_now();

	do {
		r = it_http_at(base, "GET", "/readyz", NULL, NULL, 0);
		if (r->status == 200)
			return true;
		it_sleep_ms(50);
	} while (it_now() - t0 < EVENT_MS / 1000.0);
	return it_check_at(file, line, false, "/readyz: %ld", r->status);
}
#define ready(base)	ready_at(__FILE__, __LINE__, (base))

/* A 503 database_unavailable with a Retry-After of whole seconds. */
static void
check_unavailable_at(const char *file, int line, const struct it_resp *r)
{
	const char	*ra;

	it_check_error_at(file, line, r, 503, "database_unavailable");
	ra = it_header(r, "Retry-After");
	it_check_at(file, line, ra != NULL && atoi(ra) >= 1 &&
	    strspn(ra, "0123456789") == strlen(ra), "Retry-After: %s",
	    ra != NULL ? ra : "(none)");
}
#define check_unavailable(r)	check_unavailable_at(__FILE__, __LINE__, (r))

/*
 * One connection, a queue of one, slow reads, many at once: one read
 * runs, one waits, the others are refused at once with 503 and
 * Retry-After, before the first read ends.
 */
static void
test_queue_full(void)
{
	struct it_req	 reqs[QFULL_READS];
	struct it_resp	 resps[QFULL_READS];
	struct it_proc	*p;
	const char	*base, *key = new_key("qfull"), *since;
	double		 first200 = 1e9, last503 = 0;
	int		 i, n, ok = 0, refused = 0;

	IT_REQUIRE(article(key));
	since = db_now();
	p = it_server(&base, "1", "COMMENTD_DB_POOL_SIZE=1",
	    "COMMENTD_DB_QUEUE_MAX=1", "COMMENTD_DB_QUEUE_TIMEOUT_MS=60000",
	    "COMMENTD_DB_STATEMENT_TIMEOUT_MS=60000",
	    it_strf("COMMENTD_DEBUG_READ_DELAY_MS=%d", QFULL_DELAY_MS),
	    (char *)NULL);
	IT_REQUIRE(p != NULL);
	IT_REQUIRE(ready(base));

	memset(reqs, 0, sizeof reqs);
	memset(resps, 0, sizeof resps);
	for (i = 0; i < QFULL_READS; i++) {
		reqs[i].method = "GET";
		reqs[i].base = base;
		reqs[i].path = page(key, i + 1);
		reqs[i].timeout_ms = QFULL_DELAY_MS * 4 + 20000;
	}
	n = it_do_all(reqs, resps, QFULL_READS);
	IT_CHECK_INT(n, QFULL_READS);
	for (i = 0; i < n; i++) {
		if (resps[i].status == 200) {
			ok++;
			if (resps[i].elapsed < first200)
				first200 = resps[i].elapsed;
		} else {
			refused++;
			check_unavailable(&resps[i]);
			if (resps[i].elapsed > last503)
				last503 = resps[i].elapsed;
		}
	}
	/* One runs and one waits; a later arrival could only get in on a
	 * machine so slow that the first read ended before it came. */
	IT_CHECKF(ok >= 1 && ok <= 2, "%d reads answered 200, want 1 or 2",
	    ok);
	IT_CHECKF(refused >= QFULL_READS - 2, "%d reads refused, want at "
	    "least %d", refused, QFULL_READS - 2);
	IT_CHECKF(refused == 0 || last503 < first200, "refusals came at "
	    "once: the last after %.2f s, the first 200 after %.2f s",
	    last503, first200);
	check_logged(p, "GET", it_list_path(key), 503, refused);
	for (i = 0; i < n; i++)
		it_resp_clear(&resps[i]);
	stop(p);
	end_sleepers(since);
}

/*
 * One connection busy with a slow read: the next query waits
 * COMMENTD_DB_QUEUE_TIMEOUT_MS for it, then the request gets 503.
 */
static void
test_queue_timeout(void)
{
	struct bg	 a;
	struct it_proc	*p;
	struct it_resp	*r;
	const char	*base, *key = new_key("qwait"), *since;

	IT_REQUIRE(article(key));
	since = db_now();
	p = it_server(&base, "1", "COMMENTD_DB_POOL_SIZE=1",
	    it_strf("COMMENTD_DB_QUEUE_TIMEOUT_MS=%d", QWAIT_MS),
	    "COMMENTD_DB_STATEMENT_TIMEOUT_MS=60000",
	    it_strf("COMMENTD_DEBUG_READ_DELAY_MS=%d", QWAIT_DELAY_MS),
	    (char *)NULL);
	IT_REQUIRE(p != NULL);
	IT_REQUIRE(ready(base));

	IT_REQUIRE(bg_start(&a, base, page(key, 1)));
	if (wait_sleepers(since, 1)) {
		r = it_http_at(base, "GET", page(key, 2), NULL, NULL, 0);
		check_unavailable(r);
		/* It waited for its deadline (a timer never fires early)... */
		IT_CHECKF(r->elapsed >= (QWAIT_MS - 20) / 1000.0, "refused "
		    "after %.3f s, before the %d ms queue timeout",
		    r->elapsed, QWAIT_MS);
		/* ...and not for the connection. */
		IT_CHECKF(bg_done(&a) == 0, "the slow read ended before the "
		    "queued one was refused");
	}
	bg_join(&a);
	IT_CHECK_STATUS(&a.resp, 200);
	bg_clear(&a);
	stop(p);
	end_sleepers(since);
}

/* -- live stream limit ----------------------------------------------------- */

static struct it_stream *
open_events(const char *base)
{
	struct it_req	 req;
	const char	**h;

	h = it_own(calloc(3, sizeof *h));
	if (h == NULL)
		abort();
	h[0] = it_strf("Authorization: Bearer %s", token);
	h[1] = "Accept: text/event-stream";
	memset(&req, 0, sizeof req);
	req.method = "GET";
	req.base = base;
	req.path = EVENTS;
	req.headers = h;
	req.timeout_ms = 120000;
	return it_stream_open(&req);
}

/* A stream past the limit: 503 too_many_streams, with Retry-After. */
static void
check_refused_at(const char *file, int line, const char *base)
{
	const char	*h[] = { it_strf("Authorization: Bearer %s", token),
			    NULL };
	struct it_resp	*r;

	r = it_http_at(base, "GET", EVENTS, h, NULL, 0);
	it_check_error_at(file, line, r, 503, "too_many_streams");
	it_check_at(file, line, it_header(r, "Retry-After") != NULL,
	    "Retry-After on a refused stream");
}
#define check_refused(base)	check_refused_at(__FILE__, __LINE__, (base))

/*
 * COMMENTD_SSE_MAX_CLIENTS=2 on one worker: a third stream is refused;
 * once one closes, a new one is accepted, and the limit holds again.
 */
static void
test_sse_max_clients(void)
{
	struct it_stream	*s[3];
	struct it_proc		*p;
	const char		*base;
	double			 t0;
	long			 st = 0;

	IT_REQUIRE(moderator());
	p = it_server(&base, "1", it_strf("COMMENTD_SSE_MAX_CLIENTS=%d",
	    SSE_MAX), (char *)NULL);
	IT_REQUIRE(p != NULL);
	s[0] = open_events(base);
	s[1] = open_events(base);
	IT_REQUIRE(IT_CHECK_INT(it_stream_status(s[0], EVENT_MS), 200));
	IT_REQUIRE(IT_CHECK_INT(it_stream_status(s[1], EVENT_MS), 200));
	check_refused(base);
	/* Refusals take no place: still refused. */
	check_refused(base);

	it_stream_close(s[0]);
	t0 = it_now();
	for (;;) {
		s[2] = open_events(base);
		if ((st = it_stream_status(s[2], EVENT_MS)) != 503 ||
		    it_now() - t0 > EVENT_MS / 1000.0)
			break;
		/* The server has not seen the close yet. */
		it_stream_close(s[2]);
		it_sleep_ms(50);
	}
	IT_CHECKF(st == 200, "a stream after one closed: %ld", st);
	IT_CHECK(!it_stream_ended(s[1], NULL));
	check_refused(base);
	it_stream_close(s[1]);
	it_stream_close(s[2]);
	stop(p);
}

/* -- migrations ------------------------------------------------------------ */

/* Several servers at once on a new database: each starts, and each
 * migration is applied once. */
static void
migrate_concurrent(const char *db)
{
	enum { N = 3 };
	struct it_proc	*p[N];
	const char	*ci = scratch_conninfo(db), *base, *out;
	long long	 known = migrations_known();
	int		 i, applied = 0;
	char		*all;

	IT_REQUIRE(known > 0);
	for (i = 0; i < N; i++)
		p[i] = serve(ci, (char *)NULL);
	for (i = 0; i < N; i++) {
		IT_CHECKF(serving(p[i], &base), "server %d of %d started",
		    i + 1, N);
	}
	IT_CHECK_INT(scratch_ll(ci, "SELECT count(*) FROM schema_migrations"),
	    known);
	IT_CHECK_INT(scratch_ll(ci, "SELECT count(DISTINCT version) "
	    "FROM schema_migrations"), known);
	all = it_strf("%s", "");
	for (i = 0; i < N; i++) {
		out = it_proc_output(p[i]);
		applied += count_lines(out, "migrate: applied ");
		all = it_strf("%s%s", all, out);
	}
	IT_CHECKF(applied == known, "%d \"migrate: applied\" lines among %d "
	    "servers, want %lld: %s", applied, N, known, all);
	for (i = 0; i < N; i++)
		stop(p[i]);
}

static void
test_migrate_concurrent(void)
{
	const char	*db;

	IT_REQUIRE((db = scratch_new("conc")) != NULL);
	migrate_concurrent(db);
	scratch_drop(db);
}

/* Runs `commentd ARGS`; its exit status, both outputs in *out. */
static int
run_bin(const char **out, const char *a1, const char *a2, const char *a3)
{
	struct it_proc	*p;
	int		 rc;

	p = bin_spawn(a1, a2, a3, (char *)NULL);
	if (!IT_CHECKF(p != NULL, "%s %s started", bin, a1))
		return -1;
	rc = it_proc_wait(p, START_MS);
	*out = it_proc_output(p);
	return rc;
}

/* A server that must refuse to start: exit status, its output. */
static int
refused_serve(const char *ci, bool migrate, const char **out)
{
	struct it_proc	*p;
	int		 rc;

	p = migrate ? serve(ci, (char *)NULL) :
	    serve(ci, "--no-migrate", (char *)NULL);
	if (!IT_CHECK(p != NULL))
		return -1;
	rc = it_proc_wait(p, START_MS);
	*out = it_proc_output(p);
	if (rc == -1)
		it_proc_kill(p, SIGKILL);
	return rc;
}

/*
 * On a new database: `serve --no-migrate` refuses, naming what to do;
 * `commentd migrate` applies every migration, then none; `serve
 * --no-migrate` then serves.  With a version newer than this binary's
 * newest recorded, `serve` (either way) and `migrate` refuse to run.
 */
static void
migrate_versions(const char *db)
{
	struct it_proc	*p;
	const char	*ci = scratch_conninfo(db), *out, *base, *want;
	long long	 known = migrations_known();
	int		 rc;

	IT_REQUIRE(known > 0);
	rc = refused_serve(ci, false, &out);
	IT_CHECKF(rc > 0, "serve --no-migrate on an empty database: exit "
	    "status %d", rc);
	want = it_strf("database schema is at version 0, this binary needs "
	    "%lld: run `commentd migrate`", known);
	IT_CHECKF(strstr(out, want) != NULL && strstr(out, "listening on") ==
	    NULL, "it says \"%s\": %s", want, out);
	IT_CHECK_INT(scratch_ll(ci, "SELECT count(*) FROM pg_tables"
	    " WHERE tablename = 'schema_migrations'"), 0);

	rc = run_bin(&out, "migrate", "--database-url", ci);
	IT_CHECKF(rc == 0, "migrate: exit status %d: %s", rc, out);
	IT_CHECKF(strstr(out, it_strf("%lld migration(s) applied", known)) !=
	    NULL, "migrate applied %lld: %s", known, out);
	rc = run_bin(&out, "migrate", "--database-url", ci);
	IT_CHECKF(rc == 0, "migrate again: exit status %d: %s", rc, out);
	IT_CHECKF(strstr(out, "0 migration(s) applied") != NULL, "migrate "
	    "again applied nothing: %s", out);
	IT_CHECK_INT(scratch_ll(ci, "SELECT count(*) FROM schema_migrations"),
	    known);

	p = serve(ci, "--no-migrate", (char *)NULL);
	if (IT_CHECK(serving(p, &base))) {
		IT_CHECK_STATUS(it_http_at(base, "GET", "/readyz", NULL, NULL,
		    0), 200);
		IT_CHECKF(strstr(it_proc_output(p), "migrate:") == NULL,
		    "--no-migrate migrated: %s", it_proc_output(p));
	}
	stop(p);

	/* A newer release migrated this database. */
	IT_CHECK_INT(scratch_ll(ci, it_strf("INSERT INTO schema_migrations "
	    "(version, name) VALUES (%d, '%d_future.sql')", FUTURE_VERSION,
	    FUTURE_VERSION)), 1);
	want = it_strf("database schema is at version %d, this binary knows "
	    "up to %lld: upgrade commentd", FUTURE_VERSION, known);
	rc = refused_serve(ci, true, &out);
	IT_CHECKF(rc > 0 && strstr(out, want) != NULL &&
	    strstr(out, "listening on") == NULL, "serve on a newer schema: "
	    "exit status %d, want non-zero and \"%s\": %s", rc, want, out);
	rc = refused_serve(ci, false, &out);
	IT_CHECKF(rc > 0 && strstr(out, want) != NULL &&
	    strstr(out, "listening on") == NULL, "serve --no-migrate on a "
	    "newer schema: exit status %d, want non-zero and \"%s\": %s", rc,
	    want, out);
	rc = run_bin(&out, "migrate", "--database-url", ci);
	IT_CHECKF(rc > 0 && strstr(out, want) != NULL, "migrate on a newer "
	    "schema: exit status %d, want non-zero and \"%s\": %s", rc, want,
	    out);
	IT_CHECK_INT(scratch_ll(ci, "SELECT count(*) FROM schema_migrations"),
	    known + 1);
}

static void
test_migrate_versions(void)
{
	const char	*db;

	IT_REQUIRE((db = scratch_new("vers")) != NULL);
	migrate_versions(db);
	scratch_drop(db);
}

/* `commentd ARGS... --database-url ci` (ARGS NULL-terminated, at most
 * 8): exit status, both outputs in *out. */
static int
cli_on(const char *ci, const char **out, ...)
{
	struct it_proc	*p;
	char		*argv[16];
	const char	*a;
	va_list		 ap;
	int		 n = 0, rc;

	argv[n++] = (char *)bin;
	va_start(ap, out);
	while (n < 9 && (a = va_arg(ap, const char *)) != NULL)
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n++] = (char *)"--database-url";
	argv[n++] = (char *)ci;
	argv[n] = NULL;
	*out = "";
	if (!IT_CHECKF((p = it_spawn(argv, NULL)) != NULL, "%s %s started",
	    argv[1], argv[2]))
		return -1;
	rc = it_proc_wait(p, START_MS);
	*out = it_proc_output(p);
	return rc;
}

/*
 * The account commands change no schema: on a new database they refuse,
 * naming both versions and `commentd migrate`, and leave it empty.
 * `moderator bootstrap` (the first command on a new database) migrates
 * as serve does, unless --no-migrate.  On a schema newer than the
 * binary, all of them refuse.
 */
static void
cli_migrations(const char *db)
{
	const char	*ci = scratch_conninfo(db), *out, *want;
	long long	 known = migrations_known();
	int		 rc;

	IT_REQUIRE(known > 0);
	want = it_strf("database schema is at version 0, this binary needs "
	    "%lld: run `commentd migrate` first", known);
#define REFUSED(what)							\
	IT_CHECKF(rc == 1 && strstr(out, want) != NULL, "%s: exit "	\
	    "status %d, want 1 and \"%s\": %s", (what), rc, want, out)
	rc = cli_on(ci, &out, "moderator", "list", (char *)NULL);
	REFUSED("moderator list on an empty database");
	rc = cli_on(ci, &out, "token", "create", "nobody",
	    (char *)NULL);
	REFUSED("token create on an empty database");
	rc = cli_on(ci, &out, "token", "revoke", "nobody",
	    (char *)NULL);
	REFUSED("token revoke on an empty database");
	rc = cli_on(ci, &out, "moderator", "disable", "nobody",
	    (char *)NULL);
	REFUSED("moderator disable on an empty database");
	rc = cli_on(ci, &out, "moderator", "add", "laila",
	    "--role", "admin", (char *)NULL);
	REFUSED("moderator add on an empty database");
	rc = cli_on(ci, &out, "moderator", "bootstrap", "--no-migrate",
	    (char *)NULL);
	REFUSED("moderator bootstrap --no-migrate on an empty database");
	IT_CHECK_INT(scratch_ll(ci, "SELECT count(*) FROM pg_tables"
	    " WHERE tablename = 'schema_migrations'"), 0);

	rc = cli_on(ci, &out, "moderator", "bootstrap", (char *)NULL);
	IT_CHECKF(rc == 0 && strstr(out, "Created moderator \"admin\"") !=
	    NULL, "bootstrap on an empty database: exit status %d: %s", rc,
	    out);
	IT_CHECK_INT(scratch_ll(ci, "SELECT count(*) FROM schema_migrations"),
	    known);
	rc = cli_on(ci, &out, "moderator", "list", (char *)NULL);
	IT_CHECKF(rc == 0 && strstr(out, "admin") != NULL, "moderator list "
	    "after bootstrap: exit status %d: %s", rc, out);

	/* A newer release migrated this database. */
	IT_CHECK_INT(scratch_ll(ci, it_strf("INSERT INTO schema_migrations "
	    "(version, name) VALUES (%d, '%d_future.sql')", FUTURE_VERSION,
	    FUTURE_VERSION)), 1);
	want = it_strf("database schema is at version %d, this binary knows "
	    "up to %lld: upgrade commentd", FUTURE_VERSION, known);
	rc = cli_on(ci, &out, "moderator", "list", (char *)NULL);
	REFUSED("moderator list on a newer schema");
	rc = cli_on(ci, &out, "moderator", "bootstrap", (char *)NULL);
	IT_CHECKF(rc == 1 && strstr(out, want) != NULL, "bootstrap on a "
	    "newer schema: exit status %d: %s", rc, out);
#undef REFUSED
}

static void
test_cli_migrations(void)
{
	const char	*db;

	IT_REQUIRE((db = scratch_new("cli")) != NULL);
	cli_migrations(db);
	scratch_drop(db);
}

/*
 * `commentd --version` and `commentd version`: the release (and the
 * commit when built from a clone) and the schema version the binary
 * needs, which is the test database's.
 */
static void
test_version(void)
{
	const char	*out, *out2, *want;
	int		 rc;

	want = it_strf("\ndatabase schema version %lld\n", migrations_known());
	rc = run_bin(&out, "--version", NULL, NULL);
	IT_CHECKF(rc == 0 && strncmp(out, "commentd ", 9) == 0 &&
	    out[9] >= '0' && out[9] <= '9' && strstr(out, want) != NULL,
	    "--version: exit status %d, want \"commentd N.N.N\" and \"%s\": "
	    "%s", rc, want + 1, out);
	out = it_strf("%s", out);
	rc = run_bin(&out2, "version", NULL, NULL);
	IT_CHECKF(rc == 0 && strcmp(out, out2) == 0, "version: exit status "
	    "%d, the same as --version: %s", rc, out2);
}

/*
 * A process whose workers x (pool + 1) connections exceed what the
 * cluster has left says so at start, naming the numbers, and goes on
 * (here it then fails to bind an address no interface has, so it never
 * opens those connections on the shared cluster).  One with a small
 * pool says nothing.
 */
static void
test_connection_budget(void)
{
	struct it_proc	*p;
	const char	*base, *out, *want;
	long long	 max;
	int		 pool, rc;

	max = it_sql_ll("SELECT current_setting('max_connections')::integer",
	    (char *)NULL);
	IT_REQUIRE(max > 8);
	pool = (int)(max / 4);
	if (pool > 100) {
		it_note("max_connections %lld: no pool size exceeds it", max);
		return;
	}
	p = serve(NULL, "--workers", "4", "--db-pool-size",
	    it_strf("%d", pool), "--listen", "192.0.2.1:9", (char *)NULL);
	IT_REQUIRE(p != NULL);
	rc = it_proc_wait(p, START_MS);
	out = it_proc_output(p);
	want = it_strf("warn [main] database connections: this process opens "
	    "4 worker(s) x (db-pool-size %d + 1) = %d, but PostgreSQL has ",
	    pool, 4 * (pool + 1));
	IT_CHECKF(strstr(out, want) != NULL && strstr(out, it_strf(
	    "left (max_connections %lld - ", max)) != NULL, "the warning "
	    "\"%s\": %s", want, out);
	IT_CHECKF(rc > 0 && strstr(out, "listen 192.0.2.1:9") != NULL,
	    "then the bind fails: exit status %d: %s", rc, out);

	p = it_server(&base, "1", "COMMENTD_DB_POOL_SIZE=1", (char *)NULL);
	IT_REQUIRE(p != NULL);
	stop(p);
	IT_CHECKF(strstr(it_proc_output(p), "database connections") == NULL,
	    "a warning with one connection: %s", it_proc_output(p));
}

/*
 * COMMENTD_LOG_FORMAT=json: every line the server writes is one JSON
 * object (no control byte, whatever the request held), a request's
 * with its fields.
 */
static void
test_log_json(void)
{
	static const char	 req[] = "GET /no/%0a%1b%22\"\\\xff\x1b[2J "
	    "HTTP/1.1\r\nHost: t\r\n\r\n";
	struct it_proc		*p;
	struct it_raw		*r;
	const char		*base, *l, *out;
	char			*text, *line, *nl;
	json_t			*o, *hit = NULL;
	json_error_t		 err;
	int			 n = 0;

	p = it_server(&base, "1", "COMMENTD_LOG_FORMAT=json", (char *)NULL);
	IT_REQUIRE(p != NULL);
	r = it_raw_exchange(base, req, sizeof req - 1);
	IT_CHECKF(r->status >= 400 && r->status < 500, "a 4xx: %ld",
	    r->status);
	l = it_proc_wait_line(p, "\"method\":\"GET\"", EVENT_MS);
	IT_CHECKF(l != NULL, "a request line: %s", it_proc_output(p));
	stop(p);
	out = it_proc_output(p);
	text = it_strf("%s", out);
	for (line = text; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		*nl = '\0';
		n++;
		o = json_loads(line, 0, &err);
		if (!IT_CHECKF(o != NULL && json_is_object(o) &&
		    it_jstr(o, "ts") != NULL && it_jstr(o, "level") != NULL &&
		    it_jstr(o, "thread") != NULL && it_jstr(o, "msg") != NULL,
		    "not a log object: %s (%s)", line, err.text)) {
			json_decref(o);
			continue;
		}
		if (it_jstr(o, "method") != NULL && hit == NULL)
			hit = json_incref(o);
		json_decref(o);
	}
	IT_CHECKF(n >= 4, "%d lines: %s", n, out);
	for (l = out; *l != '\0'; l++)
		if (!IT_CHECKF((unsigned char)*l >= 0x20 ? *l != 0x7f :
		    *l == '\n', "a control byte 0x%02x in the log",
		    (unsigned char)*l))
			break;
	if (IT_CHECK(hit != NULL)) {
		IT_CHECK_INT(it_jint(hit, "status", 0), r->status);
		/* As sent, but for the byte that is no UTF-8. */
		IT_CHECK_STR(it_jstr(hit, "path"), "/no/%0a%1b%22\"\\"
		    "\xef\xbf\xbd\x1b[2J");
		IT_CHECK_STR(it_jstr(hit, "method"), "GET");
		IT_CHECKF(json_is_number(json_object_get(hit, "ms")),
		    "ms a number");
		IT_CHECKF(it_jstr(hit, "thread") != NULL &&
		    strcmp(it_jstr(hit, "thread"), "w0") == 0, "thread w0");
		json_decref(hit);
	}
}

/* -- HTTP limits ----------------------------------------------------------- */

/* A comment's JSON of about n bytes. */
static const char *
comment_json(size_t n)
{
	char	*body;

	body = it_own(malloc(n + 1));
	memset(body, 'x', n);
	body[n] = '\0';
	return it_strf("{\"author\":\"chunked\",\"body\":\"%s\"}", body);
}

/* POSTs json to key's comments in chunks of at most 1000 bytes, without
 * Content-Length; the answer in *r. */
static void
post_chunked(const char *base, const char *key, const char *json,
    struct it_raw *r)
{
	const char	*req;
	size_t		 len = strlen(json), off, k;
	int		 fd;

	memset(r, 0, sizeof *r);
	if (!IT_CHECK((fd = it_raw_connect(base)) >= 0))
		return;
	req = it_strf("POST %s HTTP/1.1\r\nHost: t\r\n" JSON_CT "\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", it_list_path(key));
	for (off = 0; off < len; off += k) {
		k = len - off < 1000 ? len - off : 1000;
		req = it_strf("%s%zx\r\n%.*s\r\n", req, k, (int)k, json + off);
	}
	req = it_strf("%s0\r\n\r\n", req);
	/* The server may answer and close before it has read it all. */
	(void)it_raw_send(fd, req, strlen(req));
	it_raw_read(fd, EVENT_MS, r);
	close(fd);
}

/*
 * A chunked body has no Content-Length to refuse it by: the server reads
 * it, then refuses it with the JSON 413 when it is over
 * COMMENTD_MAX_REQUEST_BYTES.  A chunked body within the limit is read
 * like any other.
 */
static void
test_chunked_too_large(void)
{
	struct it_proc	*p;
	struct it_raw	 r;
	json_t		*j;
	const char	*base, *key = new_key("chunked"), *small;

	p = it_server(&base, "1", it_strf("COMMENTD_MAX_REQUEST_BYTES=%d",
	    BODY_MAX), (char *)NULL);
	IT_REQUIRE(p != NULL);

	post_chunked(base, key, comment_json(BODY_MAX * 3), &r);
	check_raw_error(&r, 413, "payload_too_large");
	IT_CHECKF(r.closed, "the connection closes after a 413");
	check_logged(p, "POST", it_list_path(key), 413, 1);

	small = comment_json(100);
	post_chunked(base, key, small, &r);
	IT_CHECKF(r.status == 202, "a small chunked comment: %ld %s",
	    r.status, r.body != NULL ? r.body : "");
	IT_CHECK((j = json_loads(r.body != NULL ? r.body : "", 0, NULL)) !=
	    NULL && it_jint(j, "comment.id", 0) > 0);
	json_decref(j);

	/* Past libevent's own limit the handler never runs: still 413, and
	 * the server goes on (that page is libevent's: see the README). */
	post_chunked(base, new_key("chunked-hard"),
	    comment_json(BODY_HARD * 2), &r);
	IT_CHECKF(r.status == 413, "a chunked body over %d bytes: %ld",
	    BODY_HARD, r.status);
	IT_CHECK_STATUS(it_http_at(base, "GET", "/healthz", NULL, NULL, 0),
	    200);
	stop(p);
}

/*
 * COMMENTD_HTTP_TIMEOUT_S: a request that stops half-way, and an idle
 * kept-alive connection, are closed after about that long: not well
 * before (still open at 0.3 of it), and not long after.  The kept-alive
 * connection's one request is one line of the request log.
 */
static void
test_http_timeout(void)
{
	static const char half[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n";
	static const char full[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
	struct it_proc	*p;
	struct it_raw	 r;
	const char	*base;
	double		 t_half, t_idle, closed_half, closed_idle;
	size_t		 got_half = 0, got_idle = 0;
	int		 fd_half, fd_idle;

	p = it_server(&base, "1", it_strf("COMMENTD_HTTP_TIMEOUT_S=%d",
	    HTTP_TIMEOUT_S), (char *)NULL);
	IT_REQUIRE(p != NULL);
	fd_half = it_raw_connect(base);
	fd_idle = it_raw_connect(base);
	if (!IT_CHECK(fd_half >= 0 && fd_idle >= 0))
		goto out;
	IT_CHECK(it_raw_send(fd_half, half, sizeof half - 1));
	t_half = it_now();
	IT_CHECK(it_raw_send(fd_idle, full, sizeof full - 1));
	it_raw_read(fd_idle, EVENT_MS, &r);
	t_idle = it_now();
	IT_CHECKF(r.status == 200 && !r.closed, "/healthz kept alive: %ld",
	    r.status);

	/* Not closed early... */
	IT_CHECK(raw_closed_after(fd_half, t_half, STILL_OPEN_MS / 1000.0,
	    &got_half) < 0);
	IT_CHECK(raw_closed_after(fd_idle, t_idle, STILL_OPEN_MS / 1000.0,
	    &got_idle) < 0);
	/* ...but closed. */
	closed_half = raw_closed_after(fd_half, t_half, CLOSED_S, &got_half);
	closed_idle = raw_closed_after(fd_idle, t_idle, CLOSED_S, &got_idle);
	IT_CHECKF(closed_half >= STILL_OPEN_MS / 1000.0, "a half-sent "
	    "request's connection closed after %.2f s, want about %d s",
	    closed_half, HTTP_TIMEOUT_S);
	IT_CHECKF(closed_idle >= STILL_OPEN_MS / 1000.0, "an idle "
	    "connection closed after %.2f s, want about %d s", closed_idle,
	    HTTP_TIMEOUT_S);
	it_note("closed after %.2f s (half-sent), %.2f s (idle)",
	    closed_half, closed_idle);
	IT_CHECKF(got_half == 0 && got_idle == 0, "the server answered a "
	    "timed-out connection (%zu, %zu bytes)", got_half, got_idle);
	check_logged(p, "GET", "/healthz", 200, 1);
out:
	if (fd_half >= 0)
		close(fd_half);
	if (fd_idle >= 0)
		close(fd_idle);
	stop(p);
}

/*
 * Without COMMENTD_DEBUG_READ_DELAY_MS there is no warning, and reads
 * run the production statement, which has no sleep in it (src/sql.c:
 * the delayed page is a statement of its own).
 */
static void
test_no_read_delay(void)
{
	struct it_proc	*p;
	const char	*base, *key = new_key("nodelay"), *since, *out;

	IT_REQUIRE(article(key));
	since = db_now();
	p = it_server(&base, "1", "COMMENTD_DB_POOL_SIZE=1", (char *)NULL);
	IT_REQUIRE(p != NULL);
	IT_CHECK_STATUS(it_http_at(base, "GET", it_list_path(key), NULL, NULL,
	    0), 200);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM pg_stat_activity"
	    " WHERE backend_start >= $1::timestamptz"
	    "   AND application_name LIKE 'commentd w%'"
	    "   AND query LIKE 'WITH RECURSIVE a AS%'"
	    "   AND query NOT LIKE '%pg_sleep%'", since, (char *)NULL), 1);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM pg_stat_activity"
	    " WHERE backend_start >= $1::timestamptz"
	    "   AND application_name LIKE 'commentd w%'"
	    "   AND query LIKE '%pg_sleep%'", since, (char *)NULL), 0);
	stop(p);
	out = it_proc_output(p);
	IT_CHECKF(strstr(out, "DEBUG_READ_DELAY") == NULL, "a read delay "
	    "warning without the setting: %s", out);
}

static const struct it_test tests[] = {
	{ "test_shutdown_drains", test_shutdown_drains },
	{ "test_shutdown_timeout", test_shutdown_timeout },
	{ "test_queue_full", test_queue_full },
	{ "test_queue_timeout", test_queue_timeout },
	{ "test_sse_max_clients", test_sse_max_clients },
	{ "test_migrate_concurrent", test_migrate_concurrent },
	{ "test_migrate_versions", test_migrate_versions },
	{ "test_cli_migrations", test_cli_migrations },
	{ "test_version", test_version },
	{ "test_connection_budget", test_connection_budget },
	{ "test_log_json", test_log_json },
	{ "test_chunked_too_large", test_chunked_too_large },
	{ "test_http_timeout", test_http_timeout },
	{ "test_no_read_delay", test_no_read_delay },
};

int
main(int argc, char **argv)
{
	int	rc;

	snprintf(run_id, sizeof run_id, "%ld-%ld", (long)getpid(),
	    (long)time(NULL));
	bin = getenv("COMMENTD_TEST_BIN");
	if (bin == NULL || *bin == '\0')
		bin = "bin/commentd";
	rc = it_main(tests, sizeof tests / sizeof tests[0], argc, argv);
	free(token);
	return rc;
}
