/*
 * test_text.c - unit tests for text.c: UTF-8 validation, NFC, control
 * characters, trimming and counting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cs.h"
#include "text.h"

/* A paragraph of web/demo/article-ar.txt: NFC, with damma and tanwin. */
static const char para_ar[] =
    "وردا على سؤال عما إذا كانت روسيا ستساعد كوريا الشمالية "
    "في بناء أقمار صناعية، نقلت وسائل الإعلام الرسمية "
    "الروسية عن بوتين قوله \"لهذا السبب جئنا إلى هنا. يُظهر "
    "زعيم كوريا الديمقراطية اهتمامًا كبيرًا بتكنولوجيا "
    "الصواريخ. إنهم يحاولون تطوير الفضاء أيضًا\" وردا على "
    "سؤال حول التعاون العسكري، قال بوتين: “سنتحدث عن جميع "
    "القضايا دون تسرع. هناك متسع من الوقت.\"";
#define PARA_AR_CHARS	351
#define PARA_AR_BYTES	638

/* Its first paragraph, with tatweel ("لـما"). */
static const char para_ar1[] =
    "أبلغ الزعيم الكوري الشمالي كيم جونج أون الرئيس الروسي "
    "فلاديمير بوتين، اليوم الأربعاء، أن بلاده تقدم \"دعمها "
    "الكامل وغير المشروط\" لـما وصفه بـ\"الكفاح المقدس\" الذي "
    "تخوضه روسيا للدفاع عن مصالحها الأمنية، في إشارة إلى "
    "الحرب في أوكرانيا.";

/* A string literal that may hold NULs: its length is sizeof - 1. */
#define S(lit)	lit, sizeof(lit) - 1

struct utf8_case {
	const char	*name;
	const char	*s;
	size_t		 len;
	bool		 valid;
};

static const struct utf8_case utf8_cases[] = {
	{ "empty", S(""), true },
	{ "ascii", S("hello"), true },
	{ "arabic", S("مرحبا"), true },
	{ "nul is well-formed", S("a\0b"), true },
	{ "U+D7FF", S("\xed\x9f\xbf"), true },
	{ "U+E000", S("\xee\x80\x80"), true },
	{ "U+FFFE noncharacter", S("\xef\xbf\xbe"), true },
	{ "U+10FFFF", S("\xf4\x8f\xbf\xbf"), true },
	{ "emoji", S("\xf0\x9f\x98\x80"), true },
	{ "overlong 2 '/'", S("\xc0\xaf"), false },
	{ "overlong 2 NUL", S("\xc0\x80"), false },
	{ "overlong 2 C1", S("\xc1\xbf"), false },
	{ "overlong 3", S("\xe0\x80\xaf"), false },
	{ "overlong 3 max", S("\xe0\x9f\xbf"), false },
	{ "overlong 4", S("\xf0\x80\x80\xaf"), false },
	{ "overlong 4 max", S("\xf0\x8f\xbf\xbf"), false },
	{ "surrogate U+D800", S("\xed\xa0\x80"), false },
	{ "surrogate U+DFFF", S("\xed\xbf\xbf"), false },
	{ "surrogate pair", S("\xed\xa0\xbd\xed\xb8\x80"), false },
	{ "above U+10FFFF", S("\xf4\x90\x80\x80"), false },
	{ "5-byte lead", S("\xf8\x88\x80\x80\x80"), false },
	{ "0xFF", S("\xff"), false },
	{ "0xFE", S("\xfe"), false },
	{ "0xFF inside", S("ab\xff" "cd"), false },
	{ "lone continuation", S("\x80"), false },
	{ "truncated 2", S("\xd8"), false },
	{ "truncated 3", S("\xe2\x82"), false },
	{ "truncated 4", S("\xf0\x9f\x98"), false },
	{ "truncated then ascii", S("\xd8" "a"), false },
	{ "arabic then truncated", S("\xd9\x85\xd8"), false },
	/* The length, not a NUL, ends the input. */
	{ "cut by length", "\xd8\xb9", 1, false },
	{ "cut 4 by length", "\xf0\x9f\x98\x80", 3, false },
};

