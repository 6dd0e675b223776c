/*
 * fold.h - text folded for word-list matching: the form in which a
 * word and its spelling tricks, and Arabic's spelling variants, are the
 * same string.
 *
 * Folding, in order (tests/unit/fold-cases.txt is the table of cases):
 *  - NFKC (presentation forms and ligatures become letters), Unicode
 *    case folding, default-ignorable characters (ZWJ, ZWNJ, bidi
 *    controls, soft hyphen) and combining marks removed: tashkeel,
 *    Latin accents, and the hamza of أ إ آ ؤ ئ with them;
 *  - tatweel and a lone hamza (ء) removed; ٱ → ا, ى and Persian ی → ي,
 *    ة and ۀ ہ ە → ه, Persian ک → ك; Arabic-Indic and extended
 *    Arabic-Indic digits → ASCII digits;
 *  - words are runs of letters and digits; anything else separates;
 *  - a letter written three or more times in a row is emphasis and
 *    counts once ("غبيييي" → "غبي"); twice may be the word's own
 *    ("الله", "ممتاز", "good") and stays;
 *  - two or more one-letter words in a row are rejoined into one
 *    ("غ ب ي", "s.p.a.m" → "غبي", "spam").
 */
#ifndef COMMENTD_FOLD_H
#define COMMENTD_FOLD_H

#include <stddef.h>

/*
 * Folds s[0..len) (valid UTF-8) into its words, each separated from the
 * next by one space.  Returns a new NUL-terminated string the caller
 * frees with free(); "" when the text has no word.  *nwords (if not
 * NULL) gets the number of words.
 */
char	*fold_words(const char *s, size_t len, size_t *nwords);

#endif
