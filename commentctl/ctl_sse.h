/*
 * ctl_sse.h - a text/event-stream parser (the WHATWG "server-sent
 * events" rules): bytes in, in pieces of any size; whole events out.
 *
 * Lines end in LF, CRLF or CR.  "id:", "event:", "data:" and "retry:"
 * fields are kept; comment lines (":" first) are counted and dropped.
 * The last event id is the one to send as Last-Event-ID when the
 * connection has to be made again: it only moves when an event is
 * complete, so an event cut off by a dropped connection is asked for
 * again.
 */
#ifndef COMMENTD_CTL_SSE_H
#define COMMENTD_CTL_SSE_H

#include <stdbool.h>
#include <stddef.h>

#include "cs.h"

/* A line longer than this ends the stream as broken. */
#define CTL_SSE_LINE_MAX	(1024 * 1024)
/* So does an event whose data lines come to more than this together: a
 * server sending data lines without ever a blank line cannot make the
 * client hold an unbounded event. */
#define CTL_SSE_DATA_MAX	(4 * 1024 * 1024)

struct ctl_sse_event {
	const char	*id;	/* the last event id, or NULL if none yet */
	const char	*event;	/* "message" unless the event named one */
	const char	*data;	/* the data lines, joined by '\n' */
};

/*
 * Called for each complete event, which is valid during the call only.
 * Returns 0 to go on, non-zero to stop (ctl_sse_feed returns 1).
 */
typedef int (*ctl_sse_cb)(const struct ctl_sse_event *ev, void *arg);

struct ctl_sse {
	ctl_sse_cb	 cb;
	void		*arg;
	char		*line;		/* the line being read */
	size_t		 len, cap;
	bool		 after_cr;	/* a LF now ends nothing */
	char		*id_buf;	/* the id field of this event */
	char		*last_id;	/* as of the last complete event */
	char		*event;		/* the event field, or NULL */
	char		*data;		/* the data lines so far */
	size_t		 dlen;
	bool		 has_data;
	long		 retry_ms;	/* the last retry field; -1: none */
	unsigned long	 comments;	/* comment lines (keep-alives) */
};

void	ctl_sse_init(struct ctl_sse *p, ctl_sse_cb cb, void *arg);
/*
 * Parses buf[0..len).  Returns 0; 1 when the callback asked to stop
 * (the rest of buf is dropped); -1 when a line is over CTL_SSE_LINE_MAX
 * or an event's data over CTL_SSE_DATA_MAX.
 */
int	ctl_sse_feed(struct ctl_sse *p, const char *buf, size_t len)
	    CS_MUSTCHECK;
/*
 * The connection ended: forgets the partial line and event, keeps the
 * last event id and retry for the next connection.
 */
void	ctl_sse_reset(struct ctl_sse *p);
/* The id to send as Last-Event-ID, or NULL if no event had one. */
const char *ctl_sse_last_id(const struct ctl_sse *p);
void	ctl_sse_free(struct ctl_sse *p);

#endif
