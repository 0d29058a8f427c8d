//! Intake: events from networks, handled exactly once and each on its own.
//!
//! A batch (a getUpdates answer) is one transaction with a savepoint per event.
//! An event the person got wrong is refused and answered; an event that fails
//! for a reason not the person's (a store error, a panic) is that event's
//! alone: its savepoint is rolled back, its id is recorded as failed with a
//! short apology to the person, and the rest of the batch commits. A panic
//! takes the batch's transaction with it (the transaction lives inside the
//! failing future): the batch is then replayed without that event, which is
//! recorded as failed. So an event is never handed again forever, and no other
//! person waits behind it.

use std::collections::HashSet;

use super::{Ctx, Engine, EngineError, Incoming, Intake, Touched};
use crate::domain::*;
use crate::i18n::Arg;
use crate::ports::Tx;
use crate::reply::Reply;
use crate::unwind::{CatchUnwind, panic_message};

/// One event handled inside the batch's transaction.
enum Step {
    /// Handled (or refused and answered): the transaction back, the outcome,
    /// and the initiatives written.
    Done(Box<dyn Tx>, Intake, Vec<Touched>),
    /// A failure not the person's, with the transaction back: the event's
    /// savepoint is still there to roll back to.
    Failed(Box<dyn Tx>, EngineError),
}

/// Why a batch's transaction was given up.
enum Abandoned {
    /// Event `n` panicked or left the transaction unusable: replay the batch
    /// with that event recorded as failed.
    Without(usize, String),
    /// The store itself failed (begin, commit): nothing of the batch is
    /// recorded; the network hands it again.
    Store(EngineError),
}

/// Longest failure text kept with an event id.
const FAILURE_MAX: usize = 500;

impl Engine {
    /// Handles an event from a network exactly once: its effects, its replies (to
    /// the chat it came from) and its notices are committed with its event id, and
    /// an event seen before does nothing. Replies reach the person through the
    /// outbox and the network's delivery worker.
    pub async fn handle_event(&self, incoming: Incoming) -> Result<Intake, EngineError> {
        let mut r = self.handle_events(vec![incoming]).await?;
        r.pop().ok_or(EngineError::NoEventId)
    }

    /// Handles a batch of events (a getUpdates answer) in one transaction, each
    /// behind a savepoint: a refused command rolls back its own effects only, and
    /// an event that fails (a store error, a panic) is recorded as failed and
    /// answered with an apology, without holding up the others. One commit for
    /// the batch; `Err` only when the store cannot begin or commit, and then
    /// nothing of the batch is recorded (the network hands it again).
    pub async fn handle_events(&self, batch: Vec<Incoming>) -> Result<Vec<Intake>, EngineError> {
        if batch.iter().any(|i| i.event_id.is_none()) {
            return Err(EngineError::NoEventId);
        }
        let mut failed: Vec<(usize, String)> = Vec::new();
        loop {
            match self.try_batch(&batch, &failed).await {
                Ok((results, touched)) => {
                    self.apply_to_index(&touched);
                    return Ok(results);
                }
                // Each replay sets one more event aside: at most one per event.
                Err(Abandoned::Without(n, why)) if failed.iter().all(|(f, _)| *f != n) => {
                    failed.push((n, why));
                }
                Err(Abandoned::Without(_, why)) => return Err(EngineError::Failed(why)),
                Err(Abandoned::Store(e)) => return Err(e),
            }
        }
    }

    /// One attempt at a batch; the events in `failed` are recorded as failed
    /// without being handled again.
    async fn try_batch(
        &self,
        batch: &[Incoming],
        failed: &[(usize, String)],
    ) -> Result<(Vec<Intake>, Vec<Touched>), Abandoned> {
        let set_aside: HashSet<usize> = failed.iter().map(|(n, _)| *n).collect();
        let mut tx = self
            .store
            .begin()
            .await
            .map_err(|e| Abandoned::Store(e.into()))?;
        let mut results = Vec::with_capacity(batch.len());
        let mut touched = Vec::new();
        for (n, incoming) in batch.iter().enumerate() {
            let gone = |e: crate::ports::StoreError| Abandoned::Without(n, e.to_string());
            if set_aside.contains(&n) {
                let why = failed
                    .iter()
                    .find(|(f, _)| *f == n)
                    .map(|(_, w)| w.as_str())
                    .unwrap_or_default();
                tx.savepoint().await.map_err(gone)?;
                let intake = self
                    .record_failure(&mut tx, incoming, why)
                    .await
                    .map_err(gone)?;
                tx.release_savepoint().await.map_err(gone)?;
                results.push(intake);
                continue;
            }
            tx.savepoint().await.map_err(gone)?;
            let step = CatchUnwind::new(self.process_event(tx, incoming.clone())).await;
            tx = match step {
                Ok(Step::Done(back, intake, t)) => {
                    let mut back = back;
                    back.release_savepoint().await.map_err(gone)?;
                    results.push(intake);
                    touched.extend(t);
                    back
                }
                Ok(Step::Failed(mut back, error)) => {
                    let why = error.to_string();
                    back.rollback_to_savepoint().await.map_err(gone)?;
                    let intake = self
                        .record_failure(&mut back, incoming, &why)
                        .await
                        .map_err(gone)?;
                    back.release_savepoint().await.map_err(gone)?;
                    results.push(intake);
                    back
                }
                // The transaction went down with the event: replay without it.
                Err(panic) => {
                    let why = format!("panic: {}", panic_message(panic.as_ref()));
                    return Err(Abandoned::Without(n, why));
                }
            };
        }
        tx.commit().await.map_err(|e| Abandoned::Store(e.into()))?;
        Ok((results, touched))
    }

