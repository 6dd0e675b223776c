/*
 * ctl_main.c - commentctl, the moderators' command-line client of the
 * admin API: the subcommand table, the server and token settings, and
 * the exit status.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_args.h"
#include "ctl_cmd.h"
#include "ctl_http.h"
#include "log.h"
#include "version.h"

#define O(x)		CTL_OPTBIT(CTL_OPT_ ## x)
/* Options every subcommand takes. */
#define CTL_COMMON	(O(URL) | O(TOKEN) | O(HELP))

struct ctl_command {
	const char	*name;
	const char	*usage;		/* after "commentctl " */
	unsigned	 opts;		/* beyond CTL_COMMON */
	size_t		 min_words;	/* after the name */
	size_t		 max_words;
	int		(*run)(struct ctl_ctx *);
};

static const char ctl_action_usage[] =
	"approve|reject|spam|delete|restore ID... [--reason TEXT]\n"
	"      [--from STATUS (one ID only)]";

static const struct ctl_command ctl_commands[] = {
	{ "queue", "queue [--status S] [--article KEY] [-q TEXT] "
	    "[--flag CODE] [--limit N]\n      [--all] [--json]",
	    O(STATUS) | O(ARTICLE) | O(QUERY) | O(FLAG) | O(LIMIT) |
	    O(ALL) | O(JSON), 0, 0, ctl_cmd_queue },
	{ "show", "show ID [--json]", O(JSON), 1, 1, ctl_cmd_show },
	{ "approve", ctl_action_usage, O(REASON) | O(FROM), 1, SIZE_MAX,
	    ctl_cmd_action },
	{ "reject", ctl_action_usage, O(REASON) | O(FROM), 1, SIZE_MAX,
	    ctl_cmd_action },
	{ "spam", ctl_action_usage, O(REASON) | O(FROM), 1, SIZE_MAX,
	    ctl_cmd_action },
	{ "delete", ctl_action_usage, O(REASON) | O(FROM), 1, SIZE_MAX,
	    ctl_cmd_action },
	{ "restore", ctl_action_usage, O(REASON) | O(FROM), 1, SIZE_MAX,
	    ctl_cmd_action },
	{ "articles", "articles [-q TEXT] [--limit N] [--all] [--json]",
	    O(QUERY) | O(LIMIT) | O(ALL) | O(JSON), 0, 0, ctl_cmd_articles },
	{ "stats", "stats [--json]", O(JSON), 0, 0, ctl_cmd_stats },
	{ "watch", "watch [--count N] [--json]", O(COUNT) | O(JSON), 0, 0,
	    ctl_cmd_watch },
	{ "tokens", "tokens [--limit N] [--all] [--json]\n"
	    "  tokens revoke ID...", O(LIMIT) | O(ALL) | O(JSON), 0, SIZE_MAX,
	    ctl_cmd_tokens },
};

static void	ctl_usage(FILE *);
static int	ctl_usage_error(const struct ctl_command *, const char *,
		    ...) CS_PRINTF(2, 3);
static const struct ctl_command *ctl_find(const char *);
static int	ctl_run(const struct ctl_command *, const struct ctl_args *);

/*
 * xmalloc.c calls these on out of memory.  The server's are in log.c,
 * which would bring libevent along; the client only needs a message.
 */
void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	fputs("commentctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(saved));
	exit(CTL_EXIT_ERROR);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ctl_vwarn(fmt, ap);
	va_end(ap);
	exit(CTL_EXIT_ERROR);
}

static void
ctl_usage(FILE *fp)
{
	size_t	i;

	fprintf(fp, "usage: commentctl [--url URL] [--token TOKEN] COMMAND "
	    "[options]\n\ncommands:\n");
	for (i = 0; i < CS_NELEM(ctl_commands); i++) {
		/* The five actions share one line. */
		if (i > 0 && ctl_commands[i].usage == ctl_commands[i - 1].usage)
			continue;
		fprintf(fp, "  %s\n", ctl_commands[i].usage);
	}
	fprintf(fp, "  help, --help, --version\n\n"
	    "The server and the API token come from COMMENTD_URL and "
	    "COMMENTD_TOKEN,\nor from --url and --token, which win.  "
	    "Exit status: 0 done, 1 error,\n2 usage, 3 conflict (another "
	    "moderator was first).\n");
}

