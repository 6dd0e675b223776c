/*
 * ctl_http.c - commentctl's HTTP client (see ctl_http.h).
 *
 * One curl easy handle for the whole run: curl_easy_reset() between
 * transfers clears their options but keeps the open connection.
 * CURLOPT_NOSIGNAL stays off: curl then ignores SIGPIPE while it runs (a
 * server closing a TLS connection), and resolves names on a thread, not
 * with alarm().
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "ctl_http.h"
#include "ctl_sse.h"
#include "log.h"
#include "xmalloc.h"

/* No answer of the admin API comes near this; a runaway one fails. */
#define CTL_HTTP_BODY_MAX	(64 * 1024 * 1024)

struct ctl_http {
	CURL	*curl;
	char	*base;		/* the URL, without a trailing '/' */
	char	*auth;		/* "Authorization: Bearer TOKEN" */
	char	*agent;
	char	 errbuf[CURL_ERROR_SIZE];
};

/* One transfer under way. */
struct ctl_xfer {
	struct ctl_http		*h;
	char			*body;		/* the answer (not a stream) */
	size_t			 len;
	bool			 too_big;
	struct ctl_sse		*sse;		/* streams only */
	void			(*on_open)(void *);
	void			*arg;
	bool			 opened;	/* 200: bytes go to sse */
	bool			 stopped;	/* the callback said stop */
	bool			 broken;	/* a line over the limit */
	volatile sig_atomic_t	*stop;
};

static struct curl_slist *ctl_http_setup(struct ctl_http *,
		    struct ctl_xfer *, const char *, char **);
static struct curl_slist *ctl_http_header(struct curl_slist *,
		    const char *);
static void	 ctl_http_finish(struct ctl_http *, struct ctl_xfer *,
		    CURLcode, struct ctl_resp *);
static size_t	 ctl_http_write_cb(char *, size_t, size_t, void *);
static int	 ctl_http_progress_cb(void *, curl_off_t, curl_off_t,
		    curl_off_t, curl_off_t);

struct ctl_http *
ctl_http_new(const char *url, const char *token, const char *agent)
{
	struct ctl_http	*h;
	size_t		 n;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return NULL;
	h = xcalloc(1, sizeof *h);
	if ((h->curl = curl_easy_init()) == NULL) {
		free(h);
		curl_global_cleanup();
		return NULL;
	}
	h->base = xstrdup(url);
	n = strlen(h->base);
	while (n > 0 && h->base[n - 1] == '/')
		h->base[--n] = '\0';
	xasprintf(&h->auth, "Authorization: Bearer %s", token);
	h->agent = xstrdup(agent);
	return h;
}

void
ctl_http_free(struct ctl_http *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->curl);
	curl_global_cleanup();
	free(h->base);
	/* The token should not outlive its use in freed memory. */
	explicit_bzero(h->auth, strlen(h->auth));
	free(h->auth);
	free(h->agent);
	free(h);
}

static struct curl_slist *
ctl_http_header(struct curl_slist *list, const char *line)
{
	struct curl_slist	*l;

	if ((l = curl_slist_append(list, line)) == NULL)
		fatalx("out of memory");
	return l;
}

/*
 * Options every transfer has; *url (to free after the transfer) is the
 * full URL of path.  Returns the headers every transfer sends.
 */
static struct curl_slist *
ctl_http_setup(struct ctl_http *h, struct ctl_xfer *x, const char *path,
    char **url)
{
	struct curl_slist	*hdr;
	CURL			*c = h->curl;

	curl_easy_reset(c);
	h->errbuf[0] = '\0';
	xasprintf(url, "%s%s", h->base, path);
	curl_easy_setopt(c, CURLOPT_URL, *url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, h->agent);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)CTL_HTTP_CONNECT_S);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ctl_http_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, ctl_http_progress_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
	hdr = ctl_http_header(NULL, h->auth);
	/* No "Expect: 100-continue" round trip before a body. */
	return ctl_http_header(hdr, "Expect:");
}

static size_t
ctl_http_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct ctl_xfer	*x = arg;
	size_t		 len = size * n;
	long		 status = 0;

	if (x->sse != NULL && !x->opened) {
		curl_easy_getinfo(x->h->curl, CURLINFO_RESPONSE_CODE, &status);
		if (status == 200) {
			x->opened = true;
			if (x->on_open != NULL)
				x->on_open(x->arg);
		}
	}
	if (x->opened) {
		switch (ctl_sse_feed(x->sse, data, len)) {
		case 0:
			return len;
		case 1:
			x->stopped = true;
			return 0;	/* curl ends the transfer */
		default:
			x->broken = true;
			return 0;
		}
	}
	if (x->len + len > CTL_HTTP_BODY_MAX) {
		x->too_big = true;
		return 0;
	}
	x->body = xrealloc(x->body, x->len + len + 1);
	memcpy(x->body + x->len, data, len);
	x->len += len;
	x->body[x->len] = '\0';
	return len;
}

/* Called at least once a second, and after a signal wakes curl up. */
static int
ctl_http_progress_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct ctl_xfer	*x = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return x->stop != NULL && *x->stop != 0;
}

