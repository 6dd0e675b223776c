/*
 * fuzz_text.c - text_clean() on arbitrary bytes, in both flag modes.
 *
 * Besides crashes, checks what text.h promises of a TEXT_OK result:
 * valid UTF-8, no control characters (but '\n' when kept), no white
 * space at either end, a correct character count, and that cleaning it
 * again changes nothing.  A broken promise aborts, which the fuzzer and
 * the replay runner both report as a failure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Past this, inputs only slow the fuzzer down: bodies are far shorter. */
#define FUZZ_MAX_INPUT	(64 * 1024)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	fuzz_check(const char *, size_t, unsigned);
static void	fuzz_fail(const char *, unsigned);

static void
fuzz_fail(const char *what, unsigned flags)
{
	fprintf(stderr, "fuzz_text: %s (flags %#x)\n", what, flags);
	abort();
}

static void
fuzz_check(const char *in, size_t len, unsigned flags)
{
	enum text_status	 st;
	char			*out, *again, *copy;
	size_t			 olen, n, n2, i, c;
	unsigned char		 b;

	st = text_clean(in, len, flags, &out, &n);
	if (st == TEXT_NOMEM)
		return;
	/* Both entry points must agree on what valid UTF-8 is. */
	if ((st == TEXT_OK) != text_valid_utf8(in, len))
		fuzz_fail("text_clean and text_valid_utf8 disagree", flags);
	if (st != TEXT_OK) {
		if (out != NULL)
			fuzz_fail("output set on error", flags);
		return;
	}
	if (out == NULL)
		fuzz_fail("no output on TEXT_OK", flags);

	/* NULs are controls, so strlen() is the whole output. */
	olen = strlen(out);
	if (!text_valid_utf8(out, olen))
		fuzz_fail("output is not valid UTF-8", flags);
	if (n != text_count_chars(out, olen))
		fuzz_fail("wrong character count", flags);
	if (olen > 0 && (out[0] == ' ' || out[olen - 1] == ' ' ||
	    out[0] == '\n' || out[olen - 1] == '\n'))
		fuzz_fail("white space at an end", flags);

	/* Kept newlines are the only control allowed: check without them. */
	copy = malloc(olen + 1);
	if (copy == NULL)
		abort();
	for (i = 0, c = 0; i < olen; i++) {
		b = (unsigned char)out[i];
		if (b == '\n') {
			if (!(flags & TEXT_KEEP_NEWLINES))
				fuzz_fail("newline kept without the flag",
				    flags);
			continue;
		}
		/*
		 * Also by hand, not only through text.c's own test: C0, DEL
		 * and C1 (U+0080-U+009F, C2 80..C2 9F in valid UTF-8).
		 */
		if (b < 0x20 || b == 0x7f ||
		    (b == 0xc2 && (unsigned char)out[i + 1] <= 0x9f))
			fuzz_fail("control byte in output", flags);
		copy[c++] = out[i];
	}
	if (text_has_control(copy, c))
		fuzz_fail("control character in output", flags);
	free(copy);

	if (text_clean(out, olen, flags, &again, &n2) != TEXT_OK)
		fuzz_fail("cleaning the output failed", flags);
	if (n2 != n || strlen(again) != olen || memcmp(again, out, olen) != 0)
		fuzz_fail("text_clean is not idempotent", flags);
	free(again);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX_INPUT)
		return 0;
	fuzz_check((const char *)data, size, 0);
	fuzz_check((const char *)data, size, TEXT_KEEP_NEWLINES);
	return 0;
}
