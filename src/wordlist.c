/*
 * wordlist.c - word-list matching on folded text (see wordlist.h).
 *
 * Entries are kept folded ("w1 w2", one space between words) in an
 * open-addressing hash table.  A text is folded the same way; every
 * candidate (a run of 1..max_words words starting at a word, with or
 * without an Arabic prefix) is then a contiguous slice of the folded
 * text, looked up without copying.  Prefixes are parsed, not searched:
 * at most a dozen candidates per word, so matching is linear in the text
 * and independent of the list's size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "wordlist.h"
#include "xmalloc.h"

struct wl_entry {
	char		*key;		/* folded; NULL: free slot */
	size_t		 keylen;
	long long	 id;
	int		 kind;
	char		*entry;
};

struct wordlist {
	struct wl_entry	*slots;
	size_t		 cap;		/* a power of two */
	size_t		 n;
	int		 max_words;	/* longest entry, in words */
};

/* A word of a folded text: bytes [start, end). */
struct wl_span {
	size_t	start;
	size_t	end;
};

/* The letters of the prefixes, as folded UTF-8 (two bytes each). */
#define WL_WAW		"\xd9\x88"	/* و */
#define WL_FA		"\xd9\x81"	/* ف */
#define WL_BA		"\xd8\xa8"	/* ب */
#define WL_LAM		"\xd9\x84"	/* ل */
#define WL_KAF		"\xd9\x83"	/* ك */
#define WL_AL		"\xd8\xa7\xd9\x84"	/* ال */
#define WL_LETTER	2
#define WL_MAX_STEMS	10

static uint64_t	wl_hash(const char *, size_t);
static const struct wl_entry *wl_find(const struct wordlist *, const char *,
		    size_t);
static void	wl_grow(struct wordlist *);
static size_t	wl_prefixes(const char *, size_t, size_t *);
static size_t	wl_letters(const char *, size_t);
static size_t	wl_hit(const struct wl_entry *, struct wordlist_hit *,
		    size_t, size_t);

