/*
 * sql.c - the text of every statement, in two tables (see sql.h).
 *
 * Conventions: parameters are text with explicit casts; timestamps leave
 * the database already formatted as RFC 3339 UTC (TS below, everywhere)
 * so no code depends on the session time zone; each request is one
 * statement (data-modifying CTEs where it writes), so it is one round
 * trip on any free connection.
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
 * DELAY is "" in production; the tests' variant sleeps $4 seconds after
 * the statement's snapshot is taken (COMMENTD_DEBUG_READ_DELAY_MS), so a
 * change can commit while the read is under way.
 */
#define COMMENTS_PAGE(CMP, DIR, DELAY) \
	"WITH RECURSIVE a AS (" \
	"  SELECT id, key, title, url, mode FROM articles WHERE key = $1" \
	DELAY \
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
	"SELECT 'article' AS kind, NULL::bigint AS id," \
	"  NULL::bigint AS parent_id," \
	"  NULL AS author, NULL AS body, NULL AS created_at," \
	"  a.key, a.title, a.url, a.mode," \
	"  (SELECT count(*) FROM comments c WHERE c.article_id = a.id" \
	"     AND c.status = 'approved') AS total," \
	"  (SELECT count(*) FROM roots) > $3::int AS more " \
	"FROM a " \
	"UNION ALL " \
	"SELECT * FROM (" \
	"  SELECT 'comment', t.id, t.parent_id, t.author, t.body, " \
	   TS("t.created_at") ", NULL, NULL, NULL, NULL, NULL::bigint," \
	"  NULL::bool FROM thread t ORDER BY t.id) AS comments"


#define PAGE_DELAY \
	"  AND (SELECT true FROM pg_sleep($4::float8))"

/* What a reader is told of their own comment: one a rule refused
 * (stored rejected or spam behind the usual notice) reads as what they
 * were told until a moderator acts on it: no oracle for spammers. */
#define OWN_STATUS \
	"CASE WHEN c.moderated_by IS NULL AND c.spam_flags && ARRAY[" \
	"'banned_word', 'banned_author', 'honeypot', 'too_fast']" \
	" THEN c.submitted_status ELSE c.status END"

/* Everything a moderator sees of a comment (the queue and one item).
 * The author's history is the author record (migrations/0006), one
 * primary-key lookup whatever the queue's depth. */
#define ADMIN_ITEM_SELECT \
	"SELECT c.id, c.status, " TS("c.created_at") " AS created_at, " \
	   TS("c.moderated_at") " AS moderated_at, c.moderated_by," \
	"  a.key AS article_key, a.title AS article_title," \
	"  a.url AS article_url, p.id AS parent_id," \
	"  p.author AS parent_author, left(p.body, 140) AS parent_excerpt," \
	"  c.author, c.email, host(c.ip) AS ip, c.user_agent, c.body," \
	"  c.spam_score, array_to_json(c.spam_flags)::text AS spam_flags," \
	"  c.flag_details::text AS flag_details," \
	"  coalesce(h.approved, 0) AS approved," \
	"  coalesce(h.rejected, 0) AS rejected," \
	"  coalesce(h.spam, 0) AS spam," \
	"  coalesce(h.trusted, false) AS author_trusted " \
	"FROM comments c JOIN articles a ON a.id = c.article_id " \
	"LEFT JOIN comments p ON p.id = c.parent_id " \
	"LEFT JOIN authors h ON h.key = c.author_key "

/* The queue's filters: $1 status or 'all', $2 article key, $3 a LIKE
 * pattern on the folded body or author, $6 a reason code. */
#define QUEUE_FILTERS \
	"WHERE ($1 = 'all' OR c.status = $1)" \
	"  AND ($6::text IS NULL OR (c.spam_flags <> '{}'" \
	"    AND c.spam_flags @> ARRAY[$6::text]))" \
	"  AND ($2::text IS NULL OR a.key = $2::text)" \
	"  AND ($3::text IS NULL" \
	"    OR commentd_fold(c.body) LIKE commentd_fold($3::text)" \
	"    OR commentd_fold(c.author) LIKE commentd_fold($3::text))"

/* An article with its queue sizes, for the admin list and page. */
#define ADMIN_ARTICLE_SELECT \
	"SELECT a.id, a.key, a.title, a.url, a.mode, " \
	   TS("a.created_at") " AS created_at," \
	"  (SELECT count(*) FROM comments c WHERE c.article_id = a.id" \
	"    AND c.status = 'pending') AS pending," \
	"  (SELECT count(*) FROM comments c WHERE c.article_id = a.id" \
	"    AND c.status = 'approved') AS approved " \
	"FROM articles a "

#define WORD_COLUMNS \
	"id, word, list, " TS("created_at") " AS created_at, created_by"

#define BAN_COLUMNS \
	"id, kind, value, " TS("expires_at") " AS expires_at, reason, " \
	TS("created_at") " AS created_at, created_by"

/* One more failed login in a login_failures row (alias f), or the first
 * of a new window when its window ($3 seconds) is over. */
#define LOGIN_BUMP \
	"failures = CASE WHEN f.window_start >" \
	"  now() - make_interval(secs => $3::int) THEN f.failures + 1" \
	"  ELSE 1 END," \
	"window_start = CASE WHEN f.window_start >" \
	"  now() - make_interval(secs => $3::int) THEN f.window_start" \
	"  ELSE now() END"

