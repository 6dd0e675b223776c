/*
 * cmd_accounts.c - commentd's moderator and token commands (see
 * cmd_accounts.h).
 *
 * They run once and exit, so they use libpq's blocking calls on one
 * connection of their own, never an event loop.  Only `moderator
 * bootstrap`, the first command on a new database, applies pending
 * migrations (quietly, unless --no-migrate), as `serve` does; the others
 * change no schema behind the servers' back (a new binary run before
 * an upgrade): on a schema they do not match they refuse, naming both
 * versions, as `serve --no-migrate` does.  Passwords come from stdin,
 * never argv, which every local user can read in ps(1); an API token is
 * printed alone on stdout so a script can capture it, and everything
 * else goes to stderr.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "cmd_accounts.h"
#include "config.h"
#include "hashpool.h"
#include "log.h"
#include "migrate.h"
#include "sql.h"
#include "text.h"
#include "token.h"
#include "validate.h"
#include "xmalloc.h"

#define CLI_PASSWORD_SIZE	1024	/* bytes with the NUL */

/* What a subcommand takes besides settings flags. */
#define CLI_NAME	0x1	/* NAME, required */
#define CLI_ROLE	0x2	/* --role, required */
#define CLI_DAYS	0x4	/* --days, optional */
#define CLI_LABEL	0x8	/* --label, optional */

struct cli_args {
	const char	*name;
	const char	*role;
	int		 days;
	char		*label;		/* cleaned (validate_token_label) */
};

struct cli_cmd {
	const char	*group;		/* the command word: moderator, token */
	const char	*word;		/* the subcommand */
	int		 takes;		/* CLI_NAME, CLI_ROLE, CLI_DAYS */
	bool		 migrates;	/* applies pending migrations */
	int		(*run)(PGconn *, const struct cli_args *);
};

/* read_line results */
enum cli_line { CLI_LINE_OK, CLI_LINE_EOF, CLI_LINE_LONG, CLI_LINE_ERROR };

static int	cli_mod_add(PGconn *, const struct cli_args *);
static int	cli_mod_list(PGconn *, const struct cli_args *);
static int	cli_mod_disable(PGconn *, const struct cli_args *);
static int	cli_mod_password(PGconn *, const struct cli_args *);
static int	cli_mod_bootstrap(PGconn *, const struct cli_args *);
static int	cli_token_create(PGconn *, const struct cli_args *);
static int	cli_token_revoke(PGconn *, const struct cli_args *);

static int	cli_main(const char *, const char *, int, char **);
static int	cli_parse(const char *, int, char **, const struct cli_cmd **,
		    struct cli_args *, char **, int *);
static int	cli_option(int, char **, int *, const char *, const char **);
static int	cli_parse_days(const char *);
static PGconn	*cli_connect(const struct config *, bool);
static PGresult	*cli_query(PGconn *, enum sql_blocking_id, int,
		    const char *const *);
static int	cli_exec(PGconn *, enum sql_blocking_id);
static void	cli_error(const char *, ...) CS_PRINTF(1, 2);
static void	cli_db_error(const char *);
static int	cli_flush_stdout(void);
static int	cli_read_password(char *, size_t);
static int	cli_mod_exists(PGconn *, const char *);
static int	cli_new_password(char *, size_t, char *);
static int	cli_check_password(const char *, size_t);
static int	cli_read_tty(const char *, char *, size_t, size_t *);
static enum cli_line cli_read_line(int, char *, size_t, size_t *);
static void	cli_on_signal(int);

static const struct cli_cmd cli_cmds[] = {
	{ "moderator", "add", CLI_NAME | CLI_ROLE, false, cli_mod_add },
	{ "moderator", "list", 0, false, cli_mod_list },
	{ "moderator", "disable", CLI_NAME, false, cli_mod_disable },
	{ "moderator", "password", CLI_NAME, false, cli_mod_password },
	{ "moderator", "bootstrap", 0, true, cli_mod_bootstrap },
	{ "token", "create", CLI_NAME | CLI_DAYS | CLI_LABEL, false,
	    cli_token_create },
	{ "token", "revoke", CLI_NAME, false, cli_token_revoke },
};

