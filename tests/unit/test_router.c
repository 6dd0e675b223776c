/*
 * test_router.c - unit tests for router.c: pattern matching, captures
 * and percent-decoding (no control characters in values), 404 and 405
 * with the Allow set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "router.h"
#include "routes.h"

static void fake(struct req *r) { (void)r; }
static void fake2(struct req *r) { (void)r; }

static const struct route table[] = {
	{ ROUTE_GET, "/healthz", 0, fake },
	{ ROUTE_POST, "/api/v1/articles/:key/comments", ROUTE_JSON_BODY,
	    fake },
	{ ROUTE_GET, "/api/v1/articles/:key/comments", 0, fake2 },
	{ ROUTE_GET, "/api/v1/comments/:id", 0, fake },
	{ ROUTE_POST, "/api/v1/admin/comments/:id/:action", 0, fake2 },
};

static enum router_result
match(unsigned method, const char *path, const struct route **r,
    struct route_params *p, unsigned *allowed)
{
	return router_match(table, sizeof table / sizeof table[0], method,
	    path, r, p, allowed);
}

static void
test_literal(void **state)
{
	const struct route	*r;
	struct route_params	 p;
	unsigned		 allowed;

	(void)state;
	assert_int_equal(match(ROUTE_GET, "/healthz", &r, &p, &allowed),
	    ROUTER_MATCH);
	assert_ptr_equal(r, &table[0]);
	assert_int_equal(p.n, 0);
	/* HEAD is answered by GET routes. */
	assert_int_equal(match(ROUTE_HEAD, "/healthz", &r, &p, &allowed),
	    ROUTER_MATCH);
	assert_int_equal(match(ROUTE_GET, "/healthz/", &r, &p, &allowed),
	    ROUTER_NOT_FOUND);
	assert_int_equal(match(ROUTE_GET, "/health", &r, &p, &allowed),
	    ROUTER_NOT_FOUND);
	assert_int_equal(match(ROUTE_GET, "/", &r, &p, &allowed),
	    ROUTER_NOT_FOUND);
	assert_int_equal(match(ROUTE_GET, "", &r, &p, &allowed),
	    ROUTER_NOT_FOUND);
}

static void
test_capture_and_method(void **state)
{
	const struct route	*r;
	struct route_params	 p;
	unsigned		 allowed;
	const char		*v;
	size_t			 len;

	(void)state;
	assert_int_equal(match(ROUTE_POST, "/api/v1/articles/abc/comments",
	    &r, &p, &allowed), ROUTER_MATCH);
	assert_ptr_equal(r->fn, fake);
	assert_true(r->flags & ROUTE_JSON_BODY);
	v = router_param(&p, "key", &len);
	assert_string_equal(v, "abc");
	assert_int_equal(len, 3);
	assert_null(router_param(&p, "id", NULL));
	router_params_free(&p);

	assert_int_equal(match(ROUTE_GET, "/api/v1/articles/abc/comments",
	    &r, &p, &allowed), ROUTER_MATCH);
	assert_ptr_equal(r->fn, fake2);
	router_params_free(&p);

	assert_int_equal(match(ROUTE_POST, "/api/v1/admin/comments/7/approve",
	    &r, &p, &allowed), ROUTER_MATCH);
	assert_string_equal(router_param(&p, "id", NULL), "7");
	assert_string_equal(router_param(&p, "action", NULL), "approve");
	router_params_free(&p);
}

