/*
 * test_siterules.c - the site rules a comment's own fields decide: word
 * lists (banned and suspect), links, the widget's honeypot and form
 * time, the folded text's hash, and the reason codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "moderation.h"
#include "rules.h"
#include "validate.h"
#include "wordlist.h"

static struct comment_input
input(const char *author, const char *body)
{
	struct comment_input	in;

	memset(&in, 0, sizeof in);
	in.author = (char *)author;
	in.body = (char *)body;
	in.form_ms = -1;
	return in;
}

static void
test_links(void **state)
{
	(void)state;
	assert_int_equal(rules_count_links("no links here"), 0);
	assert_int_equal(rules_count_links("http://a.example"), 1);
	assert_int_equal(rules_count_links("see https://a.example and "
	    "HTTP://b.example\n(www.c.example)"), 3);
	/* Inside a word it is no link. */
	assert_int_equal(rules_count_links("xhttp://a.example awww.b"), 0);
}

static void
test_eval(void **state)
{
	struct rules_settings	 set = { true, 2, 3, true };
	struct wordlist		*wl = wordlist_new();
	struct comment_input	 in;
	json_t			*f;

	(void)state;
	assert_true(wordlist_add(wl, "أحمق", 1, RULES_BANNED));
	assert_true(wordlist_add(wl, "spam.example", 2, RULES_SUSPECT));

	in = input("ليلى", "كلام عادي");
	f = rules_eval(&set, wl, &in);
	assert_int_equal(json_object_size(f), 0);
	json_decref(f);

	in = input("ليلى", "يا أَحْمَق، انظر http://spam.example/x "
	    "http://b.example www.c.example");
	f = rules_eval(&set, wl, &in);
	assert_string_equal(json_string_value(json_object_get(f,
	    "banned_word")), "أحمق");
	assert_string_equal(json_string_value(json_object_get(f,
	    "suspect_word")), "spam.example");
	assert_int_equal(json_integer_value(json_object_get(f, "links")), 3);
	json_decref(f);

	/* The author's name is read too; lists off: not applied. */
	in = input("والأحمق", "مرحبا");
	f = rules_eval(&set, wl, &in);
	assert_non_null(json_object_get(f, "banned_word"));
	json_decref(f);
	set.word_lists = false;
	f = rules_eval(&set, wl, &in);
	assert_int_equal(json_object_size(f), 0);
	json_decref(f);

	/* The widget's bot checks; an API client sends neither. */
	in = input("bot", "hello");
	in.honeypot = true;
	in.form_ms = 2999;
	f = rules_eval(&set, NULL, &in);
	assert_true(json_is_true(json_object_get(f, "honeypot")));
	assert_true(json_is_true(json_object_get(f, "too_fast")));
	json_decref(f);
	/* COMMENTD_HONEYPOT=false: a filled honeypot is not judged. */
	set.honeypot = false;
	in.form_ms = 3000;
	f = rules_eval(&set, NULL, &in);
	assert_int_equal(json_object_size(f), 0);
	json_decref(f);
	set.honeypot = true;
	in.honeypot = false;
	f = rules_eval(&set, NULL, &in);
	assert_int_equal(json_object_size(f), 0);
	json_decref(f);
	set.min_form_seconds = 0;
	set.max_links = 0;
	in.form_ms = 1;
	in.body = "http://a http://b http://c";
	f = rules_eval(&set, NULL, &in);
	assert_int_equal(json_object_size(f), 0);
	json_decref(f);
	wordlist_free(wl);
}

static void
test_hash(void **state)
{
	char	a[RULES_HASH_HEX_SIZE], b[RULES_HASH_HEX_SIZE];

	(void)state;
	rules_body_hash("تعليق مكرر", a);
	rules_body_hash("تَعْلِيقٌ  مكـــرر!", b);
	assert_string_equal(a, b);
	rules_body_hash("تعليق آخر", b);
	assert_string_not_equal(a, b);
	assert_int_equal(strlen(a), 64);
}

static void
test_codes(void **state)
{
	static const char *const codes[] = { "banned_word", "suspect_word",
	    "links", "duplicate_wave", "banned_author", "honeypot",
	    "too_fast", "repeat_offender", "reported" };
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof codes / sizeof codes[0]; i++)
		assert_true(mod_reason_valid(codes[i]));
	assert_false(mod_reason_valid("bogus"));
	assert_false(mod_reason_valid(""));
	assert_int_equal(rules_list_kind("banned"), RULES_BANNED);
	assert_int_equal(rules_list_kind("suspect"), RULES_SUSPECT);
	assert_int_equal(rules_list_kind("other"), 0);
	assert_int_equal(rules_list_kind(NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_eval),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_codes),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
