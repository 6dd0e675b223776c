/*
 * test_log.c - unit tests for log lines (log.c): text from requests
 * cannot start a line of its own or reach a terminal as an escape
 * sequence, in either format; a JSON line (COMMENTD_LOG_FORMAT=json) is
 * one object any JSON parser reads, whatever bytes a request sent.
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
#include <jansson.h>

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

static const char *
jesc(const char *s)
{
	static char	out[512];

	log_json_escape(s, out, sizeof out);
	return out;
}

static void
test_json_escape_table(void **state)
{
	(void)state;
	assert_string_equal(jesc("GET /api/v1/x?q=1"), "GET /api/v1/x?q=1");
	/* Quotes and backslashes: a string cannot be closed early. */
	assert_string_equal(jesc("a\"b\\c"), "a\\\"b\\\\c");
	assert_string_equal(jesc("\"}\n{\"level\":\"error\""),
	    "\\\"}\\u000a{\\\"level\\\":\\\"error\\\"");
	/* Every control character: C0, DEL, C1. */
	assert_string_equal(jesc("\x1b[2J\a\t\r\x7f"),
	    "\\u001b[2J\\u0007\\u0009\\u000d\\u007f");
	assert_string_equal(jesc("\xc2\x9b" "2J\xc2\x85"),
	    "\\u009b2J\\u0085");
	/* UTF-8 stays as it is. */
	assert_string_equal(jesc("تعليق ✓ 😀 \xc2\xa0"),
	    "تعليق ✓ 😀 \xc2\xa0");
	/* Bytes no parser would take: stray, cut, overlong, surrogate,
	 * past U+10FFFF. */
	assert_string_equal(jesc("/\xff\xfe"), "/\\ufffd\\ufffd");
	assert_string_equal(jesc("\xe2\x9c"), "\\ufffd\\ufffd");
	assert_string_equal(jesc("\xc0\xaf\xe0\x80\xaf"),
	    "\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd");
	assert_string_equal(jesc("\xed\xa0\x80"), "\\ufffd\\ufffd\\ufffd");
	assert_string_equal(jesc("\xf4\x90\x80\x80"),
	    "\\ufffd\\ufffd\\ufffd\\ufffd");
	assert_string_equal(jesc("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf");
	/* libpq's trailing line break is dropped, as in text. */
	assert_string_equal(jesc("FATAL:  no such role\n"),
	    "FATAL:  no such role");
	/* The text format now refuses what JSON refuses, too. */
	assert_string_equal(esc("\xed\xa0\x80"), "\\xed\\xa0\\x80");
}

static void
test_json_escape_bounds(void **state)
{
	char	out[8];

	(void)state;
	assert_int_equal(log_json_escape("abcdefghij", out, sizeof out), 7);
	assert_string_equal(out, "abcdefg");
	/* An escape is whole or left out. */
	assert_int_equal(log_json_escape("ab\x01z", out, sizeof out), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(log_json_escape("abcdef\"", out, sizeof out), 6);
	assert_string_equal(out, "abcdef");
	assert_int_equal(log_json_escape("abcdeتع", out, sizeof out), 7);
	assert_string_equal(out, "abcdeت");
	assert_int_equal(log_json_escape("x", out, 1), 0);
	assert_string_equal(out, "");
}

/*
 * Random bytes, weighted to the awkward ones: each escape, quoted, is
 * a JSON string jansson reads, with no control byte in it; and text
 * that is valid UTF-8 without controls reads back as itself.
 */
static void
test_json_escape_random(void **state)
{
	static const unsigned char	 awkward[] = {
		0x00, 0x0a, 0x1b, 0x22, 0x5c, 0x7f, 0x80, 0x9b, 0xa0, 0xbf,
		0xc0, 0xc2, 0xd8, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff,
	};
	unsigned char	 in[64];
	char		 out[400], quoted[410];
	unsigned	 seed = 12345;
	size_t		 n, i, len;
	json_t		*j;
	json_error_t	 err;
	int		 round;

	(void)state;
	for (round = 0; round < 20000; round++) {
		n = (seed = seed * 1103515245 + 12345) >> 16 & 63;
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			in[i] = seed >> 16 & 1 ?
			    awkward[(seed >> 17) % sizeof awkward] :
			    (unsigned char)(seed >> 20);
			if (in[i] == 0)
				in[i] = 'a';
		}
		in[n] = '\0';
		len = log_json_escape((char *)in, out, sizeof out);
		assert_int_equal(len, strlen(out));
		for (i = 0; i < len; i++)
			assert_true((unsigned char)out[i] >= 0x20 &&
			    out[i] != 0x7f);
		snprintf(quoted, sizeof quoted, "\"%s\"", out);
		j = json_loads(quoted, JSON_DECODE_ANY, &err);
		if (j == NULL)
			fail_msg("round %d: %s: %s", round, quoted, err.text);
		json_decref(j);
	}
	j = json_loads("\"\\u0000\"", JSON_DECODE_ANY, &err);
	assert_null(j);		/* jansson is strict: the check means it */
	j = json_loads("\"تعليق \\u001b\"", JSON_DECODE_ANY, &err);
	assert_non_null(j);
	assert_string_equal(json_string_value(j), "تعليق \x1b");
	json_decref(j);
}

