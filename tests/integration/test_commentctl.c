/*
 * test_commentctl.c - integration tests of commentctl, the moderators'
 * command-line client: the real binary, run as a script would run it,
 * against the server under test.
 *
 * The harness passes COMMENTD_TEST_URL, COMMENTD_TEST_DB and
 * COMMENTD_TEST_BIN as for test_admin, and COMMENTD_TEST_CTL, the
 * commentctl binary (the -san one under SANITIZE=1).  Each run gets
 * COMMENTD_URL and COMMENTD_TOKEN in its environment (a moderator's API
 * token made with `commentd token create`); its standard output and
 * error are checked apart, and its error output must never hold a
 * sanitizer report.
 *
 * Article keys and the account carry a per-run suffix, so the suite can
 * run twice against one database; any test case can run alone.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cs.h"
#include "itest.h"

#define API		"/api/v1/admin"
#define PASSWORD	"password123"
/* How long a spawned watch may take to show what it must: a deadline,
 * generous for a busy machine and longer under the sanitizers. */
#define WATCH_MS	((int)it_limit_ms(10000))
/* The ellipsis that ends a cut table cell. */
#define ELLIPSIS	"\xe2\x80\xa6"
/* Over 50 characters: the queue table cuts it. */
#define LONG_BODY							\
	"أبلغ الزعيم الكوري الشمالي كيم "				\
	"جونج أون الرئيس الروسي "					\
	"فلاديمير بوتين، اليوم "					\
	"الأربعاء، أن بلاده تقدم دعمها الكامل"
/* With harakat: 8 characters, 4 letters on a terminal. */
#define MUHAMMAD	"مُحَمَّد"
#define SHORT_HARAKAT	"مُحَمَّدٌ رَسُولُ اللَّهِ"

/* One run of commentctl. */
struct run {
	int		 rc;	/* exit status; -1: it did not finish */
	const char	*out;	/* standard output */
	const char	*err;	/* standard error */
	const char	*cmd;	/* for messages */
};

static char	 run_id[48];
static const char *ctl;		/* COMMENTD_TEST_CTL */
static const char *bin;		/* COMMENTD_TEST_BIN */
static char	 mod_name[80];
static char	 token[200];
static bool	 tried, have_token;
/* An admin's token (admin_at()), for what only admins see. */
static char	 adm_token[200];
static bool	 adm_tried, adm_ok;

static bool	 account_at(const char *, int);
static bool	 admin_at(const char *, int);
static const char *new_key(const char *);
static const char *bearer(void);
static char	**ctl_env(const char *, const char *);
static struct run *run_v(const char *, int, char **, const char *const *,
		    size_t);
static struct run *run_at(const char *, int, char **, ...);
static bool	 check_rc_at(const char *, int, const struct run *, int);
static long long add_comment_at(const char *, int, const char *,
		    const char *, const char *, const char *);
static struct it_resp *act(long long, const char *, const char *);
static const char *status_of(long long);
static bool	 public_has(const char *, long long);
static const json_t *history_last(long long);
static long long missing_id(void);
static size_t	 split_lines(const char *, const char **, size_t);
static bool	 valid_utf8(const char *);
static size_t	 decode(const char *, uint32_t *);
static int	 cell_width(uint32_t);
static long	 cell_of(const char *, const char *);
static const char *at_cell(const char *, long);
static size_t	 width_of(const char *, size_t);
static const char *line_with(const char *, const char *);
static int	 free_port(void);
static struct it_proc *start_server(int);
static struct it_proc *spawn_watch(const char *, ...);
static void	 check_clean_exit_at(const char *, int, struct it_proc *,
		    int);

static void	 test_usage(void);
static void	 test_errors(void);
static void	 test_queue(void);
static void	 test_paging(void);
static void	 test_show(void);
static void	 test_actions(void);
static void	 test_batch(void);
static void	 test_articles(void);
static void	 test_stats(void);
static void	 test_watch(void);
static void	 test_watch_signals(void);
static void	 test_watch_reconnect(void);
static void	 test_tokens(void);

#define account()	account_at(__FILE__, __LINE__)
#define admin()		admin_at(__FILE__, __LINE__)
#define RUN(...)	run_at(__FILE__, __LINE__, NULL, __VA_ARGS__, \
			    (char *)NULL)
#define RUN_ENV(env, ...) run_at(__FILE__, __LINE__, (env), __VA_ARGS__, \
			    (char *)NULL)
#define CHECK_RC(r, want)	check_rc_at(__FILE__, __LINE__, (r), (want))
#define add_comment(k, a, e, b)	add_comment_at(__FILE__, __LINE__, (k), \
				    (a), (e), (b))
#define ID(n)		it_strf("%lld", (long long)(n))
#define check_clean_exit(p, ms)	check_clean_exit_at(__FILE__, __LINE__, \
				    (p), (ms))

/* -- helpers --------------------------------------------------------------- */

/* An admin account of the run and its token, in adm_token. */
static bool
admin_at(const char *file, int line)
{
	const char	*name;
	char		*out;

	if (adm_tried)
		return it_check_at(file, line, adm_ok, "the admin and its "
		    "token were made");
	adm_tried = true;
	name = it_strf("ctladm-%s", run_id);
	if (!it_cli_at(file, line, PASSWORD "\n", NULL, "moderator", "add",
	    name, "--role", "admin", (char *)NULL))
		return false;
	if ((out = it_new_token_at(file, line, name)) == NULL ||
	    !it_check_at(file, line, strlen(out) < sizeof adm_token,
	    "the token fits"))
		return false;
	snprintf(adm_token, sizeof adm_token, "%s", out);
	adm_ok = true;
	return true;
}

/* A moderator (not an admin: commentctl needs no more) and its token. */
static bool
account_at(const char *file, int line)
{
	char	*out;

	if (tried)
		return it_check_at(file, line, have_token, "the account and "
		    "its token were made");
	tried = true;
	snprintf(mod_name, sizeof mod_name, "ctl-%s", run_id);
	if (!it_cli_at(file, line, PASSWORD "\n", NULL, "moderator", "add",
	    mod_name, "--role", "moderator", (char *)NULL))
		return false;
	if ((out = it_new_token_at(file, line, mod_name)) == NULL ||
	    !it_check_at(file, line, strlen(out) < sizeof token,
	    "the token fits"))
		return false;
	snprintf(token, sizeof token, "%s", out);
	have_token = true;
	return true;
}

static const char *
new_key(const char *tag)
{
	return it_strf("itctl-%s-%s", run_id, tag);
}

static const char *
bearer(void)
{
	return it_strf("Authorization: Bearer %s", token);
}

/* COMMENTD_URL and COMMENTD_TOKEN for a run (NULL: the test's own). */
static char **
ctl_env(const char *url, const char *tok)
{
	char	**env;

	env = it_own(calloc(3, sizeof *env));
	if (env == NULL)
		abort();
	env[0] = it_strf("COMMENTD_URL=%s", url != NULL ? url : it_base_url);
	env[1] = it_strf("COMMENTD_TOKEN=%s", tok != NULL ? tok : token);
	return env;
}

