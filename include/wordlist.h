/*
 * wordlist.h - a site's word list, matched against comments in their
 * folded form (fold.h), whole words only.
 *
 * An entry is a word or a phrase of up to WORDLIST_MAX_WORDS words (a
 * link domain "spam.example" is the phrase "spam example").  A word of
 * the text matches an entry word as it is, or after Arabic's attached
 * prefixes: a conjunction (و ف), then a preposition (ب ل ك), then the
 * article (ال), each optional, so "والغبي" and "للغبي" match "غبي" while
 * "غبيراء" does not.  Matching costs a few hash lookups per word of the
 * text, whatever the size of the list.
 *
 * Built once, then only read: one list may be shared by threads.
 */
#ifndef COMMENTD_WORDLIST_H
#define COMMENTD_WORDLIST_H

#include <stdbool.h>
#include <stddef.h>

#define WORDLIST_MAX_WORDS	4

struct wordlist;

/* A listed entry found in a text; entry is the list's own copy. */
struct wordlist_hit {
	long long	 id;
	int		 kind;		/* what the caller added it with */
	const char	*entry;		/* as added, not folded */
};

struct wordlist	*wordlist_new(void);
void		 wordlist_free(struct wordlist *);

/*
 * Adds entry (valid UTF-8) under id and kind.  False (nothing added) if
 * it folds to no word, to a one-letter word, or to more than
 * WORDLIST_MAX_WORDS words.  An entry that folds like one already there
 * replaces nothing: the first one added is the one reported.
 */
bool		 wordlist_add(struct wordlist *, const char *entry,
		    long long id, int kind);
size_t		 wordlist_size(const struct wordlist *);

/*
 * Finds the entries in text[0..len) (valid UTF-8): up to max hits, each
 * entry once, in the order they occur.  Returns how many were found
 * (at most max).
 */
size_t		 wordlist_match(const struct wordlist *, const char *text,
		    size_t len, struct wordlist_hit *hits, size_t max);

#endif
