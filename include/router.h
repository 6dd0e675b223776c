/*
 * router.h - matching a request's method and path to a route.
 *
 * Patterns are literal segments and ":name" captures, e.g.
 * "/api/v1/articles/:key/comments".  The raw path is split on '/' first
 * and each segment percent-decoded after, so a key may contain "%2F".
 * No capture may decode to a control character (%00, %0A, %1B, %7F...):
 * every value a route takes is text, and a C string would end at a NUL
 * ("sam%00x" would act on "sam"); such a path, like a malformed escape,
 * is ROUTER_BAD_PATH unless another pattern matches it.
 * A path that matches a pattern but not its methods yields 405 with the
 * methods that would have matched (for Allow); no pattern at all, 404.
 */
#ifndef COMMENTD_ROUTER_H
#define COMMENTD_ROUTER_H

#include <stddef.h>

#include "cs.h"

struct req;

#define ROUTE_MAX_PARAMS	4

/* Methods, as a bit set. */
#define ROUTE_GET	0x01	/* also answers HEAD */
#define ROUTE_POST	0x02
#define ROUTE_PUT	0x04
#define ROUTE_DELETE	0x08
#define ROUTE_PATCH	0x10
#define ROUTE_OPTIONS	0x20
#define ROUTE_HEAD	0x40	/* only as a request method */

/* Route flags */
#define ROUTE_JSON_BODY	0x1	/* parse a JSON object body before the call */
#define ROUTE_JSON_OPTIONAL 0x2	/* with JSON_BODY: an empty body is {} */
#define ROUTE_AUTH	0x4	/* a moderator's credentials are needed */
#define ROUTE_ADMIN	0x8	/* ... of an admin (implies ROUTE_AUTH) */
/* with JSON_BODY: no string may hold \u0000 (400 nul_in_string), for
 * credentials, which go on as C strings and would end at it */
#define ROUTE_JSON_NO_NUL 0x10

struct route {
	unsigned	 methods;
	const char	*pattern;
	unsigned	 flags;
	void		(*fn)(struct req *);
};

struct route_params {
	int		 n;
	const char	*name[ROUTE_MAX_PARAMS];	/* into the pattern */
	char		*value[ROUTE_MAX_PARAMS];	/* decoded, owned */
	size_t		 len[ROUTE_MAX_PARAMS];		/* = strlen(value) */
};

enum router_result {
	ROUTER_MATCH,
	ROUTER_NOT_FOUND,
	ROUTER_BAD_METHOD,	/* *allowed says which would match */
	ROUTER_BAD_PATH,	/* malformed escape, or a control character */
};

/*
 * Finds the route of table[0..n) for method (one ROUTE_* bit) and path
 * (raw, without the query string).  On ROUTER_MATCH, *match and *params
 * are set (free params with router_params_free).  On ROUTER_BAD_METHOD,
 * *allowed holds the methods of every pattern that matched the path.
 */
enum router_result router_match(const struct route *table, size_t n,
		    unsigned method, const char *path,
		    const struct route **match, struct route_params *params,
		    unsigned *allowed) CS_MUSTCHECK;

void		 router_params_free(struct route_params *params);
/* The decoded value of capture name, or NULL. */
const char	*router_param(const struct route_params *params,
		    const char *name, size_t *len);
/* "GET, HEAD, POST" for a method set; buf of at least 64 bytes. */
void		 router_allow_header(unsigned methods, char *buf, size_t size);

/*
 * Percent-decodes s[0..len) into a new string (free()); '+' is kept.
 * Returns NULL on a malformed escape.  *outlen gets the decoded length,
 * which may include NUL bytes.
 */
char		*router_percent_decode(const char *s, size_t len,
		    size_t *outlen);

#endif
