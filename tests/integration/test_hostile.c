/*
 * test_hostile.c - requests no client library would send, as raw bytes
 * over TCP to a server of the program's own (one worker, so one crash
 * is the whole server): paths that are not UTF-8 with every method,
 * overlong paths cut inside a character, escaped NULs and control
 * bytes, control bytes and NUL in headers, conflicting and malformed
 * body lengths, huge and many headers, bad methods and request lines,
 * bad escapes, NUL in credentials, and the security headers on every
 * kind of answer.
 *
 * Each request must get a 4xx, never a 5xx of ours, and the server must
 * answer /healthz after it.  Our refusals are JSON with a code and the
 * security headers.  Some requests libevent refuses itself before any
 * of our code runs, with an HTML page and a closed connection: those
 * are asserted as such (status, HTML, closed), and named in the cases
 * below ("libevent").  libevent's one 5xx is 501 for a method it does
 * not know, which is what HTTP prescribes.
 *
 * A NUL inside a header line cannot be refused: libevent ends the value
 * at the NUL before we see it (nginx, in front, refuses such a line).
 * The test holds the server to what follows from that: the cut value
 * is all it sees, and nothing fails.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "itest.h"

#define NELEM(a)	(sizeof (a) / sizeof (a)[0])
#define API_CSP		"default-src 'none'; frame-ancestors 'none'"
#define JSON_CT		"Content-Type: application/json"
#define HOST		"Host: t\r\n"

static char		 run_id[48];
/* The running test case's server (it_server: killed when it ends). */
static const char	*base;
static struct it_proc	*server;
/* The accounts of the run, made once. */
static struct it_account adm = { .tag = "hostile-adm", .role = "admin" };

/* One hostile request: its bytes, and what must come back. */
struct hostile {
	const char	*name;
	const char	*data;
	size_t		 len;		/* 0: strlen(data) */
	long		 status;	/* 0: any 4xx */
	const char	*code;		/* our JSON code; NULL: libevent's page,
					 * "": any answer but a 5xx */
};

/* A server of the test case's own: one worker, so a crash anywhere is
 * the server's end; env one more setting ("NAME=value") or NULL. */
static bool
server_up_with(const char *env)
{
	server = it_server(&base, "1", env, (const char *)NULL);
	return server != NULL;
}

static bool
server_up(void)
{
	return server_up_with(NULL);
}

static bool	alive_at(const char *, int, const char *);

/*
 * At the end of a test case: the server still serves, never stopped,
 * and never answered a 5xx of its own (its request log).
 */
static void
server_done_at(const char *file, int line)
{
	const char	*out, *l, *eol;
	int		 lines = 0;

	alive_at(file, line, "the test case");
	it_check_at(file, line, it_proc_wait(server, 0) == -1,
	    "the server is still running");
	it_sleep_ms(400);	/* request lines are written every 200 ms */
	out = it_proc_output(server);
	for (l = out; *l != '\0'; l = *eol != '\0' ? eol + 1 : eol) {
		if ((eol = strchr(l, '\n')) == NULL)
			eol = l + strlen(l);
		if (memmem(l, (size_t)(eol - l), "ms", 2) == NULL)
			continue;
		lines++;
		it_check_at(file, line, memmem(l, (size_t)(eol - l), " 500 ",
		    5) == NULL && memmem(l, (size_t)(eol - l), " 503 ", 5) ==
		    NULL, "a server error: %.*s", (int)(eol - l), l);
	}
	it_check_at(file, line, lines > 0, "request lines logged: %d",
	    lines);
}
#define server_done()	server_done_at(__FILE__, __LINE__)

/* The server still answers after whatever came before. */
static bool
alive_at(const char *file, int line, const char *after)
{
	struct it_resp	*r = it_http_at(base, "GET", "/healthz", NULL, NULL,
			    0);

	return it_check_at(file, line, r->status == 200,
	    "the server answers /healthz after %s: %ld %s", after,
	    r->status, r->status == 0 ? r->error : "");
}

/* Our refusals and answers: nosniff, and a CSP of the API's unless a
 * web file's. */
static bool
check_raw_security_at(const char *file, int line, const struct it_raw *r,
    const char *name)
{
	const char	*nosniff = it_raw_header(r, "X-Content-Type-Options");
	const char	*csp = it_raw_header(r, "Content-Security-Policy");
	bool		 ok;

	ok = it_check_at(file, line, nosniff != NULL &&
	    strcmp(nosniff, "nosniff") == 0, "%s: X-Content-Type-Options %s",
	    name, nosniff != NULL ? nosniff : "(none)");
	return it_check_at(file, line, csp != NULL && strcmp(csp, API_CSP) ==
	    0, "%s: Content-Security-Policy %s", name, csp != NULL ? csp :
	    "(none)") && ok;
}

/*
 * Sends h on a connection of its own and checks the answer: h->status
 * (any 4xx for 0); with h->code our JSON refusal, with the security
 * headers; without, libevent's HTML page and a closed connection.  Then
 * /healthz.
 */
