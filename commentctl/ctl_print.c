/*
 * ctl_print.c - commentctl's output: widths, cells, tables (see
 * ctl_print.h).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_print.h"
#include "xmalloc.h"

struct ctl_range {
	uint32_t	lo, hi;
};

/*
 * Characters that take no cell: the combining marks of the scripts news
 * sites publish in here (Latin, Cyrillic, Hebrew, Arabic with its
 * extensions) and the invisible format characters.  Marks of other
 * scripts count one cell, which only makes a column a little wide.
 */
static const struct ctl_range ctl_zero_width[] = {
	{ 0x0300, 0x036f }, { 0x0483, 0x0489 }, { 0x0591, 0x05bd },
	{ 0x05bf, 0x05bf }, { 0x05c1, 0x05c2 }, { 0x05c4, 0x05c5 },
	{ 0x05c7, 0x05c7 }, { 0x0610, 0x061a }, { 0x061c, 0x061c },
	{ 0x064b, 0x065f }, { 0x0670, 0x0670 }, { 0x06d6, 0x06dc },
	{ 0x06df, 0x06e4 }, { 0x06e7, 0x06e8 }, { 0x06ea, 0x06ed },
	{ 0x08d3, 0x08ff }, { 0x1ab0, 0x1aff }, { 0x1dc0, 0x1dff },
	{ 0x200b, 0x200f }, { 0x202a, 0x202e }, { 0x2060, 0x2064 },
	{ 0x2066, 0x206f }, { 0x20d0, 0x20ff }, { 0xfe00, 0xfe0f },
	{ 0xfe20, 0xfe2f }, { 0xfeff, 0xfeff }, { 0xe0100, 0xe01ef },
};

/* East Asian wide and fullwidth blocks, and the common emoji. */
static const struct ctl_range ctl_double_width[] = {
	{ 0x1100, 0x115f }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff },
	{ 0x3400, 0x4dbf }, { 0x4e00, 0x9fff }, { 0xa000, 0xa4cf },
	{ 0xac00, 0xd7a3 }, { 0xf900, 0xfaff }, { 0xfe30, 0xfe4f },
	{ 0xff00, 0xff60 }, { 0xffe0, 0xffe6 }, { 0x1f300, 0x1f64f },
	{ 0x1f900, 0x1f9ff }, { 0x20000, 0x3fffd },
};

/* What a cell's text must not contain. */
enum ctl_class {
	CTL_CHAR,		/* anything printable */
	CTL_SPACE,		/* white space, control characters */
	CTL_NEWLINE,		/* '\n' */
	CTL_BIDI,		/* embeddings, overrides, isolates */
};

struct ctl_table {
	size_t	 ncols;
	size_t	*max;		/* per column; 0: no limit */
	size_t	*width;		/* per column, the widest cell so far */
	char	**cells;	/* row by row, the header first */
	size_t	 nrows;		/* with the header */
	size_t	 cap;		/* rows */
};

static bool	 ctl_in(const struct ctl_range *, size_t, uint32_t);
static enum ctl_class ctl_classify(uint32_t);
static char	*ctl_clean(const char *, bool);

