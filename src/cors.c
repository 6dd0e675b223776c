/*
 * cors.c - cross-origin use of the public API (see cors.h).
 */
#include <string.h>
#include <strings.h>

#include "config.h"
#include "cors.h"
#include "ctx.h"
#include "req.h"
#include "router.h"

#define CORS_METHODS	"GET, POST"
#define CORS_HEADERS \
	"Content-Type, Idempotency-Key, X-Submitter-Token, Accept-Language"
/* Browsers cap this (Chromium: 2 hours). */
#define CORS_MAX_AGE	"600"

/* The authority of an http(s) origin ("host[:port]"), or NULL. */
static const char *
cors_authority(const char *origin)
{
	if (strncasecmp(origin, "https://", 8) == 0)
		return origin + 8;
	if (strncasecmp(origin, "http://", 7) == 0)
		return origin + 7;
	return NULL;
}

bool
cors_origin_allowed(const char *allowed, const char *origin,
    const char *host)
{
	const char	*p, *end, *auth;
	size_t		 n, olen = strlen(origin);

	/* This server's own pages (scheme aside: TLS may end at a proxy). */
	if (host != NULL && *host != '\0' &&
	    (auth = cors_authority(origin)) != NULL &&
	    strcasecmp(auth, host) == 0)
		return true;
	for (p = allowed; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strcspn(p, ",");
		n = (size_t)(end - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
		    p[n - 1] == '/'))
			n--;
		if (n == 1 && *p == '*')
			return true;
		if (n > 0 && n == olen && strncasecmp(p, origin, n) == 0)
			return true;
	}
	return false;
}

bool
cors_public_path(const char *path)
{
	return strncmp(path, "/api/v1/", 8) == 0 &&
	    strncmp(path + 8, "admin", 5) != 0;
}

static bool
cors_allowed(struct req *r, const char *origin)
{
	return cors_origin_allowed(r->ctx->cfg->allowed_origins, origin,
	    req_header(r, "Host"));
}

bool
cors_check(struct req *r)
{
	const char	*origin = req_header(r, "Origin");

	if (r->method == ROUTE_GET || r->method == ROUTE_HEAD) {
		/* Cacheable by anyone: the same header for every origin. */
		req_add_header(r, "Access-Control-Allow-Origin", "*");
		return true;
	}
	if (origin == NULL)
		return true;	/* not from a browser page */
	if (!cors_allowed(r, origin)) {
		req_reply_error(r, 403, "origin_not_allowed",
		    "pages of this origin may not post here");
		return false;
	}
	req_add_header(r, "Access-Control-Allow-Origin", origin);
	req_add_header(r, "Vary", "Origin");
	return true;
}

void
cors_preflight(struct req *r)
{
	const char	*origin = req_header(r, "Origin");
	const char	*method;

	method = req_header(r, "Access-Control-Request-Method");

	if (origin == NULL || method == NULL) {
		req_add_header(r, "Allow", "GET, HEAD, POST, OPTIONS");
		req_reply_empty(r, 204);
		return;
	}
	if (!cors_allowed(r, origin)) {
		req_reply_error(r, 403, "origin_not_allowed",
		    "pages of this origin may not use this API");
		return;
	}
	req_add_header(r, "Access-Control-Allow-Origin", origin);
	req_add_header(r, "Access-Control-Allow-Methods", CORS_METHODS);
	req_add_header(r, "Access-Control-Allow-Headers", CORS_HEADERS);
	req_add_header(r, "Access-Control-Max-Age", CORS_MAX_AGE);
	req_add_header(r, "Vary", "Origin");
	req_reply_empty(r, 204);
}
