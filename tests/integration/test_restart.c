/*
 * test_restart.c - restarts and upgrades (README "Restarts and
 * upgrades") and the systemd unit they run under:
 *   - deploy/commentd@.service passes `systemd-analyze verify` and
 *     scores at most SECURITY_MAX in `systemd-analyze security`;
 *   - every system call the server makes (under strace: start-up, a
 *     login, a post, reads, the stop) is one its SystemCallFilter lines
 *     allow;
 *   - an overlapped restart under a write load: a second server starts
 *     on the same port, says it shares it, notifies READY=1, the first
 *     is stopped, and no request of the load fails, whether its client
 *     keeps its connection alive (as nginx does) or opens one per
 *     request; every acknowledged comment is in the database;
 *   - deploy/commentd-restart.sh starts the instance that is not
 *     running before it stops the other, and stops nothing when the
 *     start fails (a stand-in systemctl).
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"

#define UNIT		"deploy/commentd@.service"
#define SCRIPT		"deploy/commentd-restart.sh"
#define EXEC_LINE	"\nExecStart=/usr/local/bin/commentd serve\n"
/* The bar for `systemd-analyze security` (lower is better). */
#define SECURITY_MAX	2.5

/* The write load: clients that keep their connection (nginx's upstream
 * keepalive) and clients that open one per request, each posting every
 * LOAD_GAP_MS; the first server alone for BEFORE_MS, the second alone
 * for AFTER_MS once the first has exited. */
#define KA_CLIENTS	4
#define NEW_CLIENTS	2
#define CLIENTS		(KA_CLIENTS + NEW_CLIENTS)
#define LOAD_GAP_MS	4
#define BEFORE_MS	1500
#define AFTER_MS	1000
#define MAX_POSTS	20000
#define MAX_ERRS	4

#define MIGRATE_REQ	"/proc/sys/net/ipv4/tcp_migrate_req"

static char		 run_id[48];
static char		 tmpdir[] = "/tmp/commentd-restart.XXXXXX";
static const char	*bin;
/* Run again in a network namespace of its own (test_overlap). */
static bool		 in_netns;

/* -- helpers --------------------------------------------------------------- */

static const char *
tmp_path(const char *name)
{
	return it_strf("%s/%s", tmpdir, name);
}

static bool
write_file(const char *path, const char *text)
{
	FILE	*f;
	bool	 ok;

	if ((f = fopen(path, "w")) == NULL)
		return false;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok;
}

/* A Unix datagram socket at path, as systemd's NOTIFY_SOCKET; -1. */
static int
notify_socket(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Whether a notification holding want came within timeout_ms. */
static bool
notify_wait(int fd, const char *want, long timeout_ms)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	double		 deadline = it_now() + timeout_ms / 1000.0;
	char		 buf[256];
	ssize_t		 n;
	int		 left;

	for (;;) {
		left = (int)((deadline - it_now()) * 1000);
		if (left < 0 || poll(&pfd, 1, left) <= 0)
			return false;
		if ((n = recv(fd, buf, sizeof buf - 1, 0)) <= 0)
			continue;
		buf[n] = '\0';
		if (strstr(buf, want) != NULL)
			return true;
	}
}

/* Lines of text that hold needle. */
static int
count_lines(const char *text, const char *needle)
{
	const char	*p = text, *nl;
	int		 n = 0;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		nl = strchr(p, '\n');
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return n;
}

/* The output of sh -c cmd (its standard error too) in *out, with $0
 * arg; its exit status. */
static int
sh_out(const char *cmd, const char *arg, char **out, int timeout_s)
{
	char	*argv[5];

	argv[0] = (char *)"/bin/sh";
	argv[1] = (char *)"-c";
	argv[2] = it_strf("exec 2>&1; %s", cmd);
	argv[3] = (char *)(arg != NULL ? arg : "sh");
	argv[4] = NULL;
	return it_run_io(argv, NULL, NULL, out, timeout_s);
}

/* -- the unit -------------------------------------------------------------- */

/* The unit with ExecStart on the binary under test (verify wants it to
 * exist); its path, or NULL after a failed check. */
static const char *
unit_copy(void)
{
	char		*unit = it_slurp(UNIT, NULL), *abs_bin, *at;
	const char	*path = tmp_path("commentd@.service");

	if (!IT_CHECKF(unit != NULL, "%s is readable", UNIT))
		return NULL;
	if (!IT_CHECKF((at = strstr(unit, EXEC_LINE)) != NULL, "%s runs "
	    "/usr/local/bin/commentd serve (where make install puts it)",
	    UNIT))
		return NULL;
	if (!IT_CHECK(bin != NULL && (abs_bin = realpath(bin, NULL)) != NULL))
		return NULL;
	it_own(abs_bin);
	if (!IT_CHECK(write_file(path, it_strf("%.*s\nExecStart=%s serve\n%s",
	    (int)(at - unit), unit, abs_bin, at + strlen(EXEC_LINE)))))
		return NULL;
	return path;
}

/*
 * `systemd-analyze verify` says nothing (it exits 0 even on unknown or
 * malformed settings, which it only prints), and the sandbox scores
 * SECURITY_MAX or lower.
 */
