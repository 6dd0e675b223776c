/*
 * req.c - request dispatch, input helpers and replies (see req.h).
 */
#include <sys/socket.h>
#include <sys/queue.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "auth.h"
#include "cache.h"
#include "config.h"
#include "cors.h"
#include "ctx.h"
#include "db.h"
#include "jsonout.h"
#include "log.h"
#include "netaddr.h"
#include "ratelimit.h"
#include "req.h"
#include "routes.h"
#include "text.h"
#include "xmalloc.h"

static const char *const JSON_TYPE = "application/json; charset=utf-8";

static void	req_free(struct req *, bool);
static bool	req_track_reply(struct req *);
static void	req_written_cb(struct evhttp_request *, void *);
static void	req_lost_cb(struct evhttp_connection *, void *);
static void	req_send(struct req *, int, struct evbuffer *);
static unsigned	req_method_bit(enum evhttp_cmd_type);
static bool	req_is_json_type(const char *);
static int	req_read_body(struct req *);
static bool	req_has_ctl(const char *, size_t, bool);
static bool	req_check_input(struct req *, const char *);
static size_t	req_utf8_prefix(const char *, size_t);
static void	req_security_headers(struct req *);

static unsigned
req_method_bit(enum evhttp_cmd_type t)
{
	switch (t) {
	case EVHTTP_REQ_GET:
		return ROUTE_GET;
	case EVHTTP_REQ_HEAD:
		return ROUTE_HEAD;
	case EVHTTP_REQ_POST:
		return ROUTE_POST;
	case EVHTTP_REQ_PUT:
		return ROUTE_PUT;
	case EVHTTP_REQ_DELETE:
		return ROUTE_DELETE;
	case EVHTTP_REQ_PATCH:
		return ROUTE_PATCH;
	case EVHTTP_REQ_OPTIONS:
		return ROUTE_OPTIONS;
	default:
		return 0;
	}
}

void
req_dispatch(struct evhttp_request *ev, void *arg)
{
	const struct req_host	*host = arg;
	struct req		*r;
	const struct evhttp_uri	*uri;
	const char		*path, *query;
	enum router_result	 result;
	struct evkeyval		*kv;
	unsigned		 allowed;
	char			 allow[96];
	bool			 accepting;

	r = xcalloc(1, sizeof *r);
	r->ev = ev;
	r->host = host;
	r->ctx = host->ctx;
	clock_gettime(CLOCK_MONOTONIC, &r->started);
	r->method = req_method_bit(evhttp_request_get_command(ev));
	r->csp = REQ_CSP_API;
	accepting = host->started(host->arg);

	uri = evhttp_request_get_evhttp_uri(ev);
	path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	r->path = xstrdup(path != NULL && *path != '\0' ? path : "/");

	/* Stopping: a request already on its way (a proxy's kept-alive
	 * connection) is served rather than refused, since a proxy does not
	 * retry a refused POST; the close sends the next one elsewhere. */
	if (!accepting)
		req_add_header(r, "Connection", "close");
	if (uri == NULL) {
		req_reply_error(r, 400, "bad_request", "malformed request URI");
		return;
	}
	query = evhttp_uri_get_query(uri);
	if (!req_check_input(r, query))
		return;
	/* Most reads have no query string: no list for them. */
	if (query != NULL && *query != '\0') {
		r->query = xcalloc(1, sizeof *r->query);
		TAILQ_INIT(r->query);
		if (evhttp_parse_query_str(query, r->query) != 0) {
			req_reply_error(r, 400, "invalid_parameter",
			    "malformed query string");
			return;
		}
		TAILQ_FOREACH(kv, r->query, next) {
			if (!text_valid_utf8(kv->key, strlen(kv->key)) ||
			    !text_valid_utf8(kv->value, strlen(kv->value)) ||
			    req_has_ctl(kv->value, strlen(kv->value), false)) {
				req_reply_error(r, 400, "invalid_parameter",
				    "a query parameter is not UTF-8 text");
				return;
			}
		}
	}

	if (r->method == ROUTE_OPTIONS && cors_public_path(r->path)) {
		cors_preflight(r);
		return;
	}
	result = router_match(route_table, route_count, r->method, r->path,
	    &r->route, &r->params, &allowed);
	if (result == ROUTER_NOT_FOUND &&
	    (r->route = routes_web_file(r->path)) != NULL) {
		allowed = r->route->methods;
		result = (r->method & (ROUTE_GET | ROUTE_HEAD)) ?
		    ROUTER_MATCH : ROUTER_BAD_METHOD;
	}
	switch (result) {
	case ROUTER_MATCH:
		break;
	case ROUTER_BAD_METHOD:
		router_allow_header(allowed, allow, sizeof allow);
		req_add_header(r, "Allow", allow);
		/* Never the path: its bytes are the client's. */
		req_reply_error(r, 405, "method_not_allowed",
		    "this resource accepts %s", allow);
		return;
	case ROUTER_BAD_PATH:
		req_reply_error(r, 400, "invalid_path", "a segment of the "
		    "path is a malformed escape or a control character");
		return;
	case ROUTER_NOT_FOUND:
	default:
		req_reply_error(r, 404, "not_found", "no such resource");
		return;
	}

	if (r->route->flags & (ROUTE_AUTH | ROUTE_ADMIN))
		auth_dispatch(r);
	else if (!cors_public_path(r->path) || cors_check(r))
		req_continue(r);
}

