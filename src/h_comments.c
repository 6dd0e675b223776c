/*
 * h_comments.c - the public comment API: submit, list, counts, and a
 * reader's own comment.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <sodium.h>

#include "announce.h"
#include "cache.h"
#include "config.h"
#include "cors.h"
#include "ctx.h"
#include "db.h"
#include "gen.h"
#include "html.h"
#include "i18n.h"
#include "jsonout.h"
#include "log.h"
#include "req.h"
#include "routes.h"
#include "rules.h"
#include "token.h"
#include "validate.h"
#include "words.h"
#include "xmalloc.h"

#define IDEMPOTENCY_KEY_MAX	200
#define USER_AGENT_MAX		512

/* What a submission needs across its database round trip(s). */
struct submit {
	struct comment_input	 in;
	char			*key;
	char			*idem;		/* NULL: no Idempotency-Key */
	char			 parent[24];
	char			 ip[64];
	char			*user_agent;
	char			 token[TOKEN_TEXT_SIZE];
	char			 token_hash[TOKEN_HASH_HEX_SIZE];
	const char		*lang;
	int			 attempts;
	/* The site's rules (issue 12) judged before the query. */
	const char		*url;		/* in.article_url if allowed */
	char			 hash[RULES_HASH_HEX_SIZE];
	char			*flags;		/* {code: detail}, JSON */
	/* What an Idempotency-Key is bound to (request_hash_hex). */
	char			 request_hash[TOKEN_HASH_HEX_SIZE];
};

static void	submit_free(void *);
static void	submit_run(struct req *);
static void	submit_cb(const struct db_result *, void *);
static void	list_cb(const struct db_result *, void *);
static void	counts_cb(const struct db_result *, void *);
static void	own_cb(const struct db_result *, void *);
static bool	idempotency_key_ok(const char *);
static char	*sanitize_user_agent(const char *);
static json_t	*comment_row_json(const struct db_result *, int, bool);
static void	submit_rules(struct req *, struct submit *);
static void	request_hash_hex(const struct submit *,
		    char[TOKEN_HASH_HEX_SIZE]);

static bool
idempotency_key_ok(const char *s)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++) {
		if ((unsigned char)s[n] < 0x21 || (unsigned char)s[n] > 0x7e)
			return false;
	}
	return n >= 1 && n <= IDEMPOTENCY_KEY_MAX;
}

/* User agents are for moderators' eyes only; printable ASCII suffices
 * and keeps invalid UTF-8 away from the database. */
static char *
sanitize_user_agent(const char *ua)
{
	char	*out;
	size_t	 i, n;

	if (ua == NULL)
		return NULL;
	n = strlen(ua);
	if (n > USER_AGENT_MAX)
		n = USER_AGENT_MAX;
	out = xstrndup(ua, n);
	for (i = 0; i < n; i++) {
		if ((unsigned char)out[i] < 0x20 ||
		    (unsigned char)out[i] > 0x7e)
			out[i] = '?';
	}
	return out;
}

/*
 * A comment row as public JSON.  Columns by name: id, parent_id, author,
 * body, created_at; with_status adds status (a reader's own comment).
 */
static json_t *
comment_row_json(const struct db_result *res, int row, bool with_status)
{
	const char	*parent;
	int64_t		 id, pid = 0;
	json_t		*o;

	validate_id(db_result_value(res, row, db_result_column(res, "id")),
	    &id);
	parent = db_result_value(res, row, db_result_column(res,
	    "parent_id"));
	if (parent != NULL)
		validate_id(parent, &pid);
	o = json_pack("{s:I, s:o, s:s, s:s, s:s}",
	    "id", (json_int_t)id,
	    "parent_id", parent != NULL ? json_integer(pid) : json_null(),
	    "author", db_result_value(res, row, db_result_column(res,
	    "author")),
	    "body", db_result_value(res, row, db_result_column(res, "body")),
	    "created_at", db_result_value(res, row, db_result_column(res,
	    "created_at")));
	if (o != NULL && with_status)
		json_object_set_new(o, "status", json_string(db_result_value(
		    res, row, db_result_column(res, "status"))));
	return o;
}

/* -- POST /api/v1/articles/:key/comments ------------------------------ */

/*
 * SHA-256 of what determines the comment, as validated (so spelling
 * that cleans alike hashes alike): the article, author, e-mail, body,
 * parent and the page's title and address, each length-prefixed so no
 * two requests run together.  Not the honeypot or form_ms: the widget
 * measures form_ms afresh on each retry.
 */
