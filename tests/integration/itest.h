/*
 * itest.h - a small support library for integration tests: HTTP through
 * libcurl, PostgreSQL through blocking libpq, checks that count instead of
 * aborting, and a runner that ends with "N passed, N failed".
 *
 * Test functions take no arguments and return nothing.  A check that fails
 * prints file:line and a message, marks the running test case failed and
 * lets it go on; IT_REQUIRE also returns from the test function.  Memory
 * handed out by it_http(), it_sql(), it_strf() and it_own() belongs to the
 * running test case and is freed by the runner when it ends, so an early
 * return leaks nothing.
 */
#ifndef COMMENTD_ITEST_H
#define COMMENTD_ITEST_H

#include <sys/types.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <libpq-fe.h>

#define IT_PRINTF(f, a)	__attribute__((format(printf, f, a)))
#define IT_SENTINEL	__attribute__((sentinel))

/* Every request gives up after this long: a hung server fails, not hangs. */
#define IT_HTTP_TIMEOUT_MS	10000

/* One response header, as received. */
struct it_header {
	char	*name;
	char	*value;
};

/* A completed (or failed) exchange. */
struct it_resp {
	char		*method;	/* what was asked, for messages */
	char		*path;
	long		 status;	/* 0 when no HTTP answer came */
	char		 error[256];	/* curl's reason when status is 0 */
	struct it_header *headers;	/* final response only */
	size_t		 nheaders;
	char		*body;		/* always NUL-terminated */
	size_t		 body_len;
	json_t		*json;		/* parsed body, or NULL */
	double		 elapsed;	/* seconds, wall clock */
};

/* What to send.  Headers are "Name: value" strings, NULL-terminated. */
struct it_req {
	const char		*method;
	const char		*path;	/* appended to COMMENTD_TEST_URL */
	const char *const	*headers;
	const char		*body;	/* NULL: no body */
	size_t			 body_len;
	long			 timeout_ms;	/* 0: IT_HTTP_TIMEOUT_MS */
	const char		*base;	/* NULL: COMMENTD_TEST_URL */
};

/* Settings from the environment, filled in by it_main(). */
extern const char	*it_base_url;	/* COMMENTD_TEST_URL */
extern const char	*it_db_conninfo;	/* COMMENTD_TEST_DB */
extern const char	*it_pgdir;	/* COMMENTD_TEST_PGDIR */

/* -- HTTP ----------------------------------------------------------- */

/*
 * Performs req into a caller-owned *resp (thread-safe; each call uses its
 * own curl handle).  Returns 0 on an HTTP answer, -1 otherwise (resp->error
 * says why).  Free with it_resp_clear().
 */
int		 it_do(const struct it_req *req, struct it_resp *resp);
/*
 * Sends the n requests at the same moment, one thread each (held at a
 * gate until all are started), and waits for every answer: resps[i]
 * is the answer to reqs[i] (clear each with it_resp_clear).  Returns how
 * many were sent (fewer only if a thread could not start).
 */
int		 it_do_all(const struct it_req *reqs, struct it_resp *resps,
		    int n);
void		 it_resp_clear(struct it_resp *resp);

/*
 * The same, owned by the running test case.  headers may be NULL; body
 * NULL means no body, len (size_t)-1 means strlen(body).  Never NULL.
 */
struct it_resp	*it_http(const char *method, const char *path,
		    const char *const *headers, const char *body, size_t len);

/* The same from a full request (base, timeout_ms). */
struct it_resp	*it_request(const struct it_req *req);
/* The same against another server: base is its "http://host:port". */
struct it_resp	*it_http_at(const char *base, const char *method,
		    const char *path, const char *const *headers,
		    const char *body, size_t len);

/* Value of the first header named name (any case), or NULL. */
const char	*it_header(const struct it_resp *resp, const char *name);
/* Value of the n-th (from 0) header named name (Set-Cookie), or NULL. */
const char	*it_header_n(const struct it_resp *resp, const char *name,
		    size_t n);

