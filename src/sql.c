/*
 * sql.c - the text of every statement, in one table.
 *
 * Conventions: parameters are text with explicit casts; timestamps leave
 * the database already formatted as RFC 3339 UTC so no code depends on
 * the session time zone; each request is one statement (data-modifying
 * CTEs where it writes), so it is one round trip on any free connection.
 */
#include <stddef.h>

#include "log.h"
#include "sql.h"

#define TS(col) \
	"to_char(" col " AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/*
 * One page of an article's approved comments: a first row describing the
 * article (kind 'article'), then the page's top-level comments and every
 * approved reply below them (kind 'comment'), by id.  The page is keyset
 * paginated on the top-level comment id ($2, exclusive); $3 is the page
 * size, and one more row is looked at to know whether a next page exists.
 */
#define COMMENTS_PAGE(CMP, DIR) \
	"WITH RECURSIVE a AS (" \
	"  SELECT id, key, title, url, mode FROM articles WHERE key = $1" \
	"), roots AS (" \
	"  SELECT c.id FROM comments c, a" \
	"  WHERE c.article_id = a.id AND c.status = 'approved'" \
	"    AND c.parent_id IS NULL" \
	"    AND ($2::bigint IS NULL OR c.id " CMP " $2::bigint)" \
	"  ORDER BY c.id " DIR " LIMIT $3::int + 1" \
	"), page AS (" \
	"  SELECT id FROM roots ORDER BY id " DIR " LIMIT $3::int" \
	"), thread AS (" \
	"  SELECT c.id, c.parent_id, c.author, c.body, c.created_at" \
	"  FROM comments c WHERE c.id IN (SELECT id FROM page)" \
	"  UNION ALL" \
	"  SELECT c.id, c.parent_id, c.author, c.body, c.created_at" \
	"  FROM comments c JOIN thread t ON c.parent_id = t.id" \
	"  WHERE c.status = 'approved'" \
	") " \
	"SELECT 'article' AS kind, NULL::bigint AS id, NULL::bigint AS parent_id," \
	"  NULL AS author, NULL AS body, NULL AS created_at," \
	"  a.key, a.title, a.url, a.mode," \
	"  (SELECT count(*) FROM comments c WHERE c.article_id = a.id" \
	"     AND c.status = 'approved') AS total," \
	"  (SELECT count(*) FROM roots) > $3::int AS more " \
	"FROM a " \
	"UNION ALL " \
	"SELECT * FROM (SELECT 'comment', t.id, t.parent_id, t.author, t.body, " \
	   TS("t.created_at") ", NULL, NULL, NULL, NULL, NULL::bigint," \
	"  NULL::bool FROM thread t ORDER BY t.id) AS comments"

