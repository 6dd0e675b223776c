/*
 * test_rules.c - the site's rules (issue 12) against the real server:
 * word lists and their Arabic-aware matching, links, bans, the
 * widget's bot checks, duplicates and waves, articles nobody created,
 * the author record and trusted authors, each with its reason code in
 * the admin item, its history event by "system", the queue's filter,
 * and the setting that turns it off.
 *
 * Each case starts a server of its own (one worker: it logs "word
 * lists: N entries" when its copy of the lists is loaded, which the
 * word cases wait for) that trusts X-Forwarded-For, so a case can be
 * many readers; its settings are the defaults but for those it names
 * (and the duplicate and repeat offender rules, off on test servers
 * unless named).  Words and bans live in the database every test program
 * shares: each case removes what it added, and what it posts carries
 * the run's id, so no other test meets them.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "itest.h"

#define API		"/api/v1/admin"
#define JSON_CT		"Content-Type: application/json"
#define ORIGIN		"https://news.example"

static char	 run_id[48];
static struct it_account	 adm = { "rladm", "admin" };
static struct it_account	 mod = { "rlmod", "moderator" };

#define account(a)	it_account_at(__FILE__, __LINE__, (a), run_id)

/* -- helpers -------------------------------------------------------------- */

static const char *
new_key(const char *tag)
{
	return it_strf("itrl-%s-%s", run_id, tag);
}

/* A server of this file's: one worker, behind a "proxy", the site's
 * origin allowed, and the settings given (up to four, NULL-ended). */
static struct it_proc *
server_at(const char *file, int line, const char **base, const char *s1,
    const char *s2, const char *s3, const char *s4)
{
	struct it_proc	*p;

	p = it_server_at(file, line, base, "1", "COMMENTD_TRUST_PROXY=true",
	    "COMMENTD_ALLOWED_ORIGINS=" ORIGIN,
	    s1 != NULL ? s1 : "COMMENTD_LOG_LEVEL=info",
	    s2 != NULL ? s2 : "COMMENTD_LOG_LEVEL=info",
	    s3 != NULL ? s3 : "COMMENTD_LOG_LEVEL=info",
	    s4 != NULL ? s4 : "COMMENTD_LOG_LEVEL=info", (char *)NULL);
	/* Its copy of the word lists is loaded. */
	if (p != NULL && !it_check_at(file, line, it_proc_wait_line(p,
	    "word lists: ", it_limit_ms(10000)) != NULL,
	    "the server loaded the word lists"))
		return NULL;
	return p;
}
#define server(b, s1, s2, s3, s4) \
	server_at(__FILE__, __LINE__, (b), (s1), (s2), (s3), (s4))

/*
 * Posts body (a JSON object, stolen) to key at base as the reader at
 * address xff (NULL: none); idem an Idempotency-Key or NULL.
 */
static struct it_resp *
post(const char *base, const char *key, json_t *body, const char *xff,
    const char *idem)
{
	const char	*h[4];
	int		 n = 0;

	h[n++] = JSON_CT;
	if (xff != NULL)
		h[n++] = it_strf("X-Forwarded-For: %s", xff);
	if (idem != NULL)
		h[n++] = it_strf("Idempotency-Key: %s", idem);
	h[n] = NULL;
	return it_http_at(base, "POST", it_list_path(key), h, it_dump(body),
	    (size_t)-1);
}

/* {author, body} with an e-mail if email is not NULL. */
static json_t *
comment(const char *author, const char *email, const char *body)
{
	json_t	*o = json_pack("{s:s, s:s}", "author", author, "body", body);

	if (email != NULL)
		json_object_set_new(o, "email", json_string(email));
	return o;
}

/* Posts and expects status st; the comment's id or -1. */
static long long
post_ok_at(const char *file, int line, const char *base, const char *key,
    json_t *body, const char *xff, long st)
{
	struct it_resp	*r = post(base, key, body, xff, NULL);

	if (!it_check_status_at(file, line, r, st))
		return -1;
	return it_jint(r->json, "comment.id", -1);
}
#define post_ok(b, k, o, x, st) \
	post_ok_at(__FILE__, __LINE__, (b), (k), (o), (x), (st))

/* One text value of a query about comment id ($1), "" for NULL. */
static const char *
sql_text(const char *sql, long long id, const char *arg)
{
	PGresult	*res;

	/* A NULL would end the parameter list: the SQL names $2 only
	 * when it is given. */
	res = arg != NULL ? it_sql(sql, it_strf("%lld", id), arg,
	    (char *)NULL) : it_sql(sql, it_strf("%lld", id), (char *)NULL);
	if (res == NULL || PQntuples(res) != 1)
		return "(no row)";
	return it_strf("%s", PQgetvalue(res, 0, 0));
}

/* The author record's recent decisions ("(no row)" without one). */
static const char *
recent_of(const char *author_key)
{
	PGresult	*res;

	res = it_sql("SELECT recent FROM authors WHERE key = $1", author_key,
	    (char *)NULL);
	if (res == NULL || PQntuples(res) != 1)
		return "(no row)";
	return it_strf("%s", PQgetvalue(res, 0, 0));
}

static const char *
status_of(long long id)
{
	return sql_text("SELECT status FROM comments WHERE id = $1::bigint",
	    id, NULL);
}

/* The comment's reason codes, comma-separated in order. */
static const char *
flags_of(long long id)
{
	return sql_text("SELECT array_to_string(spam_flags, ',') FROM "
	    "comments WHERE id = $1::bigint", id, NULL);
}

/* The detail of a code as text ("" when absent). */
static const char *
detail_of(long long id, const char *code)
{
	return sql_text("SELECT coalesce(flag_details ->> $2, '') FROM "
	    "comments WHERE id = $1::bigint", id, code);
}

/* Events by "system" of the comment that name code. */
static long long
system_events(long long id, const char *code)
{
	return it_sql_ll("SELECT count(*) FROM moderation_events WHERE "
	    "comment_id = $1::bigint AND actor = 'system' AND action = "
	    "'rule' AND (reason = $2 OR reason LIKE $2 || ': %')",
	    it_strf("%lld", id), code, (char *)NULL);
}

/* An admin API request with token (body NULL: none). */
static struct it_resp *
adm_req(const char *base, const char *method, const char *path,
    const char *token, const char *body)
{
	const char	*h[3] = { it_bearer(token), NULL, NULL };

	if (body != NULL)
		h[1] = JSON_CT;
	return it_http_at(base, method, it_strf("%s%s", API, path), h, body,
	    body != NULL ? (size_t)-1 : 0);
}

/* Adds a word as the admin; its id, or -1 after a failed check. */
static long long
word_add_at(const char *file, int line, const char *base, const char *word,
    const char *list)
{
	struct it_resp	*r;

	r = adm_req(base, "POST", "/words", adm.token, it_dump(json_pack(
	    "{s:s, s:s}", "word", word, "list", list)));
	if (!it_check_status_at(file, line, r, 201))
		return -1;
	return it_jint(r->json, "word.id", -1);
}
#define word_add(b, w, l)	word_add_at(__FILE__, __LINE__, (b), (w), (l))

