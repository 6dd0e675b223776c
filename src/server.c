/*
 * server.c - `commentd serve` (see server.h).
 *
 * The main thread does the blocking start-up work (migrations, reading
 * the token secret, binding), starts the workers, then only waits for a
 * signal: SIGTERM and SIGINT are blocked in every thread and taken with
 * sigwait(), so no handler runs in the middle of a worker's loop.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assets.h"
#include "connlimit.h"
#include "hashpool.h"
#include "log.h"
#include "migrate.h"
#include "ratelimit.h"
#include "server.h"
#include "token.h"
#include "worker.h"
#include "xmalloc.h"

/* Readers and e-mails each bucket table holds (about 1.5 MiB). */
#define RL_KEYS		65536
/* Client addresses the connection caps count at most. */
#define CL_KEYS		131072

static int	server_listen(const char *, int, int *);
static void	server_raise_nofile(void);
static void	server_warn_shared(const char *, int);
static void	server_notify(const char *);

/*
 * Every connection is a descriptor: the soft limit (often 1024) is
 * raised to the hard one, which only the administrator may raise.  What
 * happens at the limit all the same: worker.c pauses accepting.
 */
static void
server_raise_nofile(void)
{
	struct rlimit	rl;
	rlim_t		was;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	was = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		log_warn("setrlimit(RLIMIT_NOFILE): %s", strerror(errno));
	else
		log_info("descriptor limit raised from %llu to %llu",
		    (unsigned long long)was, (unsigned long long)rl.rlim_cur);
}

/*
 * SO_REUSEPORT lets a second process bind a port in use without a word
 * (both must run as one user): it then gets part of the connections.
 * That is how a restart overlaps (deploy/commentd-restart.sh); a stray
 * process is not, so say so.  A plain bind fails only where a socket
 * listens (SO_REUSEADDR lets connections closing from a previous run
 * pass).
 */
static void
server_warn_shared(const char *host, int port)
{
	struct addrinfo	 hints, *ai = NULL;
	char		 portstr[8];
	int		 fd, one = 1;

	snprintf(portstr, sizeof portstr, "%d", port);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if (port == 0 || getaddrinfo(*host != '\0' ? host : NULL,
	    portstr, &hints, &ai) != 0)
		return;
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd >= 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno == EADDRINUSE)
		log_warn("another process already listens on %s:%d: sharing "
		    "the port with it (SO_REUSEPORT); expected during an "
		    "overlapped restart, else stop the stray process", host,
		    port);
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
}

/*
 * Tells systemd (Type=notify) how the start or stop is going: a unit's
 * `systemctl start` returns once this process listens, which is what an
 * overlapped restart waits for before stopping the old process.  Not
 * under systemd (no NOTIFY_SOCKET), nothing.
 */
