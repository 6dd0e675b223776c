/*
 * test_admin.c - integration tests of the moderation API against a
 * running commentd and its PostgreSQL database (see README.md,
 * "Moderation API").
 *
 * The harness passes COMMENTD_TEST_URL, COMMENTD_TEST_DB and
 * COMMENTD_TEST_PGDIR as for test_api, and COMMENTD_TEST_BIN, the
 * commentd binary, through which the tests make moderator accounts and
 * API tokens exactly as an operator would.  The server under test runs
 * two workers and allows 5 failed logins per account (50 per address)
 * in 60 s.
 *
 * Every account name and article key carries a per-run suffix, so the
 * suite can run twice against one database.  Accounts are made on first
 * use, so any test case can run alone (name it on the command line).
 */
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

#include "cs.h"
#include "itest.h"

#define API		"/api/v1/admin"
#define PASSWORD	IT_PASSWORD
#define UA		"itest-admin/1.0 (commentd)"

/* How long an event may take to reach a stream: a deadline, generous
 * for a busy machine and longer under the sanitizers. */
#define EVENT_MS	it_limit_ms(10000)
/* Reads measured idle before the logins start, per reader. */
#define IDLE_READS	20
/* Concurrent logins in the responsiveness test. */
#define NLOGINS		8
/* Comments raced on by two moderators. */
#define NRACES		20
/* Paragraph 1 of the seed article: over 140 characters. */
#define LONG_BODY							\
	"أبلغ الزعيم الكوري الشمالي كيم "				\
	"جونج أون الرئيس الروسي "					\
	"فلاديمير بوتين، اليوم "					\
	"الأربعاء، أن بلاده تقدم \"دعمها "				\
	"الكامل وغير المشروط\" لـما وصفه "				\
	"بـ\"الكفاح المقدس\" الذي تخوضه "				\
	"روسيا للدفاع عن مصالحها "					\
	"الأمنية، في إشارة إلى الحرب في "				\
	"أوكرانيا."

/* A logged-in session: the answer of POST /admin/session. */
struct session {
	const char	*token;
	const char	*csrf;
	const char	*cookie;	/* "commentd_session=VALUE" */
	const char	*attrs;		/* the cookie's attributes */
};

/* The ids of the events a test has taken from a stream, in order. */
struct seen {
	long long	 ids[512];
	size_t		 n;
};

/* One admin route with a body that suits it. */
struct route {
	const char	*method;
	const char	*path;
	const char	*body;
};

/* A field the README leaves open: not checked. */
static const char	 ANY[] = "(any)";

static char	 run_id[48];
static const char *bin;

static struct it_account	 adm = { "adm", "admin" };
static struct it_account	 mod = { "mod", "moderator" };
static struct it_account	 acc_exp = { "exp", "moderator" };
static struct it_account	 acc_rev = { "rev", "moderator" };
static struct it_account	 acc_dis = { "dis", "moderator" };
static struct it_account	 acc_thr = { "thr", "moderator" };
static struct it_account	 acc_off = { "off", "admin" };
static struct it_account	 acc_st = { "st", "moderator" };
static struct it_account	 acc_busy = { "busy", "moderator" };
static struct it_account	 acc_busy2 = { "busy2", "moderator" };
static struct it_account	 acc_burst = { "burst", "moderator" };
static struct it_account	 acc_tok = { "tok", "moderator" };
static struct it_account	 acc_tok2 = { "tok2", "moderator" };

static bool	 is_excerpt(const char *, const char *, size_t);
static const char *new_key(const char *);
static const char *jpack(const char *, ...);
static struct it_resp *adm_req(const char *, const char *, const char *,
		    const char *);
static struct it_resp *act(const char *, long long, const char *,
		    const char *);
static long long act_ok_at(const char *, int, const char *, long long,
		    const char *, const char *, const char *);
static struct it_resp *post_comment(const char *, const char *,
		    const char *, const char *, long long);
static long long add_comment_at(const char *, int, const char *,
		    const char *, const char *, const char *, long long);
static long long missing_id(void);
static void	 check_public_at(const char *, int, const char *, long long,
		    bool);
static const json_t *find_id(const json_t *, long long);
static const json_t *last_event_at(const char *, int, long long,
		    const char *, const char *, const char *, const char *,
		    const char *);
static long long events_of(long long);
static const char *status_of(long long);
static bool	 login_at(const char *, int, const char *, const char *,
		    struct session *);
static struct it_stream *open_events(const char *, const char *,
		    const char *);
static const struct it_sse *wait_event_at(const char *, int,
		    struct it_stream *, struct seen *, long long,
		    const char *, const char *);
static void	 check_sse_at(const char *, int, const struct it_sse *,
		    const char *);
static long long sse_id(const struct it_sse *);
static json_t	*queue_page_at(const char *, int, const char *);
static struct it_resp *route_req(const struct route *, const char *,
		    const char *, const char *);
static int	 all_pages(const char *, const char *, long long *, size_t,
		    size_t *);
static void	 check_ids_at(const char *, int, const char *,
		    const long long *, size_t, const long long *, size_t);
static void	 check_search_at(const char *, int, const char *,
		    const char *, long long);
static struct it_resp *stats_at(const char *, int, long long *);
static long long decisions(const struct it_resp *, const char *);
static struct it_proc *second_server(const char **);
static void	*login_main(void *);
static void	*reader_main(void *);

static void	 test_full_path(void);
static void	 test_actions(void);
static void	 test_race(void);
static void	 test_batch(void);
static void	 test_permissions(void);
static void	 test_login(void);
static void	 test_queue(void);
static void	 test_articles(void);
static void	 test_stats(void);
static void	 test_events(void);
static void	 test_keepalive(void);
static void	 test_responsiveness(void);
static void	 test_login_burst(void);
static void	 test_moderators(void);
static void	 test_tokens(void);
static void	 test_reset_revokes(void);
static void	 test_reset_race(void);
static void	 test_personal_data(void);

#define cli(in, out, ...)						\
	it_cli_at(__FILE__, __LINE__, (in), (out), __VA_ARGS__)
#define account(a)	it_account_at(__FILE__, __LINE__, (a), run_id)
#define act_ok(tok, id, action, body, want)				\
	act_ok_at(__FILE__, __LINE__, (tok), (id), (action), (body), (want))
#define add_comment(k, a, e, b, p)					\
	add_comment_at(__FILE__, __LINE__, (k), (a), (e), (b), (p))
#define CHECK_ERROR(r, st, code)					\
	it_check_error_at(__FILE__, __LINE__, (r), (st), (code))
#define check_public(k, id, shown)					\
	check_public_at(__FILE__, __LINE__, (k), (id), (shown))
#define last_event(id, a, from, to, reason, old)			\
	last_event_at(__FILE__, __LINE__, (id), (a), (from), (to),	\
	    (reason), (old))
#define login(n, p, s)	login_at(__FILE__, __LINE__, (n), (p), (s))
#define wait_event(s, seen, id, kind, st)				\
	wait_event_at(__FILE__, __LINE__, (s), (seen), (id), (kind), (st))
#define check_sse(ev, key)	check_sse_at(__FILE__, __LINE__, (ev), (key))
#define queue_page(path)	queue_page_at(__FILE__, __LINE__, (path))

/* -- helpers -------------------------------------------------------------- */

/*
 * e is an excerpt of body: a proper prefix of at most max characters,
 * maybe followed by an ellipsis (U+2026).
 */
static bool
is_excerpt(const char *e, const char *body, size_t max)
{
	size_t	 len = strlen(e), chars = 0, i;

	if (len >= 3 && strcmp(e + len - 3, "\xe2\x80\xa6") == 0)
		len -= 3;
	for (i = 0; i < len; i++) {
		if (((unsigned char)e[i] & 0xc0) != 0x80)
			chars++;
	}
	return len > 0 && len < strlen(body) && chars <= max &&
	    strncmp(e, body, len) == 0;
}

/* An article key no other run or test uses. */
static const char *
new_key(const char *tag)
{
	return it_strf("itadm-%s-%s", run_id, tag);
}

/* json_pack()'s format and arguments, dumped (owned by the test). */
static const char *
jpack(const char *fmt, ...)
{
	va_list	 ap;
	json_t	*o;

	va_start(ap, fmt);
	o = json_vpack_ex(NULL, 0, fmt, ap);
	va_end(ap);
	if (o == NULL)
		abort();
	return it_dump(o);
}

/* An admin request with a bearer token (NULL: none) and a JSON body. */
static struct it_resp *
adm_req(const char *method, const char *path, const char *token,
    const char *body)
{
	const char	*h[3];
	int		 n = 0;

	if (token != NULL)
		h[n++] = it_bearer(token);
	if (body != NULL)
		h[n++] = "Content-Type: application/json";
	h[n] = NULL;
	return it_http(method, path, h, body, (size_t)-1);
}

/* POST /admin/comments/{id}/{action}, body NULL for none. */
static struct it_resp *
act(const char *token, long long id, const char *action, const char *body)
{
	return adm_req("POST", it_strf("%s/comments/%lld/%s", API, id,
	    action), token, body);
}

/*
 * An action that must succeed and leave the comment in status want;
 * returns its event_id, or -1.
 */
static long long
act_ok_at(const char *file, int line, const char *token, long long id,
    const char *action, const char *body, const char *want)
{
	struct it_resp	*r;
	long long	 ev;

	r = act(token, id, action, body);
	if (!it_check_status_at(file, line, r, 200))
		return -1;
	it_check_at(file, line, it_jint(r->json, "comment.id", -1) == id,
	    "%s %lld: comment.id is %lld", action, id,
	    it_jint(r->json, "comment.id", -1));
	it_check_str_at(file, line, "comment.status",
	    it_jstr(r->json, "comment.status"), want);
	ev = it_jint(r->json, "event_id", -1);
	it_check_at(file, line, ev > 0, "%s %lld: event_id is %lld", action,
	    id, ev);
	return ev;
}

/* A public submission (with a User-Agent); email may be NULL. */
static struct it_resp *
post_comment(const char *key, const char *author, const char *email,
    const char *body, long long parent)
{
	const char	*h[] = { "Content-Type: application/json",
			    "User-Agent: " UA, NULL };
	json_t		*o;

	o = json_pack("{s:s, s:s}", "author", author, "body", body);
	if (email != NULL)
		json_object_set_new(o, "email", json_string(email));
	if (parent > 0)
		json_object_set_new(o, "parent_id", json_integer(parent));
	return it_http("POST", it_list_path(key), h, it_dump(o), (size_t)-1);
}

/* A submission that must wait for review (202); its id, or -1. */
static long long
add_comment_at(const char *file, int line, const char *key,
    const char *author, const char *email, const char *body,
    long long parent)
{
	struct it_resp	*r;
	long long	 id;

	r = post_comment(key, author, email, body, parent);
	if (!it_check_status_at(file, line, r, 202))
		return -1;
	id = it_jint(r->json, "comment.id", -1);
	if (!it_check_at(file, line, id > 0, "comment.id in the answer"))
		return -1;
	return id;
}

/* An id no comment has. */
static long long
missing_id(void)
{
	return it_sql_ll("SELECT coalesce(max(id), 0) + 1000000 FROM "
	    "comments", (char *)NULL);
}

/*
 * The article's public list shows comment id (or not) on the very next
 * requests: four, each on a new connection, so both workers answer.
 */
static void
check_public_at(const char *file, int line, const char *key, long long id,
    bool shown)
{
	struct it_resp	*r;
	double		 t0 = it_now();
	int		 i;
	bool		 has;

	for (i = 0; i < 4; i++) {
		r = it_http("GET", it_list_path(key), NULL, NULL, 0);
		if (!it_check_status_at(file, line, r, 200))
			return;
		has = it_tree_has_id(it_jget(r->json, "comments"), id);
		if (it_check_at(file, line, has == shown, "GET %s (request "
		    "%d after the action): comment %lld is %s", r->path, i + 1,
		    id, has ? "shown" : "not shown"))
			continue;
		/* How stale is it?  For the report only. */
		while (it_now() - t0 < 5) {
			it_sleep_ms(50);
			r = it_http("GET", it_list_path(key), NULL, NULL, 0);
			if (it_tree_has_id(it_jget(r->json, "comments"), id) ==
			    shown)
				break;
		}
		it_note("the public list caught up after %.2f s",
		    it_now() - t0);
		return;
	}
}

/* The element of arr whose "id" is id, or NULL. */
static const json_t *
find_id(const json_t *arr, long long id)
{
	const json_t	*c;
	size_t		 i;

	json_array_foreach(arr, i, c) {
		if (it_jint(c, "id", -1) == id)
			return c;
	}
	return NULL;
}

/*
 * The comment's last history event, which must be action from -> to with
 * the reason and old_body given (NULL: JSON null; ANY: not checked).
 * Returns it or NULL.
 */
static const json_t *
last_event_at(const char *file, int line, long long id, const char *action,
    const char *from, const char *to, const char *reason, const char *old)
{
	struct it_resp	*r;
	const json_t	*evs, *ev;
	const char	*names[] = { "action", "from_status", "to_status",
			    "reason", "old_body" };
	const char	*want[5];
	const char	*got;
	size_t		 i;

	want[0] = action;
	want[1] = from;
	want[2] = to;
	want[3] = reason;
	want[4] = old;
	r = adm_req("GET", it_strf("%s/comments/%lld/history", API, id),
	    adm.token, NULL);
	if (!it_check_status_at(file, line, r, 200))
		return NULL;
	evs = it_jget(r->json, "events");
	if (!it_check_at(file, line, json_is_array(evs) &&
	    json_array_size(evs) > 0, "history of %lld has events", id))
		return NULL;
	ev = json_array_get(evs, json_array_size(evs) - 1);
	for (i = 0; i < 5; i++) {
		got = it_jstr(ev, names[i]);
		if (want[i] == ANY)
			continue;
		if (want[i] == NULL)
			it_check_at(file, line, it_jnull(ev, names[i]),
			    "history of %lld: last event's %s is %s, want "
			    "null", id, names[i], got != NULL ? got : "(not "
			    "a string)");
		else
			it_check_at(file, line, got != NULL &&
			    strcmp(got, want[i]) == 0, "history of %lld: "
			    "last event's %s is %s, want %s", id, names[i],
			    got != NULL ? got : "(none)", want[i]);
	}
	it_check_at(file, line, it_jint(ev, "id", -1) > 0 &&
	    it_jstr(ev, "created_at") != NULL && it_jstr(ev, "actor") !=
	    NULL, "history of %lld: the event has id, actor, created_at", id);
	return ev;
}

/* moderation_events rows of a comment. */
static long long
events_of(long long id)
{
	return it_sql_ll("SELECT count(*) FROM moderation_events WHERE "
	    "comment_id = $1", it_strf("%lld", id), (char *)NULL);
}

/* The comment's status in the database (owned by the test), or "". */
static const char *
status_of(long long id)
{
	PGresult	*res;

	res = it_sql("SELECT status FROM comments WHERE id = $1",
	    it_strf("%lld", id), (char *)NULL);
	if (res == NULL || PQntuples(res) != 1)
		return "";
	return it_strf("%s", PQgetvalue(res, 0, 0));
}

/*
 * POST /admin/session, which must answer 200 with a token, a CSRF token
 * and the session cookie.
 */
static bool
login_at(const char *file, int line, const char *name, const char *pw,
    struct session *s)
{
	struct it_resp	*r;
	const char	*v, *semi;
	size_t		 i;

	memset(s, 0, sizeof *s);
	r = adm_req("POST", API "/session", NULL, jpack("{s:s, s:s}",
	    "username", name, "password", pw));
	if (!it_check_status_at(file, line, r, 200))
		return false;
	s->token = it_jstr(r->json, "token");
	s->csrf = it_jstr(r->json, "csrf_token");
	for (i = 0; (v = it_header_n(r, "Set-Cookie", i)) != NULL; i++) {
		if (strncmp(v, "commentd_session=", 17) != 0)
			continue;
		semi = strchr(v, ';');
		s->cookie = semi != NULL ? it_strf("%.*s", (int)(semi - v),
		    v) : it_strf("%s", v);
		s->attrs = semi != NULL ? it_strf("%s", semi) : "";
		break;
	}
	return it_check_at(file, line, s->token != NULL && s->csrf != NULL &&
	    s->cookie != NULL && strlen(s->cookie) > 17, "login of %s: token, "
	    "csrf_token and a commentd_session cookie", name);
}

/*
 * GET /admin/events on base (NULL: the server under test), auth being the
 * whole header line (it_bearer() or "Cookie: ...").
 */
static struct it_stream *
open_events(const char *base, const char *auth, const char *last_id)
{
	struct it_req	 req;
	const char	**h;

	h = it_own(calloc(4, sizeof *h));
	if (h == NULL)
		abort();
	h[0] = auth;
	h[1] = "Accept: text/event-stream";
	if (last_id != NULL)
		h[2] = it_strf("Last-Event-ID: %s", last_id);
	memset(&req, 0, sizeof req);
	req.method = "GET";
	req.base = base;
	req.path = API "/events";
	req.headers = h;
	req.timeout_ms = 180000;
	return it_stream_open(&req);
}

/*
 * Reads the stream until the event of comment id with that kind and
 * status (NULL: any) arrives, at most EVENT_MS; events passed over are
 * noted in seen too.  The event, or NULL (a failed check).
 */
