-- Buttons on networks that carry only short payloads (Telegram's 64-byte
-- callback data) point here: the payload is an id, the command stays on our side.
CREATE TABLE actions (
    id         INTEGER PRIMARY KEY,
    command    TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
