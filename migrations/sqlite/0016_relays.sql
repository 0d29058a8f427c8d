-- One conversation across a project's chats. A message a person wrote in
-- one of them and the copy the bot posted in another: kept to relay its
-- edits, its redaction and the replies to it, as long as the outbox keeps
-- the message that carried the copy (`outbox_id`, read back to edit a
-- gathered copy). `whole`: the copy is one network message showing all of
-- that outbox message. Times are Unix milliseconds.
CREATE TABLE relays (
    network      TEXT    NOT NULL,
    chat         TEXT    NOT NULL,
    message_id   TEXT    NOT NULL,
    copy_network TEXT    NOT NULL,
    copy_chat    TEXT    NOT NULL,
    copy_message TEXT    NOT NULL,
    outbox_id    INTEGER NOT NULL,
    whole        INTEGER NOT NULL,
    relayed_at   INTEGER NOT NULL,
    PRIMARY KEY (network, chat, message_id, copy_network, copy_chat)
);
CREATE INDEX relays_copy ON relays (copy_network, copy_chat, copy_message);
CREATE INDEX relays_at ON relays (relayed_at);

-- Projects whose organisers turned relaying off (`/relais non`); on by
-- default.
CREATE TABLE relay_off (
    initiative_id INTEGER NOT NULL PRIMARY KEY REFERENCES initiatives (id) ON DELETE CASCADE,
    set_at        INTEGER NOT NULL
);