static const struct it_sse *
wait_event_at(const char *file, int line, struct it_stream *s,
    struct seen *seen, long long id, const char *kind, const char *st)
{
	const struct it_sse	*ev;
	const char		*k, *v, *why;
	double			 deadline = it_now() + EVENT_MS / 1000.0;
	long			 left;

	for (;;) {
		left = (long)((deadline - it_now()) * 1000);
		if (left < 0)
			left = 0;
		if ((ev = it_stream_next(s, left)) == NULL)
			break;
		if (seen != NULL && seen->n < CS_NELEM(seen->ids))
			seen->ids[seen->n++] = sse_id(ev);
		k = it_jstr(ev->json, "kind");
		v = it_jstr(ev->json, "status");
		if (it_jint(ev->json, "comment_id", -1) == id &&
		    (kind == NULL || (k != NULL && strcmp(k, kind) == 0)) &&
		    (st == NULL || (v != NULL && strcmp(v, st) == 0)))
			return ev;
	}
	it_stream_ended(s, &why);
	it_check_at(file, line, false, "no event %s/%s of comment %lld "
	    "within %ld ms%s%s", kind != NULL ? kind : "*", st != NULL ? st :
	    "*", id, EVENT_MS, why != NULL ? "; the stream ended: " : "",
	    why != NULL ? why : "");
	return NULL;
}

/* The README's event: "event: comment", id = data.id, the fields. */
static void
check_sse_at(const char *file, int line, const struct it_sse *ev,
    const char *key)
{
	if (ev == NULL)
		return;
	it_check_at(file, line, ev->event != NULL &&
	    strcmp(ev->event, "comment") == 0, "event type is %s, want "
	    "comment", ev->event != NULL ? ev->event : "(none)");
	it_check_at(file, line, ev->json != NULL, "event data is JSON: %s",
	    ev->data);
	it_check_at(file, line, ev->id != NULL && sse_id(ev) > 0 &&
	    it_jint(ev->json, "id", -1) == sse_id(ev), "event id line (%s) "
	    "is data.id (%lld)", ev->id != NULL ? ev->id : "none",
	    it_jint(ev->json, "id", -1));
	it_check_at(file, line, it_jint(ev->json, "article_id", -1) > 0,
	    "event has article_id");
	it_check_str_at(file, line, "event article",
	    it_jstr(ev->json, "article"), key);
}

static long long
sse_id(const struct it_sse *ev)
{
	return ev->id != NULL ? strtoll(ev->id, NULL, 10) : -1;
}

/* GETs a queue page as adm, which must be 200 with a comments array. */
static json_t *
queue_page_at(const char *file, int line, const char *path)
{
	struct it_resp	*r;

	r = adm_req("GET", path, adm.token, NULL);
	if (!it_check_status_at(file, line, r, 200))
		return NULL;
	if (!it_check_at(file, line, json_is_array(it_jget(r->json,
	    "comments")), "GET %s: a comments array", path))
		return NULL;
	return r->json;
}

/* -- 1. submit, queue, approve, public list, history ---------------------- */

static void
test_full_path(void)
{
	const char	*key = new_key("flow"), *email, *path;
	struct it_resp	*r;
	const json_t	*item, *evs, *ev, *e;
	json_t		*page;
	long long	 first, id, event_id;
	size_t		 i;
	int		 approves = 0;

	IT_REQUIRE(account(&adm));
	email = it_strf("reader-%s@example.com", run_id);

	/* An earlier comment of the same reader, approved. */
	first = add_comment(key, "ليلى", email, "تعليق سابق", 0);
	IT_REQUIRE(first > 0);
	r = act(adm.token, first, "approve", NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_STR(it_jstr(r->json, "comment.status"), "approved");

	id = add_comment(key, "ليلى", email, "نص التعليق الجديد", 0);
	IT_REQUIRE(id > 0);
	IT_CHECK_STR(status_of(id), "pending");

	path = it_strf("%s/comments?status=pending&article=%s", API,
	    it_pct(key));
	page = queue_page(path);
	IT_REQUIRE(page != NULL);
	item = find_id(it_jget(page, "comments"), id);
	IT_REQUIREF(item != NULL, "comment %lld is in the pending queue", id);
	IT_CHECKF(find_id(it_jget(page, "comments"), first) == NULL,
	    "the approved comment is not in the pending queue");
	IT_CHECK_STR(it_jstr(item, "status"), "pending");
	IT_CHECK_STR(it_jstr(item, "author"), "ليلى");
	IT_CHECK_STR(it_jstr(item, "body"), "نص التعليق الجديد");
	IT_CHECK_STR(it_jstr(item, "email"), email);
	IT_CHECK_STR(it_jstr(item, "ip"), "127.0.0.1");
	IT_CHECK_STR(it_jstr(item, "user_agent"), UA);
	IT_CHECK_STR(it_jstr(item, "article.key"), key);
	IT_CHECK(it_jstr(item, "created_at") != NULL);
	IT_CHECK(it_jnull(item, "moderated_at"));
	IT_CHECK(it_jnull(item, "moderated_by"));
	IT_CHECKF(it_jget(item, "parent") == NULL || it_jnull(item, "parent"),
	    "a top-level comment has no parent");
	IT_CHECK(json_is_number(it_jget(item, "spam_score")));
	IT_CHECK(json_is_array(it_jget(item, "spam_flags")));
	IT_CHECK_INT(it_jint(item, "author_history.approved", -1), 1);
	IT_CHECK_INT(it_jint(item, "author_history.rejected", -1), 0);
	IT_CHECK_INT(it_jint(item, "author_history.spam", -1), 0);
	IT_CHECK(json_object_get(item, "submitter_token_hash") == NULL);
	IT_CHECK(json_object_get(item, "idempotency_key") == NULL);

	r = adm_req("GET", it_strf("%s/comments/%lld", API, id), adm.token,
	    NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(it_jint(r->json, "comment.id", -1), id);
	IT_CHECK_STR(it_jstr(r->json, "comment.email"), email);
	IT_CHECK_STR(it_jstr(r->json, "comment.status"), "pending");
	IT_CHECK_STR(it_jstr(r->json, "comment.article.key"), key);
	IT_CHECK_INT(it_jint(r->json, "comment.author_history.approved", -1),
	    1);

	/* Not public yet. */
	r = it_http("GET", it_list_path(key), NULL, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK(!it_tree_has_id(it_jget(r->json, "comments"), id));

	r = act(adm.token, id, "approve", "{\"from\": \"pending\"}");
	IT_REQUIRE_STATUS(r, 200);
	IT_CHECK(it_is_json_type(r));
	IT_CHECK_INT(it_jint(r->json, "comment.id", -1), id);
	IT_CHECK_STR(it_jstr(r->json, "comment.status"), "approved");
	IT_CHECK_STR(it_jstr(r->json, "comment.moderated_by"), adm.name);
	IT_CHECK(it_jstr(r->json, "comment.moderated_at") != NULL);
	IT_CHECK(it_jget(r->json, "comment.article") != NULL);
	event_id = it_jint(r->json, "event_id", -1);
	IT_CHECK(event_id > 0);

	check_public(key, id, true);

	r = adm_req("GET", it_strf("%s/comments/%lld/history", API, id),
	    adm.token, NULL);
	IT_REQUIRE_STATUS(r, 200);
	evs = it_jget(r->json, "events");
	IT_REQUIRE(json_is_array(evs) && json_array_size(evs) > 0);
	json_array_foreach(evs, i, e) {
		if (it_jstr(e, "action") != NULL &&
		    strcmp(it_jstr(e, "action"), "approve") == 0)
			approves++;
	}
	IT_CHECK_INT(approves, 1);
	ev = last_event(id, "approve", "pending", "approved", NULL, NULL);
	if (ev != NULL) {
		IT_CHECK_INT(it_jint(ev, "id", -1), event_id);
		IT_CHECK_STR(it_jstr(ev, "actor"), adm.name);
	}

	/* What the database holds. */
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comments WHERE id = $1 "
	    "AND status = 'approved' AND moderated_by = $2 AND moderated_at "
	    "IS NOT NULL", it_strf("%lld", id), adm.name, (char *)NULL), 1);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM moderation_events WHERE "
	    "id = $1 AND comment_id = $2 AND actor = $3 AND action = "
	    "'approve' AND from_status = 'pending' AND to_status = "
	    "'approved'", it_strf("%lld", event_id), it_strf("%lld", id),
	    adm.name, (char *)NULL), 1);
}

/* -- 2. every action, its history, and the rules of moves ----------------- */

static void
test_actions(void)
{
	const char	*key = new_key("actions"), *why = "خارج الموضوع";
	const char	*edited = "نص مصحح جديد", *excerpt;
	struct it_resp	*r;
	long long	 c[7], parent, reply, none, n;
	double		 t0;
	int		 i;

	IT_REQUIRE(account(&adm));
	for (i = 0; i < 7; i++) {
		c[i] = add_comment(key, "قارئ", NULL, it_strf("تعليق رقم %d",
		    i), 0);
		IT_REQUIRE(c[i] > 0);
	}

	/* reject with a reason, spam, delete */
	act_ok(adm.token, c[0], "reject", jpack("{s:s}", "reason", why),
	    "rejected");
	last_event(c[0], "reject", "pending", "rejected", why, NULL);
	IT_CHECK_STR(status_of(c[0]), "rejected");
	act_ok(adm.token, c[1], "spam", "{}", "spam");
	last_event(c[1], "spam", "pending", "spam", NULL, NULL);
	IT_CHECK_STR(status_of(c[1]), "spam");
	act_ok(adm.token, c[2], "delete", "{\"from\": \"pending\"}",
	    "deleted");
	last_event(c[2], "delete", "pending", "deleted", NULL, NULL);
	IT_CHECK_STR(status_of(c[2]), "deleted");

	/* restore: back to the queue, from any moderated status */
	act_ok(adm.token, c[0], "restore", NULL, "pending");
	last_event(c[0], "restore", "rejected", "pending", NULL, NULL);
	IT_CHECK_STR(status_of(c[0]), "pending");
	act_ok(adm.token, c[2], "restore", "{\"from\": \"deleted\"}",
	    "pending");
	last_event(c[2], "restore", "deleted", "pending", NULL, NULL);

	/* restoring a pending comment: nothing to undo */
	n = events_of(c[0]);
	r = act(adm.token, c[0], "restore", "{}");
	CHECK_ERROR(r, 409, "conflict");
	IT_CHECK_STR(it_jstr(r->json, "error.current.status"), "pending");
	IT_CHECK_INT(events_of(c[0]), n);

	/* edit: the body changes, the old one is in the event */
	r = adm_req("PATCH", it_strf("%s/comments/%lld", API, c[3]),
	    adm.token, jpack("{s:s, s:s}", "body", "  نص مصحح\tجديد  ",
	    "reason", "إملاء"));
	IT_CHECK_STATUS(r, 200);
	r = adm_req("GET", it_strf("%s/comments/%lld", API, c[3]), adm.token,
	    NULL);
	IT_CHECK_STR(it_jstr(r->json, "comment.body"), edited);
	IT_CHECK_STR(it_jstr(r->json, "comment.status"), "pending");
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comments WHERE id = $1 "
	    "AND body = $2", it_strf("%lld", c[3]), edited, (char *)NULL), 1);
	last_event(c[3], "edit", ANY, ANY, "إملاء", "تعليق رقم 3");
	n = events_of(c[3]);
	r = adm_req("PATCH", it_strf("%s/comments/%lld", API, c[3]),
	    adm.token, "{\"body\": \"  \"}");
	CHECK_ERROR(r, 422, "validation_failed");
	IT_CHECKF(it_jget(r->json, "error.fields.body") != NULL,
	    "fields.body names the empty body");
	IT_CHECK_INT(events_of(c[3]), n);

	/* unpublish: reject from approved, gone from the page at once */
	act_ok(adm.token, c[4], "approve", NULL, "approved");
	check_public(key, c[4], true);
	act_ok(adm.token, c[4], "reject", jpack("{s:s, s:s}", "from",
	    "approved", "reason", "تراجع"), "rejected");
	last_event(c[4], "reject", "approved", "rejected", "تراجع", NULL);
	check_public(key, c[4], false);

	/* an edit of a published comment shows on the page */
	act_ok(adm.token, c[5], "approve", NULL, "approved");
	r = adm_req("PATCH", it_strf("%s/comments/%lld", API, c[5]),
	    adm.token, "{\"body\": \"published, then edited\"}");
	IT_CHECK_STATUS(r, 200);
	t0 = it_now();
	do {
		r = it_http("GET", it_list_path(key), NULL, NULL, 0);
		if (r->body != NULL && strstr(r->body,
		    "published, then edited") != NULL)
			break;
		it_sleep_ms(50);
	} while (it_now() - t0 < 10 * it_time_factor());
	IT_CHECKF(r->body != NULL && strstr(r->body, "published, then edited")
	    != NULL, "the public list shows the edited body within %.0f s",
	    10 * it_time_factor());
	if (it_now() - t0 > 0.2)
		it_note("the edit took %.2f s to show", it_now() - t0);
	last_event(c[5], "edit", ANY, ANY, NULL, "تعليق رقم 5");

	/* moves the README does not allow: 422, nothing changes */
	n = events_of(c[4]);
	r = act(adm.token, c[4], "approve", "{\"from\": \"rejected\"}");
	CHECK_ERROR(r, 422, "invalid_transition");
	IT_CHECK_STR(status_of(c[4]), "rejected");
	r = act(adm.token, c[1], "approve", "{\"from\": \"spam\"}");
	CHECK_ERROR(r, 422, "invalid_transition");
	IT_CHECK_STR(status_of(c[1]), "spam");
	r = act(adm.token, c[4], "spam", "{\"from\": \"rejected\"}");
	CHECK_ERROR(r, 422, "invalid_transition");
	r = act(adm.token, c[6], "restore", "{\"from\": \"pending\"}");
	CHECK_ERROR(r, 422, "invalid_transition");
	IT_CHECK_STR(status_of(c[6]), "pending");
	IT_CHECK_INT(events_of(c[4]), n);
	IT_CHECK_INT(events_of(c[6]), 0);

	/* a valid move from a status the comment is no longer in: 409 */
	r = act(adm.token, c[6], "reject", "{\"from\": \"approved\"}");
	CHECK_ERROR(r, 409, "conflict");
	IT_CHECK_STR(it_jstr(r->json, "error.current.status"), "pending");
	IT_CHECK_STR(status_of(c[6]), "pending");

	/* approving a reply whose parent went back to pending */
	parent = add_comment(key, "قارئ", NULL, LONG_BODY, 0);
	IT_REQUIRE(parent > 0);
	act_ok(adm.token, parent, "approve", NULL, "approved");
	reply = add_comment(key, "Sam", NULL, "رد على التعليق", parent);
	IT_REQUIRE(reply > 0);
	/* The queue shows the parent: id, author, the first 140 chars. */
	r = adm_req("GET", it_strf("%s/comments/%lld", API, reply),
	    adm.token, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(it_jint(r->json, "comment.parent.id", -1), parent);
	IT_CHECK_STR(it_jstr(r->json, "comment.parent.author"), "قارئ");
	excerpt = it_jstr(r->json, "comment.parent.excerpt");
	IT_CHECKF(excerpt != NULL && is_excerpt(excerpt, LONG_BODY, 140),
	    "parent.excerpt is the start of the parent's body, at most 140 "
	    "characters (and an ellipsis): %s", excerpt != NULL ? excerpt :
	    "(none)");
	act_ok(adm.token, parent, "restore", NULL, "pending");
	r = act(adm.token, reply, "approve", NULL);
	CHECK_ERROR(r, 422, "parent_not_approved");
	IT_CHECK_STR(status_of(reply), "pending");
	IT_CHECK_INT(events_of(reply), 0);
	act_ok(adm.token, parent, "approve", NULL, "approved");
	act_ok(adm.token, reply, "approve", NULL, "approved");
	check_public(key, reply, true);

	/* unknown comment, unknown action */
	none = missing_id();
	CHECK_ERROR(act(adm.token, none, "approve", NULL), 404, "not_found");
	CHECK_ERROR(adm_req("GET", it_strf("%s/comments/%lld", API, none),
	    adm.token, NULL), 404, "not_found");
	CHECK_ERROR(adm_req("GET", it_strf("%s/comments/%lld/history", API,
	    none), adm.token, NULL), 404, "not_found");
	CHECK_ERROR(adm_req("PATCH", it_strf("%s/comments/%lld", API, none),
	    adm.token, "{\"body\": \"x\"}"), 404, "not_found");
	CHECK_ERROR(act(adm.token, c[6], "publish", NULL), 404, "not_found");
	IT_CHECK_STR(status_of(c[6]), "pending");

	/* one event per action, no more */
	IT_CHECK_INT(events_of(c[0]), 2);
	IT_CHECK_INT(events_of(c[1]), 1);
	IT_CHECK_INT(events_of(c[2]), 2);
	IT_CHECK_INT(events_of(c[3]), 1);
	IT_CHECK_INT(events_of(c[4]), 2);
	IT_CHECK_INT(events_of(c[5]), 2);
	IT_CHECK_INT(events_of(parent), 3);
	IT_CHECK_INT(events_of(reply), 1);
}

/* -- 3. two moderators, one comment --------------------------------------- */