static void
request_hash_hex(const struct submit *s, char out[TOKEN_HASH_HEX_SIZE])
{
	crypto_hash_sha256_state	 st;
	unsigned char			 h[crypto_hash_sha256_BYTES];
	const char			*f[7];
	uint64_t			 len;
	size_t				 i;

	f[0] = s->key;
	f[1] = s->in.author;
	f[2] = s->in.email;
	f[3] = s->in.body;
	f[4] = s->parent;
	f[5] = s->in.article_title;
	f[6] = s->in.article_url;
	crypto_hash_sha256_init(&st);
	for (i = 0; i < sizeof f / sizeof f[0]; i++) {
		/* Absent is not empty: UINT64_MAX marks it. */
		len = f[i] != NULL ? strlen(f[i]) : UINT64_MAX;
		crypto_hash_sha256_update(&st, (const unsigned char *)&len,
		    sizeof len);
		if (f[i] != NULL)
			crypto_hash_sha256_update(&st,
			    (const unsigned char *)f[i], strlen(f[i]));
	}
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(out, TOKEN_HASH_HEX_SIZE, h, sizeof h);
}

static void
submit_free(void *arg)
{
	struct submit	*s = arg;

	comment_input_free(&s->in);
	free(s->key);
	free(s->idem);
	free(s->user_agent);
	free(s->flags);
	free(s);
}

void
h_comment_submit(struct req *r)
{
	const struct ctx	*ctx = r->ctx;
	struct submit		*s;
	const char		*key, *idem;
	size_t			 keylen;
	json_t			*fields;

	/* A flood is refused first: no work, no database (ratelimit.h). */
	if (!req_rate_take(r, ctx->submit_rl, NULL))
		return;
	s = xcalloc(1, sizeof *s);
	r->data = s;
	r->data_free = submit_free;

	fields = validate_comment(r->body, ctx->limits, &s->in);
	key = router_param(&r->params, "key", &keylen);
	if (key == NULL || !validate_article_key(key, keylen)) {
		if (fields == NULL)
			fields = json_object();
		json_object_set_new(fields, "article", json_string("invalid"));
	}
	idem = req_header(r, "Idempotency-Key");
	if (idem != NULL && !idempotency_key_ok(idem)) {
		if (fields == NULL)
			fields = json_object();
		json_object_set_new(fields, "idempotency_key",
		    json_string("invalid"));
	}
	if (fields != NULL) {
		req_reply_fields_new(r, 422, "validation_failed", fields,
		    "the comment has invalid fields");
		return;
	}
	/* And one e-mail from many addresses. */
	if (s->in.email != NULL &&
	    !req_rate_take(r, ctx->submit_rl, s->in.email))
		return;

	s->key = xstrndup(key, keylen);
	s->idem = idem != NULL ? xstrdup(idem) : NULL;
	if (s->in.parent_id > 0)
		snprintf(s->parent, sizeof s->parent, "%" PRId64,
		    s->in.parent_id);
	if (req_client_ip(r, s->ip, sizeof s->ip) == NULL)
		s->ip[0] = '\0';
	s->user_agent = sanitize_user_agent(req_header(r, "User-Agent"));
	s->lang = i18n_pick_lang(req_header(r, "Accept-Language"),
	    ctx->cfg->default_lang);
	token_submitter(ctx->token_secret, ctx->token_secret_len, s->key,
	    keylen, s->idem, s->token);
	token_hash_hex(s->token, strlen(s->token), s->token_hash);
	request_hash_hex(s, s->request_hash);
	submit_rules(r, s);
	submit_run(r);
}

/*
 * What the comment's own fields decide (rules.h), the hash of its
 * folded text for duplicates, and the page's address if it belongs to
 * a site allowed to post (so a forged one never names an article).
 */
