/*
 * test_limits.c - the abuse limits against the real server: a reader's
 * and an e-mail's submissions (COMMENTD_SUBMIT_RATE, _BURST), readers'
 * reports (COMMENTD_REPORT_RATE, _BURST), one reader per IPv6 /64, one
 * allowance across a process's workers, and what reaching the report
 * threshold does (COMMENTD_REPORT_ACTION).
 *
 * Every case starts a server of its own (the buckets are the process's),
 * trusting X-Forwarded-For so that one test is many readers.  Rates are
 * one token a minute, so no bucket refills while a case runs: what is
 * asserted is counts, never timings.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "itest.h"

#define JSON_CT		"Content-Type: application/json"

static char			 run_id[48];
static struct it_account	 mod = { "lim", "moderator" };

static const char *
new_key(const char *tag)
{
	return it_strf("itlm-%s-%s", run_id, tag);
}

/* POST a comment to key at base as the reader at ip (X-Forwarded-For;
 * NULL: none), with e-mail email (NULL: none) and body text. */
static struct it_resp *
post(const char *base, const char *key, const char *ip, const char *email,
    const char *text)
{
	const char	*h[3];
	json_t		*o;
	int		 n = 0;

	h[n++] = JSON_CT;
	if (ip != NULL)
		h[n++] = it_strf("X-Forwarded-For: %s", ip);
	h[n] = NULL;
	o = json_pack("{s:s, s:s}", "author", "قارئ", "body", text);
	if (email != NULL)
		json_object_set_new(o, "email", json_string(email));
	return it_http_at(base, "POST", it_list_path(key), h, it_dump(o),
	    (size_t)-1);
}

/* Comments of key stored with this body. */
static long long
stored(const char *key, const char *text)
{
	return it_sql_ll("SELECT count(*) FROM comments c JOIN articles a "
	    "ON a.id = c.article_id WHERE a.key = $1 AND c.body = $2", key,
	    text, (char *)NULL);
}

/*
 * The README's 429: error code rate_limited, Retry-After a whole number
 * of seconds (1 to a minute at one token a minute), and the same number
 * as error.retry_after.
 */
static bool
limited_at(const char *file, int line, const struct it_resp *r)
{
	const char	*ra;
	long long	 n;
	bool		 ok;

	ok = it_check_error_at(file, line, r, 429, "rate_limited");
	ra = it_header(r, "Retry-After");
	n = ra != NULL ? atoll(ra) : -1;
	ok &= it_check_at(file, line, n >= 1 && n <= 60,
	    "Retry-After is 1..60 s: %s", ra != NULL ? ra : "(none)");
	ok &= it_check_at(file, line, it_jint(r->json, "error.retry_after",
	    -1) == n, "error.retry_after (%lld) is Retry-After (%lld)",
	    it_jint(r->json, "error.retry_after", -1), n);
	return ok;
}
#define limited(r)	limited_at(__FILE__, __LINE__, (r))

/* A published comment of key at base, posted without a forwarded
 * address; its id, or -1. */
static long long
published(const char *base, const char *key, const char *text)
{
	struct it_resp	*r;
	long long	 id;

	if (!it_account_at(__FILE__, __LINE__, &mod, run_id))
		return -1;
	r = post(base, key, NULL, NULL, text);
	if (!IT_CHECK_STATUS(r, 202))
		return -1;
	id = it_jint(r->json, "comment.id", -1);
	r = it_http_at(base, "POST", it_strf("/api/v1/admin/comments/%lld/"
	    "approve", id), (const char *[]){ it_bearer(mod.token), NULL },
	    NULL, 0);
	return IT_CHECK_STATUS(r, 200) ? id : -1;
}

/* POST .../reports at base as the reader at ip. */
static struct it_resp *
report(const char *base, long long id, const char *ip)
{
	return it_http_at(base, "POST", it_strf("/api/v1/comments/%lld/"
	    "reports", id), (const char *[]){ it_strf("X-Forwarded-For: %s",
	    ip), NULL }, NULL, 0);
}

static bool
public_has(const char *base, const char *key, long long id)
{
	struct it_resp	*r;

	r = it_http_at(base, "GET", it_list_path(key), NULL, NULL, 0);
	return r->status == 200 && it_tree_has_id(it_jget(r->json,
	    "comments"), id);
}

/* -- submissions -------------------------------------------------------- */

/*
 * A reader's burst is taken, then 429 with Retry-After; refused before
 * validation (an invalid comment is 429 too, not 422) and nothing is
 * stored; another reader is not affected.
 */
