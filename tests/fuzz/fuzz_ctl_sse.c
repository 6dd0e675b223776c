/*
 * fuzz_ctl_sse.c - commentctl's event-stream parser (ctl_sse.c) on an
 * arbitrary stream.
 *
 * The stream is parsed twice: whole, and in pieces of varying size
 * (1 to 7 bytes, as a slow network delivers them).  Both must give the
 * same events, last id, retry and keep-alive count: a line or an event
 * cut between two reads is the same line or event.  Each event's
 * fields hold no line break, and an event whose data says "stop" stops
 * the parser at once.
 */
#include "ctl_sse.h"
#include "fuzz_util.h"

#define FUZZ_MAX_INPUT	(64 * 1024)

struct fuzz_log {
	char	*text;
	size_t	 len, cap;
};

static void
fuzz_log_add(struct fuzz_log *l, const char *s)
{
	size_t	n = strlen(s) + 1;

	if (l->len + n > l->cap) {
		l->cap = (l->len + n) * 2;
		if ((l->text = realloc(l->text, l->cap)) == NULL)
			abort();
	}
	memcpy(l->text + l->len, s, n);
	l->len += n;
}

static int
fuzz_event(const struct ctl_sse_event *ev, void *arg)
{
	struct fuzz_log	*l = arg;

	if (ev->event == NULL || ev->data == NULL || *ev->event == '\0')
		fuzz_fail("fuzz_ctl_sse", "event without its fields");
	if (strpbrk(ev->event, "\r\n") != NULL ||
	    strchr(ev->data, '\r') != NULL ||
	    (ev->id != NULL && strpbrk(ev->id, "\r\n") != NULL))
		fuzz_fail("fuzz_ctl_sse", "a line break inside a field");
	fuzz_log_add(l, ev->id != NULL ? ev->id : "(none)");
	fuzz_log_add(l, ev->event);
	fuzz_log_add(l, ev->data);
	return strcmp(ev->data, "stop") == 0;
}

/* Parses the stream in pieces of step(i) bytes; the feed's result. */
static int
fuzz_parse(const char *s, size_t size, int chunked, struct ctl_sse *p,
    struct fuzz_log *l)
{
	size_t	i = 0, n, k = 0;
	int	rc = 0;

	ctl_sse_init(p, fuzz_event, l);
	while (i < size && rc == 0) {
		n = chunked ? 1 + (k++ * 5 + (unsigned char)s[i]) % 7 : size;
		if (n > size - i)
			n = size - i;
		rc = ctl_sse_feed(p, s + i, n);
		i += n;
	}
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_sse	 a, b;
	struct fuzz_log	 la = { 0 }, lb = { 0 };
	const char	*ia, *ib;
	int		 ra, rb;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	ra = fuzz_parse((const char *)data, size, 0, &a, &la);
	rb = fuzz_parse((const char *)data, size, 1, &b, &lb);
	if (ra != rb || la.len != lb.len ||
	    (la.len > 0 && memcmp(la.text, lb.text, la.len) != 0))
		fuzz_fail("fuzz_ctl_sse", "pieces parse otherwise "
		    "(%d vs %d)", ra, rb);
	ia = ctl_sse_last_id(&a);
	ib = ctl_sse_last_id(&b);
	if ((ia == NULL) != (ib == NULL) || (ia != NULL && strcmp(ia, ib)))
		fuzz_fail("fuzz_ctl_sse", "last ids differ");
	if (a.retry_ms != b.retry_ms || a.comments != b.comments)
		fuzz_fail("fuzz_ctl_sse", "retry or comments differ");
	if (a.retry_ms < -1)
		fuzz_fail("fuzz_ctl_sse", "retry %ld", a.retry_ms);
	/* A dropped connection keeps the id for the next one. */
	ctl_sse_reset(&a);
	ib = ctl_sse_last_id(&a);
	if ((ia == NULL) != (ib == NULL))
		fuzz_fail("fuzz_ctl_sse", "reset lost the last id");
	ctl_sse_free(&a);
	ctl_sse_free(&b);
	free(la.text);
	free(lb.text);
	return 0;
}
