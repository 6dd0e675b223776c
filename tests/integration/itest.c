/*
 * itest.c - support library for the integration tests (see itest.h).
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "itest.h"

const char	*it_base_url;
const char	*it_db_conninfo;
const char	*it_pgdir;

/* Where relative commands (deploy/pg.sh) are run from. */
static char	 it_root[PATH_MAX];

/*
 * State of the running test case.  The background threads of a test may
 * allocate and check too, hence the lock.
 */
static pthread_mutex_t	 it_lock = PTHREAD_MUTEX_INITIALIZER;
static bool		 it_failed;
static int		 it_nchecks;

enum it_kind { IT_MEM, IT_RESP, IT_PGRES };
struct it_owned {
	enum it_kind	 kind;
	void		*p;
};
static struct it_owned	*it_owned;
static size_t		 it_nowned, it_owned_cap;

static PGconn		*it_conn;

static void	 it_register(enum it_kind, void *);
static void	 it_release_all(void);
static void	*it_xmalloc(size_t);
static char	*it_xstrdup(const char *);
static size_t	 it_write_cb(char *, size_t, size_t, void *);
static size_t	 it_header_cb(char *, size_t, size_t, void *);
static void	 it_add_header(struct it_resp *, const char *, size_t);
static PGresult	*it_sql_v(const char *, int, const char *, va_list);
static void	 it_find_root(const char *);
static const char *it_short(const char *, size_t, char *, size_t);

/* -- memory --------------------------------------------------------------- */

static void *
it_xmalloc(size_t n)
{
	void	*p;

	if ((p = calloc(1, n == 0 ? 1 : n)) == NULL) {
		perror("itest: calloc");
		abort();
	}
	return (p);
}

static char *
it_xstrdup(const char *s)
{
	size_t	 n = strlen(s) + 1;

	return (memcpy(it_xmalloc(n), s, n));
}

static void
it_register(enum it_kind kind, void *p)
{
	pthread_mutex_lock(&it_lock);
	if (it_nowned == it_owned_cap) {
		it_owned_cap = it_owned_cap == 0 ? 64 : it_owned_cap * 2;
		it_owned = realloc(it_owned, it_owned_cap * sizeof *it_owned);
		if (it_owned == NULL) {
			perror("itest: realloc");
			abort();
		}
	}
	it_owned[it_nowned].kind = kind;
	it_owned[it_nowned].p = p;
	it_nowned++;
	pthread_mutex_unlock(&it_lock);
}

static void
it_release_all(void)
{
	size_t	 i;

	pthread_mutex_lock(&it_lock);
	for (i = 0; i < it_nowned; i++) {
		switch (it_owned[i].kind) {
		case IT_MEM:
			free(it_owned[i].p);
			break;
		case IT_RESP:
			it_resp_clear(it_owned[i].p);
			free(it_owned[i].p);
			break;
		case IT_PGRES:
			PQclear(it_owned[i].p);
			break;
		}
	}
	it_nowned = 0;
	pthread_mutex_unlock(&it_lock);
}

void *
it_own(void *p)
{
	if (p != NULL)
		it_register(IT_MEM, p);
	return (p);
}

char *
it_strf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1) {
		perror("itest: vasprintf");
		abort();
	}
	va_end(ap);
	return (it_own(s));
}

char *
it_pct(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char		*out, *o;
	unsigned char	 c;

	o = out = it_xmalloc(strlen(s) * 3 + 1);
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '.' || c == '_' ||
		    c == '~')
			*o++ = (char)c;
		else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 0xf];
		}
	}
	*o = '\0';
	return (it_own(out));
}

char *
it_dump(json_t *obj)
{
	char	*s;

	s = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (s == NULL) {
		fputs("itest: json_dumps failed\n", stderr);
		abort();
	}
	return (it_own(s));
}

/* -- time and processes --------------------------------------------------- */

double
it_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

void
it_sleep_ms(long ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * The repository root: the working directory if it holds deploy/, else the
 * nearest parent of the test binary's directory that does (the binary
 * lives under build/<kind>/tests/).
 */
static void
it_find_root(const char *argv0)
{
	char	 buf[PATH_MAX], *slash;
	ssize_t	 n;
	int	 i;

	if (access("deploy", F_OK) == 0 && getcwd(it_root,
	    sizeof it_root) != NULL)
		return;
	n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0) {
		if (realpath(argv0, buf) == NULL)
			goto fallback;
	} else
		buf[n] = '\0';
	for (i = 0; i < 6; i++) {
		if ((slash = strrchr(buf, '/')) == NULL || slash == buf)
			break;
		*slash = '\0';
		if (strlen(buf) + sizeof "/deploy" > sizeof buf)
			break;
		strcat(buf, "/deploy");
		if (access(buf, F_OK) == 0) {
			buf[strlen(buf) - strlen("/deploy")] = '\0';
			snprintf(it_root, sizeof it_root, "%s", buf);
			return;
		}
		buf[strlen(buf) - strlen("/deploy")] = '\0';
	}
