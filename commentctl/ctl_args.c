/*
 * ctl_args.c - commentctl's options (see ctl_args.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_args.h"
#include "xmalloc.h"

struct ctl_optdef {
	const char	*name;		/* "--name" */
	char		 letter;	/* -x, or 0 */
	bool		 value;		/* takes a value */
};

static const struct ctl_optdef ctl_opts[CTL_NOPTS] = {
	[CTL_OPT_URL] = { "--url", 0, true },
	[CTL_OPT_TOKEN] = { "--token", 0, true },
	[CTL_OPT_JSON] = { "--json", 0, false },
	[CTL_OPT_HELP] = { "--help", 'h', false },
	[CTL_OPT_VERSION] = { "--version", 0, false },
	[CTL_OPT_STATUS] = { "--status", 0, true },
	[CTL_OPT_ARTICLE] = { "--article", 0, true },
	[CTL_OPT_QUERY] = { "--query", 'q', true },
	[CTL_OPT_LIMIT] = { "--limit", 0, true },
	[CTL_OPT_ALL] = { "--all", 0, false },
	[CTL_OPT_REASON] = { "--reason", 0, true },
	[CTL_OPT_FROM] = { "--from", 0, true },
	[CTL_OPT_COUNT] = { "--count", 0, true },
	[CTL_OPT_FLAG] = { "--flag", 0, true },
};

static int	ctl_args_option(int, char **, int *, struct ctl_args *);

const char *
ctl_opt_name(enum ctl_opt o)
{
	return o < CTL_NOPTS ? ctl_opts[o].name : "?";
}

/*
 * The option at argv[*i] ("--name", "--name=value" or "-x"), with its
 * value from the same or the next word; *i is left on the last word it
 * took.  0, or -1 with a->error set.
 */
static int
ctl_args_option(int argc, char **argv, int *i, struct ctl_args *a)
{
	const char	*arg = argv[*i], *name, *eq, *value = NULL;
	size_t		 len;
	int		 o;

	if (arg[1] == '-') {
		name = arg + 2;
		eq = strchr(name, '=');
		len = eq != NULL ? (size_t)(eq - name) : strlen(name);
		for (o = 0; o < CTL_NOPTS; o++) {
			if (strlen(ctl_opts[o].name + 2) == len &&
			    strncmp(ctl_opts[o].name + 2, name, len) == 0)
				break;
		}
		if (eq != NULL)
			value = eq + 1;
	} else {
		for (o = 0; o < CTL_NOPTS; o++) {
			if (ctl_opts[o].letter != 0 && arg[1] ==
			    ctl_opts[o].letter && arg[2] == '\0')
				break;
		}
	}
	if (o == CTL_NOPTS) {
		snprintf(a->error, sizeof a->error, "unknown option %.100s",
		    arg);
		return -1;
	}
	if (!ctl_opts[o].value && value != NULL) {
		snprintf(a->error, sizeof a->error, "%s takes no value",
		    ctl_opt_name(o));
		return -1;
	}
	if (ctl_opts[o].value && value == NULL) {
		if (*i + 1 >= argc) {
			snprintf(a->error, sizeof a->error, "%s needs a value",
			    ctl_opt_name(o));
			return -1;
		}
		value = argv[++*i];
	}
	if (a->opt[o] != NULL) {
		snprintf(a->error, sizeof a->error, "%s given twice",
		    ctl_opt_name(o));
		return -1;
	}
	a->opt[o] = value != NULL ? value : "";
	return 0;
}

int
ctl_args_parse(int argc, char **argv, struct ctl_args *a)
{
	int	 i;
	bool	 options = true;

	memset(a, 0, sizeof *a);
	a->words = xcalloc((size_t)argc + 1, sizeof *a->words);
	for (i = 0; i < argc; i++) {
		if (options && strcmp(argv[i], "--") == 0) {
			options = false;
			continue;
		}
		/* A lone "-" is a word, as for most commands. */
		if (options && argv[i][0] == '-' && argv[i][1] != '\0') {
			if (ctl_args_option(argc, argv, &i, a) != 0)
				return -1;
			continue;
		}
		a->words[a->nwords++] = argv[i];
	}
	return 0;
}

int
ctl_args_allow(struct ctl_args *a, unsigned allowed)
{
	int	o;

	for (o = 0; o < CTL_NOPTS; o++) {
		if (a->opt[o] != NULL && (allowed & CTL_OPTBIT(o)) == 0) {
			snprintf(a->error, sizeof a->error, "%s is not an "
			    "option of this command", ctl_opt_name(o));
			return -1;
		}
	}
	return 0;
}

void
ctl_args_free(struct ctl_args *a)
{
	free(a->words);
	a->words = NULL;
	a->nwords = 0;
}

bool
ctl_parse_count(const char *s, long long max, long long *out)
{
	char		*end;
	long long	 v;

	/* strtoll alone would take " 12", "+12" and "-0". */
	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > max)
		return false;
	*out = v;
	return true;
}

bool
ctl_parse_id(const char *s, long long *out)
{
	return ctl_parse_count(s, 0x7fffffffffffffffLL, out);
}
