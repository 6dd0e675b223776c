-- 0007_author_recent: the author record remembers the author's last ten
-- decisions, so "repeat offender" judges what a moderator decided
-- lately, not over a lifetime: an author rejected three times years ago
-- and approved since is not held for it.
--
-- recent: one letter per decision, oldest first, at most ten: a
-- (approved), r (rejected), s (spam).  A correction (restore, a
-- different later decision) rewrites the letter it corrects in place;
-- a comment leaving the decided statuses takes its letter away.

ALTER TABLE authors
	ADD COLUMN recent text NOT NULL DEFAULT ''
	CHECK (recent ~ '^[ars]{0,10}$');

-- The letters from the comments' statuses today, newest ten by id.
UPDATE authors a SET recent = s.letters
FROM (
	SELECT author_key, string_agg(letter, '' ORDER BY id) AS letters
	FROM (
		SELECT author_key, id, left(status, 1) AS letter,
			row_number() OVER (PARTITION BY author_key
			    ORDER BY id DESC) AS n
		FROM comments
		WHERE author_key IS NOT NULL
		    AND status IN ('approved', 'rejected', 'spam')
	) AS d
	WHERE n <= 10
	GROUP BY author_key
) AS s
WHERE a.key = s.author_key;

-- recent after a comment moved from status o to n (either may be a
-- status that is no decision, or NULL).
CREATE FUNCTION commentd_recent_decisions(recent text, o text, n text)
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	ol	text := CASE WHEN o IN ('approved', 'rejected', 'spam')
		    THEN left(o, 1) END;
	nl	text := CASE WHEN n IN ('approved', 'rejected', 'spam')
		    THEN left(n, 1) END;
	back	integer := CASE WHEN ol IS NULL THEN 0
		    ELSE strpos(reverse(recent), ol) END;
	pos	integer := length(recent) - back + 1;
BEGIN
	IF back > 0 THEN
		RETURN left(recent, pos - 1) || coalesce(nl, '') ||
		    substr(recent, pos + 1);
	END IF;
	RETURN right(recent || coalesce(nl, ''), 10);
END
$$;

CREATE OR REPLACE FUNCTION commentd_author_count() RETURNS trigger
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
	INSERT INTO authors AS a (key, approved, rejected, spam, recent)
	VALUES (NEW.author_key, greatest(da, 0), greatest(dr, 0),
	    greatest(ds, 0), commentd_recent_decisions('', o, n))
	ON CONFLICT (key) DO UPDATE SET
	    approved = greatest(a.approved + da, 0),
	    rejected = greatest(a.rejected + dr, 0),
	    spam = greatest(a.spam + ds, 0),
	    recent = commentd_recent_decisions(a.recent, o, n);
	RETURN NULL;
END
$$;