#define CLI_SETTINGS_HELP \
	"\nSettings: --database-url URL (or COMMENTD_DATABASE_URL), " \
	"--log-level LEVEL,\nand the others `commentd serve --help` " \
	"lists; give them after NAME.\n"

static const char cli_moderator_usage[] =
	"usage: commentd moderator add NAME --role admin|moderator\n"
	"       commentd moderator list\n"
	"       commentd moderator disable NAME\n"
	"       commentd moderator password NAME\n"
	"       commentd moderator bootstrap\n"
	"\n"
	"add and password read the password from stdin: one line, or asked\n"
	"twice without echo on a terminal; at least 8 characters.  NAME is 1\n"
	"to 64 of A-Z a-z 0-9 _ . -.  disable, and password (a new password\n"
	"for NAME), also revoke every session and API token of NAME.\n"
	"bootstrap creates \"admin\" with a generated password, shown\n"
	"once, if there is no moderator at all (else it does nothing); like\n"
	"serve, it first applies pending migrations (--no-migrate: don't).\n"
	"The other commands never migrate: on a schema behind this binary\n"
	"they stop and say to run `commentd migrate`.\n"
	CLI_SETTINGS_HELP;

static const char cli_token_usage[] =
	"usage: commentd token create NAME [--days N] [--label TEXT]\n"
	"       commentd token revoke NAME\n"
	"\n"
	"create prints a new API token of NAME, alone, on stdout; it expires\n"
	"after N days (1 to 3650, default 365).  A label (1 to 100\n"
	"characters) tells it apart in the token lists.  revoke revokes every\n"
	"token of NAME, API tokens and login sessions; the admin API and\n"
	"commentctl tokens revoke one at a time.\n"
	CLI_SETTINGS_HELP;

/* Set by cli_on_signal while a password is read with echo off. */
static volatile sig_atomic_t cli_signo;

/* Signals that would leave the terminal without echo if not caught. */
static const int cli_tty_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU
};

int
cmd_moderator_main(int argc, char **argv)
{
	return cli_main("moderator", cli_moderator_usage, argc, argv);
}

int
cmd_token_main(int argc, char **argv)
{
	return cli_main("token", cli_token_usage, argc, argv);
}

static int
cli_main(const char *group, const char *usage, int argc, char **argv)
{
	const struct cli_cmd	*cmd = NULL;
	struct cli_args		 a;
	struct config		 cfg;
	PGconn			*pg;
	char			**rest;
	int			 i, nrest, rc;

	for (i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		}
	}

	/* What is not ours is settings, for config_load. */
	rest = xcalloc((size_t)argc + 1, sizeof *rest);
	if (cli_parse(group, argc, argv, &cmd, &a, rest, &nrest) != 0) {
		free(rest);
		fprintf(stderr, "\n%s", usage);
		return 2;
	}
	switch (config_load(&cfg, nrest, rest, NULL)) {
	case 0:
		break;
	case 1:
		config_free(&cfg);
		free(rest);
		free(a.label);
		return 0;
	default:
		config_free(&cfg);
		free(rest);
		free(a.label);
		return 2;
	}
	free(rest);
	log_init(log_level_parse(cfg.log_level), false);

	rc = 1;
	if (token_init() != 0)
		cli_error("libsodium could not be initialised");
	else if ((pg = cli_connect(&cfg, cmd->migrates)) != NULL) {
		rc = cmd->run(pg, &a);
		PQfinish(pg);	/* rolls back a transaction left open */
	}
	config_free(&cfg);
	free(a.label);

	if (cli_flush_stdout() != 0)
		rc = 1;
	return rc;
}

