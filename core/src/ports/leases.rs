//! Leases: which process polls and sends for a network when several share a
//! database.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;

/// Leases: which process polls and sends for a network when several share a
/// database.
#[async_trait]
pub trait Leases: Send {
    /// Takes the lease `name` for `holder` until `until`, or renews it: only if
    /// nobody holds it, it expired by `now`, or `holder` already holds it.
    /// Returns whether `holder` holds it now.
    async fn acquire_lease(
        &mut self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Gives the lease up, if `holder` holds it (a process stopping).
    async fn give_up_lease(&mut self, name: &str, holder: &str) -> StoreResult<()>;

    /// Who holds (or last held) the lease `name`, and until when.
    async fn lease_holder(&mut self, name: &str) -> StoreResult<Option<(String, DateTime<Utc>)>>;

    /// Takes the lease `name` from `from` (known dead) for `holder` until
    /// `until`, only if `from` still holds it. Returns whether it was taken.
    async fn take_lease_from(
        &mut self,
        name: &str,
        from: &str,
        holder: &str,
        until: DateTime<Utc>,
    ) -> StoreResult<bool>;
}
