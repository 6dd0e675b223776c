/*
 * fold.c - text folded for word-list matching (see fold.h).
 *
 * One pass over the text after utf8proc's normalisation: each code point
 * is folded by fold_cp(), appended to the current word unless it repeats
 * the word's last letter, and a separator ends the word.  A second pass
 * over the words rejoins runs of one-letter words.  Both are linear in
 * the text.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "fold.h"
#include "xmalloc.h"

/* What fold_cp() makes of a code point besides another code point. */
#define FOLD_DROP	(-1)	/* removed: the word goes on */
#define FOLD_SEP	(-2)	/* not part of a word */

/* A word: its code points are cps[start .. start + len). */
struct fold_word {
	size_t	start;
	size_t	len;
};

static utf8proc_int32_t	fold_cp(utf8proc_int32_t);
static size_t		fold_rejoin(utf8proc_int32_t *, struct fold_word *,
			    size_t);
static size_t		fold_emphasis(utf8proc_int32_t *, size_t);
static bool		fold_is_digit(utf8proc_int32_t);

static bool
fold_is_digit(utf8proc_int32_t cp)
{
	return utf8proc_get_property(cp)->category == UTF8PROC_CATEGORY_ND;
}

/*
 * The letters that fold to another, beyond what NFKC, case folding and
 * mark removal already did; and what is dropped or separates.
 */
static utf8proc_int32_t
fold_cp(utf8proc_int32_t cp)
{
	const utf8proc_property_t	*p;

	switch (cp) {
	case 0x0640:		/* tatweel: stretches a word, not a letter */
	case 0x0621:		/* a lone hamza: often left out */
		return FOLD_DROP;
	case 0x0622:		/* آ أ إ ٱ (and any left composed) → ا */
	case 0x0623:
	case 0x0625:
	case 0x0671:
		return 0x0627;
	case 0x0624:		/* ؤ → و */
		return 0x0648;
	case 0x0626:		/* ئ ى ی → ي */
	case 0x0649:
	case 0x06CC:
		return 0x064A;
	case 0x0629:		/* ة ۀ ہ ە → ه */
	case 0x06C0:
	case 0x06C1:
	case 0x06D5:
		return 0x0647;
	case 0x06A9:		/* Persian keheh ک → ك */
		return 0x0643;
	}
	if (cp >= 0x0660 && cp <= 0x0669)	/* Arabic-Indic digits */
		return '0' + (cp - 0x0660);
	if (cp >= 0x06F0 && cp <= 0x06F9)	/* extended (Persian, Urdu) */
		return '0' + (cp - 0x06F0);

	p = utf8proc_get_property(cp);
	switch (p->category) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return cp;
	case UTF8PROC_CATEGORY_MN:	/* marks mapping left (none expected) */
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_CF:	/* format characters hide nothing */
		return FOLD_DROP;
	default:
		return FOLD_SEP;
	}
}

/*
 * c[0..len) with each letter written three or more times in a row kept
 * once, as fold_words() does within a word; returns the new length.
 */
static size_t
fold_emphasis(utf8proc_int32_t *c, size_t len)
{
	size_t	i = 0, j, o = 0;

	while (i < len) {
		for (j = i + 1; j < len && c[j] == c[i]; j++)
			;
		if (j - i >= 3 && !fold_is_digit(c[i]))
			c[o++] = c[i];
		else
			while (i < j)
				c[o++] = c[i++];
		i = j;
	}
	return o;
}

/*
 * Joins each run of two or more one-letter words into one word (their
 * code points are adjacent in order, so only the bounds move), with its
 * emphasis dropped too: "غ ب ي ي ي" is "غبي", and folding what was
 * folded changes nothing.  Returns the new number of words.
 */
static size_t
fold_rejoin(utf8proc_int32_t *cps, struct fold_word *w, size_t n)
{
	size_t	i = 0, out = 0, j;

	while (i < n) {
		j = i;
		while (j < n && w[j].len == 1)
			j++;
		if (j - i >= 2) {
			w[out].start = w[i].start;
			/* The letters were copied next to each other. */
			w[out].len = fold_emphasis(cps + w[i].start, j - i);
			out++;
			i = j;
			continue;
		}
		w[out++] = w[i++];
	}
	return out;
}

char *
fold_words(const char *s, size_t len, size_t *nwords)
{
	utf8proc_uint8_t	*norm = NULL;
	utf8proc_ssize_t	 nlen, n, off;
	utf8proc_int32_t	 cp, f, *cps;
	struct fold_word	*words;
	size_t			 ncps = 0, nw = 0, i, k, outlen = 0;
	bool			 in_word = false;
	int			 run = 0;	/* repeats of the last letter */
	char			*out;

	if (len > 0) {
		nlen = utf8proc_map((const utf8proc_uint8_t *)s,
		    (utf8proc_ssize_t)len, &norm, UTF8PROC_STABLE |
		    UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
		    UTF8PROC_IGNORE | UTF8PROC_STRIPMARK);
		if (nlen < 0)		/* invalid UTF-8: nothing to match */
			nlen = 0;
	} else
		nlen = 0;

	/* At most one code point and one word per byte. */
	cps = xcalloc((size_t)nlen + 1, sizeof *cps);
	words = xcalloc((size_t)nlen + 1, sizeof *words);
	for (off = 0; off < nlen; off += n) {
		n = utf8proc_iterate(norm + off, nlen - off, &cp);
		if (n <= 0)
			break;
		if ((f = fold_cp(cp)) == FOLD_DROP)
			continue;
		if (f == FOLD_SEP) {
			in_word = false;
			continue;
		}
		if (!in_word) {
			words[nw].start = ncps;
			words[nw].len = 0;
			nw++;
			in_word = true;
			run = 0;
		} else if (cps[ncps - 1] == f && !fold_is_digit(f)) {
			/*
			 * Three or more of a letter are emphasis: keep one.
			 * Two may be the word's own ("ممتاز", "الله"); digits
			 * are never emphasis (1000).
			 */
			if (++run >= 2) {
				if (run == 2) {
					ncps--;
					words[nw - 1].len--;
				}
				continue;
			}
		} else
			run = 0;
		cps[ncps++] = f;
		words[nw - 1].len++;
	}
	free(norm);
	nw = fold_rejoin(cps, words, nw);

	for (i = 0; i < nw; i++)
		outlen += words[i].len * 4 + 1;
	out = xmalloc(outlen + 1);
	outlen = 0;
	for (i = 0; i < nw; i++) {
		if (i > 0)
			out[outlen++] = ' ';
		for (k = 0; k < words[i].len; k++)
			outlen += (size_t)utf8proc_encode_char(
			    cps[words[i].start + k],
			    (utf8proc_uint8_t *)out + outlen);
	}
	out[outlen] = '\0';
	free(cps);
	free(words);
	if (nwords != NULL)
		*nwords = nw;
	return out;
}
