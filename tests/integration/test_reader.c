/*
 * test_reader.c - what a reader's browser and the site's pages use,
 * against the real server: reports, the no-JS comments fragment, CORS,
 * and the web files (widget, demo pages, admin client), each of them
 * also gzipped.
 *
 * The server of tests/run-tests.sh runs with COMMENTD_REPORT_THRESHOLD=1
 * and COMMENTD_ALLOWED_ORIGINS=http://news.example; the report counting
 * test starts its own server that trusts X-Forwarded-For, to be many
 * readers at once.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <zlib.h>

#include "itest.h"

#define ALLOWED		"http://news.example"
#define REFUSED		"http://evil.example"
#define JSON_CT		"Content-Type: application/json"

static char	 run_id[48];
static char	*token;		/* a moderator's */

/* -- helpers -------------------------------------------------------------- */

static const char *
new_key(const char *tag)
{
	return it_strf("itrd-%s-%s", run_id, tag);
}

/*
 * Whether header name is present and contains needle: a missing header
 * fails the caller's check instead of crashing it.
 */
static bool
has_header(const struct it_resp *r, const char *name, const char *needle)
{
	const char	*v = it_header(r, name);

	return v != NULL && strstr(v, needle) != NULL;
}

/* A header's value for a message: "(none)" when it is missing. */
static const char *
header_or_none(const struct it_resp *r, const char *name)
{
	const char	*v = it_header(r, name);

	return v != NULL ? v : "(none)";
}

static bool
moderator_at(const char *file, int line)
{
	char	*name;

	if (token != NULL)
		return true;
	name = it_strf("rd-%s", run_id);
	if (!it_cli_at(file, line, "reader-test-password\n", NULL,
	    "moderator", "add", name, "--role", "moderator", (char *)NULL))
		return false;
	token = it_new_token_at(file, line, name);
	if (token != NULL)
		token = strdup(token);	/* outlives the test case */
	return token != NULL;
}
#define moderator()	moderator_at(__FILE__, __LINE__)

/* Posts a comment at base (NULL: the test server); returns its id. */
static long long
post_at(const char *file, int line, const char *base, const char *key,
    const char *author, const char *body, long long parent)
{
	const char	*h[] = { JSON_CT, NULL };
	json_t		*o;
	struct it_resp	*r;

	o = json_pack("{s:s, s:s}", "author", author, "body", body);
	if (parent > 0)
		json_object_set_new(o, "parent_id", json_integer(parent));
	r = it_http_at(base != NULL ? base : it_base_url, "POST",
	    it_list_path(key), h,
	    it_dump(o), (size_t)-1);
	if (!it_check_status_at(file, line, r, 202))
		return -1;
	return it_jint(r->json, "comment.id", -1);
}

/* Approves id through the API (at base; NULL: the test server). */
static bool
approve_at(const char *file, int line, const char *base, long long id)
{
	const char	*h[] = { it_strf("Authorization: Bearer %s", token),
			    NULL };
	struct it_resp	*r;

	r = it_http_at(base != NULL ? base : it_base_url, "POST",
	    it_strf("/api/v1/admin/comments/%lld/approve", id), h, NULL, 0);
	return it_check_status_at(file, line, r, 200);
}

/* A published comment of a new article; its id. */
static long long
published_at(const char *file, int line, const char *base, const char *key,
    const char *body, long long parent)
{
	long long	id;

	if (!moderator_at(file, line))
		return -1;
	id = post_at(file, line, base, key, "قارئ", body, parent);
	if (id <= 0 || !approve_at(file, line, base, id))
		return -1;
	return id;
}
#define published(base, key, body, parent)				\
	published_at(__FILE__, __LINE__, (base), (key), (body), (parent))

/* POST .../reports at base as the reader at address ip (with a trusting
 * server), with the raw body given (NULL: none). */
static struct it_resp *
report(const char *base, long long id, const char *ip, const char *body,
    const char *lang)
{
	const char	*h[4];
	int		 n = 0;

	if (ip != NULL)
		h[n++] = it_strf("X-Forwarded-For: %s", ip);
	if (body != NULL)
		h[n++] = JSON_CT;
	if (lang != NULL)
		h[n++] = it_strf("Accept-Language: %s", lang);
	h[n] = NULL;
	return it_http_at(base != NULL ? base : it_base_url, "POST",
	    it_strf("/api/v1/comments/%lld/reports", id), h, body,
	    (size_t)-1);
}

