/*
 * config.c - the settings table and its parsing.
 *
 * Every setting is declared once in config_table[]: the flag is
 * "--NAME", the environment variable COMMENTD_NAME with '-' as '_' and
 * upper case.  `commentd serve --help` prints the table, and so does the
 * README's configuration section.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "i18n.h"
#include "xmalloc.h"

enum config_type { CFG_STR, CFG_INT, CFG_BOOL };

struct config_key {
	const char	*name;		/* flag name without "--" */
	enum config_type type;
	size_t		 offset;	/* into struct config */
	const char	*def;		/* default, as text */
	long		 min, max;	/* CFG_INT bounds */
	const char	*help;
};

#define K_STR(n, f, d, h) \
	{ n, CFG_STR, offsetof(struct config, f), d, 0, 0, h }
#define K_INT(n, f, d, lo, hi, h) \
	{ n, CFG_INT, offsetof(struct config, f), d, lo, hi, h }
#define K_BOOL(n, f, d, h) \
	{ n, CFG_BOOL, offsetof(struct config, f), d, 0, 1, h }

static const struct config_key config_table[] = {
	K_STR("database-url", database_url, "dbname=commentd",
	    "libpq connection string"),
	K_STR("listen", listen, "127.0.0.1:8080",
	    "address and port to serve HTTP on (host:port)"),
	K_INT("workers", workers, "0", 0, 256,
	    "worker threads, each with its own loop and pool (0: one per CPU)"),
	K_INT("db-pool-size", db_pool_size, "4", 1, 100,
	    "PostgreSQL connections per worker"),
	K_INT("db-queue-max", db_queue_max, "256", 1, 100000,
	    "queries waiting for a connection per worker; beyond: 503"),
	K_INT("db-queue-timeout-ms", db_queue_timeout_ms, "2000", 10, 600000,
	    "longest wait for a free connection before 503"),
	K_INT("db-connect-timeout-ms", db_connect_timeout_ms, "3000", 100,
	    600000, "give up a connection attempt after this long"),
	K_INT("db-statement-timeout-ms", db_statement_timeout_ms, "5000", 100,
	    3600000, "server-side statement_timeout of every connection"),
	K_INT("db-retry-min-ms", db_retry_min_ms, "200", 10, 600000,
	    "first reconnect delay after a connection is lost"),
	K_INT("db-retry-max-ms", db_retry_max_ms, "5000", 10, 3600000,
	    "reconnect delay cap (the delay doubles up to it)"),
	K_INT("max-request-bytes", max_request_bytes, "65536", 1024,
	    16777216, "largest request body; larger ones get 413"),
	K_INT("body-min-chars", body_min_chars, "1", 1, 1000000,
	    "shortest comment body, in characters"),
	K_INT("body-max-chars", body_max_chars, "5000", 1, 1000000,
	    "longest comment body, in characters"),
	K_INT("author-min-chars", author_min_chars, "1", 1, 1000,
	    "shortest author name, in characters"),
	K_INT("author-max-chars", author_max_chars, "80", 1, 1000,
	    "longest author name, in characters"),
	K_INT("page-size", page_size, "50", 1, 1000,
	    "top-level comments per page when the request names no limit"),
	K_INT("page-size-max", page_size_max, "200", 1, 1000,
	    "largest limit a request may ask for"),
	K_INT("counts-max-articles", counts_max_articles, "100", 1, 100,
	    "articles one /api/v1/counts request may name"),
	K_INT("submit-rate", submit_rate, "6", 0, 100000,
	    "comments per minute per reader address (IPv6: /64) and per "
	    "e-mail, in this process (0: no limit)"),
	K_INT("submit-burst", submit_burst, "10", 1, 100000,
	    "comments a reader may post at once before submit-rate applies"),
	K_INT("report-rate", report_rate, "10", 0, 100000,
	    "reports per minute per reader address (IPv6: /64), in this "
	    "process (0: no limit)"),
	K_INT("report-burst", report_burst, "20", 1, 100000,
	    "reports a reader may send at once before report-rate applies"),
	K_STR("report-action", report_action, "unpublish",
	    "what reaching report-threshold does: unpublish (back to the "
	    "queue) or flag (stays published, flagged reported)"),
	K_INT("report-threshold", report_threshold, "3", 1, 1000000,
	    "readers' reports that send a published comment back to the "
	    "queue"),
	K_INT("duplicate-window-s", duplicate_window_s, "3600", 0, 2592000,
	    "the same text again within this many seconds: 409 from the "
	    "same reader, held as a wave from many (0: off)"),
	K_INT("duplicate-wave-readers", duplicate_wave_readers, "3", 0,
	    1000000, "distinct readers posting the same text within the "
	    "window that hold it as duplicate_wave (0: off)"),
	K_BOOL("auto-create-articles", auto_create_articles, "true",
	    "create an article on its first comment (false: unknown keys "
	    "are 404)"),
	K_INT("max-links", max_links, "2", 0, 1000,
	    "links a comment may carry before it is held (code links; 0: "
	    "off)"),
	K_INT("min-form-seconds", min_form_seconds, "3", 0, 3600,
	    "a widget post sooner than this after showing the form is "
	    "spam (too_fast; 0: off)"),
	K_BOOL("honeypot", honeypot, "true",
	    "a widget post whose hidden website field is filled is spam "
	    "(honeypot)"),
	K_BOOL("word-lists", word_lists, "true",
	    "apply the banned and suspect word lists"),
	K_BOOL("bans", bans, "true",
	    "apply bans by address, e-mail and e-mail domain"),
	K_INT("repeat-offender", repeat_offender, "3", 0, 10,
	    "hold an author with this many rejected+spam among their last "
	    "ten decisions, more than approved (0: off)"),
	K_BOOL("trusted-authors", trusted_authors, "true",
	    "publish a trusted author's comments at once unless a rule "
	    "flags them"),
	K_STR("allowed-origins", allowed_origins, "",
	    "other origins whose pages may post comments and reports "
	    "(comma-separated, e.g. https://news.example; * any)"),
	K_STR("default-lang", default_lang, "ar",
	    "language of notices when Accept-Language names none we have"),
	K_BOOL("trust-proxy", trust_proxy, "false",
	    "take the client address from X-Forwarded-For (behind nginx)"),
	K_INT("http-timeout-s", http_timeout_s, "30", 1, 3600,
	    "idle and read timeout of HTTP connections"),
	K_INT("header-timeout-s", header_timeout_s, "10", 0, 3600,
	    "a request's line and headers must all arrive within this "
	    "many seconds of its first byte (of the connection's opening "
	    "for its first request), else 408 (0: off)"),
	K_INT("body-timeout-s", body_timeout_s, "30", 0, 3600,
	    "a request's body must all arrive within this many seconds "
	    "of its headers, else 408 (0: off)"),
	K_INT("max-connections", max_connections, "10000", 0, 1000000,
	    "open HTTP connections per process; beyond, new ones get 503 "
	    "and are closed at once (0: only the descriptor limit)"),
	K_INT("max-connections-per-ip", max_connections_per_ip, "100", 0,
	    1000000, "open HTTP connections per client address (IPv6: "
	    "/64) per process; beyond, new ones get 503 and are closed "
	    "(0: off; not applied with trust-proxy, where nginx's "
	    "limit_conn counts clients)"),
	K_INT("shutdown-timeout-ms", shutdown_timeout_ms, "10000", 0, 600000,
	    "on SIGTERM, how long in-flight requests may take to finish"),
	K_STR("log-level", log_level, "info", "error, warn, info or debug"),
	K_STR("log-format", log_format, "text",
	    "text (TIME LEVEL [thread] message) or json (one object a line: "
	    "ts, level, thread, msg; requests also method, path, status, "
	    "ms)"),
	K_BOOL("migrate", migrate, "true",
	    "serve and moderator bootstrap: apply pending migrations first "
	    "(--no-migrate: don't; other commands never migrate)"),
	K_INT("session-hours", session_hours, "12", 1, 8760,
	    "lifetime of a moderator's login session"),
	K_BOOL("cookie-secure", cookie_secure, "true",
	    "session cookie Secure and named __Host-commentd_session (admin "
	    "over HTTPS); false only for plain-HTTP local use"),
	K_INT("login-max-failures-user", login_max_failures_user, "5", 1,
	    1000, "failed logins of one account from one address per "
	    "window before 429"),
	K_INT("login-max-failures-ip", login_max_failures_ip, "20", 1, 100000,
	    "failed logins from one address per window before 429"),
	K_INT("login-window-s", login_window_s, "900", 1, 86400,
	    "the window failed logins are counted in, in seconds"),
	K_INT("login-delay-max-ms", login_delay_max_ms, "10000", 0, 600000,
	    "longest delay before answering a login to an account with "
	    "failures in the window; it doubles with each (0: off)"),
	K_INT("hash-threads", hash_threads, "2", 1, 64,
	    "threads hashing passwords (argon2id) off the event loops"),
	K_INT("sse-max-clients", sse_max_clients, "256", 1, 100000,
	    "live event streams per worker"),
	K_INT("sse-keepalive-s", sse_keepalive_s, "15", 1, 3600,
	    "seconds between keep-alive comments on idle event streams"),
	K_INT("sse-max-per-moderator", sse_max_per_moderator, "8", 0, 10000,
	    "live event streams one moderator may hold open per process "
	    "(0: no limit)"),
	K_BOOL("moderators-see-personal-data", moderators_see_personal_data,
	    "false", "show commenters' e-mail, address and user agent to "
	    "moderators too, not only to admins"),
	K_INT("cache-mb", cache_mb, "64", 1, 65536,
	    "memory for cached public answers, whole process, in MiB"),
	K_INT("http-max-age-s", http_max_age_s, "5", 0, 86400,
	    "Cache-Control max-age of public reads (for proxies and CDNs)"),
	K_INT("http-swr-s", http_swr_s, "30", 0, 86400,
	    "Cache-Control stale-while-revalidate of public reads"),
	K_INT("debug-read-delay-ms", debug_read_delay_ms, "0", 0, 60000,
	    "testing only: public read queries sleep this long inside their "
	    "snapshot"),
};

