/*
 * validate.c - validation of a comment submission and an article key
 * (see validate.h).
 *
 * Every bad field is reported, not just the first: a form can then mark
 * all of them at once.  Out of memory is fatal, as for xmalloc(): a
 * server that cannot allocate an error object cannot answer anyway.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

#include "log.h"
#include "text.h"
#include "validate.h"

static const struct text_limits validate_default_limits = {
	.body_min = 1,
	.body_max = 5000,
	.author_min = 1,
	.author_max = 80,
	.email_max = 254,
};

static void	validate_error(json_t **, const char *, size_t, const char *);
static const char *validate_text(const json_t *, size_t, size_t, unsigned,
		    char **);
static const char *validate_email_field(const json_t *, size_t, char **);
static const char *validate_optional_text(const json_t *, size_t, char **);
static const char *validate_url_field(const json_t *, char **);
static const char *validate_honeypot(const json_t *, bool *);
static const char *validate_form_ms(const json_t *, int64_t *);
static const char *validate_parent(const json_t *, int64_t *);
static bool	validate_known_key(const char *, size_t);
static bool	validate_is_space(utf8proc_int32_t);

/* Records code for field key in *errs, creating the object on first use. */
static void
validate_error(json_t **errs, const char *key, size_t keylen,
    const char *code)
{
	json_t	*s;

	if (*errs == NULL && (*errs = json_object()) == NULL)
		fatalx("validate: out of memory");
	if ((s = json_string(code)) == NULL ||
	    json_object_setn_new(*errs, key, keylen, s) != 0)
		fatalx("validate: out of memory");
}

/* Category-based test for the White_Space property: Zs, Zl, Zp or Cc. */
static bool
validate_is_space(utf8proc_int32_t cp)
{
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_ZS:
	case UTF8PROC_CATEGORY_ZL:
	case UTF8PROC_CATEGORY_ZP:
		return true;
	default:
		return false;
	}
}

/*
 * Checks and cleans a required text field.  Returns an error code, or NULL
 * with *out set to the cleaned text.
 */
static const char *
validate_text(const json_t *v, size_t min, size_t max, unsigned flags,
    char **out)
{
	const char	*s;
	size_t		 len, n;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return "required";
	if (!json_is_string(v))
		return "invalid_type";
	s = json_string_value(v);
	len = json_string_length(v);
	/* jansson checks this when decoding, but not json_stringn_nocheck. */
	if (!text_valid_utf8(s, len))
		return "invalid_utf8";
	switch (text_clean(s, len, flags, out, &n)) {
	case TEXT_OK:
		break;
	case TEXT_INVALID_UTF8:
		return "invalid_utf8";
	case TEXT_NOMEM:
		fatalx("validate: out of memory");
	}
	if (n < min || n > max) {
		free(*out);
		*out = NULL;
		return n < min ? "too_short" : "too_long";
	}
	return NULL;
}

/*
 * The optional e-mail.  Unlike names, a control character inside an
 * address is not silently dropped, since that would store an address the
 * reader did not type: only the white space controls (tab, CR, LF), which
 * clean-up turns into spaces, are let through, and a space anywhere but at
 * the ends then makes the address invalid.
 */
static const char *
validate_email_field(const json_t *v, size_t max, char **out)
{
	const unsigned char	*s;
	size_t			 len, i, n;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v))
		return "invalid_type";
	s = (const unsigned char *)json_string_value(v);
	len = json_string_length(v);
	if (!text_valid_utf8((const char *)s, len))
		return "invalid_utf8";
	for (i = 0; i < len; i++) {
		/* Valid UTF-8: C1 controls U+0080-U+009F are C2 80..C2 9F. */
		if ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' &&
		    s[i] != '\r') || s[i] == 0x7f ||
		    (s[i] == 0xc2 && i + 1 < len && s[i + 1] <= 0x9f))
			return "invalid";
	}
	switch (text_clean((const char *)s, len, 0, out, &n)) {
	case TEXT_OK:
		break;
	case TEXT_INVALID_UTF8:
		return "invalid_utf8";
	case TEXT_NOMEM:
		fatalx("validate: out of memory");
	}
	if (n == 0) {
		/* Empty or blank: the reader left the field out. */
		free(*out);
		*out = NULL;
		return NULL;
	}
	if (n > max || !validate_email(*out, strlen(*out), max)) {
		free(*out);
		*out = NULL;
		return n > max ? "too_long" : "invalid";
	}
	return NULL;
}

