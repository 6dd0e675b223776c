/*
 * config.h - settings, from COMMENTD_* environment variables and flags.
 *
 * One table (config.c) declares every setting once: its flag name, the
 * environment variable derived from it, type, default, bounds and help.
 * The flag wins over the environment; both are validated at start and a
 * bad value stops the program with a clear message.
 */
#ifndef COMMENTD_CONFIG_H
#define COMMENTD_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "cs.h"
#include "validate.h"

struct config {
	char	*database_url;		/* libpq connection string */
	char	*listen;		/* host:port */
	int	 workers;		/* 0: one per CPU */
	int	 db_pool_size;		/* connections per worker */
	int	 db_queue_max;		/* queries waiting per worker */
	int	 db_queue_timeout_ms;	/* longest wait for a connection */
	int	 db_connect_timeout_ms;
	int	 db_statement_timeout_ms;
	int	 db_retry_min_ms;	/* reconnect backoff, first step */
	int	 db_retry_max_ms;	/* reconnect backoff, cap */
	int	 max_request_bytes;	/* request body limit (413) */
	int	 body_min_chars;
	int	 body_max_chars;
	int	 author_min_chars;
	int	 author_max_chars;
	int	 page_size;		/* default top-level threads per page */
	int	 page_size_max;
	int	 counts_max_articles;
	int	 submit_rate;		/* per minute, per reader, e-mail */
	int	 submit_burst;
	int	 report_rate;		/* per minute, per reader */
	int	 report_burst;
	char	*report_action;		/* "unpublish" or "flag" */
	int	 report_threshold;	/* reports that unpublish a comment */
	int	 duplicate_window_s;	/* site rules (issue 12): 0 off */
	int	 duplicate_wave_readers;
	bool	 auto_create_articles;
	int	 max_links;
	int	 min_form_seconds;
	bool	 honeypot;
	bool	 word_lists;
	bool	 bans;
	int	 repeat_offender;
	bool	 trusted_authors;
	char	*allowed_origins;	/* CORS writes: "a, b", "*" or "" */
	char	*default_lang;		/* "ar" or "en" */
	bool	 trust_proxy;		/* client IP from X-Forwarded-For */
	int	 http_timeout_s;
	int	 header_timeout_s;	/* whole request head; 0 off */
	int	 body_timeout_s;	/* whole body after the head; 0 off */
	int	 max_connections;	/* per process; 0 off */
	int	 max_connections_per_ip;	/* per process; 0 off */
	int	 shutdown_timeout_ms;
	char	*log_level;		/* error, warn, info, debug */
	char	*log_format;		/* text, json */
	bool	 migrate;		/* serve: apply migrations first */
	int	 session_hours;		/* login session lifetime */
	bool	 cookie_secure;		/* Secure on the session cookie */
	int	 login_max_failures_user;
	int	 login_max_failures_ip;
	int	 login_window_s;
	int	 login_delay_max_ms;	/* per-account delay cap; 0 off */
	int	 hash_threads;		/* argon2id threads per process */
	int	 sse_max_clients;	/* event streams per worker */
	int	 sse_keepalive_s;	/* between keep-alive comments */
	int	 sse_max_per_moderator;	/* streams per moderator; 0 off */
	bool	 moderators_see_personal_data;	/* e-mail, IP, UA */
	int	 cache_mb;		/* read cache, whole process */
	int	 http_max_age_s;	/* Cache-Control of public reads */
	int	 http_swr_s;		/* stale-while-revalidate */
	int	 debug_read_delay_ms;	/* tests: slow public reads */
};

/* Fills cfg with defaults, then the environment, then argv (after the
 * subcommand).  Returns 0 on success, 1 if --help was printed, -1 on a
 * bad setting (message already printed to stderr). */
int	config_load(struct config *cfg, int argc, char **argv,
	    const char *usage_line) CS_MUSTCHECK;
void	config_free(struct config *cfg);
void	config_usage(FILE *fp, const struct config *cfg);

/* The text limits of a configuration, for validate_comment(). */
void	config_text_limits(const struct config *cfg, struct text_limits *out);

/* Parses "host:port" (IPv4, [IPv6] or name-free); 0 or -1. */
int	config_split_listen(const char *listen, char *host, size_t hostsz,
	    int *port) CS_MUSTCHECK;

#endif
