-- What each migration history last migrated to, as a hash of its migration scripts (names and contents): a start whose
-- scripts hash the same has nothing pending and skips Flyway (SchemaFingerprint). Written only after a migration succeeded.
CREATE TABLE schema_fingerprint (
    history     TEXT NOT NULL PRIMARY KEY,
    fingerprint TEXT NOT NULL
);