static const struct sql_stmt sql_table[SQL_COUNT] = {
	[SQL_PING] = { "ping", 0, "SELECT 1" },

	/*
	 * A reader's submission, in one statement: create the article on its
	 * first comment when allowed (trying the insert only when the
	 * article is missing: a speculative insert that conflicts costs as
	 * much as a row), replay an earlier submission with the same
	 * Idempotency-Key, check the parent, refuse a duplicate, judge the
	 * site's rules that need the database (bans, a wave of the same
	 * text, the author's record) beside those the server judged ($19),
	 * decide the status, insert, and record each rule that acted as a
	 * 'rule' event by 'system'.  The first column says what happened:
	 * created, replayed, mismatch, duplicate (id: the earlier
	 * comment), no_article, closed or bad_parent.  No row at all means a
	 * concurrent transaction created the article (or the keyed comment)
	 * after this statement's snapshot: run it again.  status is what
	 * the reader is told: a comment a rule refused reads as pending.
	 * The key is bound to the request ($20, stored as request_hash): a
	 * keyed row whose hash differs answers 'mismatch' and nothing of
	 * it: no comment is stored and none is replayed.
	 *   $1 article key   $2 author   $3 email   $4 body   $5 parent id
	 *   $6 idempotency key   $7 ip   $8 user agent   $9 token hash (hex)
	 *   $10 article title   $11 article url (of an allowed origin)
	 *   $12 create unknown articles   $13 hash of the folded body (hex)
	 *   $14 duplicate window (s, 0 off)   $15 wave readers (0 off)
	 *   $16 bans on   $17 repeat offender threshold (0 off)
	 *   $18 trusted authors on   $19 the server's rules {code: detail}
	 *   $20 SHA-256 of the request's canonical fields (hex)
	 */
	[SQL_COMMENT_SUBMIT] = { "comment_submit", 20,
	"WITH new_article AS ("
	"  INSERT INTO articles (key, title, url) SELECT $1, $10, $11"
	"  WHERE $5::bigint IS NULL AND $12::bool"
	"    AND NOT EXISTS (SELECT 1 FROM articles WHERE key = $1)"
	"  ON CONFLICT (key) DO NOTHING RETURNING id, mode"
	"), article AS ("
	"  SELECT id, mode, CASE mode WHEN 'postmoderated' THEN 'approved'"
	"    ELSE 'pending' END AS initial"
	"  FROM (SELECT id, mode FROM new_article"
	"    UNION ALL SELECT id, mode FROM articles WHERE key = $1"
	"    LIMIT 1) AS found"
	"), who AS ("
	"  SELECT CASE WHEN $3::text IS NOT NULL THEN 'e:' || lower($3)"
	"    ELSE 'n:' || $2::text || E'\\n' ||"
	"      coalesce(host($7::inet), '') END AS key,"
	"    decode($13, 'hex') AS hash"
	"), prior AS ("
	"  SELECT c.id, c.parent_id, c.author, c.body, c.status, c.created_at,"
	"    c.submitted_status, c.spam_flags, c.moderated_by,"
	"    c.request_hash IS NOT DISTINCT FROM decode($20, 'hex') AS hash_ok"
	"  FROM comments c JOIN article a ON c.article_id = a.id"
	"  WHERE $6::text IS NOT NULL AND c.idempotency_key = $6::text"
	"), parent_ok AS ("
	"  SELECT $5::bigint IS NULL OR EXISTS ("
	"    SELECT 1 FROM comments p JOIN article a ON p.article_id = a.id"
	"    WHERE p.id = $5::bigint AND p.status = 'approved') AS ok"
	"), same AS ("
	"  SELECT c.id, c.ip, c.email, c.author_key FROM comments c, who"
	"  WHERE $14::int > 0 AND c.body_hash = who.hash"
	"    AND c.created_at > now() - make_interval(secs => $14::int)"
	"), dup AS ("
	"  SELECT min(s.id) AS id FROM same s, who"
	"  WHERE NOT EXISTS (SELECT 1 FROM prior) AND (s.ip = $7::inet"
	"    OR lower(s.email) = lower($3) OR s.author_key = who.key)"
	"  HAVING min(s.id) IS NOT NULL"
	"), wave AS ("
	"  SELECT min(id) AS first_id, count(DISTINCT reader) AS readers"
	"  FROM (SELECT s.id, network(set_masklen(s.ip, CASE family(s.ip)"
	"      WHEN 4 THEN 32 ELSE 64 END)) AS reader FROM same s"
	"    UNION ALL SELECT NULL, network(set_masklen($7::inet,"
	"      CASE family($7::inet) WHEN 4 THEN 32 ELSE 64 END))) AS r"
	"), ban AS ("
	"  SELECT min(id) AS id FROM ("
	"    SELECT b.id FROM bans b WHERE b.kind = 'ip'"
	"      AND b.cidr >>= $7::inet"
	"      AND (b.expires_at IS NULL OR b.expires_at > now())"
	"    UNION ALL SELECT b.id FROM bans b WHERE b.kind = 'email'"
	"      AND b.value = lower($3)"
	"      AND (b.expires_at IS NULL OR b.expires_at > now())"
	"    UNION ALL SELECT b.id FROM bans b WHERE b.kind = 'email_domain'"
	"      AND b.value IN (SELECT substr(d, p) FROM"
	"        lower(split_part($3, '@', 2)) AS d,"
	"        generate_series(1, length(d)) AS p"
	"        WHERE p = 1 OR substr(d, p - 1, 1) = '.')"
	"      AND (b.expires_at IS NULL OR b.expires_at > now())) AS m"
	"  WHERE $16::bool"
	"), author AS ("
	"  SELECT au.recent, au.trusted"
	"  FROM authors au, who WHERE au.key = who.key"
	"), verdict AS ("
	"  SELECT $19::jsonb"
	"    || CASE WHEN ban.id IS NOT NULL"
	"      THEN jsonb_build_object('banned_author', ban.id)"
	"      ELSE '{}' END"
	"    || CASE WHEN $15::int > 0 AND w.readers >= $15::int"
	"      AND w.first_id IS NOT NULL"
	"      THEN jsonb_build_object('duplicate_wave', w.first_id)"
	"      ELSE '{}' END"
	"    || coalesce((SELECT jsonb_build_object('repeat_offender',"
	"      jsonb_build_object('approved', x.a, 'rejected', x.r,"
	"      'spam', x.s, 'recent', x.a + x.r + x.s)) FROM ("
	"        SELECT length(au.recent) - length(replace(au.recent, 'a',"
	"          '')) AS a, length(au.recent) - length(replace(au.recent,"
	"          'r', '')) AS r, length(au.recent) -"
	"          length(replace(au.recent, 's', '')) AS s FROM author au"
	"      ) AS x"
	"      WHERE $17::int > 0 AND x.r + x.s >= $17::int"
	"        AND x.r + x.s > x.a), '{}') AS flags"
	"  FROM wave w, ban"
	"), decided AS MATERIALIZED ("
	"  SELECT v.flags, CASE"
	"    WHEN v.flags ?| ARRAY['banned_author', 'honeypot', 'too_fast']"
	"      THEN 'spam'"
	"    WHEN v.flags ? 'banned_word' THEN 'rejected'"
	"    WHEN v.flags ?| ARRAY['suspect_word', 'links', 'duplicate_wave',"
	"      'repeat_offender'] THEN 'pending'"
	"    WHEN $18::bool AND coalesce((SELECT trusted FROM author), false)"
	"      THEN 'approved'"
	"    ELSE a.initial END AS status"
	"  FROM verdict v, article a"
	"), inserted AS ("
	"  INSERT INTO comments (article_id, parent_id, author, email, body,"
	"    status, submitted_status, ip, user_agent, idempotency_key,"
	"    submitter_token_hash, author_key, body_hash, spam_flags,"
	"    flag_details, request_hash)"
	"  SELECT a.id, $5::bigint, $2, $3, $4, d.status,"
	"    CASE WHEN d.status IN ('rejected', 'spam') THEN 'pending'"
	"      ELSE d.status END,"
	"    $7::inet, $8, $6::text, decode($9, 'hex'), who.key, who.hash,"
	"    ARRAY(SELECT jsonb_object_keys(d.flags) ORDER BY 1), d.flags,"
	"    decode($20, 'hex')"
	"  FROM article a, parent_ok, decided d, who"
	"  WHERE a.mode <> 'closed' AND parent_ok.ok"
	"    AND NOT EXISTS (SELECT 1 FROM prior)"
	"    AND NOT EXISTS (SELECT 1 FROM dup)"
	"  ON CONFLICT (article_id, idempotency_key)"
	"    WHERE idempotency_key IS NOT NULL DO NOTHING"
	"  RETURNING id, parent_id, author, body, status, created_at,"
	"    submitted_status, flag_details"
	"), named AS ("
	"  UPDATE articles a SET title = coalesce(a.title, $10),"
	"    url = coalesce(a.url, $11)"
	"  FROM inserted i, article t"
	"  WHERE a.id = t.id AND NOT EXISTS (SELECT 1 FROM new_article)"
	"    AND ((a.title IS NULL AND $10 IS NOT NULL)"
	"      OR (a.url IS NULL AND $11 IS NOT NULL))"
	"), ev AS ("
	"  INSERT INTO moderation_events (comment_id, actor, action,"
	"    to_status, reason)"
	"  SELECT i.id, 'system', 'rule', i.status, CASE WHEN"
	"    f.value = 'true' THEN f.key ELSE f.key || ': ' ||"
	"    (f.value #>> '{}') END"
	"  FROM inserted i, jsonb_each(i.flag_details) f"
	") "
	"SELECT 'created' AS outcome, id, parent_id, author, body,"
	"  submitted_status AS status, "
	  TS("created_at") " AS created_at, submitted_status,"
	"  EXISTS (SELECT 1 FROM new_article) AS article_created,"
	"  status AS stored_status "
	"FROM inserted "
	"UNION ALL "
	"SELECT 'replayed', id, parent_id, author, body,"
	"  CASE WHEN moderated_by IS NULL AND spam_flags && ARRAY["
	"    'banned_word', 'banned_author', 'honeypot', 'too_fast']"
	"    THEN submitted_status ELSE status END, "
	  TS("created_at") ", submitted_status, false, status FROM prior "
	"WHERE hash_ok "
	"UNION ALL "
	"SELECT 'mismatch', NULL, NULL, NULL, NULL, NULL, NULL, NULL, false,"
	"  NULL FROM prior WHERE NOT hash_ok "
	"UNION ALL "
	"SELECT 'duplicate', dup.id, NULL, NULL, NULL, NULL, NULL, NULL,"
	"  false, NULL "
	"FROM dup, article a, parent_ok "
	"WHERE a.mode <> 'closed' AND parent_ok.ok "
	"UNION ALL "
	"SELECT CASE WHEN a.mode = 'closed' THEN 'closed' ELSE 'bad_parent' "
	"  END, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, NULL "
	"FROM article a, parent_ok "
	"WHERE NOT EXISTS (SELECT 1 FROM prior)"
	"  AND (a.mode = 'closed' OR NOT parent_ok.ok) "
	"UNION ALL "
	"SELECT CASE WHEN $5::bigint IS NULL THEN 'no_article'"
	"  ELSE 'bad_parent' END, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
	"  false, NULL "
	"WHERE ($5::bigint IS NOT NULL OR NOT $12::bool)"
	"  AND NOT EXISTS (SELECT 1 FROM article)" },

	/* $1 article key  $2 cursor (exclusive) or NULL  $3 page size */
	[SQL_COMMENTS_PAGE_OLDEST] = { "comments_page_oldest", 3,
	    COMMENTS_PAGE(">", "ASC", "") },
	[SQL_COMMENTS_PAGE_NEWEST] = { "comments_page_newest", 3,
	    COMMENTS_PAGE("<", "DESC", "") },
	/* The same, and $4 seconds of sleep: for tests only. */
	[SQL_COMMENTS_PAGE_OLDEST_DELAYED] = { "comments_page_oldest_delayed",
	    4, COMMENTS_PAGE(">", "ASC", PAGE_DELAY) },
	[SQL_COMMENTS_PAGE_NEWEST_DELAYED] = { "comments_page_newest_delayed",
	    4, COMMENTS_PAGE("<", "DESC", PAGE_DELAY) },

	/* $1 JSON array of article keys -> (key, approved count) */
	[SQL_ARTICLE_COUNTS] = { "article_counts", 1,
	"SELECT k.key, (SELECT count(*) FROM comments c"
	"  WHERE c.article_id = a.id AND c.status = 'approved') AS approved "
	"FROM json_array_elements_text($1::json) WITH ORDINALITY AS k(key, n)"
	"  LEFT JOIN articles a ON a.key = k.key "
	"ORDER BY k.n" },

	/* $1 comment id   $2 submitter token hash (hex) */
	[SQL_COMMENT_OWN] = { "comment_own", 2,
	"SELECT c.id, c.parent_id, c.author, c.body,"
	"  " OWN_STATUS " AS status, "
	  TS("c.created_at") " AS created_at, a.key "
	"FROM comments c JOIN articles a ON a.id = c.article_id "
	"WHERE c.id = $1::bigint"
	"  AND c.submitter_token_hash = decode($2, 'hex')" },

	/* The change feed (issue: live events).  Sent as plain text on the
	 * dedicated listening connection: LISTEN cannot be prepared. */
	[SQL_LISTEN] = { NULL, 0, "LISTEN commentd_status" },

	/* Events after $1 (Last-Event-ID, or a resync after the listening
	 * connection came back), oldest first, at most $2. */
	[SQL_EVENTS_SINCE] = { "events_since", 2,
	"SELECT e.id, commentd_event_json(e)::text FROM comment_events e "
	"WHERE e.id > $1::bigint ORDER BY e.id LIMIT $2::int" },

	/* The newest event id: where a stream without Last-Event-ID starts. */
	[SQL_EVENTS_LATEST] = { "events_latest", 0,
	"SELECT coalesce(max(id), 0) FROM comment_events" },

	/* $1 array of comment ids: announce new comments after their own
	 * transactions committed (see migrations/0003), a worker's batch at
	 * a time.  Losing an announcement on a crash loses nothing: streams
	 * catch up from comment_events. */
	[SQL_NOTIFY_NEW] = { "notify_new", 1,
	"SELECT set_config('synchronous_commit', 'off', true),"
	"  pg_notify('commentd_status', commentd_event_json(e)::text) "
	"FROM comment_events e "
	"WHERE e.comment_id = ANY ($1::bigint[]) AND e.kind = 'new' "
	"ORDER BY e.id" },

	/* $1 token hash (hex) -> the moderator it belongs to, if valid,
	 * and the token's id (what a live stream checks again). */
	[SQL_AUTH_TOKEN] = { "auth_token", 1,
	"SELECT m.id, m.name, m.role, t.kind, t.id FROM auth_tokens t "
	"JOIN moderators m ON m.id = t.moderator_id "
	"WHERE t.token_hash = decode($1, 'hex') AND t.revoked_at IS NULL"
	"  AND t.expires_at > now() AND NOT m.disabled" },

	/* $1 array of token ids: those no longer valid (revoked, expired,
	 * or their moderator disabled).  A worker's live streams, checked
	 * again at each keep-alive and when credentials change. */
	[SQL_STREAM_RECHECK] = { "stream_recheck", 1,
	"SELECT x FROM unnest($1::bigint[]) AS x "
	"WHERE NOT EXISTS (SELECT 1 FROM auth_tokens t"
	"  JOIN moderators m ON m.id = t.moderator_id"
	"  WHERE t.id = x AND t.revoked_at IS NULL"
	"    AND t.expires_at > now() AND NOT m.disabled)" },

	/*
	 * A login attempt, counted before the password is checked, in the
	 * statement that reads the counts, so concurrent guesses cannot
	 * all slip under a limit.  Three counts, each restarting when its
	 * window is over: the address (its limit), and, unless the address
	 * is over that limit already, the account and address pair (the
	 * lockout) and the account from anywhere (the delay).  So a flood
	 * from one address adds one row, not one per name.  Rows whose
	 * window is over are deleted, a few per attempt (SKIP LOCKED: never
	 * waiting for another login), so the table holds one window.
	 * Returns the counts with this attempt (NULL: not counted) and the
	 * account (NULLs when there is none).
	 *   $1 name  $2 address ('' if unknown)  $3 window in seconds
	 *   $4 the address's limit
	 */
	[SQL_LOGIN_LOOKUP] = { "login_lookup", 4,
	"WITH ip AS ("
	"  INSERT INTO login_failures AS f (scope, window_start, failures)"
	"  VALUES ('ip:' || $2, now(), 1)"
	"  ON CONFLICT (scope) DO UPDATE SET " LOGIN_BUMP
	"  RETURNING failures"
	"), acct AS ("
	"  INSERT INTO login_failures AS f (scope, window_start, failures)"
	"  SELECT s, now(), 1 FROM (VALUES ('pair:' || $1 || '@' || $2),"
	"    ('user:' || $1)) AS v (s)"
	"  WHERE (SELECT failures FROM ip) <= $4::int"
	"  ON CONFLICT (scope) DO UPDATE SET " LOGIN_BUMP
	"  RETURNING scope, failures"
	"), pruned AS ("
	"  DELETE FROM login_failures WHERE scope IN ("
	"    SELECT scope FROM login_failures"
	"    WHERE window_start < now() - make_interval(secs => $3::int)"
	"      AND scope NOT IN ('ip:' || $2, 'pair:' || $1 || '@' || $2,"
	"        'user:' || $1)"
	"    LIMIT 32 FOR UPDATE SKIP LOCKED)"
	") "
	"SELECT"
	"  (SELECT failures FROM ip) AS ip_failures,"
	"  (SELECT failures FROM acct WHERE scope LIKE 'pair:%')"
	"    AS pair_failures,"
	"  (SELECT failures FROM acct WHERE scope LIKE 'user:%')"
	"    AS user_failures,"
	"  m.id, m.password_hash, m.role, m.disabled "
	"FROM (SELECT 1) AS one "
	"LEFT JOIN moderators m ON m.name = $1" },

	/* $1 moderator id  $2 token hash  $3 hours  $4 name  $5 address
	 * $6 the password hash the login was checked against: a new
	 * session, unless a reset or a disable committed since (no row).
	 * The attempt was no failure: the pair's count starts again, and
	 * the account and the address get it back (the account's other
	 * failures, from elsewhere, still count). */
	[SQL_SESSION_CREATE] = { "session_create", 6,
	"WITH cleared AS ("
	"  DELETE FROM login_failures WHERE scope = 'pair:' || $4 || '@' || $5"
	"), given_back AS ("
	"  UPDATE login_failures SET failures = greatest(failures - 1, 0)"
	"  WHERE scope IN ('ip:' || $5, 'user:' || $4)"
	") "
	"INSERT INTO auth_tokens (moderator_id, kind, token_hash, expires_at) "
	"SELECT id, 'session', decode($2, 'hex'),"
	"  now() + make_interval(hours => $3::int) "
	"FROM moderators "
	"WHERE id = $1::bigint AND password_hash = $6 AND NOT disabled "
	"FOR SHARE "
	"RETURNING " TS("expires_at") " AS expires_at" },

	/* $1 token hash: revoke it (logout). */
	[SQL_TOKEN_REVOKE] = { "token_revoke", 1,
	"UPDATE auth_tokens SET revoked_at = now() "
	"WHERE token_hash = decode($1, 'hex') AND revoked_at IS NULL" },

	/* The queue: $1 status or 'all'  $2 article key  $3 LIKE pattern on
	 * folded text  $4 cursor (exclusive)  $5 page size (+1 looked at)
	 * $6 reason code.
	 * One-shot: with the values known, the planner drops the filters
	 * not given and picks the index of the status or article. */
	[SQL_ADMIN_QUEUE_ASC] = { "admin_queue_asc", 6,
	ADMIN_ITEM_SELECT QUEUE_FILTERS
	"  AND c.id > coalesce($4::bigint, 0) "
	"ORDER BY c.id ASC LIMIT $5::int + 1", 1 },
	[SQL_ADMIN_QUEUE_DESC] = { "admin_queue_desc", 6,
	ADMIN_ITEM_SELECT QUEUE_FILTERS
	"  AND c.id < coalesce($4::bigint, 9223372036854775807) "
	"ORDER BY c.id DESC LIMIT $5::int + 1", 1 },

	/*
	 * The plain pending queue (no article, no search), what moderators
	 * open most: prepared once and run on one generic plan.  Written
	 * so that plan is good: with "LIMIT $2" the planner must guess the
	 * page size (10 % of a million rows), so it re-planned every page
	 * (half the query's time, and now and then 100 ms).  The page is
	 * instead the first $2 + 1 of at most 1001 ids (page-size-max is
	 * at most 1000): a constant bound the estimates can use, and a
	 * window run condition that stops the scan at the page's end.
	 * $1 cursor (exclusive)  $2 page size (+1 looked at).
	 */
	[SQL_ADMIN_PENDING] = { "admin_pending", 2,
	ADMIN_ITEM_SELECT
	"JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n"
	"  FROM (SELECT id FROM comments WHERE status = 'pending'"
	"    AND id > coalesce($1::bigint, 0) ORDER BY id LIMIT 1001) AS s"
	") AS page ON page.id = c.id "
	"WHERE page.n <= $2::int + 1 "
	"ORDER BY c.id ASC" },

	/* $1 comment id */
	[SQL_ADMIN_COMMENT] = { "admin_comment", 1,
	ADMIN_ITEM_SELECT "WHERE c.id = $1::bigint" },

	/*
	 * A moderator's action as one compare-and-set: lock the comment,
	 * move it only if it is still in $2 (NULL: any status but pending)
	 * and, when approving a reply, its parent is approved; record the
	 * event.  outcome: ok, conflict, parent_not_approved; no row: no
	 * such comment.  The row lock makes racing actions queue: the loser
	 * sees the winner's status.
	 *   $1 id  $2 from  $3 to  $4 actor name  $5 moderator id
	 *   $6 action  $7 reason  $8 trust the author (approve)
	 */
	[SQL_MOD_ACTION] = { "mod_action", 8,
	"WITH actor AS ("
	"  SELECT set_config('commentd.actor', $4, true) AS name"
	"), target AS ("
	"  SELECT c.id, c.status, c.parent_id, c.moderated_by,"
	"    c.moderated_at, c.article_id"
	"  FROM comments c WHERE c.id = $1::bigint FOR UPDATE"
	"), parent_ok AS ("
	"  SELECT NOT ($3 = 'approved' AND t.parent_id IS NOT NULL AND"
	"    NOT EXISTS (SELECT 1 FROM comments p WHERE p.id = t.parent_id"
	"      AND p.status = 'approved')) AS ok"
	"  FROM target t"
	"), upd AS ("
	"  UPDATE comments c SET status = $3, moderated_at = now(),"
	"    moderated_by = actor.name"
	"  FROM target t, parent_ok po, actor"
	"  WHERE c.id = t.id AND po.ok AND CASE WHEN $2::text IS NULL"
	"    THEN t.status <> 'pending' ELSE t.status = $2::text END"
	"  RETURNING c.id, c.status, c.moderated_by, c.moderated_at,"
	"    t.status AS from_status, c.author_key"
	"), trusted AS ("
	"  INSERT INTO authors AS au (key, trusted)"
	"  SELECT author_key, true FROM upd"
	"  WHERE $8::bool AND author_key IS NOT NULL"
	"  ON CONFLICT (key) DO UPDATE SET trusted = true"
	"), ev AS ("
	"  INSERT INTO moderation_events (comment_id, actor, moderator_id,"
	"    action, from_status, to_status, reason)"
	"  SELECT id, $4, $5::bigint, $6, from_status, status, $7 FROM upd"
	"  RETURNING id"
	") "
	"SELECT CASE WHEN u.id IS NOT NULL THEN 'ok'"
	"    WHEN NOT po.ok THEN 'parent_not_approved'"
	"    ELSE 'conflict' END AS outcome,"
	"  t.id, coalesce(u.status, t.status) AS status,"
	"  coalesce(u.moderated_by, t.moderated_by) AS moderated_by, "
	  TS("coalesce(u.moderated_at, t.moderated_at)") " AS moderated_at,"
	"  (SELECT id FROM ev) AS event_id, a.key AS article "
	"FROM target t JOIN parent_ok po ON true LEFT JOIN upd u ON true"
	"  JOIN articles a ON a.id = t.article_id" },

	/* $1 id  $2 new body  $3 actor  $4 moderator id  $5 reason: edit,
	 * keeping the old body in the event. */
	[SQL_COMMENT_EDIT] = { "comment_edit", 5,
	"WITH actor AS ("
	"  SELECT set_config('commentd.actor', $3, true) AS name"
	"), target AS ("
	"  SELECT id, body, status FROM comments WHERE id = $1::bigint"
	"  FOR UPDATE"
	"), upd AS ("
	"  UPDATE comments c SET body = $2 FROM target t, actor"
	"  WHERE c.id = t.id"
	"  RETURNING c.id, c.status, c.body, t.body AS old_body"
	"), ev AS ("
	"  INSERT INTO moderation_events (comment_id, actor, moderator_id,"
	"    action, from_status, to_status, reason, old_body)"
	"  SELECT id, $3, $4::bigint, 'edit', status, status, $5, old_body"
	"  FROM upd WHERE body IS DISTINCT FROM old_body RETURNING id"
	") "
	"SELECT u.id, u.status, u.body, (SELECT id FROM ev) AS event_id,"
	"  a.key AS article "
	"FROM upd u JOIN comments c ON c.id = u.id"
	"  JOIN articles a ON a.id = c.article_id" },

	/* $1 id: one row with NULL event columns if there are no events;
	 * no row if there is no such comment. */
	[SQL_COMMENT_HISTORY] = { "comment_history", 1,
	"SELECT e.id, e.actor, e.action, e.from_status, e.to_status,"
	"  e.reason, e.old_body, " TS("e.created_at") " AS created_at "
	"FROM comments c LEFT JOIN moderation_events e ON e.comment_id = c.id "
	"WHERE c.id = $1::bigint ORDER BY e.id" },

	/* $1 LIKE pattern on folded key/title  $2 cursor (exclusive)
	 * $3 page size (+1 looked at); newest first. */
	[SQL_ADMIN_ARTICLES] = { "admin_articles", 3,
	ADMIN_ARTICLE_SELECT
	"WHERE ($1::text IS NULL"
	"    OR commentd_fold(a.key) LIKE commentd_fold($1::text)"
	"    OR commentd_fold(coalesce(a.title, ''))"
	"      LIKE commentd_fold($1::text))"
	"  AND ($2::bigint IS NULL OR a.id < $2::bigint) "
	"ORDER BY a.id DESC LIMIT $3::int + 1", 1 },

	/* $1 key */
	[SQL_ADMIN_ARTICLE] = { "admin_article", 1,
	ADMIN_ARTICLE_SELECT "WHERE a.key = $1" },

	/* $1 key  $2 title  $3 url  $4 mode  $5..$7 whether each was given */
	[SQL_ADMIN_ARTICLE_PUT] = { "admin_article_put", 7,
	"WITH put AS ("
	"  INSERT INTO articles AS a (key, title, url, mode)"
	"  VALUES ($1, $2, $3, coalesce($4, 'premoderated'))"
	"  ON CONFLICT (key) DO UPDATE SET"
	"    title = CASE WHEN $5::bool THEN $2 ELSE a.title END,"
	"    url = CASE WHEN $6::bool THEN $3 ELSE a.url END,"
	"    mode = CASE WHEN $7::bool THEN $4 ELSE a.mode END"
	"  RETURNING a.*"
	") "
	"SELECT a.id, a.key, a.title, a.url, a.mode, "
	  TS("a.created_at") " AS created_at,"
	"  (SELECT count(*) FROM comments c WHERE c.article_id = a.id"
	"    AND c.status = 'pending') AS pending,"
	"  (SELECT count(*) FROM comments c WHERE c.article_id = a.id"
	"    AND c.status = 'approved') AS approved "
	"FROM put a" },

	[SQL_ADMIN_STATS] = { "admin_stats", 0,
	"SELECT"
	"  (SELECT coalesce(json_object_agg(status, n), '{}')"
	"    FROM (SELECT status, count(*) AS n FROM comments"
	"      GROUP BY status) s)::text AS counts,"
	"  (SELECT " TS("created_at") " FROM comments"
	"    WHERE status = 'pending' ORDER BY id LIMIT 1) AS oldest,"
	"  (SELECT floor(extract(epoch FROM now() - created_at))::bigint"
	"    FROM comments WHERE status = 'pending' ORDER BY id LIMIT 1)"
	"    AS oldest_age,"
	"  (SELECT coalesce(json_object_agg(actor, n), '{}')"
	"    FROM (SELECT actor, count(*) AS n FROM moderation_events"
	"      WHERE created_at >= date_trunc('day', now())"
	"        AND action IN ('approve', 'reject', 'spam', 'delete',"
	"          'restore')"
	"      GROUP BY actor) d)::text AS decisions" },

	/*
	 * A reader's report of a comment, counted once per reader
	 * ($2, a keyed hash of their address, an IPv6 /64) and only while
	 * it is published.  The report that reaches $4 flags it
	 * 'reported' and, when $5 is 'unpublish', sends it back to the
	 * queue as the actor "readers" (the status trigger announces
	 * it); with 'flag' it stays published, and the event says so.
	 * counted: whether this report was new.
	 *   $1 id  $2 reporter (hex)  $3 reason  $4 threshold  $5 action
	 */
	[SQL_COMMENT_REPORT] = { "comment_report", 5,
	"WITH actor AS ("
	"  SELECT set_config('commentd.actor', 'readers', true) AS name"
	"), target AS ("
	"  SELECT c.id, c.status, c.report_count, c.article_id"
	"  FROM comments c WHERE c.id = $1::bigint"
	"    AND c.status IN ('approved', 'pending') FOR UPDATE"
	"), ins AS ("
	"  INSERT INTO comment_reports (comment_id, reporter, reason)"
	"  SELECT id, decode($2, 'hex'), $3 FROM target"
	"  WHERE status = 'approved'"
	"  ON CONFLICT DO NOTHING RETURNING comment_id"
	"), upd AS ("
	"  UPDATE comments c SET report_count = c.report_count + 1,"
	"    status = CASE WHEN c.report_count + 1 >= $4::int"
	"      AND $5 = 'unpublish' THEN 'pending' ELSE c.status END,"
	"    spam_flags = CASE WHEN c.report_count + 1 >= $4::int"
	"      AND NOT 'reported' = ANY (c.spam_flags)"
	"      THEN c.spam_flags || 'reported'::text ELSE c.spam_flags END,"
	"    moderated_at = CASE WHEN c.report_count + 1 >= $4::int"
	"      AND $5 = 'unpublish' THEN now() ELSE c.moderated_at END,"
	"    moderated_by = CASE WHEN c.report_count + 1 >= $4::int"
	"      AND $5 = 'unpublish' THEN actor.name ELSE c.moderated_by END"
	"  FROM ins, actor WHERE c.id = ins.comment_id"
	"  RETURNING c.id, c.status, c.report_count"
	"), ev AS ("
	"  INSERT INTO moderation_events (comment_id, actor, action,"
	"    from_status, to_status, reason)"
	"  SELECT id, 'readers', 'report', 'approved', 'pending',"
	"    report_count || ' reports' FROM upd WHERE status = 'pending'"
	"  UNION ALL"
	"  SELECT id, 'readers', 'flag', 'approved', 'approved',"
	"    report_count || ' reports' FROM upd"
	"  WHERE status = 'approved' AND report_count = $4::int"
	") "
	"SELECT t.id, (SELECT count(*) FROM ins) AS counted,"
	"  coalesce(u.report_count, t.report_count) AS reports,"
	"  coalesce(u.status, t.status) AS status, a.key AS article "
	"FROM target t JOIN articles a ON a.id = t.article_id"
	"  LEFT JOIN upd u ON true" },

	/* A worker's copy of the word lists (words.c). */
	[SQL_WORDS_LOAD] = { "words_load", 0,
	"SELECT id, word, list FROM words ORDER BY id" },

	/* $1 list or NULL */
	[SQL_WORDS_LIST] = { "words_list", 1,
	"SELECT " WORD_COLUMNS " FROM words"
	" WHERE $1::text IS NULL OR list = $1::text ORDER BY id" },

	/* $1 word  $2 list  $3 folded  $4 actor.  No row: an entry that
	 * folds alike exists. */
	[SQL_WORD_ADD] = { "word_add", 4,
	"INSERT INTO words (word, list, folded, created_by)"
	" VALUES ($1, $2, $3, $4) ON CONFLICT (folded) DO NOTHING"
	" RETURNING " WORD_COLUMNS },

	/* $1 id */
	[SQL_WORD_DELETE] = { "word_delete", 1,
	"DELETE FROM words WHERE id = $1::bigint RETURNING id" },

	/* $1 include expired ones */
	[SQL_BANS_LIST] = { "bans_list", 1,
	"SELECT " BAN_COLUMNS " FROM bans"
	" WHERE $1::bool OR expires_at IS NULL OR expires_at > now()"
	" ORDER BY id DESC" },

	/* $1 kind  $2 value  $3 expires_at  $4 reason  $5 actor */
	[SQL_BAN_ADD] = { "ban_add", 5,
	"INSERT INTO bans (kind, value, cidr, expires_at, reason,"
	"  created_by)"
	" VALUES ($1, $2::text, CASE WHEN $1 = 'ip' THEN $2::text::cidr END,"
	"  $3::timestamptz, $4, $5)"
	" RETURNING " BAN_COLUMNS },

	/* $1 comment id  $2 expires_at  $3 reason  $4 actor: "ban this
	 * author", by e-mail when the comment has one, else by address.
	 * No row: no such comment, or one with neither. */
	[SQL_BAN_AUTHOR] = { "ban_author", 4,
	"INSERT INTO bans (kind, value, cidr, expires_at, reason,"
	"  created_by)"
	" SELECT CASE WHEN c.email IS NOT NULL THEN 'email' ELSE 'ip' END,"
	"  coalesce(lower(c.email), host(c.ip)),"
	"  CASE WHEN c.email IS NULL THEN set_masklen(c.ip, CASE"
	"    family(c.ip) WHEN 4 THEN 32 ELSE 128 END)::cidr END,"
	"  $2::timestamptz, $3, $4"
	" FROM comments c WHERE c.id = $1::bigint"
	"  AND (c.email IS NOT NULL OR c.ip IS NOT NULL)"
	" RETURNING " BAN_COLUMNS },

	/* $1 id */
	[SQL_BAN_DELETE] = { "ban_delete", 1,
	"DELETE FROM bans WHERE id = $1::bigint RETURNING id" },

	/* The accounts, for admins. */
	[SQL_MODERATORS_LIST] = { "moderators_list", 0,
	"SELECT name, role, disabled, " TS("created_at") " AS created_at "
	"FROM moderators ORDER BY name" },

	/* $1 name  $2 argon2id string  $3 role.  No row: the name is
	 * taken. */
	[SQL_MODERATOR_ADD] = { "moderator_add", 3,
	"INSERT INTO moderators (name, password_hash, role) "
	"VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING "
	"RETURNING name, role, disabled, " TS("created_at") " AS created_at" },

	/*
	 * $1 name  $2 disabled (NULL: unchanged)  $3 role (NULL: unchanged).
	 * Disabling revokes every session and API token too.  A login or
	 * token made concurrently is harmless while the account is
	 * disabled: every request's credential check (SQL_AUTH_TOKEN) also
	 * requires it to be enabled.  A disabled account cannot get
	 * credentials of its own, so any live one is such a leftover, and
	 * enabling it again revokes them rather than bring them back.
	 */
	[SQL_MODERATOR_UPDATE] = { "moderator_update", 3,
	"WITH upd AS ("
	"  UPDATE moderators m SET"
	"    disabled = coalesce($2::boolean, m.disabled),"
	"    role = coalesce($3::text, m.role), updated_at = now()"
	"  FROM (SELECT id, disabled FROM moderators WHERE name = $1) AS was"
	"  WHERE m.id = was.id"
	"  RETURNING m.id, m.name, m.role, m.disabled, m.created_at,"
	"    was.disabled AS was_disabled"
	"), revoked AS ("
	"  UPDATE auth_tokens t SET revoked_at = now() FROM upd"
	"  WHERE t.moderator_id = upd.id"
	"    AND (upd.disabled OR upd.was_disabled)"
	"    AND t.revoked_at IS NULL"
	") "
	"SELECT name, role, disabled, " TS("created_at") " AS created_at "
	"FROM upd" },

	/*
	 * $1 name  $2 argon2id string: a new password, which revokes the
	 * account's login sessions and API tokens alike: a reset is what
	 * an admin does when the account may be in other hands.  A token
	 * made meanwhile (SQL_TOKEN_ADD, holding the account's row) commits
	 * before this update takes the row, but after this statement's
	 * snapshot: SQL_MODERATOR_REVOKE_BEFORE, run next, revokes what was
	 * made before done_at (taken once the row is ours).
	 */
	[SQL_MODERATOR_PASSWORD] = { "moderator_password", 2,
	"WITH upd AS ("
	"  UPDATE moderators SET password_hash = $2, updated_at = now()"
	"  WHERE name = $1 RETURNING id, name"
	"), ended AS ("
	"  UPDATE auth_tokens t SET revoked_at = now() FROM upd"
	"  WHERE t.moderator_id = upd.id AND t.revoked_at IS NULL"
	"  RETURNING t.id"
	") SELECT name, (SELECT count(*) FROM ended) AS revoked,"
	"  " TS("clock_timestamp()") " AS done_at FROM upd" },

	/* $1 name  $2 time: revokes the account's credentials made before
	 * it (the second half of a reset, above); a login with the new
	 * password is made after it.  How many. */
	[SQL_MODERATOR_REVOKE_BEFORE] = { "moderator_revoke_before", 2,
	"WITH ended AS ("
	"  UPDATE auth_tokens t SET revoked_at = now() FROM moderators m"
	"  WHERE m.name = $1 AND t.moderator_id = m.id"
	"    AND t.revoked_at IS NULL AND t.created_at < $2::timestamptz"
	"  RETURNING t.id"
	") SELECT count(*) FROM ended" },

	/*
	 * Live credentials (neither revoked nor expired), newest first:
	 * never the secret nor its hash.  current: the caller's own.
	 *   $1 moderator name or NULL (all)  $2 kind or NULL  $3 cursor
	 *   (exclusive)  $4 page size (+1 looked at)  $5 the caller's
	 *   token hash (hex)
	 */
	[SQL_TOKENS_LIST] = { "tokens_list", 5,
	"SELECT t.id, m.name AS moderator, t.kind, t.label, "
	  TS("t.created_at") " AS created_at, "
	  TS("t.expires_at") " AS expires_at,"
	"  t.token_hash = decode($5, 'hex') AS current "
	"FROM auth_tokens t JOIN moderators m ON m.id = t.moderator_id "
	"WHERE t.revoked_at IS NULL AND t.expires_at > now()"
	"  AND ($1::text IS NULL OR m.name = $1::text)"
	"  AND ($2::text IS NULL OR t.kind = $2::text)"
	"  AND ($3::bigint IS NULL OR t.id < $3::bigint) "
	"ORDER BY t.id DESC LIMIT $4::int + 1" },

	/*
	 * A new API token of an enabled account, made while the caller's
	 * credential ($5) is live.  The account's row is held (FOR SHARE)
	 * so a concurrent password reset either waits for this insert (and
	 * revokes it in its second half) or went first: then the row read
	 * here is the new one (PostgreSQL re-reads a row it waited for), its
	 * hash differs from the snapshot's, and nothing is inserted.
	 *   $1 moderator id  $2 SHA-256 of the token (hex)  $3 days
	 *   $4 label or NULL  $5 the caller's token hash (hex)
	 */
	[SQL_TOKEN_ADD] = { "token_add", 5,
	"WITH m AS ("
	"  SELECT id, name, password_hash FROM moderators"
	"  WHERE id = $1::bigint AND NOT disabled FOR SHARE"
	"), seen AS ("
	"  SELECT password_hash FROM moderators WHERE id = $1::bigint"
	"), caller AS ("
	"  SELECT 1 FROM auth_tokens s WHERE s.token_hash = decode($5, 'hex')"
	"    AND s.moderator_id = $1::bigint AND s.revoked_at IS NULL"
	"    AND s.expires_at > now()"
	"), t AS ("
	"  INSERT INTO auth_tokens (moderator_id, kind, token_hash,"
	"    expires_at, label)"
	"  SELECT m.id, 'api', decode($2, 'hex'),"
	"    now() + make_interval(days => $3::int), $4::text"
	"  FROM m, seen WHERE m.password_hash = seen.password_hash"
	"    AND EXISTS (SELECT 1 FROM caller)"
	"  RETURNING id, kind, label, created_at, expires_at"
	") "
	"SELECT t.id, m.name AS moderator, t.kind, t.label, "
	  TS("t.created_at") " AS created_at, "
	  TS("t.expires_at") " AS expires_at, false AS current "
	"FROM t, m" },

	/* $1 id  $2 owner's moderator id, or NULL (an admin: anyone's).
	 * No row: no such live credential (of that owner). */
	[SQL_TOKEN_REVOKE_ID] = { "token_revoke_id", 2,
	"UPDATE auth_tokens SET revoked_at = now() "
	"WHERE id = $1::bigint AND revoked_at IS NULL AND expires_at > now()"
	"  AND ($2::bigint IS NULL OR moderator_id = $2::bigint) "
	"RETURNING id, kind" },
};