static void
hostile_at(const char *file, int line, const struct hostile *h)
{
	struct it_raw	*r;
	const char	*ct, *code;
	size_t		 len = h->len != 0 ? h->len : strlen(h->data);
	bool		 head = strncmp(h->data, "HEAD ", 5) == 0;

	r = it_raw_exchange(base, h->data, len);
	if (h->code != NULL && *h->code == '\0') {
		it_check_at(file, line, r->status < 500, "%s: %ld, not a "
		    "5xx", h->name, r->status);
		alive_at(file, line, h->name);
		return;
	}
	if (h->status != 0)
		it_check_at(file, line, r->status == h->status,
		    "%s: status %ld, want %ld: %s%s", h->name, r->status,
		    h->status, r->head != NULL ? r->head : "(no answer)",
		    r->body != NULL ? r->body : "");
	else
		it_check_at(file, line, r->status >= 400 && r->status < 500,
		    "%s: status %ld, want a 4xx: %s", h->name, r->status,
		    r->head != NULL ? r->head : "(no answer)");
	ct = it_raw_header(r, "Content-Type");
	if (h->code != NULL) {
		it_check_at(file, line, ct != NULL &&
		    strncmp(ct, "application/json", 16) == 0,
		    "%s: JSON, not %s", h->name, ct != NULL ? ct : "(none)");
		code = it_raw_error_code(r);
		if (!head)
			it_check_at(file, line, code != NULL &&
			    strcmp(code, h->code) == 0, "%s: error.code %s, "
			    "want %s (%s)", h->name, code != NULL ? code :
			    "(none)", h->code, r->body != NULL ? r->body : "");
		check_raw_security_at(file, line, r, h->name);
	} else {
		it_check_at(file, line, ct != NULL &&
		    strncmp(ct, "text/html", 9) == 0, "%s: libevent's HTML "
		    "page, not %s", h->name, ct != NULL ? ct : "(none)");
		it_check_at(file, line, r->closed, "%s: libevent closes the "
		    "connection", h->name);
	}
	alive_at(file, line, h->name);
}
#define hostile(h)	hostile_at(__FILE__, __LINE__, (h))

static void
hostile_all_at(const char *file, int line, const struct hostile *h,
    size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		hostile_at(file, line, &h[i]);
}
#define hostile_all(h)	hostile_all_at(__FILE__, __LINE__, (h), NELEM(h))

/* -- paths ---------------------------------------------------------------- */

/*
 * A raw byte that is not UTF-8 in the path, with every method: 400
 * invalid_path.  (Before: DELETE of such a path echoed it into the 405's
 * message, which jansson refused: 500 "out of memory".)
 */
static void
test_invalid_utf8_path(void)
{
	static const char *const methods[] = { "GET", "HEAD", "POST", "PUT",
	    "DELETE", "PATCH", "OPTIONS" };
	static const char *const paths[] = {
		"/api/v1/articles/\xff/comments",
		"/api/v1/articles/a\xc3/comments",
		"/api/v1/admin/moderators/\xc0\xaf",
		"/api/v1/comments/1/reports\xed\xa0\x80",
		"/\xfe\xff",
		"/admin/\x80",
	};
	struct hostile	h = { .status = 400, .code = "invalid_path" };
	size_t		m, p;

	IT_REQUIRE(server_up());
	for (m = 0; m < NELEM(methods); m++) {
		for (p = 0; p < NELEM(paths); p++) {
			h.name = it_strf("%s %s", methods[m], paths[p]);
			h.data = it_strf("%s %s HTTP/1.1\r\n" HOST
			    "Content-Length: 0\r\n\r\n", methods[m], paths[p]);
			hostile(&h);
		}
	}
	/* With a body and a JSON type, where the route takes one. */
	h.name = "POST with a body";
	h.data = "POST /api/v1/articles/\xff/comments HTTP/1.1\r\n" HOST
	    JSON_CT "\r\nContent-Length: 2\r\n\r\n{}";
	hostile(&h);
	server_done();
}

/* "/api/v1/articles/" and n bytes of Arabic letters (2 bytes each):
 * an odd n ends inside a letter. */
static const char *
arabic_path(size_t n)
{
	static const char	 prefix[] = "/api/v1/articles/";
	char			*s = it_own(malloc(sizeof prefix + n));
	size_t			 i;

	if (s == NULL)
		abort();
	memcpy(s, prefix, sizeof prefix - 1);
	for (i = 0; i < n; i++)
		s[sizeof prefix - 1 + i] = i % 2 == 0 ? '\xd9' : '\x83';
	s[sizeof prefix - 1 + n] = '\0';
	return s;
}

/*
 * Long paths: cut inside a character, 400 invalid_path at any length;
 * whole, with a method the route does not take, 405 (before: the path
 * in the message, cut at 512 bytes inside a character, a 500).  Past
 * the header limit (16 KiB), libevent's 400.
 */
static void
test_overlong_paths(void)
{
	static const size_t	 lens[] = { 100, 498, 500, 509, 510, 511,
	    512, 513, 1000, 4096, 8191, 15000 };
	struct hostile		 h;
	const char		*p;
	size_t			 i, n;

	IT_REQUIRE(server_up());
	for (i = 0; i < NELEM(lens); i++) {
		n = lens[i] | 1;
		p = arabic_path(n);
		h = (struct hostile){ it_strf("DELETE cut at %zu", n),
		    it_strf("DELETE %s HTTP/1.1\r\n" HOST "\r\n", p), 0, 400,
		    "invalid_path" };
		hostile(&h);
		h.name = it_strf("GET cut at %zu", n);
		h.data = it_strf("GET %s HTTP/1.1\r\n" HOST "\r\n", p);
		hostile(&h);
		/* Whole, the comments of a key of that length. */
		p = it_strf("%s/comments", arabic_path(lens[i] & ~(size_t)1));
		h = (struct hostile){ it_strf("DELETE whole %zu", n),
		    it_strf("DELETE %s HTTP/1.1\r\n" HOST "\r\n", p), 0, 405,
		    "method_not_allowed" };
		hostile(&h);
		h = (struct hostile){ it_strf("PUT whole %zu", n),
		    it_strf("PUT %s/x HTTP/1.1\r\n" HOST "\r\n", p), 0, 404,
		    "not_found" };
		hostile(&h);
	}
	/* Past the header limit: libevent's own 400. */
	for (n = 17000; n <= 68000; n *= 4) {
		h = (struct hostile){ it_strf("GET of %zu bytes", n),
		    it_strf("GET %s HTTP/1.1\r\n" HOST "\r\n",
		    arabic_path(n)), 0, 400, NULL };
		hostile(&h);
	}
	server_done();
}

