-- 0008_login_pairs: failed logins locked out per account and address
-- pair, pruned by age; and a change of credentials announced, so live
-- event streams close at once.
--
-- login_failures keeps its table; its scopes are now 'pair:NAME@ADDRESS'
-- (the lockout), 'ip:ADDRESS' (the per-address limit) and 'user:NAME'
-- (the account's failures from anywhere: a growing delay, no lockout).
-- Rows whose window is over are deleted by the login statement: by
-- this index, a handful at a time.
CREATE INDEX login_failures_by_window ON login_failures (window_start);

-- A moderator's credentials changed: a token or session revoked or
-- deleted, the account disabled, its password reset.  Every worker of
-- every process hears {"kind": "auth", "moderator_id": N} on the change
-- channel and checks its streams of that moderator again.  One
-- notification per moderator per transaction: PostgreSQL folds equal
-- payloads, so disabling an account with many tokens sends one.
CREATE FUNCTION commentd_notify_auth() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	mid	bigint;
BEGIN
	IF TG_TABLE_NAME = 'moderators' THEN
		mid := NEW.id;
	ELSIF TG_OP = 'DELETE' THEN
		mid := OLD.moderator_id;
	ELSE
		mid := NEW.moderator_id;
	END IF;
	PERFORM pg_notify('commentd_status', json_build_object(
	    'kind', 'auth', 'moderator_id', mid)::text);
	RETURN NULL;
END
$$;

CREATE TRIGGER auth_tokens_revoked
	AFTER UPDATE OF revoked_at ON auth_tokens
	FOR EACH ROW
	WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
	EXECUTE FUNCTION commentd_notify_auth();

CREATE TRIGGER auth_tokens_deleted
	AFTER DELETE ON auth_tokens
	FOR EACH ROW
	EXECUTE FUNCTION commentd_notify_auth();

CREATE TRIGGER moderators_credentials
	AFTER UPDATE OF disabled, password_hash ON moderators
	FOR EACH ROW
	WHEN ((NEW.disabled AND NOT OLD.disabled) OR
	    NEW.password_hash IS DISTINCT FROM OLD.password_hash)
	EXECUTE FUNCTION commentd_notify_auth();
