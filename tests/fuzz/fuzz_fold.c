/*
 * fuzz_fold.c - fold_words() on arbitrary valid UTF-8.
 *
 * The folded text is valid UTF-8, its words separated by single spaces
 * with none at either end, *nwords counts them, and folding is
 * idempotent: a folded text folds to itself (the word list folds its
 * entries, the matcher the comment, and both must meet).
 */
#include "fold.h"
#include "fuzz_util.h"
#include "text.h"

#define FUZZ_MAX_INPUT	(16 * 1024)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data;
	char		*f, *g;
	size_t		 n, n2, len, i, spaces = 0;

	if (size > FUZZ_MAX_INPUT || !text_valid_utf8(s, size))
		return 0;
	f = fold_words(s, size, &n);
	len = strlen(f);
	if (!text_valid_utf8(f, len))
		fuzz_fail("fuzz_fold", "output is not valid UTF-8");
	if (len > 0 && (f[0] == ' ' || f[len - 1] == ' '))
		fuzz_fail("fuzz_fold", "space at an end");
	for (i = 0; i < len; i++) {
		if (f[i] == ' ' && f[i + 1] == ' ')
			fuzz_fail("fuzz_fold", "two spaces");
		spaces += f[i] == ' ';
	}
	if (n != (len == 0 ? 0 : spaces + 1))
		fuzz_fail("fuzz_fold", "%zu words counted in \"%s\"", n, f);
	g = fold_words(f, len, &n2);
	if (strcmp(f, g) != 0 || n2 != n)
		fuzz_fail("fuzz_fold", "not idempotent: \"%s\" -> \"%s\"", f,
		    g);
	free(g);
	free(f);
	return 0;
}
