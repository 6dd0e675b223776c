/*
 * test_security.c - the paths an attacker tries, against the real
 * server: a forged X-Forwarded-For with and without
 * COMMENTD_TRUST_PROXY (readers' reports and login throttling), the
 * login limits per address and per account and address pair, their
 * window, the account's delay, junk names, pruning and what a successful
 * login gives back, live streams ended with their credentials and
 * limited per moderator, Idempotency-Key rules, the 401/403/CSRF matrix
 * over every admin route of src/routes.c, Cache-Control and the session
 * cookie against their settings, and every web file of the Makefile
 * with its type.
 *
 * The server of tests/run-tests.sh (COMMENTD_TEST_URL) serves what its
 * settings suit; the rest start servers of their own on the test
 * database (it_server).  Failed logins are counted per address in that
 * shared database, so no test here fails a login from 127.0.0.1, which
 * every other test program logs in from: a server's own view of the
 * client is tested from other loopback addresses (127.A.B.N, A and B
 * from this run), and forwarded addresses are 2001:db8:P:T::N (P and T
 * from this run), so a second run on the same database starts afresh.
 *
 * src/routes.c and the Makefile are read at run time from the
 * repository root, so a new admin route or web file is covered, or
 * fails the test, without editing it.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "itest.h"

#define API		"/api/v1/admin"
#define PASSWORD	IT_PASSWORD
#define JSON_CT		"Content-Type: application/json"
/* A made-up token of a real token's length. */
#define BAD_TOKEN	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
/* Longest wait for a login window to pass (it is 2 s). */
#define WINDOW_WAIT_S	30.0
#define NELEM(a)	(sizeof (a) / sizeof (a)[0])

/* A login's answer: status, and the session when it succeeded. */
struct session {
	long		 status;
	const char	*code;		/* error.code, or NULL */
	const char	*retry_after;	/* or NULL */
	const char	*token;
	const char	*csrf;
	const char	*cookie;	/* "commentd_session=VALUE" or
					   "__Host-commentd_session=VALUE" */
	const char	*cookie_value;
	const char	*attrs;		/* the cookie's attributes */
	const char	*cache_control;
	double		 elapsed;	/* the answer's time, seconds */
};

/* What the tests look at of an answer sent from another address. */
struct src_resp {
	long		 status;
	const char	*code;		/* error.code, or NULL */
	const char	*retry_after;	/* or NULL */
	long long	 reports;	/* report.reports, or -1 */
};

/* Who may use an admin route. */
enum who {
	ANYONE,		/* no credentials needed (logging in) */
	MODERATOR,	/* ROUTE_AUTH */
	ADMIN		/* ROUTE_ADMIN */
};

/*
 * One admin route of the matrix: its method and pattern exactly as in
 * src/routes.c, who may use it, a segment for :action, and a body that
 * suits it ("@ID" is the test comment's id, "@RUN" the run's id).
 */
struct admin_route {
	const char	*method;
	const char	*pattern;
	enum who	 who;
	const char	*action;
	const char	*body;
};

static const struct admin_route admin_routes[] = {
	{ "POST", API "/session", ANYONE, NULL, "{}" },
	{ "GET", API "/session", MODERATOR, NULL, NULL },
	{ "DELETE", API "/session", MODERATOR, NULL, NULL },
	{ "GET", API "/comments", MODERATOR, NULL, NULL },
	{ "POST", API "/comments/batch", MODERATOR, NULL,
	    "{\"ids\": [@ID], \"action\": \"approve\"}" },
	{ "GET", API "/comments/:id", MODERATOR, NULL, NULL },
	{ "PATCH", API "/comments/:id", MODERATOR, NULL,
	    "{\"body\": \"forged edit\"}" },
	{ "GET", API "/comments/:id/history", MODERATOR, NULL, NULL },
	{ "POST", API "/comments/:id/:action", MODERATOR, "approve", "{}" },
	{ "POST", API "/comments/:id/:action", MODERATOR, "reject", "{}" },
	{ "POST", API "/comments/:id/:action", MODERATOR, "spam", "{}" },
	{ "POST", API "/comments/:id/:action", MODERATOR, "delete", "{}" },
	{ "POST", API "/comments/:id/:action", MODERATOR, "restore",
	    "{\"from\": \"approved\"}" },
	{ "GET", API "/articles", MODERATOR, NULL, NULL },
	{ "GET", API "/articles/:key", MODERATOR, NULL, NULL },
	{ "PUT", API "/articles/:key", ADMIN, NULL,
	    "{\"title\": \"forged\", \"mode\": \"closed\"}" },
	{ "GET", API "/stats", MODERATOR, NULL, NULL },
	{ "GET", API "/events", MODERATOR, NULL, NULL },
	{ "GET", API "/moderators", ADMIN, NULL, NULL },
	{ "POST", API "/moderators", ADMIN, NULL,
	    "{\"name\": \"forged-@RUN\", \"role\": \"admin\", "
	    "\"password\": \"forged-password-1\"}" },
	{ "PATCH", API "/moderators/:name", ADMIN, NULL,
	    "{\"disabled\": true, \"role\": \"admin\"}" },
	{ "POST", API "/moderators/:name/password", ADMIN, NULL,
	    "{\"password\": \"forged-password-1\"}" },
	{ "GET", API "/words", ADMIN, NULL, NULL },
	{ "POST", API "/words", ADMIN, NULL,
	    "{\"word\": \"forged @RUN\", \"list\": \"banned\"}" },
	{ "DELETE", API "/words/:id", ADMIN, NULL, NULL },
	{ "GET", API "/bans", MODERATOR, NULL, NULL },
	{ "POST", API "/bans", MODERATOR, NULL,
	    "{\"kind\": \"email_domain\", \"value\": \"forged.example\"}" },
	{ "DELETE", API "/bans/:id", MODERATOR, NULL, NULL },
	{ "GET", API "/tokens", MODERATOR, NULL, NULL },
	{ "POST", API "/tokens", MODERATOR, NULL, "{\"label\": \"forged\"}" },
	{ "DELETE", API "/tokens/:id", MODERATOR, NULL, NULL },
};

/* An admin route as src/routes.c declares it. */
struct declared_route {
	char	 method[16];
	char	 pattern[128];
	bool	 auth;
	bool	 admin;
};

static char	 run_id[48];
static unsigned	 run_a, run_b;		/* loopback address octets */
static unsigned	 run_p, run_t;		/* forwarded address groups */
static char	 build_dir[4000];	/* where WEB_BUILT files are */

static struct it_account	 adm = { "secadm", "admin" };
static struct it_account	 mod = { "secmod", "moderator" };
static struct it_account	 victim = { "secvictim", "moderator" };
static struct it_account	 expd = { "secexp", "moderator" };
static struct it_account	 backer = { "secback", "moderator" };

#define account(a)	it_account_at(__FILE__, __LINE__, (a), run_id)
#define published(base, key, body)					\
	published_at(__FILE__, __LINE__, (base), (key), (body))
#define CHECK_ERROR(r, st, code)					\
	it_check_error_at(__FILE__, __LINE__, (r), (st), (code))

/* -- helpers -------------------------------------------------------------- */

static const char *
new_key(const char *tag)
{
	return it_strf("itsec-%s-%s", run_id, tag);
}

/* A loopback address of this run, n from 1 to 254. */
static const char *
loopback(int n)
{
	return it_strf("127.%u.%u.%d", run_a, run_b, n);
}

/* A forwarded (documentation) address of this run. */
static const char *
fwd(int n)
{
	return it_strf("2001:db8:%x:%x::%x", run_p, run_t, (unsigned)n);
}

/* A forwarded IPv4 address of this run, n from 1 to 254: failed logins
 * are counted by reader, and fwd()'s all share one /64. */
static const char *
fwd4(int n)
{
	return it_strf("10.%u.%u.%d", run_a, run_b, n);
}

/* A forwarded address in a /64 of its own: one reader each (n ≥ 1). */
static const char *
fwd_reader(int n)
{
	return it_strf("2001:db8:%x:%x::1", run_p,
	    (run_t + (unsigned)n) & 0xffff);
}

/* s with every "from" replaced by "to" (owned by the test case). */
static const char *
subst(const char *s, const char *from, const char *to)
{
	const char	*p;
	char		*out = it_strf("%s", "");

	while ((p = strstr(s, from)) != NULL) {
		out = it_strf("%s%.*s%s", out, (int)(p - s), s, to);
		s = p + strlen(from);
	}
	return it_strf("%s%s", out, s);
}

/*
 * POST /admin/session at base (NULL: the test server) as the client at
 * forwarded address xff (NULL: none).  Never a failed check itself.
 */
