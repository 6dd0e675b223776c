/*
 * words.h - a worker's copy of the site's word lists (the words
 * table), matched on its loop without a query.
 *
 * Loaded when the worker starts listening for changes (at start and
 * after every reconnect, when changes may have gone unheard) and again
 * whenever the table changes (its trigger announces "words" on the
 * change channel, from any process).  Until the first load there is no
 * list: submissions are judged without it.
 */
#ifndef COMMENTD_WORDS_H
#define COMMENTD_WORDS_H

struct db_pool;
struct words;
struct wordlist;

struct words	*words_new(struct db_pool *);
/* After the pool is freed (its callbacks may still come until then). */
void		 words_free(struct words *);
/* Loads the lists again (once more after a load under way, if any). */
void		 words_reload(struct words *);
/* The current lists, or NULL before the first load. */
const struct wordlist *words_list(const struct words *);

#endif
