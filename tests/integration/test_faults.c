/*
 * test_faults.c - kill -9 under a write load (issue 13).
 *
 * PostgreSQL killed and restarted under a running commentd: while it is
 * down every submission is refused quickly with a 503 and a JSON error;
 * once it is back the same process serves again by itself.  The same
 * when one backend is killed (the postmaster ends the others and
 * recovers), and when PostgreSQL is frozen (kill -STOP) for longer than
 * the server's hard timeout.  commentd killed and a new process started
 * on the same database: served again.  Every comment acknowledged with
 * a 2xx, before, during or after a fault, is in the database afterwards.
 *
 * The cluster is the test's own (deploy/pg.sh start without "fast":
 * fsync and synchronous_commit on), in the folder of the shared one
 * (COMMENTD_TEST_PGDIR), so that killing it disturbs no other test and
 * `make test` removes it.  The servers are COMMENTD_TEST_BIN with two
 * workers and short reconnect delays.
 */
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "itest.h"

#define JSON_CT		"Content-Type: application/json"

#define LOADERS		3	/* client threads posting comments */
#define LOAD_MS		1000	/* load before and after each fault */
#define DOWN_MS		1000	/* PostgreSQL stays down this long */
#define FREEZE_MS	3500	/* or frozen: past the hard timeout, 3 s */
#define REQ_MS		10000	/* a request gives up (no answer) */
#define READ_EVERY	4	/* one request in 4 reads the page */
/* The slowest answer allowed, PostgreSQL up, down or frozen: the hard
 * timeout of a statement is the statement timeout plus 2 s (db.c), 3 s
 * on the server of the freeze, 7 s on the others, and a query waits 1 s
 * at most for a connection. */
#define ANSWER_S	(5.0 * it_time_factor())
/* Served again within this long of PostgreSQL's restart: its crash
 * recovery ends with a checkpoint (fsync on), seconds on a busy disk. */
#define RECOVER_S	(10.0 * it_time_factor())

/* What the test was doing when a request started or ended. */
enum phase {
	PH_UP,		/* all up */
	PH_DOWN,	/* killed (PostgreSQL or the server), not back */
	PH_BACK,	/* restarted */
};

/* One request of the load. */
struct rec {
	long		 status;	/* 0: no HTTP answer */
	long long	 id;		/* comment.id of a 2xx */
	int		 seq;		/* the number in its marker */
	bool		 read;		/* a GET of the article's page */
	enum phase	 phase;		/* at its start */
	enum phase	 phase_end;	/* at its end */
	double		 start, end;	/* it_now() */
	bool		 json_error;	/* JSON type, error.code a string */
	bool		 retry_after;
	char		 what[160];	/* the body's start, or curl's reason */
};

/* The load: LOADERS threads posting to base (one request in READ_EVERY
 * reads the page) until stopped. */
struct load {
	pthread_mutex_t	 lock;
	pthread_t	 threads[LOADERS];
	int		 nthreads;
	bool		 stop;
	char		 base[64];	/* the server; replaced after a kill */
	const char	*path;		/* the article's comments */
	const char	*tag;		/* bodies are "TAG SEQ" */
	enum phase	 phase;
	int		 seq;
	struct rec	*recs;
	size_t		 n, cap;
	int		 ok;		/* 2xx so far */
	int		 n503;		/* 503s so far */
};

/* The tally of a load's answers. */
struct tally {
	int	 n2xx, n503, none, other;
	int	 reads;		/* pages read (200) */
	int	 n503_down;	/* 503s that started while down */
	int	 bad503;	/* without a JSON error or Retry-After */
	int	 slow;		/* answered after ANSWER_S */
	double	 max_s;		/* the slowest answer */
};

static char	 run_id[48];
static char	 pgdir[PATH_MAX];	/* our cluster */
static char	 conninfo[PATH_MAX + 64];
static bool	 pg_running;

