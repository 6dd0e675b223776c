/*
 * test_i18n.c - unit tests for i18n.c: Accept-Language and our texts.
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
#include "i18n.h"

struct pick_case {
	const char	*header;
	const char	*fallback;
	const char	*want;
};

static const struct pick_case pick_cases[] = {
	/* Nothing usable: the default. */
	{ NULL, "ar", "ar" },
	{ NULL, "en", "en" },
	{ "", "ar", "ar" },
	{ "", "en", "en" },
	{ "   ", "en", "en" },
	{ "fr", "ar", "ar" },
	{ "fr", "en", "en" },
	{ "fr-CA, de;q=0.9", "en", "en" },

	/* Plain ranges, by primary subtag, any case. */
	{ "en", "ar", "en" },
	{ "ar", "en", "ar" },
	{ "en-GB", "ar", "en" },
	{ "ar-EG", "en", "ar" },
	{ "AR-eg", "en", "ar" },
	{ "EN", "ar", "en" },
	{ "ar-Arab-EG", "en", "ar" },
	{ "en-US-x-private", "ar", "en" },
	{ "arb", "en", "en" },			/* not "ar" */
	{ "e", "ar", "ar" },

	/* q-values: highest wins, ties go to the earlier range. */
	{ "fr, en;q=0.8, ar;q=0.9", "en", "ar" },
	{ "fr, en;q=0.9, ar;q=0.9", "ar", "en" },
	{ "ar;q=0.9, en;q=0.9", "en", "ar" },
	{ "en, ar", "ar", "en" },
	{ "ar, en", "en", "ar" },
	{ "en;q=0.001, ar;q=0", "ar", "en" },
	{ "en;q=1.0, ar;q=1.000", "ar", "en" },
	{ "en;q=0.5, ar;q=0.51", "en", "ar" },
	{ "en-GB;q=0.2, en;q=0.7, ar;q=0.5", "ar", "en" },
	{ "da, en-gb;q=0.8, en;q=0.7", "ar", "en" },
	{ "en;Q=0.5, ar;q=0.6", "en", "ar" },

	/* q=0 is "not acceptable". */
	{ "en;q=0", "ar", "ar" },
	{ "en;q=0", "en", "en" },		/* nothing else offered */
	{ "en;q=0, ar;q=0.1", "en", "ar" },
	{ "en;q=0.0, ar;q=0.000", "en", "en" },
	{ "ar;q=0, en;q=0.1", "ar", "en" },

	/* "*": any language the header does not name. */
	{ "*", "ar", "ar" },
	{ "*", "en", "en" },
	{ "fr, *;q=0.5", "en", "en" },
	{ "*;q=0.5, en;q=0.4", "ar", "ar" },
	{ "en;q=0.4, *;q=0.5", "en", "ar" },
	{ "en;q=0.6, *;q=0.5", "ar", "en" },
	{ "ar;q=0, *", "ar", "en" },
	{ "*;q=0", "ar", "ar" },
	{ "*;q=0, en", "ar", "en" },

	/* White space and empty elements are tolerated. */
	{ "en; q=0.5 , ar ; q = 0.4", "ar", "en" },
	{ "\ten\t;\tq=0.3\t,\tar;q=0.2", "ar", "en" },
	{ ",,en,,", "ar", "en" },
	{ " , ar , ", "en", "ar" },

	/* Malformed elements are ignored, not the whole header. */
	{ "en;q=1.5, ar;q=0.1", "en", "ar" },
	{ "en;q=0.1234, ar;q=0.1", "en", "ar" },
	{ "en;q=abc", "ar", "ar" },
	{ "en;q=, ar;q=0.2", "en", "ar" },
	{ "en;q=.5, ar;q=0.2", "en", "ar" },
	{ "en;q=-1, ar;q=0.2", "en", "ar" },
	{ "en;q=1.01, ar;q=0.2", "en", "ar" },
	{ "en;q=0.5;q=0.9, ar;q=0.2", "en", "ar" },
	{ "en;level=1, ar;q=0.5", "en", "ar" },
	{ "en;, ar;q=0.5", "en", "ar" },
	{ "en_US, ar;q=0.5", "en", "ar" },
	{ "en-, ar;q=0.5", "en", "ar" },
	{ "-en, ar;q=0.5", "en", "ar" },
	{ "en--GB, ar;q=0.5", "en", "ar" },
	{ "en-toolongsub, ar;q=0.5", "en", "ar" },
	{ "englishes, ar;q=0.5", "en", "ar" },	/* 9 letters */
	{ "e n, ar;q=0.5", "en", "ar" },
	{ "*-en, ar;q=0.5", "en", "ar" },
	{ "**, ar;q=0.5", "en", "ar" },

	/* Garbage. */
	{ ";;;,,,", "en", "en" },
	{ "\xff\xfe", "ar", "ar" },
	{ "\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a", "en", "en" },
	{ "q=1", "ar", "ar" },
	{ "=", "en", "en" },
	{ "en\"", "ar", "ar" },

	/* A fallback we do not have is replaced by one we do. */
	{ NULL, "fr", "ar" },
	{ "de", NULL, "ar" },
	{ "en", "fr", "en" },
};

