-- What a network adapter keeps for itself: the Matrix session and sync position,
-- the Space of each commune, the numbered choices last shown in a room, and
-- (temporarily) the choices of each message, for reactions.
CREATE TABLE network_state (
    network    TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    updated_at BIGINT NOT NULL,
    -- 1: dropped by the pruner after the retention time (choices of a message).
    temporary  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (network, key)
);
