//! Statements of [`Rooms`](kohero_core::ports::Rooms) (both stores).

/// [`Rooms::link_room`](kohero_core::ports::Rooms::link_room).
pub const LINK_ROOM: &str =
    "INSERT INTO rooms (network, chat, initiative_id, created_at) VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT (network, chat) DO UPDATE SET initiative_id = excluded.initiative_id,
    created_at = excluded.created_at";

/// [`Rooms::room_initiative`](kohero_core::ports::Rooms::room_initiative).
pub const ROOM_INITIATIVE: &str =
    "SELECT initiative_id FROM rooms WHERE network = ?1 AND chat = ?2";

/// [`Rooms::rooms_of`](kohero_core::ports::Rooms::rooms_of).
pub const ROOMS_OF: &str =
    "SELECT network, chat FROM rooms WHERE initiative_id = ?1 ORDER BY network, chat";

/// [`Rooms::link_forum`](kohero_core::ports::Rooms::link_forum).
pub const LINK_FORUM: &str =
    "INSERT INTO commune_forums (network, chat, insee, linked_by, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5)
    ON CONFLICT (network, chat) DO UPDATE SET insee = excluded.insee,
    linked_by = excluded.linked_by, created_at = excluded.created_at";

/// [`Rooms::forums_of`](kohero_core::ports::Rooms::forums_of).
pub const FORUMS_OF: &str =
    "SELECT network, chat FROM commune_forums WHERE insee = ?1 ORDER BY network, chat";

/// [`Rooms::forum_commune`](kohero_core::ports::Rooms::forum_commune).
pub const FORUM_COMMUNE: &str = "SELECT insee FROM commune_forums WHERE network = ?1 AND chat = ?2";

/// [`Rooms::initiatives_within`](kohero_core::ports::Rooms::initiatives_within):
/// the topics of a forum are `FORUM/THREAD`.
pub const INITIATIVES_WITHIN: &str = "SELECT DISTINCT initiative_id FROM rooms
    WHERE network = ?1 AND substr(chat, 1, length(?2) + 1) = ?2 || '/'
    ORDER BY initiative_id";

/// [`Rooms::move_room`](kohero_core::ports::Rooms::move_room): the new address
/// replaces any room already there.
pub const MOVE_ROOM: &str = "DELETE FROM rooms WHERE network = ?1 AND chat = ?2";

/// [`Rooms::move_room`](kohero_core::ports::Rooms::move_room).
pub const MOVE_ROOM_2: &str =
    "UPDATE rooms SET network = ?1, chat = ?2 WHERE network = ?3 AND chat = ?4";

/// [`Rooms::record_post`](kohero_core::ports::Rooms::record_post).
pub const RECORD_POST: &str =
    "INSERT INTO posts (network, chat, message_id, target_kind, target_id, posted_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (network, chat, message_id) DO NOTHING";

/// [`Rooms::posts_of`](kohero_core::ports::Rooms::posts_of).
pub const POSTS_OF: &str = "SELECT network, chat, message_id, target_kind, target_id, posted_at
    FROM posts WHERE target_kind = ?1 AND target_id = ?2
    ORDER BY posted_at, network, chat, message_id";

/// [`Rooms::forget_posts`](kohero_core::ports::Rooms::forget_posts).
pub const FORGET_POSTS: &str = "DELETE FROM posts WHERE target_kind = ?1 AND target_id = ?2";

/// [`Rooms::prune_posts`](kohero_core::ports::Rooms::prune_posts).
pub const PRUNE_POSTS: &str = "DELETE FROM posts WHERE posted_at < ?1";

/// [`Rooms::record_relay`](kohero_core::ports::Rooms::record_relay): a
/// copy edited later (or gathered again) takes the newer outbox message.
pub const RECORD_RELAY: &str = "INSERT INTO relays (network, chat, message_id, copy_network,
        copy_chat, copy_message, outbox_id, whole, relayed_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
    ON CONFLICT (network, chat, message_id, copy_network, copy_chat) DO UPDATE
    SET copy_message = excluded.copy_message, outbox_id = excluded.outbox_id,
        whole = excluded.whole, relayed_at = excluded.relayed_at";

/// [`Rooms::relay_copy`](kohero_core::ports::Rooms::relay_copy).
pub const RELAY_COPY: &str = "SELECT copy_network AS network, copy_chat AS chat, copy_message,
        outbox_id, whole FROM relays
    WHERE network = ?1 AND chat = ?2 AND message_id = ?3 AND copy_network = ?4 AND copy_chat = ?5";

/// [`Rooms::relay_source`](kohero_core::ports::Rooms::relay_source): the
/// first of the messages a copy shows.
pub const RELAY_SOURCE: &str = "SELECT network, chat, message_id FROM relays
    WHERE copy_network = ?1 AND copy_chat = ?2 AND copy_message = ?3
    ORDER BY relayed_at, message_id LIMIT 1";

/// [`Rooms::prune_relays`](kohero_core::ports::Rooms::prune_relays).
pub const PRUNE_RELAYS: &str = "DELETE FROM relays WHERE relayed_at < ?1";

/// [`Rooms::set_relaying`](kohero_core::ports::Rooms::set_relaying) (off).
pub const RELAY_OFF: &str = "INSERT INTO relay_off (initiative_id, set_at) VALUES (?1, ?2)
    ON CONFLICT (initiative_id) DO NOTHING";

/// [`Rooms::set_relaying`](kohero_core::ports::Rooms::set_relaying) (on).
pub const RELAY_ON: &str = "DELETE FROM relay_off WHERE initiative_id = ?1";

/// [`Rooms::relaying`](kohero_core::ports::Rooms::relaying).
pub const RELAYING: &str = "SELECT 1 AS one FROM relay_off WHERE initiative_id = ?1";

/// Every statement of this file (tests).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[
    LINK_ROOM,
    ROOM_INITIATIVE,
    ROOMS_OF,
    LINK_FORUM,
    FORUMS_OF,
    FORUM_COMMUNE,
    INITIATIVES_WITHIN,
    MOVE_ROOM,
    MOVE_ROOM_2,
    RECORD_POST,
    POSTS_OF,
    FORGET_POSTS,
    PRUNE_POSTS,
    RECORD_RELAY,
    RELAY_COPY,
    RELAY_SOURCE,
    PRUNE_RELAYS,
    RELAY_OFF,
    RELAY_ON,
    RELAYING,
];
