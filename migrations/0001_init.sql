-- 0001_init: articles, comments, moderation events, the status-change
-- notification, and the secret that derives submitter tokens.
--
-- Applied by `commentd migrate` inside one transaction; do not add
-- BEGIN/COMMIT here.

CREATE TABLE articles (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	key		text NOT NULL UNIQUE
			CHECK (char_length(key) BETWEEN 1 AND 200),
	title		text,
	url		text,
	mode		text NOT NULL DEFAULT 'premoderated'
			CHECK (mode IN ('premoderated', 'postmoderated', 'closed')),
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE comments (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	article_id		bigint NOT NULL REFERENCES articles (id),
	parent_id		bigint REFERENCES comments (id),
	author			text NOT NULL,
	email			text,
	body			text NOT NULL,
	status			text NOT NULL DEFAULT 'pending'
				CHECK (status IN ('pending', 'approved', 'rejected',
				    'spam', 'deleted')),
	created_at		timestamptz NOT NULL DEFAULT now(),
	moderated_at		timestamptz,
	moderated_by		text,
	ip			inet,
	user_agent		text,
	spam_score		real NOT NULL DEFAULT 0,
	spam_flags		text[] NOT NULL DEFAULT '{}',
	idempotency_key		text,
	submitter_token_hash	bytea,
	-- The status the submission got, so an idempotent replay answers
	-- as the original did (202 pending / 201 published).
	submitted_status	text NOT NULL DEFAULT 'pending'
);

-- Hot query 1: an article's approved comments in order (keyset on id).
CREATE INDEX comments_approved_by_article
	ON comments (article_id, id) WHERE status = 'approved';

-- Hot query 2: the pending queue, oldest first (keyset on id).
CREATE INDEX comments_pending_queue
	ON comments (id) WHERE status = 'pending';

-- Replies of a comment (thread assembly).
CREATE INDEX comments_by_parent ON comments (parent_id)
	WHERE parent_id IS NOT NULL;

-- An Idempotency-Key names one comment per article.
CREATE UNIQUE INDEX comments_idempotency
	ON comments (article_id, idempotency_key)
	WHERE idempotency_key IS NOT NULL;

CREATE TABLE moderation_events (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	comment_id	bigint NOT NULL REFERENCES comments (id),
	actor		text NOT NULL,
	action		text NOT NULL,
	from_status	text,
	to_status	text,
	reason		text,
	old_body	text,
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX moderation_events_by_comment
	ON moderation_events (comment_id, id);

-- Every status change (and every new comment) is announced on channel
-- 'commentd_status', so each server process can drop what it cached for
-- the article and moderators see the queue move.  The payload is small
-- JSON; listeners re-read what they need.
CREATE FUNCTION commentd_notify_status() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('commentd_status', json_build_object(
		'comment_id', NEW.id,
		'article_id', NEW.article_id,
		'status', NEW.status,
		'old_status', CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END,
		'by', NEW.moderated_by)::text);
	RETURN NULL;
END
$$;

CREATE TRIGGER comments_status_insert
	AFTER INSERT ON comments
	FOR EACH ROW EXECUTE FUNCTION commentd_notify_status();

CREATE TRIGGER comments_status_update
	AFTER UPDATE OF status ON comments
	FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
	EXECUTE FUNCTION commentd_notify_status();

-- Server-side secrets, created once per database so every process that
-- shares it derives the same values.  gen_random_uuid() draws from the
-- server's strong random source.
CREATE TABLE server_secrets (
	name	text PRIMARY KEY,
	value	bytea NOT NULL CHECK (length(value) >= 32)
);

INSERT INTO server_secrets (name, value)
VALUES ('submitter_token', decode(replace(
	gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));
