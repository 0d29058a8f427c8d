-- One person across networks. When each identity last wrote (notices go to
-- the one used last), the network a person chose for notices, the codes that
-- join identities, and the failed attempts at typing one (limited per
-- identity and overall). Times are Unix milliseconds.
ALTER TABLE identities ADD COLUMN last_seen_at INTEGER;
ALTER TABLE actors ADD COLUMN notify_network TEXT;

-- A six-digit code an identity asked for (one at a time), and the identity
-- that typed it on another network, waiting for the first one's confirmation.
CREATE TABLE link_codes (
    code                TEXT    PRIMARY KEY,
    actor_id            INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    network             TEXT    NOT NULL,
    external_id         TEXT    NOT NULL,
    created_at          INTEGER NOT NULL,
    expires_at          INTEGER NOT NULL,
    claimed_network     TEXT,
    claimed_external_id TEXT,
    claimed_at          INTEGER,
    UNIQUE (network, external_id)
);

CREATE TABLE link_failures (
    network     TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX link_failures_at ON link_failures (at);
CREATE INDEX link_failures_identity ON link_failures (network, external_id, at);
