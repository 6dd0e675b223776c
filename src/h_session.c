/*
 * h_session.c - moderators logging in and out.
 *
 * A login is three steps, none blocking a loop: one query that counts
 * the attempt and reads the account (throttling: the count comes before
 * the check, so a burst of guesses cannot outrun it), argon2id
 * verification on the hashing threads, then, if it matched, one query
 * that creates the session and takes the attempt off the counts.  An
 * unknown account is verified against a dummy hash, so its answer takes
 * as long as a wrong password's.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "auth.h"
#include "config.h"
#include "ctx.h"
#include "db.h"
#include "hashpool.h"
#include "log.h"
#include "req.h"
#include "routes.h"
#include "token.h"
#include "xmalloc.h"

#define LOGIN_USER_MAX		64
#define LOGIN_PASSWORD_MAX	1024

struct login {
	char	 name[LOGIN_USER_MAX + 1];
	char	*password;
	char	 ip[64];
	int64_t	 moderator_id;
	bool	 admin;
	char	 token[TOKEN_TEXT_SIZE];
};

static void	login_free(void *);
static void	login_lookup_cb(const struct db_result *, void *);
static void	login_verified_cb(const struct hashpool_result *, void *);
static void	login_session_cb(const struct db_result *, void *);
static void	logout_cb(const struct db_result *, void *);
static json_t	*moderator_json(int64_t, const char *, bool);
static void	set_session_cookie(struct req *, const char *, int);

static void
login_free(void *arg)
{
	struct login	*l = arg;

	if (l->password != NULL) {
		sodium_memzero(l->password, strlen(l->password));
		free(l->password);
	}
	sodium_memzero(l->token, sizeof l->token);
	free(l);
}

static json_t *
moderator_json(int64_t id, const char *name, bool admin)
{
	return json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id,
	    "name", name, "role", admin ? "admin" : "moderator");
}

static void
set_session_cookie(struct req *r, const char *token, int max_age)
{
	char	*cookie;

	xasprintf(&cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict; "
	    "Max-Age=%d%s", SESSION_COOKIE, token, max_age,
	    r->ctx->cfg->cookie_secure ? "; Secure" : "");
	req_add_header(r, "Set-Cookie", cookie);
	free(cookie);
}

/* -- POST /api/v1/admin/session ---------------------------------------- */

void
h_session_login(struct req *r)
{
	struct login	*l;
	const char	*name = NULL, *password = NULL, *params[3];
	char		 window[16];
	json_error_t	 err;

	if (json_unpack_ex(r->body, &err, JSON_STRICT, "{s:s, s:s}",
	    "username", &name, "password", &password) != 0 ||
	    strlen(name) == 0 || strlen(name) > LOGIN_USER_MAX ||
	    strlen(password) == 0 || strlen(password) > LOGIN_PASSWORD_MAX) {
		req_reply_fields_new(r, 422, "validation_failed",
		    json_pack("{s:s, s:s}", "username", "required",
		    "password", "required"),
		    "send {\"username\", \"password\"}");
		return;
	}
	l = xcalloc(1, sizeof *l);
	r->data = l;
	r->data_free = login_free;
	snprintf(l->name, sizeof l->name, "%s", name);
	l->password = xstrdup(password);
	if (req_client_ip(r, l->ip, sizeof l->ip) == NULL)
		l->ip[0] = '\0';
	snprintf(window, sizeof window, "%d", r->ctx->cfg->login_window_s);
	params[0] = l->name;
	params[1] = l->ip;
	params[2] = window;
	db_query(r->ctx->db, SQL_LOGIN_LOOKUP, params, 3, login_lookup_cb,
	    r);
}

