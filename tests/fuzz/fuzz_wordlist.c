/*
 * fuzz_wordlist.c - a word list built and matched from arbitrary text.
 *
 * Input: lines "b ENTRY" (banned) or "s ENTRY" (suspect) build the
 * list; the rest, from the first other line, is the text.  A hit must
 * be an entry added, under its id and kind, found at most once, and no
 * more hits than asked; and each entry the list took must be found in
 * a text that is the entry itself (what a moderator lists, a comment
 * saying just that must trip).
 */
#include "fold.h"
#include "fuzz_util.h"
#include "text.h"
#include "wordlist.h"

#define FUZZ_MAX_INPUT	(16 * 1024)
#define FUZZ_MAX_ENTRIES 32

struct fuzz_entry {
	char	*text;
	int	 kind;
	int	 taken;
};

static void
fuzz_check_hits(struct fuzz_entry *e, size_t ne,
    const struct wordlist_hit *hits, size_t n, size_t max)
{
	size_t	i, j;

	if (n > max)
		fuzz_fail("fuzz_wordlist", "%zu hits of %zu", n, max);
	for (i = 0; i < n; i++) {
		if (hits[i].id < 0 || (size_t)hits[i].id >= ne ||
		    !e[hits[i].id].taken ||
		    strcmp(hits[i].entry, e[hits[i].id].text) != 0 ||
		    hits[i].kind != e[hits[i].id].kind)
			fuzz_fail("fuzz_wordlist", "hit %zu is no entry", i);
		for (j = 0; j < i; j++) {
			if (hits[j].id == hits[i].id)
				fuzz_fail("fuzz_wordlist", "entry twice");
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_entry	 e[FUZZ_MAX_ENTRIES];
	struct wordlist_hit	 hits[FUZZ_MAX_ENTRIES], few[2];
	struct wordlist		*wl;
	char			*s, *p, *nl, *f, *g;
	size_t			 ne = 0, i, j, n;
	int			 found;

	if (size > FUZZ_MAX_INPUT || !text_valid_utf8((const char *)data,
	    size) || memchr(data, '\0', size) != NULL)
		return 0;
	s = fuzz_cstr(data, size);
	wl = wordlist_new();
	for (p = s; ne < FUZZ_MAX_ENTRIES && (p[0] == 'b' || p[0] == 's') &&
	    p[1] == ' '; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		e[ne].text = p + 2;
		e[ne].kind = p[0] == 'b' ? 1 : 2;
		e[ne].taken = wordlist_add(wl, e[ne].text, (long long)ne,
		    e[ne].kind);
		ne++;
	}
	n = wordlist_match(wl, p, strlen(p), hits, FUZZ_MAX_ENTRIES);
	fuzz_check_hits(e, ne, hits, n, FUZZ_MAX_ENTRIES);
	n = wordlist_match(wl, p, strlen(p), few, 2);
	fuzz_check_hits(e, ne, few, n, 2);

	for (i = 0; i < ne; i++) {
		if (!e[i].taken)
			continue;
		n = wordlist_match(wl, e[i].text, strlen(e[i].text), hits,
		    FUZZ_MAX_ENTRIES);
		fuzz_check_hits(e, ne, hits, n, FUZZ_MAX_ENTRIES);
		/* Found as itself or as an entry folding alike. */
		f = fold_words(e[i].text, strlen(e[i].text), NULL);
		for (j = 0, found = 0; j < n && !found; j++) {
			g = fold_words(hits[j].entry, strlen(hits[j].entry),
			    NULL);
			found = strcmp(f, g) == 0;
			free(g);
		}
		if (!found)
			fuzz_fail("fuzz_wordlist", "entry \"%s\" (\"%s\") not "
			    "found in itself", e[i].text, f);
		free(f);
	}
	wordlist_free(wl);
	free(s);
	return 0;
}