static bool
public_has_at(const char *base, const char *key, long long id)
{
	struct it_resp	*r;

	r = it_http_at(base != NULL ? base : it_base_url, "GET",
	    it_list_path(key), NULL,
	    NULL, 0);
	return r->status == 200 && it_tree_has_id(it_jget(r->json,
	    "comments"), id);
}

/* -- reports -------------------------------------------------------------- */

/*
 * Each reader counts once; the report that reaches the threshold (3
 * here) sends the comment back to the queue, flagged, with an event by
 * "readers", and readers stop seeing it at once.
 */
static void
test_report_threshold(void)
{
	const char	*base, *key = new_key("thr");
	struct it_proc	*p;
	struct it_resp	*r;
	long long	 id;

	p = it_server(&base, "2", "COMMENTD_TRUST_PROXY=true",
	    "COMMENTD_REPORT_THRESHOLD=3", (char *)NULL);
	IT_REQUIRE(p != NULL);
	id = published(base, key, "تعليق سيبلغ عنه القراء", 0);
	IT_REQUIRE(id > 0);
	IT_REQUIRE(public_has_at(base, key, id));

	r = report(base, id, "198.51.100.1", NULL, "ar");
	IT_CHECK_STATUS(r, 202);
	IT_CHECK_INT(it_jint(r->json, "report.comment_id", -1), id);
	IT_CHECK_INT(it_jint(r->json, "report.reports", -1), 1);
	IT_CHECK_STR(it_jstr(r->json, "notice"),
	    "شكرًا لك، سيراجع أحد المشرفين هذا التعليق");
	IT_CHECK_STR(it_header(r, "Cache-Control"), "no-store");
	/* The same reader again: answered, not counted. */
	r = report(base, id, "198.51.100.1", "{\"reason\": \"مسيء\"}", "en");
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(it_jint(r->json, "report.reports", -1), 1);
	IT_CHECK_STR(it_jstr(r->json, "notice"),
	    "Thank you. A moderator will review this comment.");
	r = report(base, id, "198.51.100.2", "{\"reason\": \"spam\"}", NULL);
	IT_CHECK_STATUS(r, 202);
	IT_CHECK_INT(it_jint(r->json, "report.reports", -1), 2);
	IT_CHECK(public_has_at(base, key, id));
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comment_reports WHERE "
	    "comment_id = $1::bigint AND reason = 'spam'",
	    it_strf("%lld", id), (char *)NULL), 1);
	/* No address is stored, only its keyed hash. */
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comment_reports WHERE "
	    "comment_id = $1::bigint AND position('198.51.100' IN "
	    "encode(reporter, 'escape')) > 0", it_strf("%lld", id),
	    (char *)NULL), 0);

	r = report(base, id, "198.51.100.3", NULL, NULL);
	IT_CHECK_STATUS(r, 202);
	IT_CHECK_INT(it_jint(r->json, "report.reports", -1), 3);
	/* Gone from the public list at once, even though it was cached. */
	IT_CHECK(!public_has_at(base, key, id));
	IT_CHECK(!public_has_at(NULL, key, id));
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comments WHERE id = "
	    "$1::bigint AND status = 'pending' AND 'reported' = ANY "
	    "(spam_flags) AND report_count = 3", it_strf("%lld", id),
	    (char *)NULL), 1);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM moderation_events WHERE "
	    "comment_id = $1::bigint AND actor = 'readers' AND action = "
	    "'report' AND from_status = 'approved' AND to_status = 'pending'",
	    it_strf("%lld", id), (char *)NULL), 1);
	/* Under review: more reports are answered, not counted. */
	r = report(base, id, "198.51.100.4", NULL, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(it_jint(r->json, "report.reports", -1), 3);
	/* The moderator sees it in the queue, flagged. */
	r = it_http("GET", it_strf("/api/v1/admin/comments/%lld", id),
	    (const char *[]){ it_strf("Authorization: Bearer %s", token),
	    NULL }, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK(strstr(r->body, "\"reported\"") != NULL);
	/* Approved again, it is public again. */
	IT_CHECK(approve_at(__FILE__, __LINE__, base, id));
	IT_CHECK(public_has_at(base, key, id));
}

static void
test_report_errors(void)
{
	const char	*key = new_key("rerr");
	struct it_resp	*r;
	long long	 pending, id;
	char		*longr;

	IT_REQUIRE(moderator());
	id = published(NULL, key, "منشور", 0);
	pending = post_at(__FILE__, __LINE__, NULL, key, "قارئ",
	    "ينتظر المراجعة", 0);
	IT_REQUIRE(id > 0 && pending > 0);

	IT_CHECK(it_check_error_at(__FILE__, __LINE__, report(NULL,
	    99999999999LL, NULL, NULL, NULL), 404, "not_found"));
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, it_http("POST",
	    "/api/v1/comments/abc/reports", NULL, NULL, 0), 404,
	    "not_found"));
	r = report(NULL, id, NULL, "{\"reason\": 5}", NULL);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 422,
	    "validation_failed"));
	IT_CHECK_STR(it_jstr(r->json, "error.fields.reason"), "invalid_type");
	longr = it_own(malloc(2000));
	memset(longr, 'x', 1999);
	longr[1999] = '\0';
	r = report(NULL, id, NULL, it_strf("{\"reason\": \"%s\"}", longr),
	    NULL);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 422,
	    "validation_failed"));
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, report(NULL, id, NULL,
	    "{not json", NULL), 400, "malformed_json"));
	/* A comment never published is not reported, and says so by
	 * status alone: 200 with no count. */
	r = report(NULL, pending, NULL, NULL, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(it_sql_ll("SELECT report_count FROM comments WHERE "
	    "id = $1::bigint", it_strf("%lld", pending), (char *)NULL), 0);
	/* Rejected: nothing to report. */
	IT_CHECK_STATUS(it_http("POST", it_strf("/api/v1/admin/comments/%lld/"
	    "reject", pending), (const char *[]){ it_strf("Authorization: "
	    "Bearer %s", token), NULL }, NULL, 0), 200);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, report(NULL, pending,
	    NULL, NULL, NULL), 404, "not_found"));
	/* With threshold 1 here, one report is enough. */
	r = report(NULL, id, NULL, NULL, NULL);
	IT_CHECK_STATUS(r, 202);
	IT_CHECK(!public_has_at(NULL, key, id));
}