/*
 * Escapes in path segments: %00 and other control characters are 400
 * invalid_path wherever a value is captured (before: "sam%00x" acted
 * on "sam"); a malformed escape too; %ff is the route's to refuse (404
 * for a key, an id, a name).  In the query, %00 and control bytes are
 * 400 invalid_parameter, and so are values that are not UTF-8.
 */
static void
test_escapes(void)
{
	static const struct hostile	cases[] = {
		{ "%00 in a key", "GET /api/v1/articles/a%00b/comments "
		    "HTTP/1.1\r\n" HOST "\r\n", 0, 400, "invalid_path" },
		{ "%00 in a key, POST", "POST /api/v1/articles/a%00/comments "
		    "HTTP/1.1\r\n" HOST JSON_CT "\r\nContent-Length: 2\r\n\r\n"
		    "{}", 0, 400, "invalid_path" },
		{ "%00 in the fragment's key", "GET /api/v1/articles/a%00/"
		    "comments.html HTTP/1.1\r\n" HOST "\r\n", 0, 400,
		    "invalid_path" },
		{ "%00 in an id", "GET /api/v1/comments/1%00 HTTP/1.1\r\n"
		    HOST "\r\n", 0, 400, "invalid_path" },
		{ "%00 in a name", "PATCH /api/v1/admin/moderators/sam%00x "
		    "HTTP/1.1\r\n" HOST "\r\n", 0, 400, "invalid_path" },
		{ "%00 in an action", "POST /api/v1/admin/comments/1/"
		    "approve%00 HTTP/1.1\r\n" HOST "\r\n", 0, 400,
		    "invalid_path" },
		{ "%1b in a key", "GET /api/v1/articles/%1b%5b31m/comments "
		    "HTTP/1.1\r\n" HOST "\r\n", 0, 400, "invalid_path" },
		{ "%0d%0a in a key", "GET /api/v1/articles/a%0d%0aSet-Cookie:"
		    "%20x/comments HTTP/1.1\r\n" HOST "\r\n", 0, 400,
		    "invalid_path" },
		{ "%7f in an id", "GET /api/v1/comments/%7f HTTP/1.1\r\n" HOST
		    "\r\n", 0, 400, "invalid_path" },
		{ "%ff in a key", "GET /api/v1/articles/%ff/comments "
		    "HTTP/1.1\r\n" HOST "\r\n", 0, 404, "not_found" },
		{ "%ff in an id", "GET /api/v1/comments/%ff HTTP/1.1\r\n" HOST
		    "\r\n", 0, 404, "not_found" },
		{ "%c0%af in a key, DELETE", "DELETE /api/v1/articles/%c0%af/"
		    "comments HTTP/1.1\r\n" HOST "\r\n", 0, 405,
		    "method_not_allowed" },
		{ "%zz", "GET /api/v1/articles/%zz/comments HTTP/1.1\r\n" HOST
		    "\r\n", 0, 400, "invalid_path" },
		{ "trailing %", "GET /api/v1/comments/1% HTTP/1.1\r\n" HOST
		    "\r\n", 0, 400, "invalid_path" },
		{ "%2 at the end", "GET /api/v1/comments/%2 HTTP/1.1\r\n" HOST
		    "\r\n", 0, 400, "invalid_path" },
		{ "% then a slash", "GET /api/v1/articles/a%/comments "
		    "HTTP/1.1\r\n" HOST "\r\n", 0, 400, "invalid_path" },
		{ "%zz where nothing is captured", "GET /heal%zz HTTP/1.1\r\n"
		    HOST "\r\n", 0, 404, "not_found" },
		{ "%00 in the query", "GET /api/v1/counts?article=a%00b "
		    "HTTP/1.1\r\n" HOST "\r\n", 0, 400, "invalid_parameter" },
		{ "%1b in the query", "GET /api/v1/counts?article=%1b "
		    "HTTP/1.1\r\n" HOST "\r\n", 0, 400, "invalid_parameter" },
		{ "%ff in the query", "GET /api/v1/counts?article=%ff "
		    "HTTP/1.1\r\n" HOST "\r\n", 0, 400, "invalid_parameter" },
		{ "%ff in a query name", "GET /api/v1/counts?%ff=a "
		    "HTTP/1.1\r\n" HOST "\r\n", 0, 400, "invalid_parameter" },
		{ "%00 in the admin search", "GET /api/v1/admin/comments?q="
		    "a%00 HTTP/1.1\r\n" HOST "\r\n", 0, 400,
		    "invalid_parameter" },
		{ "trailing % in the query", "GET /api/v1/counts?article=% "
		    "HTTP/1.1\r\n" HOST "\r\n", 0, 0, "" },
	};

	IT_REQUIRE(server_up());
	hostile_all(cases);
	server_done();
}

/* -- control bytes and NUL ------------------------------------------------- */

