-- Immutable-tag rules of a project, as their Harbor-style JSON (parsed and validated by the domain before they are
-- stored), and a repository's ECR-style tag mutability setting.
CREATE TABLE immutable_tag_rules (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    project    TEXT   NOT NULL REFERENCES projects (name) ON DELETE CASCADE,
    rule       TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX immutable_tag_rules_by_project ON immutable_tag_rules (project, id);

CREATE TABLE repository_tag_mutability (
    repository TEXT PRIMARY KEY,
    setting    TEXT NOT NULL
);