/* -- comments.html ------------------------------------------------------ */

/* The ids of a JSON comment tree, depth first, with nesting marks:
 * "1(2,3)4" */
static void
tree_shape(const json_t *list, char *buf, size_t size)
{
	const json_t	*c, *rep;
	size_t		 i, n;

	json_array_foreach(list, i, c) {
		n = strlen(buf);
		snprintf(buf + n, size - n, "%s%lld", i > 0 ? "," : "",
		    (long long)json_integer_value(json_object_get(c, "id")));
		rep = json_object_get(c, "replies");
		if (json_array_size(rep) > 0) {
			n = strlen(buf);
			snprintf(buf + n, size - n, "(");
			tree_shape(rep, buf, size);
			n = strlen(buf);
			snprintf(buf + n, size - n, ")");
		}
	}
}

/* The same shape read from the fragment's markup. */
static void
html_shape(const char *html, char *buf, size_t size)
{
	const char	*p = html;
	bool		 first = true;
	size_t		 n;
	int		 depth = 0;

	while (*p != '\0') {
		if (strncmp(p, "<ol class=\"commentd-replies\">", 29) == 0) {
			n = strlen(buf);
			snprintf(buf + n, size - n, "(");
			first = true;
			depth++;
			p += 29;
		} else if (strncmp(p, "</ol>", 5) == 0 && depth > 0) {
			n = strlen(buf);
			snprintf(buf + n, size - n, ")");
			depth--;
			p += 5;
			first = false;
		} else if (strncmp(p, "data-id=\"", 9) == 0) {
			n = strlen(buf);
			snprintf(buf + n, size - n, "%s%lld", first ? "" : ",",
			    atoll(p + 9));
			first = false;
			p += 9;
		} else if (strncmp(p, "</ol>", 5) == 0) {
			p += 5;
		} else
			p++;
	}
}

