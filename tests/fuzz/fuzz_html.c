/*
 * fuzz_html.c - the HTML fragment (html.c) of an arbitrary JSON page,
 * and html_escape() of arbitrary bytes.
 *
 * The escape must leave no character that means something in HTML
 * text or a quoted attribute, and unescape back to its input.  The
 * fragment's markup must all be html.c's own: every '<' opens or
 * closes one of its elements, properly nested, whatever the comments
 * say.
 */
#include <event2/buffer.h>

#include "fuzz_util.h"
#include "html.h"

#define FUZZ_MAX_INPUT	(64 * 1024)
/* Open elements: jansson nests 2048 deep, each reply level opens 3. */
#define FUZZ_DEPTH	8192

static void
fuzz_escape(const char *s, size_t len)
{
	struct evbuffer	*buf;
	static const struct { const char *ent; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&#39;", '\'' }
	};
	char		*out;
	size_t		 n, i, o, k;

	if ((buf = evbuffer_new()) == NULL)
		abort();
	html_escape(buf, s, len);
	n = evbuffer_get_length(buf);
	out = (char *)evbuffer_pullup(buf, -1);
	/* Unescape as a browser would; it must give s back. */
	for (i = 0, o = 0; i < n; o++) {
		if (out[i] == '<' || out[i] == '>' || out[i] == '"' ||
		    out[i] == '\'')
			fuzz_fail("fuzz_html", "raw %c escaped", out[i]);
		if (o >= len)
			fuzz_fail("fuzz_html", "escape is longer");
		if (out[i] != '&') {
			if (out[i] != s[o])
				fuzz_fail("fuzz_html", "escape changed a byte");
			i++;
			continue;
		}
		for (k = 0; k < sizeof ents / sizeof ents[0]; k++) {
			if (n - i >= strlen(ents[k].ent) &&
			    memcmp(out + i, ents[k].ent,
			    strlen(ents[k].ent)) == 0)
				break;
		}
		if (k == sizeof ents / sizeof ents[0] || s[o] != ents[k].c)
			fuzz_fail("fuzz_html", "bad entity at %zu", i);
		i += strlen(ents[k].ent);
	}
	if (o != len)
		fuzz_fail("fuzz_html", "escape is shorter");
	evbuffer_free(buf);
}

/* html.c's elements: name, and whether it has no end tag. */
static const struct {
	const char	*name;
	int		 is_void;
} fuzz_elements[] = {
	{ "section", 0 }, { "ol", 0 }, { "li", 0 }, { "article", 0 },
	{ "header", 0 }, { "span", 0 }, { "time", 0 }, { "div", 0 },
	{ "p", 0 }, { "a", 0 }, { "br", 1 }
};

static void
fuzz_markup(const char *out)
{
	const char	*p = out, *name;
	size_t		 depth = 0, n, k;
	int		 stack[FUZZ_DEPTH], closing;

	while ((p = strchr(p, '<')) != NULL) {
		closing = p[1] == '/';
		name = p + 1 + closing;
		n = strspn(name, "abcdefghijklmnopqrstuvwxyz");
		for (k = 0; k < sizeof fuzz_elements /
		    sizeof fuzz_elements[0]; k++) {
			if (strlen(fuzz_elements[k].name) == n &&
			    strncmp(fuzz_elements[k].name, name, n) == 0)
				break;
		}
		if (k == sizeof fuzz_elements / sizeof fuzz_elements[0] ||
		    (name[n] != '>' && (closing || name[n] != ' ')))
			fuzz_fail("fuzz_html", "foreign markup: %.40s", p);
		if (closing) {
			if (depth == 0 || stack[depth - 1] != (int)k)
				fuzz_fail("fuzz_html", "misnested </%s>",
				    fuzz_elements[k].name);
			depth--;
		} else if (!fuzz_elements[k].is_void) {
			if (depth == sizeof stack / sizeof stack[0])
				fuzz_fail("fuzz_html", "too deep");
			stack[depth++] = (int)k;
		}
		/* Attributes are quoted and escaped: no '>' inside. */
		p = strchr(p, '>');
		if (p == NULL)
			fuzz_fail("fuzz_html", "unterminated tag");
	}
	if (depth != 0)
		fuzz_fail("fuzz_html", "%zu elements left open", depth);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t	 err;
	json_t		*page;
	const char	*next;
	char		*out;
	size_t		 len;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	fuzz_escape((const char *)data, size);
	/* No NUL in strings: the database holds none. */
	page = json_loadb((const char *)data, size, JSON_DECODE_ANY, &err);
	if (page == NULL)
		return 0;
	/* The next link's query, as h_comments.c passes it. */
	next = json_string_value(json_object_get(page, "next_query"));
	out = html_comments(page, next != NULL ? next : "order=newest",
	    &len);
	if (strlen(out) != len)
		fuzz_fail("fuzz_html", "wrong length");
	fuzz_markup(out);
	free(out);
	json_decref(page);
	return 0;
}
