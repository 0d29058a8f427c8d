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

    /// Where a nearby index loaded in this transaction starts following
    /// changes: after every change this transaction sees (a cursor is the
    /// store's own: a sequence number on SQLite, a transaction horizon on
    /// PostgreSQL; it only grows).
    async fn initiative_changes_cursor(&mut self) -> StoreResult<super::ChangeCursor>;

    /// Initiatives written by transactions committed after `cursor` (about
    /// `limit` changes at most, in commit order; a transaction's changes
    /// come together), each with its index row now (`None`: not live or no
    /// place), and the cursor after them. Read from [`Store::read`]: this
    /// transaction's own writes are not among them.
    ///
    /// [`Store::read`]: super::Store::read
    async fn initiative_changes(
        &mut self,
        cursor: &super::ChangeCursor,
        limit: usize,
    ) -> StoreResult<(
        super::ChangeCursor,
        Vec<(InitiativeId, Option<crate::places::Located>)>,
    )>;

    async fn initiatives_created_by(&mut self, actor: ActorId) -> StoreResult<Vec<Initiative>>;

    /// These initiatives (any status, hidden ones included), by id; unknown
    /// ids left out (a list's page in one read).
    async fn initiatives_by_ids(&mut self, ids: &[InitiativeId]) -> StoreResult<Vec<Initiative>>;

    /// These initiatives (any status, hidden ones included) as lists name
    /// them, by id; unknown ids left out.
    async fn initiative_summaries(
        &mut self,
        ids: &[InitiativeId],
    ) -> StoreResult<Vec<InitiativeSummary>>;

    /// A commune's initiatives (any status, hidden ones included) as lists
    /// name them, by id; the first `limit`.
    async fn initiative_summaries_in(
        &mut self,
        commune: &InseeCode,
        limit: usize,
    ) -> StoreResult<Vec<InitiativeSummary>>;

    /// A commune's initiatives not hidden, counted by status, and the
    /// `per_status` most recently changed of each live status
    /// ([`CommuneOverview`]): its page, whatever the commune's size.
    async fn commune_overview(
        &mut self,
        commune: &InseeCode,
        per_status: usize,
    ) -> StoreResult<CommuneOverview>;

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

    /// Activity of a commune's initiatives not hidden, newest first, at most
    /// `limit`.
    async fn activity_in(
        &mut self,
        commune: &InseeCode,
        limit: usize,
    ) -> StoreResult<Vec<Activity>>;

    /// Activity of these initiatives at or after `since`, oldest first.
    async fn activity_since(
        &mut self,
        initiatives: &[InitiativeId],
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<Activity>>;
}
