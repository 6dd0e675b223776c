/*
 * test_validate.c - unit tests for validate.c: every field error code,
 * e-mail shapes and article keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "cs.h"
#include "validate.h"

static const struct text_limits limits = {
	.body_min = 1,
	.body_max = 5000,
	.author_min = 1,
	.author_max = 80,
	.email_max = 254,
};

/* n copies of the UTF-8 character ch, as a new string. */
static char *
repeat(const char *ch, size_t n)
{
	size_t	 len = strlen(ch), i;
	char	*s;

	s = malloc(len * n + 1);
	assert_non_null(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * len, ch, len);
	s[len * n] = '\0';
	return s;
}

static json_t *
load(const char *text)
{
	json_error_t	 err;
	json_t		*j;

	j = json_loads(text, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &err);
	if (j == NULL)
		fail_msg("bad fixture %s: %s", text, err.text);
	return j;
}

static bool
input_is_zero(const struct comment_input *in)
{
	return in->author == NULL && in->email == NULL && in->body == NULL &&
	    in->parent_id == 0 && in->article_title == NULL &&
	    in->article_url == NULL && !in->honeypot && in->form_ms == 0;
}

/*
 * Runs validate_comment on obj and checks its errors against want (a JSON
 * object text, or NULL for "valid").  Returns the input, which the caller
 * frees.
 */
static struct comment_input
check(const char *name, const json_t *obj, const struct text_limits *lim,
    const char *want)
{
	struct comment_input	 in;
	json_t			*errs, *w;
	char			*got;

	memset(&in, 0xa5, sizeof in);
	errs = validate_comment(obj, lim, &in);
	if (want == NULL) {
		if (errs != NULL) {
			got = json_dumps(errs, JSON_SORT_KEYS);
			fail_msg("%s: unexpected errors %s", name, got);
		}
		return in;
	}
	if (errs == NULL)
		fail_msg("%s: valid, want %s", name, want);
	w = load(want);
	if (!json_equal(errs, w)) {
		got = json_dumps(errs, JSON_SORT_KEYS);
		fail_msg("%s: errors %s, want %s", name, got, want);
	}
	if (!input_is_zero(&in))
		fail_msg("%s: output not zeroed on error", name);
	json_decref(w);
	json_decref(errs);
	return in;
}

struct vcase {
	const char	*name;
	const char	*json;
	const char	*errors;	/* NULL: valid */
};