/* The server's reloads of its word lists so far ("word lists: N
 * entries" lines), and the last one's N in *last (-1: none). */
static int
words_loads(struct it_proc *p, long long *last)
{
	const char	*out = it_proc_output(p), *hit;
	int		 n = 0;

	*last = -1;
	while ((hit = strstr(out, "word lists: ")) != NULL) {
		n++;
		*last = strtoll(hit + 12, NULL, 10);
		out = hit + 12;
	}
	return n;
}

/* Where the reloads stand, before a change. */
static int
words_mark(struct it_proc *p)
{
	long long	last;

	return words_loads(p, &last);
}

/* Waits until p reloaded its lists after mark, as they are now. */
static bool
words_loaded_at(const char *file, int line, struct it_proc *p, int mark)
{
	long long	want, last;
	double		deadline = it_now() + it_limit_ms(10000) / 1000.0;

	want = it_sql_ll("SELECT count(*) FROM words", (char *)NULL);
	while (words_loads(p, &last) <= mark || last != want) {
		if (it_now() > deadline)
			return it_check_at(file, line, false, "the server "
			    "reloaded its word lists (%lld entries; last "
			    "load: %lld)", want, last);
		it_sleep_ms(20);
	}
	return it_check_at(file, line, true, "word lists reloaded");
}
#define words_loaded(p, m)	words_loaded_at(__FILE__, __LINE__, (p), (m))

/* What this run's admin added: words and bans. */
static void
cleanup(void)
{
	(void)it_sql("DELETE FROM words WHERE created_by = $1", adm.name,
	    (char *)NULL);
	(void)it_sql("DELETE FROM bans WHERE created_by IN ($1, $2)",
	    adm.name, mod.name, (char *)NULL);
}

/* -- 1. the word lists' API --------------------------------------------- */

static void
test_words_api(void)
{
	struct it_resp	*r;
	long long	 id, id2;
	const char	*w1 = it_strf("rlword%s", run_id);
	size_t		 i;
	json_t		*v;
	bool		 found = false;

	IT_REQUIRE(account(&adm) && account(&mod));
	cleanup();
	id = word_add(it_base_url, w1, "suspect");
	IT_REQUIRE(id > 0);
	r = adm_req(it_base_url, "GET", "/words?list=suspect", adm.token,
	    NULL);
	IT_CHECK_STATUS(r, 200);
	json_array_foreach(it_jget(r->json, "words"), i, v) {
		if (it_jint(v, "id", -1) != id)
			continue;
		found = true;
		IT_CHECK_STR(it_jstr(v, "word"), w1);
		IT_CHECK_STR(it_jstr(v, "list"), "suspect");
		IT_CHECK_STR(it_jstr(v, "created_by"), adm.name);
		IT_CHECK(it_jstr(v, "created_at") != NULL);
	}
	IT_CHECKF(found, "the word is listed");
	r = adm_req(it_base_url, "GET", "/words?list=banned", adm.token,
	    NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK(strstr(r->body, w1) == NULL);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, adm_req(it_base_url,
	    "GET", "/words?list=other", adm.token, NULL), 400,
	    "invalid_parameter"));

	/* Folding alike is the same entry, whichever list. */
	r = adm_req(it_base_url, "POST", "/words", adm.token, it_dump(
	    json_pack("{s:s, s:s}", "word", it_strf("RLWORD%s", run_id),
	    "list", "banned")));
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 409,
	    "duplicate_word"));
	id2 = word_add(it_base_url, "أَحْمَقُ", "banned");
	IT_CHECK(id2 > 0);
	r = adm_req(it_base_url, "POST", "/words", adm.token,
	    "{\"word\": \"احمـــق\", \"list\": \"suspect\"}");
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 409,
	    "duplicate_word"));

	/* Nothing, one letter, too many words, a wrong list or field. */
	r = adm_req(it_base_url, "POST", "/words", adm.token,
	    "{\"word\": \"!!!\", \"list\": \"banned\"}");
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 422,
	    "validation_failed"));
	IT_CHECK_STR(it_jstr(r->json, "error.fields.word"), "invalid");
	r = adm_req(it_base_url, "POST", "/words", adm.token,
	    "{\"word\": \"غ\", \"list\": \"banned\"}");
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 422,
	    "validation_failed"));
	r = adm_req(it_base_url, "POST", "/words", adm.token,
	    "{\"word\": \"one two three four five\", \"list\": \"banned\"}");
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 422,
	    "validation_failed"));
	r = adm_req(it_base_url, "POST", "/words", adm.token,
	    "{\"word\": \"rlother\", \"list\": \"bad\"}");
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 422,
	    "validation_failed"));
	IT_CHECK_STR(it_jstr(r->json, "error.fields.list"), "invalid");
	r = adm_req(it_base_url, "POST", "/words", adm.token,
	    "{\"word\": \"rlother\", \"list\": \"banned\", \"x\": 1}");
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 422,
	    "validation_failed"));
	IT_CHECK_STR(it_jstr(r->json, "error.fields.x"), "unknown_field");

	/* Admins only. */
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, adm_req(it_base_url,
	    "GET", "/words", mod.token, NULL), 403, "forbidden"));
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, adm_req(it_base_url,
	    "POST", "/words", mod.token,
	    "{\"word\": \"rlother\", \"list\": \"banned\"}"), 403,
	    "forbidden"));

	r = adm_req(it_base_url, "DELETE", it_strf("/words/%lld", id),
	    adm.token, NULL);
	IT_CHECK_STATUS(r, 204);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, adm_req(it_base_url,
	    "DELETE", it_strf("/words/%lld", id), adm.token, NULL), 404,
	    "not_found"));
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, adm_req(it_base_url,
	    "DELETE", "/words/x", adm.token, NULL), 404, "not_found"));
	cleanup();
}

/* -- 2. word lists on submissions, Arabic-aware ------------------------- */

struct word_case {
	const char	*body;
	const char	*code;		/* NULL: no rule */
	const char	*detail;
};