static void
test_unit(void)
{
	const char	*path, *at;
	char		*out = NULL, *end;
	double		 score = -1;
	int		 rc;

	IT_REQUIRE((path = unit_copy()) != NULL);
	rc = sh_out("systemd-analyze verify --man=no \"$0\"", path, &out, 60);
	IT_REQUIREF(rc != 127, "systemd-analyze (Debian package systemd) "
	    "is needed: %s", out != NULL ? out : "");
	IT_CHECKF(rc == 0 && out != NULL && *out == '\0', "systemd-analyze "
	    "verify %s: status %d, said: %s", UNIT, rc, out);

	rc = sh_out("systemd-analyze security --offline=true --no-pager "
	    "\"$0\"", path, &out, 60);
	at = out != NULL ? strstr(out, "Overall exposure level for ") : NULL;
	if (at != NULL && (at = strstr(at, ": ")) != NULL) {
		score = strtod(at + 2, &end);
		if (end == at + 2)
			score = -1;
	}
	IT_CHECKF(rc == 0 && score >= 0, "systemd-analyze security: status "
	    "%d, no score in: %s", rc, out);
	IT_CHECKF(score <= SECURITY_MAX, "%s scores %.1f, more than %.1f: %s",
	    UNIT, score, SECURITY_MAX, out);
	it_note("systemd-analyze security: %.1f (at most %.1f)", score,
	    SECURITY_MAX);
}

/* -- the system call filter ------------------------------------------------ */

/* A set of names, unsorted (a few hundred). */
struct names {
	char	**v;
	size_t	  n, cap;
};

static bool
names_has(const struct names *s, const char *name)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return true;
	return false;
}

static void
names_add(struct names *s, const char *name)
{
	if (names_has(s, name))
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = realloc(s->v, s->cap * sizeof *s->v);
		if (s->v == NULL)
			abort();
	}
	s->v[s->n++] = it_strf("%s", name);
}

/*
 * Adds name to s: a system call, or each member of a group ("@io-event")
 * as `systemd-analyze syscall-filter` lists them (groups start at the
 * beginning of a line, their members are indented, groups among them).
 */
static void
filter_expand(const char *groups, const char *name, struct names *s,
    int depth)
{
	const char	*p, *nl;
	char		 line[128], *w;
	size_t		 len;
	bool		 in = false;

	if (name[0] != '@') {
		names_add(s, name);
		return;
	}
	if (depth > 8)
		return;
	for (p = groups; *p != '\0'; p = *nl != '\0' ? nl + 1 : nl) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		len = (size_t)(nl - p);
		if (len >= sizeof line)
			continue;
		memcpy(line, p, len);
		line[len] = '\0';
		if (line[0] == '@') {
			if (in)
				break;
			in = strcmp(line, name) == 0;
			continue;
		}
		w = line + strspn(line, " \t");
		if (!in || *w == '\0' || *w == '#')
			continue;
		w[strcspn(w, " \t")] = '\0';
		filter_expand(groups, w, s, depth + 1);
	}
}

/* The unit's SystemCallFilter lines: what they allow, what they deny. */
static void
filter_of_unit(const char *unit, const char *groups, struct names *allow,
    struct names *deny)
{
	static const char	 key[] = "\nSystemCallFilter=";
	const char		*p = unit, *v;
	char			 word[64];
	size_t			 len;
	bool			 neg;

	while ((p = strstr(p, key)) != NULL) {
		v = p + sizeof key - 1;
		neg = *v == '~';
		if (neg)
			v++;
		while (*v != '\n' && *v != '\0') {
			v += strspn(v, " \t");
			len = strcspn(v, " \t\n");
			if (len > 0 && len < sizeof word) {
				memcpy(word, v, len);
				word[len] = '\0';
				filter_expand(groups, word, neg ? deny : allow,
				    0);
			}
			v += len;
		}
		p = v;
	}
}

/* The server's process: strace's child. */
static pid_t
child_of(pid_t parent)
{
	FILE	*f;
	long	 pid = 0;

	f = fopen(it_strf("/proc/%ld/task/%ld/children", (long)parent,
	    (long)parent), "r");
	if (f != NULL) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return (pid_t)pid;
}

/*
 * The server under `strace -f -C`: start-up, a login (argon2 on the
 * hashing threads), a post, reads, READY=1, SIGTERM.  Every system
 * call it made must pass the unit's filter (@system-service less
 * @privileged and @resources): one outside it would fail with EPERM
 * under systemd.  And none may map memory writable and executable or
 * make memory executable (MemoryDenyWriteExecute=yes), beyond the
 * loader's mappings of the libraries.  Not under the sanitizers, whose
 * run-time makes calls of its own.
 */
