-- Webhooks: per-project subscriptions and the durable queue of their deliveries (see JdbcWebhookStore).
-- The project is a name, not a reference to projects: with access control off a project is only the first component
-- of its repositories' names, and has no row.
-- secret is the HMAC key itself (it cannot be hashed); event_types is a comma-separated list of type names.
CREATE TABLE webhooks (
    id          TEXT    PRIMARY KEY,
    project     TEXT    NOT NULL,
    target_url  TEXT    NOT NULL,
    event_types TEXT    NOT NULL,
    secret      TEXT    NOT NULL,
    enabled     SMALLINT NOT NULL CHECK (enabled IN (0, 1)),
    created_at  BIGINT  NOT NULL
);
CREATE INDEX webhooks_by_project ON webhooks (project, created_at);

-- One event on its way to one webhook. id is a version 7 UUID, so it sorts by creation time. While PENDING,
-- next_attempt_at is when it is due or, once claimed, when the claim lapses.
CREATE TABLE webhook_deliveries (
    id               TEXT    PRIMARY KEY,
    webhook_id       TEXT    NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id         TEXT    NOT NULL,
    event_type       TEXT    NOT NULL,
    payload          BLOB    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts         INTEGER NOT NULL,
    next_attempt_at  BIGINT  NOT NULL,
    last_status_code INTEGER NOT NULL,
    last_error       TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    redelivery_of    TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (updated_at) WHERE status <> 'PENDING';
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, id);

CREATE TABLE webhook_attempts (
    delivery_id TEXT    NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    at          BIGINT  NOT NULL,
    status_code INTEGER NOT NULL,
    error       TEXT    NOT NULL,
    duration_ms BIGINT  NOT NULL,
    PRIMARY KEY (delivery_id, number)
);