/*
 * Runs commentctl with args[0..n) and env (NULL: ctl_env(NULL, NULL)).
 * Standard error goes to a file of its own, read back into r->err.
 */
static struct run *
run_v(const char *file, int line, char **env, const char *const *args,
    size_t nargs)
{
	static int	 seq;
	struct run	*r;
	const char	*errf;
	char		**argv, *err = NULL, *out = NULL;
	FILE		*fp;
	size_t		 n = 0, len = 0, i;

	r = it_own(calloc(1, sizeof *r));
	argv = it_own(calloc(nargs + 7, sizeof *argv));
	if (r == NULL || argv == NULL)
		abort();
	errf = it_strf("/tmp/itest-ctl-err.%ld.%d", (long)getpid(), seq++);
	argv[n++] = (char *)"/bin/sh";
	argv[n++] = (char *)"-c";
	argv[n++] = (char *)"f=$1; shift; exec \"$@\" 2>\"$f\"";
	argv[n++] = (char *)"sh";
	argv[n++] = (char *)errf;
	argv[n++] = (char *)ctl;
	r->cmd = "commentctl";
	for (i = 0; i < nargs; i++) {
		argv[n++] = (char *)args[i];
		if (i < 8)
			r->cmd = it_strf("%s %s", r->cmd, args[i]);
	}
	argv[n] = NULL;
	r->rc = it_run_io(argv, env != NULL ? env : ctl_env(NULL, NULL), NULL,
	    &out, 60);
	r->out = out != NULL ? out : "";
	if ((fp = fopen(errf, "r")) != NULL) {
		if (getdelim(&err, &len, '\0', fp) == -1) {
			free(err);
			err = NULL;
		}
		fclose(fp);
	}
	unlink(errf);
	r->err = err != NULL ? it_own(err) : "";
	it_check_at(file, line, strstr(r->err, "Sanitizer") == NULL &&
	    strstr(r->err, "runtime error") == NULL, "%s: no sanitizer "
	    "report; stderr: %s", r->cmd, r->err);
	return r;
}

