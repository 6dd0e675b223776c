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