fallback:
	snprintf(it_root, sizeof it_root, ".");
}

int
it_run_cmd(char *const argv[], int timeout_s)
{
	pid_t	 pid, r;
	int	 status;
	double	 deadline;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		return (-1);
	if (pid == 0) {
		if (chdir(it_root) == -1)
			_exit(127);
		execv(argv[0], argv);
		/* A script that lost its execute bit still runs. */
		if (errno == EACCES) {
			char	*sh[16];
			int	 i;

			sh[0] = (char *)"/bin/bash";
			for (i = 0; i < 14 && argv[i] != NULL; i++)
				sh[i + 1] = argv[i];
			sh[i + 1] = NULL;
			execv(sh[0], sh);
		}
		_exit(127);
	}
	deadline = it_now() + timeout_s;
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r == -1 && errno != EINTR)
			return (-1);
		if (it_now() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return (-1);
		}
		it_sleep_ms(50);
	}
	if (!WIFEXITED(status))
		return (-1);
	return (WEXITSTATUS(status));
}

/* -- HTTP ----------------------------------------------------------------- */

static size_t
it_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct it_resp	*resp = arg;
	size_t		 len = size * n;
	char		*nb;

	nb = realloc(resp->body, resp->body_len + len + 1);
	if (nb == NULL)
		return (0);	/* curl fails the transfer */
	memcpy(nb + resp->body_len, data, len);
	resp->body = nb;
	resp->body_len += len;
	resp->body[resp->body_len] = '\0';
	return (len);
}

static void
it_add_header(struct it_resp *resp, const char *line, size_t len)
{
	const char	*colon, *v, *end;
	struct it_header *nh, *h;

	if ((colon = memchr(line, ':', len)) == NULL)
		return;
	end = line + len;
	while (end > colon + 1 && isspace((unsigned char)end[-1]))
		end--;
	v = colon + 1;
	while (v < end && isspace((unsigned char)*v))
		v++;
	nh = realloc(resp->headers, (resp->nheaders + 1) * sizeof *nh);
	if (nh == NULL)
		return;
	resp->headers = nh;
	h = &nh[resp->nheaders++];
	h->name = strndup(line, (size_t)(colon - line));
	h->value = strndup(v, (size_t)(end - v));
	if (h->name == NULL || h->value == NULL) {
		perror("itest: strndup");
		abort();
	}
}

static size_t
it_header_cb(char *data, size_t size, size_t n, void *arg)
{
	struct it_resp	*resp = arg;
	size_t		 len = size * n, i;

	/* A new status line (after a 100 Continue): keep the last only. */
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		for (i = 0; i < resp->nheaders; i++) {
			free(resp->headers[i].name);
			free(resp->headers[i].value);
		}
		resp->nheaders = 0;
		return (len);
	}
	it_add_header(resp, data, len);
	return (len);
}

int
it_do(const struct it_req *req, struct it_resp *resp)
{
	CURL			*h;
	CURLcode		 rc;
	struct curl_slist	*sl = NULL, *nsl;
	const char *const	*hp;
	char			 errbuf[CURL_ERROR_SIZE], *url;
	json_error_t		 jerr;
	double			 t0;

	memset(resp, 0, sizeof *resp);
	resp->method = it_xstrdup(req->method);
	resp->path = it_xstrdup(req->path);
	resp->body = it_xmalloc(1);
	if ((h = curl_easy_init()) == NULL) {
		snprintf(resp->error, sizeof resp->error, "curl_easy_init");
		return (-1);
	}
	if (asprintf(&url, "%s%s", it_base_url, req->path) == -1) {
		perror("itest: asprintf");
		abort();
	}
	errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROXY, "");	/* never via $http_proxy */
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ?
	    req->timeout_ms : (long)IT_HTTP_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, it_write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, it_header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
	/* Headers exactly as the test gives them: no 100-continue dance. */
	for (hp = req->headers; hp != NULL && *hp != NULL; hp++) {
		if ((nsl = curl_slist_append(sl, *hp)) == NULL)
			abort();
		sl = nsl;
	}
	if ((nsl = curl_slist_append(sl, "Expect:")) == NULL)
		abort();
	sl = nsl;
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, sl);

	if (strcmp(req->method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (req->body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)req->body_len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
		if (strcmp(req->method, "POST") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST,
			    req->method);
	} else if (strcmp(req->method, "GET") == 0)
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	else
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);

	t0 = it_now();
	rc = curl_easy_perform(h);
	resp->elapsed = it_now() - t0;
	if (rc != CURLE_OK) {
		snprintf(resp->error, sizeof resp->error, "%s",
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
		resp->status = 0;
	} else
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_easy_cleanup(h);
	curl_slist_free_all(sl);
	free(url);

	if (resp->body_len > 0)
		resp->json = json_loadb(resp->body, resp->body_len, 0, &jerr);
	return (rc == CURLE_OK ? 0 : -1);
}

