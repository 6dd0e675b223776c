/*
 * itest.c - support library for the integration tests (see itest.h).
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
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

enum it_kind { IT_MEM, IT_RESP, IT_PGRES, IT_PROC, IT_STREAM };
struct it_owned {
	enum it_kind	 kind;
	void		*p;
};
static struct it_owned	*it_owned;
static size_t		 it_nowned, it_owned_cap;

static PGconn		*it_conn;

extern char		**environ;

/* A process started by it_spawn(). */
struct it_proc {
	pid_t		 pid;
	bool		 reaped;
	int		 status;	/* as it_proc_wait() answers */
	char		 path[64];	/* its output */
};

/* A response read by a thread: see it_stream_open(). */
struct it_stream {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	pthread_t	 thread;
	bool		 running;	/* the thread is to be joined */
	bool		 stop;
	bool		 done;		/* the transfer ended */
	bool		 headers_done;
	long		 status;
	char		 error[256];
	CURL		*easy;
	CURLM		*multi;
	struct curl_slist *slist;
	char		*url;
	struct it_resp	 hdr;		/* headers only */
	char		*buf;		/* bytes received */
	size_t		 len;
	size_t		 pos;		/* parsed up to here */
	char		*cur_id;	/* the event being parsed */
	char		*cur_event;
	char		*cur_data;
	size_t		 cur_len;
	bool		 cur_has_data;
	struct it_sse	**events;
	size_t		 nevents;
	size_t		 events_cap;
	size_t		 next;		/* next event to hand out */
	int		 ncomments;
};

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
static char	**it_make_env(char *const *);
static pid_t	 it_fork_exec(char *const *, char **, int, int, int);
static char	*it_proc_read(const struct it_proc *);
static void	 it_proc_free(struct it_proc *);
static void	 it_stream_free(struct it_stream *);
static void	*it_stream_main(void *);
static size_t	 it_stream_write_cb(char *, size_t, size_t, void *);
static size_t	 it_stream_header_cb(char *, size_t, size_t, void *);
static void	 it_stream_parse(struct it_stream *);
static void	 it_stream_line(struct it_stream *, char *, size_t);
static void	 it_deadline(struct timespec *, long);
static struct it_proc *it_server_v(const char *, int, const char **,
		    const char *, const char *, const char *, va_list);

/* -- memory --------------------------------------------------------------- */

static void *
it_xmalloc(size_t n)
{
	void	*p;

	if ((p = calloc(1, n == 0 ? 1 : n)) == NULL) {
		perror("itest: calloc");
		abort();
	}
	return p;
}

static char *
it_xstrdup(const char *s)
{
	size_t	 n = strlen(s) + 1;

	return memcpy(it_xmalloc(n), s, n);
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
		case IT_PROC:
			it_proc_free(it_owned[i].p);
			break;
		case IT_STREAM:
			it_stream_free(it_owned[i].p);
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
	return p;
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
	return it_own(s);
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
	return it_own(out);
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
	return it_own(s);
}

/* -- time and processes --------------------------------------------------- */

double
it_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

/* Waits for child pid until deadline (it_now() time): its exit status,
 * or -1 if it did not exit normally or in time (it is then killed). */
static int
it_reap(pid_t pid, double deadline)
{
	pid_t	r;
	int	status;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r == -1 && errno != EINTR)
			return -1;
		if (it_now() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		it_sleep_ms(20);
	}
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int
it_run_cmd(char *const argv[], int timeout_s)
{
	pid_t	 pid;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		return -1;
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
	return it_reap(pid, it_now() + timeout_s);
}

/*
 * The environment with env's "NAME=value" strings added (replacing a
 * variable of the same name).  The array is malloc'd; the strings are
 * borrowed.
 */
static char **
it_make_env(char *const *env)
{
	char		**out;
	const char	*eq;
	size_t		 n = 0, m = 0, i, j, k = 0;
	bool		 replaced;

	while (environ[n] != NULL)
		n++;
	while (env != NULL && env[m] != NULL)
		m++;
	out = it_xmalloc((n + m + 1) * sizeof *out);
	for (i = 0; i < n; i++) {
		replaced = false;
		for (j = 0; j < m && !replaced; j++) {
			eq = strchr(env[j], '=');
			replaced = eq != NULL && strncmp(environ[i], env[j],
			    (size_t)(eq - env[j]) + 1) == 0;
		}
		if (!replaced)
			out[k++] = environ[i];
	}
	for (j = 0; j < m; j++)
		out[k++] = env[j];
	out[k] = NULL;
	return out;
}

/*
 * Forks and executes argv from the repository root with envp, standard
 * input, output and error on the given descriptors (-1: inherited).  The
 * child only makes async-signal-safe calls.  Its pid, or -1.
 */
static pid_t
it_fork_exec(char *const *argv, char **envp, int in, int out, int err)
{
	pid_t	 pid;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) != 0)
		return pid;
	signal(SIGPIPE, SIG_DFL);
	if ((in != -1 && dup2(in, 0) == -1) ||
	    (out != -1 && dup2(out, 1) == -1) ||
	    (err != -1 && dup2(err, 2) == -1))
		_exit(127);
	/* Nothing else of ours (sockets of open streams) leaks in. */
	close_range(3, ~0U, 0);
	if (chdir(it_root) == -1)
		_exit(127);
	execve(argv[0], argv, envp);
	_exit(127);
}

