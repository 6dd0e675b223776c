/*
 * paging.h - the list parameters of the admin lists: limit, before (the
 * keyset cursor) and q (a search), parsed the same way everywhere.
 */
#ifndef COMMENTD_PAGING_H
#define COMMENTD_PAGING_H

#include <jansson.h>

struct req;

struct paging {
	int	 limit;		/* page size */
	char	 limit_text[16];
	char	 before[24];	/* "" when absent */
	char	*pattern;	/* LIKE pattern of q, or NULL; owned */
};

/*
 * Reads limit (1..page_size_max, default page_size), before (an id) and
 * q (at most 200 characters after clean-up; made a LIKE pattern matching
 * it anywhere, wildcards escaped).  Bad ones are added to *bad (created
 * when needed) as "invalid".
 */
void	paging_parse(struct req *r, struct paging *p, json_t **bad);
void	paging_free(struct paging *p);
/* The before parameter for a query: NULL when absent. */
const char *paging_before(const struct paging *p);
/* "%q%" with LIKE's wildcards (% _ \\) escaped, in a new string.
 * Exported for its fuzz target. */
char	*paging_like_pattern(const char *q);

#endif