static void
test_control_bytes(void)
{
	static const struct hostile	cases[] = {
		{ "ESC in the path", "GET /healthz\x1b[31m HTTP/1.1\r\n" HOST
		    "\r\n", 0, 400, "invalid_path" },
		{ "DEL in the path", "GET /api/v1/articles/a\x7f/comments "
		    "HTTP/1.1\r\n" HOST "\r\n", 0, 400, "invalid_path" },
		{ "CR in the path", "GET /heal\rthz HTTP/1.1\r\n" HOST "\r\n",
		    0, 400, "invalid_path" },
		{ "CR in the path, DELETE", "DELETE /api/v1/articles/a\rb/"
		    "comments HTTP/1.1\r\n" HOST "\r\n", 0, 400,
		    "invalid_path" },
		{ "tab in the path", "GET /api/v1/articles/a\tb/comments "
		    "HTTP/1.1\r\n" HOST "\r\n", 0, 400, "invalid_path" },
		{ "ESC in the query", "GET /api/v1/counts?article=\x1b "
		    "HTTP/1.1\r\n" HOST "\r\n", 0, 400, "invalid_parameter" },
		{ "ESC in a header", "GET /healthz HTTP/1.1\r\n" HOST
		    "X-A: a\x1b[2Jb\r\n\r\n", 0, 400, "invalid_header" },
		{ "DEL in a header", "GET /healthz HTTP/1.1\r\n" HOST
		    "User-Agent: a\x7f\r\n\r\n", 0, 400, "invalid_header" },
		{ "BEL in a cookie", "GET /api/v1/admin/session HTTP/1.1\r\n"
		    HOST "Cookie: a=\x07\r\n\r\n", 0, 400, "invalid_header" },
		{ "ESC in a header name", "GET /healthz HTTP/1.1\r\n" HOST
		    "X-\x1b: a\r\n\r\n", 0, 400, "invalid_header" },
		{ "libevent: CR in a header", "GET /healthz HTTP/1.1\r\n" HOST
		    "X-A: a\rb\r\n\r\n", 0, 400, NULL },
		/* A tab is white space in a header value. */
		{ "tab in a header", "GET /healthz HTTP/1.1\r\n" HOST
		    "X-A: a\tb\r\n\r\n", 0, 200, "" },
	};
	static const char	nul_auth[] = "GET /api/v1/admin/session "
	    "HTTP/1.1\r\n" HOST "Authorization: Bearer x\0garbage\r\n\r\n";
	static const char	nul_hdr[] = "GET /healthz HTTP/1.1\r\n" HOST
	    "X-A: a\0\x1b[2J\r\n\r\n";
	static const char	nul_line[] = "GET /healthz\0x HTTP/1.1\r\n"
	    HOST "\r\n";
	struct hostile		h = { "libevent: NUL in the request line",
	    nul_line, sizeof nul_line - 1, 400, NULL };
	struct it_raw		*r;

	IT_REQUIRE(server_up());
	hostile_all(cases);
	hostile(&h);
	/* A NUL in a header: libevent ends the value there.  What is after
	 * it is never seen (the escape sequence would be a 400), and a
	 * credential cut at it is just a shorter, wrong one. */
	r = it_raw_exchange(base, nul_hdr, sizeof nul_hdr - 1);
	IT_CHECKF(r->status == 200, "NUL in a header: %ld", r->status);
	r = it_raw_exchange(base, nul_auth, sizeof nul_auth - 1);
	IT_CHECKF(r->status == 401, "a token cut at a NUL: %ld", r->status);
	IT_CHECK_STR(it_raw_error_code(r), "unauthorized");
	alive_at(__FILE__, __LINE__, "NUL in headers");
	server_done();
}

/* -- lengths, headers, request lines ------------------------------------- */

/*
 * Framing a proxy could read otherwise than libevent: refused, and the
 * connection closed (what follows on it may be a smuggled request).
 */