int
it_run_io(char *const argv[], char *const env[], const char *input,
    char **out, int timeout_s)
{
	struct sigaction sa;
	struct pollfd	 pfd[2];
	char		**envp, *buf, tmp[4096];
	size_t		 len = 0, inlen, inoff = 0;
	ssize_t		 k;
	pid_t		 pid;
	int		 inp[2], outp[2], n, i;
	double		 deadline, left;

	if (out != NULL)
		*out = NULL;
	/* A child that exits before it reads must not kill us. */
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
		sa.sa_handler = SIG_IGN;
		sigaction(SIGPIPE, &sa, NULL);
	}
	if (pipe2(inp, O_CLOEXEC) == -1)
		return -1;
	if (pipe2(outp, O_CLOEXEC) == -1) {
		close(inp[0]);
		close(inp[1]);
		return -1;
	}
	envp = it_make_env(env);
	pid = it_fork_exec(argv, envp, inp[0], outp[1], -1);
	free(envp);
	close(inp[0]);
	close(outp[1]);
	if (pid == -1) {
		close(inp[1]);
		close(outp[0]);
		return -1;
	}
	inlen = input != NULL ? strlen(input) : 0;
	if (inlen == 0) {
		close(inp[1]);
		inp[1] = -1;
	} else
		fcntl(inp[1], F_SETFL, O_NONBLOCK);
	buf = it_xmalloc(1);
	deadline = it_now() + timeout_s;
	while (inp[1] != -1 || outp[0] != -1) {
		if ((left = deadline - it_now()) <= 0)
			break;
		n = 0;
		if (inp[1] != -1) {
			pfd[n].fd = inp[1];
			pfd[n++].events = POLLOUT;
		}
		if (outp[0] != -1) {
			pfd[n].fd = outp[0];
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)n, (int)(left * 1000) + 1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < n; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == inp[1]) {
				k = write(inp[1], input + inoff, inlen - inoff);
				if (k > 0)
					inoff += (size_t)k;
				if (inoff == inlen || (k == -1 &&
				    errno != EAGAIN && errno != EINTR)) {
					close(inp[1]);
					inp[1] = -1;
				}
				continue;
			}
			k = read(outp[0], tmp, sizeof tmp);
			if (k > 0) {
				if ((buf = realloc(buf, len + (size_t)k + 1)) ==
				    NULL)
					abort();
				memcpy(buf + len, tmp, (size_t)k);
				len += (size_t)k;
				buf[len] = '\0';
			} else if (k == 0 || (errno != EAGAIN &&
			    errno != EINTR)) {
				close(outp[0]);
				outp[0] = -1;
			}
		}
	}
	if (inp[1] != -1)
		close(inp[1]);
	if (outp[0] != -1)
		close(outp[0]);
	if (out != NULL)
		*out = it_own(buf);
	else
		free(buf);

	return it_reap(pid, deadline);
}

struct it_proc *
it_spawn(char *const argv[], char *const env[])
{
	struct it_proc	*p;
	char		**envp;
	int		 fd, nul;

	p = it_xmalloc(sizeof *p);
	snprintf(p->path, sizeof p->path, "/tmp/itest-proc.XXXXXX");
	if ((fd = mkostemp(p->path, O_CLOEXEC | O_APPEND)) == -1) {
		free(p);
		return NULL;
	}
	nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	envp = it_make_env(env);
	p->pid = it_fork_exec(argv, envp, nul, fd, fd);
	free(envp);
	close(fd);
	if (nul != -1)
		close(nul);
	if (p->pid == -1) {
		unlink(p->path);
		free(p);
		return NULL;
	}
	it_register(IT_PROC, p);
	return p;
}

/* The whole output so far, malloc'd. */
static char *
it_proc_read(const struct it_proc *p)
{
	FILE	*fp;
	char	*buf;
	size_t	 len = 0, k;

	buf = it_xmalloc(4097);
	if ((fp = fopen(p->path, "r")) == NULL)
		return buf;
	while ((k = fread(buf + len, 1, 4096, fp)) > 0) {
		len += k;
		if ((buf = realloc(buf, len + 4097)) == NULL)
			abort();
	}
	buf[len] = '\0';
	fclose(fp);
	return buf;
}

const char *
it_proc_output(struct it_proc *p)
{
	return it_own(it_proc_read(p));
}

const char *
it_proc_wait_line(struct it_proc *p, const char *needle, long timeout_ms)
{
	char	*out, *hit, *start, *end;
	double	 deadline = it_now() + timeout_ms / 1000.0;
	bool	 exited;

	for (;;) {
		exited = it_proc_wait(p, 0) != -1 || p->reaped;
		out = it_proc_read(p);
		if ((hit = strstr(out, needle)) != NULL) {
			start = hit;
			while (start > out && start[-1] != '\n')
				start--;
			if ((end = strchr(hit, '\n')) == NULL)
				end = hit + strlen(hit);
			hit = strndup(start, (size_t)(end - start));
			free(out);
			if (hit == NULL)
				abort();
			return it_own(hit);
		}
		free(out);
		if (exited || it_now() > deadline)
			return NULL;
		it_sleep_ms(50);
	}
}

int
it_proc_kill(struct it_proc *p, int sig)
{
	if (p->reaped)
		return -1;
	return kill(p->pid, sig);
}

pid_t
it_proc_pid(const struct it_proc *p)
{
	return p->pid;
}

int
it_proc_wait(struct it_proc *p, long timeout_ms)
{
	double	 deadline = it_now() + timeout_ms / 1000.0;
	pid_t	 r;
	int	 st;

	if (p->reaped)
		return p->status;
	for (;;) {
		r = waitpid(p->pid, &st, WNOHANG);
		if (r == p->pid) {
			p->reaped = true;
			if (WIFEXITED(st))
				p->status = WEXITSTATUS(st);
			else if (WIFSIGNALED(st))
				p->status = 128 + WTERMSIG(st);
			else
				p->status = -1;
			return p->status;
		}
		if (r == -1 && errno != EINTR) {
			p->reaped = true;
			p->status = -1;
			return -1;
		}
		if (it_now() >= deadline)
			return -1;
		it_sleep_ms(20);
	}
}

static void
it_proc_free(struct it_proc *p)
{
	if (!p->reaped) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	unlink(p->path);
	free(p);
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
		return 0;	/* curl fails the transfer */
	memcpy(nb + resp->body_len, data, len);
	resp->body = nb;
	resp->body_len += len;
	resp->body[resp->body_len] = '\0';
	return len;
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
		return len;
	}
	it_add_header(resp, data, len);
	return len;
}

/*
 * What an exchange and a stream set alike on handle h: the URL, no proxy
 * (never via $http_proxy), timeouts, HTTP/1.1, the body and header
 * callbacks (both given arg), and the request's headers exactly as the
 * test gives them, without the 100-continue dance.  Returns the header
 * list, which the caller frees after the transfer.
 */
