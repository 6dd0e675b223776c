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

static _Thread_local char log_thread[16] = "main";

#define LOG_ACCESS_BUF	65536
static _Thread_local char	*log_acc;	/* LOG_ACCESS_BUF bytes */
static _Thread_local size_t	 log_acc_len;

static const char *const log_level_names[] = {
	[LOG_ERROR] = "error",
	[LOG_WARN] = "warn",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

static void	log_vmsg(enum log_level, const char *, va_list, const char *)
		    CS_PRINTF(2, 0);
static size_t	log_format(char *, size_t, enum log_level, const char *,
		    va_list, const char *) CS_PRINTF(4, 0);
static void	log_libevent_cb(int, const char *);

void
log_init(enum log_level max, bool route_libevent)
{
	log_max_level = max;
	if (route_libevent)
		event_set_log_callback(log_libevent_cb);
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

/* The length of the UTF-8 sequence at s (at most n bytes) if it is one
 * and not a C1 control, else 0. */
static size_t
log_utf8_len(const unsigned char *s, size_t n)
{
	size_t	len, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (s[0] == 0xc2 && s[1] < 0xa0)
		return 0;		/* U+0080..U+009F */
	return len;
}

size_t
log_escape(const char *msg, char *out, size_t size)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*s = (const unsigned char *)msg;
	size_t			 n = strlen(msg), i = 0, o = 0, len;

	if (size == 0)
		return 0;
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	while (i < n) {
		if (s[i] >= 0x20 && s[i] < 0x7f) {
			len = s[i] == '\\' ? 2 : 1;
			if (o + len >= size)
				break;
			out[o++] = (char)s[i];
			if (s[i] == '\\')
				out[o++] = '\\';
			i++;
		} else if ((len = log_utf8_len(s + i, n - i)) > 0) {
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

/* Formats one line (with its newline) into line; returns its length.
 * The message and suffix are escaped (log_escape). */
static size_t
log_format(char *line, size_t size, enum log_level level, const char *fmt,
    va_list ap, const char *suffix)
{
	struct timespec	 ts;
	struct tm	 tm;
	int		 n;
	char		 msg[2048];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, size,
	    "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s [%s] ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
	    log_level_names[level], log_thread);
	if (n < 0)
		return 0;
	if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
		msg[0] = '\0';
	n += (int)log_escape(msg, line + n, size - (size_t)n - 1);
	if (suffix != NULL && (size_t)n + 3 < size - 1) {
		memcpy(line + n, ": ", 2);
		n += 2;
		n += (int)log_escape(suffix, line + n, size - (size_t)n - 1);
	}
	line[n++] = '\n';
	return (size_t)n;
}

static void
log_vmsg(enum log_level level, const char *fmt, va_list ap, const char *suffix)
{
	char	line[2048];
	size_t	n;

	/* Whatever is buffered came first. */
	log_flush();
	n = log_format(line, sizeof line, level, fmt, ap, suffix);
	/* One write per line; a short write to stderr is not worth a retry. */
	if (n > 0 && write(STDERR_FILENO, line, n) < 0)
		return;
}

void
log_access(const char *fmt, ...)
{
	va_list	ap;
	size_t	n;

	if (log_max_level < LOG_INFO)
		return;
	if (log_acc == NULL && (log_acc = malloc(LOG_ACCESS_BUF)) == NULL)
		return;
	if (LOG_ACCESS_BUF - log_acc_len < 2048)
		log_flush();
	va_start(ap, fmt);
	n = log_format(log_acc + log_acc_len, 2048, LOG_INFO, fmt, ap, NULL);
	va_end(ap);
	log_acc_len += n;
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