/* The outcome of a transfer that was not an open stream, into resp. */
static void
ctl_http_finish(struct ctl_http *h, struct ctl_xfer *x, CURLcode rc,
    struct ctl_resp *resp)
{
	if (rc != CURLE_OK) {
		snprintf(resp->error, sizeof resp->error, "%s", x->too_big ?
		    "the answer is too large" : h->errbuf[0] != '\0' ?
		    h->errbuf : curl_easy_strerror(rc));
		return;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	if (x->len > 0)
		resp->json = json_loadb(x->body, x->len, 0, NULL);
}

/* Sends a request set up on h->curl with headers hdr to url, into resp;
 * frees hdr, url and the body buffer.  0 on an HTTP answer, else -1. */
static int
ctl_http_perform(struct ctl_http *h, struct ctl_xfer *x,
    struct curl_slist *hdr, char *url, struct ctl_resp *resp)
{
	CURLcode	rc;

	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT, (long)CTL_HTTP_TIMEOUT_S);
	rc = curl_easy_perform(h->curl);
	ctl_http_finish(h, x, rc, resp);
	curl_slist_free_all(hdr);
	free(x->body);
	free(url);
	return resp->status != 0 ? 0 : -1;
}

/* A request without a body: GET, or method (e.g. "DELETE"). */
static int
ctl_http_bodyless(struct ctl_http *h, const char *method, const char *path,
    struct ctl_resp *resp)
{
	struct ctl_xfer		 x;
	struct curl_slist	*hdr;
	char			*url;
	int			 rv;

	memset(resp, 0, sizeof *resp);
	memset(&x, 0, sizeof x);
	x.h = h;
	hdr = ctl_http_setup(h, &x, path, &url);
	hdr = ctl_http_header(hdr, "Accept: application/json");
	curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, method);
	rv = ctl_http_perform(h, &x, hdr, url, resp);
	/* The handle is reused: the next request is not this method. */
	curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, NULL);
	return rv;
}

int
ctl_http_get(struct ctl_http *h, const char *path, struct ctl_resp *resp)
{
	return ctl_http_bodyless(h, NULL, path, resp);
}

int
ctl_http_post(struct ctl_http *h, const char *path, const json_t *body,
    struct ctl_resp *resp)
{
	struct ctl_xfer		 x;
	struct curl_slist	*hdr;
	char			*url, *json;
	int			 rv;

	memset(resp, 0, sizeof *resp);
	memset(&x, 0, sizeof x);
	x.h = h;
	json = body != NULL ? json_dumps(body, JSON_COMPACT) : xstrdup("{}");
	if (json == NULL)
		fatalx("out of memory");
	hdr = ctl_http_setup(h, &x, path, &url);
	hdr = ctl_http_header(hdr, "Accept: application/json");
	hdr = ctl_http_header(hdr, "Content-Type: application/json");
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, json);
	rv = ctl_http_perform(h, &x, hdr, url, resp);
	free(json);
	return rv;
}

int
ctl_http_delete(struct ctl_http *h, const char *path, struct ctl_resp *resp)
{
	return ctl_http_bodyless(h, "DELETE", path, resp);
}

enum ctl_stream_end
ctl_http_stream(struct ctl_http *h, const char *path, struct ctl_sse *sse,
    void (*on_open)(void *), void *arg, volatile sig_atomic_t *stop,
    struct ctl_resp *resp)
{
	struct ctl_xfer		 x;
	struct curl_slist	*hdr;
	enum ctl_stream_end	 end;
	const char		*last;
	char			*url, *line = NULL;
	CURLcode		 rc;

	memset(resp, 0, sizeof *resp);
	memset(&x, 0, sizeof x);
	x.h = h;
	x.sse = sse;
	x.on_open = on_open;
	x.arg = arg;
	x.stop = stop;
	hdr = ctl_http_setup(h, &x, path, &url);
	hdr = ctl_http_header(hdr, "Accept: text/event-stream");
	if ((last = ctl_sse_last_id(sse)) != NULL) {
		xasprintf(&line, "Last-Event-ID: %s", last);
		hdr = ctl_http_header(hdr, line);
	}
	curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h->curl, CURLOPT_LOW_SPEED_TIME,
	    (long)CTL_HTTP_STREAM_IDLE_S);
	rc = curl_easy_perform(h->curl);

	if (x.stopped || (stop != NULL && *stop != 0))
		end = CTL_STREAM_STOPPED;
	else if (x.opened) {
		end = CTL_STREAM_ENDED;
		resp->status = 200;
		snprintf(resp->error, sizeof resp->error, "%s", x.broken ?
		    "a line of the stream is too long" : rc == CURLE_OK ?
		    "the server ended the stream" : h->errbuf[0] != '\0' ?
		    h->errbuf : curl_easy_strerror(rc));
	} else {
		end = CTL_STREAM_REFUSED;
		ctl_http_finish(h, &x, rc, resp);
	}
	/* A cut-off event is asked for again on the next connection. */
	ctl_sse_reset(sse);
	curl_slist_free_all(hdr);
	free(x.body);
	free(line);
	free(url);
	return end;
}

void
ctl_resp_clear(struct ctl_resp *resp)
{
	json_decref(resp->json);
	resp->json = NULL;
}

void
ctl_resp_describe(const struct ctl_resp *resp, char *buf, size_t size)
{
	const char	*code, *msg;
	json_t		*err;

	if (resp->status == 0) {
		snprintf(buf, size, "cannot reach the server: %s",
		    resp->error);
		return;
	}
	err = json_object_get(resp->json, "error");
	code = json_string_value(json_object_get(err, "code"));
	msg = json_string_value(json_object_get(err, "message"));
	if (code != NULL && msg != NULL)
		snprintf(buf, size, "%ld %s: %s", resp->status, code, msg);
	else
		snprintf(buf, size, "HTTP status %ld (the answer is not "
		    "the API's JSON)", resp->status);
}

char *
ctl_http_escape(struct ctl_http *h, const char *s)
{
	char	*e, *out;

	if ((e = curl_easy_escape(h->curl, s, 0)) == NULL)
		fatalx("out of memory");
	out = xstrdup(e);
	curl_free(e);
	return out;
}
