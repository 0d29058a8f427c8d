//! Local democracy: town halls' consultations and their citizens' votes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::*;

use super::StoreResult;

/// Consultations (`C3`), the votes while they are open, the counts after.
#[async_trait]
pub trait Consultations: Send {
    /// Writes a new consultation and returns it with its id.
    async fn insert_consultation(&mut self, c: &NewConsultation) -> StoreResult<Consultation>;

    async fn consultation(&mut self, id: ConsultationId) -> StoreResult<Option<Consultation>>;

    /// A town hall's consultations, newest first, at most `limit`.
    async fn consultations_of(
        &mut self,
        municipality: ActorId,
        limit: u32,
    ) -> StoreResult<Vec<Consultation>>;

    /// The consultations of these town halls that wait for their next
    /// digest (not sent, not closed, not over at `now`), oldest first.
    async fn consultations_to_send(
        &mut self,
        municipalities: &[ActorId],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Consultation>>;

    /// Records that it went to the readers. `NotFound` if it does not exist.
    async fn mark_consultation_sent(
        &mut self,
        id: ConsultationId,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// The open consultations whose end has come at `now` (oldest end
    /// first, at most `limit`).
    async fn consultations_due(
        &mut self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Consultation>>;

    /// Closes an open consultation: its counts are kept, and every vote
    /// (who chose what) is deleted, with the outbox's messages that showed
    /// one (keys holding `/vote/ID/`) but those a delivery worker holds at
    /// that moment. `false` if it was closed already (another process did
    /// it); `NotFound` if it does not exist.
    async fn close_consultation(
        &mut self,
        id: ConsultationId,
        results: &Tally,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// The consultations of these town halls closed at or after `since`
    /// (one statement, whatever their number), oldest close first.
    async fn consultations_closed_since(
        &mut self,
        municipalities: &[ActorId],
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<Consultation>>;

    /// Records a person's vote, replacing theirs if they had one.
    /// `NotFound` if the consultation or the person does not exist.
    async fn cast_vote(
        &mut self,
        id: ConsultationId,
        person: ActorId,
        choices: Choices,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Takes a person's vote back; `false` if they had none.
    async fn withdraw_vote(&mut self, id: ConsultationId, person: ActorId) -> StoreResult<bool>;

    /// A person's vote on a consultation, if any.
    async fn vote_of(&mut self, id: ConsultationId, person: ActorId) -> StoreResult<Option<Vote>>;

    /// Every vote a person holds (`/mesdonnees`), by consultation.
    async fn votes_of(&mut self, person: ActorId) -> StoreResult<Vec<Vote>>;

    /// The counts of the votes held now, by option (`options` of them), and
    /// the number of voters, in one statement.
    async fn tally(&mut self, id: ConsultationId, options: usize) -> StoreResult<Tally>;
}
