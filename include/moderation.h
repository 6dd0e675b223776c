/*
 * moderation.h - the moderation state machine, as data.
 *
 *   pending  -> approved | rejected | spam | deleted
 *   approved -> rejected | spam | deleted          (unpublish)
 *   approved | rejected | spam | deleted -> pending (restore, the undo)
 *
 * Pure: the database applies a move only if the comment is still in the
 * status the moderator saw; this module says which moves exist at all.
 * It is the one home of these facts: the server and commentctl link it,
 * and the admin client gets them from moderation.js, which the build
 * writes from it (tools/moderation-js.c).
 */
#ifndef COMMENTD_MODERATION_H
#define COMMENTD_MODERATION_H

#include <stdbool.h>

/* Comment ids one batch request may name. */
#define MOD_BATCH_MAX	200

enum mod_status {
	MOD_STATUS_PENDING,
	MOD_STATUS_APPROVED,
	MOD_STATUS_REJECTED,
	MOD_STATUS_SPAM,
	MOD_STATUS_DELETED,
	MOD_STATUS_COUNT
};

enum mod_action {
	MOD_APPROVE,
	MOD_REJECT,
	MOD_SPAM,
	MOD_DELETE,
	MOD_RESTORE,
	MOD_ACTION_COUNT
};

/* "pending", "approved", ... */
const char	*mod_status_name(enum mod_status s);
/* One of the statuses above. */
bool		 mod_status_valid(const char *status);
/* Whether from -> to is a move of the state machine above. */
bool		 mod_transition_valid(const char *from, const char *to);

/* "approve" -> MOD_APPROVE; false for anything else. */
bool		 mod_action_parse(const char *name, enum mod_action *out);
const char	*mod_action_name(enum mod_action a);
/* The status the action moves a comment to. */
const char	*mod_action_target(enum mod_action a);
/* The status assumed when the moderator names none: "pending", or NULL
 * for restore ("any status but pending"). */
const char	*mod_action_default_from(enum mod_action a);
/* Whether the action can move a comment that is in status. */
bool		 mod_action_applies(enum mod_action a, const char *status);

/*
 * Why a comment was held or refused: the reason codes a comment may
 * carry in spam_flags (the site's rules and readers' reports), in the
 * order the admin client lists them.  mod_reason_name(i) for i from 0
 * to MOD_REASON_COUNT - 1.
 */
#define MOD_REASON_COUNT	9
const char	*mod_reason_name(int i);
/* One of the reason codes. */
bool		 mod_reason_valid(const char *code);

#endif