static void
test_framing(void)
{
	static const struct hostile	cases[] = {
		{ "two Content-Lengths", "POST /api/v1/admin/session "
		    "HTTP/1.1\r\n" HOST JSON_CT "\r\nContent-Length: 2\r\n"
		    "Content-Length: 40\r\n\r\n{}", 0, 400, "invalid_header" },
		{ "two equal Content-Lengths", "POST /api/v1/admin/session "
		    "HTTP/1.1\r\n" HOST JSON_CT "\r\nContent-Length: 2\r\n"
		    "Content-Length: 2\r\n\r\n{}", 0, 400, "invalid_header" },
		{ "Content-Length +2", "POST /api/v1/admin/session "
		    "HTTP/1.1\r\n" HOST JSON_CT "\r\nContent-Length: +2\r\n"
		    "\r\n{}", 0, 400, "invalid_header" },
		{ "Transfer-Encoding gzip", "POST /api/v1/admin/session "
		    "HTTP/1.1\r\n" HOST JSON_CT "\r\nTransfer-Encoding: gzip"
		    "\r\n\r\n{}", 0, 400, "invalid_header" },
		{ "libevent: Transfer-Encoding gzip and Content-Length",
		    "POST /api/v1/admin/session HTTP/1.1\r\n" HOST JSON_CT
		    "\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n"
		    "\r\n{}", 0, 400, NULL },
		{ "Transfer-Encoding gzip, chunked", "GET /healthz HTTP/1.1\r\n"
		    HOST "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 0,
		    400, "invalid_header" },
		{ "libevent: Content-Length and Transfer-Encoding",
		    "POST /api/v1/admin/session HTTP/1.1\r\n" HOST JSON_CT
		    "\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n"
		    "\r\n0\r\n\r\n", 0, 400, NULL },
		{ "libevent: two Transfer-Encodings", "POST /api/v1/admin/"
		    "session HTTP/1.1\r\n" HOST "Transfer-Encoding: chunked\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, 400,
		    NULL },
		{ "libevent: Content-Length -1", "POST /api/v1/admin/session "
		    "HTTP/1.1\r\n" HOST "Content-Length: -1\r\n\r\n", 0, 400,
		    NULL },
		{ "libevent: Content-Length 2x", "POST /api/v1/admin/session "
		    "HTTP/1.1\r\n" HOST "Content-Length: 2x\r\n\r\n{}", 0,
		    400, NULL },
		{ "libevent: Content-Length 2, 2", "POST /api/v1/admin/session "
		    "HTTP/1.1\r\n" HOST "Content-Length: 2, 2\r\n\r\n{}", 0,
		    400, NULL },
		{ "libevent: Content-Length past the hard limit", "POST "
		    "/api/v1/admin/session HTTP/1.1\r\n" HOST
		    "Content-Length: 1000000000\r\n\r\n", 0, 413, NULL },
		{ "libevent: Content-Length past 2^64", "POST "
		    "/api/v1/admin/session HTTP/1.1\r\n" HOST
		    "Content-Length: 99999999999999999999999\r\n\r\n", 0, 413,
		    NULL },
	};
	struct it_raw	*r;

	IT_REQUIRE(server_up());
	hostile_all(cases);
	/* Ours close too: nothing after the refusal is read as a request. */
	r = it_raw_exchange(base, cases[0].data, strlen(cases[0].data));
	IT_CHECK(r->closed);
	IT_CHECK_STR(it_raw_header(r, "Connection"), "close");
	server_done();
}

static void
test_header_limits(void)
{
	struct hostile	 h;
	char		*big, *many;
	size_t		 i, n;

	IT_REQUIRE(server_up());
	/* One header over the 16 KiB of all headers. */
	big = it_own(malloc(20001));
	memset(big, 'a', 20000);
	big[20000] = '\0';
	h = (struct hostile){ "libevent: a 20 kB header",
	    it_strf("GET /healthz HTTP/1.1\r\n" HOST "X-Big: %s\r\n\r\n",
	    big), 0, 400, NULL };
	hostile(&h);
	/* 3000 small ones. */
	n = 3000;
	many = it_own(malloc(n * 8 + 1));
	for (i = 0; i < n; i++)
		memcpy(many + i * 8, "X-M: a\r\n", 8);
	many[n * 8] = '\0';
	h = (struct hostile){ "libevent: 3000 headers",
	    it_strf("GET /healthz HTTP/1.1\r\n" HOST "%s\r\n", many), 0, 400,
	    NULL };
	hostile(&h);
	/* Many, within the limit: served. */
	many[500 * 8] = '\0';
	h = (struct hostile){ "500 headers",
	    it_strf("GET /healthz HTTP/1.1\r\n" HOST "%s\r\n", many), 0, 200,
	    "" };
	hostile(&h);
	server_done();
}

static void
test_request_lines(void)
{
	static const char	tls_hello[] = "\x16\x03\x01\x02\x00\x01\x00"
	    "\x01\xfc\x03\x03\r\n\r\n";
	static const struct hostile	cases[] = {
		{ "libevent: HTTP/0.9", "GET /healthz\r\n\r\n", 0, 400, NULL },
		{ "libevent: garbage", "garbage\r\n\r\n", 0, 400, NULL },
		{ "libevent: empty lines", "\r\n\r\n", 0, 400, NULL },
		{ "libevent: HTTP/2.0", "GET /healthz HTTP/2.0\r\n" HOST
		    "\r\n", 0, 400, NULL },
		{ "libevent: HTTP/1.x", "GET /healthz HTTP/1.x\r\n" HOST
		    "\r\n", 0, 400, NULL },
		{ "libevent: a fourth word", "GET /healthz HTTP/1.1 x\r\n"
		    HOST "\r\n", 0, 400, NULL },
		{ "libevent: unknown method", "FOO /healthz HTTP/1.1\r\n" HOST
		    "\r\n", 0, 501, NULL },
		{ "libevent: lower-case get", "get /healthz HTTP/1.1\r\n" HOST
		    "\r\n", 0, 501, NULL },
		{ "libevent: TRACE", "TRACE /healthz HTTP/1.1\r\n" HOST
		    "\r\n", 0, 501, NULL },
		{ "a path without a slash", "GET healthz HTTP/1.1\r\n" HOST
		    "\r\n", 0, 404, "not_found" },
		{ "an asterisk", "OPTIONS * HTTP/1.1\r\n" HOST "\r\n", 0, 404,
		    "not_found" },
		{ "a dot segment", "GET /api/v1/../../etc/passwd HTTP/1.1\r\n"
		    HOST "\r\n", 0, 404, "not_found" },
	};
	static const char	connect[] = "CONNECT t:443 HTTP/1.1\r\n" HOST
	    "\r\n";
	struct hostile		h = { "libevent: a TLS hello", tls_hello,
	    sizeof tls_hello - 1, 400, NULL };
	struct it_raw		r;
	int			fd;

	IT_REQUIRE(server_up());
	hostile_all(cases);
	hostile(&h);
	/* CONNECT: libevent's 501 says "Connection: close" but leaves the
	 * connection to the idle timeouts; the server serves on. */
	IT_REQUIRE((fd = it_raw_connect(base)) >= 0);
	IT_CHECK(it_raw_send(fd, connect, sizeof connect - 1));
	it_raw_read(fd, it_limit_ms(2000), &r);
	close(fd);
	IT_CHECKF(r.status == 501, "CONNECT: %ld", r.status);
	alive_at(__FILE__, __LINE__, "CONNECT");
	server_done();
}

