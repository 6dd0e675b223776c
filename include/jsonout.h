/*
 * jsonout.h - compact JSON text of a jansson value, written fast.
 *
 * Every answer is built as jansson values and written out here rather
 * than by json_dump*: jansson decodes each string code point by code
 * point to write it, which made writing a moderation queue page of
 * Arabic comments cost more than the database query behind it
 * (docs/PERFORMANCE.md).  Strings are copied in runs and only '"', '\'
 * and control characters are escaped; jansson's own values are valid
 * UTF-8 (json_string checks; db_result_json relies on the database's
 * UTF8 encoding, checked at start).  The text is what json_dumps would
 * write with JSON_COMPACT: keys in insertion order, reals as "%.17g"
 * with a ".0" when they look like integers.
 */
#ifndef COMMENTD_JSONOUT_H
#define COMMENTD_JSONOUT_H

#include <stddef.h>

#include <jansson.h>

struct evbuffer;

/* Appends the text of v to out.  Out of memory is fatal. */
void	 jsonout_evbuffer(const json_t *v, struct evbuffer *out);

/* The text of v as a new NUL-terminated string (free()); its length in
 * *len when len is not NULL. */
char	*jsonout_string(const json_t *v, size_t *len);

#endif