/* True if the header is present and its media type is application/json. */
bool		 it_is_json_type(const struct it_resp *resp);

/* -- JSON ------------------------------------------------------------ */

/*
 * Looks up a dotted path in root: "comment.id", "comments.0.replies.1.id"
 * (numbers index arrays).  Borrowed reference, or NULL.
 */
json_t		*it_jget(const json_t *root, const char *path);
/* The string at path, or NULL when absent or not a string. */
const char	*it_jstr(const json_t *root, const char *path);
/* The integer at path, or def when absent or not an integer. */
long long	 it_jint(const json_t *root, const char *path, long long def);
/* True if path is present and JSON null. */
bool		 it_jnull(const json_t *root, const char *path);

/* -- PostgreSQL ------------------------------------------------------ */

/*
 * Runs sql with text parameters (a NULL-terminated list) on the test's
 * connection, reconnecting once if the connection was lost.  A failure is
 * a failed check at the caller's line and returns NULL.  The result is
 * owned by the running test case.
 */
#define it_sql(...)	it_sql_at(__FILE__, __LINE__, __VA_ARGS__)
PGresult	*it_sql_at(const char *file, int line, const char *sql, ...)
		    IT_SENTINEL;
/* The first column of the first row as an integer; -1 on any failure. */
#define it_sql_ll(...)	it_sql_ll_at(__FILE__, __LINE__, __VA_ARGS__)
long long	 it_sql_ll_at(const char *file, int line, const char *sql, ...)
		    IT_SENTINEL;

/* -- processes and time ---------------------------------------------- */

/*
 * Runs argv (argv[0] a path relative to the repository root) from the
 * repository root; returns its exit status, or -1 if it could not run or
 * did not finish within timeout_s (it is then killed).
 */
int		 it_run_cmd(char *const argv[], int timeout_s);
/*
 * Like it_run_cmd, with env ("NAME=value" strings, NULL-terminated; may
 * be NULL) added to the environment, input (may be NULL) written to its
 * standard input, and its standard output collected into *out (a string
 * owned by the test case; out may be NULL to discard it).  Standard
 * error is inherited.
 */
int		 it_run_io(char *const argv[], char *const env[],
		    const char *input, char **out, int timeout_s);

/*
 * A background process (a second server): argv and env as for it_run_io,
 * standard output and error both collected in a temporary file.  Owned
 * by the test case: killed (SIGKILL) and reaped when it ends.  NULL if it
 * could not start.
 */
struct it_proc;
struct it_proc	*it_spawn(char *const argv[], char *const env[]);
/*
 * Waits until the output holds a line containing needle; returns that
 * line (owned by the test case), or NULL when timeout_ms passed or the
 * process exited first.
 */
const char	*it_proc_wait_line(struct it_proc *proc, const char *needle,
		    long timeout_ms);
/* Everything the process wrote so far (owned by the test case). */
const char	*it_proc_output(struct it_proc *proc);
int		 it_proc_kill(struct it_proc *proc, int sig);
/* Its process id (for /proc/PID/...); it may have exited. */
pid_t		 it_proc_pid(const struct it_proc *proc);
/*
 * Waits for the process to exit: its exit status, 128 + N when killed by
 * signal N, or -1 when it is still running after timeout_ms.
 */
int		 it_proc_wait(struct it_proc *proc, long timeout_ms);

/*
 * Starts `$COMMENTD_TEST_BIN serve --listen 127.0.0.1:0 --workers N` on
 * the test database with the extra environment given ("NAME=value"
 * strings, then NULL; COMMENTD_DUPLICATE_WINDOW_S and
 * COMMENTD_REPEAT_OFFENDER are 0 unless one of them says otherwise) and
 * waits until it serves and listens for changes;
 * *base gets its "http://127.0.0.1:PORT".  Owned by the test case, like
 * it_spawn().  NULL (a failed check at the caller's line) if it did not
 * start.
 */
