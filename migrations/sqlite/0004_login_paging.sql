-- An entity's logins a page at a time (`GET …/logins?limit=`): keyset paging in the order
-- the lists use, created_at then id, reads only the page it answers.

CREATE INDEX logins_entity_order ON logins (entity_id, created_at, id);
