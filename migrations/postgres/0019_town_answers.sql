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

-- The number of supporters at which an idea of its communes is flagged to a
-- town hall (`/digest seuil 50`), and the ideas flagged, once each.
CREATE TABLE support_thresholds (
    municipality_id BIGINT NOT NULL PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
    threshold       BIGINT NOT NULL,
    set_at          BIGINT NOT NULL
);
CREATE TABLE threshold_flags (
    municipality_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    initiative_id   BIGINT NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    supporters      BIGINT NOT NULL,
    flagged_at      BIGINT NOT NULL,
    PRIMARY KEY (municipality_id, initiative_id)
);