static const struct vcase vcases[] = {
	{ "minimal", "{\"author\": \"ليلى\", \"body\": \"نص\"}", NULL },
	{ "all fields", "{\"author\": \"Sam\", \"email\": \"s@example.com\", "
	    "\"body\": \"x\", \"parent_id\": 17}", NULL },
	{ "nulls for optional", "{\"author\": \"a\", \"body\": \"b\", "
	    "\"email\": null, \"parent_id\": null}", NULL },

	{ "empty object", "{}",
	    "{\"author\": \"required\", \"body\": \"required\"}" },
	{ "author missing", "{\"body\": \"b\"}", "{\"author\": \"required\"}" },
	{ "author null", "{\"author\": null, \"body\": \"b\"}",
	    "{\"author\": \"required\"}" },
	{ "body null", "{\"author\": \"a\", \"body\": null}",
	    "{\"body\": \"required\"}" },

	{ "author number", "{\"author\": 5, \"body\": \"b\"}",
	    "{\"author\": \"invalid_type\"}" },
	{ "author bool", "{\"author\": true, \"body\": \"b\"}",
	    "{\"author\": \"invalid_type\"}" },
	{ "body array", "{\"author\": \"a\", \"body\": [\"b\"]}",
	    "{\"body\": \"invalid_type\"}" },
	{ "body object", "{\"author\": \"a\", \"body\": {}}",
	    "{\"body\": \"invalid_type\"}" },

	{ "author empty", "{\"author\": \"\", \"body\": \"b\"}",
	    "{\"author\": \"too_short\"}" },
	{ "author blank", "{\"author\": \" \\u00a0\\u3000\", \"body\": \"b\"}",
	    "{\"author\": \"too_short\"}" },
	{ "author only NUL", "{\"author\": \"\\u0000\", \"body\": \"b\"}",
	    "{\"author\": \"too_short\"}" },
	{ "body only newlines", "{\"author\": \"a\", \"body\": \"\\r\\n\\n\"}",
	    "{\"body\": \"too_short\"}" },

	{ "email number", "{\"author\": \"a\", \"body\": \"b\", \"email\": 1}",
	    "{\"email\": \"invalid_type\"}" },
	{ "email empty is absent",
	    "{\"author\": \"a\", \"body\": \"b\", \"email\": \"\"}", NULL },
	{ "email blank is absent",
	    "{\"author\": \"a\", \"body\": \"b\", \"email\": \" \\t\"}", NULL },
	{ "email no at", "{\"author\": \"a\", \"body\": \"b\", "
	    "\"email\": \"laila.example.com\"}", "{\"email\": \"invalid\"}" },
	{ "email inner NUL", "{\"author\": \"a\", \"body\": \"b\", "
	    "\"email\": \"la\\u0000ila@example.com\"}",
	    "{\"email\": \"invalid\"}" },
	{ "email inner DEL", "{\"author\": \"a\", \"body\": \"b\", "
	    "\"email\": \"laila\\u007f@example.com\"}",
	    "{\"email\": \"invalid\"}" },
	{ "email inner C1", "{\"author\": \"a\", \"body\": \"b\", "
	    "\"email\": \"laila\\u0085@example.com\"}",
	    "{\"email\": \"invalid\"}" },
	{ "email inner newline", "{\"author\": \"a\", \"body\": \"b\", "
	    "\"email\": \"laila@exa\\nmple.com\"}",
	    "{\"email\": \"invalid\"}" },

	{ "parent string", "{\"author\": \"a\", \"body\": \"b\", "
	    "\"parent_id\": \"5\"}", "{\"parent_id\": \"invalid_type\"}" },
	{ "parent zero", "{\"author\": \"a\", \"body\": \"b\", "
	    "\"parent_id\": 0}", "{\"parent_id\": \"invalid_type\"}" },
	{ "parent negative", "{\"author\": \"a\", \"body\": \"b\", "
	    "\"parent_id\": -3}", "{\"parent_id\": \"invalid_type\"}" },
	{ "parent real", "{\"author\": \"a\", \"body\": \"b\", "
	    "\"parent_id\": 5.0}", "{\"parent_id\": \"invalid_type\"}" },
	{ "parent bool", "{\"author\": \"a\", \"body\": \"b\", "
	    "\"parent_id\": true}", "{\"parent_id\": \"invalid_type\"}" },
	{ "parent array", "{\"author\": \"a\", \"body\": \"b\", "
	    "\"parent_id\": [1]}", "{\"parent_id\": \"invalid_type\"}" },

	{ "unknown field", "{\"author\": \"a\", \"body\": \"b\", "
	    "\"homepage\": \"x\"}", "{\"homepage\": \"unknown_field\"}" },
	{ "unknown null field", "{\"author\": \"a\", \"body\": \"b\", "
	    "\"status\": null}", "{\"status\": \"unknown_field\"}" },
	{ "prefix of a field", "{\"author\": \"a\", \"body\": \"b\", "
	    "\"bod\": \"x\", \"authors\": \"y\"}",
	    "{\"bod\": \"unknown_field\", \"authors\": \"unknown_field\"}" },
	{ "case matters", "{\"Author\": \"a\", \"body\": \"b\"}",
	    "{\"Author\": \"unknown_field\", \"author\": \"required\"}" },

	/* Every bad field at once. */
	{ "all bad", "{\"author\": 1, \"email\": \"@\", \"body\": \"\", "
	    "\"parent_id\": \"x\", \"zzz\": null, \"id\": 3}",
	    "{\"author\": \"invalid_type\", \"email\": \"invalid\", "
	    "\"body\": \"too_short\", \"parent_id\": \"invalid_type\", "
	    "\"zzz\": \"unknown_field\", \"id\": \"unknown_field\"}" },
	/* A good field next to bad ones is not reported. */
	{ "one good one bad", "{\"author\": \"ok\", \"email\": \"x@y\", "
	    "\"body\": 3}", "{\"body\": \"invalid_type\"}" },
};

