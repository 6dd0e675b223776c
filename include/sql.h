/*
 * sql.h - every SQL statement commentd runs, by name.
 *
 * The text lives in sql.c, in two tables: the statements of the event
 * loops (db.c prepares each once per connection under its name), and
 * the blocking ones (migrations, start-up reads and the moderator and
 * token commands, run with libpq's blocking calls, never on a loop).
 * Every value is a parameter.
 */
#ifndef COMMENTD_SQL_H
#define COMMENTD_SQL_H

enum sql_id {
	SQL_PING,
	SQL_COMMENT_SUBMIT,
	SQL_COMMENTS_PAGE_OLDEST,
	SQL_COMMENTS_PAGE_NEWEST,
	SQL_COMMENTS_PAGE_OLDEST_DELAYED,	/* tests only */
	SQL_COMMENTS_PAGE_NEWEST_DELAYED,	/* tests only */
	SQL_ARTICLE_COUNTS,
	SQL_COMMENT_OWN,
	SQL_LISTEN,
	SQL_EVENTS_SINCE,
	SQL_EVENTS_LATEST,
	SQL_NOTIFY_NEW,
	SQL_AUTH_TOKEN,
	SQL_STREAM_RECHECK,
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
	SQL_WORDS_LOAD,
	SQL_WORDS_LIST,
	SQL_WORD_ADD,
	SQL_WORD_DELETE,
	SQL_BANS_LIST,
	SQL_BAN_ADD,
	SQL_BAN_AUTHOR,
	SQL_BAN_DELETE,
	SQL_MODERATORS_LIST,
	SQL_MODERATOR_ADD,
	SQL_MODERATOR_UPDATE,
	SQL_MODERATOR_PASSWORD,
	SQL_MODERATOR_REVOKE_BEFORE,
	SQL_TOKENS_LIST,
	SQL_TOKEN_ADD,
	SQL_TOKEN_REVOKE_ID,
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

/* The blocking statements. */
enum sql_blocking_id {
	/* migrations and start-up */
	SQLB_BEGIN,
	SQLB_COMMIT,
	SQLB_ROLLBACK,
	SQLB_QUIET,
	SQLB_MIGRATE_LOCK,
	SQLB_MIGRATE_UNLOCK,
	SQLB_MIGRATIONS_TABLE,
	SQLB_MIGRATIONS_EXIST,
	SQLB_MIGRATION_LATEST,
	SQLB_MIGRATION_APPLIED,
	SQLB_MIGRATION_RECORD,
	SQLB_SECRET,
	SQLB_CONN_BUDGET,
	/* commentd moderator ..., commentd token ... */
	SQLB_MOD_EXISTS,
	SQLB_MOD_ADD,
	SQLB_MOD_LIST,
	SQLB_MOD_DISABLE,
	SQLB_MOD_REVOKE_ALL,
	SQLB_MOD_PASSWORD,
	SQLB_MOD_ANY,
	SQLB_MOD_LOCK,
	SQLB_MOD_BOOTSTRAP,
	SQLB_TOKEN_CREATE,
	SQLB_TOKEN_REVOKE,
	SQLB_COUNT
};

const char		*sql_blocking_text(enum sql_blocking_id id);

#endif
