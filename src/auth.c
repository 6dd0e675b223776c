/*
 * auth.c - authentication and roles for admin routes (see auth.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "config.h"
#include "ctx.h"
#include "db.h"
#include "log.h"
#include "req.h"
#include "xmalloc.h"

static void	auth_token_cb(const struct db_result *, void *);
static void	auth_reply_unauthorized(struct req *, const char *);

const char *
auth_cookie_name(const struct config *cfg)
{
	return cfg->cookie_secure ? SESSION_COOKIE_HOST : SESSION_COOKIE;
}

const char *
auth_cookie_value(const char *header, const char *name, char *buf,
    size_t size)
{
	const char	*p = header;
	size_t		 nlen = strlen(name), vlen;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ';')
			p++;
		if (strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
			p += nlen + 1;
			vlen = strcspn(p, ";");
			while (vlen > 0 && p[vlen - 1] == ' ')
				vlen--;
			if (vlen == 0 || vlen >= size)
				return NULL;
			memcpy(buf, p, vlen);
			buf[vlen] = '\0';
			return buf;
		}
		p = strchr(p, ';');
	}
	return NULL;
}

static void
auth_reply_unauthorized(struct req *r, const char *why)
{
	req_add_header(r, "WWW-Authenticate", "Bearer realm=\"commentd\"");
	req_reply_error(r, 401, "unauthorized", "%s", why);
}

void
auth_dispatch(struct req *r)
{
	const struct ctx	*ctx = r->ctx;
	struct moderator	*m;
	const char		*authz, *cookie, *csrf, *params[1];
	char			 expected[TOKEN_TEXT_SIZE];
	char			 hash[TOKEN_HASH_HEX_SIZE];
	size_t			 n;

	m = xcalloc(1, sizeof *m);
	r->mod = m;
	authz = req_header(r, "Authorization");
	if (authz != NULL && strncasecmp(authz, "Bearer ", 7) == 0) {
		authz += 7;
		while (*authz == ' ')
			authz++;
		n = strlen(authz);
		if (n == 0 || n >= sizeof m->token) {
			auth_reply_unauthorized(r, "invalid token");
			return;
		}
		memcpy(m->token, authz, n + 1);
	} else if ((cookie = req_header(r, "Cookie")) != NULL &&
	    auth_cookie_value(cookie, auth_cookie_name(ctx->cfg), m->token,
	    sizeof m->token) != NULL) {
		m->via_cookie = true;
	} else {
		auth_reply_unauthorized(r, "log in or send a bearer token");
		return;
	}

	/* A cookie is sent by the browser on its own: a state-changing
	 * request must also prove it comes from our page. */
	if (m->via_cookie && r->method != ROUTE_GET &&
	    r->method != ROUTE_HEAD && r->method != ROUTE_OPTIONS) {
		token_csrf(ctx->token_secret, ctx->token_secret_len, m->token,
		    expected);
		csrf = req_header(r, "X-CSRF-Token");
		if (csrf == NULL || !token_equal(csrf, expected)) {
			req_reply_error(r, 403, "csrf_failed",
			    "missing or wrong X-CSRF-Token header");
			return;
		}
	}
	token_hash_hex(m->token, strlen(m->token), hash);
	params[0] = hash;
	db_query(r->ctx->db, SQL_AUTH_TOKEN, params, 1, auth_token_cb, r);
}

static void
auth_token_cb(const struct db_result *res, void *arg)
{
	struct req		*r = arg;
	struct moderator	*m = r->mod;
	const char		*name, *role, *kind;

	if (db_result_status(res) != DB_OK) {
		if (db_result_status(res) == DB_SQL_ERROR)
			log_error("auth: %s", db_result_error(res));
		req_reply_unavailable(r, db_result_retry_after(res));
		return;
	}
	if (db_result_ntuples(res) != 1) {
		auth_reply_unauthorized(r, "unknown, expired or revoked token");
		return;
	}
	m->id = strtoll(db_result_value(res, 0, 0), NULL, 10);
	name = db_result_value(res, 0, 1);
	role = db_result_value(res, 0, 2);
	kind = db_result_value(res, 0, 3);
	m->token_id = strtoll(db_result_value(res, 0, 4), NULL, 10);
	snprintf(m->name, sizeof m->name, "%s", name);
	m->admin = strcmp(role, "admin") == 0;
	m->session = strcmp(kind, "session") == 0;
	if ((r->route->flags & ROUTE_ADMIN) && !m->admin) {
		req_reply_error(r, 403, "forbidden",
		    "this needs an admin account");
		return;
	}
	req_continue(r);
}

bool
auth_sees_personal_data(const struct req *r)
{
	return r->mod != NULL && (r->mod->admin ||
	    r->ctx->cfg->moderators_see_personal_data);
}
