/*
 * test_api.c - integration tests of the public HTTP API against a running
 * commentd and its PostgreSQL database (see README.md, "API").
 *
 * The harness (tests/run-tests.sh) starts the server and passes
 * COMMENTD_TEST_URL, COMMENTD_TEST_DB and COMMENTD_TEST_PGDIR.  Moderation
 * is done behind the server's back with SQL, as a moderator's client
 * would; the server learns of it through NOTIFY, so reads that must see
 * such a change poll for a short, bounded time (FRESH_S).
 *
 * Every article key carries a per-run prefix, so the tests can run twice
 * against one database.  test_database_restart stops PostgreSQL and must
 * stay last.
 */
#include <pthread.h>
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

#define NOTICE_AR	"تم أضافة تعليقك سوف يظهر بعد المراجعة"
#define NOTICE_EN	"Your comment was added and will appear after review."

/*
 * How long a read may lag a change made in SQL (NOTIFY is asynchronous):
 * a deadline polled against, generous for a busy machine, longer under
 * the sanitizers.  The lag itself is only noted.
 */
#define FRESH_S		(10.0 * it_time_factor())
/*
 * A 503 while PostgreSQL is down comes after at most the harness's
 * COMMENTD_DB_QUEUE_TIMEOUT_MS (1 s): this allows scheduling on a busy
 * machine, yet no wait for a connection that will not come.
 */
#define DOWN_ANSWER_S	(3.0 * it_time_factor())

/* Paragraphs 1 and 6 of the seed article, exactly as published. */
#define SEED_P1								\
	"أبلغ الزعيم الكوري الشمالي كيم "				\
	"جونج أون الرئيس الروسي "					\
	"فلاديمير بوتين، اليوم "					\
	"الأربعاء، أن بلاده تقدم \"دعمها "				\
	"الكامل وغير المشروط\" لـما وصفه "				\
	"بـ\"الكفاح المقدس\" الذي تخوضه "				\
	"روسيا للدفاع عن مصالحها "					\
	"الأمنية، في إشارة إلى الحرب في "				\
	"أوكرانيا."
#define SEED_P6								\
	"وردا على سؤال عما إذا كانت "					\
	"روسيا ستساعد كوريا الشمالية في "				\
	"بناء أقمار صناعية، نقلت وسائل "				\
	"الإعلام الرسمية الروسية عن "					\
	"بوتين قوله \"لهذا السبب جئنا "					\
	"إلى هنا. يُظهر زعيم كوريا "					\
	"الديمقراطية اهتمامًا كبيرًا "					\
	"بتكنولوجيا الصواريخ. إنهم "					\
	"يحاولون تطوير الفضاء أيضًا\" "					\
	"وردا على سؤال حول التعاون "					\
	"العسكري، قال بوتين: “سنتحدث عن "				\
	"جميع القضايا دون تسرع. هناك "					\
	"متسع من الوقت.\""

static const char *const json_ct[] = {
	"Content-Type: application/json", NULL
};

/* Fields that must never reach the public list. */
static const char *const private_fields[] = {
	"email", "ip", "user_agent", "submitter_token",
	"submitter_token_hash", "token", "idempotency_key", "spam_score",
	"spam_flags", "moderated_by", NULL
};

static char	 run_id[48];

struct bg;

struct edge {
	long long	 parent;
	long long	 child;
};

static const char *new_key(const char *);
static struct it_resp *post_json(const char *, const char *, const char *,
	    const char *);
static const char *comment_json(const char *, const char *, long long);
static long long add_comment_at(const char *, int, const char *,
	    const char *, const char *, long long, const char **);
static bool	 set_status_at(const char *, int, long long, const char *);
static struct it_resp *get_list_at(const char *, int, const char *,
	    long long);
static struct it_resp *get_own(long long, const char *);
static const char *field_code(const struct it_resp *, const char *);
static void	 check_public(const json_t *);
static void	 check_thread(const json_t *, const struct edge *, size_t);
static bool	 location_is(const struct it_resp *, long long);
static char	*repeat(const char *, size_t);
static const char *sized_json(size_t);
static int	 pg_sh(const char *);
static int	 bg_ok(struct bg *);
static void	*bg_main(void *);

static void	 test_submit_pending(void);
static void	 test_arabic_round_trip(void);
static void	 test_nesting_pagination(void);
static void	 test_parent_rules(void);
static void	 test_errors(void);
static void	 test_idempotency(void);
static void	 test_idempotency_mismatch(void);
static void	 test_own_comment(void);
static void	 test_etag(void);
static void	 test_counts(void);
static void	 test_health(void);
static void	 test_database_restart(void);

#define add_comment(k, a, b, p, t)					\
	add_comment_at(__FILE__, __LINE__, (k), (a), (b), (p), (t))
#define set_status(id, st)						\
	set_status_at(__FILE__, __LINE__, (id), (st))
#define get_list(path, total)						\
	get_list_at(__FILE__, __LINE__, (path), (total))
#define CHECK_ERROR(r, st, code)					\
	it_check_error_at(__FILE__, __LINE__, (r), (st), (code))

/* -- helpers -------------------------------------------------------------- */

/* An article key no other run or test uses. */
static const char *
new_key(const char *tag)
{
	return it_strf("itest-%s-%s", run_id, tag);
}

/* POSTs json to the article with up to two extra headers (may be NULL). */
static struct it_resp *
post_json(const char *key, const char *json, const char *h1, const char *h2)
{
	const char	*h[4];
	int		 n = 0;

	h[n++] = "Content-Type: application/json";
	if (h1 != NULL)
		h[n++] = h1;
	if (h2 != NULL)
		h[n++] = h2;
	h[n] = NULL;
	return it_http("POST", it_list_path(key), h, json, (size_t)-1);
}

static const char *
comment_json(const char *author, const char *body, long long parent)
{
	json_t	*o;

	o = json_pack("{s:s, s:s}", "author", author, "body", body);
	if (parent > 0)
		json_object_set_new(o, "parent_id", json_integer(parent));
	return it_dump(o);
}

/*
 * Posts a comment that must be accepted as pending (202).  Returns its id
 * (and its submitter token through tokenp, if not NULL), or -1.
 */
static long long
add_comment_at(const char *file, int line, const char *key,
    const char *author, const char *body, long long parent,
    const char **tokenp)
{
	struct it_resp	*r;
	long long	 id;

	r = post_json(key, comment_json(author, body, parent), NULL, NULL);
	if (!it_check_status_at(file, line, r, 202))
		return -1;
	id = it_jint(r->json, "comment.id", -1);
	if (!it_check_at(file, line, id > 0, "comment.id in the answer"))
		return -1;
	if (tokenp != NULL)
		*tokenp = it_jstr(r->json, "submitter_token");
	return id;
}

/* A moderator's decision, made directly in the database. */
static bool
set_status_at(const char *file, int line, long long id, const char *st)
{
	PGresult	*res;

	res = it_sql_at(file, line, "UPDATE comments SET status = $2, "
	    "moderated_at = now(), moderated_by = 'itest' WHERE id = $1",
	    it_strf("%lld", id), st, (char *)NULL);
	if (res == NULL)
		return false;
	return it_check_at(file, line, strcmp(PQcmdTuples(res), "1") == 0,
	    "comment %lld set to %s", id, st);
}

/*
 * GETs a list until it answers 200 with the wanted total, for at most
 * FRESH_S: the server's cache hears of SQL changes asynchronously.
 */
static struct it_resp *
get_list_at(const char *file, int line, const char *path, long long want)
{
	struct it_resp	*r;
	double		 t0 = it_now();

	for (;;) {
		r = it_http("GET", path, NULL, NULL, 0);
		if (r->status == 200 && it_jint(r->json, "total", -1) == want)
			break;
		if (it_now() - t0 > FRESH_S)
			break;
		it_sleep_ms(50);
	}
	if (it_now() - t0 > 0.5)
		it_note("%s took %.2f s to show total %lld", path,
		    it_now() - t0, want);
	it_check_status_at(file, line, r, 200);
	it_check_at(file, line, it_jint(r->json, "total", -1) == want,
	    "GET %s: total is %lld, want %lld", path,
	    it_jint(r->json, "total", -1), want);
	return r;
}

