-- Times are epoch milliseconds. Names and tags compare bytewise (SQLite's default BINARY collation).
CREATE TABLE repositories (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL UNIQUE,
    created_at BIGINT  NOT NULL
);

-- Committed content, shared by every repository. state: 'present', or 'deleting' while the collector removes it.
CREATE TABLE blobs (
    digest     TEXT   PRIMARY KEY,
    size       BIGINT NOT NULL,
    state      TEXT   NOT NULL DEFAULT 'present',
    created_at BIGINT NOT NULL
);

-- Which repository may serve which blob: pushed there, mounted, or referenced by its manifests.
CREATE TABLE repository_blobs (
    repository_id INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    digest        TEXT    NOT NULL REFERENCES blobs (digest),
    linked_at     BIGINT  NOT NULL,
    PRIMARY KEY (repository_id, digest)
);
CREATE INDEX repository_blobs_by_digest ON repository_blobs (digest, linked_at);

CREATE TABLE manifests (
    repository_id  INTEGER NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    digest         TEXT    NOT NULL,
    media_type     TEXT    NOT NULL,
    artifact_type  TEXT,
    subject        TEXT,
    size           BIGINT  NOT NULL,
    payload        BLOB    NOT NULL,
    pushed_at      BIGINT  NOT NULL,
    last_pulled_at BIGINT,
    PRIMARY KEY (repository_id, digest)
);
CREATE INDEX manifests_by_subject ON manifests (repository_id, subject) WHERE subject IS NOT NULL;

-- What a manifest needs: kind 'blob' (config, layers) or 'manifest' (children of an index).
CREATE TABLE manifest_references (
    repository_id INTEGER NOT NULL,
    parent_digest TEXT    NOT NULL,
    child_digest  TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    PRIMARY KEY (repository_id, parent_digest, child_digest),
    FOREIGN KEY (repository_id, parent_digest) REFERENCES manifests (repository_id, digest) ON DELETE CASCADE
);
CREATE INDEX manifest_references_by_child ON manifest_references (child_digest);

CREATE TABLE tags (
    repository_id   INTEGER NOT NULL,
    name            TEXT    NOT NULL,
    manifest_digest TEXT    NOT NULL,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (repository_id, name),
    FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests (repository_id, digest) ON DELETE CASCADE
);
CREATE INDEX tags_by_manifest ON tags (repository_id, manifest_digest);

-- Uploads in progress; the repository is by name so an abandoned upload never creates a repository.
CREATE TABLE uploads (
    id               TEXT   PRIMARY KEY,
    repository       TEXT   NOT NULL,
    committed_offset BIGINT NOT NULL,
    started_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX uploads_by_activity ON uploads (updated_at);