static void
test_race(void)
{
	const char	*key = new_key("race"), *who[2], *st[2];
	const char	*actions[2] = { "approve", "reject" };
	struct it_req	 reqs[2];
	struct it_resp	 resps[2];
	const char	*hdrs[2][3];
	struct it_account	*acc[2];
	long long	 ids[NRACES];
	int		 i, j, k, started, win, wins[2] = { 0, 0 };

	IT_REQUIRE(account(&adm) && account(&mod));
	for (i = 0; i < NRACES; i++) {
		ids[i] = add_comment(key, "قارئ", NULL, it_strf("سباق %d", i),
		    0);
		IT_REQUIRE(ids[i] > 0);
	}
	for (i = 0; i < NRACES; i++) {
		/* Each moderator takes each side in turn. */
		acc[0] = i % 2 == 0 ? &adm : &mod;
		acc[1] = i % 2 == 0 ? &mod : &adm;
		memset(reqs, 0, sizeof reqs);
		memset(resps, 0, sizeof resps);
		memset(hdrs, 0, sizeof hdrs);
		for (j = 0; j < 2; j++) {
			hdrs[j][0] = it_bearer(acc[j]->token);
			hdrs[j][1] = "Content-Type: application/json";
			reqs[j].method = "POST";
			reqs[j].path = it_strf("%s/comments/%lld/%s", API,
			    ids[i], actions[j]);
			reqs[j].headers = hdrs[j];
			reqs[j].body = "{\"from\": \"pending\"}";
			reqs[j].body_len = strlen(reqs[j].body);
		}
		started = it_do_all(reqs, resps, 2);
		if (!IT_CHECK_INT(started, 2))
			goto next;

		win = -1;
		for (j = 0; j < 2; j++) {
			if (resps[j].status == 200)
				win = win == -1 ? j : 2;
		}
		if (!IT_CHECKF(win == 0 || win == 1, "comment %lld: statuses "
		    "%ld (%s by %s) and %ld (%s by %s), want one 200 and "
		    "one 409", ids[i], resps[0].status, actions[0],
		    acc[0]->name, resps[1].status, actions[1],
		    acc[1]->name))
			goto next;
		k = 1 - win;
		wins[win]++;
		st[0] = "approved";
		st[1] = "rejected";
		who[0] = acc[0]->name;
		who[1] = acc[1]->name;
		IT_CHECK_STR(it_jstr(resps[win].json, "comment.status"),
		    st[win]);
		IT_CHECK_STATUS(&resps[k], 409);
		IT_CHECK_STR(it_jstr(resps[k].json, "error.code"),
		    "conflict");
		IT_CHECK_STR(it_jstr(resps[k].json,
		    "error.current.status"), st[win]);
		IT_CHECK_STR(it_jstr(resps[k].json,
		    "error.current.moderated_by"), who[win]);
		IT_CHECK(it_jstr(resps[k].json,
		    "error.current.moderated_at") != NULL);
		IT_CHECK_STR(status_of(ids[i]), st[win]);
		IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comments WHERE "
		    "id = $1 AND moderated_by = $2", it_strf("%lld", ids[i]),
		    who[win], (char *)NULL), 1);
next:
		IT_CHECKF(it_sql_ll("SELECT count(*) FROM moderation_events "
		    "WHERE comment_id = $1 AND action IN ('approve', "
		    "'reject')", it_strf("%lld", ids[i]), (char *)NULL) == 1,
		    "comment %lld has exactly one approve/reject event",
		    ids[i]);
		for (j = 0; j < 2; j++)
			it_resp_clear(&resps[j]);
	}
	it_note("approve won %d times, reject %d times", wins[0], wins[1]);
}

/* -- 4. batch ------------------------------------------------------------- */

static void
test_batch(void)
{
	const char	*key = new_key("batch"), *ids;
	struct it_resp	*r;
	const json_t	*res, *o;
	PGresult	*pg;
	long long	 p[3], a, none, q[2], order[3];
	size_t		 i;
	int		 k;

	IT_REQUIRE(account(&adm));
	for (k = 0; k < 3; k++) {
		p[k] = add_comment(key, "قارئ", NULL, it_strf("دفعة %d", k),
		    0);
		IT_REQUIRE(p[k] > 0);
	}
	a = add_comment(key, "قارئ", NULL, "موافق عليه من قبل", 0);
	IT_REQUIRE(a > 0);
	act_ok(adm.token, a, "approve", NULL, "approved");
	none = missing_id();

	/* Out of order on purpose: applied in id order all the same. */
	ids = it_strf("[%lld, %lld, %lld, %lld, %lld]", p[2], none, a, p[0],
	    p[1]);
	r = adm_req("POST", API "/comments/batch", adm.token,
	    it_strf("{\"ids\": %s, \"action\": \"approve\"}", ids));
	IT_REQUIRE_STATUS(r, 200);
	res = it_jget(r->json, "results");
	IT_REQUIRE(json_is_array(res));
	IT_CHECK_INT(json_array_size(res), 5);
	for (k = 0; k < 3; k++) {
		o = find_id(res, p[k]);
		IT_CHECKF(o != NULL, "a result for %lld", p[k]);
		IT_CHECK(json_is_true(json_object_get(o, "ok")));
		IT_CHECK_STR(it_jstr(o, "status"), "approved");
		IT_CHECK_STR(status_of(p[k]), "approved");
	}
	o = find_id(res, a);
	IT_CHECKF(o != NULL, "a result for the approved %lld", a);
	IT_CHECK(json_is_false(json_object_get(o, "ok")));
	IT_CHECK_STR(it_jstr(o, "error.code"), "conflict");
	IT_CHECK_STR(it_jstr(o, "error.current.status"), "approved");
	IT_CHECK_STR(it_jstr(o, "error.current.moderated_by"), adm.name);
	o = find_id(res, none);
	IT_CHECKF(o != NULL, "a result for the missing %lld", none);
	IT_CHECK(json_is_false(json_object_get(o, "ok")));
	IT_CHECK_STR(it_jstr(o, "error.code"), "not_found");
	IT_CHECK_INT(events_of(a), 1);

	/* Applied in id order: the events follow the ids. */
	pg = it_sql("SELECT comment_id FROM moderation_events WHERE "
	    "comment_id IN ($1, $2, $3) AND action = 'approve' ORDER BY id",
	    it_strf("%lld", p[0]), it_strf("%lld", p[1]),
	    it_strf("%lld", p[2]), (char *)NULL);
	IT_REQUIRE(pg != NULL);
	IT_REQUIRE(IT_CHECK_INT(PQntuples(pg), 3));
	for (k = 0; k < 3; k++)
		order[k] = strtoll(PQgetvalue(pg, k, 0), NULL, 10);
	IT_CHECKF(order[0] < order[1] && order[1] < order[2], "events in "
	    "the order %lld, %lld, %lld, want ascending ids", order[0],
	    order[1], order[2]);
	json_array_foreach(res, i, o) {
		if (i > 0)
			IT_CHECKF(it_jint(o, "id", -1) > it_jint(
			    json_array_get(res, i - 1), "id", -1),
			    "results in id order (README: applied in id "
			    "order)");
	}

	/* A reason goes into every event. */
	for (k = 0; k < 2; k++) {
		q[k] = add_comment(key, "قارئ", NULL, "مزعج", 0);
		IT_REQUIRE(q[k] > 0);
	}
	r = adm_req("POST", API "/comments/batch", adm.token,
	    it_strf("{\"ids\": [%lld, %lld], \"action\": \"reject\", "
	    "\"reason\": \"flood\"}", q[0], q[1]));
	IT_CHECK_STATUS(r, 200);
	for (k = 0; k < 2; k++) {
		IT_CHECK_STR(status_of(q[k]), "rejected");
		last_event(q[k], "reject", "pending", "rejected", "flood",
		    NULL);
	}

	/* 1-200 ids, a known action. */
	r = adm_req("POST", API "/comments/batch", adm.token,
	    "{\"ids\": [], \"action\": \"approve\"}");
	CHECK_ERROR(r, 422, "validation_failed");
	/* Ids no comment has: nothing to harm if they were applied. */
	ids = it_strf("[%lld", none + 1);
	for (k = 2; k <= 201; k++)
		ids = it_strf("%s, %lld", ids, none + k);
	r = adm_req("POST", API "/comments/batch", adm.token,
	    it_strf("{\"ids\": %s], \"action\": \"approve\"}", ids));
	CHECK_ERROR(r, 422, "validation_failed");
	r = adm_req("POST", API "/comments/batch", adm.token,
	    it_strf("{\"ids\": [%lld], \"action\": \"publish\"}", p[0]));
	CHECK_ERROR(r, 422, "validation_failed");
	r = adm_req("POST", API "/comments/batch", adm.token,
	    "{\"ids\": [1, 2");
	CHECK_ERROR(r, 400, "malformed_json");
}

/* -- 5. who may do what ---------------------------------------------------- */

/*
 * A route with up to three extra headers (NULL: none), bounded by 3 s:
 * refusals come at once, even on the event stream.
 */
static struct it_resp *
route_req(const struct route *rt, const char *h1, const char *h2,
    const char *h3)
{
	struct it_req	 req;
	const char	*h[5];
	int		 n = 0;

	if (h1 != NULL)
		h[n++] = h1;
	if (h2 != NULL)
		h[n++] = h2;
	if (h3 != NULL)
		h[n++] = h3;
	if (rt->body != NULL)
		h[n++] = "Content-Type: application/json";
	h[n] = NULL;
	memset(&req, 0, sizeof req);
	req.method = rt->method;
	req.path = rt->path;
	req.headers = h;
	req.body = rt->body;
	req.body_len = rt->body != NULL ? strlen(rt->body) : 0;
	req.timeout_ms = 3000;
	return it_request(&req);
}

static void
test_permissions(void)
{
	const char	*key = new_key("perm"), *cookie, *csrf, *events;
	struct it_account	*gone[3] = { &acc_exp, &acc_rev, &acc_dis };
	struct route	 rt[20], steps[11];
	long		 want[11];
	struct session	 s, s2, sx[4];
	struct it_resp	*r;
	struct it_stream *st;
	PGresult	*res;
	long long	 c, c2, n0;
	size_t		 n = 0, i, j;
	struct {
		const char	*what;
		const char	*h1;
		const char	*h2;
		bool		 get_only;
	}		 creds[9];

	IT_REQUIRE(account(&adm) && account(&mod));
	IT_REQUIRE(account(&acc_exp) && account(&acc_rev) &&
	    account(&acc_dis));
	c = add_comment(key, "قارئ", NULL, "تعليق للصلاحيات", 0);
	c2 = add_comment(key, "قارئ", NULL, "تعليق آخر", 0);
	IT_REQUIRE(c > 0 && c2 > 0);

	/*
	 * Each token works before it is expired, revoked or disabled; so do
	 * sessions of those accounts, and one that will be logged out.
	 */
	for (i = 0; i < 3; i++) {
		r = adm_req("GET", API "/session", gone[i]->token, NULL);
		IT_CHECK_STATUS(r, 200);
		IT_CHECK_STR(it_jstr(r->json, "moderator.name"),
		    gone[i]->name);
		IT_REQUIRE(login(gone[i]->name, PASSWORD, &sx[i]));
	}
	IT_REQUIRE(login(adm.name, PASSWORD, &sx[3]));
	r = adm_req("DELETE", API "/session", sx[3].token, NULL);
	IT_CHECK_STATUS(r, 204);
	res = it_sql("UPDATE auth_tokens SET expires_at = now() - "
	    "interval '1 minute' WHERE moderator_id = (SELECT id FROM "
	    "moderators WHERE name = $1)", acc_exp.name, (char *)NULL);
	IT_REQUIRE(res != NULL);
	IT_CHECKF(atoi(PQcmdTuples(res)) >= 1, "%s has a token to expire",
	    acc_exp.name);
	IT_REQUIRE(cli(NULL, NULL, "token", "revoke", acc_rev.name,
	    (char *)NULL));
	IT_REQUIRE(cli(NULL, NULL, "moderator", "disable", acc_dis.name,
	    (char *)NULL));

	/* Every admin route of the README but the login itself. */
	rt[n++] = (struct route){ "GET", API "/session", NULL };
	rt[n++] = (struct route){ "DELETE", API "/session", NULL };
	rt[n++] = (struct route){ "GET", API "/comments", NULL };
	rt[n++] = (struct route){ "GET", it_strf("%s/comments/%lld", API, c),
	    NULL };
	rt[n++] = (struct route){ "GET", it_strf("%s/comments/%lld/history",
	    API, c), NULL };
	rt[n++] = (struct route){ "PATCH", it_strf("%s/comments/%lld", API,
	    c), "{\"body\": \"not allowed\"}" };
	rt[n++] = (struct route){ "POST", it_strf("%s/comments/%lld/approve",
	    API, c), "{}" };
	rt[n++] = (struct route){ "POST", it_strf("%s/comments/%lld/reject",
	    API, c), "{}" };
	rt[n++] = (struct route){ "POST", it_strf("%s/comments/%lld/spam",
	    API, c), "{}" };
	rt[n++] = (struct route){ "POST", it_strf("%s/comments/%lld/delete",
	    API, c), "{}" };
	rt[n++] = (struct route){ "POST", it_strf("%s/comments/%lld/restore",
	    API, c), "{\"from\": \"rejected\"}" };
	rt[n++] = (struct route){ "POST", API "/comments/batch",
	    it_strf("{\"ids\": [%lld], \"action\": \"approve\"}", c) };
	rt[n++] = (struct route){ "GET", API "/articles", NULL };
	rt[n++] = (struct route){ "GET", it_strf("%s/articles/%s", API,
	    it_pct(key)), NULL };
	rt[n++] = (struct route){ "PUT", it_strf("%s/articles/%s", API,
	    it_pct(key)), "{\"title\": \"not allowed\"}" };
	rt[n++] = (struct route){ "GET", API "/stats", NULL };
	rt[n++] = (struct route){ "GET", API "/events", NULL };
	events = rt[n - 1].path;

	memset(creds, 0, sizeof creds);
	creds[0].what = "no credentials";
	creds[0].h1 = creds[0].h2 = NULL;
	creds[1].what = "an unknown token";
	creds[1].h1 = "Authorization: Bearer "
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	creds[1].h2 = NULL;
	creds[2].what = "an expired token";
	creds[2].h1 = it_bearer(acc_exp.token);
	creds[2].h2 = NULL;
	creds[3].what = "a revoked token";
	creds[3].h1 = it_bearer(acc_rev.token);
	creds[3].h2 = NULL;
	creds[4].what = "a disabled moderator's token";
	creds[4].h1 = it_bearer(acc_dis.token);
	creds[4].h2 = NULL;
	/*
	 * A made-up cookie cannot have the right CSRF token, so for changes
	 * 403 csrf_failed is as right as 401: reads only.
	 */
	creds[5].what = "an unknown session cookie";
	creds[5].h1 = "Cookie: commentd_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	creds[5].h2 = NULL;
	creds[5].get_only = true;
	/* Dead sessions, each with its own right CSRF token. */
	creds[6].what = "an expired session's cookie";
	creds[7].what = "a disabled moderator's session cookie";
	creds[8].what = "a logged-out session's cookie";
	for (i = 6; i < 9; i++) {
		j = i == 6 ? 0 : i == 7 ? 2 : 3;
		creds[i].h1 = it_strf("Cookie: %s", sx[j].cookie);
		creds[i].h2 = it_strf("X-CSRF-Token: %s", sx[j].csrf);
	}
	for (i = 0; i < CS_NELEM(creds); i++) {
		for (j = 0; j < n; j++) {
			if (creds[i].get_only &&
			    strcmp(rt[j].method, "GET") != 0)
				continue;
			r = route_req(&rt[j], creds[i].h1, creds[i].h2, NULL);
			if (!CHECK_ERROR(r, 401, "unauthorized"))
				it_note("that was %s %s with %s", rt[j].method,
				    rt[j].path, creds[i].what);
		}
	}
	/* None of those did anything. */
	IT_CHECK_STR(status_of(c), "pending");
	IT_CHECK_INT(events_of(c), 0);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM articles WHERE key = $1 "
	    "AND title IS NULL", key, (char *)NULL), 1);

	/* Article settings are for admins; the queue for everyone. */
	r = adm_req("PUT", rt[14].path, mod.token, "{\"title\": \"مقال\"}");
	CHECK_ERROR(r, 403, "forbidden");
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM articles WHERE key = $1 "
	    "AND title IS NULL", key, (char *)NULL), 1);
	r = adm_req("PUT", rt[14].path, adm.token, "{\"title\": \"مقال\"}");
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM articles WHERE key = $1 "
	    "AND title = 'مقال'", key, (char *)NULL), 1);
	r = adm_req("GET", API "/comments", mod.token, NULL);
	IT_CHECK_STATUS(r, 200);
	act_ok(mod.token, c2, "approve", NULL, "approved");

	/* A cookie session: reads need no CSRF token... */
	IT_REQUIRE(login(adm.name, PASSWORD, &s));
	IT_REQUIRE(login(adm.name, PASSWORD, &s2));
	IT_REQUIRE(strcmp(s.csrf, s2.csrf) != 0);
	cookie = it_strf("Cookie: %s", s.cookie);
	for (j = 0; j < n; j++) {
		if (strcmp(rt[j].method, "GET") != 0 || rt[j].path == events)
			continue;
		r = route_req(&rt[j], cookie, NULL, NULL);
		IT_CHECK_STATUS(r, 200);
	}
	r = route_req(&rt[0], cookie, NULL, NULL);
	IT_CHECK_STR(it_jstr(r->json, "csrf_token"), s.csrf);
	IT_CHECK_STR(it_jstr(r->json, "moderator.name"), adm.name);
	st = open_events(NULL, cookie, NULL);
	IT_CHECK_INT(it_stream_status(st, EVENT_MS), 200);
	it_stream_close(st);

	/* ... every change does, its own session's. */
	n = 0;
	csrf = it_strf("X-CSRF-Token: %s", s.csrf);
	steps[n] = rt[6];			/* approve */
	want[n++] = 200;
	steps[n] = rt[7];			/* reject */
	steps[n].body = "{\"from\": \"approved\"}";
	want[n++] = 200;
	steps[n] = rt[10];			/* restore */
	want[n++] = 200;
	steps[n] = rt[8];			/* spam */
	want[n++] = 200;
	steps[n] = rt[10];
	steps[n].body = "{}";
	want[n++] = 200;
	steps[n] = rt[9];			/* delete */
	want[n++] = 200;
	steps[n] = rt[10];
	steps[n].body = "{}";
	want[n++] = 200;
	steps[n] = rt[5];			/* edit */
	steps[n].body = "{\"body\": \"edited in a cookie session\"}";
	want[n++] = 200;
	steps[n] = rt[11];			/* batch approve */
	want[n++] = 200;
	steps[n] = rt[14];			/* article settings */
	steps[n].body = "{\"url\": \"https://example.com/perm\"}";
	want[n++] = 200;
	steps[n] = rt[1];			/* log out */
	want[n++] = 204;
	for (i = 0; i < n; i++) {
		n0 = events_of(c);
		r = route_req(&steps[i], cookie, NULL, NULL);
		CHECK_ERROR(r, 403, "csrf_failed");
		r = route_req(&steps[i], cookie, "X-CSRF-Token: wrong", NULL);
		CHECK_ERROR(r, 403, "csrf_failed");
		r = route_req(&steps[i], cookie, it_strf("X-CSRF-Token: %s",
		    s2.csrf), NULL);
		CHECK_ERROR(r, 403, "csrf_failed");
		IT_CHECKF(events_of(c) == n0, "%s %s without the right CSRF "
		    "token changed nothing", steps[i].method, steps[i].path);
		r = route_req(&steps[i], cookie, csrf, NULL);
		IT_CHECK_STATUS(r, want[i]);
	}
	IT_CHECK_INT(events_of(c), 9);
	IT_CHECK_STR(status_of(c), "approved");
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM articles WHERE key = $1 "
	    "AND url = 'https://example.com/perm' AND title = 'مقال'", key,
	    (char *)NULL), 1);

	/* Logged out: the cookie and its token are dead, the other lives. */
	CHECK_ERROR(route_req(&rt[0], cookie, NULL, NULL), 401,
	    "unauthorized");
	CHECK_ERROR(adm_req("GET", API "/session", s.token, NULL), 401,
	    "unauthorized");
	r = route_req(&rt[0], it_strf("Cookie: %s", s2.cookie), NULL, NULL);
	IT_CHECK_STATUS(r, 200);
	r = adm_req("GET", API "/session", s2.token, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_STR(it_jstr(r->json, "moderator.name"), adm.name);
}