static void
test_html_fragment(void)
{
	const char	*key = new_key("html"), *etag, *list, *frag;
	struct it_resp	*r, *j;
	long long	 a, b, c, d;
	char		 s1[512] = "", s2[512] = "";

	a = published(NULL, key, "أول\nسطر ثان\n\nفقرة <script>alert(1)"
	    "</script> & \"x\"", 0);
	b = published(NULL, key, "رد على الأول", a);
	c = published(NULL, key, "<img src=x onerror=alert(1)>", 0);
	d = published(NULL, key, "رد على الرد", b);
	IT_REQUIRE(a > 0 && b > 0 && c > 0 && d > 0);
	list = it_list_path(key);
	frag = it_strf("%s.html", list);

	j = it_http("GET", list, NULL, NULL, 0);
	r = it_http("GET", frag, NULL, NULL, 0);
	IT_REQUIRE(IT_CHECK_STATUS(j, 200) && IT_CHECK_STATUS(r, 200));
	IT_CHECK_STR(it_header(r, "Content-Type"), "text/html; charset=utf-8");
	/* Same comments, same nesting, same order as the API. */
	tree_shape(it_jget(j->json, "comments"), s1, sizeof s1);
	html_shape(r->body, s2, sizeof s2);
	IT_CHECK_STR(s2, s1);
	IT_CHECK_STR(s1, it_strf("%lld(%lld(%lld)),%lld", a, b, d, c));
	/* Text stays text. */
	IT_CHECK(strstr(r->body, "<script") == NULL);
	IT_CHECK(strstr(r->body, "<img") == NULL);
	IT_CHECK(strstr(r->body, "&lt;script&gt;alert(1)&lt;/script&gt; "
	    "&amp; &quot;x&quot;") != NULL);
	IT_CHECK(strstr(r->body, "&lt;img src=x onerror=alert(1)&gt;") !=
	    NULL);
	IT_CHECK(strstr(r->body, "<p>أول<br>سطر ثان</p><p>فقرة") != NULL);
	IT_CHECK(strstr(r->body, "dir=\"auto\"") != NULL);
	/* Cached with its own ETag; 304 on a match. */
	etag = it_header(r, "ETag");
	IT_REQUIRE(etag != NULL);
	IT_CHECKF(strcmp(etag, header_or_none(j, "ETag")) != 0, "the fragment "
	    "and the JSON have different ETags: %s, %s", etag,
	    header_or_none(j, "ETag"));
	IT_CHECK_STATUS(it_http("GET", frag, (const char *[]){
	    it_strf("If-None-Match: %s", etag), NULL }, NULL, 0), 304);
	/* Pages: a link to the next one keeps order and limit. */
	r = it_http("GET", it_strf("%s?limit=1&order=newest", frag), NULL,
	    NULL, 0);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK(strstr(r->body, it_strf("data-id=\"%lld\"", c)) != NULL);
	IT_CHECK(strstr(r->body, it_strf("data-id=\"%lld\"", a)) == NULL);
	IT_CHECK(strstr(r->body, it_strf("rel=\"next\" href=\"?order=newest"
	    "&amp;limit=1&amp;cursor=%lld\"", c)) != NULL);
	/* Bad input: JSON errors, as everywhere. */
	r = it_http("GET", it_strf("%s?order=sideways", frag), NULL, NULL,
	    0);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 400,
	    "invalid_parameter"));
	/* An article without comments: an empty fragment. */
	r = it_http("GET", it_strf("/api/v1/articles/%s/comments.html",
	    it_pct(new_key("none"))), NULL, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK(strstr(r->body, "data-total=\"0\"") != NULL);
}

/* -- CORS ------------------------------------------------------------------ */

static struct it_resp *
preflight(const char *path, const char *origin, const char *method)
{
	return it_http("OPTIONS", path, (const char *[]){
	    it_strf("Origin: %s", origin),
	    it_strf("Access-Control-Request-Method: %s", method),
	    "Access-Control-Request-Headers: content-type,idempotency-key",
	    NULL }, NULL, 0);
}