static struct session
login_at(const char *base, const char *xff, const char *name,
    const char *pw)
{
	struct session	 s;
	struct it_resp	*r;
	const char	*h[3], *v, *semi;
	size_t		 i;
	int		 n = 0;

	memset(&s, 0, sizeof s);
	h[n++] = JSON_CT;
	if (xff != NULL)
		h[n++] = it_strf("X-Forwarded-For: %s", xff);
	h[n] = NULL;
	r = it_http_at(base != NULL ? base : it_base_url, "POST",
	    API "/session", h, it_dump(json_pack("{s:s, s:s}", "username",
	    name, "password", pw)), (size_t)-1);
	s.status = r->status;
	s.code = it_jstr(r->json, "error.code");
	s.retry_after = it_header(r, "Retry-After");
	s.cache_control = it_header(r, "Cache-Control");
	s.token = it_jstr(r->json, "token");
	s.csrf = it_jstr(r->json, "csrf_token");
	s.elapsed = r->elapsed;
	for (i = 0; (v = it_header_n(r, "Set-Cookie", i)) != NULL; i++) {
		if (strncmp(v, "commentd_session=", 17) != 0 &&
		    strncmp(v, "__Host-commentd_session=", 24) != 0)
			continue;
		semi = strchr(v, ';');
		s.cookie = semi != NULL ? it_strf("%.*s", (int)(semi - v),
		    v) : v;
		s.cookie_value = strchr(s.cookie, '=') + 1;
		s.attrs = semi != NULL ? semi : "";
		break;
	}
	return s;
}

/* A login that must succeed (at base, NULL: the test server). */
static bool
login_ok_at(const char *file, int line, const char *base, const char *xff,
    const char *name, struct session *s)
{
	*s = login_at(base, xff, name, PASSWORD);
	return it_check_at(file, line, s->status == 200 && s->token != NULL &&
	    s->csrf != NULL && s->cookie != NULL, "login of %s%s%s: %ld %s",
	    name, xff != NULL ? " from " : "", xff != NULL ? xff : "",
	    s->status, s->code != NULL ? s->code : "");
}
#define login_ok(base, xff, name, s)					\
	login_ok_at(__FILE__, __LINE__, (base), (xff), (name), (s))

/* The login was answered status (and, for 429, its documented form). */
static void
check_login_at(const char *file, int line, const struct session *s,
    long status, const char *what)
{
	const char	*want = status == 429 ? "too_many_attempts" :
			    status == 401 ? "invalid_credentials" : NULL;

	it_check_at(file, line, s->status == status, "%s: %ld (%s), want %ld",
	    what, s->status, s->code != NULL ? s->code : "no code", status);
	if (want != NULL && s->status == status)
		it_check_at(file, line, s->code != NULL &&
		    strcmp(s->code, want) == 0, "%s: error.code %s, want %s",
		    what, s->code != NULL ? s->code : "(none)", want);
}
#define check_login(s, status, what)					\
	check_login_at(__FILE__, __LINE__, (s), (status), (what))

/* A wrong login for an account nobody has: counted for the address. */
static struct session
wrong_login(const char *base, const char *xff)
{
	static int	 n;

	return login_at(base, xff, it_strf("nobody-%s-%d", run_id, ++n),
	    "not-the-password");
}

/* -- requests from another source address ------------------------------- */

static size_t
src_body_cb(char *data, size_t size, size_t n, void *arg)
{
	return fwrite(data, size, n, arg) * size;
}

static size_t
src_header_cb(char *data, size_t size, size_t n, void *arg)
{
	const char	**retry_after = arg;
	size_t		 len = size * n, k = strlen("Retry-After:");

	if (len > k && strncasecmp(data, "Retry-After:", k) == 0) {
		while (len > k && isspace((unsigned char)data[len - 1]))
			len--;
		while (k < len && data[k] == ' ')
			k++;
		*retry_after = it_strf("%.*s", (int)(len - k), data + k);
	}
	return size * n;
}

/*
 * A POST of body (NULL: none) to path at base, sent from the local
 * address src, with X-Forwarded-For: xff unless xff is NULL (a line
 * of its own for each "\n"-separated part of xff).  itest's
 * requests all come from 127.0.0.1; libcurl binds this one to src.
 */
static struct src_resp
src_post(const char *src, const char *base, const char *path,
    const char *xff, const char *body)
{
	struct src_resp		 out = { 0, NULL, NULL, -1 };
	struct curl_slist	*sl = NULL;
	const char		*p, *nl;
	CURL			*h;
	FILE			*mem;
	char			*buf = NULL;
	size_t			 len = 0;
	json_t			*j;

	if ((h = curl_easy_init()) == NULL ||
	    (mem = open_memstream(&buf, &len)) == NULL)
		abort();
	/* Each line of xff is a header line of its own. */
	for (p = xff; p != NULL; p = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		sl = curl_slist_append(sl, it_strf("X-Forwarded-For: %.*s",
		    (int)(nl != NULL ? (size_t)(nl - p) : strlen(p)), p));
	}
	if (body != NULL)
		sl = curl_slist_append(sl, JSON_CT);
	sl = curl_slist_append(sl, "Expect:");
	curl_easy_setopt(h, CURLOPT_URL, it_strf("%s%s", base, path));
	curl_easy_setopt(h, CURLOPT_INTERFACE, it_strf("host!%s", src));
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)IT_HTTP_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, sl);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body != NULL ? body : "");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, src_body_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, mem);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, src_header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &out.retry_after);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out.status);
	curl_easy_cleanup(h);
	curl_slist_free_all(sl);
	fclose(mem);
	if ((j = json_loadb(buf, len, 0, NULL)) != NULL) {
		if (it_jstr(j, "error.code") != NULL)
			out.code = it_strf("%s", it_jstr(j, "error.code"));
		out.reports = it_jint(j, "report.reports", -1);
		json_decref(j);
	}
	free(buf);
	return out;
}

/* A login sent from the local address src. */
static struct src_resp
src_login(const char *src, const char *base, const char *xff,
    const char *name, const char *pw)
{
	return src_post(src, base, API "/session", xff, it_dump(json_pack(
	    "{s:s, s:s}", "username", name, "password", pw)));
}

static struct src_resp
src_report(const char *src, const char *base, long long id,
    const char *xff)
{
	return src_post(src, base, it_strf("/api/v1/comments/%lld/reports",
	    id), xff, NULL);
}

/* The answer had this status (and error code, when code is not NULL). */
static void
check_src_at(const char *file, int line, const struct src_resp *r,
    long status, const char *code, const char *what)
{
	it_check_at(file, line, r->status == status, "%s: %ld (%s), want %ld",
	    what, r->status, r->code != NULL ? r->code : "no code", status);
	if (code != NULL && r->status == status)
		it_check_at(file, line, r->code != NULL &&
		    strcmp(r->code, code) == 0, "%s: error.code %s, want %s",
		    what, r->code != NULL ? r->code : "(none)", code);
}
#define check_src(r, status, code, what)				\
	check_src_at(__FILE__, __LINE__, (r), (status), (code), (what))

/* -- comments ------------------------------------------------------------- */

/* A pending comment posted at base (NULL: the test server); its id. */
static long long
post_at(const char *file, int line, const char *base, const char *key,
    const char *body)
{
	struct it_resp	*r;

	r = it_http_at(base != NULL ? base : it_base_url, "POST",
	    it_list_path(key), (const char *[]){ JSON_CT, NULL },
	    it_dump(json_pack("{s:s, s:s}", "author", "قارئ", "body", body)),
	    (size_t)-1);
	if (!it_check_status_at(file, line, r, 202))
		return -1;
	return it_jint(r->json, "comment.id", -1);
}

/* A comment posted and approved at base (NULL: the test server). */
static long long
published_at(const char *file, int line, const char *base, const char *key,
    const char *body)
{
	struct it_resp	*r;
	long long	 id;

	if (!it_account_at(file, line, &adm, run_id) ||
	    (id = post_at(file, line, base, key, body)) <= 0)
		return -1;
	r = it_http_at(base != NULL ? base : it_base_url, "POST",
	    it_strf(API "/comments/%lld/approve", id),
	    (const char *[]){ it_bearer(adm.token), NULL }, NULL, 0);
	if (!it_check_status_at(file, line, r, 200))
		return -1;
	return id;
}

static long long
report_count(long long id)
{
	return it_sql_ll("SELECT report_count FROM comments WHERE id = "
	    "$1::bigint", it_strf("%lld", id), (char *)NULL);
}

/* -- 1. X-Forwarded-For not trusted ------------------------------------- */

/*
 * Without COMMENTD_TRUST_PROXY (the default) the address is the peer's:
 * a reader who sends a new X-Forwarded-For with each report is still one
 * reader, and guesses of passwords with forged addresses still reach
 * the per-address limit.  Another peer address is another reader and
 * has its own count.
 */