static void
test_syscalls(void)
{
	static struct it_account acct = { .tag = "sc", .role = "moderator" };
	struct names	 allow = { 0 }, deny = { 0 }, bad = { 0 };
	struct it_proc	*p;
	struct it_resp	*r;
	const char	*unit, *line, *at, *stats = tmp_path("strace.txt");
	const char	*h[] = { "Content-Type: application/json", NULL };
	char		*groups = NULL, *text, *argv[13], *env[4], *l, *save;
	char		 name[64];
	const char	*base;
	pid_t		 server;
	int		 nfd, port = 0, rc, used = 0;
	size_t		 i;
	bool		 table = false;
	const char	*wx = NULL;	/* writable and executable */

	if (getenv("SANITIZE") != NULL && strcmp(getenv("SANITIZE"),
	    "1") == 0) {
		it_note("not under the sanitizers (their run-time's calls)");
		IT_CHECK(true);
		return;
	}
	IT_REQUIREF(access("/usr/bin/strace", X_OK) == 0, "strace (Debian "
	    "package strace) is needed");
	IT_REQUIRE(it_account_at(__FILE__, __LINE__, &acct, run_id));
	IT_REQUIRE((unit = it_slurp(UNIT, NULL)) != NULL);
	rc = sh_out("systemd-analyze syscall-filter --no-pager", NULL,
	    &groups, 60);
	IT_REQUIREF(rc == 0 && groups != NULL, "systemd-analyze "
	    "syscall-filter: %d", rc);
	filter_of_unit(unit, groups, &allow, &deny);
	IT_REQUIREF(allow.n > 100 && names_has(&deny, "setrlimit") &&
	    names_has(&deny, "setuid") && !names_has(&allow, "@default"),
	    "the unit's filter: %zu allowed, %zu denied", allow.n, deny.n);

	IT_REQUIRE((nfd = notify_socket(tmp_path("notify-st"))) >= 0);
	argv[0] = (char *)"/usr/bin/strace";
	argv[1] = (char *)"-f";
	argv[2] = (char *)"-C";
	argv[3] = (char *)"-o";
	argv[4] = (char *)stats;
	argv[5] = (char *)bin;
	argv[6] = (char *)"serve";
	argv[7] = (char *)"--listen";
	argv[8] = (char *)"127.0.0.1:0";
	argv[9] = (char *)"--workers";
	argv[10] = (char *)"2";
	argv[11] = NULL;
	env[0] = it_strf("COMMENTD_DATABASE_URL=%s", it_db_conninfo);
	env[1] = it_strf("NOTIFY_SOCKET=%s", tmp_path("notify-st"));
	env[2] = (char *)"COMMENTD_SHUTDOWN_TIMEOUT_MS=5000";
	env[3] = NULL;
	p = it_spawn(argv, env);
	IT_REQUIRE(p != NULL);
	line = it_proc_wait_line(p, "listening for changes",
	    it_limit_ms(30000));
	at = strstr(it_proc_output(p), "listening on 127.0.0.1:");
	if (at != NULL)
		port = atoi(at + strlen("listening on 127.0.0.1:"));
	if (!IT_CHECKF(line != NULL && port > 0, "the server started under "
	    "strace: %s", it_proc_output(p))) {
		close(nfd);
		return;
	}
	IT_CHECK(notify_wait(nfd, "READY=1", 5000));
	base = it_strf("http://127.0.0.1:%d", port);
	r = it_http_at(base, "POST", "/api/v1/admin/session", h,
	    it_dump(json_pack("{s:s, s:s}", "username", acct.name, "password",
	    IT_PASSWORD)), (size_t)-1);
	IT_CHECK_STATUS(r, 200);
	r = it_http_at(base, "POST", it_list_path(it_strf("itrestart-sc-%s",
	    run_id)), h, "{\"author\":\"sc\",\"body\":\"strace\"}",
	    (size_t)-1);
	IT_CHECKF(r->status == 201 || r->status == 202, "a post: %ld",
	    r->status);
	IT_CHECK_STATUS(it_http_at(base, "GET", it_list_path(it_strf(
	    "itrestart-sc-%s", run_id)), NULL, NULL, 0), 200);
	IT_CHECK_STATUS(it_http_at(base, "GET", "/readyz", NULL, NULL, 0),
	    200);
	IT_CHECK_STATUS(it_http_at(base, "GET", "/admin/", NULL, NULL, 0),
	    200);

	server = child_of(it_proc_pid(p));
	IT_CHECKF(server > 0 && kill(server, SIGTERM) == 0, "SIGTERM to the "
	    "server (strace's child %ld)", (long)server);
	rc = it_proc_wait(p, it_limit_ms(20000));
	IT_CHECKF(rc == 0, "the server exits 0 under strace: %d; %s", rc,
	    it_proc_output(p));
	IT_CHECK(notify_wait(nfd, "STOPPING=1", 1000));
	close(nfd);

	/* strace -C: each call, then a table with the call's name in the
	 * last column. */
	text = it_slurp(stats, NULL);
	IT_REQUIREF(text != NULL, "strace wrote %s", stats);
	for (l = strtok_r(text, "\n", &save); l != NULL;
	    l = strtok_r(NULL, "\n", &save)) {
		if (!table) {
			table = strncmp(l, "% time", 6) == 0;
			if ((strstr(l, "mprotect(") != NULL &&
			    strstr(l, "PROT_EXEC") != NULL) ||
			    strstr(l, "PROT_WRITE|PROT_EXEC") != NULL)
				wx = wx != NULL ? wx : it_strf("%s", l);
			continue;
		}
		at = strrchr(l, ' ');
		if (at == NULL || l[0] == '%' || l[0] == '-' ||
		    strstr(l, "total") != NULL ||
		    strlen(at + 1) >= sizeof name)
			continue;
		snprintf(name, sizeof name, "%s", at + 1);
		used++;
		if (!names_has(&allow, name) || names_has(&deny, name))
			names_add(&bad, name);
	}
	IT_CHECKF(used > 20, "strace counted %d system calls", used);
	IT_CHECKF(wx == NULL, "MemoryDenyWriteExecute would refuse: %s", wx);
	for (i = 0; i < bad.n; i++)
		IT_CHECKF(false, "the server calls %s, which %s's "
		    "SystemCallFilter does not allow", bad.v[i], UNIT);
	it_note("%d distinct system calls, %zu not allowed by the filter",
	    used, bad.n);
	free(allow.v);
	free(deny.v);
	free(bad.v);
}