static const char *
validate_parent(const json_t *v, int64_t *id)
{
	*id = 0;
	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return "invalid_type";
	*id = json_integer_value(v);
	return NULL;
}

/* An optional single-line text: NULL when absent, null or blank. */
static const char *
validate_optional_text(const json_t *v, size_t max, char **out)
{
	const char	*code;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return NULL;
	if ((code = validate_text(v, 0, max, 0, out)) != NULL)
		return code;
	if (**out == '\0') {
		free(*out);
		*out = NULL;
	}
	return NULL;
}

/* An optional absolute http(s) URL with a host, no spaces or controls. */
static const char *
validate_url_field(const json_t *v, char **out)
{
	const char	*code, *host;
	size_t		 i;

	if ((code = validate_optional_text(v, ARTICLE_URL_MAX_CHARS,
	    out)) != NULL || *out == NULL)
		return code;
	if (strncasecmp(*out, "https://", 8) == 0)
		host = *out + 8;
	else if (strncasecmp(*out, "http://", 7) == 0)
		host = *out + 7;
	else
		host = NULL;
	for (i = 0; host != NULL && (*out)[i] != '\0'; i++)
		if ((*out)[i] == ' ')
			host = NULL;
	if (host == NULL || *host == '\0' || *host == '/') {
		free(*out);
		*out = NULL;
		return "invalid";
	}
	return NULL;
}

/* The honeypot: any string; filled (not blank) means a bot filled it. */
static const char *
validate_honeypot(const json_t *v, bool *filled)
{
	const char	*s;
	size_t		 i, len;

	*filled = false;
	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v))
		return "invalid_type";
	s = json_string_value(v);
	len = json_string_length(v);
	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' &&
		    s[i] != '\r')
			*filled = true;
	return NULL;
}

static const char *
validate_form_ms(const json_t *v, int64_t *ms)
{
	*ms = -1;
	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return "invalid_type";
	*ms = json_integer_value(v);
	return NULL;
}

static bool
validate_known_key(const char *key, size_t len)
{
	static const char *const known[] = {
		"author", "email", "body", "parent_id", "article_title",
		"article_url", "website", "form_ms"
	};
	size_t	i;

	/* Compare lengths too: keys may hold NUL ("body\u0000x"). */
	for (i = 0; i < CS_NELEM(known); i++) {
		if (strlen(known[i]) == len && memcmp(known[i], key, len) == 0)
			return true;
	}
	return false;
}

json_t *
validate_comment(const json_t *obj, const struct text_limits *lim,
    struct comment_input *out)
{
	struct comment_input	 in = { 0 };
	json_t			*errs = NULL, *value;
	const char		*key, *code;
	size_t			 keylen;

	memset(out, 0, sizeof *out);
	if (lim == NULL)
		lim = &validate_default_limits;

	/* json_object_*foreach take a non-const object but do not change it. */
	json_object_keylen_foreach((json_t *)obj, key, keylen, value) {
		if (!validate_known_key(key, keylen))
			validate_error(&errs, key, keylen, "unknown_field");
	}

	code = validate_text(json_object_get(obj, "author"), lim->author_min,
	    lim->author_max, 0, &in.author);
	if (code != NULL)
		validate_error(&errs, "author", strlen("author"), code);
	code = validate_email_field(json_object_get(obj, "email"),
	    lim->email_max, &in.email);
	if (code != NULL)
		validate_error(&errs, "email", strlen("email"), code);
	code = validate_text(json_object_get(obj, "body"), lim->body_min,
	    lim->body_max, TEXT_KEEP_NEWLINES, &in.body);
	if (code != NULL)
		validate_error(&errs, "body", strlen("body"), code);
	code = validate_parent(json_object_get(obj, "parent_id"),
	    &in.parent_id);
	if (code != NULL)
		validate_error(&errs, "parent_id", strlen("parent_id"), code);
	code = validate_optional_text(json_object_get(obj, "article_title"),
	    ARTICLE_TITLE_MAX_CHARS, &in.article_title);
	if (code != NULL)
		validate_error(&errs, "article_title", strlen("article_title"),
		    code);
	code = validate_url_field(json_object_get(obj, "article_url"),
	    &in.article_url);
	if (code != NULL)
		validate_error(&errs, "article_url", strlen("article_url"),
		    code);
	code = validate_honeypot(json_object_get(obj, "website"),
	    &in.honeypot);
	if (code != NULL)
		validate_error(&errs, "website", strlen("website"), code);
	code = validate_form_ms(json_object_get(obj, "form_ms"), &in.form_ms);
	if (code != NULL)
		validate_error(&errs, "form_ms", strlen("form_ms"), code);

