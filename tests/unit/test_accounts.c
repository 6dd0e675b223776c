/*
 * test_accounts.c - unit tests for the argument handling of the moderator
 * and token commands (cmd_accounts.c), through cmd_accounts.h.
 *
 * No database is needed: the settings point at a socket directory that
 * does not exist, so arguments that parse reach the connection and fail
 * there (exit 1), while bad usage never gets that far (exit 2).  What a
 * command writes is captured, not shown, and checked to say why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd_accounts.h"

#define MOD(...)	run(cmd_moderator_main, (char *[]){ __VA_ARGS__, NULL })
#define TOK(...)	run(cmd_token_main, (char *[]){ __VA_ARGS__, NULL })

/* What the last command wrote to stdout and stderr. */
static char	said[16384];

static int	run(int (*)(int, char **), char **);
static int	setup(void **);

/* Runs a command with its stdout and stderr going to said[]. */
static int
run(int (*fn)(int, char **), char **argv)
{
	FILE	*tmp;
	size_t	 n;
	int	 argc = 0, out, err, rc;

	while (argv[argc] != NULL)
		argc++;
	fflush(stdout);
	fflush(stderr);
	tmp = tmpfile();
	assert_non_null(tmp);
	out = dup(STDOUT_FILENO);
	err = dup(STDERR_FILENO);
	assert_true(out >= 0 && err >= 0);
	assert_true(dup2(fileno(tmp), STDOUT_FILENO) >= 0);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	rc = fn(argc, argv);
	fflush(stdout);
	fflush(stderr);
	assert_true(dup2(out, STDOUT_FILENO) >= 0);
	assert_true(dup2(err, STDERR_FILENO) >= 0);
	close(out);
	close(err);
	rewind(tmp);
	n = fread(said, 1, sizeof said - 1, tmp);
	said[n] = '\0';
	fclose(tmp);
	return rc;
}

/* The last command's output mentions s. */
#define SAID(s)		assert_non_null(strstr(said, (s)))

static int
setup(void **state)
{
	(void)state;
	setenv("COMMENTD_DATABASE_URL",
	    "host=/nonexistent/commentd-test-cli dbname=x connect_timeout=2",
	    1);
	setenv("COMMENTD_MIGRATE", "false", 1);
	setenv("COMMENTD_LOG_LEVEL", "error", 1);
	return 0;
}

static void
test_help(void **state)
{
	(void)state;
	assert_int_equal(MOD("--help"), 0);
	SAID("usage: commentd moderator add NAME");
	assert_int_equal(MOD("add", "-h"), 0);
	SAID("usage: commentd moderator add NAME");
	assert_int_equal(MOD("add", "bad name", "--help"), 0);
	assert_int_equal(TOK("create", "x", "--database-url", "y", "-h"), 0);
	SAID("usage: commentd token create NAME");
}

