-- Kohero's initial schema. Times are Unix milliseconds (UTC); coordinates WGS 84 degrees.
-- Keep this portable where it costs nothing: migrations/postgres/ will mirror it.

CREATE TABLE actors (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('citizen', 'association', 'municipality', 'company')),
    display_name  TEXT    NOT NULL,
    lang          TEXT    NOT NULL CHECK (lang IN ('fr', 'en')),
    tz            TEXT    NOT NULL,
    verified      INTEGER NOT NULL DEFAULT 0,
    lat           REAL,
    lon           REAL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE identities (
    network     TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    actor_id    INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    PRIMARY KEY (network, external_id)
);
CREATE INDEX identities_actor ON identities (actor_id);

CREATE TABLE actor_communes (
    actor_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    insee    TEXT    NOT NULL,
    PRIMARY KEY (actor_id, insee)
);

CREATE TABLE initiatives (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('idea', 'project')),
    title       TEXT    NOT NULL,
    description TEXT    NOT NULL,
    category    TEXT    NOT NULL,
    lat         REAL,
    lon         REAL,
    commune     TEXT,
    status      TEXT    NOT NULL,
    created_by  INTEGER REFERENCES actors (id) ON DELETE SET NULL,
    offered_to  INTEGER REFERENCES actors (id) ON DELETE SET NULL,
    -- Normalised words (kohero_core::text::search_document), each after a space.
    search_text TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX initiatives_lat_lon ON initiatives (lat, lon);
CREATE INDEX initiatives_created_by ON initiatives (created_by);

CREATE TABLE memberships (
    initiative_id INTEGER NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    actor_id      INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    role          TEXT    NOT NULL CHECK (role IN ('organiser', 'member', 'supporter', 'follower')),
    since         INTEGER NOT NULL,
    PRIMARY KEY (initiative_id, actor_id)
);
CREATE INDEX memberships_actor ON memberships (actor_id);

CREATE TABLE updates (
    id            INTEGER PRIMARY KEY,
    initiative_id INTEGER NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    author_id     INTEGER REFERENCES actors (id) ON DELETE SET NULL,
    body          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX updates_initiative ON updates (initiative_id, created_at);
CREATE INDEX updates_author ON updates (author_id);

CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    initiative_id INTEGER NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    title         TEXT    NOT NULL,
    starts_at     INTEGER NOT NULL,
    tz            TEXT    NOT NULL,
    lat           REAL,
    lon           REAL,
    created_by    INTEGER REFERENCES actors (id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX events_initiative ON events (initiative_id, starts_at);

CREATE TABLE rsvps (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    actor_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    answer   TEXT    NOT NULL CHECK (answer IN ('yes', 'no', 'maybe')),
    at       INTEGER NOT NULL,
    PRIMARY KEY (event_id, actor_id)
);
CREATE INDEX rsvps_actor ON rsvps (actor_id);

CREATE TABLE subscriptions (
    id         INTEGER PRIMARY KEY,
    actor_id   INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    lat        REAL,
    lon        REAL,
    radius_m   INTEGER NOT NULL,
    commune    TEXT,
    -- Category keys separated by commas; empty for every category.
    categories TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX subscriptions_actor ON subscriptions (actor_id);

CREATE TABLE dialogues (
    actor_id   INTEGER PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
    state      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE activity (
    id            INTEGER PRIMARY KEY,
    initiative_id INTEGER NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL,
    ref_id        INTEGER,
    at            INTEGER NOT NULL
);
CREATE INDEX activity_initiative ON activity (initiative_id, at);

CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    recipient_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    body         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    sent_at      INTEGER
);
CREATE INDEX outbox_pending ON outbox (recipient_id) WHERE sent_at IS NULL;
