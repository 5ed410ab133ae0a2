-- API tokens expire (security.token_days, 90 by default). Tokens made before this
-- migration get the default lifetime from their creation.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
UPDATE api_tokens SET expires_at = created_at + 7776000000000 WHERE expires_at IS NULL;
