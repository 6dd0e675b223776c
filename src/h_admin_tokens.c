/*
 * h_admin_tokens.c - credentials over the admin API: list the live API
 * tokens and login sessions, create an API token, revoke one.
 *
 * An admin sees and revokes everyone's, a moderator only their own
 * (another's id is "no such token": ids are not an oracle).  A token's
 * secret is shown once, in the answer that creates it; only its SHA-256
 * is kept, and no answer carries the hash.  Creating one takes a login
 * session: a leaked API token cannot mint itself successors that would
 * outlive its revocation.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "auth.h"
#include "ctx.h"
#include "db.h"
#include "paging.h"
#include "req.h"
#include "routes.h"
#include "sse.h"
#include "token.h"
#include "validate.h"
#include "xmalloc.h"

/* A new token's state: its secret, answered once, then wiped. */
struct token_new {
	char	 secret[TOKEN_TEXT_SIZE];
	char	*label;
};

static void	list_cb(const struct db_result *, void *);
static void	add_cb(const struct db_result *, void *);
static void	revoke_cb(const struct db_result *, void *);

/* A row of SQL_TOKENS_LIST or SQL_TOKEN_ADD. */
static json_t *
token_json(const struct db_result *res, int row)
{
	const char	*cur;

	cur = db_result_value(res, row, db_result_column(res, "current"));
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:b}",
	    "id", (json_int_t)db_result_int(res, row, "id"),
	    "moderator", db_result_json(res, row, "moderator"),
	    "kind", db_result_json(res, row, "kind"),
	    "label", db_result_json(res, row, "label"),
	    "created_at", db_result_json(res, row, "created_at"),
	    "expires_at", db_result_json(res, row, "expires_at"),
	    "current", cur != NULL && cur[0] == 't');
}

/* -- GET /api/v1/admin/tokens ------------------------------------------ */

static void
paging_data_free(void *arg)
{
	paging_free(arg);
	free(arg);
}

void
h_admin_tokens(struct req *r)
{
	struct paging	*p;
	const char	*who, *kind, *params[5];
	char		 hash[TOKEN_HASH_HEX_SIZE];
	json_t		*bad = NULL;

	p = xcalloc(1, sizeof *p);
	r->data = p;
	r->data_free = paging_data_free;
	paging_parse(r, p, &bad);
	kind = req_query(r, "kind");
	if (kind != NULL && *kind == '\0')
		kind = NULL;
	if (kind != NULL && strcmp(kind, "api") != 0 &&
	    strcmp(kind, "session") != 0) {
		if (bad == NULL)
			bad = json_object();
		json_object_set_new(bad, "kind", json_string("invalid"));
	}
	who = req_query(r, "moderator");
	if (who != NULL && *who == '\0')
		who = NULL;
	if (who != NULL && !validate_moderator_name(who)) {
		if (bad == NULL)
			bad = json_object();
		json_object_set_new(bad, "moderator", json_string("invalid"));
	}
	if (bad != NULL) {
		req_reply_fields_new(r, 400, "invalid_parameter", bad,
		    "invalid query parameters");
		return;
	}
	if (!r->mod->admin) {
		if (who != NULL && strcmp(who, r->mod->name) != 0) {
			req_reply_error(r, 403, "forbidden",
			    "only admins see other moderators' tokens");
			return;
		}
		who = r->mod->name;
	}
	token_hash_hex(r->mod->token, strlen(r->mod->token), hash);
	params[0] = who;
	params[1] = kind;
	params[2] = paging_before(p);
	params[3] = p->limit_text;
	params[4] = hash;
	db_query(r->ctx->db, SQL_TOKENS_LIST, params, 5, list_cb, r);
}

static void
list_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;
	struct paging	*p = r->data;
	json_t		*items;
	int		 i, n;

	if (db_result_status(res) != DB_OK) {
		req_reply_db_failure(r, res);
		return;
	}
	n = db_result_ntuples(res);
	items = json_array();
	for (i = 0; i < n && i < p->limit; i++)
		json_array_append_new(items, token_json(res, i));
	req_add_header(r, "Cache-Control", "no-store");
	req_reply_json_new(r, 200, json_pack("{s:o, s:o}", "tokens", items,
	    "next", n > p->limit ? db_result_json(res, p->limit - 1, "id") :
	    json_null()));
}

/* -- POST /api/v1/admin/tokens ----------------------------------------- */

