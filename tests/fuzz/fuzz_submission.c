/*
 * fuzz_submission.c - a request body as the server decodes it, then
 * validate_comment() with the default limits.
 *
 * A valid submission must really be within the limits of validate.h,
 * counted in characters of the cleaned text; a refused one must come
 * back as a non-empty object of known error codes.  The raw bytes also
 * go through validate_article_key() and validate_email(), which take
 * arbitrary lengths.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "text.h"
#include "validate.h"

/* The server's own body limit (http_max_body) is 64 KiB. */
#define FUZZ_MAX_INPUT	(64 * 1024)

/* The defaults documented in validate.h, used when lim is NULL. */
static const struct text_limits fuzz_limits = {
	.body_min = 1,
	.body_max = 5000,
	.author_min = 1,
	.author_max = 80,
	.email_max = 254,
};

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	fuzz_fail(const char *);
static void	fuzz_check_text(const char *, size_t, size_t, const char *);
static void	fuzz_check_valid(const json_t *, const struct comment_input *);
static void	fuzz_check_errors(json_t *, const struct comment_input *);
static int	fuzz_known_key(const char *, size_t);

static void
fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz_submission: %s\n", what);
	abort();
}

static int
fuzz_known_key(const char *key, size_t len)
{
	/* The README's submission fields (the widget's website and
	 * form_ms, and the article's title and URL on a first post). */
	static const char *const known[] = {
		"author", "email", "body", "parent_id", "article_title",
		"article_url", "website", "form_ms"
	};
	size_t	i;

	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		if (strlen(known[i]) == len && memcmp(known[i], key, len) == 0)
			return 1;
	}
	return 0;
}

/* A cleaned field: valid UTF-8, no controls but kept '\n', in range. */
static void
fuzz_check_text(const char *s, size_t min, size_t max, const char *what)
{
	size_t	len, n;

	if (s == NULL)
		fuzz_fail(what);
	len = strlen(s);
	if (!text_valid_utf8(s, len))
		fuzz_fail(what);
	n = text_count_chars(s, len);
	if (n < min || n > max)
		fuzz_fail(what);
	if (len > 0 && (s[0] == ' ' || s[len - 1] == ' '))
		fuzz_fail(what);
}

static void
fuzz_check_valid(const json_t *obj, const struct comment_input *in)
{
	const json_t	*v;
	const char	*key;
	json_t		*value;
	size_t		 keylen, i;
	unsigned char	 c;

	/* Any other key would have been an "unknown_field". */
	json_object_keylen_foreach((json_t *)obj, key, keylen, value) {
		(void)value;
		if (!fuzz_known_key(key, keylen))
			fuzz_fail("unknown key accepted");
	}

	fuzz_check_text(in->author, fuzz_limits.author_min,
	    fuzz_limits.author_max, "bad author accepted");
	if (strchr(in->author, '\n') != NULL ||
	    text_has_control(in->author, strlen(in->author)))
		fuzz_fail("control character in author");

	fuzz_check_text(in->body, fuzz_limits.body_min,
	    fuzz_limits.body_max, "bad body accepted");
	for (i = 0; in->body[i] != '\0'; i++) {
		/* The only control a body keeps is the newline. */
		c = (unsigned char)in->body[i];
		/* C1 controls, U+0080-U+009F, are C2 80..C2 9F. */
		if ((c < 0x20 && c != '\n') || c == 0x7f || (c == 0xc2 &&
		    (unsigned char)in->body[i + 1] <= 0x9f))
			fuzz_fail("control character in body");
	}

	if (in->email != NULL) {
		fuzz_check_text(in->email, 1, fuzz_limits.email_max,
		    "bad email accepted");
		if (!validate_email(in->email, strlen(in->email),
		    fuzz_limits.email_max))
			fuzz_fail("cleaned email fails validate_email");
	}

	v = json_object_get(obj, "parent_id");
	if (in->parent_id < 0)
		fuzz_fail("negative parent_id");
	if (v == NULL || json_is_null(v)) {
		if (in->parent_id != 0)
			fuzz_fail("parent_id without a value");
	} else if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
	    json_integer_value(v) != in->parent_id)
		fuzz_fail("bad parent_id accepted");
}

static void
fuzz_check_errors(json_t *errs, const struct comment_input *in)
{
	static const char *const codes[] = {
		"required", "invalid_type", "invalid_utf8", "too_short",
		"too_long", "invalid", "unknown_field"
	};
	const char	*key, *code;
	json_t		*value;
	size_t		 i;

	if (!json_is_object(errs) || json_object_size(errs) == 0)
		fuzz_fail("error is not a non-empty object");
	if (in->author != NULL || in->email != NULL || in->body != NULL ||
	    in->parent_id != 0)
		fuzz_fail("output filled in on error");
	json_object_foreach(errs, key, value) {
		if ((code = json_string_value(value)) == NULL)
			fuzz_fail("error code is not a string");
		for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
			if (strcmp(code, codes[i]) == 0)
				break;
		}
		if (i == sizeof codes / sizeof codes[0])
			fuzz_fail("unknown error code");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct comment_input	 in;
	json_error_t		 err;
	json_t			*obj, *errs;

	if (size > FUZZ_MAX_INPUT)
		return 0;

	(void)validate_article_key((const char *)data, size);
	(void)validate_email((const char *)data, size, fuzz_limits.email_max);

	/* Exactly as req.c decodes a body. */
	obj = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES |
	    JSON_ALLOW_NUL, &err);
	if (obj == NULL)
		return 0;
	if (json_is_object(obj)) {
		if ((errs = validate_comment(obj, NULL, &in)) == NULL) {
			fuzz_check_valid(obj, &in);
			comment_input_free(&in);
		} else {
			fuzz_check_errors(errs, &in);
			json_decref(errs);
		}
	}
	json_decref(obj);
	return 0;
}