void
it_resp_clear(struct it_resp *resp)
{
	size_t	 i;

	for (i = 0; i < resp->nheaders; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	free(resp->headers);
	free(resp->body);
	free(resp->method);
	free(resp->path);
	json_decref(resp->json);
	memset(resp, 0, sizeof *resp);
}

struct it_resp *
it_http(const char *method, const char *path, const char *const *headers,
    const char *body, size_t len)
{
	struct it_resp	*resp;
	struct it_req	 req;

	memset(&req, 0, sizeof req);
	req.method = method;
	req.path = path;
	req.headers = headers;
	req.body = body;
	req.body_len = body != NULL && len == (size_t)-1 ? strlen(body) : len;
	resp = it_xmalloc(sizeof *resp);
	it_do(&req, resp);
	it_register(IT_RESP, resp);
	return (resp);
}

const char *
it_header(const struct it_resp *resp, const char *name)
{
	size_t	 i;

	for (i = 0; i < resp->nheaders; i++) {
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return (resp->headers[i].value);
	}
	return (NULL);
}

bool
it_is_json_type(const struct it_resp *resp)
{
	const char	*ct = it_header(resp, "Content-Type");
	size_t		 n = strlen("application/json");

	if (ct == NULL || strncasecmp(ct, "application/json", n) != 0)
		return (false);
	return (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* -- JSON ----------------------------------------------------------------- */

json_t *
it_jget(const json_t *root, const char *path)
{
	json_t		*cur = (json_t *)root;
	const char	*p = path, *dot;
	char		 seg[128], *end;
	size_t		 n;
	unsigned long	 idx;

	while (cur != NULL && *p != '\0') {
		dot = strchr(p, '.');
		n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof seg)
			return (NULL);
		memcpy(seg, p, n);
		seg[n] = '\0';
		if (json_is_array(cur)) {
			errno = 0;
			idx = strtoul(seg, &end, 10);
			if (n == 0 || *end != '\0' || errno != 0)
				return (NULL);
			cur = json_array_get(cur, idx);
		} else if (json_is_object(cur))
			cur = json_object_get(cur, seg);
		else
			return (NULL);
		p += n;
		if (*p == '.')
			p++;
	}
	return (cur);
}

const char *
it_jstr(const json_t *root, const char *path)
{
	return (json_string_value(it_jget(root, path)));
}

long long
it_jint(const json_t *root, const char *path, long long def)
{
	json_t	*v = it_jget(root, path);

	return (json_is_integer(v) ? json_integer_value(v) : def);
}

bool
it_jnull(const json_t *root, const char *path)
{
	return (json_is_null(it_jget(root, path)));
}

/* -- PostgreSQL ----------------------------------------------------------- */

static PGresult *
it_sql_v(const char *file, int line, const char *sql, va_list ap)
{
	const char	*params[32];
	const char	*p;
	PGresult	*res = NULL;
	ExecStatusType	 st;
	int		 n = 0, attempt;

	while ((p = va_arg(ap, const char *)) != NULL) {
		if (n == (int)(sizeof params / sizeof params[0]))
			abort();
		params[n++] = p;
	}
	/* Twice: the cluster may have been restarted under the connection. */
	for (attempt = 0; attempt < 2; attempt++) {
		if (it_conn == NULL)
			it_conn = PQconnectdb(it_db_conninfo);
		else if (PQstatus(it_conn) != CONNECTION_OK)
			PQreset(it_conn);
		if (PQstatus(it_conn) != CONNECTION_OK) {
			it_check_at(file, line, false,
			    "database connection: %s", PQerrorMessage(it_conn));
			return (NULL);
		}
		res = PQexecParams(it_conn, sql, n, NULL, params, NULL, NULL,
		    0);
		st = PQresultStatus(res);
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
			it_register(IT_PGRES, res);
			return (res);
		}
		if (PQstatus(it_conn) == CONNECTION_OK)
			break;
		PQclear(res);
		res = NULL;
	}
	it_check_at(file, line, false, "SQL failed: %s: %s", sql,
	    res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(it_conn));
	PQclear(res);
	return (NULL);
}

PGresult *
it_sql_at(const char *file, int line, const char *sql, ...)
{
	va_list		 ap;
	PGresult	*res;

	va_start(ap, sql);
	res = it_sql_v(file, line, sql, ap);
	va_end(ap);
	return (res);
}

long long
it_sql_ll_at(const char *file, int line, const char *sql, ...)
{
	va_list		 ap;
	PGresult	*res;

	va_start(ap, sql);
	res = it_sql_v(file, line, sql, ap);
	va_end(ap);
	if (res == NULL || PQntuples(res) < 1 || PQnfields(res) < 1 ||
	    PQgetisnull(res, 0, 0))
		return (-1);
	return (strtoll(PQgetvalue(res, 0, 0), NULL, 10));
}

/* -- checks --------------------------------------------------------------- */

bool
it_check_at(const char *file, int line, bool ok, const char *fmt, ...)
{
	va_list	 ap;

	pthread_mutex_lock(&it_lock);
	it_nchecks++;
	if (!ok) {
		it_failed = true;
		printf("%s:%d: FAIL: ", file, line);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		putchar('\n');
		fflush(stdout);
	}
	pthread_mutex_unlock(&it_lock);
	return (ok);
}

void
it_note(const char *fmt, ...)
{
	va_list	 ap;

	pthread_mutex_lock(&it_lock);
	fputs("    note: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&it_lock);
}

/* At most max bytes of s for a message, cut at a UTF-8 boundary. */
static const char *
it_short(const char *s, size_t len, char *buf, size_t max)
{
	size_t	 n = len;

	if (n + 1 <= max)
		return (s);
	n = max - 4;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(buf, s, n);
	memcpy(buf + n, "...", 4);
	return (buf);
}

bool
it_check_int_at(const char *file, int line, const char *expr, long long got,
    long long want)
{
	return (it_check_at(file, line, got == want, "%s is %lld, want %lld",
	    expr, got, want));
}

bool
it_check_str_at(const char *file, int line, const char *expr,
    const char *got, const char *want)
{
	char	 b1[256], b2[256];
	bool	 ok;

	ok = got != NULL && want != NULL ? strcmp(got, want) == 0 :
	    got == want;
	if (ok)
		return (it_check_at(file, line, true, "%s", expr));
	return (it_check_at(file, line, false, "%s is \"%s\", want \"%s\"",
	    expr, got == NULL ? "(null)" : it_short(got, strlen(got), b1,
	    sizeof b1), want == NULL ? "(null)" : it_short(want, strlen(want),
	    b2, sizeof b2)));
}

bool
it_check_status_at(const char *file, int line, const struct it_resp *resp,
    long want)
{
	char	 b[400];

	if (resp->status == want)
		return (it_check_at(file, line, true, "status"));
	if (resp->status == 0)
		return (it_check_at(file, line, false,
		    "%s %s: no answer (%s), want %ld", resp->method,
		    resp->path, resp->error, want));
	return (it_check_at(file, line, false, "%s %s: status %ld, want %ld; "
	    "body: %s", resp->method, resp->path, resp->status, want,
	    it_short(resp->body, resp->body_len, b, sizeof b)));
}

/* -- runner --------------------------------------------------------------- */

int
it_main(const struct it_test *tests, size_t ntests, int argc, char **argv)
{
	size_t	 i;
	int	 j, passed = 0, failed = 0;
	bool	 wanted;
	double	 t0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	it_base_url = getenv("COMMENTD_TEST_URL");
	it_db_conninfo = getenv("COMMENTD_TEST_DB");
	it_pgdir = getenv("COMMENTD_TEST_PGDIR");
	if (it_base_url == NULL || *it_base_url == '\0' ||
	    it_db_conninfo == NULL || *it_db_conninfo == '\0') {
		fprintf(stderr, "itest: COMMENTD_TEST_URL and COMMENTD_TEST_DB "
		    "must be set\n");
		printf("0 passed, 1 failed\n");
		return (1);
	}
	it_find_root(argv[0]);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "itest: curl_global_init failed\n");
		printf("0 passed, 1 failed\n");
		return (1);
	}

	for (i = 0; i < ntests; i++) {
		wanted = argc <= 1;
		for (j = 1; j < argc; j++)
			wanted |= strcmp(argv[j], tests[i].name) == 0;
		if (!wanted)
			continue;
		printf("-- %s\n", tests[i].name);
		it_failed = false;
		it_nchecks = 0;
		t0 = it_now();
		tests[i].fn();
		it_release_all();
		if (it_nchecks == 0)
			it_check_at(__FILE__, __LINE__, false,
			    "%s made no checks", tests[i].name);
		printf("%s %s (%d checks, %.2f s)\n", it_failed ? "FAIL" : "ok",
		    tests[i].name, it_nchecks, it_now() - t0);
		if (it_failed)
			failed++;
		else
			passed++;
	}

	free(it_owned);
	if (it_conn != NULL)
		PQfinish(it_conn);
	curl_global_cleanup();
	printf("%d passed, %d failed\n", passed, failed);
	return (failed == 0 ? 0 : 1);
}
