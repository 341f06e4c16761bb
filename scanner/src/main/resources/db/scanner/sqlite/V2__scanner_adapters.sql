-- External scanners: Harbor pluggable scanner adapters (API v1.1) registered by system administrators, which scanner
-- every project uses by default, and the projects that name their own. The built-in scanner, "stowage", has no row.

-- secret: sealed with the node's secrets key (never answered back); auth: NONE, BASIC, BEARER or API_KEY.
CREATE TABLE scanner_adapters (
    name            TEXT     PRIMARY KEY,
    url             TEXT     NOT NULL,
    auth            TEXT     NOT NULL CHECK (auth IN ('NONE', 'BASIC', 'BEARER', 'API_KEY')),
    secret          TEXT     NOT NULL,
    skip_tls_verify SMALLINT NOT NULL CHECK (skip_tls_verify IN (0, 1)),
    description     TEXT     NOT NULL,
    created_at      BIGINT   NOT NULL,
    updated_at      BIGINT   NOT NULL
);

-- The scanner every project uses unless it names its own: 'stowage' (built in) or a registered adapter's name.
CREATE TABLE scanner_default (
    id      SMALLINT PRIMARY KEY CHECK (id = 1),
    scanner TEXT     NOT NULL
);
INSERT INTO scanner_default (id, scanner) VALUES (1, 'stowage');

-- A project's own choice of scanner (a project without a row uses the default).
CREATE TABLE scanner_project_choice (
    project    TEXT   PRIMARY KEY,
    scanner    TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);
