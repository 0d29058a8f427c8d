-- What projects need (`B5`) and the offers people and actors make them
-- (`O7`), issue 19. Times are Unix milliseconds.
CREATE TABLE needs (
    id            INTEGER PRIMARY KEY,
    initiative_id INTEGER NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('volunteers', 'material', 'skill', 'place', 'funding')),
    quantity      INTEGER,
    detail        TEXT,
    filled        INTEGER NOT NULL DEFAULT 0,
    status        TEXT    NOT NULL CHECK (status IN ('open', 'filled', 'closed')),
    created_by    INTEGER REFERENCES actors (id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    closed_at     INTEGER,
    -- The end of the day it is for (`jusqu'au`), if it said: past it, the
    -- need is over.
    until_at      INTEGER
);
CREATE INDEX needs_initiative ON needs (initiative_id, status);

-- `person_id` NULL once that person was erased: an offer made for an actor
-- stays (its partnership), a person's own offer is deleted with them.
CREATE TABLE offers (
    id            INTEGER PRIMARY KEY,
    initiative_id INTEGER NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    need_id       INTEGER REFERENCES needs (id) ON DELETE SET NULL,
    person_id     INTEGER REFERENCES actors (id) ON DELETE SET NULL,
    as_actor      INTEGER REFERENCES actors (id) ON DELETE SET NULL,
    message       TEXT,
    status        TEXT    NOT NULL CHECK (status IN ('pending', 'accepted', 'declined')),
    created_at    INTEGER NOT NULL,
    answered_at   INTEGER,
    answered_by   INTEGER REFERENCES actors (id) ON DELETE SET NULL
);
CREATE INDEX offers_initiative ON offers (initiative_id, status);
CREATE INDEX offers_person ON offers (person_id);
CREATE INDEX offers_need ON offers (need_id);
CREATE INDEX offers_as_actor ON offers (as_actor) WHERE as_actor IS NOT NULL;

-- A project's open needs are in the nearby index (`/besoins`): a change of
-- a need is a change of its initiative.
CREATE TRIGGER needs_insert AFTER INSERT ON needs BEGIN
    INSERT INTO initiative_changes (initiative_id) VALUES (new.initiative_id);
END;
CREATE TRIGGER needs_update AFTER UPDATE ON needs BEGIN
    INSERT INTO initiative_changes (initiative_id) VALUES (new.initiative_id);
END;

-- People who follow a verified actor (`/suivre A12`): its initiatives'
-- news come in their feed and alerts.
CREATE TABLE actor_follows (
    follower_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    actor_id    INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    since       INTEGER NOT NULL,
    PRIMARY KEY (follower_id, actor_id)
);
CREATE INDEX actor_follows_actor ON actor_follows (actor_id);

-- Alerts gain two kinds: a need nearby that matches a person's skills, and
-- the town hall's answer to an initiative the person follows.
CREATE TABLE alerts_new (
    id            INTEGER PRIMARY KEY,
    actor_id      INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    initiative_id INTEGER NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('new', 'update', 'event', 'member', 'need', 'answer')),
    ref_id        INTEGER,
    at            INTEGER NOT NULL
);
INSERT INTO alerts_new (id, actor_id, initiative_id, kind, ref_id, at)
    SELECT id, actor_id, initiative_id, kind, ref_id, at FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_new RENAME TO alerts;
CREATE INDEX alerts_actor ON alerts (actor_id, id);