static struct curl_slist *
it_curl_setup(CURL *h, const char *url, const struct it_req *req,
    curl_write_callback body_cb, curl_write_callback header_cb, void *arg)
{
	struct curl_slist	*sl = NULL, *nsl;
	const char *const	*hp;

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ?
	    req->timeout_ms : (long)IT_HTTP_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, arg);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, arg);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
	for (hp = req->headers; hp != NULL && *hp != NULL; hp++) {
		if ((nsl = curl_slist_append(sl, *hp)) == NULL)
			abort();
		sl = nsl;
	}
	if ((nsl = curl_slist_append(sl, "Expect:")) == NULL)
		abort();
	sl = nsl;
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, sl);
	return sl;
}

int
it_do(const struct it_req *req, struct it_resp *resp)
{
	CURL			*h;
	CURLcode		 rc;
	struct curl_slist	*sl;
	char			 errbuf[CURL_ERROR_SIZE], *url;
	json_error_t		 jerr;
	double			 t0;

	memset(resp, 0, sizeof *resp);
	resp->method = it_xstrdup(req->method);
	resp->path = it_xstrdup(req->path);
	resp->body = it_xmalloc(1);
	if ((h = curl_easy_init()) == NULL) {
		snprintf(resp->error, sizeof resp->error, "curl_easy_init");
		return -1;
	}
	if (asprintf(&url, "%s%s", req->base != NULL ? req->base :
	    it_base_url, req->path) == -1) {
		perror("itest: asprintf");
		abort();
	}
	errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	sl = it_curl_setup(h, url, req, it_write_cb, it_header_cb, resp);

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
	return rc == CURLE_OK ? 0 : -1;
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
	return it_http_at(NULL, method, path, headers, body, len);
}

struct it_resp *
it_http_at(const char *base, const char *method, const char *path,
    const char *const *headers, const char *body, size_t len)
{
	struct it_req	 req;

	memset(&req, 0, sizeof req);
	req.base = base;
	req.method = method;
	req.path = path;
	req.headers = headers;
	req.body = body;
	req.body_len = body != NULL && len == (size_t)-1 ? strlen(body) : len;
	return it_request(&req);
}

struct it_resp *
it_request(const struct it_req *req)
{
	struct it_resp	*resp;

	resp = it_xmalloc(sizeof *resp);
	it_do(req, resp);
	it_register(IT_RESP, resp);
	return resp;
}

const char *
it_header(const struct it_resp *resp, const char *name)
{
	size_t	 i;

	for (i = 0; i < resp->nheaders; i++) {
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return resp->headers[i].value;
	}
	return NULL;
}

const char *
it_header_n(const struct it_resp *resp, const char *name, size_t n)
{
	size_t	 i;

	for (i = 0; i < resp->nheaders; i++) {
		if (strcasecmp(resp->headers[i].name, name) == 0 && n-- == 0)
			return resp->headers[i].value;
	}
	return NULL;
}

bool
it_is_json_type(const struct it_resp *resp)
{
	const char	*ct = it_header(resp, "Content-Type");
	size_t		 n = strlen("application/json");

	if (ct == NULL || strncasecmp(ct, "application/json", n) != 0)
		return false;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

/* -- Server-Sent Events --------------------------------------------------- */

/* An absolute CLOCK_MONOTONIC time ms from now. */
static void
it_deadline(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static size_t
it_stream_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct it_stream	*s = arg;
	size_t			 len = size * n;
	char			*nb;

	pthread_mutex_lock(&s->lock);
	if ((nb = realloc(s->buf, s->len + len + 1)) == NULL) {
		pthread_mutex_unlock(&s->lock);
		return 0;
	}
	memcpy(nb + s->len, data, len);
	s->buf = nb;
	s->len += len;
	s->buf[s->len] = '\0';
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return len;
}

static size_t
it_stream_header_cb(char *data, size_t size, size_t n, void *arg)
{
	struct it_stream	*s = arg;
	size_t			 len = size * n;
	long			 code = 0;

	pthread_mutex_lock(&s->lock);
	if (len <= 2 && len > 0 && (data[0] == '\r' || data[0] == '\n')) {
		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
		if (code >= 200) {
			s->status = code;
			s->headers_done = true;
			pthread_cond_broadcast(&s->cond);
		}
	} else
		it_header_cb(data, size, n, &s->hdr);
	pthread_mutex_unlock(&s->lock);
	return len;
}

static void *
it_stream_main(void *arg)
{
	struct it_stream	*s = arg;
	CURLMsg			*msg;
	CURLMcode		 mc = CURLM_OK;
	CURLcode		 rc = CURLE_OK;
	int			 running = 1, q;
	bool			 stop = false, finished = false;

	while (!stop && !finished) {
		if ((mc = curl_multi_perform(s->multi, &running)) != CURLM_OK)
			break;
		while ((msg = curl_multi_info_read(s->multi, &q)) != NULL) {
			if (msg->msg == CURLMSG_DONE) {
				rc = msg->data.result;
				finished = true;
			}
		}
		if (finished || running == 0)
			break;
		if ((mc = curl_multi_poll(s->multi, NULL, 0, 200, NULL)) !=
		    CURLM_OK)
			break;
		pthread_mutex_lock(&s->lock);
		stop = s->stop;
		pthread_mutex_unlock(&s->lock);
	}

	pthread_mutex_lock(&s->lock);
	s->done = true;
	s->headers_done = true;
	if (mc != CURLM_OK)
		snprintf(s->error, sizeof s->error, "%s",
		    curl_multi_strerror(mc));
	else if (rc != CURLE_OK)
		snprintf(s->error, sizeof s->error, "%s",
		    curl_easy_strerror(rc));
	else if (stop)
		snprintf(s->error, sizeof s->error, "closed by the test");
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

struct it_stream *
it_stream_open(const struct it_req *req)
{
	struct it_stream	*s;
	pthread_condattr_t	 ca;
	CURL			*h;

	s = it_xmalloc(sizeof *s);
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (asprintf(&s->url, "%s%s", req->base != NULL ? req->base :
	    it_base_url, req->path) == -1) {
		perror("itest: asprintf");
		abort();
	}
	it_register(IT_STREAM, s);
	s->easy = curl_easy_init();
	s->multi = curl_multi_init();
	if ((h = s->easy) == NULL || s->multi == NULL) {
		snprintf(s->error, sizeof s->error, "curl init failed");
		s->done = s->headers_done = true;
		return s;
	}
	s->slist = it_curl_setup(h, s->url, req, it_stream_write_cb,
	    it_stream_header_cb, s);
	if (req->body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)req->body_len);
		curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, req->body);
	}
	if (req->method != NULL && strcmp(req->method, "GET") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	else if (req->body == NULL)
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	curl_multi_add_handle(s->multi, h);
	if (pthread_create(&s->thread, NULL, it_stream_main, s) != 0) {
		snprintf(s->error, sizeof s->error, "pthread_create failed");
		s->done = s->headers_done = true;
	} else
		s->running = true;
	return s;
}