static void
test_percent_decoding(void **state)
{
	const struct route	*r;
	struct route_params	 p;
	unsigned		 allowed;
	size_t			 len;
	const char		*v;

	(void)state;
	/* %2F stays inside the segment: keys may hold slashes. */
	assert_int_equal(match(ROUTE_GET,
	    "/api/v1/articles/news%2F2023%2F%D9%83%D9%8A%D9%85/comments",
	    &r, &p, &allowed), ROUTER_MATCH);
	v = router_param(&p, "key", &len);
	assert_string_equal(v, "news/2023/\xd9\x83\xd9\x8a\xd9\x85");
	router_params_free(&p);

	/* A value never holds a control character: a C string would end
	 * at a NUL ("sam%00x" acting on "sam"), and no value is binary. */
	assert_int_equal(match(ROUTE_GET, "/api/v1/articles/a%00b/comments",
	    &r, &p, &allowed), ROUTER_BAD_PATH);
	assert_null(r);
	assert_int_equal(p.n, 0);
	assert_int_equal(match(ROUTE_POST, "/api/v1/admin/comments/7%00/a",
	    &r, &p, &allowed), ROUTER_BAD_PATH);
	assert_int_equal(match(ROUTE_POST, "/api/v1/admin/comments/7/a%00",
	    &r, &p, &allowed), ROUTER_BAD_PATH);
	assert_int_equal(p.n, 0);
	assert_int_equal(match(ROUTE_GET, "/api/v1/comments/1%0a", &r, &p,
	    &allowed), ROUTER_BAD_PATH);
	assert_int_equal(match(ROUTE_GET, "/api/v1/comments/%1B%5B31m", &r,
	    &p, &allowed), ROUTER_BAD_PATH);
	assert_int_equal(match(ROUTE_GET, "/api/v1/comments/1%7f", &r, &p,
	    &allowed), ROUTER_BAD_PATH);
	assert_int_equal(match(ROUTE_GET, "/api/v1/comments/%09", &r, &p,
	    &allowed), ROUTER_BAD_PATH);
	/* Also for another method: the path is bad before it is a 405. */
	assert_int_equal(match(ROUTE_DELETE, "/api/v1/comments/%00", &r, &p,
	    &allowed), ROUTER_BAD_PATH);
	assert_int_equal(allowed, 0);
	/* Bytes that are not UTF-8 are the handlers' to refuse (a key, a
	 * name, an id each has its rules); a space is text. */
	assert_int_equal(match(ROUTE_GET, "/api/v1/articles/a%ffb/comments",
	    &r, &p, &allowed), ROUTER_MATCH);
	v = router_param(&p, "key", &len);
	assert_int_equal(len, 3);
	assert_memory_equal(v, "a\xff" "b", 3);
	router_params_free(&p);
	assert_int_equal(match(ROUTE_GET, "/api/v1/articles/a%20b/comments",
	    &r, &p, &allowed), ROUTER_MATCH);
	assert_string_equal(router_param(&p, "key", NULL), "a b");
	router_params_free(&p);

	/* '+' is not a space in a path. */
	assert_int_equal(match(ROUTE_GET, "/api/v1/articles/a+b/comments",
	    &r, &p, &allowed), ROUTER_MATCH);
	assert_string_equal(router_param(&p, "key", NULL), "a+b");
	router_params_free(&p);

	/* Malformed escapes. */
	assert_int_equal(match(ROUTE_GET, "/api/v1/articles/a%zz/comments",
	    &r, &p, &allowed), ROUTER_BAD_PATH);
	assert_int_equal(match(ROUTE_GET, "/api/v1/articles/a%2/comments",
	    &r, &p, &allowed), ROUTER_BAD_PATH);
	assert_int_equal(match(ROUTE_GET, "/api/v1/comments/%", &r, &p,
	    &allowed), ROUTER_BAD_PATH);
	assert_int_equal(p.n, 0);

	/* Empty captures do not match. */
	assert_int_equal(match(ROUTE_GET, "/api/v1/articles//comments",
	    &r, &p, &allowed), ROUTER_NOT_FOUND);
}