/* True if s[0..len) holds a C0 control or DEL (a tab too unless tab). */
static bool
req_has_ctl(const char *s, size_t len, bool tab)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] < 0x20 && !(tab && s[i] == '\t')) ||
		    s[i] == 0x7f)
			return true;
	}
	return false;
}

/*
 * What libevent lets through and no request of ours needs: a raw path
 * or query with control bytes or a path that is not UTF-8, an escaped
 * NUL in the query (its value would end there), control bytes in a
 * header, and framing a proxy may read otherwise than libevent did:
 * two Content-Lengths (libevent reads by the first), one that is not
 * all digits ("+5"), a Transfer-Encoding other than "chunked" (libevent
 * then ignores it).  Those close the connection: what follows on it
 * may be a smuggled request.  False after replying 400.
 */
static bool
req_check_input(struct req *r, const char *query)
{
	struct evkeyval	*h;
	struct evkeyvalq *in = evhttp_request_get_input_headers(r->ev);
	size_t		 n = strlen(r->path);
	int		 lengths = 0;

	if (!text_valid_utf8(r->path, n) || req_has_ctl(r->path, n, false)) {
		req_reply_error(r, 400, "invalid_path",
		    "the path is not UTF-8 text");
		return false;
	}
	if (query != NULL && (req_has_ctl(query, strlen(query), false) ||
	    strstr(query, "%00") != NULL)) {
		req_reply_error(r, 400, "invalid_parameter",
		    "the query string holds a control character");
		return false;
	}
	TAILQ_FOREACH(h, in, next) {
		if (req_has_ctl(h->key, strlen(h->key), false) ||
		    req_has_ctl(h->value, strlen(h->value), true)) {
			req_reply_error(r, 400, "invalid_header",
			    "a header holds a control character");
			return false;
		}
		if ((strcasecmp(h->key, "Content-Length") == 0 &&
		    (++lengths > 1 || h->value[0] == '\0' ||
		    h->value[strspn(h->value, "0123456789")] != '\0')) ||
		    (strcasecmp(h->key, "Transfer-Encoding") == 0 &&
		    strcasecmp(h->value, "chunked") != 0)) {
			req_add_header(r, "Connection", "close");
			req_reply_error(r, 400, "invalid_header",
			    "the body's length is ambiguous");
			return false;
		}
	}
	return true;
}

void
req_continue(struct req *r)
{
	if ((r->route->flags & ROUTE_JSON_BODY) && req_read_body(r) != 0)
		return;
	r->route->fn(r);
}

