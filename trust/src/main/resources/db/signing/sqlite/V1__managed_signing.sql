-- Managed signing (own history table: flyway_signing_history): Stowage signs every image pushed to a project that
-- enables it, with keys it holds for that project.

-- Whether the project's pushes are signed. A project without a row is not.
CREATE TABLE managed_signing_settings (
    project    TEXT     PRIMARY KEY,
    enabled    SMALLINT NOT NULL,
    updated_at BIGINT   NOT NULL
);

-- The project's root CA (Notation's trust store anchor), made with the project's first key. Its private key (PKCS#8,
-- base64) is sealed with the node's secrets key (table.column:project as associated data): it issues the signing
-- leaves of later keys.
CREATE TABLE managed_signing_roots (
    project     TEXT   PRIMARY KEY,
    private_key TEXT   NOT NULL,
    certificate TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);

-- The project's signing keys (ECDSA P-256), one ACTIVE at most; rotation retires the active one and keeps it, so its
-- public key and certificates stay trusted and signatures made before rotation keep verifying. id: SHA-256 (hex) of
-- the public key's SubjectPublicKeyInfo. private_key sealed like the root's (managed_signing_keys.private_key:<id>).
-- certificate_chain: PEM, the code-signing leaf first, the root last.
CREATE TABLE managed_signing_keys (
    id                TEXT   PRIMARY KEY,
    project           TEXT   NOT NULL,
    state             TEXT   NOT NULL,
    private_key       TEXT   NOT NULL,
    public_key        TEXT   NOT NULL,
    certificate_chain TEXT   NOT NULL,
    created_at        BIGINT NOT NULL,
    retired_at        BIGINT
);
CREATE INDEX managed_signing_keys_by_project ON managed_signing_keys (project, created_at);
-- Two nodes making a project's first key, or rotating at once: one wins, the other finds its key.
CREATE UNIQUE INDEX managed_signing_keys_one_active ON managed_signing_keys (project) WHERE state = 'ACTIVE';