static void
test_pick_table(void **state CS_UNUSED)
{
	const struct pick_case	*c;
	const char		*got;
	size_t			 i;

	for (i = 0; i < CS_NELEM(pick_cases); i++) {
		c = &pick_cases[i];
		got = i18n_pick_lang(c->header, c->fallback);
		if (got == NULL || strcmp(got, c->want) != 0)
			fail_msg("\"%s\" (default %s): got %s, want %s",
			    c->header ? c->header : "(null)",
			    c->fallback ? c->fallback : "(null)",
			    got ? got : "(null)", c->want);
	}
}

/* Builds a header of n copies of unit followed by tail, exactly sized. */
static char *
build(const char *unit, size_t n, const char *tail)
{
	size_t	 ulen = strlen(unit), tlen = strlen(tail), i;
	char	*s;

	s = malloc(ulen * n + tlen + 1);
	assert_non_null(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * ulen, unit, ulen);
	memcpy(s + ulen * n, tail, tlen + 1);
	return s;
}

/* Hostile sizes: linear, no fixed buffers, nothing read past the NUL. */
static void
test_pick_long(void **state CS_UNUSED)
{
	char	*h;

	h = build("fr;q=0.5, ", 100000, "en;q=0.6");
	assert_string_equal(i18n_pick_lang(h, "ar"), "en");
	free(h);

	h = build("en;q=0.5, ", 100000, "ar;q=0.5");
	assert_string_equal(i18n_pick_lang(h, "ar"), "en");
	free(h);

	h = build("a", 1 << 20, "");
	assert_string_equal(i18n_pick_lang(h, "en"), "en");
	free(h);

	h = build(",", 1 << 20, "ar");
	assert_string_equal(i18n_pick_lang(h, "en"), "ar");
	free(h);

	h = build(" ", 1 << 20, "ar;q=0.1");
	assert_string_equal(i18n_pick_lang(h, "en"), "ar");
	free(h);

	/* One range of 100001 subtags is well-formed; with a "-" it is not. */
	h = build("en-", 100000, "x");
	assert_string_equal(i18n_pick_lang(h, "ar"), "en");
	free(h);
	h = build("en-", 100000, "");
	assert_string_equal(i18n_pick_lang(h, "ar"), "ar");
	free(h);

	h = build(";", 1 << 16, "");
	assert_string_equal(i18n_pick_lang(h, "ar"), "ar");
	free(h);

	/* Ends mid-element, right after each separator. */
	assert_string_equal(i18n_pick_lang("en;", "ar"), "ar");
	assert_string_equal(i18n_pick_lang("en;q", "ar"), "ar");
	assert_string_equal(i18n_pick_lang("en;q=", "ar"), "ar");
	assert_string_equal(i18n_pick_lang("en;q=0.", "ar"), "ar");
	assert_string_equal(i18n_pick_lang("en;q=1.", "ar"), "en");
	assert_string_equal(i18n_pick_lang("en-", "ar"), "ar");
}

static void
test_supported(void **state CS_UNUSED)
{
	assert_true(i18n_supported("ar"));
	assert_true(i18n_supported("en"));
	assert_true(i18n_supported("AR"));
	assert_false(i18n_supported("fr"));
	assert_false(i18n_supported("a"));
	assert_false(i18n_supported("ar-EG"));
	assert_false(i18n_supported(""));
	assert_false(i18n_supported(NULL));
}

static void
test_texts(void **state CS_UNUSED)
{
	static const char *const langs[] = { "ar", "en" };
	size_t	i;
	int	w;

	assert_string_equal(i18n_text("ar", I18N_NOTICE_PENDING),
	    "تم أضافة تعليقك سوف يظهر بعد المراجعة");
	assert_string_equal(i18n_text("ar", I18N_NOTICE_PUBLISHED),
	    "تم نشر تعليقك");
	assert_string_equal(i18n_text("en", I18N_NOTICE_PENDING),
	    "Your comment was added and will appear after review.");
	assert_string_equal(i18n_text("en", I18N_NOTICE_PUBLISHED),
	    "Your comment has been published.");

	/* Every language has every text: never NULL, never empty. */
	for (i = 0; i < CS_NELEM(langs); i++) {
		for (w = 0; w < I18N_TEXT_COUNT; w++) {
			assert_non_null(i18n_text(langs[i], w));
			assert_true(strlen(i18n_text(langs[i], w)) > 0);
		}
	}

	/* What pick returns can always be used for a text. */
	assert_string_equal(i18n_text(i18n_pick_lang("en-GB", "ar"),
	    I18N_NOTICE_PENDING),
	    "Your comment was added and will appear after review.");

	/* Contract breaches still give a text, not NULL. */
	assert_non_null(i18n_text("fr", I18N_NOTICE_PENDING));
	assert_non_null(i18n_text(NULL, I18N_NOTICE_PENDING));
	assert_non_null(i18n_text("ar", I18N_TEXT_COUNT));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick_table),
		cmocka_unit_test(test_pick_long),
		cmocka_unit_test(test_supported),
		cmocka_unit_test(test_texts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