static void
test_forged_forwarded_for(void)
{
	const char	*base, *s1 = loopback(1), *s2 = loopback(2);
	const char	*key = new_key("xff-off");
	struct it_proc	*p;
	struct src_resp	 r;
	long long	 id;
	int		 i;

	p = it_server(&base, "1", "COMMENTD_TRUST_PROXY=false",
	    "COMMENTD_REPORT_THRESHOLD=3", "COMMENTD_LOGIN_MAX_FAILURES_IP=4",
	    "COMMENTD_LOGIN_MAX_FAILURES_USER=1000",
	    "COMMENTD_LOGIN_WINDOW_S=600", (char *)NULL);
	IT_REQUIRE(p != NULL);
	IT_REQUIRE(account(&adm));

	/* Reports: one reader whatever the header says. */
	id = published(base, key, "تعليق يبلغ عنه قارئ واحد مرارًا");
	IT_REQUIRE(id > 0);
	r = src_report(s1, base, id, fwd(0x101));
	check_src(&r, 202, NULL, "the first report");
	IT_CHECK_INT(r.reports, 1);
	r = src_report(s1, base, id, fwd(0x102));
	check_src(&r, 200, NULL, "a report with another forwarded address");
	IT_CHECK_INT(r.reports, 1);
	r = src_report(s1, base, id, it_strf("%s, %s", fwd(0x103),
	    fwd(0x104)));
	check_src(&r, 200, NULL, "a report with a forwarded list");
	IT_CHECK_INT(r.reports, 1);
	r = src_report(s1, base, id, NULL);
	check_src(&r, 200, NULL, "a report without the header");
	IT_CHECK_INT(r.reports, 1);
	/* Another peer is another reader; the threshold (3) is not met. */
	r = src_report(s2, base, id, fwd(0x101));
	check_src(&r, 202, NULL, "a report from another address");
	IT_CHECK_INT(r.reports, 2);
	IT_CHECK_INT(report_count(id), 2);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comments WHERE id = "
	    "$1::bigint AND status = 'approved'", it_strf("%lld", id),
	    (char *)NULL), 1);

	/* Logins: 4 failures per address, each with a new forged one. */
	for (i = 1; i <= 4; i++) {
		r = src_login(s1, base, fwd4(0x90 + i), it_strf("nobody-%s-%d",
		    run_id, i), "not-the-password");
		check_src(&r, 401, "invalid_credentials",
		    it_strf("wrong login %d, forged address", i));
	}
	r = src_login(s1, base, fwd4(0xa0), it_strf("nobody-%s-5", run_id),
	    "not-the-password");
	check_src(&r, 429, "too_many_attempts", "the fifth, forged address");
	IT_CHECKF(r.retry_after != NULL && atoi(r.retry_after) == 600,
	    "Retry-After is the window, 600: %s", r.retry_after != NULL ?
	    r.retry_after : "(none)");
	/* Even the right password, from this address... */
	r = src_login(s1, base, fwd4(0xa1), adm.name, PASSWORD);
	check_src(&r, 429, "too_many_attempts", "the right password");
	/* ... while another address may log in. */
	r = src_login(s2, base, fwd4(0xa1), adm.name, PASSWORD);
	check_src(&r, 200, NULL, "the right password from another address");
	IT_CHECK_INT(it_sql_ll("SELECT failures FROM login_failures WHERE "
	    "scope = 'ip:' || $1", s1, (char *)NULL), 6);
	/* The forged addresses (0x1NN here) were never counted. */
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM login_failures WHERE "
	    "scope LIKE 'ip:' || $1 || '1__'", it_strf("2001:db8:%x:%x::",
	    run_p, run_t), (char *)NULL), 0);
}

/* -- 2. X-Forwarded-For trusted ----------------------------------------- */

/*
 * With COMMENTD_TRUST_PROXY=true the client is the last address of
 * X-Forwarded-For (the one nginx appends): distinct forwarded addresses
 * (of distinct /64s) are distinct readers and have their own login
 * counts, whatever the
 * peer; an address a client put before it counts for nothing; a header
 * that is not an address leaves the peer's.
 */
static void
test_trusted_forwarded_for(void)
{
	const char	*base, *key = new_key("xff-on");
	struct it_proc	*p;
	struct src_resp	 r;
	struct session	 s;
	long long	 id;
	int		 i;

	p = it_server(&base, "1", "COMMENTD_TRUST_PROXY=true",
	    "COMMENTD_REPORT_THRESHOLD=10", "COMMENTD_LOGIN_MAX_FAILURES_IP=4",
	    "COMMENTD_LOGIN_MAX_FAILURES_USER=1000",
	    "COMMENTD_LOGIN_WINDOW_S=600", (char *)NULL);
	IT_REQUIRE(p != NULL);
	IT_REQUIRE(account(&adm));

	id = published(base, key, "تعليق يبلغ عنه قراء كثيرون");
	IT_REQUIRE(id > 0);
	r = src_report(loopback(3), base, id, fwd_reader(1));
	check_src(&r, 202, NULL, "a report from forwarded address 1");
	IT_CHECK_INT(r.reports, 1);
	r = src_report(loopback(3), base, id, fwd_reader(2));
	check_src(&r, 202, NULL, "address 2, the same peer");
	IT_CHECK_INT(r.reports, 2);
	/* The same forwarded address from another peer: the same reader. */
	r = src_report(loopback(4), base, id, fwd_reader(2));
	check_src(&r, 200, NULL, "address 2 again, another peer");
	IT_CHECK_INT(r.reports, 2);
	/* What a client wrote before the proxy's address is ignored. */
	r = src_report(loopback(4), base, id, it_strf("%s, %s",
	    fwd_reader(3), fwd_reader(1)));
	check_src(&r, 200, NULL, "a forged address before address 1");
	IT_CHECK_INT(r.reports, 2);
	/* Or in a line of its own before the proxy's. */
	r = src_report(loopback(4), base, id, it_strf("%s\n%s",
	    fwd_reader(3), fwd_reader(1)));
	check_src(&r, 200, NULL, "a forged line before address 1's");
	IT_CHECK_INT(r.reports, 2);
	/* Not an address: the peer's counts (once). */
	r = src_report(loopback(5), base, id, "not-an-address");
	check_src(&r, 202, NULL, "a header that is not an address");
	IT_CHECK_INT(r.reports, 3);
	r = src_report(loopback(5), base, id, NULL);
	check_src(&r, 200, NULL, "that peer without the header");
	IT_CHECK_INT(r.reports, 3);
	IT_CHECK_INT(report_count(id), 3);

	/* Logins: forwarded address 31 reaches its limit... */
	for (i = 1; i <= 4; i++) {
		s = wrong_login(base, fwd4(31));
		check_login(&s, 401, it_strf("wrong login %d from 31", i));
	}
	s = wrong_login(base, fwd4(31));
	check_login(&s, 429, "the fifth from 31");
	s = login_at(base, it_strf("%s, %s", fwd4(32), fwd4(31)), adm.name,
	    PASSWORD);
	check_login(&s, 429, "the right password from 31 (forged before)");
	/* ... while 32, and 31 forged before 32, are another client. */
	s = wrong_login(base, fwd4(32));
	check_login(&s, 401, "a wrong login from 32");
	IT_REQUIRE(login_ok(base, it_strf("%s, %s", fwd4(31), fwd4(32)),
	    adm.name, &s));
	IT_CHECK_INT(it_sql_ll("SELECT failures FROM login_failures WHERE "
	    "scope = 'ip:' || $1", fwd4(31), (char *)NULL), 6);
	IT_CHECK_INT(it_sql_ll("SELECT failures FROM login_failures WHERE "
	    "scope = 'ip:' || $1", fwd4(32), (char *)NULL), 1);
}

/* -- 3. login throttling ------------------------------------------------- */

/*
 * The window: with COMMENTD_LOGIN_WINDOW_S=2 and one failure allowed
 * per address, the second attempt is 429 with Retry-After: 2; once the
 * window has passed, an attempt is judged again (401 for a wrong
 * password) and counted in a new window.  Polled, never slept exactly;
 * the only time bound is a lower one, which a slow machine cannot break.
 * (If the machine was so slow that the window passed before the second
 * attempt, the sequence starts again from another address.)
 */
static void
test_login_window(void)
{
	const char	*base, *a = NULL;
	struct it_proc	*p;
	struct session	 s;
	double		 t0 = 0, t1;
	int		 polls = 0, tries;

	p = it_server(&base, "1", "COMMENTD_TRUST_PROXY=true",
	    "COMMENTD_LOGIN_WINDOW_S=2", "COMMENTD_LOGIN_MAX_FAILURES_IP=1",
	    "COMMENTD_LOGIN_MAX_FAILURES_USER=1000", (char *)NULL);
	IT_REQUIRE(p != NULL);
	IT_REQUIRE(account(&adm));

	for (tries = 0; tries < 3; tries++) {
		a = fwd4(41 + tries);
		t0 = it_now();
		s = wrong_login(base, a);
		check_login(&s, 401, "the first wrong login");
		s = login_at(base, a, adm.name, PASSWORD);
		if (s.status != 429 && it_now() - t0 >= 2.0) {
			it_note("the window passed before the 429 (%.2f s)",
			    it_now() - t0);
			continue;
		}
		break;
	}
	check_login(&s, 429, "the second attempt, the right password");
	IT_CHECK_STR(s.retry_after, "2");
	do {
		it_sleep_ms(200);
		s = wrong_login(base, a);
		polls++;
	} while (s.status == 429 && it_now() - t0 < WINDOW_WAIT_S);
	t1 = it_now();
	check_login(&s, 401, "a wrong login after the window");
	IT_CHECKF(t1 - t0 >= 1.9, "throttled for %.2f s, at least the 2 s "
	    "window", t1 - t0);
	it_note("judged again after %.2f s (%d polls)", t1 - t0, polls);
	/* That one began a new window, counted from one. */
	IT_CHECK_INT(it_sql_ll("SELECT failures FROM login_failures WHERE "
	    "scope = 'ip:' || $1", a, (char *)NULL), 1);
}

