/*
 * test_cli.c - unit tests for the argument handling of the moderator and
 * token commands (cli_moderator.c), through cli.h.
 *
 * No database is needed: the settings point at a socket directory that
 * does not exist, so arguments that parse reach the connection and fail
 * there (exit 1), while bad usage never gets that far (exit 2).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"

#define MOD(...)	run(cli_moderator_main, (char *[]){ __VA_ARGS__, NULL })
#define TOK(...)	run(cli_token_main, (char *[]){ __VA_ARGS__, NULL })

static int	run(int (*)(int, char **), char **);
static int	setup(void **);

static int
run(int (*fn)(int, char **), char **argv)
{
	int	argc = 0;

	while (argv[argc] != NULL)
		argc++;
	return fn(argc, argv);
}

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
	assert_int_equal(MOD("add", "-h"), 0);
	assert_int_equal(MOD("add", "bad name", "--help"), 0);
	assert_int_equal(TOK("create", "x", "--database-url", "y", "-h"), 0);
}

static void
test_usage_errors(void **state)
{
	(void)state;
	assert_int_equal(run(cli_moderator_main, (char *[]){ NULL }), 2);
	assert_int_equal(MOD("frob"), 2);
	assert_int_equal(MOD("add"), 2);
	assert_int_equal(MOD("add", "laila"), 2);		/* no --role */
	assert_int_equal(MOD("add", "laila", "--role", "root"), 2);
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
	assert_int_equal(TOK("create", "laila", "--days", "3651"), 2);
	assert_int_equal(TOK("create", "laila", "--days=-1"), 2);
	assert_int_equal(TOK("create", "laila", "--days", "+5"), 2);
	assert_int_equal(TOK("create", "laila", "--days", "5x"), 2);
	assert_int_equal(TOK("create", "laila", "--days", ""), 2);
	assert_int_equal(TOK("revoke", "laila", "--days", "3"), 2);
	assert_int_equal(TOK("revoke", "a", "b"), 2);
	assert_int_equal(TOK("list"), 2);
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
	assert_int_equal(TOK("revoke", "--log-level", "error", "laila"), 1);
	assert_int_equal(TOK("revoke", "laila", "--database-url",
	    "host=/nonexistent/commentd-test-cli dbname=y"), 1);
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
