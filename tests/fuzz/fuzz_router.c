/*
 * fuzz_router.c - a request path against the server's own route table,
 * for every method, and router_percent_decode() on the raw bytes.
 *
 * The path is what req.c hands the router: a NUL-terminated string, so
 * the input is copied and cut at its first NUL.  Besides crashes and
 * leaks, checks the result is consistent with router.h: a match answers
 * the method, captures are within bounds and NUL-terminated, a 405
 * names methods that exclude the one asked for.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"
#include "routes.h"

/* evhttp refuses longer request lines long before they reach us. */
#define FUZZ_MAX_PATH	(8 * 1024)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	fuzz_fail(const char *, unsigned);
static void	fuzz_match(const char *, unsigned);
static void	fuzz_decode(const uint8_t *, size_t);

static void
fuzz_fail(const char *what, unsigned method)
{
	fprintf(stderr, "fuzz_router: %s (method %#x)\n", what, method);
	abort();
}

static void
fuzz_match(const char *path, unsigned method)
{
	const struct route	*match;
	struct route_params	 params;
	enum router_result	 rr;
	unsigned		 allowed, want;
	char			 allow[64], name[64];
	size_t			 len;
	int			 i;

	want = method == ROUTE_HEAD ? ROUTE_GET : method;
	rr = router_match(route_table, route_count, method, path, &match,
	    &params, &allowed);
	switch (rr) {
	case ROUTER_MATCH:
		if (match == NULL || !(match->methods & want))
			fuzz_fail("match does not answer the method", method);
		if (params.n < 0 || params.n > ROUTE_MAX_PARAMS)
			fuzz_fail("capture count out of range", method);
		for (i = 0; i < params.n; i++) {
			if (params.value[i] == NULL ||
			    params.value[i][params.len[i]] != '\0')
				fuzz_fail("capture not terminated", method);
			if (params.len[i] > strlen(path))
				fuzz_fail("capture longer than path", method);
			/* The name ends at '/' or NUL inside the pattern. */
			len = strcspn(params.name[i], "/");
			if (len == 0 || len >= sizeof name)
				fuzz_fail("bad capture name", method);
			memcpy(name, params.name[i], len);
			name[len] = '\0';
			if (router_param(&params, name, NULL) == NULL)
				fuzz_fail("capture not found by name", method);
		}
		router_params_free(&params);
		if (params.n != 0)
			fuzz_fail("params not reset", method);
		break;
	case ROUTER_BAD_METHOD:
		if (match != NULL || allowed == 0 || (allowed & want))
			fuzz_fail("inconsistent 405", method);
		router_allow_header(allowed, allow, sizeof allow);
		if (allow[0] == '\0')
			fuzz_fail("empty Allow header", method);
		break;
	case ROUTER_NOT_FOUND:
	case ROUTER_BAD_PATH:
		if (match != NULL || params.n != 0)
			fuzz_fail("result with no match", method);
		break;
	default:
		fuzz_fail("unknown router result", method);
	}
}

static void
fuzz_decode(const uint8_t *data, size_t size)
{
	char	*out;
	size_t	 outlen = SIZE_MAX;

	if ((out = router_percent_decode((const char *)data, size,
	    &outlen)) == NULL)
		return;
	/* Every escape is three bytes for one: never longer. */
	if (outlen > size || out[outlen] != '\0')
		fuzz_fail("bad decoded length", 0);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned methods[] = {
		ROUTE_GET, ROUTE_POST, ROUTE_PUT, ROUTE_DELETE, ROUTE_PATCH,
		ROUTE_OPTIONS, ROUTE_HEAD
	};
	char	*path;
	size_t	 i;

	if (size > FUZZ_MAX_PATH)
		return 0;
	if ((path = malloc(size + 1)) == NULL)
		abort();
	memcpy(path, data, size);
	path[size] = '\0';
	for (i = 0; i < sizeof methods / sizeof methods[0]; i++)
		fuzz_match(path, methods[i]);
	free(path);

	fuzz_decode(data, size);
	return 0;
}
