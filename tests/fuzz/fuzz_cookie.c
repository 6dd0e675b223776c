/*
 * fuzz_cookie.c - auth_cookie_value() on an arbitrary Cookie header.
 *
 * A value found must be what the header really says of that cookie: it
 * follows "name=" at the start of a cookie (the header's start, or
 * after ';' and spaces), is non-empty, holds no ';' and ends in no
 * space; a buffer too small gives NULL, never a cut value.
 */
#include "auth.h"
#include "fuzz_util.h"

#define FUZZ_MAX_HEADER	(8 * 1024)

static void
fuzz_cookie(const char *header, const char *name)
{
	char		 big[FUZZ_MAX_HEADER + 1], small[8];
	const char	*v, *vs, *p;
	size_t		 nlen = strlen(name), vlen;
	int		 found = 0;

	v = auth_cookie_value(header, name, big, sizeof big);
	vs = auth_cookie_value(header, name, small, sizeof small);
	if (v == NULL) {
		if (vs != NULL)
			fuzz_fail("fuzz_cookie", "found only in a small "
			    "buffer");
		return;
	}
	if (v != big)
		fuzz_fail("fuzz_cookie", "answer is not the buffer");
	vlen = strlen(v);
	if (vlen == 0 || strchr(v, ';') != NULL || v[vlen - 1] == ' ')
		fuzz_fail("fuzz_cookie", "bad value \"%s\"", v);
	if (vlen < sizeof small) {
		if (vs == NULL || strcmp(vs, v) != 0)
			fuzz_fail("fuzz_cookie", "small buffer disagrees");
	} else if (vs != NULL)
		fuzz_fail("fuzz_cookie", "value cut to fit");
	/* "name=value" at a cookie's start somewhere in the header. */
	for (p = header; (p = strstr(p, name)) != NULL; p++) {
		if ((p == header || p[-1] == ' ' || p[-1] == ';') &&
		    p[nlen] == '=' && strncmp(p + nlen + 1, v, vlen) == 0 &&
		    (p[nlen + 1 + vlen] == '\0' ||
		    p[nlen + 1 + vlen] == ';' || p[nlen + 1 + vlen] == ' '))
			found = 1;
	}
	if (!found)
		fuzz_fail("fuzz_cookie", "\"%s\" is not in the header", v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*h;

	if (size > FUZZ_MAX_HEADER)
		return 0;
	h = fuzz_cstr(data, size);
	fuzz_cookie(h, SESSION_COOKIE);
	fuzz_cookie(h, SESSION_COOKIE_HOST);
	fuzz_cookie(h, "a");
	free(h);
	return 0;
}
