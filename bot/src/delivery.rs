//! The delivery worker of one network: claims due outbox messages, waits for the
//! rate limiter, sends, and records the outcome. One per network per process.
//!
//! Guarantees: a message is marked sent only after the network accepted it; a
//! crash between the network's acceptance and the mark sends that message again
//! after the claim's lease runs out (at least once; networks that deduplicate by
//! the message key, like Matrix transaction ids, make it exactly once).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use kohero_core::domain::{Address, InitiativeId, Outgoing, Payload};
use kohero_core::inbox::{Inbox, event_key_of};
use kohero_core::limiter::{Limiter, Limits};
use kohero_core::ports::{SendError, Sender, Sent, Store, StoreError, Tx};
use kohero_core::unwind::{CatchUnwind, panic_message};
use std::collections::HashSet;

use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio::time::error::Elapsed;

use crate::metrics::NetworkCounters;

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Messages claimed at once.
    pub batch: usize,
    /// How long a claim holds before another worker may take the message.
    pub lease: Duration,
    /// How often an idle worker looks for messages written by other processes.
    pub poll: Duration,
    /// A send that takes longer is abandoned and retried.
    pub send_timeout: Duration,
    /// Sends in flight at once (never two to the same chat).
    pub concurrency: usize,
    /// First retry delay after a temporary failure; doubles up to `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            batch: 16,
            lease: Duration::from_secs(60),
            poll: Duration::from_millis(250),
            send_timeout: Duration::from_secs(20),
            concurrency: 8,
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(15 * 60),
        }
    }
}

pub struct Worker {
    store: Arc<dyn Store>,
    sender: Arc<dyn Sender>,
    limiter: Limiter,
    options: Options,
    counters: Arc<NetworkCounters>,
    /// Woken when this process queues messages, so replies leave at once.
    wake: Arc<Notify>,
    started: Instant,
    rng: u64,
    /// Outcomes not yet recorded: written in the transaction that claims the next
    /// batch (or before the worker waits), so a busy worker writes one transaction
    /// per batch instead of one per finished send.
    pending: Vec<(Outgoing, Mark)>,
    /// Where rooms the sends made are reported (core links them).
    inbox: Option<Arc<dyn Inbox>>,
}

/// Its parts hold connections, clients or closures: shown by name only.
impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker").finish_non_exhaustive()
    }
}

/// The delay before attempt `attempts + 1`: exponential, capped, with ±25 % jitter.
pub fn backoff(options: &Options, attempts: u32, random: u64) -> Duration {
    let base = options
        .backoff
        .saturating_mul(1u32 << attempts.min(20))
        .min(options.max_backoff);
    let jitter = (random % 1000) as f64 / 1000.0 * 0.5 - 0.25;
    base.mul_f64(1.0 + jitter)
}

impl Worker {
    pub fn new(
        store: Arc<dyn Store>,
        sender: Arc<dyn Sender>,
        limits: Limits,
        options: Options,
        counters: Arc<NetworkCounters>,
        wake: Arc<Notify>,
    ) -> Self {
        let seed = Utc::now().timestamp_nanos_opt().unwrap_or(1) as u64 | 1;
        Self {
            store,
            sender,
            limiter: Limiter::new(limits),
            options,
            counters,
            wake,
            started: Instant::now(),
            rng: seed,
            pending: Vec::new(),
            inbox: None,
        }
    }

    /// Reports the rooms the sends make to `inbox`.
    pub fn reporting_to(mut self, inbox: Arc<dyn Inbox>) -> Self {
        self.inbox = Some(inbox);
        self
    }