static void
test_cors(void)
{
	const char	*key = new_key("cors"), *path;
	struct it_resp	*r;
	const char	*body = "{\"author\": \"Reader\", \"body\": \"hi\"}";

	path = it_list_path(key);

	/* An allowed origin: preflight and post. */
	r = preflight(path, ALLOWED, "POST");
	IT_CHECK_STATUS(r, 204);
	IT_CHECK_STR(it_header(r, "Access-Control-Allow-Origin"), ALLOWED);
	IT_CHECK(has_header(r, "Access-Control-Allow-Methods", "POST"));
	IT_CHECK(has_header(r, "Access-Control-Allow-Headers",
	    "Idempotency-Key"));
	IT_CHECK(it_header(r, "Access-Control-Max-Age") != NULL);
	r = it_http("POST", path, (const char *[]){ JSON_CT,
	    "Origin: " ALLOWED, NULL }, body, (size_t)-1);
	IT_CHECK_STATUS(r, 202);
	IT_CHECK_STR(it_header(r, "Access-Control-Allow-Origin"), ALLOWED);
	IT_CHECK(has_header(r, "Vary", "Origin"));
	/* Field errors are readable cross-origin too. */
	r = it_http("POST", path, (const char *[]){ JSON_CT,
	    "Origin: " ALLOWED, NULL }, "{\"author\": \"R\", \"body\": \"\"}",
	    (size_t)-1);
	IT_CHECK_STATUS(r, 422);
	IT_CHECK_STR(it_header(r, "Access-Control-Allow-Origin"), ALLOWED);

	/* Another origin: refused, and nothing is stored. */
	r = preflight(path, REFUSED, "POST");
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 403,
	    "origin_not_allowed"));
	IT_CHECK(it_header(r, "Access-Control-Allow-Origin") == NULL);
	r = it_http("POST", path, (const char *[]){ JSON_CT,
	    "Origin: " REFUSED, NULL }, body, (size_t)-1);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 403,
	    "origin_not_allowed"));
	r = it_http("POST", "/api/v1/comments/1/reports", (const char *[]){
	    "Origin: " REFUSED, NULL }, NULL, 0);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 403,
	    "origin_not_allowed"));
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comments c JOIN articles"
	    " a ON a.id = c.article_id WHERE a.key = $1", key, (char *)NULL),
	    1);
	/* The server's own pages, by Host; and no Origin (not a page). */
	r = it_http("POST", path, (const char *[]){ JSON_CT,
	    it_strf("Origin: %s", it_base_url), NULL }, body, (size_t)-1);
	IT_CHECK_STATUS(r, 202);
	r = it_http("POST", path, (const char *[]){ JSON_CT, NULL }, body,
	    (size_t)-1);
	IT_CHECK_STATUS(r, 202);

	/* Public reads are anyone's. */
	r = it_http("GET", path, (const char *[]){ "Origin: " REFUSED, NULL },
	    NULL, 0);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_STR(it_header(r, "Access-Control-Allow-Origin"), "*");
	r = it_http("GET", it_strf("/api/v1/counts?article=%s", it_pct(key)),
	    NULL, NULL, 0);
	IT_CHECK_STR(it_header(r, "Access-Control-Allow-Origin"), "*");
	/* Reading one's own comment sends X-Submitter-Token: preflighted,
	 * and allowed for listed origins only. */
	IT_CHECK_STATUS(preflight("/api/v1/comments/1", ALLOWED, "GET"), 204);
	IT_CHECK_STATUS(preflight("/api/v1/comments/1", REFUSED, "GET"), 403);

	/* The admin API never answers CORS. */
	r = preflight("/api/v1/admin/comments", ALLOWED, "GET");
	IT_CHECK(r->status == 405);
	IT_CHECK(it_header(r, "Access-Control-Allow-Origin") == NULL);
	r = it_http("GET", "/api/v1/admin/stats", (const char *[]){
	    "Origin: " ALLOWED, NULL }, NULL, 0);
	IT_CHECK(it_header(r, "Access-Control-Allow-Origin") == NULL);
}

/* -- web files ------------------------------------------------------------- */

