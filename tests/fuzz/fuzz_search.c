/*
 * fuzz_search.c - an admin list's q as paging.c makes it a LIKE
 * pattern: text_clean() as paging_parse() does, then
 * paging_like_pattern().
 *
 * The pattern must be '%', the text with each LIKE metacharacter
 * (% _ \) behind exactly one backslash, and '%': read back by LIKE's
 * rules it is the search text again, with no wildcard of the reader's.
 */
#include "fuzz_util.h"
#include "paging.h"
#include "text.h"

#define FUZZ_MAX_INPUT	(8 * 1024)

static void
fuzz_pattern(const char *q)
{
	char	*pat;
	size_t	 len, i, o, qlen = strlen(q);

	pat = paging_like_pattern(q);
	len = strlen(pat);
	if (len < 2 || pat[0] != '%' || pat[len - 1] != '%')
		fuzz_fail("fuzz_search", "not %%...%%");
	/* Unescape the inside as LIKE does: each '\' takes the next. */
	for (i = 1, o = 0; i < len - 1; i++, o++) {
		if (pat[i] == '%' || pat[i] == '_')
			fuzz_fail("fuzz_search", "bare wildcard at %zu", i);
		if (pat[i] == '\\') {
			if (i + 1 >= len - 1)
				fuzz_fail("fuzz_search", "escape eats the %%");
			i++;
			if (pat[i] != '%' && pat[i] != '_' && pat[i] != '\\')
				fuzz_fail("fuzz_search", "needless escape");
		}
		if (o >= qlen || pat[i] != q[o])
			fuzz_fail("fuzz_search", "pattern is not the text");
	}
	if (o != qlen)
		fuzz_fail("fuzz_search", "pattern lost text");
	free(pat);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*q, *clean;
	size_t	 n;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	q = fuzz_cstr(data, size);
	fuzz_pattern(q);
	/* What paging_parse() makes of a q parameter. */
	if (text_clean(q, strlen(q), 0, &clean, &n) == TEXT_OK) {
		fuzz_pattern(clean);
		free(clean);
	}
	free(q);
	return 0;
}
