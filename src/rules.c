/*
 * rules.c - the rules a comment's own fields decide (see rules.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "fold.h"
#include "rules.h"
#include "validate.h"
#include "wordlist.h"

#define MAX_HITS	8

int
rules_list_kind(const char *name)
{
	if (name == NULL)
		return 0;
	if (strcmp(name, "banned") == 0)
		return RULES_BANNED;
	if (strcmp(name, "suspect") == 0)
		return RULES_SUSPECT;
	return 0;
}

const char *
rules_list_name(int kind)
{
	return kind == RULES_BANNED ? "banned" : "suspect";
}

int
rules_count_links(const char *text)
{
	const char	*p;
	int		 n = 0;
	bool		 start = true;

	/* A link starts a word: "xhttp://" is not one. */
	for (p = text; *p != '\0'; p++) {
		if (start && (strncasecmp(p, "http://", 7) == 0 ||
		    strncasecmp(p, "https://", 8) == 0 ||
		    strncasecmp(p, "www.", 4) == 0))
			n++;
		start = isspace((unsigned char)*p) || *p == '(' ||
		    *p == '<' || *p == '"' || *p == '\'';
	}
	return n;
}

void
rules_body_hash(const char *text, char out[RULES_HASH_HEX_SIZE])
{
	unsigned char	 h[crypto_hash_sha256_BYTES];
	char		*folded;

	folded = fold_words(text, strlen(text), NULL);
	crypto_hash_sha256(h, (const unsigned char *)folded, strlen(folded));
	free(folded);
	sodium_bin2hex(out, RULES_HASH_HEX_SIZE, h, sizeof h);
}

/* The first entry of each list among the hits of text. */
static void
rules_words(const struct wordlist *wl, const char *text, json_t *flags)
{
	struct wordlist_hit	hits[MAX_HITS];
	size_t			n, i;
	const char		*code;

	if (text == NULL)
		return;
	n = wordlist_match(wl, text, strlen(text), hits, MAX_HITS);
	for (i = 0; i < n; i++) {
		code = hits[i].kind == RULES_BANNED ? "banned_word" :
		    "suspect_word";
		if (json_object_get(flags, code) == NULL)
			json_object_set_new(flags, code,
			    json_string(hits[i].entry));
	}
}

json_t *
rules_eval(const struct rules_settings *set, const struct wordlist *wl,
    const struct comment_input *in)
{
	json_t	*flags = json_object();
	int	 links;

	if (set->word_lists && wl != NULL) {
		rules_words(wl, in->body, flags);
		rules_words(wl, in->author, flags);
	}
	if (set->max_links > 0 &&
	    (links = rules_count_links(in->body)) > set->max_links)
		json_object_set_new(flags, "links", json_integer(links));
	/* Only the widget sends these: API clients are not penalised. */
	if (set->honeypot && in->honeypot)
		json_object_set_new(flags, "honeypot", json_true());
	if (set->min_form_seconds > 0 && in->form_ms >= 0 &&
	    in->form_ms < (int64_t)set->min_form_seconds * 1000)
		json_object_set_new(flags, "too_fast", json_true());
	return flags;
}
