-- The trust capability's tables (own history table: flyway_trust_history).

-- A project's trust policy: the validated JSON document the admin API took (keys, trust stores, keyless identities,
-- enforcement); version is raised by every change, so results computed with an older one are known stale.
CREATE TABLE trust_policies (
    project    TEXT   PRIMARY KEY,
    document   TEXT   NOT NULL,
    version    BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Sigstore trusted roots (trusted_root.json) an administrator installed, system-wide, by name.
CREATE TABLE trust_sigstore_roots (
    name         TEXT   PRIMARY KEY,
    document     TEXT   NOT NULL,
    installed_at BIGINT NOT NULL
);

-- Raised by every change of the installed roots.
CREATE TABLE trust_roots_generation (
    id         SMALLINT PRIMARY KEY CHECK (id = 1),
    generation BIGINT   NOT NULL
);
INSERT INTO trust_roots_generation (id, generation) VALUES (1, 0);

-- The verification status of a manifest in a repository: every signature's check (JSON), the summary, and the policy
-- and roots versions it was computed with.
CREATE TABLE trust_results (
    repository      TEXT   NOT NULL,
    manifest_digest TEXT   NOT NULL,
    project         TEXT   NOT NULL,
    status          TEXT   NOT NULL,
    checks          TEXT   NOT NULL,
    policy_version  BIGINT NOT NULL,
    roots_version   BIGINT NOT NULL,
    computed_at     BIGINT NOT NULL,
    PRIMARY KEY (repository, manifest_digest)
);
CREATE INDEX trust_results_by_project ON trust_results (project, repository, manifest_digest);