static bool
req_is_json_type(const char *ct)
{
	size_t	n = strlen("application/json");

	if (ct == NULL)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, "application/json", n) != 0)
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

/*
 * Checks size and type, then decodes the body as a JSON object.
 * Replies and returns -1 on any problem.
 */
static int
req_read_body(struct req *r)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(r->ev);
	const char	*cl;
	size_t		 len, max;
	json_error_t	 err;
	unsigned char	*data;
	char		*end;
	unsigned long long clen;

	max = (size_t)r->ctx->cfg->max_request_bytes;
	/* Decide from Content-Length where there is one, so an oversized
	 * body is refused whatever of it has arrived. */
	if ((cl = req_header(r, "Content-Length")) != NULL) {
		clen = strtoull(cl, &end, 10);
		if (end != cl && *end == '\0' && clen > max) {
			req_add_header(r, "Connection", "close");
			req_reply_error(r, 413, "payload_too_large",
			    "the request body is over %zu bytes", max);
			return -1;
		}
	}
	len = evbuffer_get_length(in);
	if (len == 0 && (r->route->flags & ROUTE_JSON_OPTIONAL)) {
		r->body = json_object();
		return 0;
	}
	if (len > max) {
		req_add_header(r, "Connection", "close");
		req_reply_error(r, 413, "payload_too_large",
		    "the request body is over %zu bytes", max);
		return -1;
	}
	if (!req_is_json_type(req_header(r, "Content-Type"))) {
		req_reply_error(r, 415, "unsupported_media_type",
		    "send the body as application/json");
		return -1;
	}
	data = evbuffer_pullup(in, -1);
	/* NUL escapes are accepted here and dropped by text clean-up,
	 * except where a string goes on as a C string (credentials). */
	r->body = json_loadb((const char *)(data != NULL ? data :
	    (unsigned char *)""), len, JSON_REJECT_DUPLICATES |
	    ((r->route->flags & ROUTE_JSON_NO_NUL) ? 0 : JSON_ALLOW_NUL),
	    &err);
	if (r->body == NULL &&
	    json_error_code(&err) == json_error_null_character) {
		req_reply_error(r, 400, "nul_in_string",
		    "a string of the body holds \\u0000 (line %d, "
		    "column %d)", err.line, err.column);
		return -1;
	}
	if (r->body == NULL) {
		req_reply_error(r, 400, "malformed_json",
		    "the body is not valid JSON: %s (line %d, column %d)",
		    err.text, err.line, err.column);
		return -1;
	}
	if (!json_is_object(r->body)) {
		req_reply_error(r, 400, "malformed_json",
		    "the body must be a JSON object");
		return -1;
	}
	return 0;
}

const char *
req_header(const struct req *r, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(r->ev),
	    name);
}

/*
 * The last line of a header sent more than once: a proxy that adds its
 * own X-Forwarded-For line rather than appending to the client's puts
 * it last, and the client's own lines first.
 */
static const char *
req_header_last(const struct req *r, const char *name)
{
	struct evkeyval	*kv;
	const char	*v = NULL;

	TAILQ_FOREACH(kv, evhttp_request_get_input_headers(r->ev), next) {
		if (strcasecmp(kv->key, name) == 0)
			v = kv->value;
	}
	return v;
}

const char *
req_query(const struct req *r, const char *name)
{
	return r->query != NULL ? evhttp_find_header(r->query, name) : NULL;
}

int
req_query_all(const struct req *r, const char *name, const char **values,
    int max)
{
	struct evkeyval	*kv;
	int		 n = 0;

	if (r->query == NULL)
		return 0;
	TAILQ_FOREACH(kv, r->query, next) {
		if (strcmp(kv->key, name) != 0)
			continue;
		if (n == max)
			return -1;
		values[n++] = kv->value;
	}
	return n;
}