static void
token_new_free(void *arg)
{
	struct token_new	*t = arg;

	sodium_memzero(t->secret, sizeof t->secret);
	free(t->label);
	free(t);
}

void
h_admin_token_add(struct req *r)
{
	struct token_new	*t;
	json_t			*label, *days, *v;
	const char		*key, *why = NULL, *params[5];
	char			 hash[TOKEN_HASH_HEX_SIZE], id[24], nd[16];
	char			 caller[TOKEN_HASH_HEX_SIZE];
	json_int_t		 d = TOKEN_DAYS_DEFAULT;

	json_object_foreach(r->body, key, v) {
		if (strcmp(key, "label") != 0 && strcmp(key, "days") != 0) {
			req_reply_fields_new(r, 422, "validation_failed",
			    json_pack("{s:s}", key, "unknown_field"),
			    "unknown field");
			return;
		}
	}
	t = xcalloc(1, sizeof *t);
	r->data = t;
	r->data_free = token_new_free;
	label = json_object_get(r->body, "label");
	if (label != NULL && !json_is_null(label)) {
		if (!json_is_string(label))
			why = "invalid_type";
		else
			t->label = validate_token_label(
			    json_string_value(label),
			    json_string_length(label), &why);
		if (t->label == NULL) {
			req_reply_fields_new(r, 422, "validation_failed",
			    json_pack("{s:s}", "label", why),
			    "a label is 1 to %d characters",
			    TOKEN_LABEL_MAX_CHARS);
			return;
		}
	}
	days = json_object_get(r->body, "days");
	if (days != NULL && !json_is_null(days)) {
		if (!json_is_integer(days) || json_integer_value(days) < 1 ||
		    json_integer_value(days) > TOKEN_DAYS_MAX) {
			req_reply_fields_new(r, 422, "validation_failed",
			    json_pack("{s:s}", "days", "invalid"),
			    "days is a whole number from 1 to %d",
			    TOKEN_DAYS_MAX);
			return;
		}
		d = json_integer_value(days);
	}
	if (!r->mod->session) {
		req_reply_error(r, 403, "session_required",
		    "log in to create an API token: a token cannot make "
		    "another");
		return;
	}
	token_random(t->secret);
	token_hash_hex(t->secret, strlen(t->secret), hash);
	snprintf(id, sizeof id, "%" PRId64, r->mod->id);
	snprintf(nd, sizeof nd, "%" JSON_INTEGER_FORMAT, d);
	params[0] = id;
	params[1] = hash;
	params[2] = nd;
	params[3] = t->label;
	token_hash_hex(r->mod->token, strlen(r->mod->token), caller);
	params[4] = caller;
	db_query(r->ctx->db, SQL_TOKEN_ADD, params, 5, add_cb, r);
}

static void
add_cb(const struct db_result *res, void *arg)
{
	struct req		*r = arg;
	struct token_new	*t = r->data;
	json_t			*tok;

	if (db_result_status(res) != DB_OK) {
		req_reply_db_failure(r, res);
		return;
	}
	if (db_result_ntuples(res) != 1) {
		/* Disabled, revoked or given a new password since this
		 * request was authenticated. */
		req_reply_error(r, 401, "unauthorized",
		    "the credential was revoked meanwhile");
		return;
	}
	tok = token_json(res, 0);
	req_add_header(r, "Cache-Control", "no-store");
	req_reply_json_new(r, 201, json_pack("{s:o, s:s}", "token", tok,
	    "secret", t->secret));
}

/* -- DELETE /api/v1/admin/tokens/:id ----------------------------------- */

void
h_admin_token_revoke(struct req *r)
{
	const char	*params[2];
	char		 id[24], owner[24];
	int64_t		 v;

	if (!validate_id(router_param(&r->params, "id", NULL), &v)) {
		req_reply_error(r, 404, "not_found", "no such token");
		return;
	}
	snprintf(id, sizeof id, "%" PRId64, v);
	snprintf(owner, sizeof owner, "%" PRId64, r->mod->id);
	params[0] = id;
	params[1] = r->mod->admin ? NULL : owner;
	db_query(r->ctx->db, SQL_TOKEN_REVOKE_ID, params, 2, revoke_cb, r);
}

static void
revoke_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;

	if (!req_found(r, res, "token"))
		return;
	/* This worker's streams end now; the others' by the trigger's
	 * notice (migration 0008). */
	sse_hub_end_token(r->ctx->sse, db_result_int(res, 0, "id"));
	req_reply_empty(r, 204);
}