/*
 * Lockout is per account and address pair: 5 wrong passwords for an
 * account from address A lock out A (even the right password is 429
 * there), not the owner at address B, who gets in (after the account's
 * delay).  A successful login gives back: the pair starts again, the
 * account and the address get the attempt back, so a moderator who
 * logs in often from one office address never reaches its limit.
 */
static void
test_login_pairs(void)
{
	const char	*base, *a = fwd4(51), *b = fwd4(52), *c = fwd4(53);
	struct it_proc	*p;
	struct session	 s;
	int		 i;

	p = it_server(&base, "1", "COMMENTD_TRUST_PROXY=true",
	    "COMMENTD_LOGIN_MAX_FAILURES_USER=5",
	    "COMMENTD_LOGIN_MAX_FAILURES_IP=10",
	    "COMMENTD_LOGIN_DELAY_MAX_MS=200",
	    "COMMENTD_LOGIN_WINDOW_S=600", (char *)NULL);
	IT_REQUIRE(p != NULL);
	IT_REQUIRE(account(&backer) && account(&adm));

	for (i = 0; i < 5; i++) {
		s = login_at(base, a, backer.name, "not-the-password");
		check_login(&s, 401, it_strf("wrong password %d from A",
		    i + 1));
	}
	s = login_at(base, a, backer.name, PASSWORD);
	check_login(&s, 429, "the right password from A after 5 wrong");
	IT_CHECK_STR(s.retry_after, "600");
	IT_REQUIRE(login_ok(base, b, backer.name, &s));
	IT_CHECK_INT(it_sql_ll("SELECT failures FROM login_failures WHERE "
	    "scope = 'pair:' || $1 || '@' || $2", backer.name, a,
	    (char *)NULL), 6);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM login_failures WHERE "
	    "scope = 'pair:' || $1 || '@' || $2", backer.name, b,
	    (char *)NULL), 0);
	/* 7 attempts, one given back: the owner's success does not wipe
	 * out the guesses made elsewhere. */
	IT_CHECK_INT(it_sql_ll("SELECT failures FROM login_failures WHERE "
	    "scope = 'user:' || $1", backer.name, (char *)NULL), 6);
	/* A is still locked out for that account, not for another. */
	s = login_at(base, a, backer.name, PASSWORD);
	check_login(&s, 429, "the right password from A again");
	IT_CHECK(login_ok(base, a, adm.name, &s));

	/* An IPv6 reader is its /64: guesses from five of its addresses
	 * lock out a sixth, not another /64. */
	for (i = 0; i < 5; i++) {
		s = login_at(base, fwd(0x60 + i), backer.name,
		    "not-the-password");
		check_login(&s, 401, it_strf("wrong password %d from the "
		    "/64", i + 1));
	}
	s = login_at(base, fwd(0x70), backer.name, PASSWORD);
	check_login(&s, 429, "the right password from the same /64");
	IT_CHECK(login_ok(base, fwd_reader(7), backer.name, &s));

	/* The address: 3 failures, then successes that each give their
	 * attempt back; its limit (10) is never reached. */
	for (i = 0; i < 3; i++) {
		s = wrong_login(base, c);
		check_login(&s, 401, "a wrong login from C");
	}
	for (i = 0; i < 6; i++)
		IT_CHECK(login_ok(base, c, adm.name, &s));
	IT_CHECK_INT(it_sql_ll("SELECT failures FROM login_failures WHERE "
	    "scope = 'ip:' || $1", c, (char *)NULL), 3);
}

/*
 * The account's failures from anywhere delay its next login: with f
 * failures in the window, 100 ms * 2^(f-1), at most
 * COMMENTD_LOGIN_DELAY_MAX_MS, then the check (lower bounds only: a
 * slow machine answers later, never sooner).  The right password still
 * gets in, after the delay; 0 turns the delay off.
 */
static void
test_login_delay(void)
{
	static struct it_account slow = { "secslow", "moderator" };
	const char	*base, *base2, *base0;
	struct it_proc	*p, *p2, *p0;
	struct session	 s;
	double		 want;
	int		 i, n = 0xc0;

	p = it_server(&base, "1", "COMMENTD_TRUST_PROXY=true",
	    "COMMENTD_LOGIN_MAX_FAILURES_USER=1000",
	    "COMMENTD_LOGIN_MAX_FAILURES_IP=1000",
	    "COMMENTD_LOGIN_DELAY_MAX_MS=10000",
	    "COMMENTD_LOGIN_WINDOW_S=600", (char *)NULL);
	p2 = it_server(&base2, "1", "COMMENTD_TRUST_PROXY=true",
	    "COMMENTD_LOGIN_MAX_FAILURES_USER=1000",
	    "COMMENTD_LOGIN_MAX_FAILURES_IP=1000",
	    "COMMENTD_LOGIN_DELAY_MAX_MS=250",
	    "COMMENTD_LOGIN_WINDOW_S=600", (char *)NULL);
	p0 = it_server(&base0, "1", "COMMENTD_TRUST_PROXY=true",
	    "COMMENTD_LOGIN_MAX_FAILURES_USER=1000",
	    "COMMENTD_LOGIN_MAX_FAILURES_IP=1000",
	    "COMMENTD_LOGIN_DELAY_MAX_MS=0",
	    "COMMENTD_LOGIN_WINDOW_S=600", (char *)NULL);
	IT_REQUIRE(p != NULL && p2 != NULL && p0 != NULL);
	IT_REQUIRE(account(&slow));

	/* Attempt i+1 follows i failures: 0, 100, 200, 400, 800 ms. */
	for (i = 0; i < 5; i++) {
		s = login_at(base, fwd4(n++), slow.name, "not-the-password");
		check_login(&s, 401, it_strf("wrong password %d", i + 1));
		want = i == 0 ? 0 : 0.1 * (1 << (i - 1));
		IT_CHECKF(s.elapsed >= want, "wrong password %d answered "
		    "after %.3f s, want at least %.1f s", i + 1, s.elapsed,
		    want);
		it_note("after %d failures: %.3f s", i, s.elapsed);
	}
	IT_REQUIRE(login_ok(base, fwd4(n++), slow.name, &s));
	IT_CHECKF(s.elapsed >= 1.6, "the right password after 5 failures "
	    "answered after %.3f s, want at least 1.6 s", s.elapsed);

	/* Capped: 5, 6, 7 failures (one was given back) would wait 1.6,
	 * 3.2, 6.4 s. */
	for (i = 0; i < 3; i++) {
		s = login_at(base2, fwd4(n++), slow.name, "not-the-password");
		check_login(&s, 401, "a wrong password, delay capped");
		IT_CHECKF(s.elapsed >= 0.25 && s.elapsed < it_limit_ms(1500) /
		    1000.0, "capped at 250 ms: answered after %.3f s",
		    s.elapsed);
	}
	/* Off. */
	s = login_at(base0, fwd4(n++), slow.name, "not-the-password");
	check_login(&s, 401, "a wrong password, no delay");
	IT_CHECKF(s.elapsed < it_limit_ms(1500) / 1000.0, "no delay: "
	    "answered after %.3f s", s.elapsed);
}

/*
 * A name no account can have (too long, characters outside the name
 * rule) is refused before anything is counted: 401, and no row in
 * login_failures for the address or the name.
 */
static void
test_login_junk_names(void)
{
	const char	*base, *a = fwd4(61), *names[4];
	char		 longname[70];
	struct it_proc	*p;
	struct session	 s;
	size_t		 i;

	p = it_server(&base, "1", "COMMENTD_TRUST_PROXY=true",
	    "COMMENTD_LOGIN_WINDOW_S=600", (char *)NULL);
	IT_REQUIRE(p != NULL);
	memset(longname, 'j', 65);
	longname[65] = '\0';
	names[0] = longname;
	names[1] = "junk name";
	names[2] = "junk/name";
	names[3] = "جنك";
	for (i = 0; i < NELEM(names); i++) {
		s = login_at(base, a, names[i], "not-the-password");
		check_login(&s, 401, it_strf("junk name \"%s\"", names[i]));
	}
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM login_failures WHERE "
	    "scope = 'ip:' || $1 OR scope LIKE 'pair:%@' || $1", a,
	    (char *)NULL), 0);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM login_failures WHERE "
	    "scope LIKE '%junk%' OR scope LIKE '%jjjjjjjj%' OR scope LIKE "
	    "'%جنك%'", (char *)NULL), 0);
	/* A name that could be an account's is counted. */
	s = wrong_login(base, a);
	check_login(&s, 401, "a wrong login with a valid name");
	IT_CHECK_INT(it_sql_ll("SELECT failures FROM login_failures WHERE "
	    "scope = 'ip:' || $1", a, (char *)NULL), 1);
}

/*
 * Rows whose window is over are deleted by later logins (a few each),
 * so login_failures holds one window, not every name ever tried; rows
 * still in their window stay.
 */