static int	 pg_sh(const char *);
static void	 pg_atexit(void);
static PGresult	*own_sql_at(const char *, int, const char *, const char *);
static pid_t	 postmaster_pid(void);
static bool	 proc_stat(pid_t, pid_t *, char *);
static int	 cluster_pids(pid_t, pid_t *, int);
static int	 cluster_signal(int);
static struct it_proc *start_server_at(const char *, int, const char **,
		    const char *);
static void	*load_main(void *);
static bool	 load_start(struct load *, const char *, const char *,
		    const char *);
static void	 load_stop(struct load *);
static void	 load_set(struct load *, enum phase, const char *);
static int	 load_ok(struct load *, int *);
static void	 load_tally(const struct load *, struct tally *, bool);
static void	 check_stored_at(const char *, int, const struct load *,
		    const char *);
static void	 test_cluster(void);
static void	 test_postgres_killed(void);
static void	 test_backend_killed(void);
static void	 test_postgres_frozen(void);
static void	 test_server_killed(void);
static void	 test_cluster_stop(void);

#define own_sql(sql, param)	own_sql_at(__FILE__, __LINE__, (sql), (param))
#define start_server(base, extra)					\
	start_server_at(__FILE__, __LINE__, (base), (extra))
#define check_stored(ld, key)	check_stored_at(__FILE__, __LINE__, (ld), \
	(key))

/* -- our cluster ---------------------------------------------------------- */

/* deploy/pg.sh WHAT on our cluster; its exit status. */
static int
pg_sh(const char *what)
{
	char	*argv[] = { (char *)"deploy/pg.sh", (char *)what, pgdir, NULL };

	return it_run_cmd(argv, 120);
}

/* A case that returned early must not leave the cluster running. */
static void
pg_atexit(void)
{
	if (pg_running)
		(void)pg_sh("stop");
}

/*
 * sql with one text parameter (NULL: none) on our cluster, over a
 * connection of its own; the caller clears the result.  NULL after a
 * failed check at the caller's line.
 */
static PGresult *
own_sql_at(const char *file, int line, const char *sql, const char *param)
{
	PGconn		*c;
	PGresult	*r;
	ExecStatusType	 st;

	c = PQconnectdb(conninfo);
	if (!it_check_at(file, line, PQstatus(c) == CONNECTION_OK,
	    "connect to %s: %s", conninfo, PQerrorMessage(c))) {
		PQfinish(c);
		return NULL;
	}
	r = PQexecParams(c, sql, param != NULL ? 1 : 0, NULL, &param, NULL,
	    NULL, 0);
	st = PQresultStatus(r);
	if (!it_check_at(file, line, st == PGRES_TUPLES_OK ||
	    st == PGRES_COMMAND_OK, "SQL failed: %s: %s", sql,
	    PQresultErrorMessage(r))) {
		PQclear(r);
		r = NULL;
	}
	PQfinish(c);
	return r;
}

/* The postmaster's process id, from its pid file; 0 if none. */
static pid_t
postmaster_pid(void)
{
	char	*path, *text;

	path = it_strf("%s/data/postmaster.pid", pgdir);
	if ((text = it_slurp(path, NULL)) == NULL)
		return 0;
	return (pid_t)strtol(text, NULL, 10);
}

/* The parent and state of pid (/proc/PID/stat); false if it is gone. */
static bool
proc_stat(pid_t pid, pid_t *ppid, char *state)
{
	char	 path[64], buf[1024], *p;
	FILE	*f;
	size_t	 n;
	int	 pp;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "PID (COMM) S PPID ...": COMM may hold spaces and parentheses. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %c %d", state, &pp) != 2)
		return false;
	*ppid = (pid_t)pp;
	return true;
}

/*
 * The cluster's processes, the postmaster first, into pids (at most
 * max); how many.  The postmaster must be stopped (SIGSTOP) so that the
 * list cannot change.
 */
static int
cluster_pids(pid_t pm, pid_t *pids, int max)
{
	DIR		*d;
	struct dirent	*de;
	pid_t		 ppid;
	char		 state;
	int		 n = 0;

	pids[n++] = pm;
	if ((d = opendir("/proc")) == NULL)
		return n;
	while ((de = readdir(d)) != NULL && n < max) {
		if (isdigit((unsigned char)de->d_name[0]) &&
		    proc_stat((pid_t)atol(de->d_name), &ppid, &state) &&
		    ppid == pm)
			pids[n++] = (pid_t)atol(de->d_name);
	}
	closedir(d);
	return n;
}

