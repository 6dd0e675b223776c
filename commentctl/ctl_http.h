/*
 * ctl_http.h - commentctl's client of the admin API (libcurl): one
 * request in, the status and the parsed JSON body out; and the live event
 * stream, fed to an SSE parser.
 *
 * One connection is kept and reused from request to request (the pages
 * of `queue --all`).  Every request carries the API token as
 * "Authorization: Bearer"; nothing here prints it.
 */
#ifndef COMMENTD_CTL_HTTP_H
#define COMMENTD_CTL_HTTP_H

#include <signal.h>
#include <stddef.h>

#include <jansson.h>

#include "cs.h"

struct ctl_sse;

/* How long a request may take (connecting alone: CTL_HTTP_CONNECT_S). */
#define CTL_HTTP_TIMEOUT_S	60
#define CTL_HTTP_CONNECT_S	10
/*
 * A stream that sends nothing for this long is taken for dead: the
 * server sends a keep-alive comment every 15 seconds.
 */
#define CTL_HTTP_STREAM_IDLE_S	45

struct ctl_http;

/* An answer, or why there was none. */
struct ctl_resp {
	long	 status;	/* 0: no HTTP answer (error says why) */
	json_t	*json;		/* the body parsed, or NULL; owned */
	char	 error[256];	/* status 0: the transport's reason */
};

/*
 * A client of the server at url ("http://host:port", maybe a path
 * prefix) with the API token, sending agent as its User-Agent.  NULL if
 * libcurl cannot be set up.
 */
struct ctl_http	*ctl_http_new(const char *url, const char *token,
		    const char *agent);
void		 ctl_http_free(struct ctl_http *h);

/*
 * GET path ("/api/v1/..." with its query string).  Returns 0 on an HTTP
 * answer of any status (resp->status, resp->json), -1 without one
 * (resp->error).  Clear resp with ctl_resp_clear() either way.
 */
int	ctl_http_get(struct ctl_http *h, const char *path,
	    struct ctl_resp *resp) CS_MUSTCHECK;
/* The same for a POST of body as JSON (NULL: "{}"). */
int	ctl_http_post(struct ctl_http *h, const char *path,
	    const json_t *body, struct ctl_resp *resp) CS_MUSTCHECK;
/* The same for a DELETE (no body sent). */
int	ctl_http_delete(struct ctl_http *h, const char *path,
	    struct ctl_resp *resp) CS_MUSTCHECK;
void	ctl_resp_clear(struct ctl_resp *resp);

/*
 * What went wrong with resp, for a message: "cannot reach the server:
 * <reason>", or "<status> <error.code>: <error.message>" from the
 * server's error body.
 */
void	ctl_resp_describe(const struct ctl_resp *resp, char *buf,
	    size_t size);

/* s percent-encoded for a query string (a new string). */
char	*ctl_http_escape(struct ctl_http *h, const char *s);

enum ctl_stream_end {
	CTL_STREAM_STOPPED,	/* the parser's callback or *stop ended it */
	CTL_STREAM_ENDED,	/* it was open (200) and ended (resp->error) */
	CTL_STREAM_REFUSED,	/* never opened: resp has the status or
				   the transport's reason */
};

/*
 * GETs the event stream at path, with Last-Event-ID when the parser has
 * a last id, feeding what arrives to sse.  on_open (may be NULL) is
 * called once the server has answered 200.  Returns when the stream
 * ends, when the parser's callback asks to stop, or soon (within about a
 * second) after *stop becomes non-zero.  Clear resp either way.
 */
enum ctl_stream_end ctl_http_stream(struct ctl_http *h, const char *path,
	    struct ctl_sse *sse, void (*on_open)(void *), void *arg,
	    volatile sig_atomic_t *stop, struct ctl_resp *resp);

#endif
