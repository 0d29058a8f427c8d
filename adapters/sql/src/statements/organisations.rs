//! Statements of [`Organisations`](kohero_core::ports::Organisations) (both stores).

/// [`Organisations::actor_profile`](kohero_core::ports::Organisations::actor_profile).
pub const ACTOR_PROFILE: &str = "SELECT * FROM actor_profiles WHERE actor_id = ?1";

/// [`Organisations::actor_profiles`](kohero_core::ports::Organisations::actor_profiles).
pub const ACTOR_PROFILES: &str = "SELECT * FROM actor_profiles
    WHERE actor_id IN (SELECT value FROM json_each(?1)) ORDER BY actor_id";

/// [`Organisations::save_actor_profile`](kohero_core::ports::Organisations::save_actor_profile).
pub const SAVE_ACTOR_PROFILE: &str = "INSERT INTO actor_profiles (actor_id, description,
    categories, lat, lon, commune, site, contact, skills, skills_radius_m, updated_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
    ON CONFLICT (actor_id) DO UPDATE SET description = excluded.description,
    categories = excluded.categories, lat = excluded.lat, lon = excluded.lon,
    commune = excluded.commune, site = excluded.site, contact = excluded.contact,
    skills = excluded.skills, skills_radius_m = excluded.skills_radius_m,
    updated_at = excluded.updated_at";

/// [`Organisations::team_of`](kohero_core::ports::Organisations::team_of).
pub const TEAM_OF: &str = "SELECT * FROM actor_team WHERE actor_id = ?1 ORDER BY since, member_id";

/// [`Organisations::acts_for`](kohero_core::ports::Organisations::acts_for).
pub const ACTS_FOR: &str =
    "SELECT actor_id FROM actor_team WHERE member_id = ?1 AND confirmed_at IS NOT NULL";

/// [`Organisations::add_team_member`](kohero_core::ports::Organisations::add_team_member).
pub const ADD_TEAM_MEMBER: &str =
    "INSERT INTO actor_team (actor_id, member_id, added_by, since, confirmed_at)
    VALUES (?1, ?2, ?3, ?4, ?5)";

/// [`Organisations::remove_team_member`](kohero_core::ports::Organisations::remove_team_member).
pub const REMOVE_TEAM_MEMBER: &str =
    "DELETE FROM actor_team WHERE actor_id = ?1 AND member_id = ?2";

/// [`Organisations::initiatives_carried_by`](kohero_core::ports::Organisations::initiatives_carried_by).
pub const INITIATIVES_CARRIED_BY: &str =
    "SELECT * FROM initiatives WHERE carried_by = ?1 ORDER BY id DESC LIMIT ?2";

/// [`Organisations::set_carried_by`](kohero_core::ports::Organisations::set_carried_by).
pub const SET_CARRIED_BY: &str = "UPDATE initiatives SET carried_by = ?2 WHERE id = ?1";

/// [`Organisations::located_actors`](kohero_core::ports::Organisations::located_actors).
pub const LOCATED_ACTORS: &str = "SELECT a.id, a.kind, p.categories, p.lat, p.lon,
        (SELECT MIN(c.insee) FROM actor_communes c WHERE c.actor_id = a.id) AS commune
    FROM actors a LEFT JOIN actor_profiles p ON p.actor_id = a.id
    WHERE a.verified <> 0 AND a.kind <> 'citizen' ORDER BY a.id";

/// [`Organisations::actor_changes_cursor`](kohero_core::ports::Organisations::actor_changes_cursor).
pub const ACTOR_CHANGES_CURSOR: &str = "SELECT COALESCE(MAX(seq), 0) AS seq FROM actor_changes";

/// What a change-log row of an actor gives the actors' index, one text for
/// both ways of reading the log (as `initiative_change_rows!`).
macro_rules! actor_change_rows {
    () => {
        " c.actor_id AS id,
        CASE WHEN a.verified <> 0 AND a.kind <> 'citizen' THEN a.kind END AS kind,
        p.categories, p.lat, p.lon,
        (SELECT MIN(m.insee) FROM actor_communes m WHERE m.actor_id = a.id) AS commune
    FROM actor_changes c LEFT JOIN actors a ON a.id = c.actor_id
    LEFT JOIN actor_profiles p ON p.actor_id = c.actor_id"
    };
}

/// [`Organisations::actor_changes`](kohero_core::ports::Organisations::actor_changes):
/// `kind` NULL when the actor is gone or no longer verified.
pub const ACTOR_CHANGES: &str = concat!(
    "SELECT c.seq,",
    actor_change_rows!(),
    " WHERE c.seq > ?1 ORDER BY c.seq LIMIT ?2"
);

/// [`Organisations::actor_changes`](kohero_core::ports::Organisations::actor_changes)
/// on PostgreSQL: as
/// [`INITIATIVE_CHANGES_BY_TRANSACTION`](super::initiatives::INITIATIVE_CHANGES_BY_TRANSACTION).
pub const ACTOR_CHANGES_BY_TRANSACTION: &str = concat!(
    "SELECT c.xid AS seq,",
    actor_change_rows!(),
    " WHERE c.xid >= ?1 AND c.xid < ?2 AND NOT (c.xid = ANY(?3))
    ORDER BY c.xid, c.seq LIMIT ?4"
);

/// The transactions at or above a horizon (`?1`) whose actor changes this
/// transaction sees.
pub const ACTOR_CHANGES_ABOVE: &str =
    "SELECT DISTINCT xid AS seq FROM actor_changes WHERE xid >= ?1";

/// [`Organisations::follow_actor`](kohero_core::ports::Organisations::follow_actor).
pub const FOLLOW_ACTOR: &str = "INSERT INTO actor_follows (follower_id, actor_id, since)
    VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING";

/// [`Organisations::unfollow_actor`](kohero_core::ports::Organisations::unfollow_actor).
pub const UNFOLLOW_ACTOR: &str =
    "DELETE FROM actor_follows WHERE follower_id = ?1 AND actor_id = ?2";

/// [`Organisations::followers_of_actor`](kohero_core::ports::Organisations::followers_of_actor).
pub const FOLLOWERS_OF_ACTOR: &str =
    "SELECT follower_id FROM actor_follows WHERE actor_id = ?1 ORDER BY follower_id";

/// [`Organisations::actors_followed_by`](kohero_core::ports::Organisations::actors_followed_by).
pub const ACTORS_FOLLOWED_BY: &str =
    "SELECT actor_id FROM actor_follows WHERE follower_id = ?1 ORDER BY actor_id";

/// Every statement of this file (tests).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[
    ACTOR_PROFILE,
    ACTOR_PROFILES,
    SAVE_ACTOR_PROFILE,
    TEAM_OF,
    ACTS_FOR,
    ADD_TEAM_MEMBER,
    REMOVE_TEAM_MEMBER,
    INITIATIVES_CARRIED_BY,
    SET_CARRIED_BY,
    LOCATED_ACTORS,
    ACTOR_CHANGES_CURSOR,
    ACTOR_CHANGES,
    FOLLOW_ACTOR,
    UNFOLLOW_ACTOR,
    FOLLOWERS_OF_ACTOR,
    ACTORS_FOLLOWED_BY,
];
