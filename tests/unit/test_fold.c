/*
 * test_fold.c - folding and word-list matching, driven by the table of
 * cases in tests/unit/fold-cases.txt (run from the repository root),
 * plus what a table cannot say: several entries, kinds, a large list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fold.h"
#include "wordlist.h"

#define CASES_FILE	"tests/unit/fold-cases.txt"

/* One line of the table. */
struct fold_case {
	int	 line;
	char	 kind[16];
	char	*a;
	char	*b;
};

static struct fold_case	*cases;
static size_t		 ncases;

static int
load_cases(void **state)
{
	FILE	*f;
	char	*line = NULL, *tab1, *tab2;
	size_t	 cap = 0;
	ssize_t	 n;
	int	 lineno = 0;

	(void)state;
	if ((f = fopen(CASES_FILE, "r")) == NULL) {
		fprintf(stderr, "%s: cannot open (run from the repository "
		    "root)\n", CASES_FILE);
		return -1;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if ((tab1 = strchr(line, '\t')) == NULL ||
		    (tab2 = strchr(tab1 + 1, '\t')) == NULL ||
		    (size_t)(tab1 - line) >= sizeof cases->kind) {
			fprintf(stderr, "%s:%d: not KIND<TAB>A<TAB>B\n",
			    CASES_FILE, lineno);
			fclose(f);
			free(line);
			return -1;
		}
		*tab1 = *tab2 = '\0';
		cases = realloc(cases, (ncases + 1) * sizeof *cases);
		if (cases == NULL)
			abort();
		cases[ncases].line = lineno;
		strcpy(cases[ncases].kind, line);
		cases[ncases].a = strdup(tab1 + 1);
		cases[ncases].b = strdup(tab2 + 1);
		ncases++;
	}
	fclose(f);
	free(line);
	return 0;
}

static int
free_cases(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < ncases; i++) {
		free(cases[i].a);
		free(cases[i].b);
	}
	free(cases);
	return 0;
}

/* How many cases of kind; every kind must have some. */
static size_t
count_kind(const char *kind)
{
	size_t	i, n = 0;

	for (i = 0; i < ncases; i++)
		n += strcmp(cases[i].kind, kind) == 0;
	return n;
}

static void
test_table_kinds(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < ncases; i++) {
		if (strcmp(cases[i].kind, "fold") != 0 &&
		    strcmp(cases[i].kind, "match") != 0 &&
		    strcmp(cases[i].kind, "nomatch") != 0)
			fail_msg("%s:%d: unknown kind \"%s\"", CASES_FILE,
			    cases[i].line, cases[i].kind);
	}
	assert_true(count_kind("fold") >= 40);
	assert_true(count_kind("match") >= 20);
	assert_true(count_kind("nomatch") >= 10);
}

static void
test_table_fold(void **state)
{
	size_t	 i, bad = 0;
	char	*got;

	(void)state;
	for (i = 0; i < ncases; i++) {
		if (strcmp(cases[i].kind, "fold") != 0)
			continue;
		got = fold_words(cases[i].a, strlen(cases[i].a), NULL);
		if (strcmp(got, cases[i].b) != 0) {
			print_error("%s:%d: fold(\"%s\") is \"%s\", want "
			    "\"%s\"\n", CASES_FILE, cases[i].line,
			    cases[i].a, got, cases[i].b);
			bad++;
		}
		free(got);
	}
	assert_int_equal(bad, 0);
}

static void
test_table_match(void **state)
{
	struct wordlist		*wl;
	struct wordlist_hit	 hit;
	size_t			 i, n, bad = 0;
	int			 want;

	(void)state;
	for (i = 0; i < ncases; i++) {
		if (strcmp(cases[i].kind, "match") == 0)
			want = 1;
		else if (strcmp(cases[i].kind, "nomatch") == 0)
			want = 0;
		else
			continue;
		wl = wordlist_new();
		assert_true(wordlist_add(wl, cases[i].a, 7, 1));
		n = wordlist_match(wl, cases[i].b, strlen(cases[i].b), &hit,
		    1);
		if ((int)n != want) {
			print_error("%s:%d: \"%s\" %s in \"%s\"\n", CASES_FILE,
			    cases[i].line, cases[i].a,
			    want ? "not found" : "found", cases[i].b);
			bad++;
		} else if (n == 1 && (hit.id != 7 || hit.kind != 1 ||
		    strcmp(hit.entry, cases[i].a) != 0)) {
			print_error("%s:%d: wrong hit\n", CASES_FILE,
			    cases[i].line);
			bad++;
		}
		wordlist_free(wl);
	}
	assert_int_equal(bad, 0);
}

