-- Access that ends by itself and is reviewed (R28–R31, R37).
--
-- An assignment may carry a start and an end (R28), await a second administrator (R31:
-- proposed_by names the first), and carries when it was last granted or confirmed
-- (reviewed_at, reviewed_by: R30), when a review last confirmed it (confirmed_at), and last used at token issuance. warned_days is the
-- smallest ending notice already sent (R29: 14, then 3); ended_at is set once the sweep
-- has ended its sessions at its end. The decision never reads warned_days or ended_at: it
-- compares the dates with now.

ALTER TABLE eservices ADD COLUMN four_eyes BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE eservices ADD COLUMN review_days BIGINT NOT NULL DEFAULT 180;

ALTER TABLE login_eservices ADD COLUMN valid_from BIGINT;
ALTER TABLE login_eservices ADD COLUMN valid_until BIGINT;
ALTER TABLE login_eservices ADD COLUMN proposed_by TEXT;
ALTER TABLE login_eservices ADD COLUMN reviewed_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE login_eservices ADD COLUMN reviewed_by TEXT;
ALTER TABLE login_eservices ADD COLUMN confirmed_at BIGINT;
ALTER TABLE login_eservices ADD COLUMN last_used_at BIGINT;
ALTER TABLE login_eservices ADD COLUMN warned_days BIGINT;
ALTER TABLE login_eservices ADD COLUMN ended_at BIGINT;
UPDATE login_eservices SET reviewed_at = assigned_at;
CREATE INDEX login_eservices_ending ON login_eservices (valid_until) WHERE valid_until IS NOT NULL AND ended_at IS NULL;

-- R29: a login may ask for its notices about access ending by SMS too.
ALTER TABLE logins ADD COLUMN sms_notices BOOLEAN NOT NULL DEFAULT FALSE;

-- Each entity's current review cycle; an entity without a row is in its first, which began
-- when the entity was created and falls due 180 days later.
CREATE TABLE access_review_cycles (
    entity_id BIGINT PRIMARY KEY REFERENCES entities (id),
    started_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    announced_at BIGINT
);

-- Items removed in a review, listed in it until it is finished.
CREATE TABLE access_review_removals (
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    login_id TEXT NOT NULL,
    eservice_code TEXT NOT NULL,
    valid_from BIGINT,
    valid_until BIGINT,
    last_used_at BIGINT,
    removed_by TEXT NOT NULL,
    removed_at BIGINT NOT NULL,
    PRIMARY KEY (entity_id, login_id, eservice_code, removed_at)
);

-- Finished reviews, each with its report as exported and the audit-chain head that sealed it.
CREATE TABLE access_reviews (
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    id TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    finished_by TEXT NOT NULL,
    sealed_head TEXT NOT NULL,
    report TEXT NOT NULL,
    PRIMARY KEY (entity_id, id)
);
CREATE INDEX access_reviews_latest ON access_reviews (entity_id, finished_at);

-- R37: a login asks its administrators for an e-service.
CREATE TABLE access_requests (
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    id TEXT NOT NULL,
    login_id TEXT NOT NULL,
    eservice_code TEXT NOT NULL REFERENCES eservices (code),
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    decision TEXT,
    decided_by TEXT,
    decided_at BIGINT,
    answer TEXT,
    PRIMARY KEY (entity_id, id),
    FOREIGN KEY (entity_id, login_id) REFERENCES logins (entity_id, id)
);
CREATE INDEX access_requests_open ON access_requests (entity_id, created_at) WHERE decision IS NULL;