/* -- 6. logging in and out ------------------------------------------------ */

static void
test_login(void)
{
	const char	*body, *v, *ra, *tok;
	struct session	 s, s2;
	struct it_resp	*r, *wrong, *unknown, *off;
	long long	 mid;
	size_t		 i;
	bool		 cleared = false;
	int		 k;

	IT_REQUIRE(account(&adm) && account(&acc_thr) && account(&acc_off));
	IT_REQUIRE(login(adm.name, PASSWORD, &s));
	IT_CHECKF(strlen(s.token) >= 32, "token is long: %s", s.token);
	IT_CHECKF(strlen(s.csrf) >= 16, "csrf_token is long: %s", s.csrf);
	IT_CHECKF(it_has_attr(s.attrs, "HttpOnly"), "the cookie is HttpOnly: "
	    "%s", s.attrs);
	IT_CHECKF(it_has_attr(s.attrs, "SameSite=Strict"), "the cookie is "
	    "SameSite=Strict: %s", s.attrs);
	IT_CHECKF(it_has_attr(s.attrs, "Path=/"), "the cookie has Path=/: %s",
	    s.attrs);

	/* The answer itself: moderator, expires_at in 12 h. */
	r = adm_req("POST", API "/session", NULL, jpack("{s:s, s:s}",
	    "username", adm.name, "password", PASSWORD));
	IT_REQUIRE_STATUS(r, 200);
	IT_CHECK(it_is_json_type(r));
	mid = it_sql_ll("SELECT id FROM moderators WHERE name = $1", adm.name,
	    (char *)NULL);
	IT_CHECK_INT(it_jint(r->json, "moderator.id", -1), mid);
	IT_CHECK_STR(it_jstr(r->json, "moderator.name"), adm.name);
	IT_CHECK_STR(it_jstr(r->json, "moderator.role"), "admin");
	v = it_jstr(r->json, "expires_at");
	IT_REQUIREF(v != NULL, "expires_at is a string");
	IT_CHECKF(it_sql_ll("SELECT (abs(extract(epoch FROM $1::timestamptz "
	    "- now()) - 12 * 3600) < 300)::int", v, (char *)NULL) == 1,
	    "expires_at %s is 12 h from now", v);
	/* Stored as a hash only. */
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM auth_tokens WHERE "
	    "position(convert_to($1, 'UTF8') IN token_hash) > 0",
	    it_jstr(r->json, "token"), (char *)NULL), 0);
	IT_CHECKF(it_sql_ll("SELECT count(*) FROM auth_tokens WHERE "
	    "moderator_id = $1 AND kind = 'session' AND revoked_at IS NULL",
	    it_strf("%lld", mid), (char *)NULL) >= 2, "sessions are stored");

	/* Who is logged in: by bearer token and by cookie. */
	r = adm_req("GET", API "/session", s.token, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_STR(it_jstr(r->json, "moderator.name"), adm.name);
	IT_CHECK_STR(it_jstr(r->json, "moderator.role"), "admin");
	r = it_http("GET", API "/session", (const char *[]){
	    it_strf("Cookie: %s", s.cookie), NULL }, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_STR(it_jstr(r->json, "moderator.name"), adm.name);
	IT_CHECK_STR(it_jstr(r->json, "csrf_token"), s.csrf);

	/* Log out with the bearer token: 204, the cookie is cleared. */
	r = adm_req("DELETE", API "/session", s.token, NULL);
	IT_CHECK_STATUS(r, 204);
	IT_CHECK_INT(r->body_len, 0);
	for (i = 0; (v = it_header_n(r, "Set-Cookie", i)) != NULL; i++) {
		if (strncmp(v, "commentd_session=", 17) == 0)
			cleared = v[17] == ';' || v[17] == '\0' ||
			    strcasestr(v, "Max-Age=0") != NULL ||
			    strstr(v, "1970") != NULL;
	}
	IT_CHECKF(cleared, "DELETE /admin/session clears the cookie");
	CHECK_ERROR(adm_req("GET", API "/session", s.token, NULL), 401,
	    "unauthorized");
	r = it_http("GET", API "/session", (const char *[]){
	    it_strf("Cookie: %s", s.cookie), NULL }, NULL, 0);
	CHECK_ERROR(r, 401, "unauthorized");

	/* Log out with the cookie (and its CSRF token). */
	IT_REQUIRE(login(adm.name, PASSWORD, &s2));
	r = it_http("DELETE", API "/session", (const char *[]){
	    it_strf("Cookie: %s", s2.cookie), it_strf("X-CSRF-Token: %s",
	    s2.csrf), NULL }, NULL, 0);
	IT_CHECK_STATUS(r, 204);
	CHECK_ERROR(adm_req("GET", API "/session", s2.token, NULL), 401,
	    "unauthorized");

	/* DELETE with an API token revokes that token, and only it. */
	tok = it_new_token_at(__FILE__, __LINE__, adm.name);
	IT_REQUIRE(tok != NULL);
	r = adm_req("GET", API "/session", tok, NULL);
	IT_CHECK_STATUS(r, 200);
	r = adm_req("DELETE", API "/session", tok, NULL);
	IT_CHECK_STATUS(r, 204);
	CHECK_ERROR(adm_req("GET", API "/session", tok, NULL), 401,
	    "unauthorized");
	r = adm_req("GET", API "/session", adm.token, NULL);
	IT_CHECK_STATUS(r, 200);

	/* Wrong password, unknown name, disabled account: one answer. */
	wrong = adm_req("POST", API "/session", NULL, jpack("{s:s, s:s}",
	    "username", adm.name, "password", "password124"));
	CHECK_ERROR(wrong, 401, "invalid_credentials");
	unknown = adm_req("POST", API "/session", NULL, jpack("{s:s, s:s}",
	    "username", it_strf("nobody-%s", run_id), "password", PASSWORD));
	CHECK_ERROR(unknown, 401, "invalid_credentials");
	IT_CHECK_STR(unknown->body, wrong->body);
	IT_REQUIRE(cli(NULL, NULL, "moderator", "disable", acc_off.name,
	    (char *)NULL));
	off = adm_req("POST", API "/session", NULL, jpack("{s:s, s:s}",
	    "username", acc_off.name, "password", PASSWORD));
	CHECK_ERROR(off, 401, "invalid_credentials");
	IT_CHECK_STR(off->body, wrong->body);
	it_note("wrong password %.3f s, unknown name %.3f s, disabled %.3f s",
	    wrong->elapsed, unknown->elapsed, off->elapsed);

	/* Five failures for one account from one address: then even the
	 * right password from there (test_security: from elsewhere). */
	body = jpack("{s:s, s:s}", "username", acc_thr.name, "password",
	    "not-the-password");
	for (k = 0; k < 5; k++) {
		r = adm_req("POST", API "/session", NULL, body);
		CHECK_ERROR(r, 401, "invalid_credentials");
	}
	r = adm_req("POST", API "/session", NULL, jpack("{s:s, s:s}",
	    "username", acc_thr.name, "password", PASSWORD));
	CHECK_ERROR(r, 429, "too_many_attempts");
	ra = it_header(r, "Retry-After");
	IT_CHECKF(ra != NULL && atoi(ra) >= 1 && atoi(ra) <= 60,
	    "Retry-After is 1..60 s: %s", ra != NULL ? ra : "(none)");
	IT_CHECK(it_jget(r->json, "token") == NULL);
	/* Another account is not held back. */
	IT_CHECK(login(adm.name, PASSWORD, &s));
}

/* -- 7. the queue --------------------------------------------------------- */

/*
 * Follows the pages of path (which has a limit) from cursor (NULL: the
 * first page) to the end, at most 10 pages; their ids in out (at most
 * max; the count in *n).  Returns the number of pages.
 */
static int
all_pages(const char *path, const char *cursor, long long *out, size_t max,
    size_t *n)
{
	const json_t	*arr, *c;
	const char	*url;
	json_t		*page;
	size_t		 i;
	int		 pages;

	*n = 0;
	for (pages = 1; pages <= 10; pages++) {
		url = cursor == NULL ? path : it_strf("%s&before=%s", path,
		    it_pct(cursor));
		if ((page = queue_page(url)) == NULL)
			return pages;
		arr = it_jget(page, "comments");
		json_array_foreach(arr, i, c) {
			if (*n < max)
				out[(*n)++] = it_jint(c, "id", -1);
		}
		if (it_jnull(page, "next") || json_array_size(arr) == 0)
			return pages;
		cursor = it_jstr(page, "next");
		if (!IT_CHECKF(cursor != NULL, "next is a string or null"))
			return pages;
	}
	return pages;
}

/* got[0..n) is exactly want[0..nwant). */
static void
check_ids_at(const char *file, int line, const char *what,
    const long long *got, size_t n, const long long *want, size_t nwant)
{
	size_t	 i;

	if (!it_check_at(file, line, n == nwant, "%s: %zu comments, want %zu",
	    what, n, nwant))
		return;
	for (i = 0; i < n; i++) {
		if (!it_check_at(file, line, got[i] == want[i], "%s: comment "
		    "%zu is %lld, want %lld", what, i, got[i], want[i]))
			return;
	}
}

#define check_ids(what, got, n, want, nwant)				\
	check_ids_at(__FILE__, __LINE__, (what), (got), (n), (want), (nwant))

/* A search of the article's comments must find exactly want (0: none). */
static void
check_search_at(const char *file, int line, const char *key,
    const char *q, long long want)
{
	const json_t	*arr;
	json_t		*page;

	page = queue_page_at(file, line, it_strf("%s/comments?status=all&"
	    "article=%s&q=%s", API, it_pct(key), it_pct(q)));
	if (page == NULL)
		return;
	arr = it_jget(page, "comments");
	if (want == 0)
		it_check_at(file, line, json_array_size(arr) == 0,
		    "q=%s finds %zu comments, want none", q,
		    json_array_size(arr));
	else
		it_check_at(file, line, json_array_size(arr) == 1 &&
		    it_jint(arr, "0.id", -1) == want, "q=%s finds %zu "
		    "comments (first %lld), want only %lld", q,
		    json_array_size(arr), it_jint(arr, "0.id", -1), want);
}

#define check_search(k, q, want)					\
	check_search_at(__FILE__, __LINE__, (k), (q), (want))

static void
test_queue(void)
{
	const char	*key = new_key("queue"), *other = new_key("queue-o");
	const char	*base, *marker = it_strf("marker%s", run_id);
	const char	*bad[] = { "0", "201", "abc", "-1", "5x" };
	const json_t	*arr, *c;
	json_t		*page;
	struct it_resp	*r;
	long long	 ids[12], want[16], got[40], extra, o, a1, a2, a3;
	size_t		 n, i;
	int		 k, pages;

	IT_REQUIRE(account(&adm));
	for (k = 0; k < 12; k++) {
		ids[k] = add_comment(key, "قارئ", NULL, it_strf("في الطابور %d",
		    k), 0);
		IT_REQUIRE(ids[k] > 0);
	}
	o = add_comment(other, "قارئ", NULL, it_strf("مقال آخر %s", marker),
	    0);
	IT_REQUIRE(o > 0);

	/* Pending: oldest first, five a page. */
	base = it_strf("%s/comments?status=pending&article=%s&limit=5", API,
	    it_pct(key));
	page = queue_page(base);
	IT_REQUIRE(page != NULL);
	arr = it_jget(page, "comments");
	n = 0;
	json_array_foreach(arr, i, c) {
		got[n++] = it_jint(c, "id", -1);
		IT_CHECK_STR(it_jstr(c, "status"), "pending");
	}
	check_ids("pending page 1", got, n, ids, 5);
	IT_REQUIRE(n == 5 && it_jstr(page, "next") != NULL);
	/*
	 * Before the next page, a comment of this page leaves the queue and
	 * a new one arrives: keyset pages neither skip nor repeat (OFFSET 5
	 * would now skip ids[5]).
	 */
	act_ok(adm.token, ids[1], "approve", NULL, "approved");
	extra = add_comment(key, "قارئ", NULL, "وصل متأخرا", 0);
	IT_REQUIRE(extra > 0);
	pages = all_pages(base, it_jstr(page, "next"), got + 5,
	    CS_NELEM(got) - 5, &n);
	IT_CHECKF(pages == 2 || pages == 3, "%d more pages, want 2", pages);
	for (k = 0; k < 12; k++)
		want[k] = ids[k];
	want[12] = extra;
	check_ids("pending, all pages", got, n + 5, want, 13);

	/* The default status is pending. */
	page = queue_page(it_strf("%s/comments?article=%s", API,
	    it_pct(key)));
	IT_REQUIRE(page != NULL);
	n = 0;
	json_array_foreach(it_jget(page, "comments"), i, c) {
		if (n < CS_NELEM(got))
			got[n++] = it_jint(c, "id", -1);
	}
	want[0] = ids[0];
	for (k = 2; k < 12; k++)
		want[k - 1] = ids[k];
	want[11] = extra;
	check_ids("default status", got, n, want, 12);

	/* Approved and the others: newest first. */
	act_ok(adm.token, ids[3], "approve", NULL, "approved");
	act_ok(adm.token, ids[6], "approve", NULL, "approved");
	act_ok(adm.token, ids[0], "reject", NULL, "rejected");
	all_pages(it_strf("%s/comments?status=approved&article=%s&limit=2",
	    API, it_pct(key)), NULL, got, CS_NELEM(got), &n);
	want[0] = ids[6];
	want[1] = ids[3];
	want[2] = ids[1];
	check_ids("approved", got, n, want, 3);
	all_pages(it_strf("%s/comments?status=rejected&article=%s&limit=5",
	    API, it_pct(key)), NULL, got, CS_NELEM(got), &n);
	check_ids("rejected", got, n, ids, 1);
	pages = all_pages(it_strf("%s/comments?status=all&article=%s&limit=5",
	    API, it_pct(key)), NULL, got, CS_NELEM(got), &n);
	want[0] = extra;
	for (k = 0; k < 12; k++)
		want[k + 1] = ids[11 - k];
	check_ids("all, newest first", got, n, want, 13);
	IT_CHECKF(pages == 3 || pages == 4, "%d pages of 5, want 3", pages);

	/* The article filter, and no filter. */
	all_pages(it_strf("%s/comments?article=%s&limit=50", API,
	    it_pct(other)), NULL, got, CS_NELEM(got), &n);
	check_ids("the other article", got, n, &o, 1);
	page = queue_page(it_strf("%s/comments?q=%s", API, marker));
	IT_CHECK(page != NULL && find_id(it_jget(page, "comments"), o) !=
	    NULL);

	/* Search: Arabic folding, Latin case, author names. */
	a1 = add_comment(key, "قارئ", NULL, "إِنَّ المَدرسةَ قريبة من البيت",
	    0);
	a2 = add_comment(key, "Reader", NULL, "Hello World", 0);
	a3 = add_comment(key, "سميرة", NULL, "لا علاقة لهذا بذاك", 0);
	IT_REQUIRE(a1 > 0 && a2 > 0 && a3 > 0);
	check_search(key, "ان المدرسه", a1);
	check_search(key, "المدرسة", a1);
	check_search(key, "إِنَّ المَدرسةَ", a1);
	check_search(key, "المـدرسة", a1);
	check_search(key, "hello", a2);
	check_search(key, "HELLO world", a2);
	check_search(key, "سميره", a3);
	check_search(key, "لا يوجد مثل هذا النص", 0);

	/* Parameters: limit 1..200, known statuses, a real cursor. */
	for (i = 0; i < CS_NELEM(bad); i++) {
		r = adm_req("GET", it_strf("%s/comments?limit=%s", API,
		    bad[i]), adm.token, NULL);
		CHECK_ERROR(r, 400, "invalid_parameter");
		IT_CHECKF(it_jget(r->json, "error.fields.limit") != NULL,
		    "limit=%s: fields names limit", bad[i]);
	}
	r = adm_req("GET", API "/comments?limit=200", adm.token, NULL);
	IT_CHECK_STATUS(r, 200);
	r = adm_req("GET", it_strf("%s/comments?status=all&article=%s&limit=1",
	    API, it_pct(key)), adm.token, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(json_array_size(it_jget(r->json, "comments")), 1);
	r = adm_req("GET", API "/comments?status=published", adm.token, NULL);
	CHECK_ERROR(r, 400, "invalid_parameter");
	IT_CHECK(it_jget(r->json, "error.fields.status") != NULL);
	r = adm_req("GET", API "/comments?before=not-a-cursor", adm.token,
	    NULL);
	CHECK_ERROR(r, 400, "invalid_parameter");
}

/* -- 8. articles ---------------------------------------------------------- */

static void
test_articles(void)
{
	const char	*k1 = new_key("art-a"), *k2 = new_key("art-b");
	const char	*k3 = new_key("made-closed"), *p1, *p2, *title, *q;
	const char	*next;
	struct it_resp	*r;
	long long	 c1, c2, pm;
	int		 k;

	IT_REQUIRE(account(&adm));
	title = it_strf("عنوان المقال %s", run_id);
	p1 = it_strf("%s/articles/%s", API, it_pct(k1));
	p2 = it_strf("%s/articles/%s", API, it_pct(k2));

	r = adm_req("PUT", p1, adm.token, jpack("{s:s, s:s, s:s}", "title",
	    title, "url", "https://example.com/news/1", "mode",
	    "premoderated"));
	IT_REQUIRE_STATUS(r, 200);
	r = adm_req("GET", p1, adm.token, NULL);
	IT_REQUIRE_STATUS(r, 200);
	IT_CHECK_STR(it_jstr(r->json, "article.key"), k1);
	IT_CHECK_STR(it_jstr(r->json, "article.title"), title);
	IT_CHECK_STR(it_jstr(r->json, "article.url"),
	    "https://example.com/news/1");
	IT_CHECK_STR(it_jstr(r->json, "article.mode"), "premoderated");
	IT_CHECK(it_jstr(r->json, "article.created_at") != NULL);
	IT_CHECK_INT(it_jint(r->json, "article.pending", -1), 0);
	IT_CHECK_INT(it_jint(r->json, "article.approved", -1), 0);

	r = adm_req("PUT", p2, adm.token, jpack("{s:s}", "title",
	    it_strf("Second %s", run_id)));
	IT_CHECK_STATUS(r, 200);
	r = adm_req("GET", p2, adm.token, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_STR(it_jstr(r->json, "article.mode"), "premoderated");
	IT_CHECK(it_jnull(r->json, "article.url"));

	/* Counts follow the comments. */
	c1 = add_comment(k1, "قارئ", NULL, "ينتظر", 0);
	c2 = add_comment(k1, "قارئ", NULL, "منشور", 0);
	IT_REQUIRE(c1 > 0 && c2 > 0);
	act_ok(adm.token, c2, "approve", NULL, "approved");
	r = adm_req("GET", p1, adm.token, NULL);
	IT_CHECK_INT(it_jint(r->json, "article.pending", -1), 1);
	IT_CHECK_INT(it_jint(r->json, "article.approved", -1), 1);
	r = it_http("GET", it_list_path(k1), NULL, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_STR(it_jstr(r->json, "article.title"), title);
	IT_CHECK_STR(it_jstr(r->json, "article.url"),
	    "https://example.com/news/1");

	/* The list: newest first, q on key and title, pages. */
	q = it_strf("%s-art", run_id);
	r = adm_req("GET", it_strf("%s/articles?q=%s", API, it_pct(q)),
	    adm.token, NULL);
	IT_REQUIRE_STATUS(r, 200);
	IT_CHECK_INT(json_array_size(it_jget(r->json, "articles")), 2);
	IT_CHECK_STR(it_jstr(r->json, "articles.0.key"), k2);
	IT_CHECK_STR(it_jstr(r->json, "articles.1.key"), k1);
	IT_CHECK_INT(it_jint(r->json, "articles.1.pending", -1), 1);
	IT_CHECK_INT(it_jint(r->json, "articles.1.approved", -1), 1);
	IT_CHECK_STR(it_jstr(r->json, "articles.1.mode"), "premoderated");
	IT_CHECK(it_jstr(r->json, "articles.1.created_at") != NULL);
	r = adm_req("GET", it_strf("%s/articles?q=%s", API,
	    it_pct(it_strf("المقال %s", run_id))), adm.token, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(json_array_size(it_jget(r->json, "articles")), 1);
	IT_CHECK_STR(it_jstr(r->json, "articles.0.key"), k1);
	/* The exact title, as typed, matches it. */
	r = adm_req("GET", it_strf("%s/articles?q=%s", API,
	    it_pct(it_strf("Second %s", run_id))), adm.token, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECKF(json_array_size(it_jget(r->json, "articles")) == 1 &&
	    it_jstr(r->json, "articles.0.key") != NULL &&
	    strcmp(it_jstr(r->json, "articles.0.key"), k2) == 0,
	    "q=\"Second %s\" (the title as it is) finds that article",
	    run_id);
	r = adm_req("GET", it_strf("%s/articles?q=%s&limit=1", API,
	    it_pct(q)), adm.token, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(json_array_size(it_jget(r->json, "articles")), 1);
	IT_CHECK_STR(it_jstr(r->json, "articles.0.key"), k2);
	next = it_jstr(r->json, "next");
	IT_REQUIREF(next != NULL, "a full page has a next cursor");
	r = adm_req("GET", it_strf("%s/articles?q=%s&limit=1&before=%s", API,
	    it_pct(q), it_pct(next)), adm.token, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(json_array_size(it_jget(r->json, "articles")), 1);
	IT_CHECK_STR(it_jstr(r->json, "articles.0.key"), k1);

	/* Modes: closed refuses, postmoderated publishes at once. */
	r = adm_req("PUT", p1, adm.token, "{\"mode\": \"closed\"}");
	IT_CHECK_STATUS(r, 200);
	r = adm_req("GET", p1, adm.token, NULL);
	IT_CHECK_STR(it_jstr(r->json, "article.mode"), "closed");
	IT_CHECK_STR(it_jstr(r->json, "article.title"), title);
	for (k = 0; k < 3; k++) {
		r = post_comment(k1, "قارئ", NULL, "مغلق؟", 0);
		CHECK_ERROR(r, 403, "article_closed");
	}
	r = it_http("GET", it_list_path(k1), NULL, NULL, 0);
	IT_CHECK_STR(it_jstr(r->json, "article.mode"), "closed");
	r = adm_req("PUT", p1, adm.token, "{\"mode\": \"postmoderated\"}");
	IT_CHECK_STATUS(r, 200);
	r = post_comment(k1, "قارئ", NULL, "ينشر فورا", 0);
	IT_CHECK_STATUS(r, 201);
	IT_CHECK_STR(it_jstr(r->json, "comment.status"), "approved");
	pm = it_jint(r->json, "comment.id", -1);
	IT_CHECK(pm > 0);
	check_public(k1, pm, true);
	r = adm_req("PUT", p1, adm.token, "{\"mode\": \"premoderated\"}");
	IT_CHECK_STATUS(r, 200);
	r = post_comment(k1, "قارئ", NULL, "ينتظر من جديد", 0);
	IT_CHECK_STATUS(r, 202);

	/* PUT makes an article that never had a comment. */
	r = adm_req("PUT", it_strf("%s/articles/%s", API, it_pct(k3)),
	    adm.token, "{\"mode\": \"closed\"}");
	IT_CHECK_STATUS(r, 200);
	CHECK_ERROR(post_comment(k3, "قارئ", NULL, "أول تعليق", 0), 403,
	    "article_closed");
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM articles WHERE key = $1 "
	    "AND mode = 'closed'", k3, (char *)NULL), 1);

	/* Errors. */
	r = adm_req("PUT", p1, adm.token, "{\"mode\": \"open\"}");
	CHECK_ERROR(r, 422, "validation_failed");
	IT_CHECK(it_jget(r->json, "error.fields.mode") != NULL);
	r = adm_req("PUT", p1, adm.token, "{\"mode\": ");
	CHECK_ERROR(r, 400, "malformed_json");
	CHECK_ERROR(adm_req("GET", it_strf("%s/articles/%s", API,
	    it_pct(new_key("never"))), adm.token, NULL), 404, "not_found");
	CHECK_ERROR(adm_req("GET", API "/articles?limit=0", adm.token, NULL),
	    400, "invalid_parameter");
}

/* -- 9. statistics -------------------------------------------------------- */

static const char *const statuses[5] = {
	"pending", "approved", "rejected", "spam", "deleted"
};

/* GET /admin/stats; counts in n[5], which must match the database. */
static struct it_resp *
stats_at(const char *file, int line, long long *n)
{
	struct it_resp	*r;
	long long	 db;
	int		 i;

	r = adm_req("GET", API "/stats", adm.token, NULL);
	if (!it_check_status_at(file, line, r, 200))
		return r;
	for (i = 0; i < 5; i++) {
		n[i] = it_jint(r->json, it_strf("counts.%s", statuses[i]), -1);
		db = it_sql_ll("SELECT count(*) FROM comments WHERE status = "
		    "$1", statuses[i], (char *)NULL);
		it_check_at(file, line, n[i] == db, "stats: %s is %lld, the "
		    "database has %lld", statuses[i], n[i], db);
	}
	it_check_at(file, line, json_is_object(it_jget(r->json,
	    "decisions_today")), "stats: decisions_today is an object");
	return r;
}

#define stats(n)	stats_at(__FILE__, __LINE__, (n))

/* decisions_today of a moderator (0 when absent). */
static long long
decisions(const struct it_resp *r, const char *name)
{
	json_t	*v;

	v = json_object_get(it_jget(r->json, "decisions_today"), name);
	return v == NULL ? 0 : json_is_integer(v) ? json_integer_value(v) :
	    -1;
}

static void
test_stats(void)
{
	const char	*key = new_key("stats"), *at;
	struct it_resp	*r;
	long long	 s0[5], s1[5], c[3], d_adm;
	json_t		*age;
	int		 i;

	IT_REQUIRE(account(&adm) && account(&acc_st));
	r = stats(s0);
	IT_REQUIRE_STATUS(r, 200);
	IT_CHECK_INT(decisions(r, acc_st.name), 0);

	for (i = 0; i < 3; i++) {
		c[i] = add_comment(key, "قارئ", NULL, "للإحصاء", 0);
		IT_REQUIRE(c[i] > 0);
	}
	r = stats(s1);
	IT_CHECK_INT(s1[0], s0[0] + 3);
	for (i = 1; i < 5; i++)
		IT_CHECK_INT(s1[i], s0[i]);
	at = it_jstr(r->json, "oldest_pending_at");
	IT_REQUIREF(at != NULL, "oldest_pending_at is set while comments "
	    "wait");
	IT_CHECKF(it_sql_ll("SELECT (abs(extract(epoch FROM $1::timestamptz "
	    "- (SELECT min(created_at) FROM comments WHERE status = "
	    "'pending'))) < 1)::int", at, (char *)NULL) == 1,
	    "oldest_pending_at %s is the oldest pending comment's time", at);
	age = it_jget(r->json, "oldest_pending_age_s");
	IT_CHECKF(json_is_number(age) && json_number_value(age) >= 0,
	    "oldest_pending_age_s is a number >= 0");
	if (json_is_number(age))
		IT_CHECKF(it_sql_ll("SELECT (abs(extract(epoch FROM now() - "
		    "$1::timestamptz) - $2::float8) < $3::float8)::int", at,
		    it_strf("%f", json_number_value(age)), it_strf("%f", 5 *
		    it_time_factor()), (char *)NULL) == 1,
		    "oldest_pending_age_s %g agrees with oldest_pending_at",
		    json_number_value(age));

	act_ok(acc_st.token, c[0], "approve", NULL, "approved");
	act_ok(acc_st.token, c[1], "reject", NULL, "rejected");
	act_ok(acc_st.token, c[2], "spam", NULL, "spam");
	r = stats(s1);
	IT_CHECK_INT(s1[0], s0[0]);
	IT_CHECK_INT(s1[1], s0[1] + 1);
	IT_CHECK_INT(s1[2], s0[2] + 1);
	IT_CHECK_INT(s1[3], s0[3] + 1);
	IT_CHECK_INT(s1[4], s0[4]);
	IT_CHECK_INT(decisions(r, acc_st.name), 3);
	d_adm = decisions(r, adm.name);

	act_ok(adm.token, c[0], "delete", "{\"from\": \"approved\"}",
	    "deleted");
	r = stats(s1);
	IT_CHECK_INT(s1[1], s0[1]);
	IT_CHECK_INT(s1[4], s0[4] + 1);
	IT_CHECK_INT(decisions(r, adm.name), d_adm + 1);
	IT_CHECK_INT(decisions(r, acc_st.name), 3);
}

/* -- 10. live events ------------------------------------------------------ */

/* Starts a second server on a free port; its base URL in *base. */
static struct it_proc *
second_server(const char **base)
{
	struct it_proc	*p;

	if ((p = it_server(base, "1", (char *)NULL)) != NULL)
		it_note("a second server serves %s", *base);
	return p;
}

static void
test_events(void)
{
	const char		*key = new_key("sse"), *ct, *base2, *out;
	const struct it_sse	*ev, *e;
	struct it_stream	*s, *s2, *s3;
	struct it_proc		*p;
	struct it_resp		*r;
	struct seen		 seen, seen2, seen3;
	long long		 c, ci, first_id, last_id, d1, n1, prev;
	double			 t0;
	size_t			 i, j, pos_d1 = 0, pos_n1 = 0;
	int			 k, rc;
	bool			 found;

	IT_REQUIRE(account(&adm));
	memset(&seen, 0, sizeof seen);
	memset(&seen2, 0, sizeof seen2);
	memset(&seen3, 0, sizeof seen3);
	s = open_events(NULL, it_bearer(adm.token), NULL);
	IT_REQUIRE(IT_CHECK_INT(it_stream_status(s, EVENT_MS), 200));
	ct = it_stream_header(s, "Content-Type");
	IT_CHECKF(ct != NULL && strncmp(ct, "text/event-stream", 17) == 0,
	    "Content-Type is %s, want text/event-stream", ct != NULL ? ct :
	    "(none)");

	/* A new comment, then its approval. */
	c = add_comment(key, "قارئ", NULL, "تعليق مباشر", 0);
	IT_REQUIRE(c > 0);
	ev = wait_event(s, &seen, c, "new", "pending");
	IT_REQUIRE(ev != NULL);
	check_sse(ev, key);
	IT_CHECK(it_jnull(ev->json, "old_status"));
	first_id = sse_id(ev);
	IT_CHECK_INT(it_sql_ll("SELECT comment_id FROM comment_events WHERE "
	    "id = $1", it_strf("%lld", first_id), (char *)NULL), c);
	t0 = it_now();
	act_ok(adm.token, c, "approve", NULL, "approved");
	ev = wait_event(s, &seen, c, "status", "approved");
	if (ev != NULL) {
		check_sse(ev, key);
		IT_CHECK_STR(it_jstr(ev->json, "old_status"), "pending");
		IT_CHECK_STR(it_jstr(ev->json, "actor"), adm.name);
		IT_CHECK(sse_id(ev) > first_id);
		it_note("the approval reached the stream in %.3f s",
		    ev->at - t0);
	}

	/* An edit. */
	r = adm_req("PATCH", it_strf("%s/comments/%lld", API, c), adm.token,
	    "{\"body\": \"تعليق مباشر معدل\"}");
	IT_CHECK_STATUS(r, 200);
	ev = wait_event(s, &seen, c, "edit", "approved");
	check_sse(ev, key);

	/* Changes on fresh connections land on either worker. */
	for (k = 0; k < 6; k++) {
		ci = add_comment(key, "قارئ", NULL, it_strf("جولة %d", k), 0);
		IT_REQUIRE(ci > 0);
		check_sse(wait_event(s, &seen, ci, "new", "pending"), key);
		act_ok(adm.token, ci, k % 2 == 0 ? "approve" : "reject", NULL,
		    k % 2 == 0 ? "approved" : "rejected");
		ev = wait_event(s, &seen, ci, "status", k % 2 == 0 ?
		    "approved" : "rejected");
		check_sse(ev, key);
	}

	/* A change made in the database itself. */
	IT_REQUIRE(it_sql("UPDATE comments SET status = 'spam', moderated_at "
	    "= now(), moderated_by = 'sql-itest' WHERE id = $1",
	    it_strf("%lld", c), (char *)NULL) != NULL);
	ev = wait_event(s, &seen, c, "status", "spam");
	if (ev != NULL) {
		IT_CHECK_STR(it_jstr(ev->json, "old_status"), "approved");
		IT_CHECK_STR(it_jstr(ev->json, "actor"), "sql-itest");
	}

	/* Another commentd process on the same database. */
	p = second_server(&base2);
	if (p != NULL) {
		r = it_http_at(base2, "GET", "/healthz", NULL, NULL, 0);
		IT_CHECK_STATUS(r, 200);
		r = it_http_at(base2, "POST", it_list_path(key),
		    (const char *[]){ "Content-Type: application/json",
		    NULL },
		    "{\"author\": \"قارئ\", \"body\": \"عبر الخادم الثاني\"}",
		    (size_t)-1);
		IT_CHECK_STATUS(r, 202);
		ci = it_jint(r->json, "comment.id", -1);
		check_sse(wait_event(s, &seen, ci, "new", "pending"), key);
		r = it_http_at(base2, "POST", it_strf("%s/comments/%lld/"
		    "approve", API, ci), (const char *[]){ it_bearer(adm.token),
		    NULL }, NULL, 0);
		IT_CHECK_STATUS(r, 200);
		ev = wait_event(s, &seen, ci, "status", "approved");
		check_sse(ev, key);
		if (ev != NULL)
			IT_CHECK_STR(it_jstr(ev->json, "actor"), adm.name);
		check_public(key, ci, true);

		/* And the other way: a stream on it, an action here. */
		s2 = open_events(base2, it_bearer(adm.token), NULL);
		IT_CHECK_INT(it_stream_status(s2, EVENT_MS), 200);
		act_ok(adm.token, ci, "reject", "{\"from\": \"approved\"}",
		    "rejected");
		check_sse(wait_event(s2, &seen2, ci, "status", "rejected"),
		    key);
		check_sse(wait_event(s, &seen, ci, "status", "rejected"), key);
		it_stream_close(s2);

		IT_CHECK(it_proc_kill(p, SIGTERM) == 0);
		rc = it_proc_wait(p, 20000);
		out = it_proc_output(p);
		IT_CHECKF(rc == 0, "the second server exited %d on SIGTERM "
		    "(-1: still running after 20 s)", rc);
		IT_CHECKF(strstr(out, "runtime error") == NULL &&
		    strstr(out, "Sanitizer") == NULL, "the second server's "
		    "log has no sanitizer report");
		if (rc != 0)
			it_note("its output: %s", out);
	}

	/* Keep-alives: test_keepalive, on a server with a short interval. */
	it_stream_close(s);
	last_id = seen.n > 0 ? seen.ids[seen.n - 1] : -1;

	/* Missed while away: d1 comes and is approved. */
	d1 = add_comment(key, "قارئ", NULL, "أثناء الغياب", 0);
	IT_REQUIRE(d1 > 0);
	act_ok(adm.token, d1, "approve", NULL, "approved");

	/* Back with the id of the first event: everything after it. */
	s3 = open_events(NULL, it_bearer(adm.token), it_strf("%lld", first_id));
	IT_REQUIRE(IT_CHECK_INT(it_stream_status(s3, EVENT_MS), 200));
	ev = wait_event(s3, &seen3, d1, "status", "approved");
	pos_d1 = seen3.n;
	n1 = add_comment(key, "قارئ", NULL, "بعد العودة", 0);
	IT_REQUIRE(n1 > 0);
	e = wait_event(s3, &seen3, n1, "new", "pending");
	pos_n1 = seen3.n;
	IT_CHECK(ev != NULL && e != NULL && pos_d1 < pos_n1);
	prev = first_id;
	for (i = 0; i < seen3.n; i++) {
		IT_CHECKF(seen3.ids[i] > prev, "replayed event %zu has id %lld "
		    "after %lld: want increasing ids after Last-Event-ID",
		    i, seen3.ids[i], prev);
		prev = seen3.ids[i];
	}
	/* Every event seen before, after the first, came again. */
	for (i = 0; i < seen.n; i++) {
		if (seen.ids[i] <= first_id)
			continue;
		found = false;
		for (j = 0; j < pos_d1 && !found; j++)
			found = seen3.ids[j] == seen.ids[i];
		IT_CHECKF(found, "event %lld (seen live) is replayed before "
		    "the missed ones end", seen.ids[i]);
	}
	IT_CHECKF(pos_d1 > 0 && seen3.ids[pos_d1 - 1] > last_id,
	    "the replay goes past the last event seen live (%lld)", last_id);
	it_note("replayed %zu events after id %lld", pos_d1, first_id);
}

/*
 * An idle stream gets a comment line (": keep-alive") every
 * COMMENTD_SSE_KEEPALIVE_S seconds: on a server of its own with 1 s, at
 * least two of them besides the greeting (": connected"), and the stream
 * stays open.  The keep-alives tick for all of a worker's streams at
 * once, so a stream opened just before on the harness server (15 s) may
 * have had one, never two, meanwhile: the extra lines are the setting's.
 */
static void
test_keepalive(void)
{
	struct it_proc		*p;
	struct it_stream	*s, *ctl;
	const char		*base, *why = NULL;
	double			 t0, deadline, took;
	int			 n, nctl;

	IT_REQUIRE(account(&adm));
	ctl = open_events(NULL, it_bearer(adm.token), NULL);
	IT_REQUIRE(IT_CHECK_INT(it_stream_status(ctl, EVENT_MS),
	    200));
	t0 = it_now();
	p = it_server(&base, "1", "COMMENTD_SSE_KEEPALIVE_S=1", (char *)NULL);
	IT_REQUIRE(p != NULL);
	s = open_events(base, it_bearer(adm.token), NULL);
	IT_REQUIRE(IT_CHECK_INT(it_stream_status(s, EVENT_MS),
	    200));
	/* Two intervals and a generous margin, yet short of the 30 s that
	 * two keep-alives of the default would take. */
	deadline = it_now() + it_limit_ms(8000) / 1000.0;
	while ((n = it_stream_comments(s)) < 3 && !it_stream_ended(s, &why) &&
	    it_now() < deadline)
		it_sleep_ms(50);
	IT_CHECKF(n >= 3, "a stream with COMMENTD_SSE_KEEPALIVE_S=1 got %d "
	    "comment lines (the greeting and keep-alives), want 3 or more%s%s",
	    n, why != NULL ? "; it ended: " : "", why != NULL ? why : "");
	IT_CHECKF(!it_stream_ended(s, &why), "the stream is still open "
	    "(ended: %s)", why != NULL ? why : "?");
	took = it_now() - t0;
	nctl = it_stream_comments(ctl);
	if (took < 14)
		IT_CHECKF(nctl >= 1 && nctl <= 2, "a stream on the harness "
		    "server (15 s keep-alive) got %d comment lines in %.1f s, "
		    "want the greeting and at most one keep-alive", nctl,
		    took);
	it_stream_close(s);
	it_stream_close(ctl);
	IT_CHECK(it_proc_kill(p, SIGTERM) == 0);
	IT_CHECK_INT(it_proc_wait(p, it_limit_ms(20000)), 0);
}

/* -- 11. logins do not stall the loops ------------------------------------- */

/*
 * The loops must not hash: while logins are hashed, reads on the same
 * workers are not held up.  Judged against baselines measured in the
 * same run, not against a clock: a read is held up if it took over a
 * quarter of the quickest login (which includes one argon2id run), or
 * twice the idle reads' 90th percentile if that is more.  Were the
 * hashing on a loop, that loop would be unavailable for nearly all the
 * logins' time (each worker hashes its share of them one after another),
 * and a reader reading back to back would spend most of that time in
 * held-up reads; off the loops, a busy machine holds up the odd read.
 * So the check is on the share of the logins' time a reader spent in
 * held-up reads (counting reads would hide it: a held-up reader issues
 * few reads).
 */

#define READS_MAX	4096

struct busy {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	bool		 go;
	int		 logins;	/* still running */
	bool		 stop;
};

struct login_job {
	struct busy	*busy;
	struct it_req	 req;
	struct it_resp	 resp;
	const char	*hdrs[2];
};

struct reader {
	struct busy	*busy;
	const char	*path;
	double		 idle[READS_MAX];	/* seconds, before the logins */
	int		 nidle;
	double		 during[READS_MAX];	/* overlapping the logins */
	int		 n;
	int		 bad;
	long		 bad_status;
};

static void *
login_main(void *arg)
{
	struct login_job	*j = arg;

	pthread_mutex_lock(&j->busy->lock);
	while (!j->busy->go)
		pthread_cond_wait(&j->busy->cond, &j->busy->lock);
	pthread_mutex_unlock(&j->busy->lock);
	it_do(&j->req, &j->resp);
	pthread_mutex_lock(&j->busy->lock);
	j->busy->logins--;
	pthread_mutex_unlock(&j->busy->lock);
	return NULL;
}

static void *
reader_main(void *arg)
{
	struct reader	*rd = arg;
	struct it_req	 req;
	struct it_resp	 resp;
	bool		 idle, during, stop;

	memset(&req, 0, sizeof req);
	req.method = "GET";
	req.path = rd->path;
	req.timeout_ms = 5000;
	for (;;) {
		pthread_mutex_lock(&rd->busy->lock);
		stop = rd->busy->stop;
		idle = !rd->busy->go;
		during = rd->busy->go && rd->busy->logins > 0;
		pthread_mutex_unlock(&rd->busy->lock);
		if (stop)
			break;
		it_do(&req, &resp);
		if (resp.status != 200 && (idle || during)) {
			rd->bad++;
			rd->bad_status = resp.status;
		} else if (idle && rd->nidle < READS_MAX)
			rd->idle[rd->nidle++] = resp.elapsed;
		else if (during && rd->n < READS_MAX)
			rd->during[rd->n++] = resp.elapsed;
		it_resp_clear(&resp);
		it_sleep_ms(5);
	}
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The pct-th percentile of v[0..n) (sorted in place); 0 if n is 0. */
static double
percentile(double *v, int n, int pct)
{
	if (n <= 0)
		return 0;
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return v[(n - 1) * pct / 100];
}

/* Waits (a deadline, not a speed) until both readers have idle reads. */
static bool
idle_measured(struct busy *busy, struct reader *rd, int nr)
{
	double	 deadline = it_now() + it_limit_ms(30000) / 1000.0;
	bool	 done = false;
	int	 i;

	while (!done && it_now() < deadline) {
		it_sleep_ms(20);
		pthread_mutex_lock(&busy->lock);
		for (i = 0, done = true; i < nr; i++)
			done = done && rd[i].nidle >= IDLE_READS;
		pthread_mutex_unlock(&busy->lock);
	}
	return done;
}

static void
test_responsiveness(void)
{
	const char	*key = new_key("busy"), *body, *body2;
	struct busy	 busy;
	struct login_job jobs[NLOGINS];
	struct reader	*rd;
	pthread_t	 lt[NLOGINS], rt[2];
	struct it_resp	*r;
	double		 t0, lmin = 1e9, lmax = 0, idle50, idle90, p50, p90;
	double		 limit, held;
	long long	 c;
	int		 i, j, nl = 0, nr = 0, nheld;
	bool		 idle_ok;

	/* Two accounts: a burst of logins to one account beyond the
	 * per-account limit is throttled, whatever the password. */
	IT_REQUIRE(account(&adm) && account(&acc_busy) &&
	    account(&acc_busy2));
	for (i = 0; i < 3; i++) {
		c = add_comment(key, "قارئ", NULL, "تعليق منشور", 0);
		IT_REQUIRE(c > 0);
		act_ok(adm.token, c, "approve", NULL, "approved");
	}
	r = it_http("GET", it_list_path(key), NULL, NULL, 0);
	IT_REQUIRE_STATUS(r, 200);
	IT_CHECK_INT(it_jint(r->json, "total", -1), 3);

	memset(&busy, 0, sizeof busy);
	pthread_mutex_init(&busy.lock, NULL);
	pthread_cond_init(&busy.cond, NULL);
	memset(jobs, 0, sizeof jobs);
	rd = it_own(calloc(2, sizeof *rd));
	IT_REQUIRE(rd != NULL);
	body = jpack("{s:s, s:s}", "username", acc_busy.name, "password",
	    PASSWORD);
	body2 = jpack("{s:s, s:s}", "username", acc_busy2.name, "password",
	    PASSWORD);
	for (i = 0; i < 2; i++) {
		rd[i].busy = &busy;
		rd[i].path = i == 0 ? "/healthz" : it_list_path(key);
	}
	for (nr = 0; nr < 2; nr++) {
		if (pthread_create(&rt[nr], NULL, reader_main, &rd[nr]) != 0)
			break;
	}
	for (nl = 0; nl < NLOGINS; nl++) {
		jobs[nl].busy = &busy;
		jobs[nl].hdrs[0] = "Content-Type: application/json";
		jobs[nl].req.method = "POST";
		jobs[nl].req.path = API "/session";
		jobs[nl].req.headers = jobs[nl].hdrs;
		jobs[nl].req.body = nl % 2 == 0 ? body : body2;
		jobs[nl].req.body_len = strlen(jobs[nl].req.body);
		jobs[nl].req.timeout_ms = 30000;
		if (pthread_create(&lt[nl], NULL, login_main, &jobs[nl]) != 0)
			break;
	}
	IT_CHECK_INT(nr, 2);
	IT_CHECK_INT(nl, NLOGINS);
	/* The baseline: the same reads, idle, just before. */
	idle_ok = idle_measured(&busy, rd, nr);
	t0 = it_now();
	pthread_mutex_lock(&busy.lock);
	busy.logins = nl;
	busy.go = true;
	pthread_cond_broadcast(&busy.cond);
	pthread_mutex_unlock(&busy.lock);
	for (i = 0; i < nl; i++)
		pthread_join(lt[i], NULL);
	t0 = it_now() - t0;
	pthread_mutex_lock(&busy.lock);
	busy.stop = true;
	pthread_mutex_unlock(&busy.lock);
	for (i = 0; i < nr; i++)
		pthread_join(rt[i], NULL);
	IT_CHECKF(idle_ok, "%d idle reads of each path within the deadline",
	    IDLE_READS);

	for (i = 0; i < nl; i++) {
		IT_CHECK_STATUS(&jobs[i].resp, 200);
		if (jobs[i].resp.elapsed < lmin)
			lmin = jobs[i].resp.elapsed;
		if (jobs[i].resp.elapsed > lmax)
			lmax = jobs[i].resp.elapsed;
		it_resp_clear(&jobs[i].resp);
	}
	it_note("%d logins took %.3f s in all (each %.3f..%.3f s)", nl, t0,
	    lmin, lmax);

	for (i = 0; i < nr; i++) {
		idle50 = percentile(rd[i].idle, rd[i].nidle, 50);
		idle90 = percentile(rd[i].idle, rd[i].nidle, 90);
		p50 = percentile(rd[i].during, rd[i].n, 50);
		p90 = percentile(rd[i].during, rd[i].n, 90);
		limit = lmin / 4;
		if (limit < idle90 * 2)
			limit = idle90 * 2;
		for (j = 0, held = 0, nheld = 0; j < rd[i].n; j++) {
			if (rd[i].during[j] > limit) {
				held += rd[i].during[j];
				nheld++;
			}
		}
		it_note("GET %s: idle median %.1f ms (p90 %.1f); during the "
		    "logins %d reads, median %.1f ms (p90 %.1f, slowest "
		    "%.1f); %d over %.1f ms, %.0f%% of the logins' time",
		    rd[i].path, idle50 * 1e3, idle90 * 1e3, rd[i].n, p50 * 1e3,
		    p90 * 1e3, rd[i].n > 0 ? rd[i].during[rd[i].n - 1] * 1e3 :
		    0, nheld, limit * 1e3, held / t0 * 100);
		IT_CHECKF(rd[i].n >= 2, "GET %s ran %d times during the "
		    "logins, want at least 2", rd[i].path, rd[i].n);
		IT_CHECKF(held < t0 / 2, "GET %s: reads over %.1f ms (a "
		    "quarter of the quickest login, %.1f ms, or twice the idle "
		    "p90) took %.0f%% of the logins' %.2f s: a loop waits for "
		    "hashes", rd[i].path, limit * 1e3, lmin * 1e3,
		    held / t0 * 100, t0);
		IT_CHECKF(rd[i].bad == 0, "GET %s: %d reads failed (status "
		    "%ld)", rd[i].path, rd[i].bad, rd[i].bad_status);
	}
	pthread_cond_destroy(&busy.cond);
	pthread_mutex_destroy(&busy.lock);
}

/* -- runner --------------------------------------------------------------- */

static const struct it_test tests[] = {
	{ "full_path", test_full_path },
	{ "actions", test_actions },
	{ "race", test_race },
	{ "batch", test_batch },
	{ "permissions", test_permissions },
	{ "login", test_login },
	{ "queue", test_queue },
	{ "articles", test_articles },
	{ "stats", test_stats },
	{ "events", test_events },
	{ "keepalive", test_keepalive },
	{ "responsiveness", test_responsiveness },
	{ "login_burst", test_login_burst },
	{ "moderators", test_moderators },
	{ "tokens", test_tokens },
	{ "reset_revokes", test_reset_revokes },
	{ "reset_race", test_reset_race },
	{ "personal_data", test_personal_data },
};

/*
 * Guesses sent all at once cannot outrun the throttle: each attempt is
 * counted before its password is checked, so of 10 concurrent wrong
 * logins to one account (limit 5) at most 5 are even tried.
 */
static void
test_login_burst(void)
{
	struct it_req	 reqs[10];
	struct it_resp	 resps[10];
	const char	*hdrs[2] = { "Content-Type: application/json", NULL };
	const char	*body;
	int		 i, n, tried = 0, throttled = 0;

	IT_REQUIRE(account(&acc_burst));
	memset(reqs, 0, sizeof reqs);
	memset(resps, 0, sizeof resps);
	body = jpack("{s:s, s:s}", "username", acc_burst.name, "password",
	    "not-the-password");
	for (i = 0; i < 10; i++) {
		reqs[i].method = "POST";
		reqs[i].path = API "/session";
		reqs[i].headers = hdrs;
		reqs[i].body = body;
		reqs[i].body_len = strlen(body);
		reqs[i].timeout_ms = 30000;
	}
	n = it_do_all(reqs, resps, 10);
	IT_CHECK_INT(n, 10);
	for (i = 0; i < n; i++) {
		if (resps[i].status == 401)
			tried++;
		else if (resps[i].status == 429)
			throttled++;
		it_resp_clear(&resps[i]);
	}
	IT_CHECKF(tried <= 5, "%d wrong passwords were checked, limit 5",
	    tried);
	IT_CHECKF(tried + throttled == n, "%d answers neither 401 nor 429",
	    n - tried - throttled);
	IT_CHECK(throttled >= 5);
}

/*
 * Admins manage accounts over the API: add (with a generated password
 * shown once), disable (which ends that account's sessions and tokens)
 * and enable, change role, reset a password; nobody else may, and an
 * admin cannot lock themselves out.
 */
static void
test_moderators(void)
{
	const char	*name = it_strf("api-%s", run_id), *pw, *pw2;
	const char	*mpath, *tok;
	struct session	 s;
	struct it_resp	*r;
	json_t		*list, *m;
	size_t		 i;
	bool		 listed = false;

	IT_REQUIRE(account(&adm) && account(&mod));
	mpath = it_strf("%s/moderators/%s", API, name);

	/* Only admins: a moderator gets 403 on every route. */
	IT_CHECK(CHECK_ERROR(adm_req("GET", API "/moderators", mod.token,
	    NULL), 403, "forbidden"));
	IT_CHECK(CHECK_ERROR(adm_req("POST", API "/moderators", mod.token,
	    jpack("{s:s, s:s}", "name", name, "role", "admin")), 403,
	    "forbidden"));
	IT_CHECK(CHECK_ERROR(adm_req("PATCH", mpath, mod.token,
	    "{\"disabled\": true}"), 403, "forbidden"));
	IT_CHECK(CHECK_ERROR(adm_req("POST", it_strf("%s/password", mpath),
	    mod.token, "{}"), 403, "forbidden"));

	/* Bad input: 422 with the field; an unknown account: 404. */
	r = adm_req("POST", API "/moderators", adm.token,
	    jpack("{s:s, s:s}", "name", "no spaces", "role", "boss"));
	IT_CHECK(CHECK_ERROR(r, 422, "validation_failed"));
	IT_CHECK(it_jstr(r->json, "error.fields.name") != NULL);
	IT_CHECK(it_jstr(r->json, "error.fields.role") != NULL);
	r = adm_req("POST", API "/moderators", adm.token, jpack("{s:s, s:s, "
	    "s:s}", "name", name, "role", "moderator", "password", "short"));
	IT_CHECK(CHECK_ERROR(r, 422, "validation_failed"));
	IT_CHECK_STR(it_jstr(r->json, "error.fields.password"), "too_short");
	IT_CHECK(CHECK_ERROR(adm_req("PATCH", it_strf("%s/moderators/"
	    "nobody-%s", API, run_id), adm.token, "{\"disabled\": true}"),
	    404, "not_found"));

	/* Added with a generated password, which logs in. */
	r = adm_req("POST", API "/moderators", adm.token,
	    jpack("{s:s, s:s}", "name", name, "role", "moderator"));
	IT_REQUIRE(it_check_status_at(__FILE__, __LINE__, r, 201));
	IT_CHECK_STR(it_jstr(r->json, "moderator.name"), name);
	IT_CHECK_STR(it_jstr(r->json, "moderator.role"), "moderator");
	IT_CHECK(json_is_false(it_jget(r->json, "moderator.disabled")));
	pw = it_jstr(r->json, "password");
	IT_REQUIRE(pw != NULL && strlen(pw) == 20);
	IT_CHECK_STR(it_header(r, "Cache-Control"), "no-store");
	IT_CHECK(CHECK_ERROR(adm_req("POST", API "/moderators", adm.token,
	    jpack("{s:s, s:s}", "name", name, "role", "admin")), 409,
	    "name_taken"));
	IT_REQUIRE(login(name, pw, &s));
	tok = s.token;

	r = adm_req("GET", API "/moderators", adm.token, NULL);
	IT_CHECK_STATUS(r, 200);
	list = it_jget(r->json, "moderators");
	IT_REQUIRE(json_is_array(list));
	json_array_foreach(list, i, m) {
		if (strcmp(json_string_value(json_object_get(m, "name")),
		    name) == 0)
			listed = true;
		IT_CHECK(json_object_get(m, "password_hash") == NULL);
	}
	IT_CHECK(listed);

	/* Disabled: its session stops working at once and it cannot log
	 * in; enabled again, it can. */
	r = adm_req("PATCH", mpath, adm.token, "{\"disabled\": true}");
	IT_CHECK_STATUS(r, 200);
	IT_CHECK(json_is_true(it_jget(r->json, "moderator.disabled")));
	IT_CHECK(CHECK_ERROR(adm_req("GET", API "/session", tok, NULL), 401,
	    "unauthorized"));
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM auth_tokens t JOIN "
	    "moderators m ON m.id = t.moderator_id WHERE m.name = $1 AND "
	    "t.revoked_at IS NULL", name, (char *)NULL), 0);
	IT_CHECK(CHECK_ERROR(adm_req("POST", API "/session", NULL,
	    jpack("{s:s, s:s}", "username", name, "password", pw)), 401,
	    "invalid_credentials"));
	r = adm_req("PATCH", mpath, adm.token,
	    "{\"disabled\": false, \"role\": \"admin\"}");
	IT_CHECK_STATUS(r, 200);
	IT_CHECK(json_is_false(it_jget(r->json, "moderator.disabled")));
	IT_CHECK_STR(it_jstr(r->json, "moderator.role"), "admin");
	IT_REQUIRE(login(name, pw, &s));
	r = adm_req("GET", API "/session", s.token, NULL);
	IT_CHECK_STR(it_jstr(r->json, "moderator.role"), "admin");

	/* A reset password: the old one and the old session stop, the new
	 * one (given this time, so not answered) works. */
	pw2 = it_strf("new-password-%s", run_id);
	r = adm_req("POST", it_strf("%s/password", mpath), adm.token,
	    jpack("{s:s}", "password", pw2));
	IT_CHECK_STATUS(r, 200);
	IT_CHECK(it_jget(r->json, "password") == NULL);
	IT_CHECK(CHECK_ERROR(adm_req("GET", API "/session", s.token, NULL),
	    401, "unauthorized"));
	IT_CHECK(CHECK_ERROR(adm_req("POST", API "/session", NULL,
	    jpack("{s:s, s:s}", "username", name, "password", pw)), 401,
	    "invalid_credentials"));
	IT_REQUIRE(login(name, pw2, &s));

	/* An admin cannot disable or demote themselves. */
	r = adm_req("PATCH", it_strf("%s/moderators/%s", API, adm.name),
	    adm.token, "{\"disabled\": true}");
	IT_CHECK(CHECK_ERROR(r, 409, "self_lockout"));
	r = adm_req("PATCH", it_strf("%s/moderators/%s", API, adm.name),
	    adm.token, "{\"role\": \"moderator\"}");
	IT_CHECK(CHECK_ERROR(r, 409, "self_lockout"));
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM moderators WHERE "
	    "name = $1 AND role = 'admin' AND NOT disabled", adm.name,
	    (char *)NULL), 1);
}

/* -- tokens: list, create, revoke ---------------------------------------- */

/* The element of a token list with that id, or NULL. */
static const json_t *
token_in(const struct it_resp *r, long long id)
{
	return find_id(it_jget(r->json, "tokens"), id);
}

/* The id of the live API token whose secret is tok (from the database). */
static long long
token_id(const char *tok)
{
	return it_sql_ll("SELECT id FROM auth_tokens WHERE token_hash = "
	    "sha256(convert_to($1, 'UTF8'))", tok, (char *)NULL);
}

/*
 * GET /admin/tokens lists live credentials without their secrets (a
 * moderator their own, an admin everyone's, newest first, paged); POST
 * makes an API token from a login session, shown once; DELETE revokes
 * one (a moderator's own only: another's is 404), and it stops working
 * at once.
 */
static void
test_tokens(void)
{
	struct session	 s;
	struct it_resp	*r;
	const json_t	*t, *e;
	const char	*secret, *next;
	long long	 own, other, made;
	size_t		 i;

	IT_REQUIRE(account(&adm) && account(&acc_tok) && account(&acc_tok2));
	own = token_id(acc_tok.token);
	other = token_id(acc_tok2.token);
	IT_REQUIRE(own > 0 && other > 0);

	/* A moderator: their own, the one in use marked current. */
	r = adm_req("GET", API "/tokens", acc_tok.token, NULL);
	IT_REQUIRE_STATUS(r, 200);
	IT_CHECK_STR(it_header(r, "Cache-Control"), "no-store");
	t = token_in(r, own);
	IT_REQUIREF(t != NULL, "token %lld is listed to its owner", own);
	IT_CHECK_STR(it_jstr(t, "moderator"), acc_tok.name);
	IT_CHECK_STR(it_jstr(t, "kind"), "api");
	IT_CHECK(json_is_true(json_object_get(t, "current")));
	IT_CHECK(it_jstr(t, "created_at") != NULL);
	IT_CHECK(it_jstr(t, "expires_at") != NULL);
	IT_CHECK(it_jnull(t, "label"));
	IT_CHECK(token_in(r, other) == NULL);
	json_array_foreach(it_jget(r->json, "tokens"), i, e) {
		IT_CHECK_STR(it_jstr(e, "moderator"), acc_tok.name);
		IT_CHECK(json_object_get(e, "token_hash") == NULL &&
		    json_object_get(e, "token") == NULL &&
		    json_object_get(e, "secret") == NULL);
	}
	IT_CHECK(strstr(r->body, acc_tok.token) == NULL);
	IT_CHECK(CHECK_ERROR(adm_req("GET", it_strf("%s/tokens?moderator=%s",
	    API, acc_tok2.name), acc_tok.token, NULL), 403, "forbidden"));
	r = adm_req("GET", it_strf("%s/tokens?moderator=%s", API,
	    acc_tok.name), acc_tok.token, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK(token_in(r, own) != NULL);
	IT_CHECK(CHECK_ERROR(adm_req("GET", API "/tokens?kind=forever",
	    acc_tok.token, NULL), 400, "invalid_parameter"));

	/* An admin: everyone's, by name or kind too. */
	r = adm_req("GET", it_strf("%s/tokens?moderator=%s&kind=api", API,
	    acc_tok2.name), adm.token, NULL);
	IT_CHECK_STATUS(r, 200);
	t = token_in(r, other);
	IT_CHECK(t != NULL && json_is_false(json_object_get(t, "current")));
	IT_CHECK(token_in(r, own) == NULL);
	r = adm_req("GET", API "/tokens?limit=1", adm.token, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(json_array_size(it_jget(r->json, "tokens")), 1);
	next = it_jstr(r->json, "next");
	IT_REQUIRE(next != NULL);
	r = adm_req("GET", it_strf("%s/tokens?limit=1&before=%s", API, next),
	    adm.token, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK(it_jint(r->json, "tokens.0.id", -1) < atoll(next) &&
	    it_jint(r->json, "tokens.0.id", -1) > 0);

	/* Made from a session, not from an API token. */
	IT_CHECK(CHECK_ERROR(adm_req("POST", API "/tokens", acc_tok.token,
	    "{}"), 403, "session_required"));
	IT_REQUIRE(login(acc_tok.name, PASSWORD, &s));
	IT_CHECK(CHECK_ERROR(adm_req("POST", API "/tokens", s.token,
	    jpack("{s:i}", "days", 0)), 422, "validation_failed"));
	r = adm_req("POST", API "/tokens", s.token, jpack("{s:s}", "label",
	    "  "));
	IT_CHECK(CHECK_ERROR(r, 422, "validation_failed"));
	IT_CHECK_STR(it_jstr(r->json, "error.fields.label"), "required");
	IT_CHECK(CHECK_ERROR(adm_req("POST", API "/tokens", s.token,
	    jpack("{s:s}", "secret", "mine")), 422, "validation_failed"));
	r = adm_req("POST", API "/tokens", s.token, jpack("{s:s, s:i}",
	    "label", "بوت النشر", "days", 2));
	IT_REQUIRE_STATUS(r, 201);
	IT_CHECK_STR(it_header(r, "Cache-Control"), "no-store");
	secret = it_jstr(r->json, "secret");
	made = it_jint(r->json, "token.id", -1);
	IT_REQUIRE(secret != NULL && made > 0);
	IT_CHECK_STR(it_jstr(r->json, "token.label"), "بوت النشر");
	IT_CHECK_STR(it_jstr(r->json, "token.kind"), "api");
	IT_CHECK_STR(it_jstr(r->json, "token.moderator"), acc_tok.name);
	IT_CHECK_INT(it_sql_ll("SELECT round(extract(epoch FROM expires_at - "
	    "created_at) / 3600) FROM auth_tokens WHERE id = $1",
	    it_strf("%lld", made), (char *)NULL), 48);
	IT_CHECK_INT(token_id(secret), made);
	r = adm_req("GET", API "/session", secret, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_STR(it_jstr(r->json, "moderator.name"), acc_tok.name);
	/* Listed with its label; the session is listed too, as current. */
	r = adm_req("GET", API "/tokens", s.token, NULL);
	IT_CHECK_STATUS(r, 200);
	t = token_in(r, made);
	IT_CHECK(t != NULL && strcmp(it_jstr(t, "label"), "بوت النشر") == 0);
	IT_CHECK(strstr(r->body, secret) == NULL);
	IT_CHECK(strstr(r->body, s.token) == NULL);
	t = token_in(r, token_id(s.token));
	IT_CHECK(t != NULL && strcmp(it_jstr(t, "kind"), "session") == 0 &&
	    json_is_true(json_object_get(t, "current")));

	/* Revoking: another's is "no such token" to a moderator. */
	IT_CHECK(CHECK_ERROR(adm_req("DELETE", it_strf("%s/tokens/%lld",
	    API, other), acc_tok.token, NULL), 404, "not_found"));
	IT_CHECK(CHECK_ERROR(adm_req("DELETE", API "/tokens/x",
	    acc_tok.token, NULL), 404, "not_found"));
	r = adm_req("GET", API "/session", acc_tok2.token, NULL);
	IT_CHECK_STATUS(r, 200);
	r = adm_req("DELETE", it_strf("%s/tokens/%lld", API, made),
	    acc_tok.token, NULL);
	IT_CHECK_STATUS(r, 204);
	IT_CHECK(CHECK_ERROR(adm_req("GET", API "/session", secret, NULL),
	    401, "unauthorized"));
	IT_CHECK(CHECK_ERROR(adm_req("DELETE", it_strf("%s/tokens/%lld",
	    API, made), acc_tok.token, NULL), 404, "not_found"));
	r = adm_req("GET", API "/tokens", acc_tok.token, NULL);
	IT_CHECK(token_in(r, made) == NULL);
	/* An admin revokes anyone's. */
	r = adm_req("DELETE", it_strf("%s/tokens/%lld", API, other),
	    adm.token, NULL);
	IT_CHECK_STATUS(r, 204);
	IT_CHECK(CHECK_ERROR(adm_req("GET", API "/session", acc_tok2.token,
	    NULL), 401, "unauthorized"));
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM auth_tokens WHERE id = "
	    "$1 AND revoked_at IS NOT NULL", it_strf("%lld", other),
	    (char *)NULL), 1);
}

/*
 * A new password, from the admin API or from `commentd moderator
 * password`, revokes the account's API tokens as well as its sessions.
 */
static void
test_reset_revokes(void)
{
	const char	*name = it_strf("reset-%s", run_id), *tok, *pw2, *pw3;
	const char	*mpath = it_strf("%s/moderators/%s", API, name);
	struct session	 s;
	struct it_resp	*r;
	char		*out, *argv[5], *env[2];

	IT_REQUIRE(account(&adm));
	IT_REQUIRE(cli(IT_PASSWORD "\n", NULL, "moderator", "add", name,
	    "--role", "moderator", (char *)NULL));
	IT_REQUIRE((tok = it_new_token_at(__FILE__, __LINE__, name)) != NULL);
	IT_REQUIRE(login(name, PASSWORD, &s));
	IT_CHECK_STATUS(adm_req("GET", API "/session", tok, NULL), 200);

	pw2 = it_strf("second-password-%s", run_id);
	r = adm_req("POST", it_strf("%s/password", mpath), adm.token,
	    jpack("{s:s}", "password", pw2));
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(it_jint(r->json, "revoked", -1), 2);
	IT_CHECK(CHECK_ERROR(adm_req("GET", API "/session", tok, NULL), 401,
	    "unauthorized"));
	IT_CHECK(CHECK_ERROR(adm_req("GET", API "/session", s.token, NULL),
	    401, "unauthorized"));
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM auth_tokens t JOIN "
	    "moderators m ON m.id = t.moderator_id WHERE m.name = $1 AND "
	    "t.revoked_at IS NULL", name, (char *)NULL), 0);

	/* The same from the command line. */
	IT_REQUIRE((tok = it_new_token_at(__FILE__, __LINE__, name)) != NULL);
	IT_REQUIRE(login(name, pw2, &s));
	pw3 = it_strf("third-password-%s", run_id);
	IT_REQUIRE(cli(it_strf("%s\n", pw3), &out, "moderator", "password",
	    name, (char *)NULL));
	IT_CHECKF(strstr(out, "2 token(s) and session(s) revoked") != NULL,
	    "moderator password says what it revoked: %s", out);
	IT_CHECK(CHECK_ERROR(adm_req("GET", API "/session", tok, NULL), 401,
	    "unauthorized"));
	IT_CHECK(CHECK_ERROR(adm_req("GET", API "/session", s.token, NULL),
	    401, "unauthorized"));
	IT_CHECK(CHECK_ERROR(adm_req("POST", API "/session", NULL,
	    jpack("{s:s, s:s}", "username", name, "password", pw2)), 401,
	    "invalid_credentials"));
	IT_CHECK(login(name, pw3, &s));
	/* An unknown account: status 1. */
	argv[0] = (char *)bin;
	argv[1] = (char *)"moderator";
	argv[2] = (char *)"password";
	argv[3] = it_strf("nobody-%s", run_id);
	argv[4] = NULL;
	env[0] = it_strf("COMMENTD_DATABASE_URL=%s", it_db_conninfo);
	env[1] = NULL;
	IT_CHECK_INT(it_run_io(argv, env, "whatever-password\n", NULL, 60),
	    1);
}

/* A request sent from a thread of its own, to be joined. */
struct bg_request {
	pthread_t	 thread;
	struct it_req	 req;
	struct it_resp	 resp;
	const char	*headers[3];
};

static void *
bg_main(void *arg)
{
	struct bg_request	*b = arg;

	it_do(&b->req, &b->resp);
	return NULL;
}

static bool
bg_start(struct bg_request *b, const char *method, const char *path,
    const char *token, const char *body)
{
	memset(b, 0, sizeof *b);
	b->headers[0] = it_bearer(token);
	b->headers[1] = "Content-Type: application/json";
	b->req.method = method;
	b->req.path = path;
	b->req.headers = b->headers;
	b->req.body = body;
	b->req.body_len = strlen(body);
	b->req.timeout_ms = 30000;
	return pthread_create(&b->thread, NULL, bg_main, b) == 0;
}

/* Some backend of this database waits for a row lock (within 10 s). */
static bool
lock_waiter_at(const char *file, int line)
{
	double	 until = it_now() + it_limit_ms(10000) / 1000.0;

	while (it_now() < until) {
		if (it_sql_ll("SELECT count(*) FROM pg_stat_activity WHERE "
		    "datname = current_database() AND wait_event_type = "
		    "'Lock'", (char *)NULL) > 0)
			return true;
		it_sleep_ms(20);
	}
	return it_check_at(file, line, false, "no statement waits for the "
	    "account's row");
}

/*
 * A token made while the password is reset does not survive it, in
 * either order: the reset holds the account (as a transaction of the
 * test here) while POST /tokens waits, which then makes nothing; or a
 * token is being made (the test holds the account, as SQL_TOKEN_ADD
 * does) while the reset waits, which then revokes it too.  One that
 * escaped a disable so does not come back when the account is enabled.
 */
static void
test_reset_race(void)
{
	const char		*n1 = it_strf("race1-%s", run_id);
	const char		*n2 = it_strf("race2-%s", run_id);
	const char		*n3 = it_strf("race3-%s", run_id);
	const char		*secret = it_strf("race-secret-%s", run_id);
	const char		*tok;
	struct bg_request	 b;
	struct session		 s1, s2;

	IT_REQUIRE(account(&adm));
	IT_REQUIRE(cli(IT_PASSWORD "\n", NULL, "moderator", "add", n1,
	    "--role", "moderator", (char *)NULL));
	IT_REQUIRE(cli(IT_PASSWORD "\n", NULL, "moderator", "add", n2,
	    "--role", "moderator", (char *)NULL));
	IT_REQUIRE(cli(IT_PASSWORD "\n", NULL, "moderator", "add", n3,
	    "--role", "moderator", (char *)NULL));
	IT_REQUIRE(login(n1, PASSWORD, &s1));
	IT_REQUIRE(login(n2, PASSWORD, &s2));

	/* The reset first: the token waits for it, and is not made. */
	IT_REQUIRE(it_sql("BEGIN", (char *)NULL) != NULL);
	it_sql("UPDATE moderators SET password_hash = 'reset-' || name "
	    "WHERE name = $1", n1, (char *)NULL);
	it_sql("UPDATE auth_tokens SET revoked_at = now() WHERE moderator_id "
	    "= (SELECT id FROM moderators WHERE name = $1)", n1,
	    (char *)NULL);
	if (!IT_CHECK(bg_start(&b, "POST", API "/tokens", s1.token,
	    "{\"label\": \"racing\"}"))) {
		it_sql("ROLLBACK", (char *)NULL);
		return;
	}
	lock_waiter_at(__FILE__, __LINE__);
	it_sql("COMMIT", (char *)NULL);
	pthread_join(b.thread, NULL);
	IT_CHECK_INT(b.resp.status, 401);
	it_resp_clear(&b.resp);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM auth_tokens t JOIN "
	    "moderators m ON m.id = t.moderator_id WHERE m.name = $1 AND "
	    "t.revoked_at IS NULL", n1, (char *)NULL), 0);

	/* A login checked against the old password while the reset
	 * commits: its session waits for the account's row, and is not
	 * made. */
	IT_REQUIRE(it_sql("BEGIN", (char *)NULL) != NULL);
	it_sql("UPDATE moderators SET password_hash = 'reset-' || name "
	    "WHERE name = $1", n3, (char *)NULL);
	if (!IT_CHECK(bg_start(&b, "POST", API "/session", "none",
	    jpack("{s:s, s:s}", "username", n3, "password", PASSWORD)))) {
		it_sql("ROLLBACK", (char *)NULL);
		return;
	}
	lock_waiter_at(__FILE__, __LINE__);
	it_sql("COMMIT", (char *)NULL);
	pthread_join(b.thread, NULL);
	IT_CHECK(CHECK_ERROR(&b.resp, 401, "invalid_credentials"));
	it_resp_clear(&b.resp);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM auth_tokens t JOIN "
	    "moderators m ON m.id = t.moderator_id WHERE m.name = $1 AND "
	    "t.revoked_at IS NULL", n3, (char *)NULL), 0);

	/* A token first: the reset waits for it, and revokes it too. */
	IT_REQUIRE(it_sql("BEGIN", (char *)NULL) != NULL);
	it_sql("SELECT id FROM moderators WHERE name = $1 FOR SHARE", n2,
	    (char *)NULL);
	it_sql("INSERT INTO auth_tokens (moderator_id, kind, token_hash, "
	    "expires_at, label) SELECT id, 'api', sha256(convert_to($2, "
	    "'UTF8')), now() + interval '1 day', 'racing' FROM moderators "
	    "WHERE name = $1", n2, secret, (char *)NULL);
	if (!IT_CHECK(bg_start(&b, "POST", it_strf("%s/moderators/%s/"
	    "password", API, n2), adm.token, "{}"))) {
		it_sql("ROLLBACK", (char *)NULL);
		return;
	}
	lock_waiter_at(__FILE__, __LINE__);
	it_sql("COMMIT", (char *)NULL);
	pthread_join(b.thread, NULL);
	IT_CHECK_INT(b.resp.status, 200);
	IT_CHECK_INT(it_jint(b.resp.json, "revoked", -1), 2);
	it_resp_clear(&b.resp);
	IT_CHECK(CHECK_ERROR(adm_req("GET", API "/session", secret, NULL),
	    401, "unauthorized"));
	IT_CHECK(CHECK_ERROR(adm_req("GET", API "/session", s2.token, NULL),
	    401, "unauthorized"));

	/* A token that escaped a disable the same way (made here by hand)
	 * does not come back with the account: enabling revokes it. */
	IT_CHECK_STATUS(adm_req("PATCH", it_strf("%s/moderators/%s", API,
	    n2), adm.token, "{\"disabled\": true}"), 200);
	it_sql("INSERT INTO auth_tokens (moderator_id, kind, token_hash, "
	    "expires_at) SELECT id, 'api', sha256(convert_to($2, 'UTF8')), "
	    "now() + interval '1 day' FROM moderators WHERE name = $1", n2,
	    it_strf("%s-2", secret), (char *)NULL);
	IT_CHECK_STATUS(adm_req("PATCH", it_strf("%s/moderators/%s", API,
	    n2), adm.token, "{\"disabled\": false}"), 200);
	IT_CHECK(CHECK_ERROR(adm_req("GET", API "/session",
	    it_strf("%s-2", secret), NULL), 401, "unauthorized"));
	/* Enabling an enabled account, or a new role, revokes nothing. */
	IT_REQUIRE((tok = it_new_token_at(__FILE__, __LINE__, n2)) != NULL);
	IT_CHECK_STATUS(adm_req("PATCH", it_strf("%s/moderators/%s", API,
	    n2), adm.token, "{\"disabled\": false, \"role\": "
	    "\"moderator\"}"), 200);
	IT_CHECK_STATUS(adm_req("GET", API "/session", tok, NULL), 200);
}

