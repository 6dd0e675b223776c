/*
 * log.c - one line per event on stderr.
 *
 * Each line is written with a single write(2) so lines from several
 * worker threads never interleave mid-line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"

enum log_level log_max_level = LOG_INFO;

/* Set once at start, before any thread: read without a lock. */
static bool	log_json;

static _Thread_local char log_thread[16] = "main";

/* A line: the message (LOG_MSG_MAX), escaped, and a request's path. */
#define LOG_MSG_MAX	2048
#define LOG_LINE_MAX	4096
#define LOG_ACCESS_BUF	65536
static _Thread_local char	*log_acc;	/* LOG_ACCESS_BUF bytes */
static _Thread_local size_t	 log_acc_len;

static const char *const log_level_names[] = {
	[LOG_ERROR] = "error",
	[LOG_WARN] = "warn",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

/* A request line's fields, for JSON. */
struct log_req {
	const char	*method;
	const char	*path;
	int		 status;
	double		 ms;
	bool		 gone;
};

static void	log_vmsg(enum log_level, const char *, va_list, const char *)
		    CS_PRINTF(2, 0);
static size_t	log_line(char *, enum log_level, const char *,
		    const struct log_req *);
static void	log_buffer(const char *, const struct log_req *);
static void	log_libevent_cb(int, const char *);

void
log_init(enum log_level max, bool route_libevent)
{
	log_max_level = max;
	if (route_libevent)
		event_set_log_callback(log_libevent_cb);
}

void
log_set_json(bool on)
{
	log_json = on;
}

enum log_level
log_level_parse(const char *s)
{
	if (strcmp(s, "error") == 0)
		return LOG_ERROR;
	if (strcmp(s, "warn") == 0)
		return LOG_WARN;
	if (strcmp(s, "debug") == 0)
		return LOG_DEBUG;
	return LOG_INFO;
}

void
log_set_thread_name(const char *name)
{
	snprintf(log_thread, sizeof log_thread, "%s", name);
}

/*
 * The length of the well-formed UTF-8 sequence of two to four bytes at
 * s (at most n bytes), else 0: no overlong form, no surrogate, nothing
 * past U+10FFFF (RFC 3629), so that JSON parsers accept what is kept.
 */
static size_t
log_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		len, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (len > n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* Whether the sequence at s (of log_utf8_len) is U+0080..U+009F. */
static bool
log_c1(const unsigned char *s)
{
	return s[0] == 0xc2 && s[1] < 0xa0;
}

/* msg's length without the line breaks at its end. */
static size_t
log_trimmed_len(const char *msg)
{
	size_t	n = strlen(msg);

	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		n--;
	return n;
}

size_t
log_escape(const char *msg, char *out, size_t size)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*s = (const unsigned char *)msg;
	size_t			 n, i = 0, o = 0, len;

	if (size == 0)
		return 0;
	n = log_trimmed_len(msg);
	while (i < n) {
		if (s[i] >= 0x20 && s[i] < 0x7f) {
			len = s[i] == '\\' ? 2 : 1;
			if (o + len >= size)
				break;
			out[o++] = (char)s[i];
			if (s[i] == '\\')
				out[o++] = '\\';
			i++;
		} else if ((len = log_utf8_len(s + i, n - i)) > 0 &&
		    !log_c1(s + i)) {
			if (o + len >= size)
				break;
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
		} else {
			if (o + 4 >= size)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[s[i] >> 4];
			out[o++] = hex[s[i] & 0xf];
			i++;
		}
	}
	out[o] = '\0';
	return o;
}

size_t
log_json_escape(const char *msg, char *out, size_t size)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*s = (const unsigned char *)msg;
	size_t			 n, i = 0, o = 0, len;
	unsigned char		 c;

	if (size == 0)
		return 0;
	n = log_trimmed_len(msg);
	while (i < n) {
		c = s[i];
		if (c >= 0x20 && c < 0x7f) {
			len = c == '"' || c == '\\' ? 2 : 1;
			if (o + len >= size)
				break;
			if (len == 2)
				out[o++] = '\\';
			out[o++] = (char)c;
			i++;
			continue;
		}
		len = log_utf8_len(s + i, n - i);
		if (len > 0 && !log_c1(s + i)) {
			if (o + len >= size)
				break;
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
			continue;
		}
		if (o + 6 >= size)
			break;
		if (len > 0 || c < 0x20 || c == 0x7f) {
			/* C0, DEL, or C1 (its second byte is the code). */
			if (len > 0)
				c = s[i + 1];
			memcpy(out + o, "\\u00", 4);
			out[o + 4] = hex[c >> 4];
			out[o + 5] = hex[c & 0xf];
			i += len > 0 ? len : 1;
		} else {
			memcpy(out + o, "\\ufffd", 6);
			i++;
		}
		o += 6;
	}
	out[o] = '\0';
	return o;
}