static void
test_burst(void)
{
	const char	*base, *key = new_key("burst"), *ip = "203.0.113.10";
	struct it_proc	*p;
	struct it_resp	*r;
	int		 i;

	p = it_server(&base, "2", "COMMENTD_TRUST_PROXY=true",
	    "COMMENTD_SUBMIT_RATE=1", "COMMENTD_SUBMIT_BURST=3", (char *)NULL);
	IT_REQUIRE(p != NULL);
	for (i = 0; i < 3; i++) {
		r = post(base, key, ip, NULL, it_strf("ضمن الحد %d", i));
		IT_CHECK_STATUS(r, 202);
	}
	r = post(base, key, ip, NULL, "فوق الحد");
	IT_CHECK(limited(r));
	IT_CHECK_INT(stored(key, "فوق الحد"), 0);
	IT_CHECK_INT(stored(key, "ضمن الحد 2"), 1);
	/* Refused before the body is judged: no 422 for the flood. */
	r = it_http_at(base, "POST", it_list_path(key), (const char *[]){
	    JSON_CT, it_strf("X-Forwarded-For: %s", ip), NULL }, "{}", 2);
	IT_CHECK(limited(r));
	/* Another reader has a bucket of its own. */
	r = post(base, key, "203.0.113.11", NULL, "قارئ آخر");
	IT_CHECK_STATUS(r, 202);
	IT_CHECK_INT(stored(key, "قارئ آخر"), 1);
}

/* One e-mail from several addresses shares one bucket, whatever its
 * case; another e-mail from the same address does not. */
static void
test_email_bucket(void)
{
	const char	*base, *key = new_key("email");
	struct it_proc	*p;
	struct it_resp	*r;

	p = it_server(&base, "2", "COMMENTD_TRUST_PROXY=true",
	    "COMMENTD_SUBMIT_RATE=1", "COMMENTD_SUBMIT_BURST=2", (char *)NULL);
	IT_REQUIRE(p != NULL);
	r = post(base, key, "198.51.100.21", "Flood@Example.com", "أول");
	IT_CHECK_STATUS(r, 202);
	r = post(base, key, "198.51.100.22", "flood@example.com", "ثان");
	IT_CHECK_STATUS(r, 202);
	r = post(base, key, "198.51.100.23", "FLOOD@example.COM", "ثالث");
	IT_CHECK(limited(r));
	IT_CHECK_INT(stored(key, "ثالث"), 0);
	/* The third address still has its own allowance. */
	r = post(base, key, "198.51.100.23", "other@example.com", "رابع");
	IT_CHECK_STATUS(r, 202);
	r = post(base, key, "198.51.100.24", NULL, "بلا بريد");
	IT_CHECK_STATUS(r, 202);
}

/* IPv6 addresses of one /64 are one reader; the next /64 another. */
static void
test_ipv6_64(void)
{
	const char	*base, *key = new_key("v6");
	struct it_proc	*p;
	struct it_resp	*r;

	p = it_server(&base, "2", "COMMENTD_TRUST_PROXY=true",
	    "COMMENTD_SUBMIT_RATE=1", "COMMENTD_SUBMIT_BURST=2", (char *)NULL);
	IT_REQUIRE(p != NULL);
	r = post(base, key, "2001:db8:1:2::1", NULL, "v6 a");
	IT_CHECK_STATUS(r, 202);
	r = post(base, key, "2001:db8:1:2:ffff:ffff:ffff:fffe", NULL, "v6 b");
	IT_CHECK_STATUS(r, 202);
	r = post(base, key, "2001:DB8:1:2:abcd::7", NULL, "v6 c");
	IT_CHECK(limited(r));
	IT_CHECK_INT(stored(key, "v6 c"), 0);
	r = post(base, key, "2001:db8:1:3::1", NULL, "v6 d");
	IT_CHECK_STATUS(r, 202);
	/* IPv4 stays one reader per address. */
	r = post(base, key, "192.0.2.1", NULL, "v4 a");
	IT_CHECK_STATUS(r, 202);
	r = post(base, key, "192.0.2.2", NULL, "v4 b");
	IT_CHECK_STATUS(r, 202);
}

/*
 * One reader on many connections at once, spread over 4 workers, gets
 * one allowance: exactly the burst is accepted and stored.
 */
