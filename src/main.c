/*
 * main.c - the commentd command: one binary, subcommands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_accounts.h"
#include "config.h"
#include "log.h"
#include "migrate.h"
#include "server.h"
#include "version.h"

/*
 * A command either takes only settings (run, after config_load), or its
 * own arguments too (main: it loads the settings itself).
 */
struct command {
	const char	*name;
	const char	*usage;
	int		(*run)(const struct config *);
	int		(*main)(int, char **);
};

static int	cmd_serve(const struct config *);
static int	cmd_migrate(const struct config *);
static void	usage(FILE *);
static void	version(void);

static const struct command commands[] = {
	{ "serve", "commentd serve [--setting value ...]", cmd_serve, NULL },
	{ "migrate", "commentd migrate [--database-url URL]", cmd_migrate,
	    NULL },
	{ "moderator", "commentd moderator add NAME --role admin|moderator "
	    "(password on stdin)\n"
	    "  commentd moderator list | disable NAME | bootstrap",
	    NULL, cmd_moderator_main },
	{ "token", "commentd token create NAME [--days N] | revoke NAME",
	    NULL, cmd_token_main },
};

static int
cmd_serve(const struct config *cfg)
{
	return server_run(cfg);
}

static int
cmd_migrate(const struct config *cfg)
{
	int	n;

	if ((n = migrate_run(cfg->database_url)) < 0)
		return 1;
	printf("%d migration(s) applied\n", n);
	return 0;
}

/* The release, the commit it was built from if known (the Makefile's
 * version.h), and the schema version it needs: what an operator compares
 * before an upgrade or a rollback. */
static void
version(void)
{
	printf("commentd %s\n", COMMENTD_VERSION_FULL);
	printf("database schema version %d\n", migrate_known());
}

static void
usage(FILE *fp)
{
	size_t	i;

	fprintf(fp, "usage: commentd COMMAND [options]\n\ncommands:\n");
	for (i = 0; i < CS_NELEM(commands); i++)
		fprintf(fp, "  %s\n", commands[i].usage);
	fprintf(fp, "  commentd version | --version\n  commentd help\n\n"
	    "Settings come from COMMENTD_* environment variables and flags;"
	    "\n`commentd serve --help` lists them all.\n");
}

int
main(int argc, char **argv)
{
	const struct command	*cmd = NULL;
	struct config		 cfg;
	size_t			 i;
	int			 rc;

	if (argc < 2 || strcmp(argv[1], "help") == 0 ||
	    strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "version") == 0 ||
	    strcmp(argv[1], "--version") == 0) {
		version();
		return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
	}
	for (i = 0; i < CS_NELEM(commands); i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			cmd = &commands[i];
	}
	if (cmd == NULL) {
		fprintf(stderr, "commentd: unknown command \"%s\"\n\n",
		    argv[1]);
		usage(stderr);
		return 2;
	}
	if (cmd->main != NULL)
		return cmd->main(argc - 2, argv + 2);
	switch (config_load(&cfg, argc - 2, argv + 2, cmd->usage)) {
	case 0:
		break;
	case 1:
		config_free(&cfg);
		return 0;
	default:
		config_free(&cfg);
		return 2;
	}
	log_init(log_level_parse(cfg.log_level), true);
	log_set_json(strcmp(cfg.log_format, "json") == 0);
	rc = cmd->run(&cfg);
	config_free(&cfg);
	return rc;
}
