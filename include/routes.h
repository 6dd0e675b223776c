/*
 * routes.h - the route table and the handlers it names.
 *
 * Each handler answers with exactly one req_reply_*() call, at once or
 * from a database callback.
 */
#ifndef COMMENTD_ROUTES_H
#define COMMENTD_ROUTES_H

#include <stddef.h>

#include "router.h"

struct req;

extern const struct route	route_table[];
extern const size_t		route_count;

/* The route of a web file (assets.c) at path, or NULL: tried when no
 * route of the table matches. */
const struct route *routes_web_file(const char *path);

/* h_health.c */
void	h_healthz(struct req *);
void	h_readyz(struct req *);

/* h_comments.c */
void	h_comment_submit(struct req *);
void	h_comments_list(struct req *);
void	h_comments_html(struct req *);
void	h_counts(struct req *);
void	h_comment_own(struct req *);

/* h_reports.c */
void	h_comment_report(struct req *);

/* h_session.c */
void	h_session_login(struct req *);
void	h_session_get(struct req *);
void	h_session_logout(struct req *);

/* h_admin_comments.c */
void	h_admin_queue(struct req *);
void	h_admin_comment(struct req *);
void	h_admin_action(struct req *);
void	h_admin_batch(struct req *);
void	h_admin_edit(struct req *);
void	h_admin_history(struct req *);

/* h_admin_articles.c */
void	h_admin_articles(struct req *);
void	h_admin_article(struct req *);
void	h_admin_article_put(struct req *);
void	h_admin_stats(struct req *);

/* h_admin_moderators.c */
void	h_admin_moderators(struct req *);
void	h_admin_moderator_add(struct req *);
void	h_admin_moderator_update(struct req *);
void	h_admin_moderator_password(struct req *);

/* h_admin_rules.c */
void	h_admin_words(struct req *);
void	h_admin_word_add(struct req *);
void	h_admin_word_delete(struct req *);
void	h_admin_bans(struct req *);
void	h_admin_ban_add(struct req *);
void	h_admin_ban_delete(struct req *);

/* h_admin_tokens.c */
void	h_admin_tokens(struct req *);
void	h_admin_token_add(struct req *);
void	h_admin_token_revoke(struct req *);

/* assets.c: the embedded web files */
void	h_asset(struct req *);

/* h_events.c */
void	h_admin_events(struct req *);

#endif
