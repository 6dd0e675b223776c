/*
 * validate.h - validation of what readers submit: a comment and an
 * article key.  Pure functions: no I/O, unit-tested on their own.
 */
#ifndef COMMENTD_VALIDATE_H
#define COMMENTD_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cs.h"

/* Length limits, in characters (code points). */
struct text_limits {
	size_t	body_min;	/* default 1 */
	size_t	body_max;	/* default 5000 */
	size_t	author_min;	/* default 1 */
	size_t	author_max;	/* default 80 */
	size_t	email_max;	/* default 254 */
};

#define ARTICLE_KEY_MAX_CHARS	200

/* A cleaned, valid comment submission.  Strings are owned (free()). */
struct comment_input {
	char	*author;	/* NFC, trimmed, single line */
	char	*email;		/* NULL when absent or empty */
	char	*body;		/* NFC, trimmed, newlines kept */
	int64_t	 parent_id;	/* 0 when absent / null */
	/* What the widget knows of the page (site rules, issue 12): */
	char	*article_title;	/* NULL when absent or empty */
	char	*article_url;	/* an absolute http(s) URL, or NULL */
	bool	 honeypot;	/* "website", hidden from people, was filled */
	int64_t	 form_ms;	/* ms from showing the form to posting; -1 */
};

#define ARTICLE_TITLE_MAX_CHARS	300
#define ARTICLE_URL_MAX_CHARS	2000

/*
 * Validates a decoded JSON submission {author, email?, body, parent_id?,
 * article_title?, article_url?, website?, form_ms?}: website is the
 * widget's honeypot (any string; filled means a bot), form_ms a
 * non-negative integer.
 * Returns NULL when it is valid, with *out filled in (caller calls
 * comment_input_free()).  Otherwise returns a new JSON object mapping each
 * bad field to an error code and leaves *out empty:
 *   "required"      missing or null (author, body)
 *   "invalid_type"  not a string (parent_id: not a positive integer)
 *   "invalid_utf8"  not valid UTF-8
 *   "too_short"     fewer characters than the minimum after clean-up
 *   "too_long"      more characters than the maximum
 *   "invalid"       malformed value (email)
 *   "unknown_field" a key that is not part of the submission
 *   "not_found"     (set by the caller, not here) parent is not an approved
 *                   comment of the article
 * obj must be a JSON object: callers answer 400 for anything else.
 */
json_t	*validate_comment(const json_t *obj, const struct text_limits *lim,
	    struct comment_input *out) CS_MUSTCHECK;

void	 comment_input_free(struct comment_input *in);

/*
 * An article key, already percent-decoded: 1..ARTICLE_KEY_MAX_CHARS
 * characters of valid UTF-8 without control characters.
 */
bool	 validate_article_key(const char *key, size_t len);

/*
 * A plausible e-mail address: one '@', a non-empty local part and a domain
 * with no white space or control characters, at most lim characters.
 */
bool	 validate_email(const char *s, size_t len, size_t max_chars);

/* A moderator's name: ^[A-Za-z0-9_.-]{1,64}$, the CHECK of
 * moderators.name. */
#define MODERATOR_NAME_MAX	64
bool	 validate_moderator_name(const char *s);

/* A password: valid UTF-8, no NUL, PASSWORD_MIN_CHARS characters or
 * more and PASSWORD_MAX_BYTES bytes or fewer. */
#define PASSWORD_MIN_CHARS	8
#define PASSWORD_MAX_BYTES	1024
bool	 validate_password(const char *s, size_t len);

/*
 * A reason from a request body (a moderator's, or a reader's report):
 * absent or null is no reason (NULL); otherwise a string of at most
 * VALIDATE_REASON_MAX_CHARS after text_clean(), returned to be freed.  On
 * error, *fields gets the field error and NULL is returned.
 */
#define VALIDATE_REASON_MAX_CHARS	500
char	*validate_reason(const json_t *v, json_t **fields);

/*
 * An API token's label: one line of text_clean()ed UTF-8, 1 to
 * TOKEN_LABEL_MAX_CHARS characters (the CHECK of auth_tokens.label),
 * returned to be freed; NULL with *why set to a field error code
 * ("invalid_utf8", "required" when empty, "too_long") otherwise.
 * API tokens last TOKEN_DAYS_DEFAULT days unless asked otherwise, at
 * most TOKEN_DAYS_MAX.
 */
#define TOKEN_LABEL_MAX_CHARS	100
#define TOKEN_DAYS_DEFAULT	365
#define TOKEN_DAYS_MAX		3650
char	*validate_token_label(const char *s, size_t len, const char **why);

/* A positive decimal id (1..INT64_MAX) with nothing around it. */
bool	 validate_id(const char *s, int64_t *out);

#endif
