/*
 * html.c - the comments fragment (see html.h).
 *
 * A body's blank lines separate paragraphs and its other newlines become
 * <br>, which is how a reader typed it.  Links stay text: the widget makes
 * them clickable, never HTML from the server (DESIGN.md, Text).
 */
#include <string.h>

#include <event2/buffer.h>

#include "html.h"
#include "log.h"
#include "xmalloc.h"

static void	html_comment(struct evbuffer *, const json_t *);

void
html_escape(struct evbuffer *buf, const char *s, size_t len)
{
	size_t		 i, run = 0;
	const char	*rep;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		evbuffer_add(buf, s + run, i - run);
		evbuffer_add(buf, rep, strlen(rep));
		run = i + 1;
	}
	evbuffer_add(buf, s + run, len - run);
}

static void
html_escape_str(struct evbuffer *buf, const json_t *s)
{
	if (json_is_string(s))
		html_escape(buf, json_string_value(s), json_string_length(s));
}

/* Paragraphs at blank lines, <br> at single newlines. */
static void
html_body(struct evbuffer *buf, const char *s, size_t len)
{
	size_t	i = 0, start;

	evbuffer_add_printf(buf, "<p>");
	while (i < len) {
		start = i;
		while (i < len && s[i] != '\n')
			i++;
		html_escape(buf, s + start, i - start);
		if (i >= len)
			break;
		if (i + 1 < len && s[i + 1] == '\n') {
			while (i < len && s[i] == '\n')
				i++;
			if (i < len)
				evbuffer_add_printf(buf, "</p><p>");
		} else {
			evbuffer_add_printf(buf, "<br>");
			i++;
		}
	}
	evbuffer_add_printf(buf, "</p>");
}

static void
html_list(struct evbuffer *buf, const json_t *list, const char *cls)
{
	const json_t	*c;
	size_t		 i;

	evbuffer_add_printf(buf, "<ol class=\"%s\">", cls);
	json_array_foreach(list, i, c)
		html_comment(buf, c);
	evbuffer_add_printf(buf, "</ol>");
}

static void
html_comment(struct evbuffer *buf, const json_t *c)
{
	const json_t	*body, *when, *replies;
	json_int_t	 id = json_integer_value(json_object_get(c, "id"));

	evbuffer_add_printf(buf, "<li class=\"commentd-comment\" "
	    "id=\"commentd-c-%" JSON_INTEGER_FORMAT "\" data-id=\"%"
	    JSON_INTEGER_FORMAT "\"><article><header>"
	    "<span class=\"commentd-author\" dir=\"auto\">", id, id);
	html_escape_str(buf, json_object_get(c, "author"));
	evbuffer_add_printf(buf, "</span> <time datetime=\"");
	when = json_object_get(c, "created_at");
	html_escape_str(buf, when);
	evbuffer_add_printf(buf, "\">");
	/* The date alone: the reader's page has no clock of ours. */
	if (json_is_string(when))
		html_escape(buf, json_string_value(when),
		    json_string_length(when) < 10 ?
		    json_string_length(when) : 10);
	evbuffer_add_printf(buf, "</time></header>"
	    "<div class=\"commentd-body\" dir=\"auto\">");
	body = json_object_get(c, "body");
	if (json_is_string(body))
		html_body(buf, json_string_value(body),
		    json_string_length(body));
	evbuffer_add_printf(buf, "</div>");
	replies = json_object_get(c, "replies");
	if (json_array_size(replies) > 0)
		html_list(buf, replies, "commentd-replies");
	evbuffer_add_printf(buf, "</article></li>");
}

char *
html_comments(const json_t *page, const char *next_query, size_t *len)
{
	struct evbuffer	*buf;
	const json_t	*article, *next;
	char		*out;

	if ((buf = evbuffer_new()) == NULL)
		fatalx("out of memory");
	article = json_object_get(page, "article");
	evbuffer_add_printf(buf, "<section class=\"commentd-comments\" "
	    "data-commentd-article=\"");
	html_escape_str(buf, json_object_get(article, "key"));
	evbuffer_add_printf(buf, "\" data-total=\"%" JSON_INTEGER_FORMAT
	    "\">", json_integer_value(json_object_get(page, "total")));
	html_list(buf, json_object_get(page, "comments"), "commentd-list");
	next = json_object_get(page, "next");
	if (json_is_string(next)) {
		evbuffer_add_printf(buf, "<a class=\"commentd-more\" "
		    "rel=\"next\" href=\"?");
		if (next_query != NULL && *next_query != '\0') {
			html_escape(buf, next_query, strlen(next_query));
			evbuffer_add_printf(buf, "&amp;");
		}
		evbuffer_add_printf(buf, "cursor=");
		html_escape_str(buf, next);
		evbuffer_add_printf(buf, "\">&#8230;</a>");
	}
	evbuffer_add_printf(buf, "</section>\n");
	*len = evbuffer_get_length(buf);
	out = xmalloc(*len + 1);
	evbuffer_remove(buf, out, *len);
	out[*len] = '\0';
	evbuffer_free(buf);
	return out;
}