static void
test_comment_table(void **state CS_UNUSED)
{
	struct comment_input	 in;
	json_t			*obj;
	size_t			 i;

	for (i = 0; i < CS_NELEM(vcases); i++) {
		obj = load(vcases[i].json);
		in = check(vcases[i].name, obj, &limits, vcases[i].errors);
		if (vcases[i].errors == NULL) {
			assert_non_null(in.author);
			assert_non_null(in.body);
		}
		comment_input_free(&in);
		json_decref(obj);
	}
}

static void
test_comment_values(void **state CS_UNUSED)
{
	struct comment_input	 in;
	json_t			*obj;

	obj = load("{\"author\": \"  Sam\\r\\nSmith\\t\", "
	    "\"email\": \" laila@example.com\\n\", "
	    "\"body\": \"\\u0627\\u0654\\u0646\\u0627\\r\\n\\r\\n"
	    "سطر\\u0000 \", "
	    "\"parent_id\": 9007199254740993}");
	in = check("values", obj, &limits, NULL);
	/* The author is one line; the body keeps its line breaks. */
	assert_string_equal(in.author, "Sam Smith");
	assert_string_equal(in.email, "laila@example.com");
	assert_string_equal(in.body, "أنا\n\nسطر");
	assert_true(in.parent_id == INT64_C(9007199254740993));
	comment_input_free(&in);
	assert_true(input_is_zero(&in));
	json_decref(obj);

	obj = load("{\"author\": \"a\", \"body\": \"b\", \"email\": \"\"}");
	in = check("email empty", obj, &limits, NULL);
	assert_null(in.email);
	assert_int_equal(in.parent_id, 0);
	comment_input_free(&in);
	json_decref(obj);

	obj = load("{\"author\": \"a\", \"body\": \"b\", \"parent_id\": 1}");
	in = check("parent 1", obj, &limits, NULL);
	assert_int_equal(in.parent_id, 1);
	comment_input_free(&in);
	json_decref(obj);

	/* NULL-safe, and safe twice. */
	comment_input_free(NULL);
	comment_input_free(&in);
}

/* Limits are characters: Arabic letters are two bytes each. */
static void
test_comment_lengths(void **state CS_UNUSED)
{
	static const struct {
		const char	*field;
		const char	*ch;
		size_t		 n;
		const char	*errors;
	} cases[] = {
		{ "body", "ع", 5000, NULL },
		{ "body", "ع", 5001, "{\"body\": \"too_long\"}" },
		{ "body", "a", 5000, NULL },
		{ "body", "a", 5001, "{\"body\": \"too_long\"}" },
		/* Decomposed alef-hamza composes: 5000 characters after NFC. */
		{ "body", "\xd8\xa7\xd9\x94", 5000, NULL },
		{ "author", "ل", 80, NULL },
		{ "author", "ل", 81, "{\"author\": \"too_long\"}" },
		{ "author", "\xf0\x9f\x98\x80", 80, NULL },
		{ "author", "\xf0\x9f\x98\x80", 81,
		    "{\"author\": \"too_long\"}" },
	};
	struct comment_input	 in;
	json_t			*obj;
	char			*s, name[64];
	size_t			 i;

	for (i = 0; i < CS_NELEM(cases); i++) {
		s = repeat(cases[i].ch, cases[i].n);
		obj = json_pack("{s:s, s:s}", "author", "a", "body", "b");
		assert_non_null(obj);
		assert_int_equal(json_object_set_new(obj, cases[i].field,
		    json_string(s)), 0);
		snprintf(name, sizeof name, "%s %zu x %s", cases[i].field,
		    cases[i].n, cases[i].ch);
		in = check(name, obj, &limits, cases[i].errors);
		comment_input_free(&in);
		json_decref(obj);
		free(s);
	}

	/* Padding does not count towards the limit. */
	s = repeat("ع", 5000);
	obj = json_pack("{s:s, s:s++}", "author", "a", "body", "\n  ", s,
	    "\xc2\xa0\r\n");
	assert_non_null(obj);
	in = check("padded 5000", obj, &limits, NULL);
	assert_string_equal(in.body, s);
	comment_input_free(&in);
	json_decref(obj);
	free(s);
}

