/*
 * auth.h - who is calling an admin route, and may they.
 *
 * Credentials: "Authorization: Bearer TOKEN" (an API token or a session
 * token), or the session cookie, which on POST/PUT/PATCH/DELETE must come
 * with "X-CSRF-Token" (derived from the session token: token_csrf()).
 * The token's SHA-256 is looked up in one query; then the route's role
 * is checked.  401, 403 and the lookup's 503 are answered here.
 */
#ifndef COMMENTD_AUTH_H
#define COMMENTD_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "token.h"

struct req;

struct config;

/* The session cookie's name: with cookie-secure (HTTPS) the __Host-
 * prefix, which a browser accepts only Secure, from a secure origin,
 * with Path=/ and no Domain, so a sibling subdomain cannot plant one. */
#define SESSION_COOKIE		"commentd_session"
#define SESSION_COOKIE_HOST	"__Host-" SESSION_COOKIE

struct moderator {
	int64_t	 id;
	int64_t	 token_id;		/* its row in auth_tokens */
	char	 name[72];
	bool	 admin;
	bool	 session;		/* a login session, not an API token */
	bool	 via_cookie;
	char	 token[TOKEN_TEXT_SIZE];	/* the credential presented */
};

/* Authenticates r for its route (ROUTE_AUTH or ROUTE_ADMIN), sets r->mod,
 * and continues the request with req_continue(); or replies. */
void	auth_dispatch(struct req *r);

/* The session cookie's name under cfg (only that name is read). */
const char *auth_cookie_name(const struct config *cfg);

/*
 * Whether the caller of an admin route may see commenters' personal data
 * (e-mail, address, user agent, and bans by address or e-mail): admins,
 * and moderators when moderators-see-personal-data says so.  Every
 * answer that could carry it asks here.
 */
bool	auth_sees_personal_data(const struct req *r);

/* The value of cookie name in a Cookie header, copied into buf; NULL if
 * absent or too long. */
const char *auth_cookie_value(const char *header, const char *name,
	    char *buf, size_t size);

#endif
