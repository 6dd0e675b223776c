/*
 * log.h - logging to stderr, one line per event.
 *
 * Lines are "TIME LEVEL [thread] message", or with log_set_json() one
 * JSON object a line: {"ts", "level", "thread", "msg"} and a request
 * line's own fields (log_request).  Debug lines are formatted only when
 * debug logging is on.  fatal() appends strerror(errno); both fatal and
 * fatalx are for broken invariants only, never for bad input.
 */
#ifndef COMMENTD_LOG_H
#define COMMENTD_LOG_H

#include <stdbool.h>

#include "cs.h"

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

extern enum log_level log_max_level;

void	log_init(enum log_level max, bool route_libevent);
/* "error", "warn", "info", "debug" (anything else: info). */
enum log_level log_level_parse(const char *s);
/* JSON lines instead of text (COMMENTD_LOG_FORMAT=json); set before
 * any thread starts. */
void	log_set_json(bool on);
/* Names the calling thread in its log lines ("main", "w0", ...). */
void	log_set_thread_name(const char *name);

void	log_msg(enum log_level, const char *fmt, ...) CS_PRINTF(2, 3);

/*
 * What a log line says of a message: a line break or tab, another
 * control byte, DEL, a C1 control (U+0080..U+009F) and a byte that
 * begins no UTF-8 sequence are written \xNN, and a backslash \\, so
 * that text from requests (a path, a header) cannot start a line of
 * its own or send a terminal escape sequence.  Line breaks at the
 * message's end are dropped (libpq ends its errors with one).  Writes
 * at most size bytes with the NUL, cutting only between escapes or
 * whole characters; returns the length.
 */
size_t	log_escape(const char *msg, char *out, size_t size);

/*
 * The same for a JSON string's contents (without its quotes): a quote
 * and a backslash escaped, every control character (C0, DEL, C1) as
 * \u00XX, a byte that begins no well-formed UTF-8 sequence (overlong,
 * surrogate, cut) as \ufffd; the rest of UTF-8 as it is.  So a line
 * holds no control byte and any JSON parser reads it.  Bounds and line
 * breaks at the end as log_escape.
 */
size_t	log_json_escape(const char *msg, char *out, size_t size);

/*
 * Request lines (info level).  A worker answering tens of thousands of
 * requests a second cannot afford a write(2) for each: lines collect in
 * a buffer of the calling thread and go out in one write when it fills
 * or when log_flush() runs (a worker timer, and at thread exit).
 */
void	log_access(const char *fmt, ...) CS_PRINTF(1, 2);
/*
 * A request's line, buffered as log_access: "METHOD PATH STATUS D.DDms"
 * (and " (client gone)"); in JSON also as the fields method, path,
 * status, ms (and client_gone).
 */
void	log_request(const char *method, const char *path, int status,
	    double ms, bool gone);
void	log_flush(void);
/* Flushes and frees the calling thread's buffer. */
void	log_thread_done(void);
CS_NORETURN void fatal(const char *fmt, ...) CS_PRINTF(1, 2);
CS_NORETURN void fatalx(const char *fmt, ...) CS_PRINTF(1, 2);

#define log_error(...)	log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	do { if (log_max_level >= LOG_INFO) \
	log_msg(LOG_INFO, __VA_ARGS__); } while (0)
#define log_debug(...)	do { if (log_max_level >= LOG_DEBUG) \
	log_msg(LOG_DEBUG, __VA_ARGS__); } while (0)

#endif