static void
test_decode_function(void **state)
{
	size_t	 len;
	char	*s;

	(void)state;
	s = router_percent_decode("%41%62c%2f", 10, &len);
	assert_non_null(s);
	assert_string_equal(s, "Abc/");
	assert_int_equal(len, 4);
	free(s);
	assert_null(router_percent_decode("%4", 2, &len));
	assert_null(router_percent_decode("%g0", 3, &len));
	s = router_percent_decode("", 0, &len);
	assert_string_equal(s, "");
	free(s);
}

static void
test_method_not_allowed(void **state)
{
	const struct route	*r;
	struct route_params	 p;
	unsigned		 allowed;
	char			 allow[96];

	(void)state;
	assert_int_equal(match(ROUTE_DELETE, "/api/v1/articles/x/comments",
	    &r, &p, &allowed), ROUTER_BAD_METHOD);
	assert_null(r);
	assert_int_equal(allowed, ROUTE_GET | ROUTE_POST);
	router_allow_header(allowed, allow, sizeof allow);
	assert_string_equal(allow, "GET, HEAD, POST");

	assert_int_equal(match(ROUTE_POST, "/healthz", &r, &p, &allowed),
	    ROUTER_BAD_METHOD);
	router_allow_header(allowed, allow, sizeof allow);
	assert_string_equal(allow, "GET, HEAD");
}

static void
test_real_table(void **state)
{
	const struct route	*r;
	struct route_params	 p;
	unsigned		 allowed;
	size_t			 i;

	(void)state;
	/* Every pattern of the server's own table is reachable. */
	for (i = 0; i < route_count; i++) {
		char	path[256], *o = path;
		const char *s;

		for (s = route_table[i].pattern; *s != '\0'; s++) {
			if (*s == ':') {
				*o++ = '1';
				while (s[1] != '\0' && s[1] != '/')
					s++;
			} else
				*o++ = *s;
		}
		*o = '\0';
		assert_int_equal(router_match(route_table, route_count,
		    route_table[i].methods & -route_table[i].methods, path,
		    &r, &p, &allowed), ROUTER_MATCH);
		assert_ptr_equal(r->fn, route_table[i].fn);
		router_params_free(&p);
	}
}

/* Every capture of the server's table refuses an escaped control
 * character, for every method: "sam%00x" is not "sam". */
static void
test_real_table_controls(void **state)
{
	static const char *const paths[] = {
		"/api/v1/admin/moderators/sam%00x",
		"/api/v1/admin/moderators/sam%00x/password",
		"/api/v1/articles/a%00/comments",
		"/api/v1/articles/a%0d%0a/comments.html",
		"/api/v1/comments/1%00/reports",
		"/api/v1/admin/comments/1/approve%00",
		"/api/v1/admin/articles/%1b",
		"/api/v1/admin/words/1%7f",
	};
	static const unsigned methods[] = { ROUTE_GET, ROUTE_HEAD,
	    ROUTE_POST, ROUTE_PUT, ROUTE_DELETE, ROUTE_PATCH, ROUTE_OPTIONS };
	const struct route	*r;
	struct route_params	 p;
	unsigned		 allowed;
	size_t			 i, m;

	(void)state;
	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		for (m = 0; m < sizeof methods / sizeof methods[0]; m++) {
			assert_int_equal(router_match(route_table, route_count,
			    methods[m], paths[i], &r, &p, &allowed),
			    ROUTER_BAD_PATH);
			assert_null(r);
			assert_int_equal(p.n, 0);
		}
	}
	/* The same paths without the control character match. */
	assert_int_equal(router_match(route_table, route_count, ROUTE_PATCH,
	    "/api/v1/admin/moderators/samx", &r, &p, &allowed), ROUTER_MATCH);
	assert_string_equal(router_param(&p, "name", NULL), "samx");
	router_params_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal),
		cmocka_unit_test(test_capture_and_method),
		cmocka_unit_test(test_percent_decoding),
		cmocka_unit_test(test_decode_function),
		cmocka_unit_test(test_method_not_allowed),
		cmocka_unit_test(test_real_table),
		cmocka_unit_test(test_real_table_controls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
