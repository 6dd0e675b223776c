/*
 * h_admin_comments.c - the moderation queue and every action on a
 * comment: approve, reject, spam, delete, restore (one compare-and-set
 * statement each), batches, edits, and a comment's history.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth.h"
#include "ctx.h"
#include "db.h"
#include "gen.h"
#include "log.h"
#include "moderation.h"
#include "paging.h"
#include "req.h"
#include "rules.h"
#include "routes.h"
#include "text.h"
#include "validate.h"
#include "xmalloc.h"

static json_t	*admin_item_json(const struct db_result *, int, bool);
static void	 queue_cb(const struct db_result *, void *);
static void	 item_cb(const struct db_result *, void *);
static void	 history_cb(const struct db_result *, void *);
static void	 edit_cb(const struct db_result *, void *);
static void	 action_cb(const struct db_result *, void *);
static void	 batch_next(struct req *);
static void	 batch_cb(const struct db_result *, void *);

/*
 * A change committed: public answers about its article (the result's
 * "article" column) are stale in every worker from now on.  Done before
 * the moderator is answered, so their next read sees the change.
 */
static void
bump_article(const struct db_result *res)
{
	const char	*key;

	key = db_result_value(res, 0, db_result_column(res, "article"));
	if (key != NULL)
		gen_bump_article(key, strlen(key));
}

/*
 * A row of ADMIN_ITEM_SELECT (sql.c) as the queue's JSON item.  Without
 * personal (auth_sees_personal_data) the commenter's e-mail, address
 * and user agent are left out, keys and all: this is the one place a
 * comment's JSON is built for moderators.
 */
static json_t *
admin_item_json(const struct db_result *res, int row, bool personal)
{
	json_t		*parent, *flags, *details, *item, *f;
	const char	*v;
	size_t		 i;

	if (db_result_value(res, row, db_result_column(res, "parent_id")) !=
	    NULL)
		parent = json_pack("{s:I, s:o, s:o}",
		    "id", (json_int_t)db_result_int(res, row, "parent_id"),
		    "author", db_result_json(res, row, "parent_author"),
		    "excerpt", db_result_json(res, row, "parent_excerpt"));
	else
		parent = json_null();
	v = db_result_value(res, row, db_result_column(res, "spam_flags"));
	flags = v != NULL ? json_loads(v, 0, NULL) : NULL;
	if (flags == NULL)
		flags = json_array();
	/* Each code with its detail; a code set without one (reported)
	 * is true. */
	v = db_result_value(res, row, db_result_column(res, "flag_details"));
	details = v != NULL ? json_loads(v, 0, NULL) : NULL;
	if (!json_is_object(details)) {
		json_decref(details);
		details = json_object();
	}
	json_array_foreach(flags, i, f) {
		if (json_is_string(f) && json_object_get(details,
		    json_string_value(f)) == NULL)
			json_object_set_new(details, json_string_value(f),
			    json_true());
	}
	v = db_result_value(res, row, db_result_column(res, "spam_score"));
	item = json_pack("{s:I, s:o, s:o, s:o, s:o, s:{s:o, s:o, s:o},"
	    " s:o, s:o, s:o, s:f, s:o,"
	    " s:{s:I, s:I, s:I}}",
	    "id", (json_int_t)db_result_int(res, row, "id"),
	    "status", db_result_json(res, row, "status"),
	    "created_at", db_result_json(res, row, "created_at"),
	    "moderated_at", db_result_json(res, row, "moderated_at"),
	    "moderated_by", db_result_json(res, row, "moderated_by"),
	    "article",
	    "key", db_result_json(res, row, "article_key"),
	    "title", db_result_json(res, row, "article_title"),
	    "url", db_result_json(res, row, "article_url"),
	    "parent", parent,
	    "author", db_result_json(res, row, "author"),
	    "body", db_result_json(res, row, "body"),
	    "spam_score", v != NULL ? strtod(v, NULL) : 0.0,
	    "spam_flags", flags,
	    "author_history",
	    "approved", (json_int_t)db_result_int(res, row, "approved"),
	    "rejected", (json_int_t)db_result_int(res, row, "rejected"),
	    "spam", (json_int_t)db_result_int(res, row, "spam"));
	v = db_result_value(res, row, db_result_column(res,
	    "author_trusted"));
	if (personal) {
		json_object_set_new(item, "email", db_result_json(res, row,
		    "email"));
		json_object_set_new(item, "ip", db_result_json(res, row,
		    "ip"));
		json_object_set_new(item, "user_agent", db_result_json(res,
		    row, "user_agent"));
	}
	json_object_set_new(item, "flag_details", details);
	json_object_set_new(item, "author_trusted",
	    json_boolean(v != NULL && v[0] == 't'));
	return item;
}