static int	config_set(struct config *, const struct config_key *,
		    const char *, const char *);
static void	config_env_name(const struct config_key *, char *, size_t);
static const struct config_key *config_find(const char *, size_t);
static int	config_check(const struct config *);

static void
config_env_name(const struct config_key *k, char *buf, size_t size)
{
	size_t	i, n;

	n = (size_t)snprintf(buf, size, "COMMENTD_");
	for (i = 0; k->name[i] != '\0' && n + 1 < size; i++, n++)
		buf[n] = k->name[i] == '-' ? '_' :
		    (char)toupper((unsigned char)k->name[i]);
	buf[n] = '\0';
}

static const struct config_key *
config_find(const char *name, size_t len)
{
	size_t	i;

	for (i = 0; i < CS_NELEM(config_table); i++) {
		if (strlen(config_table[i].name) == len &&
		    strncmp(config_table[i].name, name, len) == 0)
			return &config_table[i];
	}
	return NULL;
}

static int
config_set(struct config *cfg, const struct config_key *k, const char *value,
    const char *source)
{
	char	*end, **sp;
	long	 l;
	bool	*bp;

	switch (k->type) {
	case CFG_STR:
		sp = (char **)((char *)cfg + k->offset);
		free(*sp);
		*sp = xstrdup(value);
		return 0;
	case CFG_INT:
		errno = 0;
		l = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' ||
		    l < k->min || l > k->max) {
			fprintf(stderr, "commentd: %s: %s must be a whole "
			    "number from %ld to %ld, not \"%s\"\n", source,
			    k->name, k->min, k->max, value);
			return -1;
		}
		*(int *)((char *)cfg + k->offset) = (int)l;
		return 0;
	case CFG_BOOL:
		bp = (bool *)((char *)cfg + k->offset);
		if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0 ||
		    strcmp(value, "yes") == 0 || strcmp(value, "on") == 0)
			*bp = true;
		else if (strcmp(value, "false") == 0 ||
		    strcmp(value, "0") == 0 || strcmp(value, "no") == 0 ||
		    strcmp(value, "off") == 0)
			*bp = false;
		else {
			fprintf(stderr, "commentd: %s: %s must be true or "
			    "false, not \"%s\"\n", source, k->name, value);
			return -1;
		}
		return 0;
	}
	return -1;
}