static void
test_comment_custom_limits(void **state CS_UNUSED)
{
	struct text_limits	 lim = limits;
	struct comment_input	 in;
	json_t			*obj;
	char			*email;

	lim.body_min = 10;
	lim.author_max = 3;
	obj = load("{\"author\": \"ليلى\", \"body\": \"قصير\"}");
	in = check("custom", obj, &lim, "{\"author\": \"too_long\", "
	    "\"body\": \"too_short\"}");
	comment_input_free(&in);
	json_decref(obj);

	/* NULL limits mean the defaults (80 characters for a name). */
	obj = load("{\"author\": \"ليلى\", \"body\": \"قصير\"}");
	in = check("defaults", obj, NULL, NULL);
	comment_input_free(&in);
	json_decref(obj);

	/* E-mail: 254 characters fit, 255 are too long. */
	lim = limits;
	email = repeat("x", 254);
	memcpy(email + 240, "@example.com", 12);
	obj = json_pack("{s:s, s:s, s:s}", "author", "a", "body", "b",
	    "email", email);
	in = check("email 254", obj, &lim, NULL);
	assert_string_equal(in.email, email);
	comment_input_free(&in);
	json_decref(obj);
	lim.email_max = 253;
	obj = json_pack("{s:s, s:s, s:s}", "author", "a", "body", "b",
	    "email", email);
	in = check("email 254 > 253", obj, &lim, "{\"email\": \"too_long\"}");
	comment_input_free(&in);
	json_decref(obj);
	free(email);
}

/* Strings jansson would not decode, built by hand. */
static void
test_comment_invalid_utf8(void **state CS_UNUSED)
{
	static const struct {
		const char	*field;
		const char	*bytes;
		size_t		 len;
	} cases[] = {
		{ "author", "\xff", 1 },
		{ "body", "ab\xed\xa0\x80", 5 },		/* U+D800 */
		{ "body", "\xc0\xaf", 2 },			/* overlong */
		{ "author", "\xd8", 1 },			/* truncated */
		{ "email", "a@\xe2\x82", 4 },
	};
	struct comment_input	 in;
	json_t			*obj;
	char			 want[64];
	size_t			 i;

	for (i = 0; i < CS_NELEM(cases); i++) {
		obj = json_pack("{s:s, s:s}", "author", "a", "body", "b");
		assert_non_null(obj);
		assert_int_equal(json_object_set_new(obj, cases[i].field,
		    json_stringn_nocheck(cases[i].bytes, cases[i].len)), 0);
		snprintf(want, sizeof want, "{\"%s\": \"invalid_utf8\"}",
		    cases[i].field);
		in = check(cases[i].field, obj, &limits, want);
		comment_input_free(&in);
		json_decref(obj);
	}
}

