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

    /// Notes that an identity wrote at `at` (notices go to the identity used
    /// last); written at most once a minute per identity.
    async fn touch_identity(
        &mut self,
        identity: &Identity,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()>;

    /// Keeps a link code: its issuer's earlier code goes; a code already
    /// kept under the same digits is `Duplicate`. Kept again (typed), it is
    /// updated.
    async fn save_link_code(&mut self, code: &LinkCode) -> StoreResult<()>;

    /// The code with these digits, if kept.
    async fn link_code(&mut self, code: &str) -> StoreResult<Option<LinkCode>>;

    /// The code an identity asked for, if it has one.
    async fn link_code_of(&mut self, issuer: &Identity) -> StoreResult<Option<LinkCode>>;

    async fn delete_link_code(&mut self, code: &str) -> StoreResult<()>;

    /// Notes a failed attempt at typing a code.
    async fn record_link_failure(
        &mut self,
        identity: &Identity,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()>;

    /// Failed attempts since `since`: by one identity, or by everyone.
    async fn link_failures_since(
        &mut self,
        identity: Option<&Identity>,
        since: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<u64>;

    /// Deletes codes that ran out before `codes_before` and failed attempts
    /// before `failures_before`; returns how many rows went.
    async fn prune_links(
        &mut self,
        codes_before: chrono::DateTime<chrono::Utc>,
        failures_before: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<u64>;

    /// Makes `from` one with `into`: its identities, supports, memberships and
    /// roles, follows, subscriptions, RSVPs, alerts and their settings,
    /// initiatives, updates, events, reports, moderator scopes and log become
    /// `into`'s; where both hold the same thing (a membership of one
    /// project, an RSVP to one event, the same subscription) one is kept: the
    /// stronger role, the earliest date. `from` is then deleted. Its own
    /// fields (name, language, verification) are `into`'s business.
    async fn merge_actors(&mut self, into: ActorId, from: ActorId) -> StoreResult<()>;

    /// Takes an identity away from its person: it becomes a new citizen
    /// named `name`, with nothing (what was merged stays with the person).
    async fn detach_identity(
        &mut self,
        identity: &Identity,
        name: &str,
        lang: Lang,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Actor>;
}
