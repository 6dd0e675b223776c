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
 *
 * Lockout is per account and address pair, and per address: guesses
 * from elsewhere cannot lock the owner out.  The account's failures
 * from anywhere only slow its logins down: the check waits
 * 100 ms * 2^(f-1) (at most login-delay-max-ms) on a timer, so a
 * guesser's next answer comes later and later while the right password
 * still gets in.  A name no account can have is refused before
 * anything is counted.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>
#include <sodium.h>

#include "auth.h"
#include "config.h"
#include "ctx.h"
#include "db.h"
#include "hashpool.h"
#include "log.h"
#include "netaddr.h"
#include "req.h"
#include "routes.h"
#include "sse.h"
#include "token.h"
#include "validate.h"
#include "xmalloc.h"

#define LOGIN_PASSWORD_MAX	1024
/* The delay after one failure; it doubles with each more. */
#define LOGIN_DELAY_BASE_MS	100

struct login {
	char		 name[MODERATOR_NAME_MAX + 1];
	char		*password;
	char		 ip[NETADDR_KEY_MAX];	/* the reader: IPv6 by /64 */
	const char	*hash;		/* to check against (NULL: dummy) */
	char		*hash_copy;
	struct event	*delay;
	int64_t		 moderator_id;
	bool		 admin;
	char		 token[TOKEN_TEXT_SIZE];
};

static void	login_free(void *);
static void	login_lookup_cb(const struct db_result *, void *);
static void	login_check(evutil_socket_t, short, void *);
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
	if (l->delay != NULL)
		event_free(l->delay);
	free(l->hash_copy);
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

	xasprintf(&cookie, "%s=%s;%s HttpOnly; SameSite=Strict; Path=/; "
	    "Max-Age=%d", auth_cookie_name(r->ctx->cfg), token,
	    r->ctx->cfg->cookie_secure ? " Secure;" : "", max_age);
	req_add_header(r, "Set-Cookie", cookie);
	free(cookie);
}

/* -- POST /api/v1/admin/session ---------------------------------------- */

void
h_session_login(struct req *r)
{
	struct login	*l;
	const char	*name = NULL, *password = NULL, *params[4];
	char		 window[16], ipmax[16];
	json_error_t	 err;

	if (json_unpack_ex(r->body, &err, JSON_STRICT, "{s:s, s:s}",
	    "username", &name, "password", &password) != 0 ||
	    strlen(name) == 0 ||
	    strlen(password) == 0 || strlen(password) > LOGIN_PASSWORD_MAX) {
		req_reply_fields_new(r, 422, "validation_failed",
		    json_pack("{s:s, s:s}", "username", "required",
		    "password", "required"),
		    "send {\"username\", \"password\"}");
		return;
	}
	/* No account has such a name: nothing to count, and a flood of
	 * made-up names must not fill login_failures. */
	if (!validate_moderator_name(name)) {
		req_reply_error(r, 401, "invalid_credentials",
		    "wrong user name or password");
		return;
	}
	l = xcalloc(1, sizeof *l);
	r->data = l;
	r->data_free = login_free;
	snprintf(l->name, sizeof l->name, "%s", name);
	l->password = xstrdup(password);
	/* Counted by reader, as the rate limits do: an IPv6 client holds
	 * a whole /64 and could otherwise rotate through it. */
	req_reader_key(r, l->ip);
	snprintf(window, sizeof window, "%d", r->ctx->cfg->login_window_s);
	snprintf(ipmax, sizeof ipmax, "%d", r->ctx->cfg->login_max_failures_ip);
	params[0] = l->name;
	params[1] = l->ip;
	params[2] = window;
	params[3] = ipmax;
	db_query(r->ctx->db, SQL_LOGIN_LOOKUP, params, 4, login_lookup_cb,
	    r);
}

/* The wait before checking a login to an account with f failures in
 * the window (this attempt not among them). */
