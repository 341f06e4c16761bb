-- Stowage metadata schema, PostgreSQL. Kept table for table identical to sqlite/V1__registry.sql; only types differ
-- (BYTEA, identity column) and text keys say COLLATE "C": names and tags sort bytewise, as the distribution spec's
-- lexical order wants, and B-tree lookups on digests compare bytes instead of calling the locale.
-- Times are epoch milliseconds (BIGINT): no time zones, identical on both databases.

-- A repository row exists once something was pushed or mounted into it; the catalog lists only repositories that
-- still hold a manifest or a blob link.
CREATE TABLE repositories (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT COLLATE "C" NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- Committed content, shared by every repository. state: 'present', or 'deleting' while the garbage collector
-- removes the bytes (a push of the same digest sets it back to 'present').
CREATE TABLE blobs (
    digest     TEXT COLLATE "C" PRIMARY KEY,
    size       BIGINT NOT NULL,
    state      TEXT   NOT NULL DEFAULT 'present' CHECK (state IN ('present', 'deleting')),
    created_at BIGINT NOT NULL
);
CREATE INDEX blobs_by_state ON blobs (state, created_at);

-- Which repository may serve which blob: pushed there or mounted. linked_at is refreshed on every push, so the
-- collector can leave alone blobs linked within its grace period.
CREATE TABLE repository_blobs (
    repository_id BIGINT NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    digest        TEXT COLLATE "C" NOT NULL REFERENCES blobs (digest),
    linked_at     BIGINT NOT NULL,
    PRIMARY KEY (repository_id, digest)
);
CREATE INDEX repository_blobs_by_digest ON repository_blobs (digest, linked_at);

CREATE TABLE manifests (
    repository_id  BIGINT NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    digest         TEXT COLLATE "C" NOT NULL,
    media_type     TEXT   NOT NULL,
    artifact_type  TEXT,
    subject        TEXT COLLATE "C",
    size           BIGINT NOT NULL,
    payload        BYTEA  NOT NULL,
    pushed_at      BIGINT NOT NULL,
    last_pulled_at BIGINT,
    PRIMARY KEY (repository_id, digest)
);
CREATE INDEX manifests_by_subject ON manifests (repository_id, subject) WHERE subject IS NOT NULL;

-- What a manifest needs: kind 'blob' (config, layers) or 'manifest' (children of an index). Looked up by child
-- for garbage collection ("is anything still referencing this blob?").
CREATE TABLE manifest_references (
    repository_id BIGINT NOT NULL,
    parent_digest TEXT COLLATE "C" NOT NULL,
    child_digest  TEXT COLLATE "C" NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('blob', 'manifest')),
    PRIMARY KEY (repository_id, parent_digest, child_digest),
    FOREIGN KEY (repository_id, parent_digest) REFERENCES manifests (repository_id, digest) ON DELETE CASCADE
);
CREATE INDEX manifest_references_by_child ON manifest_references (child_digest, repository_id);

CREATE TABLE tags (
    repository_id   BIGINT NOT NULL,
    name            TEXT COLLATE "C" NOT NULL,
    manifest_digest TEXT COLLATE "C" NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (repository_id, name),
    FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests (repository_id, digest) ON DELETE CASCADE
);
CREATE INDEX tags_by_manifest ON tags (repository_id, manifest_digest);

-- Uploads in progress. The repository is by name, not a reference, so an abandoned upload never creates one.
CREATE TABLE uploads (
    id               TEXT COLLATE "C" PRIMARY KEY,
    repository       TEXT COLLATE "C" NOT NULL,
    committed_offset BIGINT NOT NULL,
    started_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX uploads_by_activity ON uploads (updated_at);