struct it_proc	*it_server_at(const char *file, int line, const char **base,
		    const char *workers, ...) IT_SENTINEL;
#define it_server(base, workers, ...)					\
	it_server_at(__FILE__, __LINE__, (base), (workers), __VA_ARGS__)

/* it_server() at listen ("127.0.0.1:PORT": a port another server may
 * hold already, which it then shares, SO_REUSEPORT). */
struct it_proc	*it_server_on_at(const char *file, int line, const char **base,
		    const char *listen, const char *workers, ...) IT_SENTINEL;
#define it_server_on(base, listen, workers, ...)			\
	it_server_on_at(__FILE__, __LINE__, (base), (listen), (workers), \
	    __VA_ARGS__)

/* it_server() on another database: conninfo instead of the test's. */
struct it_proc	*it_server_db_at(const char *file, int line, const char **base,
		    const char *conninfo, const char *workers, ...)
		    IT_SENTINEL;
#define it_server_db(base, conninfo, workers, ...)			\
	it_server_db_at(__FILE__, __LINE__, (base), (conninfo), (workers), \
	    __VA_ARGS__)

/*
 * Stops a server with SIGTERM: failed checks at the caller's line unless
 * it exits 0 within timeout_ms and its output holds no sanitizer report
 * (under ASan, the leak report of a clean exit).  True if both held.
 */
bool		 it_proc_stop_at(const char *file, int line,
		    struct it_proc *proc, long timeout_ms);
#define it_proc_stop(proc, timeout_ms)					\
	it_proc_stop_at(__FILE__, __LINE__, (proc), (timeout_ms))

/* Monotonic seconds. */
double		 it_now(void);
void		 it_sleep_ms(long ms);

/* -- Server-Sent Events ------------------------------------------------ */

/* One event of a text/event-stream. */
struct it_sse {
	char		*id;	/* its "id:" field, or NULL if it had none */
	char		*event;	/* its "event:" field, or NULL */
	char		*data;	/* "data:" lines joined by newlines */
	json_t		*json;	/* data parsed as JSON, or NULL */
	double		 at;	/* it_now() when it was parsed */
};

/*
 * A streamed response read by a background thread (curl; thread-safe to
 * use from the test thread).  req gives method, path, base and headers;
 * its timeout_ms bounds the whole stream (0: IT_HTTP_TIMEOUT_MS).  Owned
 * by the test case: closed when it ends.  Lines must end in LF or CRLF.
 */
struct it_stream;
struct it_stream *it_stream_open(const struct it_req *req);
/* The status once the headers arrived; 0 if not within timeout_ms. */
long		 it_stream_status(struct it_stream *s, long timeout_ms);
/* A response header (after it_stream_status gave a status), or NULL. */
const char	*it_stream_header(struct it_stream *s, const char *name);
/*
 * The next event, waiting at most timeout_ms; NULL on timeout or at the
 * end of the stream.  Events stay valid until the test case ends.
 */
const struct it_sse *it_stream_next(struct it_stream *s, long timeout_ms);
/* Comment lines (": keep-alive") seen so far. */
int		 it_stream_comments(struct it_stream *s);
/* True once the response ended; why (curl's reason) in *why, if any. */
bool		 it_stream_ended(struct it_stream *s, const char **why);
/* Stops reading and closes the connection (again: no-op). */
void		 it_stream_close(struct it_stream *s);

/* -- raw connections ----------------------------------------------------- */

/*
 * Bytes no HTTP client library would send, over a plain TCP connection:
 * what libevent and the server make of malformed requests.
 */

/* One answer read off a raw connection; strings owned by the test case. */
struct it_raw {
	long		 status;	/* 0: no answer */
	const char	*head;		/* status line and headers, CRLFs */
	const char	*body;		/* NUL-terminated */
	size_t		 body_len;
	bool		 closed;	/* the server closed the connection */
	bool		 reset;		/* ... with a reset (ECONNRESET) */
};