	if (errs != NULL) {
		comment_input_free(&in);
		return errs;
	}
	*out = in;
	return NULL;
}

void
comment_input_free(struct comment_input *in)
{
	if (in == NULL)
		return;
	free(in->author);
	free(in->email);
	free(in->body);
	free(in->article_title);
	free(in->article_url);
	memset(in, 0, sizeof *in);
}

bool
validate_article_key(const char *key, size_t len)
{
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 n;
	size_t			 off, chars = 0;
	bool			 blank = true;

	if (key == NULL || len == 0)
		return false;
	/* Each character is at most 4 bytes: refuse huge keys unread. */
	if (len > 4 * (size_t)ARTICLE_KEY_MAX_CHARS)
		return false;
	for (off = 0; off < len; off += (size_t)n) {
		n = utf8proc_iterate((const utf8proc_uint8_t *)key + off,
		    (utf8proc_ssize_t)(len - off), &cp);
		if (n < 0)
			return false;
		if (utf8proc_category(cp) == UTF8PROC_CATEGORY_CC)
			return false;
		if (!validate_is_space(cp))
			blank = false;
		chars++;
	}
	return chars <= ARTICLE_KEY_MAX_CHARS && !blank;
}

bool
validate_email(const char *s, size_t len, size_t max_chars)
{
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 n;
	size_t			 off, at = 0, ats = 0, chars = 0;
	const char		*dom;
	size_t			 domlen;

	if (s == NULL || len == 0)
		return false;
	for (off = 0; off < len; off += (size_t)n) {
		n = utf8proc_iterate((const utf8proc_uint8_t *)s + off,
		    (utf8proc_ssize_t)(len - off), &cp);
		if (n < 0)
			return false;
		if (utf8proc_category(cp) == UTF8PROC_CATEGORY_CC ||
		    validate_is_space(cp))
			return false;
		if (cp == '@') {
			at = off;
			ats++;
		}
		if (++chars > max_chars)
			return false;
	}
	if (ats != 1 || at == 0 || at == len - 1)
		return false;
	dom = s + at + 1;
	domlen = len - at - 1;
	/* An empty label ("a@.b", "a@b.", "a@b..c") is never deliverable. */
	if (dom[0] == '.' || dom[domlen - 1] == '.' ||
	    memmem(dom, domlen, "..", 2) != NULL)
		return false;
	return true;
}

bool
validate_id(const char *s, int64_t *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s < '1' || *s > '9')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return false;
	*out = v;
	return true;
}

bool
validate_moderator_name(const char *s)
{
	size_t	i, n = strlen(s);
	char	c;

	if (n == 0 || n > MODERATOR_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		    c == '-'))
			return false;
	}
	return true;
}

bool
validate_password(const char *s, size_t len)
{
	return len <= PASSWORD_MAX_BYTES && strlen(s) == len &&
	    text_valid_utf8(s, len) &&
	    text_count_chars(s, len) >= PASSWORD_MIN_CHARS;
}

/*
 * A reason from a request body: absent or null is no reason; otherwise a
 * string of at most VALIDATE_REASON_MAX_CHARS after clean-up.  On error,
 * *fields gets the field error and NULL is returned.
 */
char *
validate_reason(const json_t *v, json_t **fields)
{
	char	*out;
	size_t	 n;

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		*fields = json_pack("{s:s}", "reason", "invalid_type");
		return NULL;
	}
	if (text_clean(json_string_value(v), json_string_length(v),
	    TEXT_KEEP_NEWLINES, &out, &n) != TEXT_OK) {
		*fields = json_pack("{s:s}", "reason", "invalid_utf8");
		return NULL;
	}
	if (n > VALIDATE_REASON_MAX_CHARS) {
		free(out);
		*fields = json_pack("{s:s}", "reason", "too_long");
		return NULL;
	}
	if (n == 0) {
		free(out);
		return NULL;
	}
	return out;
}

char *
validate_token_label(const char *s, size_t len, const char **why)
{
	char	*out;
	size_t	 n;

	if (text_clean(s, len, 0, &out, &n) != TEXT_OK) {
		*why = "invalid_utf8";
		return NULL;
	}
	if (n == 0 || n > TOKEN_LABEL_MAX_CHARS) {
		free(out);
		*why = n == 0 ? "required" : "too_long";
		return NULL;
	}
	return out;
}