static void
test_word_matching(void)
{
	static const struct word_case cases[] = {
		/* The banned entry "أحمق" as readers disguise it. */
		{ "أنت أحمق حقا", "banned_word", "أحمق" },
		{ "أنت أَحْمَقُ", "banned_word", "أحمق" },
		{ "يا احـــــمق", "banned_word", "أحمق" },
		{ "يا إحمق", "banned_word", "أحمق" },
		{ "يا ا ح م ق", "banned_word", "أحمق" },
		{ "يا أ.ح.م.ق!", "banned_word", "أحمق" },
		{ "والأحمق ذهب", "banned_word", "أحمق" },
		{ "كلام بالأحمق", "banned_word", "أحمق" },
		{ "يا ﺃﺣﻤﻖ", "banned_word", "أحمق" },
		{ "أحمققققق", "banned_word", "أحمق" },
		/* Words that only look alike. */
		{ "الأحمقان جاءا", NULL, NULL },
		{ "حماقة كبيرة", NULL, NULL },
		{ "محمد أحمد", NULL, NULL },
		/* The suspect "مسخرة" (ta marbuta), "فوضى" (alef maqsura),
		 * a Persian-lettered entry, and a link domain. */
		{ "هذه مسخره", "suspect_word", "مسخرة" },
		{ "فوضي عارمة", "suspect_word", "فوضى" },
		{ "كلام كثير الفوضى", "suspect_word", "فوضى" },
		{ "إنه كتاب", "suspect_word", "کتاب" },
		{ "visit http://RLSPAM.example/offer", "suspect_word",
		    "rlspam.example" },
		{ "rlspam is not an example", NULL, NULL },
	};
	const struct word_case	*c;
	const char		*base, *key = new_key("words");
	struct it_proc		*p;
	long long		 id;
	size_t			 i;
	int			 mark;

	IT_REQUIRE(account(&adm));
	cleanup();
	p = server(&base, "COMMENTD_MAX_LINKS=0", NULL, NULL, NULL);
	IT_REQUIRE(p != NULL);
	mark = words_mark(p);
	IT_REQUIRE(word_add(base, "أحمق", "banned") > 0);
	IT_REQUIRE(word_add(base, "مسخرة", "suspect") > 0);
	IT_REQUIRE(word_add(base, "فوضى", "suspect") > 0);
	IT_REQUIRE(word_add(base, "کتاب", "suspect") > 0);
	IT_REQUIRE(word_add(base, "rlspam.example", "suspect") > 0);
	IT_REQUIRE(words_loaded(p, mark));

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		c = &cases[i];
		/* No oracle: a banned word reads as the usual notice. */
		id = post_ok(base, key, comment("قارئ", NULL, it_strf("%s %s",
		    c->body, run_id)), it_strf("198.18.1.%zu", i + 1), 202);
		if (id < 0)
			continue;
		if (c->code == NULL) {
			IT_CHECKF(strcmp(flags_of(id), "") == 0, "\"%s\": no "
			    "rule acted, not %s", c->body, flags_of(id));
			IT_CHECK_STR(status_of(id), "pending");
			continue;
		}
		IT_CHECKF(strcmp(flags_of(id), c->code) == 0, "\"%s\": "
		    "flagged %s, not \"%s\"", c->body, c->code, flags_of(id));
		IT_CHECK_STR(detail_of(id, c->code), c->detail);
		IT_CHECK_STR(status_of(id), strcmp(c->code, "banned_word") ==
		    0 ? "rejected" : "pending");
		IT_CHECK_INT(system_events(id, c->code), 1);
	}

	/* The author's name is read too. */
	id = post_ok(base, key, comment("الأحمق", NULL, it_strf("مرحبا %s",
	    run_id)), "198.18.2.1", 202);
	IT_CHECK_STR(flags_of(id), "banned_word");
	mark = words_mark(p);
	cleanup();
	IT_CHECK(words_loaded(p, mark));
	id = post_ok(base, key, comment("قارئ", NULL, it_strf("أنت أحمق %s "
	    "again", run_id)), "198.18.2.2", 202);
	IT_CHECK_STR(flags_of(id), "");
	IT_CHECK_STR(status_of(id), "pending");
}

/*
 * A list of 10,000 entries (made in SQL, as a bulk import would): every
 * worker loads it, and a submission finds its last entry and, by its
 * prefixes, its first.
 */
static void
test_word_list_large(void)
{
	const char	*base, *key = new_key("large");
	struct it_proc	*p;
	long long	 id;
	int		 mark;

	IT_REQUIRE(account(&adm));
	cleanup();
	p = server(&base, NULL, NULL, NULL, NULL);
	IT_REQUIRE(p != NULL);
	mark = words_mark(p);
	IT_REQUIRE(it_sql("INSERT INTO words (word, list, folded, created_by) "
	    "SELECT 'rlbig' || $1 || 'n' || i, 'suspect', 'rlbig' || $1 || "
	    "'n' || i, $2 FROM generate_series(1, 10000) AS i", run_id,
	    adm.name, (char *)NULL) != NULL);
	IT_REQUIRE(words_loaded(p, mark));
	id = post_ok(base, key, comment("قارئ", NULL, it_strf("كلام rlbig%sn"
	    "10000 آخر", run_id)), "198.18.3.2", 202);
	IT_CHECK_STR(flags_of(id), "suspect_word");
	IT_CHECK_STR(detail_of(id, "suspect_word"), it_strf("rlbig%sn10000",
	    run_id));
	id = post_ok(base, key, comment("قارئ", NULL, it_strf("وrlbig%sn1",
	    run_id)), "198.18.3.3", 202);
	IT_CHECK_STR(detail_of(id, "suspect_word"), it_strf("rlbig%sn1",
	    run_id));
	cleanup();
}

/* COMMENTD_WORD_LISTS=false: the lists are kept, not applied. */
static void
test_word_lists_off(void)
{
	const char	*base, *key = new_key("wordsoff");
	struct it_proc	*p;
	long long	 id;
	int		 mark;

	IT_REQUIRE(account(&adm));
	cleanup();
	p = server(&base, "COMMENTD_WORD_LISTS=false", NULL, NULL, NULL);
	IT_REQUIRE(p != NULL);
	mark = words_mark(p);
	IT_REQUIRE(word_add(base, "أحمق", "banned") > 0);
	IT_REQUIRE(words_loaded(p, mark));
	id = post_ok(base, key, comment("قارئ", NULL, it_strf("أحمق %s",
	    run_id)), "198.18.3.1", 202);
	IT_CHECK_STR(flags_of(id), "");
	IT_CHECK_STR(status_of(id), "pending");
	cleanup();
}

/* -- 3. links ------------------------------------------------------------ */

