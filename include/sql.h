/*
 * sql.h - every SQL statement the server runs, by name.
 *
 * The text lives in one table in sql.c; each statement is prepared once
 * per connection under its name and always parameterised.
 */
#ifndef COMMENTD_SQL_H
#define COMMENTD_SQL_H

enum sql_id {
	SQL_PING,
	SQL_COMMENT_SUBMIT,
	SQL_COMMENTS_PAGE_OLDEST,
	SQL_COMMENTS_PAGE_NEWEST,
	SQL_ARTICLE_COUNTS,
	SQL_COMMENT_OWN,
	SQL_LISTEN,
	SQL_EVENTS_SINCE,
	SQL_EVENTS_LATEST,
	SQL_NOTIFY_NEW,
	SQL_AUTH_TOKEN,
	SQL_LOGIN_LOOKUP,
	SQL_SESSION_CREATE,
	SQL_TOKEN_REVOKE,
	SQL_ADMIN_QUEUE_ASC,
	SQL_ADMIN_QUEUE_DESC,
	SQL_ADMIN_PENDING,
	SQL_ADMIN_COMMENT,
	SQL_MOD_ACTION,
	SQL_COMMENT_EDIT,
	SQL_COMMENT_HISTORY,
	SQL_ADMIN_ARTICLES,
	SQL_ADMIN_ARTICLE,
	SQL_ADMIN_ARTICLE_PUT,
	SQL_ADMIN_STATS,
	SQL_COMMENT_REPORT,
	SQL_MODERATORS_LIST,
	SQL_MODERATOR_ADD,
	SQL_MODERATOR_UPDATE,
	SQL_MODERATOR_PASSWORD,
	SQL_COUNT
};

struct sql_stmt {
	const char	*name;		/* prepared statement name; NULL:
					   sent as plain text (LISTEN) */
	int		 nparams;
	const char	*text;
	/* Planned for each run's parameters (an unnamed statement) instead
	 * of prepared once: for statements whose optional filters only a
	 * plan that knows the values can turn into index conditions. */
	int		 one_shot;
};

const struct sql_stmt	*sql_stmt(enum sql_id id);

#endif
