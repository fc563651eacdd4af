-- Advanced electronic identification (R21–R24): each login's face-recognition state and
-- bound security-code secret (sealed), the single-use enrolments the counter completes,
-- the server's X25519 enrolment key (private half sealed), and step-ups of sessions.

CREATE TABLE login_eid (
    entity_id BIGINT NOT NULL,
    login_id TEXT NOT NULL,
    face_enabled BOOLEAN NOT NULL,
    -- `person` or `failures` while off; NULL while on.
    face_off_reason TEXT,
    face_failures BIGINT NOT NULL,
    face_next_try_at BIGINT NOT NULL,
    totp_secret_sealed BYTEA,
    -- The last 30-second step accepted: that step and every earlier one are refused (R24).
    totp_last_step BIGINT,
    totp_bound_at BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (entity_id, login_id),
    FOREIGN KEY (entity_id, login_id) REFERENCES logins (entity_id, id)
);

CREATE TABLE eid_enrolments (
    entity_id BIGINT NOT NULL,
    id TEXT NOT NULL,
    login_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (entity_id, id),
    FOREIGN KEY (entity_id, login_id) REFERENCES logins (entity_id, id)
);

CREATE TABLE eid_keys (
    id TEXT PRIMARY KEY,
    private_sealed BYTEA NOT NULL,
    public_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE session_step_ups (
    token_hash TEXT PRIMARY KEY REFERENCES sessions (token_hash) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    -- `otp` or `face`.
    method TEXT NOT NULL
);