/* -- the overlapped restart ------------------------------------------------ */

struct client {
	pthread_t	 th;
	int		 index;
	bool		 keepalive;
	int		 sent;
	int		 ok;
	int		 failed;
	int		 closes;	/* answers with Connection: close */
	int		 resets;	/* of a new connection */
	int		 nids;
	long long	*ids;		/* acknowledged comments */
	char		 errs[MAX_ERRS][200];
};

static atomic_int	 load_stop;
static int		 load_port;
static const char	*load_path;	/* the article's comments */

static int
connect_port(int port)
{
	struct sockaddr_in	 sin;
	int			 fd;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* An idle kept-alive connection the server closed (or wrote to): nginx
 * notices that before it reuses one, and so do we. */
static bool
conn_gone(int fd)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN | POLLRDHUP };

	return poll(&pfd, 1, 0) != 0;
}

static void	client_err(struct client *, const char *, ...)
		    IT_PRINTF(2, 3);

static void
client_err(struct client *c, const char *fmt, ...)
{
	va_list	ap;
	int	i = c->failed;

	c->failed++;
	if (i >= MAX_ERRS)
		return;
	va_start(ap, fmt);
	vsnprintf(c->errs[i], sizeof c->errs[i], fmt, ap);
	va_end(ap);
}

/* Reads one answer into buf (NUL-terminated): its status, or -1 with
 * *why set; *close when it says Connection: close. */
static int
read_answer(int fd, char *buf, size_t size, bool *close_after,
    const char **why)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	size_t		 len = 0, need = 0;
	const char	*hend = NULL, *cl;
	ssize_t		 n;
	int		 status;

	*close_after = false;
	for (;;) {
		if (hend != NULL && len >= need)
			break;
		if (len + 1 >= size) {
			*why = "answer too long";
			return -1;
		}
		if (poll(&pfd, 1, IT_HTTP_TIMEOUT_MS) <= 0) {
			*why = "no answer in time";
			return -1;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			*why = errno == ECONNRESET ? "connection reset" :
			    "read failed";
			return -1;
		}
		if (n == 0) {
			*why = len == 0 ? "closed before any answer" :
			    "closed in the middle of the answer";
			return -1;
		}
		len += (size_t)n;
		buf[len] = '\0';
		if (hend == NULL && (hend = strstr(buf, "\r\n\r\n")) != NULL) {
			cl = strcasestr(buf, "\r\nContent-Length:");
			need = (size_t)(hend + 4 - buf) + (cl != NULL && cl <
			    hend ? strtoul(cl + 17, NULL, 10) : 0);
		}
	}
	*close_after = strcasestr(buf, "\r\nConnection: close") != NULL;
	if (sscanf(buf, "HTTP/1.1 %d", &status) != 1) {
		*why = "not an HTTP answer";
		return -1;
	}
	return status;
}

