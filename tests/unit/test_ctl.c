/*
 * test_ctl.c - unit tests for commentctl's pure modules: UTF-8 widths
 * and cuts (ctl_print.c), the command line (ctl_args.c) and the event
 * stream parser (ctl_sse.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl_args.h"
#include "ctl_print.h"
#include "ctl_sse.h"

/* Arabic test strings, as UTF-8. */
#define LAILA	"\xd9\x84\xd9\x8a\xd9\x84\xd9\x89"	/* ليلى: 4 letters */
/* مُحَمَّد: 4 letters and 4 harakat (one a shadda with a fatha) */
#define MUHAMMAD "\xd9\x85\xd9\x8f\xd8\xad\xd9\x8e\xd9\x85\xd9\x91" \
		 "\xd9\x8e\xd8\xaf"
#define KANJI	"\xe6\xbc\xa2\xe5\xad\x97"		/* 漢字: 2 wide */

#define ARGS(...)	(char *[]){ __VA_ARGS__, NULL }

static int	 argc_of(char **);
static bool	 valid_utf8(const char *);
static int	 collect(const struct ctl_sse_event *, void *);

static int
argc_of(char **argv)
{
	int	n = 0;

	while (argv[n] != NULL)
		n++;
	return n;
}

/* Whether s is well-formed UTF-8 all through. */
static bool
valid_utf8(const char *s)
{
	size_t		 len = strlen(s), pos = 0, n;
	uint32_t	 cp;

	while (pos < len) {
		n = ctl_utf8_next(s + pos, len - pos, &cp);
		if (cp == 0xfffd && n == 1)
			return false;
		pos += n;
	}
	return true;
}