static void
submit_rules(struct req *r, struct submit *s)
{
	const struct config	*cfg = r->ctx->cfg;
	struct rules_settings	 set;
	const char		*u = s->in.article_url, *auth;
	char			*origin;
	json_t			*flags;

	set.word_lists = cfg->word_lists;
	set.max_links = cfg->max_links;
	set.min_form_seconds = cfg->min_form_seconds;
	set.honeypot = cfg->honeypot;
	flags = rules_eval(&set, words_list(r->ctx->words), &s->in);
	s->flags = jsonout_string(flags, NULL);
	json_decref(flags);
	rules_body_hash(s->in.body, s->hash);
	/* validate.c made it an absolute http(s) URL. */
	if (u != NULL && (auth = strstr(u, "://")) != NULL) {
		auth += 3;
		origin = xstrndup(u, (size_t)(auth - u) + strcspn(auth,
		    "/?#"));
		if (cors_origin_allowed(cfg->allowed_origins, origin,
		    req_header(r, "Host")))
			s->url = u;
		free(origin);
	}
}

static void
submit_run(struct req *r)
{
	struct submit		*s = r->data;
	const struct config	*cfg = r->ctx->cfg;
	const char		*params[20];
	char			 window[16], wave[16], repeat[16];

	snprintf(window, sizeof window, "%d", cfg->duplicate_window_s);
	snprintf(wave, sizeof wave, "%d", cfg->duplicate_wave_readers);
	snprintf(repeat, sizeof repeat, "%d", cfg->repeat_offender);
	params[0] = s->key;
	params[1] = s->in.author;
	params[2] = s->in.email;
	params[3] = s->in.body;
	params[4] = s->parent[0] != '\0' ? s->parent : NULL;
	params[5] = s->idem;
	params[6] = s->ip[0] != '\0' ? s->ip : NULL;
	params[7] = s->user_agent;
	params[8] = s->token_hash;
	params[9] = s->in.article_title;
	params[10] = s->url;
	params[11] = cfg->auto_create_articles ? "t" : "f";
	params[12] = s->hash;
	params[13] = window;
	params[14] = wave;
	params[15] = cfg->bans ? "t" : "f";
	params[16] = repeat;
	params[17] = cfg->trusted_authors ? "t" : "f";
	params[18] = s->flags;
	params[19] = s->request_hash;
	s->attempts++;
	db_query(r->ctx->db, SQL_COMMENT_SUBMIT, params, 20, submit_cb, r);
}

static void
submit_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;
	struct submit	*s = r->data;
	const char	*outcome, *status, *idparam;
	json_t		*comment, *reply;
	char		 loc[64];
	int		 code;

	if (db_result_status(res) != DB_OK) {
		req_reply_db_failure(r, res);
		return;
	}
	if (db_result_ntuples(res) == 0) {
		/* Lost a race with a concurrent first comment or keyed
		 * retry; a fresh snapshot sees the winner. */
		if (s->attempts < 3) {
			submit_run(r);
			return;
		}
		req_reply_unavailable(r, 1);
		return;
	}
	outcome = db_result_value(res, 0, 0);
	if (strcmp(outcome, "closed") == 0) {
		req_reply_error(r, 403, "article_closed",
		    "this article is closed for comments");
		return;
	}
	if (strcmp(outcome, "no_article") == 0) {
		req_reply_error(r, 404, "not_found", "no such article");
		return;
	}
	if (strcmp(outcome, "duplicate") == 0) {
		req_reply_error_extra_new(r, 409, "duplicate",
		    json_pack("{s:I}", "comment_id", (json_int_t)
		    db_result_int(res, 0, "id")),
		    "the same comment was posted a moment ago");
		return;
	}
	/* Nothing of the keyed comment: no id, text or token. */
	if (strcmp(outcome, "mismatch") == 0) {
		req_reply_error(r, 422, "idempotency_key_mismatch",
		    "this Idempotency-Key was used with another request");
		return;
	}
	if (strcmp(outcome, "bad_parent") == 0) {
		req_reply_fields_new(r, 422, "validation_failed",
		    json_pack("{s:s}", "parent_id", "not_found"),
		    "parent_id is not an approved comment of this article");
		return;
	}

	comment = comment_row_json(res, 0, true);
	if (comment == NULL) {
		req_reply_json_new(r, 500, NULL);
		return;
	}
	json_object_set_new(comment, "article", json_string(s->key));
	/* Published at once, or a new article: cached answers about it
	 * are stale from now on, in every worker (before we answer). */
	if (strcmp(outcome, "created") == 0 && (strcmp(db_result_value(res,
	    0, db_result_column(res, "stored_status")), "approved") == 0 ||
	    strcmp(db_result_value(res, 0, db_result_column(res,
	    "article_created")), "t") == 0))
		gen_bump_article(s->key, strlen(s->key));

	/* A replay answers as the original did, whatever happened since. */
	status = db_result_value(res, 0, db_result_column(res,
	    "submitted_status"));
	code = strcmp(status, "approved") == 0 ? 201 : 202;
	reply = json_pack("{s:o, s:s, s:s, s:s}",
	    "comment", comment,
	    "submitter_token", s->token,
	    "notice", i18n_text(s->lang, code == 201 ?
	    I18N_NOTICE_PUBLISHED : I18N_NOTICE_PENDING),
	    "lang", s->lang);
	snprintf(loc, sizeof loc, "/api/v1/comments/%s",
	    db_result_value(res, 0, db_result_column(res, "id")));
	req_add_header(r, "Location", loc);
	req_add_header(r, "Content-Language", s->lang);
	req_add_header(r, "Cache-Control", "no-store");
	if (strcmp(outcome, "replayed") == 0)
		req_add_header(r, "Idempotent-Replayed", "true");
	idparam = db_result_value(res, 0, db_result_column(res, "id"));
	/* A pending comment is announced now, outside its transaction (see
	 * migrations/0003); a published one was announced by its commit. */
	if (strcmp(outcome, "created") == 0 && strcmp(db_result_value(res,
	    0, db_result_column(res, "stored_status")), "pending") == 0)
		announcer_add(r->ctx->announcer, idparam);
	req_reply_json_new(r, code, reply);
}

