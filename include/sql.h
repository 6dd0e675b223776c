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
	SQL_COUNT
};

struct sql_stmt {
	const char	*name;		/* prepared statement name */
	int		 nparams;
	const char	*text;
};

const struct sql_stmt	*sql_stmt(enum sql_id id);

#endif
