-- Moderation: what people report, who moderates, who is banned, and what
-- was done (the log). Times are Unix milliseconds.

-- Hidden content stays stored (its author can ask for a review) but shows
-- nowhere: set by a moderator, by enough reports, or by a ban.
ALTER TABLE initiatives ADD COLUMN hidden_at INTEGER;
ALTER TABLE updates ADD COLUMN hidden_at INTEGER;
ALTER TABLE events ADD COLUMN hidden_at INTEGER;

-- One report per person and item. `target_kind`: initiative, update, event,
-- actor. An appeal is the author's own report (reason 'appeal').
CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    target_kind TEXT    NOT NULL CHECK (target_kind IN ('initiative', 'update', 'event', 'actor')),
    target_id   INTEGER NOT NULL,
    reporter_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    reason      TEXT    NOT NULL,
    body        TEXT,
    created_at  INTEGER NOT NULL,
    resolved_at INTEGER,
    UNIQUE (target_kind, target_id, reporter_id)
);
CREATE INDEX reports_open ON reports (created_at) WHERE resolved_at IS NULL;
CREATE INDEX reports_resolved ON reports (resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX reports_reporter ON reports (reporter_id);

-- Moderators named by the operator: everywhere ('*') or for some communes.
CREATE TABLE moderators (
    actor_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    scope    TEXT    NOT NULL,
    PRIMARY KEY (actor_id, scope)
);

-- Bans are kept by identity, not by person: they outlive the person's
-- erasure (the identity, the end and the reason, nothing else).
CREATE TABLE bans (
    network     TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    until_at    INTEGER,
    reason      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (network, external_id)
);
CREATE INDEX bans_until ON bans (until_at) WHERE until_at IS NOT NULL;

-- Every moderation action: who (NULL: the operator or Kohero itself), about
-- whom, on what, why.
CREATE TABLE moderation_log (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    moderator_id INTEGER REFERENCES actors (id) ON DELETE SET NULL,
    subject_id   INTEGER REFERENCES actors (id) ON DELETE SET NULL,
    action       TEXT    NOT NULL,
    target_kind  TEXT,
    target_id    INTEGER,
    reason       TEXT    NOT NULL
);
CREATE INDEX moderation_log_at ON moderation_log (at);
CREATE INDEX moderation_log_subject ON moderation_log (subject_id);
