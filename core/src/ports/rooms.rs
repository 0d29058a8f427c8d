//! Chats that belong to an initiative (a group, a forum topic, a room) or to a
//! commune (a forum).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::*;

use super::StoreResult;

/// Chats that belong to an initiative (a group, a forum topic, a room) or to a
/// commune (a forum).
#[async_trait]
pub trait Rooms: Send {
    /// Makes a chat the initiative's (replacing what it belonged to).
    async fn link_room(
        &mut self,
        room: &Address,
        initiative: InitiativeId,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// The initiative a chat belongs to.
    async fn room_initiative(&mut self, room: &Address) -> StoreResult<Option<InitiativeId>>;

    /// The chats of an initiative.
    async fn rooms_of(&mut self, initiative: InitiativeId) -> StoreResult<Vec<Address>>;

    /// The initiatives whose chat lies inside this one (the topics of a forum,
    /// written `FORUM/THREAD`), by id.
    async fn initiatives_within(&mut self, forum: &Address) -> StoreResult<Vec<InitiativeId>>;

    /// A chat changed its id (a Telegram group became a supergroup).
    async fn move_room(&mut self, from: &Address, to: &Address) -> StoreResult<()>;

    /// Makes a forum chat the commune's (replacing what it was).
    async fn link_forum(
        &mut self,
        forum: &Address,
        commune: &InseeCode,
        by: ActorId,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// The forum chats of a commune.
    async fn forums_of(&mut self, commune: &InseeCode) -> StoreResult<Vec<Address>>;

    /// The commune a forum chat belongs to, if it is one.
    async fn forum_commune(&mut self, forum: &Address) -> StoreResult<Option<InseeCode>>;

    /// Keeps that `message` (the network's id) in `room` shows `about`: a
    /// copy the bot posted, or the command a person wrote there. Kept once.
    async fn record_post(
        &mut self,
        about: Target,
        room: &Address,
        message: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// The messages that show `about`, oldest first.
    async fn posts_of(&mut self, about: Target) -> StoreResult<Vec<Post>>;

    /// Forgets the messages that show `about` (they were taken back); returns
    /// how many.
    async fn forget_posts(&mut self, about: Target) -> StoreResult<u64>;

    /// Forgets the messages posted before `before`; returns how many.
    async fn prune_posts(&mut self, before: DateTime<Utc>) -> StoreResult<u64>;

    /// Keeps that `source` was relayed into `copy.room` as `copy.message`
    /// (by outbox message `copy.row`; `whole`: that one network message
    /// shows the whole outbox message). Again for the same source and room:
    /// the newer copy replaces the older.
    async fn record_relay(
        &mut self,
        source: &MessageRef,
        copy: &RelayCopy,
        whole: bool,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// The copy of `source` in `room`, and whether it is whole.
    async fn relay_copy(
        &mut self,
        source: &MessageRef,
        room: &Address,
    ) -> StoreResult<Option<(RelayCopy, bool)>>;

    /// The message a copy in `room` shows (the first, for a gathered copy).
    async fn relay_source(
        &mut self,
        room: &Address,
        message: &str,
    ) -> StoreResult<Option<MessageRef>>;

    /// Forgets the copies relayed before `before`; returns how many.
    async fn prune_relays(&mut self, before: DateTime<Utc>) -> StoreResult<u64>;

    /// Turns relaying between an initiative's chats on or off.
    async fn set_relaying(
        &mut self,
        initiative: InitiativeId,
        on: bool,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Whether an initiative's chats relay each other (on unless turned off).
    async fn relaying(&mut self, initiative: InitiativeId) -> StoreResult<bool>;
}
