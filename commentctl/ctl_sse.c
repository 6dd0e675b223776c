/*
 * ctl_sse.c - text/event-stream parser (see ctl_sse.h).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_sse.h"
#include "xmalloc.h"

static int	ctl_sse_line(struct ctl_sse *);
static int	ctl_sse_dispatch(struct ctl_sse *);
static int	ctl_sse_field(struct ctl_sse *, const char *, size_t,
		    const char *, size_t);

void
ctl_sse_init(struct ctl_sse *p, ctl_sse_cb cb, void *arg)
{
	memset(p, 0, sizeof *p);
	p->cb = cb;
	p->arg = arg;
	p->retry_ms = -1;
}

int
ctl_sse_feed(struct ctl_sse *p, const char *buf, size_t len)
{
	size_t	 i;
	int	 rc;

	for (i = 0; i < len; i++) {
		if (buf[i] == '\n' && p->after_cr) {
			p->after_cr = false;
			continue;
		}
		p->after_cr = buf[i] == '\r';
		if (buf[i] == '\n' || buf[i] == '\r') {
			if ((rc = ctl_sse_line(p)) != 0)
				return rc;
			continue;
		}
		if (p->len + 1 >= CTL_SSE_LINE_MAX)
			return -1;
		if (p->len + 1 >= p->cap) {
			p->cap = p->cap == 0 ? 256 : p->cap * 2;
			p->line = xrealloc(p->line, p->cap);
		}
		p->line[p->len++] = buf[i];
	}
	return 0;
}

/* One whole line, in p->line[0..p->len). */
static int
ctl_sse_line(struct ctl_sse *p)
{
	const char	*line = p->line, *colon, *v;
	size_t		 n = p->len, nlen, vlen;

	p->len = 0;
	if (n == 0)
		return ctl_sse_dispatch(p);
	if (line[0] == ':') {
		p->comments++;
		return 0;
	}
	colon = memchr(line, ':', n);
	nlen = colon != NULL ? (size_t)(colon - line) : n;
	v = colon != NULL ? colon + 1 : line + n;
	vlen = (size_t)(line + n - v);
	if (vlen > 0 && *v == ' ') {
		v++;
		vlen--;
	}
	return ctl_sse_field(p, line, nlen, v, vlen);
}

/* One field; -1 when the event's data would grow past CTL_SSE_DATA_MAX. */
static int
ctl_sse_field(struct ctl_sse *p, const char *name, size_t nlen,
    const char *v, size_t vlen)
{
	size_t	 i;
	long	 ms = 0;

	if (nlen == 4 && memcmp(name, "data", 4) == 0) {
		if (p->dlen + vlen + 1 > CTL_SSE_DATA_MAX)
			return -1;
		p->data = xrealloc(p->data, p->dlen + vlen + 2);
		if (p->has_data)
			p->data[p->dlen++] = '\n';
		memcpy(p->data + p->dlen, v, vlen);
		p->dlen += vlen;
		p->data[p->dlen] = '\0';
		p->has_data = true;
	} else if (nlen == 5 && memcmp(name, "event", 5) == 0) {
		free(p->event);
		p->event = xstrndup(v, vlen);
	} else if (nlen == 2 && memcmp(name, "id", 2) == 0) {
		/* An id with a NUL in it is ignored, as browsers do. */
		if (memchr(v, '\0', vlen) != NULL)
			return 0;
		free(p->id_buf);
		p->id_buf = xstrndup(v, vlen);
	} else if (nlen == 5 && memcmp(name, "retry", 5) == 0) {
		for (i = 0; i < vlen; i++) {
			if (v[i] < '0' || v[i] > '9' || ms > 86400000)
				return 0;
			ms = ms * 10 + (v[i] - '0');
		}
		if (vlen > 0)
			p->retry_ms = ms;
	}
	return 0;
}

/* A blank line: the event so far is complete. */
static int
ctl_sse_dispatch(struct ctl_sse *p)
{
	struct ctl_sse_event	 ev;
	int			 rc = 0;

	/* The id counts even for an event without data. */
	if (p->id_buf != NULL) {
		free(p->last_id);
		p->last_id = p->id_buf;
		p->id_buf = NULL;
	}
	if (p->has_data) {
		ev.id = p->last_id;
		ev.event = p->event != NULL && *p->event != '\0' ? p->event :
		    "message";
		ev.data = p->data;
		rc = p->cb(&ev, p->arg) != 0 ? 1 : 0;
	}
	free(p->event);
	free(p->data);
	p->event = p->data = NULL;
	p->dlen = 0;
	p->has_data = false;
	return rc;
}

void
ctl_sse_reset(struct ctl_sse *p)
{
	p->len = 0;
	p->after_cr = false;
	free(p->id_buf);
	free(p->event);
	free(p->data);
	p->id_buf = p->event = p->data = NULL;
	p->dlen = 0;
	p->has_data = false;
}

const char *
ctl_sse_last_id(const struct ctl_sse *p)
{
	return p->last_id != NULL && *p->last_id != '\0' ? p->last_id : NULL;
}

void
ctl_sse_free(struct ctl_sse *p)
{
	ctl_sse_reset(p);
	free(p->line);
	free(p->last_id);
	p->line = p->last_id = NULL;
	p->cap = 0;
}
