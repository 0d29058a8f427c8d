//! Statements of [`Projects`](kohero_core::ports::Projects) (both stores).

/// [`Projects::membership`](kohero_core::ports::Projects::membership).
pub const MEMBERSHIP: &str = "SELECT * FROM memberships WHERE initiative_id = ?1 AND actor_id = ?2";

/// [`Projects::set_membership`](kohero_core::ports::Projects::set_membership).
pub const SET_MEMBERSHIP: &str =
    "INSERT INTO memberships (initiative_id, actor_id, role, since) VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT (initiative_id, actor_id) DO UPDATE SET role = excluded.role,
    since = excluded.since";

/// [`Projects::remove_membership`](kohero_core::ports::Projects::remove_membership).
pub const REMOVE_MEMBERSHIP: &str =
    "DELETE FROM memberships WHERE initiative_id = ?1 AND actor_id = ?2";

/// [`Projects::members`](kohero_core::ports::Projects::members).
pub const MEMBERS: &str =
    "SELECT * FROM memberships WHERE initiative_id = ?1 ORDER BY since, actor_id";

/// [`Projects::member_tallies`](kohero_core::ports::Projects::member_tallies):
/// counted by the server, one row an initiative (a person has one role in it).
pub const MEMBER_TALLIES: &str = "SELECT initiative_id,
        SUM(CASE WHEN role = 'supporter' THEN 1 ELSE 0 END) AS supporters,
        SUM(CASE WHEN role IN ('member', 'organiser') THEN 1 ELSE 0 END) AS members,
        MAX(CASE WHEN actor_id = ?2 THEN role END) AS mine
    FROM memberships WHERE initiative_id IN (SELECT value FROM json_each(?1))
    GROUP BY initiative_id ORDER BY initiative_id";

/// [`Projects::memberships_of`](kohero_core::ports::Projects::memberships_of).
pub const MEMBERSHIPS_OF: &str =
    "SELECT * FROM memberships WHERE actor_id = ?1 ORDER BY since, initiative_id";

/// [`Projects::insert_update`](kohero_core::ports::Projects::insert_update).
pub const INSERT_UPDATE: &str =
    "INSERT INTO updates (initiative_id, author_id, body, created_at) VALUES (?1, ?2, ?3, ?4)
    RETURNING *";

/// [`Projects::update_by_id`](kohero_core::ports::Projects::update_by_id).
pub const UPDATE_BY_ID: &str = "SELECT * FROM updates WHERE id = ?1";

/// [`Projects::updates_of`](kohero_core::ports::Projects::updates_of).
pub const UPDATES_OF: &str =
    "SELECT * FROM updates WHERE initiative_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2";

/// [`Projects::updates_by`](kohero_core::ports::Projects::updates_by).
pub const UPDATES_BY: &str = "SELECT * FROM updates WHERE author_id = ?1 ORDER BY id";

/// [`Projects::updates_by_ids`](kohero_core::ports::Projects::updates_by_ids).
pub const UPDATES_BY_IDS: &str =
    "SELECT * FROM updates WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id";

/// Every statement of this file (tests).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[
    MEMBERSHIP,
    SET_MEMBERSHIP,
    REMOVE_MEMBERSHIP,
    MEMBERS,
    MEMBER_TALLIES,
    MEMBERSHIPS_OF,
    INSERT_UPDATE,
    UPDATE_BY_ID,
    UPDATES_OF,
    UPDATES_BY,
    UPDATES_BY_IDS,
];