static void
test_web_files(void)
{
	struct {
		const char	*path;
		const char	*type;
		const char	*needle;	/* in the body */
		bool		 csp;
	} files[] = {
		{ "/", "text/html", "<html lang=\"ar\" dir=\"rtl\">", true },
		{ "/en", "text/html", "<html lang=\"en\" dir=\"ltr\">", true },
		{ "/admin", "text/html", "/admin/admin.js", true },
		{ "/admin/", "text/html", "/admin/admin.js", true },
		{ "/admin/admin.js", "text/javascript", "", false },
		{ "/admin/admin.css", "text/css", "", false },
		{ "/embed.js", "text/javascript", "", false },
		{ "/embed.css", "text/css", "", false },
		{ "/demo.css", "text/css", "", false },
	};
	struct it_resp	*r;
	const char	*csp, *etag;
	size_t		 i;

	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		r = it_http("GET", files[i].path, NULL, NULL, 0);
		if (!IT_CHECKF(r->status == 200, "GET %s: %ld", files[i].path,
		    r->status))
			continue;
		IT_CHECKF(strncmp(header_or_none(r, "Content-Type"),
		    files[i].type, strlen(files[i].type)) == 0,
		    "%s is %s", files[i].path, header_or_none(r,
		    "Content-Type"));
		IT_CHECKF(strstr(r->body, files[i].needle) != NULL,
		    "%s holds %s", files[i].path, files[i].needle);
		IT_CHECK_STR(it_header(r, "X-Content-Type-Options"),
		    "nosniff");
		csp = it_header(r, "Content-Security-Policy");
		if (files[i].csp) {
			IT_CHECKF(csp != NULL && strstr(csp,
			    "script-src 'self'") != NULL &&
			    strstr(csp, "unsafe-inline") == NULL &&
			    strstr(csp, "default-src 'none'") != NULL,
			    "%s: a strict CSP (%s)", files[i].path,
			    csp != NULL ? csp : "none");
		}
		/* Revalidation (gzip copies: test_web_gzip). */
		etag = it_header(r, "ETag");
		if (!IT_CHECKF(etag != NULL, "%s has an ETag", files[i].path))
			continue;
		IT_CHECK_STATUS(it_http("GET", files[i].path, (const char *[]){
		    it_strf("If-None-Match: %s", etag), NULL }, NULL, 0), 304);
	}
	/* The admin client may not be framed; the widget is cacheable. */
	r = it_http("GET", "/admin", NULL, NULL, 0);
	IT_CHECK(has_header(r, "Content-Security-Policy",
	    "frame-ancestors 'none'"));
	r = it_http("GET", "/embed.js", NULL, NULL, 0);
	IT_CHECK(has_header(r, "Cache-Control", "max-age="));
	/* The Arabic demo page is the seed article, escaped. */
	r = it_http("GET", "/", NULL, NULL, 0);
	IT_CHECK(strstr(r->body, "أبلغ الزعيم الكوري الشمالي كيم جونج أون")
	    != NULL);
	IT_CHECK(strstr(r->body, "data-commentd-article=") != NULL);
	IT_CHECK(strstr(r->body, "<script src=\"/embed.js\"") != NULL);
	/* Other paths stay JSON 404s; HEAD has no body. */
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, it_http("GET",
	    "/admin/../etc/passwd", NULL, NULL, 0), 404, "not_found"));
	r = it_http("HEAD", "/embed.js", NULL, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(r->body_len, 0);
}

/*
 * Runs data through zlib with a gzip header (mode: deflate or inflate);
 * the result, owned by the test case, or NULL if zlib failed or the input
 * was not one whole gzip stream.
 */
static char *
zlib_run(const char *data, size_t len, bool deflating, size_t *outlen)
{
	z_stream	 zs;
	char		*out = NULL, *o;
	size_t		 cap = len + 1024;
	int		 rc;

	memset(&zs, 0, sizeof zs);
	rc = deflating ? deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
	    Z_DEFAULT_STRATEGY) : inflateInit2(&zs, 16 + MAX_WBITS);
	if (rc != Z_OK)
		return NULL;
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	do {
		if (zs.total_out == cap || out == NULL) {
			cap *= 2;
			if ((o = realloc(out, cap)) == NULL)
				break;
			out = o;
		}
		zs.next_out = (Bytef *)out + zs.total_out;
		zs.avail_out = (uInt)(cap - zs.total_out);
		rc = deflating ? deflate(&zs, Z_FINISH) : inflate(&zs,
		    Z_NO_FLUSH);
	} while (rc == Z_OK || rc == Z_BUF_ERROR);
	if (deflating)
		deflateEnd(&zs);
	else
		inflateEnd(&zs);
	if (rc != Z_STREAM_END || zs.avail_in != 0) {
		free(out);
		return NULL;
	}
	*outlen = zs.total_out;
	return it_own(out);
}

