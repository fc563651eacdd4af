-- Entities acting for entities (R34, R35).
--
-- A mandate is one entity's authorisation of another to act for it on chosen e-services
-- until an end. It is offered by the mandating entity, then accepted or declined by the
-- other; either side may end it. At most one is offered or active between two entities at a
-- time. The mandated entity's administrators assign their own logins to act under it, each
-- for some of its e-services, never past its end (mandate_logins). Sign-ins under it carry
-- the represented entity and the mandate in their codes and grants, so ending it finds them.
-- warned_days is the smallest ending notice already sent (R29), ended_at set once the sweep
-- has ended its sessions at its end; the decision never reads either: it compares with now.

ALTER TABLE eservices ADD COLUMN allows_intermediaries BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE mandates (
    from_entity_id BIGINT NOT NULL REFERENCES entities (id),
    id TEXT NOT NULL UNIQUE,
    to_entity_id BIGINT NOT NULL REFERENCES entities (id),
    status TEXT NOT NULL,
    valid_until BIGINT NOT NULL,
    offered_by TEXT NOT NULL,
    offered_at BIGINT NOT NULL,
    decided_by TEXT,
    decided_at BIGINT,
    ended_by TEXT,
    ended_at BIGINT,
    warned_days BIGINT,
    swept_at BIGINT,
    PRIMARY KEY (from_entity_id, id)
);
CREATE UNIQUE INDEX mandates_one_live ON mandates (from_entity_id, to_entity_id) WHERE status IN ('offered', 'active');
CREATE INDEX mandates_received ON mandates (to_entity_id, status);
CREATE INDEX mandates_ending ON mandates (valid_until) WHERE status = 'active' AND swept_at IS NULL;

CREATE TABLE mandate_eservices (
    mandate_id TEXT NOT NULL REFERENCES mandates (id),
    eservice_code TEXT NOT NULL REFERENCES eservices (code),
    PRIMARY KEY (mandate_id, eservice_code)
);

-- Led by the acting login's entity: these rows are the mandated entity's data.
CREATE TABLE mandate_logins (
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    login_id TEXT NOT NULL,
    mandate_id TEXT NOT NULL REFERENCES mandates (id),
    eservice_code TEXT NOT NULL REFERENCES eservices (code),
    valid_from BIGINT,
    valid_until BIGINT,
    assigned_by TEXT NOT NULL,
    assigned_at BIGINT NOT NULL,
    last_used_at BIGINT,
    PRIMARY KEY (entity_id, login_id, mandate_id, eservice_code),
    FOREIGN KEY (entity_id, login_id) REFERENCES logins (entity_id, id)
);
CREATE INDEX mandate_logins_mandate ON mandate_logins (mandate_id);

ALTER TABLE oidc_codes ADD COLUMN represented_entity_id BIGINT;
ALTER TABLE oidc_codes ADD COLUMN mandate_id TEXT;
ALTER TABLE oidc_grants ADD COLUMN represented_entity_id BIGINT;
ALTER TABLE oidc_grants ADD COLUMN mandate_id TEXT;
CREATE INDEX oidc_grants_mandate ON oidc_grants (mandate_id) WHERE mandate_id IS NOT NULL AND revoked_at IS NULL;
