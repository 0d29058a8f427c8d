-- The town hall's answer to an idea or project of its communes (issue 20):
-- one an initiative, updated in place. Times are Unix milliseconds.
CREATE TABLE town_answers (
    initiative_id   BIGINT NOT NULL PRIMARY KEY REFERENCES initiatives (id) ON DELETE CASCADE,
    municipality_id BIGINT REFERENCES actors (id) ON DELETE SET NULL,
    status          TEXT NOT NULL CHECK (status IN ('accepted', 'studying', 'declined')),
    text            TEXT NOT NULL,
    answered_at     BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX town_answers_updated ON town_answers (updated_at);