/*
 * Sends sig to every process of the cluster, the postmaster stopped
 * first so that it starts none meanwhile, and itself last.  SIGKILL:
 * waits until the postmaster is gone (pg_ctl would take a living one,
 * or an unreaped one, for a running server).  Returns how many
 * processes got sig; 0 if there was no postmaster or it did not go.
 */
static int
cluster_signal(int sig)
{
	pid_t	 pm, pids[512];
	double	 t0;
	int	 n, i;

	if ((pm = postmaster_pid()) <= 0 || kill(pm, SIGSTOP) != 0)
		return 0;
	n = cluster_pids(pm, pids, 512);
	for (i = n - 1; i >= 0; i--)
		kill(pids[i], sig);
	if (sig != SIGKILL)
		return n;
	t0 = it_now();
	while (kill(pm, 0) == 0 && it_now() - t0 < 10)
		it_sleep_ms(10);
	return kill(pm, 0) == 0 ? 0 : n;
}

/* -- the server ----------------------------------------------------------- */

/*
 * commentd serve on our cluster, two workers: reconnects within 50 to
 * 400 ms, a query waits at most 1 s for a connection, and the limits
 * that would judge the load as abuse are off; extra (NULL: none) one
 * more "NAME=value".
 */
static struct it_proc *
start_server_at(const char *file, int line, const char **base,
    const char *extra)
{
	return it_server_db_at(file, line, base, conninfo, "2",
	    "COMMENTD_DB_RETRY_MIN_MS=50", "COMMENTD_DB_RETRY_MAX_MS=400",
	    "COMMENTD_DB_QUEUE_TIMEOUT_MS=1000", "COMMENTD_SUBMIT_RATE=0",
	    "COMMENTD_DUPLICATE_WINDOW_S=0", "COMMENTD_REPEAT_OFFENDER=0",
	    "COMMENTD_MIN_FORM_SECONDS=0", extra, (char *)NULL);
}

/* -- the load ------------------------------------------------------------- */

static void *
load_main(void *arg)
{
	struct load		*ld = arg;
	const char *const	 h[] = { JSON_CT, NULL };
	struct it_req		 req;
	struct it_resp		 resp;
	struct rec		 rec, *nr;
	char			 base[64], body[200];

	for (;;) {
		memset(&rec, 0, sizeof rec);
		pthread_mutex_lock(&ld->lock);
		if (ld->stop) {
			pthread_mutex_unlock(&ld->lock);
			break;
		}
		rec.seq = ld->seq++;
		rec.phase = ld->phase;
		/* One in READ_EVERY reads the page (once it exists): no 500
		 * there either. */
		rec.read = rec.seq % READ_EVERY == READ_EVERY - 1 && ld->ok > 0;
		snprintf(base, sizeof base, "%s", ld->base);
		pthread_mutex_unlock(&ld->lock);

		snprintf(body, sizeof body, "{\"author\": \"fault load\", "
		    "\"body\": \"%s %d\"}", ld->tag, rec.seq);
		memset(&req, 0, sizeof req);
		req.method = rec.read ? "GET" : "POST";
		req.path = ld->path;
		req.headers = h;
		req.body = rec.read ? NULL : body;
		req.body_len = rec.read ? 0 : strlen(body);
		req.timeout_ms = it_limit_ms(REQ_MS);
		req.base = base;
		rec.start = it_now();
		it_do(&req, &resp);
		rec.end = it_now();
		rec.status = resp.status;
		rec.id = it_jint(resp.json, "comment.id", -1);
		rec.json_error = it_is_json_type(&resp) &&
		    it_jstr(resp.json, "error.code") != NULL;
		rec.retry_after = it_header(&resp, "Retry-After") != NULL;
		snprintf(rec.what, sizeof rec.what, "%.150s", resp.status != 0 ?
		    resp.body : resp.error);
		it_resp_clear(&resp);

		pthread_mutex_lock(&ld->lock);
		rec.phase_end = ld->phase;
		if (ld->n == ld->cap) {
			ld->cap = ld->cap == 0 ? 1024 : ld->cap * 2;
			if ((nr = realloc(ld->recs, ld->cap * sizeof *nr)) ==
			    NULL)
				abort();
			ld->recs = nr;
		}
		ld->recs[ld->n++] = rec;
		if (rec.status / 100 == 2 && !rec.read)
			ld->ok++;
		else if (rec.status == 503)
			ld->n503++;
		pthread_mutex_unlock(&ld->lock);
		/* Refusals come fast: no busy loop while down. */
		if (rec.status / 100 != 2)
			it_sleep_ms(20);
	}
	return NULL;
}