long
it_stream_status(struct it_stream *s, long timeout_ms)
{
	struct timespec	 ts;
	long		 st;

	it_deadline(&ts, timeout_ms);
	pthread_mutex_lock(&s->lock);
	while (!s->headers_done) {
		if (pthread_cond_timedwait(&s->cond, &s->lock, &ts) ==
		    ETIMEDOUT)
			break;
	}
	st = s->headers_done ? s->status : 0;
	pthread_mutex_unlock(&s->lock);
	return st;
}

const char *
it_stream_header(struct it_stream *s, const char *name)
{
	const char	*v = NULL;

	pthread_mutex_lock(&s->lock);
	if (s->headers_done)
		v = it_header(&s->hdr, name);
	pthread_mutex_unlock(&s->lock);
	return v;
}

/* One line of the stream, without its line end (lock held). */
static void
it_stream_line(struct it_stream *s, char *line, size_t n)
{
	struct it_sse	*ev, **ne;
	const char	*colon, *v, *end = line + n;
	size_t		 nlen, vlen;

	if (n == 0) {
		/* A blank line dispatches the event, if it had data. */
		if (s->cur_has_data) {
			ev = it_xmalloc(sizeof *ev);
			ev->id = s->cur_id;
			ev->event = s->cur_event;
			ev->data = s->cur_data != NULL ? s->cur_data :
			    it_xstrdup("");
			ev->json = json_loads(ev->data, 0, NULL);
			ev->at = it_now();
			if (s->nevents == s->events_cap) {
				s->events_cap = s->events_cap == 0 ? 64 :
				    s->events_cap * 2;
				ne = realloc(s->events, s->events_cap *
				    sizeof *ne);
				if (ne == NULL)
					abort();
				s->events = ne;
			}
			s->events[s->nevents++] = ev;
		} else {
			free(s->cur_id);
			free(s->cur_event);
			free(s->cur_data);
		}
		s->cur_id = s->cur_event = s->cur_data = NULL;
		s->cur_len = 0;
		s->cur_has_data = false;
		return;
	}
	if (line[0] == ':') {
		s->ncomments++;
		return;
	}
	colon = memchr(line, ':', n);
	nlen = colon != NULL ? (size_t)(colon - line) : n;
	v = colon != NULL ? colon + 1 : end;
	if (v < end && *v == ' ')
		v++;
	vlen = (size_t)(end - v);
	if (nlen == 4 && memcmp(line, "data", 4) == 0) {
		s->cur_data = realloc(s->cur_data, s->cur_len + vlen + 2);
		if (s->cur_data == NULL)
			abort();
		if (s->cur_has_data)
			s->cur_data[s->cur_len++] = '\n';
		memcpy(s->cur_data + s->cur_len, v, vlen);
		s->cur_len += vlen;
		s->cur_data[s->cur_len] = '\0';
		s->cur_has_data = true;
	} else if (nlen == 2 && memcmp(line, "id", 2) == 0) {
		free(s->cur_id);
		if ((s->cur_id = strndup(v, vlen)) == NULL)
			abort();
	} else if (nlen == 5 && memcmp(line, "event", 5) == 0) {
		free(s->cur_event);
		if ((s->cur_event = strndup(v, vlen)) == NULL)
			abort();
	}
}

/* Parses the complete lines received so far (lock held). */
static void
it_stream_parse(struct it_stream *s)
{
	char	*line, *nl;
	size_t	 n;

	while (s->pos < s->len) {
		line = s->buf + s->pos;
		if ((nl = memchr(line, '\n', s->len - s->pos)) == NULL)
			break;
		n = (size_t)(nl - line);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		it_stream_line(s, line, n);
		s->pos = (size_t)(nl - s->buf) + 1;
	}
}

const struct it_sse *
it_stream_next(struct it_stream *s, long timeout_ms)
{
	const struct it_sse	*ev = NULL;
	struct timespec		 ts;
	bool			 late = false;

	it_deadline(&ts, timeout_ms);
	pthread_mutex_lock(&s->lock);
	for (;;) {
		it_stream_parse(s);
		if (s->next < s->nevents) {
			ev = s->events[s->next++];
			break;
		}
		if (s->done || late)
			break;
		if (pthread_cond_timedwait(&s->cond, &s->lock, &ts) ==
		    ETIMEDOUT)
			late = true;
	}
	pthread_mutex_unlock(&s->lock);
	return ev;
}

int
it_stream_comments(struct it_stream *s)
{
	int	 n;

	pthread_mutex_lock(&s->lock);
	it_stream_parse(s);
	n = s->ncomments;
	pthread_mutex_unlock(&s->lock);
	return n;
}

bool
it_stream_ended(struct it_stream *s, const char **why)
{
	bool	 done;

	pthread_mutex_lock(&s->lock);
	done = s->done;
	if (why != NULL)
		*why = s->error[0] != '\0' ? s->error : NULL;
	pthread_mutex_unlock(&s->lock);
	return done;
}

