-- SCIM 2.0 provisioning (R33).
--
-- external_id: the HR system's own id for the person (SCIM `externalId`), unique among an
-- entity's live logins. name_key: the name as SCIM filters compare it (NFKC and case
-- folding, written by the store on every insert and update; rows older than this file get
-- lower(name), which differs from the folding only for names whose case SQLite's ASCII
-- lower() misses). scim_version counts the changes made through SCIM and modified_at says
-- when the login last changed; both feed the resource's `meta.version` and `lastModified`.
-- A suspended login (status 'suspended', `active: false`) keeps everything and grants
-- nothing: every check asks for status 'active'.
-- The partial index serves SCIM's lists: the entity's live staff logins in creation order,
-- so that a page, its offset and its count read the index only.

ALTER TABLE logins ADD COLUMN external_id TEXT;
ALTER TABLE logins ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE logins ADD COLUMN scim_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE logins ADD COLUMN modified_at BIGINT;
UPDATE logins SET name_key = lower(name);

CREATE UNIQUE INDEX logins_external_id ON logins (entity_id, external_id)
    WHERE status <> 'deleted' AND external_id IS NOT NULL;
CREATE INDEX logins_scim_order ON logins (entity_id, created_at, id)
    WHERE kind = 'staff' AND status <> 'deleted';