/* -- public reads through the cache ------------------------------------- */

/*
 * A public read (a page of an article, or counts): answered from the
 * worker's cache, or by one shared load whose answer is stored if no
 * change overtook its query.
 */
struct read {
	char			*cache_key;
	size_t			 cache_keylen;
	struct cache_deps	 deps;
	struct cache_load	*load;		/* ours, while loading */
	bool			 newest;	/* pages */
	bool			 html;		/* pages: the HTML fragment */
	char			*next_query;	/* html: of the next link */
	int			 limit;
	char			*param;		/* counts: JSON key list */
	char			*article;	/* pages: the key */
};

static void
read_free(void *arg)
{
	struct read	*rd = arg;

	free(rd->cache_key);
	free(rd->next_query);
	free(rd->param);
	free(rd->article);
	free(rd);
}

static void
read_waiter_cb(struct cache_entry *e, int retry_after, void *arg)
{
	struct req	*r = arg;

	if (e == NULL)
		req_reply_unavailable(r, retry_after);
	else
		req_reply_entry(r, e,
		    r->ctx->public_cache_control);
}

/*
 * Starts a read: true if it was answered (from the cache) or queued
 * behind a load under way; false if the caller must load it.
 */
static bool
read_begin(struct req *r, struct read *rd, const char *const *keys,
    const size_t *lens, int nkeys)
{
	struct cache		*c = r->ctx->cache;
	struct cache_entry	*e;

	if ((e = cache_lookup(c, rd->cache_key, rd->cache_keylen)) != NULL) {
		req_reply_entry(r, e,
		    r->ctx->public_cache_control);
		return true;
	}
	if (cache_load_join(c, rd->cache_key, rd->cache_keylen,
	    read_waiter_cb, r))
		return true;
	/* Generations now, before the query is sent. */
	cache_deps_capture(c, &rd->deps, keys, lens, nkeys);
	rd->load = cache_load_begin(c, rd->cache_key, rd->cache_keylen,
	    &rd->deps);
	return false;
}

/* Ends a load: stores and answers (body is taken; type NULL: JSON), or
 * fails it. */
static void
read_finish(struct req *r, int status, char *body, size_t len,
    const char *type)
{
	struct read		*rd = r->data;
	struct cache		*c = r->ctx->cache;
	struct cache_entry	*e;

	e = cache_entry_new(status, body, len, type);
	cache_store(c, rd->cache_key, rd->cache_keylen, e, &rd->deps);
	/* The loader's request may be freed by its reply: the waiters
	 * are answered first. */
	cache_load_done(c, rd->load, e, 0);
	rd->load = NULL;
	req_reply_entry(r, e, r->ctx->public_cache_control);
	cache_entry_unref(e);
}

static void
read_fail(struct req *r, const struct db_result *res)
{
	struct read	*rd = r->data;

	cache_load_done(r->ctx->cache, rd->load, NULL,
	    db_result_retry_after(res));
	rd->load = NULL;
	req_reply_db_failure(r, res);
}