static void
test_valid_utf8(void **state CS_UNUSED)
{
	const struct utf8_case	*c;
	enum text_status	 st;
	char			*out;
	size_t			 i, n;

	for (i = 0; i < CS_NELEM(utf8_cases); i++) {
		c = &utf8_cases[i];
		if (text_valid_utf8(c->s, c->len) != c->valid)
			fail_msg("%s: text_valid_utf8 says %d", c->name,
			    !c->valid);

		out = (char *)0x1;
		n = 99;
		st = text_clean(c->s, c->len, TEXT_KEEP_NEWLINES, &out, &n);
		if (st != (c->valid ? TEXT_OK : TEXT_INVALID_UTF8))
			fail_msg("%s: text_clean returned %d", c->name, st);
		if (c->valid) {
			assert_non_null(out);
			free(out);
		} else {
			assert_null(out);
			assert_int_equal(n, 0);
		}
	}
}

struct clean_case {
	const char	*name;
	const char	*in;
	size_t		 len;
	unsigned	 flags;
	const char	*out;
	size_t		 nchars;
};

#define KEEP	TEXT_KEEP_NEWLINES

static const struct clean_case clean_cases[] = {
	{ "empty", S(""), 0, "", 0 },
	{ "blank", S("   "), 0, "", 0 },
	{ "ascii trim", S("  hello  "), 0, "hello", 5 },
	{ "nbsp + ideographic space",
	    S("\xc2\xa0\xe3\x80\x80مرحبا\xe2\x80\x80\xe2\x80\xaf"), 0,
	    "مرحبا", 5 },
	{ "ogham + medium math space", S("\xe1\x9a\x80x\xe2\x81\x9f"), 0,
	    "x", 1 },
	{ "U+2000..U+200A", S("\xe2\x80\x8a\xe2\x80\x85y\xe2\x80\x80"), 0,
	    "y", 1 },
	{ "line/paragraph separators",
	    S("\xe2\x80\xa8z\xe2\x80\xa9"), KEEP, "z", 1 },
	{ "inner nbsp kept", S("a\xc2\xa0" "b"), 0, "a\xc2\xa0" "b", 3 },
	{ "only controls and space", S("\0 \t\r\n\xc2\x85"), KEEP, "", 0 },

	{ "NUL dropped", S("a\0b"), 0, "ab", 2 },
	{ "NUL at ends", S("\0\0ab\0"), KEEP, "ab", 2 },
	{ "U+0085 dropped", S("a\xc2\x85" "b"), KEEP, "ab", 2 },
	{ "DEL, ESC, C1 dropped", S("a\x7f\x1b[31mb\xc2\x9f"), 0,
	    "a[31mb", 6 },
	{ "BEL, VT, FF dropped", S("a\x07\x0b\x0c" "b"), KEEP, "ab", 2 },

	{ "CRLF kept as LF", S("a\r\nb\rc\nd"), KEEP, "a\nb\nc\nd", 7 },
	{ "CRLF as space", S("a\r\nb\rc\nd"), 0, "a b c d", 7 },
	{ "CR CR LF", S("a\r\r\nb"), KEEP, "a\n\nb", 4 },
	{ "LF CR", S("a\n\rb"), KEEP, "a\n\nb", 4 },
	{ "tab to space", S("a\tb"), KEEP, "a b", 3 },
	{ "tab to space single-line", S("a\tb"), 0, "a b", 3 },
	{ "newlines at ends trimmed", S("\n\nabc\r\n\r\n"), KEEP, "abc", 3 },
	{ "inner blank lines kept", S("a\n\n b"), KEEP, "a\n\n b", 5 },
	{ "trailing CR", S("abc\r"), KEEP, "abc", 3 },

	{ "RLM kept", S("\xe2\x80\x8fمرحبا"), 0, "\xe2\x80\x8fمرحبا", 6 },
	{ "ZWNJ kept (Persian)", S("می\xe2\x80\x8cخواهم"), 0,
	    "می\xe2\x80\x8cخواهم", 8 },
	{ "ZWJ, LRM, ALM kept",
	    S("\xe2\x80\x8d" "a\xe2\x80\x8e\xd8\x9c"), 0,
	    "\xe2\x80\x8d" "a\xe2\x80\x8e\xd8\x9c", 4 },
	{ "ZWSP is not white space", S("\xe2\x80\x8bx"), 0,
	    "\xe2\x80\x8bx", 2 },

	{ "e + acute", S("e\xcc\x81"), 0, "\xc3\xa9", 1 },
	{ "alef + hamza above", S("\xd8\xa7\xd9\x94"), 0, "\xd8\xa3", 1 },
	{ "alef + hamza below", S("\xd8\xa7\xd9\x95"), 0, "\xd8\xa5", 1 },
	{ "alef + madda", S("\xd8\xa7\xd9\x93"), 0, "\xd8\xa2", 1 },
	{ "waw + hamza", S("\xd9\x88\xd9\x94"), 0, "\xd8\xa4", 1 },
	{ "yeh + hamza", S("\xd9\x8a\xd9\x94"), 0, "\xd8\xa6", 1 },
	{ "decomposed word", S("\xd8\xa7\xd9\x94\xd9\x86\xd8\xa7"), 0,
	    "أنا", 3 },
	/* Canonical order: fatha (ccc 30) before shadda (ccc 33). */
	{ "shadda + fatha reordered", S("ب\xd9\x91\xd9\x8e"), 0,
	    "ب\xd9\x8e\xd9\x91", 3 },
	{ "dot below before acute", S("a\xcc\x81\xcc\xa3"), 0,
	    "\xe1\xba\xa1\xcc\x81", 2 },
	{ "control between base and mark", S("e\x01\xcc\x81"), 0,
	    "\xc3\xa9", 1 },
	{ "hangul jamo", S("\xe1\x84\x80\xe1\x85\xa1"), 0, "\xea\xb0\x80", 1 },
	{ "angstrom singleton", S("\xe2\x84\xab"), 0, "\xc3\x85", 1 },
	{ "ohm singleton", S("\xe2\x84\xa6"), 0, "\xce\xa9", 1 },
	{ "compatibility kept (NFC not NFKC)", S("\xef\xac\x81"), 0,
	    "\xef\xac\x81", 1 },
	{ "arabic presentation form kept", S("\xef\xbb\xbb"), 0,
	    "\xef\xbb\xbb", 1 },
	{ "emoji", S(" \xf0\x9f\x98\x80 "), 0, "\xf0\x9f\x98\x80", 1 },
	{ "mark after trailing space kept", S("ab \xcc\x81"), 0,
	    "ab \xcc\x81", 4 },
};

