-- The outbox becomes the path of every outgoing message: addressed to a network
-- and a chat, with a stable key, a priority, attempts and errors. Seen event ids
-- make intake exactly-once; unreachable addresses stop retries.
CREATE TABLE outbox_v2 (
    id              INTEGER PRIMARY KEY,
    network         TEXT    NOT NULL,
    chat            TEXT    NOT NULL,
    recipient_id    INTEGER REFERENCES actors (id) ON DELETE CASCADE,
    body            TEXT    NOT NULL,
    priority        INTEGER NOT NULL DEFAULT 0,
    idem_key        TEXT    NOT NULL UNIQUE,
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until   INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    done_at         INTEGER
);

-- Earlier notices were addressed to a person: send them to one of their identities.
INSERT INTO outbox_v2 (id, network, chat, recipient_id, body, idem_key, status, next_attempt_at,
                       created_at, done_at)
SELECT o.id, MIN(i.network), MIN(i.external_id), o.recipient_id, o.body, 'legacy/' || o.id,
       CASE WHEN o.sent_at IS NULL THEN 'pending' ELSE 'sent' END, o.created_at, o.created_at,
       o.sent_at
FROM outbox o JOIN identities i ON i.actor_id = o.recipient_id
GROUP BY o.id;

DROP TABLE outbox;
ALTER TABLE outbox_v2 RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (network, priority, next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_to ON outbox (network, chat) WHERE status = 'pending';
CREATE INDEX outbox_recipient ON outbox (recipient_id) WHERE status = 'pending';
CREATE INDEX outbox_done ON outbox (done_at) WHERE status <> 'pending';

CREATE TABLE seen_events (
    network  TEXT    NOT NULL,
    event_id TEXT    NOT NULL,
    seen_at  INTEGER NOT NULL,
    PRIMARY KEY (network, event_id)
);
CREATE INDEX seen_events_age ON seen_events (seen_at);

CREATE TABLE unreachable (
    network TEXT    NOT NULL,
    chat    TEXT    NOT NULL,
    since   INTEGER NOT NULL,
    reason  TEXT    NOT NULL,
    PRIMARY KEY (network, chat)
);