/* Renders json (stolen) for read_finish. */
static void
read_finish_json(struct req *r, int status, json_t *json)
{
	char	*text;

	size_t	 len;

	if (json == NULL)
		fatalx("out of memory rendering an answer");
	text = jsonout_string(json, &len);
	json_decref(json);
	read_finish(r, status, text, len, NULL);
}

/* -- GET /api/v1/articles/:key/comments(.html) ------------------------ */

#define HTML_TYPE	"text/html; charset=utf-8"

static void	comments_page(struct req *, bool);

/* A page's answer from its JSON (stolen): as it is, or the HTML
 * fragment rendered from it. */
static void
page_finish(struct req *r, json_t *body)
{
	struct read	*rd = r->data;
	char		*frag;
	size_t		 len;

	if (!rd->html) {
		read_finish_json(r, 200, body);
		return;
	}
	frag = html_comments(body, rd->next_query, &len);
	json_decref(body);
	read_finish(r, 200, frag, len, HTML_TYPE);
}

void
h_comments_list(struct req *r)
{
	comments_page(r, false);
}

void
h_comments_html(struct req *r)
{
	comments_page(r, true);
}

/* The JSON page, or (html) the same page as an HTML fragment. */
static void
comments_page(struct req *r, bool html)
{
	const struct config	*cfg = r->ctx->cfg;
	struct read		*rd;
	const char		*key, *order, *limit, *cursor, *params[4];
	char			 limbuf[16], curbuf[24], delay[24];
	size_t			 keylen;
	int64_t			 v;
	json_t			*bad = NULL;
	bool			 newest = false;
	int			 lim = cfg->page_size, nparams = 3;
	enum sql_id		 stmt;

	key = router_param(&r->params, "key", &keylen);
	if (key == NULL || !validate_article_key(key, keylen) ||
	    strlen(key) != keylen) {
		req_reply_error(r, 404, "not_found", "no such article");
		return;
	}
	order = req_query(r, "order");
	if (order != NULL && strcmp(order, "newest") == 0)
		newest = true;
	else if (order != NULL && strcmp(order, "oldest") != 0)
		bad = json_pack("{s:s}", "order", "invalid");
	limit = req_query(r, "limit");
	if (limit != NULL) {
		if (!validate_id(limit, &v) || v > cfg->page_size_max) {
			if (bad == NULL)
				bad = json_object();
			json_object_set_new(bad, "limit",
			    json_string("invalid"));
		} else
			lim = (int)v;
	}
	cursor = req_query(r, "cursor");
	curbuf[0] = '\0';
	if (cursor != NULL) {
		if (!validate_id(cursor, &v)) {
			if (bad == NULL)
				bad = json_object();
			json_object_set_new(bad, "cursor",
			    json_string("invalid"));
		} else
			snprintf(curbuf, sizeof curbuf, "%" PRId64, v);
	}
	if (bad != NULL) {
		req_reply_fields_new(r, 400, "invalid_parameter", bad,
		    "invalid query parameters");
		return;
	}

	rd = xcalloc(1, sizeof *rd);
	r->data = rd;
	r->data_free = read_free;
	rd->newest = newest;
	rd->html = html;
	rd->article = xstrndup(key, keylen);
	rd->limit = lim;
	/* The next page's link keeps what the request named. */
	if (html && limit != NULL)
		xasprintf(&rd->next_query, "%slimit=%d", newest ?
		    "order=newest&" : "", lim);
	else if (html)
		rd->next_query = xstrdup(newest ? "order=newest" : "");
	/* One entry per page of an article: form, order, size, cursor,
	 * key.  Built by hand: this runs for every read, hits included. */
	rd->cache_key = xmalloc(keylen + 48);
	rd->cache_keylen = (size_t)snprintf(rd->cache_key, 48, "%c%c%d:%s:",
	    html ? 'H' : 'L', newest ? 'n' : 'o', lim, curbuf);
	memcpy(rd->cache_key + rd->cache_keylen, key, keylen);
	rd->cache_keylen += keylen;
	if (read_begin(r, rd, &key, &keylen, 1))
		return;

	snprintf(limbuf, sizeof limbuf, "%d", lim);
	params[0] = key;
	params[1] = curbuf[0] != '\0' ? curbuf : NULL;
	params[2] = limbuf;
	stmt = newest ? SQL_COMMENTS_PAGE_NEWEST : SQL_COMMENTS_PAGE_OLDEST;
	if (cfg->debug_read_delay_ms > 0) {
		/* Tests: a read slow enough for a change to overtake it. */
		snprintf(delay, sizeof delay, "%.3f",
		    cfg->debug_read_delay_ms / 1000.0);
		params[nparams++] = delay;
		stmt = newest ? SQL_COMMENTS_PAGE_NEWEST_DELAYED :
		    SQL_COMMENTS_PAGE_OLDEST_DELAYED;
	}
	db_query(r->ctx->db, stmt, params, nparams, list_cb, r);
}