/*
 * Bodies jansson cannot parse, around bytes that are not UTF-8: its
 * message quotes the text near the error (what it decoded, in 2.14), and
 * the reply keeps only valid UTF-8 of a message in any case: 400
 * malformed_json, never the 500 of a message json_pack refuses.
 */
static void
test_malformed_json(void)
{
	static const char *const bodies[] = {
		"{\"username\": \"\xd9\x83\xd9",
		"{\"username\": \"\xd9\x83\xd9\x83\xd9\x83\xd9\x83\xd9\x83\xff",
		"{\"a\xff\xfe\": 1}",
		"\xef\xbb\xbf{}",
		"{\"a\": \"\x1b[2J\xc3\"}",
		"[\"\xf0\x9f\x98\"]",
	};
	static const char *const paths[] = { "/api/v1/admin/session",
	    "/api/v1/articles/hostile/comments" };
	struct hostile	 h = { .status = 400, .code = "malformed_json" };
	size_t		 i, p;

	IT_REQUIRE(server_up());
	for (p = 0; p < NELEM(paths); p++) {
		for (i = 0; i < NELEM(bodies); i++) {
			h.name = it_strf("%s, body %zu", paths[p], i);
			h.data = it_strf("POST %s HTTP/1.1\r\n" HOST JSON_CT
			    "\r\nContent-Length: %zu\r\n\r\n%s", paths[p],
			    strlen(bodies[i]), bodies[i]);
			hostile(&h);
		}
	}
	server_done();
}

/* -- NUL in credentials -------------------------------------------------- */

/*
 * A password (or name) with \u0000 is refused with 400 nul_in_string,
 * not cut at the NUL: before, "password123\u0000x" logged in with the
 * password "password123".
 */
static void
test_nul_in_credentials(void)
{
	static struct it_account	 mod = { .tag = "hostile-nul",
	    .role = "moderator" };
	const char			*json_h[3], *h[3];
	struct it_resp			*r;
	const char			*hash;

	/* Logins from an address of the program's own: other programs
	 * fail logins from 127.0.0.1 on purpose, and failures are counted
	 * per address in the database. */
	IT_REQUIRE(server_up_with("COMMENTD_TRUST_PROXY=true"));
	json_h[0] = JSON_CT;
	json_h[1] = it_strf("X-Forwarded-For: 2001:db8:%x:%x::1",
	    (unsigned)getpid() & 0xffff, (unsigned)time(NULL) & 0xffff);
	json_h[2] = NULL;
	IT_REQUIRE(it_account_at(__FILE__, __LINE__, &mod, run_id));
	IT_REQUIRE(it_account_at(__FILE__, __LINE__, &adm, run_id));
	r = it_http_at(base, "POST", "/api/v1/admin/session", json_h,
	    it_strf("{\"username\": \"%s\", \"password\": \"%s\\u0000x\"}",
	    mod.name, IT_PASSWORD), (size_t)-1);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 400,
	    "nul_in_string"));
	IT_CHECK(it_header(r, "Set-Cookie") == NULL);
	r = it_http_at(base, "POST", "/api/v1/admin/session", json_h,
	    it_strf("{\"username\": \"%s\\u0000x\", \"password\": \"%s\"}",
	    mod.name, IT_PASSWORD), (size_t)-1);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 400,
	    "nul_in_string"));
	IT_CHECK(it_header(r, "Set-Cookie") == NULL);

	/* Setting one: refused, the old password still the one. */
	hash = it_strf("%s", PQgetvalue(it_sql("SELECT password_hash FROM "
	    "moderators WHERE name = $1", mod.name, (char *)NULL), 0, 0));
	h[0] = JSON_CT;
	h[1] = it_bearer(adm.token);
	h[2] = NULL;
	r = it_http_at(base, "POST", it_strf("/api/v1/admin/moderators/%s/"
	    "password", mod.name), h, "{\"password\": \"new-password\\u0000"
	    "\"}", (size_t)-1);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 400,
	    "nul_in_string"));
	r = it_http_at(base, "POST", "/api/v1/admin/moderators", h,
	    it_strf("{\"name\": \"hostile-new-%s\", \"role\": \"moderator\", "
	    "\"password\": \"new-password\\u0000x\"}", run_id), (size_t)-1);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 400,
	    "nul_in_string"));
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM moderators WHERE name = "
	    "$1", it_strf("hostile-new-%s", run_id), (char *)NULL), 0);
	IT_CHECK_STR(PQgetvalue(it_sql("SELECT password_hash FROM moderators "
	    "WHERE name = $1", mod.name, (char *)NULL), 0, 0), hash);
	/* And the right password, whole, still logs in. */
	r = it_http_at(base, "POST", "/api/v1/admin/session", json_h,
	    it_strf("{\"username\": \"%s\", \"password\": \"%s\"}", mod.name,
	    IT_PASSWORD), (size_t)-1);
	IT_CHECK_STATUS(r, 200);
	/* Where text is cleaned, a NUL is still dropped, not refused. */
	r = it_http_at(base, "POST", "/api/v1/articles/hostile-nul/comments",
	    json_h, "{\"author\": \"a\\u0000b\", \"body\": \"c\\u0000d\"}",
	    (size_t)-1);
	IT_CHECKF(r->status == 201 || r->status == 202, "a comment with "
	    "NULs: %ld %s", r->status, r->body);
	server_done();
}