/* -- GET /api/v1/admin/comments ------------------------------------------ */

struct queue {
	struct paging	 page;
	bool		 desc;
};

static void
queue_free(void *arg)
{
	struct queue	*q = arg;

	paging_free(&q->page);
	free(q);
}

void
h_admin_queue(struct req *r)
{
	struct queue	*q;
	const char	*status, *article, *flag, *params[6];
	json_t		*bad = NULL;

	q = xcalloc(1, sizeof *q);
	r->data = q;
	r->data_free = queue_free;
	paging_parse(r, &q->page, &bad);
	status = req_query(r, "status");
	if (status == NULL || *status == '\0')
		status = "pending";
	if (strcmp(status, "all") != 0 && !mod_status_valid(status)) {
		if (bad == NULL)
			bad = json_object();
		json_object_set_new(bad, "status", json_string("invalid"));
	}
	q->desc = strcmp(status, "pending") != 0;
	article = req_query(r, "article");
	if (article != NULL && *article == '\0')
		article = NULL;
	if (article != NULL && !validate_article_key(article,
	    strlen(article))) {
		if (bad == NULL)
			bad = json_object();
		json_object_set_new(bad, "article", json_string("invalid"));
	}
	if (bad != NULL) {
		req_reply_fields_new(r, 400, "invalid_parameter", bad,
		    "invalid query parameters");
		return;
	}
	flag = req_query(r, "flag");
	if (flag != NULL && *flag == '\0')
		flag = NULL;
	if (flag != NULL && !mod_reason_valid(flag)) {
		req_reply_fields_new(r, 422, "validation_failed",
		    json_pack("{s:s}", "flag", "invalid"),
		    "flag is a reason code");
		return;
	}
	if (!q->desc && article == NULL && q->page.pattern == NULL &&
	    flag == NULL) {
		params[0] = paging_before(&q->page);
		params[1] = q->page.limit_text;
		db_query(r->ctx->db, SQL_ADMIN_PENDING, params, 2,
		    queue_cb, r);
		return;
	}
	params[0] = status;
	params[1] = article;
	params[2] = q->page.pattern;
	params[3] = paging_before(&q->page);
	params[4] = q->page.limit_text;
	params[5] = flag;
	db_query(r->ctx->db, q->desc ? SQL_ADMIN_QUEUE_DESC :
	    SQL_ADMIN_QUEUE_ASC, params, 6, queue_cb, r);
}

static void
queue_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;
	struct queue	*q = r->data;
	json_t		*items;
	int		 i, n;
	bool		 personal = auth_sees_personal_data(r);

	if (db_result_status(res) != DB_OK) {
		req_reply_db_failure(r, res);
		return;
	}
	n = db_result_ntuples(res);
	items = json_array();
	for (i = 0; i < n && i < q->page.limit; i++)
		json_array_append_new(items, admin_item_json(res, i,
		    personal));
	req_add_header(r, "Cache-Control", "no-store");
	req_reply_json_new(r, 200, json_pack("{s:o, s:o}",
	    "comments", items,
	    "next", n > q->page.limit ? db_result_json(res,
	    q->page.limit - 1, "id") :
	    json_null()));
}

/* -- GET /api/v1/admin/comments/:id -------------------------------------- */

static bool
comment_id_param(struct req *r, char *buf, size_t size)
{
	int64_t	v;

	if (!validate_id(router_param(&r->params, "id", NULL), &v)) {
		req_reply_error(r, 404, "not_found", "no such comment");
		return false;
	}
	snprintf(buf, size, "%" PRId64, v);
	return true;
}

void
h_admin_comment(struct req *r)
{
	char		 id[24];
	const char	*params[1] = { id };

	if (!comment_id_param(r, id, sizeof id))
		return;
	db_query(r->ctx->db, SQL_ADMIN_COMMENT, params, 1, item_cb, r);
}

static void
item_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;

	if (!req_found(r, res, "comment"))
		return;
	req_add_header(r, "Cache-Control", "no-store");
	req_reply_json_new(r, 200, json_pack("{s:o}", "comment",
	    admin_item_json(res, 0, auth_sees_personal_data(r))));
}

/* -- GET /api/v1/admin/comments/:id/history ------------------------------- */

void
h_admin_history(struct req *r)
{
	char		 id[24];
	const char	*params[1] = { id };

	if (!comment_id_param(r, id, sizeof id))
		return;
	db_query(r->ctx->db, SQL_COMMENT_HISTORY, params, 1, history_cb,
	    r);
}