static void
test_links(void)
{
	const char	*base, *key = new_key("links");
	struct it_proc	*p;
	long long	 id;
	struct it_resp	*r;

	IT_REQUIRE(account(&adm));
	p = server(&base, "COMMENTD_MAX_LINKS=2", NULL, NULL, NULL);
	IT_REQUIRE(p != NULL);
	id = post_ok(base, key, comment("قارئ", NULL, it_strf("%s: "
	    "https://a.example http://b.example", run_id)), "198.18.4.1",
	    202);
	IT_CHECK_STR(flags_of(id), "");
	id = post_ok(base, key, comment("قارئ", NULL, it_strf("%s: "
	    "https://a.example\nhttp://b.example (www.c.example)", run_id)),
	    "198.18.4.2", 202);
	IT_CHECK_STR(flags_of(id), "links");
	IT_CHECK_STR(detail_of(id, "links"), "3");
	IT_CHECK_STR(status_of(id), "pending");
	IT_CHECK_INT(system_events(id, "links"), 1);
	/* The moderator sees the count. */
	r = adm_req(base, "GET", it_strf("/comments/%lld", id), adm.token,
	    NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(it_jint(r->json, "comment.flag_details.links", -1), 3);
	it_proc_kill(p, 15);
	it_proc_wait(p, it_limit_ms(10000));

	p = server(&base, "COMMENTD_MAX_LINKS=0", NULL, NULL, NULL);
	IT_REQUIRE(p != NULL);
	id = post_ok(base, key, comment("قارئ", NULL, it_strf("%s: "
	    "http://a.example http://b.example http://c.example "
	    "http://d.example", run_id)), "198.18.4.3", 202);
	IT_CHECK_STR(flags_of(id), "");
}

/* -- 4. bots ------------------------------------------------------------- */

static void
test_bots(void)
{
	const char	*base, *key = new_key("bots");
	struct it_proc	*p;
	struct it_resp	*r;
	json_t		*o;
	long long	 id;

	p = server(&base, "COMMENTD_MIN_FORM_SECONDS=3", NULL, NULL, NULL);
	IT_REQUIRE(p != NULL);
	o = comment("bot", NULL, it_strf("honey %s", run_id));
	json_object_set_new(o, "website", json_string("http://x.example"));
	r = post(base, key, o, "198.18.5.1", NULL);
	IT_CHECK_STATUS(r, 202);
	IT_CHECK_STR(it_jstr(r->json, "comment.status"), "pending");
	id = it_jint(r->json, "comment.id", -1);
	IT_CHECK_STR(status_of(id), "spam");
	IT_CHECK_STR(flags_of(id), "honeypot");
	IT_CHECK_INT(system_events(id, "honeypot"), 1);
	/* Its own comment reads as it was told, too. */
	r = it_http_at(base, "GET", it_strf("/api/v1/comments/%lld", id),
	    (const char *[]){ it_strf("X-Submitter-Token: %s",
	    it_jstr(r->json, "submitter_token")), NULL }, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_STR(it_jstr(r->json, "comment.status"), "pending");

	o = comment("bot", NULL, it_strf("fast %s", run_id));
	json_object_set_new(o, "form_ms", json_integer(800));
	id = post_ok(base, key, o, "198.18.5.2", 202);
	IT_CHECK_STR(status_of(id), "spam");
	IT_CHECK_STR(flags_of(id), "too_fast");

	o = comment("person", NULL, it_strf("slow %s", run_id));
	json_object_set_new(o, "form_ms", json_integer(4000));
	json_object_set_new(o, "website", json_string(""));
	id = post_ok(base, key, o, "198.18.5.3", 202);
	IT_CHECK_STR(status_of(id), "pending");
	IT_CHECK_STR(flags_of(id), "");

	/* An API client that sends neither is not penalised. */
	id = post_ok(base, key, comment("api", NULL, it_strf("api %s",
	    run_id)), "198.18.5.4", 202);
	IT_CHECK_STR(flags_of(id), "");
	it_proc_kill(p, 15);
	it_proc_wait(p, it_limit_ms(10000));

	p = server(&base, "COMMENTD_MIN_FORM_SECONDS=0", NULL, NULL, NULL);
	IT_REQUIRE(p != NULL);
	o = comment("person", NULL, it_strf("quick %s", run_id));
	json_object_set_new(o, "form_ms", json_integer(10));
	id = post_ok(base, key, o, "198.18.5.5", 202);
	IT_CHECK_STR(flags_of(id), "");
}

/* -- 5. duplicates and waves -------------------------------------------- */

static void
test_duplicates(void)
{
	const char	*base, *key = new_key("dup"), *text;
	struct it_proc	*p;
	struct it_resp	*r;
	long long	 first, id, w1;

	p = server(&base, "COMMENTD_DUPLICATE_WINDOW_S=3600",
	    "COMMENTD_DUPLICATE_WAVE_READERS=3", NULL, NULL);
	IT_REQUIRE(p != NULL);
	text = it_strf("تعليق مكرر %s", run_id);
	first = post_ok(base, key, comment("ليلى", NULL, text), "198.18.6.1",
	    202);
	IT_REQUIRE(first > 0);
	/* Again, from the same address, even spelled otherwise. */
	r = post(base, key, comment("ليلى", NULL, text), "198.18.6.1", NULL);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 409, "duplicate"));
	IT_CHECK_INT(it_jint(r->json, "error.comment_id", -1), first);
	r = post(base, new_key("dup2"), comment("ليلى", NULL,
	    it_strf("تَعْلِيقٌ مكـــرر %s!", run_id)), "198.18.6.1", NULL);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 409, "duplicate"));
	IT_CHECK_INT(it_jint(r->json, "error.comment_id", -1), first);
	/* The same e-mail from elsewhere. */
	text = it_strf("بالبريد %s", run_id);
	id = post_ok(base, key, comment("سام", it_strf("dup-%s@example.com",
	    run_id), text), "198.18.6.2", 202);
	r = post(base, key, comment("سام", it_strf("DUP-%s@example.com",
	    run_id), text), "198.18.6.3", NULL);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 409, "duplicate"));
	IT_CHECK_INT(it_jint(r->json, "error.comment_id", -1), id);
	/* A retry with its Idempotency-Key replays as before. */
	text = it_strf("مع مفتاح %s", run_id);
	r = post(base, key, comment("ليلى", NULL, text), "198.18.6.4",
	    it_strf("idem-%s", run_id));
	IT_CHECK_STATUS(r, 202);
	id = it_jint(r->json, "comment.id", -1);
	r = post(base, key, comment("ليلى", NULL, text), "198.18.6.4",
	    it_strf("idem-%s", run_id));
	IT_CHECK_STATUS(r, 202);
	IT_CHECK_STR(it_header(r, "Idempotent-Replayed"), "true");
	IT_CHECK_INT(it_jint(r->json, "comment.id", -1), id);

	/* A wave: the same text from three readers. */
	text = it_strf("موجة من الرسائل %s", run_id);
	w1 = post_ok(base, key, comment("a", NULL, text), "198.18.7.1", 202);
	id = post_ok(base, key, comment("b", NULL, text), "198.18.7.2", 202);
	IT_CHECK_STR(flags_of(id), "");
	id = post_ok(base, key, comment("c", NULL, text), "198.18.7.3", 202);
	IT_CHECK_STR(flags_of(id), "duplicate_wave");
	IT_CHECK_STR(status_of(id), "pending");
	IT_CHECK_STR(detail_of(id, "duplicate_wave"), it_strf("%lld", w1));
	IT_CHECK_INT(system_events(id, "duplicate_wave"), 1);
	it_proc_kill(p, 15);
	it_proc_wait(p, it_limit_ms(10000));

	/* Off: the same text again is a comment like any. */
	p = server(&base, "COMMENTD_DUPLICATE_WINDOW_S=0", NULL, NULL, NULL);
	IT_REQUIRE(p != NULL);
	text = it_strf("تعليق مكرر %s", run_id);
	id = post_ok(base, key, comment("ليلى", NULL, text), "198.18.6.1",
	    202);
	IT_CHECK(id > first);
	id = post_ok(base, key, comment("d", NULL, it_strf("موجة من الرسائل "
	    "%s", run_id)), "198.18.7.4", 202);
	IT_CHECK_STR(flags_of(id), "");
	it_proc_kill(p, 15);
	it_proc_wait(p, it_limit_ms(10000));

	/* Waves off, duplicates on. */
	p = server(&base, "COMMENTD_DUPLICATE_WAVE_READERS=0",
	    "COMMENTD_DUPLICATE_WINDOW_S=3600", NULL, NULL);
	IT_REQUIRE(p != NULL);
	id = post_ok(base, key, comment("e", NULL, it_strf("موجة من الرسائل "
	    "%s", run_id)), "198.18.7.5", 202);
	IT_CHECK_STR(flags_of(id), "");
}

