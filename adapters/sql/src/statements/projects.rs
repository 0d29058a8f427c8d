//! Statements of [`Projects`](kohero_core::ports::Projects) (both stores).

/// [`Projects::membership`](kohero_core::ports::Projects::membership).
pub const MEMBERSHIP: &str = "SELECT * FROM memberships WHERE initiative_id = ?1 AND actor_id = ?2";

/// [`Projects::set_membership`](kohero_core::ports::Projects::set_membership).
pub const SET_MEMBERSHIP: &str =
    "INSERT INTO memberships (initiative_id, actor_id, role, since) VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT (initiative_id, actor_id) DO UPDATE SET role = excluded.role,
    since = excluded.since";

/// [`Projects::remove_membership`](kohero_core::ports::Projects::remove_membership).
pub const REMOVE_MEMBERSHIP: &str =
    "DELETE FROM memberships WHERE initiative_id = ?1 AND actor_id = ?2";

/// [`Projects::members`](kohero_core::ports::Projects::members).
pub const MEMBERS: &str =
    "SELECT * FROM memberships WHERE initiative_id = ?1 ORDER BY since, actor_id";

/// [`Projects::memberships_of`](kohero_core::ports::Projects::memberships_of).
pub const MEMBERSHIPS_OF: &str =
    "SELECT * FROM memberships WHERE actor_id = ?1 ORDER BY since, initiative_id";

/// [`Projects::insert_update`](kohero_core::ports::Projects::insert_update).
pub const INSERT_UPDATE: &str =
    "INSERT INTO updates (initiative_id, author_id, body, created_at) VALUES (?1, ?2, ?3, ?4)
    RETURNING *";

/// [`Projects::update_by_id`](kohero_core::ports::Projects::update_by_id).
pub const UPDATE_BY_ID: &str = "SELECT * FROM updates WHERE id = ?1";

/// [`Projects::updates_of`](kohero_core::ports::Projects::updates_of).
pub const UPDATES_OF: &str =
    "SELECT * FROM updates WHERE initiative_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2";

/// [`Projects::updates_by`](kohero_core::ports::Projects::updates_by).
pub const UPDATES_BY: &str = "SELECT * FROM updates WHERE author_id = ?1 ORDER BY id";

/// [`Projects::insert_event`](kohero_core::ports::Projects::insert_event).
pub const INSERT_EVENT: &str =
    "INSERT INTO events (initiative_id, title, starts_at, tz, lat, lon, created_by, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING *";

/// [`Projects::event`](kohero_core::ports::Projects::event).
pub const EVENT: &str = "SELECT * FROM events WHERE id = ?1";

/// [`Projects::events_of`](kohero_core::ports::Projects::events_of).
pub const EVENTS_OF: &str =
    "SELECT * FROM events WHERE initiative_id = ?1 AND starts_at >= ?2 ORDER BY starts_at, id";

/// [`Projects::events_starting`](kohero_core::ports::Projects::events_starting).
pub const EVENTS_STARTING: &str =
    "SELECT * FROM events WHERE starts_at >= ?1 AND starts_at < ?2 ORDER BY starts_at, id";

/// [`Projects::set_rsvp`](kohero_core::ports::Projects::set_rsvp).
pub const SET_RSVP: &str =
    "INSERT INTO rsvps (event_id, actor_id, answer, at) VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT (event_id, actor_id) DO UPDATE SET answer = excluded.answer,
    at = excluded.at";

/// [`Projects::rsvps`](kohero_core::ports::Projects::rsvps).
pub const RSVPS: &str = "SELECT * FROM rsvps WHERE event_id = ?1 ORDER BY at, actor_id";

/// [`Projects::rsvps_of`](kohero_core::ports::Projects::rsvps_of).
pub const RSVPS_OF: &str = "SELECT * FROM rsvps WHERE actor_id = ?1 ORDER BY event_id";

/// [`Projects::updates_by_ids`](kohero_core::ports::Projects::updates_by_ids).
pub const UPDATES_BY_IDS: &str =
    "SELECT * FROM updates WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id";

/// [`Projects::events_between`](kohero_core::ports::Projects::events_between).
pub const EVENTS_BETWEEN: &str =
    "SELECT * FROM events WHERE initiative_id IN (SELECT value FROM json_each(?1))
    AND starts_at >= ?2 AND starts_at < ?3 ORDER BY starts_at, id";

/// Every statement of this file (tests).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[
    MEMBERSHIP,
    SET_MEMBERSHIP,
    REMOVE_MEMBERSHIP,
    MEMBERS,
    MEMBERSHIPS_OF,
    INSERT_UPDATE,
    UPDATE_BY_ID,
    UPDATES_OF,
    UPDATES_BY,
    INSERT_EVENT,
    EVENT,
    EVENTS_OF,
    EVENTS_STARTING,
    SET_RSVP,
    RSVPS,
    RSVPS_OF,
    UPDATES_BY_IDS,
    EVENTS_BETWEEN,
];