/*
 * Every web file the binary carries (the Makefile's WEB_SRC and
 * WEB_BUILT): a
 * client that accepts gzip gets the gzip copy (Content-Encoding, its own
 * ETag, Vary), which unpacks to the plain answer, whenever gzip makes the
 * file smaller; gzip;q=0 gets the plain one.
 */
static void
test_web_gzip(void)
{
	const char	*names[128], *name, *url, *etag;
	struct it_resp	*r, *z, *q;
	size_t		 nnames = 0, max = sizeof names / sizeof names[0], i;
	char		*unz;
	size_t		 len, zlen;
	int		 n = 0, gz = 0;
	bool		 small;

	IT_REQUIRE(it_make_words("WEB_SRC", names, &nnames, max) &&
	    it_make_words("WEB_BUILT", names, &nnames, max));
	for (i = 0; i < nnames; i++) {
		name = names[i];
		url = it_web_url(name);
		if (!IT_CHECKF(url != NULL, "a URL for %s", name))
			continue;
		n++;
		r = it_http("GET", url, NULL, NULL, 0);
		if (!IT_CHECKF(r->status == 200 && r->body_len > 0, "GET %s "
		    "(%s): %ld, %zu bytes", url, name, r->status, r->body_len))
			continue;
		IT_CHECKF(it_header(r, "Content-Encoding") == NULL, "%s: no "
		    "Content-Encoding unless asked", url);
		etag = header_or_none(r, "ETag");
		z = it_http("GET", url, (const char *[]){
		    "Accept-Encoding: gzip, deflate", NULL }, NULL, 0);
		if (!IT_CHECK_STATUS(z, 200))
			continue;
		/* Ours is a yardstick: compressible means clearly smaller. */
		small = zlib_run(r->body, r->body_len, true, &zlen) != NULL &&
		    zlen < r->body_len * 9 / 10;
		if (small || it_header(z, "Content-Encoding") != NULL) {
			gz++;
			IT_CHECKF(has_header(z, "Content-Encoding", "gzip"),
			    "%s: Content-Encoding is %s, want gzip (%zu bytes "
			    "gzip to %zu)", url, header_or_none(z,
			    "Content-Encoding"), r->body_len, zlen);
			IT_CHECKF(strcmp(header_or_none(z, "ETag"), etag) != 0,
			    "%s: the gzip copy has its own ETag (%s)", url,
			    etag);
			IT_CHECKF(has_header(z, "Vary", "Accept-Encoding") &&
			    has_header(r, "Vary", "Accept-Encoding"), "%s: "
			    "Vary: Accept-Encoding on both answers", url);
			unz = zlib_run(z->body, z->body_len, false, &len);
			IT_CHECKF(unz != NULL && len == r->body_len &&
			    memcmp(unz, r->body, len) == 0, "%s: the gzip copy "
			    "(%zu bytes) unpacks to the plain answer (%zu "
			    "bytes)", url, z->body_len, r->body_len);
		}
		q = it_http("GET", url, (const char *[]){
		    "Accept-Encoding: gzip;q=0", NULL }, NULL, 0);
		IT_CHECK_STATUS(q, 200);
		IT_CHECKF(it_header(q, "Content-Encoding") == NULL &&
		    q->body_len == r->body_len && memcmp(q->body, r->body,
		    r->body_len) == 0, "%s: gzip;q=0 gets the plain answer",
		    url);
	}
	it_note("%d web files, %d of them sent gzipped", n, gz);
	IT_CHECKF(n > 0 && gz > 0, "the Makefile lists files, and some are "
	    "compressible: %d, %d", n, gz);
}

static const struct it_test tests[] = {
	{ "report_threshold", test_report_threshold },
	{ "report_errors", test_report_errors },
	{ "html_fragment", test_html_fragment },
	{ "cors", test_cors },
	{ "web_files", test_web_files },
	{ "web_gzip", test_web_gzip },
};

int
main(int argc, char **argv)
{
	int	rc;

	snprintf(run_id, sizeof run_id, "%ld-%ld", (long)getpid(),
	    (long)time(NULL));
	rc = it_main(tests, sizeof tests / sizeof tests[0], argc, argv);
	free(token);
	return rc;
}