/* item has every personal field (want) or none of them, keys and all. */
static void
check_personal_at(const char *file, int line, const json_t *item,
    bool want, const char *what)
{
	static const char *const keys[] = { "email", "ip", "user_agent" };
	size_t	 i;

	for (i = 0; i < CS_NELEM(keys); i++)
		it_check_at(file, line, (json_object_get(item, keys[i]) !=
		    NULL) == want, "%s: \"%s\" is %s", what, keys[i], want ?
		    "missing" : "there");
}
#define check_personal(item, want, what)				\
	check_personal_at(__FILE__, __LINE__, (item), (want), (what))

/*
 * Commenters' e-mail, address and user agent go to admins; moderators
 * get them only where COMMENTD_MODERATORS_SEE_PERSONAL_DATA=true: in the
 * queue, one comment, and bans by e-mail or address (a moderator still
 * bans a comment's author by its id).  The live events carry none.
 */
static void
test_personal_data(void)
{
	const char	*key = new_key("pd"), *email, *base2, *path;
	struct it_stream *st;
	const struct it_sse *ev;
	struct it_proc	*p;
	struct it_resp	*r;
	json_t		*page;
	long long	 id, ban, dom;

	IT_REQUIRE(account(&adm) && account(&mod));
	email = it_strf("private-%s@example.com", run_id);
	st = open_events(NULL, it_bearer(mod.token), NULL);
	IT_REQUIRE(it_stream_status(st, EVENT_MS) == 200);
	id = add_comment(key, "ليلى", email, "نص خاص", 0);
	IT_REQUIRE(id > 0);
	path = it_strf("%s/comments?status=pending&article=%s", API,
	    it_pct(key));

	/* A moderator: no key at all, in the queue and the comment. */
	r = adm_req("GET", path, mod.token, NULL);
	IT_REQUIRE_STATUS(r, 200);
	IT_REQUIRE(find_id(it_jget(r->json, "comments"), id) != NULL);
	check_personal(find_id(it_jget(r->json, "comments"), id), false,
	    "moderator's queue");
	IT_CHECK(strstr(r->body, email) == NULL);
	IT_CHECK(strstr(r->body, UA) == NULL);
	r = adm_req("GET", it_strf("%s/comments/%lld", API, id), mod.token,
	    NULL);
	IT_REQUIRE_STATUS(r, 200);
	check_personal(it_jget(r->json, "comment"), false,
	    "moderator's comment");
	IT_CHECK_STR(it_jstr(r->json, "comment.author"), "ليلى");
	/* The plain pending queue is its own statement. */
	r = adm_req("GET", API "/comments?limit=200", mod.token, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK(strstr(r->body, "\"email\"") == NULL &&
	    strstr(r->body, "\"user_agent\"") == NULL);

	/* An admin: all three. */
	page = queue_page(path);
	IT_REQUIRE(page != NULL);
	check_personal(find_id(it_jget(page, "comments"), id), true,
	    "admin's queue");
	r = adm_req("GET", it_strf("%s/comments/%lld", API, id), adm.token,
	    NULL);
	IT_CHECK_STR(it_jstr(r->json, "comment.email"), email);
	IT_CHECK_STR(it_jstr(r->json, "comment.ip"), "127.0.0.1");
	IT_CHECK_STR(it_jstr(r->json, "comment.user_agent"), UA);

	/* The event of the new comment: no personal data for anyone. */
	ev = wait_event(st, NULL, id, "new", NULL);
	IT_CHECK(ev != NULL && strstr(ev->data, email) == NULL &&
	    strstr(ev->data, "127.0.0.1") == NULL &&
	    json_object_get(ev->json, "email") == NULL &&
	    json_object_get(ev->json, "ip") == NULL);
	it_stream_close(st);

	/* Bans: a moderator bans the author by comment id without seeing
	 * the e-mail; the lists show it to admins only. */
	r = adm_req("POST", API "/bans", mod.token, it_strf(
	    "{\"comment_id\": %lld, \"expires_at\": \"2999-01-01T00:00:00Z\"}",
	    id));
	IT_REQUIRE_STATUS(r, 201);
	ban = it_jint(r->json, "ban.id", -1);
	IT_CHECK_STR(it_jstr(r->json, "ban.kind"), "email");
	IT_CHECK(json_object_get(it_jget(r->json, "ban"), "value") == NULL);
	IT_CHECK(strstr(r->body, email) == NULL);
	r = adm_req("POST", API "/bans", mod.token, it_strf(
	    "{\"kind\": \"email_domain\", \"value\": \"pd%s.example\"}",
	    run_id));
	IT_REQUIRE_STATUS(r, 201);
	dom = it_jint(r->json, "ban.id", -1);
	r = adm_req("GET", API "/bans", mod.token, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK(strstr(r->body, email) == NULL);
	IT_CHECK(find_id(it_jget(r->json, "bans"), ban) != NULL &&
	    json_object_get(find_id(it_jget(r->json, "bans"), ban),
	    "value") == NULL);
	IT_CHECK_STR(it_jstr(find_id(it_jget(r->json, "bans"), dom),
	    "value"), it_strf("pd%s.example", run_id));
	r = adm_req("GET", API "/bans", adm.token, NULL);
	IT_CHECK_STR(it_jstr(find_id(it_jget(r->json, "bans"), ban),
	    "value"), email);

	/* Where the admins allow it, moderators see them too. */
	p = it_server(&base2, "1", "COMMENTD_MODERATORS_SEE_PERSONAL_DATA="
	    "true", (char *)NULL);
	IT_REQUIRE(p != NULL);
	r = it_http_at(base2, "GET", it_strf("%s/comments/%lld", API, id),
	    (const char *[]){ it_bearer(mod.token), NULL }, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_STR(it_jstr(r->json, "comment.email"), email);
	IT_CHECK_STR(it_jstr(r->json, "comment.ip"), "127.0.0.1");
	IT_CHECK_STR(it_jstr(r->json, "comment.user_agent"), UA);
	r = it_http_at(base2, "GET", path, (const char *[]){
	    it_bearer(mod.token), NULL }, NULL, 0);
	check_personal(find_id(it_jget(r->json, "comments"), id), true,
	    "moderator's queue, allowed");
	r = it_http_at(base2, "GET", API "/bans", (const char *[]){
	    it_bearer(mod.token), NULL }, NULL, 0);
	IT_CHECK_STR(it_jstr(find_id(it_jget(r->json, "bans"), ban),
	    "value"), email);
	IT_CHECK_STATUS(adm_req("DELETE", it_strf("%s/bans/%lld", API, ban),
	    adm.token, NULL), 204);
	IT_CHECK_STATUS(adm_req("DELETE", it_strf("%s/bans/%lld", API, dom),
	    adm.token, NULL), 204);
}

int
main(int argc, char **argv)
{
	snprintf(run_id, sizeof run_id, "%ld-%ld", (long)getpid(),
	    (long)time(NULL));
	bin = getenv("COMMENTD_TEST_BIN");
	return it_main(tests, sizeof tests / sizeof tests[0], argc, argv);
}