static bool
ctl_in(const struct ctl_range *r, size_t n, uint32_t cp)
{
	size_t	lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cp < r[mid].lo)
			hi = mid;
		else if (cp > r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

size_t
ctl_utf8_next(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char	*u = (const unsigned char *)s;
	uint32_t		 c;
	size_t			 n, i;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		n = 2;
		c = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		n = 3;
		c = u[0] & 0x0f;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		n = 4;
		c = u[0] & 0x07;
	} else
		goto bad;
	if (len < n)
		goto bad;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			goto bad;
		c = (c << 6) | (u[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 ||
	    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*cp = c;
	return n;
bad:
	*cp = 0xfffd;
	return 1;
}

int
ctl_char_width(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return 0;
	if (cp < 0x300)
		return 1;
	if (ctl_in(ctl_zero_width, CS_NELEM(ctl_zero_width), cp))
		return 0;
	if (ctl_in(ctl_double_width, CS_NELEM(ctl_double_width), cp))
		return 2;
	return 1;
}

size_t
ctl_utf8_width(const char *s)
{
	size_t		 len = strlen(s), pos = 0, w = 0;
	uint32_t	 cp;

	while (pos < len) {
		pos += ctl_utf8_next(s + pos, len - pos, &cp);
		w += (size_t)ctl_char_width(cp);
	}
	return w;
}

size_t
ctl_utf8_fit(const char *s, size_t max, size_t *width)
{
	size_t		 len = strlen(s), pos = 0, end = 0, w = 0, n;
	uint32_t	 cp;
	int		 cw;

	while (pos < len) {
		n = ctl_utf8_next(s + pos, len - pos, &cp);
		cw = ctl_char_width(cp);
		if (cw == 0) {
			/* A mark goes with the letter before it, if that
			 * letter is in. */
			if (pos == end)
				end = pos + n;
		} else if (w + (size_t)cw > max)
			break;
		else {
			w += (size_t)cw;
			end = pos + n;
		}
		pos += n;
	}
	if (width != NULL)
		*width = w;
	return end;
}

static enum ctl_class
ctl_classify(uint32_t cp)
{
	if (cp == '\n')
		return CTL_NEWLINE;
	if (cp <= 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0xa0 ||
	    cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
	    cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f ||
	    cp == 0x3000)
		return CTL_SPACE;
	if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return CTL_BIDI;
	return CTL_CHAR;
}

/*
 * The cleaning of ctl_cell (one_line) and ctl_text.  A malformed byte
 * becomes three (U+FFFD), so three times the input is always enough.
 */
static char *
ctl_clean(const char *s, bool one_line)
{
	static const char	 repl[] = "\xef\xbf\xbd";
	size_t			 len = strlen(s), pos = 0, o = 0, n;
	uint32_t		 cp;
	bool			 gap = false;
	char			*out;

	out = xmalloc(len * 3 + sizeof CTL_ELLIPSIS);
	while (pos < len) {
		n = ctl_utf8_next(s + pos, len - pos, &cp);
		switch (ctl_classify(cp)) {
		case CTL_BIDI:
			break;
		case CTL_NEWLINE:
			if (!one_line) {
				out[o++] = '\n';
				break;
			}
			/* FALLTHROUGH */
		case CTL_SPACE:
			if (one_line)
				gap = o > 0;
			else if (cp == '\t' || cp >= 0xa0) {
				/* White space, not a control: as it is. */
				memcpy(out + o, s + pos, n);
				o += n;
			} else
				out[o++] = ' ';
			break;
		case CTL_CHAR:
			if (gap)
				out[o++] = ' ';
			gap = false;
			if (cp == 0xfffd && n == 1) {
				memcpy(out + o, repl, 3);
				o += 3;
			} else {
				memcpy(out + o, s + pos, n);
				o += n;
			}
			break;
		}
		pos += n;
	}
	out[o] = '\0';
	return out;
}

char *
ctl_cell(const char *s, size_t max)
{
	char	*out;
	size_t	 end;

	out = ctl_clean(s, true);
	if (max == 0 || ctl_utf8_width(out) <= max)
		return out;
	end = ctl_utf8_fit(out, max - 1, NULL);
	/* No space before the ellipsis: the cut shows. */
	while (end > 0 && out[end - 1] == ' ')
		end--;
	memcpy(out + end, CTL_ELLIPSIS, sizeof CTL_ELLIPSIS);
	return out;
}

char *
ctl_text(const char *s)
{
	return ctl_clean(s, false);
}

void
ctl_age(const char *ts, time_t now, char *buf, size_t size)
{
	struct tm	 tm;
	time_t		 t;
	long long	 d;

	memset(&tm, 0, sizeof tm);
	if (ts == NULL || sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
	    &tm.tm_sec) != 6) {
		snprintf(buf, size, "-");
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if ((t = timegm(&tm)) == (time_t)-1) {
		snprintf(buf, size, "-");
		return;
	}
	d = now > t ? (long long)(now - t) : 0;
	if (d < 60)
		snprintf(buf, size, "%llds", d);
	else if (d < 3600)
		snprintf(buf, size, "%lldm", d / 60);
	else if (d < 86400)
		snprintf(buf, size, "%lldh", d / 3600);
	else
		snprintf(buf, size, "%lldd", d / 86400);
}

/* -- tables ---------------------------------------------------------------- */

struct ctl_table *
ctl_table_new(size_t ncols, const char *const *headers)
{
	struct ctl_table	*t;

	t = xcalloc(1, sizeof *t);
	t->ncols = ncols;
	t->max = xcalloc(ncols, sizeof *t->max);
	t->width = xcalloc(ncols, sizeof *t->width);
	ctl_table_add(t, headers);
	return t;
}

void
ctl_table_limit(struct ctl_table *t, size_t col, size_t max)
{
	if (col < t->ncols)
		t->max[col] = max;
}

void
ctl_table_add(struct ctl_table *t, const char *const *cells)
{
	char	*c;
	size_t	 i, w;

	if (t->nrows == t->cap) {
		t->cap = t->cap == 0 ? 16 : t->cap * 2;
		t->cells = xrealloc(t->cells, t->cap * t->ncols *
		    sizeof *t->cells);
	}
	for (i = 0; i < t->ncols; i++) {
		c = ctl_cell(cells[i] != NULL ? cells[i] : "", t->max[i]);
		if ((w = ctl_utf8_width(c)) > t->width[i])
			t->width[i] = w;
		t->cells[t->nrows * t->ncols + i] = c;
	}
	t->nrows++;
}

size_t
ctl_table_rows(const struct ctl_table *t)
{
	return t->nrows - 1;
}

void
ctl_table_print(const struct ctl_table *t, FILE *fp)
{
	char *const	*row;
	size_t		 r, i, end, pad;

	for (r = 0; r < t->nrows; r++) {
		row = t->cells + r * t->ncols;
		/* No padding after the last cell with text. */
		for (end = t->ncols; end > 1 && row[end - 1][0] == '\0'; end--)
			;
		for (i = 0; i < end; i++) {
			fputs(row[i], fp);
			if (i + 1 == end)
				break;
			pad = t->width[i] - ctl_utf8_width(row[i]) + 2;
			while (pad-- > 0)
				fputc(' ', fp);
		}
		fputc('\n', fp);
	}
}

void
ctl_table_free(struct ctl_table *t)
{
	size_t	 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->max);
	free(t->width);
	free(t);
}