const char *
req_forwarded_ip(const char *xff, char *buf, size_t size)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;
	const char	*last;
	size_t		 n;

	/* The proxy appends the address it saw last. */
	last = strrchr(xff, ',');
	last = last != NULL ? last + 1 : xff;
	while (*last == ' ')
		last++;
	n = strcspn(last, " ,");
	if (n > 0 && n < size) {
		memcpy(buf, last, n);
		buf[n] = '\0';
		if (inet_pton(AF_INET, buf, &a4) == 1 ||
		    inet_pton(AF_INET6, buf, &a6) == 1)
			return buf;
	}
	return NULL;
}

const char *
req_client_ip(const struct req *r, char *buf, size_t size)
{
	struct evhttp_connection	*evcon;
	const char			*xff, *addr;
	ev_uint16_t			 port;
	struct in6_addr			 a6;
	struct in_addr			 a4;

	if (r->ctx->cfg->trust_proxy &&
	    (xff = req_header_last(r, "X-Forwarded-For")) != NULL &&
	    req_forwarded_ip(xff, buf, size) != NULL)
		return buf;
	if ((evcon = evhttp_request_get_connection(r->ev)) == NULL)
		return NULL;
	evhttp_connection_get_peer(evcon, (char **)&addr, &port);
	if (addr == NULL || strlen(addr) >= size)
		return NULL;
	snprintf(buf, size, "%s", addr);
	if (inet_pton(AF_INET, buf, &a4) != 1 &&
	    inet_pton(AF_INET6, buf, &a6) != 1)
		return NULL;
	return buf;
}

void
req_reader_key(const struct req *r, char key[NETADDR_KEY_MAX])
{
	struct netaddr	a;
	char		ip[64];

	key[0] = '\0';
	if (req_client_ip(r, ip, sizeof ip) != NULL &&
	    netaddr_parse(ip, &a) && a.prefix == 128)
		netaddr_reader_key(&a, key);
}

bool
req_rate_take(struct req *r, struct ratelimit *rl, const char *key)
{
	char	buf[320];
	size_t	i;
	int	retry;

	if (rl == NULL)
		return true;
	if (key == NULL)
		req_reader_key(r, buf);
	else {
		/* Longer keys (none valid) share their first 319 bytes. */
		for (i = 0; key[i] != '\0' && i < sizeof buf - 1; i++)
			buf[i] = (char)tolower((unsigned char)key[i]);
		buf[i] = '\0';
	}
	if (ratelimit_take(rl, buf, ratelimit_clock(), &retry))
		return true;
	req_reply_rate_limited(r, retry);
	return false;
}

void
req_add_header(struct req *r, const char *name, const char *value)
{
	evhttp_add_header(evhttp_request_get_output_headers(r->ev), name,
	    value);
}

/* -- replies ----------------------------------------------------------- */

/* Frees r; done: tell the host it is over (else a callback of
 * req_track_reply will). */
static void
req_free(struct req *r, bool done)
{
	const struct req_host	*host = r->host;

	if (r->data_free != NULL)
		r->data_free(r->data);
	router_params_free(&r->params);
	if (r->query != NULL) {
		evhttp_clear_headers(r->query);
		free(r->query);
	}
	json_decref(r->body);
	free(r->mod);
	free(r->path);
	free(r);
	if (done)
		host->done(host->arg);
}

/*
 * A reply is in flight until libevent has written it (on_complete) or
 * dropped its connection (closecb): only then is the request done for
 * the host, so a stopping worker does not close connections with the
 * last replies still in their buffers.  Exactly one of the two runs:
 * on_complete clears the closecb before libevent may close.  False if
 * the request has no connection (the client is gone).
 */
static bool
req_track_reply(struct req *r)
{
	struct evhttp_connection	*evcon;
	void				*host = (void *)r->host;

	if (r->ev == NULL ||
	    (evcon = evhttp_request_get_connection(r->ev)) == NULL)
		return false;
	evhttp_request_set_on_complete_cb(r->ev, req_written_cb, host);
	evhttp_connection_set_closecb(evcon, req_lost_cb, host);
	return true;
}

