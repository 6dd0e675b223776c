/*
 * text.c - clean-up of untrusted Unicode text (see text.h).
 *
 * text_clean() works in three passes over the input:
 *  1. decode and validate, dropping control characters and folding line
 *     breaks, into a NUL-free UTF-8 copy (never longer than the input);
 *  2. normalise that copy to NFC with utf8proc;
 *  3. trim White_Space at both ends and count code points.
 * Controls go first so that embedded NULs never reach utf8proc and so that
 * a control between a letter and its combining mark does not stop them
 * composing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "text.h"

static bool	text_is_cc(utf8proc_int32_t);
static bool	text_is_space(utf8proc_int32_t);
static size_t	text_filter(const uint8_t *, size_t, unsigned, uint8_t *);
static utf8proc_ssize_t text_next(const uint8_t *, size_t, size_t,
		    utf8proc_int32_t *);

/* Category Cc: fixed forever by Unicode's stability policy. */
static bool
text_is_cc(utf8proc_int32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* The White_Space property (PropList.txt), which no category matches. */
static bool
text_is_space(utf8proc_int32_t cp)
{
	switch (cp) {
	case 0x0009: case 0x000a: case 0x000b: case 0x000c: case 0x000d:
	case 0x0020:
	case 0x0085:
	case 0x00a0:
	case 0x1680:
	case 0x2028: case 0x2029:
	case 0x202f:
	case 0x205f:
	case 0x3000:
		return true;
	}
	return cp >= 0x2000 && cp <= 0x200a;
}

/*
 * Decodes the code point at s[off..len).  Returns its length in bytes, or
 * a negative value if the sequence there is malformed.
 */
static utf8proc_ssize_t
text_next(const uint8_t *s, size_t len, size_t off, utf8proc_int32_t *cp)
{
	size_t	left = len - off;

	/* utf8proc reads at most four bytes: don't hand it a huge length. */
	if (left > 4)
		left = 4;
	return utf8proc_iterate(s + off, (utf8proc_ssize_t)left, cp);
}

bool
text_valid_utf8(const char *s, size_t len)
{
	const uint8_t		*u = (const uint8_t *)s;
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 n;
	size_t			 off;

	for (off = 0; off < len; off += (size_t)n) {
		/* ASCII is by far the common case: skip the call. */
		if (u[off] < 0x80) {
			n = 1;
			continue;
		}
		if ((n = text_next(u, len, off, &cp)) < 0)
			return false;
	}
	return true;
}

size_t
text_count_chars(const char *s, size_t len)
{
	size_t	i, n = 0;

	/* Every code point has exactly one byte that is not 10xxxxxx. */
	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	}
	return n;
}

bool
text_has_control(const char *s, size_t len)
{
	const uint8_t		*u = (const uint8_t *)s;
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 n;
	size_t			 off;

	for (off = 0; off < len; off += (size_t)n) {
		if ((n = text_next(u, len, off, &cp)) < 0) {
			/* Not valid UTF-8 after all: step over the byte. */
			n = 1;
			continue;
		}
		if (text_is_cc(cp))
			return true;
	}
	return false;
}

/*
 * Pass 1: copies the valid UTF-8 in[0..len) to out without control
 * characters, line breaks folded to '\n' (or ' ' without
 * TEXT_KEEP_NEWLINES) and tabs to ' '.  out must hold len bytes; no
 * replacement is longer than what it replaces.  Returns the bytes written,
 * or SIZE_MAX if the input is not valid UTF-8.
 */
static size_t
text_filter(const uint8_t *in, size_t len, unsigned flags, uint8_t *out)
{
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 n;
	size_t			 off, o = 0;
	uint8_t			 nl;

	nl = (flags & TEXT_KEEP_NEWLINES) ? '\n' : ' ';
	for (off = 0; off < len; off += (size_t)n) {
		if ((n = text_next(in, len, off, &cp)) < 0)
			return SIZE_MAX;
		if (!text_is_cc(cp)) {
			memcpy(out + o, in + off, (size_t)n);
			o += (size_t)n;
			continue;
		}
		switch (cp) {
		case '\r':
			/* "\r\n" is one line break, not two. */
			if (off + 1 < len && in[off + 1] == '\n')
				n = 2;
			out[o++] = nl;
			break;
		case '\n':
			out[o++] = nl;
			break;
		case '\t':
			/* Dropping it would glue the words on each side. */
			out[o++] = ' ';
			break;
		default:
			break;
		}
	}
	return o;
}

enum text_status
text_clean(const char *in, size_t len, unsigned flags, char **out,
    size_t *nchars)
{
	const uint8_t		*u;
	utf8proc_uint8_t	*nfc = NULL;
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 n, nfclen;
	uint8_t			*buf;
	size_t			 flen, off, start, end, first, last, i;

	*out = NULL;
	if (nchars != NULL)
		*nchars = 0;
	if (in == NULL && len != 0)
		return TEXT_INVALID_UTF8;
	/* utf8proc takes signed lengths and needs room to decompose. */
	if (len > (size_t)PTRDIFF_MAX / 8)
		return TEXT_NOMEM;

	if ((buf = malloc(len + 1)) == NULL)
		return TEXT_NOMEM;
	u = (const uint8_t *)in;
	if ((flen = text_filter(u, len, flags, buf)) == SIZE_MAX) {
		free(buf);
		return TEXT_INVALID_UTF8;
	}

	if (flen == 0)
		nfclen = 0;
	else {
		nfclen = utf8proc_map(buf, (utf8proc_ssize_t)flen, &nfc,
		    UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	}
	free(buf);
	if (nfclen < 0) {
		/* The input was validated: only allocation can fail here. */
		return nfclen == UTF8PROC_ERROR_INVALIDUTF8 ?
		    TEXT_INVALID_UTF8 : TEXT_NOMEM;
	}

	/* Find the first and last code points that are not white space. */
	start = end = 0;
	first = last = 0;
	for (off = 0, i = 0; off < (size_t)nfclen; off += (size_t)n, i++) {
		n = text_next(nfc, (size_t)nfclen, off, &cp);
		if (n < 0) {
			free(nfc);
			return TEXT_INVALID_UTF8;
		}
		if (text_is_space(cp))
			continue;
		if (end == 0) {
			start = off;
			first = i;
		}
		end = off + (size_t)n;
		last = i;
	}

	if ((buf = malloc(end - start + 1)) == NULL) {
		free(nfc);
		return TEXT_NOMEM;
	}
	if (end > start)
		memcpy(buf, nfc + start, end - start);
	buf[end - start] = '\0';
	free(nfc);

	*out = (char *)buf;
	if (nchars != NULL)
		*nchars = (end > start) ? last - first + 1 : 0;
	return TEXT_OK;
}
