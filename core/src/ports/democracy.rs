//! Local democracy: the town hall's answers to initiatives.

use async_trait::async_trait;

use crate::domain::*;

use super::StoreResult;

/// Town halls' answers, and the ideas flagged to them.
#[async_trait]
pub trait Democracy: Send {
    /// The answer to an initiative, if any.
    async fn town_answer(&mut self, initiative: InitiativeId) -> StoreResult<Option<TownAnswer>>;

    /// Writes the answer to its initiative (replacing an earlier one).
    /// `NotFound` if the initiative does not exist.
    async fn save_town_answer(&mut self, answer: &TownAnswer) -> StoreResult<()>;

    /// The answers to these initiatives updated at or after `since`, by
    /// initiative.
    async fn town_answers_since(
        &mut self,
        initiatives: &[InitiativeId],
        since: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Vec<TownAnswer>>;

    /// The number of supporters at which ideas are flagged to a town hall.
    async fn support_threshold(&mut self, municipality: ActorId) -> StoreResult<Option<u32>>;

    /// Sets it, or clears it with `None`.
    async fn set_support_threshold(
        &mut self,
        municipality: ActorId,
        threshold: Option<u32>,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()>;

    /// Flags an idea to a town hall with its number of supporters; `false`
    /// if it was flagged before (an idea is flagged once).
    async fn flag_initiative(
        &mut self,
        municipality: ActorId,
        initiative: InitiativeId,
        supporters: u32,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<bool>;

    /// The ideas flagged to these town halls at or after `since` (one
    /// statement, whatever their number): each with its town hall, its
    /// number of supporters then and when, oldest first.
    async fn flags_since(
        &mut self,
        municipalities: &[ActorId],
        since: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Vec<ThresholdFlag>>;
}
