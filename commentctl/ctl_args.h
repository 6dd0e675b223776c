/*
 * ctl_args.h - commentctl's command line: one table of options, shared
 * by every subcommand, and the checks of the values scripts pass.
 *
 * Options may come anywhere after the program name, before or after the
 * subcommand and its words: "--name VALUE", "--name=VALUE", "-q VALUE";
 * "--" ends the options.  Each subcommand then says which options it
 * takes.  Nothing here does I/O: errors are returned as text.
 */
#ifndef COMMENTD_CTL_ARGS_H
#define COMMENTD_CTL_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "cs.h"

enum ctl_opt {
	CTL_OPT_URL,		/* --url URL */
	CTL_OPT_TOKEN,		/* --token TOKEN */
	CTL_OPT_JSON,		/* --json */
	CTL_OPT_HELP,		/* --help, -h */
	CTL_OPT_VERSION,	/* --version */
	CTL_OPT_STATUS,		/* --status S */
	CTL_OPT_ARTICLE,	/* --article KEY */
	CTL_OPT_QUERY,		/* -q TEXT, --query TEXT */
	CTL_OPT_LIMIT,		/* --limit N */
	CTL_OPT_ALL,		/* --all */
	CTL_OPT_REASON,		/* --reason TEXT */
	CTL_OPT_FROM,		/* --from STATUS */
	CTL_OPT_COUNT,		/* --count N */
	CTL_OPT_FLAG,		/* --flag CODE */
	CTL_NOPTS
};

#define CTL_OPTBIT(o)	(1u << (o))

struct ctl_args {
	/* Each option's value ("" for a flag), or NULL if not given. */
	const char	*opt[CTL_NOPTS];
	/* The other words, in order (pointers into argv). */
	char		**words;
	size_t		 nwords;
	char		 error[160];
};

/*
 * Parses argv[0..argc) (the words after the program name) into *a.
 * Returns 0, or -1 with a->error set: an unknown option, a missing
 * value, a value given to a flag, an option given twice.  Free with
 * ctl_args_free() either way.
 */
int	ctl_args_parse(int argc, char **argv, struct ctl_args *a)
	    CS_MUSTCHECK;
/*
 * 0 if every option given is in allowed (CTL_OPTBIT()s); else -1 with
 * a->error naming the first that is not, as "--name".
 */
int	ctl_args_allow(struct ctl_args *a, unsigned allowed) CS_MUSTCHECK;
void	ctl_args_free(struct ctl_args *a);

/* The option's name for messages: "--status", "-q". */
const char *ctl_opt_name(enum ctl_opt o);

/* A comment id: decimal digits only, 1 .. 2^63 - 1. */
bool	ctl_parse_id(const char *s, long long *out);
/* A whole number 1 .. max, decimal digits only. */
bool	ctl_parse_count(const char *s, long long max, long long *out);

#endif
