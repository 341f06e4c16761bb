-- Accounts, projects and memberships. Flags are 0/1 SMALLINTs so one SQL text serves SQLite and PostgreSQL.
CREATE TABLE accounts (
    username      TEXT COLLATE "C" PRIMARY KEY,
    password_hash TEXT,
    system_admin  SMALLINT NOT NULL DEFAULT 0 CHECK (system_admin IN (0, 1)),
    disabled      SMALLINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    BIGINT   NOT NULL
);

CREATE TABLE projects (
    name       TEXT COLLATE "C" PRIMARY KEY,
    is_public  SMALLINT NOT NULL DEFAULT 0 CHECK (is_public IN (0, 1)),
    created_at BIGINT   NOT NULL
);

CREATE TABLE project_members (
    project  TEXT COLLATE "C" NOT NULL REFERENCES projects (name) ON DELETE CASCADE,
    username TEXT COLLATE "C" NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('GUEST', 'DEVELOPER', 'MAINTAINER', 'ADMIN')),
    PRIMARY KEY (project, username)
);
CREATE INDEX project_members_by_user ON project_members (username);