static void
test_login_prune(void)
{
	const char	*base, *a = fwd4(71);
	struct it_proc	*p;
	struct session	 s;
	long long	 left = -1;
	int		 i;

	p = it_server(&base, "1", "COMMENTD_TRUST_PROXY=true",
	    "COMMENTD_LOGIN_WINDOW_S=600",
	    "COMMENTD_LOGIN_MAX_FAILURES_IP=1000", (char *)NULL);
	IT_REQUIRE(p != NULL);
	IT_REQUIRE(it_sql("INSERT INTO login_failures (scope, window_start, "
	    "failures) SELECT 'user:stale-' || $1 || '-' || i, now() - "
	    "interval '1 day', 3 FROM generate_series(1, 50) AS i "
	    "UNION ALL SELECT 'user:fresh-' || $1, now() - interval "
	    "'30 seconds', 2", run_id, (char *)NULL) != NULL);
	for (i = 0; i < 10 && left != 0; i++) {
		s = wrong_login(base, a);
		check_login(&s, 401, "a wrong login");
		left = it_sql_ll("SELECT count(*) FROM login_failures WHERE "
		    "scope LIKE 'user:stale-' || $1 || '-%'", run_id,
		    (char *)NULL);
	}
	IT_CHECKF(left == 0, "%lld stale rows left after %d logins", left,
	    i);
	it_note("50 stale rows deleted by %d logins", i);
	IT_CHECK_INT(it_sql_ll("SELECT failures FROM login_failures WHERE "
	    "scope = 'user:fresh-' || $1", run_id, (char *)NULL), 2);
}

/* -- live streams and credentials ---------------------------------------- */

/* GET /admin/events at base with the header auth ("Authorization: ..."
 * or "Cookie: ..."), open until the test case ends. */
static struct it_stream *
stream_at(const char *base, const char *auth)
{
	struct it_req	 req;

	memset(&req, 0, sizeof req);
	req.method = "GET";
	req.base = base;
	req.path = API "/events";
	req.headers = it_own(calloc(3, sizeof *req.headers));
	if (req.headers == NULL)
		abort();
	((const char **)req.headers)[0] = auth;
	((const char **)req.headers)[1] = "Accept: text/event-stream";
	req.timeout_ms = 120000;
	return it_stream_open(&req);
}

/* A stream that must open (200). */
static struct it_stream *
stream_ok_at(const char *file, int line, const char *base,
    const char *auth)
{
	struct it_stream	*st = stream_at(base, auth);

	if (!it_check_at(file, line, st != NULL && it_stream_status(st,
	    it_limit_ms(5000)) == 200, "a live stream opens at %s", base))
		return NULL;
	return st;
}
#define stream_ok(base, auth)						\
	stream_ok_at(__FILE__, __LINE__, (base), (auth))

/* Whether the stream ends within ms (true) or stays open (false). */
static bool
stream_ends_within(struct it_stream *st, long ms)
{
	double	 deadline = it_now() + ms / 1000.0;

	while (it_now() < deadline) {
		if (it_stream_ended(st, NULL))
			return true;
		(void)it_stream_next(st, 50);
	}
	return it_stream_ended(st, NULL);
}

/* The stream ends within a bound (2 s, stretched under sanitizers). */
#define CHECK_ENDS(st, what) do {					\
	double t_ = it_now();						\
	IT_CHECKF((st) != NULL && stream_ends_within((st),		\
	    it_limit_ms(2000)), "%s: the stream ends", (what));		\
	it_note("%s: ended after %.3f s", (what), it_now() - t_);	\
} while (0)
#define CHECK_OPEN(st, what)						\
	IT_CHECKF((st) != NULL && !it_stream_ended((st), NULL),		\
	    "%s: the stream stays open", (what))

/*
 * A logout, a disabled account and a password reset end the live
 * streams opened with what they revoke at once: on the server that
 * made the change (one worker: its own streams, directly) and on a
 * second server on the same database (by NOTIFY).  Streams of another
 * session stay open.  Keep-alives are an hour apart, so no periodic
 * check can be what closed them.
 */
static void
test_stream_revoked(void)
{
	static struct it_account streamer = { "secstream", "moderator" };
	const char		*b1, *b2, *auth, *path;
	struct it_proc		*p1, *p2;
	struct it_stream	*s1, *s2, *other, *api1, *api2;
	struct session		 s, s2nd;
	struct it_resp		*r;

	p1 = it_server(&b1, "1", "COMMENTD_SSE_KEEPALIVE_S=3600", (char *)NULL);
	p2 = it_server(&b2, "1", "COMMENTD_SSE_KEEPALIVE_S=3600", (char *)NULL);
	IT_REQUIRE(p1 != NULL && p2 != NULL);
	IT_REQUIRE(account(&adm) && account(&streamer));
	path = it_strf(API "/moderators/%s", streamer.name);

	/* Logout. */
	IT_REQUIRE(login_ok(b1, NULL, streamer.name, &s));
	IT_REQUIRE(login_ok(b1, NULL, streamer.name, &s2nd));
	auth = it_bearer(s.token);
	s1 = stream_ok(b1, auth);
	s2 = stream_ok(b2, it_strf("Cookie: %s", s.cookie));
	other = stream_ok(b1, it_bearer(s2nd.token));
	IT_REQUIRE(s1 != NULL && s2 != NULL && other != NULL);
	r = it_http_at(b1, "DELETE", API "/session", (const char *[]){ auth,
	    NULL }, NULL, 0);
	IT_CHECK_STATUS(r, 204);
	CHECK_ENDS(s1, "logout, same server");
	CHECK_ENDS(s2, "logout, other server");
	CHECK_OPEN(other, "logout of another session");

	/* Disabled: every stream of the account, API tokens' too. */
	api1 = stream_ok(b1, it_bearer(streamer.token));
	api2 = stream_ok(b2, it_bearer(streamer.token));
	IT_REQUIRE(api1 != NULL && api2 != NULL);
	r = it_http_at(b1, "PATCH", path, (const char *[]){
	    it_bearer(adm.token), JSON_CT, NULL }, "{\"disabled\": true}",
	    (size_t)-1);
	IT_CHECK_STATUS(r, 200);
	CHECK_ENDS(other, "disabled, same server (session)");
	CHECK_ENDS(api1, "disabled, same server (API token)");
	CHECK_ENDS(api2, "disabled, other server (API token)");
	r = it_http_at(b1, "PATCH", path, (const char *[]){
	    it_bearer(adm.token), JSON_CT, NULL }, "{\"disabled\": false}",
	    (size_t)-1);
	IT_REQUIRE_STATUS(r, 200);

	/* Password reset (to the same password): the sessions' streams. */
	IT_REQUIRE(login_ok(b2, NULL, streamer.name, &s));
	s1 = stream_ok(b1, it_bearer(s.token));
	s2 = stream_ok(b2, it_bearer(s.token));
	IT_REQUIRE(s1 != NULL && s2 != NULL);
	r = it_http_at(b1, "POST", it_strf("%s/password", path),
	    (const char *[]){ it_bearer(adm.token), JSON_CT, NULL },
	    it_dump(json_pack("{s:s}", "password", PASSWORD)), (size_t)-1);
	IT_CHECK_STATUS(r, 200);
	CHECK_ENDS(s1, "password reset, same server");
	CHECK_ENDS(s2, "password reset, other server");
}

/*
 * What no announcement says is found at the keep-alive: a session that
 * expires (here: expires_at moved to now in SQL, which notifies no one)
 * ends its stream at the next keep-alive (1 s).  One query per worker
 * per keep-alive checks all its streams.
 */
static void
test_stream_recheck(void)
{
	static struct it_account expirer = { "secexpire", "moderator" };
	const char		*base;
	struct it_proc		*p;
	struct it_stream	*st, *other;
	struct session		 s;

	p = it_server(&base, "1", "COMMENTD_SSE_KEEPALIVE_S=1", (char *)NULL);
	IT_REQUIRE(p != NULL);
	IT_REQUIRE(account(&expirer));
	IT_REQUIRE(login_ok(base, NULL, expirer.name, &s));
	st = stream_ok(base, it_bearer(s.token));
	other = stream_ok(base, it_bearer(expirer.token));
	IT_REQUIRE(st != NULL && other != NULL);
	IT_REQUIRE(!stream_ends_within(st, 1500));
	IT_REQUIRE(it_sql("UPDATE auth_tokens SET expires_at = now() WHERE "
	    "token_hash = sha256(convert_to($1, 'UTF8'))", s.token,
	    (char *)NULL) != NULL);
	CHECK_ENDS(st, "expired session, at the keep-alive");
	CHECK_OPEN(other, "the API token's stream");
}

/*
 * COMMENTD_SSE_MAX_PER_MODERATOR streams per moderator per process,
 * counted across its workers: one more is 429 too_many_streams; one
 * closed frees its place; another moderator is not affected.
 */
static void
test_stream_limit(void)
{
	static struct it_account many = { "secmany", "moderator" };
	const char		*base;
	struct it_proc		*p;
	struct it_stream	*st[3];
	struct it_req		 req;
	struct it_resp		*r = NULL;
	double			 deadline;
	long			 status;
	int			 i;

	p = it_server(&base, "2", "COMMENTD_SSE_MAX_PER_MODERATOR=3",
	    (char *)NULL);
	IT_REQUIRE(p != NULL);
	IT_REQUIRE(account(&many) && account(&adm));
	for (i = 0; i < 3; i++)
		IT_REQUIRE((st[i] = stream_ok(base, it_bearer(many.token))) !=
		    NULL);
	memset(&req, 0, sizeof req);
	req.method = "GET";
	req.base = base;
	req.path = API "/events";
	req.headers = (const char *[]){ it_bearer(many.token), NULL };
	req.timeout_ms = 5000;
	for (i = 0; i < 4; i++) {
		r = it_request(&req);
		CHECK_ERROR(r, 429, "too_many_streams");
	}
	IT_CHECK(it_header(r, "Retry-After") != NULL);
	IT_CHECK(stream_ok(base, it_bearer(adm.token)) != NULL);
	it_stream_close(st[0]);
	deadline = it_now() + it_limit_ms(3000) / 1000.0;
	do {
		it_sleep_ms(50);
		st[0] = stream_at(base, it_bearer(many.token));
		status = st[0] != NULL ? it_stream_status(st[0], 3000) : 0;
		if (status != 200 && st[0] != NULL)
			it_stream_close(st[0]);
	} while (status == 429 && it_now() < deadline);
	IT_CHECKF(status == 200, "a closed stream gives its place back: "
	    "%ld", status);
}