/* Starts the load on key at base; false (a failed check) if it did not. */
static bool
load_start(struct load *ld, const char *base, const char *key,
    const char *tag)
{
	int	 i;

	memset(ld, 0, sizeof *ld);
	pthread_mutex_init(&ld->lock, NULL);
	snprintf(ld->base, sizeof ld->base, "%s", base);
	ld->path = it_list_path(key);
	ld->tag = tag;
	ld->phase = PH_UP;
	for (i = 0; i < LOADERS; i++) {
		if (pthread_create(&ld->threads[i], NULL, load_main, ld) != 0)
			break;
		ld->nthreads++;
	}
	return IT_CHECKF(ld->nthreads == LOADERS, "%d of %d load threads "
	    "started", ld->nthreads, LOADERS);
}

/* Stops the threads; their records stay (free ld->recs). */
static void
load_stop(struct load *ld)
{
	int	 i;

	pthread_mutex_lock(&ld->lock);
	ld->stop = true;
	pthread_mutex_unlock(&ld->lock);
	for (i = 0; i < ld->nthreads; i++)
		pthread_join(ld->threads[i], NULL);
	ld->nthreads = 0;
}

/* A new phase and, if not NULL, a new server for the requests after. */
static void
load_set(struct load *ld, enum phase ph, const char *base)
{
	pthread_mutex_lock(&ld->lock);
	ld->phase = ph;
	if (base != NULL)
		snprintf(ld->base, sizeof ld->base, "%s", base);
	pthread_mutex_unlock(&ld->lock);
}

/* The 2xx answers so far, and the 503s in *n503 if not NULL. */
static int
load_ok(struct load *ld, int *n503)
{
	int	ok;

	pthread_mutex_lock(&ld->lock);
	ok = ld->ok;
	if (n503 != NULL)
		*n503 = ld->n503;
	pthread_mutex_unlock(&ld->lock);
	return ok;
}

/*
 * Counts the answers and checks each: a 2xx with an id (a read: 200),
 * or a 503 with a JSON error and Retry-After, within ANSWER_S.  No
 * answer at all is a failure unless server_killed and the request was
 * under way at the kill or sent before its successor served.  Notes the
 * first bad one of each kind.
 */
static void
load_tally(const struct load *ld, struct tally *t, bool server_killed)
{
	const struct rec	*r;
	size_t			 i;
	double			 s;
	bool			 lost_ok;

	memset(t, 0, sizeof *t);
	for (i = 0; i < ld->n; i++) {
		r = &ld->recs[i];
		if (r->status == 0) {
			lost_ok = server_killed && (r->phase == PH_DOWN ||
			    (r->phase == PH_UP && r->phase_end != PH_UP));
			if (!lost_ok && t->none++ == 0)
				it_note("no answer to request %d (phase %d to "
				    "%d): %s", r->seq, (int)r->phase,
				    (int)r->phase_end, r->what);
			continue;
		}
		s = r->end - r->start;
		if (s > t->max_s)
			t->max_s = s;
		if (s >= ANSWER_S && t->slow++ == 0)
			it_note("request %d answered %ld after %.2f s", r->seq,
			    r->status, s);
		if (r->read && r->status == 200) {
			t->reads++;
		} else if (!r->read && r->status / 100 == 2 && r->id > 0) {
			t->n2xx++;
		} else if (r->status == 503) {
			t->n503++;
			if (r->phase == PH_DOWN)
				t->n503_down++;
			if ((!r->json_error || !r->retry_after) &&
			    t->bad503++ == 0)
				it_note("503 without a JSON error or "
				    "Retry-After: %s", r->what);
		} else if (t->other++ == 0) {
			it_note("request %d answered %ld (phase %d): %s",
			    r->seq, r->status, (int)r->phase, r->what);
		}
	}
	IT_CHECKF(t->none == 0, "%d requests got no answer", t->none);
	IT_CHECKF(t->other == 0, "%d answers neither a 2xx with an id (a "
	    "page: 200) nor a 503", t->other);
	IT_CHECKF(t->bad503 == 0, "%d of %d 503s lack a JSON error or "
	    "Retry-After", t->bad503, t->n503);
	IT_CHECKF(t->slow == 0, "%d answers took %.1f s or more (slowest "
	    "%.2f s)", t->slow, ANSWER_S, t->max_s);
}

