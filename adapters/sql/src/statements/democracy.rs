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

/// [`Democracy::support_threshold`](kohero_core::ports::Democracy::support_threshold).
pub const SUPPORT_THRESHOLD: &str =
    "SELECT threshold FROM support_thresholds WHERE municipality_id = ?1";

/// [`Democracy::set_support_threshold`](kohero_core::ports::Democracy::set_support_threshold).
pub const SET_SUPPORT_THRESHOLD: &str =
    "INSERT INTO support_thresholds (municipality_id, threshold, set_at) VALUES (?1, ?2, ?3)
    ON CONFLICT (municipality_id) DO UPDATE SET threshold = excluded.threshold,
    set_at = excluded.set_at";

/// [`Democracy::set_support_threshold`](kohero_core::ports::Democracy::set_support_threshold): cleared.
pub const CLEAR_SUPPORT_THRESHOLD: &str =
    "DELETE FROM support_thresholds WHERE municipality_id = ?1";

/// [`Democracy::flag_initiative`](kohero_core::ports::Democracy::flag_initiative).
pub const FLAG_INITIATIVE: &str = "INSERT INTO threshold_flags (municipality_id, initiative_id,
    supporters, flagged_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING";

/// [`Democracy::flags_since`](kohero_core::ports::Democracy::flags_since).
pub const FLAGS_SINCE: &str = "SELECT * FROM threshold_flags
    WHERE municipality_id IN (SELECT value FROM json_each(?1)) AND flagged_at >= ?2
    ORDER BY flagged_at, municipality_id, initiative_id";

/// Every statement of this file (tests).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[
    TOWN_ANSWER,
    SAVE_TOWN_ANSWER,
    TOWN_ANSWERS_SINCE,
    SUPPORT_THRESHOLD,
    SET_SUPPORT_THRESHOLD,
    CLEAR_SUPPORT_THRESHOLD,
    FLAG_INITIATIVE,
    FLAGS_SINCE,
];