static struct it_resp *
get_own(long long id, const char *token)
{
	const char	*h[2] = { NULL, NULL };

	if (token != NULL)
		h[0] = it_strf("X-Submitter-Token: %s", token);
	return it_http("GET", it_strf("/api/v1/comments/%lld", id), h, NULL,
	    0);
}

static const char *
field_code(const struct it_resp *r, const char *field)
{
	return it_jstr(r->json, it_strf("error.fields.%s", field));
}

/* No comment in a public list, at any depth, shows a private field. */
static void
check_public(const json_t *comments)
{
	const json_t	*c;
	size_t		 i, j;

	json_array_foreach(comments, i, c) {
		for (j = 0; private_fields[j] != NULL; j++)
			IT_CHECKF(json_object_get(c, private_fields[j]) == NULL,
			    "public comment %lld shows \"%s\"",
			    it_jint(c, "id", -1), private_fields[j]);
		IT_CHECKF(json_is_array(json_object_get(c, "replies")),
		    "public comment %lld has a replies array",
		    it_jint(c, "id", -1));
		check_public(json_object_get(c, "replies"));
	}
}
/*
 * c's replies are exactly its children in edges (which are listed oldest
 * first), each with parent_id c.id, recursively.
 */
static void
check_thread(const json_t *c, const struct edge *edges, size_t nedges)
{
	const json_t	*replies, *r;
	long long	 id = it_jint(c, "id", -1);
	size_t		 i, n = 0;

	replies = json_object_get(c, "replies");
	if (!IT_CHECKF(json_is_array(replies), "comment %lld has replies",
	    id))
		return;
	for (i = 0; i < nedges; i++) {
		if (edges[i].parent != id)
			continue;
		r = json_array_get(replies, n++);
		if (!IT_CHECKF(r != NULL, "comment %lld lacks reply %lld", id,
		    edges[i].child))
			continue;
		IT_CHECKF(it_jint(r, "id", -1) == edges[i].child,
		    "reply %zu of %lld is %lld, want %lld", n - 1, id,
		    it_jint(r, "id", -1), edges[i].child);
		IT_CHECKF(it_jint(r, "parent_id", -1) == id,
		    "reply %lld has parent_id %lld, want %lld",
		    it_jint(r, "id", -1), it_jint(r, "parent_id", -1), id);
		check_thread(r, edges, nedges);
	}
	IT_CHECKF(json_array_size(replies) == n,
	    "comment %lld has %zu replies, want %zu", id,
	    json_array_size(replies), n);
}

/* Location names the comment: "/api/v1/comments/ID", maybe absolute. */
static bool
location_is(const struct it_resp *r, long long id)
{
	const char	*loc = it_header(r, "Location");
	const char	*want = it_strf("/api/v1/comments/%lld", id);
	size_t		 ll, wl = strlen(want);

	if (loc == NULL || (ll = strlen(loc)) < wl)
		return false;
	if (strcmp(loc + ll - wl, want) != 0)
		return false;
	return ll == wl || strncmp(loc, "http", 4) == 0;
}

/* s repeated n times, owned by the test case. */
static char *
repeat(const char *s, size_t n)
{
	size_t	 len = strlen(s), i;
	char	*out;

	out = it_own(malloc(len * n + 1));
	if (out == NULL)
		abort();
	for (i = 0; i < n; i++)
		memcpy(out + i * len, s, len);
	out[len * n] = '\0';
	return out;
}

/* A comment's JSON of exactly size bytes (size >= 30). */
static const char *
sized_json(size_t size)
{
	const char	*pre = "{\"author\": \"a\", \"body\": \"";
	const char	*post = "\"}";

	return it_strf("%s%s%s", pre, repeat("a", size - strlen(pre) -
	    strlen(post)), post);
}

/* deploy/pg.sh stop|start on the test cluster; its exit status. */
static int
pg_sh(const char *what)
{
	char	*argv[] = { (char *)"deploy/pg.sh", (char *)what,
		    (char *)it_pgdir, NULL };

	return it_run_cmd(argv, 60);
}

/* -- 1. submit, pending, then approved ------------------------------------ */

static void
test_submit_pending(void)
{
	const char	*key = new_key("submit"), *path = it_list_path(key);
	const char	*token, *ca;
	struct it_resp	*r, *en, *l;
	const json_t	*c;
	long long	 id, id2;

	r = post_json(key, "{\"author\": \"ليلى\", \"email\": "
	    "\"laila@example.com\", \"body\": \"نص التعليق\", "
	    "\"parent_id\": null}", "Accept-Language: ar", NULL);
	IT_REQUIRE_STATUS(r, 202);
	IT_CHECK(it_is_json_type(r));
	IT_REQUIRE(json_is_object(r->json));
	id = it_jint(r->json, "comment.id", -1);
	IT_REQUIRE(id > 0);
	IT_CHECK_STR(it_jstr(r->json, "comment.status"), "pending");
	IT_CHECK_STR(it_jstr(r->json, "comment.article"), key);
	IT_CHECK(it_jnull(r->json, "comment.parent_id"));
	IT_CHECK_STR(it_jstr(r->json, "comment.author"), "ليلى");
	IT_CHECK_STR(it_jstr(r->json, "comment.body"), "نص التعليق");
	ca = it_jstr(r->json, "comment.created_at");
	IT_CHECKF(ca != NULL && strlen(ca) >= 20 && ca[4] == '-' &&
	    ca[10] == 'T', "created_at is an RFC 3339 time: %s",
	    ca != NULL ? ca : "(none)");
	token = it_jstr(r->json, "submitter_token");
	IT_CHECKF(token != NULL && strlen(token) >= 16,
	    "submitter_token is a long string");
	IT_CHECK_STR(it_jstr(r->json, "notice"), NOTICE_AR);
	IT_CHECK_STR(it_jstr(r->json, "lang"), "ar");
	IT_CHECKF(location_is(r, id), "Location is %s, want "
	    "/api/v1/comments/%lld", it_header(r, "Location") != NULL ?
	    it_header(r, "Location") : "(none)", id);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comments WHERE id = $1 "
	    "AND status = 'pending'", it_strf("%lld", id), (char *)NULL), 1);

	en = post_json(key, "{\"author\": \"Sam\", \"body\": \"Hello\"}",
	    "Accept-Language: en-GB,en;q=0.8", NULL);
	IT_REQUIRE_STATUS(en, 202);
	id2 = it_jint(en->json, "comment.id", -1);
	IT_CHECK(id2 > id);
	IT_CHECK_STR(it_jstr(en->json, "notice"), NOTICE_EN);
	IT_CHECK_STR(it_jstr(en->json, "lang"), "en");
	IT_CHECK_STR(it_jstr(en->json, "comment.status"), "pending");

	/* q-values decide; nothing known or no header: the default, ar. */
	en = post_json(key, "{\"author\": \"Sam\", \"body\": \"Hi\"}",
	    "Accept-Language: ar;q=0.2, en;q=0.9", NULL);
	IT_CHECK_STATUS(en, 202);
	IT_CHECK_STR(it_jstr(en->json, "lang"), "en");
	en = post_json(key, "{\"author\": \"Sam\", \"body\": \"Salut\"}",
	    "Accept-Language: fr-FR,fr;q=0.9", NULL);
	IT_CHECK_STATUS(en, 202);
	IT_CHECK_STR(it_jstr(en->json, "notice"), NOTICE_AR);
	en = post_json(key, "{\"author\": \"Sam\", \"body\": \"Hey\"}",
	    NULL, NULL);
	IT_CHECK_STATUS(en, 202);
	IT_CHECK_STR(it_jstr(en->json, "lang"), "ar");
	IT_CHECK_STR(it_jstr(en->json, "notice"), NOTICE_AR);

	/* The article exists now, with nothing to show. */
	l = get_list(path, 0);
	IT_CHECK(it_is_json_type(l));
	IT_CHECK_STR(it_jstr(l->json, "article.key"), key);
	IT_CHECK_STR(it_jstr(l->json, "article.mode"), "premoderated");
	IT_CHECK(json_is_array(it_jget(l->json, "comments")));
	IT_CHECK_INT(json_array_size(it_jget(l->json, "comments")), 0);
	IT_CHECK(it_jnull(l->json, "next"));

	IT_REQUIRE(set_status(id, "approved"));
	l = get_list(path, 1);
	IT_REQUIRE_STATUS(l, 200);
	c = it_jget(l->json, "comments.0");
	IT_CHECK_INT(json_array_size(it_jget(l->json, "comments")), 1);
	IT_CHECK_INT(it_jint(c, "id", -1), id);
	IT_CHECK_STR(it_jstr(c, "author"), "ليلى");
	IT_CHECK_STR(it_jstr(c, "body"), "نص التعليق");
	IT_CHECK(it_jnull(c, "parent_id"));
	IT_CHECK(it_jstr(c, "created_at") != NULL);
	IT_CHECK(!it_tree_has_id(it_jget(l->json, "comments"), id2));
	check_public(it_jget(l->json, "comments"));
	IT_CHECK(strstr(l->body, "laila@example.com") == NULL);
	IT_CHECK(token == NULL || strstr(l->body, token) == NULL);
}

