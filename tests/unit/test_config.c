/*
 * test_config.c - unit tests for config.c: defaults, environment,
 * flags winning over the environment, bounds, booleans, listen parsing;
 * and the settings' database connections against PostgreSQL's budget
 * (migrate_budget_exceeded, the warning `serve` logs at start).
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

#include "config.h"
#include "migrate.h"

static void
clear_env(void)
{
	unsetenv("COMMENTD_DB_POOL_SIZE");
	unsetenv("COMMENTD_LISTEN");
	unsetenv("COMMENTD_MIGRATE");
	unsetenv("COMMENTD_DEFAULT_LANG");
	unsetenv("COMMENTD_BODY_MAX_CHARS");
	unsetenv("COMMENTD_SSE_KEEPALIVE_S");
	unsetenv("COMMENTD_LOG_FORMAT");
}

/*
 * config_load() that must refuse argv: -1, and what it said on stderr
 * (captured, not shown) names the problem.
 */
static void
load_refused(int argc, char **argv, const char *want)
{
	struct config	 cfg;
	char		 said[1024];
	FILE		*tmp;
	size_t		 n;
	int		 saved, rc;

	fflush(stderr);
	tmp = tmpfile();
	assert_non_null(tmp);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	rc = config_load(&cfg, argc, argv, NULL);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	config_free(&cfg);
	rewind(tmp);
	n = fread(said, 1, sizeof said - 1, tmp);
	said[n] = '\0';
	fclose(tmp);
	assert_int_equal(rc, -1);
	if (strstr(said, want) == NULL)
		fail_msg("refused with \"%s\", not naming \"%s\"", said, want);
}

static void
test_defaults(void **state)
{
	struct config		cfg;
	struct text_limits	lim;

	(void)state;
	clear_env();
	assert_int_equal(config_load(&cfg, 0, NULL, NULL), 0);
	assert_string_equal(cfg.listen, "127.0.0.1:8080");
	assert_int_equal(cfg.workers, 0);
	assert_int_equal(cfg.body_max_chars, 5000);
	assert_int_equal(cfg.author_max_chars, 80);
	assert_true(cfg.migrate);
	assert_string_equal(cfg.default_lang, "ar");
	assert_int_equal(cfg.sse_keepalive_s, 15);
	assert_string_equal(cfg.log_format, "text");
	config_text_limits(&cfg, &lim);
	assert_int_equal(lim.body_min, 1);
	assert_int_equal(lim.body_max, 5000);
	assert_int_equal(lim.author_max, 80);
	config_free(&cfg);
}

static void
test_env_and_flags(void **state)
{
	struct config	 cfg;
	char		*argv[] = { "--db-pool-size", "7",
	    "--listen=[::1]:9000", "--no-migrate", NULL };

	(void)state;
	clear_env();
	setenv("COMMENTD_DB_POOL_SIZE", "3", 1);
	setenv("COMMENTD_BODY_MAX_CHARS", "100", 1);
	setenv("COMMENTD_DEFAULT_LANG", "en", 1);
	assert_int_equal(config_load(&cfg, 4, argv, NULL), 0);
	/* The flag wins over the environment. */
	assert_int_equal(cfg.db_pool_size, 7);
	assert_int_equal(cfg.body_max_chars, 100);
	assert_string_equal(cfg.listen, "[::1]:9000");
	assert_false(cfg.migrate);
	assert_string_equal(cfg.default_lang, "en");
	config_free(&cfg);
	setenv("COMMENTD_LOG_FORMAT", "json", 1);
	assert_int_equal(config_load(&cfg, 0, NULL, NULL), 0);
	assert_string_equal(cfg.log_format, "json");
	config_free(&cfg);
	clear_env();
}

static void
test_bad_values(void **state)
{
	char		*a1[] = { "--db-pool-size", "0" };
	char		*a2[] = { "--db-pool-size", "4x" };
	char		*a3[] = { "--nope" };
	char		*a4[] = { "--listen", "8080" };
	char		*a5[] = { "--migrate=maybe" };
	char		*a6[] = { "--default-lang", "fr" };
	char		*a7[] = { "--body-min-chars", "10",
	    "--body-max-chars", "5" };
	char		*a8[] = { "--workers" };
	char		*a9[] = { "--no-listen" };
	char		*a10[] = { "--sse-keepalive-s", "0" };
	char		*a11[] = { "--log-format", "JSON" };

	(void)state;
	clear_env();
	load_refused(2, a1, "db-pool-size must be a whole number");
	load_refused(2, a2, "db-pool-size must be a whole number");
	load_refused(1, a3, "--nope");
	load_refused(2, a4, "listen");
	load_refused(1, a5, "migrate");
	load_refused(2, a6, "default-lang");
	load_refused(4, a7, "a minimum is above its maximum");
	load_refused(1, a8, "workers");
	load_refused(1, a9, "listen");
	load_refused(2, a10, "sse-keepalive-s");
	load_refused(2, a11, "log-format must be text or json");
	setenv("COMMENTD_DB_POOL_SIZE", "lots", 1);
	load_refused(0, NULL, "COMMENTD_DB_POOL_SIZE");
	clear_env();
}

