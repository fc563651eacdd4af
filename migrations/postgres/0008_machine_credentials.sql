-- An entity's own software (R36).
--
-- A machine credential is an entity's client of the token endpoint: a name, how it
-- authenticates (a secret kept as a keyed hash, or one public JWK for private_key_jwt), the
-- e-services it may call (machine_credential_eservices), the provisioning right of R33, and
-- an end. Its tokens (machine_tokens) are each for one resource: an e-service's code or the
-- provisioning API ('scim/v2'); every use reads the credential again, so a deleted, expired
-- or narrowed credential's tokens stop at once. machine_assertions keeps each
-- private_key_jwt assertion's jti until it expires, so none is accepted twice.
-- warned_days is the smallest ending notice already sent (R29); the decision never reads it.

CREATE TABLE machine_credentials (
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    client_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    auth TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    jwk TEXT,
    provisioning BOOLEAN NOT NULL,
    valid_until BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    warned_days BIGINT,
    PRIMARY KEY (entity_id, client_id)
);
CREATE INDEX machine_credentials_ending ON machine_credentials (valid_until);

CREATE TABLE machine_credential_eservices (
    entity_id BIGINT NOT NULL,
    client_id TEXT NOT NULL,
    eservice_code TEXT NOT NULL REFERENCES eservices (code),
    PRIMARY KEY (entity_id, client_id, eservice_code),
    FOREIGN KEY (entity_id, client_id) REFERENCES machine_credentials (entity_id, client_id)
);

CREATE TABLE machine_tokens (
    token_hash TEXT PRIMARY KEY,
    entity_id BIGINT NOT NULL,
    client_id TEXT NOT NULL,
    resource TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    FOREIGN KEY (entity_id, client_id) REFERENCES machine_credentials (entity_id, client_id)
);
CREATE INDEX machine_tokens_credential ON machine_tokens (entity_id, client_id);
CREATE INDEX machine_tokens_expiry ON machine_tokens (expires_at);

CREATE TABLE machine_assertions (
    entity_id BIGINT NOT NULL,
    client_id TEXT NOT NULL,
    jti TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (entity_id, client_id, jti),
    FOREIGN KEY (entity_id, client_id) REFERENCES machine_credentials (entity_id, client_id)
);
