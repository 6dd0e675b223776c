/*
 * html.h - an article's approved comments as an HTML fragment, for pages
 * without JavaScript and for search engines
 * (GET /api/v1/articles/{key}/comments.html).
 *
 * Rendered from the very JSON the API answers, so the two cannot
 * disagree.  Every piece of text is escaped; markup comes only from here.
 */
#ifndef COMMENTD_HTML_H
#define COMMENTD_HTML_H

#include <stddef.h>

#include <jansson.h>

/*
 * The fragment of a comments page (the JSON of GET .../comments:
 * {article, total, comments: [{id, author, body, created_at,
 * replies}], next}); next_query is the query string of the next page's
 * link without its cursor (e.g. "order=newest&limit=20", may be "").
 * Returns a new NUL-terminated string (free()) and its length in *len.
 */
char	*html_comments(const json_t *page, const char *next_query,
	    size_t *len);

/* Appends s[0..len) to buf HTML-escaped (& < > " '). */
struct evbuffer;
void	 html_escape(struct evbuffer *buf, const char *s, size_t len);

#endif