/* Says what is wrong, and how the command is used; status 2. */
static int
ctl_usage_error(const struct ctl_command *cmd, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ctl_vwarn(fmt, ap);
	va_end(ap);
	if (cmd != NULL)
		fprintf(stderr, "usage: commentctl %s\n", cmd->usage);
	else
		fputs("run \"commentctl help\" for the commands\n", stderr);
	return CTL_EXIT_USAGE;
}

static const struct ctl_command *
ctl_find(const char *name)
{
	size_t	i;

	for (i = 0; i < CS_NELEM(ctl_commands); i++) {
		if (strcmp(ctl_commands[i].name, name) == 0)
			return &ctl_commands[i];
	}
	return NULL;
}

/* Takes the server and token from the options or the environment. */
static int
ctl_run(const struct ctl_command *cmd, const struct ctl_args *a)
{
	struct ctl_ctx	 c;
	const char	*url, *token, *p;
	int		 rc;

	if ((url = a->opt[CTL_OPT_URL]) == NULL)
		url = getenv("COMMENTD_URL");
	if ((token = a->opt[CTL_OPT_TOKEN]) == NULL)
		token = getenv("COMMENTD_TOKEN");
	if (url == NULL || *url == '\0')
		return ctl_usage_error(NULL, "no server: set COMMENTD_URL or "
		    "pass --url (e.g. http://127.0.0.1:8080)");
	if (strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0)
		return ctl_usage_error(NULL, "the server URL must begin with "
		    "http:// or https://");
	if (token == NULL || *token == '\0')
		return ctl_usage_error(NULL, "no API token: set COMMENTD_TOKEN "
		    "or pass --token (commentd token create NAME)");
	/* It goes into a header line as it is. */
	for (p = token; *p != '\0'; p++) {
		if (*p < 0x21 || *p > 0x7e)
			return ctl_usage_error(NULL, "the API token has a "
			    "character tokens never have");
	}

	memset(&c, 0, sizeof c);
	c.args = a;
	c.json = a->opt[CTL_OPT_JSON] != NULL;
	c.now = time(NULL);
	if ((c.http = ctl_http_new(url, token, "commentctl/"
	    COMMENTD_VERSION)) == NULL) {
		ctl_warn("cannot set up libcurl");
		return CTL_EXIT_ERROR;
	}
	rc = cmd->run(&c);
	ctl_http_free(c.http);
	return rc;
}

int
main(int argc, char **argv)
{
	const struct ctl_command	*cmd;
	struct ctl_args			 a;
	size_t				 n;
	int				 rc;

	if (ctl_args_parse(argc - 1, argv + 1, &a) != 0) {
		rc = ctl_usage_error(NULL, "%s", a.error);
		goto out;
	}
	if (a.opt[CTL_OPT_VERSION] != NULL) {
		/* The release of commentd it came with (version.h). */
		printf("commentctl %s\n", COMMENTD_VERSION_FULL);
		rc = CTL_EXIT_OK;
		goto out;
	}
	if (a.nwords == 0 || strcmp(a.words[0], "help") == 0) {
		/* Asked for: stdout and 0; none given: stderr and 2. */
		if (a.nwords > 0 || a.opt[CTL_OPT_HELP] != NULL) {
			ctl_usage(stdout);
			rc = CTL_EXIT_OK;
		} else {
			ctl_usage(stderr);
			rc = CTL_EXIT_USAGE;
		}
		goto out;
	}
	if ((cmd = ctl_find(a.words[0])) == NULL) {
		rc = ctl_usage_error(NULL, "unknown command \"%s\"",
		    a.words[0]);
		goto out;
	}
	if (a.opt[CTL_OPT_HELP] != NULL) {
		printf("usage: commentctl %s\n", cmd->usage);
		rc = CTL_EXIT_OK;
		goto out;
	}
	if (ctl_args_allow(&a, CTL_COMMON | cmd->opts) != 0) {
		rc = ctl_usage_error(cmd, "%s", a.error);
		goto out;
	}
	n = a.nwords - 1;
	if (n < cmd->min_words || n > cmd->max_words) {
		rc = ctl_usage_error(cmd, n < cmd->min_words ? "%s: missing "
		    "comment id" : "%s: too many words", cmd->name);
		goto out;
	}
	rc = ctl_run(cmd, &a);
out:
	ctl_args_free(&a);
	return rc;
}