/*
 * Splits argv into ours (the subcommand, NAME, --role, --days) and the
 * settings flags, which go to rest in their order.  A settings flag
 * without '=' takes the next word as its value, as config_load() will,
 * unless that begins with '-' or the flag is a negated boolean ("--no-").
 * So a word after a plain boolean flag ("--trust-proxy sam") is a usage
 * error (NAME missing, or config_load()'s "unexpected argument"), never
 * silently the wrong NAME or value.  Returns 0, or -1 after saying what
 * is wrong.
 */
static int
cli_parse(const char *group, int argc, char **argv,
    const struct cli_cmd **cmdp, struct cli_args *a, char **rest, int *nrest)
{
	const struct cli_cmd	*cmd = NULL;
	const char		*pos[2] = { NULL, NULL }, *arg, *days = NULL;
	const char		*label = NULL, *why = NULL;
	size_t			 j;
	int			 i, npos = 0, found;
	bool			 only_pos = false;

	memset(a, 0, sizeof *a);
	*nrest = 0;
	for (i = 0; i < argc; i++) {
		arg = argv[i];
		if (only_pos || arg[0] != '-' || arg[1] == '\0') {
			if (npos == 2) {
				cli_error("unexpected argument \"%s\"", arg);
				return -1;
			}
			pos[npos++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {	/* a NAME may begin '-' */
			only_pos = true;
			continue;
		}
		if ((found = cli_option(argc, argv, &i, "role",
		    &a->role)) != 0 ||
		    (found = cli_option(argc, argv, &i, "days", &days)) != 0 ||
		    (found = cli_option(argc, argv, &i, "label",
		    &label)) != 0) {
			if (found < 0)
				return -1;
			continue;
		}
		rest[(*nrest)++] = argv[i];
		if (strncmp(arg, "--", 2) == 0 && strchr(arg, '=') == NULL &&
		    strncmp(arg, "--no-", 5) != 0 && i + 1 < argc &&
		    argv[i + 1][0] != '-')
			rest[(*nrest)++] = argv[++i];
	}

	if (npos == 0) {
		cli_error("%s: which command?", group);
		return -1;
	}
	for (j = 0; j < CS_NELEM(cli_cmds); j++) {
		if (strcmp(cli_cmds[j].group, group) == 0 &&
		    strcmp(cli_cmds[j].word, pos[0]) == 0)
			cmd = &cli_cmds[j];
	}
	if (cmd == NULL) {
		cli_error("unknown command \"%s %s\"", group, pos[0]);
		return -1;
	}
	if ((cmd->takes & CLI_NAME) && npos < 2) {
		cli_error("%s %s: NAME missing", group, cmd->word);
		return -1;
	}
	if (!(cmd->takes & CLI_NAME) && npos > 1) {
		cli_error("unexpected argument \"%s\"", pos[1]);
		return -1;
	}
	if ((a->role != NULL && !(cmd->takes & CLI_ROLE)) ||
	    (days != NULL && !(cmd->takes & CLI_DAYS)) ||
	    (label != NULL && !(cmd->takes & CLI_LABEL))) {
		cli_error("%s %s takes no --%s", group, cmd->word,
		    a->role != NULL && !(cmd->takes & CLI_ROLE) ? "role" :
		    days != NULL && !(cmd->takes & CLI_DAYS) ? "days" :
		    "label");
		return -1;
	}
	if (npos > 1) {
		a->name = pos[1];
		if (!validate_moderator_name(a->name)) {
			cli_error("NAME must be 1 to %d of A-Z a-z 0-9 _ . -, "
			    "not \"%s\"", MODERATOR_NAME_MAX, a->name);
			return -1;
		}
	}
	if ((cmd->takes & CLI_ROLE) && a->role == NULL) {
		cli_error("%s %s needs --role admin or --role moderator",
		    group, cmd->word);
		return -1;
	}
	if (a->role != NULL && strcmp(a->role, "admin") != 0 &&
	    strcmp(a->role, "moderator") != 0) {
		cli_error("--role must be admin or moderator, not \"%s\"",
		    a->role);
		return -1;
	}
	if (cmd->takes & CLI_DAYS) {
		a->days = TOKEN_DAYS_DEFAULT;
		if (days != NULL && (a->days = cli_parse_days(days)) < 0) {
			cli_error("--days must be a whole number from 1 to %d, "
			    "not \"%s\"", TOKEN_DAYS_MAX, days);
			return -1;
		}
	}
	/* Last: nothing fails after it is allocated. */
	if (label != NULL && (a->label = validate_token_label(label,
	    strlen(label), &why)) == NULL) {
		cli_error("--label must be 1 to %d characters of UTF-8 (%s)",
		    TOKEN_LABEL_MAX_CHARS, why);
		return -1;
	}
	*cmdp = cmd;
	return 0;
}

/*
 * "--NAME VALUE" or "--NAME=VALUE" at argv[*i]: 1 with *value set (and
 * *i past it), 0 if argv[*i] is another flag, -1 if the value is missing.
 */
static int
cli_option(int argc, char **argv, int *i, const char *name,
    const char **value)
{
	const char	*arg = argv[*i];
	size_t		 len = strlen(name);

	if (strncmp(arg, "--", 2) != 0 || strncmp(arg + 2, name, len) != 0)
		return 0;
	arg += 2 + len;
	if (*arg == '=') {
		*value = arg + 1;
		return 1;
	}
	if (*arg != '\0')
		return 0;
	if (*i + 1 >= argc) {
		cli_error("--%s needs a value", name);
		return -1;
	}
	*value = argv[++*i];
	return 1;
}

/* 1..TOKEN_DAYS_MAX, or -1. */
static int
cli_parse_days(const char *s)
{
	char	*end;
	long	 l;

	if (*s < '0' || *s > '9')	/* no sign, no space */
		return -1;
	errno = 0;
	l = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || l < 1 || l > TOKEN_DAYS_MAX)
		return -1;
	return (int)l;
}

/* Migrates (if the command does, and not --no-migrate), connects, and
 * checks that the schema is the one this binary needs. */
static PGconn *
cli_connect(const struct config *cfg, bool migrates)
{
	enum log_level	 level;
	PGconn		*pg;

	if (migrates && cfg->migrate) {
		/* Quietly: only warnings and errors, not "applied ...". */
		level = log_level_parse(cfg->log_level);
		log_init(level < LOG_WARN ? level : LOG_WARN, false);
		if (migrate_run(cfg->database_url) < 0) {
			cli_error("could not bring the database schema up to "
			    "date (see above)");
			return NULL;
		}
		log_init(level, false);
	}
	if ((pg = migrate_connect(cfg->database_url)) == NULL) {
		cli_error("could not connect to the database (see above)");
		return NULL;
	}
	if (migrate_check_conn(pg) != 0) {
		PQfinish(pg);
		return NULL;
	}
	return pg;
}

/* Runs a statement; the result (the caller clears it), or NULL. */
static PGresult *
cli_query(PGconn *pg, enum sql_blocking_id id, int nparams,
    const char *const *params)
{
	PGresult	*r;

	r = PQexecParams(pg, sql_blocking_text(id), nparams, NULL, params,
	    NULL, NULL, 0);
	if (r == NULL) {
		cli_db_error(PQerrorMessage(pg));
		return NULL;
	}
	if (PQresultStatus(r) != PGRES_TUPLES_OK &&
	    PQresultStatus(r) != PGRES_COMMAND_OK) {
		cli_db_error(PQresultErrorMessage(r));
		PQclear(r);
		return NULL;
	}
	return r;
}

/* A statement whose result is of no interest: 0 or -1. */
static int
cli_exec(PGconn *pg, enum sql_blocking_id id)
{
	PGresult	*r;

	if ((r = cli_query(pg, id, 0, NULL)) == NULL)
		return -1;
	PQclear(r);
	return 0;
}

static void
cli_error(const char *fmt, ...)
{
	va_list	ap;

	fputs("commentd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Output that never reached stdout is a failure: 0 or -1, said once. */
static int
cli_flush_stdout(void)
{
	static bool	said;

	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	if (!said)
		cli_error("stdout: %s", errno != 0 ? strerror(errno) :
		    "write error");
	said = true;
	return -1;
}

/* libpq's messages end in a newline (or several lines and one). */
static void
cli_db_error(const char *msg)
{
	size_t	len = strlen(msg);

	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		len--;
	fprintf(stderr, "commentd: database: %.*s\n", (int)len, msg);
}

static int
cli_mod_add(PGconn *pg, const struct cli_args *a)
{
	const char	*params[3];
	char		 pw[CLI_PASSWORD_SIZE], hash[crypto_pwhash_STRBYTES];
	PGresult	*r;
	int		 n, rc = 1;

	/* Before the password is typed, not after. */
	params[0] = a->name;
	if ((n = cli_mod_exists(pg, a->name)) != 0) {
		if (n > 0)
			cli_error("moderator %s exists", a->name);
		return 1;
	}
	if (cli_new_password(pw, sizeof pw, hash) != 0)
		goto out;
	params[1] = hash;
	params[2] = a->role;
	if ((r = cli_query(pg, SQLB_MOD_ADD, 3, params)) == NULL)
		goto out;
	n = PQntuples(r);
	PQclear(r);
	if (n == 0) {
		cli_error("moderator %s exists", a->name);
		goto out;
	}
	printf("moderator %s added (%s)\n", a->name, a->role);
	rc = 0;
out:
	sodium_memzero(pw, sizeof pw);
	return rc;
}

static int
cli_mod_list(PGconn *pg, const struct cli_args *a)
{
	static const char *const head[] = {
		"NAME", "ROLE", "STATUS", "CREATED", "TOKENS"
	};
	PGresult	*r;
	size_t		 w[CS_NELEM(head)], len;
	int		 row, col, nrows;

	(void)a;
	if ((r = cli_query(pg, SQLB_MOD_LIST, 0, NULL)) == NULL)
		return 1;
	nrows = PQntuples(r);
	for (col = 0; col < (int)CS_NELEM(head); col++) {
		w[col] = strlen(head[col]);
		for (row = 0; row < nrows; row++) {
			len = strlen(PQgetvalue(r, row, col));
			if (len > w[col])
				w[col] = len;
		}
	}
	for (col = 0; col < (int)CS_NELEM(head); col++) {
		printf("%-*s%s", col + 1 < (int)CS_NELEM(head) ?
		    (int)w[col] : 0, head[col],
		    col + 1 < (int)CS_NELEM(head) ? "  " : "\n");
	}
	for (row = 0; row < nrows; row++) {
		for (col = 0; col < (int)CS_NELEM(head); col++) {
			printf("%-*s%s", col + 1 < (int)CS_NELEM(head) ?
			    (int)w[col] : 0, PQgetvalue(r, row, col),
			    col + 1 < (int)CS_NELEM(head) ? "  " : "\n");
		}
	}
	PQclear(r);
	if (nrows == 0)
		fprintf(stderr, "no moderators yet: commentd moderator add "
		    "NAME --role admin\n");
	return 0;
}

static int
cli_mod_disable(PGconn *pg, const struct cli_args *a)
{
	const char	*params[1];
	char		 id[32], revoked[32];
	PGresult	*r;

	if (cli_exec(pg, SQLB_BEGIN) != 0)
		return 1;
	params[0] = a->name;
	if ((r = cli_query(pg, SQLB_MOD_DISABLE, 1, params)) == NULL)
		return 1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		cli_error("no moderator \"%s\"", a->name);
		return 1;
	}
	snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	params[0] = id;
	if ((r = cli_query(pg, SQLB_MOD_REVOKE_ALL, 1, params)) == NULL)
		return 1;
	snprintf(revoked, sizeof revoked, "%s", PQcmdTuples(r));
	PQclear(r);
	if (cli_exec(pg, SQLB_COMMIT) != 0)
		return 1;
	printf("moderator %s disabled; %s token(s) and session(s) revoked\n",
	    a->name, revoked);
	return 0;
}

/*
 * A new password, from stdin as for add.  As disable does, the update
 * locks the account first and the revoke, a statement of its own, then
 * sees every token committed before: none made meanwhile survives.
 */
static int
cli_mod_password(PGconn *pg, const struct cli_args *a)
{
	const char	*params[2];
	char		 pw[CLI_PASSWORD_SIZE], hash[crypto_pwhash_STRBYTES];
	char		 id[32], revoked[32];
	PGresult	*r;
	int		 n, rc = 1;

	params[0] = a->name;
	if ((n = cli_mod_exists(pg, a->name)) != 1) {
		if (n == 0)
			cli_error("no moderator \"%s\"", a->name);
		return 1;
	}
	if (cli_new_password(pw, sizeof pw, hash) != 0)
		goto out;
	params[1] = hash;
	if (cli_exec(pg, SQLB_BEGIN) != 0 ||
	    (r = cli_query(pg, SQLB_MOD_PASSWORD, 2, params)) == NULL)
		goto out;
	if (PQntuples(r) == 0) {
		PQclear(r);
		cli_error("no moderator \"%s\"", a->name);
		goto out;
	}
	snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	params[0] = id;
	if ((r = cli_query(pg, SQLB_MOD_REVOKE_ALL, 1, params)) == NULL)
		goto out;
	snprintf(revoked, sizeof revoked, "%s", PQcmdTuples(r));
	PQclear(r);
	if (cli_exec(pg, SQLB_COMMIT) != 0)
		goto out;
	printf("password of %s changed; %s token(s) and session(s) "
	    "revoked\n", a->name, revoked);
	rc = 0;
out:
	sodium_memzero(pw, sizeof pw);
	return rc;
}

static int
cli_mod_bootstrap(PGconn *pg, const struct cli_args *a)
{
	const char	*params[1];
	char		 pw[TOKEN_TEXT_SIZE], hash[crypto_pwhash_STRBYTES];
	PGresult	*r;
	int		 n, rc = 1;

	(void)a;
	/* The usual case, every start but the first: no hashing, no lock. */
	if ((r = cli_query(pg, SQLB_MOD_ANY, 0, NULL)) == NULL)
		return 1;
	n = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (n)
		return 0;

	/* 32 random bytes: far beyond guessing, and easy to paste. */
	token_random(pw);
	if (hashpool_hash_now(pw, hash) != 0) {
		cli_error("could not hash the password (out of memory?)");
		goto out;
	}
	params[0] = hash;
	if (cli_exec(pg, SQLB_BEGIN) != 0 ||
	    cli_exec(pg, SQLB_MOD_LOCK) != 0 ||
	    (r = cli_query(pg, SQLB_MOD_BOOTSTRAP, 1, params)) == NULL)
		goto out;
	n = PQntuples(r);
	PQclear(r);
	/*
	 * n == 0: another bootstrap (or an add) was first; nothing to say.
	 * Else shown before the commit: an admin whose password never
	 * reached anyone would be locked out and bootstrap never run again.
	 */
	if (n > 0) {
		printf("Created moderator \"admin\" with password: %s\n"
		    "(shown once: keep it now; add your own accounts with "
		    "`commentd moderator add`)\n", pw);
		if (cli_flush_stdout() != 0)
			goto out;
	}
	if (cli_exec(pg, SQLB_COMMIT) != 0)
		goto out;
	rc = 0;
out:
	sodium_memzero(pw, sizeof pw);
	return rc;
}

static int
cli_token_create(PGconn *pg, const struct cli_args *a)
{
	const char	*params[4];
	char		 tok[TOKEN_TEXT_SIZE], hex[TOKEN_HASH_HEX_SIZE];
	char		 days[16], expires[64], id[32];
	PGresult	*r;
	int		 rc = 1;

	token_random(tok);
	token_hash_hex(tok, strlen(tok), hex);
	snprintf(days, sizeof days, "%d", a->days);
	params[0] = a->name;
	params[1] = hex;
	params[2] = days;
	params[3] = a->label;
	if (cli_exec(pg, SQLB_BEGIN) != 0 ||
	    (r = cli_query(pg, SQLB_TOKEN_CREATE, 4, params)) == NULL)
		goto out;
	if (PQntuples(r) == 0) {
		cli_error("no moderator \"%s\"", a->name);
		PQclear(r);
		goto out;
	}
	if (strcmp(PQgetvalue(r, 0, 0), "t") == 0) {
		cli_error("moderator %s is disabled", a->name);
		PQclear(r);
		goto out;
	}
	snprintf(expires, sizeof expires, "%s", PQgetvalue(r, 0, 1));
	snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 2));
	PQclear(r);
	/* Committed only once the token is out: none is kept unseen. */
	printf("%s\n", tok);
	if (cli_flush_stdout() != 0 || cli_exec(pg, SQLB_COMMIT) != 0)
		goto out;
	fprintf(stderr, "API token %s of %s created; it expires %s\n", id,
	    a->name, expires);
	rc = 0;
out:
	sodium_memzero(tok, sizeof tok);
	return rc;
}

