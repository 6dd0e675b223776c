/*
 * fuzz_accept_encoding.c - assets_accepts_gzip() on an arbitrary
 * Accept-Encoding.
 *
 * Checked against a plain reading of RFC 9110: members separated by
 * commas and optional white space (space or tab), a coding (names
 * compare without case) and parameters after ';': a "q" (any case) of
 * weight 0 among them refuses it.  The first "gzip" member decides;
 * one that is absent or refused means the plain copy.
 */
#include <strings.h>

#include "assets.h"
#include "fuzz_util.h"

#define FUZZ_MAX_HEADER	(8 * 1024)

/* s[0..*n) without optional white space at either end. */
static const char *
fuzz_trim(const char *s, size_t *n)
{
	while (*n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		(*n)--;
	}
	while (*n > 0 && (s[*n - 1] == ' ' || s[*n - 1] == '\t'))
		(*n)--;
	return s;
}

/* The reference: 1 gzip, 0 not. */
static int
fuzz_gzip(const char *h)
{
	const char	*m = h, *end, *p, *semi, *t;
	size_t		 mlen, n;
	char		*q;
	int		 zero;

	for (;;) {
		end = strchr(m, ',');
		mlen = end != NULL ? (size_t)(end - m) : strlen(m);
		semi = memchr(m, ';', mlen);
		n = semi != NULL ? (size_t)(semi - m) : mlen;
		t = fuzz_trim(m, &n);
		if (n == 4 && strncasecmp(t, "gzip", 4) == 0) {
			/* Each parameter: a zero "q" refuses. */
			for (p = semi; p != NULL && p < m + mlen; ) {
				semi = memchr(p + 1, ';',
				    (size_t)(m + mlen - p - 1));
				n = (semi != NULL ? (size_t)(semi - p) :
				    (size_t)(m + mlen - p)) - 1;
				t = fuzz_trim(p + 1, &n);
				if (n >= 2 && strncasecmp(t, "q=", 2) == 0) {
					q = fuzz_cstr((const uint8_t *)t + 2,
					    n - 2);
					zero = strtod(q, NULL) == 0;
					free(q);
					if (zero)
						return 0;
				}
				p = semi;
			}
			return 1;
		}
		if (end == NULL)
			return 0;
		m = end + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*h;
	int	 got, want;

	if (size > FUZZ_MAX_HEADER)
		return 0;
	h = fuzz_cstr(data, size);
	got = assets_accepts_gzip(h);
	want = fuzz_gzip(h);
	if (got != want)
		fuzz_fail("fuzz_accept_encoding", "\"%s\": gzip %d, want %d",
		    h, got, want);
	if (assets_accepts_gzip(NULL))
		fuzz_fail("fuzz_accept_encoding", "gzip without a header");
	free(h);
	return 0;
}