static void *
client_main(void *arg)
{
	struct client	*c = arg;
	char		 req[512], body[160], ans[8192];
	const char	*why = "", *b;
	json_t		*j;
	bool		 close_after;
	int		 fd = -1, st, len, blen;

	while (!atomic_load(&load_stop) && c->sent < MAX_POSTS) {
		if (fd >= 0 && conn_gone(fd)) {
			close(fd);
			fd = -1;
		}
		if (fd < 0 && (fd = connect_port(load_port)) < 0) {
			c->sent++;
			client_err(c, "connect: %s", strerror(errno));
			it_sleep_ms(LOAD_GAP_MS);
			continue;
		}
		blen = snprintf(body, sizeof body, "{\"author\":\"restart-%d\","
		    "\"body\":\"overlap %s %d-%d\"}", c->index, run_id,
		    c->index, c->sent);
		len = snprintf(req, sizeof req, "POST %s HTTP/1.1\r\n"
		    "Host: 127.0.0.1\r\nContent-Type: application/json\r\n"
		    "Content-Length: %d\r\n%s\r\n%s", load_path, blen,
		    c->keepalive ? "" : "Connection: close\r\n", body);
		c->sent++;
		if (send(fd, req, (size_t)len, MSG_NOSIGNAL) != len) {
			client_err(c, "post %d: send: %s", c->sent,
			    strerror(errno));
			st = -1;
		} else if ((st = read_answer(fd, ans, sizeof ans,
		    &close_after, &why)) < 0) {
			client_err(c, "post %d: %s", c->sent, why);
			if (!c->keepalive && strcmp(why, "connection reset") ==
			    0)
				c->resets++;
		} else if (st < 200 || st > 299) {
			b = strstr(ans, "\r\n\r\n");
			client_err(c, "post %d: %d %.120s", c->sent, st,
			    b != NULL ? b + 4 : "");
		} else {
			c->ok++;
			b = strstr(ans, "\r\n\r\n");
			j = b != NULL ? json_loads(b + 4, 0, NULL) : NULL;
			c->ids[c->nids++] = json_integer_value(json_object_get(
			    json_object_get(j, "comment"), "id"));
			json_decref(j);
			if (close_after && c->keepalive)
				c->closes++;
		}
		if (st < 0 || close_after || !c->keepalive) {
			close(fd);
			fd = -1;
		}
		it_sleep_ms(LOAD_GAP_MS);
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* net.ipv4.tcp_migrate_req: 1, 0, or -1 (unknown). */
static int
migrate_req(void)
{
	FILE	*f = fopen(MIGRATE_REQ, "r");
	int	 v = -1;

	/* Not it_slurp: a /proc file's size is 0. */
	if (f != NULL) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/*
 * The child of overlap_in_netns, in a network namespace of its own: its
 * loopback up, and connections queued for a closed listener handed to
 * another of its SO_REUSEPORT group.  False (said on standard error)
 * if either cannot be.
 */
static bool
netns_setup(void)
{
	struct ifreq	 ifr;
	FILE		*f;
	int		 fd;
	bool		 ok;

	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ok = fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
	ifr.ifr_flags |= IFF_UP;
	ok = ok && ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
	if (fd >= 0)
		close(fd);
	if (ok && (f = fopen(MIGRATE_REQ, "w")) != NULL) {
		ok = fputs("1\n", f) >= 0;
		ok = fclose(f) == 0 && ok;
	} else
		ok = false;
	if (!ok)
		fprintf(stderr, "test_restart: network namespace: %s\n",
		    strerror(errno));
	return ok;
}

/*
 * The overlapped restart where net.ipv4.tcp_migrate_req is 1, as
 * README "Restarts and upgrades" says to set it: this program again
 * (overlap only) under `unshare --net --map-root-user`, the database
 * reached over its Unix socket.  False if no such namespace can be made
 * here (unprivileged user namespaces off, a database over TCP).
 */
static bool
overlap_in_netns(void)
{
	char	 self[PATH_MAX], *argv[5], *out = NULL, *l, *save;
	ssize_t	 n;
	int	 rc;

	if (strstr(it_db_conninfo, "host=/") == NULL ||
	    access("/usr/bin/unshare", X_OK) != 0 ||
	    (n = readlink("/proc/self/exe", self, sizeof self - 1)) <= 0)
		return false;
	self[n] = '\0';
	argv[0] = (char *)"/bin/sh";
	argv[1] = (char *)"-c";
	argv[2] = (char *)"exec 2>&1; exec /usr/bin/unshare --net "
	    "--map-root-user \"$0\" --in-netns";
	argv[3] = self;
	argv[4] = NULL;
	rc = it_run_io(argv, NULL, NULL, &out, 180);
	if (out == NULL || strstr(out, " passed, ") == NULL) {
		it_note("no network namespace of our own (%s): the restart "
		    "runs here, where tcp_migrate_req is not 1",
		    out != NULL ? out : "");
		return false;
	}
	for (l = strtok_r(out, "\n", &save); l != NULL;
	    l = strtok_r(NULL, "\n", &save))
		it_note("| %s", l);
	IT_CHECKF(rc == 0, "the overlapped restart with "
	    "net.ipv4.tcp_migrate_req=1 (its output above): status %d", rc);
	return true;
}

/*
 * The restart as deploy/commentd-restart.sh makes it under systemd:
 * server A serves a write load; server B starts on A's port, warns
 * that it shares it, and notifies READY=1; only then A gets SIGTERM
 * (it drains and exits 0); B serves on alone.  No request of the load
 * may fail (connection refused or reset, no answer, anything but 2xx),
 * and each acknowledged comment must be in the database.
 *
 * That holds where net.ipv4.tcp_migrate_req is 1: else Linux resets the
 * connections queued for A's listening sockets when A closes them, a
 * new connection now and then.  Where it is not 1 (the default), the
 * restart runs in a network namespace where it is; failing that, here,
 * where those resets of new connections are counted, not failed.
 */
static void
test_overlap(void)
{
	static struct client	 cl[CLIENTS];
	struct it_proc		*a, *b;
	const char		*base, *key, *out_a, *out_b;
	const char		*listen, *ready_b = tmp_path("notify-b");
	char			*argv[7], *env[4], *ids;
	long long		 stored;
	int			 na, nb, i, k, rc, sent = 0, ok = 0, failed = 0;
	int			 acked = 0, closes = 0;
	double			 t_ready, t_exit;
	size_t			 idlen;
	bool			 strict;
	int			 resets = 0;

	if (!in_netns && migrate_req() != 1 && overlap_in_netns())
		return;
	strict = migrate_req() == 1;

	key = it_strf("itrestart-%s", run_id);
	IT_REQUIRE(it_sql("INSERT INTO articles (key) VALUES ($1)", key,
	    (char *)NULL) != NULL);
	IT_REQUIRE((na = notify_socket(tmp_path("notify-a"))) >= 0);
	IT_REQUIRE((nb = notify_socket(ready_b)) >= 0);
	a = it_server(&base, "2", it_strf("NOTIFY_SOCKET=%s",
	    tmp_path("notify-a")), (char *)NULL);
	if (!IT_CHECK(a != NULL))
		goto out;
	IT_CHECKF(notify_wait(na, "READY=1", 5000), "A notified READY=1");
	load_port = atoi(strrchr(base, ':') + 1);
	load_path = it_list_path(key);
	listen = it_strf("127.0.0.1:%d", load_port);

	atomic_store(&load_stop, 0);
	for (i = 0; i < CLIENTS; i++) {
		memset(&cl[i], 0, sizeof cl[i]);
		cl[i].index = i;
		cl[i].keepalive = i < KA_CLIENTS;
		cl[i].ids = it_own(calloc(MAX_POSTS, sizeof *cl[i].ids));
		if (pthread_create(&cl[i].th, NULL, client_main, &cl[i]) != 0)
			abort();
	}
	it_sleep_ms(BEFORE_MS);

	/* B as systemd would start it: same port, its own socket. */
	argv[0] = (char *)bin;
	argv[1] = (char *)"serve";
	argv[2] = (char *)"--listen";
	argv[3] = (char *)listen;
	argv[4] = (char *)"--workers";
	argv[5] = (char *)"2";
	argv[6] = NULL;
	env[0] = it_strf("COMMENTD_DATABASE_URL=%s", it_db_conninfo);
	env[1] = it_strf("NOTIFY_SOCKET=%s", ready_b);
	env[2] = (char *)"COMMENTD_SHUTDOWN_TIMEOUT_MS=5000";
	env[3] = NULL;
	b = it_spawn(argv, env);
	IT_CHECK(b != NULL);
	t_ready = it_now();
	IT_CHECKF(b != NULL && notify_wait(nb, "READY=1", it_limit_ms(30000)),
	    "B notified READY=1; its output: %s", b != NULL ?
	    it_proc_output(b) : "");
	t_ready = it_now() - t_ready;
	/* ...and then A stops, as `systemctl stop` would. */
	IT_CHECK(it_proc_kill(a, SIGTERM) == 0);
	t_exit = it_now();
	rc = it_proc_wait(a, it_limit_ms(15000));
	t_exit = it_now() - t_exit;
	IT_CHECKF(rc == 0, "A exits 0 after SIGTERM: %d", rc);
	IT_CHECKF(notify_wait(na, "STOPPING=1", 1000), "A notified "
	    "STOPPING=1");
	it_sleep_ms(AFTER_MS);
	atomic_store(&load_stop, 1);
	for (i = 0; i < CLIENTS; i++)
		pthread_join(cl[i].th, NULL);

	for (i = 0; i < CLIENTS; i++) {
		sent += cl[i].sent;
		ok += cl[i].ok;
		failed += cl[i].failed;
		closes += cl[i].closes;
		if (!strict && cl[i].failed == cl[i].resets) {
			resets += cl[i].resets;
			continue;
		}
		for (k = 0; k < cl[i].failed && k < MAX_ERRS; k++)
			IT_CHECKF(false, "client %d (%s): %s", i,
			    cl[i].keepalive ? "kept alive" : "a connection "
			    "per post", cl[i].errs[k]);
	}
	IT_CHECKF(failed == resets && ok + failed == sent && sent > 0, "%d "
	    "posts, %d acknowledged, %d failed", sent, ok, failed);
	if (!strict)
		it_note("net.ipv4.tcp_migrate_req is not 1: %d new "
		    "connection(s) reset when A closed its sockets", resets);

	/* Every acknowledged comment is stored. */
	idlen = (size_t)ok * 21 + 3;
	ids = it_own(malloc(idlen));
	k = snprintf(ids, idlen, "{");
	for (i = 0; i < CLIENTS; i++) {
		int	j;

		for (j = 0; j < cl[i].nids; j++) {
			k += snprintf(ids + k, idlen - (size_t)k, "%s%lld",
			    acked > 0 ? "," : "", cl[i].ids[j]);
			acked++;
		}
	}
	snprintf(ids + k, idlen - (size_t)k, "}");
	stored = it_sql_ll("SELECT count(DISTINCT c.id) FROM comments c "
	    "JOIN articles a ON a.id = c.article_id WHERE a.key = $1 AND "
	    "c.id = ANY($2::bigint[])", key, ids, (char *)NULL);
	IT_CHECKF(stored == acked, "%lld of the %d acknowledged comments "
	    "are stored", stored, acked);

	/* Both served: A until its stop (on kept-alive connections during
	 * its drain too), B from its start (its log complete once it has
	 * stopped); B said it shares the port. */
	if (b != NULL)
		IT_CHECK(it_proc_stop(b, it_limit_ms(15000)));
	out_a = it_proc_output(a);
	out_b = b != NULL ? it_proc_output(b) : "";
	IT_CHECKF(count_lines(out_b, it_strf("] POST %s ", load_path)) > 0,
	    "B served part of the load: %s", out_b);
	IT_CHECKF(strstr(out_b, it_strf("another process already listens "
	    "on %s", listen)) != NULL, "B warns that it shares the port: %s",
	    out_b);
	IT_CHECKF(strstr(out_a, "another process already listens") == NULL,
	    "A, alone on its port, does not warn: %s", out_a);
	it_note("%d posts by %d clients (%d kept alive), %d failed: A "
	    "answered %d, B %d; %d answers on kept-alive connections said "
	    "Connection: close; B ready in %.2f s, A exited %.2f s after "
	    "SIGTERM", sent, CLIENTS, KA_CLIENTS, failed, count_lines(out_a,
	    it_strf("] POST %s ", load_path)), count_lines(out_b, it_strf(
	    "] POST %s ", load_path)), closes, t_ready, t_exit);
out:
	close(na);
	close(nb);
}

/* -- the drain ----------------------------------------------------------- */

/*
 * What a stopping server does with connections already open at its
 * SIGTERM: a live event stream ends and its connection closes (the
 * client reconnects, to the process taking over); idle ones are kept
 * (DRAIN_GRACE_MS in worker.c, a second), a request on one is served
 * with Connection: close and the connection closes after it; a stream
 * asked for then is refused (503 shutting_down), since it would hold
 * the stop; a new connection is refused.  Once the clients have closed
 * theirs, it exits 0.
 */
static void
test_drain(void)
{
	static struct it_account acct = { .tag = "dr", .role = "moderator" };
	static const char	 ka[] =
	    "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
	struct it_proc		*p;
	struct it_raw		 raw;
	const char		*base, *ev;
	int			 fd1, fd2, fd3, rc;
	bool			 reset = false;

	IT_REQUIRE(it_account_at(__FILE__, __LINE__, &acct, run_id));
	p = it_server(&base, "1", (char *)NULL);
	IT_REQUIRE(p != NULL);
	fd1 = it_raw_connect(base);
	fd2 = it_raw_connect(base);
	fd3 = it_raw_connect(base);
	IT_REQUIRE(fd1 >= 0 && fd2 >= 0 && fd3 >= 0);
	ev = it_strf("GET /api/v1/admin/events HTTP/1.1\r\nHost: t\r\n"
	    "%s\r\n\r\n", it_bearer(acct.token));
	IT_CHECK(it_raw_send(fd3, ev, strlen(ev)));
	IT_CHECK(it_raw_send(fd1, ka, sizeof ka - 1));
	it_raw_read(fd1, 5000, &raw);
	IT_CHECKF(raw.status == 200 && !raw.closed, "kept alive: %ld",
	    raw.status);
	IT_CHECK(it_raw_send(fd2, ka, sizeof ka - 1));
	it_raw_read(fd2, 5000, &raw);
	IT_CHECKF(raw.status == 200 && !raw.closed, "kept alive: %ld",
	    raw.status);

	IT_CHECK(it_proc_kill(p, SIGTERM) == 0);
	IT_CHECK(it_proc_wait_line(p, "SIGTERM: stopping", 5000) != NULL);
	IT_CHECKF(it_raw_wait_close(fd3, 5000, &reset),
	    "the stream's connection closes");
	IT_CHECK(it_raw_send(fd1, ka, sizeof ka - 1));
	it_raw_read(fd1, 5000, &raw);
	IT_CHECKF(raw.status == 200, "served while stopping: %ld",
	    raw.status);
	IT_CHECK_STR(it_raw_header(&raw, "Connection"), "close");
	IT_CHECKF(raw.closed, "closed after the answer");
	IT_CHECK(it_raw_send(fd2, ev, strlen(ev)));
	it_raw_read(fd2, 5000, &raw);
	IT_CHECKF(raw.status == 503 && it_raw_error_code(&raw) != NULL &&
	    strcmp(it_raw_error_code(&raw), "shutting_down") == 0,
	    "a stream while stopping: %ld %s", raw.status, raw.body);
	IT_CHECKF(raw.closed, "closed after the 503");
	IT_CHECKF(it_raw_connect(base) < 0, "a new connection is refused");
	close(fd1);
	close(fd2);
	close(fd3);
	rc = it_proc_wait(p, it_limit_ms(5000));
	IT_CHECKF(rc == 0, "exit status %d; output: %s", rc,
	    it_proc_output(p));
}

/* -- the restart script ---------------------------------------------------- */

/* systemctl as far as the script uses it: a unit runs while a file of
 * its name exists; a start fails when fail-UNIT exists. */
static const char fake_systemctl[] =
    "#!/bin/sh\n"
    "echo \"$*\" >>\"$FAKE_STATE/log\"\n"
    "case $1 in\n"
    "is-active) [ \"$2\" = --quiet ] && shift; [ -e \"$FAKE_STATE/$2\" ];"
    " exit ;;\n"
    "start) [ -e \"$FAKE_STATE/fail-$2\" ] && exit 1;"
    " touch \"$FAKE_STATE/$2\" ;;\n"
    "stop) rm -f \"$FAKE_STATE/$2\" ;;\n"
    "esac\n"
    "exit 0\n";

/* Runs the script with units running[] (and fail, if not NULL, failing
 * to start); its status; *log what it asked systemctl. */
static int
run_script(const char *const *running, const char *fail, const char **log)
{
	const char	*state = tmp_path(it_strf("state%ld",
	    (long)(it_now() * 1e6)));
	char		*argv[3], *env[3], *text;
	int		 rc, i;

	if (mkdir(state, 0700) != 0)
		return -2;
	for (i = 0; running[i] != NULL; i++)
		write_file(it_strf("%s/%s", state, running[i]), "");
	if (fail != NULL)
		write_file(it_strf("%s/fail-%s", state, fail), "");
	argv[0] = (char *)"/bin/sh";
	argv[1] = (char *)SCRIPT;
	argv[2] = NULL;
	env[0] = it_strf("PATH=%s:/usr/bin:/bin", tmp_path("fakebin"));
	env[1] = it_strf("FAKE_STATE=%s", state);
	env[2] = NULL;
	rc = it_run_io(argv, env, NULL, NULL, 30);
	text = it_slurp(it_strf("%s/log", state), NULL);
	*log = text != NULL ? text : "";
	return rc;
}

/*
 * The script's decisions: the other instance starts before the running
 * one stops, the one that runs last is the one enabled; nothing is
 * stopped when the start fails or when both run.
 */
static void
test_script(void)
{
	static const char *const a[] = { "commentd@a.service", NULL };
	static const char *const b[] = { "commentd@b.service", NULL };
	static const char *const none[] = { NULL };
	static const char *const both[] = { "commentd@a.service",
	    "commentd@b.service", NULL };
	const char	*log, *fakebin = tmp_path("fakebin");
	const char	*start, *stop;
	int		 rc;

	IT_REQUIRE(mkdir(fakebin, 0700) == 0 || errno == EEXIST);
	IT_REQUIRE(write_file(it_strf("%s/systemctl", fakebin),
	    fake_systemctl));
	IT_REQUIRE(chmod(it_strf("%s/systemctl", fakebin), 0700) == 0);

	rc = run_script(a, NULL, &log);
	start = strstr(log, "start commentd@b.service");
	stop = strstr(log, "stop commentd@a.service");
	IT_CHECKF(rc == 0 && start != NULL && stop != NULL && start < stop &&
	    strstr(log, "enable --quiet commentd@b.service") != NULL &&
	    strstr(log, "disable --quiet commentd@a.service") != NULL,
	    "a runs: b starts, then a stops; b enabled, a disabled: "
	    "status %d, %s", rc, log);

	rc = run_script(b, NULL, &log);
	start = strstr(log, "start commentd@a.service");
	stop = strstr(log, "stop commentd@b.service");
	IT_CHECKF(rc == 0 && start != NULL && stop != NULL && start < stop,
	    "b runs: a starts, then b stops: status %d, %s", rc, log);

	rc = run_script(none, NULL, &log);
	IT_CHECKF(rc == 0 && strstr(log, "start commentd@a.service") !=
	    NULL && strstr(log, "stop ") == NULL, "none runs: a starts: "
	    "status %d, %s", rc, log);

	rc = run_script(both, NULL, &log);
	IT_CHECKF(rc == 1 && strstr(log, "start ") == NULL &&
	    strstr(log, "stop ") == NULL, "both run: the script refuses: "
	    "status %d, %s", rc, log);

	rc = run_script(a, "commentd@b.service", &log);
	IT_CHECKF(rc == 1 && strstr(log, "start commentd@b.service") !=
	    NULL && strstr(log, "stop commentd@a.service") == NULL &&
	    strstr(log, "disable") == NULL, "b fails to start: a goes on: "
	    "status %d, %s", rc, log);
}

static const struct it_test tests[] = {
	{ "unit", test_unit },
	{ "syscalls", test_syscalls },
	{ "drain", test_drain },
	{ "overlap", test_overlap },
	{ "script", test_script },
};

int
main(int argc, char **argv)
{
	char	*rm[4];
	int	 rc;

	snprintf(run_id, sizeof run_id, "%ld-%ld", (long)getpid(),
	    (long)time(NULL));
	bin = getenv("COMMENTD_TEST_BIN");
	/* test_overlap's run in a network namespace of its own. */
	if (argc == 2 && strcmp(argv[1], "--in-netns") == 0) {
		static char	*only[] = { NULL, (char *)"overlap", NULL };

		if (!netns_setup())
			return 2;
		in_netns = true;
		only[0] = argv[0];
		argv = only;
	}
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	rc = it_main(tests, sizeof tests / sizeof tests[0], argc, argv);
	rm[0] = (char *)"/bin/rm";
	rm[1] = (char *)"-rf";
	rm[2] = tmpdir;
	rm[3] = NULL;
	it_run_cmd(rm, 30);
	return rc;
}
