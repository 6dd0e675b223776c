/*
 * test_web.c - unit tests for what serves the web side: cors.c's origin
 * rule and html.c's comments fragment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <jansson.h>

#include "cors.h"
#include "html.h"

static void
test_origin_rule(void **state)
{
	const char	*list;

	(void)state;
	list = " https://news.example, http://b.example:8080/ ";
	/* Listed, whatever the spacing, case or trailing slash. */
	assert_true(cors_origin_allowed(list, "https://news.example", NULL));
	assert_true(cors_origin_allowed(list, "HTTPS://NEWS.EXAMPLE", NULL));
	assert_true(cors_origin_allowed(list, "http://b.example:8080", NULL));
	/* Not listed: another scheme, port, or a longer name. */
	assert_false(cors_origin_allowed(list, "http://news.example", NULL));
	assert_false(cors_origin_allowed(list, "http://b.example", NULL));
	assert_false(cors_origin_allowed(list, "https://news.example.evil",
	    NULL));
	assert_false(cors_origin_allowed(list, "https://evil.news.example",
	    NULL));
	assert_false(cors_origin_allowed(list, "null", NULL));
	assert_false(cors_origin_allowed(list, "", NULL));
	/* None listed: only the server's own pages, by Host. */
	assert_false(cors_origin_allowed("", "https://news.example", NULL));
	assert_true(cors_origin_allowed("", "http://127.0.0.1:8080",
	    "127.0.0.1:8080"));
	assert_true(cors_origin_allowed("", "https://Comments.Example",
	    "comments.example"));
	assert_false(cors_origin_allowed("", "http://127.0.0.1:8081",
	    "127.0.0.1:8080"));
	assert_false(cors_origin_allowed("", "file://127.0.0.1:8080",
	    "127.0.0.1:8080"));
	/* Any. */
	assert_true(cors_origin_allowed("*", "https://x.example", NULL));
	assert_true(cors_origin_allowed("https://a.example, *",
	    "https://x.example", NULL));
}

static void
test_public_paths(void **state)
{
	(void)state;
	assert_true(cors_public_path("/api/v1/articles/x/comments"));
	assert_true(cors_public_path("/api/v1/comments/1/reports"));
	assert_true(cors_public_path("/api/v1/counts"));
	assert_false(cors_public_path("/api/v1/admin/comments"));
	assert_false(cors_public_path("/api/v1/admin"));
	assert_false(cors_public_path("/admin"));
	assert_false(cors_public_path("/embed.js"));
}

static void
test_escape(void **state)
{
	struct evbuffer	*b = evbuffer_new();
	const char	*s = "a<b>&\"c\"'d' أ";
	char		 out[128];
	size_t		 n;

	(void)state;
	html_escape(b, s, strlen(s));
	n = evbuffer_get_length(b);
	assert_true(n < sizeof out);
	evbuffer_remove(b, out, n);
	out[n] = '\0';
	assert_string_equal(out,
	    "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39; أ");
	evbuffer_free(b);
}

static void
test_fragment(void **state)
{
	json_t	*page;
	char	*html;
	size_t	 len;

	(void)state;
	page = json_loads("{\"article\": {\"key\": \"k<1>\"}, \"total\": 3,"
	    "\"comments\": [{\"id\": 1, \"author\": \"<b>A</b>\","
	    "  \"body\": \"x\\ny\\n\\n\\nz\", \"created_at\": "
	    "  \"2026-01-02T03:04:05Z\", \"replies\": [{\"id\": 2,"
	    "  \"author\": \"B\", \"body\": \"r\","
	    "  \"created_at\": \"2026-01-03T00:00:00Z\","
	    "  \"replies\": []}]},"
	    " {\"id\": 3, \"author\": \"C\", \"body\": \"\","
	    "  \"created_at\": \"x\","
	    "  \"replies\": []}],"
	    "\"next\": \"3\"}", 0, NULL);
	assert_non_null(page);
	html = html_comments(page, "order=newest", &len);
	assert_int_equal(strlen(html), len);
	assert_non_null(strstr(html, "data-commentd-article=\"k&lt;1&gt;\""));
	assert_non_null(strstr(html, "<span class=\"commentd-author\" "
	    "dir=\"auto\">&lt;b&gt;A&lt;/b&gt;</span>"));
	/* One newline: <br>; blank lines (any number): a new paragraph. */
	assert_non_null(strstr(html, "<p>x<br>y</p><p>z</p>"));
	assert_non_null(strstr(html, "<time datetime=\"2026-01-02T03:04:05Z\">"
	    "2026-01-02</time>"));
	/* The reply inside its parent's item; a short date as it is. */
	assert_non_null(strstr(html, "<ol class=\"commentd-replies\"><li "
	    "class=\"commentd-comment\" id=\"commentd-c-2\""));
	assert_true(strstr(html, "id=\"commentd-c-2\"") <
	    strstr(html, "id=\"commentd-c-3\""));
	assert_non_null(strstr(html, "<time datetime=\"x\">x</time>"));
	assert_non_null(strstr(html, "href=\"?order=newest&amp;cursor=3\""));
	free(html);
	/* No next page: no link. */
	json_object_set_new(page, "next", json_null());
	html = html_comments(page, "", &len);
	assert_null(strstr(html, "commentd-more"));
	free(html);
	json_decref(page);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_origin_rule),
		cmocka_unit_test(test_public_paths),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_fragment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