    fn random(&mut self) -> u64 {
        // xorshift64
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    fn mono(&self) -> Duration {
        self.started.elapsed()
    }

    /// Runs until `stop` turns true, claiming messages only while `held` (this
    /// process holds the network's lease); then finishes the send in flight,
    /// hands the other claimed messages back, and returns.
    pub async fn run(mut self, mut stop: watch::Receiver<bool>, mut held: watch::Receiver<bool>) {
        let network = self.sender.network().to_owned();
        tracing::info!(%network, "delivery worker started");
        while !*stop.borrow() {
            if !*held.borrow() {
                self.flush().await;
                if !kohero_core::ports::until_held(&mut held, &mut stop).await {
                    break;
                }
                continue;
            }
            if !self.sender.ready() {
                // Held, the network still connecting.
                tokio::select! {
                    _ = stop.changed() => {}
                    _ = tokio::time::sleep(self.options.poll) => {}
                }
                continue;
            }
            let batch = match self.claim().await {
                Ok(b) => b,
                Err(e) => {
                    tracing::error!(%network, error = %e, "cannot claim outbox messages");
                    Vec::new()
                }
            };
            if batch.is_empty() {
                tokio::select! {
                    _ = stop.changed() => {}
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(self.options.poll) => {}
                }
                continue;
            }
            self.deliver(batch, &mut stop).await;
        }
        self.flush().await;
        tracing::info!(%network, "delivery worker stopped");
    }

    /// Records the pending outcomes and claims the next batch, in one transaction.
    /// Run again when the transaction ran into a concurrent one.
    async fn claim(&mut self) -> Result<Vec<Outgoing>, StoreError> {
        let lease = chrono::Duration::from_std(self.options.lease).unwrap_or_default();
        let marks = std::mem::take(&mut self.pending);
        let network = self.sender.network();
        let (store, batch) = (self.store.as_ref(), self.options.batch);
        let claimed = kohero_core::retry::on_conflict("outbox claim", || async {
            let now = Utc::now();
            let mut tx = store.begin_rows().await?;
            if let Err(e) = record(tx.as_mut(), &marks, now).await {
                if !e.is_conflict() {
                    // The claims run out and the messages are tried again: at least once.
                    tracing::error!(%network, error = %e, "cannot record sends");
                }
                return Err(e);
            }
            let rows = tx.claim(network, now, now + lease, batch).await?;
            tx.commit().await?;
            Ok(rows)
        })
        .await;
        if let Err(e) = &claimed
            && e.is_conflict()
        {
            // Still contended after every try: kept for the next claim, so
            // that messages already sent are not sent again.
            self.pending.splice(0..0, marks);
        }
        claimed
    }

    /// Sends a claimed batch in priority order, up to `concurrency` at once but one
    /// at a time per chat (so a chat's messages keep their order); a message whose
    /// chat must wait lets the others go first.
    async fn deliver(&mut self, mut batch: Vec<Outgoing>, stop: &mut watch::Receiver<bool>) {
        let mut in_flight: JoinSet<(Outgoing, Attempt)> = JoinSet::new();
        let mut busy: HashSet<String> = HashSet::new();
        loop {
            if *stop.borrow() && !batch.is_empty() {
                self.release(std::mem::take(&mut batch)).await;
            }
            if batch.is_empty() && in_flight.is_empty() {
                return;
            }
            let now = self.mono();
            let mut soonest = Duration::MAX;
            let mut ready = None;
            if in_flight.len() < self.options.concurrency {
                for (i, m) in batch.iter().enumerate() {
                    if busy.contains(m.to.chat_key().as_ref()) {
                        continue;
                    }
                    let group = self.sender.is_group(&m.to.chat_key());
                    let checked = if self.sender.unlimited() {
                        Ok(())
                    } else {
                        self.limiter.check(&m.to.chat_key(), group, now)
                    };
                    match checked {
                        Ok(()) => {
                            ready = Some(i);
                            break;
                        }
                        Err(wait) => soonest = soonest.min(wait),
                    }
                }
            }
            if let Some(i) = ready {
                let m = batch.remove(i);
                if let Some(event) = event_key_of(&m.key) {
                    self.counters.replying(event);
                }
                busy.insert(m.to.chat_key().into_owned());
                let sender = self.sender.clone();
                let inbox = self.inbox.clone();
                let parts = u32::try_from(sender.parts(&m).max(1)).unwrap_or(u32::MAX);
                let timeout = self.options.send_timeout.saturating_mul(parts);
                in_flight.spawn(async move {
                    // A panic while sending (a bug in rendering) fails this
                    // message only: its chat is freed and the others go on.
                    let r = tokio::time::timeout(timeout, CatchUnwind::new(sender.send(&m)))
                        .await
                        .map(|r| {
                            r.unwrap_or_else(|panic| {
                                Err(SendError::Permanent(format!(
                                    "panic while sending: {}",
                                    panic_message(panic.as_ref())
                                )))
                            })
                        });
                    let r = match r {
                        Ok(Ok(Sent::RoomsMade(rooms))) => {
                            // Recorded under the same guard as the send: a
                            // panic fails this message only.
                            Ok(CatchUnwind::new(made(inbox.as_deref(), rooms))
                                .await
                                .unwrap_or_else(|panic| {
                                    Err(SendError::Temporary(format!(
                                        "panic while recording a room made: {}",
                                        panic_message(panic.as_ref())
                                    )))
                                }))
                        }
                        Ok(Ok(Sent::Posted(ids))) => {
                            Ok(Ok(CatchUnwind::new(posted(inbox.as_deref(), &m, ids))
                                .await
                                .unwrap_or_else(|panic| {
                                    tracing::error!(
                                        panic = panic_message(panic.as_ref()),
                                        "panic while keeping a post"
                                    );
                                    Sent::Done
                                })))
                        }
                        other => other,
                    };
                    (m, r)
                });
                continue;
            }
            if soonest != Duration::MAX {
                self.counters
                    .rate_limit_waits
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if in_flight.is_empty() {
                    // Only the limiter to wait for: record what was sent first.
                    self.flush().await;
                }
            }
            tokio::select! {
                done = in_flight.join_next(), if !in_flight.is_empty() => {
                    // Settle this send and every other one already finished, in one
                    // transaction.
                    let mut finished = Vec::new();
                    let mut next = done;
                    while let Some(joined) = next {
                        match joined {
                            Ok((m, result)) => {
                                busy.remove(m.to.chat_key().as_ref());
                                finished.push((m, result));
                            }
                            Err(e) => tracing::error!(error = %e, "a send task failed"),
                        }
                        next = in_flight.try_join_next();
                    }
                    for gone in self.settle(finished) {
                        // Its chat is gone: the store failed its other messages.
                        batch.retain(|o| o.address() != gone);
                    }
                }
                _ = stop.changed(), if !*stop.borrow() => {}
                _ = tokio::time::sleep(soonest), if soonest != Duration::MAX => {}
            }
        }
    }

    /// Judges finished sends (recorded with the next claim, or before the worker
    /// waits); returns the addresses found unreachable.
    fn settle(&mut self, finished: Vec<(Outgoing, Attempt)>) -> Vec<Address> {
        let mut gone = Vec::new();
        for (m, result) in finished {
            let mark = self.judge(&m, result);
            if matches!(mark, Mark::Unreachable(_)) {
                gone.push(m.address());
            }
            self.pending.push((m, mark));
        }
        gone
    }

    /// What a send's result means for its message.
    fn judge(&mut self, m: &Outgoing, result: Attempt) -> Mark {
        use std::sync::atomic::Ordering::Relaxed;
        let network = self.sender.network().to_owned();
        match result {
            Ok(Ok(_)) => {
                self.counters.sent.fetch_add(1, Relaxed);
                Mark::Sent
            }
            Ok(Err(SendError::RetryAfter { after, chat_only })) => {
                self.counters.errors_retry_after.fetch_add(1, Relaxed);
                let now = self.mono();
                self.limiter
                    .pause(chat_only.then_some(m.to.chat_key().as_ref()), now, after);
                Mark::Retry {
                    after,
                    error: format!("rate limited, retry after {after:?}"),
                }
            }
            Ok(Err(SendError::Temporary(e))) => {
                self.counters.errors_temporary.fetch_add(1, Relaxed);
                self.retry_later(m, e)
            }
            Err(_) => {
                self.counters.errors_timeout.fetch_add(1, Relaxed);
                let e = format!("no answer within {:?}", self.options.send_timeout);
                self.retry_later(m, e)
            }
            Ok(Err(SendError::Permanent(e))) => {
                self.counters.errors_permanent.fetch_add(1, Relaxed);
                tracing::warn!(%network, id = m.id, error = %e, "message refused for good");
                Mark::Failed(e)
            }
            Ok(Err(SendError::Unreachable(e))) => {
                self.counters.errors_unreachable.fetch_add(1, Relaxed);
                tracing::info!(%network, chat = %m.to.chat_key(), error = %e, "chat unreachable");
                Mark::Unreachable(e)
            }
        }
    }

    fn retry_later(&mut self, m: &Outgoing, error: String) -> Mark {
        let r = self.random();
        let after = backoff(&self.options, m.attempts, r);
        tracing::debug!(
            id = m.id,
            attempts = m.attempts + 1,
            ?after,
            error,
            "will retry"
        );
        Mark::Retry { after, error }
    }

    /// Hands claimed messages back (stopping), with the pending outcomes.
    async fn release(&mut self, messages: Vec<Outgoing>) {
        self.pending
            .extend(messages.into_iter().map(|m| (m, Mark::Release)));
        self.flush().await;
    }

    /// Records the pending outcomes, in one transaction.
    async fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let marks = std::mem::take(&mut self.pending);
        let store = self.store.as_ref();
        let result = kohero_core::retry::on_conflict("outbox outcomes", || async {
            let mut tx = store.begin_rows().await?;
            record(tx.as_mut(), &marks, Utc::now()).await?;
            tx.commit().await
        })
        .await;
        if let Err(e) = result {
            // The claims run out and the messages are tried again: at least once.
            tracing::error!(network = %self.sender.network(), messages = marks.len(), error = %e, "cannot record sends");
            if e.is_conflict() {
                self.pending.splice(0..0, marks);
            }
        }
    }
}

