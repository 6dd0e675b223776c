-- 0003_article_notify: announce article creation and settings changes
-- on the change channel, so every process's read cache drops what it
-- holds about the article (a cached "no such article", an old title or
-- mode).  Not a comment event: no comment_events row, no stream event.

CREATE FUNCTION commentd_notify_article() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('commentd_status', json_build_object(
		'kind', 'article',
		'article_id', NEW.id,
		'article', NEW.key)::text);
	RETURN NULL;
END
$$;

CREATE TRIGGER articles_notify_insert
	AFTER INSERT ON articles
	FOR EACH ROW EXECUTE FUNCTION commentd_notify_article();

CREATE TRIGGER articles_notify_update
	AFTER UPDATE ON articles
	FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title
	    OR OLD.url IS DISTINCT FROM NEW.url
	    OR OLD.mode IS DISTINCT FROM NEW.mode)
	EXECUTE FUNCTION commentd_notify_article();

-- NOTIFY serializes commits: PostgreSQL holds a cluster-wide lock from
-- a notifying transaction's pre-commit until after its commit record is
-- flushed.  Submissions must commit in parallel (group commit), so a new
-- comment's transaction no longer notifies: it only records its event,
-- and the server announces it right after, in a separate statement that
-- commits asynchronously (SQL_NOTIFY_NEW).  Moderation, and comments
-- published at once (postmoderated articles), keep notifying from the
-- trigger: they change what readers see, so the announcement must not
-- depend on the server living past the commit.
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
	-- A comment published at once changes what readers see: every
	-- process must hear it even if the server dies right after.
	IF TG_OP = 'UPDATE' OR NEW.status = 'approved' THEN
		PERFORM pg_notify('commentd_status',
		    commentd_event_json(ev)::text);
	END IF;
	RETURN NULL;
END
$$;

CREATE INDEX comment_events_by_comment ON comment_events (comment_id);
