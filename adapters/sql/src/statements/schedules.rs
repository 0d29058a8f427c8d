//! Statements of [`Schedules`](kohero_core::ports::Schedules) (both stores).

use crate::exec::Sql;

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

/// [`Schedules::record_digest_ticks`](kohero_core::ports::Schedules::record_digest_ticks):
/// the ticks as one JSON array of `[municipality, tick]`.
pub const RECORD_DIGEST_TICKS: Sql = Sql::Each {
    sqlite: "INSERT INTO digest_ticks (municipality_id, tick)
        SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?1)
        WHERE true
        ON CONFLICT DO NOTHING RETURNING municipality_id",
    postgres: "INSERT INTO digest_ticks (municipality_id, tick)
        SELECT (t->>0)::bigint, (t->>1)::bigint FROM jsonb_array_elements($1::jsonb) AS t
        ON CONFLICT DO NOTHING RETURNING municipality_id",
};

/// [`Schedules::save_digest_plans`](kohero_core::ports::Schedules::save_digest_plans):
/// the plans as one JSON array of `[municipality, schedule, tz, next, last,
/// announcement]`.
pub const SAVE_DIGEST_PLANS: Sql = Sql::Each {
    sqlite: "INSERT INTO digest_plans (municipality_id, schedule, tz, next_at, last_at,
            announcement)
        SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),
               json_extract(value, '$[2]'), json_extract(value, '$[3]'),
               json_extract(value, '$[4]'), json_extract(value, '$[5]')
        FROM json_each(?1) WHERE true
        ON CONFLICT (municipality_id) DO UPDATE SET schedule = excluded.schedule,
           tz = excluded.tz, next_at = excluded.next_at, last_at = excluded.last_at,
           announcement = excluded.announcement",
    postgres: "INSERT INTO digest_plans (municipality_id, schedule, tz, next_at, last_at,
            announcement)
        SELECT (p->>0)::bigint, p->>1, p->>2, (p->>3)::bigint, (p->>4)::bigint, p->>5
        FROM jsonb_array_elements($1::jsonb) AS p
        ON CONFLICT (municipality_id) DO UPDATE SET schedule = excluded.schedule,
           tz = excluded.tz, next_at = excluded.next_at, last_at = excluded.last_at,
           announcement = excluded.announcement",
};

/// [`Schedules::digest_plans_of`](kohero_core::ports::Schedules::digest_plans_of).
pub const DIGEST_PLANS_OF: &str = "SELECT * FROM digest_plans
    WHERE municipality_id IN (SELECT value FROM json_each(?1)) ORDER BY municipality_id";

/// [`Schedules::record_sent_digests`](kohero_core::ports::Schedules::record_sent_digests):
/// the digests as one JSON array of `[commune, municipality, at, since,
/// announcement, [initiative…]]` (the ids kept as JSON text).
pub const RECORD_SENT_DIGESTS: Sql = Sql::Each {
    sqlite: "INSERT INTO digests_sent (commune, municipality_id, at, since, announcement,
            initiatives)
        SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),
               json_extract(value, '$[2]'), json_extract(value, '$[3]'),
               json_extract(value, '$[4]'), json_extract(value, '$[5]')
        FROM json_each(?1)",
    postgres: "INSERT INTO digests_sent (commune, municipality_id, at, since, announcement,
            initiatives)
        SELECT d->>0, (d->>1)::bigint, (d->>2)::bigint, (d->>3)::bigint, d->>4, d->>5
        FROM jsonb_array_elements($1::jsonb) AS d",
};

/// [`Schedules::sent_digests`](kohero_core::ports::Schedules::sent_digests).
pub const SENT_DIGESTS: &str =
    "SELECT * FROM digests_sent WHERE commune = ?1 ORDER BY at DESC, id DESC LIMIT ?2";

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
    DIGEST_PLANS_OF,
    SENT_DIGESTS,
];
