/*
 * routes.c - every route of the HTTP API, in one table.
 */
#include "assets.h"
#include "routes.h"

const struct route route_table[] = {
	/* The hottest route first: the router stops at the first match. */
	{ ROUTE_GET, "/api/v1/articles/:key/comments", 0, h_comments_list },
	{ ROUTE_POST, "/api/v1/articles/:key/comments", ROUTE_JSON_BODY,
	    h_comment_submit },
	{ ROUTE_GET, "/api/v1/articles/:key/comments.html", 0,
	    h_comments_html },
	{ ROUTE_GET, "/healthz", 0, h_healthz },
	{ ROUTE_GET, "/readyz", 0, h_readyz },
	{ ROUTE_GET, "/api/v1/counts", 0, h_counts },
	{ ROUTE_GET, "/api/v1/comments/:id", 0, h_comment_own },
	{ ROUTE_POST, "/api/v1/comments/:id/reports",
	    ROUTE_JSON_BODY | ROUTE_JSON_OPTIONAL, h_comment_report },

	/* Credentials: a name or password cut at a \u0000 is refused. */
	{ ROUTE_POST, "/api/v1/admin/session",
	    ROUTE_JSON_BODY | ROUTE_JSON_NO_NUL, h_session_login },
	{ ROUTE_GET, "/api/v1/admin/session", ROUTE_AUTH, h_session_get },
	{ ROUTE_DELETE, "/api/v1/admin/session", ROUTE_AUTH,
	    h_session_logout },
	{ ROUTE_GET, "/api/v1/admin/comments", ROUTE_AUTH, h_admin_queue },
	{ ROUTE_POST, "/api/v1/admin/comments/batch",
	    ROUTE_AUTH | ROUTE_JSON_BODY, h_admin_batch },
	{ ROUTE_GET, "/api/v1/admin/comments/:id", ROUTE_AUTH,
	    h_admin_comment },
	{ ROUTE_PATCH, "/api/v1/admin/comments/:id",
	    ROUTE_AUTH | ROUTE_JSON_BODY, h_admin_edit },
	{ ROUTE_GET, "/api/v1/admin/comments/:id/history", ROUTE_AUTH,
	    h_admin_history },
	{ ROUTE_POST, "/api/v1/admin/comments/:id/:action",
	    ROUTE_AUTH | ROUTE_JSON_BODY | ROUTE_JSON_OPTIONAL,
	    h_admin_action },
	{ ROUTE_GET, "/api/v1/admin/articles", ROUTE_AUTH, h_admin_articles },
	{ ROUTE_GET, "/api/v1/admin/articles/:key", ROUTE_AUTH,
	    h_admin_article },
	{ ROUTE_PUT, "/api/v1/admin/articles/:key",
	    ROUTE_ADMIN | ROUTE_JSON_BODY, h_admin_article_put },
	{ ROUTE_GET, "/api/v1/admin/stats", ROUTE_AUTH, h_admin_stats },
	{ ROUTE_GET, "/api/v1/admin/events", ROUTE_AUTH, h_admin_events },
	{ ROUTE_GET, "/api/v1/admin/moderators", ROUTE_ADMIN,
	    h_admin_moderators },
	{ ROUTE_POST, "/api/v1/admin/moderators",
	    ROUTE_ADMIN | ROUTE_JSON_BODY | ROUTE_JSON_NO_NUL,
	    h_admin_moderator_add },
	{ ROUTE_PATCH, "/api/v1/admin/moderators/:name",
	    ROUTE_ADMIN | ROUTE_JSON_BODY | ROUTE_JSON_NO_NUL,
	    h_admin_moderator_update },
	{ ROUTE_POST, "/api/v1/admin/moderators/:name/password",
	    ROUTE_ADMIN | ROUTE_JSON_BODY | ROUTE_JSON_OPTIONAL |
	    ROUTE_JSON_NO_NUL, h_admin_moderator_password },
	{ ROUTE_GET, "/api/v1/admin/words", ROUTE_ADMIN, h_admin_words },
	{ ROUTE_POST, "/api/v1/admin/words", ROUTE_ADMIN | ROUTE_JSON_BODY,
	    h_admin_word_add },
	{ ROUTE_DELETE, "/api/v1/admin/words/:id", ROUTE_ADMIN,
	    h_admin_word_delete },
	{ ROUTE_GET, "/api/v1/admin/bans", ROUTE_AUTH, h_admin_bans },
	{ ROUTE_POST, "/api/v1/admin/bans", ROUTE_AUTH | ROUTE_JSON_BODY,
	    h_admin_ban_add },
	{ ROUTE_DELETE, "/api/v1/admin/bans/:id", ROUTE_AUTH,
	    h_admin_ban_delete },
	{ ROUTE_GET, "/api/v1/admin/tokens", ROUTE_AUTH, h_admin_tokens },
	{ ROUTE_POST, "/api/v1/admin/tokens",
	    ROUTE_AUTH | ROUTE_JSON_BODY | ROUTE_JSON_OPTIONAL,
	    h_admin_token_add },
	{ ROUTE_DELETE, "/api/v1/admin/tokens/:id", ROUTE_AUTH,
	    h_admin_token_revoke },

};

const size_t route_count = sizeof route_table / sizeof route_table[0];

/* The web files: whatever path assets.c serves, for GET and HEAD. */
static const struct route route_web_file = { ROUTE_GET, NULL, 0, h_asset };

const struct route *
routes_web_file(const char *path)
{
	return assets_find(path) != NULL ? &route_web_file : NULL;
}
