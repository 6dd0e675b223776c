-- 0002_moderation: moderator accounts, their tokens, login throttling,
-- and the change feed behind the live event stream.

CREATE TABLE moderators (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name		text NOT NULL UNIQUE
			CHECK (name ~ '^[A-Za-z0-9_.-]{1,64}$'),
	password_hash	text NOT NULL,		-- argon2id, crypto_pwhash_str
	role		text NOT NULL
			CHECK (role IN ('admin', 'moderator')),
	disabled	boolean NOT NULL DEFAULT false,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now()
);

-- API tokens and login sessions: only SHA-256 of the token is stored.
CREATE TABLE auth_tokens (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	moderator_id	bigint NOT NULL REFERENCES moderators (id),
	kind		text NOT NULL CHECK (kind IN ('api', 'session')),
	token_hash	bytea NOT NULL UNIQUE,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	revoked_at	timestamptz
);

CREATE INDEX auth_tokens_by_moderator ON auth_tokens (moderator_id)
	WHERE revoked_at IS NULL;

-- Failed logins per scope ('user:NAME' or 'ip:ADDRESS') in a window.
CREATE TABLE login_failures (
	scope		text PRIMARY KEY,
	window_start	timestamptz NOT NULL,
	failures	integer NOT NULL
);

ALTER TABLE moderation_events
	ADD COLUMN moderator_id bigint REFERENCES moderators (id);

-- The moderation queue's other orders and filters.
CREATE INDEX comments_by_status ON comments (status, id);
CREATE INDEX comments_by_article ON comments (article_id, id);
CREATE INDEX comments_by_email ON comments (lower(email), id)
	WHERE email IS NOT NULL;
CREATE INDEX comments_by_author ON comments (author, id);

-- Arabic-aware folding for search (and word lists): drop tashkeel
-- (U+064B..U+065F, U+0670) and tatweel (U+0640), fold alef forms to
-- bare alef, alef maqsura to ya, ta marbuta to ha, Latin to lower case.
CREATE FUNCTION commentd_fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT lower(translate(
		regexp_replace(t, '[\u064B-\u065F\u0670\u0640]', '', 'g'),
		'أإآٱىة', 'ااااي' || 'ه'))
$$;

-- The change feed: one row per new comment, status change or body edit,
-- written by the trigger in the same transaction as the change.  Its id
-- is the Server-Sent Events id, so a client resumes with Last-Event-ID.
CREATE TABLE comment_events (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	comment_id	bigint NOT NULL,
	article_id	bigint NOT NULL,
	kind		text NOT NULL,		-- new, status, edit
	status		text NOT NULL,
	old_status	text,
	actor		text,
	created_at	timestamptz NOT NULL DEFAULT now()
);

-- One event as the JSON the live stream sends: the trigger's NOTIFY
-- payload and the Last-Event-ID catch-up query both use it, so a missed
-- event replays exactly as it was announced.
CREATE FUNCTION commentd_event_json(e comment_events) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
		'id', e.id,
		'comment_id', e.comment_id,
		'article_id', e.article_id,
		'article', (SELECT key FROM articles WHERE id = e.article_id),
		'kind', e.kind,
		'status', e.status,
		'old_status', e.old_status,
		'actor', e.actor,
		'created_at', to_char(e.created_at AT TIME ZONE 'UTC',
		    'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
$$;

-- Every change is recorded and announced.  The actor of an action is
-- the moderator the statement names in the transaction-local setting
-- commentd.actor (set by the same statement), else moderated_by.
CREATE OR REPLACE FUNCTION commentd_notify_status() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	ev	comment_events;
	k	text;
BEGIN
	IF TG_OP = 'INSERT' THEN
		k := 'new';
	ELSIF OLD.status IS DISTINCT FROM NEW.status THEN
		k := 'status';
	ELSE
		k := 'edit';
	END IF;
	INSERT INTO comment_events (comment_id, article_id, kind, status,
	    old_status, actor)
	VALUES (NEW.id, NEW.article_id, k, NEW.status,
	    CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END,
	    CASE WHEN TG_OP = 'UPDATE' THEN coalesce(
		nullif(current_setting('commentd.actor', true), ''),
		NEW.moderated_by) END)
	RETURNING * INTO ev;
	PERFORM pg_notify('commentd_status', commentd_event_json(ev)::text);
	RETURN NULL;
END
$$;

DROP TRIGGER comments_status_update ON comments;
CREATE TRIGGER comments_status_update
	AFTER UPDATE OF status, body ON comments
	FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
	    OR OLD.body IS DISTINCT FROM NEW.body)
	EXECUTE FUNCTION commentd_notify_status();
