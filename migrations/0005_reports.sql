-- 0005_reports: readers flag published comments.  A reader is known by a
-- keyed hash of their address (never the address itself), so one reader
-- counts once per comment.  Past the server's threshold the comment goes
-- back to the queue as pending, flagged 'reported' (sql.c,
-- SQL_COMMENT_REPORT).

CREATE TABLE comment_reports (
	comment_id	bigint NOT NULL REFERENCES comments (id),
	reporter	bytea NOT NULL,
	reason		text CHECK (char_length(reason) <= 500),
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (comment_id, reporter)
);

ALTER TABLE comments
	ADD COLUMN report_count integer NOT NULL DEFAULT 0;
