-- 0006_site_rules: the site's rules (issue 12): word lists, bans, the
-- author record, and what a comment carries for duplicates and for the
-- moderators (why it was held).

-- Word lists.  folded is the entry as fold.c folds it, computed by the
-- server: two entries that fold alike are one entry.
CREATE TABLE words (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	word		text NOT NULL CHECK (char_length(word) BETWEEN 1 AND 200),
	list		text NOT NULL CHECK (list IN ('banned', 'suspect')),
	folded		text NOT NULL UNIQUE,
	created_at	timestamptz NOT NULL DEFAULT now(),
	created_by	text
);

-- Every worker keeps the lists in memory: a change is announced on the
-- change channel so each reloads them (not a comment event).
CREATE FUNCTION commentd_notify_words() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('commentd_status', '{"kind":"words"}');
	RETURN NULL;
END
$$;

CREATE TRIGGER words_notify
	AFTER INSERT OR UPDATE OR DELETE ON words
	FOR EACH STATEMENT EXECUTE FUNCTION commentd_notify_words();

-- Bans: an address or block (cidr), an e-mail, or an e-mail domain
-- (value lower case).  expires_at NULL: for good.
CREATE TABLE bans (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind		text NOT NULL
			CHECK (kind IN ('ip', 'email', 'email_domain')),
	value		text NOT NULL CHECK (char_length(value) BETWEEN 1 AND 254),
	cidr		cidr CHECK ((kind = 'ip') = (cidr IS NOT NULL)),
	expires_at	timestamptz,
	reason		text CHECK (char_length(reason) <= 500),
	created_at	timestamptz NOT NULL DEFAULT now(),
	created_by	text
);

CREATE INDEX bans_by_cidr ON bans USING gist (cidr inet_ops)
	WHERE kind = 'ip';
CREATE INDEX bans_by_value ON bans (kind, value) WHERE kind <> 'ip';

-- The author record: one row per author (e-mail, else name and
-- address: comments.author_key), counted by the trigger below on every
-- insert and status change, whoever makes it.
CREATE TABLE authors (
	key		text PRIMARY KEY,
	approved	integer NOT NULL DEFAULT 0,
	rejected	integer NOT NULL DEFAULT 0,
	spam		integer NOT NULL DEFAULT 0,
	trusted		boolean NOT NULL DEFAULT false
);

-- body_hash: SHA-256 of the folded body (duplicates and waves);
-- flag_details: {code: detail} beside spam_flags.
ALTER TABLE comments
	ADD COLUMN author_key text,
	ADD COLUMN body_hash bytea,
	ADD COLUMN flag_details jsonb NOT NULL DEFAULT '{}';

-- Comments written before the rules: their authors by the same key the
-- server computes (e-mail lower case, else name and address).
UPDATE comments SET author_key = CASE WHEN email IS NOT NULL
	THEN 'e:' || lower(email)
	ELSE 'n:' || author || E'\n' || coalesce(host(ip), '') END;

INSERT INTO authors (key, approved, rejected, spam)
SELECT author_key, count(*) FILTER (WHERE status = 'approved'),
	count(*) FILTER (WHERE status = 'rejected'),
	count(*) FILTER (WHERE status = 'spam')
FROM comments GROUP BY author_key
HAVING count(*) FILTER (WHERE status IN ('approved', 'rejected',
	'spam')) > 0;

-- Duplicates and waves: the same text within the window.
CREATE INDEX comments_by_body_hash ON comments (body_hash, created_at)
	WHERE body_hash IS NOT NULL;

-- The queue's filter by reason code.
CREATE INDEX comments_by_flag ON comments USING gin (spam_flags)
	WHERE spam_flags <> '{}';

CREATE FUNCTION commentd_author_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	o	text := CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END;
	n	text := NEW.status;
	da	integer;
	dr	integer;
	ds	integer;
BEGIN
	IF NEW.author_key IS NULL OR o IS NOT DISTINCT FROM n
	    OR (coalesce(o, 'pending') NOT IN ('approved', 'rejected', 'spam')
	    AND n NOT IN ('approved', 'rejected', 'spam')) THEN
		RETURN NULL;
	END IF;
	da := (n = 'approved')::int - (o IS NOT DISTINCT FROM 'approved')::int;
	dr := (n = 'rejected')::int - (o IS NOT DISTINCT FROM 'rejected')::int;
	ds := (n = 'spam')::int - (o IS NOT DISTINCT FROM 'spam')::int;
	INSERT INTO authors AS a (key, approved, rejected, spam)
	VALUES (NEW.author_key, greatest(da, 0), greatest(dr, 0),
	    greatest(ds, 0))
	ON CONFLICT (key) DO UPDATE SET
	    approved = greatest(a.approved + da, 0),
	    rejected = greatest(a.rejected + dr, 0),
	    spam = greatest(a.spam + ds, 0);
	RETURN NULL;
END
$$;

CREATE TRIGGER comments_author_insert
	AFTER INSERT ON comments
	FOR EACH ROW WHEN (NEW.status IN ('approved', 'rejected', 'spam'))
	EXECUTE FUNCTION commentd_author_count();

CREATE TRIGGER comments_author_update
	AFTER UPDATE OF status ON comments
	FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
	EXECUTE FUNCTION commentd_author_count();
