/*
 * text.h - clean-up of untrusted Unicode text (names, bodies, keys).
 *
 * All input is UTF-8.  text_clean() is the one place that turns what a
 * client sent into what we store: valid UTF-8, NFC, no control characters
 * (newlines optionally kept), no surrounding white space.  Lengths are in
 * characters (Unicode code points), never bytes.
 */
#ifndef COMMENTD_TEXT_H
#define COMMENTD_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "cs.h"

/* text_clean() flags */
/* Keep '\n' (bodies); without it a newline becomes a space. */
#define TEXT_KEEP_NEWLINES	0x1
/* A tab becomes a space in either mode: dropping it would join words. */

enum text_status {
	TEXT_OK = 0,
	TEXT_INVALID_UTF8,	/* malformed, surrogate, overlong, ... */
	TEXT_NOMEM,
};

/*
 * Validates, normalises to NFC, drops control characters (category Cc,
 * except '\n' with TEXT_KEEP_NEWLINES; "\r\n" and lone '\r' become '\n'),
 * and trims Unicode white space at both ends.  Embedded NUL bytes are
 * control characters and are dropped.  On TEXT_OK, *out is a new
 * NUL-terminated string the caller frees with free(), and *nchars (if not
 * NULL) its length in code points.  On error *out is NULL.
 */
enum text_status text_clean(const char *in, size_t len, unsigned flags,
    char **out, size_t *nchars) CS_MUSTCHECK;

/* True if s[0..len) is well-formed UTF-8 (no surrogates, no overlongs). */
bool	text_valid_utf8(const char *s, size_t len);

/* Code points in s[0..len), which must be valid UTF-8. */
size_t	text_count_chars(const char *s, size_t len);

/* True if s[0..len) (valid UTF-8) contains a control character (Cc). */
bool	text_has_control(const char *s, size_t len);

#endif
