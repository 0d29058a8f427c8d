-- Messages in shared chats that show an update or an event: a copy the bot
-- posted in a project's room, or the command a person wrote there. Kept (by
-- the network's message id) so that they are taken back when what they show
-- is hidden; pruned after 90 days. Times are Unix milliseconds.
CREATE TABLE posts (
    network     TEXT    NOT NULL,
    chat        TEXT    NOT NULL,
    message_id  TEXT    NOT NULL,
    target_kind TEXT    NOT NULL CHECK (target_kind IN ('initiative', 'update', 'event', 'actor')),
    target_id   INTEGER NOT NULL,
    posted_at   INTEGER NOT NULL,
    PRIMARY KEY (network, chat, message_id)
);
CREATE INDEX posts_target ON posts (target_kind, target_id);
CREATE INDEX posts_at ON posts (posted_at);