void
it_stream_close(struct it_stream *s)
{
	if (s->running) {
		pthread_mutex_lock(&s->lock);
		s->stop = true;
		pthread_mutex_unlock(&s->lock);
		curl_multi_wakeup(s->multi);
		pthread_join(s->thread, NULL);
		s->running = false;
	}
	if (s->multi != NULL && s->easy != NULL)
		curl_multi_remove_handle(s->multi, s->easy);
	if (s->easy != NULL)
		curl_easy_cleanup(s->easy);
	if (s->multi != NULL)
		curl_multi_cleanup(s->multi);
	s->easy = NULL;
	s->multi = NULL;
}

static void
it_stream_free(struct it_stream *s)
{
	size_t	 i;

	it_stream_close(s);
	for (i = 0; i < s->nevents; i++) {
		free(s->events[i]->id);
		free(s->events[i]->event);
		free(s->events[i]->data);
		json_decref(s->events[i]->json);
		free(s->events[i]);
	}
	free(s->events);
	free(s->cur_id);
	free(s->cur_event);
	free(s->cur_data);
	free(s->buf);
	free(s->url);
	curl_slist_free_all(s->slist);
	it_resp_clear(&s->hdr);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
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
			return NULL;
		memcpy(seg, p, n);
		seg[n] = '\0';
		if (json_is_array(cur)) {
			errno = 0;
			idx = strtoul(seg, &end, 10);
			if (n == 0 || *end != '\0' || errno != 0)
				return NULL;
			cur = json_array_get(cur, idx);
		} else if (json_is_object(cur))
			cur = json_object_get(cur, seg);
		else
			return NULL;
		p += n;
		if (*p == '.')
			p++;
	}
	return cur;
}

const char *
it_jstr(const json_t *root, const char *path)
{
	return json_string_value(it_jget(root, path));
}

long long
it_jint(const json_t *root, const char *path, long long def)
{
	json_t	*v = it_jget(root, path);

	return json_is_integer(v) ? json_integer_value(v) : def;
}

bool
it_jnull(const json_t *root, const char *path)
{
	return json_is_null(it_jget(root, path));
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
			return NULL;
		}
		res = PQexecParams(it_conn, sql, n, NULL, params, NULL, NULL,
		    0);
		st = PQresultStatus(res);
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
			it_register(IT_PGRES, res);
			return res;
		}
		if (PQstatus(it_conn) == CONNECTION_OK)
			break;
		PQclear(res);
		res = NULL;
	}
	it_check_at(file, line, false, "SQL failed: %s: %s", sql,
	    res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(it_conn));
	PQclear(res);
	return NULL;
}

PGresult *
it_sql_at(const char *file, int line, const char *sql, ...)
{
	va_list		 ap;
	PGresult	*res;

	va_start(ap, sql);
	res = it_sql_v(file, line, sql, ap);
	va_end(ap);
	return res;
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
		return -1;
	return strtoll(PQgetvalue(res, 0, 0), NULL, 10);
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
	return ok;
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
		return s;
	n = max - 4;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(buf, s, n);
	memcpy(buf + n, "...", 4);
	return buf;
}

bool
it_check_int_at(const char *file, int line, const char *expr, long long got,
    long long want)
{
	return it_check_at(file, line, got == want, "%s is %lld, want %lld",
	    expr, got, want);
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
		return it_check_at(file, line, true, "%s", expr);
	return it_check_at(file, line, false, "%s is \"%s\", want \"%s\"",
	    expr, got == NULL ? "(null)" : it_short(got, strlen(got), b1,
	    sizeof b1), want == NULL ? "(null)" : it_short(want, strlen(want),
	    b2, sizeof b2));
}

bool
it_check_status_at(const char *file, int line, const struct it_resp *resp,
    long want)
{
	char	 b[400];

	if (resp->status == want)
		return it_check_at(file, line, true, "status");
	if (resp->status == 0)
		return it_check_at(file, line, false,
		    "%s %s: no answer (%s), want %ld", resp->method,
		    resp->path, resp->error, want);
	return it_check_at(file, line, false, "%s %s: status %ld, want %ld; "
	    "body: %s", resp->method, resp->path, resp->status, want,
	    it_short(resp->body, resp->body_len, b, sizeof b));
}

/* -- runner --------------------------------------------------------------- */

int
it_main(const struct it_test *tests, size_t ntests, int argc, char **argv)
{
	size_t	 i;
	int	 j, passed = 0, failed = 0;
	bool	 wanted;
	double	 t0;

	/* Each case's "ok NAME" / "FAIL NAME" line reaches the log at once
	 * (make test sends stdout to a file): should the program die, the
	 * runner still counts the cases before (tests/tally.sh). */
	setvbuf(stdout, NULL, _IOLBF, 0);
	it_base_url = getenv("COMMENTD_TEST_URL");
	it_db_conninfo = getenv("COMMENTD_TEST_DB");
	it_pgdir = getenv("COMMENTD_TEST_PGDIR");
	if (it_base_url == NULL || *it_base_url == '\0' ||
	    it_db_conninfo == NULL || *it_db_conninfo == '\0') {
		fprintf(stderr, "itest: COMMENTD_TEST_URL and COMMENTD_TEST_DB "
		    "must be set\n");
		printf("0 passed, 1 failed\n");
		return 1;
	}
	it_find_root(argv[0]);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "itest: curl_global_init failed\n");
		printf("0 passed, 1 failed\n");
		return 1;
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
	if (passed + failed == 0)
		fprintf(stderr, "itest: no test case ran\n");
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 && passed > 0 ? 0 : 1;
}

