/*
 * h_admin_articles.c - article settings and lists for moderators, and
 * the queue statistics.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctx.h"
#include "db.h"
#include "gen.h"
#include "moderation.h"
#include "paging.h"
#include "req.h"
#include "routes.h"
#include "text.h"
#include "validate.h"
#include "xmalloc.h"

#define TITLE_MAX_CHARS	500
#define URL_MAX_BYTES	2048

static void	articles_cb(const struct db_result *, void *);
static void	article_cb(const struct db_result *, void *);
static void	article_put_cb(const struct db_result *, void *);
static void	stats_cb(const struct db_result *, void *);
static json_t	*article_json(const struct db_result *, int);

/* A row of ADMIN_ARTICLE_SELECT (sql.c). */
static json_t *
article_json(const struct db_result *res, int row)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:I, s:I}",
	    "key", db_result_json(res, row, "key"),
	    "title", db_result_json(res, row, "title"),
	    "url", db_result_json(res, row, "url"),
	    "mode", db_result_json(res, row, "mode"),
	    "created_at", db_result_json(res, row, "created_at"),
	    "pending", (json_int_t)db_result_int(res, row, "pending"),
	    "approved", (json_int_t)db_result_int(res, row, "approved"));
}

/* -- GET /api/v1/admin/articles ------------------------------------------ */

struct articles {
	struct paging	 page;
};

static void
articles_free(void *arg)
{
	struct articles	*a = arg;

	paging_free(&a->page);
	free(a);
}

void
h_admin_articles(struct req *r)
{
	struct articles	*a;
	const char	*params[3];
	json_t		*bad = NULL;

	a = xcalloc(1, sizeof *a);
	r->data = a;
	r->data_free = articles_free;
	paging_parse(r, &a->page, &bad);
	if (bad != NULL) {
		req_reply_fields_new(r, 400, "invalid_parameter", bad,
		    "invalid query parameters");
		return;
	}
	params[0] = a->page.pattern;
	params[1] = paging_before(&a->page);
	params[2] = a->page.limit_text;
	db_query(r->ctx->db, SQL_ADMIN_ARTICLES, params, 3, articles_cb, r);
}

static void
articles_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;
	struct articles	*a = r->data;
	json_t		*list;
	int		 i, n;

	if (db_result_status(res) != DB_OK) {
		req_reply_db_failure(r, res);
		return;
	}
	n = db_result_ntuples(res);
	list = json_array();
	for (i = 0; i < n && i < a->page.limit; i++)
		json_array_append_new(list, article_json(res, i));
	req_add_header(r, "Cache-Control", "no-store");
	req_reply_json_new(r, 200, json_pack("{s:o, s:o}", "articles", list,
	    "next", n > a->page.limit ? db_result_json(res,
	    a->page.limit - 1, "id") :
	    json_null()));
}

/* -- GET /api/v1/admin/articles/:key -------------------------------------- */

static const char *
article_key(struct req *r)
{
	const char	*key;
	size_t		 len;

	key = router_param(&r->params, "key", &len);
	if (key == NULL || strlen(key) != len ||
	    !validate_article_key(key, len)) {
		req_reply_error(r, 404, "not_found", "no such article");
		return NULL;
	}
	return key;
}

void
h_admin_article(struct req *r)
{
	const char	*params[1];

	if ((params[0] = article_key(r)) == NULL)
		return;
	db_query(r->ctx->db, SQL_ADMIN_ARTICLE, params, 1, article_cb, r);
}

static void
article_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;

	if (!req_found(r, res, "article"))
		return;
	req_add_header(r, "Cache-Control", "no-store");
	req_reply_json_new(r, 200, json_pack("{s:o}", "article",
	    article_json(res, 0)));
}

/* -- PUT /api/v1/admin/articles/:key -------------------------------------- */

struct article_put {
	char	*title;
	char	*url;
};

static void
article_put_free(void *arg)
{
	struct article_put	*p = arg;

	free(p->title);
	free(p->url);
	free(p);
}