static void
test_clean_table(void **state CS_UNUSED)
{
	const struct clean_case	*c;
	char			*out;
	size_t			 i, n;

	for (i = 0; i < CS_NELEM(clean_cases); i++) {
		c = &clean_cases[i];
		if (text_clean(c->in, c->len, c->flags, &out, &n) != TEXT_OK)
			fail_msg("%s: text_clean failed", c->name);
		if (strcmp(out, c->out) != 0 || n != c->nchars)
			fail_msg("%s: got \"%s\" (%zu chars), want \"%s\" "
			    "(%zu)", c->name, out, n, c->out, c->nchars);
		assert_int_equal(text_count_chars(out, strlen(out)), n);
		free(out);
	}
}

static void
test_clean_arabic_roundtrip(void **state CS_UNUSED)
{
	char	*out, *doc;
	size_t	 n;

	assert_int_equal(strlen(para_ar), PARA_AR_BYTES);
	assert_true(text_valid_utf8(para_ar, strlen(para_ar)));

	assert_int_equal(text_clean(para_ar, strlen(para_ar), 0, &out, &n),
	    TEXT_OK);
	assert_int_equal(strlen(out), PARA_AR_BYTES);
	assert_memory_equal(out, para_ar, PARA_AR_BYTES);
	assert_int_equal(n, PARA_AR_CHARS);
	free(out);

	assert_int_equal(text_clean(para_ar1, strlen(para_ar1), KEEP, &out,
	    &n), TEXT_OK);
	assert_string_equal(out, para_ar1);
	free(out);

	/* Two paragraphs with a blank line and RLMs survive as a body. */
	assert_true(asprintf(&doc, "\xe2\x80\x8f%s\n\n\xe2\x80\x8f%s",
	    para_ar1, para_ar) > 0);
	assert_int_equal(text_clean(doc, strlen(doc), KEEP, &out, &n),
	    TEXT_OK);
	assert_string_equal(out, doc);
	assert_int_equal(n, text_count_chars(doc, strlen(doc)));
	free(out);
	free(doc);
}

