//! Statements of [`Needs`](kohero_core::ports::Needs) (both stores).

/// [`Needs::insert_need`](kohero_core::ports::Needs::insert_need).
pub const INSERT_NEED: &str = "INSERT INTO needs (initiative_id, kind, quantity, detail, filled,
    status, created_by, created_at, until_at) VALUES (?1, ?2, ?3, ?4, 0, 'open', ?5, ?6, ?7)
    RETURNING *";

/// [`Needs::need`](kohero_core::ports::Needs::need).
pub const NEED: &str = "SELECT * FROM needs WHERE id = ?1";

/// [`Needs::update_need`](kohero_core::ports::Needs::update_need).
pub const UPDATE_NEED: &str = "UPDATE needs SET quantity = ?2, detail = ?3, filled = ?4,
    status = ?5, closed_at = ?6 WHERE id = ?1";

/// [`Needs::needs_of`](kohero_core::ports::Needs::needs_of).
pub const NEEDS_OF: &str = "SELECT * FROM needs
    WHERE initiative_id IN (SELECT value FROM json_each(?1)) AND (?2 = 0 OR status = 'open')
    ORDER BY initiative_id, id";

/// [`Needs::insert_offer`](kohero_core::ports::Needs::insert_offer).
pub const INSERT_OFFER: &str = "INSERT INTO offers (initiative_id, need_id, person_id, as_actor,
    message, status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6) RETURNING *";

/// [`Needs::offer`](kohero_core::ports::Needs::offer).
pub const OFFER: &str = "SELECT * FROM offers WHERE id = ?1";

/// [`Needs::update_offer`](kohero_core::ports::Needs::update_offer).
pub const UPDATE_OFFER: &str =
    "UPDATE offers SET status = ?2, answered_at = ?3, answered_by = ?4 WHERE id = ?1";

/// [`Needs::offers_by`](kohero_core::ports::Needs::offers_by).
pub const OFFERS_BY: &str = "SELECT * FROM offers WHERE person_id = ?1 ORDER BY id";

/// [`Needs::offers_for`](kohero_core::ports::Needs::offers_for).
pub const OFFERS_FOR: &str = "SELECT * FROM offers WHERE initiative_id = ?1 ORDER BY id";

/// [`Needs::partners_of`](kohero_core::ports::Needs::partners_of).
pub const PARTNERS_OF: &str = "SELECT as_actor, MIN(answered_at) AS since FROM offers
    WHERE initiative_id = ?1 AND status = 'accepted' AND as_actor IS NOT NULL
    GROUP BY as_actor ORDER BY since, as_actor";

/// [`Needs::skilled_people_in`](kohero_core::ports::Needs::skilled_people_in).
pub const SKILLED_PEOPLE_IN: &str = "SELECT p.*, a.lat AS person_lat, a.lon AS person_lon
    FROM actor_profiles p JOIN actors a ON a.id = p.actor_id
    WHERE p.skills <> '' AND a.lat BETWEEN ?1 AND ?2 AND a.lon BETWEEN ?3 AND ?4
    ORDER BY p.actor_id";

/// [`Needs::need_alerts_waiting`](kohero_core::ports::Needs::need_alerts_waiting).
pub const NEED_ALERTS_WAITING: &str = "SELECT DISTINCT actor_id FROM alerts
    WHERE initiative_id = ?1 AND kind = 'need' ORDER BY actor_id";

/// Every statement of this file (tests).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[
    INSERT_NEED,
    NEED,
    UPDATE_NEED,
    NEEDS_OF,
    INSERT_OFFER,
    OFFER,
    UPDATE_OFFER,
    OFFERS_BY,
    OFFERS_FOR,
    PARTNERS_OF,
    SKILLED_PEOPLE_IN,
    NEED_ALERTS_WAITING,
];