static int
login_delay_ms(int f, int max_ms)
{
	if (f <= 0 || max_ms <= 0)
		return 0;
	if (f > 20)
		return max_ms;
	return LOGIN_DELAY_BASE_MS << (f - 1) < max_ms ?
	    LOGIN_DELAY_BASE_MS << (f - 1) : max_ms;
}

static void
login_lookup_cb(const struct db_result *res, void *arg)
{
	struct req		*r = arg;
	struct login		*l = r->data;
	const struct config	*cfg = r->ctx->cfg;
	const char		*ipf, *pf, *uf, *id, *hash, *role, *disabled;
	char			 retry[16];
	struct timeval		 tv;
	int			 ms;

	if (db_result_status(res) != DB_OK || db_result_ntuples(res) != 1) {
		req_reply_unavailable(r, db_result_retry_after(res));
		return;
	}
	ipf = db_result_value(res, 0, 0);
	pf = db_result_value(res, 0, 1);
	uf = db_result_value(res, 0, 2);
	/* The counts include this attempt; the pair's and the account's
	 * are not counted (NULL) once the address is over its limit. */
	if (ipf == NULL || atoi(ipf) > cfg->login_max_failures_ip ||
	    pf == NULL || atoi(pf) > cfg->login_max_failures_user) {
		snprintf(retry, sizeof retry, "%d", cfg->login_window_s);
		req_add_header(r, "Retry-After", retry);
		req_reply_error(r, 429, "too_many_attempts",
		    "too many failed logins; try again later");
		return;
	}
	id = db_result_value(res, 0, 3);
	hash = db_result_value(res, 0, 4);
	role = db_result_value(res, 0, 5);
	disabled = db_result_value(res, 0, 6);
	if (id == NULL || (disabled != NULL && strcmp(disabled, "t") == 0))
		hash = NULL;	/* same work as a wrong password */
	else {
		l->moderator_id = strtoll(id, NULL, 10);
		l->admin = role != NULL && strcmp(role, "admin") == 0;
	}
	/* The result ends with this callback. */
	l->hash_copy = hash != NULL ? xstrdup(hash) : NULL;
	l->hash = l->hash_copy;
	ms = login_delay_ms(uf != NULL ? atoi(uf) - 1 : 0,
	    cfg->login_delay_max_ms);
	if (ms == 0) {
		login_check(-1, 0, r);
		return;
	}
	l->delay = evtimer_new(r->ctx->base, login_check, r);
	if (l->delay == NULL)
		fatalx("login: evtimer_new failed");
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(l->delay, &tv);
}

/* The delay is over (or there was none): check the password. */
static void
login_check(evutil_socket_t fd, short what, void *arg)
{
	struct req	*r = arg;
	struct login	*l = r->data;

	(void)fd;
	(void)what;
	hashpool_verify(r->ctx->hash, l->hash, l->password, login_verified_cb,
	    r);
}

static void
login_verified_cb(const struct hashpool_result *hres, void *arg)
{
	struct req		*r = arg;
	struct login		*l = r->data;
	const char		*params[6];
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
	/* The hash the password was checked against: a reset or a disable
	 * committed meanwhile makes no session. */
	params[5] = l->hash;
	db_query(r->ctx->db, SQL_SESSION_CREATE, params, 6,
	    login_session_cb, r);
}

static void
login_session_cb(const struct db_result *res, void *arg)
{
	struct req		*r = arg;
	struct login		*l = r->data;
	const struct ctx	*ctx = r->ctx;
	char			 csrf[TOKEN_TEXT_SIZE];

	if (db_result_status(res) != DB_OK) {
		req_reply_unavailable(r, db_result_retry_after(res));
		return;
	}
	if (db_result_ntuples(res) != 1) {
		req_reply_error(r, 401, "invalid_credentials",
		    "wrong user name or password");
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
	/* This worker's streams on the credential end now; the others
	 * hear of it by NOTIFY (migration 0008). */
	sse_hub_end_token(r->ctx->sse, r->mod->token_id);
	set_session_cookie(r, "", 0);
	req_reply_empty(r, 204);
}