static int
config_check(const struct config *cfg)
{
	char	host[256];
	int	port;

	if (config_split_listen(cfg->listen, host, sizeof host, &port) != 0) {
		fprintf(stderr, "commentd: listen must be host:port "
		    "(e.g. 127.0.0.1:8080), not \"%s\"\n", cfg->listen);
		return -1;
	}
	if (!i18n_supported(cfg->default_lang)) {
		fprintf(stderr, "commentd: default-lang \"%s\" has no "
		    "texts (ar, en)\n", cfg->default_lang);
		return -1;
	}
	if (strcmp(cfg->log_level, "error") != 0 &&
	    strcmp(cfg->log_level, "warn") != 0 &&
	    strcmp(cfg->log_level, "info") != 0 &&
	    strcmp(cfg->log_level, "debug") != 0) {
		fprintf(stderr, "commentd: log-level must be error, warn, "
		    "info or debug\n");
		return -1;
	}
	if (strcmp(cfg->log_format, "text") != 0 &&
	    strcmp(cfg->log_format, "json") != 0) {
		fprintf(stderr, "commentd: log-format must be text or json, "
		    "not \"%s\"\n", cfg->log_format);
		return -1;
	}
	if (strcmp(cfg->report_action, "unpublish") != 0 &&
	    strcmp(cfg->report_action, "flag") != 0) {
		fprintf(stderr, "commentd: report-action must be unpublish "
		    "or flag, not \"%s\"\n", cfg->report_action);
		return -1;
	}
	if (cfg->body_min_chars > cfg->body_max_chars ||
	    cfg->author_min_chars > cfg->author_max_chars ||
	    cfg->page_size > cfg->page_size_max ||
	    cfg->db_retry_min_ms > cfg->db_retry_max_ms) {
		fprintf(stderr, "commentd: a minimum is above its maximum "
		    "(body, author, page size or db retry)\n");
		return -1;
	}
	return 0;
}