/* -- 4. Idempotency-Key -------------------------------------------------- */

/*
 * An Idempotency-Key is 1 to 200 printable ASCII characters without
 * spaces: anything else is 422 validation_failed naming the field, and
 * stores nothing.
 */
static void
test_idempotency_key(void)
{
	const char	*key = new_key("idem"), *good, *path, *body;
	const char	*bad[6];
	struct it_resp	*r, *r2;
	char		 k200[201], k201[202];
	size_t		 i;

	path = it_list_path(key);
	body = "{\"author\": \"قارئ\", \"body\": \"تعليق بمفتاح\"}";
	memset(k201, 'k', 201);
	k201[201] = '\0';
	bad[0] = "Idempotency-Key;";		/* curl: an empty value */
	bad[1] = it_strf("Idempotency-Key: %s", k201);
	bad[2] = "Idempotency-Key: مفتاح";
	bad[3] = "Idempotency-Key: two words";
	bad[4] = "Idempotency-Key: latin1\xff";
	bad[5] = "Idempotency-Key: tab\tinside";
	for (i = 0; i < NELEM(bad); i++) {
		r = it_http("POST", path, (const char *[]){ JSON_CT, bad[i],
		    NULL }, body, (size_t)-1);
		if (!CHECK_ERROR(r, 422, "validation_failed"))
			it_note("that was %s", bad[i]);
		IT_CHECK_STR(it_jstr(r->json, "error.fields.idempotency_key"),
		    "invalid");
		IT_CHECK(it_jget(r->json, "error.fields.body") == NULL);
	}
	/* A control character is refused with the headers, before. */
	r = it_http("POST", path, (const char *[]){ JSON_CT,
	    "Idempotency-Key: del\x7f", NULL }, body, (size_t)-1);
	CHECK_ERROR(r, 400, "invalid_header");
	/* With another invalid field, both are named. */
	r = it_http("POST", path, (const char *[]){ JSON_CT, bad[1], NULL },
	    "{\"author\": \"قارئ\", \"body\": \"\"}", (size_t)-1);
	CHECK_ERROR(r, 422, "validation_failed");
	IT_CHECK_STR(it_jstr(r->json, "error.fields.idempotency_key"),
	    "invalid");
	IT_CHECK(it_jstr(r->json, "error.fields.body") != NULL);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comments c JOIN "
	    "articles a ON a.id = c.article_id WHERE a.key = $1", key,
	    (char *)NULL), 0);

	/* The bounds: 200 characters of every printable kind, and one. */
	snprintf(k200, sizeof k200, "%s-", run_id);
	for (i = strlen(k200); i < 200; i++)
		k200[i] = (char)(0x21 + i % (0x7f - 0x21));
	k200[200] = '\0';
	good = it_strf("Idempotency-Key: %s", k200);
	r = it_http("POST", path, (const char *[]){ JSON_CT, good, NULL },
	    body, (size_t)-1);
	IT_REQUIRE_STATUS(r, 202);
	r2 = it_http("POST", path, (const char *[]){ JSON_CT, good, NULL },
	    body, (size_t)-1);
	IT_CHECK_STATUS(r2, 202);
	IT_CHECK_STR(it_header(r2, "Idempotent-Replayed"), "true");
	IT_CHECK_INT(it_jint(r2->json, "comment.id", -1),
	    it_jint(r->json, "comment.id", -2));
	r = it_http("POST", path, (const char *[]){ JSON_CT,
	    "Idempotency-Key: ~", NULL }, body, (size_t)-1);
	IT_CHECK_STATUS(r, 202);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comments c JOIN "
	    "articles a ON a.id = c.article_id WHERE a.key = $1", key,
	    (char *)NULL), 2);
}

/* -- 5. the admin routes' matrix --------------------------------------- */

/*
 * The admin routes of src/routes.c: every "{ ROUTE_X, "/api/v1/admin..."
 * entry, with its flags.  Returns how many (at most max), -1 if the
 * file cannot be read.
 */
static int
declared_routes(struct declared_route *out, int max)
{
	const char	*p, *q, *end, *src;
	int		 n = 0;

	if ((src = it_slurp("src/routes.c", NULL)) == NULL)
		return -1;
	for (p = src; (p = strstr(p, "{ ROUTE_")) != NULL; p = end) {
		p += strlen("{ ROUTE_");
		if ((end = strchr(p, '}')) == NULL)
			break;
		if ((q = strchr(p, '"')) == NULL || q > end ||
		    strncmp(q + 1, API, strlen(API)) != 0)
			continue;
		if (n == max)
			return max + 1;
		snprintf(out[n].method, sizeof out[n].method, "%.*s",
		    (int)strcspn(p, ", "), p);
		snprintf(out[n].pattern, sizeof out[n].pattern, "%.*s",
		    (int)strcspn(q + 1, "\""), q + 1);
		q += strlen(out[n].pattern) + 2;
		out[n].admin = memmem(q, (size_t)(end - q), "ROUTE_ADMIN",
		    11) != NULL;
		out[n].auth = out[n].admin || memmem(q, (size_t)(end - q),
		    "ROUTE_AUTH", 10) != NULL;
		n++;
	}
	return n;
}

/* The route's pattern made concrete. */
static const char *
route_path(const struct admin_route *rt, long long c, const char *key,
    const char *name)
{
	const char	*s = rt->pattern;

	s = subst(s, ":id", it_strf("%lld", c));
	s = subst(s, ":key", it_pct(key));
	s = subst(s, ":name", name);
	if (rt->action != NULL)
		s = subst(s, ":action", rt->action);
	return s;
}

static struct it_resp *
route_req(const struct admin_route *rt, const char *path, long long c,
    const char *h1, const char *h2)
{
	const char	*h[4], *body = NULL;
	int		 n = 0;

	if (rt->body != NULL) {
		body = subst(subst(rt->body, "@ID", it_strf("%lld", c)),
		    "@RUN", run_id);
		h[n++] = JSON_CT;
	}
	if (h1 != NULL)
		h[n++] = h1;
	if (h2 != NULL)
		h[n++] = h2;
	h[n] = NULL;
	return it_http(rt->method, path, h, body, (size_t)-1);
}

/*
 * Every admin route of src/routes.c, from a table that must match it:
 * without credentials, with a made-up, a malformed or an expired token,
 * 401 unauthorized; with a session cookie but no (or a wrong) CSRF
 * header on a change, 403 csrf_failed; a moderator on an admin-only
 * route, by token or by cookie, 403 forbidden.  Nothing any of them
 * asked for was done.  Reads with the cookie alone work, and say
 * Cache-Control: no-store.
 */
