-- The outbox keeps a message's format: 2 is a JSON body of a destination and
-- a payload (a message, or changes to a room), written by this build with its
-- format given. Rows without one are format 1 (a reply whose blocks mixed
-- messages and room changes, addressed to chats such as `space:INSEE`),
-- whether written before this migration or by an older process still running
-- beside a new one: the store converts them when it opens (see
-- `kohero_sql::outbox_form::upgrade_v1`), the index below finding them, and a
-- claim fails any it meets in the meantime instead of stalling.
ALTER TABLE outbox ADD COLUMN format INTEGER NOT NULL DEFAULT 1;
CREATE INDEX outbox_old_format ON outbox (id) WHERE format < 2;

-- Rooms and topics made by earlier builds, kept where this build's adapters
-- look before making one (an earlier build found them through the rooms
-- table), so that a room creation pending across the upgrade makes no second
-- room.
INSERT OR IGNORE INTO network_state (network, key, value, updated_at)
SELECT network, 'project:' || initiative_id, chat, 0
FROM rooms WHERE network = 'matrix';
INSERT OR IGNORE INTO network_state (network, key, value, updated_at)
SELECT network, 'topic:' || substr(chat, 1, instr(chat, '/') - 1) || ':' || initiative_id, chat, 0
FROM rooms WHERE network = 'telegram' AND instr(chat, '/') > 0;