/* Lengths are code points after clean-up, never bytes. */
static void
test_clean_counts_after_nfc(void **state CS_UNUSED)
{
	char	*in, *out;
	size_t	 n, i;

	/* 5000 Arabic letters are 10000 bytes and 5000 characters. */
	in = malloc(10000 + 1);
	assert_non_null(in);
	for (i = 0; i < 5000; i++)
		memcpy(in + 2 * i, "\xd8\xb9", 2);
	in[10000] = '\0';
	assert_int_equal(text_count_chars(in, 10000), 5000);
	assert_int_equal(text_clean(in, 10000, KEEP, &out, &n), TEXT_OK);
	assert_int_equal(n, 5000);
	assert_int_equal(strlen(out), 10000);
	free(out);
	free(in);

	/* 3000 decomposed alef-hamzas (6000 code points) are 3000 after. */
	in = malloc(12000 + 1);
	assert_non_null(in);
	for (i = 0; i < 3000; i++)
		memcpy(in + 4 * i, "\xd8\xa7\xd9\x94", 4);
	in[12000] = '\0';
	assert_int_equal(text_count_chars(in, 12000), 6000);
	assert_int_equal(text_clean(in, 12000, 0, &out, &n), TEXT_OK);
	assert_int_equal(n, 3000);
	assert_int_equal(strlen(out), 6000);
	free(out);
	free(in);
}

static void
test_clean_args(void **state CS_UNUSED)
{
	char	*out;

	/* nchars may be NULL. */
	assert_int_equal(text_clean(S(" x "), 0, &out, NULL), TEXT_OK);
	assert_string_equal(out, "x");
	free(out);

	/* An empty input may come without a buffer. */
	assert_int_equal(text_clean(NULL, 0, 0, &out, NULL), TEXT_OK);
	assert_string_equal(out, "");
	free(out);

	/* The length bounds the input: what follows is never read. */
	assert_int_equal(text_clean("abcdef", 3, 0, &out, NULL), TEXT_OK);
	assert_string_equal(out, "abc");
	free(out);
}

struct count_case {
	const char	*s;
	size_t		 len;
	size_t		 n;
};

static void
test_count_chars(void **state CS_UNUSED)
{
	static const struct count_case cases[] = {
		{ S(""), 0 },
		{ S("abc"), 3 },
		{ S("a\0b"), 3 },
		{ S("مرحبا"), 5 },
		{ S("\xc3\xa9"), 1 },
		{ S("e\xcc\x81"), 2 },
		{ S("\xe2\x80\x8f"), 1 },
		{ S("\xf0\x9f\x98\x80x"), 2 },
	};
	size_t	i;

	for (i = 0; i < CS_NELEM(cases); i++)
		assert_int_equal(text_count_chars(cases[i].s, cases[i].len),
		    cases[i].n);
	assert_int_equal(text_count_chars(para_ar, strlen(para_ar)),
	    PARA_AR_CHARS);
}

struct ctl_case {
	const char	*s;
	size_t		 len;
	bool		 ctl;
};

