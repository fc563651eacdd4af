-- The OpenID Connect provider: e-services as clients, authorization codes, grants (one per
-- sign-in of a login into an e-service, or per client_credentials issuance) and their
-- tokens, signing keys, and the back-channel logout outbox. Tokens and codes are stored
-- as hashes; grants carry entity_id so an entity's sign-ins stay findable by entity.

CREATE TABLE oidc_clients (
    client_id TEXT PRIMARY KEY REFERENCES eservices (code),
    -- `client_secret` or `private_key_jwt` (RFC 7523).
    auth_method TEXT NOT NULL,
    -- A keyed hash of the secret: secrets are long and random, so a fast hash suffices.
    -- Empty for private_key_jwt clients, whose public keys are in `jwks`.
    secret_hash TEXT NOT NULL,
    jwks TEXT,
    redirect_uris TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL,
    backchannel_logout_uri TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- private_key_jwt assertions seen, so none is accepted twice (RFC 7523 §3, `jti`).
CREATE TABLE oidc_assertions (
    client_id TEXT NOT NULL REFERENCES oidc_clients (client_id),
    jti TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (client_id, jti)
);

CREATE TABLE oidc_grants (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES oidc_clients (client_id),
    entity_id BIGINT,
    login_id TEXT,
    sid TEXT,
    scope TEXT NOT NULL,
    auth_time BIGINT NOT NULL,
    acr TEXT NOT NULL,
    amr TEXT NOT NULL,
    locale TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    FOREIGN KEY (entity_id, login_id) REFERENCES logins (entity_id, id)
);
CREATE INDEX oidc_grants_login ON oidc_grants (entity_id, login_id);
CREATE INDEX oidc_grants_sid ON oidc_grants (sid);

CREATE TABLE oidc_codes (
    code_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES oidc_clients (client_id),
    entity_id BIGINT NOT NULL,
    login_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    nonce TEXT,
    scope TEXT NOT NULL,
    sid TEXT NOT NULL,
    -- The single sign-on session it came from: redeemed after that session ended, it is refused.
    session_hash TEXT NOT NULL,
    auth_time BIGINT NOT NULL,
    acr TEXT NOT NULL,
    amr TEXT NOT NULL,
    locale TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    -- Set at the first redemption; a second one revokes this grant (RFC 6749 4.1.2).
    grant_id TEXT,
    FOREIGN KEY (entity_id, login_id) REFERENCES logins (entity_id, id)
);

CREATE TABLE oidc_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL REFERENCES oidc_grants (id),
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    -- Refresh tokens: set when exchanged for the next one; presenting it again revokes the grant.
    used_at BIGINT
);
CREATE INDEX oidc_tokens_grant ON oidc_tokens (grant_id);

CREATE TABLE oidc_keys (
    kid TEXT PRIMARY KEY,
    private_sealed BLOB NOT NULL,
    public_jwk TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT
);

CREATE TABLE backchannel_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id TEXT NOT NULL REFERENCES oidc_clients (client_id),
    sub TEXT NOT NULL,
    sid TEXT,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    delivered_at BIGINT,
    last_error TEXT
);
CREATE INDEX backchannel_outbox_due ON backchannel_outbox (delivered_at, next_attempt_at);
