//! Exactly-once intake: the networks' update ids already handled (or failed),
//! and the retention of what is done.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;

/// Exactly-once intake: the networks' update ids already handled (or failed),
/// and the retention of what is done.
#[async_trait]
pub trait SeenUpdates: Send {
    /// Records a network's event id; `false` if it was already recorded.
    async fn mark_seen(
        &mut self,
        network: &str,
        event_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Whether a network's event id is recorded (handled, or failed).
    async fn seen(&mut self, network: &str, event_id: &str) -> StoreResult<bool>;

    /// Records that handling a network's event failed for a reason not the
    /// person's (`why`), so that it is not handed again; replaces a record of
    /// the same event.
    async fn mark_failed_update(
        &mut self,
        network: &str,
        event_id: &str,
        why: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Deletes sent or failed messages, seen event ids and temporary network
    /// state older than `before`; returns how many rows went.
    async fn prune(&mut self, before: DateTime<Utc>) -> StoreResult<u64>;
}
