-- A project's quota: storage in bytes (each blob counted once per project) and artifact (manifest) count, either
-- unlimited when NULL, and the percentage at which a warning is raised.
CREATE TABLE project_quotas (
    project         TEXT PRIMARY KEY REFERENCES projects (name) ON DELETE CASCADE,
    storage_limit   BIGINT,
    artifact_limit  BIGINT,
    warning_percent INTEGER
);
