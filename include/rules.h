/*
 * rules.h - the site's rules that a comment's own fields decide (issue
 * 12): word lists, links, the widget's honeypot and form time.  Pure:
 * the rules that need the database (bans, duplicates, the author's
 * record) are judged by the submission's statement (sql.c), with what
 * this module computed as its parameters.
 */
#ifndef COMMENTD_RULES_H
#define COMMENTD_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct comment_input;
struct wordlist;

/* The kinds of word-list entries (wordlist_add's kind). */
enum rules_list {
	RULES_BANNED = 1,
	RULES_SUSPECT = 2
};

/* What the settings turn on (0 or false: off). */
struct rules_settings {
	bool	word_lists;
	int	max_links;
	int	min_form_seconds;
	bool	honeypot;
};

/* Room for rules_body_hash()'s hex text. */
#define RULES_HASH_HEX_SIZE	65

/*
 * Judges in against the settings and the word list (NULL: none yet).
 * Returns a new JSON object {code: detail} of the rules that acted:
 * banned_word and suspect_word (the entry as written), links (the
 * count), honeypot and too_fast (true).  Empty when none did.
 */
json_t	*rules_eval(const struct rules_settings *, const struct wordlist *,
	    const struct comment_input *in);

/* Links in text: words starting "http://", "https://" or "www.". */
int	 rules_count_links(const char *text);

/* SHA-256 of text's folded form (fold.h), as hex: the same text for
 * duplicates whatever its spelling tricks. */
void	 rules_body_hash(const char *text, char out[RULES_HASH_HEX_SIZE]);

/* "banned" or "suspect" as its kind; 0 for anything else. */
int	 rules_list_kind(const char *name);
const char *rules_list_name(int kind);

#endif
