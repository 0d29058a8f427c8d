-- The town hall's answer to an idea or project of its communes (issue 20):
-- one an initiative, updated in place. Times are Unix milliseconds.
CREATE TABLE town_answers (
    initiative_id   INTEGER NOT NULL PRIMARY KEY REFERENCES initiatives (id) ON DELETE CASCADE,
    municipality_id INTEGER REFERENCES actors (id) ON DELETE SET NULL,
    status          TEXT NOT NULL CHECK (status IN ('accepted', 'studying', 'declined')),
    text            TEXT NOT NULL,
    answered_at     INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX town_answers_updated ON town_answers (updated_at);

-- The number of supporters at which an idea of its communes is flagged to a
-- town hall (`/digest seuil 50`), and the ideas flagged, once each.
CREATE TABLE support_thresholds (
    municipality_id INTEGER NOT NULL PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
    threshold       INTEGER NOT NULL,
    set_at          INTEGER NOT NULL
);
CREATE TABLE threshold_flags (
    municipality_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    initiative_id   INTEGER NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    supporters      INTEGER NOT NULL,
    flagged_at      INTEGER NOT NULL,
    PRIMARY KEY (municipality_id, initiative_id)
);
