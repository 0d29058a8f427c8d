-- Verified actors as the public sees them (issue 19), and the skills a
-- person offers. One row per actor that said anything beyond its name;
-- `categories` and `skills` are comma-separated keys (skills folded). Times
-- are Unix milliseconds.
CREATE TABLE actor_profiles (
    actor_id        INTEGER NOT NULL PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
    description     TEXT,
    categories      TEXT    NOT NULL DEFAULT '',
    lat             REAL,
    lon             REAL,
    commune         TEXT,
    site            TEXT,
    contact         TEXT,
    skills          TEXT    NOT NULL DEFAULT '',
    skills_radius_m INTEGER,
    updated_at      INTEGER NOT NULL
);

-- The people who act for a verified actor besides its own account: one
-- actor each at most. `confirmed_at` NULL: invited, not yet accepted (an
-- invitation gives no right).
CREATE TABLE actor_team (
    actor_id  INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL UNIQUE REFERENCES actors (id) ON DELETE CASCADE,
    added_by  INTEGER REFERENCES actors (id) ON DELETE SET NULL,
    since     INTEGER NOT NULL,
    confirmed_at INTEGER,
    PRIMARY KEY (actor_id, member_id)
);

-- An initiative proposed in a verified actor's name by one of its people.
ALTER TABLE initiatives ADD COLUMN carried_by INTEGER REFERENCES actors (id) ON DELETE SET NULL;
CREATE INDEX initiatives_carried_by ON initiatives (carried_by) WHERE carried_by IS NOT NULL;

-- Every write of a verified actor or of a profile, in commit order: each
-- process's actors index reads the changes after its cursor, as for
-- initiatives. Kept as long as sent messages are (pruned by `at`, Unix ms).
CREATE TABLE actor_changes (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id INTEGER NOT NULL,
    at       INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER))
);
CREATE INDEX actor_changes_at ON actor_changes (at);

CREATE TRIGGER actor_changes_profile_insert AFTER INSERT ON actor_profiles BEGIN
    INSERT INTO actor_changes (actor_id) VALUES (new.actor_id);
END;
CREATE TRIGGER actor_changes_profile_update AFTER UPDATE ON actor_profiles BEGIN
    INSERT INTO actor_changes (actor_id) VALUES (new.actor_id);
END;
CREATE TRIGGER actor_changes_update AFTER UPDATE ON actors
    WHEN old.verified <> 0 OR new.verified <> 0 BEGIN
    INSERT INTO actor_changes (actor_id) VALUES (new.id);
END;
CREATE TRIGGER actor_changes_delete AFTER DELETE ON actors WHEN old.verified <> 0 BEGIN
    INSERT INTO actor_changes (actor_id) VALUES (old.id);
END;