static const struct sql_stmt sql_table[SQL_COUNT] = {
	[SQL_PING] = { "ping", 0, "SELECT 1" },

	/*
	 * A reader's submission, in one statement: create the article on its
	 * first comment, replay an earlier submission with the same
	 * Idempotency-Key, check the parent, insert.  The first column says
	 * what happened: created, replayed, closed or bad_parent.  No row at
	 * all means a concurrent transaction created the article (or the
	 * keyed comment) after this statement's snapshot: run it again.
	 *   $1 article key   $2 author   $3 email   $4 body   $5 parent id
	 *   $6 idempotency key   $7 ip   $8 user agent   $9 token hash (hex)
	 */
	[SQL_COMMENT_SUBMIT] = { "comment_submit", 9,
	"WITH new_article AS ("
	"  INSERT INTO articles (key) SELECT $1 WHERE $5::bigint IS NULL"
	"  ON CONFLICT (key) DO NOTHING RETURNING id, mode"
	"), article AS ("
	"  SELECT id, mode, CASE mode WHEN 'postmoderated' THEN 'approved'"
	"    ELSE 'pending' END AS initial"
	"  FROM (SELECT id, mode FROM new_article"
	"    UNION ALL SELECT id, mode FROM articles WHERE key = $1"
	"    LIMIT 1) AS found"
	"), prior AS ("
	"  SELECT c.id, c.parent_id, c.author, c.body, c.status, c.created_at,"
	"    c.submitted_status"
	"  FROM comments c JOIN article a ON c.article_id = a.id"
	"  WHERE $6::text IS NOT NULL AND c.idempotency_key = $6::text"
	"), parent_ok AS ("
	"  SELECT $5::bigint IS NULL OR EXISTS ("
	"    SELECT 1 FROM comments p JOIN article a ON p.article_id = a.id"
	"    WHERE p.id = $5::bigint AND p.status = 'approved') AS ok"
	"), inserted AS ("
	"  INSERT INTO comments (article_id, parent_id, author, email, body,"
	"    status, submitted_status, ip, user_agent, idempotency_key,"
	"    submitter_token_hash)"
	"  SELECT a.id, $5::bigint, $2, $3, $4, a.initial, a.initial,"
	"    $7::inet, $8, $6::text, decode($9, 'hex')"
	"  FROM article a, parent_ok"
	"  WHERE a.mode <> 'closed' AND parent_ok.ok"
	"    AND NOT EXISTS (SELECT 1 FROM prior)"
	"  ON CONFLICT (article_id, idempotency_key)"
	"    WHERE idempotency_key IS NOT NULL DO NOTHING"
	"  RETURNING id, parent_id, author, body, status, created_at,"
	"    submitted_status"
	") "
	"SELECT 'created' AS outcome, id, parent_id, author, body, status, "
	  TS("created_at") " AS created_at, submitted_status FROM inserted "
	"UNION ALL "
	"SELECT 'replayed', id, parent_id, author, body, status, "
	  TS("created_at") ", submitted_status FROM prior "
	"UNION ALL "
	"SELECT CASE WHEN a.mode = 'closed' THEN 'closed' ELSE 'bad_parent' "
	"  END, NULL, NULL, NULL, NULL, NULL, NULL, NULL "
	"FROM article a, parent_ok "
	"WHERE NOT EXISTS (SELECT 1 FROM prior)"
	"  AND (a.mode = 'closed' OR NOT parent_ok.ok) "
	"UNION ALL "
	"SELECT 'bad_parent', NULL, NULL, NULL, NULL, NULL, NULL, NULL "
	"WHERE $5::bigint IS NOT NULL AND NOT EXISTS (SELECT 1 FROM article)" },

	/* $1 article key   $2 cursor (exclusive) or NULL   $3 page size */
	[SQL_COMMENTS_PAGE_OLDEST] = { "comments_page_oldest", 3,
	    COMMENTS_PAGE(">", "ASC") },
	[SQL_COMMENTS_PAGE_NEWEST] = { "comments_page_newest", 3,
	    COMMENTS_PAGE("<", "DESC") },

	/* $1 JSON array of article keys -> (key, approved count) */
	[SQL_ARTICLE_COUNTS] = { "article_counts", 1,
	"SELECT k.key, (SELECT count(*) FROM comments c"
	"  WHERE c.article_id = a.id AND c.status = 'approved') AS approved "
	"FROM json_array_elements_text($1::json) WITH ORDINALITY AS k(key, n)"
	"  LEFT JOIN articles a ON a.key = k.key "
	"ORDER BY k.n" },

	/* $1 comment id   $2 submitter token hash (hex) */
	[SQL_COMMENT_OWN] = { "comment_own", 2,
	"SELECT c.id, c.parent_id, c.author, c.body, c.status, "
	  TS("c.created_at") " AS created_at, a.key "
	"FROM comments c JOIN articles a ON a.id = c.article_id "
	"WHERE c.id = $1::bigint AND c.submitter_token_hash = decode($2, 'hex')" },
};

const struct sql_stmt *
sql_stmt(enum sql_id id)
{
	if (id >= SQL_COUNT || sql_table[id].text == NULL)
		fatalx("sql: no statement %d", (int)id);
	return &sql_table[id];
}
