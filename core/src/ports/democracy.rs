//! Local democracy: the town hall's answers to initiatives.

use async_trait::async_trait;

use crate::domain::*;

use super::StoreResult;

/// Town halls' answers.
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
}