static int
cli_token_revoke(PGconn *pg, const struct cli_args *a)
{
	const char	*params[1];
	PGresult	*r;

	params[0] = a->name;
	if ((r = cli_query(pg, SQLB_TOKEN_REVOKE, 1, params)) == NULL)
		return 1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		cli_error("no moderator \"%s\"", a->name);
		return 1;
	}
	fprintf(stderr, "%s token(s) and session(s) of %s revoked\n",
	    PQgetvalue(r, 0, 0), a->name);
	PQclear(r);
	return 0;
}

/* Whether moderator name exists: 1 or 0, or -1 (already said why). */
static int
cli_mod_exists(PGconn *pg, const char *name)
{
	const char	*params[1] = { name };
	PGresult	*r;
	int		 n;

	if ((r = cli_query(pg, SQLB_MOD_EXISTS, 1, params)) == NULL)
		return -1;
	n = PQntuples(r) > 0;
	PQclear(r);
	return n;
}

/* A new password from stdin (cli_read_password) into pw, and its
 * argon2id hash (crypto_pwhash_STRBYTES).  0, or -1 after saying why
 * not. */
static int
cli_new_password(char *pw, size_t size, char *hash)
{
	if (cli_read_password(pw, size) != 0)
		return -1;
	if (hashpool_hash_now(pw, hash) != 0) {
		cli_error("could not hash the password (out of memory?)");
		return -1;
	}
	return 0;
}