static int
cmp_ll(const void *a, const void *b)
{
	long long	x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/*
 * Every acknowledged comment of the load is in the database, under its
 * id and with its body; notes the counts.
 */
static void
check_stored_at(const char *file, int line, const struct load *ld,
    const char *key)
{
	PGresult		*res;
	const struct rec	*r;
	long long		*ids, *hit;
	const char		*want;
	size_t			 i;
	int			 nrows, row, acked = 0, missing = 0, wrong = 0;

	res = own_sql_at(file, line, "SELECT c.id, c.body FROM comments c "
	    "JOIN articles a ON a.id = c.article_id WHERE a.key = $1 "
	    "ORDER BY c.id", key);
	if (res == NULL)
		return;
	nrows = PQntuples(res);
	ids = it_own(calloc((size_t)nrows + 1, sizeof *ids));
	for (row = 0; row < nrows; row++)
		ids[row] = strtoll(PQgetvalue(res, row, 0), NULL, 10);
	for (i = 0; i < ld->n; i++) {
		r = &ld->recs[i];
		if (r->read || r->status / 100 != 2)
			continue;
		acked++;
		hit = bsearch(&r->id, ids, (size_t)nrows, sizeof *ids, cmp_ll);
		if (hit == NULL) {
			if (missing++ == 0)
				it_note("comment %lld (request %d, answered "
				    "%ld) is not in the database", r->id,
				    r->seq, r->status);
			continue;
		}
		want = it_strf("%s %d", ld->tag, r->seq);
		if (strcmp(PQgetvalue(res, (int)(hit - ids), 1), want) != 0 &&
		    wrong++ == 0)
			it_note("comment %lld holds \"%s\", want \"%s\"", r->id,
			    PQgetvalue(res, (int)(hit - ids), 1), want);
	}
	PQclear(res);
	it_note("%d comments acknowledged, %d of them in the database; %d "
	    "rows in all (%d committed but not acknowledged: under way at "
	    "the kill)", acked, acked - missing, nrows, nrows - acked +
	    missing);
	it_check_at(file, line, missing == 0, "%d of %d acknowledged "
	    "comments are missing", missing, acked);
	it_check_at(file, line, wrong == 0, "%d acknowledged comments hold "
	    "another body", wrong);
}

/* -- the cases ------------------------------------------------------------ */

/* Our cluster, started, with the settings durability depends on. */
static void
test_cluster(void)
{
	char		*argv[] = { (char *)"deploy/pg.sh", (char *)"url",
	    pgdir, NULL };
	char		*out, *slash;
	PGresult	*res;
	size_t		 n;
	int		 rc;

	IT_REQUIREF(it_pgdir != NULL && *it_pgdir != '\0' &&
	    strlen(it_pgdir) < sizeof pgdir - 16,
	    "COMMENTD_TEST_PGDIR is set");
	snprintf(pgdir, sizeof pgdir, "%s", it_pgdir);
	if ((slash = strrchr(pgdir, '/')) != NULL && slash != pgdir)
		*slash = '\0';
	strcat(pgdir, "/faults-pg");
	pg_running = true;
	rc = pg_sh("start");
	IT_REQUIREF(rc == 0, "deploy/pg.sh start %s exited %d", pgdir, rc);
	rc = it_run_io(argv, NULL, NULL, &out, 30);
	IT_REQUIREF(rc == 0 && out != NULL, "deploy/pg.sh url exited %d", rc);
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	snprintf(conninfo, sizeof conninfo, "%s", out);

	/* An acknowledged commit is on disk: what the count relies on. */
	res = own_sql("SELECT current_setting('synchronous_commit'), "
	    "current_setting('fsync')", NULL);
	IT_REQUIRE(res != NULL);
	IT_CHECK_STR(PQgetvalue(res, 0, 0), "on");
	IT_CHECK_STR(PQgetvalue(res, 0, 1), "on");
	PQclear(res);
	it_note("cluster %s: %s", pgdir, conninfo);
}

/* What happens to PostgreSQL in pg_fault(). */
enum fault {
	F_CLUSTER,	/* kill -9 of every process, then started again */
	F_BACKEND,	/* kill -9 of one backend of the server */
	F_FREEZE,	/* kill -STOP of every process, then -CONT */
};

/*
 * A PostgreSQL fault under the load.  F_CLUSTER: down DOWN_MS, then
 * started again (crash recovery).  F_BACKEND: the postmaster ends the
 * other backends and recovers by itself.  F_FREEZE: FREEZE_MS without
 * an answer, longer than the server's hard timeout.  Meanwhile 503s,
 * quickly; then the same server serving again within RECOVER_S, its
 * workers listening for changes again; every acknowledged comment
 * stored.
 */
static void
pg_fault(enum fault f)
{
	static const char *const tags[] = { "cluster", "backend", "freeze" };
	const char	*key, *base, *out;
	struct it_proc	*p;
	struct load	 ld;
	struct tally	 t;
	const struct rec *r;
	struct it_resp	*rr;
	PGresult	*res;
	double		 t_kill, t_dead, t_start, t_back, first = -1, last503;
	size_t		 i;
	int		 ok, ok_dead, n = 0, rc, listening = 0, n503_0, n503;
	pid_t		 pid;
	bool		 frozen = false;

	IT_REQUIREF(conninfo[0] != '\0', "the cluster is up");
	key = it_strf("fault-%s-%s", tags[f], run_id);
	/* Frozen, statements time out by our timer only: sooner. */
	p = start_server(&base, f == F_FREEZE ?
	    "COMMENTD_DB_STATEMENT_TIMEOUT_MS=1000" : NULL);
	IT_REQUIRE(p != NULL);
	if (!load_start(&ld, base, key, key))
		goto out;
	it_sleep_ms(LOAD_MS);
	if (!IT_CHECKF(load_ok(&ld, NULL) > 0, "comments acknowledged before "
	    "the fault"))
		goto out;

	load_ok(&ld, &n503_0);
	load_set(&ld, PH_DOWN, NULL);
	t_kill = it_now();
	switch (f) {
	case F_CLUSTER:
		n = cluster_signal(SIGKILL);
		IT_CHECKF(n >= 2, "killed the postmaster and its children "
		    "(%d processes)", n);
		break;
	case F_BACKEND:
		res = own_sql("SELECT pid FROM pg_stat_activity WHERE "
		    "application_name LIKE 'commentd w%' ORDER BY "
		    "state = 'active' DESC LIMIT 1", NULL);
		pid = res != NULL && PQntuples(res) == 1 ?
		    (pid_t)atol(PQgetvalue(res, 0, 0)) : 0;
		PQclear(res);
		if (IT_CHECKF(pid > 0, "a backend of the server") &&
		    IT_CHECKF(kill(pid, SIGKILL) == 0, "kill -9 %ld: %s",
		    (long)pid, strerror(errno)))
			n = 1;
		break;
	case F_FREEZE:
		n = cluster_signal(SIGSTOP);
		frozen = n > 0;
		IT_CHECKF(n >= 2, "stopped the postmaster and its children "
		    "(%d processes)", n);
		break;
	}
	if (n == 0)
		goto out;
	/* The postmaster's reset comes a moment after the kill: when the
	 * first 503 says it began, every 2xx after was written after it. */
	if (f == F_BACKEND) {
		do {
			load_ok(&ld, &n503);
			it_sleep_ms(5);
		} while (n503 == n503_0 && it_now() - t_kill < RECOVER_S);
		IT_CHECKF(n503 > n503_0, "a 503 after the kill");
	}
	t_dead = it_now();
	ok_dead = load_ok(&ld, NULL);
	t_start = t_dead;
	if (f == F_CLUSTER) {
		it_sleep_ms(DOWN_MS);
		t_start = it_now();
		it_note("starting PostgreSQL again (pg_ctl warns of the "
		    "stale pid file the kill left)");
		rc = pg_sh("start");
		if (!IT_CHECKF(rc == 0, "deploy/pg.sh start after the kill "
		    "exited %d", rc))
			goto out;
	} else if (f == F_FREEZE) {
		it_sleep_ms(FREEZE_MS);
		t_start = it_now();
		n = cluster_signal(SIGCONT);
		frozen = false;
		IT_CHECKF(n >= 2, "continued the cluster (%d processes)", n);
	}
	t_back = it_now();
	load_set(&ld, PH_BACK, NULL);

	/* Served again by itself: a few comments more. */
	while ((ok = load_ok(&ld, NULL)) < ok_dead + 3 &&
	    it_now() - t_back < RECOVER_S)
		it_sleep_ms(20);
	IT_CHECKF(ok >= ok_dead + 3, "posting works again within %.0f s (%d "
	    "acknowledged since the fault)", RECOVER_S, ok - ok_dead);
	it_sleep_ms(LOAD_MS);
	load_stop(&ld);

	/* Both workers' listening connections are back, and /readyz. */
	do {
		out = it_proc_output(p);
		listening = 0;
		for (; (out = strstr(out, "] listening for changes")) != NULL;
		    out++)
			listening++;
		if (f == F_FREEZE || listening >= 4)
			break;
		it_sleep_ms(50);
	} while (it_now() - t_back < RECOVER_S);
	/* (A freeze need not cost the listening connections.) */
	if (f != F_FREEZE)
		IT_CHECKF(listening >= 4, "both workers listen for changes "
		    "again (%d times in all, want 4)", listening);
	rr = it_http_at(base, "GET", "/readyz", NULL, NULL, 0);
	IT_CHECK_STATUS(rr, 200);

	load_tally(&ld, &t, false);
	/* A crashed backend's 503s may all come after the kill's moment,
	 * and a freeze's to requests sent before it (hard timeout). */
	if (f == F_CLUSTER)
		IT_CHECKF(t.n503_down > 0, "refused with 503 while "
		    "PostgreSQL was down");
	else
		IT_CHECKF(t.n503 > 0, "refused with 503 during the fault");
	/* Served again: the first 2xx sent after the last 503 was. */
	last503 = t_dead;
	for (i = 0; i < ld.n; i++) {
		r = &ld.recs[i];
		if (r->status == 503 && r->start > last503)
			last503 = r->start;
	}
	for (i = 0; i < ld.n; i++) {
		r = &ld.recs[i];
		if (!r->read && r->status / 100 == 2 &&
		    r->start > last503 &&
		    (first < 0 || r->end < first))
			first = r->end;
	}
	it_note("%zu requests: %d comments acknowledged, %d pages read, %d "
	    "refused with 503 (%d sent during the fault); slowest answer "
	    "%.2f s", ld.n, t.n2xx, t.reads, t.n503, t.n503_down, t.max_s);
	if (f == F_CLUSTER && first > 0)
		it_note("kill -9 took %.2f s (till the postmaster was reaped), "
		    "down %.2f s in all; deploy/pg.sh start (crash recovery) "
		    "took %.2f s; first comment acknowledged %.2f s after it "
		    "was called, %.2f s after it returned", t_dead - t_kill,
		    t_start - t_kill, t_back - t_start, first - t_start,
		    first - t_back);
	else if (f == F_BACKEND && first > 0)
		it_note("the reset began %.2f s after the kill; served again "
		    "%.2f s after the kill (the postmaster's crash recovery "
		    "included)", t_dead - t_kill, first - t_kill);
	else if (first > 0)
		it_note("frozen %.2f s; served again %.2f s after SIGCONT",
		    t_start - t_kill, first - t_start);
	check_stored(&ld, key);

out:
	load_stop(&ld);
	free(ld.recs);
	if (frozen)
		cluster_signal(SIGCONT);
	/* A clean exit after all that: status 0, no leak report. */
	it_proc_stop(p, it_limit_ms(10000));
	if (postmaster_pid() <= 0 || kill(postmaster_pid(), 0) != 0)
		IT_CHECKF(pg_sh("start") == 0, "cluster started again");
}

static void
test_postgres_killed(void)
{
	pg_fault(F_CLUSTER);
}

static void
test_backend_killed(void)
{
	pg_fault(F_BACKEND);
}

static void
test_postgres_frozen(void)
{
	pg_fault(F_FREEZE);
}

/*
 * kill -9 of the server under the load, a new one started on the same
 * database: requests under way at the kill may go unanswered, the new
 * one serves, and every acknowledged comment is stored.
 */
static void
test_server_killed(void)
{
	const char	*key = it_strf("fault-srv-%s", run_id), *base, *base2;
	struct it_proc	*p, *p2;
	struct load	 ld;
	struct tally	 t;
	double		 t_kill, t_up;
	int		 ok0, ok1, rc;

	IT_REQUIREF(conninfo[0] != '\0', "the cluster is up");
	p = start_server(&base, NULL);
	IT_REQUIRE(p != NULL);
	if (!load_start(&ld, base, key, it_strf("fault-srv-%s", run_id)))
		goto out;
	it_sleep_ms(LOAD_MS);
	ok0 = load_ok(&ld, NULL);
	if (!IT_CHECKF(ok0 > 0, "comments acknowledged before the kill"))
		goto out;

	load_set(&ld, PH_DOWN, NULL);
	t_kill = it_now();
	it_proc_kill(p, SIGKILL);
	rc = it_proc_wait(p, 5000);
	IT_CHECKF(rc == 128 + SIGKILL, "the server was killed (status %d)",
	    rc);
	p2 = start_server(&base2, NULL);
	if (p2 == NULL)
		goto out;
	t_up = it_now();
	ok1 = load_ok(&ld, NULL);
	load_set(&ld, PH_BACK, base2);
	it_sleep_ms(LOAD_MS);
	load_stop(&ld);
	IT_CHECKF(load_ok(&ld, NULL) > ok1, "the new server acknowledges "
	    "comments (%d)", load_ok(&ld, NULL) - ok1);

	load_tally(&ld, &t, true);
	it_note("%zu requests: %d comments acknowledged, %d pages read, %d "
	    "refused with 503; the new server served %.2f s after the kill; "
	    "slowest answer %.2f s", ld.n, t.n2xx, t.reads, t.n503,
	    t_up - t_kill, t.max_s);
	check_stored(&ld, key);
	it_proc_stop(p2, it_limit_ms(10000));

out:
	load_stop(&ld);
	free(ld.recs);
}

static void
test_cluster_stop(void)
{
	IT_REQUIREF(pg_running, "the cluster was started");
	IT_CHECKF(pg_sh("stop") == 0, "deploy/pg.sh stop");
	pg_running = false;
}

static const struct it_test tests[] = {
	{ "cluster", test_cluster },
	{ "postgres_killed", test_postgres_killed },
	{ "backend_killed", test_backend_killed },
	{ "postgres_frozen", test_postgres_frozen },
	{ "server_killed", test_server_killed },
	{ "cluster_stop", test_cluster_stop },
};

int
main(int argc, char **argv)
{
	snprintf(run_id, sizeof run_id, "%ld-%ld", (long)getpid(),
	    (long)time(NULL));
	atexit(pg_atexit);
	return it_main(tests, sizeof tests / sizeof tests[0], argc, argv);
}