/* A key with a NUL in it is not the key it starts with. */
static void
test_comment_nul_key(void **state CS_UNUSED)
{
	struct comment_input	 in;
	json_t			*obj, *errs, *v;

	obj = json_pack("{s:s, s:s}", "author", "a", "body", "b");
	assert_non_null(obj);
	assert_int_equal(json_object_setn_new(obj, "body\0x", 6,
	    json_string("c")), 0);
	errs = validate_comment(obj, &limits, &in);
	assert_non_null(errs);
	assert_int_equal(json_object_size(errs), 1);
	v = json_object_getn(errs, "body\0x", 6);
	assert_non_null(v);
	assert_string_equal(json_string_value(v), "unknown_field");
	assert_true(input_is_zero(&in));
	json_decref(errs);
	json_decref(obj);
}

struct email_case {
	const char	*s;
	size_t		 max;
	bool		 ok;
};

static void
test_email_shapes(void **state CS_UNUSED)
{
	static const struct email_case cases[] = {
		{ "laila@example.com", 254, true },
		{ "a@b", 254, true },
		{ "first.last+tag@sub.example.co.uk", 254, true },
		{ "ليلى@مثال.مصر", 254, true },
		{ "a@b", 3, true },
		{ "a@b", 2, false },
		{ "ليلى@مثال", 9, true },	/* 9 characters, 17 bytes */
		{ "ليلى@مثال", 8, false },
		{ "", 254, false },
		{ "@", 254, false },
		{ "laila", 254, false },
		{ "@example.com", 254, false },
		{ "laila@", 254, false },
		{ "a@b@c", 254, false },
		{ "a@@b", 254, false },
		{ "a@.example.com", 254, false },
		{ "a@example.com.", 254, false },
		{ "a@.", 254, false },
		{ "a@example..com", 254, false },
		{ "a b@example.com", 254, false },
		{ "a@exa mple.com", 254, false },
		{ " a@b", 254, false },
		{ "a@b ", 254, false },
		{ "a\t@b", 254, false },
		{ "a@b\n", 254, false },
		{ "a\x7f@b", 254, false },
		{ "a\xc2\x85@b", 254, false },		/* NEL */
		{ "a\xc2\xa0@b", 254, false },		/* NBSP */
		{ "a@b\xe3\x80\x80" "c", 254, false },	/* ideographic space */
		{ "a@b\xe2\x80\xa8", 254, false },	/* line separator */
		{ "a\xff@b", 254, false },
		{ "a@\xed\xa0\x80", 254, false },
	};
	size_t	i;

	for (i = 0; i < CS_NELEM(cases); i++) {
		if (validate_email(cases[i].s, strlen(cases[i].s),
		    cases[i].max) != cases[i].ok)
			fail_msg("email \"%s\" (max %zu): want %d", cases[i].s,
			    cases[i].max, cases[i].ok);
	}
	/* The length bounds the input; a NUL inside is a control. */
	assert_true(validate_email("a@b.c!!", 5, 254));
	assert_false(validate_email("a@b\0c", 5, 254));
	assert_false(validate_email(NULL, 0, 254));
}

