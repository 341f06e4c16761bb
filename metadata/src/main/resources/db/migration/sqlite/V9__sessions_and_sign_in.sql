-- Refresh tokens (sign-in sessions) are recorded so each one can be listed and revoked; the token itself is a
-- signed JWT whose jti is the id here, so nothing secret is stored.
CREATE TABLE sessions (
    id           TEXT   PRIMARY KEY,
    username     TEXT   NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    issued_at    BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT,
    client       TEXT
);
CREATE INDEX sessions_by_user ON sessions (username);

-- Accounts provisioned by an OpenID Connect provider: the provider's (issuer, subject) is the identity, the
-- username only what it was called at first sign-in.
CREATE TABLE external_identities (
    issuer   TEXT NOT NULL,
    subject  TEXT NOT NULL,
    username TEXT NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    PRIMARY KEY (issuer, subject)
);

-- Who granted a membership: NULL for an administrator, 'oidc' for a provider group mapping (kept in sync at each
-- sign-in without touching memberships an administrator set).
ALTER TABLE project_members ADD COLUMN granted_by TEXT;
