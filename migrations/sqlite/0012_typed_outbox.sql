-- The outbox keeps a message's format: 2 is a JSON body of a destination and
-- a payload (a message, or changes to a room). Rows written before are format
-- 1 (a reply whose blocks mixed messages and room changes, addressed to chats
-- such as `space:INSEE`); the store converts them when it opens (see
-- `kohero_core::outbox_form::upgrade_v1`), the index below finding them.
ALTER TABLE outbox ADD COLUMN format INTEGER NOT NULL DEFAULT 2;
UPDATE outbox SET format = 1;
CREATE INDEX outbox_old_format ON outbox (id) WHERE format < 2;
