-- Personal access tokens: only the secret's hash is kept.
CREATE TABLE access_tokens (
    id          TEXT   PRIMARY KEY,
    username    TEXT   NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    name        TEXT   NOT NULL,
    secret_hash TEXT   NOT NULL,
    expires_at  BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX access_tokens_by_user ON access_tokens (username);