/* Runs fn with stderr into a pipe; what it wrote, NUL-terminated. */
static char *
captured(void (*fn)(void))
{
	static char	buf[16384];
	int		fds[2], saved;
	ssize_t		n;
	size_t		len = 0;

	assert_int_equal(pipe(fds), 0);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fds[1], STDERR_FILENO) >= 0);
	fn();
	log_flush();
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	close(fds[1]);
	while ((n = read(fds[0], buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)n;
	close(fds[0]);
	buf[len] = '\0';
	return buf;
}

#define HOSTILE	"/a\n{\"level\":\"error\"}\x1b[2J\\\"\xff\xc2\x9b\xed\xa0\x80ت"

static void
write_json_lines(void)
{
	log_init(LOG_INFO, false);
	log_set_json(true);
	log_set_thread_name("w\"1\n");
	log_warn("path %s", HOSTILE);
	log_request("GET", HOSTILE, 404, 1.5, false);
	log_request("POST", "/api/v1/x", 202, 12.345, true);
	log_access("plain %s", "\r\n");
	log_debug("not at info");
	log_set_thread_name("main");
	log_set_json(false);
}

/* Each line one object with the fields, no control byte anywhere. */
static void
test_json_lines_written(void **state)
{
	char		*buf, *line, *nl;
	json_t		*o[4];
	json_error_t	 err;
	size_t		 i, n = 0;

	(void)state;
	buf = captured(write_json_lines);
	for (i = 0; buf[i] != '\0'; i++)
		assert_true((unsigned char)buf[i] >= 0x20 && buf[i] != 0x7f ?
		    true : buf[i] == '\n');
	for (line = buf; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		assert_non_null(nl);
		*nl = '\0';
		assert_true(n < 4);
		o[n] = json_loads(line, 0, &err);
		if (o[n] == NULL)
			fail_msg("not JSON: %s: %s", line, err.text);
		assert_true(json_is_object(o[n]));
		assert_non_null(json_string_value(json_object_get(o[n],
		    "ts")));
		assert_string_equal(json_string_value(json_object_get(o[n],
		    "thread")), "w\"1");
		n++;
	}
	assert_int_equal(n, 4);
	assert_string_equal(json_string_value(json_object_get(o[0], "level")),
	    "warn");
	/* The text as it was where it was UTF-8, U+FFFD where not. */
	assert_string_equal(json_string_value(json_object_get(o[0], "msg")),
	    "path /a\n{\"level\":\"error\"}\x1b[2J\\\"\xef\xbf\xbd\xc2\x9b"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdت");
	assert_null(json_object_get(o[0], "status"));
	assert_string_equal(json_string_value(json_object_get(o[1], "level")),
	    "info");
	assert_string_equal(json_string_value(json_object_get(o[1],
	    "method")), "GET");
	assert_non_null(strstr(json_string_value(json_object_get(o[1],
	    "path")), "{\"level\":\"error\"}\x1b[2J"));
	assert_int_equal(json_integer_value(json_object_get(o[1], "status")),
	    404);
	assert_true(json_real_value(json_object_get(o[1], "ms")) == 1.5);
	assert_null(json_object_get(o[1], "client_gone"));
	assert_string_equal(json_string_value(json_object_get(o[2], "msg")),
	    "POST /api/v1/x 202 12.35ms (client gone)");
	assert_true(json_is_true(json_object_get(o[2], "client_gone")));
	assert_true(json_real_value(json_object_get(o[2], "ms")) == 12.35);
	assert_string_equal(json_string_value(json_object_get(o[3], "msg")),
	    "plain ");
	for (i = 0; i < n; i++)
		json_decref(o[i]);
}

static void
write_long_lines(void)
{
	static char	big[3000];

	memset(big, '\x01', sizeof big - 1);
	log_set_json(true);
	log_warn("%s", big);
	log_request("GET", big, 200, 0.1, false);
	log_set_json(false);
	log_request("GET", big, 200, 0.1, false);
}

/* A message far longer than a line: cut, still one object a line. */
static void
test_json_long_lines(void **state)
{
	char		*buf, *nl;
	json_t		*o;
	json_error_t	 err;
	int		 n;

	(void)state;
	buf = captured(write_long_lines);
	for (n = 0; n < 2; n++) {
		nl = strchr(buf, '\n');
		assert_non_null(nl);
		*nl = '\0';
		o = json_loads(buf, 0, &err);
		if (o == NULL)
			fail_msg("not JSON: %s", err.text);
		assert_true(strlen(json_string_value(json_object_get(o,
		    "msg"))) > 100);
		json_decref(o);
		buf = nl + 1;
	}
	/* The text line: the same request, escaped, on one line. */
	assert_non_null(strstr(buf, " info [main] GET \\x01\\x01"));
	assert_int_equal(strchr(buf, '\n') - buf + 1, strlen(buf));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_table),
		cmocka_unit_test(test_escape_bounds),
		cmocka_unit_test(test_lines_written),
		cmocka_unit_test(test_json_escape_table),
		cmocka_unit_test(test_json_escape_bounds),
		cmocka_unit_test(test_json_escape_random),
		cmocka_unit_test(test_json_lines_written),
		cmocka_unit_test(test_json_long_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
