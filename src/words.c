/*
 * words.c - a worker's copy of the word lists (see words.h).
 *
 * A load builds a new list from the whole table and swaps it in: the
 * worker's thread is the only one that reads it, and no submission
 * holds it across a callback, so the old one is freed at once.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "rules.h"
#include "wordlist.h"
#include "words.h"
#include "xmalloc.h"

struct words {
	struct db_pool	*db;
	struct wordlist	*list;		/* NULL until loaded */
	bool		 loading;
	bool		 again;		/* changed while loading */
};

static void	words_load_cb(const struct db_result *, void *);

struct words *
words_new(struct db_pool *db)
{
	struct words	*w;

	w = xcalloc(1, sizeof *w);
	w->db = db;
	return w;
}

void
words_free(struct words *w)
{
	if (w == NULL)
		return;
	wordlist_free(w->list);
	free(w);
}

const struct wordlist *
words_list(const struct words *w)
{
	return w != NULL ? w->list : NULL;
}

void
words_reload(struct words *w)
{
	if (w->loading) {
		w->again = true;
		return;
	}
	w->loading = true;
	w->again = false;
	db_query(w->db, SQL_WORDS_LOAD, NULL, 0, words_load_cb, w);
}

static void
words_load_cb(const struct db_result *res, void *arg)
{
	struct words	*w = arg;
	struct wordlist	*wl;
	long long	 id;
	int		 i, n;

	w->loading = false;
	if (db_result_status(res) == DB_SHUTDOWN)
		return;
	if (db_result_status(res) != DB_OK) {
		/* The next reconnect of the listening connection (or the
		 * next change) loads them again. */
		log_warn("word lists not loaded: %s", db_result_error(res));
		if (w->again)
			words_reload(w);
		return;
	}
	wl = wordlist_new();
	n = db_result_ntuples(res);
	for (i = 0; i < n; i++) {
		id = strtoll(db_result_value(res, i, 0), NULL, 10);
		/* Entries were checked when added; one this build folds
		 * differently is left out rather than refused. */
		(void)wordlist_add(wl, db_result_value(res, i, 1), id,
		    rules_list_kind(db_result_value(res, i, 2)));
	}
	wordlist_free(w->list);
	w->list = wl;
	log_info("word lists: %d entries", n);
	if (w->again)
		words_reload(w);
}
