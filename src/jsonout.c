/*
 * jsonout.c - compact JSON text of a jansson value (see jsonout.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "jsonout.h"
#include "log.h"
#include "xmalloc.h"

/* Pieces are gathered here and added to the evbuffer a block at a time:
 * every evbuffer_add has a fixed cost, and a page has thousands of
 * pieces (each key, each mark). */
struct jw {
	struct evbuffer	*out;
	size_t		 len;
	char		 buf[16384];
};

static void	jw_value(struct jw *, const json_t *);

static void
jw_flush(struct jw *w)
{
	if (w->len > 0 && evbuffer_add(w->out, w->buf, w->len) != 0)
		fatalx("out of memory writing JSON");
	w->len = 0;
}

static void
jw_put(struct jw *w, const char *s, size_t n)
{
	if (w->len + n > sizeof w->buf) {
		jw_flush(w);
		if (n > sizeof w->buf) {
			if (evbuffer_add(w->out, s, n) != 0)
				fatalx("out of memory writing JSON");
			return;
		}
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void
jw_char(struct jw *w, char c)
{
	if (w->len == sizeof w->buf)
		jw_flush(w);
	w->buf[w->len++] = c;
}

/* Bytes a JSON string cannot hold as they are: '"', '\' and the
 * control characters.  Everything else, UTF-8 sequences included, is
 * copied. */
static bool
jw_plain(unsigned char c)
{
	return c >= 0x20 && c != '"' && c != '\\';
}

static void
jw_string(struct jw *w, const char *s, size_t len)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 i = 0, run;
	char			 esc[6];
	unsigned char		 c;

	jw_char(w, '"');
	while (i < len) {
		for (run = i; run < len && jw_plain((unsigned char)s[run]);
		    run++)
			;
		jw_put(w, s + i, run - i);
		if (run == len)
			break;
		c = (unsigned char)s[run];
		esc[0] = '\\';
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			jw_put(w, esc, 6);
			i = run + 1;
			continue;
		}
		jw_put(w, esc, 2);
		i = run + 1;
	}
	jw_char(w, '"');
}

/* As jansson writes a real: "%.17g", a ".0" when it would read back as
 * an integer, and an exponent without '+' or leading zeros. */
static void
jw_real(struct jw *w, double v)
{
	char	 buf[64], *e, *d;
	int	 n;

	n = snprintf(buf, sizeof buf - 2, "%.17g", v);
	if (n < 0 || (size_t)n >= sizeof buf - 2)
		fatalx("jsonout: real does not fit");
	if (strpbrk(buf, ".e") == NULL) {
		memcpy(buf + n, ".0", 3);
		n += 2;
	}
	if ((e = strchr(buf, 'e')) != NULL) {
		d = ++e;
		if (*d == '-')
			d++;
		e = d;
		if (*e == '+')
			e++;
		while (*e == '0' && e[1] != '\0')
			e++;
		memmove(d, e, strlen(e) + 1);
		n = (int)strlen(buf);
	}
	jw_put(w, buf, (size_t)n);
}

static void
jw_value(struct jw *w, const json_t *v)
{
	const char	*key;
	json_t		*item;
	size_t		 i, keylen;
	char		 num[32];
	bool		 first = true;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		jw_char(w, '{');
		json_object_keylen_foreach((json_t *)v, key, keylen, item) {
			if (!first)
				jw_char(w, ',');
			first = false;
			jw_string(w, key, keylen);
			jw_char(w, ':');
			jw_value(w, item);
		}
		jw_char(w, '}');
		break;
	case JSON_ARRAY:
		jw_char(w, '[');
		json_array_foreach(v, i, item) {
			if (i > 0)
				jw_char(w, ',');
			jw_value(w, item);
		}
		jw_char(w, ']');
		break;
	case JSON_STRING:
		jw_string(w, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		jw_put(w, num, (size_t)snprintf(num, sizeof num,
		    "%" JSON_INTEGER_FORMAT, json_integer_value(v)));
		break;
	case JSON_REAL:
		jw_real(w, json_real_value(v));
		break;
	case JSON_TRUE:
		jw_put(w, "true", 4);
		break;
	case JSON_FALSE:
		jw_put(w, "false", 5);
		break;
	case JSON_NULL:
		jw_put(w, "null", 4);
		break;
	}
}

void
jsonout_evbuffer(const json_t *v, struct evbuffer *out)
{
	struct jw	*w;

	/* 16 KiB is too much for a worker's stack in a deep callback. */
	w = xmalloc(sizeof *w);
	w->out = out;
	w->len = 0;
	jw_value(w, v);
	jw_flush(w);
	free(w);
}

char *
jsonout_string(const json_t *v, size_t *len)
{
	struct evbuffer	*buf;
	size_t		 n;
	char		*text;

	if ((buf = evbuffer_new()) == NULL)
		fatalx("out of memory writing JSON");
	jsonout_evbuffer(v, buf);
	n = evbuffer_get_length(buf);
	text = xmalloc(n + 1);
	evbuffer_remove(buf, text, n);
	text[n] = '\0';
	evbuffer_free(buf);
	if (len != NULL)
		*len = n;
	return text;
}
