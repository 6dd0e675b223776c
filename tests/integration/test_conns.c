/*
 * test_conns.c - connections as an attacker holds them (issue 13, items
 * 1 and 2), each test against servers of its own (one worker): more
 * idle connections than the server has descriptors, the caps per
 * process and per client address, requests whose head or body trickle
 * in, and bodies far over the limit.
 *
 * Connections are raw sockets: the client decides when each byte goes.
 * Clients from other addresses bind to 127.0.0.2 and 127.0.0.3 (all of
 * 127/8 is the loopback on Linux).  Durations asserted are lower bounds
 * the server's timers guarantee and upper bounds far above what things
 * should take; CPU and memory are read from /proc.
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "itest.h"

#define STOP_MS		20000
/* How long anything the server should do at once may take. */
#define SOON_MS		5000
/* The descriptor flood: idle connections beyond the limit, and how long
 * the server's CPU time is watched while they wait. */
#define FLOOD_CONNS	150
#define FLOOD_SPARE_FDS	12
#define FLOOD_WATCH_MS	1500
/* The caps of the cap tests. */
#define CAP		3
/* The deadline tests: the deadline, and the trickle's pace. */
#define TRICKLE_MS	300
/* The body limit of the buffering test, and what a chunked stream
 * sends at most. */
#define BIG_LIMIT	(512 * 1024)
#define STREAM_MAX	(64 * 1024 * 1024)

static const char	*bin;

/* -- helpers --------------------------------------------------------------- */

#define stop(p)	it_proc_stop((p), STOP_MS)

/* What came back on a connection. */
struct answer {
	long		 status;	/* 0: none */
	const char	*code;		/* error.code of a JSON body, or NULL */
	bool		 closed;	/* EOF or reset seen */
	bool		 nosniff;	/* X-Content-Type-Options: nosniff */
	double		 at;		/* when the answer or the close came */
};

/* Reads one answer (it_raw_read), and when it came. */
static void
read_answer(int fd, long timeout_ms, struct answer *a)
{
	struct it_raw	 r;
	const char	*h;

	it_raw_read(fd, timeout_ms, &r);
	a->status = r.status;
	a->code = it_raw_error_code(&r);
	a->closed = r.closed;
	a->nosniff = (h = it_raw_header(&r, "X-Content-Type-Options")) !=
	    NULL && strcmp(h, "nosniff") == 0;
	a->at = it_now();
}

/* Waits up to timeout_ms for the server to close fd (dropping what it
 * sends); true if it did. */
static bool
closed_within(int fd, long timeout_ms)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	char		 tmp[4096];
	double		 deadline = it_now() + timeout_ms / 1000.0;

	while (it_now() < deadline) {
		if (poll(&pfd, 1, (int)((deadline - it_now()) * 1000) + 1) <= 0)
			continue;
		if (read(fd, tmp, sizeof tmp) <= 0)
			return true;
	}
	return false;
}

/* GET /healthz on an open connection, kept alive: its status. */
static long
get_health(int fd)
{
	static const char	req[] =
	    "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
	struct answer		a;

	if (!it_raw_send(fd, req, strlen(req)))
		return -1;
	read_answer(fd, SOON_MS, &a);
	return a.status;
}

/* GET /healthz on a new connection from 127.0.0.from: its status. */
static long
get_health_from(const char *base, int from)
{
	long	st;
	int	fd;

	if ((fd = it_raw_connect_from(base, from)) < 0)
		return -1;
	st = get_health(fd);
	close(fd);
	return st;
}

/* A refused connection: closed at once, with a 503 too_many_connections
 * if the answer got through before the close. */
static void
check_refused_at(const char *file, int line, int fd)
{
	struct answer	a;

	read_answer(fd, SOON_MS, &a);
	it_check_at(file, line, a.closed || a.status == 503, "a connection "
	    "over the cap is closed or answered 503: %ld", a.status);
	if (a.status != 0)
		it_check_at(file, line, a.status == 503 && a.code != NULL &&
		    strcmp(a.code, "too_many_connections") == 0,
		    "503 too_many_connections, got %ld %s", a.status,
		    a.code != NULL ? a.code : "(no code)");
}
#define check_refused(fd)	check_refused_at(__FILE__, __LINE__, (fd))

/* A file of /proc (its size is 0 to stat(2)), owned by the test case,
 * or NULL. */