static void
test_across_workers(void)
{
	enum { N = 40, BURST = 5 };
	const char	*base, *key = new_key("workers"), *path, *body;
	const char	*h[] = { JSON_CT, "X-Forwarded-For: 203.0.113.50",
			    NULL };
	struct it_req	 reqs[N];
	struct it_resp	 resps[N];
	struct it_proc	*p;
	int		 i, sent, ok = 0, refused = 0, other = 0;

	p = it_server(&base, "4", "COMMENTD_TRUST_PROXY=true",
	    "COMMENTD_SUBMIT_RATE=1", "COMMENTD_SUBMIT_BURST=5", (char *)NULL);
	IT_REQUIRE(p != NULL);
	path = it_list_path(key);
	body = it_dump(json_pack("{s:s, s:s}", "author", "سيل",
	    "body", "تعليق من سيل"));
	memset(reqs, 0, sizeof reqs);
	memset(resps, 0, sizeof resps);
	for (i = 0; i < N; i++) {
		reqs[i].method = "POST";
		reqs[i].path = path;
		reqs[i].headers = h;
		reqs[i].body = body;
		reqs[i].body_len = strlen(body);
		reqs[i].base = base;
	}
	sent = it_do_all(reqs, resps, N);
	IT_CHECK_INT(sent, N);
	for (i = 0; i < sent; i++) {
		if (resps[i].status == 202)
			ok++;
		else if (resps[i].status == 429 && resps[i].json != NULL &&
		    it_jstr(resps[i].json, "error.code") != NULL &&
		    strcmp(it_jstr(resps[i].json, "error.code"),
		    "rate_limited") == 0)
			refused++;
		else
			other++;
		it_resp_clear(&resps[i]);
	}
	it_note("%d accepted, %d refused, %d other", ok, refused, other);
	IT_CHECK_INT(ok, BURST);
	IT_CHECK_INT(refused, N - BURST);
	IT_CHECK_INT(other, 0);
	IT_CHECK_INT(stored(key, "تعليق من سيل"), BURST);
}

/* 0 turns both limits off: many comments from one reader, one e-mail. */
static void
test_off(void)
{
	const char	*base, *key = new_key("off");
	struct it_proc	*p;
	struct it_resp	*r;
	long long	 id;
	int		 i, ok = 0;

	p = it_server(&base, "2", "COMMENTD_TRUST_PROXY=true",
	    "COMMENTD_SUBMIT_RATE=0", "COMMENTD_SUBMIT_BURST=1",
	    "COMMENTD_REPORT_RATE=0", "COMMENTD_REPORT_BURST=1",
	    "COMMENTD_REPORT_THRESHOLD=100", (char *)NULL);
	IT_REQUIRE(p != NULL);
	for (i = 0; i < 12; i++) {
		r = post(base, key, "203.0.113.70", "same@example.com",
		    it_strf("بلا حد %d", i));
		ok += r->status == 202;
	}
	IT_CHECK_INT(ok, 12);
	for (i = 0, ok = 0; i < 4; i++) {
		id = published(base, key, it_strf("للإبلاغ %d", i));
		IT_REQUIRE(id > 0);
		r = report(base, id, "203.0.113.71");
		ok += r->status == 202;
	}
	IT_CHECK_INT(ok, 4);
}

/* -- reports ------------------------------------------------------------ */

/* Reports have their own bucket per reader, apart from comments. */
static void
test_report_bucket(void)
{
	const char	*base, *key = new_key("rbucket"), *ip = "192.0.2.77";
	struct it_proc	*p;
	struct it_resp	*r;
	long long	 id[3];
	int		 i;

	p = it_server(&base, "2", "COMMENTD_TRUST_PROXY=true",
	    "COMMENTD_REPORT_RATE=1", "COMMENTD_REPORT_BURST=2",
	    "COMMENTD_SUBMIT_RATE=1", "COMMENTD_SUBMIT_BURST=5",
	    "COMMENTD_REPORT_THRESHOLD=100", (char *)NULL);
	IT_REQUIRE(p != NULL);
	for (i = 0; i < 3; i++) {
		id[i] = published(base, key, it_strf("مبلغ عنه %d", i));
		IT_REQUIRE(id[i] > 0);
	}
	IT_CHECK_STATUS(report(base, id[0], ip), 202);
	IT_CHECK_STATUS(report(base, id[1], ip), 202);
	r = report(base, id[2], ip);
	IT_CHECK(limited(r));
	IT_CHECK_INT(it_sql_ll("SELECT report_count FROM comments WHERE id "
	    "= $1::bigint", it_strf("%lld", id[2]), (char *)NULL), 0);
	/* Another reader reports it; the first may still comment. */
	IT_CHECK_STATUS(report(base, id[2], "192.0.2.78"), 202);
	r = post(base, key, ip, NULL, "ما زلت أعلق");
	IT_CHECK_STATUS(r, 202);
}

