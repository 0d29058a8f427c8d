-- A town hall's consultations of its citizens (`C3`, issue 20). `communes`
-- and `options` are JSON arrays of text; `counts` (a JSON array of numbers)
-- and `voters` are written at the close, when every vote is deleted. Times
-- are Unix milliseconds.
CREATE TABLE consultations (
    id              INTEGER PRIMARY KEY,
    municipality_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    communes        TEXT    NOT NULL,
    question        TEXT    NOT NULL,
    options         TEXT    NOT NULL,
    multiple        INTEGER NOT NULL DEFAULT 0,
    ends_at         INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    closed_at       INTEGER,
    counts          TEXT,
    voters          INTEGER
);
CREATE INDEX consultations_municipality ON consultations (municipality_id, id);
CREATE INDEX consultations_open ON consultations (ends_at) WHERE closed_at IS NULL;
CREATE INDEX consultations_closed ON consultations (closed_at) WHERE closed_at IS NOT NULL;

-- One vote a person (linked identities are one person) while it is open:
-- the chosen options as bits (option 1 is bit 0).
CREATE TABLE consultation_votes (
    consultation_id INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    person_id       INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    choices         INTEGER NOT NULL CHECK (choices > 0 AND choices < 1024),
    voted_at        INTEGER NOT NULL,
    PRIMARY KEY (consultation_id, person_id)
);
CREATE INDEX consultation_votes_person ON consultation_votes (person_id);
