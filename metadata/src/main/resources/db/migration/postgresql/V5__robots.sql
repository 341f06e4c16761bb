-- Robot accounts for CI. permissions: "pattern=pull,push;pattern=pull" (patterns never contain '=' or ';').
CREATE TABLE robots (
    name        TEXT COLLATE "C" PRIMARY KEY,
    secret_hash TEXT     NOT NULL,
    permissions TEXT     NOT NULL,
    expires_at  BIGINT,
    disabled    SMALLINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at  BIGINT   NOT NULL
);