static void
req_written_cb(struct evhttp_request *ev, void *arg)
{
	const struct req_host		*host = arg;
	struct evhttp_connection	*evcon;

	if ((evcon = evhttp_request_get_connection(ev)) != NULL)
		evhttp_connection_set_closecb(evcon, NULL, NULL);
	host->done(host->arg);
}

static void
req_lost_cb(struct evhttp_connection *evcon, void *arg)
{
	const struct req_host	*host = arg;

	(void)evcon;
	host->done(host->arg);
}

static const char *
req_method_name(unsigned m)
{
	switch (m) {
	case ROUTE_GET:
		return "GET";
	case ROUTE_HEAD:
		return "HEAD";
	case ROUTE_POST:
		return "POST";
	case ROUTE_PUT:
		return "PUT";
	case ROUTE_DELETE:
		return "DELETE";
	case ROUTE_PATCH:
		return "PATCH";
	case ROUTE_OPTIONS:
		return "OPTIONS";
	default:
		return "OTHER";
	}
}

/* Reason phrases libevent 2.1 does not know (it says "Client Error"). */
static const char *
req_reason(int status)
{
	switch (status) {
	case 409:
		return "Conflict";
	case 422:
		return "Unprocessable Content";
	case 429:
		return "Too Many Requests";
	default:
		return NULL;
	}
}

/* The headers every answer carries (see REQ_CSP_API). */
static void
req_security_headers(struct req *r)
{
	req_add_header(r, "X-Content-Type-Options", "nosniff");
	if (r->csp != NULL)
		req_add_header(r, "Content-Security-Policy", r->csp);
}

/* Sends the reply (body may be NULL), logs the request line, frees r. */
static void
req_send(struct req *r, int status, struct evbuffer *body)
{
	struct timespec	 now;
	double		 ms;
	bool		 gone, tracked;

	gone = evhttp_request_get_connection(r->ev) == NULL;
	req_security_headers(r);
	if (r->method == ROUTE_HEAD && body != NULL) {
		/* libevent 2.1 would send a HEAD reply's body: keep only its
		 * length. */
		char	len[24];

		snprintf(len, sizeof len, "%zu", evbuffer_get_length(body));
		req_add_header(r, "Content-Length", len);
		evbuffer_drain(body, evbuffer_get_length(body));
	}
	/* A detached request (client gone) is freed by evhttp_send_reply
	 * without touching the connection. */
	tracked = !gone && req_track_reply(r);
	evhttp_send_reply(r->ev, status, req_reason(status),
	    gone ? NULL : body);
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (double)(now.tv_sec - r->started.tv_sec) * 1e3 +
	    (double)(now.tv_nsec - r->started.tv_nsec) / 1e6;
	log_request(req_method_name(r->method), r->path, status, ms, gone);
	req_free(r, !tracked);
}

void
req_reply_json_new(struct req *r, int status, json_t *body)
{
	struct evbuffer	*out = evhttp_request_get_output_buffer(r->ev);

	req_add_header(r, "Content-Type", JSON_TYPE);
	if (body == NULL) {
		/* json_pack failed: out of memory, or a wrong format. */
		evbuffer_add_printf(out, "{\"error\":{\"code\":\"internal\","
		    "\"message\":\"out of memory\"}}");
		status = 500;
	} else {
		jsonout_evbuffer(body, out);
		json_decref(body);
	}
	req_send(r, status, out);
}

void
req_reply_empty(struct req *r, int status)
{
	req_send(r, status, NULL);
}

