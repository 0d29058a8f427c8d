//! Statements of [`SeenUpdates`](kohero_core::ports::SeenUpdates) (both stores).

/// [`SeenUpdates::mark_seen`](kohero_core::ports::SeenUpdates::mark_seen).
pub const MARK_SEEN: &str =
    "INSERT INTO seen_events (network, event_id, seen_at) VALUES (?1, ?2, ?3)
    ON CONFLICT (network, event_id) DO NOTHING";

/// [`SeenUpdates::seen`](kohero_core::ports::SeenUpdates::seen).
pub const SEEN: &str = "SELECT 1 AS one FROM seen_events WHERE network = ?1 AND event_id = ?2";

/// [`SeenUpdates::mark_failed_update`](kohero_core::ports::SeenUpdates::mark_failed_update).
pub const MARK_FAILED_UPDATE: &str =
    "INSERT INTO seen_events (network, event_id, seen_at, failure) VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT (network, event_id) DO UPDATE SET failure = excluded.failure";

/// [`SeenUpdates::prune`](kohero_core::ports::SeenUpdates::prune).
pub const PRUNE: &str = "DELETE FROM outbox WHERE status <> 'pending' AND done_at < ?1";

/// [`SeenUpdates::prune`](kohero_core::ports::SeenUpdates::prune).
pub const PRUNE_2: &str = "DELETE FROM seen_events WHERE seen_at < ?1";

/// [`SeenUpdates::prune`](kohero_core::ports::SeenUpdates::prune).
pub const PRUNE_3: &str = "DELETE FROM network_state WHERE temporary = 1 AND updated_at < ?1";

/// [`SeenUpdates::prune`](kohero_core::ports::SeenUpdates::prune).
pub const PRUNE_4: &str = "DELETE FROM digest_ticks WHERE tick < ?1";

/// [`SeenUpdates::prune`](kohero_core::ports::SeenUpdates::prune).
/// The last change stays: SQLite numbers a row after the largest kept, and
/// a cursor must never see numbers again.
pub const PRUNE_5: &str = "DELETE FROM initiative_changes WHERE at < ?1
    AND seq < (SELECT MAX(seq) FROM initiative_changes)";

/// [`SeenUpdates::prune`](kohero_core::ports::SeenUpdates::prune).
/// The last change stays (see [`PRUNE_5`]).
pub const PRUNE_6: &str = "DELETE FROM actor_changes WHERE at < ?1
    AND seq < (SELECT MAX(seq) FROM actor_changes)";

/// Every statement of this file (tests).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[
    MARK_SEEN,
    SEEN,
    MARK_FAILED_UPDATE,
    PRUNE,
    PRUNE_2,
    PRUNE_3,
    PRUNE_4,
    PRUNE_5,
    PRUNE_6,
];
