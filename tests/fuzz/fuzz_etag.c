/*
 * fuzz_etag.c - req_etag_matches() on an arbitrary If-None-Match, for
 * the ETags the server gives (cache.c's and assets.c's).
 *
 * Checked against a plain reading of RFC 9110: members separated by
 * commas and optional white space (space or tab), each "*" or an
 * entity tag, weak or not (If-None-Match compares weakly).  A listed
 * tag must match (else a client revalidates for nothing), and a match
 * needs the tag or a "*" in the header.
 */
#include "fuzz_util.h"
#include "req.h"

#define FUZZ_MAX_HEADER	(8 * 1024)

/* True if the header lists etag (or "*") as a member. */
static int
fuzz_listed(const char *h, const char *etag)
{
	const char	*p = h, *end;
	size_t		 n;

	while (*p != '\0') {
		p += strspn(p, " \t");
		end = strchr(p, ',');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 1 && p[0] == '*')
			return 1;
		if (n >= 2 && strncmp(p, "W/", 2) == 0) {
			p += 2;
			n -= 2;
		}
		if (n == strlen(etag) && strncmp(p, etag, n) == 0)
			return 1;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return 0;
}

static void
fuzz_etag(const char *h, const char *etag)
{
	int	m = req_etag_matches(h, etag);

	if (fuzz_listed(h, etag) && !m)
		fuzz_fail("fuzz_etag", "%s listed but not matched", etag);
	if (m && strstr(h, etag) == NULL && strchr(h, '*') == NULL)
		fuzz_fail("fuzz_etag", "%s matched from nothing", etag);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*h;

	if (size > FUZZ_MAX_HEADER)
		return 0;
	h = fuzz_cstr(data, size);
	fuzz_etag(h, "\"0123456789abcdef0123456789abcdef\"");
	fuzz_etag(h, "\"0123456789abcdef0123456789abcdef-gz\"");
	fuzz_etag(h, "\"a\"");
	free(h);
	return 0;
}
