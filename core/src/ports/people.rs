//! The people: actors (citizens and verified organisations), their identities on
//! the networks, the dialogue each is in, and their subscriptions.

use async_trait::async_trait;

use crate::domain::*;
use crate::geo::BoundingBox;

use super::StoreResult;

/// The people: actors (citizens and verified organisations), their identities on
/// the networks, the dialogue each is in, and their subscriptions.
#[async_trait]
pub trait People: Send {
    /// The actor behind an identity, if it was ever seen.
    async fn actor_by_identity(&mut self, identity: &Identity) -> StoreResult<Option<Actor>>;

    /// Creates a citizen with this identity. `Duplicate` if the identity is taken.
    async fn insert_actor(&mut self, new: &NewActor) -> StoreResult<Actor>;

    async fn actor(&mut self, id: ActorId) -> StoreResult<Option<Actor>>;

    /// Writes every field of the actor (kind, name, language, verification,
    /// location, communes). Only organisations speak for communes: a citizen's
    /// communes are not kept.
    async fn update_actor(&mut self, actor: &Actor) -> StoreResult<()>;

    async fn identities_of(&mut self, id: ActorId) -> StoreResult<Vec<Identity>>;

    /// Deletes the actor and everything that is only theirs: identities,
    /// memberships, RSVPs, subscriptions, dialogue, undelivered messages, and
    /// other people's alerts that name them. What they wrote for others
    /// (initiatives, updates, events) stays, without author.
    async fn delete_actor(&mut self, id: ActorId) -> StoreResult<()>;

    /// These actors (with their communes), by id; unknown ids left out.
    async fn actors_by_ids(&mut self, ids: &[ActorId]) -> StoreResult<Vec<Actor>>;

    /// The identities of these actors that can still be reached (not marked
    /// unreachable), each with its actor's language, by actor then in the order
    /// of [`identities_of`](Self::identities_of).
    async fn reachable_identities(
        &mut self,
        ids: &[ActorId],
    ) -> StoreResult<Vec<(ActorId, Lang, Identity)>>;

    /// Every verified actor's id and name (whose names no one else may take).
    async fn verified_names(&mut self) -> StoreResult<Vec<(ActorId, String)>>;

    /// The verified municipalities that speak for a commune.
    async fn municipalities_of(&mut self, commune: &InseeCode) -> StoreResult<Vec<Actor>>;

    async fn dialogue(&mut self, actor: ActorId) -> StoreResult<Option<String>>;

    /// Stores the state, or clears it with `None`.
    async fn set_dialogue(&mut self, actor: ActorId, state: Option<&str>) -> StoreResult<()>;

    async fn insert_subscription(&mut self, new: &NewSubscription) -> StoreResult<Subscription>;

    async fn subscriptions_of(&mut self, actor: ActorId) -> StoreResult<Vec<Subscription>>;

    /// Deletes all of the actor's subscriptions; returns how many there were.
    async fn delete_subscriptions_of(&mut self, actor: ActorId) -> StoreResult<usize>;

    /// Subscriptions to one of these communes, or to an area (no commune) whose
    /// centre lies in the box (callers check the distance).
    async fn subscriptions_near(
        &mut self,
        communes: &[InseeCode],
        bbox: &BoundingBox,
    ) -> StoreResult<Vec<Subscription>>;
}