/* The same with the arguments as a NULL-terminated list. */
static struct run *
run_at(const char *file, int line, char **env, ...)
{
	const char	*args[32];
	va_list		 ap;
	size_t		 n = 0;

	va_start(ap, env);
	while (n < CS_NELEM(args) && (args[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	return run_v(file, line, env, args, n);
}

static bool
check_rc_at(const char *file, int line, const struct run *r, int want)
{
	return it_check_at(file, line, r->rc == want, "%s: exit status %d, "
	    "want %d; stdout: %.400s; stderr: %.400s", r->cmd, r->rc, want,
	    r->out, r->err);
}

/* A submission waiting for review (email may be NULL); its id or -1. */
static long long
add_comment_at(const char *file, int line, const char *key,
    const char *author, const char *email, const char *body)
{
	const char	*h[] = { "Content-Type: application/json", NULL };
	struct it_resp	*r;
	json_t		*o;

	o = json_pack("{s:s, s:s}", "author", author, "body", body);
	if (email != NULL)
		json_object_set_new(o, "email", json_string(email));
	r = it_http("POST", it_strf("/api/v1/articles/%s/comments",
	    it_pct(key)), h, it_dump(o), (size_t)-1);
	if (!it_check_status_at(file, line, r, 202))
		return -1;
	return it_jint(r->json, "comment.id", -1);
}

/* An action through the API itself, body NULL for none. */
static struct it_resp *
act(long long id, const char *action, const char *body)
{
	const char	*h[] = { bearer(), "Content-Type: application/json",
			    NULL };

	return it_http("POST", it_strf("%s/comments/%lld/%s", API, id,
	    action), h, body, (size_t)-1);
}

/* The comment's status in the database, or "". */
static const char *
status_of(long long id)
{
	PGresult	*res;

	res = it_sql("SELECT status FROM comments WHERE id = $1", ID(id),
	    (char *)NULL);
	if (res == NULL || PQntuples(res) != 1)
		return "";
	return it_strf("%s", PQgetvalue(res, 0, 0));
}

/* Whether the article's public list shows the comment. */
static bool
public_has(const char *key, long long id)
{
	struct it_resp	*r;

	r = it_http("GET", it_strf("/api/v1/articles/%s/comments",
	    it_pct(key)), NULL, NULL, 0);
	return r->status == 200 && it_tree_has_id(it_jget(r->json,
	    "comments"), id);
}

/* The last event of the comment's history through the API, or NULL. */
static const json_t *
history_last(long long id)
{
	const char	*h[] = { bearer(), NULL };
	struct it_resp	*r;
	const json_t	*evs;

	r = it_http("GET", it_strf("%s/comments/%lld/history", API, id), h,
	    NULL, 0);
	evs = it_jget(r->json, "events");
	if (r->status != 200 || json_array_size(evs) == 0)
		return NULL;
	return json_array_get(evs, json_array_size(evs) - 1);
}

static long long
missing_id(void)
{
	return it_sql_ll("SELECT coalesce(max(id), 0) + 1000000 FROM "
	    "comments", (char *)NULL);
}

/* The lines of s (copies owned by the test), at most max. */
static size_t
split_lines(const char *s, const char **v, size_t max)
{
	const char	*nl;
	size_t		 n = 0;

	while (*s != '\0' && n < max) {
		if ((nl = strchr(s, '\n')) == NULL)
			nl = s + strlen(s);
		v[n++] = it_strf("%.*s", (int)(nl - s), s);
		s = *nl != '\0' ? nl + 1 : nl;
	}
	return n;
}

/* jansson accepts only well-formed UTF-8. */
static bool
valid_utf8(const char *s)
{
	json_t	*j = json_stringn(s, strlen(s));
	bool	 ok = j != NULL;

	json_decref(j);
	return ok;
}

/* The character at s (valid UTF-8) and its length. */
static size_t
decode(const char *s, uint32_t *cp)
{
	const unsigned char	*u = (const unsigned char *)s;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] < 0xe0) {
		*cp = (uint32_t)(u[0] & 0x1f) << 6 | (u[1] & 0x3f);
		return 2;
	}
	if (u[0] < 0xf0) {
		*cp = (uint32_t)(u[0] & 0x0f) << 12 |
		    (uint32_t)(u[1] & 0x3f) << 6 | (u[2] & 0x3f);
		return 3;
	}
	*cp = (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3f) << 12 |
	    (uint32_t)(u[2] & 0x3f) << 6 | (u[3] & 0x3f);
	return 4;
}

/* Cells on a terminal: Arabic harakat and Latin accents take none. */
static int
cell_width(uint32_t cp)
{
	return (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x64b &&
	    cp <= 0x65f) || cp == 0x670 ? 0 : 1;
}

/* Cells of the first n bytes of s. */
static size_t
width_of(const char *s, size_t n)
{
	size_t		 pos = 0, w = 0;
	uint32_t	 cp;

	while (pos < n && s[pos] != '\0') {
		pos += decode(s + pos, &cp);
		w += (size_t)cell_width(cp);
	}
	return w;
}

/* The cell at which needle begins in line, or -1. */
static long
cell_of(const char *line, const char *needle)
{
	const char	*p = strstr(line, needle);

	return p != NULL ? (long)width_of(line, (size_t)(p - line)) : -1;
}

/* Where cell col of line begins, or NULL if the line is shorter. */
static const char *
at_cell(const char *line, long col)
{
	size_t		 pos = 0, n;
	long		 w = 0;
	uint32_t	 cp;

	while (line[pos] != '\0') {
		n = decode(line + pos, &cp);
		if (w == col && cell_width(cp) > 0)
			return line + pos;
		w += cell_width(cp);
		pos += n;
	}
	return w == col ? line + pos : NULL;
}

/* The first line of out containing needle (owned by the test), or NULL. */
static const char *
line_with(const char *out, const char *needle)
{
	const char	*hit, *start, *end;

	if ((hit = strstr(out, needle)) == NULL)
		return NULL;
	for (start = hit; start > out && start[-1] != '\n'; start--)
		;
	if ((end = strchr(hit, '\n')) == NULL)
		end = hit + strlen(hit);
	return it_strf("%.*s", (int)(end - start), start);
}

/* A loopback port nothing listens on (just now). */
static int
free_port(void)
{
	struct sockaddr_in	 a;
	socklen_t		 len = sizeof a;
	int			 fd, port = -1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* Another commentd on the test database, on 127.0.0.1:port. */
static struct it_proc *
start_server(int port)
{
	struct it_proc	*p;
	char		*argv[] = { (char *)bin, (char *)"serve",
			    (char *)"--listen", it_strf("127.0.0.1:%d", port),
			    (char *)"--workers", (char *)"1", NULL };
	char		*env[] = { it_strf("COMMENTD_DATABASE_URL=%s",
			    it_db_conninfo), NULL };

	if (!IT_CHECKF(bin != NULL && *bin != '\0', "COMMENTD_TEST_BIN is "
	    "set"))
		return NULL;
	p = it_spawn(argv, env);
	if (!IT_CHECKF(p != NULL, "%s serve started", bin))
		return NULL;
	if (!IT_CHECKF(it_proc_wait_line(p, it_strf("listening on "
	    "127.0.0.1:%d", port), 30000) != NULL, "a server listens on "
	    "port %d; its output: %s", port, it_proc_output(p)))
		return NULL;
	return p;
}

/*
 * `commentctl watch` with the arguments (NULL-terminated) in the
 * background, its output and errors together; NULL unless it said it was
 * watching within WATCH_MS.
 */
static struct it_proc *
spawn_watch(const char *url, ...)
{
	struct it_proc	*p;
	char		*argv[16];
	va_list		 ap;
	size_t		 n = 0;

	argv[n++] = (char *)ctl;
	argv[n++] = (char *)"watch";
	va_start(ap, url);
	while (n < 15 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	p = it_spawn(argv, ctl_env(url, NULL));
	if (!IT_CHECK(p != NULL))
		return NULL;
	if (!IT_CHECKF(it_proc_wait_line(p, "watching for events",
	    WATCH_MS) != NULL, "watch connected; its output: %s",
	    it_proc_output(p)))
		return NULL;
	return p;
}

/* The process exits 0 within ms, with no sanitizer report. */
static void
check_clean_exit_at(const char *file, int line, struct it_proc *p, int ms)
{
	const char	*out;
	int		 rc;

	rc = it_proc_wait(p, ms);
	out = it_proc_output(p);
	it_check_at(file, line, rc == 0, "exit status %d (-1: still running "
	    "after %d ms); output: %s", rc, ms, out);
	it_check_at(file, line, strstr(out, "Sanitizer") == NULL &&
	    strstr(out, "runtime error") == NULL, "no sanitizer report: %s",
	    out);
}

/* -- usage: exit status 2 before anything is sent -------------------------- */

static void
test_usage(void)
{
	struct run	*r;

	IT_REQUIRE(account());
	r = RUN("help");
	CHECK_RC(r, 0);
	IT_CHECK(strstr(r->out, "queue") != NULL && strstr(r->out,
	    "watch") != NULL && strstr(r->out, "approve|reject|spam|delete|"
	    "restore") != NULL && strstr(r->out, "COMMENTD_TOKEN") != NULL);
	CHECK_RC(RUN("--help"), 0);
	r = RUN("--version");
	CHECK_RC(r, 0);
	IT_CHECK(strncmp(r->out, "commentctl ", 11) == 0);
	r = RUN("queue", "--help");
	CHECK_RC(r, 0);
	IT_CHECK(strstr(r->out, "usage: commentctl queue") != NULL);

	/* Nothing, or something unknown. */
	r = RUN_ENV(ctl_env(NULL, NULL), (char *)NULL);
	CHECK_RC(r, 2);
	IT_CHECK(strstr(r->err, "usage:") != NULL);
	r = RUN("frobnicate");
	CHECK_RC(r, 2);
	IT_CHECK(strstr(r->err, "frobnicate") != NULL);
	r = RUN("queue", "--bogus");
	CHECK_RC(r, 2);
	IT_CHECKF(strstr(r->err, "--bogus") != NULL, "stderr: %s", r->err);
	r = RUN("stats", "--reason", "x");
	CHECK_RC(r, 2);
	IT_CHECK(strstr(r->err, "--reason") != NULL);
	CHECK_RC(RUN("queue", "--status"), 2);
	CHECK_RC(RUN("queue", "--json=yes"), 2);
	CHECK_RC(RUN("queue", "--status", "weird"), 2);
	CHECK_RC(RUN("queue", "--limit", "0"), 2);
	CHECK_RC(RUN("queue", "--limit", "ten"), 2);
	CHECK_RC(RUN("watch", "--count", "-1"), 2);
	CHECK_RC(RUN("stats", "extra"), 2);

	/* Bad ids. */
	r = RUN("show");
	CHECK_RC(r, 2);
	IT_CHECK(strstr(r->err, "usage: commentctl show") != NULL);
	r = RUN("show", "abc");
	CHECK_RC(r, 2);
	IT_CHECK(strstr(r->err, "abc") != NULL);
	CHECK_RC(RUN("approve", "0"), 2);
	CHECK_RC(RUN("approve", "12", "x"), 2);
	CHECK_RC(RUN("reject", "99999999999999999999"), 2);
	CHECK_RC(RUN("approve", "1", "2", "--from", "approved"), 2);
	CHECK_RC(RUN("reject", "1", "--from", "published"), 2);

	/* No server or no token. */
	r = RUN_ENV(ctl_env(NULL, ""), "stats");
	CHECK_RC(r, 2);
	IT_CHECK(strstr(r->err, "COMMENTD_TOKEN") != NULL);
	r = RUN_ENV(ctl_env("", NULL), "stats");
	CHECK_RC(r, 2);
	IT_CHECK(strstr(r->err, "COMMENTD_URL") != NULL);
	CHECK_RC(RUN("--url", "ftp://127.0.0.1/", "stats"), 2);
	CHECK_RC(RUN_ENV(ctl_env(NULL, "two words"), "stats"), 2);

	/* The flags win over the environment. */
	r = RUN_ENV(ctl_env("http://127.0.0.1:1", "wrong-token-of-mine"),
	    "stats", "--url", it_base_url, "--token", token);
	CHECK_RC(r, 0);
	IT_CHECK(strstr(r->out, "pending") != NULL);
}

/* -- errors: exit status 1, the server's message on stderr ----------------- */

static void
test_errors(void)
{
	const char	*h[] = { "Authorization: Bearer nope-not-a-token",
			    NULL };
	struct it_resp	*api;
	struct run	*r;
	const char	*msg, *k1, *k2;
	long long	 gone = missing_id();
	int		 port;

	IT_REQUIRE(account());
	/* A wrong token: 401, and the server's own words. */
	api = it_http("GET", API "/stats", h, NULL, 0);
	IT_CHECK_STATUS(api, 401);
	msg = it_jstr(api->json, "error.message");
	IT_REQUIRE(msg != NULL);
	r = RUN_ENV(ctl_env(NULL, "nope-not-a-token"), "stats");
	CHECK_RC(r, 1);
	IT_CHECKF(strstr(r->err, "401") != NULL && strstr(r->err, msg) !=
	    NULL, "stderr has 401 and \"%s\": %s", msg, r->err);
	IT_CHECK_STR(r->out, "");
	CHECK_RC(RUN_ENV(ctl_env(NULL, "nope-not-a-token"), "queue"), 1);
	CHECK_RC(RUN_ENV(ctl_env(NULL, "nope-not-a-token"), "approve", "1"),
	    1);
	CHECK_RC(RUN_ENV(ctl_env(NULL, "nope-not-a-token"), "watch"), 1);

	/* Nobody there. */
	port = free_port();
	IT_REQUIRE(port > 0);
	r = RUN_ENV(ctl_env(it_strf("http://127.0.0.1:%d", port), NULL),
	    "queue");
	CHECK_RC(r, 1);
	IT_CHECKF(strstr(r->err, "cannot reach") != NULL, "stderr: %s",
	    r->err);
	CHECK_RC(RUN_ENV(ctl_env(it_strf("http://127.0.0.1:%d", port), NULL),
	    "watch"), 1);

	/* No such comment, through each route. */
	api = it_http("GET", it_strf("%s/comments/%lld", API, gone),
	    (const char *[]){ bearer(), NULL }, NULL, 0);
	IT_CHECK_STATUS(api, 404);
	msg = it_jstr(api->json, "error.message");
	IT_REQUIRE(msg != NULL);
	r = RUN("show", ID(gone));
	CHECK_RC(r, 1);
	IT_CHECKF(strstr(r->err, msg) != NULL, "stderr has \"%s\": %s", msg,
	    r->err);
	r = RUN("approve", ID(gone));
	CHECK_RC(r, 1);
	IT_CHECK(strstr(r->err, ID(gone)) != NULL && strstr(r->err,
	    "not_found") != NULL);
	k1 = ID(gone);
	k2 = ID(gone + 1);
	r = RUN("spam", k1, k2);
	CHECK_RC(r, 1);
	IT_CHECK(line_with(r->err, k1) != NULL && line_with(r->err, k2) !=
	    NULL);
	IT_CHECK_STR(r->out, "");
}

/* -- queue: the table, Arabic in it, and --json ---------------------------- */

static void
test_queue(void)
{
	const char	*key = new_key("queue"), *lines[16], *cell, *row;
	const char	*bodies[3], *authors[3];
	long long	 ids[3], got;
	long		 c_article, c_author, c_status, c_body, c_flags;
	struct run	*r;
	json_t		*arr, *it;
	size_t		 n, i, len;

	IT_REQUIRE(account());
	authors[0] = "ليلى";
	bodies[0] = LONG_BODY;
	authors[1] = "Sam";
	bodies[1] = "Plain words\nsecond line";
	authors[2] = MUHAMMAD;
	bodies[2] = SHORT_HARAKAT;
	for (i = 0; i < 3; i++) {
		ids[i] = add_comment(key, authors[i], NULL, bodies[i]);
		IT_REQUIRE(ids[i] > 0);
	}

	r = RUN("queue", "--article", key);
	IT_REQUIRE(CHECK_RC(r, 0));
	n = split_lines(r->out, lines, CS_NELEM(lines));
	IT_REQUIREF(n == 4, "a header and 3 rows: %s", r->out);
	IT_CHECK(strncmp(lines[0], "ID", 2) == 0);
	c_article = cell_of(lines[0], "ARTICLE");
	c_author = cell_of(lines[0], "AUTHOR");
	c_status = cell_of(lines[0], "STATUS");
	c_flags = cell_of(lines[0], "FLAGS");
	c_body = cell_of(lines[0], "BODY");
	IT_REQUIRE(cell_of(lines[0], "AGE") > 0 && c_article > 0 &&
	    c_author > c_article && c_status > c_author &&
	    c_flags > c_status && c_body > c_flags);
	for (i = 0; i < 3; i++) {
		row = lines[i + 1];
		IT_CHECKF(valid_utf8(row), "row %zu is well-formed UTF-8", i);
		got = strtoll(row, NULL, 10);
		IT_CHECKF(got == ids[i], "row %zu is comment %lld (oldest "
		    "first), not %lld", i, ids[i], got);
		/* The key is long: cut, on the same cell in every row. */
		cell = at_cell(row, c_article);
		IT_CHECKF(cell != NULL && strncmp(cell, key, 20) == 0 &&
		    strstr(cell, ELLIPSIS "  ") != NULL, "row %zu: the "
		    "article at cell %ld, cut: %s", i, c_article, row);
		/* Each column starts on the same cell, Arabic or not. */
		cell = at_cell(row, c_author);
		IT_CHECKF(cell != NULL && strncmp(cell, authors[i],
		    strlen(authors[i])) == 0, "row %zu: the author at cell "
		    "%ld: %s", i, c_author, row);
		cell = at_cell(row, c_status);
		IT_CHECKF(cell != NULL && strncmp(cell, "pending ", 8) == 0,
		    "row %zu: the status at cell %ld: %s", i, c_status, row);
		cell = at_cell(row, c_flags);
		IT_CHECKF(cell != NULL && strncmp(cell, "- ", 2) == 0,
		    "row %zu: no flags at cell %ld: %s", i, c_flags, row);
		IT_CHECKF(at_cell(row, c_body) != NULL, "row %zu reaches the "
		    "body column: %s", i, row);
	}
	/* The long Arabic body is cut on a character, with an ellipsis. */
	cell = at_cell(lines[1], c_body);
	IT_REQUIRE(cell != NULL);
	len = strlen(cell);
	IT_CHECKF(len > 3 && strcmp(cell + len - 3, ELLIPSIS) == 0 &&
	    strncmp(cell, LONG_BODY, len - 3) == 0 && width_of(cell, len) <=
	    50 && width_of(cell, len) >= 45, "the body cell is a prefix of "
	    "the body and an ellipsis, at most 50 cells: \"%s\"", cell);
	/* A line break in a body is a space in its row. */
	IT_CHECK_STR(at_cell(lines[2], c_body), "Plain words second line");
	IT_CHECK_STR(at_cell(lines[3], c_body), SHORT_HARAKAT);

	/* --json: the server's items, whole, as one JSON array. */
	r = RUN("queue", "--article", key, "--json");
	IT_REQUIRE(CHECK_RC(r, 0));
	arr = json_loads(r->out, 0, NULL);
	IT_REQUIREF(json_is_array(arr), "stdout is one JSON array: %s",
	    r->out);
	IT_CHECK_INT(json_array_size(arr), 3);
	json_array_foreach(arr, i, it) {
		if (i >= 3)
			break;
		IT_CHECK_INT(it_jint(it, "id", -1), ids[i]);
		IT_CHECK_STR(it_jstr(it, "body"), bodies[i]);
		IT_CHECK_STR(it_jstr(it, "author"), authors[i]);
		IT_CHECK_STR(it_jstr(it, "status"), "pending");
		IT_CHECK_STR(it_jstr(it, "article.key"), key);
	}
	json_decref(arr);

	/* -q searches; --status picks the list. */
	r = RUN("queue", "--article", key, "-q", "plain", "--json");
	IT_REQUIRE(CHECK_RC(r, 0));
	arr = json_loads(r->out, 0, NULL);
	IT_CHECK(json_array_size(arr) == 1 && it_jint(json_array_get(arr,
	    0), "id", -1) == ids[1]);
	json_decref(arr);
	IT_CHECK_STATUS(act(ids[1], "approve", NULL), 200);
	r = RUN("queue", "--article", key, "--status", "approved", "--json");
	IT_REQUIRE(CHECK_RC(r, 0));
	arr = json_loads(r->out, 0, NULL);
	IT_CHECK(json_array_size(arr) == 1 && it_jint(json_array_get(arr,
	    0), "id", -1) == ids[1]);
	json_decref(arr);
	/* An empty list is still a list. */
	r = RUN("queue", "--article", key, "--status", "spam", "--json");
	CHECK_RC(r, 0);
	IT_CHECK_STR(r->out, "[]\n");
	r = RUN("queue", "--article", key, "--status", "spam");
	CHECK_RC(r, 0);
	IT_CHECK(split_lines(r->out, lines, CS_NELEM(lines)) == 1);
}

/* -- --all follows the cursor ---------------------------------------------- */

static void
test_paging(void)
{
	const char	*key = new_key("pages"), *lines[16];
	long long	 ids[5];
	struct run	*r;
	json_t		*arr, *it;
	size_t		 i;

	IT_REQUIRE(account());
	for (i = 0; i < 5; i++) {
		ids[i] = add_comment(key, "قارئ", NULL, it_strf("تعليق رقم "
		    "%zu", i + 1));
		IT_REQUIRE(ids[i] > 0);
	}
	/* One page. */
	r = RUN("queue", "--article", key, "--limit", "2", "--json");
	IT_REQUIRE(CHECK_RC(r, 0));
	arr = json_loads(r->out, 0, NULL);
	IT_CHECK(json_array_size(arr) == 2 && it_jint(json_array_get(arr,
	    0), "id", -1) == ids[0] && it_jint(json_array_get(arr, 1), "id",
	    -1) == ids[1]);
	json_decref(arr);
	/* Every page, two at a time: each comment once, in order. */
	r = RUN("queue", "--article", key, "--limit", "2", "--all", "--json");
	IT_REQUIRE(CHECK_RC(r, 0));
	arr = json_loads(r->out, 0, NULL);
	IT_CHECKF(json_array_size(arr) == 5, "5 comments: %s", r->out);
	json_array_foreach(arr, i, it) {
		if (i < 5)
			IT_CHECK_INT(it_jint(it, "id", -1), ids[i]);
	}
	json_decref(arr);
	r = RUN("queue", "--article", key, "--limit", "2", "--all");
	IT_REQUIRE(CHECK_RC(r, 0));
	IT_CHECKF(split_lines(r->out, lines, CS_NELEM(lines)) == 6, "a header "
	    "and 5 rows: %s", r->out);
	for (i = 0; i < 5; i++)
		IT_CHECK(strtoll(lines[i + 1], NULL, 10) == ids[i]);
}

/* -- show, and a reason in the history ------------------------------------- */

static void
test_show(void)
{
	const char	*key = new_key("show"), *reason = "سبب الرفض: إساءة";
	const json_t	*ev;
	long long	 id;
	struct run	*r;
	json_t		*o;

	IT_REQUIRE(account());
	id = add_comment(key, "ليلى", "laila@example.com", "سطر أول\nسطر ثان");
	IT_REQUIRE(id > 0);
	r = RUN("show", ID(id));
	IT_REQUIRE(CHECK_RC(r, 0));
	IT_CHECKF(line_with(r->out, "ليلى") != NULL &&
	    strstr(r->out, key) != NULL && strstr(r->out, "(pending)") !=
	    NULL && strstr(r->out, "    سطر أول\n    سطر ثان\n") != NULL &&
	    strstr(r->out, "history: none") != NULL, "show: %s", r->out);
	/* A moderator's account: the e-mail, address and agent are the
	 * admins' (COMMENTD_MODERATORS_SEE_PERSONAL_DATA). */
	IT_CHECKF(strstr(r->out, "laila@example.com") == NULL &&
	    strstr(r->out, "127.0.0.1") == NULL && line_with(r->out,
	    "hidden (admins only)") != NULL, "show: %s", r->out);
	IT_REQUIRE(admin());
	r = RUN("show", ID(id), "--token", adm_token);
	IT_REQUIRE(CHECK_RC(r, 0));
	IT_CHECKF(strstr(r->out, "ليلى <laila@example.com>") != NULL &&
	    line_with(r->out, "127.0.0.1") != NULL && strstr(r->out,
	    "hidden") == NULL, "show as an admin: %s", r->out);

	r = RUN("reject", ID(id), "--reason", reason);
	CHECK_RC(r, 0);
	IT_CHECK_STR(r->out, it_strf("%lld rejected\n", id));
	IT_CHECK_STR(status_of(id), "rejected");
	ev = history_last(id);
	IT_CHECK(ev != NULL && it_jstr(ev, "reason") != NULL &&
	    strcmp(it_jstr(ev, "reason"), reason) == 0);

	r = RUN("show", ID(id));
	IT_REQUIRE(CHECK_RC(r, 0));
	IT_CHECKF(strstr(r->out, "(rejected)") != NULL &&
	    line_with(r->out, reason) != NULL && strstr(line_with(r->out,
	    reason), "reject") != NULL && strstr(line_with(r->out, reason),
	    mod_name) != NULL, "the history line has the action, the "
	    "moderator and the reason: %s", r->out);

	r = RUN("show", ID(id), "--json");
	IT_REQUIRE(CHECK_RC(r, 0));
	o = json_loads(r->out, 0, NULL);
	IT_REQUIREF(o != NULL, "stdout is JSON: %s", r->out);
	IT_CHECK_INT(it_jint(o, "comment.id", -1), id);
	IT_CHECK_STR(it_jstr(o, "comment.status"), "rejected");
	IT_CHECK(it_jget(o, "comment.email") == NULL &&
	    it_jget(o, "comment.ip") == NULL &&
	    it_jget(o, "comment.user_agent") == NULL);
	IT_CHECK_STR(it_jstr(o, "history.0.action"), "reject");
	IT_CHECK_STR(it_jstr(o, "history.0.reason"), reason);
	IT_CHECK_STR(it_jstr(o, "history.0.actor"), mod_name);
	json_decref(o);
}

/* -- one id at a time: each action, and 409 -------------------------------- */

static void
test_actions(void)
{
	const char	*key = new_key("act");
	long long	 a, b, c;
	struct run	*r;

	IT_REQUIRE(account());
	a = add_comment(key, "Sam", NULL, "to approve");
	b = add_comment(key, "Sam", NULL, "to mark as spam");
	c = add_comment(key, "Sam", NULL, "to delete and restore");
	IT_REQUIRE(a > 0 && b > 0 && c > 0);

	IT_CHECK(!public_has(key, a));
	r = RUN("approve", ID(a));
	CHECK_RC(r, 0);
	IT_CHECK_STR(r->out, it_strf("%lld approved\n", a));
	IT_CHECK_STR(r->err, "");
	IT_CHECK_STR(status_of(a), "approved");
	IT_CHECK(public_has(key, a));

	/* Acting twice: the second finds it moved, 409, status 3. */
	r = RUN("approve", ID(a));
	CHECK_RC(r, 3);
	IT_CHECK_STR(r->out, "");
	IT_CHECKF(strstr(r->err, ID(a)) != NULL && strstr(r->err,
	    "conflict") != NULL && strstr(r->err, "approved") != NULL &&
	    strstr(r->err, mod_name) != NULL, "stderr names the comment, the "
	    "conflict and who was first: %s", r->err);

	r = RUN("spam", ID(b));
	CHECK_RC(r, 0);
	IT_CHECK_STR(r->out, it_strf("%lld spam\n", b));
	IT_CHECK_STR(status_of(b), "spam");
	r = RUN("delete", ID(c));
	CHECK_RC(r, 0);
	IT_CHECK_STR(r->out, it_strf("%lld deleted\n", c));
	IT_CHECK_STR(status_of(c), "deleted");
	r = RUN("restore", ID(c));
	CHECK_RC(r, 0);
	IT_CHECK_STR(r->out, it_strf("%lld pending\n", c));
	IT_CHECK_STR(status_of(c), "pending");
	/* Restoring what is pending: nothing to undo, a conflict. */
	CHECK_RC(RUN("restore", ID(c)), 3);

	/* Unpublishing names the status it leaves. */
	CHECK_RC(RUN("reject", ID(a)), 3);
	r = RUN("reject", ID(a), "--from", "approved");
	CHECK_RC(r, 0);
	IT_CHECK_STR(r->out, it_strf("%lld rejected\n", a));
	IT_CHECK(!public_has(key, a));
	/* A move the state machine has not: the server's 422, status 1. */
	r = RUN("approve", ID(b), "--from", "spam");
	CHECK_RC(r, 1);
	IT_CHECKF(strstr(r->err, "422") != NULL, "stderr: %s", r->err);
	IT_CHECK_STR(status_of(b), "spam");
}

/* -- several ids: one batch request ---------------------------------------- */

static void
test_batch(void)
{
	const char	*key = new_key("batch"), *reason = "مكرر";
	const char	*args[210], *lines[8], *lines_err[210];
	const json_t	*ev;
	long long	 ids[6], gone = missing_id();
	struct run	*r;
	size_t		 i, n;

	IT_REQUIRE(account());
	for (i = 0; i < 6; i++) {
		ids[i] = add_comment(key, "قارئ", NULL, it_strf("دفعة %zu",
		    i));
		IT_REQUIRE(ids[i] > 0);
	}
	r = RUN("approve", ID(ids[2]), ID(ids[0]), ID(ids[1]));
	CHECK_RC(r, 0);
	IT_CHECKF(split_lines(r->out, lines, CS_NELEM(lines)) == 3 &&
	    strcmp(lines[0], it_strf("%lld approved", ids[0])) == 0 &&
	    strcmp(lines[1], it_strf("%lld approved", ids[1])) == 0 &&
	    strcmp(lines[2], it_strf("%lld approved", ids[2])) == 0,
	    "one line per id: %s", r->out);
	for (i = 0; i < 3; i++) {
		IT_CHECK_STR(status_of(ids[i]), "approved");
		IT_CHECK(public_has(key, ids[i]));
	}

	r = RUN("reject", ID(ids[3]), ID(ids[4]), "--reason", reason);
	CHECK_RC(r, 0);
	for (i = 3; i < 5; i++) {
		IT_CHECK_STR(status_of(ids[i]), "rejected");
		ev = history_last(ids[i]);
		IT_CHECK(ev != NULL && it_jstr(ev, "reason") != NULL &&
		    strcmp(it_jstr(ev, "reason"), reason) == 0);
	}

	/* Conflicts only: status 3, the rest done. */
	r = RUN("approve", ID(ids[0]), ID(ids[5]));
	CHECK_RC(r, 3);
	IT_CHECK_STR(r->out, it_strf("%lld approved\n", ids[5]));
	IT_CHECKF(line_with(r->err, ID(ids[0])) != NULL && strstr(
	    line_with(r->err, ID(ids[0])), "conflict") != NULL, "stderr: %s",
	    r->err);
	IT_CHECK_STR(status_of(ids[5]), "approved");
	/* A conflict and a failure: status 1. */
	r = RUN("spam", ID(ids[3]), ID(gone));
	CHECK_RC(r, 1);
	IT_CHECK(line_with(r->err, ID(ids[3])) != NULL && line_with(r->err,
	    ID(gone)) != NULL);

	/* More ids than one request may carry: two requests. */
	n = 0;
	args[n++] = "restore";
	for (i = 3; i < 5; i++)
		args[n++] = ID(ids[i]);
	for (i = 0; i < 203; i++)
		args[n++] = ID(gone + 1 + (long long)i);
	r = run_v(__FILE__, __LINE__, NULL, args, n);
	CHECK_RC(r, 1);
	IT_CHECK_STR(r->out, it_strf("%lld pending\n%lld pending\n", ids[3],
	    ids[4]));
	IT_CHECKF(split_lines(r->err, lines_err, CS_NELEM(lines_err)) == 203,
	    "a line per unknown id: %s", r->err);
	IT_CHECK_STR(status_of(ids[3]), "pending");
	IT_CHECK_STR(status_of(ids[4]), "pending");
}

/* -- articles and stats ---------------------------------------------------- */

static void
test_articles(void)
{
	const char	*key = new_key("articles"), *row, *lines[8];
	struct run	*r;
	json_t		*arr;

	IT_REQUIRE(account());
	IT_REQUIRE(add_comment(key, "a", NULL, "one") > 0);
	IT_REQUIRE(add_comment(key, "b", NULL, "two") > 0);
	r = RUN("articles", "-q", key);
	IT_REQUIRE(CHECK_RC(r, 0));
	IT_CHECKF(split_lines(r->out, lines, CS_NELEM(lines)) == 2 &&
	    strncmp(lines[0], "KEY", 3) == 0, "a header and one row: %s",
	    r->out);
	row = line_with(r->out, key);
	IT_CHECKF(row != NULL && strstr(row, "premoderated") != NULL &&
	    at_cell(row, cell_of(lines[0], "PENDING")) != NULL &&
	    strncmp(at_cell(row, cell_of(lines[0], "PENDING")), "2 ", 2) ==
	    0, "the row has the mode and 2 pending: %s", r->out);

	r = RUN("articles", "-q", key, "--json");
	IT_REQUIRE(CHECK_RC(r, 0));
	arr = json_loads(r->out, 0, NULL);
	IT_CHECKF(json_array_size(arr) == 1, "one article: %s", r->out);
	IT_CHECK_STR(it_jstr(arr, "0.key"), key);
	IT_CHECK_INT(it_jint(arr, "0.pending", -1), 2);
	IT_CHECK_INT(it_jint(arr, "0.approved", -1), 0);
	json_decref(arr);

	/* Every article, a page at a time. */
	r = RUN("articles", "--all", "--limit", "3", "--json");
	IT_REQUIRE(CHECK_RC(r, 0));
	arr = json_loads(r->out, 0, NULL);
	IT_CHECKF((long long)json_array_size(arr) == it_sql_ll("SELECT "
	    "count(*) FROM articles", (char *)NULL), "every article: %zu",
	    json_array_size(arr));
	json_decref(arr);
}

static void
test_stats(void)
{
	static const char *const st[] = { "pending", "approved", "rejected",
	    "spam", "deleted" };
	const char	*line, *want;
	struct run	*r;
	json_t		*o;
	long long	 n;
	size_t		 i;

	IT_REQUIRE(account());
	IT_REQUIRE(add_comment(new_key("stats"), "a", NULL, "one") > 0);
	r = RUN("stats", "--json");
	IT_REQUIRE(CHECK_RC(r, 0));
	o = json_loads(r->out, 0, NULL);
	IT_REQUIREF(o != NULL, "stdout is JSON: %s", r->out);
	r = RUN("stats");
	CHECK_RC(r, 0);
	for (i = 0; i < CS_NELEM(st); i++) {
		n = it_sql_ll("SELECT count(*) FROM comments WHERE status = "
		    "$1", st[i], (char *)NULL);
		IT_CHECK_INT(it_jint(o, it_strf("counts.%s", st[i]), -1), n);
		want = it_strf("%s ", st[i]);
		line = line_with(r->out, want);
		IT_CHECKF(line != NULL && strncmp(line, want, strlen(want)) ==
		    0 && strtoll(line + strlen(st[i]), NULL, 10) == n,
		    "a line \"%s %lld\": %s", st[i], n, r->out);
	}
	IT_CHECK(it_jget(o, "oldest_pending_age_s") != NULL &&
	    strstr(r->out, "oldest pending") != NULL);
	json_decref(o);
}

/* -- watch ----------------------------------------------------------------- */

static void
test_watch(void)
{
	const char	*key = new_key("watch"), *out, *l;
	const char	*lines[16];
	struct it_proc	*p;
	long long	 c;
	json_t		*ev;
	size_t		 i, n, events;

	IT_REQUIRE(account());
	/* Three events, then it ends by itself. */
	p = spawn_watch(NULL, "--count", "3", (char *)NULL);
	IT_REQUIRE(p != NULL);
	c = add_comment(key, "ليلى", NULL, "تعليق مباشر");
	IT_REQUIRE(c > 0);
	IT_CHECK(it_proc_wait_line(p, it_strf("#%lld", c), WATCH_MS) !=
	    NULL);
	IT_CHECK_STATUS(act(c, "approve", NULL), 200);
	CHECK_RC(RUN("reject", ID(c), "--from", "approved"), 0);
	check_clean_exit(p, WATCH_MS);
	out = it_proc_output(p);
	l = line_with(out, "  new  ");
	IT_CHECKF(l != NULL && strstr(l, it_strf("#%lld  %s  pending", c,
	    key)) != NULL, "a line for the new comment: %s", out);
	l = line_with(out, "pending -> approved");
	IT_CHECKF(l != NULL && strstr(l, it_strf("#%lld", c)) != NULL &&
	    strstr(l, it_strf("by %s", mod_name)) != NULL, "a line for the "
	    "approval: %s", out);
	l = line_with(out, "approved -> rejected");
	IT_CHECKF(l != NULL && strstr(l, it_strf("#%lld", c)) != NULL,
	    "a line for the rejection: %s", out);
	/* Each line begins with its event id, in the order received. */
	n = split_lines(out, lines, CS_NELEM(lines));
	for (i = 0, events = 0; i < n; i++) {
		if (strncmp(lines[i], "commentctl:", 11) == 0)
			continue;
		events++;
		IT_CHECKF(strtoll(lines[i], NULL, 10) > 0, "an event id "
		    "first: %s", lines[i]);
	}
	IT_CHECK_INT(events, 3);

	/* --json: each event's data, one JSON object per line. */
	p = spawn_watch(NULL, "--json", "--count", "2", (char *)NULL);
	IT_REQUIRE(p != NULL);
	c = add_comment(key, "Sam", NULL, "live");
	IT_REQUIRE(c > 0);
	IT_CHECK(it_proc_wait_line(p, it_strf("\"comment_id\":%lld", c),
	    WATCH_MS) != NULL);
	IT_CHECK_STATUS(act(c, "spam", NULL), 200);
	check_clean_exit(p, WATCH_MS);
	out = it_proc_output(p);
	n = split_lines(out, lines, CS_NELEM(lines));
	for (i = 0, events = 0; i < n; i++) {
		if (strncmp(lines[i], "commentctl:", 11) == 0)
			continue;
		ev = json_loads(lines[i], 0, NULL);
		IT_CHECKF(json_is_object(ev) && it_jint(ev, "comment_id",
		    -1) == c && it_jint(ev, "id", -1) > 0 &&
		    it_jstr(ev, "article") != NULL &&
		    strcmp(it_jstr(ev, "article"), key) == 0, "an event of "
		    "comment %lld: %s", c, lines[i]);
		if (events == 1)
			IT_CHECK_STR(it_jstr(ev, "status"), "spam");
		events++;
		json_decref(ev);
	}
	IT_CHECK_INT(events, 2);
}

/* Stopping a watch is how it ends: status 0. */
static void
test_watch_signals(void)
{
	static const int	 sigs[] = { SIGTERM, SIGINT };
	struct it_proc		*p;
	size_t			 i;
	double			 t0;

	IT_REQUIRE(account());
	for (i = 0; i < CS_NELEM(sigs); i++) {
		p = spawn_watch(NULL, (char *)NULL);
		IT_REQUIRE(p != NULL);
		t0 = it_now();
		IT_CHECK(it_proc_kill(p, sigs[i]) == 0);
		check_clean_exit(p, (int)it_limit_ms(5000));
		it_note("signal %d: exited after %.3f s", sigs[i],
		    it_now() - t0);
	}
}

/*
 * A server that goes away: the watch reports it, connects again with
 * Last-Event-ID when the server is back, and prints what it missed.
 */
static void
test_watch_reconnect(void)
{
	const char	*key = new_key("reconnect"), *url, *out;
	struct it_proc	*s, *w;
	long long	 c;
	int		 port, rc;

	IT_REQUIRE(account());
	port = free_port();
	IT_REQUIRE(port > 0);
	url = it_strf("http://127.0.0.1:%d", port);
	s = start_server(port);
	IT_REQUIRE(s != NULL);
	w = spawn_watch(url, "--count", "3", (char *)NULL);
	IT_REQUIRE(w != NULL);

	/* Made here, heard there (through PostgreSQL). */
	c = add_comment(key, "قارئ", NULL, "قبل الانقطاع");
	IT_REQUIRE(c > 0);
	IT_REQUIRE(it_proc_wait_line(w, it_strf("#%lld  %s  pending", c,
	    key), WATCH_MS) != NULL);

	IT_CHECK(it_proc_kill(s, SIGTERM) == 0);
	rc = it_proc_wait(s, 20000);
	IT_CHECKF(rc == 0, "the second server exited %d", rc);
	IT_CHECK(it_proc_wait_line(w, "connection lost", WATCH_MS) != NULL);

	/* Missed while nobody was there. */
	IT_CHECK_STATUS(act(c, "approve", NULL), 200);
	IT_CHECK_STATUS(act(c, "reject", "{\"from\": \"approved\"}"), 200);
	/* An attempt fails (nobody listens on the port): it keeps trying. */
	IT_CHECKF(it_proc_wait_line(w, "trying again", WATCH_MS) != NULL,
	    "watch tried to reconnect and failed; its output: %s",
	    it_proc_output(w));
	IT_CHECK(it_proc_wait(w, 0) == -1);

	s = start_server(port);
	IT_REQUIRE(s != NULL);
	check_clean_exit(w, (int)it_limit_ms(30000));
	out = it_proc_output(w);
	IT_CHECKF(strstr(out, "reconnected") != NULL && line_with(out,
	    "pending -> approved") != NULL && line_with(out,
	    "approved -> rejected") != NULL, "the missed events after the "
	    "reconnection: %s", out);
	/* Each once. */
	IT_CHECK(strstr(strstr(out, "pending -> approved") + 1,
	    "pending -> approved") == NULL);
	IT_CHECK(it_proc_kill(s, SIGTERM) == 0);
	IT_CHECK_INT(it_proc_wait(s, 20000), 0);
}

/* -- tokens: the account's own list, and revoking one ---------------------- */

/* The id of the API token whose secret is tok. */
static long long
token_id(const char *tok)
{
	return it_sql_ll("SELECT id FROM auth_tokens WHERE token_hash = "
	    "sha256(convert_to($1, 'UTF8'))", tok, (char *)NULL);
}

static void
test_tokens(void)
{
	const char	*label = "حاسوب ليلى", *line, *second;
	char		*out;
	json_t		*arr, *e;
	struct run	*r;
	long long	 own, id;
	size_t		 i;
	bool		 cur = false, mine = true;

	IT_REQUIRE(account() && admin());
	own = token_id(token);
	IT_REQUIRE(own > 0);
	IT_REQUIRE(it_cli_at(__FILE__, __LINE__, NULL, &out, "token",
	    "create", mod_name, "--days", "1", "--label", label,
	    (char *)NULL));
	second = it_strf("%.*s", (int)strcspn(out, "\n"), out);
	id = token_id(second);
	IT_REQUIRE(id > 0);

	/* The table: the token in use marked, the label shown. */
	r = RUN("tokens");
	IT_REQUIRE(CHECK_RC(r, 0));
	IT_CHECKF(strncmp(r->out, "ID", 2) == 0 && strstr(r->out,
	    "MODERATOR") != NULL && strstr(r->out, "LABEL") != NULL,
	    "a table: %s", r->out);
	line = line_with(r->out, label);
	IT_CHECKF(line != NULL && strncmp(line, ID(id), strlen(ID(id))) ==
	    0 && strstr(line, mod_name) != NULL && strstr(line, "api") !=
	    NULL, "the labelled token's row: %s", r->out);
	IT_CHECK(strstr(r->out, token) == NULL);
	IT_CHECK(strstr(r->out, second) == NULL);

	r = RUN("tokens", "--json");
	IT_REQUIRE(CHECK_RC(r, 0));
	arr = json_loads(r->out, 0, NULL);
	IT_REQUIREF(json_is_array(arr), "stdout is a JSON array: %s", r->out);
	json_array_foreach(arr, i, e) {
		if (it_jint(e, "id", -1) == own)
			cur = json_is_true(json_object_get(e, "current"));
		if (it_jstr(e, "moderator") == NULL ||
		    strcmp(it_jstr(e, "moderator"), mod_name) != 0)
			mine = false;
	}
	json_decref(arr);
	IT_CHECK(cur);
	IT_CHECKF(mine, "a moderator lists only their own: %s", r->out);

	/* An admin lists everyone's. */
	r = RUN("tokens", "--all", "--limit", "50", "--token", adm_token);
	IT_REQUIRE(CHECK_RC(r, 0));
	IT_CHECKF(line_with(r->out, label) != NULL, "the admin sees the "
	    "moderator's token: %s", r->out);

	/* Revoke: gone at once; again is 404 (status 1). */
	r = RUN("tokens", "revoke", ID(id));
	IT_REQUIRE(CHECK_RC(r, 0));
	IT_CHECK_STR(r->out, it_strf("token %lld revoked\n", id));
	IT_CHECK_INT(it_http("GET", API "/session", (const char *[]){
	    it_strf("Authorization: Bearer %s", second), NULL }, NULL,
	    0)->status, 401);
	r = RUN("tokens", "revoke", ID(id));
	CHECK_RC(r, 1);
	IT_CHECKF(strstr(r->err, "404") != NULL, "stderr: %s", r->err);
	r = RUN("tokens");
	IT_CHECK(CHECK_RC(r, 0) && line_with(r->out, label) == NULL);

	/* Usage. */
	CHECK_RC(RUN("tokens", "revoke"), 2);
	CHECK_RC(RUN("tokens", "revoke", "abc"), 2);
	CHECK_RC(RUN("tokens", "revoke", "1", "--json"), 2);
	CHECK_RC(RUN("tokens", "frobnicate"), 2);
	CHECK_RC(RUN("tokens", "--reason", "x"), 2);
}

static const struct it_test tests[] = {
	{ "usage", test_usage },
	{ "errors", test_errors },
	{ "queue", test_queue },
	{ "paging", test_paging },
	{ "show", test_show },
	{ "actions", test_actions },
	{ "batch", test_batch },
	{ "articles", test_articles },
	{ "stats", test_stats },
	{ "watch", test_watch },
	{ "watch_signals", test_watch_signals },
	{ "watch_reconnect", test_watch_reconnect },
	{ "tokens", test_tokens },
};

int
main(int argc, char **argv)
{
	snprintf(run_id, sizeof run_id, "%ld-%ld", (long)getpid(),
	    (long)time(NULL));
	ctl = getenv("COMMENTD_TEST_CTL");
	bin = getenv("COMMENTD_TEST_BIN");
	if (ctl == NULL || *ctl == '\0') {
		fprintf(stderr, "test_commentctl: COMMENTD_TEST_CTL must name "
		    "the commentctl binary\n");
		printf("0 passed, 1 failed\n");
		return 1;
	}
	return it_main(tests, CS_NELEM(tests), argc, argv);
}