/* See itest.h. */
bool
it_cli_at(const char *file, int line, const char *input, char **out, ...)
{
	const char	*bin = getenv("COMMENTD_TEST_BIN");
	char		*argv[16], *env[2], *cmd, buf[4096];
	FILE		*said;
	size_t		 k;
	va_list		 ap;
	int		 n = 0, rc, i, saved;

	if (!it_check_at(file, line, bin != NULL && *bin != '\0',
	    "COMMENTD_TEST_BIN is set"))
		return false;
	argv[n++] = (char *)bin;
	va_start(ap, out);
	while (n < 15 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	env[0] = it_strf("COMMENTD_DATABASE_URL=%s", it_db_conninfo);
	env[1] = NULL;
	/* What the command says on stderr ("token created", ...) is shown
	 * only if it fails: the child writes it to a file in our place. */
	fflush(stderr);
	said = tmpfile();
	saved = dup(STDERR_FILENO);
	if (said != NULL && saved >= 0)
		dup2(fileno(said), STDERR_FILENO);
	rc = it_run_io(argv, env, input, out, 60);
	if (said != NULL && saved >= 0) {
		dup2(saved, STDERR_FILENO);
		rewind(said);
		while (rc != 0 && (k = fread(buf, 1, sizeof buf, said)) > 0)
			fwrite(buf, 1, k, stderr);
	}
	if (saved >= 0)
		close(saved);
	if (said != NULL)
		fclose(said);
	cmd = it_strf("%s", bin);
	for (i = 1; i < n; i++)
		cmd = it_strf("%s %s", cmd, argv[i]);
	return it_check_at(file, line, rc == 0, "%s: exit status %d", cmd,
	    rc);
}


bool
it_tree_has_id(const json_t *comments, long long id)
{
	const json_t	*c;
	size_t		 i;

	json_array_foreach(comments, i, c) {
		if (it_jint(c, "id", -1) == id ||
		    it_tree_has_id(json_object_get(c, "replies"), id))
			return true;
	}
	return false;
}

/* -- requests at the same moment ----------------------------------------- */

struct it_gate {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	bool		 open;
};

struct it_gated {
	struct it_gate		*gate;
	const struct it_req	*req;
	struct it_resp		*resp;
};

static void *
it_gated_main(void *arg)
{
	struct it_gated	*g = arg;

	pthread_mutex_lock(&g->gate->lock);
	while (!g->gate->open)
		pthread_cond_wait(&g->gate->cond, &g->gate->lock);
	pthread_mutex_unlock(&g->gate->lock);
	it_do(g->req, g->resp);
	return NULL;
}

int
it_do_all(const struct it_req *reqs, struct it_resp *resps, int n)
{
	struct it_gate	 gate;
	struct it_gated	*g;
	pthread_t	*th;
	int		 i, started;

	memset(&gate, 0, sizeof gate);
	pthread_mutex_init(&gate.lock, NULL);
	pthread_cond_init(&gate.cond, NULL);
	g = calloc((size_t)n, sizeof *g);
	th = calloc((size_t)n, sizeof *th);
	if (g == NULL || th == NULL) {
		free(g);
		free(th);
		return 0;
	}
	for (started = 0; started < n; started++) {
		g[started].gate = &gate;
		g[started].req = &reqs[started];
		g[started].resp = &resps[started];
		if (pthread_create(&th[started], NULL, it_gated_main,
		    &g[started]) != 0)
			break;
	}
	pthread_mutex_lock(&gate.lock);
	gate.open = true;
	pthread_cond_broadcast(&gate.cond);
	pthread_mutex_unlock(&gate.lock);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_cond_destroy(&gate.cond);
	pthread_mutex_destroy(&gate.lock);
	free(g);
	free(th);
	return started;
}

/* See itest.h. */
char *
it_new_token_at(const char *file, int line, const char *name)
{
	char	*out;
	size_t	 n;

	if (!it_cli_at(file, line, NULL, &out, "token", "create", name,
	    "--days", "1", (char *)NULL))
		return NULL;
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	if (!it_check_at(file, line, n >= 16 && strpbrk(out, " \t\n") ==
	    NULL, "token create %s printed a token alone: \"%s\"", name,
	    out))
		return NULL;
	return out;
}

struct it_proc *
it_server_at(const char *file, int line, const char **base,
    const char *workers, ...)
{
	struct it_proc	*p;
	va_list		 ap;

	va_start(ap, workers);
	p = it_server_v(file, line, base, it_db_conninfo, "127.0.0.1:0",
	    workers, ap);
	va_end(ap);
	return p;
}

struct it_proc *
it_server_db_at(const char *file, int line, const char **base,
    const char *conninfo, const char *workers, ...)
{
	struct it_proc	*p;
	va_list		 ap;

	va_start(ap, workers);
	p = it_server_v(file, line, base, conninfo, "127.0.0.1:0", workers,
	    ap);
	va_end(ap);
	return p;
}

struct it_proc *
it_server_on_at(const char *file, int line, const char **base,
    const char *listen, const char *workers, ...)
{
	struct it_proc	*p;
	va_list		 ap;

	va_start(ap, workers);
	p = it_server_v(file, line, base, it_db_conninfo, listen, workers,
	    ap);
	va_end(ap);
	return p;
}

/* it_server_at() and the others on database conninfo, at listen. */
static struct it_proc *
it_server_v(const char *file, int line, const char **base,
    const char *conninfo, const char *listen, const char *workers,
    va_list ap)
{
	const char	*bin = getenv("COMMENTD_TEST_BIN");
	struct it_proc	*p;
	const char	*l, *at, *e, *asan;
	char		*argv[7], *env[16];
	int		 n = 0, port = 0;

	*base = NULL;
	if (!it_check_at(file, line, bin != NULL && *bin != '\0',
	    "COMMENTD_TEST_BIN is set"))
		return NULL;
	argv[0] = (char *)bin;
	argv[1] = (char *)"serve";
	argv[2] = (char *)"--listen";
	argv[3] = (char *)listen;
	argv[4] = (char *)"--workers";
	argv[5] = (char *)workers;
	argv[6] = NULL;
	env[n++] = it_strf("COMMENTD_DATABASE_URL=%s", conninfo);
	env[n++] = (char *)"COMMENTD_SHUTDOWN_TIMEOUT_MS=5000";
	/* Under AddressSanitizer: freed memory is reused soon, so that
	 * the resident size says what is live (the bound test). */
	asan = getenv("ASAN_OPTIONS");
	env[n++] = it_strf("ASAN_OPTIONS=%s%squarantine_size_mb=4",
	    asan != NULL ? asan : "", asan != NULL && *asan != '\0' ? ":" :
	    "");
	while (n < 13 && (e = va_arg(ap, const char *)) != NULL)
		env[n++] = (char *)e;
	env[n] = NULL;
	p = it_spawn(argv, env);
	if (!it_check_at(file, line, p != NULL, "%s serve started", bin))
		return NULL;
	l = it_proc_wait_line(p, "listening on 127.0.0.1:", 30000);
	if (l != NULL && strstr(l, " with") != NULL) {
		at = strstr(l, "listening on 127.0.0.1:");
		port = atoi(at + strlen("listening on 127.0.0.1:"));
	}
	if (!it_check_at(file, line, port > 0, "the server says \"listening "
	    "on 127.0.0.1:PORT with\"; its output: %s", it_proc_output(p)))
		return NULL;
	/* Its workers' caches are on once they listen for changes. */
	if (!it_check_at(file, line, it_proc_wait_line(p,
	    "listening for changes", 10000) != NULL, "the server listens for "
	    "changes; its output: %s", it_proc_output(p)))
		return NULL;
	*base = it_strf("http://127.0.0.1:%d", port);
	return p;
}

bool
it_proc_stop_at(const char *file, int line, struct it_proc *p,
    long timeout_ms)
{
	const char	*out;
	int		 rc;
	bool		 ok;

	it_proc_kill(p, SIGTERM);
	rc = it_proc_wait(p, timeout_ms);
	out = it_proc_output(p);
	ok = it_check_at(file, line, rc == 0, "exit status %d after SIGTERM "
	    "(-1: still running after %ld ms); its output: %s", rc, timeout_ms,
	    out);
	ok &= it_check_at(file, line, strstr(out, "runtime error") == NULL &&
	    strstr(out, "Sanitizer") == NULL, "a sanitizer report: %s", out);
	return ok;
}

/* The README's error shape: status, JSON type, error.code and message. */
bool
it_check_error_at(const char *file, int line, const struct it_resp *r,
    long st, const char *code)
{
	const char	*got, *ct;
	bool		 ok;

	ok = it_check_status_at(file, line, r, st);
	ct = it_header(r, "Content-Type");
	ok &= it_check_at(file, line, it_is_json_type(r),
	    "%s %s: Content-Type is %s, want application/json", r->method,
	    r->path, ct != NULL ? ct : "(none)");
	ok &= it_check_at(file, line, json_is_object(it_jget(r->json,
	    "error")), "%s %s: no \"error\" object", r->method, r->path);
	got = it_jstr(r->json, "error.code");
	ok &= it_check_at(file, line, got != NULL && strcmp(got, code) == 0,
	    "%s %s: error.code is %s, want %s", r->method, r->path,
	    got != NULL ? got : "(none)", code);
	ok &= it_check_at(file, line, it_jstr(r->json, "error.message") !=
	    NULL, "%s %s: error.message is not a string", r->method, r->path);
	return ok;
}

const char *
it_list_path(const char *key)
{
	return it_strf("/api/v1/articles/%s/comments", it_pct(key));
}

/*
 * Time limits are deadlines for events, not speed targets: make test
 * SANITIZE=1 runs everything several times slower, so they stretch.
 */
double
it_time_factor(void)
{
	const char	*f = getenv("COMMENTD_TEST_TIME_FACTOR");
	const char	*san = getenv("SANITIZE");
	double		 v;

	if (f != NULL && (v = strtod(f, NULL)) >= 1)
		return v;
	return san != NULL && strcmp(san, "1") == 0 ? 3 : 1;
}

long
it_limit_ms(long ms)
{
	return (long)(ms * it_time_factor());
}

/* -- shared fixtures ---------------------------------------------------- */

char *
it_slurp(const char *path, size_t *lenp)
{
	FILE	*f;
	char	*buf;
	long	 len;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	buf = it_own(malloc((size_t)len + 1));
	if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = (size_t)len;
	return buf;
}

bool
it_make_words(const char *var, const char **names, size_t *n,
    size_t max)
{
	const char	*mk, *p, *eol;
	size_t		 len, vlen = strlen(var);
	bool		 more = true;

	if ((mk = it_slurp("Makefile", NULL)) == NULL)
		return false;
	p = mk;

	for (;;) {
		if ((p = strstr(p, var)) == NULL)
			return false;
		if ((p == mk || p[-1] == '\n') && (p[vlen] == ' ' ||
		    p[vlen] == '\t')) {
			p += vlen + strspn(p + vlen, " \t");
			if (strncmp(p, ":=", 2) == 0)
				break;
		}
		p++;
	}
	p += 2;
	while (more) {
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		more = eol > p && eol[-1] == '\\';
		while (p < eol) {
			p += strspn(p, " \t\\");
			len = strcspn(p, " \t\\\n");
			if (p + len > eol)
				len = (size_t)(eol - p);
			if (len > 0 && *n < max)
				names[(*n)++] = it_strf("%.*s", (int)len, p);
			p += len;
		}
		p = *eol == '\n' ? eol + 1 : eol;
	}
	return true;
}

const char *
it_web_url(const char *name)
{
	const char	*slash = strchr(name, '/'), *url;
	size_t		 n;

	if (slash == NULL)
		return NULL;
	url = strncmp(name, "admin/", 6) == 0 ? it_strf("/%s", name) :
	    it_strf("%s", slash);
	n = strlen(url);
	if (n >= 10 && strcmp(url + n - 10, "index.html") == 0)
		url = it_strf("%.*s", (int)(n - 10), url);
	return url;
}

bool
it_account_at(const char *file, int line, struct it_account *a,
    const char *run)
{
	char	*out;

	if (a->tried)
		return it_check_at(file, line, a->ok, "account %s was made",
		    a->name);
	a->tried = true;
	snprintf(a->name, sizeof a->name, "%s-%s", a->tag, run);
	if (!it_cli_at(file, line, IT_PASSWORD "\n", NULL, "moderator", "add",
	    a->name, "--role", a->role, (char *)NULL))
		return false;
	if ((out = it_new_token_at(file, line, a->name)) == NULL)
		return false;
	if (!it_check_at(file, line, strlen(out) < sizeof a->token,
	    "the token fits"))
		return false;
	snprintf(a->token, sizeof a->token, "%s", out);
	a->ok = true;
	return true;
}

const char *
it_bearer(const char *token)
{
	return it_strf("Authorization: Bearer %s", token);
}

bool
it_has_attr(const char *attrs, const char *attr)
{
	const char	*p = attrs, *end;
	size_t		 n = strlen(attr), len;

	while (*p != '\0') {
		while (*p == ';' || *p == ' ')
			p++;
		end = strchr(p, ';');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len == n && strncasecmp(p, attr, n) == 0)
			return true;
		if (end == NULL)
			break;
		p = end;
	}
	return false;
}