/* -- 2. Arabic text round-trips, clean-up --------------------------------- */

static void
test_arabic_round_trip(void)
{
	const char	*key = new_key("arabic"), *path = it_list_path(key);
	const char	*body = SEED_P1 "\n" SEED_P6, *author = "ليلى عبد الله";
	const char	*token;
	struct it_resp	*r, *l;
	long long	 id;

	r = post_json(key, comment_json(author, body, 0), NULL, NULL);
	IT_REQUIRE_STATUS(r, 202);
	id = it_jint(r->json, "comment.id", -1);
	token = it_jstr(r->json, "submitter_token");
	IT_REQUIRE(id > 0 && token != NULL);
	IT_CHECK_STR(it_jstr(r->json, "comment.body"), body);
	IT_CHECK_STR(it_jstr(r->json, "comment.author"), author);

	r = get_own(id, token);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_STR(it_jstr(r->json, "comment.body"), body);
	IT_CHECK_STR(it_jstr(r->json, "comment.author"), author);

	/* What the server stored, not only what it echoed. */
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comments WHERE id = $1 "
	    "AND body = $2 AND author = $3", it_strf("%lld", id), body, author,
	    (char *)NULL), 1);

	IT_REQUIRE(set_status(id, "approved"));
	l = get_list(path, 1);
	IT_CHECK_STR(it_jstr(l->json, "comments.0.body"), body);
	IT_CHECK_STR(it_jstr(l->json, "comments.0.author"), author);

	/* Alef + combining hamza above (U+0627 U+0654) composes to U+0623. */
	r = post_json(key, comment_json("\xd8\xa7\xd9\x94" "حمد",
	    "س" "\xd8\xa7\xd9\x94" "ل عن الموعد", 0), NULL, NULL);
	IT_CHECK_STATUS(r, 202);
	IT_CHECK_STR(it_jstr(r->json, "comment.author"), "أحمد");
	IT_CHECK_STR(it_jstr(r->json, "comment.body"), "سأل عن الموعد");

	/* Controls dropped (C0, DEL, C1), ends trimmed, CRLF becomes LF. */
	r = post_json(key, "{\"author\": \" \\u0007سامي\\t \", \"body\": "
	    "\"  \\u0007مرحبا\\u001b بكم\\u007f\\r\\nسطر\\u0085 ثان\\r\\n  \"}",
	    NULL, NULL);
	IT_CHECK_STATUS(r, 202);
	IT_CHECK_STR(it_jstr(r->json, "comment.author"), "سامي");
	IT_CHECK_STR(it_jstr(r->json, "comment.body"), "مرحبا بكم\nسطر ثان");
	id = it_jint(r->json, "comment.id", -1);
	token = it_jstr(r->json, "submitter_token");
	if (id > 0 && token != NULL) {
		r = get_own(id, token);
		IT_CHECK_STR(it_jstr(r->json, "comment.body"),
		    "مرحبا بكم\nسطر ثان");
	}

	/* A tab becomes a space: dropping it would join the words. */
	r = post_json(key, "{\"author\": \"سامي\", \"body\": "
	    "\"مرحبا\\tبكم\"}", NULL, NULL);
	IT_CHECK_STATUS(r, 202);
	IT_CHECK_STR(it_jstr(r->json, "comment.body"), "مرحبا بكم");

	/* An escaped NUL is a control character like the others. */
	r = post_json(key, "{\"author\": \"سامي\", \"body\": "
	    "\"قبل\\u0000بعد\"}", NULL, NULL);
	IT_CHECK_STATUS(r, 202);
	IT_CHECK_STR(it_jstr(r->json, "comment.body"), "قبلبعد");
}

/* -- 3. nesting and pagination -------------------------------------------- */

