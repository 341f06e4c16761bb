-- A project's retention policy: its language ('ecr' lifecycle JSON or 'harbor' retain rules), the policy as given
-- (validated by the domain before it is stored) and an optional cron schedule.
CREATE TABLE retention_policies (
    project    TEXT   PRIMARY KEY REFERENCES projects (name) ON DELETE CASCADE,
    format     TEXT   NOT NULL CHECK (format IN ('ecr', 'harbor')),
    policy     TEXT   NOT NULL,
    schedule   TEXT,
    updated_at BIGINT NOT NULL
);