/* A string field that may be absent, null (cleared) or a string. */
static bool
put_text(json_t *v, size_t max_chars, char **out, json_t **fields,
    const char *name)
{
	size_t	n;

	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v)) {
		json_object_set_new(*fields, name, json_string("invalid_type"));
		return false;
	}
	if (text_clean(json_string_value(v), json_string_length(v), 0, out,
	    &n) != TEXT_OK) {
		json_object_set_new(*fields, name, json_string("invalid_utf8"));
		return false;
	}
	if (n > max_chars) {
		json_object_set_new(*fields, name, json_string("too_long"));
		return false;
	}
	return true;
}

void
h_admin_article_put(struct req *r)
{
	struct article_put	*p;
	const char		*key, *k, *mode = NULL, *params[7];
	json_t			*fields, *v, *m;

	if ((key = article_key(r)) == NULL)
		return;
	p = xcalloc(1, sizeof *p);
	r->data = p;
	r->data_free = article_put_free;
	fields = json_object();
	json_object_foreach(r->body, k, v) {
		if (strcmp(k, "title") != 0 && strcmp(k, "url") != 0 &&
		    strcmp(k, "mode") != 0)
			json_object_set_new(fields, k,
			    json_string("unknown_field"));
	}
	put_text(json_object_get(r->body, "title"), TITLE_MAX_CHARS,
	    &p->title, &fields, "title");
	if (put_text(json_object_get(r->body, "url"), URL_MAX_BYTES, &p->url,
	    &fields, "url") && p->url != NULL &&
	    strncmp(p->url, "https://", 8) != 0 &&
	    strncmp(p->url, "http://", 7) != 0)
		json_object_set_new(fields, "url", json_string("invalid"));
	m = json_object_get(r->body, "mode");
	if (m != NULL) {
		mode = json_string_value(m);
		if (mode == NULL || (strcmp(mode, "premoderated") != 0 &&
		    strcmp(mode, "postmoderated") != 0 &&
		    strcmp(mode, "closed") != 0))
			json_object_set_new(fields, "mode",
			    json_string("invalid"));
	}
	if (json_object_size(fields) > 0) {
		req_reply_fields_new(r, 422, "validation_failed", fields,
		    "invalid article settings");
		return;
	}
	json_decref(fields);
	params[0] = key;
	params[1] = p->title;
	params[2] = p->url;
	params[3] = mode;
	params[4] = json_object_get(r->body, "title") != NULL ? "t" : "f";
	params[5] = json_object_get(r->body, "url") != NULL ? "t" : "f";
	params[6] = mode != NULL ? "t" : "f";
	db_query(r->ctx->db, SQL_ADMIN_ARTICLE_PUT, params, 7,
	    article_put_cb, r);
}

static void
article_put_cb(const struct db_result *res, void *arg)
{
	const char	*key;

	if (db_result_status(res) == DB_OK && db_result_ntuples(res) == 1 &&
	    (key = db_result_value(res, 0, db_result_column(res, "key"))) !=
	    NULL)
		gen_bump_article(key, strlen(key));
	article_cb(res, arg);
}

/* -- GET /api/v1/admin/stats ---------------------------------------- */

void
h_admin_stats(struct req *r)
{
	db_query(r->ctx->db, SQL_ADMIN_STATS, NULL, 0, stats_cb, r);
}

static void
stats_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;
	json_t		*counts, *all, *decisions;
	const char	*age, *status;
	int		 i;

	if (db_result_status(res) != DB_OK || db_result_ntuples(res) != 1) {
		req_reply_db_failure(r, res);
		return;
	}
	/* Every status, zeros included. */
	all = json_loads(db_result_value(res, 0, 0), 0, NULL);
	counts = json_object();
	for (i = 0; i < MOD_STATUS_COUNT; i++) {
		status = mod_status_name((enum mod_status)i);
		json_object_set_new(counts, status, json_integer(
		    json_integer_value(json_object_get(all, status))));
	}
	json_decref(all);
	decisions = json_loads(db_result_value(res, 0, 3), 0, NULL);
	age = db_result_value(res, 0, 2);
	req_add_header(r, "Cache-Control", "no-store");
	req_reply_json_new(r, 200, json_pack("{s:o, s:o, s:o, s:o}",
	    "counts", counts,
	    "oldest_pending_at", db_result_json(res, 0, "oldest"),
	    "oldest_pending_age_s", age != NULL ?
	    json_integer(strtoll(age, NULL, 10)) : json_null(),
	    "decisions_today", decisions != NULL ? decisions :
	    json_object()));
}