static void
test_nesting_pagination(void)
{
	const char	*key = new_key("thread"), *path = it_list_path(key);
	const char	*cursor, *url;
	const char	*orders[2] = { "oldest", "newest" };
	struct it_resp	*r;
	struct edge	 edges[4];
	const json_t	*arr, *c, *next;
	long long	 top[7], ids[16], r1, r2, r3, r4, pend, rej, want;
	size_t		 i, n;
	int		 o, k, pages;

	for (k = 0; k < 7; k++) {
		top[k] = add_comment(key, "قارئ", it_strf("تعليق رقم %d",
		    k + 1), 0, NULL);
		IT_REQUIRE(top[k] > 0);
		IT_REQUIRE(set_status(top[k], "approved"));
	}
	r1 = add_comment(key, "Sam", "رد على التعليق الثاني", top[1], NULL);
	IT_REQUIRE(r1 > 0 && set_status(r1, "approved"));
	r2 = add_comment(key, "ليلى", "رد على الرد", r1, NULL);
	IT_REQUIRE(r2 > 0 && set_status(r2, "approved"));
	r3 = add_comment(key, "Sam", "رد ثان على التعليق الثاني", top[1],
	    NULL);
	IT_REQUIRE(r3 > 0 && set_status(r3, "approved"));
	r4 = add_comment(key, "قارئ", "رد على السادس", top[5], NULL);
	IT_REQUIRE(r4 > 0 && set_status(r4, "approved"));
	pend = add_comment(key, "قارئ", "رد ينتظر المراجعة", top[3], NULL);
	IT_REQUIRE(pend > 0);
	rej = add_comment(key, "قارئ", "رد مرفوض", top[6], NULL);
	IT_REQUIRE(rej > 0 && set_status(rej, "rejected"));
	edges[0] = (struct edge){ top[1], r1 };
	edges[1] = (struct edge){ r1, r2 };
	edges[2] = (struct edge){ top[1], r3 };
	edges[3] = (struct edge){ top[5], r4 };

	/* Default: oldest first, everything on one page. */
	r = get_list(path, 11);
	IT_REQUIRE_STATUS(r, 200);
	arr = it_jget(r->json, "comments");
	IT_CHECK_INT(json_array_size(arr), 7);
	IT_CHECK(it_jnull(r->json, "next"));
	for (k = 0; k < 7; k++)
		IT_CHECK_INT(it_jint(arr, it_strf("%d.id", k), -1), top[k]);

	for (o = 0; o < 2; o++) {
		n = 0;
		cursor = NULL;
		for (pages = 1; pages <= 10; pages++) {
			url = it_strf("%s?order=%s&limit=3", path, orders[o]);
			if (cursor != NULL)
				url = it_strf("%s&cursor=%s", url,
				    it_pct(cursor));
			r = it_http("GET", url, NULL, NULL, 0);
			IT_REQUIRE_STATUS(r, 200);
			IT_CHECK_INT(it_jint(r->json, "total", -1), 11);
			arr = it_jget(r->json, "comments");
			IT_REQUIRE(json_is_array(arr));
			IT_CHECKF(json_array_size(arr) == (pages < 3 ? 3 : 1),
			    "page %d of %s has %zu threads", pages,
			    orders[o], json_array_size(arr));
			json_array_foreach(arr, i, c) {
				if (n < CS_NELEM(ids))
					ids[n++] = it_jint(c, "id", -1);
				IT_CHECK(it_jnull(c, "parent_id"));
				check_thread(c, edges, CS_NELEM(edges));
			}
			check_public(arr);
			IT_CHECKF(!it_tree_has_id(arr, pend),
			    "pending reply %lld is listed", pend);
			IT_CHECKF(!it_tree_has_id(arr, rej),
			    "rejected reply %lld is listed", rej);
			next = it_jget(r->json, "next");
			if (json_is_null(next))
				break;
			IT_REQUIREF(json_is_string(next),
			    "next is a string or null");
			cursor = json_string_value(next);
		}
		IT_CHECKF(pages == 3, "%s: %d pages, want 3", orders[o], pages);
		IT_CHECKF(n == 7, "%s: %zu threads in all, want 7", orders[o],
		    n);
		for (k = 0; k < 7 && (size_t)k < n; k++) {
			want = o == 0 ? top[k] : top[6 - k];
			IT_CHECKF(ids[k] == want, "%s: thread %d is %lld, want "
			    "%lld", orders[o], k, ids[k], want);
		}
	}

	/* Without limit, a page is 50 threads. */
	key = new_key("many");
	for (k = 0; k < 51; k++)
		IT_REQUIRE(add_comment(key, "قارئ", "تعليق", 0, NULL) > 0);
	IT_REQUIRE(it_sql("UPDATE comments SET status = 'approved' WHERE "
	    "article_id = (SELECT id FROM articles WHERE key = $1)", key,
	    (char *)NULL) != NULL);
	r = get_list(it_list_path(key), 51);
	IT_CHECK_INT(json_array_size(it_jget(r->json, "comments")), 50);
	cursor = it_jstr(r->json, "next");
	IT_REQUIRE(cursor != NULL);
	r = it_http("GET", it_strf("%s?cursor=%s", it_list_path(key),
	    it_pct(cursor)), NULL, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(json_array_size(it_jget(r->json, "comments")), 1);
	IT_CHECK(it_jnull(r->json, "next"));
}

/* -- 4. parent_id rules --------------------------------------------------- */

static void
test_parent_rules(void)
{
	const char	*a = new_key("parent-a"), *b = new_key("parent-b");
	struct it_resp	*r;
	long long	 pending, rejected, other, max;

	pending = add_comment(a, "قارئ", "تعليق ينتظر", 0, NULL);
	rejected = add_comment(a, "قارئ", "تعليق مرفوض", 0, NULL);
	other = add_comment(b, "قارئ", "تعليق في مقال آخر", 0, NULL);
	IT_REQUIRE(pending > 0 && rejected > 0 && other > 0);
	IT_REQUIRE(set_status(rejected, "rejected"));
	IT_REQUIRE(set_status(other, "approved"));

	r = post_json(a, comment_json("Sam", "رد", pending), NULL, NULL);
	CHECK_ERROR(r, 422, "validation_failed");
	IT_CHECK_STR(field_code(r, "parent_id"), "not_found");

	r = post_json(a, comment_json("Sam", "رد", rejected), NULL, NULL);
	CHECK_ERROR(r, 422, "validation_failed");
	IT_CHECK_STR(field_code(r, "parent_id"), "not_found");

	r = post_json(a, comment_json("Sam", "رد", other), NULL, NULL);
	CHECK_ERROR(r, 422, "validation_failed");
	IT_CHECK_STR(field_code(r, "parent_id"), "not_found");

	max = it_sql_ll("SELECT coalesce(max(id), 0) FROM comments",
	    (char *)NULL);
	r = post_json(a, comment_json("Sam", "رد", max + 1000000), NULL,
	    NULL);
	CHECK_ERROR(r, 422, "validation_failed");
	IT_CHECK_STR(field_code(r, "parent_id"), "not_found");

	/* None of the refused replies was stored. */
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comments c JOIN articles "
	    "a ON a.id = c.article_id WHERE a.key = $1", a, (char *)NULL), 2);

	/* And the approved parent in its own article is fine. */
	IT_CHECK(add_comment(b, "Sam", "رد صحيح", other, NULL) > 0);
}

/* -- 5. every error status ------------------------------------------------ */