static void
history_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;
	json_t		*events;
	int		 i, n;

	if (db_result_status(res) != DB_OK) {
		req_reply_db_failure(r, res);
		return;
	}
	if ((n = db_result_ntuples(res)) == 0) {
		req_reply_error(r, 404, "not_found", "no such comment");
		return;
	}
	events = json_array();
	for (i = 0; i < n; i++) {
		if (db_result_value(res, i, 0) == NULL)
			continue;	/* the comment, without events */
		json_array_append_new(events, json_pack(
		    "{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		    "id", (json_int_t)db_result_int(res, i, "id"),
		    "actor", db_result_json(res, i, "actor"),
		    "action", db_result_json(res, i, "action"),
		    "from_status", db_result_json(res, i, "from_status"),
		    "to_status", db_result_json(res, i, "to_status"),
		    "reason", db_result_json(res, i, "reason"),
		    "old_body", db_result_json(res, i, "old_body"),
		    "created_at", db_result_json(res, i, "created_at")));
	}
	req_add_header(r, "Cache-Control", "no-store");
	req_reply_json_new(r, 200, json_pack("{s:o}", "events", events));
}

/* -- actions -------------------------------------------------------- */

/* One action on one comment; the batch runs a list of them. */
struct action {
	enum mod_action	 act;
	char		*reason;
	char		*from;		/* NULL: the action's default */
	bool		 trust;		/* approve: trust the author */
	int64_t		*ids;		/* batch: in id order */
	size_t		 nids, next;
	json_t		*results;	/* batch */
};

static void
action_free(void *arg)
{
	struct action	*a = arg;

	free(a->reason);
	free(a->from);
	free(a->ids);
	json_decref(a->results);
	free(a);
}

static void
action_run(struct req *r, int64_t id, db_cb cb)
{
	struct action	*a = r->data;
	const char	*params[8];
	char		 idbuf[24], modid[24];

	snprintf(idbuf, sizeof idbuf, "%" PRId64, id);
	snprintf(modid, sizeof modid, "%" PRId64, r->mod->id);
	params[0] = idbuf;
	params[1] = a->from != NULL ? a->from :
	    mod_action_default_from(a->act);
	params[2] = mod_action_target(a->act);
	params[3] = r->mod->name;
	params[4] = modid;
	params[5] = mod_action_name(a->act);
	params[6] = a->reason;
	params[7] = a->trust ? "t" : "f";
	db_query(r->ctx->db, SQL_MOD_ACTION, params, 8, cb, r);
}

/*
 * Parses {reason?, from?} for an action; replies and returns NULL on a
 * bad request.  allow_from: single actions take "from", batches don't.
 */
static struct action *
action_parse(struct req *r, enum mod_action act, bool allow_from)
{
	struct action	*a;
	json_t		*fields = NULL, *from;
	const char	*key;
	json_t		*v;

	a = xcalloc(1, sizeof *a);
	r->data = a;
	r->data_free = action_free;
	a->act = act;
	json_object_foreach(r->body, key, v) {
		if (strcmp(key, "reason") != 0 && !(allow_from &&
		    (strcmp(key, "from") == 0 || (act == MOD_APPROVE &&
		    strcmp(key, "trust_author") == 0))) && !(!allow_from &&
		    (strcmp(key, "ids") == 0 || strcmp(key, "action") == 0))) {
			req_reply_fields_new(r, 422, "validation_failed",
			    json_pack("{s:s}", key, "unknown_field"),
			    "unknown field");
			return NULL;
		}
	}
	a->reason = validate_reason(json_object_get(r->body, "reason"),
	    &fields);
	if (fields != NULL) {
		req_reply_fields_new(r, 422, "validation_failed", fields,
		    "invalid reason");
		return NULL;
	}
	/* "Approve and trust this author" (its later comments are
	 * published at once unless a rule flags them). */
	v = json_object_get(r->body, "trust_author");
	if (allow_from && v != NULL && !json_is_boolean(v)) {
		req_reply_fields_new(r, 422, "validation_failed",
		    json_pack("{s:s}", "trust_author", "invalid_type"),
		    "trust_author is true or false");
		return NULL;
	}
	a->trust = allow_from && json_is_true(v);
	from = allow_from ? json_object_get(r->body, "from") : NULL;
	if (from != NULL && !json_is_null(from)) {
		if (!json_is_string(from) ||
		    !mod_status_valid(json_string_value(from))) {
			req_reply_fields_new(r, 422, "validation_failed",
			    json_pack("{s:s}", "from", "invalid"),
			    "from must be a comment status");
			return NULL;
		}
		a->from = xstrdup(json_string_value(from));
	}
	if (a->from != NULL && !mod_transition_valid(a->from,
	    mod_action_target(act))) {
		req_reply_error(r, 422, "invalid_transition",
		    "a comment cannot go from %s to %s", a->from,
		    mod_action_target(act));
		return NULL;
	}
	return a;
}

