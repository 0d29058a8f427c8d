//! The outbox: every message to send, written with the change that causes it,
//! claimed and settled by the delivery workers; and the addresses nobody can
//! be reached at any more.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::*;

use super::StoreResult;

/// The outbox: every message to send, written with the change that causes it,
/// claimed and settled by the delivery workers; and the addresses nobody can
/// be reached at any more.
/// The most messages of one chat a claim takes: a chat's messages go one
/// after the other at its network's pace (Telegram: one a second), so more of
/// them in a claim would only make the other chats of the claim wait.
pub const CLAIM_PER_CHAT: usize = 2;

#[async_trait]
pub trait Outbox: Send {
    /// Adds a message. `Duplicate` if its key is already in the outbox.
    async fn enqueue(&mut self, new: &NewOutgoing) -> StoreResult<i64>;

    /// Adds many messages (a digest). `Duplicate`, and none added, if a key is
    /// already in the outbox.
    async fn enqueue_many(&mut self, messages: &[NewOutgoing]) -> StoreResult<()>;

    /// Pending messages to one address, oldest first (the console delivers these).
    async fn pending_to(&mut self, to: &Address) -> StoreResult<Vec<Outgoing>>;

    /// Pending messages for a person, oldest first.
    async fn pending_for(&mut self, recipient: ActorId) -> StoreResult<Vec<Outgoing>>;

    /// Takes up to `limit` due messages of a network (interactive first, then
    /// oldest), not claimed by another worker, and claims them until
    /// `lease_until`: at most [`CLAIM_PER_CHAT`] of one chat, so that a chat
    /// waiting on its own limit (a flood of replies to one person) does not
    /// hold back the others.
    async fn claim(
        &mut self,
        network: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<Outgoing>>;

    /// Replaces what a pending message carries (more lines gathered into a
    /// relay, a line changed or taken out) with `payload`, only while no
    /// worker holds it, none has tried it, and it still carries what
    /// `before` read (two writers at once: the second finds it changed):
    /// `false` otherwise (then it goes as it is).
    async fn rewrite(&mut self, before: &Outgoing, payload: &Payload) -> StoreResult<bool>;

    /// Takes a pending message out of the outbox, on the same terms as
    /// [`Self::rewrite`]; `false` if it is held, tried or gone.
    async fn withdraw(&mut self, id: i64) -> StoreResult<bool>;

    /// The pending relays ([`Payload::Relay`], keyed `relay/…`), oldest first.
    async fn pending_relays(&mut self) -> StoreResult<Vec<Outgoing>>;

    /// A message of the outbox, whatever became of it (until it is pruned).
    async fn outgoing(&mut self, id: i64) -> StoreResult<Option<Outgoing>>;

    /// The network accepted these messages (one statement for a delivery
    /// worker's whole batch). `NotFound` when one of them is not in the
    /// outbox, and then none is marked.
    async fn mark_sent(&mut self, ids: &[i64], at: DateTime<Utc>) -> StoreResult<()>;

    /// A failure worth retrying: counts the attempt, keeps the error, releases the
    /// claim and makes the message due again at `next_at`.
    async fn mark_retry(&mut self, id: i64, next_at: DateTime<Utc>, error: &str)
    -> StoreResult<()>;

    /// A failure that will not heal: counts the attempt and stops retrying.
    async fn mark_failed(&mut self, id: i64, error: &str, at: DateTime<Utc>) -> StoreResult<()>;

    /// Releases a claim without counting an attempt (a worker stopping).
    async fn unclaim(&mut self, id: i64) -> StoreResult<()>;

    /// Releases every claim on a network's pending messages (a process taking
    /// over the network's lease: the claims were the previous holder's). Returns
    /// how many.
    async fn unclaim_network(&mut self, network: &str) -> StoreResult<u64>;

    /// Nobody can be reached there any more (blocked the bot, chat gone): records it
    /// and fails its pending messages. Returns how many were failed.
    async fn set_unreachable(
        &mut self,
        to: &Address,
        reason: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<usize>;

    /// Whether an address was found unreachable (and has not written since).
    async fn is_unreachable(&mut self, to: &Address) -> StoreResult<bool>;

    /// The address wrote again: it is reachable.
    async fn clear_unreachable(&mut self, to: &Address) -> StoreResult<()>;

    async fn outbox_stats(&mut self, network: &str) -> StoreResult<OutboxStats>;
}
