-- The whole schema. Every table of an entity's data leads its key with entity_id (R20),
-- so queries stay inside one entity and the tables can be distributed by it.

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE sequences (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO sequences (name, value) VALUES ('application', 0), ('entity', 0);

CREATE TABLE operators (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE entities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT NOT NULL UNIQUE,
    entity_type TEXT NOT NULL,
    name_zh TEXT,
    name_pt TEXT,
    name_en TEXT,
    registration_number TEXT NOT NULL,
    -- R5: one entity, one account.
    registration_lookup TEXT NOT NULL UNIQUE,
    mobile_sealed BLOB NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE applications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    name_zh TEXT,
    name_pt TEXT,
    name_en TEXT,
    registration_number TEXT NOT NULL,
    registration_lookup TEXT NOT NULL,
    mobile_sealed BLOB NOT NULL,
    mobile_mask TEXT NOT NULL,
    agreement_signed BOOLEAN NOT NULL,
    submitted_by BIGINT NOT NULL REFERENCES operators (id),
    submitted_at BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by BIGINT REFERENCES operators (id),
    reject_reason TEXT,
    entity_id BIGINT REFERENCES entities (id)
);
CREATE INDEX applications_status ON applications (status, id);
CREATE INDEX applications_entity ON applications (entity_id);

CREATE TABLE application_people (
    application_id BIGINT NOT NULL REFERENCES applications (id),
    position BIGINT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    id_type TEXT NOT NULL,
    id_number_sealed BLOB NOT NULL,
    id_number_mask TEXT NOT NULL,
    id_number_lookup TEXT NOT NULL,
    mobile_sealed BLOB,
    mobile_mask TEXT,
    document_shown BOOLEAN NOT NULL,
    poa_reference TEXT,
    PRIMARY KEY (application_id, position)
);

CREATE TABLE logins (
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    name TEXT NOT NULL,
    id_type TEXT,
    id_number_sealed BLOB,
    id_number_mask TEXT,
    id_number_lookup TEXT,
    mobile_sealed BLOB NOT NULL,
    mobile_mask TEXT NOT NULL,
    mobile_lookup TEXT NOT NULL,
    username TEXT,
    username_key TEXT,
    password_hash TEXT,
    admin_removed BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    activated_at BIGINT,
    deleted_at BIGINT,
    PRIMARY KEY (entity_id, id)
);
-- R11: usernames unique within an entity among live logins.
CREATE UNIQUE INDEX logins_username ON logins (entity_id, username_key)
    WHERE status <> 'deleted' AND username_key IS NOT NULL;
CREATE INDEX logins_id_lookup ON logins (entity_id, id_number_lookup);

CREATE TABLE codes (
    entity_id BIGINT NOT NULL,
    login_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    failures BIGINT NOT NULL,
    used BOOLEAN NOT NULL,
    PRIMARY KEY (entity_id, login_id, purpose),
    FOREIGN KEY (entity_id, login_id) REFERENCES logins (entity_id, id)
);
CREATE INDEX codes_hash ON codes (entity_id, purpose, code_hash);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    entity_id BIGINT,
    login_id TEXT,
    operator_id BIGINT REFERENCES operators (id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_login ON sessions (entity_id, login_id);

CREATE TABLE eservices (
    code TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_pt TEXT NOT NULL,
    name_en TEXT NOT NULL,
    department TEXT NOT NULL,
    assurance TEXT NOT NULL,
    requires_registration BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE entity_eservices (
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    eservice_code TEXT NOT NULL REFERENCES eservices (code),
    registered_at BIGINT NOT NULL,
    PRIMARY KEY (entity_id, eservice_code)
);

CREATE TABLE login_eservices (
    entity_id BIGINT NOT NULL,
    login_id TEXT NOT NULL,
    eservice_code TEXT NOT NULL REFERENCES eservices (code),
    assigned_at BIGINT NOT NULL,
    PRIMARY KEY (entity_id, login_id, eservice_code),
    FOREIGN KEY (entity_id, login_id) REFERENCES logins (entity_id, id)
);

CREATE TABLE notifications (
    entity_id BIGINT NOT NULL,
    id TEXT NOT NULL,
    login_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    params TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (entity_id, id),
    FOREIGN KEY (entity_id, login_id) REFERENCES logins (entity_id, id)
);
CREATE INDEX notifications_login ON notifications (entity_id, login_id, created_at);

-- The SMS outbox: written with the change that causes the message; the payload (it holds
-- codes) is sealed, and wiped once delivered.
CREATE TABLE sms_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payload_sealed BLOB,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    delivered_at BIGINT,
    last_error TEXT
);
CREATE INDEX sms_outbox_due ON sms_outbox (delivered_at, next_attempt_at);

CREATE TABLE throttles (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL
);

-- R26: the hash-chained audit log and its checkpointed head. Every write transaction
-- locks the head row first, which also serialises the rules' read-check-write steps.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    entity_id BIGINT,
    action TEXT NOT NULL,
    target TEXT,
    result TEXT NOT NULL,
    detail TEXT NOT NULL,
    source TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity_id, seq);

CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    mac TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash, mac) VALUES (1, 0, '', '');
