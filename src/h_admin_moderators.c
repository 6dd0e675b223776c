/*
 * h_admin_moderators.c - admins managing moderator accounts: list, add,
 * enable/disable, change role, reset a password (which revokes the
 * account's sessions and API tokens).
 *
 * A new password is hashed with argon2id on the hashing threads
 * (hashpool.h) before its one statement runs, as a login's check is.
 * When the admin gives no password one is generated and answered once;
 * only its hash is kept.  An admin cannot disable or demote themselves,
 * so the last admin always stays.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "auth.h"
#include "ctx.h"
#include "db.h"
#include "hashpool.h"
#include "req.h"
#include "routes.h"
#include "sse.h"
#include "token.h"
#include "validate.h"
#include "xmalloc.h"

/* Generated passwords: 20 base64url characters, 120 bits. */
#define GENERATED_PASSWORD_CHARS	20

struct account {
	char		 name[MODERATOR_NAME_MAX + 1];
	char		 role[16];
	char		*password;
	bool		 generated;	/* answer the password: nobody else
					   knows it */
	enum sql_id	 stmt;		/* what the hash is for */
	db_cb		 done;		/* ... and its callback */
	json_int_t	 revoked;	/* a reset's first half revoked */
};

static void	account_free(void *);
static json_t	*account_json(const struct db_result *, int);
static json_t	*account_row(const struct db_result *, int, const void *);
static bool	account_password(struct req *, struct account *);
static void	hashed_cb(const struct hashpool_result *, void *);
static void	add_cb(const struct db_result *, void *);
static void	password_cb(const struct db_result *, void *);
static void	revoked_cb(const struct db_result *, void *);
static void	list_cb(const struct db_result *, void *);
static void	update_cb(const struct db_result *, void *);

static void
account_free(void *arg)
{
	struct account	*a = arg;

	if (a->password != NULL) {
		sodium_memzero(a->password, strlen(a->password));
		free(a->password);
	}
	free(a);
}

/* A row of the moderator statements (sql.c). */
/* account_json() for req_reply_rows(). */
static json_t *
account_row(const struct db_result *res, int row, const void *arg)
{
	(void)arg;
	return account_json(res, row);
}

static json_t *
account_json(const struct db_result *res, int row)
{
	const char	*disabled;

	disabled = db_result_value(res, row, db_result_column(res,
	    "disabled"));

	return json_pack("{s:o, s:o, s:b, s:o}",
	    "name", db_result_json(res, row, "name"),
	    "role", db_result_json(res, row, "role"),
	    "disabled", disabled != NULL && disabled[0] == 't',
	    "created_at", db_result_json(res, row, "created_at"));
}

/* The request's account state, bound to r. */
static struct account *
account_new(struct req *r, const char *name)
{
	struct account	*a;

	a = xcalloc(1, sizeof *a);
	r->data = a;
	r->data_free = account_free;
	if (name != NULL)
		snprintf(a->name, sizeof a->name, "%s", name);
	return a;
}

/*
 * The body's "password", checked, or a generated one.  False after
 * replying 422.
 */
static bool
account_password(struct req *r, struct account *a)
{
	json_t	*pw = json_object_get(r->body, "password");
	char	 token[TOKEN_TEXT_SIZE];

	if (pw == NULL || json_is_null(pw)) {
		token_random(token);
		token[GENERATED_PASSWORD_CHARS] = '\0';
		a->password = xstrdup(token);
		a->generated = true;
		sodium_memzero(token, sizeof token);
		return true;
	}
	if (!json_is_string(pw) || !validate_password(json_string_value(pw),
	    json_string_length(pw))) {
		req_reply_fields_new(r, 422, "validation_failed",
		    json_pack("{s:s}", "password", "too_short"),
		    "a password is %d or more characters of UTF-8 (or leave "
		    "it out to have one generated)", PASSWORD_MIN_CHARS);
		return false;
	}
	a->password = xstrdup(json_string_value(pw));
	return true;
}

/* The moderator named in the path, checked; NULL after replying 404. */
static const char *
path_name(struct req *r)
{
	const char	*name = router_param(&r->params, "name", NULL);

	if (name == NULL || !validate_moderator_name(name)) {
		req_reply_error(r, 404, "not_found", "no such moderator");
		return NULL;
	}
	return name;
}

/* -- GET /api/v1/admin/moderators ---------------------------------------- */

void
h_admin_moderators(struct req *r)
{
	db_query(r->ctx->db, SQL_MODERATORS_LIST, NULL, 0, list_cb, r);
}

static void
list_cb(const struct db_result *res, void *arg)
{
	req_reply_rows(arg, res, "moderators", account_row, NULL);
}

/* -- POST /api/v1/admin/moderators ----------------------------------------- */

void
h_admin_moderator_add(struct req *r)
{
	struct account	*a;
	const char	*name = NULL, *role = NULL;
	json_t		*bad;

	bad = json_object();
	if (json_unpack(r->body, "{s?s, s?s}", "name", &name, "role",
	    &role) != 0 || name == NULL || !validate_moderator_name(name))
		json_object_set_new(bad, "name", json_string("invalid"));
	if (role == NULL || (strcmp(role, "admin") != 0 &&
	    strcmp(role, "moderator") != 0))
		json_object_set_new(bad, "role", json_string("invalid"));
	if (json_object_size(bad) > 0) {
		req_reply_fields_new(r, 422, "validation_failed", bad,
		    "send {\"name\": 1 to %d of A-Z a-z 0-9 _ . -, \"role\": "
		    "\"admin\" or \"moderator\", \"password\"?}",
		    MODERATOR_NAME_MAX);
		return;
	}
	json_decref(bad);
	a = account_new(r, name);
	snprintf(a->role, sizeof a->role, "%s", role);
	if (!account_password(r, a))
		return;
	a->stmt = SQL_MODERATOR_ADD;
	a->done = add_cb;
	hashpool_hash(r->ctx->hash, a->password, hashed_cb, r);
}