static void
test_errors(void)
{
	const char	*key = new_key("errors"), *path = it_list_path(key);
	const char	*closed = new_key("closed"), *post = new_key("post");
	const char	*slash, *long_key, *allow, *h[3], *code, *ok_body;
	struct it_resp	*r;
	long long	 id, n;

	IT_REQUIRE(add_comment(key, "قارئ", "أول تعليق", 0, NULL) > 0);
	n = it_sql_ll("SELECT count(*) FROM comments", (char *)NULL);

	/* 400 malformed_json */
	r = post_json(key, "{\"author\": \"قارئ\", \"body\": ", NULL, NULL);
	CHECK_ERROR(r, 400, "malformed_json");
	r = post_json(key, "[\"قارئ\", \"نص\"]", NULL, NULL);
	CHECK_ERROR(r, 400, "malformed_json");
	r = post_json(key, "{\"author\": \"a\", \"author\": \"b\", "
	    "\"body\": \"نص\"}", NULL, NULL);
	CHECK_ERROR(r, 400, "malformed_json");
	r = post_json(key, "{\"author\": \"a\", \"body\": \"b\"} x", NULL,
	    NULL);
	CHECK_ERROR(r, 400, "malformed_json");
	r = post_json(key, "", NULL, NULL);
	CHECK_ERROR(r, 400, "malformed_json");

	/* 415 */
	h[0] = "Content-Type: text/plain";
	h[1] = NULL;
	r = it_http("POST", path, h, "{\"author\": \"a\", \"body\": \"b\"}",
	    (size_t)-1);
	CHECK_ERROR(r, 415, "unsupported_media_type");
	/* A media type parameter does not make it another type. */
	h[0] = "Content-Type: application/json; charset=utf-8";
	r = it_http("POST", path, h, "{\"author\": \"a\", \"body\": \"b\"}",
	    (size_t)-1);
	if (IT_CHECK_STATUS(r, 202))
		n++;

	/* 413: about 100 KB, Content-Length set by curl. */
	r = post_json(key, sized_json(100 * 1024), NULL, NULL);
	CHECK_ERROR(r, 413, "payload_too_large");
	/* The limit itself is allowed in: too long a body, not too large. */
	r = post_json(key, sized_json(65536), NULL, NULL);
	CHECK_ERROR(r, 422, "validation_failed");
	IT_CHECK_STR(field_code(r, "body"), "too_long");
	r = post_json(key, sized_json(65537), NULL, NULL);
	CHECK_ERROR(r, 413, "payload_too_large");

	/* 422 and its field codes */
	r = post_json(key, "{\"body\": \"نص\"}", NULL, NULL);
	CHECK_ERROR(r, 422, "validation_failed");
	IT_CHECK_STR(field_code(r, "author"), "required");
	r = post_json(key, comment_json("قارئ", repeat("ب", 5001), 0), NULL,
	    NULL);
	CHECK_ERROR(r, 422, "validation_failed");
	IT_CHECK_STR(field_code(r, "body"), "too_long");
	r = post_json(key, comment_json(repeat("ب", 81), "نص", 0), NULL,
	    NULL);
	CHECK_ERROR(r, 422, "validation_failed");
	IT_CHECK_STR(field_code(r, "author"), "too_long");
	r = post_json(key, "{\"author\": \"a\", \"body\": \"\"}", NULL, NULL);
	CHECK_ERROR(r, 422, "validation_failed");
	code = field_code(r, "body");
	IT_CHECKF(code != NULL && (strcmp(code, "too_short") == 0 ||
	    strcmp(code, "required") == 0), "empty body: fields.body is %s",
	    code != NULL ? code : "(none)");
	r = post_json(key, "{\"author\": \"a\", \"body\": \"b\", \"foo\": 1}",
	    NULL, NULL);
	CHECK_ERROR(r, 422, "validation_failed");
	IT_CHECK_STR(field_code(r, "foo"), "unknown_field");
	r = post_json(key, "{\"author\": \"a\", \"body\": \"b\", "
	    "\"parent_id\": \"12\"}", NULL, NULL);
	CHECK_ERROR(r, 422, "validation_failed");
	IT_CHECK_STR(field_code(r, "parent_id"), "invalid_type");
	r = post_json(key, "{\"author\": \"a\", \"body\": \"b\", "
	    "\"email\": \"not an address\"}", NULL, NULL);
	CHECK_ERROR(r, 422, "validation_failed");
	IT_CHECK_STR(field_code(r, "email"), "invalid");
	/* Bytes that are not UTF-8 are not a JSON text (README: 400). */
	r = post_json(key, "{\"author\": \"a\", \"body\": \"\xd8\x28\"}",
	    NULL, NULL);
	CHECK_ERROR(r, 400, "malformed_json");
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comments", (char *)NULL),
	    n);

	/* Lengths are characters, not bytes, and counted after trimming. */
	ok_body = repeat("ب", 5000);
	r = post_json(key, comment_json("قارئ", ok_body, 0), NULL, NULL);
	IT_CHECK_STATUS(r, 202);
	IT_CHECK_STR(it_jstr(r->json, "comment.body"), ok_body);
	r = post_json(key, comment_json("قارئ", it_strf("  %s\n", ok_body), 0),
	    NULL, NULL);
	IT_CHECK_STATUS(r, 202);
	r = post_json(key, comment_json(repeat("ب", 80), "نص", 0), NULL,
	    NULL);
	IT_CHECK_STATUS(r, 202);

	/* 404 */
	r = it_http("GET", "/api/v1/nope", NULL, NULL, 0);
	CHECK_ERROR(r, 404, "not_found");
	r = it_http("GET", "/nope", NULL, NULL, 0);
	CHECK_ERROR(r, 404, "not_found");
	/* An article never commented: an empty page, not an error. */
	r = it_http("GET", it_list_path(new_key("never-commented")), NULL, NULL,
	    0);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(it_jint(r->json, "total", -1), 0);
	id = it_jint(post_json(key, comment_json("قارئ", "نص", 0), NULL,
	    NULL)->json, "comment.id", -1);
	IT_REQUIRE(id > 0);
	CHECK_ERROR(get_own(id, NULL), 404, "not_found");
	CHECK_ERROR(get_own(id, "bm90IHRoZSB0b2tlbg"), 404, "not_found");
	h[0] = "X-Submitter-Token: x";
	h[1] = NULL;
	r = it_http("GET", "/api/v1/comments/abc", h, NULL, 0);
	CHECK_ERROR(r, 404, "not_found");

	/* 405 with Allow */
	r = it_http("DELETE", "/api/v1/articles/x/comments", NULL, NULL, 0);
	CHECK_ERROR(r, 405, "method_not_allowed");
	allow = it_header(r, "Allow");
	IT_CHECKF(allow != NULL && strstr(allow, "GET") != NULL &&
	    strstr(allow, "POST") != NULL, "Allow is %s, want GET, POST",
	    allow != NULL ? allow : "(none)");
	r = it_http("POST", "/api/v1/counts?article=x", json_ct, "{}",
	    (size_t)-1);
	CHECK_ERROR(r, 405, "method_not_allowed");
	allow = it_header(r, "Allow");
	IT_CHECKF(allow != NULL && strstr(allow, "GET") != NULL,
	    "Allow is %s, want GET", allow != NULL ? allow : "(none)");

	/* 400 invalid_parameter, naming the parameter */
	r = it_http("GET", it_strf("%s?limit=0", path), NULL, NULL, 0);
	CHECK_ERROR(r, 400, "invalid_parameter");
	IT_CHECK(field_code(r, "limit") != NULL);
	r = it_http("GET", it_strf("%s?limit=abc", path), NULL, NULL, 0);
	CHECK_ERROR(r, 400, "invalid_parameter");
	IT_CHECK(field_code(r, "limit") != NULL);
	r = it_http("GET", it_strf("%s?limit=201", path), NULL, NULL, 0);
	CHECK_ERROR(r, 400, "invalid_parameter");
	r = it_http("GET", it_strf("%s?order=sideways", path), NULL, NULL, 0);
	CHECK_ERROR(r, 400, "invalid_parameter");
	IT_CHECK(field_code(r, "order") != NULL);
	r = it_http("GET", it_strf("%s?cursor=%%21%%21bogus", path), NULL,
	    NULL, 0);
	CHECK_ERROR(r, 400, "invalid_parameter");
	IT_CHECK(field_code(r, "cursor") != NULL);
	r = it_http("GET", it_strf("%s?limit=200&order=newest", path), NULL,
	    NULL, 0);
	IT_CHECK_STATUS(r, 200);

	/* 403 article_closed */
	IT_REQUIRE(add_comment(closed, "قارئ", "قبل الإغلاق", 0, NULL) > 0);
	IT_REQUIRE(it_sql("UPDATE articles SET mode = 'closed' WHERE key = $1",
	    closed, (char *)NULL) != NULL);
	r = post_json(closed, comment_json("قارئ", "بعد الإغلاق", 0), NULL,
	    NULL);
	CHECK_ERROR(r, 403, "article_closed");
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comments c JOIN articles "
	    "a ON a.id = c.article_id WHERE a.key = $1", closed, (char *)NULL),
	    1);

	/* 201 on a postmoderated article, listed at once */
	IT_REQUIRE(add_comment(post, "قارئ", "قبل التغيير", 0, NULL) > 0);
	IT_REQUIRE(it_sql("UPDATE articles SET mode = 'postmoderated' "
	    "WHERE key = $1", post, (char *)NULL) != NULL);
	r = post_json(post, comment_json("قارئ", "منشور فورا", 0), NULL, NULL);
	IT_REQUIRE_STATUS(r, 201);
	id = it_jint(r->json, "comment.id", -1);
	IT_CHECK_STR(it_jstr(r->json, "comment.status"), "approved");
	IT_CHECKF(location_is(r, id), "Location of a published comment");
	r = get_list(it_list_path(post), 1);
	IT_CHECK_INT(it_jint(r->json, "comments.0.id", -1), id);
	IT_CHECK_STR(it_jstr(r->json, "article.mode"), "postmoderated");

	/* Article keys: 1-200 characters, no controls, any other text. */
	long_key = repeat("ب", 200);
	r = post_json(long_key, comment_json("قارئ", "نص", 0), NULL, NULL);
	IT_CHECK_STATUS(r, 202);
	IT_CHECK_STR(it_jstr(r->json, "comment.article"), long_key);
	long_key = repeat("ب", 201);
	r = post_json(long_key, comment_json("قارئ", "نص", 0), NULL, NULL);
	CHECK_ERROR(r, 422, "validation_failed");
	/* No article has such a key: 404, as for any unknown article. */
	r = it_http("GET", it_list_path(long_key), NULL, NULL, 0);
	CHECK_ERROR(r, 404, "not_found");
	/* A control character in a key is refused with the path. */
	r = it_http("POST", "/api/v1/articles/bad%01key/comments", json_ct,
	    "{\"author\": \"a\", \"body\": \"b\"}", (size_t)-1);
	CHECK_ERROR(r, 400, "invalid_path");
	r = it_http("GET", "/api/v1/articles/bad%01key/comments", NULL, NULL,
	    0);
	CHECK_ERROR(r, 400, "invalid_path");

	slash = it_strf("أخبار/%s/كيم-بوتين", run_id);
	r = post_json(slash, comment_json("قارئ", "نص", 0), NULL, NULL);
	IT_CHECK_STATUS(r, 202);
	IT_CHECK_STR(it_jstr(r->json, "comment.article"), slash);
	r = get_list(it_list_path(slash), 0);
	IT_CHECK_STR(it_jstr(r->json, "article.key"), slash);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM articles WHERE key = $1",
	    slash, (char *)NULL), 1);
}

/* -- 6. idempotent retries ------------------------------------------------ */

