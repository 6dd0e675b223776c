/*
 * fuzz_rules.c - rules_eval() on an arbitrary submission against a word
 * list, with every rule on.
 *
 * Input: lines "b ENTRY" or "s ENTRY" make the word list, the rest is a
 * request body, validated as the server does.  What comes back names
 * only rules that exist, each with the detail rules.h promises: a
 * word the list holds, under the right list; the link count the body
 * really has, over the limit; honeypot and too_fast exactly when the
 * input says so.  The body's hash is 64 hex digits, the same for a
 * body that folds alike.
 */
#include <ctype.h>

#include <jansson.h>

#include "fold.h"
#include "fuzz_util.h"
#include "rules.h"
#include "text.h"
#include "validate.h"
#include "wordlist.h"

#define FUZZ_MAX_INPUT	(16 * 1024)
#define FUZZ_MAX_ENTRIES 16

static void
fuzz_word(json_t *flags, const char *code, char **entries, int *kinds,
    size_t ne, int kind)
{
	const char	*w;
	size_t		 i;

	if ((w = json_string_value(json_object_get(flags, code))) == NULL) {
		if (json_object_get(flags, code) != NULL)
			fuzz_fail("fuzz_rules", "%s is not a string", code);
		return;
	}
	for (i = 0; i < ne; i++) {
		if (kinds[i] == kind && strcmp(entries[i], w) == 0)
			return;
	}
	fuzz_fail("fuzz_rules", "%s \"%s\" is not listed so", code, w);
}

static void
fuzz_eval(const struct comment_input *in, const struct wordlist *wl,
    char **entries, int *kinds, size_t ne)
{
	static const char *const known[] = { "banned_word", "suspect_word",
	    "links", "honeypot", "too_fast" };
	struct rules_settings	 set = { true, 2, 5, true };
	json_t			*flags, *v;
	const char		*key;
	char			 h1[RULES_HASH_HEX_SIZE];
	char			 h2[RULES_HASH_HEX_SIZE];
	char			*f;
	size_t			 i;

	flags = rules_eval(&set, wl, in);
	json_object_foreach(flags, key, v) {
		for (i = 0; i < sizeof known / sizeof known[0]; i++) {
			if (strcmp(key, known[i]) == 0)
				break;
		}
		if (i == sizeof known / sizeof known[0])
			fuzz_fail("fuzz_rules", "unknown rule %s", key);
	}
	fuzz_word(flags, "banned_word", entries, kinds, ne, RULES_BANNED);
	fuzz_word(flags, "suspect_word", entries, kinds, ne, RULES_SUSPECT);
	v = json_object_get(flags, "links");
	if (rules_count_links(in->body) > set.max_links ?
	    json_integer_value(v) != rules_count_links(in->body) : v != NULL)
		fuzz_fail("fuzz_rules", "links");
	if ((json_object_get(flags, "honeypot") != NULL) != in->honeypot)
		fuzz_fail("fuzz_rules", "honeypot");
	if ((json_object_get(flags, "too_fast") != NULL) !=
	    (in->form_ms >= 0 && in->form_ms < set.min_form_seconds * 1000))
		fuzz_fail("fuzz_rules", "too_fast");
	/* Nothing is judged with every rule off. */
	memset(&set, 0, sizeof set);
	json_decref(flags);
	flags = rules_eval(&set, wl, in);
	if (json_object_size(flags) != 0)
		fuzz_fail("fuzz_rules", "a rule acted while off");
	json_decref(flags);

	rules_body_hash(in->body, h1);
	if (strlen(h1) != 64 || strspn(h1, "0123456789abcdef") != 64)
		fuzz_fail("fuzz_rules", "hash %s", h1);
	f = fold_words(in->body, strlen(in->body), NULL);
	rules_body_hash(f, h2);
	if (strcmp(h1, h2) != 0)
		fuzz_fail("fuzz_rules", "the folded body hashes otherwise");
	free(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct comment_input	 in;
	struct wordlist		*wl;
	json_error_t		 err;
	json_t			*obj, *errs;
	char			*s, *p, *nl, *entries[FUZZ_MAX_ENTRIES];
	int			 kinds[FUZZ_MAX_ENTRIES];
	size_t			 ne = 0;

	if (size > FUZZ_MAX_INPUT || memchr(data, '\0', size) != NULL)
		return 0;
	s = fuzz_cstr(data, size);
	wl = wordlist_new();
	for (p = s; ne < FUZZ_MAX_ENTRIES && (p[0] == 'b' || p[0] == 's') &&
	    p[1] == ' '; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		if (!text_valid_utf8(p + 2, strlen(p + 2)))
			continue;
		kinds[ne] = p[0] == 'b' ? RULES_BANNED : RULES_SUSPECT;
		if (wordlist_add(wl, p + 2, (long long)ne, kinds[ne]))
			entries[ne++] = p + 2;
	}
	obj = json_loads(p, JSON_REJECT_DUPLICATES, &err);
	if (obj != NULL && json_is_object(obj)) {
		if ((errs = validate_comment(obj, NULL, &in)) == NULL) {
			fuzz_eval(&in, wl, entries, kinds, ne);
			comment_input_free(&in);
		} else
			json_decref(errs);
	}
	json_decref(obj);
	wordlist_free(wl);
	free(s);
	return 0;
}