/* FNV-1a: entries are the admins' own, so no adversary picks them. */
static uint64_t
wl_hash(const char *s, size_t len)
{
	uint64_t	h = 14695981039346656037ULL;
	size_t		i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static const struct wl_entry *
wl_find(const struct wordlist *wl, const char *key, size_t len)
{
	size_t	i;

	if (wl->n == 0)
		return NULL;
	for (i = wl_hash(key, len) & (wl->cap - 1); wl->slots[i].key != NULL;
	    i = (i + 1) & (wl->cap - 1)) {
		if (wl->slots[i].keylen == len &&
		    memcmp(wl->slots[i].key, key, len) == 0)
			return &wl->slots[i];
	}
	return NULL;
}

/* Doubles the table, keeping it at most half full. */
static void
wl_grow(struct wordlist *wl)
{
	struct wl_entry	*old = wl->slots;
	size_t		 oldcap = wl->cap, i, j;

	wl->cap = oldcap == 0 ? 64 : oldcap * 2;
	wl->slots = xcalloc(wl->cap, sizeof *wl->slots);
	for (i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		for (j = wl_hash(old[i].key, old[i].keylen) & (wl->cap - 1);
		    wl->slots[j].key != NULL; j = (j + 1) & (wl->cap - 1))
			;
		wl->slots[j] = old[i];
	}
	free(old);
}

struct wordlist *
wordlist_new(void)
{
	return xcalloc(1, sizeof(struct wordlist));
}

void
wordlist_free(struct wordlist *wl)
{
	size_t	i;

	if (wl == NULL)
		return;
	for (i = 0; i < wl->cap; i++) {
		free(wl->slots[i].key);
		free(wl->slots[i].entry);
	}
	free(wl->slots);
	free(wl);
}

size_t
wordlist_size(const struct wordlist *wl)
{
	return wl->n;
}

/* Code points in a folded slice (valid UTF-8). */
static size_t
wl_letters(const char *s, size_t len)
{
	size_t	i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

bool
wordlist_add(struct wordlist *wl, const char *entry, long long id,
    int kind)
{
	char		*key;
	size_t		 nwords, len, i;

	key = fold_words(entry, strlen(entry), &nwords);
	len = strlen(key);
	if (nwords == 0 || nwords > WORDLIST_MAX_WORDS ||
	    wl_letters(key, len) < 2 || wl_find(wl, key, len) != NULL) {
		free(key);
		return false;
	}
	if ((wl->n + 1) * 2 > wl->cap)
		wl_grow(wl);
	for (i = wl_hash(key, len) & (wl->cap - 1); wl->slots[i].key != NULL;
	    i = (i + 1) & (wl->cap - 1))
		;
	wl->slots[i].key = key;
	wl->slots[i].keylen = len;
	wl->slots[i].id = id;
	wl->slots[i].kind = kind;
	wl->slots[i].entry = xstrdup(entry);
	wl->n++;
	if ((int)nwords > wl->max_words)
		wl->max_words = (int)nwords;
	return true;
}

/*
 * The byte offsets in word w[0..len) where a stem may start after
 * Arabic prefixes: a conjunction (و ف), then a preposition (ب ك ل),
 * then the article (ال), each optional; ل before the article is written
 * "لل".  Fills at[] (room for WL_MAX_STEMS), 0 first (the whole word),
 * and returns how many.
 */
static size_t
wl_prefixes(const char *w, size_t len, size_t *at)
{
	size_t	conj[2], nconj = 1, n = 0, a, p, q;

#define WL_AT(off, letters) \
	(len >= (off) + sizeof(letters) - 1 && \
	    memcmp(w + (off), letters, sizeof(letters) - 1) == 0)
	conj[0] = 0;
	if (WL_AT(0, WL_WAW) || WL_AT(0, WL_FA))
		conj[nconj++] = WL_LETTER;
	for (a = 0; a < nconj; a++) {
		p = conj[a];
		at[n++] = p;
		if (WL_AT(p, WL_AL))
			at[n++] = p + 2 * WL_LETTER;
		if (WL_AT(p, WL_BA) || WL_AT(p, WL_KAF) || WL_AT(p, WL_LAM)) {
			q = p + WL_LETTER;
			at[n++] = q;
			if (WL_AT(q, WL_AL))
				at[n++] = q + 2 * WL_LETTER;
			if (WL_AT(p, WL_LAM) && WL_AT(q, WL_LAM))
				at[n++] = q + WL_LETTER;
		}
	}
#undef WL_AT
	return n;
}

/* Records e in hits[0..n) unless it is there; returns the new count. */
static size_t
wl_hit(const struct wl_entry *e, struct wordlist_hit *hits, size_t n,
    size_t max)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (hits[i].id == e->id && hits[i].kind == e->kind)
			return n;
	if (n == max)
		return n;
	hits[n].id = e->id;
	hits[n].kind = e->kind;
	hits[n].entry = e->entry;
	return n + 1;
}

size_t
wordlist_match(const struct wordlist *wl, const char *text, size_t len,
    struct wordlist_hit *hits, size_t max)
{
	const struct wl_entry	*e;
	struct wl_span		*w;
	char			*f;
	size_t			 nw, flen, i, j, k, np, nhits = 0;
	size_t			 at[WL_MAX_STEMS], start, s;

	if (wl->n == 0 || max == 0)
		return 0;
	f = fold_words(text, len, &nw);
	flen = strlen(f);
	w = xcalloc(nw + 1, sizeof *w);
	for (i = 0, j = 0, start = 0; i <= flen; i++) {
		if (i == flen || f[i] == ' ') {
			w[j].start = start;
			w[j].end = i;
			j++;
			start = i + 1;
		}
	}

	for (i = 0; i < nw && nhits < max; i++) {
		np = wl_prefixes(f + w[i].start, w[i].end - w[i].start, at);
		for (k = 0; k < np; k++) {
			s = w[i].start + at[k];
			/* A stem keeps two letters; the whole word may be
			 * one, the first of a phrase ("a b2 c3"). */
			if (at[k] > 0 && wl_letters(f + s, w[i].end - s) < 2)
				continue;
			for (j = i; j < nw && j - i < (size_t)wl->max_words;
			    j++) {
				e = wl_find(wl, f + s, w[j].end - s);
				if (e != NULL)
					nhits = wl_hit(e, hits, nhits, max);
			}
		}
	}
	free(w);
	free(f);
	return nhits;
}