static void
test_admin_matrix(void)
{
	struct declared_route	 decl[64];
	const struct admin_route *rt;
	const char		*key = new_key("matrix"), *path, *cookie;
	const char		*mcookie, *mcsrf, *cc, *expired;
	struct session		 s, ms, xs;
	struct it_resp		*r;
	PGresult		*res;
	long long		 c;
	size_t			 i, k;
	int			 nd, j;
	bool			 found;
	struct {
		const char	*what;
		const char	*h1;
	}			 dead[4];

	/* The table is src/routes.c's list of admin routes. */
	nd = declared_routes(decl, (int)NELEM(decl));
	IT_REQUIREF(nd > 0 && nd <= (int)NELEM(decl), "src/routes.c read "
	    "from the repository root: %d admin routes", nd);
	for (j = 0; j < nd; j++) {
		found = false;
		for (i = 0; i < NELEM(admin_routes); i++) {
			rt = &admin_routes[i];
			if (strcmp(rt->method, decl[j].method) != 0 ||
			    strcmp(rt->pattern, decl[j].pattern) != 0)
				continue;
			found = true;
			IT_CHECKF((rt->who == ADMIN) == decl[j].admin &&
			    (rt->who != ANYONE) == decl[j].auth, "%s %s: "
			    "the matrix and src/routes.c differ on who may "
			    "use it", rt->method, rt->pattern);
		}
		IT_CHECKF(found, "src/routes.c has %s %s, which the matrix "
		    "lacks: add it to admin_routes[]", decl[j].method,
		    decl[j].pattern);
	}
	for (i = 0; i < NELEM(admin_routes); i++) {
		found = false;
		for (j = 0; j < nd && !found; j++)
			found = strcmp(admin_routes[i].method,
			    decl[j].method) == 0 && strcmp(
			    admin_routes[i].pattern, decl[j].pattern) == 0;
		IT_CHECKF(found, "the matrix has %s %s, which src/routes.c "
		    "lacks", admin_routes[i].method, admin_routes[i].pattern);
	}

	/* A pending comment, an article, an account: what a forged
	 * request would change. */
	IT_REQUIRE(account(&adm) && account(&mod) && account(&victim) &&
	    account(&expd));
	c = post_at(__FILE__, __LINE__, NULL, key, "تعليق للمصفوفة");
	IT_REQUIRE(c > 0);
	IT_REQUIRE(login_ok(NULL, NULL, adm.name, &s));
	IT_REQUIRE(login_ok(NULL, NULL, mod.name, &ms));
	IT_REQUIRE(login_ok(NULL, NULL, expd.name, &xs));
	cookie = it_strf("Cookie: %s", s.cookie);
	mcookie = it_strf("Cookie: %s", ms.cookie);
	mcsrf = it_strf("X-CSRF-Token: %s", ms.csrf);
	res = it_sql("UPDATE auth_tokens SET expires_at = now() - "
	    "interval '1 minute' WHERE token_hash = sha256(convert_to($1, "
	    "'UTF8'))", xs.token, (char *)NULL);
	IT_REQUIRE(res != NULL);
	IT_CHECK_STR(PQcmdTuples(res), "1");
	expired = it_bearer(xs.token);

	dead[0].what = "a made-up token";
	dead[0].h1 = "Authorization: Bearer " BAD_TOKEN;
	dead[1].what = "an expired session token";
	dead[1].h1 = expired;
	dead[2].what = "another scheme";
	dead[2].h1 = it_strf("Authorization: Basic %s", adm.token);
	dead[3].what = "an empty bearer token";
	dead[3].h1 = "Authorization: Bearer ";

	for (i = 0; i < NELEM(admin_routes); i++) {
		rt = &admin_routes[i];
		path = route_path(rt, c, key, victim.name);
		if (rt->who == ANYONE) {
			/* Logging in needs no credentials: judged on its
			 * body. */
			r = route_req(rt, path, c, NULL, NULL);
			CHECK_ERROR(r, 422, "validation_failed");
			continue;
		}
		r = route_req(rt, path, c, NULL, NULL);
		if (!CHECK_ERROR(r, 401, "unauthorized"))
			it_note("%s %s without credentials", rt->method, path);
		IT_CHECKF(it_header(r, "WWW-Authenticate") != NULL,
		    "%s %s: 401 with WWW-Authenticate", rt->method, path);
		for (k = 0; k < NELEM(dead); k++) {
			r = route_req(rt, path, c, dead[k].h1, NULL);
			if (!CHECK_ERROR(r, 401, "unauthorized"))
				it_note("%s %s with %s", rt->method, path,
				    dead[k].what);
		}
		if (strcmp(rt->method, "GET") != 0) {
			r = route_req(rt, path, c, cookie, NULL);
			if (!CHECK_ERROR(r, 403, "csrf_failed"))
				it_note("%s %s with a cookie, no CSRF header",
				    rt->method, path);
			r = route_req(rt, path, c, cookie,
			    it_strf("X-CSRF-Token: %s", ms.csrf));
			if (!CHECK_ERROR(r, 403, "csrf_failed"))
				it_note("%s %s with another session's CSRF "
				    "token", rt->method, path);
		} else if (strcmp(rt->pattern, API "/events") != 0) {
			r = route_req(rt, path, c, cookie, NULL);
			IT_CHECK_STATUS(r, 200);
			cc = it_header(r, "Cache-Control");
			IT_CHECKF(cc != NULL && strcmp(cc, "no-store") == 0,
			    "GET %s: Cache-Control: no-store, not %s", path,
			    cc != NULL ? cc : "(none)");
		}
		if (rt->who == ADMIN) {
			r = route_req(rt, path, c, it_bearer(mod.token), NULL);
			if (!CHECK_ERROR(r, 403, "forbidden"))
				it_note("%s %s with a moderator's token",
				    rt->method, path);
			r = route_req(rt, path, c, mcookie, mcsrf);
			if (!CHECK_ERROR(r, 403, "forbidden"))
				it_note("%s %s with a moderator's session",
				    rt->method, path);
		}
	}

	/* None of it did anything. */
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comments WHERE id = "
	    "$1::bigint AND status = 'pending' AND moderated_by IS NULL AND "
	    "body = 'تعليق للمصفوفة'", it_strf("%lld", c), (char *)NULL), 1);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM moderation_events "
	    "WHERE comment_id = $1::bigint", it_strf("%lld", c),
	    (char *)NULL), 0);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM articles WHERE key = $1 "
	    "AND title IS NULL AND mode = 'premoderated'", key, (char *)NULL),
	    1);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM moderators WHERE name = "
	    "$1 AND role = 'moderator' AND NOT disabled", victim.name,
	    (char *)NULL), 1);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM moderators WHERE name = "
	    "$1", it_strf("forged-%s", run_id), (char *)NULL), 0);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM words WHERE word = $1",
	    it_strf("forged %s", run_id), (char *)NULL), 0);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM bans WHERE value = "
	    "'forged.example'", (char *)NULL), 0);
	IT_CHECK(login_ok(NULL, NULL, victim.name, &xs));
	/* The sessions that were refused a logout are still alive. */
	r = it_http("GET", API "/session", (const char *[]){ cookie, NULL },
	    NULL, 0);
	IT_CHECK_STATUS(r, 200);
	r = it_http("GET", API "/session", (const char *[]){ mcookie, NULL },
	    NULL, 0);
	IT_CHECK_STATUS(r, 200);
}

/* -- 6. Cache-Control and the cookie against their settings ---------- */

/*
 * Public reads at base carry exactly the documented Cache-Control for
 * these settings (200s and 304s; pages, fragments and counts), while a
 * submission's and a reader's own comment's answers are no-store.
 */