/*
 * The new password, from stdin: asked twice without echo on a terminal,
 * else the first line.  0, or -1 after saying why not.
 */
static int
cli_read_password(char *pw, size_t size)
{
	char		again[CLI_PASSWORD_SIZE];
	size_t		len, len2;
	int		rc = -1;

	if (isatty(STDIN_FILENO)) {
		if (cli_read_tty("Password: ", pw, size, &len) != 0 ||
		    cli_check_password(pw, len) != 0 ||
		    cli_read_tty("Password (again): ", again, sizeof again,
		    &len2) != 0)
			goto out;
		if (len != len2 || sodium_memcmp(pw, again, len) != 0) {
			cli_error("the passwords differ");
			goto out;
		}
		rc = 0;
		goto out;
	}
	switch (cli_read_line(STDIN_FILENO, pw, size, &len)) {
	case CLI_LINE_OK:
		rc = cli_check_password(pw, len);
		break;
	case CLI_LINE_EOF:
		cli_error("no password on stdin");
		break;
	case CLI_LINE_LONG:
		cli_error("the password is longer than %d bytes",
		    CLI_PASSWORD_SIZE - 1);
		break;
	case CLI_LINE_ERROR:
		cli_error("stdin: %s", strerror(errno));
		break;
	}
out:
	sodium_memzero(again, sizeof again);
	return rc;
}

