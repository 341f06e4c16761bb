-- The audit trail: append-only, each row's hash chains the previous row's (see AuditRecord).
CREATE TABLE audit_log (
    sequence       BIGINT  PRIMARY KEY,
    at             BIGINT  NOT NULL,
    actor          TEXT    NOT NULL,
    source_address TEXT    NOT NULL,
    user_agent     TEXT    NOT NULL,
    action         TEXT    NOT NULL,
    repository     TEXT    NOT NULL,
    reference      TEXT    NOT NULL,
    outcome        INTEGER NOT NULL,
    detail         TEXT    NOT NULL,
    previous_hash  TEXT    NOT NULL,
    hash           TEXT    NOT NULL
);
CREATE INDEX audit_log_by_actor ON audit_log (actor, sequence);
CREATE INDEX audit_log_by_repository ON audit_log (repository, sequence);
CREATE INDEX audit_log_by_at ON audit_log (at);