static const char *
proc_file(pid_t pid, const char *name)
{
	char	*buf;
	size_t	 len;
	FILE	*f;

	if ((f = fopen(it_strf("/proc/%d/%s", (int)pid, name), "r")) == NULL)
		return NULL;
	buf = it_own(calloc(1, 16384));
	len = fread(buf, 1, 16383, f);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* The process's CPU time (user + system), in seconds. */
static double
cpu_seconds(pid_t pid)
{
	const char	*stat, *p;
	unsigned long	 ut = 0, st = 0;
	int		 i;

	stat = proc_file(pid, "stat");
	if (stat == NULL || (p = strrchr(stat, ')')) == NULL)
		return -1;
	/* After "pid (comm)": state is field 3; utime, stime 14 and 15. */
	for (i = 3; i < 14 && p != NULL; i++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p, " %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* The process's resident size, in bytes. */
static long
rss_bytes(pid_t pid)
{
	const char	*status, *p;

	status = proc_file(pid, "status");
	if (status == NULL || (p = strstr(status, "VmRSS:")) == NULL)
		return -1;
	return strtol(p + 6, NULL, 10) * 1024;
}

static int
open_fds(pid_t pid)
{
	DIR		*d;
	struct dirent	*e;
	int		 n = 0;

	if ((d = opendir(it_strf("/proc/%d/fd", (int)pid))) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int
count_lines(const char *s)
{
	int	n = 0;

	for (; (s = strchr(s, '\n')) != NULL; s++)
		n++;
	return n;
}

/* -- the descriptor limit -------------------------------------------------- */

/*
 * A server with a few descriptors to spare and more idle connections
 * waiting than it can take: it neither spins nor floods its log, a
 * client connected before is still served, and new clients are once
 * the idle ones have gone.
 */
static void
test_fd_limit(void)
{
	struct it_proc	*p;
	struct rlimit	 rl;
	const char	*base;
	pid_t		 pid;
	int		 kept, idle[FLOOD_CONNS], n = 0, i, fds, lines0, lines1;
	double		 cpu0, cpu1, t0, t1, share;
	long		 st = -1;

	p = it_server(&base, "1", "COMMENTD_MAX_CONNECTIONS=0",
	    "COMMENTD_MAX_CONNECTIONS_PER_IP=0", (char *)NULL);
	IT_REQUIRE(p != NULL);
	pid = it_proc_pid(p);
	IT_CHECKF(strstr(it_proc_output(p), "descriptor limit raised") !=
	    NULL || getrlimit(RLIMIT_NOFILE, &rl) != 0 ||
	    rl.rlim_cur == rl.rlim_max, "the soft limit is raised at start");
	kept = it_raw_connect_from(base, 0);
	IT_REQUIRE(kept >= 0);
	IT_CHECK_INT(get_health(kept), 200);

	fds = open_fds(pid);
	IT_REQUIRE(fds > 0);
	rl.rlim_cur = rl.rlim_max = (rlim_t)(fds + FLOOD_SPARE_FDS);
	IT_REQUIREF(prlimit(pid, RLIMIT_NOFILE, &rl, NULL) == 0,
	    "prlimit: %s", strerror(errno));
	it_note("%d descriptors open, limit %d", fds, fds + FLOOD_SPARE_FDS);

	for (i = 0; i < FLOOD_CONNS; i++)
		if ((idle[n] = it_raw_connect_from(base, 0)) >= 0)
			n++;
	IT_CHECKF(n == FLOOD_CONNS, "%d of %d idle connections", n,
	    FLOOD_CONNS);
	IT_CHECKF(it_proc_wait_line(p, "accept: ", SOON_MS) != NULL,
	    "the server says it pauses accepting: %s", it_proc_output(p));
	/* The flood is on: watch the CPU time and the log. */
	lines0 = count_lines(it_proc_output(p));
	t0 = it_now();
	cpu0 = cpu_seconds(pid);
	it_sleep_ms(FLOOD_WATCH_MS);
	cpu1 = cpu_seconds(pid);
	t1 = it_now();
	lines1 = count_lines(it_proc_output(p));
	share = (cpu1 - cpu0) / (t1 - t0);
	it_note("at the limit: %.1f%% CPU, %d log line(s) in %.1f s",
	    share * 100, lines1 - lines0, t1 - t0);
	IT_CHECKF(cpu0 >= 0 && cpu1 >= 0 && share < 0.5,
	    "CPU while out of descriptors: %.1f%%", share * 100);
	IT_CHECKF(lines1 - lines0 <= 5, "log lines while out of "
	    "descriptors: %d", lines1 - lines0);
	IT_CHECK_INT(get_health(kept), 200);

	for (i = 0; i < n; i++)
		close(idle[i]);
	/* Accepting resumes after a pause; the closed clients are
	 * accepted, seen closed and freed first. */
	t0 = it_now();
	while (it_now() - t0 < SOON_MS / 1000.0 &&
	    (st = get_health_from(base, 0)) != 200)
		it_sleep_ms(100);
	IT_CHECKF(st == 200, "served again once the idle clients left: %ld",
	    st);
	IT_CHECK_INT(get_health(kept), 200);
	close(kept);
	stop(p);
}

/* -- the caps -------------------------------------------------------------- */

/*
 * COMMENTD_MAX_CONNECTIONS_PER_IP: the first CAP connections from an
 * address are served, the next are refused at once, another address is
 * not affected, and a closed connection frees its place.
 */
static void
test_cap_per_ip(void)
{
	struct it_proc	*p;
	const char	*base;
	int		 fd[CAP + 2], i;
	long		 st = -1;
	double		 t0;

	p = it_server(&base, "1", it_strf("COMMENTD_MAX_CONNECTIONS_PER_IP="
	    "%d", CAP), (char *)NULL);
	IT_REQUIRE(p != NULL);
	for (i = 0; i < CAP + 2; i++)
		fd[i] = it_raw_connect_from(base, 2);
	for (i = 0; i < CAP; i++)
		IT_CHECK_INT(get_health(fd[i]), 200);
	for (i = CAP; i < CAP + 2; i++)
		check_refused(fd[i]);
	IT_CHECK_INT(get_health_from(base, 3), 200);
	IT_CHECK_INT(get_health(fd[0]), 200);

	close(fd[0]);
	t0 = it_now();
	while (it_now() - t0 < SOON_MS / 1000.0 &&
	    (st = get_health_from(base, 2)) != 200)
		it_sleep_ms(50);
	IT_CHECKF(st == 200, "a place freed by a close: %ld", st);
	for (i = 1; i < CAP + 2; i++)
		close(fd[i]);
	/* Refusals are reported in a line now and then, not one each. */
	IT_CHECKF(it_proc_wait_line(p, "refused", 12000) != NULL,
	    "refusals reported: %s", it_proc_output(p));
	stop(p);

	/* Behind a proxy every connection is the proxy's: no cap per
	 * address (nginx's limit_conn counts clients). */
	p = it_server(&base, "1", it_strf("COMMENTD_MAX_CONNECTIONS_PER_IP="
	    "%d", CAP), "COMMENTD_TRUST_PROXY=true", (char *)NULL);
	IT_REQUIRE(p != NULL);
	for (i = 0; i < CAP + 2; i++)
		fd[i] = it_raw_connect_from(base, 2);
	for (i = 0; i < CAP + 2; i++)
		IT_CHECK_INT(get_health(fd[i]), 200);
	for (i = 0; i < CAP + 2; i++)
		close(fd[i]);
	stop(p);
}

/* COMMENTD_MAX_CONNECTIONS: CAP connections in all, from any address. */
static void
test_cap_total(void)
{
	struct it_proc	*p;
	const char	*base;
	int		 fd[CAP + 2], i;
	long		 st = -1;
	double		 t0;

	p = it_server(&base, "1", it_strf("COMMENTD_MAX_CONNECTIONS=%d",
	    CAP), (char *)NULL);
	IT_REQUIRE(p != NULL);
	for (i = 0; i < CAP; i++)
		fd[i] = it_raw_connect_from(base, 2 + i % 2);
	for (i = 0; i < CAP; i++)
		IT_CHECK_INT(get_health(fd[i]), 200);
	fd[CAP] = it_raw_connect_from(base, 2);
	fd[CAP + 1] = it_raw_connect_from(base, 3);
	check_refused(fd[CAP]);
	check_refused(fd[CAP + 1]);
	IT_CHECK_INT(get_health(fd[1]), 200);
	close(fd[1]);
	t0 = it_now();
	while (it_now() - t0 < SOON_MS / 1000.0 &&
	    (st = get_health_from(base, 3)) != 200)
		it_sleep_ms(50);
	IT_CHECKF(st == 200, "a place freed by a close: %ld", st);
	for (i = 0; i < CAP + 2; i++)
		if (i != 1)
			close(fd[i]);
	stop(p);
}

/* -- slow clients ---------------------------------------------------------- */

/*
 * Sends req a byte every pace_ms, watching for an answer; returns
 * what came back (status 0 if none came while sending and for
 * SOON_MS after).
 */
static void
trickle(int fd, const char *req, size_t len, int pace_ms, struct answer *a)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	size_t		i;

	memset(a, 0, sizeof *a);
	for (i = 0; i < len; i++) {
		if (!it_raw_send(fd, req + i, 1) ||
		    poll(&pfd, 1, pace_ms) > 0)
			break;
	}
	read_answer(fd, SOON_MS, a);
}

/*
 * COMMENTD_HEADER_TIMEOUT_S=1: a head trickled a byte every 0.3 s is
 * answered 408 about a second after its first byte, a connection that
 * sends nothing is closed a second after its accept, and a client
 * meanwhile is served; a kept-alive connection idle between requests
 * is not held to it.
 */
static void
test_slow_head(void)
{
	static const char	req[] = "GET /healthz HTTP/1.1\r\n"
	    "Host: t\r\nUser-Agent: a-slow-client\r\n\r\n";
	struct it_proc		*p;
	struct answer		 a;
	const char		*base;
	double			 t0, took;
	int			 fd, quiet;

	p = it_server(&base, "1", "COMMENTD_HEADER_TIMEOUT_S=1",
	    "COMMENTD_HTTP_TIMEOUT_S=30", (char *)NULL);
	IT_REQUIRE(p != NULL);
	quiet = it_raw_connect_from(base, 0);
	fd = it_raw_connect_from(base, 0);
	IT_REQUIRE(fd >= 0 && quiet >= 0);
	t0 = it_now();
	IT_REQUIRE(it_raw_send(fd, req, 5));
	/* Served while the slow head waits. */
	IT_CHECK_INT(get_health_from(base, 0), 200);
	trickle(fd, req + 5, strlen(req) - 5, TRICKLE_MS, &a);
	took = a.at - t0;
	it_note("a trickled head: %ld after %.2f s", a.status, took);
	IT_CHECKF(a.status == 408 && a.code != NULL &&
	    strcmp(a.code, "request_timeout") == 0, "408 request_timeout, "
	    "got %ld %s", a.status, a.code != NULL ? a.code : "");
	IT_CHECKF(took >= 0.9 && took < 3.0, "answered after %.2f s", took);
	IT_CHECKF(a.nosniff, "the 408 has the API's headers");
	IT_CHECK(a.closed || closed_within(fd, SOON_MS));
	close(fd);
	IT_CHECKF(closed_within(quiet, SOON_MS), "a silent connection is "
	    "closed");
	close(quiet);

	/* Between requests only the idle timeout counts. */
	fd = it_raw_connect_from(base, 0);
	IT_CHECK_INT(get_health(fd), 200);
	it_sleep_ms(1800);
	IT_CHECK_INT(get_health(fd), 200);
	close(fd);
	stop(p);

	/* 0: no deadline; a slow but steady head is served. */
	p = it_server(&base, "1", "COMMENTD_HEADER_TIMEOUT_S=0",
	    (char *)NULL);
	IT_REQUIRE(p != NULL);
	fd = it_raw_connect_from(base, 0);
	t0 = it_now();
	trickle(fd, req, strlen(req), TRICKLE_MS / 4, &a);
	IT_CHECK_INT(a.status, 200);
	IT_CHECKF(a.at - t0 > 2.0, "the head took %.2f s", a.at - t0);
	close(fd);
	stop(p);
}

/*
 * COMMENTD_BODY_TIMEOUT_S=1: a body trickled after a whole head is
 * answered 408 about a second after the head; 0 lets it finish.
 */
static void
test_slow_body(void)
{
	const char	*head = "POST /api/v1/articles/slow-body/comments "
	    "HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
	    "Content-Length: 12\r\n\r\n";
	const char	*body = "{\"body\":\"x\"}";
	struct it_proc	*p;
	struct answer	 a;
	const char	*base;
	double		 t0, took;
	int		 fd;

	p = it_server(&base, "1", "COMMENTD_BODY_TIMEOUT_S=1",
	    (char *)NULL);
	IT_REQUIRE(p != NULL);
	fd = it_raw_connect_from(base, 0);
	IT_REQUIRE(fd >= 0);
	IT_REQUIRE(it_raw_send(fd, head, strlen(head)));
	t0 = it_now();
	IT_REQUIRE(it_raw_send(fd, body, 1));
	IT_CHECK_INT(get_health_from(base, 0), 200);
	trickle(fd, body + 1, strlen(body) - 1, TRICKLE_MS, &a);
	took = a.at - t0;
	it_note("a trickled body: %ld after %.2f s", a.status, took);
	IT_CHECKF(a.status == 408 && a.code != NULL &&
	    strcmp(a.code, "request_timeout") == 0, "408 request_timeout, "
	    "got %ld %s", a.status, a.code != NULL ? a.code : "");
	IT_CHECKF(took >= 0.9 && took < 3.0, "answered after %.2f s", took);
	close(fd);
	IT_CHECK_INT(get_health_from(base, 0), 200);
	stop(p);

	p = it_server(&base, "1", "COMMENTD_BODY_TIMEOUT_S=0",
	    (char *)NULL);
	IT_REQUIRE(p != NULL);
	fd = it_raw_connect_from(base, 0);
	IT_REQUIRE(it_raw_send(fd, head, strlen(head)));
	t0 = it_now();
	trickle(fd, body, strlen(body), TRICKLE_MS, &a);
	IT_CHECKF(a.at - t0 > 2.0, "the body took %.2f s", a.at - t0);
	/* Whatever the handler thinks of it: not a timeout. */
	IT_CHECKF(a.status >= 200 && a.status != 408, "a slow but steady "
	    "body is read to its end: %ld", a.status);
	close(fd);
	stop(p);
}

/* -- buffering ------------------------------------------------------------- */

/*
 * A declared body far over the limit is refused before it is sent; a
 * chunked stream that never ends is cut, with the server's resident
 * size grown by a few body limits at most (it used to read 16 of them).
 */
static void
test_body_bound(void)
{
	struct it_proc	*p;
	struct answer	 a;
	const char	*base, *head;
	char		*chunk;
	size_t		 sent = 0, csize = 65536, hlen;
	long		 rss0, rss1, grown;
	double		 t0;
	int		 fd;

	p = it_server(&base, "1", it_strf("COMMENTD_MAX_REQUEST_BYTES=%d",
	    BIG_LIMIT), (char *)NULL);
	IT_REQUIRE(p != NULL);
	IT_CHECK_INT(get_health_from(base, 0), 200);
	rss0 = rss_bytes(it_proc_pid(p));

	fd = it_raw_connect_from(base, 0);
	head = it_strf("POST /api/v1/articles/big/comments HTTP/1.1\r\n"
	    "Host: t\r\nContent-Type: application/json\r\n"
	    "Content-Length: %d\r\n\r\n", 100 * BIG_LIMIT);
	t0 = it_now();
	IT_REQUIRE(it_raw_send(fd, head, strlen(head)));
	read_answer(fd, SOON_MS, &a);
	IT_CHECK_INT(a.status, 413);
	IT_CHECKF(a.at - t0 < 1.0, "413 after %.2f s", a.at - t0);
	close(fd);

	fd = it_raw_connect_from(base, 0);
	head = "POST /api/v1/articles/big/comments HTTP/1.1\r\nHost: t\r\n"
	    "Content-Type: application/json\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n";
	IT_REQUIRE(it_raw_send(fd, head, strlen(head)));
	chunk = it_own(malloc(csize + 32));
	hlen = (size_t)snprintf(chunk, 32, "%zx\r\n", csize);
	memset(chunk + hlen, 'x', csize);
	memcpy(chunk + hlen + csize, "\r\n", 2);
	while (sent < STREAM_MAX && it_raw_send(fd, chunk, hlen + csize + 2))
		sent += csize;
	read_answer(fd, SOON_MS, &a);
	rss1 = rss_bytes(it_proc_pid(p));
	grown = rss1 - rss0;
	it_note("a chunked stream: cut after %zu bytes sent (status %ld); "
	    "the server grew by %ld KiB", sent, a.status, grown / 1024);
	IT_CHECKF(sent < STREAM_MAX, "the stream is cut: %zu bytes taken",
	    sent);
	IT_CHECKF(a.status == 413 || a.closed, "413 or closed: %ld",
	    a.status);
	IT_CHECKF(rss0 > 0 && grown < 10L * BIG_LIMIT, "the server grew by "
	    "%ld KiB, over 10 body limits", grown / 1024);
	close(fd);
	IT_CHECK_INT(get_health_from(base, 0), 200);
	stop(p);
}

static const struct it_test tests[] = {
	{ "test_fd_limit", test_fd_limit },
	{ "test_cap_per_ip", test_cap_per_ip },
	{ "test_cap_total", test_cap_total },
	{ "test_slow_head", test_slow_head },
	{ "test_slow_body", test_slow_body },
	{ "test_body_bound", test_body_bound },
};

int
main(int argc, char **argv)
{
	bin = getenv("COMMENTD_TEST_BIN");
	if (bin == NULL || *bin == '\0')
		bin = "bin/commentd";
	return it_main(tests, sizeof tests / sizeof tests[0], argc, argv);
}