/*
 * /moderators/NAME%00x is refused before anything acts: NAME is not
 * disabled, its password not reset.  The same request without the NUL
 * disables NAME: the refusal is not the route failing anyway.
 */
static void
test_moderator_nul_path(void)
{
	static struct it_account	 mod = { .tag = "hostile-sam",
	    .role = "moderator" };
	const char			*h[3], *hash;
	struct it_resp			*r;

	IT_REQUIRE(server_up());
	IT_REQUIRE(it_account_at(__FILE__, __LINE__, &mod, run_id));
	IT_REQUIRE(it_account_at(__FILE__, __LINE__, &adm, run_id));
	h[0] = JSON_CT;
	h[1] = it_bearer(adm.token);
	h[2] = NULL;
	hash = it_strf("%s", PQgetvalue(it_sql("SELECT password_hash FROM "
	    "moderators WHERE name = $1", mod.name, (char *)NULL), 0, 0));

	r = it_http_at(base, "PATCH", it_strf("/api/v1/admin/moderators/"
	    "%s%%00x", mod.name), h, "{\"disabled\": true}", (size_t)-1);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 400,
	    "invalid_path"));
	r = it_http_at(base, "POST", it_strf("/api/v1/admin/moderators/"
	    "%s%%00x/password", mod.name), h, "{}", (size_t)-1);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 400,
	    "invalid_path"));
	r = it_http_at(base, "PATCH", it_strf("/api/v1/admin/moderators/"
	    "%s%%0a", mod.name), h, "{\"disabled\": true}", (size_t)-1);
	IT_CHECK(it_check_error_at(__FILE__, __LINE__, r, 400,
	    "invalid_path"));
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM moderators WHERE name = "
	    "$1 AND NOT disabled", mod.name, (char *)NULL), 1);
	IT_CHECK_STR(PQgetvalue(it_sql("SELECT password_hash FROM moderators "
	    "WHERE name = $1", mod.name, (char *)NULL), 0, 0), hash);

	r = it_http_at(base, "PATCH", it_strf("/api/v1/admin/moderators/%s",
	    mod.name), h, "{\"disabled\": true}", (size_t)-1);
	IT_CHECK_STATUS(r, 200);
	IT_CHECK_INT(it_sql_ll("SELECT count(*) FROM moderators WHERE name = "
	    "$1 AND disabled", mod.name, (char *)NULL), 1);
	server_done();
}

/* -- security headers ------------------------------------------------------ */

static bool
resp_security_at(const char *file, int line, const struct it_resp *r,
    const char *csp_needle)
{
	const char	*nosniff = it_header(r, "X-Content-Type-Options");
	const char	*csp = it_header(r, "Content-Security-Policy");
	bool		 ok;

	ok = it_check_at(file, line, nosniff != NULL &&
	    strcmp(nosniff, "nosniff") == 0, "%s %s (%ld): "
	    "X-Content-Type-Options %s", r->method, r->path, r->status,
	    nosniff != NULL ? nosniff : "(none)");
	if (csp_needle == NULL)
		return it_check_at(file, line, csp == NULL, "%s %s: no CSP, "
		    "got %s", r->method, r->path, csp) && ok;
	return it_check_at(file, line, csp != NULL &&
	    strstr(csp, csp_needle) != NULL, "%s %s (%ld): CSP %s, want %s",
	    r->method, r->path, r->status, csp != NULL ? csp : "(none)",
	    csp_needle) && ok;
}
#define resp_security(r, csp)						\
	resp_security_at(__FILE__, __LINE__, (r), (csp))

/* A 304 to the same request with If-None-Match: its ETag. */
static void
not_modified_at(const char *file, int line, const char *path,
    const char *csp_needle)
{
	struct it_resp	*r = it_http_at(base, "GET", path, NULL, NULL, 0);
	const char	*etag = it_header(r, "ETag");

	if (!it_check_at(file, line, etag != NULL, "%s has an ETag", path))
		return;
	r = it_http_at(base, "GET", path, (const char *[]){
	    it_strf("If-None-Match: %s", etag), NULL }, NULL, 0);
	it_check_at(file, line, r->status == 304, "%s again: %ld", path,
	    r->status);
	resp_security_at(file, line, r, csp_needle);
}

/*
 * nosniff on every answer; the API's CSP (no loads, no frames) on JSON,
 * errors, the comments fragment and streams; the pages' own CSPs, each
 * with frame-ancestors 'none'; none on scripts and styles, which news
 * sites load from their pages (a CSP governs documents only).
 */