/* A TCP connection to base ("http://127.0.0.1:PORT"), or -1. */
int		 it_raw_connect(const char *base);
/* The same from 127.0.0.from (1..254; 0: the kernel's choice). */
int		 it_raw_connect_from(const char *base, int from);
/* Sends all of data; false once the server closed or reset (the answer
 * it sent before may still be read). */
bool		 it_raw_send(int fd, const void *data, size_t len);
/*
 * Reads one answer (headers, and a body of Content-Length bytes) within
 * timeout_ms.  After an answer, closed says whether the server closed
 * the connection: looked for until timeout_ms after a "Connection:
 * close" or an HTTP/1.0 answer, at once otherwise.
 */
void		 it_raw_read(int fd, long timeout_ms, struct it_raw *r);
/* Reads (and drops) until EOF or a reset within ms; true if the server
 * closed the connection, *reset set if it reset it. */
bool		 it_raw_wait_close(int fd, long ms, bool *reset);
/* A header of a raw answer (any case; owned by the test case), or NULL. */
const char	*it_raw_header(const struct it_raw *r, const char *name);
/* error.code of a JSON answer (owned by the test case), or NULL. */
const char	*it_raw_error_code(const struct it_raw *r);
/*
 * One request on a connection of its own: connects to base, sends
 * data[0..len), reads the answer (it_raw_read, IT_HTTP_TIMEOUT_MS
 * stretched by it_time_factor; no body after "HEAD ") and closes.
 * Owned by the test case; status 0 if the connection failed.
 */
struct it_raw	*it_raw_exchange(const char *base, const void *data,
		    size_t len);

/* -- memory owned by the test case ------------------------------------ */

/* Registers p (malloc'd) to be freed when the test case ends; returns p. */
void		*it_own(void *p);
/* A formatted string owned by the test case. */
char		*it_strf(const char *fmt, ...) IT_PRINTF(1, 2);
/* s percent-encoded (all but RFC 3986 unreserved), owned by the test case. */
char		*it_pct(const char *s);
/* obj dumped compactly as UTF-8 and then released; owned by the test. */
char		*it_dump(json_t *obj);

/* -- checks ------------------------------------------------------------ */

/*
 * Records one check.  On failure prints "file:line: FAIL: message" and
 * marks the current test case failed.  Returns ok so callers can branch.
 */
bool		 it_check_at(const char *file, int line, bool ok,
		    const char *fmt, ...) IT_PRINTF(4, 5);
/* An unconditional note in the log of the current test. */
void		 it_note(const char *fmt, ...) IT_PRINTF(1, 2);

#define IT_CHECK(c)							\
	it_check_at(__FILE__, __LINE__, (c), "%s", #c)
#define IT_CHECKF(c, ...)						\
	it_check_at(__FILE__, __LINE__, (c), __VA_ARGS__)
/* Stops the test case (returns) when c is false. */
#define IT_REQUIRE(c) do {						\
	if (!IT_CHECK(c))						\
		return;							\
} while (0)
#define IT_REQUIREF(c, ...) do {					\
	if (!IT_CHECKF(c, __VA_ARGS__))					\
		return;							\
} while (0)