/*
 * Writes one line with its newline into line (LOG_LINE_MAX bytes) and
 * returns its length: the message escaped (it is at most LOG_MSG_MAX,
 * so the pieces always fit and a JSON line is never cut mid-object).
 */
static size_t
log_line(char *line, enum log_level level, const char *msg,
    const struct log_req *rq)
{
	struct timespec	 now;
	struct tm	 tm;
	char		 ts[80], text[LOG_LINE_MAX / 2];
	char		 thread[sizeof log_thread * 6], path[LOG_LINE_MAX / 4];
	int		 n;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000);
	if (!log_json) {
		log_escape(msg, text, sizeof text);
		n = snprintf(line, LOG_LINE_MAX, "%s %s [%s] %s\n", ts,
		    log_level_names[level], log_thread, text);
		return n > 0 && n < LOG_LINE_MAX ? (size_t)n : 0;
	}
	log_json_escape(msg, text, sizeof text);
	log_json_escape(log_thread, thread, sizeof thread);
	n = snprintf(line, LOG_LINE_MAX, "{\"ts\":\"%s\",\"level\":\"%s\","
	    "\"thread\":\"%s\",\"msg\":\"%s\"", ts, log_level_names[level],
	    thread, text);
	if (n > 0 && n < LOG_LINE_MAX && rq != NULL) {
		log_json_escape(rq->path, path, sizeof path);
		n += snprintf(line + n, LOG_LINE_MAX - (size_t)n,
		    ",\"method\":\"%s\",\"path\":\"%s\",\"status\":%d,"
		    "\"ms\":%.2f%s", rq->method, path, rq->status, rq->ms,
		    rq->gone ? ",\"client_gone\":true" : "");
	}
	/* Never a cut object: the pieces' bounds make this unreachable. */
	if (n <= 0 || n + 2 >= LOG_LINE_MAX)
		return 0;
	memcpy(line + n, "}\n", 2);
	return (size_t)n + 2;
}

static void
log_vmsg(enum log_level level, const char *fmt, va_list ap, const char *suffix)
{
	char	line[LOG_LINE_MAX], msg[LOG_MSG_MAX];
	size_t	n;

	/* Whatever is buffered came first. */
	log_flush();
	if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
		msg[0] = '\0';
	if (suffix != NULL) {
		n = strlen(msg);
		snprintf(msg + n, sizeof msg - n, ": %s", suffix);
	}
	n = log_line(line, level, msg, NULL);
	/* One write per line; a short write to stderr is not worth a retry. */
	if (n > 0 && write(STDERR_FILENO, line, n) < 0)
		return;
}

/* Adds a request line to the calling thread's buffer. */
static void
log_buffer(const char *msg, const struct log_req *rq)
{
	if (log_acc == NULL && (log_acc = malloc(LOG_ACCESS_BUF)) == NULL)
		return;
	if (LOG_ACCESS_BUF - log_acc_len < LOG_LINE_MAX)
		log_flush();
	log_acc_len += log_line(log_acc + log_acc_len, LOG_INFO, msg, rq);
}

void
log_access(const char *fmt, ...)
{
	va_list	ap;
	char	msg[LOG_MSG_MAX];

	if (log_max_level < LOG_INFO)
		return;
	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	log_buffer(msg, NULL);
}

void
log_request(const char *method, const char *path, int status, double ms,
    bool gone)
{
	struct log_req	rq = { method, path, status, ms, gone };
	char		msg[LOG_MSG_MAX];

	if (log_max_level < LOG_INFO)
		return;
	snprintf(msg, sizeof msg, "%s %s %d %.2fms%s", method, path, status,
	    ms, gone ? " (client gone)" : "");
	log_buffer(msg, &rq);
}

void
log_flush(void)
{
	if (log_acc_len == 0)
		return;
	if (write(STDERR_FILENO, log_acc, log_acc_len) < 0) {
		/* nothing better to do with a failing stderr */
	}
	log_acc_len = 0;
}

void
log_thread_done(void)
{
	log_flush();
	free(log_acc);
	log_acc = NULL;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list	ap;

	if (level > log_max_level)
		return;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	char	err[128];

	snprintf(err, sizeof err, "%s", strerror(errno));
	va_start(ap, fmt);
	log_vmsg(LOG_ERROR, fmt, ap, err);
	va_end(ap);
	abort();
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERROR, fmt, ap, NULL);
	va_end(ap);
	abort();
}

static void
log_libevent_cb(int severity, const char *msg)
{
	switch (severity) {
	case EVENT_LOG_DEBUG:
		log_debug("libevent: %s", msg);
		break;
	case EVENT_LOG_MSG:
		log_info("libevent: %s", msg);
		break;
	case EVENT_LOG_WARN:
		log_warn("libevent: %s", msg);
		break;
	default:
		log_error("libevent: %s", msg);
		break;
	}
}
