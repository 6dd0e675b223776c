/*
 * ctl_print.h - commentctl's output: UTF-8 text measured in terminal
 * cells and cut on character boundaries, aligned tables, ages.
 *
 * Widths are counted per character, not per byte: a combining mark (the
 * Arabic harakat, Latin accents) takes no cell, an East Asian wide
 * character two, any other character one.  Text is never cut inside a
 * UTF-8 sequence, nor between a letter and its marks.  No locale is
 * needed: the terminal's may be "C" while the text is Arabic.
 */
#ifndef COMMENTD_CTL_PRINT_H
#define COMMENTD_CTL_PRINT_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "cs.h"

/* The ellipsis that ends a cut cell: U+2026, one cell wide. */
#define CTL_ELLIPSIS	"\xe2\x80\xa6"

/*
 * Decodes the character at s[0..len) (len > 0) into *cp; returns the
 * bytes it takes.  A malformed sequence (overlong, surrogate, cut short,
 * stray continuation byte) is one byte decoded as U+FFFD.
 */
size_t	ctl_utf8_next(const char *s, size_t len, uint32_t *cp);

/* Cells a character takes on a terminal: 0, 1 or 2. */
int	ctl_char_width(uint32_t cp);

/* Cells the string takes. */
size_t	ctl_utf8_width(const char *s);

/*
 * The length in bytes of the longest prefix of s that fits in max cells,
 * ending on a character boundary and keeping a letter's marks with it;
 * its width in *width if width is not NULL.
 */
size_t	ctl_utf8_fit(const char *s, size_t max, size_t *width);

/*
 * s made fit for one table cell, in a new string: control characters
 * (newlines, tabs, ESC, C1) become spaces, runs of white space one space,
 * none at either end; bidirectional embeddings, overrides and isolates
 * are dropped so a comment cannot reorder the rest of its line; malformed
 * UTF-8 becomes U+FFFD.  If the result is wider than max cells (max > 0)
 * it is cut to max - 1 cells and CTL_ELLIPSIS is added.
 */
char	*ctl_cell(const char *s, size_t max);

/*
 * s for a multi-line display (a comment body): as ctl_cell without a
 * limit, but newlines are kept and white space is left as it is.
 */
char	*ctl_text(const char *s);

/*
 * How long ago the RFC 3339 UTC timestamp ("2026-11-28T03:24:02.12Z")
 * was, from now: "45s", "12m", "3h", "5d".  "-" if ts is NULL or does
 * not parse; "0s" for a time in the future.
 */
void	ctl_age(const char *ts, time_t now, char *buf, size_t size);

/*
 * A table printed with its columns aligned: cells are cleaned with
 * ctl_cell() and padded with spaces to their column's width; two spaces
 * between columns, none after the last.
 */
struct ctl_table;

struct ctl_table *ctl_table_new(size_t ncols, const char *const *headers);
/* Cells of column col are cut to max cells (0: no limit, the default). */
void	ctl_table_limit(struct ctl_table *t, size_t col, size_t max);
/* Adds a row of ncols cells (copied; NULL is an empty cell). */
void	ctl_table_add(struct ctl_table *t, const char *const *cells);
size_t	ctl_table_rows(const struct ctl_table *t);
void	ctl_table_print(const struct ctl_table *t, FILE *fp);
void	ctl_table_free(struct ctl_table *t);

#endif