static void
test_article_key(void **state CS_UNUSED)
{
	static const struct {
		const char	*s;
		size_t		 len;
		bool		 ok;
	} cases[] = {
		{ "news/2023/kim-putin", 19, true },
		{ "a", 1, true },
		{ "خبر/٢٠٢٣", 15, true },
		{ " padded ", 8, true },
		{ "\xe2\x80\x8f" "x", 4, true },	/* RLM: not a control */
		{ "", 0, false },
		{ " ", 1, false },
		{ "\xc2\xa0\xe3\x80\x80", 5, false },	/* only white space */
		{ "\xe2\x80\xa8", 3, false },
		{ "a\nb", 3, false },
		{ "a\tb", 3, false },
		{ "a\0b", 3, false },
		{ "\x7f", 1, false },
		{ "key\xc2\x85", 5, false },		/* NEL, C1 control */
		{ "\xff", 1, false },
		{ "\xc0\xaf", 2, false },
		{ "\xed\xa0\x80", 3, false },
		{ "\xd8", 1, false },
	};
	char	*s;
	size_t	 i;

	for (i = 0; i < CS_NELEM(cases); i++) {
		if (validate_article_key(cases[i].s, cases[i].len) !=
		    cases[i].ok)
			fail_msg("key case %zu: want %d", i, cases[i].ok);
	}
	assert_false(validate_article_key(NULL, 0));

	/* 200 characters, in bytes 200, 400 and 800. */
	s = repeat("k", 200);
	assert_true(validate_article_key(s, strlen(s)));
	free(s);
	s = repeat("k", 201);
	assert_false(validate_article_key(s, strlen(s)));
	free(s);
	s = repeat("ع", 200);
	assert_int_equal(strlen(s), 400);
	assert_true(validate_article_key(s, strlen(s)));
	free(s);
	s = repeat("ع", 201);
	assert_false(validate_article_key(s, strlen(s)));
	free(s);
	s = repeat("\xf0\x9f\x98\x80", 200);
	assert_true(validate_article_key(s, strlen(s)));
	free(s);
	s = repeat("\xf0\x9f\x98\x80", 201);
	assert_false(validate_article_key(s, strlen(s)));
	free(s);
	s = repeat("x", 100000);
	assert_false(validate_article_key(s, strlen(s)));
	free(s);
}

/* What the widget adds: the page's title and URL, the honeypot, time. */
static void
test_comment_page_fields(void **state CS_UNUSED)
{
	static const struct vcase cases[] = {
		{ "title and url", "{\"author\": \"a\", \"body\": \"b\", "
		    "\"article_title\": \" عنوان الخبر \", "
		    "\"article_url\": \"https://news.example/a?x=1\"}", NULL },
		{ "url http", "{\"author\": \"a\", \"body\": \"b\", "
		    "\"article_url\": \"HTTP://news.example\"}", NULL },
		{ "url scheme", "{\"author\": \"a\", \"body\": \"b\", "
		    "\"article_url\": \"javascript:alert(1)\"}",
		    "{\"article_url\": \"invalid\"}" },
		{ "url no host", "{\"author\": \"a\", \"body\": \"b\", "
		    "\"article_url\": \"https:///x\"}",
		    "{\"article_url\": \"invalid\"}" },
		{ "url space", "{\"author\": \"a\", \"body\": \"b\", "
		    "\"article_url\": \"https://a b\"}",
		    "{\"article_url\": \"invalid\"}" },
		{ "title type", "{\"author\": \"a\", \"body\": \"b\", "
		    "\"article_title\": 7}",
		    "{\"article_title\": \"invalid_type\"}" },
		{ "honeypot type", "{\"author\": \"a\", \"body\": \"b\", "
		    "\"website\": true}", "{\"website\": \"invalid_type\"}" },
		{ "form_ms negative", "{\"author\": \"a\", \"body\": \"b\", "
		    "\"form_ms\": -1}", "{\"form_ms\": \"invalid_type\"}" },
		{ "form_ms string", "{\"author\": \"a\", \"body\": \"b\", "
		    "\"form_ms\": \"5\"}", "{\"form_ms\": \"invalid_type\"}" },
	};
	struct comment_input	 in;
	json_t			*obj;
	char			*title;
	size_t			 i;

	for (i = 0; i < CS_NELEM(cases); i++) {
		obj = load(cases[i].json);
		in = check(cases[i].name, obj, NULL, cases[i].errors);
		if (cases[i].errors == NULL)
			comment_input_free(&in);
		json_decref(obj);
	}

	obj = load("{\"author\": \"a\", \"body\": \"b\", "
	    "\"article_title\": \" عنوان\\nالخبر \", \"article_url\": "
	    "\"https://news.example/a\", \"website\": \"http://x\", "
	    "\"form_ms\": 4200}");
	in = check("values", obj, NULL, NULL);
	assert_string_equal(in.article_title, "عنوان الخبر");
	assert_string_equal(in.article_url, "https://news.example/a");
	assert_true(in.honeypot);
	assert_int_equal(in.form_ms, 4200);
	comment_input_free(&in);
	json_decref(obj);

	/* Absent, null or blank: nothing; an empty honeypot is a person. */
	obj = load("{\"author\": \"a\", \"body\": \"b\", "
	    "\"article_title\": \"  \", \"article_url\": null, "
	    "\"website\": \" \"}");
	in = check("blank", obj, NULL, NULL);
	assert_null(in.article_title);
	assert_null(in.article_url);
	assert_false(in.honeypot);
	assert_int_equal(in.form_ms, -1);
	comment_input_free(&in);
	json_decref(obj);

	/* A title of 301 characters is too long. */
	title = repeat("ع", 301);
	obj = json_pack("{s:s, s:s, s:s}", "author", "a", "body", "b",
	    "article_title", title);
	in = check("long title", obj, NULL,
	    "{\"article_title\": \"too_long\"}");
	json_decref(obj);
	free(title);
}