static void
test_usage_errors(void **state)
{
	(void)state;
	assert_int_equal(run(cmd_moderator_main, (char *[]){ NULL }), 2);
	SAID("moderator: which command?");
	assert_int_equal(MOD("frob"), 2);
	SAID("unknown command \"moderator frob\"");
	assert_int_equal(MOD("add"), 2);
	SAID("NAME missing");
	assert_int_equal(MOD("add", "laila"), 2);		/* no --role */
	SAID("needs --role admin or --role moderator");
	assert_int_equal(MOD("add", "laila", "--role", "root"), 2);
	SAID("--role must be admin or moderator");
	assert_int_equal(MOD("add", "laila", "--role"), 2);
	assert_int_equal(MOD("add", "bad name", "--role", "admin"), 2);
	assert_int_equal(MOD("add", "é", "--role", "admin"), 2);
	assert_int_equal(MOD("add",		/* 65 characters */
	    "ab123456789012345678901234567890123456789012345678901234567890123",
	    "--role", "admin"), 2);
	assert_int_equal(MOD("list", "extra"), 2);
	assert_int_equal(MOD("list", "--role", "admin"), 2);
	assert_int_equal(MOD("disable"), 2);
	assert_int_equal(MOD("bootstrap", "admin"), 2);
	assert_int_equal(TOK("create"), 2);
	assert_int_equal(TOK("create", "laila", "--days", "0"), 2);
	SAID("--days must be a whole number from 1 to 3650");
	assert_int_equal(TOK("create", "laila", "--days", "3651"), 2);
	assert_int_equal(TOK("create", "laila", "--days=-1"), 2);
	assert_int_equal(TOK("create", "laila", "--days", "+5"), 2);
	assert_int_equal(TOK("create", "laila", "--days", "5x"), 2);
	assert_int_equal(TOK("create", "laila", "--days", ""), 2);
	assert_int_equal(TOK("revoke", "laila", "--days", "3"), 2);
	assert_int_equal(TOK("revoke", "a", "b"), 2);
	assert_int_equal(TOK("list"), 2);
	/* Labels: 1 to 100 characters of UTF-8, on create only. */
	assert_int_equal(TOK("create", "laila", "--label", " "), 2);
	SAID("--label must be 1 to 100 characters of UTF-8 (required)");
	assert_int_equal(TOK("create", "laila", "--label", "\xff"), 2);
	SAID("(invalid_utf8)");
	assert_int_equal(TOK("create", "laila", "--label",
	    "0123456789012345678901234567890123456789012345678901234567890123"
	    "4567890123456789012345678901234567890"), 2);
	SAID("(too_long)");
	assert_int_equal(TOK("create", "laila", "--label"), 2);
	assert_int_equal(TOK("revoke", "laila", "--label", "x"), 2);
	SAID("token revoke takes no --label");
	assert_int_equal(MOD("password"), 2);
	SAID("NAME missing");
	assert_int_equal(MOD("password", "a", "b"), 2);
	assert_int_equal(MOD("password", "laila", "--days", "3"), 2);
	SAID("moderator password takes no --days");
}

/* Settings flags are config_load()'s to judge. */
static void
test_settings_errors(void **state)
{
	(void)state;
	assert_int_equal(MOD("list", "--bogus"), 2);
	assert_int_equal(MOD("list", "--workers", "abc"), 2);
	assert_int_equal(MOD("list", "-x"), 2);
	/* A word after a boolean flag is not taken for NAME. */
	assert_int_equal(MOD("disable", "--trust-proxy", "sam"), 2);
	assert_int_equal(TOK("revoke", "sam", "--trust-proxy", "x"), 2);
}

/* What parses goes on to the (missing) database: exit 1, not 2. */
static void
test_parses(void **state)
{
	(void)state;
	assert_int_equal(MOD("list"), 1);
	SAID("could not connect to the database");
	assert_int_equal(MOD("bootstrap"), 1);
	assert_int_equal(MOD("disable", "sam.o-k_1"), 1);
	assert_int_equal(MOD("add", "laila", "--role", "moderator"), 1);
	assert_int_equal(MOD("add", "--role=admin", "laila"), 1);
	assert_int_equal(MOD("add",		/* 64 characters */
	    "a123456789012345678901234567890123456789012345678901234567890123",
	    "--role", "admin"), 1);
	/* After "--" every word is positional: a NAME may begin '-'. */
	assert_int_equal(MOD("add", "--role", "admin", "--", "-dash"), 1);
	assert_int_equal(MOD("add", "--", "-dash", "--role", "admin"), 2);
	assert_int_equal(MOD("list", "--no-migrate"), 1);
	assert_int_equal(TOK("create", "laila"), 1);
	assert_int_equal(TOK("create", "laila", "--days", "1"), 1);
	assert_int_equal(TOK("create", "laila", "--days=3650"), 1);
	assert_int_equal(TOK("create", "laila", "--label", "حاسوب ليلى",
	    "--days", "7"), 1);
	assert_int_equal(TOK("create", "laila", "--label=ci"), 1);
	assert_int_equal(MOD("password", "laila"), 1);
	assert_int_equal(TOK("revoke", "--log-level", "error", "laila"), 1);
	assert_int_equal(TOK("revoke", "laila", "--database-url",
	    "host=/nonexistent/commentd-test-cli dbname=y"), 1);
	SAID("could not connect to the database");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_settings_errors),
		cmocka_unit_test(test_parses),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