    /// Records an event that failed for a reason not the person's: its id (so
    /// it is not handed again), why, a short apology to the chat it came from
    /// when someone waits for an answer, a log line and the failure counter.
    async fn record_failure(
        &self,
        tx: &mut Box<dyn Tx>,
        incoming: &Incoming,
        why: &str,
    ) -> Result<Intake, crate::ports::StoreError> {
        let network = &incoming.identity.network;
        let event_id = incoming.event_id.as_deref().unwrap_or_default();
        let now = self.clock.now();
        let why: String = why.chars().take(FAILURE_MAX).collect();
        tx.record_failed_event(network, event_id, &why, now).await?;
        let waiting = matches!(
            incoming.content,
            super::Content::Text(_) | super::Content::Button(_) | super::Content::Location(_)
        );
        let mut queued = 0;
        if waiting {
            let lang = incoming.lang_hint.unwrap_or_default();
            tx.enqueue(&NewOutgoing {
                to: reply_address(incoming),
                // The person may not be stored (a first contact that failed).
                recipient: None,
                reply: Reply::text(self.cat.get(lang, "update-failed", &[] as &[(&str, Arg)])),
                priority: Priority::Interactive,
                key: format!("{}/f0", self.key_base(incoming)),
                at: now,
            })
            .await?;
            queued = 1;
        }
        self.failed_updates
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tracing::error!(
            network = %network,
            event = event_id,
            chat = %reply_address(incoming).chat,
            error = %why,
            "update failed: recorded, and the person told"
        );
        Ok(Intake::Failed(queued))
    }

    /// One event inside the batch's transaction (after its savepoint).
    /// The span of one update: network, chat, actor and the network's event id.
    #[tracing::instrument(skip_all, fields(network = %incoming.identity.network, chat, actor = %incoming.identity, event = incoming.event_id.as_deref().unwrap_or("")))]
    async fn process_event(&self, mut tx: Box<dyn Tx>, incoming: Incoming) -> Step {
        macro_rules! attempt {
            ($tx:ident, $e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(e) => return Step::Failed($tx, EngineError::from(e)),
                }
            };
        }
        let network = incoming.identity.network.clone();
        let event_id = incoming.event_id.clone().unwrap_or_default();
        let to = reply_address(&incoming);
        tracing::Span::current().record("chat", to.chat.as_str());
        let now = self.clock.now();
        if !attempt!(tx, tx.record_event(&network, &event_id, now).await) {
            return Step::Done(tx, Intake::Duplicate, Vec::new());
        }
        attempt!(tx, tx.clear_unreachable(&to).await);
        let actor = attempt!(tx, self.actor_of(&mut tx, &incoming).await);
        let lang = actor.lang;
        let mut recipient = Some(actor.id);
        let key_base = self.key_base(&incoming);
        let mut ctx = self.ctx(tx, actor, key_base.clone());
        ctx.now = now;
        if to.chat != incoming.identity.id {
            ctx.room = Some(to.clone());
        }
        let outcome = self.dispatch(&mut ctx, incoming.content.clone()).await;
        let Ctx {
            mut tx,
            touched,
            sent,
            forgotten,
            ..
        } = ctx;
        if forgotten {
            // The person was erased: what is still said to their chat is no
            // longer theirs (and their row is gone).
            recipient = None;
        }
        let refused = outcome.is_err();
        let (replies, touched, sent) = match outcome {
            Ok(replies) => (replies, touched, sent),
            Err(refusal) => {
                let reply = attempt!(tx, self.refusal(lang, refusal));
                // Nothing of the refused message stays; the event and the answer do.
                attempt!(tx, tx.rollback_to_savepoint().await);
                attempt!(tx, tx.record_event(&network, &event_id, now).await);
                // Writing at all, even wrongly, says the chat is reachable.
                attempt!(tx, tx.clear_unreachable(&to).await);
                // A first contact's creation was rolled back with the rest.
                recipient = Some(attempt!(tx, self.actor_of(&mut tx, &incoming).await).id);
                (vec![reply], Vec::new(), 0)
            }
        };
        let mut queued = sent;
        for (i, reply) in replies.into_iter().enumerate() {
            attempt!(
                tx,
                tx.enqueue(&NewOutgoing {
                    to: to.clone(),
                    recipient,
                    reply,
                    priority: Priority::Interactive,
                    key: format!("{key_base}/r{i}"),
                    at: now,
                })
                .await
            );
            queued += 1;
        }
        let intake = if refused {
            Intake::Refused(queued)
        } else {
            Intake::Queued(queued)
        };
        Step::Done(tx, intake, touched)
    }
}

/// Where the replies to an event go: the chat it came from, or the person's
/// private chat.
fn reply_address(incoming: &Incoming) -> Address {
    Address::new(
        incoming.identity.network.clone(),
        incoming
            .chat
            .clone()
            .unwrap_or_else(|| incoming.identity.id.clone()),
    )
}
