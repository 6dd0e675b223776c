-- 0010_idempotency_hash: an Idempotency-Key is bound to the request it
-- came with (issue 13, item 9).  request_hash is the SHA-256 of the
-- submission's canonical fields (h_comments.c); a retry with the same
-- key replays the comment only when it hashes alike, so reusing
-- someone's key with another body no longer hands out their comment
-- and submitter token.  Rows from before carry NULL, which matches no
-- request: their keys can no longer be replayed.

ALTER TABLE comments ADD COLUMN request_hash bytea;
