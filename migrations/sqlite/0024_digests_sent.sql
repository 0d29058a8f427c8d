-- The digests municipalities sent, for their communes' public pages (issue
-- 21): one row per digest and commune, with the announcement it carried and
-- the commune's initiatives it told of (a JSON array of ids). Times are Unix
-- milliseconds.
CREATE TABLE digests_sent (
    id              INTEGER PRIMARY KEY,
    commune         TEXT    NOT NULL,
    municipality_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    at              INTEGER NOT NULL,
    since           INTEGER NOT NULL,
    announcement    TEXT,
    initiatives     TEXT    NOT NULL DEFAULT '[]'
);
CREATE INDEX digests_sent_commune ON digests_sent (commune, at);
CREATE INDEX digests_sent_municipality ON digests_sent (municipality_id);
