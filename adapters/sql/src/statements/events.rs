//! The statements of [`Events`](kohero_core::ports::Events).

/// [`Events::insert_event`](kohero_core::ports::Events::insert_event).
pub const INSERT_EVENT: &str =
    "INSERT INTO events (initiative_id, title, starts_at, tz, lat, lon, created_by, created_at,
    duration_minutes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING *";

/// [`Events::event`](kohero_core::ports::Events::event).
pub const EVENT: &str = "SELECT * FROM events WHERE id = ?1";

/// [`Events::events_of`](kohero_core::ports::Events::events_of).
pub const EVENTS_OF: &str =
    "SELECT * FROM events WHERE initiative_id = ?1 AND starts_at >= ?2 AND cancelled_at IS NULL
    ORDER BY starts_at, id";

/// [`Events::events_starting`](kohero_core::ports::Events::events_starting).
pub const EVENTS_STARTING: &str =
    "SELECT * FROM events WHERE starts_at >= ?1 AND starts_at < ?2 AND cancelled_at IS NULL
    ORDER BY starts_at, id";

/// [`Events::set_rsvp`](kohero_core::ports::Events::set_rsvp).
pub const SET_RSVP: &str =
    "INSERT INTO rsvps (event_id, actor_id, answer, at) VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT (event_id, actor_id) DO UPDATE SET answer = excluded.answer,
    at = excluded.at";

/// [`Events::rsvps`](kohero_core::ports::Events::rsvps).
pub const RSVPS: &str = "SELECT * FROM rsvps WHERE event_id = ?1 ORDER BY at, actor_id";

/// [`Events::rsvps_of`](kohero_core::ports::Events::rsvps_of).
pub const RSVPS_OF: &str = "SELECT * FROM rsvps WHERE actor_id = ?1 ORDER BY event_id";

/// [`Events::events_between`](kohero_core::ports::Events::events_between).
pub const EVENTS_BETWEEN: &str =
    "SELECT * FROM events WHERE initiative_id IN (SELECT value FROM json_each(?1))
    AND starts_at >= ?2 AND starts_at < ?3 AND cancelled_at IS NULL ORDER BY starts_at, id";

/// [`Events::events_in`](kohero_core::ports::Events::events_in).
pub const EVENTS_IN: &str = "SELECT e.* FROM events e JOIN initiatives i ON i.id = e.initiative_id
    WHERE i.commune = ?1 AND i.hidden_at IS NULL AND e.hidden_at IS NULL
    AND e.cancelled_at IS NULL AND e.starts_at >= ?2 AND e.starts_at < ?3
    ORDER BY e.starts_at, e.id LIMIT ?4";

/// [`Events::change_event`](kohero_core::ports::Events::change_event).
pub const CHANGE_EVENT: &str = "UPDATE events SET title = ?2, starts_at = ?3, tz = ?4, lat = ?5,
    lon = ?6, duration_minutes = ?7, sequence = ?8, updated_at = ?9, cancelled_at = ?10
    WHERE id = ?1";

/// [`Events::change_event`](kohero_core::ports::Events::change_event): a
/// moved event's reminders are due again.
pub const FORGET_REMINDERS: &str = "DELETE FROM event_reminders WHERE event_id = ?1";

/// [`Events::calendar_events`](kohero_core::ports::Events::calendar_events):
/// an event lasts at most a week, so those ending after `from` start after
/// `from` less a week (the index on the start serves).
pub const CALENDAR_EVENTS: &str =
    "SELECT * FROM events WHERE initiative_id IN (SELECT value FROM json_each(?1))
    AND starts_at >= ?2 AND starts_at + duration_minutes * 60000 > ?3 AND hidden_at IS NULL
    ORDER BY starts_at, id LIMIT ?4";

/// Every statement of this file (tests).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[
    INSERT_EVENT,
    EVENT,
    EVENTS_OF,
    EVENTS_STARTING,
    SET_RSVP,
    RSVPS,
    RSVPS_OF,
    EVENTS_BETWEEN,
    EVENTS_IN,
    CHANGE_EVENT,
    FORGET_REMINDERS,
    CALENDAR_EVENTS,
];
