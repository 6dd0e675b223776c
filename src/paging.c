/*
 * paging.c - list parameters (see paging.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ctx.h"
#include "paging.h"
#include "req.h"
#include "text.h"
#include "validate.h"
#include "xmalloc.h"

#define PAGING_Q_MAX_CHARS	200

static void
paging_bad(json_t **bad, const char *name)
{
	if (*bad == NULL)
		*bad = json_object();
	json_object_set_new(*bad, name, json_string("invalid"));
}

/* %q% with LIKE's wildcards escaped; SQL folds it like the text. */
char *
paging_like_pattern(const char *q)
{
	char	*out, *o;

	out = o = xmalloc(strlen(q) * 2 + 3);
	*o++ = '%';
	for (; *q != '\0'; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			*o++ = '\\';
		*o++ = *q;
	}
	*o++ = '%';
	*o = '\0';
	return out;
}

void
paging_parse(struct req *r, struct paging *p, json_t **bad)
{
	const struct config	*cfg = r->ctx->cfg;
	const char		*limit, *before, *q;
	char			*clean = NULL;
	int64_t			 v;
	size_t			 n;

	memset(p, 0, sizeof *p);
	p->limit = cfg->page_size;
	if ((limit = req_query(r, "limit")) != NULL) {
		if (!validate_id(limit, &v) || v > cfg->page_size_max)
			paging_bad(bad, "limit");
		else
			p->limit = (int)v;
	}
	snprintf(p->limit_text, sizeof p->limit_text, "%d", p->limit);
	if ((before = req_query(r, "before")) != NULL && *before != '\0') {
		if (!validate_id(before, &v))
			paging_bad(bad, "before");
		else
			snprintf(p->before, sizeof p->before, "%" PRId64, v);
	}
	if ((q = req_query(r, "q")) != NULL && *q != '\0') {
		if (text_clean(q, strlen(q), 0, &clean, &n) != TEXT_OK ||
		    n > PAGING_Q_MAX_CHARS)
			paging_bad(bad, "q");
		else if (n > 0)
			p->pattern = paging_like_pattern(clean);
		free(clean);
	}
}

void
paging_free(struct paging *p)
{
	free(p->pattern);
	p->pattern = NULL;
}

const char *
paging_before(const struct paging *p)
{
	return p->before[0] != '\0' ? p->before : NULL;
}
