-- Chats that belong to an initiative: a Telegram group linked with /lier, later a
-- Matrix room. Updates and events made elsewhere are posted there too.
CREATE TABLE rooms (
    network       TEXT    NOT NULL,
    chat          TEXT    NOT NULL,
    initiative_id BIGINT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (network, chat)
);
CREATE INDEX rooms_initiative ON rooms (initiative_id);
