/*
 * fuzz_ctl_text.c - commentctl's text cleaning (ctl_print.c) on
 * arbitrary bytes: what a comment, an author or a reason becomes on a
 * moderator's terminal.
 *
 * Nothing that reaches the terminal may control it: no C0 (but '\n'
 * and '\t' in a body), no DEL, no C1, no bidirectional override or
 * isolate, and valid UTF-8 only.  A cell is one line, with no space at
 * either end or two in a row, fits its width, and cleans to itself.
 */
#include "ctl_print.h"
#include "fuzz_util.h"
#include "text.h"

#define FUZZ_MAX_INPUT	(16 * 1024)

static void
fuzz_safe(const char *s, int body)
{
	size_t		 len = strlen(s), i, n;
	uint32_t	 cp;

	if (!text_valid_utf8(s, len))
		fuzz_fail("fuzz_ctl_text", "invalid UTF-8 out");
	for (i = 0; i < len; i += n) {
		n = ctl_utf8_next(s + i, len - i, &cp);
		if ((cp < 0x20 && !(body && (cp == '\n' || cp == '\t'))) ||
		    (cp >= 0x7f && cp < 0xa0) ||
		    (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			fuzz_fail("fuzz_ctl_text", "U+%04X reaches the "
			    "terminal", (unsigned)cp);
	}
}

static void
fuzz_cell(const char *s, size_t max)
{
	char	*c, *again;
	size_t	 len;

	c = ctl_cell(s, max);
	fuzz_safe(c, 0);
	len = strlen(c);
	if (len > 0 && (c[0] == ' ' || c[len - 1] == ' '))
		fuzz_fail("fuzz_ctl_text", "space at an end");
	if (strstr(c, "  ") != NULL)
		fuzz_fail("fuzz_ctl_text", "two spaces");
	if (max > 0 && ctl_utf8_width(c) > max)
		fuzz_fail("fuzz_ctl_text", "%zu cells in %zu",
		    ctl_utf8_width(c), max);
	again = ctl_cell(c, max);
	if (strcmp(again, c) != 0)
		fuzz_fail("fuzz_ctl_text", "a cell cleans otherwise");
	free(again);
	free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, *t;
	size_t	 w, fit;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	s = fuzz_cstr(data, size);
	fuzz_cell(s, 0);
	fuzz_cell(s, 1);
	fuzz_cell(s, 2);
	fuzz_cell(s, 12);
	t = ctl_text(s);
	fuzz_safe(t, 1);
	free(t);
	fit = ctl_utf8_fit(s, 10, &w);
	if (fit > strlen(s) || w > 10)
		fuzz_fail("fuzz_ctl_text", "fit %zu bytes, %zu cells", fit, w);
	free(s);
	return 0;
}