struct node {
	int64_t	 id;
	int64_t	 parent;	/* 0: top level */
	int	 row;		/* in the result */
	json_t	*obj;		/* borrowed from the tree */
};

static int
node_cmp(const void *a, const void *b)
{
	const struct node	*x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static struct node *
node_find(struct node *nodes, size_t n, int64_t id)
{
	struct node	key = { .id = id };

	return bsearch(&key, nodes, n, sizeof *nodes, node_cmp);
}

static void
list_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;
	struct read	*rd = r->data;
	struct node	*nodes, *parent;
	const char	*kind, *pid;
	json_t		*roots, *article, *body, *obj, *replies;
	int		 i, nrows, row_article = -1, c_kind, c_id, c_parent;
	size_t		 n = 0, k, nroots;
	int64_t		 last_root = 0;
	bool		 more;
	char		 next[24];

	if (db_result_status(res) != DB_OK) {
		read_fail(r, res);
		return;
	}
	nrows = db_result_ntuples(res);
	c_kind = db_result_column(res, "kind");
	c_id = db_result_column(res, "id");
	c_parent = db_result_column(res, "parent_id");
	nodes = xcalloc((size_t)nrows + 1, sizeof *nodes);
	for (i = 0; i < nrows; i++) {
		kind = db_result_value(res, i, c_kind);
		if (strcmp(kind, "article") == 0) {
			row_article = i;
			continue;
		}
		validate_id(db_result_value(res, i, c_id), &nodes[n].id);
		pid = db_result_value(res, i, c_parent);
		if (pid != NULL)
			validate_id(pid, &nodes[n].parent);
		nodes[n].row = i;
		n++;
	}
	if (row_article < 0) {
		/* No such article: the page of one without comments, so
		 * pages that have none log no error and the answer does
		 * not tell which keys exist.  Cached too: the article's
		 * creation is announced. */
		free(nodes);
		body = json_pack("{s:{s:s, s:n, s:n, s:s}, s:i, s:[], s:n}",
		    "article", "key", rd->article, "title", "url", "mode",
		    "premoderated", "total", 0, "comments", "next");
		page_finish(r, body);
		return;
	}

	/* Ids grow with time and a reply is younger than its parent, so in
	 * id order every parent comes before its replies. */
	qsort(nodes, n, sizeof *nodes, node_cmp);
	roots = json_array();
	for (k = 0; k < n; k++) {
		obj = comment_row_json(res, nodes[k].row, false);
		json_object_set_new(obj, "replies", json_array());
		nodes[k].obj = obj;
		if (nodes[k].parent == 0) {
			json_array_append_new(roots, obj);
			last_root = nodes[k].id;
			continue;
		}
		parent = node_find(nodes, k, nodes[k].parent);
		if (parent == NULL) {
			json_decref(obj);	/* cannot happen: see SQL */
			nodes[k].obj = NULL;
			continue;
		}
		replies = json_object_get(parent->obj, "replies");
		json_array_append_new(replies, obj);
	}
	nroots = json_array_size(roots);
	if (rd->newest && nroots > 1) {
		/* Top level newest first; replies stay oldest first. */
		for (k = 0; k < nroots / 2; k++) {
			json_t *a = json_incref(json_array_get(roots, k));
			json_t *b = json_incref(json_array_get(roots,
			    nroots - 1 - k));

			json_array_set_new(roots, k, b);
			json_array_set_new(roots, nroots - 1 - k, a);
		}
		last_root = nroots > 0 ? json_integer_value(json_object_get(
		    json_array_get(roots, nroots - 1), "id")) : 0;
	}
	free(nodes);

	more = strcmp(db_result_value(res, row_article,
	    db_result_column(res, "more")), "t") == 0;
	snprintf(next, sizeof next, "%" PRId64, last_root);
	article = json_pack("{s:o, s:o, s:o, s:o}",
	    "key", db_result_json(res, row_article, "key"),
	    "title", db_result_json(res, row_article, "title"),
	    "url", db_result_json(res, row_article, "url"),
	    "mode", db_result_json(res, row_article, "mode"));
	body = json_pack("{s:o, s:I, s:o, s:o}",
	    "article", article,
	    "total", (json_int_t)db_result_int(res, row_article, "total"),
	    "comments", roots,
	    "next", more && nroots > 0 ? json_string(next) : json_null());
	page_finish(r, body);
}

