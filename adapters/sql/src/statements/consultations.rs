//! Statements of [`Consultations`](kohero_core::ports::Consultations) (both stores).

/// [`Consultations::insert_consultation`](kohero_core::ports::Consultations::insert_consultation).
pub const INSERT_CONSULTATION: &str = "INSERT INTO consultations (municipality_id, communes,
    question, options, multiple, ends_at, created_at, sent_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING *";

/// [`Consultations::consultation`](kohero_core::ports::Consultations::consultation).
pub const CONSULTATION: &str = "SELECT * FROM consultations WHERE id = ?1";

/// [`Consultations::consultations_of`](kohero_core::ports::Consultations::consultations_of).
pub const CONSULTATIONS_OF: &str = "SELECT * FROM consultations WHERE municipality_id = ?1
    ORDER BY id DESC LIMIT ?2";

/// [`Consultations::consultations_to_send`](kohero_core::ports::Consultations::consultations_to_send).
pub const CONSULTATIONS_TO_SEND: &str = "SELECT * FROM consultations
    WHERE municipality_id IN (SELECT value FROM json_each(?1)) AND sent_at IS NULL
    AND closed_at IS NULL AND ends_at > ?2 ORDER BY id";

/// [`Consultations::mark_consultation_sent`](kohero_core::ports::Consultations::mark_consultation_sent).
pub const MARK_CONSULTATION_SENT: &str = "UPDATE consultations SET sent_at = ?2 WHERE id = ?1";

/// [`Consultations::consultations_due`](kohero_core::ports::Consultations::consultations_due).
pub const CONSULTATIONS_DUE: &str = "SELECT * FROM consultations
    WHERE closed_at IS NULL AND ends_at <= ?1 ORDER BY ends_at, id LIMIT ?2";

/// [`Consultations::close_consultation`](kohero_core::ports::Consultations::close_consultation).
pub const CLOSE_CONSULTATION: &str = "UPDATE consultations SET closed_at = ?2, counts = ?3,
    voters = ?4 WHERE id = ?1 AND closed_at IS NULL";

/// [`Consultations::close_consultation`](kohero_core::ports::Consultations::close_consultation):
/// whether it exists (when nothing was closed).
pub const CONSULTATION_EXISTS: &str = "SELECT id FROM consultations WHERE id = ?1";

/// [`Consultations::close_consultation`](kohero_core::ports::Consultations::close_consultation):
/// who chose what goes.
pub const DELETE_VOTES: &str = "DELETE FROM consultation_votes WHERE consultation_id = ?1";

/// [`Consultations::close_consultation`](kohero_core::ports::Consultations::close_consultation):
/// the messages that showed a vote (`?1`: the end of their keys, `/vote/ID`).
/// A scan of the outbox (a tag may be anywhere in a key: `/mesdonnees`
/// names every consultation it shows a vote on), once a close.
pub const DELETE_VOTE_MESSAGES: &str = "DELETE FROM outbox
    WHERE idem_key LIKE '%' || ?1 || '%'
    AND (status <> 'pending' OR claimed_until IS NULL)";

/// [`Consultations::consultations_closed_since`](kohero_core::ports::Consultations::consultations_closed_since).
pub const CONSULTATIONS_CLOSED_SINCE: &str = "SELECT * FROM consultations
    WHERE municipality_id IN (SELECT value FROM json_each(?1)) AND closed_at >= ?2
    ORDER BY closed_at, id";

/// [`Consultations::cast_vote`](kohero_core::ports::Consultations::cast_vote).
pub const CAST_VOTE: &str = "INSERT INTO consultation_votes (consultation_id, person_id,
    choices, voted_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (consultation_id, person_id)
    DO UPDATE SET choices = excluded.choices, voted_at = excluded.voted_at";

/// [`Consultations::withdraw_vote`](kohero_core::ports::Consultations::withdraw_vote).
pub const WITHDRAW_VOTE: &str =
    "DELETE FROM consultation_votes WHERE consultation_id = ?1 AND person_id = ?2";

/// [`Consultations::vote_of`](kohero_core::ports::Consultations::vote_of).
pub const VOTE_OF: &str = "SELECT v.consultation_id, v.choices, v.voted_at, c.options
    FROM consultation_votes v JOIN consultations c ON c.id = v.consultation_id
    WHERE v.consultation_id = ?1 AND v.person_id = ?2";

/// [`Consultations::votes_of`](kohero_core::ports::Consultations::votes_of).
pub const VOTES_OF: &str = "SELECT v.consultation_id, v.choices, v.voted_at, c.options
    FROM consultation_votes v JOIN consultations c ON c.id = v.consultation_id
    WHERE v.person_id = ?1 ORDER BY v.consultation_id";

/// [`Consultations::tally`](kohero_core::ports::Consultations::tally): the
/// voters and each option's count (bit `n` of `choices`), in one row.
pub const TALLY: &str = "SELECT count(*) AS voters,
    CAST(COALESCE(SUM(choices & 1), 0) AS BIGINT) AS c0,
    CAST(COALESCE(SUM((choices >> 1) & 1), 0) AS BIGINT) AS c1,
    CAST(COALESCE(SUM((choices >> 2) & 1), 0) AS BIGINT) AS c2,
    CAST(COALESCE(SUM((choices >> 3) & 1), 0) AS BIGINT) AS c3,
    CAST(COALESCE(SUM((choices >> 4) & 1), 0) AS BIGINT) AS c4,
    CAST(COALESCE(SUM((choices >> 5) & 1), 0) AS BIGINT) AS c5,
    CAST(COALESCE(SUM((choices >> 6) & 1), 0) AS BIGINT) AS c6,
    CAST(COALESCE(SUM((choices >> 7) & 1), 0) AS BIGINT) AS c7,
    CAST(COALESCE(SUM((choices >> 8) & 1), 0) AS BIGINT) AS c8,
    CAST(COALESCE(SUM((choices >> 9) & 1), 0) AS BIGINT) AS c9
    FROM consultation_votes WHERE consultation_id = ?1";

/// Every statement of this file (tests).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[
    INSERT_CONSULTATION,
    CONSULTATION,
    CONSULTATIONS_OF,
    CONSULTATIONS_TO_SEND,
    MARK_CONSULTATION_SENT,
    CONSULTATIONS_DUE,
    CLOSE_CONSULTATION,
    CONSULTATION_EXISTS,
    DELETE_VOTES,
    DELETE_VOTE_MESSAGES,
    CONSULTATIONS_CLOSED_SINCE,
    CAST_VOTE,
    WITHDRAW_VOTE,
    VOTE_OF,
    VOTES_OF,
    TALLY,
];
