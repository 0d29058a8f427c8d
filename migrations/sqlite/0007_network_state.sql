-- What a network adapter keeps for itself: the Matrix session and sync position,
-- the Space of each commune, the numbered choices last shown in a room, and
-- (temporarily) the choices of each message, for reactions.
CREATE TABLE network_state (
    network    TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    -- 1: dropped by the pruner after the retention time (choices of a message).
    temporary  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (network, key)
) WITHOUT ROWID;