/* -- GET /api/v1/counts ---------------------------------------------- */

void
h_counts(struct req *r)
{
	const struct config	*cfg = r->ctx->cfg;
	struct read		*rd;
	const char		**keys, *param;
	size_t			*lens;
	json_t			*arr;
	int			 n, i;

	keys = xcalloc((size_t)cfg->counts_max_articles, sizeof *keys);
	n = req_query_all(r, "article", keys, cfg->counts_max_articles);
	if (n <= 0) {
		free(keys);
		req_reply_fields_new(r, 400, "invalid_parameter",
		    json_pack("{s:s}", "article", n == 0 ? "required" :
		    "too_many"), "name 1 to %d articles",
		    cfg->counts_max_articles);
		return;
	}
	lens = xcalloc((size_t)n, sizeof *lens);
	arr = json_array();
	for (i = 0; i < n; i++) {
		lens[i] = strlen(keys[i]);
		if (!validate_article_key(keys[i], lens[i])) {
			free(keys);
			free(lens);
			json_decref(arr);
			req_reply_fields_new(r, 400, "invalid_parameter",
			    json_pack("{s:s}", "article", "invalid"),
			    "an article key is invalid");
			return;
		}
		json_array_append_new(arr, json_string(keys[i]));
	}
	rd = xcalloc(1, sizeof *rd);
	r->data = rd;
	r->data_free = read_free;
	/* The key list as JSON is both the cache key and the parameter. */
	rd->param = jsonout_string(arr, NULL);
	json_decref(arr);
	rd->cache_keylen = (size_t)xasprintf(&rd->cache_key, "N%s",
	    rd->param);
	if (read_begin(r, rd, keys, lens, n)) {
		free(keys);
		free(lens);
		return;
	}
	free(keys);
	free(lens);
	param = rd->param;
	db_query(r->ctx->db, SQL_ARTICLE_COUNTS, &param, 1, counts_cb, r);
}

static void
counts_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;
	json_t		*counts;
	int		 i;

	if (db_result_status(res) != DB_OK) {
		read_fail(r, res);
		return;
	}
	counts = json_object();
	for (i = 0; i < db_result_ntuples(res); i++)
		json_object_set_new(counts, db_result_value(res, i, 0),
		    json_integer(strtoll(db_result_value(res, i, 1), NULL,
		    10)));
	read_finish_json(r, 200, json_pack("{s:o}", "counts", counts));
}

/* -- GET /api/v1/comments/:id ----------------------------------------- */

void
h_comment_own(struct req *r)
{
	const char	*id, *token, *params[2];
	char		 hash[TOKEN_HASH_HEX_SIZE], idbuf[24];
	int64_t		 v;

	id = router_param(&r->params, "id", NULL);
	token = req_header(r, "X-Submitter-Token");
	if (id == NULL || !validate_id(id, &v) || token == NULL ||
	    *token == '\0' || strlen(token) >= TOKEN_TEXT_SIZE) {
		req_reply_error(r, 404, "not_found", "no such comment");
		return;
	}
	snprintf(idbuf, sizeof idbuf, "%" PRId64, v);
	token_hash_hex(token, strlen(token), hash);
	params[0] = idbuf;
	params[1] = hash;
	db_query(r->ctx->db, SQL_COMMENT_OWN, params, 2, own_cb, r);
}

static void
own_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;
	json_t		*c;

	if (db_result_status(res) != DB_OK) {
		req_reply_db_failure(r, res);
		return;
	}
	req_add_header(r, "Cache-Control", "no-store");
	if (db_result_ntuples(res) == 0) {
		req_reply_error(r, 404, "not_found", "no such comment");
		return;
	}
	c = comment_row_json(res, 0, true);
	if (c != NULL)
		json_object_set_new(c, "article", json_string(
		    db_result_value(res, 0, db_result_column(res, "key"))));
	req_reply_json_new(r, 200, c != NULL ? json_pack("{s:o}", "comment",
	    c) : NULL);
}
