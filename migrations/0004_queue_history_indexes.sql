-- 0004_queue_history_indexes: a queue item counts its author's earlier
-- decisions (by e-mail, or by name when there is no e-mail).  Partial
-- covering indexes answer that with index-only scans; the old ones made
-- the heap fetch every row of prolific names without an e-mail.

DROP INDEX comments_by_email;
DROP INDEX comments_by_author;

CREATE INDEX comments_history_by_email
	ON comments (lower(email), id) INCLUDE (status)
	WHERE email IS NOT NULL;

CREATE INDEX comments_history_by_author
	ON comments (author, id) INCLUDE (status)
	WHERE email IS NULL;