void
h_admin_action(struct req *r)
{
	enum mod_action	 act;
	const char	*name;
	int64_t		 id;

	name = router_param(&r->params, "action", NULL);
	if (!validate_id(router_param(&r->params, "id", NULL), &id) ||
	    name == NULL || !mod_action_parse(name, &act)) {
		req_reply_error(r, 404, "not_found", "no such comment or "
		    "action");
		return;
	}
	if (action_parse(r, act, true) == NULL)
		return;
	action_run(r, id, action_cb);
}

static json_t *
action_current_json(const struct db_result *res)
{
	return json_pack("{s:o, s:o, s:o}",
	    "status", db_result_json(res, 0, "status"),
	    "moderated_by", db_result_json(res, 0, "moderated_by"),
	    "moderated_at", db_result_json(res, 0, "moderated_at"));
}

static void
action_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;
	const char	*outcome;
	json_t		*comment;

	if (!req_found(r, res, "comment"))
		return;
	outcome = db_result_value(res, 0, 0);
	if (strcmp(outcome, "parent_not_approved") == 0) {
		req_reply_error(r, 422, "parent_not_approved",
		    "approve the comment this one replies to first");
		return;
	}
	if (strcmp(outcome, "conflict") == 0) {
		req_reply_error_extra_new(r, 409, "conflict",
		    json_pack("{s:o}", "current", action_current_json(res)),
		    "the comment is %s now",
		    db_result_value(res, 0, db_result_column(res, "status")));
		return;
	}
	bump_article(res);
	comment = action_current_json(res);
	json_object_set_new(comment, "id",
	    json_integer((json_int_t)db_result_int(res, 0, "id")));
	json_object_set_new(comment, "article", db_result_json(res, 0,
	    "article"));
	req_reply_json_new(r, 200, json_pack("{s:o, s:I}", "comment",
	    comment, "event_id",
	    (json_int_t)db_result_int(res, 0, "event_id")));
}

/* -- POST /api/v1/admin/comments/batch ------------------------------ */

static int
id_cmp(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

void
h_admin_batch(struct req *r)
{
	struct action	*a;
	enum mod_action	 act;
	json_t		*ids, *v, *action;
	size_t		 i, n;

	action = json_object_get(r->body, "action");
	ids = json_object_get(r->body, "ids");
	if (!json_is_string(action) ||
	    !mod_action_parse(json_string_value(action), &act)) {
		req_reply_fields_new(r, 422, "validation_failed",
		    json_pack("{s:s}", "action", action == NULL ? "required" :
		    "invalid"), "action must be approve, reject, spam, "
		    "delete or restore");
		return;
	}
	if (!json_is_array(ids) || (n = json_array_size(ids)) == 0 ||
	    n > MOD_BATCH_MAX) {
		req_reply_fields_new(r, 422, "validation_failed",
		    json_pack("{s:s}", "ids", ids == NULL ? "required" :
		    "invalid"), "ids must list 1 to %d comment ids",
		    MOD_BATCH_MAX);
		return;
	}
	if ((a = action_parse(r, act, false)) == NULL)
		return;
	a->ids = xcalloc(n, sizeof *a->ids);
	json_array_foreach(ids, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			req_reply_fields_new(r, 422, "validation_failed",
			    json_pack("{s:s}", "ids", "invalid_type"),
			    "ids must be positive integers");
			return;
		}
		a->ids[i] = json_integer_value(v);
	}
	/* Parents have lower ids than their replies: in id order, a batch
	 * approving a thread approves each parent before its replies. */
	qsort(a->ids, n, sizeof *a->ids, id_cmp);
	a->nids = n;
	a->results = json_array();
	batch_next(r);
}

static void
batch_next(struct req *r)
{
	struct action	*a = r->data;

	/* Skip repeated ids: one result per id. */
	while (a->next > 0 && a->next < a->nids &&
	    a->ids[a->next] == a->ids[a->next - 1])
		a->next++;
	if (a->next == a->nids) {
		req_reply_json_new(r, 200, json_pack("{s:O}", "results",
		    a->results));
		return;
	}
	action_run(r, a->ids[a->next], batch_cb);
}

