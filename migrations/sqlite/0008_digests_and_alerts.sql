-- Municipality digests (schedule, last run, announcement waiting), one row per
-- municipality and scheduled tick (a tick runs once, across restarts and
-- processes), alerts waiting for their batch, alert settings, and the
-- reminders already sent.
CREATE TABLE digest_plans (
    municipality_id INTEGER PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
    schedule        TEXT,
    tz              TEXT    NOT NULL,
    next_at         INTEGER,
    last_at         INTEGER,
    announcement    TEXT
);
CREATE INDEX digest_plans_due ON digest_plans (next_at) WHERE next_at IS NOT NULL;

CREATE TABLE digest_ticks (
    municipality_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    tick            INTEGER NOT NULL,
    PRIMARY KEY (municipality_id, tick)
);

CREATE TABLE alerts (
    id            INTEGER PRIMARY KEY,
    actor_id      INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    initiative_id INTEGER NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('new', 'update', 'event', 'member')),
    ref_id        INTEGER,
    at            INTEGER NOT NULL
);
CREATE INDEX alerts_actor ON alerts (actor_id, id);

CREATE TABLE alert_prefs (
    actor_id     INTEGER PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
    enabled      INTEGER NOT NULL,
    quiet_from   INTEGER NOT NULL,
    quiet_to     INTEGER NOT NULL,
    last_sent_at INTEGER,
    hold_until   INTEGER
);
CREATE INDEX alert_prefs_held ON alert_prefs (hold_until) WHERE hold_until IS NOT NULL;

CREATE TABLE event_reminders (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    which    TEXT    NOT NULL CHECK (which IN ('24h', '1h')),
    PRIMARY KEY (event_id, which)
);

CREATE INDEX initiatives_commune ON initiatives (commune) WHERE commune IS NOT NULL;
CREATE INDEX events_start ON events (starts_at);
CREATE INDEX subscriptions_commune ON subscriptions (commune) WHERE commune IS NOT NULL;
CREATE INDEX subscriptions_area ON subscriptions (lat, lon) WHERE commune IS NULL;
