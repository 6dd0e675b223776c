/*
 * router.c - method and path matching (see router.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"
#include "xmalloc.h"

static int	router_hex(int);
static bool	router_has_control(const char *, size_t);
static int	router_match_one(const char *, const char *,
		    struct route_params *);

static int
router_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
router_percent_decode(const char *s, size_t len, size_t *outlen)
{
	char	*out;
	size_t	 i, o;
	int	 hi, lo;

	out = xmalloc(len + 1);
	for (i = 0, o = 0; i < len; i++) {
		if (s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		if (i + 2 >= len ||
		    (hi = router_hex((unsigned char)s[i + 1])) < 0 ||
		    (lo = router_hex((unsigned char)s[i + 2])) < 0) {
			free(out);
			return NULL;
		}
		out[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

/* C0 controls and DEL: no value of a route may hold one. */
static bool
router_has_control(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	}
	return false;
}

/*
 * Matches path against pattern segment by segment.  Returns 1 on a
 * match (captures in *p), 0 on no match, -1 on a malformed escape or a
 * capture that decodes to a control character.
 */
static int
router_match_one(const char *pattern, const char *path,
    struct route_params *p)
{
	const char	*pp = pattern, *sp = path, *pe, *se;
	size_t		 plen, slen;

	memset(p, 0, sizeof *p);
	for (;;) {
		if (*pp != '/' || *sp != '/')
			goto nomatch;
		pp++;
		sp++;
		pe = strchr(pp, '/');
		se = strchr(sp, '/');
		plen = pe != NULL ? (size_t)(pe - pp) : strlen(pp);
		slen = se != NULL ? (size_t)(se - sp) : strlen(sp);
		if (pp[0] == ':') {
			if (slen == 0 || p->n == ROUTE_MAX_PARAMS)
				goto nomatch;
			p->name[p->n] = pp + 1;
			p->value[p->n] = router_percent_decode(sp, slen,
			    &p->len[p->n]);
			if (p->value[p->n] == NULL)
				goto bad;
			p->n++;
			if (router_has_control(p->value[p->n - 1],
			    p->len[p->n - 1]))
				goto bad;
		} else if (plen != slen || memcmp(pp, sp, plen) != 0)
			goto nomatch;
		pp += plen;
		sp += slen;
		if (*pp == '\0' && *sp == '\0')
			return 1;
		if (*pp == '\0' || *sp == '\0')
			goto nomatch;
	}
nomatch:
	router_params_free(p);
	return 0;
bad:
	router_params_free(p);
	return -1;
}

enum router_result
router_match(const struct route *table, size_t n, unsigned method,
    const char *path, const struct route **match, struct route_params *params,
    unsigned *allowed)
{
	struct route_params	 p;
	unsigned		 want;
	size_t			 i;
	int			 r;
	bool			 bad = false;

	*match = NULL;
	*allowed = 0;
	memset(params, 0, sizeof *params);
	want = method == ROUTE_HEAD ? ROUTE_GET : method;
	for (i = 0; i < n; i++) {
		r = router_match_one(table[i].pattern, path, &p);
		if (r < 0) {
			bad = true;
			continue;
		}
		if (r == 0)
			continue;
		if (table[i].methods & want) {
			/* The first route wins; nothing else matters now. */
			*match = &table[i];
			*params = p;
			return ROUTER_MATCH;
		}
		*allowed |= table[i].methods;
		router_params_free(&p);
	}
	if (*match != NULL)
		return ROUTER_MATCH;
	if (*allowed != 0)
		return ROUTER_BAD_METHOD;
	return bad ? ROUTER_BAD_PATH : ROUTER_NOT_FOUND;
}

void
router_params_free(struct route_params *params)
{
	int	i;

	for (i = 0; i < params->n; i++)
		free(params->value[i]);
	memset(params, 0, sizeof *params);
}

const char *
router_param(const struct route_params *params, const char *name,
    size_t *len)
{
	size_t	nlen = strlen(name);
	int	i;

	for (i = 0; i < params->n; i++) {
		const char *pn = params->name[i];

		if (strncmp(pn, name, nlen) == 0 &&
		    (pn[nlen] == '\0' || pn[nlen] == '/')) {
			if (len != NULL)
				*len = params->len[i];
			return params->value[i];
		}
	}
	return NULL;
}

void
router_allow_header(unsigned methods, char *buf, size_t size)
{
	static const struct {
		unsigned	 bit;
		const char	*name;
	} names[] = {
		{ ROUTE_GET, "GET, HEAD" },
		{ ROUTE_POST, "POST" },
		{ ROUTE_PUT, "PUT" },
		{ ROUTE_PATCH, "PATCH" },
		{ ROUTE_DELETE, "DELETE" },
		{ ROUTE_OPTIONS, "OPTIONS" },
	};
	size_t	i, off = 0;
	int	n;

	buf[0] = '\0';
	for (i = 0; i < CS_NELEM(names); i++) {
		if (!(methods & names[i].bit))
			continue;
		n = snprintf(buf + off, size - off, "%s%s", off > 0 ? ", " :
		    "", names[i].name);
		if (n < 0 || (size_t)n >= size - off)
			break;
		off += (size_t)n;
	}
}