/*
 * A password is checked as the login will see it: JSON, so UTF-8 (any
 * other bytes could never be typed there), and counted in characters.
 */
static int
cli_check_password(const char *pw, size_t len)
{
	if (strlen(pw) != len) {
		cli_error("the password contains a NUL byte");
		return -1;
	}
	if (!text_valid_utf8(pw, len)) {
		cli_error("the password is not valid UTF-8");
		return -1;
	}
	if (text_count_chars(pw, len) < PASSWORD_MIN_CHARS) {
		cli_error("the password is too short: at least %d characters",
		    PASSWORD_MIN_CHARS);
		return -1;
	}
	return 0;
}

static void
cli_on_signal(int sig)
{
	cli_signo = sig;
}

/*
 * One line from the terminal on stdin with echo off.  A signal while
 * echo is off (Ctrl-C, Ctrl-Z, ...) first turns it back on, then does
 * what it would have done; the entry counts as failed.  0 or -1.
 */
static int
cli_read_tty(const char *prompt, char *buf, size_t size, size_t *len)
{
	struct termios		 old, quiet;
	struct sigaction	 sa, saved[CS_NELEM(cli_tty_signals)];
	enum cli_line		 got;
	size_t			 i;
	int			 sig, err;

	if (tcgetattr(STDIN_FILENO, &old) != 0) {
		cli_error("terminal: %s", strerror(errno));
		return -1;
	}
	/* No SA_RESTART: read(2) must return so the terminal is restored. */
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = cli_on_signal;
	cli_signo = 0;
	for (i = 0; i < CS_NELEM(cli_tty_signals); i++) {
		sigaction(cli_tty_signals[i], NULL, &saved[i]);
		if (saved[i].sa_handler != SIG_IGN)
			sigaction(cli_tty_signals[i], &sa, NULL);
	}

	fputs(prompt, stderr);
	fflush(stderr);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	got = cli_read_line(STDIN_FILENO, buf, size, len);
	err = errno;
	(void)tcsetattr(STDIN_FILENO, TCSANOW, &old);
	fputc('\n', stderr);	/* the newline typed was not echoed */

	for (i = 0; i < CS_NELEM(cli_tty_signals); i++)
		sigaction(cli_tty_signals[i], &saved[i], NULL);
	if ((sig = cli_signo) != 0) {
		raise(sig);
		cli_error("password entry interrupted");
		return -1;
	}
	switch (got) {
	case CLI_LINE_OK:
		return 0;
	case CLI_LINE_EOF:
		cli_error("no password given");
		break;
	case CLI_LINE_LONG:
		cli_error("the password is longer than %d bytes",
		    CLI_PASSWORD_SIZE - 1);
		break;
	case CLI_LINE_ERROR:
		cli_error("terminal: %s", strerror(err));
		break;
	}
	return -1;
}

/*
 * One line from fd, without its "\n" or "\r\n", a byte at a time so
 * nothing past it is consumed and no copy of the password is left in a
 * stdio buffer.  A line too long for buf is read to its end all the
 * same, so that the rest of it is not left for the shell to run.
 */
static enum cli_line
cli_read_line(int fd, char *buf, size_t size, size_t *lenp)
{
	size_t	len = 0;
	ssize_t	n;
	char	c = '\0';
	bool	any = false, toolong = false;

	for (;;) {
		n = read(fd, &c, 1);
		if (n == -1) {
			if (errno == EINTR && cli_signo == 0)
				continue;
			return CLI_LINE_ERROR;
		}
		if (n == 0) {
			if (!any)
				return CLI_LINE_EOF;
			break;
		}
		any = true;
		if (c == '\n')
			break;
		if (len + 1 >= size)
			toolong = true;
		else
			buf[len++] = c;
	}
	c = '\0';
	if (toolong) {
		sodium_memzero(buf, size);
		return CLI_LINE_LONG;
	}
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	*lenp = len;
	return CLI_LINE_OK;
}