static void
server_notify(const char *state)
{
	const char		*path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un	 sun;
	socklen_t		 len;
	size_t			 n;
	int			 fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    (n = strlen(path)) >= sizeof sun.sun_path)
		return;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, n);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';	/* an abstract address */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len) < 0)
		log_warn("NOTIFY_SOCKET %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/*
 * A listening socket on host:port with SO_REUSEPORT, so every worker
 * has its own and the kernel spreads connections among them.  Accepted
 * sockets inherit TCP_NODELAY (see DESIGN.md: evhttp's separate header
 * and body writes otherwise wait 40 ms on delayed ACKs).
 */
static int
server_listen(const char *host, int port, int *bound_port)
{
	struct addrinfo		 hints, *ai = NULL;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof ss;
	char			 portstr[8];
	int			 fd = -1, one = 1, rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(portstr, sizeof portstr, "%d", port);
	if ((rc = getaddrinfo(*host != '\0' ? host : NULL, portstr, &hints,
	    &ai)) != 0) {
		log_error("listen %s:%d: %s", host, port, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, 1024) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0) {
		log_error("listen %s:%d: %s", host, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	*bound_port = ntohs(ss.ss_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

int
server_run(const struct config *cfg)
{
	struct shared	 shared;
	struct worker	**workers;
	sigset_t	 set;
	char		 host[256];
	int		 port, bound_port, fd, i, n, sig;

	memset(&shared, 0, sizeof shared);
	shared.cfg = cfg;
	config_text_limits(cfg, &shared.limits);
	if (token_init() != 0) {
		log_error("libsodium failed to initialise");
		return 1;
	}
	if (assets_init() != 0)
		return 1;
	if (migrate_wait_ready(cfg->database_url, 30) != 0)
		return 1;
	/* Either way, never serve a schema this binary does not match. */
	if (cfg->migrate ? migrate_run(cfg->database_url) < 0 :
	    migrate_check(cfg->database_url) != 0)
		return 1;
	if (cfg->debug_read_delay_ms > 0)
		log_warn("COMMENTD_DEBUG_READ_DELAY_MS is %d: every public "
		    "read that misses the cache sleeps that long (for "
		    "tests only, never in production)",
		    cfg->debug_read_delay_ms);
	if (migrate_read_secret(cfg->database_url, "submitter_token",
	    shared.token_secret, sizeof shared.token_secret,
	    &shared.token_secret_len) != 0)
		return 1;

	n = cfg->workers > 0 ? cfg->workers :
	    (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	migrate_warn_budget(cfg->database_url, n, cfg->db_pool_size);
	if (config_split_listen(cfg->listen, host, sizeof host, &port) != 0)
		return 1;

	/* Workers inherit this mask: signals come to sigwait() only. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((shared.hashpool = hashpool_new(cfg->hash_threads, 64)) == NULL) {
		log_error("could not start the password hashing threads");
		return 1;
	}
	snprintf(shared.public_cache_control,
	    sizeof shared.public_cache_control,
	    "public, max-age=%d, stale-while-revalidate=%d",
	    cfg->http_max_age_s, cfg->http_swr_s);
	/* The process's buckets: a key's allowance is the same whichever
	 * worker its connection lands on.  Readers beyond RL_KEYS at once
	 * share the room of the fullest buckets (ratelimit.h). */
	if (cfg->submit_rate > 0)
		shared.submit_rl = ratelimit_new(cfg->submit_rate,
		    cfg->submit_burst, RL_KEYS);
	if (cfg->report_rate > 0)
		shared.report_rl = ratelimit_new(cfg->report_rate,
		    cfg->report_burst, RL_KEYS);
	/* Connections: per address, at most as many addresses as the
	 * process may hold connections (twice as many slots). */
	server_raise_nofile();
	shared.connlimit = connlimit_new(cfg->max_connections,
	    cfg->trust_proxy ? 0 : cfg->max_connections_per_ip,
	    cfg->max_connections > 0 && cfg->max_connections < CL_KEYS / 2 ?
	    (size_t)cfg->max_connections * 2 : CL_KEYS);
	/* The bound is the process's; each worker caches its share. */
	shared.cache_bytes = (size_t)cfg->cache_mb * 1024 * 1024 / (size_t)n;
	workers = xcalloc((size_t)n, sizeof *workers);
	server_warn_shared(host, port);
	bound_port = port;
	for (i = 0; i < n; i++) {
		/* Port 0 picks a free port once; the rest share it. */
		if ((fd = server_listen(host, bound_port, &bound_port)) < 0)
			return 1;
		workers[i] = worker_new(i, &shared, fd);
	}
	for (i = 0; i < n; i++) {
		if (worker_start(workers[i]) != 0)
			return 1;
	}
	log_info("listening on %s:%d with %d worker(s)", host, bound_port, n);
	server_notify("READY=1");

	if (sigwait(&set, &sig) != 0)
		sig = SIGTERM;
	log_info("%s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
	server_notify("STOPPING=1");
	for (i = 0; i < n; i++)
		worker_stop(workers[i]);
	for (i = 0; i < n; i++)
		worker_join_free(workers[i]);
	free(workers);
	hashpool_free(shared.hashpool);
	ratelimit_free(shared.submit_rl);
	ratelimit_free(shared.report_rl);
	connlimit_free(shared.connlimit);
	log_info("stopped");
	return 0;
}
