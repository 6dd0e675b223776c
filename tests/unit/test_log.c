/*
 * test_log.c - unit tests for log lines (log.c): text from requests
 * cannot start a line of its own or reach a terminal as an escape
 * sequence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

static const char *
esc(const char *s)
{
	static char	out[512];

	log_escape(s, out, sizeof out);
	return out;
}

static void
test_escape_table(void **state)
{
	(void)state;
	assert_string_equal(esc("GET /api/v1/articles/x"),
	    "GET /api/v1/articles/x");
	/* A forged second line, a terminal escape, a bell, DEL. */
	assert_string_equal(esc("/a\n2026 error [w0] forged"),
	    "/a\\x0a2026 error [w0] forged");
	assert_string_equal(esc("/\x1b[31mred\x1b[0m"),
	    "/\\x1b[31mred\\x1b[0m");
	assert_string_equal(esc("\a\t\r\x7f"), "\\x07\\x09\\x0d\\x7f");
	/* A backslash is doubled: an escape cannot be forged either. */
	assert_string_equal(esc("a\\x1b"), "a\\\\x1b");
	/* Arabic and other UTF-8 stay as they are; C1 controls do not. */
	assert_string_equal(esc("تعليق ✓ 😀"), "تعليق ✓ 😀");
	assert_string_equal(esc("\xc2\x9b" "2J"), "\\xc2\\x9b2J");
	assert_string_equal(esc("\xc2\xa0"), "\xc2\xa0");
	/* Bytes that begin no UTF-8 sequence, or a cut one. */
	assert_string_equal(esc("/\xff\xfe"), "/\\xff\\xfe");
	assert_string_equal(esc("\xd8"), "\\xd8");
	assert_string_equal(esc("\xe2\x9c"), "\\xe2\\x9c");
	/* libpq's errors end with a line break: dropped, not escaped. */
	assert_string_equal(esc("FATAL:  no such role\n"),
	    "FATAL:  no such role");
}

/* The output is bounded and never cuts an escape or a character. */
static void
test_escape_bounds(void **state)
{
	char	out[8];
	size_t	n;

	(void)state;
	n = log_escape("abcdefghij", out, sizeof out);
	assert_int_equal(n, 7);
	assert_string_equal(out, "abcdefg");
	n = log_escape("abcd\n", out, 8);
	assert_string_equal(out, "abcd");
	n = log_escape("abcd\x01z", out, 8);
	assert_string_equal(out, "abcd");
	assert_int_equal(n, 4);
	n = log_escape("abcdeتع", out, 8);
	assert_string_equal(out, "abcdeت");
	n = log_escape("x", out, 1);
	assert_int_equal(n, 0);
	assert_string_equal(out, "");
}

/* What reaches stderr: one line, escaped, for a message and an access
 * line alike. */
static void
test_lines_written(void **state)
{
	char	 buf[4096];
	int	 fds[2], saved;
	ssize_t	 n;
	char	*nl;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fds[1], STDERR_FILENO) >= 0);
	log_init(LOG_INFO, false);
	log_warn("path %s", "/x\ny\x1b[2J");
	log_access("GET %s 404", "/\r\nforged");
	log_flush();
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	close(fds[1]);
	n = read(fds[0], buf, sizeof buf - 1);
	close(fds[0]);
	assert_true(n > 0);
	buf[n] = '\0';
	/* Exactly two lines, each ending in the escaped text. */
	nl = strchr(buf, '\n');
	assert_non_null(nl);
	assert_non_null(strstr(buf, "path /x\\x0ay\\x1b[2J\n"));
	assert_non_null(strstr(nl + 1, "GET /\\x0d\\x0aforged 404\n"));
	assert_null(strchr(strchr(nl + 1, '\n') + 1, '\n'));
	assert_null(strchr(buf, '\x1b'));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_table),
		cmocka_unit_test(test_escape_bounds),
		cmocka_unit_test(test_lines_written),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
