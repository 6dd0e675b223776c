/*
 * test_moderation.c - the moderation state machine, every pair.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "moderation.h"

static const char *const statuses[] = {
	"pending", "approved", "rejected", "spam", "deleted"
};

static void
test_actions(void **state)
{
	enum mod_action	a;

	(void)state;
	assert_true(mod_action_parse("approve", &a));
	assert_int_equal(a, MOD_APPROVE);
	assert_string_equal(mod_action_target(a), "approved");
	assert_string_equal(mod_action_default_from(a), "pending");
	assert_true(mod_action_parse("restore", &a));
	assert_string_equal(mod_action_target(a), "pending");
	assert_null(mod_action_default_from(a));
	assert_true(mod_action_parse("spam", &a));
	assert_string_equal(mod_action_target(a), "spam");
	assert_true(mod_action_parse("delete", &a));
	assert_string_equal(mod_action_target(a), "deleted");
	assert_true(mod_action_parse("reject", &a));
	assert_string_equal(mod_action_name(a), "reject");
	assert_false(mod_action_parse("Approve", &a));
	assert_false(mod_action_parse("", &a));
	assert_false(mod_action_parse("publish", &a));
}

static void
test_every_pair(void **state)
{
	/* expected[from][to], in the order of statuses[] */
	static const int expected[5][5] = {
		/* to:  pend appr rej spam del */
		{ 0, 1, 1, 1, 1 },	/* from pending */
		{ 1, 0, 1, 1, 1 },	/* from approved */
		{ 1, 0, 0, 0, 0 },	/* from rejected */
		{ 1, 0, 0, 0, 0 },	/* from spam */
		{ 1, 0, 0, 0, 0 },	/* from deleted */
	};
	int	i, j;

	(void)state;
	for (i = 0; i < 5; i++) {
		assert_true(mod_status_valid(statuses[i]));
		for (j = 0; j < 5; j++)
			assert_int_equal(mod_transition_valid(statuses[i],
			    statuses[j]), expected[i][j]);
	}
	assert_false(mod_status_valid("published"));
	for (i = 0; i < MOD_STATUS_COUNT; i++)
		assert_string_equal(mod_status_name((enum mod_status)i),
		    statuses[i]);
	assert_false(mod_transition_valid("nope", "pending"));
	assert_false(mod_transition_valid("pending", "nope"));
}

/* What each action can move: what the admin client offers. */
static void
test_applies(void **state)
{
	/* expected[action][status], statuses in the order of statuses[] */
	static const int expected[MOD_ACTION_COUNT][5] = {
		[MOD_APPROVE] = { 1, 0, 0, 0, 0 },
		[MOD_REJECT] = { 1, 1, 0, 0, 0 },
		[MOD_SPAM] = { 1, 1, 0, 0, 0 },
		[MOD_DELETE] = { 1, 1, 0, 0, 0 },
		[MOD_RESTORE] = { 0, 1, 1, 1, 1 },
	};
	int	a, i;

	(void)state;
	for (a = 0; a < MOD_ACTION_COUNT; a++) {
		for (i = 0; i < 5; i++)
			assert_int_equal(mod_action_applies(
			    (enum mod_action)a, statuses[i]), expected[a][i]);
		assert_false(mod_action_applies((enum mod_action)a, "nope"));
	}
}

static void
test_reasons(void **state)
{
	int	i;

	(void)state;
	for (i = 0; i < MOD_REASON_COUNT; i++) {
		assert_non_null(mod_reason_name(i));
		assert_true(mod_reason_valid(mod_reason_name(i)));
	}
	assert_null(mod_reason_name(-1));
	assert_null(mod_reason_name(MOD_REASON_COUNT));
	assert_true(mod_reason_valid("suspect_word"));
	assert_true(mod_reason_valid("reported"));
	assert_false(mod_reason_valid("Reported"));
	assert_false(mod_reason_valid(""));
	assert_false(mod_reason_valid("pending"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_every_pair),
		cmocka_unit_test(test_applies),
		cmocka_unit_test(test_reasons),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