/* A password is the bytes its JSON string holds: one with a NUL is
 * refused, not cut at it (argon2 and the hashing pool take C strings). */
static void
test_password(void **state CS_UNUSED)
{
	char	long_pw[PASSWORD_MAX_BYTES + 2];

	assert_true(validate_password("password123", 11));
	assert_true(validate_password("\xd9\x83\xd9\x84\xd9\x85\xd8\xa9"
	    "\xd8\xb3\xd8\xb1\xd9\x91\xd9\x8a", 16));
	assert_false(validate_password("short", 5));
	assert_false(validate_password("password123\0x", 13));
	assert_false(validate_password("\0password123", 12));
	assert_false(validate_password("password\xff" "123", 12));
	memset(long_pw, 'a', sizeof long_pw);
	long_pw[PASSWORD_MAX_BYTES] = '\0';
	assert_true(validate_password(long_pw, PASSWORD_MAX_BYTES));
	long_pw[PASSWORD_MAX_BYTES] = 'a';
	long_pw[PASSWORD_MAX_BYTES + 1] = '\0';
	assert_false(validate_password(long_pw, PASSWORD_MAX_BYTES + 1));
}

/* An API token's label: cleaned, 1 to 100 characters, one line. */
static void
test_token_label(void **state CS_UNUSED)
{
	const char	*why = NULL;
	char		*l, buf[512];
	size_t		 i;

	l = validate_token_label("  بوت النشر\n", strlen("  بوت النشر\n"),
	    &why);
	assert_non_null(l);
	assert_string_equal(l, "بوت النشر");
	free(l);
	l = validate_token_label("ci\x01" "bot", 6, &why);
	assert_non_null(l);
	assert_string_equal(l, "cibot");
	free(l);
	assert_null(validate_token_label(" \t ", 3, &why));
	assert_string_equal(why, "required");
	assert_null(validate_token_label("\xff", 1, &why));
	assert_string_equal(why, "invalid_utf8");
	memset(buf, 'a', 100);
	l = validate_token_label(buf, 100, &why);
	assert_non_null(l);
	free(l);
	/* 100 Arabic letters are 200 bytes and fit; 101 do not. */
	for (i = 0; i < 101; i++)
		memcpy(buf + 2 * i, "\xd8\xa8", 2);
	l = validate_token_label(buf, 200, &why);
	assert_non_null(l);
	free(l);
	assert_null(validate_token_label(buf, 202, &why));
	assert_string_equal(why, "too_long");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_comment_table),
		cmocka_unit_test(test_comment_values),
		cmocka_unit_test(test_comment_lengths),
		cmocka_unit_test(test_comment_custom_limits),
		cmocka_unit_test(test_comment_invalid_utf8),
		cmocka_unit_test(test_comment_nul_key),
		cmocka_unit_test(test_email_shapes),
		cmocka_unit_test(test_article_key),
		cmocka_unit_test(test_comment_page_fields),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_token_label),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