/* -- 6. articles ----------------------------------------------------------- */

static void
test_articles(void)
{
	const char	*base, *key = new_key("noauto"), *key2;
	struct it_proc	*p;
	struct it_resp	*r;
	json_t		*o;
	long long	 id;

	IT_REQUIRE(account(&adm));
	p = server(&base, "COMMENTD_AUTO_CREATE_ARTICLES=false", NULL, NULL,
	    NULL);
	IT_REQUIRE(p != NULL);
	r = post(base, key, comment("قارئ", NULL, it_strf("أول %s", run_id)),
	    "198.18.8.1", NULL);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 404, "not_found"));
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM articles WHERE key = $1",
	    key, (char *)NULL), 0);
	/* Made by the admin API (or the CMS): open. */
	r = adm_req(base, "PUT", it_strf("/articles/%s", it_pct(key)),
	    adm.token, "{\"title\": \"مقال\"}");
	IT_CHECK_STATUS(r, 200);
	id = post_ok(base, key, comment("قارئ", NULL, it_strf("أول %s",
	    run_id)), "198.18.8.1", 202);
	IT_CHECK(id > 0);
	it_proc_kill(p, 15);
	it_proc_wait(p, it_limit_ms(10000));

	/* Created on the first post, with the page's title and, from an
	 * allowed origin, its address. */
	p = server(&base, NULL, NULL, NULL, NULL);
	IT_REQUIRE(p != NULL);
	key2 = new_key("titled");
	o = comment("قارئ", NULL, it_strf("عنوان %s", run_id));
	json_object_set_new(o, "article_title", json_string("عنوان المقال"));
	json_object_set_new(o, "article_url",
	    json_string(ORIGIN "/news/1?x=1"));
	IT_CHECK(post_ok(base, key2, o, "198.18.8.2", 202) > 0);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM articles WHERE key = $1 "
	    "AND title = 'عنوان المقال' AND url = $2", key2,
	    ORIGIN "/news/1?x=1", (char *)NULL), 1);
	key2 = new_key("forged");
	o = comment("قارئ", NULL, it_strf("مزور %s", run_id));
	json_object_set_new(o, "article_title", json_string("عنوان"));
	json_object_set_new(o, "article_url",
	    json_string("https://evil.example/news/1"));
	IT_CHECK(post_ok(base, key2, o, "198.18.8.3", 202) > 0);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM articles WHERE key = $1 "
	    "AND title = 'عنوان' AND url IS NULL", key2, (char *)NULL), 1);
	/* An article made without them gets them from a later post. */
	key2 = new_key("later");
	r = adm_req(base, "PUT", it_strf("/articles/%s", it_pct(key2)),
	    adm.token, "{\"mode\": \"premoderated\"}");
	IT_CHECK_STATUS(r, 200);
	o = comment("قارئ", NULL, it_strf("لاحق %s", run_id));
	json_object_set_new(o, "article_title", json_string("لاحقا"));
	IT_CHECK(post_ok(base, key2, o, "198.18.8.4", 202) > 0);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM articles WHERE key = $1 "
	    "AND title = 'لاحقا'", key2, (char *)NULL), 1);

	/* Reading an unknown article: an empty page, as for any article
	 * without comments, in JSON, HTML and counts. */
	key2 = new_key("never");
	r = it_http_at(base, "GET", it_list_path(key2), NULL, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(it_jint(r->json, "total", -1), 0);
	IT_CHECK(json_array_size(it_jget(r->json, "comments")) == 0);
	IT_CHECK_STR(it_jstr(r->json, "article.key"), key2);
	IT_CHECK(it_jnull(r->json, "next"));
	IT_CHECK(it_header(r, "ETag") != NULL);
	r = it_http_at(base, "GET", it_strf("%s.html", it_list_path(key2)),
	    NULL, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK(strstr(r->body, "data-total=\"0\"") != NULL);
	r = it_http_at(base, "GET", it_strf("/api/v1/counts?article=%s",
	    it_pct(key2)), NULL, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(it_jint(r->json, it_strf("counts.%s", key2), -1), 0);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM articles WHERE key = $1",
	    key2, (char *)NULL), 0);
}

/* -- 7. bans ------------------------------------------------------------- */

static void
test_bans_api(void)
{
	static const char *const bad[] = {
		"{\"kind\": \"ip\", \"value\": \"300.1.1.1\"}",
		"{\"kind\": \"ip\", \"value\": \"10.0.0.1/8\"}",
		"{\"kind\": \"ip\", \"value\": \"10.0.0.0/33\"}",
		"{\"kind\": \"email\", \"value\": \"no-at-sign\"}",
		"{\"kind\": \"email_domain\", \"value\": \"a b.example\"}",
		"{\"kind\": \"email_domain\", \"value\": \"@x.example\"}",
		"{\"kind\": \"nick\", \"value\": \"x\"}",
		"{\"kind\": \"ip\"}",
		("{\"kind\": \"ip\", \"value\": \"10.0.0.0/8\", "
		    "\"expires_at\": \"tomorrow\"}"),
		"{\"comment_id\": \"x\"}",
	};
	struct it_resp	*r;
	long long	 id, gone;
	size_t		 i;

	IT_REQUIRE(account(&adm) && account(&mod));
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = adm_req(it_base_url, "POST", "/bans", mod.token, bad[i]);
		if (!it_check_error_at(__FILE__, __LINE__, r, 422,
		    "validation_failed"))
			it_note("%s", bad[i]);
	}
	/* Any moderator may ban. */
	r = adm_req(it_base_url, "POST", "/bans", mod.token, it_dump(
	    json_pack("{s:s, s:s, s:s}", "kind", "email", "value",
	    it_strf("Ban-%s@Example.com", run_id), "reason", "spam")));
	IT_CHECK_STATUS(r, 201);
	id = it_jint(r->json, "ban.id", -1);
	IT_CHECK_STR(it_jstr(r->json, "ban.kind"), "email");
	IT_CHECK_STR(it_jstr(r->json, "ban.value"),
	    it_strf("ban-%s@example.com", run_id));
	IT_CHECK_STR(it_jstr(r->json, "ban.reason"), "spam");
	IT_CHECK_STR(it_jstr(r->json, "ban.created_by"), mod.name);
	IT_CHECK(it_jnull(r->json, "ban.expires_at"));
	r = adm_req(it_base_url, "POST", "/bans", mod.token,
	    "{\"kind\": \"ip\", \"value\": \"2001:db8:7::/48\", "
	    "\"expires_at\": \"2000-01-01T00:00:00Z\"}");
	IT_CHECK_STATUS(r, 201);
	gone = it_jint(r->json, "ban.id", -1);
	IT_CHECK_STR(it_jstr(r->json, "ban.expires_at"),
	    "2000-01-01T00:00:00.000000Z");
	/* Expired ones only with ?all=true. */
	r = adm_req(it_base_url, "GET", "/bans", mod.token, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK(strstr(r->body, it_strf("\"id\":%lld,", id)) != NULL);
	IT_CHECK(strstr(r->body, it_strf("\"id\":%lld,", gone)) == NULL);
	r = adm_req(it_base_url, "GET", "/bans?all=true", mod.token, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK(strstr(r->body, it_strf("\"id\":%lld,", gone)) != NULL);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, adm_req(it_base_url,
	    "GET", "/bans?all=maybe", mod.token, NULL), 400,
	    "invalid_parameter"));
	/* "Ban this author" of a comment that does not exist. */
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, adm_req(it_base_url,
	    "POST", "/bans", mod.token, "{\"comment_id\": 99999999999}"),
	    404, "not_found"));

	r = adm_req(it_base_url, "DELETE", it_strf("/bans/%lld", gone),
	    mod.token, NULL);
	IT_CHECK_STATUS(r, 204);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, adm_req(it_base_url,
	    "DELETE", it_strf("/bans/%lld", gone), mod.token, NULL), 404,
	    "not_found"));
	cleanup();
}