static void
test_idempotency(void)
{
	const char	*key = new_key("idem"), *other = new_key("idem-other");
	const char	*k1 = it_strf("k1-%s", run_id), *hk1, *body, *rep;
	const char	*tok1, *hdrs[3];
	struct it_resp	*a, *b, *c, *d;
	struct it_req	 reqs[10];
	struct it_resp	 resps[10];
	long long	 id, first;
	int		 i, started, replayed = 0;

	body = comment_json("قارئ", "تعليق يرسل مرتين", 0);
	hk1 = it_strf("Idempotency-Key: %s", k1);
	a = post_json(key, body, hk1, NULL);
	IT_REQUIRE_STATUS(a, 202);
	b = post_json(key, body, hk1, NULL);
	IT_REQUIRE_STATUS(b, 202);
	id = it_jint(a->json, "comment.id", -1);
	tok1 = it_jstr(a->json, "submitter_token");
	IT_REQUIRE(id > 0 && tok1 != NULL);
	IT_CHECK_INT(it_jint(b->json, "comment.id", -2), id);
	IT_CHECK_STR(it_jstr(b->json, "submitter_token"), tok1);
	IT_CHECK_STR(it_jstr(b->json, "comment.body"), "تعليق يرسل مرتين");
	rep = it_header(b, "Idempotent-Replayed");
	IT_CHECKF(rep != NULL && strcasecmp(rep, "true") == 0,
	    "second answer has Idempotent-Replayed: true (got %s)",
	    rep != NULL ? rep : "(none)");
	rep = it_header(a, "Idempotent-Replayed");
	IT_CHECKF(rep == NULL || strcasecmp(rep, "true") != 0,
	    "the first answer is not a replay");
	IT_CHECK(location_is(b, id));
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comments WHERE "
	    "idempotency_key = $1", k1, (char *)NULL), 1);

	/* A retry after the moderator acted still gets the first answer. */
	IT_REQUIRE(set_status(id, "approved"));
	b = post_json(key, body, hk1, NULL);
	IT_CHECK_STATUS(b, 202);
	IT_CHECK_INT(it_jint(b->json, "comment.id", -2), id);
	IT_CHECK_STR(it_jstr(b->json, "submitter_token"), tok1);
	rep = it_header(b, "Idempotent-Replayed");
	IT_CHECKF(rep != NULL && strcasecmp(rep, "true") == 0,
	    "replay after approval has Idempotent-Replayed: true");

	c = post_json(key, body, it_strf("Idempotency-Key: k2-%s", run_id),
	    NULL);
	IT_CHECK_STATUS(c, 202);
	IT_CHECKF(it_jint(c->json, "comment.id", id) != id,
	    "another key gives another comment");

	/* The key names a comment of one article only. */
	d = post_json(other, body, hk1, NULL);
	IT_CHECK_STATUS(d, 202);
	IT_CHECKF(it_jint(d->json, "comment.id", id) != id,
	    "the same key on another article gives another comment");

	/* Ten at once with one key: one row, one answer. */
	hdrs[0] = "Content-Type: application/json";
	hdrs[1] = it_strf("Idempotency-Key: k3-%s", run_id);
	hdrs[2] = NULL;
	memset(reqs, 0, sizeof reqs);
	memset(resps, 0, sizeof resps);
	for (i = 0; i < 10; i++) {
		reqs[i].method = "POST";
		reqs[i].path = it_list_path(key);
		reqs[i].headers = hdrs;
		reqs[i].body = body;
		reqs[i].body_len = strlen(body);
	}
	started = it_do_all(reqs, resps, 10);
	IT_CHECK_INT(started, 10);
	first = it_jint(resps[0].json, "comment.id", -1);
	for (i = 0; i < started; i++) {
		IT_CHECK_STATUS(&resps[i], 202);
		IT_CHECKF(it_jint(resps[i].json, "comment.id", -1) == first
		    && first > 0, "concurrent answer %d: id %lld, want %lld", i,
		    it_jint(resps[i].json, "comment.id", -1), first);
		IT_CHECK_STR(it_jstr(resps[i].json, "submitter_token"),
		    it_jstr(resps[0].json, "submitter_token"));
		rep = it_header(&resps[i], "Idempotent-Replayed");
		if (rep != NULL && strcasecmp(rep, "true") == 0)
			replayed++;
	}
	IT_CHECKF(replayed == started - 1, "%d of %d answers are replays, "
	    "want %d", replayed, started, started - 1);
	for (i = 0; i < 10; i++)
		it_resp_clear(&resps[i]);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comments WHERE "
	    "idempotency_key = $1", it_strf("k3-%s", run_id), (char *)NULL),
	    1);
}

/*
 * The key is bound to the request (issue 13): the same key with another
 * body, author, e-mail or parent is refused, stores nothing and tells
 * nothing of the first comment; the same request still replays.
 */
static void
test_idempotency_mismatch(void)
{
	const char	*key = new_key("idem-mm"), *hk, *body, *tok;
	const char	*variant[4];
	struct it_resp	*a, *b;
	long long	 id, parent;
	size_t		 i;

	parent = add_comment(key, "أمل", "أصل الرد", 0, NULL);
	IT_REQUIRE(parent > 0 && set_status(parent, "approved"));
	hk = it_strf("Idempotency-Key: mm-%s", run_id);
	body = comment_json("قارئ", "سر لا يراه غيري", 0);
	a = post_json(key, body, hk, NULL);
	IT_REQUIRE_STATUS(a, 202);
	id = it_jint(a->json, "comment.id", -1);
	tok = it_jstr(a->json, "submitter_token");
	IT_REQUIRE(id > 0 && tok != NULL);

	variant[0] = comment_json("قارئ", "نص آخر بالمفتاح نفسه", 0);
	variant[1] = comment_json("غيري", "سر لا يراه غيري", 0);
	variant[2] = it_dump(json_pack("{s:s, s:s, s:s}", "author", "قارئ",
	    "body", "سر لا يراه غيري", "email", "x@example.com"));
	variant[3] = comment_json("قارئ", "سر لا يراه غيري", parent);
	for (i = 0; i < 4; i++) {
		b = post_json(key, variant[i], hk, NULL);
		IT_CHECK(it_check_error_at(__FILE__, __LINE__, b, 422,
		    "idempotency_key_mismatch"));
		/* Nothing of the original: no id, text, token or link. */
		IT_CHECKF(strstr(b->body, "سر لا يراه") == NULL &&
		    strstr(b->body, tok) == NULL && it_jint(b->json,
		    "comment.id", -1) == -1 && it_header(b, "Location") ==
		    NULL && it_header(b, "Idempotent-Replayed") == NULL,
		    "variant %zu: the mismatch leaks the original: %s", i,
		    b->body);
	}
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comments c JOIN "
	    "articles a ON a.id = c.article_id WHERE a.key = $1", key,
	    (char *)NULL), 2);

	/* The same request with the same key still replays, ... */
	b = post_json(key, body, hk, NULL);
	IT_CHECK_STATUS(b, 202);
	IT_CHECK_INT(it_jint(b->json, "comment.id", -2), id);
	IT_CHECK_STR(it_jstr(b->json, "submitter_token"), tok);
	IT_CHECK_STR(it_header(b, "Idempotent-Replayed"), "true");
	/* ... spelt differently but alike once cleaned (NFC, blanks), ... */
	b = post_json(key, comment_json(" قارئ ", "سر لا يراه غيري\n", 0),
	    hk, NULL);
	IT_CHECK_STATUS(b, 202);
	IT_CHECK_INT(it_jint(b->json, "comment.id", -2), id);
	/* ... and another key makes another comment of the other body. */
	b = post_json(key, variant[0], it_strf("Idempotency-Key: mm2-%s",
	    run_id), NULL);
	IT_CHECK_STATUS(b, 202);
	IT_CHECKF(it_jint(b->json, "comment.id", id) != id,
	    "another key gives another comment");
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comments WHERE "
	    "idempotency_key = $1", it_strf("mm-%s", run_id), (char *)NULL),
	    1);
}

/* -- 7. the submitter reads its own comment ------------------------------- */