const struct sql_stmt *
sql_stmt(enum sql_id id)
{
	if ((unsigned)id >= SQL_COUNT || sql_table[id].text == NULL)
		fatalx("sql: no statement %d", (int)id);
	return &sql_table[id];
}

/* 'commentd' in ASCII: the advisory lock every migrating process takes. */
#define MIGRATE_LOCK_KEY	"7165064575311376484"

static const char *const sql_blocking_table[SQLB_COUNT] = {
	[SQLB_BEGIN] = "BEGIN",
	[SQLB_COMMIT] = "COMMIT",
	[SQLB_ROLLBACK] = "ROLLBACK",
	/* Migrations' notices ("already exists, skipping") are noise. */
	[SQLB_QUIET] = "SET client_min_messages = warning",

	/* Several processes starting at once apply each migration once. */
	[SQLB_MIGRATE_LOCK] =
	"SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")",
	[SQLB_MIGRATE_UNLOCK] =
	"SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")",
	[SQLB_MIGRATIONS_TABLE] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	"  version integer PRIMARY KEY, name text NOT NULL,"
	"  applied_at timestamptz NOT NULL DEFAULT now())",
	/* Whether the table exists: a database never migrated has none. */
	[SQLB_MIGRATIONS_EXIST] =
	"SELECT to_regclass('schema_migrations') IS NOT NULL",
	/* The schema's version: the newest migration applied. */
	[SQLB_MIGRATION_LATEST] =
	"SELECT coalesce(max(version), 0) FROM schema_migrations",
	/* $1 version */
	[SQLB_MIGRATION_APPLIED] =
	"SELECT 1 FROM schema_migrations WHERE version = $1::integer",
	/* $1 version  $2 file name */
	[SQLB_MIGRATION_RECORD] =
	"INSERT INTO schema_migrations (version, name)"
	" VALUES ($1::integer, $2)",
	/* $1 name: a server secret (read as binary). */
	[SQLB_SECRET] =
	"SELECT value FROM server_secrets WHERE name = $1",
	/* The connections a role that is not a superuser may open: the
	 * limit, the slots kept for superusers (and from PostgreSQL 16 for
	 * pg_use_reserved_connections), and the client backends open now,
	 * this one among them. */
	[SQLB_CONN_BUDGET] =
	"SELECT current_setting('max_connections')::integer,"
	" current_setting('superuser_reserved_connections')::integer"
	"  + coalesce(current_setting('reserved_connections', true),"
	"    '0')::integer,"
	" (SELECT count(*) FROM pg_stat_activity"
	"   WHERE backend_type = 'client backend')::integer",

	/* $1 name */
	[SQLB_MOD_EXISTS] =
	"SELECT 1 FROM moderators WHERE name = $1",

	/* $1 name  $2 argon2id string  $3 role.  No row back: a concurrent
	 * add took the name first. */
	[SQLB_MOD_ADD] =
	"INSERT INTO moderators (name, password_hash, role)"
	" VALUES ($1, $2, $3)"
	" ON CONFLICT (name) DO NOTHING RETURNING id",

	/* Active tokens: neither revoked nor expired. */
	[SQLB_MOD_LIST] =
	"SELECT m.name, m.role,"
	"  CASE WHEN m.disabled THEN 'disabled' ELSE 'enabled' END, "
	   TS("m.created_at") ","
	"  (SELECT count(*) FROM auth_tokens t WHERE t.moderator_id = m.id"
	"    AND t.revoked_at IS NULL AND t.expires_at > now())"
	" FROM moderators m ORDER BY m.name",

	/*
	 * $1 name.  First of a transaction: the row lock it takes makes a
	 * concurrent token create (FOR SHARE below) wait, and the revoke
	 * that follows, a statement of its own with a newer snapshot, sees
	 * every token committed before.  One statement with both would
	 * miss a token committed while it waited for the lock.
	 */
	[SQLB_MOD_DISABLE] =
	"UPDATE moderators SET disabled = true, updated_at = now()"
	" WHERE name = $1 RETURNING id",

	/* $1 name  $2 argon2id string.  First of a transaction, like
	 * SQLB_MOD_DISABLE, and followed by SQLB_MOD_REVOKE_ALL. */
	[SQLB_MOD_PASSWORD] =
	"UPDATE moderators SET password_hash = $2, updated_at = now()"
	" WHERE name = $1 RETURNING id",

	/* $1 moderator id: sessions and API tokens alike. */
	[SQLB_MOD_REVOKE_ALL] =
	"UPDATE auth_tokens SET revoked_at = now()"
	" WHERE moderator_id = $1::bigint AND revoked_at IS NULL",

	[SQLB_MOD_ANY] =
	"SELECT EXISTS (SELECT 1 FROM moderators)",

	/* Conflicts with itself and with the inserts of moderator add: two
	 * bootstraps at once create one admin, the other nothing. */
	[SQLB_MOD_LOCK] =
	"LOCK TABLE moderators IN SHARE ROW EXCLUSIVE MODE",

	/* $1 argon2id string; under SQLB_MOD_LOCK. */
	[SQLB_MOD_BOOTSTRAP] =
	"INSERT INTO moderators (name, password_hash, role)"
	" SELECT 'admin', $1, 'admin'"
	" WHERE NOT EXISTS (SELECT 1 FROM moderators) RETURNING id",

	/*
	 * $1 name  $2 SHA-256 of the token (hex)  $3 days  $4 label or
	 * NULL.  No row: no such moderator; disabled true: nothing
	 * inserted.  FOR SHARE waits for a concurrent disable and then
	 * reads the disabled row.
	 */
	[SQLB_TOKEN_CREATE] =
	"WITH m AS ("
	"  SELECT id, disabled FROM moderators WHERE name = $1 FOR SHARE"
	"), t AS ("
	"  INSERT INTO auth_tokens (moderator_id, kind, token_hash,"
	"    expires_at, label)"
	"  SELECT id, 'api', decode($2, 'hex'),"
	"    now() + make_interval(days => $3::int), $4::text"
	"  FROM m WHERE NOT disabled RETURNING id, expires_at"
	") SELECT m.disabled, (SELECT " TS("t.expires_at") " FROM t),"
	" (SELECT id FROM t)"
	" FROM m",

	/* $1 name.  No row: no such moderator; else how many revoked. */
	[SQLB_TOKEN_REVOKE] =
	"WITH m AS ("
	"  SELECT id FROM moderators WHERE name = $1"
	"), t AS ("
	"  UPDATE auth_tokens SET revoked_at = now()"
	"  WHERE moderator_id IN (SELECT id FROM m) AND revoked_at IS NULL"
	"  RETURNING 1"
	") SELECT (SELECT count(*) FROM t) FROM m",
};

const char *
sql_blocking_text(enum sql_blocking_id id)
{
	if ((unsigned)id >= SQLB_COUNT || sql_blocking_table[id] == NULL)
		fatalx("sql: no blocking statement %d", (int)id);
	return sql_blocking_table[id];
}
