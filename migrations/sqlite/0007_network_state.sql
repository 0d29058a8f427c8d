-- What a network adapter keeps for itself: the Matrix session and sync position,
-- the Space of each commune, the numbered choices last shown in a room.
CREATE TABLE network_state (
    network    TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (network, key)
) WITHOUT ROWID;
