-- Leases: which process does a job that only one may do at a time (polling a
-- network, its sending); held until `expires_at` (Unix ms) unless renewed.
CREATE TABLE leases (
    name       TEXT    PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);
