-- The manifest digest a push, pull or delete resolved to (a tag can move); empty for other records.
ALTER TABLE audit_log ADD COLUMN digest TEXT NOT NULL DEFAULT '';
-- Signed audit checkpoints (see AuditCheckpoint). A convenience copy: verification trusts only their signatures.
CREATE TABLE audit_checkpoint (
    key_id    TEXT   NOT NULL,
    sequence  BIGINT NOT NULL,
    hash      TEXT   NOT NULL,
    at        BIGINT NOT NULL,
    signature TEXT   NOT NULL,
    PRIMARY KEY (key_id, sequence)
);
CREATE INDEX audit_checkpoint_by_sequence ON audit_checkpoint (sequence);