int
config_load(struct config *cfg, int argc, char **argv, const char *usage_line)
{
	const struct config_key	*k;
	const char		*arg, *eq, *value;
	char			 env[96];
	size_t			 i, namelen;
	int			 ai;
	bool			 negated;

	memset(cfg, 0, sizeof *cfg);
	for (i = 0; i < CS_NELEM(config_table); i++) {
		if (config_set(cfg, &config_table[i], config_table[i].def,
		    "default") != 0)
			return -1;
	}
	for (i = 0; i < CS_NELEM(config_table); i++) {
		config_env_name(&config_table[i], env, sizeof env);
		if ((value = getenv(env)) != NULL &&
		    config_set(cfg, &config_table[i], value, env) != 0)
			return -1;
	}
	for (ai = 0; ai < argc; ai++) {
		arg = argv[ai];
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			if (usage_line != NULL)
				printf("%s\n\n", usage_line);
			config_usage(stdout, cfg);
			return 1;
		}
		if (strncmp(arg, "--", 2) != 0) {
			fprintf(stderr, "commentd: unexpected argument \"%s\" "
			    "(see --help)\n", arg);
			return -1;
		}
		arg += 2;
		negated = false;
		eq = strchr(arg, '=');
		namelen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
		k = config_find(arg, namelen);
		if (k == NULL && strncmp(arg, "no-", 3) == 0 && eq == NULL) {
			k = config_find(arg + 3, namelen - 3);
			if (k != NULL && k->type != CFG_BOOL)
				k = NULL;
			negated = k != NULL;
		}
		if (k == NULL) {
			fprintf(stderr, "commentd: unknown option --%.*s "
			    "(see --help)\n", (int)namelen, arg);
			return -1;
		}
		if (eq != NULL)
			value = eq + 1;
		else if (k->type == CFG_BOOL)
			value = negated ? "false" : "true";
		else if (ai + 1 < argc)
			value = argv[++ai];
		else {
			fprintf(stderr, "commentd: --%s needs a value\n",
			    k->name);
			return -1;
		}
		if (config_set(cfg, k, value, "flag") != 0)
			return -1;
	}
	return config_check(cfg);
}

void
config_free(struct config *cfg)
{
	size_t	i;
	char	**sp;

	if (cfg == NULL)
		return;
	for (i = 0; i < CS_NELEM(config_table); i++) {
		if (config_table[i].type != CFG_STR)
			continue;
		sp = (char **)((char *)cfg + config_table[i].offset);
		free(*sp);
		*sp = NULL;
	}
}

void
config_usage(FILE *fp, const struct config *cfg)
{
	const struct config_key	*k;
	char			 env[96], flag[64];
	size_t			 i;

	fprintf(fp, "Settings (flag, environment variable, current value):\n");
	for (i = 0; i < CS_NELEM(config_table); i++) {
		k = &config_table[i];
		config_env_name(k, env, sizeof env);
		snprintf(flag, sizeof flag, "--%s", k->name);
		fprintf(fp, "  %-28s %s\n      %s; ", flag, env, k->help);
		switch (k->type) {
		case CFG_STR:
			fprintf(fp, "\"%s\"\n", *(char **)((const char *)cfg +
			    k->offset));
			break;
		case CFG_INT:
			fprintf(fp, "%d (%ld..%ld)\n", *(const int *)(
			    (const char *)cfg + k->offset), k->min, k->max);
			break;
		case CFG_BOOL:
			fprintf(fp, "%s\n", *(const bool *)((const char *)cfg +
			    k->offset) ? "true" : "false");
			break;
		}
	}
}

void
config_text_limits(const struct config *cfg, struct text_limits *out)
{
	out->body_min = (size_t)cfg->body_min_chars;
	out->body_max = (size_t)cfg->body_max_chars;
	out->author_min = (size_t)cfg->author_min_chars;
	out->author_max = (size_t)cfg->author_max_chars;
	out->email_max = 254;
}

int
config_split_listen(const char *listen, char *host, size_t hostsz, int *port)
{
	const char	*colon, *h, *p;
	size_t		 hlen;
	char		*end;
	long		 l;

	colon = strrchr(listen, ':');
	if (colon == NULL || colon == listen)
		return -1;
	h = listen;
	hlen = (size_t)(colon - listen);
	if (h[0] == '[') {
		if (hlen < 3 || h[hlen - 1] != ']')
			return -1;
		h++;
		hlen -= 2;
	}
	if (hlen + 1 > hostsz)
		return -1;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	p = colon + 1;
	errno = 0;
	l = strtol(p, &end, 10);
	if (errno != 0 || end == p || *end != '\0' || l < 0 || l > 65535)
		return -1;
	*port = (int)l;
	return 0;
}