static void
test_bans(void)
{
	const char	*base, *key = new_key("bans"), *email;
	struct it_proc	*p;
	struct it_resp	*r;
	long long	 id, ban, c;

	IT_REQUIRE(account(&adm) && account(&mod));
	p = server(&base, NULL, NULL, NULL, NULL);
	IT_REQUIRE(p != NULL);
	email = it_strf("banned-%s@example.com", run_id);

	r = adm_req(base, "POST", "/bans", mod.token, it_dump(json_pack(
	    "{s:s, s:s}", "kind", "email", "value", email)));
	IT_REQUIRE_STATUS(r, 201);
	ban = it_jint(r->json, "ban.id", -1);
	r = post(base, key, comment("x", email, it_strf("by mail %s",
	    run_id)), "198.18.9.1", NULL);
	IT_CHECK_STATUS(r, 202);
	IT_CHECK_STR(it_jstr(r->json, "comment.status"), "pending");
	id = it_jint(r->json, "comment.id", -1);
	IT_CHECK_STR(status_of(id), "spam");
	IT_CHECK_STR(flags_of(id), "banned_author");
	IT_CHECK_STR(detail_of(id, "banned_author"), it_strf("%lld", ban));
	IT_CHECK_INT(system_events(id, "banned_author"), 1);

	r = adm_req(base, "POST", "/bans", mod.token, it_dump(json_pack(
	    "{s:s, s:s}", "kind", "email_domain", "value",
	    it_strf("rl%s.example", run_id))));
	IT_CHECK_STATUS(r, 201);
	id = post_ok(base, key, comment("x", it_strf("a@RL%s.example",
	    run_id), it_strf("by domain %s", run_id)), "198.18.9.2", 202);
	IT_CHECK_STR(flags_of(id), "banned_author");
	/* A domain's subdomains are the domain's; a longer name that
	 * merely ends the same is not. */
	id = post_ok(base, key, comment("x", it_strf("a@mail.rl%s.example",
	    run_id), it_strf("by subdomain %s", run_id)), "198.18.9.3", 202);
	IT_CHECK_STR(flags_of(id), "banned_author");
	id = post_ok(base, key, comment("x", it_strf("a@notrl%s.example",
	    run_id), it_strf("by lookalike %s", run_id)), "198.18.9.4", 202);
	IT_CHECK_STR(flags_of(id), "");

	r = adm_req(base, "POST", "/bans", mod.token,
	    "{\"kind\": \"ip\", \"value\": \"198.18.10.0/24\"}");
	IT_CHECK_STATUS(r, 201);
	id = post_ok(base, key, comment("x", NULL, it_strf("by block %s",
	    run_id)), "198.18.10.77", 202);
	IT_CHECK_STR(flags_of(id), "banned_author");
	IT_CHECK_STR(status_of(id), "spam");
	id = post_ok(base, key, comment("x", NULL, it_strf("next door %s",
	    run_id)), "198.18.11.77", 202);
	IT_CHECK_STR(flags_of(id), "");
	/* An IPv4 address written as IPv6 is stored, and bans, as IPv4. */
	r = adm_req(base, "POST", "/bans", mod.token,
	    "{\"kind\": \"ip\", \"value\": \"::ffff:198.18.11.80\"}");
	IT_CHECK_STATUS(r, 201);
	IT_CHECK_STR(it_jstr(r->json, "ban.value"), "198.18.11.80");
	id = post_ok(base, key, comment("x", NULL, it_strf("mapped %s",
	    run_id)), "198.18.11.80", 202);
	IT_CHECK_STR(flags_of(id), "banned_author");

	/* Expired: no effect. */
	r = adm_req(base, "POST", "/bans", mod.token,
	    "{\"kind\": \"ip\", \"value\": \"198.18.12.1\", "
	    "\"expires_at\": \"2001-01-01T00:00:00+02:00\"}");
	IT_CHECK_STATUS(r, 201);
	id = post_ok(base, key, comment("x", NULL, it_strf("expired %s",
	    run_id)), "198.18.12.1", 202);
	IT_CHECK_STR(flags_of(id), "");

	/* "Ban this author" from a comment: its e-mail, else its address. */
	c = post_ok(base, key, comment("y", NULL, it_strf("author %s",
	    run_id)), "198.18.13.5", 202);
	r = adm_req(base, "POST", "/bans", mod.token, it_strf(
	    "{\"comment_id\": %lld, \"reason\": \"flood\"}", c));
	IT_CHECK_STATUS(r, 201);
	IT_CHECK_STR(it_jstr(r->json, "ban.kind"), "ip");
	/* The address is personal data: not shown to a moderator. */
	IT_CHECK(it_jget(r->json, "ban.value") == NULL);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM bans WHERE id = $1 AND "
	    "value = '198.18.13.5'", it_strf("%lld", it_jint(r->json,
	    "ban.id", -1)), (char *)NULL), 1);
	c = post_ok(base, key, comment("y", it_strf("who-%s@example.com",
	    run_id), it_strf("author2 %s", run_id)), "198.18.13.6", 202);
	r = adm_req(base, "POST", "/bans", mod.token, it_strf(
	    "{\"comment_id\": %lld}", c));
	IT_CHECK_STATUS(r, 201);
	IT_CHECK_STR(it_jstr(r->json, "ban.kind"), "email");
	id = post_ok(base, key, comment("y", NULL, it_strf("author3 %s",
	    run_id)), "198.18.13.5", 202);
	IT_CHECK_STR(flags_of(id), "banned_author");
	it_proc_kill(p, 15);
	it_proc_wait(p, it_limit_ms(10000));

	/* COMMENTD_BANS=false */
	p = server(&base, "COMMENTD_BANS=false", NULL, NULL, NULL);
	IT_REQUIRE(p != NULL);
	id = post_ok(base, key, comment("x", email, it_strf("unbanned %s",
	    run_id)), "198.18.9.9", 202);
	IT_CHECK_STR(flags_of(id), "");
	IT_CHECK_STR(status_of(id), "pending");
	cleanup();
}

