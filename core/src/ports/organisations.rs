//! Verified actors as the public sees them: their profiles, the people who
//! act for them, the initiatives they carry, and the actors' index's feed;
//! and the skills people offer (kept in the same profile).

use async_trait::async_trait;

use crate::domain::*;

use super::StoreResult;

/// Profiles, teams and the actors' index's feed.
#[async_trait]
pub trait Organisations: Send {
    /// What an actor said of itself beyond its name, if anything.
    async fn actor_profile(&mut self, actor: ActorId) -> StoreResult<Option<ActorProfile>>;

    /// Writes the whole profile (created on first write). `NotFound` if the
    /// actor does not exist.
    async fn save_actor_profile(&mut self, profile: &ActorProfile) -> StoreResult<()>;

    /// Profiles of these actors, by id; actors without one left out.
    async fn actor_profiles(&mut self, ids: &[ActorId]) -> StoreResult<Vec<ActorProfile>>;

    /// The people who act for an actor besides its own account, and those
    /// invited to, oldest first.
    async fn team_of(&mut self, actor: ActorId) -> StoreResult<Vec<TeamMember>>;

    /// The actor a person acts for, if they accepted to be on its team.
    async fn acts_for(&mut self, member: ActorId) -> StoreResult<Option<ActorId>>;

    /// Adds a person to an actor's team (invited or confirmed). `Duplicate`
    /// if they already act for an actor or are invited to (this one or
    /// another); `NotFound` if either is unknown.
    async fn add_team_member(&mut self, member: &TeamMember) -> StoreResult<()>;

    /// Takes a person off an actor's team; whether they were on it.
    async fn remove_team_member(&mut self, actor: ActorId, member: ActorId) -> StoreResult<bool>;

    /// The initiatives carried by an actor, newest first, at most `limit`.
    async fn initiatives_carried_by(
        &mut self,
        actor: ActorId,
        limit: usize,
    ) -> StoreResult<Vec<Initiative>>;

    /// Marks an initiative as carried by an actor (or by none). `NotFound`
    /// if the initiative does not exist.
    async fn set_carried_by(
        &mut self,
        initiative: InitiativeId,
        actor: Option<ActorId>,
    ) -> StoreResult<()>;

    /// A person follows an actor; `false` if they already did.
    async fn follow_actor(
        &mut self,
        follower: ActorId,
        actor: ActorId,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<bool>;

    /// A person stops following an actor; whether they did.
    async fn unfollow_actor(&mut self, follower: ActorId, actor: ActorId) -> StoreResult<bool>;

    /// Who follows an actor, by id.
    async fn followers_of_actor(&mut self, actor: ActorId) -> StoreResult<Vec<ActorId>>;

    /// The actors a person follows, by id.
    async fn actors_followed_by(&mut self, follower: ActorId) -> StoreResult<Vec<ActorId>>;

    /// Every verified actor with what the actors' index needs.
    async fn located_actors(&mut self) -> StoreResult<Vec<LocatedActor>>;

    /// Where a fresh index's catch-up starts: after every actor change this
    /// transaction sees (as
    /// [`initiative_changes_cursor`](super::Initiatives::initiative_changes_cursor)).
    async fn actor_changes_cursor(&mut self) -> StoreResult<super::ChangeCursor>;

    /// About `limit` changes at most, committed after `cursor`, in commit
    /// order (as [`initiative_changes`](super::Initiatives::initiative_changes)):
    /// the new cursor and each actor changed with what the index needs now
    /// (`None`: no longer verified, or gone).
    async fn actor_changes(
        &mut self,
        cursor: &super::ChangeCursor,
        limit: usize,
    ) -> StoreResult<(super::ChangeCursor, Vec<(ActorId, Option<LocatedActor>)>)>;
}