static void
check_public_caching(const char *base, const char *want, const char *tag)
{
	const char	*key = new_key(tag), *etag, *list, *token;
	const char	*paths[3];
	struct it_resp	*r;
	long long	 id;
	size_t		 i;

	id = published(base, key, "تعليق منشور للتخزين");
	IT_REQUIRE(id > 0);
	list = it_list_path(key);
	paths[0] = list;
	paths[1] = it_strf("%s.html", list);
	paths[2] = it_strf("/api/v1/counts?article=%s", it_pct(key));
	for (i = 0; i < NELEM(paths); i++) {
		r = it_http_at(base, "GET", paths[i], NULL, NULL, 0);
		IT_CHECK_STATUS(r, 200);
		IT_CHECK_STR(it_header(r, "Cache-Control"), want);
		etag = it_header(r, "ETag");
		IT_REQUIRE(etag != NULL);
		r = it_http_at(base, "GET", paths[i], (const char *[]){
		    it_strf("If-None-Match: %s", etag), NULL }, NULL, 0);
		IT_CHECK_STATUS(r, 304);
		IT_CHECK_STR(it_header(r, "Cache-Control"), want);
	}
	r = it_http_at(base, "POST", list, (const char *[]){ JSON_CT, NULL },
	    "{\"author\": \"قارئ\", \"body\": \"ينتظر\"}", (size_t)-1);
	IT_REQUIRE_STATUS(r, 202);
	IT_CHECK_STR(it_header(r, "Cache-Control"), "no-store");
	token = it_jstr(r->json, "submitter_token");
	IT_REQUIRE(token != NULL);
	r = it_http_at(base, "GET", it_strf("/api/v1/comments/%lld",
	    it_jint(r->json, "comment.id", -1)), (const char *[]){
	    it_strf("X-Submitter-Token: %s", token), NULL }, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_STR(it_header(r, "Cache-Control"), "no-store");
}

/* The session cookie of a login at base, and of its logout. */
static void
check_cookie(const char *base, bool secure)
{
	struct session	 s;
	struct it_resp	*r;
	const char	*v;
	size_t		 i;
	bool		 cleared = false;

	IT_REQUIRE(login_ok(base, NULL, adm.name, &s));
	IT_CHECK_STR(s.cache_control, "no-store");
	/* Secure: the __Host- prefix, and only that name is read. */
	IT_CHECKF(strncmp(s.cookie, secure ? "__Host-commentd_session=" :
	    "commentd_session=", secure ? 24 : 17) == 0, "the cookie's "
	    "name, Secure %s: %s", secure ? "set" : "not set", s.cookie);
	IT_CHECKF(strcasestr(s.attrs, "Domain") == NULL, "no Domain: %s",
	    s.attrs);
	r = it_http_at(base, "GET", API "/session", (const char *[]){
	    it_strf("Cookie: %s", s.cookie), NULL }, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	r = it_http_at(base, "GET", API "/session", (const char *[]){
	    it_strf("Cookie: %s=%s", secure ? "commentd_session" :
	    "__Host-commentd_session", s.cookie_value), NULL }, NULL, 0);
	CHECK_ERROR(r, 401, "unauthorized");
	IT_CHECKF(it_has_attr(s.attrs, "HttpOnly"), "HttpOnly: %s", s.attrs);
	IT_CHECKF(it_has_attr(s.attrs, "SameSite=Strict"), "SameSite=Strict: "
	    "%s", s.attrs);
	IT_CHECKF(it_has_attr(s.attrs, "Path=/"), "Path=/: %s", s.attrs);
	IT_CHECKF(it_has_attr(s.attrs, "Secure") == secure, "Secure %s: %s",
	    secure ? "set" : "not set", s.attrs);
	r = it_http_at(base, "DELETE", API "/session", (const char *[]){
	    it_bearer(s.token), NULL }, NULL, 0);
	IT_CHECK_STATUS(r, 204);
	for (i = 0; (v = it_header_n(r, "Set-Cookie", i)) != NULL; i++) {
		if (strncmp(v, secure ? "__Host-commentd_session=;" :
		    "commentd_session=;", secure ? 25 : 18) != 0)
			continue;
		v = strchr(v, ';');
		cleared = true;
		IT_CHECKF(it_has_attr(v, "Max-Age=0"), "cleared: %s", v);
		IT_CHECKF(it_has_attr(v, "Path=/"), "cleared: %s", v);
		IT_CHECKF(it_has_attr(v, "Secure") == secure, "the "
		    "cleared cookie's Secure %s: %s", secure ? "set" :
		    "not set", v);
	}
	IT_CHECKF(cleared, "the logout clears the cookie");
}

/*
 * COMMENTD_HTTP_MAX_AGE_S and COMMENTD_HTTP_SWR_S as public reads'
 * Cache-Control (distinctive numbers, then max-age=0), and
 * COMMENTD_COOKIE_SECURE as the cookie's Secure, on two servers of our
 * own; the live stream is never stored either.
 */
static void
test_cache_control(void)
{
	const char		*base, *base0, *cc;
	struct it_proc		*p, *p0;
	struct it_stream	*st;
	struct it_req		 req;

	IT_REQUIRE(account(&adm));
	/* Logins from 127.0.0.1 share its count with every test program
	 * (failures included): not this test's limit to judge. */
	p = it_server(&base, "1", "COMMENTD_HTTP_MAX_AGE_S=17",
	    "COMMENTD_HTTP_SWR_S=43", "COMMENTD_COOKIE_SECURE=true",
	    "COMMENTD_LOGIN_MAX_FAILURES_IP=100000", (char *)NULL);
	p0 = it_server(&base0, "1", "COMMENTD_HTTP_MAX_AGE_S=0",
	    "COMMENTD_HTTP_SWR_S=7", "COMMENTD_COOKIE_SECURE=false",
	    "COMMENTD_LOGIN_MAX_FAILURES_IP=100000", (char *)NULL);
	IT_REQUIRE(p != NULL && p0 != NULL);

	check_public_caching(base, "public, max-age=17, "
	    "stale-while-revalidate=43", "cc17");
	check_public_caching(base0, "public, max-age=0, "
	    "stale-while-revalidate=7", "cc0");
	check_cookie(base, true);
	check_cookie(base0, false);

	memset(&req, 0, sizeof req);
	req.method = "GET";
	req.path = API "/events";
	req.base = base;
	req.headers = (const char *[]){ it_bearer(adm.token), NULL };
	req.timeout_ms = 5000;
	st = it_stream_open(&req);
	IT_REQUIRE(st != NULL);
	IT_CHECK_INT(it_stream_status(st, 5000), 200);
	cc = it_stream_header(st, "Cache-Control");
	IT_CHECKF(cc != NULL && strstr(cc, "no-store") != NULL,
	    "the live stream: Cache-Control %s", cc != NULL ? cc : "(none)");
	it_stream_close(st);
}

/* -- 7. every web file ----------------------------------------------------- */

/*
 * Each web file of the Makefile's WEB_SRC and WEB_BUILT at the path
 * assets.c serves it at (admin/ at /admin/, embed/ and demo/ at /, an
 * index.html at its folder's path, with and without the slash): 200,
 * the type of its extension, nosniff, the caching of its folder, a CSP
 * on pages only, and the file's own bytes.
 */
static void
test_web_files(void)
{
	static const struct {
		const char	*dir;
		const char	*cache_control;
	} folders[] = {
		{ "admin/", "no-cache" },
		{ "embed/", "public, max-age=300, "
		    "stale-while-revalidate=86400" },
		{ "demo/", "no-cache" },
	};
	static const struct {
		const char	*ext;
		const char	*type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
	};
	const char	*names[128], *name, *type, *cc, *urls[2], *file;
	struct it_resp	*r;
	size_t		 n = 0, nsrc, i, f, t, u, nurls, flen, len;
	char		*data;

	IT_REQUIRE(it_make_words("WEB_SRC", names, &n, NELEM(names)));
	nsrc = n;
	IT_REQUIRE(it_make_words("WEB_BUILT", names, &n, NELEM(names)));
	IT_REQUIREF(nsrc >= 1 && n > nsrc && n < NELEM(names), "WEB_SRC "
	    "and WEB_BUILT name %zu and %zu files", nsrc, n - nsrc);
	it_note("%zu web files", n);
	for (i = 0; i < n; i++) {
		name = names[i];
		for (f = 0; f < NELEM(folders); f++) {
			if (strncmp(name, folders[f].dir,
			    strlen(folders[f].dir)) == 0)
				break;
		}
		type = NULL;
		for (t = 0; t < NELEM(types) && type == NULL; t++) {
			len = strlen(types[t].ext);
			if (strlen(name) > len && strcmp(name + strlen(name) -
			    len, types[t].ext) == 0)
				type = types[t].type;
		}
		if (!IT_CHECKF(f < NELEM(folders) && type != NULL, "%s: a "
		    "folder and an extension assets.c serves", name))
			continue;
		urls[0] = it_web_url(name);
		nurls = 1;
		len = strlen(urls[0]);
		/* A folder's index.html: with and without the slash. */
		if (len > 1 && urls[0][len - 1] == '/')
			urls[nurls++] = it_strf("%.*s", (int)(len - 1),
			    urls[0]);
		file = i < nsrc ? it_strf("web/%s", name) :
		    it_strf("%s/gen/web/%s", build_dir, name);
		data = it_slurp(file, &flen);
		IT_CHECKF(data != NULL, "%s is readable", file);
		for (u = 0; u < nurls; u++) {
			r = it_http("GET", urls[u], NULL, NULL, 0);
			if (!IT_CHECKF(r->status == 200, "GET %s (%s): %ld",
			    urls[u], name, r->status))
				continue;
			IT_CHECKF(it_header(r, "Content-Type") != NULL &&
			    strcmp(it_header(r, "Content-Type"), type) == 0,
			    "%s: Content-Type %s, want %s", urls[u],
			    it_header(r, "Content-Type"), type);
			IT_CHECK_STR(it_header(r, "X-Content-Type-Options"),
			    "nosniff");
			cc = it_header(r, "Cache-Control");
			IT_CHECKF(cc != NULL && strcmp(cc,
			    folders[f].cache_control) == 0, "%s: "
			    "Cache-Control %s, want %s", urls[u], cc,
			    folders[f].cache_control);
			IT_CHECKF((it_header(r, "Content-Security-Policy") !=
			    NULL) == (strcmp(type, types[0].type) == 0),
			    "%s: a CSP on pages only", urls[u]);
			IT_CHECKF(data != NULL && r->body_len == flen &&
			    memcmp(r->body, data, flen) == 0,
			    "%s: the bytes of %s", urls[u], file);
		}
	}
}

static const struct it_test tests[] = {
	{ "forged_forwarded_for", test_forged_forwarded_for },
	{ "trusted_forwarded_for", test_trusted_forwarded_for },
	{ "login_window", test_login_window },
	{ "login_pairs", test_login_pairs },
	{ "login_delay", test_login_delay },
	{ "login_junk_names", test_login_junk_names },
	{ "login_prune", test_login_prune },
	{ "stream_revoked", test_stream_revoked },
	{ "stream_recheck", test_stream_recheck },
	{ "stream_limit", test_stream_limit },
	{ "idempotency_key", test_idempotency_key },
	{ "admin_matrix", test_admin_matrix },
	{ "cache_control", test_cache_control },
	{ "web_files", test_web_files },
};

int
main(int argc, char **argv)
{
	char	 exe[4096], *slash;
	ssize_t	 n;
	int	 i;

	snprintf(run_id, sizeof run_id, "%ld-%ld", (long)getpid(),
	    (long)time(NULL));
	run_a = 1 + (unsigned)getpid() % 254;
	run_b = (unsigned)time(NULL) % 256;
	run_p = (unsigned)getpid() & 0xffff;
	run_t = (unsigned)time(NULL) & 0xffff;
	/* BUILD/itests/test_security: the built web files are in BUILD. */
	if ((n = readlink("/proc/self/exe", build_dir,
	    sizeof build_dir - 1)) > 0) {
		build_dir[n] = '\0';
		for (i = 0; i < 2 && (slash = strrchr(build_dir, '/')) != NULL;
		    i++)
			*slash = '\0';
	} else
		snprintf(build_dir, sizeof build_dir, "build/rel");
	/* The repository root, two folders above BUILD, when not here. */
	snprintf(exe, sizeof exe, "%s/../..", build_dir);
	if (access("src/routes.c", R_OK) != 0 && chdir(exe) != 0)
		perror("test_security: chdir to the repository root");
	return it_main(tests, NELEM(tests), argc, argv);
}