#define IT_CHECK_INT(a, b)						\
	it_check_int_at(__FILE__, __LINE__, #a, (long long)(a), (long long)(b))
#define IT_CHECK_STR(a, b)						\
	it_check_str_at(__FILE__, __LINE__, #a, (a), (b))
/* The response has status st; prints the body on failure. */
#define IT_CHECK_STATUS(r, st)						\
	it_check_status_at(__FILE__, __LINE__, (r), (st))
#define IT_REQUIRE_STATUS(r, st) do {					\
	if (!IT_CHECK_STATUS(r, st))					\
		return;							\
} while (0)

bool		 it_check_int_at(const char *file, int line, const char *expr,
		    long long got, long long want);
bool		 it_check_str_at(const char *file, int line, const char *expr,
		    const char *got, const char *want);
bool		 it_check_status_at(const char *file, int line,
		    const struct it_resp *resp, long want);

/* -- runner ------------------------------------------------------------ */

struct it_test {
	const char	*name;
	void		(*fn)(void);
};

/*
 * Reads the environment, runs tests in order (only those named in argv,
 * if any), each ending with a line "ok NAME (...)" or "FAIL NAME (...)"
 * (a case that made no checks fails), prints "N passed, N failed" (test
 * cases) and returns the exit status: 0 only if some case ran and
 * nothing failed.
 */
int		 it_main(const struct it_test *tests, size_t ntests, int argc,
		    char **argv);

/*
 * Runs $COMMENTD_TEST_BIN with the arguments (NULL-terminated) against
 * the test database, input on its standard input, its output in *out if
 * out is not NULL.  A failed check unless it exits 0.
 */
bool		 it_cli_at(const char *file, int line, const char *input,
		    char **out, ...);
/* The README's error shape: status st, a JSON type, an "error" object
 * with this code and a message.  Failed checks at the caller's line. */
bool		 it_check_error_at(const char *file, int line,
		    const struct it_resp *r, long st, const char *code);

/* "/api/v1/articles/KEY/comments", the key percent-encoded (owned by
 * the test case). */
const char	*it_list_path(const char *key);

/* Whether a public comment tree (comments with replies) holds id. */
bool		 it_tree_has_id(const json_t *comments, long long id);

/* A new API token of moderator name (valid one day), made through the
 * binary; NULL after a failed check. */
char		*it_new_token_at(const char *file, int line, const char *name);

/* -- time limits --------------------------------------------------------- */

/*
 * The factor time limits are stretched by: 3 under the sanitizers
 * (SANITIZE=1 in the environment), else 1; COMMENTD_TEST_TIME_FACTOR
 * (1 or more) overrides it.
 */
double		 it_time_factor(void);
/* ms times it_time_factor(). */
long		 it_limit_ms(long ms);

/* -- shared fixtures ---------------------------------------------------- */

/* The whole file (path from the repository root), owned by the test
 * case; NULL if it cannot be read.  *lenp (if not NULL) its length. */
char		*it_slurp(const char *path, size_t *lenp);

/*
 * The words of the Makefile's variable var ("NAME := a b \" continued),
 * appended to names[*n] (at most max, owned by the test case).  False
 * if the Makefile or the variable is not there.  Tests read lists where
 * they live, so a file or program added there is covered.
 */
bool		 it_make_words(const char *var, const char **names, size_t *n,
		    size_t max);

/* The URL assets.c serves web file name (its path under web/) at:
 * admin/ under /admin/, embed/ and demo/ at the root, an index.html at
 * its folder's path with a trailing slash.  NULL for a name in no
 * folder. */
const char	*it_web_url(const char *name);

/* The password of the accounts it_account_at() makes. */
#define IT_PASSWORD	"password123"

/* A moderator account of the test run, made on first use with its API
 * token.  Fill in tag and role; the name is "TAG-RUN". */
struct it_account {
	const char	*tag;
	const char	*role;		/* "admin" or "moderator" */
	bool		 tried;
	bool		 ok;
	char		 name[80];
	char		 token[200];
};

/* Makes a (once per run: the same answer again after); run is the
 * program's run id.  False after a failed check at the caller's line. */
bool		 it_account_at(const char *file, int line,
		    struct it_account *a, const char *run);

/* A cookie's attributes ("; HttpOnly; Path=/") hold attr (any case). */
bool		 it_has_attr(const char *attrs, const char *attr);

/* "Authorization: Bearer TOKEN", owned by the test case. */
const char	*it_bearer(const char *token);

#endif
