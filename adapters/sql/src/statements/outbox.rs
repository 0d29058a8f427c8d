//! Statements of [`Outbox`](kohero_core::ports::Outbox) that are the same in both stores.

/// [`Outbox::pending_to`](kohero_core::ports::Outbox::pending_to).
pub const PENDING_TO: &str =
    "SELECT * FROM outbox WHERE network = ?1 AND chat = ?2 AND status = 'pending' ORDER BY id";

/// [`Outbox::pending_for`](kohero_core::ports::Outbox::pending_for).
pub const PENDING_FOR: &str =
    "SELECT * FROM outbox WHERE recipient_id = ?1 AND status = 'pending' ORDER BY id";

/// [`Outbox::mark_sent`](kohero_core::ports::Outbox::mark_sent).
pub const MARK_SENT: &str =
    "UPDATE outbox SET status = 'sent', attempts = attempts + 1, claimed_until = NULL,
    done_at = ?1 WHERE id = ?2";

/// [`Outbox::mark_retry`](kohero_core::ports::Outbox::mark_retry).
pub const MARK_RETRY: &str =
    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?1, claimed_until = NULL,
    last_error = ?2 WHERE id = ?3";

/// [`Outbox::mark_failed`](kohero_core::ports::Outbox::mark_failed).
pub const MARK_FAILED: &str =
    "UPDATE outbox SET status = 'failed', attempts = attempts + 1, claimed_until = NULL,
    last_error = ?1, done_at = ?2 WHERE id = ?3";

/// [`Outbox::unclaim`](kohero_core::ports::Outbox::unclaim).
pub const UNCLAIM: &str = "UPDATE outbox SET claimed_until = NULL WHERE id = ?1";

/// [`Outbox::unclaim_network`](kohero_core::ports::Outbox::unclaim_network).
pub const UNCLAIM_NETWORK: &str = "UPDATE outbox SET claimed_until = NULL
    WHERE status = 'pending' AND network = ?1 AND claimed_until IS NOT NULL";

/// [`Outbox::set_unreachable`](kohero_core::ports::Outbox::set_unreachable).
pub const SET_UNREACHABLE: &str =
    "INSERT INTO unreachable (network, chat, since, reason) VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT (network, chat) DO UPDATE SET since = excluded.since,
    reason = excluded.reason";

/// [`Outbox::set_unreachable`](kohero_core::ports::Outbox::set_unreachable).
pub const SET_UNREACHABLE_2: &str =
    "UPDATE outbox SET status = 'failed', claimed_until = NULL, last_error = ?1, done_at = ?2
    WHERE network = ?3 AND chat = ?4 AND status = 'pending'";

/// [`Outbox::clear_unreachable`](kohero_core::ports::Outbox::clear_unreachable).
pub const CLEAR_UNREACHABLE: &str = "DELETE FROM unreachable WHERE network = ?1 AND chat = ?2";

/// [`Outbox::outbox_stats`](kohero_core::ports::Outbox::outbox_stats).
pub const OUTBOX_STATS: &str = "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox
    WHERE network = ?1 AND status = 'pending'";

/// The rows of an earlier format, converted when a store opens.
pub const OLD_FORMAT_ROWS: &str = "SELECT id, chat, body FROM outbox WHERE format < 2 ORDER BY id";

/// A row converted: its chat key, body and format.
pub const CONVERTED: &str = "UPDATE outbox SET chat = ?1, body = ?2, format = ?3 WHERE id = ?4";

/// The second row a converted one became (a rename and its line): a copy of
/// row `?5` with its own chat key, body, key suffix and format.
pub const CONVERTED_SPLIT: &str = "INSERT INTO outbox (network, chat, recipient_id, body, priority,
    idem_key, status, attempts, next_attempt_at, claimed_until,
    last_error, created_at, done_at, format)
    SELECT network, ?1, recipient_id, ?2, priority, idem_key || '/' || ?3,
    status, attempts, next_attempt_at, claimed_until, last_error,
    created_at, done_at, ?4
    FROM outbox WHERE id = ?5";

/// A row that could not be converted: failed (if pending) with the reason.
pub const NOT_CONVERTED: &str = "UPDATE outbox SET format = ?1, status = CASE status WHEN 'pending'
    THEN 'failed' ELSE status END, last_error = ?2 WHERE id = ?3";

/// Every statement of this file (tests).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[
    OLD_FORMAT_ROWS,
    CONVERTED,
    CONVERTED_SPLIT,
    NOT_CONVERTED,
    PENDING_TO,
    PENDING_FOR,
    MARK_SENT,
    MARK_RETRY,
    MARK_FAILED,
    UNCLAIM,
    UNCLAIM_NETWORK,
    SET_UNREACHABLE,
    SET_UNREACHABLE_2,
    CLEAR_UNREACHABLE,
    OUTBOX_STATS,
];