/* -- 8. the author record ------------------------------------------------ */

static void
test_author_record(void)
{
	const char	*base, *key = new_key("author"), *email;
	struct it_proc	*p;
	struct it_resp	*r;
	long long	 id, ids[3];
	int		 i;

	IT_REQUIRE(account(&adm) && account(&mod));
	p = server(&base, "COMMENTD_REPEAT_OFFENDER=3", NULL, NULL, NULL);
	IT_REQUIRE(p != NULL);
	email = it_strf("record-%s@example.com", run_id);
	for (i = 0; i < 3; i++) {
		ids[i] = post_ok(base, key, comment("r", email, it_strf(
		    "record %d %s", i, run_id)), "198.18.14.1", 202);
		IT_REQUIRE(ids[i] > 0);
	}
	/* Counted whatever the path: one action, one batch. */
	r = adm_req(base, "POST", it_strf("/comments/%lld/reject", ids[0]),
	    mod.token, NULL);
	IT_CHECK_STATUS(r, 200);
	r = adm_req(base, "POST", "/comments/batch", mod.token, it_strf(
	    "{\"ids\": [%lld, %lld], \"action\": \"spam\"}", ids[1], ids[2]));
	IT_CHECK_STATUS(r, 200);
	id = post_ok(base, key, comment("r", it_strf("Record-%s@example.com",
	    run_id), it_strf("record 4 %s", run_id)), "198.18.14.2", 202);
	IT_CHECK_STR(flags_of(id), "repeat_offender");
	IT_CHECK_STR(status_of(id), "pending");
	r = adm_req(base, "GET", it_strf("/comments/%lld", id), mod.token,
	    NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(it_jint(r->json,
	    "comment.flag_details.repeat_offender.rejected", -1), 1);
	IT_CHECK_INT(it_jint(r->json,
	    "comment.flag_details.repeat_offender.spam", -1), 2);
	IT_CHECK_INT(it_jint(r->json, "comment.author_history.rejected", -1),
	    1);
	IT_CHECK_INT(it_jint(r->json, "comment.author_history.spam", -1), 2);
	IT_CHECK(json_is_false(it_jget(r->json, "comment.author_trusted")));
	IT_CHECK_INT(system_events(id, "repeat_offender"), 1);
	/* Restoring takes it back off the record. */
	r = adm_req(base, "POST", it_strf("/comments/%lld/restore", ids[2]),
	    mod.token, "{\"from\": \"spam\"}");
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(it_sql_ll("SELECT spam FROM authors WHERE key = $1",
	    it_strf("e:%s", email), (char *)NULL), 1);
	/* The recent record lost the restored decision's letter. */
	IT_CHECK_STR(recent_of(it_strf("e:%s", email)), "rs");

	/* Filtered by code in the queue. */
	r = adm_req(base, "GET", it_strf("/comments?flag=repeat_offender&"
	    "article=%s", it_pct(key)), mod.token, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(json_array_size(it_jget(r->json, "comments")), 1);
	IT_CHECK_INT(it_jint(r->json, "comments.0.id", -1), id);
	r = adm_req(base, "GET", it_strf("/comments?flag=links&article=%s",
	    it_pct(key)), mod.token, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(json_array_size(it_jget(r->json, "comments")), 0);
	r = adm_req(base, "GET", "/comments?flag=bogus", mod.token, NULL);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 422,
	    "validation_failed"));
	it_proc_kill(p, 15);
	it_proc_wait(p, it_limit_ms(10000));

	p = server(&base, "COMMENTD_REPEAT_OFFENDER=0", NULL, NULL, NULL);
	IT_REQUIRE(p != NULL);
	r = adm_req(base, "POST", it_strf("/comments/%lld/spam", ids[2]),
	    mod.token, NULL);
	IT_CHECK_STATUS(r, 200);
	id = post_ok(base, key, comment("r", email, it_strf("record 5 %s",
	    run_id)), "198.18.14.3", 202);
	IT_CHECK_STR(flags_of(id), "");
}

/* Posts n comments by email and decides them all with action: their
 * ids, in order, into ids[]. */
static void
decide_new(const char *base, const char *key, const char *email,
    const char *action, int n, long long *ids, int *seq)
{
	struct it_resp	*r;
	char		 list[1024];
	size_t		 len = 0;
	int		 i;

	for (i = 0; i < n; i++) {
		ids[i] = post_ok(base, key, comment("o", email, it_strf(
		    "recent %d %s", (*seq)++, run_id)), "198.18.16.1", 202);
		len += (size_t)snprintf(list + len, sizeof list - len,
		    "%s%lld", i > 0 ? ", " : "", ids[i]);
	}
	r = adm_req(base, "POST", "/comments/batch", mod.token, it_strf(
	    "{\"ids\": [%s], \"action\": \"%s\"}", list, action));
	IT_CHECK_STATUS(r, 200);
}

/* Repeat offender judges the last ten decisions, not a lifetime: eight
 * rejections and then five approvals is a record, not an offender. */
static void
test_author_recent(void)
{
	const char	*base, *key = new_key("recent"), *email, *akey;
	struct it_proc	*p;
	struct it_resp	*r;
	long long	 rejected[8], approved[5], id;
	int		 seq = 0;

	IT_REQUIRE(account(&mod));
	p = server(&base, "COMMENTD_REPEAT_OFFENDER=3", NULL, NULL, NULL);
	IT_REQUIRE(p != NULL);
	email = it_strf("recent-%s@example.com", run_id);
	akey = it_strf("e:%s", email);
	decide_new(base, key, email, "reject", 8, rejected, &seq);
	IT_CHECK_STR(recent_of(akey), "rrrrrrrr");
	decide_new(base, key, email, "approve", 5, approved, &seq);
	IT_CHECK_STR(recent_of(akey), "rrrrraaaaa");
	IT_CHECK_INT(it_sql_ll("SELECT rejected FROM authors WHERE key = $1",
	    akey, (char *)NULL), 8);
	/* Over a lifetime 8 > 5 would hold it; lately it is 5 to 5. */
	id = post_ok(base, key, comment("o", email, it_strf("recent %d %s",
	    seq++, run_id)), "198.18.16.1", 202);
	IT_CHECK_STR(flags_of(id), "");
	IT_CHECK_STR(status_of(id), "pending");
	/* A later different decision rewrites its letter in place. */
	r = adm_req(base, "POST", it_strf("/comments/%lld/reject",
	    approved[4]), mod.token, "{\"from\": \"approved\"}");
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_STR(recent_of(akey), "rrrrraaaar");
	id = post_ok(base, key, comment("o", email, it_strf("recent %d %s",
	    seq++, run_id)), "198.18.16.1", 202);
	IT_CHECK_STR(flags_of(id), "repeat_offender");
	r = adm_req(base, "GET", it_strf("/comments/%lld", id), mod.token,
	    NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(it_jint(r->json,
	    "comment.flag_details.repeat_offender.rejected", -1), 6);
	IT_CHECK_INT(it_jint(r->json,
	    "comment.flag_details.repeat_offender.approved", -1), 4);
	IT_CHECK_INT(it_jint(r->json,
	    "comment.flag_details.repeat_offender.recent", -1), 10);
	it_proc_kill(p, 15);
	it_proc_wait(p, it_limit_ms(10000));
}

static void
test_trusted(void)
{
	const char	*base, *key = new_key("trust"), *email;
	struct it_proc	*p;
	struct it_resp	*r;
	long long	 id;

	IT_REQUIRE(account(&adm) && account(&mod));
	p = server(&base, "COMMENTD_MAX_LINKS=1", NULL, NULL, NULL);
	IT_REQUIRE(p != NULL);
	email = it_strf("trust-%s@example.com", run_id);
	id = post_ok(base, key, comment("t", email, it_strf("first %s",
	    run_id)), "198.18.15.1", 202);
	r = adm_req(base, "POST", it_strf("/comments/%lld/approve", id),
	    mod.token, "{\"trust_author\": true}");
	IT_CHECK_STATUS(r, 200);
	r = adm_req(base, "GET", it_strf("/comments/%lld", id), mod.token,
	    NULL);
	IT_CHECK(json_is_true(it_jget(r->json, "comment.author_trusted")));
	IT_CHECK_INT(it_jint(r->json, "comment.author_history.approved", -1),
	    1);
	r = adm_req(base, "POST", it_strf("/comments/%lld/approve", id),
	    mod.token, "{\"trust_author\": 1}");
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 422,
	    "validation_failed"));
	r = adm_req(base, "POST", it_strf("/comments/%lld/reject", id),
	    mod.token, "{\"trust_author\": true, \"from\": \"approved\"}");
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 422,
	    "validation_failed"));

	/* Published at once... */
	r = post(base, key, comment("t", email, it_strf("second %s", run_id)),
	    "198.18.15.2", NULL);
	IT_CHECK_STATUS(r, 201);
	IT_CHECK_STR(it_jstr(r->json, "comment.status"), "approved");
	id = it_jint(r->json, "comment.id", -1);
	r = it_http_at(base, "GET", it_list_path(key), NULL, NULL, 0);
	IT_CHECK(it_tree_has_id(it_jget(r->json, "comments"), id));
	/* ... unless a rule flags it. */
	id = post_ok(base, key, comment("t", email, it_strf("third %s "
	    "http://a.example http://b.example", run_id)), "198.18.15.3",
	    202);
	IT_CHECK_STR(flags_of(id), "links");
	IT_CHECK_STR(status_of(id), "pending");
	it_proc_kill(p, 15);
	it_proc_wait(p, it_limit_ms(10000));

	p = server(&base, "COMMENTD_TRUSTED_AUTHORS=false", NULL, NULL, NULL);
	IT_REQUIRE(p != NULL);
	id = post_ok(base, key, comment("t", email, it_strf("fourth %s",
	    run_id)), "198.18.15.4", 202);
	IT_CHECK_STR(status_of(id), "pending");
}

