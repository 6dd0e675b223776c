/*
 * ctl_cmd.h - commentctl's subcommands, each a function of the parsed
 * command line and a client of the server.
 *
 * Results go to stdout (tables, or JSON with --json), every message to
 * stderr as "commentctl: ...", with the server's error.message when it
 * sent one.  Each returns the exit status (enum ctl_exit).
 */
#ifndef COMMENTD_CTL_CMD_H
#define COMMENTD_CTL_CMD_H

#include <stdarg.h>
#include <stdbool.h>
#include <time.h>

#include "cs.h"

/* Exit statuses scripts may rely on. */
enum ctl_exit {
	CTL_EXIT_OK = 0,
	CTL_EXIT_ERROR = 1,	/* network, server, 401/403/404, ... */
	CTL_EXIT_USAGE = 2,	/* bad flags, no URL or token, bad id */
	CTL_EXIT_CONFLICT = 3,	/* 409: another moderator was first */
};

struct ctl_args;
struct ctl_http;

/* What a subcommand runs with. */
struct ctl_ctx {
	struct ctl_http		*http;
	const struct ctl_args	*args;	/* words[0] is the subcommand */
	bool			 json;	/* --json */
	time_t			 now;	/* for ages */
};

/* "commentctl: " and the message, on stderr. */
void	ctl_warn(const char *fmt, ...) CS_PRINTF(1, 2);
void	ctl_vwarn(const char *fmt, va_list ap) CS_PRINTF(1, 0);

int	ctl_cmd_queue(struct ctl_ctx *c);
int	ctl_cmd_show(struct ctl_ctx *c);
/* approve, reject, spam, delete, restore: the action is words[0]. */
int	ctl_cmd_action(struct ctl_ctx *c);
int	ctl_cmd_articles(struct ctl_ctx *c);
int	ctl_cmd_stats(struct ctl_ctx *c);
/* tokens: list; tokens revoke ID...: revoke. */
int	ctl_cmd_tokens(struct ctl_ctx *c);
/* In ctl_watch.c. */
int	ctl_cmd_watch(struct ctl_ctx *c);

#endif
