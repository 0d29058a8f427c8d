//! What a project's people do together: memberships and progress updates
//! (events are [`super::Events`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::*;

use super::StoreResult;

/// What a project's people do together: memberships and progress updates.
#[async_trait]
pub trait Projects: Send {
    async fn membership(
        &mut self,
        initiative: InitiativeId,
        actor: ActorId,
    ) -> StoreResult<Option<Membership>>;

    /// Inserts or replaces the actor's one membership of the initiative.
    async fn set_membership(&mut self, membership: &Membership) -> StoreResult<()>;

    async fn remove_membership(
        &mut self,
        initiative: InitiativeId,
        actor: ActorId,
    ) -> StoreResult<()>;

    /// Members of an initiative, longest-standing first.
    async fn members(&mut self, initiative: InitiativeId) -> StoreResult<Vec<Membership>>;

    async fn memberships_of(&mut self, actor: ActorId) -> StoreResult<Vec<Membership>>;

    /// For each of `initiatives` that has members: its tally, with `actor`'s
    /// role (one read for a whole list, whatever the number of members).
    async fn member_tallies(
        &mut self,
        initiatives: &[InitiativeId],
        actor: ActorId,
    ) -> StoreResult<Vec<(InitiativeId, MemberTally)>>;

    async fn insert_update(
        &mut self,
        initiative: InitiativeId,
        author: ActorId,
        text: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<ProgressUpdate>;

    async fn update_by_id(&mut self, id: UpdateId) -> StoreResult<Option<ProgressUpdate>>;

    /// Newest first.
    async fn updates_of(
        &mut self,
        initiative: InitiativeId,
        limit: usize,
    ) -> StoreResult<Vec<ProgressUpdate>>;

    async fn updates_by(&mut self, author: ActorId) -> StoreResult<Vec<ProgressUpdate>>;

    /// These progress updates, by id; unknown ids left out.
    async fn updates_by_ids(&mut self, ids: &[i64]) -> StoreResult<Vec<ProgressUpdate>>;
}
