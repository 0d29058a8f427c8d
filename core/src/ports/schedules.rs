//! Scheduled work: municipalities' digest plans and the ticks they ran, the
//! alerts waiting for their batch and people's alert settings, and the event
//! reminders sent.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::*;

use super::StoreResult;

/// Scheduled work: municipalities' digest plans and the ticks they ran, the
/// alerts waiting for their batch and people's alert settings, and the event
/// reminders sent.
#[async_trait]
pub trait Schedules: Send {
    async fn digest_plan(&mut self, municipality: ActorId) -> StoreResult<Option<DigestPlan>>;

    /// Inserts or replaces the municipality's plan.
    async fn save_digest_plan(&mut self, plan: &DigestPlan) -> StoreResult<()> {
        self.save_digest_plans(std::slice::from_ref(plan)).await
    }

    /// Plans whose next run is at or before `now`.
    async fn due_digest_plans(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<DigestPlan>>;

    /// `claim_digest_tick` for many; returns the municipalities whose tick
    /// this call claimed.
    async fn record_digest_ticks(
        &mut self,
        ticks: &[(ActorId, DateTime<Utc>)],
    ) -> StoreResult<Vec<ActorId>>;

    /// [`save_digest_plan`](Self::save_digest_plan) for many (one statement).
    async fn save_digest_plans(&mut self, plans: &[DigestPlan]) -> StoreResult<()>;

    /// The plans of these municipalities (those that have one).
    async fn digest_plans_of(&mut self, ids: &[ActorId]) -> StoreResult<Vec<DigestPlan>>;

    /// Records digests sent (one row each; none: nothing written).
    async fn record_sent_digests(&mut self, digests: &[NewSentDigest]) -> StoreResult<()>;

    /// The digests sent for a commune, newest first, at most `limit`.
    async fn sent_digests(
        &mut self,
        commune: &InseeCode,
        limit: usize,
    ) -> StoreResult<Vec<SentDigest>>;

    async fn queue_alert(&mut self, alert: &NewAlert) -> StoreResult<()>;

    /// People with alerts waiting whose batch is not held past `now`.
    async fn alerted_actors(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<ActorId>>;

    /// The person's waiting alerts, oldest first.
    async fn alerts_of(&mut self, actor: ActorId) -> StoreResult<Vec<Alert>>;

    /// Deletes the person's alerts up to and including id `upto`.
    async fn delete_alerts(&mut self, actor: ActorId, upto: i64) -> StoreResult<()>;

    /// The person's settings (the defaults if never set).
    async fn alert_prefs(&mut self, actor: ActorId) -> StoreResult<AlertPrefs>;

    async fn set_alert_prefs(&mut self, actor: ActorId, prefs: &AlertPrefs) -> StoreResult<()>;

    /// Records that an event's reminder went out; `false` if it already had.
    async fn record_reminder(&mut self, event: EventId, which: Reminder) -> StoreResult<bool>;
}
