//! Initiatives (ideas and projects), their search, the changes the nearby index
//! follows, and the activity of the news feed.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::*;

use super::StoreResult;

/// Initiatives (ideas and projects), their search, the changes the nearby index
/// follows, and the activity of the news feed.
#[async_trait]
pub trait Initiatives: Send {
    async fn insert_initiative(&mut self, new: &NewInitiative) -> StoreResult<Initiative>;

    async fn initiative(&mut self, id: InitiativeId) -> StoreResult<Option<Initiative>>;

    async fn update_initiative(&mut self, initiative: &Initiative) -> StoreResult<()>;

    /// Initiatives whose normalised title and description contain every word as a
    /// word prefix ([`crate::text::search_document`]); at most `limit`, any order;
    /// none for no words.
    async fn search_initiatives(
        &mut self,
        words: &[String],
        limit: usize,
    ) -> StoreResult<Vec<Initiative>>;

    /// Every live initiative with a place, for the nearby index.
    async fn located_initiatives(&mut self) -> StoreResult<Vec<crate::places::Located>>;

    /// The newest initiative change (0 if none): where a nearby index loaded now
    /// starts following changes.
    async fn initiative_changes_cursor(&mut self) -> StoreResult<i64>;

    /// Initiatives written after change `cursor` (at most `limit` changes, in
    /// commit order), each with its index row now (`None`: not live or no place),
    /// and the cursor after them.
    async fn initiative_changes(
        &mut self,
        cursor: i64,
        limit: usize,
    ) -> StoreResult<(i64, Vec<(InitiativeId, Option<crate::places::Located>)>)>;

    async fn initiatives_created_by(&mut self, actor: ActorId) -> StoreResult<Vec<Initiative>>;

    /// These initiatives (any status, hidden ones included) as lists name
    /// them, by id; unknown ids left out.
    async fn initiative_summaries(
        &mut self,
        ids: &[InitiativeId],
    ) -> StoreResult<Vec<InitiativeSummary>>;

    /// A commune's initiatives (any status, hidden ones included) as lists
    /// name them, by id.
    async fn initiative_summaries_in(
        &mut self,
        commune: &InseeCode,
    ) -> StoreResult<Vec<InitiativeSummary>>;

    /// Initiatives of these communes (any status), by id.
    async fn initiatives_in_communes(
        &mut self,
        communes: &[InseeCode],
    ) -> StoreResult<Vec<Initiative>>;

    async fn insert_activity(&mut self, new: &NewActivity) -> StoreResult<Activity>;

    /// Activity of these initiatives, newest first.
    async fn activity_of(
        &mut self,
        initiatives: &[InitiativeId],
        offset: usize,
        limit: usize,
    ) -> StoreResult<Vec<Activity>>;

    /// Activity of these initiatives at or after `since`, oldest first.
    async fn activity_since(
        &mut self,
        initiatives: &[InitiativeId],
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<Activity>>;
}