/* -- 9. what moderators see ---------------------------------------------- */

static void
test_admin_item(void)
{
	const char	*base, *key = new_key("item");
	struct it_proc	*p;
	struct it_resp	*r;
	json_t		*o;
	long long	 id;
	int		 mark;
	const char	*ctl;
	char		*out = NULL;

	IT_REQUIRE(account(&adm) && account(&mod));
	cleanup();
	p = server(&base, "COMMENTD_MAX_LINKS=1",
	    "COMMENTD_MIN_FORM_SECONDS=3", NULL, NULL);
	IT_REQUIRE(p != NULL);
	mark = words_mark(p);
	IT_REQUIRE(word_add(base, it_strf("rlsus%s", run_id), "suspect") > 0);
	IT_REQUIRE(words_loaded(p, mark));
	o = comment("i", NULL, it_strf("rlsus%s http://a.example "
	    "http://b.example", run_id));
	json_object_set_new(o, "form_ms", json_integer(100));
	id = post_ok(base, key, o, "198.18.16.1", 202);
	IT_CHECK_STR(flags_of(id), "links,suspect_word,too_fast");
	IT_CHECK_STR(status_of(id), "spam");
	r = adm_req(base, "GET", it_strf("/comments?status=spam&article=%s",
	    it_pct(key)), mod.token, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(it_jint(r->json, "comments.0.id", -1), id);
	IT_CHECK_STR(it_jstr(r->json, "comments.0.flag_details.suspect_word"),
	    it_strf("rlsus%s", run_id));
	IT_CHECK_INT(it_jint(r->json, "comments.0.flag_details.links", -1),
	    2);
	IT_CHECK(json_is_true(it_jget(r->json,
	    "comments.0.flag_details.too_fast")));
	IT_CHECK(json_is_false(it_jget(r->json, "comments.0.author_trusted")));
	/* The history says which rules acted, by "system". */
	r = adm_req(base, "GET", it_strf("/comments/%lld/history", id),
	    mod.token, NULL);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(json_array_size(it_jget(r->json, "events")), 3);
	IT_CHECK_STR(it_jstr(r->json, "events.0.actor"), "system");
	IT_CHECK_STR(it_jstr(r->json, "events.0.to_status"), "spam");

	/* commentctl shows each reason with its detail. */
	ctl = getenv("COMMENTD_TEST_CTL");
	if (ctl != NULL && *ctl != '\0') {
		char *const	 argv[] = { (char *)ctl, (char *)"show",
				    it_strf("%lld", id), NULL };
		char *const	 env[] = { it_strf("COMMENTD_URL=%s", base),
				    it_strf("COMMENTD_TOKEN=%s", mod.token),
				    NULL };

		IT_CHECK_INT(it_run_io(argv, env, NULL, &out, 30), 0);
		IT_CHECKF(out != NULL && strstr(out, it_strf("suspect_word: "
		    "\"rlsus%s\"", run_id)) != NULL && strstr(out,
		    "links: 2 links") != NULL && strstr(out, "too_fast") !=
		    NULL, "commentctl show names the reasons: %s",
		    out != NULL ? out : "(nothing)");
	}
	cleanup();
}

static const struct it_test tests[] = {
	{ "words_api", test_words_api },
	{ "word_matching", test_word_matching },
	{ "word_list_large", test_word_list_large },
	{ "word_lists_off", test_word_lists_off },
	{ "links", test_links },
	{ "bots", test_bots },
	{ "duplicates", test_duplicates },
	{ "articles", test_articles },
	{ "bans_api", test_bans_api },
	{ "bans", test_bans },
	{ "author_record", test_author_record },
	{ "author_recent", test_author_recent },
	{ "trusted", test_trusted },
	{ "admin_item", test_admin_item },
};

int
main(int argc, char **argv)
{
	snprintf(run_id, sizeof run_id, "%ld%ld", (long)getpid(),
	    (long)time(NULL));
	return it_main(tests, sizeof tests / sizeof tests[0], argc, argv);
}