static void
test_own_comment(void)
{
	const char	*key = new_key("own"), *tok, *tok2;
	char		*bad;
	struct it_resp	*r;
	long long	 id, id2;

	id = add_comment(key, "ليلى", "تعليقي الخاص", 0, &tok);
	id2 = add_comment(key, "Sam", "تعليق آخر", 0, &tok2);
	IT_REQUIRE(id > 0 && id2 > 0 && tok != NULL && tok2 != NULL);
	IT_REQUIRE(strcmp(tok, tok2) != 0);

	r = get_own(id, tok);
	IT_REQUIRE_STATUS(r, 200);
	IT_CHECK(it_is_json_type(r));
	IT_CHECK_INT(it_jint(r->json, "comment.id", -1), id);
	IT_CHECK_STR(it_jstr(r->json, "comment.status"), "pending");
	IT_CHECK_STR(it_jstr(r->json, "comment.body"), "تعليقي الخاص");
	IT_CHECK_STR(it_jstr(r->json, "comment.author"), "ليلى");

	IT_REQUIRE(set_status(id, "rejected"));
	r = get_own(id, tok);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_STR(it_jstr(r->json, "comment.status"), "rejected");

	/* The same token with its last character changed. */
	bad = it_strf("%s", tok);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == 'A' ? 'B' :
	    'A';
	CHECK_ERROR(get_own(id, bad), 404, "not_found");
	CHECK_ERROR(get_own(id, "wrong"), 404, "not_found");
	CHECK_ERROR(get_own(id, tok2), 404, "not_found");
	CHECK_ERROR(get_own(id, NULL), 404, "not_found");
	CHECK_ERROR(get_own(id2, tok), 404, "not_found");
	r = get_own(id2, tok2);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_STR(it_jstr(r->json, "comment.status"), "pending");
}

/* -- 8. ETag and If-None-Match -------------------------------------------- */

static void
test_etag(void)
{
	const char	*key = new_key("etag"), *path = it_list_path(key);
	const char	*e1, *e2, *h[2];
	struct it_resp	*r;
	long long	 id;
	double		 t0;

	id = add_comment(key, "قارئ", "أول", 0, NULL);
	IT_REQUIRE(id > 0 && set_status(id, "approved"));
	r = get_list(path, 1);
	e1 = it_header(r, "ETag");
	IT_REQUIRE(e1 != NULL && *e1 != '\0');

	h[0] = it_strf("If-None-Match: %s", e1);
	h[1] = NULL;
	r = it_http("GET", path, h, NULL, 0);
	IT_CHECK_STATUS(r, 304);
	IT_CHECK_INT(r->body_len, 0);

	id = add_comment(key, "قارئ", "ثان", 0, NULL);
	IT_REQUIRE(id > 0 && set_status(id, "approved"));
	t0 = it_now();
	do {
		r = it_http("GET", path, h, NULL, 0);
		if (r->status != 304)
			break;
		it_sleep_ms(50);
	} while (it_now() - t0 < FRESH_S);
	IT_REQUIRE_STATUS(r, 200);
	IT_CHECK_INT(it_jint(r->json, "total", -1), 2);
	e2 = it_header(r, "ETag");
	IT_CHECKF(e2 != NULL && strcmp(e1, e2) != 0, "ETag changed: %s, %s",
	    e1, e2 != NULL ? e2 : "(none)");
	if (e2 != NULL) {
		/*
		 * A worker whose cached copy has not heard the change yet
		 * (the NOTIFY is a few milliseconds behind a fresh read on
		 * another worker) may still answer the old list: every
		 * worker converges on the new ETag within FRESH_S.
		 */
		h[0] = it_strf("If-None-Match: %s", e2);
		t0 = it_now();
		do {
			r = it_http("GET", path, h, NULL, 0);
			if (r->status == 304)
				break;
			it_sleep_ms(20);
		} while (it_now() - t0 < FRESH_S);
		IT_CHECK_STATUS(r, 304);
		IT_CHECK_INT(r->body_len, 0);
	}
}

/* -- 9. counts ------------------------------------------------------------ */