static void
test_split_listen(void **state)
{
	char	host[64];
	int	port;

	(void)state;
	assert_int_equal(config_split_listen("127.0.0.1:8080", host,
	    sizeof host, &port), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 8080);
	assert_int_equal(config_split_listen("[::1]:0", host, sizeof host,
	    &port), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 0);
	assert_int_equal(config_split_listen(":80", host, sizeof host,
	    &port), -1);
	assert_int_equal(config_split_listen("h:70000", host, sizeof host,
	    &port), -1);
	assert_int_equal(config_split_listen("h:", host, sizeof host,
	    &port), -1);
	assert_int_equal(config_split_listen("h:1x", host, sizeof host,
	    &port), -1);
}

static void
test_usage_lists_everything(void **state)
{
	struct config	 cfg;
	char		*buf = NULL;
	size_t		 len = 0;
	FILE		*fp;

	(void)state;
	clear_env();
	assert_int_equal(config_load(&cfg, 0, NULL, NULL), 0);
	fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	config_usage(fp, &cfg);
	fclose(fp);
	assert_non_null(strstr(buf, "COMMENTD_DATABASE_URL"));
	assert_non_null(strstr(buf, "COMMENTD_LISTEN"));
	assert_non_null(strstr(buf, "COMMENTD_WORKERS"));
	assert_non_null(strstr(buf, "COMMENTD_DB_POOL_SIZE"));
	assert_non_null(strstr(buf, "--body-max-chars"));
	free(buf);
	config_free(&cfg);
}

/*
 * Each worker opens its pool and a LISTEN connection: workers x (pool +
 * 1) against max_connections less the reserved slots and those in use.
 * PostgreSQL's default 100 and 3 reserved: 16 workers with the default
 * pool (80) fit once, not twice.
 */
static void
test_connection_budget(void **state)
{
	struct migrate_budget	b = { 100, 3, 0 };
	char			msg[512];

	(void)state;
	msg[0] = '\0';
	assert_false(migrate_budget_exceeded(&b, 16, 4, msg, sizeof msg));
	assert_string_equal(msg, "");
	b.in_use = 17;			/* 97 - 17 = 80: still fits */
	assert_false(migrate_budget_exceeded(&b, 16, 4, msg, sizeof msg));
	b.in_use = 80;			/* a second process */
	assert_true(migrate_budget_exceeded(&b, 16, 4, msg, sizeof msg));
	assert_non_null(strstr(msg, "16 worker(s) x (db-pool-size 4 + 1) = "
	    "80, but PostgreSQL has 17 left (max_connections 100 - 3 reserved "
	    "- 80 in use)"));
	b.in_use = 0;
	assert_true(migrate_budget_exceeded(&b, 4, 40, msg, sizeof msg));
	assert_non_null(strstr(msg, "= 164, but PostgreSQL has 97 left"));
	assert_non_null(strstr(msg, "COMMENTD_DB_POOL_SIZE"));
	/* More in use than there is room: nothing left, not a negative. */
	b.in_use = 150;
	assert_true(migrate_budget_exceeded(&b, 1, 1, msg, sizeof msg));
	assert_non_null(strstr(msg, "has 0 left"));
	/* The largest settings; a short buffer gets a cut message. */
	b.in_use = 0;
	assert_true(migrate_budget_exceeded(&b, 256, 100, msg, sizeof msg));
	assert_non_null(strstr(msg, "= 25856, but PostgreSQL has 97 left"));
	assert_true(migrate_budget_exceeded(&b, 256, 100, msg, 8));
	assert_int_equal(strlen(msg), 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_env_and_flags),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_split_listen),
		cmocka_unit_test(test_usage_lists_everything),
		cmocka_unit_test(test_connection_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