static void
test_security_headers(void)
{
	const char			*key, *h[3];
	struct it_resp			*r;
	struct it_stream		*s;
	struct it_req			 req;

	IT_REQUIRE(server_up());
	key = it_strf("hostile-%s", run_id);
	r = it_http_at(base, "GET", "/healthz", NULL, NULL, 0);
	resp_security(r, API_CSP);
	r = it_http_at(base, "GET", it_list_path(key), NULL, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	resp_security(r, API_CSP);
	r = it_http_at(base, "HEAD", it_list_path(key), NULL, NULL, 0);
	resp_security(r, API_CSP);
	r = it_http_at(base, "GET", "/api/v1/nothing", NULL, NULL, 0);
	IT_CHECK_STATUS(r, 404);
	resp_security(r, API_CSP);
	r = it_http_at(base, "DELETE", it_list_path(key), NULL, NULL, 0);
	IT_CHECK_STATUS(r, 405);
	resp_security(r, API_CSP);
	r = it_http_at(base, "GET", "/api/v1/admin/comments", NULL, NULL, 0);
	IT_CHECK_STATUS(r, 401);
	resp_security(r, API_CSP);
	r = it_http_at(base, "POST", it_list_path(key), (const char *[]){
	    JSON_CT, NULL }, "{", 1);
	IT_CHECK_STATUS(r, 400);
	resp_security(r, API_CSP);
	r = it_http_at(base, "OPTIONS", it_list_path(key), (const char *[]){
	    "Origin: http://news.example",
	    "Access-Control-Request-Method: POST", NULL }, NULL, 0);
	resp_security(r, API_CSP);
	r = it_http_at(base, "GET", it_strf("/api/v1/articles/%s/"
	    "comments.html", it_pct(key)), NULL, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	resp_security(r, API_CSP);

	/* Pages: their own CSP, never framed. */
	r = it_http_at(base, "GET", "/", NULL, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	resp_security(r, "frame-ancestors 'none'");
	resp_security(r, "script-src 'self'");
	r = it_http_at(base, "GET", "/en", NULL, NULL, 0);
	resp_security(r, "frame-ancestors 'none'");
	r = it_http_at(base, "GET", "/admin/", NULL, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	resp_security(r, "frame-ancestors 'none'");
	resp_security(r, "connect-src 'self'");
	/* Scripts and styles: nosniff, no CSP. */
	r = it_http_at(base, "GET", "/embed.js", NULL, NULL, 0);
	IT_CHECK_STATUS(r, 200);
	resp_security(r, NULL);
	r = it_http_at(base, "GET", "/embed.css", (const char *[]){
	    "Accept-Encoding: gzip", NULL }, NULL, 0);
	resp_security(r, NULL);

	/* 304s keep them. */
	not_modified_at(__FILE__, __LINE__, "/embed.js", NULL);
	not_modified_at(__FILE__, __LINE__, "/", "frame-ancestors 'none'");
	not_modified_at(__FILE__, __LINE__, it_list_path(key), API_CSP);

	/* A live stream. */
	IT_REQUIRE(it_account_at(__FILE__, __LINE__, &adm, run_id));
	h[0] = it_bearer(adm.token);
	h[1] = "Accept: text/event-stream";
	h[2] = NULL;
	memset(&req, 0, sizeof req);
	req.method = "GET";
	req.base = base;
	req.path = "/api/v1/admin/events";
	req.headers = h;
	req.timeout_ms = 30000;
	s = it_stream_open(&req);
	IT_REQUIRE(s != NULL);
	IT_CHECK_INT(it_stream_status(s, it_limit_ms(10000)), 200);
	IT_CHECK_STR(it_stream_header(s, "X-Content-Type-Options"),
	    "nosniff");
	IT_CHECK_STR(it_stream_header(s, "Content-Security-Policy"), API_CSP);
	it_stream_close(s);
	server_done();
}

/*
 * The shipped nginx site sends HSTS on every HTTPS answer: at the
 * server's level, and again in each location that has an add_header of
 * its own (nginx drops the server's add_header there).
 */
static void
test_nginx_hsts(void)
{
	const char	*conf = it_slurp("deploy/nginx.conf", NULL);
	const char	*p, *tls, *end = NULL;
	int		 blocks = 0;

	IT_REQUIRE(conf != NULL);
	tls = strstr(conf, "listen 443 ssl");
	IT_REQUIRE(tls != NULL);
	IT_CHECK((p = strstr(tls, "\tadd_header Strict-Transport-Security "
	    "\"max-age=")) != NULL && (end = strstr(tls, "\tlocation ")) !=
	    NULL && p < end);
	/* Each location: no add_header, or HSTS among them. */
	for (p = tls; (p = strstr(p, "\tlocation ")) != NULL; p = end) {
		const char	*open = strchr(p, '{');

		IT_REQUIRE(open != NULL && (end = strchr(open, '}')) != NULL);
		if (memmem(open, (size_t)(end - open), "add_header", 10) ==
		    NULL)
			continue;
		blocks++;
		IT_CHECKF(memmem(open, (size_t)(end - open),
		    "Strict-Transport-Security", 25) != NULL,
		    "nginx: %.*s has add_header but no HSTS",
		    (int)(open - p), p);
	}
	IT_CHECKF(blocks > 0, "the locations with add_header: %d", blocks);
}

static const struct it_test tests[] = {
	{ "invalid_utf8_path", test_invalid_utf8_path },
	{ "overlong_paths", test_overlong_paths },
	{ "escapes", test_escapes },
	{ "control_bytes", test_control_bytes },
	{ "framing", test_framing },
	{ "header_limits", test_header_limits },
	{ "request_lines", test_request_lines },
	{ "malformed_json", test_malformed_json },
	{ "nul_in_credentials", test_nul_in_credentials },
	{ "moderator_nul_path", test_moderator_nul_path },
	{ "security_headers", test_security_headers },
	{ "nginx_hsts", test_nginx_hsts },
};

int
main(int argc, char **argv)
{
	snprintf(run_id, sizeof run_id, "%ld-%ld", (long)getpid(),
	    (long)time(NULL));
	return it_main(tests, NELEM(tests), argc, argv);
}
