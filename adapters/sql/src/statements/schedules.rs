//! Statements of [`Schedules`](kohero_core::ports::Schedules) that are the same in both stores.

/// [`Schedules::digest_plan`](kohero_core::ports::Schedules::digest_plan).
pub const DIGEST_PLAN: &str = "SELECT * FROM digest_plans WHERE municipality_id = ?1";

/// [`Schedules::due_digest_plans`](kohero_core::ports::Schedules::due_digest_plans).
pub const DUE_DIGEST_PLANS: &str =
    "SELECT * FROM digest_plans WHERE next_at IS NOT NULL AND next_at <= ?1
    ORDER BY next_at, municipality_id";

/// [`Schedules::queue_alert`](kohero_core::ports::Schedules::queue_alert).
pub const QUEUE_ALERT: &str =
    "INSERT INTO alerts (actor_id, initiative_id, kind, ref_id, at) VALUES (?1, ?2, ?3, ?4, ?5)";

/// [`Schedules::alerted_actors`](kohero_core::ports::Schedules::alerted_actors).
pub const ALERTED_ACTORS: &str = "SELECT DISTINCT a.actor_id FROM alerts a
    LEFT JOIN alert_prefs p ON p.actor_id = a.actor_id
    WHERE p.hold_until IS NULL OR p.hold_until <= ?1
    ORDER BY a.actor_id";

/// [`Schedules::alerts_of`](kohero_core::ports::Schedules::alerts_of).
pub const ALERTS_OF: &str = "SELECT * FROM alerts WHERE actor_id = ?1 ORDER BY id";

/// [`Schedules::delete_alerts`](kohero_core::ports::Schedules::delete_alerts).
pub const DELETE_ALERTS: &str = "DELETE FROM alerts WHERE actor_id = ?1 AND id <= ?2";

/// [`Schedules::alert_prefs`](kohero_core::ports::Schedules::alert_prefs).
pub const ALERT_PREFS: &str = "SELECT * FROM alert_prefs WHERE actor_id = ?1";

/// [`Schedules::set_alert_prefs`](kohero_core::ports::Schedules::set_alert_prefs).
pub const SET_ALERT_PREFS: &str =
    "INSERT INTO alert_prefs (actor_id, enabled, quiet_from, quiet_to, last_sent_at,
    hold_until)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6)
    ON CONFLICT (actor_id) DO UPDATE SET enabled = excluded.enabled,
    quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to,
    last_sent_at = excluded.last_sent_at, hold_until = excluded.hold_until";

/// [`Schedules::record_reminder`](kohero_core::ports::Schedules::record_reminder).
pub const RECORD_REMINDER: &str =
    "INSERT INTO event_reminders (event_id, which) VALUES (?1, ?2) ON CONFLICT DO NOTHING";

/// Every statement of this file (tests).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[
    DIGEST_PLAN,
    DUE_DIGEST_PLANS,
    QUEUE_ALERT,
    ALERTED_ACTORS,
    ALERTS_OF,
    DELETE_ALERTS,
    ALERT_PREFS,
    SET_ALERT_PREFS,
    RECORD_REMINDER,
];
