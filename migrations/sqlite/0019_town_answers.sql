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