/* Two addresses of one /64 report once; another /64 counts. */
static void
test_report_once_per_64(void)
{
	const char	*base, *key = new_key("r64");
	struct it_proc	*p;
	struct it_resp	*r;
	long long	 id;

	p = it_server(&base, "2", "COMMENTD_TRUST_PROXY=true",
	    "COMMENTD_REPORT_THRESHOLD=10", (char *)NULL);
	IT_REQUIRE(p != NULL);
	id = published(base, key, "تعليق من أجل /64");
	IT_REQUIRE(id > 0);
	r = report(base, id, "2001:db8:5:6::1");
	IT_CHECK_STATUS(r, 202);
	IT_CHECK_INT(it_jint(r->json, "report.reports", -1), 1);
	r = report(base, id, "2001:db8:5:6:1234:5678:9abc:def0");
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(it_jint(r->json, "report.reports", -1), 1);
	r = report(base, id, "2001:db8:5:7::1");
	IT_CHECK_STATUS(r, 202);
	IT_CHECK_INT(it_jint(r->json, "report.reports", -1), 2);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comment_reports WHERE "
	    "comment_id = $1::bigint", it_strf("%lld", id), (char *)NULL), 2);
}

/*
 * COMMENTD_REPORT_ACTION=flag: the threshold flags the comment
 * 'reported' (one 'flag' event) and it stays published; a value other
 * than unpublish or flag stops the server at start.
 */
static void
test_report_action_flag(void)
{
	const char	*base, *key = new_key("flag"), *bin;
	char		*argv[5];
	struct it_proc	*p;
	struct it_resp	*r;
	long long	 id;
	const char	*ids;

	p = it_server(&base, "2", "COMMENTD_TRUST_PROXY=true",
	    "COMMENTD_REPORT_THRESHOLD=2", "COMMENTD_REPORT_ACTION=flag",
	    (char *)NULL);
	IT_REQUIRE(p != NULL);
	id = published(base, key, "تعليق يبقى منشورًا");
	IT_REQUIRE(id > 0);
	ids = it_strf("%lld", id);
	IT_CHECK_STATUS(report(base, id, "198.51.100.91"), 202);
	r = report(base, id, "198.51.100.92");
	IT_CHECK_STATUS(r, 202);
	IT_CHECK_INT(it_jint(r->json, "report.reports", -1), 2);
	IT_CHECK(public_has(base, key, id));
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comments WHERE id = "
	    "$1::bigint AND status = 'approved' AND 'reported' = ANY "
	    "(spam_flags)", ids, (char *)NULL), 1);
	/* Further reports count; the comment stays, flagged once. */
	r = report(base, id, "198.51.100.93");
	IT_CHECK_STATUS(r, 202);
	IT_CHECK_INT(it_jint(r->json, "report.reports", -1), 3);
	IT_CHECK(public_has(base, key, id));
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM moderation_events "
	    "WHERE comment_id = $1::bigint AND actor = 'readers' AND "
	    "action = 'flag' AND to_status = 'approved'", ids, (char *)NULL),
	    1);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM moderation_events "
	    "WHERE comment_id = $1::bigint AND action = 'report'", ids,
	    (char *)NULL), 0);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM comments, "
	    "unnest(spam_flags) f WHERE id = $1::bigint AND f = 'reported'",
	    ids, (char *)NULL), 1);

	bin = getenv("COMMENTD_TEST_BIN");
	IT_REQUIRE(bin != NULL);
	argv[0] = (char *)bin;
	argv[1] = (char *)"serve";
	argv[2] = (char *)"--report-action";
	argv[3] = (char *)"hide";
	argv[4] = NULL;
	IT_CHECK_INT(it_run_io(argv, NULL, NULL, NULL, 30), 2);
}

static const struct it_test tests[] = {
	{ "burst", test_burst },
	{ "email_bucket", test_email_bucket },
	{ "ipv6_64", test_ipv6_64 },
	{ "across_workers", test_across_workers },
	{ "off", test_off },
	{ "report_bucket", test_report_bucket },
	{ "report_once_per_64", test_report_once_per_64 },
	{ "report_action_flag", test_report_action_flag },
};

int
main(int argc, char **argv)
{
	snprintf(run_id, sizeof run_id, "%ld-%ld", (long)getpid(),
	    (long)time(NULL));
	return it_main(tests, sizeof tests / sizeof tests[0], argc, argv);
}