/* The password is hashed: run the account's statement with
 * ($1 name, $2 hash[, $3 role]). */
static void
hashed_cb(const struct hashpool_result *hres, void *arg)
{
	struct req	*r = arg;
	struct account	*a = r->data;
	const char	*params[3];

	if (hres->overloaded || !hres->ok) {
		req_add_header(r, "Retry-After", "1");
		req_reply_error(r, 503, "busy",
		    "the password could not be hashed now; retry");
		return;
	}
	params[0] = a->name;
	params[1] = hres->hash;
	params[2] = a->role;
	db_query(r->ctx->db, a->stmt, params, a->stmt == SQL_MODERATOR_ADD ?
	    3 : 2, a->done, r);
}

static void
add_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;
	struct account	*a = r->data;
	json_t		*body;

	if (db_result_status(res) != DB_OK) {
		req_reply_db_failure(r, res);
		return;
	}
	if (db_result_ntuples(res) != 1) {
		req_reply_error(r, 409, "name_taken",
		    "a moderator named \"%s\" exists", a->name);
		return;
	}
	body = json_pack("{s:o}", "moderator", account_json(res, 0));
	if (a->generated)
		json_object_set_new(body, "password",
		    json_string(a->password));
	req_add_header(r, "Cache-Control", "no-store");
	req_reply_json_new(r, 201, body);
}

/* -- PATCH /api/v1/admin/moderators/:name ---------------------------------- */

void
h_admin_moderator_update(struct req *r)
{
	const char	*name, *params[3];
	json_t		*disabled, *role, *bad;
	const char	*role_s = NULL;
	int		 disable = -1;

	if ((name = path_name(r)) == NULL)
		return;
	bad = json_object();
	disabled = json_object_get(r->body, "disabled");
	role = json_object_get(r->body, "role");
	if (disabled != NULL && !json_is_boolean(disabled))
		json_object_set_new(bad, "disabled", json_string("invalid"));
	else if (disabled != NULL)
		disable = json_is_true(disabled);
	if (role != NULL && (!json_is_string(role) ||
	    (strcmp(json_string_value(role), "admin") != 0 &&
	    strcmp(json_string_value(role), "moderator") != 0)))
		json_object_set_new(bad, "role", json_string("invalid"));
	else if (role != NULL)
		role_s = json_string_value(role);
	if (json_object_size(bad) > 0 || (disabled == NULL && role == NULL)) {
		req_reply_fields_new(r, 422, "validation_failed", bad,
		    "send {\"disabled\": true|false} and/or {\"role\": "
		    "\"admin\"|\"moderator\"}");
		return;
	}
	json_decref(bad);
	/* Keeps at least one admin: the one asking. */
	if (strcmp(name, r->mod->name) == 0 && (disable == 1 ||
	    (role_s != NULL && strcmp(role_s, "admin") != 0))) {
		req_reply_error(r, 409, "self_lockout",
		    "you cannot disable or demote your own account");
		return;
	}
	params[0] = name;
	params[1] = disable < 0 ? NULL : disable ? "true" : "false";
	params[2] = role_s;
	db_query(r->ctx->db, SQL_MODERATOR_UPDATE, params, 3, update_cb,
	    r);
}

static void
update_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;

	const char	*disabled;

	if (!req_found(r, res, "moderator"))
		return;
	/* This worker's streams of a disabled account end now; the others
	 * hear of it by NOTIFY (migration 0008). */
	disabled = db_result_value(res, 0, db_result_column(res, "disabled"));
	if (disabled != NULL && disabled[0] == 't')
		sse_hub_end_moderator(r->ctx->sse, db_result_value(res, 0,
		    db_result_column(res, "name")));
	req_add_header(r, "Cache-Control", "no-store");
	req_reply_json_new(r, 200, json_pack("{s:o}", "moderator",
	    account_json(res, 0)));
}

/* -- POST /api/v1/admin/moderators/:name/password -------------------------- */

void
h_admin_moderator_password(struct req *r)
{
	struct account	*a;
	const char	*name;

	if ((name = path_name(r)) == NULL)
		return;
	a = account_new(r, name);
	if (!account_password(r, a))
		return;
	a->stmt = SQL_MODERATOR_PASSWORD;
	a->done = password_cb;
	hashpool_hash(r->ctx->hash, a->password, hashed_cb, r);
}

/* The password is changed: revoke what was made meanwhile (sql.c). */
static void
password_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;
	struct account	*a = r->data;
	const char	*params[2];

	if (!req_found(r, res, "moderator"))
		return;
	a->revoked = (json_int_t)db_result_int(res, 0, "revoked");
	params[0] = a->name;
	params[1] = db_result_value(res, 0, db_result_column(res,
	    "done_at"));
	db_query(r->ctx->db, SQL_MODERATOR_REVOKE_BEFORE, params, 2,
	    revoked_cb, r);
}

static void
revoked_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;
	struct account	*a = r->data;
	json_t		*body;

	if (!req_found(r, res, "moderator"))
		return;
	sse_hub_end_moderator(r->ctx->sse, a->name);
	/* How many sessions and API tokens the reset revoked. */
	body = json_pack("{s:s, s:I}", "name", a->name, "revoked",
	    a->revoked + (json_int_t)strtoll(db_result_value(res, 0, 0),
	    NULL, 10));
	if (a->generated)
		json_object_set_new(body, "password",
		    json_string(a->password));
	req_add_header(r, "Cache-Control", "no-store");
	req_reply_json_new(r, 200, body);
}
