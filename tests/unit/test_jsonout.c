/*
 * test_jsonout.c - unit tests for the JSON writer (jsonout.c).
 *
 * The writer promises the very text json_dumps(JSON_COMPACT) writes, so
 * jansson is the oracle: every value here, hand-made and random, must
 * come out byte for byte as jansson writes it, and read back equal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/buffer.h>

#include "jsonout.h"

/* Ours against jansson's, and the text read back equal to v. */
static void
check_same(json_t *v)
{
	char	*ours, *theirs;
	size_t	 len;
	json_t	*back;

	assert_non_null(v);
	ours = jsonout_string(v, &len);
	theirs = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	assert_non_null(theirs);
	assert_string_equal(ours, theirs);
	assert_int_equal(len, strlen(theirs));
	back = json_loads(ours, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	assert_non_null(back);
	assert_true(json_equal(back, v));
	json_decref(back);
	free(ours);
	free(theirs);
	json_decref(v);
}

static void
test_scalars(void **state)
{
	(void)state;
	check_same(json_null());
	check_same(json_true());
	check_same(json_false());
	check_same(json_integer(0));
	check_same(json_integer(-42));
	check_same(json_integer(INT64_MAX));
	check_same(json_integer(INT64_MIN));
	check_same(json_string(""));
	check_same(json_string("plain ASCII"));
}

static void
test_reals(void **state)
{
	static const double	 v[] = { 0.0, -0.0, 1.0, 0.5, -2.25, 0.1,
	    1e300, 1e-300, 123456789012345678.0, 1e21, 1e-7, 3.14159,
	    2.5e-5, 100000.0, 1e17, 9007199254740993.0 };
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof v / sizeof v[0]; i++)
		check_same(json_real(v[i]));
}

static void
test_escapes(void **state)
{
	char	all[32 + 3];
	int	c;

	(void)state;
	check_same(json_string("quote \" backslash \\ slash /"));
	check_same(json_string("line\nbreak\r\ttab\b\f"));
	for (c = 1; c < 32; c++)
		all[c - 1] = (char)c;
	memcpy(all + 31, "\"\\\x7f", 4);
	check_same(json_string(all));
	/* A NUL inside a string (json_stringn) is written as \u0000. */
	check_same(json_stringn("a\0b", 3));
}

static void
test_utf8(void **state)
{
	(void)state;
	/* Arabic with tashkeel and tatweel, the Arabic-Indic digits, an
	 * emoji (4 bytes), and the line separators JSON allows raw. */
	check_same(json_string("تم أضافة تعليقك سوف يظهر بعد المراجعة"));
	check_same(json_string("عَرَبِيّ ـــ ٠١٢٣٤٥٦٧٨٩ 😀"));
	check_same(json_string("\xe2\x80\xa8 and \xe2\x80\xa9"));
}

static void
test_nested(void **state)
{
	json_t	*v;

	(void)state;
	check_same(json_array());
	check_same(json_object());
	v = json_pack("{s:i, s:[s, n, b, f, {}], s:{s:{s:[]}}, s:s}",
	    "id", 7, "list", "x", 1, 0.5, "deep", "a", "b", "تعليق",
	    "نص");
	check_same(v);
	/* Keys come out in insertion order, escaped like any string. */
	v = json_object();
	json_object_set_new(v, "z", json_integer(1));
	json_object_set_new(v, "a\"b\n", json_integer(2));
	json_object_set_new(v, "مفتاح", json_integer(3));
	check_same(v);
}

/* Longer than the writer's 16 KiB block, so it is flushed mid-string,
 * and a single piece larger than a block. */
static void
test_long(void **state)
{
	size_t	 n = 100000, i;
	char	*s = malloc(n + 1);
	json_t	*arr;

	(void)state;
	assert_non_null(s);
	for (i = 0; i < n; i++)
		s[i] = i % 97 == 0 ? '\n' : (char)('a' + i % 26);
	s[n] = '\0';
	check_same(json_string(s));
	arr = json_array();
	for (i = 0; i < 5000; i++)
		json_array_append_new(arr, json_pack("{s:I, s:s}", "id",
		    (json_int_t)i, "body", "تعليق قصير"));
	check_same(arr);
	free(s);
}

/* Random strings of valid UTF-8 (ASCII, control bytes, two-, three-
 * and four-byte characters), as objects' keys and values. */
static void
test_random(void **state)
{
	static const char *const	 piece[] = { "a", "\"", "\\", "\n",
	    "\x01", "\x1f", " ", "ع", "ـ", "€", "😀", "/", "\x7f" };
	char				 buf[256];
	size_t				 len, k;
	json_t				*obj;
	unsigned			 seed = 12345;
	int				 iter, j;

	(void)state;
	for (iter = 0; iter < 2000; iter++) {
		obj = json_object();
		for (j = 0; j < 3; j++) {
			len = 0;
			seed = seed * 1103515245 + 12345;
			for (k = (seed >> 16) % 40; k > 0; k--) {
				seed = seed * 1103515245 + 12345;
				const char *p = piece[(seed >> 16) %
				    (sizeof piece / sizeof piece[0])];
				memcpy(buf + len, p, strlen(p));
				len += strlen(p);
			}
			buf[len] = '\0';
			json_object_set_new(obj, buf, json_stringn(buf, len));
		}
		check_same(obj);
	}
}

static void
test_evbuffer_appends(void **state)
{
	struct evbuffer	*b = evbuffer_new();
	json_t		*v = json_pack("[i, s]", 1, "x");
	char		 text[64];
	size_t		 n;

	(void)state;
	assert_non_null(b);
	evbuffer_add(b, "before:", 7);
	jsonout_evbuffer(v, b);
	n = evbuffer_get_length(b);
	assert_true(n < sizeof text);
	evbuffer_remove(b, text, n);
	text[n] = '\0';
	assert_string_equal(text, "before:[1,\"x\"]");
	json_decref(v);
	evbuffer_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_reals),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_evbuffer_appends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
