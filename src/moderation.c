/*
 * moderation.c - the moderation state machine (see moderation.h).
 */
#include <stddef.h>
#include <string.h>

#include "cs.h"
#include "moderation.h"

static const char *const mod_statuses[MOD_STATUS_COUNT] = {
	[MOD_STATUS_PENDING] = "pending",
	[MOD_STATUS_APPROVED] = "approved",
	[MOD_STATUS_REJECTED] = "rejected",
	[MOD_STATUS_SPAM] = "spam",
	[MOD_STATUS_DELETED] = "deleted",
};

static const struct {
	const char	*name;
	const char	*target;
	const char	*default_from;
} mod_actions[MOD_ACTION_COUNT] = {
	[MOD_APPROVE] = { "approve", "approved", "pending" },
	[MOD_REJECT] = { "reject", "rejected", "pending" },
	[MOD_SPAM] = { "spam", "spam", "pending" },
	[MOD_DELETE] = { "delete", "deleted", "pending" },
	[MOD_RESTORE] = { "restore", "pending", NULL },
};

/* from -> allowed targets */
static const struct {
	const char	*from;
	const char	*to[MOD_STATUS_COUNT - 1];
} mod_moves[MOD_STATUS_COUNT] = {
	{ "pending", { "approved", "rejected", "spam", "deleted" } },
	{ "approved", { "rejected", "spam", "deleted", "pending" } },
	{ "rejected", { "pending" } },
	{ "spam", { "pending" } },
	{ "deleted", { "pending" } },
};

const char *
mod_status_name(enum mod_status s)
{
	return mod_statuses[s];
}

bool
mod_status_valid(const char *status)
{
	int	i;

	for (i = 0; i < MOD_STATUS_COUNT; i++) {
		if (strcmp(status, mod_statuses[i]) == 0)
			return true;
	}
	return false;
}

/* Every rule that acts leaves its code (see moderation.h). */
static const char *const mod_reasons[MOD_REASON_COUNT] = {
	"banned_word", "suspect_word", "links", "duplicate_wave",
	"banned_author", "honeypot", "too_fast", "repeat_offender",
	"reported",
};

const char *
mod_reason_name(int i)
{
	return i >= 0 && i < MOD_REASON_COUNT ? mod_reasons[i] : NULL;
}

bool
mod_reason_valid(const char *code)
{
	int	i;

	for (i = 0; i < MOD_REASON_COUNT; i++) {
		if (strcmp(code, mod_reasons[i]) == 0)
			return true;
	}
	return false;
}

bool
mod_transition_valid(const char *from, const char *to)
{
	size_t	i, j;

	for (i = 0; i < CS_NELEM(mod_moves); i++) {
		if (strcmp(from, mod_moves[i].from) != 0)
			continue;
		for (j = 0; j < CS_NELEM(mod_moves[i].to); j++) {
			if (mod_moves[i].to[j] != NULL &&
			    strcmp(to, mod_moves[i].to[j]) == 0)
				return true;
		}
	}
	return false;
}

bool
mod_action_parse(const char *name, enum mod_action *out)
{
	int	i;

	for (i = 0; i < MOD_ACTION_COUNT; i++) {
		if (strcmp(name, mod_actions[i].name) == 0) {
			*out = (enum mod_action)i;
			return true;
		}
	}
	return false;
}

const char *
mod_action_name(enum mod_action a)
{
	return mod_actions[a].name;
}

const char *
mod_action_target(enum mod_action a)
{
	return mod_actions[a].target;
}

const char *
mod_action_default_from(enum mod_action a)
{
	return mod_actions[a].default_from;
}

bool
mod_action_applies(enum mod_action a, const char *status)
{
	return mod_transition_valid(status, mod_actions[a].target);
}
