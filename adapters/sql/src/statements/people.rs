//! Statements of [`People`](kohero_core::ports::People) (both stores).

/// [`People::actor_by_identity`](kohero_core::ports::People::actor_by_identity).
pub const ACTOR_BY_IDENTITY: &str =
    "SELECT a.* FROM actors a JOIN identities i ON i.actor_id = a.id
    WHERE i.network = ?1 AND i.external_id = ?2";

/// [`People::actor`](kohero_core::ports::People::actor).
pub const ACTOR: &str = "SELECT * FROM actors WHERE id = ?1";

/// [`People::update_actor`](kohero_core::ports::People::update_actor).
pub const UPDATE_ACTOR: &str =
    "UPDATE actors SET kind = ?1, display_name = ?2, lang = ?3, tz = ?4, verified = ?5,
    lat = ?6, lon = ?7 WHERE id = ?8";

/// [`People::update_actor`](kohero_core::ports::People::update_actor).
pub const UPDATE_ACTOR_2: &str = "DELETE FROM actor_communes WHERE actor_id = ?1";

/// [`People::update_actor`](kohero_core::ports::People::update_actor).
pub const UPDATE_ACTOR_3: &str = "INSERT INTO actor_communes (actor_id, insee) VALUES (?1, ?2)";

/// [`People::identities_of`](kohero_core::ports::People::identities_of).
pub const IDENTITIES_OF: &str = "SELECT network, external_id FROM identities WHERE actor_id = ?1
    ORDER BY network, external_id";

/// [`People::delete_actor`](kohero_core::ports::People::delete_actor).
pub const DELETE_ACTOR: &str = "DELETE FROM actors WHERE id = ?1";

/// [`People::delete_actor`](kohero_core::ports::People::delete_actor).
pub const DELETE_ACTOR_2: &str = "DELETE FROM alerts WHERE kind = ?1 AND ref_id = ?2";

/// [`People::municipalities_of`](kohero_core::ports::People::municipalities_of).
pub const MUNICIPALITIES_OF: &str =
    "SELECT a.* FROM actors a JOIN actor_communes c ON c.actor_id = a.id
    WHERE c.insee = ?1 AND a.kind = 'municipality' AND a.verified = 1 ORDER BY a.id";

/// [`People::verified_names`](kohero_core::ports::People::verified_names).
pub const VERIFIED_NAMES: &str =
    "SELECT id, display_name FROM actors WHERE verified = 1 ORDER BY id";

/// [`People::dialogue`](kohero_core::ports::People::dialogue).
pub const DIALOGUE: &str = "SELECT state FROM dialogues WHERE actor_id = ?1";

/// [`People::set_dialogue`](kohero_core::ports::People::set_dialogue).
pub const SET_DIALOGUE: &str =
    "INSERT INTO dialogues (actor_id, state, updated_at) VALUES (?1, ?2, ?3)
    ON CONFLICT (actor_id) DO UPDATE SET state = excluded.state,
    updated_at = excluded.updated_at";

/// [`People::set_dialogue`](kohero_core::ports::People::set_dialogue).
pub const SET_DIALOGUE_2: &str = "DELETE FROM dialogues WHERE actor_id = ?1";

/// [`People::insert_subscription`](kohero_core::ports::People::insert_subscription).
pub const INSERT_SUBSCRIPTION: &str =
    "INSERT INTO subscriptions (actor_id, lat, lon, radius_m, commune, categories, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING *";

/// [`People::subscriptions_of`](kohero_core::ports::People::subscriptions_of).
pub const SUBSCRIPTIONS_OF: &str = "SELECT * FROM subscriptions WHERE actor_id = ?1 ORDER BY id";

/// [`People::delete_subscriptions_of`](kohero_core::ports::People::delete_subscriptions_of).
pub const DELETE_SUBSCRIPTIONS_OF: &str = "DELETE FROM subscriptions WHERE actor_id = ?1";

/// [`People::insert_actor`](kohero_core::ports::People::insert_actor).
pub const INSERT_ACTOR: &str =
    "INSERT INTO actors (kind, display_name, lang, tz, verified, created_at)
    VALUES ('citizen', ?1, ?2, 'Europe/Paris', 0, ?3) RETURNING *";

/// [`People::insert_actor`](kohero_core::ports::People::insert_actor).
pub const INSERT_ACTOR_2: &str =
    "INSERT INTO identities (network, external_id, actor_id) VALUES (?1, ?2, ?3)";

/// The communes an actor speaks for.
pub const COMMUNES: &str = "SELECT insee FROM actor_communes WHERE actor_id = ?1 ORDER BY insee";

/// [`People::actors_by_ids`](kohero_core::ports::People::actors_by_ids).
pub const ACTORS_BY_IDS: &str = "SELECT actor_id, insee FROM actor_communes
    WHERE actor_id IN (SELECT value FROM json_each(?1)) ORDER BY actor_id, insee";

/// [`People::actors_by_ids`](kohero_core::ports::People::actors_by_ids).
pub const ACTORS_BY_IDS_2: &str =
    "SELECT * FROM actors WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id";

/// [`People::reachable_identities`](kohero_core::ports::People::reachable_identities).
pub const REACHABLE_IDENTITIES: &str = "SELECT i.actor_id, a.lang, i.network, i.external_id
    FROM identities i JOIN actors a ON a.id = i.actor_id
    WHERE i.actor_id IN (SELECT value FROM json_each(?1))
      AND NOT EXISTS (SELECT 1 FROM unreachable u
                      WHERE u.network = i.network AND u.chat = i.external_id)
    ORDER BY i.actor_id, i.network, i.external_id";

/// [`People::subscriptions_near`](kohero_core::ports::People::subscriptions_near).
pub const SUBSCRIPTIONS_NEAR: &str =
    "SELECT * FROM subscriptions WHERE commune IN (SELECT value FROM json_each(?1))
    UNION
    SELECT * FROM subscriptions
    WHERE commune IS NULL AND lat BETWEEN ?2 AND ?3 AND lon BETWEEN ?4 AND ?5
    ORDER BY id";

/// Every statement of this file (tests).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[
    ACTOR_BY_IDENTITY,
    ACTOR,
    UPDATE_ACTOR,
    UPDATE_ACTOR_2,
    UPDATE_ACTOR_3,
    IDENTITIES_OF,
    DELETE_ACTOR,
    DELETE_ACTOR_2,
    MUNICIPALITIES_OF,
    VERIFIED_NAMES,
    DIALOGUE,
    SET_DIALOGUE,
    SET_DIALOGUE_2,
    INSERT_SUBSCRIPTION,
    SUBSCRIPTIONS_OF,
    DELETE_SUBSCRIPTIONS_OF,
    INSERT_ACTOR,
    INSERT_ACTOR_2,
    COMMUNES,
    ACTORS_BY_IDS,
    ACTORS_BY_IDS_2,
    REACHABLE_IDENTITIES,
    SUBSCRIPTIONS_NEAR,
];