static void
test_has_control(void **state CS_UNUSED)
{
	static const struct ctl_case cases[] = {
		{ S(""), false },
		{ S("abc"), false },
		{ S("مرحبا بكم"), false },
		{ S("\xe2\x80\x8f\xe2\x80\x8c"), false },	/* Cf, not Cc */
		{ S("\xc2\xa0"), false },
		{ S("\xe2\x80\xa8"), false },		/* Zl */
		{ S("a\0b"), true },
		{ S("a\nb"), true },
		{ S("\t"), true },
		{ S("\x1f"), true },
		{ S("\x7f"), true },
		{ S("x\xc2\x80"), true },
		{ S("\xc2\x85"), true },
		{ S("\xc2\x9f"), true },
	};
	size_t	i;

	for (i = 0; i < CS_NELEM(cases); i++) {
		if (text_has_control(cases[i].s, cases[i].len) != cases[i].ctl)
			fail_msg("control case %zu: want %d", i, cases[i].ctl);
	}
}

/* Invariants of every successful clean-up, on pseudo-random input. */
static void
check_invariants(const char *in, size_t len, unsigned flags)
{
	enum text_status	 st;
	char			*out, *again;
	size_t			 n, olen, n2;

	st = text_clean(in, len, flags, &out, &n);
	if (!text_valid_utf8(in, len)) {
		assert_int_equal(st, TEXT_INVALID_UTF8);
		assert_null(out);
		return;
	}
	assert_int_equal(st, TEXT_OK);
	olen = strlen(out);
	assert_true(text_valid_utf8(out, olen));
	assert_int_equal(text_count_chars(out, olen), n);
	assert_null(memchr(out, '\r', olen));
	assert_null(memchr(out, '\t', olen));
	if (!(flags & TEXT_KEEP_NEWLINES))
		assert_false(text_has_control(out, olen));
	if (olen > 0) {
		assert_true(out[0] != ' ' && out[0] != '\n');
		assert_true(out[olen - 1] != ' ' && out[olen - 1] != '\n');
	}
	/* Clean text is a fixed point. */
	assert_int_equal(text_clean(out, olen, flags, &again, &n2), TEXT_OK);
	assert_string_equal(again, out);
	assert_int_equal(n2, n);
	free(again);
	free(out);
}

static void
test_clean_random(void **state CS_UNUSED)
{
	/* Pieces that matter, glued at random: marks, controls, spaces. */
	static const char *const pieces[] = {
		"a", " ", "\n", "\r", "\r\n", "\t", "\0", "\x7f", "\xc2\x85",
		"\xc2\xa0", "\xe3\x80\x80", "\xd8\xa7", "\xd9\x94", "\xd9\x91",
		"\xd9\x8e", "\xcc\x81", "\xe2\x80\x8f", "\xe2\x80\x8c",
		"\xf0\x9f\x98\x80", "\xe1\x84\x80", "\xe1\x85\xa1", "\xff",
		"\xed\xa0\x80", "\xc0\xaf", "\xd8",
	};
	char		 buf[64], *in;
	uint32_t	 seed = 12345;
	size_t		 len, k, p, plen;
	int		 iter;

	for (iter = 0; iter < 20000; iter++) {
		len = 0;
		for (k = 0; k < 12; k++) {
			seed = seed * 1103515245 + 12345;
			p = (seed >> 16) % CS_NELEM(pieces);
			/* "\0" is one byte, the NUL itself. */
			plen = pieces[p][0] == '\0' ? 1 : strlen(pieces[p]);
			memcpy(buf + len, pieces[p], plen);
			len += plen;
		}
		/* Exact-size copy: ASan sees any read past len. */
		in = malloc(len);
		assert_non_null(in);
		memcpy(in, buf, len);
		check_invariants(in, len, iter & 1 ? KEEP : 0);
		free(in);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_utf8),
		cmocka_unit_test(test_clean_table),
		cmocka_unit_test(test_clean_arabic_roundtrip),
		cmocka_unit_test(test_clean_counts_after_nfc),
		cmocka_unit_test(test_clean_args),
		cmocka_unit_test(test_count_chars),
		cmocka_unit_test(test_has_control),
		cmocka_unit_test(test_clean_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