static void
login_lookup_cb(const struct db_result *res, void *arg)
{
	struct req		*r = arg;
	struct login		*l = r->data;
	const struct config	*cfg = r->ctx->cfg;
	const char		*uf, *ipf, *id, *hash, *role, *disabled;
	char			 retry[16];

	if (db_result_status(res) != DB_OK || db_result_ntuples(res) != 1) {
		req_reply_unavailable(r, db_result_retry_after(res));
		return;
	}
	uf = db_result_value(res, 0, 0);
	ipf = db_result_value(res, 0, 1);
	/* The counts include this attempt. */
	if ((uf != NULL && atoi(uf) > cfg->login_max_failures_user) ||
	    (ipf != NULL && atoi(ipf) > cfg->login_max_failures_ip)) {
		snprintf(retry, sizeof retry, "%d", cfg->login_window_s);
		req_add_header(r, "Retry-After", retry);
		req_reply_error(r, 429, "too_many_attempts",
		    "too many failed logins; try again later");
		return;
	}
	id = db_result_value(res, 0, 2);
	hash = db_result_value(res, 0, 3);
	role = db_result_value(res, 0, 4);
	disabled = db_result_value(res, 0, 5);
	if (id == NULL || (disabled != NULL && strcmp(disabled, "t") == 0))
		hash = NULL;	/* same work as a wrong password */
	else {
		l->moderator_id = strtoll(id, NULL, 10);
		l->admin = role != NULL && strcmp(role, "admin") == 0;
	}
	hashpool_verify(r->ctx->hash, hash, l->password, login_verified_cb,
	    r);
}

static void
login_verified_cb(const struct hashpool_result *hres, void *arg)
{
	struct req		*r = arg;
	struct login		*l = r->data;
	const char		*params[5];
	char			 hash[TOKEN_HASH_HEX_SIZE], id[24], hours[16];

	if (hres->overloaded) {
		req_add_header(r, "Retry-After", "1");
		req_reply_error(r, 503, "busy",
		    "too many logins at once; retry in a second");
		return;
	}
	if (!hres->ok) {
		/* Already counted, before the check. */
		req_reply_error(r, 401, "invalid_credentials",
		    "wrong user name or password");
		return;
	}
	token_random(l->token);
	token_hash_hex(l->token, strlen(l->token), hash);
	snprintf(id, sizeof id, "%" PRId64, l->moderator_id);
	snprintf(hours, sizeof hours, "%d", r->ctx->cfg->session_hours);
	params[0] = id;
	params[1] = hash;
	params[2] = hours;
	params[3] = l->name;
	params[4] = l->ip;
	db_query(r->ctx->db, SQL_SESSION_CREATE, params, 5,
	    login_session_cb, r);
}

static void
login_session_cb(const struct db_result *res, void *arg)
{
	struct req		*r = arg;
	struct login		*l = r->data;
	const struct ctx	*ctx = r->ctx;
	char			 csrf[TOKEN_TEXT_SIZE];

	if (db_result_status(res) != DB_OK || db_result_ntuples(res) != 1) {
		req_reply_unavailable(r, db_result_retry_after(res));
		return;
	}
	token_csrf(ctx->token_secret, ctx->token_secret_len, l->token, csrf);
	set_session_cookie(r, l->token, r->ctx->cfg->session_hours * 3600);
	req_add_header(r, "Cache-Control", "no-store");
	log_info("login: %s", l->name);
	req_reply_json_new(r, 200, json_pack("{s:s, s:s, s:s, s:o}",
	    "token", l->token, "csrf_token", csrf,
	    "expires_at", db_result_value(res, 0, 0),
	    "moderator", moderator_json(l->moderator_id, l->name, l->admin)));
}

/* -- GET /api/v1/admin/session ------------------------------------------ */

void
h_session_get(struct req *r)
{
	const struct ctx	*ctx = r->ctx;
	const struct moderator	*m = r->mod;
	char			 csrf[TOKEN_TEXT_SIZE];
	json_t			*body;

	body = json_pack("{s:o}", "moderator",
	    moderator_json(m->id, m->name, m->admin));
	if (m->session) {
		token_csrf(ctx->token_secret, ctx->token_secret_len, m->token,
		    csrf);
		json_object_set_new(body, "csrf_token", json_string(csrf));
	}
	req_add_header(r, "Cache-Control", "no-store");
	req_reply_json_new(r, 200, body);
}

/* -- DELETE /api/v1/admin/session ---------------------------------------- */

void
h_session_logout(struct req *r)
{
	const char	*params[1];
	char		 hash[TOKEN_HASH_HEX_SIZE];

	token_hash_hex(r->mod->token, strlen(r->mod->token), hash);
	params[0] = hash;
	db_query(r->ctx->db, SQL_TOKEN_REVOKE, params, 1, logout_cb, r);
}

static void
logout_cb(const struct db_result *res, void *arg)
{
	struct req	*r = arg;

	if (db_result_status(res) != DB_OK) {
		req_reply_unavailable(r, db_result_retry_after(res));
		return;
	}
	set_session_cookie(r, "", 0);
	req_reply_empty(r, 204);
}
