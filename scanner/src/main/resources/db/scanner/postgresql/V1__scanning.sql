-- The scanner's tables on PostgreSQL: those of sqlite/V1__scanning.sql, with BYTEA and bytewise ids (own history table: flyway_scanner_history).

-- Vulnerability data: every OSV document as imported, so the in-memory index can be rebuilt by any node. sha256 is of
-- the document's bytes: an import skips what did not change (modified times are not trustworthy in every export).
CREATE TABLE vuln_records (
    id          TEXT COLLATE "C" PRIMARY KEY,
    source      TEXT COLLATE "C"    NOT NULL,
    modified    BIGINT  NOT NULL,
    sha256      TEXT    NOT NULL,
    document    BYTEA    NOT NULL,
    imported_at BIGINT  NOT NULL
);
CREATE INDEX vuln_records_by_source ON vuln_records (source);

-- One row per source (an ecosystem export such as "Go", or "Debian"): where it last came from and how fresh it is.
CREATE TABLE vuln_sources (
    source          TEXT COLLATE "C" PRIMARY KEY,
    origin          TEXT    NOT NULL,
    imported_at     BIGINT  NOT NULL,
    newest_modified BIGINT  NOT NULL,
    records         INTEGER NOT NULL
);

-- Raised by every import that changed a record: nodes rebuild their index and stored inventories are matched again.
CREATE TABLE vuln_generation (
    id          SMALLINT PRIMARY KEY CHECK (id = 1),
    generation  BIGINT  NOT NULL,
    changed_at  BIGINT  NOT NULL,
    rematch_lease_until BIGINT NOT NULL
);
INSERT INTO vuln_generation (id, generation, changed_at, rematch_lease_until) VALUES (1, 0, 0, 0);

-- What an image manifest contains (gzip'd JSON), kept so a database change re-matches without reading layers again.
CREATE TABLE scan_inventories (
    manifest_digest TEXT COLLATE "C"   PRIMARY KEY,
    inventory       BYTEA   NOT NULL,
    created_at      BIGINT NOT NULL
);

-- The latest report of a manifest (an image, or an index with one entry per platform). Counts are denormalised for
-- listings; report is the gzip'd JSON with the findings; repository is one that holds the manifest (where it was
-- scanned), so a re-match can find an index's entries.
CREATE TABLE scan_reports (
    manifest_digest TEXT COLLATE "C" PRIMARY KEY,
    repository      TEXT COLLATE "C"    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'UNSUPPORTED')),
    scanner         TEXT    NOT NULL,
    db_generation   BIGINT  NOT NULL,
    critical        INTEGER NOT NULL,
    high            INTEGER NOT NULL,
    medium          INTEGER NOT NULL,
    low             INTEGER NOT NULL,
    unknown         INTEGER NOT NULL,
    report          BYTEA,
    error           TEXT    NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX scan_reports_by_generation ON scan_reports (db_generation) WHERE status = 'COMPLETED';

-- The durable queue: one row per manifest to scan. While a node works on it, next_attempt_at is the end of its lease.
CREATE TABLE scan_jobs (
    repository      TEXT COLLATE "C"    NOT NULL,
    manifest_digest TEXT COLLATE "C"    NOT NULL,
    reason          TEXT    NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at BIGINT  NOT NULL,
    created_at      BIGINT  NOT NULL,
    PRIMARY KEY (repository, manifest_digest)
);
CREATE INDEX scan_jobs_due ON scan_jobs (next_attempt_at);

-- A project's scanning policy; a project without a row has the defaults (scan on push, nothing blocked).
CREATE TABLE scan_project_policies (
    project           TEXT COLLATE "C"     PRIMARY KEY,
    scan_on_push      SMALLINT NOT NULL CHECK (scan_on_push IN (0, 1)),
    prevent_severity  TEXT     NOT NULL,
    prevent_unscanned SMALLINT NOT NULL CHECK (prevent_unscanned IN (0, 1)),
    updated_at        BIGINT   NOT NULL
);

-- Vulnerabilities accepted despite the policy: scope is a project name, or '' for every project. expires_at in epoch
-- milliseconds; 9223372036854775807 (the largest BIGINT): never.
CREATE TABLE scan_allowlist (
    scope         TEXT COLLATE "C"   NOT NULL,
    vulnerability TEXT COLLATE "C"   NOT NULL,
    expires_at    BIGINT NOT NULL,
    comment       TEXT   NOT NULL,
    PRIMARY KEY (scope, vulnerability)
);
