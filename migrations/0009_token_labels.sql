-- 0009_token_labels: a label on each API token (issue 13), so that its
-- owner and the admins can tell tokens apart when they list and revoke
-- them ("deploy bot", "laila's laptop").  Sessions have none.

ALTER TABLE auth_tokens ADD COLUMN label text
	CHECK (label IS NULL OR char_length(label) BETWEEN 1 AND 100);