/* If-None-Match: a list of entity tags, weak or strong, or "*". */
bool
req_etag_matches(const char *if_none_match, const char *etag)
{
	const char	*p = if_none_match;
	size_t		 n = strlen(etag);

	while (*p != '\0') {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '*')
			return true;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (strncmp(p, etag, n) == 0 && (p[n] == '\0' ||
		    p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
			return true;
		while (*p != '\0' && *p != ',')
			p++;
	}
	return false;
}

/* Adds the ETag; true after answering 304 when If-None-Match names it. */
static bool
req_not_modified(struct req *r, const char *etag)
{
	const char	*inm;

	req_add_header(r, "ETag", etag);
	if ((inm = req_header(r, "If-None-Match")) != NULL &&
	    req_etag_matches(inm, etag)) {
		req_send(r, 304, NULL);
		return true;
	}
	return false;
}

void
req_reply_entry(struct req *r, struct cache_entry *e,
    const char *cache_control)
{
	struct evbuffer	*out;
	const char	*type;
	int		 status;

	if (cache_control != NULL)
		req_add_header(r, "Cache-Control", cache_control);
	status = cache_entry_status(e);
	if (status == 200 && req_not_modified(r, cache_entry_etag(e)))
		return;
	type = cache_entry_type(e);
	req_add_header(r, "Content-Type", type != NULL ? type : JSON_TYPE);
	out = evhttp_request_get_output_buffer(r->ev);
	cache_entry_add_to(e, out);
	req_send(r, status, out);
}

void
req_reply_bytes(struct req *r, const char *type, const char *etag,
    const void *data, size_t len)
{
	struct evbuffer	*out;

	if (req_not_modified(r, etag))
		return;
	req_add_header(r, "Content-Type", type);
	out = evhttp_request_get_output_buffer(r->ev);
	evbuffer_add_reference(out, data, len, NULL, NULL);
	req_send(r, 200, out);
}

/* The length of the longest valid UTF-8 prefix of s[0..len). */
static size_t
req_utf8_prefix(const char *s, size_t len)
{
	size_t		i = 0, n;
	unsigned char	c;

	while (i < len) {
		c = (unsigned char)s[i];
		n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (n > len - i || !text_valid_utf8(s + i, n))
			break;
		i += n;
	}
	return i;
}

static void	req_reply_error_v(struct req *, int, const char *, json_t *,
		    const char *, va_list) CS_PRINTF(5, 0);

/* The one error envelope: {"error": {"code", "message", ...extra}}. */
static void
req_reply_error_v(struct req *r, int status, const char *code,
    json_t *extra, const char *fmt, va_list ap)
{
	char	 msg[512];
	json_t	*err;

	vsnprintf(msg, sizeof msg, fmt, ap);
	/* Messages hold no client bytes, but a parser's (jansson's "near
	 * '...'") may, and the cut may split a character: keep the valid
	 * UTF-8 before them, never a 500. */
	msg[req_utf8_prefix(msg, strlen(msg))] = '\0';
	err = json_pack("{s:s, s:s}", "code", code, "message", msg);
	if (err != NULL && extra != NULL)
		json_object_update(err, extra);
	json_decref(extra);
	req_reply_json_new(r, status, err != NULL ?
	    json_pack("{s:o}", "error", err) : NULL);
}

void
req_reply_error(struct req *r, int status, const char *code,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	req_reply_error_v(r, status, code, NULL, fmt, ap);
	va_end(ap);
}

void
req_reply_fields_new(struct req *r, int status, const char *code,
    json_t *fields, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	req_reply_error_v(r, status, code, fields != NULL ?
	    json_pack("{s:o}", "fields", fields) : NULL, fmt, ap);
	va_end(ap);
}

void
req_reply_error_extra_new(struct req *r, int status, const char *code,
    json_t *extra, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	req_reply_error_v(r, status, code, extra, fmt, ap);
	va_end(ap);
}

void
req_reply_unavailable(struct req *r, int retry_after)
{
	char	buf[16];

	snprintf(buf, sizeof buf, "%d", retry_after > 0 ? retry_after : 1);
	req_add_header(r, "Retry-After", buf);
	req_reply_error(r, 503, "database_unavailable",
	    "the database is unavailable; retry in %s s", buf);
}

void
req_reply_rate_limited(struct req *r, int retry_after)
{
	char	buf[16];

	if (retry_after < 1)
		retry_after = 1;
	snprintf(buf, sizeof buf, "%d", retry_after);
	req_add_header(r, "Retry-After", buf);
	req_reply_error_extra_new(r, 429, "rate_limited",
	    json_pack("{s:i}", "retry_after", retry_after),
	    "too many requests from you; retry in %d s", retry_after);
}

void
req_reply_rows(struct req *r, const struct db_result *res, const char *name,
    json_t *(*row)(const struct db_result *, int, const void *),
    const void *arg)
{
	json_t	*list;
	int	 i;

	if (db_result_status(res) != DB_OK) {
		req_reply_db_failure(r, res);
		return;
	}
	list = json_array();
	for (i = 0; i < db_result_ntuples(res); i++)
		json_array_append_new(list, row(res, i, arg));
	req_add_header(r, "Cache-Control", "no-store");
	req_reply_json_new(r, 200, json_pack("{s:o}", name, list));
}

void
req_reply_db_failure(struct req *r, const struct db_result *res)
{
	switch (db_result_status(res)) {
	case DB_UNAVAILABLE:
	case DB_TIMEOUT:
	case DB_SHUTDOWN:
		req_reply_unavailable(r, db_result_retry_after(res));
		break;
	default:
		log_error("%s: database error %s: %s", r->path,
		    db_result_sqlstate(res), db_result_error(res));
		req_reply_error(r, 500, "internal",
		    "the request could not be completed");
		break;
	}
}

bool
req_found(struct req *r, const struct db_result *res, const char *what)
{
	if (db_result_status(res) != DB_OK) {
		req_reply_db_failure(r, res);
		return false;
	}
	if (db_result_ntuples(res) == 0) {
		req_reply_error(r, 404, "not_found", "no such %s", what);
		return false;
	}
	return true;
}

/* -- streams ------------------------------------------------------------ */

/*
 * libevent calls this as the connection goes away: either the client
 * left (the request is then detached, ours to free) or the server is
 * freeing the connection with the request still on it (libevent frees
 * it; we must not).
 */
static void
req_stream_closed_cb(struct evhttp_connection *evcon, void *arg)
{
	struct req	*r = arg;

	(void)evcon;
	r->streaming = false;	/* nothing more may be sent */
	if (evhttp_request_get_connection(r->ev) != NULL)
		r->ev = NULL;	/* freed by libevent with the connection */
	if (r->on_close != NULL)
		r->on_close(r);
}

void
req_stream_start(struct req *r)
{
	struct evhttp_connection	*evcon;

	evcon = evhttp_request_get_connection(r->ev);
	r->streaming = true;
	req_security_headers(r);
	evhttp_send_reply_start(r->ev, 200, "OK");
	if (evcon != NULL)
		evhttp_connection_set_closecb(evcon, req_stream_closed_cb, r);
	log_info("%s %s 200 stream", req_method_name(r->method), r->path);
}

int
req_stream_send(struct req *r, const char *data, size_t len)
{
	struct evbuffer	*buf;

	if (!r->streaming || r->ev == NULL ||
	    evhttp_request_get_connection(r->ev) == NULL)
		return -1;
	if ((buf = evbuffer_new()) == NULL)
		return -1;
	evbuffer_add(buf, data, len);
	evhttp_send_reply_chunk(r->ev, buf);
	evbuffer_free(buf);
	return 0;
}

void
req_stream_end(struct req *r)
{
	bool	tracked = false;

	if (r->ev != NULL) {
		/* Our closecb replaces the stream's: the stream is over. */
		tracked = req_track_reply(r);
		/* Detached: this frees it; attached: ends the chunked body. */
		evhttp_send_reply_end(r->ev);
	}
	log_info("%s %s stream ended", req_method_name(r->method), r->path);
	req_free(r, !tracked);
}