/* -- raw connections ------------------------------------------------------ */

int
it_raw_connect(const char *base)
{
	return it_raw_connect_from(base, 0);
}

int
it_raw_connect_from(const char *base, int from)
{
	struct sockaddr_in	 sin, me;
	const char		*colon = strrchr(base, ':');
	int			 fd;

	if (colon == NULL)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(colon + 1));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&me, 0, sizeof me);
	me.sin_family = AF_INET;
	me.sin_addr.s_addr = htonl(0x7f000000u | (unsigned)from);
	if ((from != 0 &&
	    bind(fd, (struct sockaddr *)&me, sizeof me) == -1) ||
	    connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

bool
it_raw_send(int fd, const void *data, size_t len)
{
	const char	*p = data;
	ssize_t		 k;

	while (len > 0) {
		if ((k = send(fd, p, len, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			return false;
		}
		p += k;
		len -= (size_t)k;
	}
	return true;
}

const char *
it_raw_header(const struct it_raw *r, const char *name)
{
	const char	*s, *e;
	size_t		 n = strlen(name);

	/* The status line never matches "Name:". */
	for (s = r->head; s != NULL && *s != '\0'; s = e + 2) {
		if ((e = strstr(s, "\r\n")) == NULL)
			break;
		if ((size_t)(e - s) > n && strncasecmp(s, name, n) == 0 &&
		    s[n] == ':') {
			s += n + 1;
			while (*s == ' ')
				s++;
			return it_strf("%.*s", (int)(e - s), s);
		}
	}
	return NULL;
}

const char *
it_raw_error_code(const struct it_raw *r)
{
	json_t		*j;
	const char	*code, *out = NULL;

	if (r->body == NULL ||
	    (j = json_loadb(r->body, r->body_len, 0, NULL)) == NULL)
		return NULL;
	code = json_string_value(json_object_get(json_object_get(j,
	    "error"), "code"));
	if (code != NULL)
		out = it_strf("%s", code);
	json_decref(j);
	return out;
}

bool
it_raw_wait_close(int fd, long ms, bool *reset)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	char		 tmp[4096];
	ssize_t		 k;
	double		 deadline = it_now() + ms / 1000.0, left;

	for (;;) {
		if ((left = deadline - it_now()) < 0)
			left = 0;
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			return false;
		if ((k = read(fd, tmp, sizeof tmp)) == 0)
			return true;
		if (k < 0 && errno == ECONNRESET) {
			*reset = true;
			return true;
		}
		if (k < 0 && errno != EINTR && errno != EAGAIN)
			return true;
		if (it_now() >= deadline)
			return false;
	}
}

/* it_raw_read; !body: the answer to a HEAD, whose Content-Length
 * counts a body that is not sent. */
static void
it_raw_read_as(int fd, long timeout_ms, struct it_raw *r, bool body)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	char		*buf, *eoh = NULL, tmp[4096];
	const char	*cl, *conn;
	size_t		 len = 0, want = (size_t)-1, hlen = 0;
	ssize_t		 k;
	double		 deadline = it_now() + timeout_ms / 1000.0;

	memset(r, 0, sizeof *r);
	if ((buf = calloc(1, 1)) == NULL)
		abort();
	while (len < want) {
		if (it_now() >= deadline ||
		    poll(&pfd, 1, (int)((deadline - it_now()) * 1000) + 1) <= 0)
			break;
		if ((k = read(fd, tmp, sizeof tmp)) <= 0) {
			if (k < 0 && errno == EINTR)
				continue;
			r->closed = true;
			r->reset = k < 0 && errno == ECONNRESET;
			break;
		}
		if ((buf = realloc(buf, len + (size_t)k + 1)) == NULL)
			abort();
		memcpy(buf + len, tmp, (size_t)k);
		len += (size_t)k;
		buf[len] = '\0';
		if (eoh == NULL && (eoh = strstr(buf, "\r\n\r\n")) != NULL) {
			hlen = (size_t)(eoh - buf) + 4;
			r->head = it_strf("%.*s", (int)(hlen - 2), buf);
			cl = it_raw_header(r, "Content-Length");
			want = hlen + (cl != NULL && body ?
			    strtoul(cl, NULL, 10) : 0);
		}
	}
	if (r->head != NULL) {
		if (strncmp(r->head, "HTTP/1.", 7) == 0)
			r->status = strtol(r->head + 9, NULL, 10);
		r->body_len = len - hlen;
		r->body = it_own(malloc(r->body_len + 1));
		memcpy((char *)r->body, buf + hlen, r->body_len);
		((char *)r->body)[r->body_len] = '\0';
	}
	free(buf);
	if (r->closed || r->head == NULL)
		return;
	conn = it_raw_header(r, "Connection");
	if ((conn != NULL && strcasecmp(conn, "close") == 0) ||
	    strncmp(r->head, "HTTP/1.0", 8) == 0)
		r->closed = it_raw_wait_close(fd, (long)((deadline -
		    it_now()) * 1000), &r->reset);
	else
		r->closed = it_raw_wait_close(fd, 0, &r->reset);
}

void
it_raw_read(int fd, long timeout_ms, struct it_raw *r)
{
	it_raw_read_as(fd, timeout_ms, r, true);
}

struct it_raw *
it_raw_exchange(const char *base, const void *data, size_t len)
{
	struct it_raw	*r = it_own(calloc(1, sizeof *r));
	int		 fd;

	if (r == NULL)
		abort();
	if ((fd = it_raw_connect(base)) < 0)
		return r;
	(void)it_raw_send(fd, data, len);
	it_raw_read_as(fd, it_limit_ms(IT_HTTP_TIMEOUT_MS), r,
	    len < 5 || memcmp(data, "HEAD ", 5) != 0);
	close(fd);
	return r;
}