/// Records what became of messages, inside `tx`.
async fn record(
    tx: &mut dyn Tx,
    marks: &[(Outgoing, Mark)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let sent: Vec<i64> = marks
        .iter()
        .filter(|(_, mark)| matches!(mark, Mark::Sent))
        .map(|(m, _)| m.id)
        .collect();
    tx.mark_sent(&sent, now).await?;
    for (m, mark) in marks {
        match mark {
            Mark::Sent => {}
            Mark::Retry { after, error } => {
                let next = now + chrono::Duration::from_std(*after).unwrap_or_default();
                tx.mark_retry(m.id, next, error).await?;
            }
            Mark::Failed(e) => tx.mark_failed(m.id, e, now).await?,
            Mark::Unreachable(e) => {
                tx.set_unreachable(&m.address(), e, now).await?;
            }
            Mark::Release => tx.unclaim(m.id).await?,
        }
    }
    Ok(())
}

/// Tells core of the rooms a send made (it links them); a failure to record
/// them makes the send one to retry (the retry finds the rooms and tells
/// again, which changes nothing for those already recorded).
async fn made(
    inbox: Option<&dyn Inbox>,
    rooms: Vec<(Address, InitiativeId)>,
) -> Result<Sent, SendError> {
    let Some(inbox) = inbox else {
        tracing::warn!(
            rooms = rooms.len(),
            "rooms were made but nobody records them"
        );
        return Ok(Sent::Done);
    };
    for (room, initiative) in rooms {
        if let Err(e) = inbox.room_made(room, initiative).await {
            return Err(SendError::Temporary(format!(
                "cannot record the room made: {e}"
            )));
        }
    }
    Ok(Sent::Done)
}

/// Tells core which network messages a message showing something became
/// (see [`Outgoing::about`]), so that they can be taken back. The message is
/// sent whatever happens here: keeping them is tried three times, then
/// logged (sending the message again would post it twice).
async fn posted(inbox: Option<&dyn Inbox>, m: &Outgoing, ids: Vec<String>) -> Sent {
    let Some(inbox) = inbox else {
        return Sent::Done;
    };
    if ids.is_empty() {
        return Sent::Done;
    }
    // A relay's copies, to relay edits, redactions and replies; or the
    // posts of something that may be hidden.
    let relayed = match &m.payload {
        Payload::Relay(r) => Some(kohero_core::inbox::Relayed {
            row: m.id,
            sources: r.lines.iter().map(|l| l.source.clone()).collect(),
            room: m.address(),
            messages: ids.clone(),
        }),
        _ => None,
    };
    if relayed.is_none() && m.about.is_none() {
        return Sent::Done;
    }
    let mut wait = Duration::from_millis(200);
    for attempt in 1..=3 {
        let kept = match (&relayed, m.about) {
            (Some(r), _) => inbox.relayed(r.clone()).await,
            (None, Some(about)) => inbox.posted(about, m.address(), ids.clone()).await,
            (None, None) => Ok(()),
        };
        match kept {
            Ok(()) => break,
            Err(e) if attempt == 3 => {
                tracing::error!(error = %e, key = %m.key, "a post cannot be kept: it will not be taken back");
            }
            Err(e) => {
                tracing::warn!(error = %e, key = %m.key, "cannot keep a post yet");
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
        }
    }
    Sent::Done
}

/// A send, or its timeout.
type Attempt = Result<Result<Sent, SendError>, Elapsed>;

/// What became of one message.
enum Mark {
    Sent,
    Retry { after: Duration, error: String },
    Failed(String),
    Unreachable(String),
    Release,
}