/* Entries that fold to nothing, one letter, too many words or a twin. */
static void
test_add_refuses(void **state)
{
	struct wordlist	*wl = wordlist_new();

	(void)state;
	assert_false(wordlist_add(wl, "", 1, 0));
	assert_false(wordlist_add(wl, "!!! ...", 2, 0));
	assert_false(wordlist_add(wl, "x", 3, 0));
	assert_false(wordlist_add(wl, "ـبـ", 4, 0));
	assert_false(wordlist_add(wl, "one two three four five", 5, 0));
	assert_true(wordlist_add(wl, "one two three four", 6, 0));
	assert_true(wordlist_add(wl, "أحمق", 7, 0));
	assert_false(wordlist_add(wl, "احمق", 8, 0));	/* folds alike */
	assert_false(wordlist_add(wl, "أَحْمَق", 9, 1));
	assert_int_equal(wordlist_size(wl), 2);
	wordlist_free(wl);
}

/* Several entries: each reported once, in the order they occur. */
static void
test_several_hits(void **state)
{
	struct wordlist		*wl = wordlist_new();
	struct wordlist_hit	 hits[4];
	const char		*text = "يا غبي، يا أحمق، الغبي غبي والأحمق";

	(void)state;
	assert_true(wordlist_add(wl, "احمق", 1, 2));
	assert_true(wordlist_add(wl, "غبي", 2, 1));
	assert_true(wordlist_add(wl, "تافه", 3, 1));
	assert_int_equal(wordlist_match(wl, text, strlen(text), hits, 4), 2);
	assert_int_equal(hits[0].id, 2);
	assert_int_equal(hits[0].kind, 1);
	assert_string_equal(hits[0].entry, "غبي");
	assert_int_equal(hits[1].id, 1);
	assert_int_equal(hits[1].kind, 2);
	/* max bounds the hits. */
	assert_int_equal(wordlist_match(wl, text, strlen(text), hits, 1), 1);
	assert_int_equal(hits[0].id, 2);
	/* Nothing listed: nothing found; an empty list finds nothing. */
	assert_int_equal(wordlist_match(wl, "سلام", strlen("سلام"), hits, 4),
	    0);
	wordlist_free(wl);
	wl = wordlist_new();
	assert_int_equal(wordlist_match(wl, text, strlen(text), hits, 4), 0);
	wordlist_free(wl);
}

/*
 * A list of 10,000 entries (a newsroom's list is far shorter) finds the
 * one entry in a long text and no other: the table grows and keeps every
 * entry reachable.
 */
static void
test_large_list(void **state)
{
	struct wordlist		*wl = wordlist_new();
	struct wordlist_hit	 hits[4];
	char			 word[32], *text;
	size_t			 i, len = 0;

	(void)state;
	for (i = 0; i < 10000; i++) {
		snprintf(word, sizeof word, "kw%zu", i);
		assert_true(wordlist_add(wl, word, (long long)i, 0));
	}
	assert_int_equal(wordlist_size(wl), 10000);
	for (i = 0; i < 10000; i += 997) {
		snprintf(word, sizeof word, "KW%zu", i);
		assert_int_equal(wordlist_match(wl, word, strlen(word), hits,
		    4), 1);
		assert_int_equal(hits[0].id, (long long)i);
	}
	/* 5,000 characters of ordinary words and one listed word. */
	text = malloc(6000);
	assert_non_null(text);
	while (len < 5000) {
		memcpy(text + len, "word ", 5);
		len += 5;
	}
	memcpy(text + 2500, "kw42", 4);	/* "word" → "kw42" */
	assert_int_equal(wordlist_match(wl, text, len, hits, 4), 1);
	assert_int_equal(hits[0].id, 42);
	free(text);
	wordlist_free(wl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_kinds),
		cmocka_unit_test(test_table_fold),
		cmocka_unit_test(test_table_match),
		cmocka_unit_test(test_add_refuses),
		cmocka_unit_test(test_several_hits),
		cmocka_unit_test(test_large_list),
	};

	return cmocka_run_group_tests(tests, load_cases, free_cases);
}