static void
batch_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;
	struct action	*a = r->data;
	const char	*outcome;
	json_t		*item;
	int64_t		 id = a->ids[a->next];

	if (db_result_status(res) != DB_OK) {
		/* Stop at the first unavailable database: what is done is
		 * done (and listed in the history), the rest is not. */
		req_reply_db_failure(r, res);
		return;
	}
	if (db_result_ntuples(res) == 0)
		item = json_pack("{s:I, s:b, s:{s:s, s:s}}", "id",
		    (json_int_t)id, "ok", 0, "error", "code", "not_found",
		    "message", "no such comment");
	else if (strcmp((outcome = db_result_value(res, 0, 0)), "ok") == 0) {
		bump_article(res);
		item = json_pack("{s:I, s:b, s:o, s:I}", "id", (json_int_t)id,
		    "ok", 1, "status", db_result_json(res, 0, "status"),
		    "event_id", (json_int_t)db_result_int(res, 0, "event_id"));
	} else if (strcmp(outcome, "conflict") == 0)
		item = json_pack("{s:I, s:b, s:{s:s, s:s, s:o}}", "id",
		    (json_int_t)id, "ok", 0, "error", "code", "conflict",
		    "message", "the comment is no longer in that status",
		    "current", action_current_json(res));
	else
		item = json_pack("{s:I, s:b, s:{s:s, s:s}}", "id",
		    (json_int_t)id, "ok", 0, "error", "code",
		    "parent_not_approved", "message",
		    "approve the comment this one replies to first");
	json_array_append_new(a->results, item);
	a->next++;
	batch_next(r);
}

/* -- PATCH /api/v1/admin/comments/:id ------------------------------- */

struct edit {
	char	*body;
	char	*reason;
};

static void
edit_free(void *arg)
{
	struct edit	*e = arg;

	free(e->body);
	free(e->reason);
	free(e);
}

void
h_admin_edit(struct req *r)
{
	const struct text_limits	*lim = r->ctx->limits;
	struct edit			*e;
	json_t				*body, *fields = NULL;
	const char			*key, *params[5];
	char				 id[24], modid[24];
	json_t				*v;
	size_t				 n;

	if (!comment_id_param(r, id, sizeof id))
		return;
	e = xcalloc(1, sizeof *e);
	r->data = e;
	r->data_free = edit_free;
	json_object_foreach(r->body, key, v) {
		if (strcmp(key, "body") != 0 && strcmp(key, "reason") != 0) {
			req_reply_fields_new(r, 422, "validation_failed",
			    json_pack("{s:s}", key, "unknown_field"),
			    "unknown field");
			return;
		}
	}
	body = json_object_get(r->body, "body");
	if (body == NULL || json_is_null(body))
		fields = json_pack("{s:s}", "body", "required");
	else if (!json_is_string(body))
		fields = json_pack("{s:s}", "body", "invalid_type");
	else if (text_clean(json_string_value(body), json_string_length(body),
	    TEXT_KEEP_NEWLINES, &e->body, &n) != TEXT_OK)
		fields = json_pack("{s:s}", "body", "invalid_utf8");
	else if (n < lim->body_min)
		fields = json_pack("{s:s}", "body", "too_short");
	else if (n > lim->body_max)
		fields = json_pack("{s:s}", "body", "too_long");
	if (fields == NULL)
		e->reason = validate_reason(json_object_get(r->body, "reason"),
		    &fields);
	if (fields != NULL) {
		req_reply_fields_new(r, 422, "validation_failed", fields,
		    "invalid fields");
		return;
	}
	snprintf(modid, sizeof modid, "%" PRId64, r->mod->id);
	params[0] = id;
	params[1] = e->body;
	params[2] = r->mod->name;
	params[3] = modid;
	params[4] = e->reason;
	db_query(r->ctx->db, SQL_COMMENT_EDIT, params, 5, edit_cb, r);
}

static void
edit_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;

	if (!req_found(r, res, "comment"))
		return;
	bump_article(res);
	/* No event when the new body equals the old one. */
	req_reply_json_new(r, 200, json_pack("{s:{s:I, s:o, s:o}, s:o}",
	    "comment", "id", (json_int_t)db_result_int(res, 0, "id"),
	    "status", db_result_json(res, 0, "status"),
	    "body", db_result_json(res, 0, "body"),
	    "event_id", db_result_value(res, 0, db_result_column(res,
	    "event_id")) != NULL ? json_integer((json_int_t)db_result_int(
	    res, 0, "event_id")) : json_null()));
}