static void
test_decode(void **state)
{
	uint32_t	 cp;

	(void)state;
	assert_int_equal(ctl_utf8_next("a", 1, &cp), 1);
	assert_int_equal(cp, 'a');
	assert_int_equal(ctl_utf8_next(LAILA, 8, &cp), 2);
	assert_int_equal(cp, 0x0644);
	assert_int_equal(ctl_utf8_next("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1f600);
	/* Overlong, surrogate, cut short, stray continuation, > U+10FFFF. */
	assert_int_equal(ctl_utf8_next("\xc0\xaf", 2, &cp), 1);
	assert_int_equal(cp, 0xfffd);
	assert_int_equal(ctl_utf8_next("\xed\xa0\x80", 3, &cp), 1);
	assert_int_equal(cp, 0xfffd);
	assert_int_equal(ctl_utf8_next("\xd9", 1, &cp), 1);
	assert_int_equal(cp, 0xfffd);
	assert_int_equal(ctl_utf8_next("\x80", 1, &cp), 1);
	assert_int_equal(cp, 0xfffd);
	assert_int_equal(ctl_utf8_next("\xf4\x90\x80\x80", 4, &cp), 1);
	assert_int_equal(cp, 0xfffd);
}

static void
test_width(void **state)
{
	(void)state;
	assert_int_equal(ctl_utf8_width(""), 0);
	assert_int_equal(ctl_utf8_width("abc"), 3);
	assert_int_equal(ctl_utf8_width(LAILA), 4);
	assert_int_equal(strlen(LAILA), 8);
	/* Harakat take no cell. */
	assert_int_equal(ctl_utf8_width(MUHAMMAD), 4);
	assert_int_equal(ctl_utf8_width("e\xcc\x81"), 1);	/* e + acute */
	assert_int_equal(ctl_utf8_width(KANJI), 4);
	assert_int_equal(ctl_utf8_width("a" LAILA KANJI), 9);
}

static void
test_fit(void **state)
{
	size_t	w;

	(void)state;
	assert_int_equal(ctl_utf8_fit("abcdef", 3, &w), 3);
	assert_int_equal(w, 3);
	assert_int_equal(ctl_utf8_fit("ab", 5, &w), 2);
	assert_int_equal(w, 2);
	/* Two Arabic letters are four bytes: never one or three. */
	assert_int_equal(ctl_utf8_fit(LAILA, 2, &w), 4);
	assert_int_equal(w, 2);
	/* A letter keeps its harakat: م ُ ح َ  is 8 bytes, 2 cells. */
	assert_int_equal(ctl_utf8_fit(MUHAMMAD, 2, &w), 8);
	assert_int_equal(w, 2);
	/* A wide character that does not fit is left out whole. */
	assert_int_equal(ctl_utf8_fit(KANJI, 3, &w), 3);
	assert_int_equal(w, 2);
	assert_int_equal(ctl_utf8_fit(KANJI, 1, &w), 0);
	assert_int_equal(w, 0);
}

static void
test_cell(void **state)
{
	char	*s;

	(void)state;
	s = ctl_cell("short", 10);
	assert_string_equal(s, "short");
	free(s);
	s = ctl_cell("abcdefghij", 5);
	assert_string_equal(s, "abcd" CTL_ELLIPSIS);
	assert_int_equal(ctl_utf8_width(s), 5);
	free(s);
	/* Exactly the width: no cut. */
	s = ctl_cell(LAILA, 4);
	assert_string_equal(s, LAILA);
	free(s);
	/* Cut Arabic on character boundaries, marks kept with letters. */
	s = ctl_cell(LAILA " " LAILA, 4);
	assert_string_equal(s, "\xd9\x84\xd9\x8a\xd9\x84" CTL_ELLIPSIS);
	assert_true(valid_utf8(s));
	free(s);
	s = ctl_cell(MUHAMMAD, 3);
	assert_string_equal(s, "\xd9\x85\xd9\x8f\xd8\xad\xd9\x8e"
	    CTL_ELLIPSIS);
	assert_int_equal(ctl_utf8_width(s), 3);
	free(s);
	/* No space before the ellipsis. */
	s = ctl_cell("ab cd", 4);
	assert_string_equal(s, "ab" CTL_ELLIPSIS);
	free(s);
	/* Controls and line breaks: one space; none at the ends. */
	s = ctl_cell("  a\nb\t\tc\x1b[31m d\r\n", 0);
	assert_string_equal(s, "a b c [31m d");
	free(s);
	/* C1 controls too (U+009B is a CSI on some terminals). */
	s = ctl_cell("a\xc2\x9b" "b", 0);
	assert_string_equal(s, "a b");
	free(s);
	/* A right-to-left override cannot turn the rest of a line. */
	s = ctl_cell("x\xe2\x80\xae" "abc\xe2\x81\xa6" "d", 0);
	assert_string_equal(s, "xabcd");
	free(s);
	/* Malformed UTF-8 becomes U+FFFD, never a broken sequence. */
	s = ctl_cell("ab\xd9", 0);
	assert_string_equal(s, "ab\xef\xbf\xbd");
	free(s);
	s = ctl_cell("", 3);
	assert_string_equal(s, "");
	free(s);
	s = ctl_cell("abc", 1);
	assert_string_equal(s, CTL_ELLIPSIS);
	free(s);
}

static void
test_text(void **state)
{
	char	*s;

	(void)state;
	s = ctl_text("line 1\nline\t2\x1b[0m\n");
	assert_string_equal(s, "line 1\nline\t2 [0m\n");
	free(s);
}

static void
test_age(void **state)
{
	char	 buf[16];
	time_t	 t = 1700000000;	/* 2023-11-14T22:13:20Z */

	(void)state;
	ctl_age("2023-11-14T22:13:20Z", t, buf, sizeof buf);
	assert_string_equal(buf, "0s");
	ctl_age("2023-11-14T22:12:35.123456Z", t, buf, sizeof buf);
	assert_string_equal(buf, "45s");
	ctl_age("2023-11-14T21:13:20Z", t, buf, sizeof buf);
	assert_string_equal(buf, "1h");
	ctl_age("2023-11-14T22:01:00Z", t, buf, sizeof buf);
	assert_string_equal(buf, "12m");
	ctl_age("2023-11-09T22:13:20Z", t, buf, sizeof buf);
	assert_string_equal(buf, "5d");
	ctl_age("2030-01-01T00:00:00Z", t, buf, sizeof buf);
	assert_string_equal(buf, "0s");
	ctl_age("yesterday", t, buf, sizeof buf);
	assert_string_equal(buf, "-");
	ctl_age(NULL, t, buf, sizeof buf);
	assert_string_equal(buf, "-");
}

static void
test_table(void **state)
{
	static const char *const h[] = { "ID", "AUTHOR", "BODY" };
	struct ctl_table	*t;
	FILE			*fp;
	char			*buf = NULL;
	size_t			 len = 0;

	(void)state;
	t = ctl_table_new(3, h);
	ctl_table_limit(t, 2, 6);
	ctl_table_add(t, (const char *[]){ "1", LAILA, "hello world" });
	ctl_table_add(t, (const char *[]){ "22", "Sam", MUHAMMAD });
	ctl_table_add(t, (const char *[]){ "3", NULL, "x" });
	/* Nothing after the last cell with text. */
	ctl_table_add(t, (const char *[]){ "4", "", NULL });
	assert_int_equal(ctl_table_rows(t), 4);
	fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	ctl_table_print(t, fp);
	fclose(fp);
	/* Columns start at the same cell on every line; the Arabic name
	 * is 8 bytes but 4 cells, like "Sam " and "    ". */
	assert_string_equal(buf,
	    "ID  AUTHOR  BODY\n"
	    "1   " LAILA "    hello" CTL_ELLIPSIS "\n"
	    "22  Sam     " MUHAMMAD "\n"
	    "3           x\n"
	    "4\n");
	free(buf);
	ctl_table_free(t);
}

static void
test_args(void **state)
{
	struct ctl_args	 a;
	char		**v;

	(void)state;
	v = ARGS("--url", "http://x", "approve", "1", "2", "--reason=spam",
	    "--json", "--", "-3");
	assert_int_equal(ctl_args_parse(argc_of(v), v, &a), 0);
	assert_string_equal(a.opt[CTL_OPT_URL], "http://x");
	assert_string_equal(a.opt[CTL_OPT_REASON], "spam");
	assert_string_equal(a.opt[CTL_OPT_JSON], "");
	assert_null(a.opt[CTL_OPT_TOKEN]);
	assert_int_equal(a.nwords, 4);
	assert_string_equal(a.words[0], "approve");
	assert_string_equal(a.words[3], "-3");
	assert_int_equal(ctl_args_allow(&a, CTL_OPTBIT(CTL_OPT_URL) |
	    CTL_OPTBIT(CTL_OPT_REASON) | CTL_OPTBIT(CTL_OPT_JSON)), 0);
	assert_int_equal(ctl_args_allow(&a, CTL_OPTBIT(CTL_OPT_URL) |
	    CTL_OPTBIT(CTL_OPT_REASON)), -1);
	assert_non_null(strstr(a.error, "--json"));
	ctl_args_free(&a);

	/* A value may begin with '-'; -q is --query. */
	v = ARGS("queue", "-q", "-x-", "--limit", "5", "-h");
	assert_int_equal(ctl_args_parse(argc_of(v), v, &a), 0);
	assert_string_equal(a.opt[CTL_OPT_QUERY], "-x-");
	assert_string_equal(a.opt[CTL_OPT_LIMIT], "5");
	assert_non_null(a.opt[CTL_OPT_HELP]);
	assert_int_equal(a.nwords, 1);
	ctl_args_free(&a);

	v = ARGS("queue", "--bogus");
	assert_int_equal(ctl_args_parse(argc_of(v), v, &a), -1);
	assert_non_null(strstr(a.error, "--bogus"));
	ctl_args_free(&a);
	v = ARGS("queue", "--status");
	assert_int_equal(ctl_args_parse(argc_of(v), v, &a), -1);
	assert_non_null(strstr(a.error, "needs a value"));
	ctl_args_free(&a);
	v = ARGS("queue", "--json=yes");
	assert_int_equal(ctl_args_parse(argc_of(v), v, &a), -1);
	ctl_args_free(&a);
	v = ARGS("queue", "--limit", "1", "--limit=2");
	assert_int_equal(ctl_args_parse(argc_of(v), v, &a), -1);
	assert_non_null(strstr(a.error, "twice"));
	ctl_args_free(&a);
	v = ARGS("show", "-7");
	assert_int_equal(ctl_args_parse(argc_of(v), v, &a), -1);
	ctl_args_free(&a);
	v = ARGS("-");
	assert_int_equal(ctl_args_parse(argc_of(v), v, &a), 0);
	assert_int_equal(a.nwords, 1);
	ctl_args_free(&a);
}

static void
test_numbers(void **state)
{
	long long	 v;

	(void)state;
	assert_true(ctl_parse_id("17", &v));
	assert_int_equal(v, 17);
	assert_true(ctl_parse_id("9223372036854775807", &v));
	assert_false(ctl_parse_id("9223372036854775808", &v));
	assert_false(ctl_parse_id("0", &v));
	assert_false(ctl_parse_id("-1", &v));
	assert_false(ctl_parse_id("+1", &v));
	assert_false(ctl_parse_id(" 1", &v));
	assert_false(ctl_parse_id("1x", &v));
	assert_false(ctl_parse_id("", &v));
	assert_false(ctl_parse_id("abc", &v));
	assert_true(ctl_parse_count("200", 200, &v));
	assert_false(ctl_parse_count("201", 200, &v));
}

/* Events as "id|event|data" lines, for comparing. */
struct got {
	char	 text[1024];
	int	 n;
	int	 stop_at;
};

static int
collect(const struct ctl_sse_event *ev, void *arg)
{
	struct got	*g = arg;
	size_t		 len = strlen(g->text);

	snprintf(g->text + len, sizeof g->text - len, "%s|%s|%s\n",
	    ev->id != NULL ? ev->id : "-", ev->event, ev->data);
	return ++g->n == g->stop_at;
}

static void
test_sse(void **state)
{
	static const char stream[] =
	    ": connected\nretry: 2000\n\n"
	    "id: 7\nevent: comment\ndata: {\"a\":1}\n\n"
	    "data: two\r\ndata: lines\r\n\r\n"
	    "id: 9\rdata:x\r\r"
	    "id: 10\nevent: comment\ndata: cut";
	struct ctl_sse	 p;
	struct got	 g;
	size_t		 i;

	(void)state;
	/* Byte by byte: where the pieces break must not matter. */
	memset(&g, 0, sizeof g);
	ctl_sse_init(&p, collect, &g);
	for (i = 0; i < sizeof stream - 1; i++)
		assert_int_equal(ctl_sse_feed(&p, stream + i, 1), 0);
	assert_string_equal(g.text,
	    "7|comment|{\"a\":1}\n"
	    "7|message|two\nlines\n"
	    "9|message|x\n");
	assert_int_equal(p.retry_ms, 2000);
	assert_int_equal(p.comments, 1);
	/* The cut-off event 10 is asked for again. */
	ctl_sse_reset(&p);
	assert_string_equal(ctl_sse_last_id(&p), "9");
	assert_int_equal(ctl_sse_feed(&p, "data: y\n\n", 9), 0);
	assert_non_null(strstr(g.text, "9|message|y\n"));
	ctl_sse_free(&p);

	/* The callback stops the stream: the rest is not parsed. */
	memset(&g, 0, sizeof g);
	g.stop_at = 1;
	ctl_sse_init(&p, collect, &g);
	assert_int_equal(ctl_sse_feed(&p, "id: 1\ndata: a\n\nid: 2\ndata: "
	    "b\n\n", 28), 1);
	assert_int_equal(g.n, 1);
	assert_string_equal(ctl_sse_last_id(&p), "1");
	ctl_sse_free(&p);

	/* An event without data moves the id but is not an event. */
	memset(&g, 0, sizeof g);
	ctl_sse_init(&p, collect, &g);
	assert_int_equal(ctl_sse_feed(&p, "id: 5\n\n", 7), 0);
	assert_int_equal(g.n, 0);
	assert_string_equal(ctl_sse_last_id(&p), "5");
	ctl_sse_free(&p);
}

/* Data lines without a blank line end the stream once they come to
 * more than CTL_SSE_DATA_MAX, instead of growing without end; events
 * that stay under it are whole. */
static void
test_sse_data_cap(void **state)
{
	struct ctl_sse	 p;
	struct got	 g;
	char		*line;
	size_t		 n = 64 * 1024, lines = 0;
	int		 rc = 0;

	(void)state;
	line = malloc(n + 7);
	assert_non_null(line);
	memcpy(line, "data: ", 6);
	memset(line + 6, 'x', n - 1);
	line[n + 5] = '\n';
	memset(&g, 0, sizeof g);
	g.stop_at = -1;
	ctl_sse_init(&p, collect, &g);
	while (rc == 0 && lines < 1000) {
		rc = ctl_sse_feed(&p, line, n + 6);
		lines++;
	}
	/* Each line adds n bytes (n - 1 and the joining newline): the one
	 * that would pass the cap is refused. */
	assert_int_equal(rc, -1);
	assert_int_equal(lines, (size_t)CTL_SSE_DATA_MAX / n + 1);
	assert_int_equal(g.n, 0);
	ctl_sse_free(&p);

	/* Just under: one event, delivered whole. */
	ctl_sse_init(&p, collect, &g);
	assert_int_equal(ctl_sse_feed(&p, line, n + 6), 0);
	assert_int_equal(ctl_sse_feed(&p, "\n", 1), 0);
	assert_int_equal(g.n, 1);
	ctl_sse_free(&p);
	free(line);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_cell),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_sse),
		cmocka_unit_test(test_sse_data_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