static void
test_counts(void)
{
	const char	*a = new_key("count-a"), *b = new_key("count-b");
	const char	*ar = it_strf("مقالات/سياسة/%s", run_id), *url, *q;
	struct it_resp	*r;
	long long	 id;
	double		 t0;
	int		 i;

	for (i = 0; i < 3; i++) {
		id = add_comment(a, "قارئ", "تعليق", 0, NULL);
		IT_REQUIRE(id > 0);
		if (i < 2)
			IT_REQUIRE(set_status(id, "approved"));
	}
	id = add_comment(ar, "قارئ", "تعليق", 0, NULL);
	IT_REQUIRE(id > 0 && set_status(id, "approved"));

	url = it_strf("/api/v1/counts?article=%s&article=%s&article=%s",
	    it_pct(a), it_pct(b), it_pct(ar));
	t0 = it_now();
	do {
		r = it_http("GET", url, NULL, NULL, 0);
		if (r->status == 200 && json_integer_value(json_object_get(
		    it_jget(r->json, "counts"), a)) == 2)
			break;
		it_sleep_ms(50);
	} while (it_now() - t0 < FRESH_S);
	IT_REQUIRE_STATUS(r, 200);
	IT_CHECK(it_is_json_type(r));
	IT_CHECK_INT(json_integer_value(json_object_get(it_jget(r->json,
	    "counts"), a)), 2);
	IT_CHECK(json_is_integer(json_object_get(it_jget(r->json, "counts"),
	    b)));
	IT_CHECK_INT(json_integer_value(json_object_get(it_jget(r->json,
	    "counts"), b)), 0);
	IT_CHECK_INT(json_integer_value(json_object_get(it_jget(r->json,
	    "counts"), ar)), 1);
	IT_CHECK_INT(json_object_size(it_jget(r->json, "counts")), 3);

	r = it_http("GET", "/api/v1/counts", NULL, NULL, 0);
	CHECK_ERROR(r, 400, "invalid_parameter");

	/* 1-100 keys. */
	q = "/api/v1/counts?";
	for (i = 0; i < 100; i++)
		q = it_strf("%sarticle=n%d-%s&", q, i, run_id);
	r = it_http("GET", q, NULL, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(json_object_size(it_jget(r->json, "counts")), 100);
	r = it_http("GET", it_strf("%sarticle=n100-%s", q, run_id), NULL,
	    NULL, 0);
	CHECK_ERROR(r, 400, "invalid_parameter");
}

/* -- 10. health ----------------------------------------------------------- */

static void
test_health(void)
{
	struct it_resp	*r;

	r = it_http("GET", "/healthz", NULL, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK(it_is_json_type(r));
	IT_CHECK(json_is_object(r->json));
	r = it_http("GET", "/readyz", NULL, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK(it_is_json_type(r));
	IT_CHECK(json_is_object(r->json));
}

/* -- 11. PostgreSQL stopped and started under a running server ------------ */

struct bg_rec {
	char		 idem[96];
	long		 status;
	long long	 id;
	double		 elapsed;
	bool		 retry_after;
	bool		 code_ok;	/* error.code database_unavailable */
	char		 body[256];
};

/* A thread that keeps posting and remembers every answer. */
struct bg {
	pthread_mutex_t	 lock;
	bool		 stop;
	const char	*path;
	struct bg_rec	*recs;
	size_t		 n;
	size_t		 cap;
	int		 ok;
};

#define BG_BODY	"{\"author\": \"مراقب\", \"body\": \"تعليق أثناء انقطاع " \
		"قاعدة البيانات\"}"

static void *
bg_main(void *arg)
{
	struct bg	*bg = arg;
	struct it_req	 req;
	struct it_resp	 resp;
	struct bg_rec	 rec, *nr;
	const char	*h[3], *code;
	char		 idem[128];
	size_t		 seq;
	bool		 stop;

	for (seq = 0;; seq++) {
		pthread_mutex_lock(&bg->lock);
		stop = bg->stop;
		pthread_mutex_unlock(&bg->lock);
		if (stop)
			break;
		memset(&rec, 0, sizeof rec);
		snprintf(rec.idem, sizeof rec.idem, "bg-%s-%zu", run_id, seq);
		snprintf(idem, sizeof idem, "Idempotency-Key: %s", rec.idem);
		h[0] = "Content-Type: application/json";
		h[1] = idem;
		h[2] = NULL;
		memset(&req, 0, sizeof req);
		req.method = "POST";
		req.path = bg->path;
		req.headers = h;
		req.body = BG_BODY;
		req.body_len = strlen(BG_BODY);
		it_do(&req, &resp);
		rec.status = resp.status;
		rec.elapsed = resp.elapsed;
		rec.id = it_jint(resp.json, "comment.id", -1);
		rec.retry_after = it_header(&resp, "Retry-After") != NULL;
		code = it_jstr(resp.json, "error.code");
		rec.code_ok = code != NULL &&
		    strcmp(code, "database_unavailable") == 0;
		snprintf(rec.body, sizeof rec.body, "%s", resp.status != 0 ?
		    resp.body : resp.error);
		it_resp_clear(&resp);

		pthread_mutex_lock(&bg->lock);
		if (bg->n == bg->cap) {
			bg->cap = bg->cap == 0 ? 256 : bg->cap * 2;
			nr = realloc(bg->recs, bg->cap * sizeof *nr);
			if (nr == NULL)
				abort();
			bg->recs = nr;
		}
		bg->recs[bg->n++] = rec;
		if (rec.status / 100 == 2)
			bg->ok++;
		pthread_mutex_unlock(&bg->lock);
		it_sleep_ms(25);
	}
	return NULL;
}

static int
bg_ok(struct bg *bg)
{
	int	 ok;

	pthread_mutex_lock(&bg->lock);
	ok = bg->ok;
	pthread_mutex_unlock(&bg->lock);
	return ok;
}

static void
test_database_restart(void)
{
	const char	*key = new_key("outage"), *idem;
	struct bg	 bg;
	pthread_t	 thread;
	struct it_resp	*r;
	struct bg_rec	*rec;
	PGresult	*res;
	double		 t0;
	size_t		 i;
	int		 rc, ok0, bad = 0, slow = 0, shape = 0, lost = 0;
	int		 n503 = 0, n2xx = 0;
	bool		 running = false, down = false, up;

	if (!IT_CHECKF(it_pgdir != NULL && *it_pgdir != '\0',
	    "COMMENTD_TEST_PGDIR is set"))
		return;
	/* The article exists before the database goes away. */
	IT_REQUIRE(add_comment(key, "مراقب", "قبل الانقطاع", 0, NULL) > 0);

	memset(&bg, 0, sizeof bg);
	pthread_mutex_init(&bg.lock, NULL);
	bg.path = it_list_path(key);
	if (!IT_CHECK(pthread_create(&thread, NULL, bg_main, &bg) == 0))
		goto out;
	running = true;
	t0 = it_now();
	while (bg_ok(&bg) < 5 && it_now() - t0 < 15 * it_time_factor())
		it_sleep_ms(50);
	if (!IT_CHECKF(bg_ok(&bg) >= 5, "posting works before the stop"))
		goto out;

	down = true;
	rc = pg_sh("stop");
	if (!IT_CHECKF(rc == 0, "deploy/pg.sh stop exited %d", rc))
		goto out;
	t0 = it_now();

	/* Refused at once, with the README's answer. */
	for (i = 0; i < 5; i++) {
		idem = it_strf("Idempotency-Key: down-%s-%zu", run_id, i);
		r = post_json(key, BG_BODY, idem, NULL);
		CHECK_ERROR(r, 503, "database_unavailable");
		IT_CHECKF(it_header(r, "Retry-After") != NULL,
		    "503 has Retry-After");
		IT_CHECKF(r->elapsed < DOWN_ANSWER_S, "503 took %.2f s, want "
		    "under %.1f s", r->elapsed, DOWN_ANSWER_S);
	}
	do {
		r = it_http("GET", "/readyz", NULL, NULL, 0);
		if (r->status == 503)
			break;
		it_sleep_ms(100);
	} while (it_now() - t0 < 5 * it_time_factor());
	IT_CHECK_STATUS(r, 503);
	IT_CHECK(json_is_object(r->json));
	r = it_http("GET", "/healthz", NULL, NULL, 0);
	IT_CHECK_STATUS(r, 200);

	rc = pg_sh("start");
	if (!IT_CHECKF(rc == 0, "deploy/pg.sh start exited %d", rc))
		goto out;
	down = false;
	ok0 = bg_ok(&bg);
	t0 = it_now();

	/* Back within 30 s, and never anything but 503 meanwhile. */
	up = false;
	for (i = 0; !up && it_now() - t0 < 30 * it_time_factor(); i++) {
		idem = it_strf("Idempotency-Key: up-%s-%zu", run_id, i);
		r = post_json(key, BG_BODY, idem, NULL);
		up = r->status / 100 == 2;
		if (!up) {
			IT_CHECK_STATUS(r, 503);
			it_sleep_ms(200);
		}
	}
	IT_CHECKF(up, "posting works again within %.0f s of the start",
	    30 * it_time_factor());
	if (up)
		it_note("posting worked again %.2f s after the start",
		    it_now() - t0);
	do {
		r = it_http("GET", "/readyz", NULL, NULL, 0);
		if (r->status == 200)
			break;
		it_sleep_ms(200);
	} while (it_now() - t0 < 30 * it_time_factor());
	IT_CHECK_STATUS(r, 200);
	/* And the thread's own posts: three more stored. */
	t0 = it_now();
	while (bg_ok(&bg) < ok0 + 3 && it_now() - t0 < 10 * it_time_factor())
		it_sleep_ms(50);
	IT_CHECKF(bg_ok(&bg) >= ok0 + 3, "the background posts resume: %d "
	    "stored since the start, want 3 or more", bg_ok(&bg) - ok0);

out:
	if (running) {
		pthread_mutex_lock(&bg.lock);
		bg.stop = true;
		pthread_mutex_unlock(&bg.lock);
		pthread_join(thread, NULL);
	}
	if (down)
		IT_CHECKF(pg_sh("start") == 0, "cluster started again");

	for (i = 0; i < bg.n; i++) {
		rec = &bg.recs[i];
		if (rec->status == 503) {
			n503++;
			if (rec->elapsed >= DOWN_ANSWER_S)
				slow++;
			if (!rec->retry_after || !rec->code_ok)
				shape++;
		} else if (rec->status / 100 == 2) {
			n2xx++;
			res = it_sql("SELECT c.id FROM comments c JOIN "
			    "articles a ON a.id = c.article_id WHERE "
			    "a.key = $1 AND c.idempotency_key = $2", key,
			    rec->idem, (char *)NULL);
			if ((res == NULL || PQntuples(res) != 1 ||
			    strtoll(PQgetvalue(res, 0, 0), NULL, 10) !=
			    rec->id) && lost++ == 0)
				it_note("answered %ld, id %lld, key %s, but "
				    "not in the database", rec->status, rec->id,
				    rec->idem);
		} else if (bad++ == 0)
			it_note("answer %zu: status %ld after %.2f s: %s", i,
			    rec->status, rec->elapsed, rec->body);
	}
	it_note("background: %zu posts, %d stored, %d refused with 503",
	    bg.n, n2xx, n503);
	if (running) {
		IT_CHECKF(bad == 0, "%d answers were neither 2xx nor 503",
		    bad);
		IT_CHECKF(lost == 0, "%d acknowledged comments are missing",
		    lost);
		IT_CHECKF(slow == 0, "%d answers of 503 took %.1f s or more",
		    slow, DOWN_ANSWER_S);
		IT_CHECKF(shape == 0, "%d answers of 503 lack Retry-After or "
		    "code database_unavailable", shape);
		IT_CHECKF(n503 > 0, "the thread saw the outage");
	}
	free(bg.recs);
	pthread_mutex_destroy(&bg.lock);
}

/* -- runner --------------------------------------------------------------- */

static const struct it_test tests[] = {
	{ "submit_pending", test_submit_pending },
	{ "arabic_round_trip", test_arabic_round_trip },
	{ "nesting_pagination", test_nesting_pagination },
	{ "parent_rules", test_parent_rules },
	{ "errors", test_errors },
	{ "idempotency", test_idempotency },
	{ "idempotency_mismatch", test_idempotency_mismatch },
	{ "own_comment", test_own_comment },
	{ "etag", test_etag },
	{ "counts", test_counts },
	{ "health", test_health },
	/* Stops PostgreSQL: keep it last. */
	{ "database_restart", test_database_restart },
};

int
main(int argc, char **argv)
{
	snprintf(run_id, sizeof run_id, "%ld-%ld", (long)getpid(),
	    (long)time(NULL));
	return it_main(tests, sizeof tests / sizeof tests[0], argc, argv);
}
