//! Statements of [`Democracy`](kohero_core::ports::Democracy) (both stores).

/// [`Democracy::town_answer`](kohero_core::ports::Democracy::town_answer).
pub const TOWN_ANSWER: &str = "SELECT * FROM town_answers WHERE initiative_id = ?1";

/// [`Democracy::save_town_answer`](kohero_core::ports::Democracy::save_town_answer).
pub const SAVE_TOWN_ANSWER: &str = "INSERT INTO town_answers (initiative_id, municipality_id,
    status, text, answered_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
    ON CONFLICT (initiative_id) DO UPDATE SET municipality_id = excluded.municipality_id,
    status = excluded.status, text = excluded.text, updated_at = excluded.updated_at";

/// [`Democracy::town_answers_since`](kohero_core::ports::Democracy::town_answers_since).
pub const TOWN_ANSWERS_SINCE: &str = "SELECT * FROM town_answers
    WHERE initiative_id IN (SELECT value FROM json_each(?1)) AND updated_at >= ?2
    ORDER BY initiative_id";

/// Every statement of this file (tests).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[TOWN_ANSWER, SAVE_TOWN_ANSWER, TOWN_ANSWERS_SINCE];
