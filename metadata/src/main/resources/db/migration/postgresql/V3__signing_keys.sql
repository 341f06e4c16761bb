-- Token signing keys shared by every node. The private JWK is stored as is: protect the database like the keys.
CREATE TABLE signing_keys (
    key_id      TEXT   PRIMARY KEY,
    private_jwk TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    retired_at  BIGINT
);
