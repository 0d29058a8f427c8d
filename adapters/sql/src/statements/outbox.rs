//! Statements of [`Outbox`](kohero_core::ports::Outbox) (both stores).

use crate::exec::Sql;

/// [`Outbox::pending_to`](kohero_core::ports::Outbox::pending_to).
pub const PENDING_TO: &str =
    "SELECT * FROM outbox WHERE network = ?1 AND chat = ?2 AND status = 'pending' ORDER BY id";

/// [`Outbox::pending_for`](kohero_core::ports::Outbox::pending_for).
pub const PENDING_FOR: &str =
    "SELECT * FROM outbox WHERE recipient_id = ?1 AND status = 'pending' ORDER BY id";

/// [`Outbox::rewrite`](kohero_core::ports::Outbox::rewrite): only a
/// message no worker holds or has tried.
pub const REWRITE: &str = "UPDATE outbox SET body = ?1, format = ?2
    WHERE id = ?3 AND status = 'pending' AND claimed_until IS NULL AND attempts = 0
      AND body = ?4";

/// [`Outbox::withdraw`](kohero_core::ports::Outbox::withdraw).
pub const WITHDRAW: &str = "DELETE FROM outbox
    WHERE id = ?1 AND status = 'pending' AND claimed_until IS NULL AND attempts = 0";

/// [`Outbox::pending_relays`](kohero_core::ports::Outbox::pending_relays):
/// relays are keyed `relay/…`.
pub const PENDING_RELAYS: &str = "SELECT * FROM outbox
    WHERE status = 'pending' AND idem_key LIKE 'relay/%' ORDER BY id";

/// [`Outbox::outgoing`](kohero_core::ports::Outbox::outgoing).
pub const OUTGOING: &str = "SELECT * FROM outbox WHERE id = ?1";

/// [`Outbox::mark_sent`](kohero_core::ports::Outbox::mark_sent).
pub const MARK_SENT: &str =
    "UPDATE outbox SET status = 'sent', attempts = attempts + 1, claimed_until = NULL,
    done_at = ?1 WHERE id IN (SELECT value FROM json_each(?2))";

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

/// [`Outbox::enqueue`](kohero_core::ports::Outbox::enqueue).
pub const ENQUEUE: &str = "INSERT INTO outbox (network, chat, recipient_id, body, priority,
    idem_key, next_attempt_at, created_at, format)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8) ON CONFLICT (idem_key) DO NOTHING RETURNING id";

/// [`Outbox::enqueue_many`](kohero_core::ports::Outbox::enqueue_many): the
/// rows travel as one JSON array of `[network, chat, recipient, body,
/// priority, key, at]`, in one statement whatever their number.
pub const ENQUEUE_MANY: Sql = Sql::Each {
    sqlite: "INSERT INTO outbox (network, chat, recipient_id, body, priority, idem_key,
            next_attempt_at, created_at, format)
        SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),
               json_extract(value, '$[2]'), json_extract(value, '$[3]'),
               json_extract(value, '$[4]'), json_extract(value, '$[5]'),
               json_extract(value, '$[6]'), json_extract(value, '$[6]'), ?1
        FROM json_each(?2)",
    postgres: "INSERT INTO outbox (network, chat, recipient_id, body, priority, idem_key,
            next_attempt_at, created_at, format)
        SELECT m->>0, m->>1, (m->>2)::bigint, m->>3, (m->>4)::bigint, m->>5,
               (m->>6)::bigint, (m->>6)::bigint, $1
        FROM jsonb_array_elements($2::jsonb) AS m",
};

/// [`Outbox::claim`](kohero_core::ports::Outbox::claim): among the `?6`
/// first due rows (in order: the cost of a claim stays the same behind a
/// backlog of any size), the first
/// [`CLAIM_PER_CHAT`](kohero_core::ports::CLAIM_PER_CHAT) of each chat (`?5`),
/// `?4` at most, the oldest first; PostgreSQL skips the rows another process
/// is claiming.
pub const CLAIM: Sql = Sql::Each {
    sqlite: "UPDATE outbox SET claimed_until = ?1
        WHERE id IN (
           SELECT id FROM (
              SELECT id, priority,
                     ROW_NUMBER() OVER (PARTITION BY chat ORDER BY priority, id) AS nth
              FROM (SELECT id, chat, priority FROM outbox
                    WHERE status = 'pending' AND network = ?2 AND next_attempt_at <= ?3
                      AND (claimed_until IS NULL OR claimed_until <= ?3)
                    ORDER BY priority, id LIMIT ?6) AS head) AS due
           WHERE nth <= ?5
           ORDER BY priority, id LIMIT ?4)
        RETURNING *",
    postgres: "UPDATE outbox SET claimed_until = $1
        WHERE id IN (
           SELECT id FROM outbox
           WHERE id IN (
              SELECT id FROM (
                 SELECT id,
                        ROW_NUMBER() OVER (PARTITION BY chat ORDER BY priority, id) AS nth
                 FROM (SELECT id, chat, priority FROM outbox
                       WHERE status = 'pending' AND network = $2 AND next_attempt_at <= $3
                         AND (claimed_until IS NULL OR claimed_until <= $3)
                       ORDER BY priority, id LIMIT $6) AS head) AS due
              WHERE nth <= $5)
           ORDER BY priority, id LIMIT $4
           FOR UPDATE SKIP LOCKED)
        RETURNING *",
};

/// [`Outbox::is_unreachable`](kohero_core::ports::Outbox::is_unreachable).
pub const IS_UNREACHABLE: &str =
    "SELECT 1 AS one FROM unreachable WHERE network = ?1 AND chat = ?2";

/// Whether rows of an earlier format wait.
pub const ANY_OLD_FORMAT: &str = "SELECT id FROM outbox WHERE format < 2 LIMIT 1";

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
    ENQUEUE,
    IS_UNREACHABLE,
    ANY_OLD_FORMAT,
    REWRITE,
    WITHDRAW,
    PENDING_RELAYS,
    OUTGOING,
];
