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
    /// An event panicked or left the transaction unusable (it is now among
    /// the failed ones): replay the batch.
    Replay,
    /// The store itself failed (begin, commit): nothing of the batch is
    /// recorded; the network hands it again.
    Store(EngineError),
    /// The transaction ran into a concurrent one: nothing of it is written,
    /// and no event is to blame; run the batch again as it was.
    Conflict(EngineError),
}

impl Abandoned {
    /// The store failed: a conflict is tried again, anything else given up.
    fn store(e: impl Into<EngineError>) -> Self {
        let e = e.into();
        if e.is_conflict() {
            Self::Conflict(e)
        } else {
            Self::Store(e)
        }
    }
}

/// Identities a process remembers having a person, at most.
const KNOWN_MAX: usize = 100_000;

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
        // The events that failed, by position, with why: handled once, then
        // only recorded as failed when the batch is replayed.
        let mut failed: Vec<(usize, String)> = Vec::new();
        // Each event's fair-use decision, taken once: an attempt run again
        // (a conflict, a replay) must not charge the person again.
        let admitted = crate::fair_use::Admitted::default();
        if self.store.concurrent_writers() > 1
            && let Err(e) = self.first_contacts(&batch).await
        {
            // Only a shortcut: the batch creates them itself, each event on
            // its own (a failure there is that event's alone).
            tracing::warn!(error = %e, "first contacts not created ahead of their batch");
        }
        let mut conflicts = 0;
        loop {
            let before = failed.len();
            match self.try_batch(&batch, &mut failed, &admitted).await {
                Ok((results, touched)) => {
                    self.apply_to_index(&touched);
                    self.after_index_writes().await;
                    self.failed_updates.fetch_add(
                        u64::try_from(failed.len()).unwrap_or(u64::MAX),
                        std::sync::atomic::Ordering::Relaxed,
                    );
                    return Ok(results);
                }
                // Each replay sets at least one more event aside: at most one
                // replay per event.
                Err(Abandoned::Replay) if failed.len() > before => {}
                Err(Abandoned::Replay) => {
                    return Err(EngineError::Failed("a batch could not be replayed".into()));
                }
                Err(Abandoned::Store(e)) => return Err(e),
                // Nothing written, nobody to blame: the same batch again.
                Err(Abandoned::Conflict(e)) => {
                    crate::retry::count_conflict();
                    conflicts += 1;
                    if conflicts >= crate::retry::ATTEMPTS {
                        tracing::warn!(error = %e, attempts = conflicts, "a batch gave up after repeated conflicts");
                        return Err(e);
                    }
                    tokio::time::sleep(crate::retry::pause(conflicts)).await;
                }
            }
        }
    }

    /// Where writers run side by side (PostgreSQL), the people a batch meets
    /// for the first time are created beforehand, in a short transaction of
    /// their own: the batch's transaction then only reads their identities.
    /// Created inside it, each newcomer's identity would go into an index
    /// page that the concurrent batches read to find their own people, and
    /// the serializable store would give up one batch of each such pair (a
    /// thousand newcomers at once made most batches conflict). Created here
    /// exactly as intake would: not for relayed messages, banned identities
    /// (a banned stranger stays one) or events already handled (a person who
    /// just had themselves forgotten is not brought back by a network handing
    /// an old update again).
    async fn first_contacts(&self, batch: &[Incoming]) -> Result<(), EngineError> {
        let now = self.clock.now();
        let unknown: Vec<&Incoming> = {
            let known = self.known.lock().unwrap_or_else(|p| p.into_inner());
            batch
                .iter()
                .filter(|i| !i.content.is_relayed() && !known.contains(&i.identity))
                .collect()
        };
        if unknown.is_empty() {
            return Ok(());
        }
        let mut newcomers: Vec<&Incoming> = Vec::new();
        let mut found: Vec<Identity> = Vec::new();
        {
            let mut r = self.store.read().await?;
            for incoming in unknown {
                if newcomers.iter().any(|n| n.identity == incoming.identity) {
                    continue;
                }
                if r.actor_by_identity(&incoming.identity).await?.is_some() {
                    found.push(incoming.identity.clone());
                    continue;
                }
                if r.ban_of(&incoming.identity)
                    .await?
                    .is_some_and(|b| b.in_force(now))
                    || r.seen(
                        &incoming.identity.network,
                        incoming.event_id.as_deref().unwrap_or_default(),
                    )
                    .await?
                {
                    continue;
                }
                newcomers.push(incoming);
            }
        }
        self.remember(found);
        if newcomers.is_empty() {
            return Ok(());
        }
        crate::retry::on_conflict::<_, EngineError, _, _>("first contacts", || async {
            // A row transaction: one person per identity is the identities'
            // unique key's to keep, and a serializable one would conflict
            // with every batch that read the identities' or actors' pages
            // these rows go into (a newcomer is created once either way: a
            // second creator is refused by the key, and this shortcut then
            // leaves it to the batch).
            let mut tx = self.store.begin_rows().await?;
            for n in &newcomers {
                self.actor_for(&mut tx, &n.identity, n.display_name.as_deref(), n.lang_hint)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
        .await?;
        self.remember(newcomers.iter().map(|n| n.identity.clone()).collect());
        Ok(())
    }

    /// Notes identities seen to have a person (at most `KNOWN_MAX`: past
    /// that, the set starts again).
    fn remember(&self, identities: Vec<Identity>) {
        if identities.is_empty() {
            return;
        }
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        if known.len() + identities.len() > KNOWN_MAX {
            known.clear();
        }
        known.extend(identities);
    }

    /// One attempt at a batch; the events already in `failed` are recorded as
    /// failed without being handled again, and those that fail now are added.
    async fn try_batch(
        &self,
        batch: &[Incoming],
        failed: &mut Vec<(usize, String)>,
        admitted: &crate::fair_use::Admitted,
    ) -> Result<(Vec<Intake>, Vec<Touched>), Abandoned> {
        let mut tx = self.store.begin().await.map_err(Abandoned::store)?;
        let mut results = Vec::with_capacity(batch.len());
        let mut touched = Vec::new();
        for (n, incoming) in batch.iter().enumerate() {
            if let Some((_, why)) = failed.iter().find(|(f, _)| *f == n) {
                // Set aside in an earlier attempt: only recorded.
                let why = why.clone();
                let recorded = async {
                    tx.savepoint().await?;
                    let intake = self.record_failure(&mut tx, incoming, &why).await?;
                    tx.release_savepoint().await?;
                    Ok::<_, crate::ports::StoreError>(intake)
                }
                .await;
                results.push(recorded.map_err(Abandoned::store)?);
                continue;
            }
            if let Err(e) = tx.savepoint().await {
                if e.is_conflict() {
                    return Err(Abandoned::store(e));
                }
                return Err(self.set_aside(failed, n, incoming, e.to_string()));
            }
            match CatchUnwind::new(self.process_event(tx, incoming.clone(), admitted)).await {
                Ok(Step::Done(mut back, intake, t)) => {
                    if let Err(e) = back.release_savepoint().await {
                        if e.is_conflict() {
                            return Err(Abandoned::store(e));
                        }
                        return Err(self.set_aside(failed, n, incoming, e.to_string()));
                    }
                    results.push(intake);
                    touched.extend(t);
                    tx = back;
                }
                // A concurrent transaction, not this event: the batch again.
                Ok(Step::Failed(_, error)) if error.is_conflict() => {
                    return Err(Abandoned::Conflict(error));
                }
                Ok(Step::Failed(mut back, error)) => {
                    // Only this event's savepoint is rolled back; the others stand.
                    let why = error.to_string();
                    let recorded = async {
                        back.rollback_to_savepoint().await?;
                        let intake = self.record_failure(&mut back, incoming, &why).await?;
                        back.release_savepoint().await?;
                        Ok::<_, crate::ports::StoreError>(intake)
                    }
                    .await;
                    let intake = match recorded {
                        Ok(intake) => intake,
                        Err(e) if e.is_conflict() => return Err(Abandoned::store(e)),
                        // The transaction is no longer usable: replay without it.
                        Err(_) => return Err(self.set_aside(failed, n, incoming, why)),
                    };
                    self.log_failure(incoming, &why);
                    failed.push((n, why));
                    results.push(intake);
                    tx = back;
                }
                // The transaction went down with the event: replay without it.
                Err(panic) => {
                    let why = format!("panic: {}", panic_message(panic.as_ref()));
                    return Err(self.set_aside(failed, n, incoming, why));
                }
            }
        }
        tx.commit().await.map_err(Abandoned::store)?;
        Ok((results, touched))
    }

    /// Sets event `n` aside as failed (logged once) and asks for a replay.
    fn set_aside(
        &self,
        failed: &mut Vec<(usize, String)>,
        n: usize,
        incoming: &Incoming,
        why: String,
    ) -> Abandoned {
        if failed.iter().all(|(f, _)| *f != n) {
            self.log_failure(incoming, &why);
            failed.push((n, why));
        }
        Abandoned::Replay
    }

    fn log_failure(&self, incoming: &Incoming, why: &str) {
        tracing::error!(
            network = %incoming.identity.network,
            event = incoming.event_id.as_deref().unwrap_or_default(),
            chat = %reply_address(incoming).chat,
            error = %why,
            "update failed: recorded as failed, and the person told"
        );
    }

    /// Records an event that failed for a reason not the person's: its id (so
    /// it is not handed again), why, and a short apology to the chat it came
    /// from when someone waits for an answer.
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
        tx.mark_failed_update(network, event_id, &why, now).await?;
        if !asks_for_an_answer(&incoming.content) {
            return Ok(Intake::Failed(0));
        }
        let lang = incoming.lang_hint.unwrap_or_default();
        // The person may not be stored (a first contact that failed): for nobody.
        self.answer_alone(tx, incoming, lang, None, "update-failed", "f0", now)
            .await?;
        Ok(Intake::Failed(1))
    }

    /// Fair use: past their limit a person is told once to slow down, then
    /// not answered until it refills (what they sent is recorded as seen).
    /// `Some` when the event stops here.
    async fn fair_use(
        &self,
        tx: &mut Box<dyn Tx>,
        incoming: &Incoming,
        now: chrono::DateTime<chrono::Utc>,
        admitted: &crate::fair_use::Admitted,
    ) -> Result<Option<Intake>, crate::ports::StoreError> {
        use crate::fair_use::Admit;
        if !asks_for_an_answer(&incoming.content) {
            return Ok(None);
        }
        let who = incoming.identity.to_string();
        let key = self.key_base(incoming);
        match admitted.once(key, || {
            self.buckets.admit(self.fair_use.per_person, &who, now)
        }) {
            Admit::Yes => Ok(None),
            Admit::Quiet => Ok(Some(Intake::Refused(0))),
            Admit::SlowDown => {
                let known = tx.actor_by_identity(&incoming.identity).await?;
                let lang = known
                    .as_ref()
                    .map(|a| a.lang)
                    .or(incoming.lang_hint)
                    .unwrap_or_default();
                let recipient = known.map(|a| a.id);
                self.answer_alone(tx, incoming, lang, recipient, "slow-down", "s0", now)
                    .await?;
                Ok(Some(Intake::Refused(1)))
            }
        }
    }

    /// Queues one fixed message (catalogue `id`) to the chat an event came
    /// from, outside any command, under the event's key with `suffix`.
    #[allow(clippy::too_many_arguments)]
    async fn answer_alone(
        &self,
        tx: &mut Box<dyn Tx>,
        incoming: &Incoming,
        lang: Lang,
        recipient: Option<ActorId>,
        id: &str,
        suffix: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), crate::ports::StoreError> {
        let reply = Reply::text(self.cat.get(lang, id, &[] as &[(&str, Arg)]));
        let key = format!("{}/{suffix}", self.key_base(incoming));
        tx.enqueue(
            &NewOutgoing::message(&reply_address(incoming), reply, key, now).for_person(recipient),
        )
        .await
        .map(drop)
    }

    /// A network made `room` for `initiative` (see
    /// [`Inbox::room_made`](crate::inbox::Inbox::room_made)): linked, and its
    /// people brought up to date, in one transaction. Told again (a retry of
    /// the message that made it), nothing more is queued.
    pub async fn room_made(
        &self,
        room: Address,
        initiative: InitiativeId,
    ) -> Result<(), EngineError> {
        crate::retry::on_conflict("room made", || self.room_made_once(&room, initiative)).await
    }

    async fn room_made_once(
        &self,
        room: &Address,
        initiative: InitiativeId,
    ) -> Result<(), EngineError> {
        let tx = self.store.begin().await?;
        let key_base = format!("made/{}/{}", room.network, room.chat);
        let mut ctx = self.ctx(tx, self.scheduler_actor(), key_base);
        match super::rooms::room_made(&mut ctx, room, initiative).await {
            Ok(()) => Ok(ctx.tx.commit().await?),
            Err(super::Fail::Store(crate::ports::StoreError::Duplicate(_))) => Ok(()),
            Err(super::Fail::Store(e)) => Err(e.into()),
            Err(_) => Ok(()),
        }
    }

    /// An outbox message showing `about` went out in `room` as `messages`
    /// (see [`Inbox::posted`](crate::inbox::Inbox::posted)): kept, to be
    /// taken back if `about` is hidden — at once if it was hidden meanwhile.
    pub async fn posted(
        &self,
        about: Target,
        room: Address,
        messages: Vec<String>,
    ) -> Result<(), EngineError> {
        crate::retry::on_conflict("posted", || self.posted_once(about, &room, &messages)).await
    }

    async fn posted_once(
        &self,
        about: Target,
        room: &Address,
        messages: &[String],
    ) -> Result<(), EngineError> {
        let tx = self.store.begin().await?;
        // Unique per post: a network's message ids are, within a chat.
        let key_base = format!(
            "posted/{}/{}/{}",
            room.network,
            room.chat,
            messages.first().map_or("", String::as_str)
        );
        let mut ctx = self.ctx(tx, self.scheduler_actor(), key_base);
        match super::rooms::posted(&mut ctx, about, room, messages).await {
            Ok(()) => Ok(ctx.tx.commit().await?),
            // Told again and taken back before: queued then, nothing more.
            Err(super::Fail::Store(crate::ports::StoreError::Duplicate(_))) => Ok(()),
            Err(super::Fail::Store(e)) => Err(e.into()),
            Err(_) => Ok(()),
        }
    }

    /// One event inside the batch's transaction (after its savepoint).
    /// The span of one update: network, chat, actor and the network's event id.
    #[tracing::instrument(skip_all, fields(network = %incoming.identity.network, chat, actor = %incoming.identity, event = incoming.event_id.as_deref().unwrap_or("")))]
    async fn process_event(
        &self,
        mut tx: Box<dyn Tx>,
        incoming: Incoming,
        admitted: &crate::fair_use::Admitted,
    ) -> Step {
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
        if !attempt!(tx, tx.mark_seen(&network, &event_id, now).await) {
            return Step::Done(tx, Intake::Duplicate, Vec::new());
        }
        attempt!(tx, tx.clear_unreachable(&to).await);
        if incoming.content.is_relayed() {
            let key_base = self.key_base(&incoming);
            let intake = attempt!(
                tx,
                self.relay_event(&mut tx, &incoming, &key_base, now, admitted)
                    .await
            );
            return Step::Done(tx, intake, Vec::new());
        }
        if let Some(intake) = attempt!(tx, self.fair_use(&mut tx, &incoming, now, admitted).await) {
            return Step::Done(tx, intake, Vec::new());
        }
        let banned = match attempt!(tx, self.ban_at_intake(&mut tx, &incoming).await) {
            super::dispatch::BanCheck::Stranger(reply) => {
                let key_base = self.key_base(&incoming);
                let mut queued = 0;
                if let Some(reply) = reply {
                    let out = NewOutgoing::message(&to, reply, format!("{key_base}/r0"), now);
                    attempt!(tx, tx.enqueue(&out).await);
                    queued = 1;
                }
                if matches!(incoming.content, super::Content::JoinRequest) {
                    // Declined, as for any stranger, without creating them.
                    let out = NewOutgoing::room(
                        &to.network,
                        Destination::chat(&to),
                        vec![RoomOp::Admit {
                            user: incoming.identity.id.clone(),
                            approve: false,
                        }],
                        format!("{key_base}/a"),
                        now,
                    );
                    attempt!(tx, tx.enqueue(&out).await);
                    queued += 1;
                }
                return Step::Done(tx, Intake::Refused(queued), Vec::new());
            }
            super::dispatch::BanCheck::Known(ban) => Some(ban),
            super::dispatch::BanCheck::Clear => None,
        };
        let actor = attempt!(tx, self.actor_of(&mut tx, &incoming).await);
        let lang = actor.lang;
        let mut recipient = Some(actor.id);
        let key_base = self.key_base(&incoming);
        let mut ctx = self.ctx(tx, actor, key_base.clone());
        ctx.now = now;
        ctx.banned = banned;
        ctx.identity = Some(incoming.identity.clone());
        if to.chat != incoming.identity.id {
            ctx.room = Some(to.clone());
            ctx.message = incoming.message_id.clone();
            ctx.chat_check = incoming.chat_check;
        } else if matches!(incoming.content, super::Content::Button(_)) {
            ctx.pressed = incoming.message_id.clone();
        }
        let outcome = self.dispatch(&mut ctx, incoming.content.clone()).await;
        let Ctx {
            mut tx,
            touched,
            sent,
            forgotten,
            pressed,
            edit_pressed,
            mut reply_tag,
            ..
        } = ctx;
        if forgotten {
            // The person was erased: what is still said to their chat is no
            // longer theirs (and their row is gone).
            recipient = None;
        }
        let refused = outcome.is_err();
        // The pressed card is replaced by a success only.
        let mut replaces = pressed.filter(|_| edit_pressed && !refused);
        if refused {
            reply_tag = None;
        }
        let (replies, touched, sent) = match outcome {
            Ok(replies) => (replies, touched, sent),
            Err(refusal) => {
                let reply = attempt!(tx, self.refusal(lang, refusal));
                // Nothing of the refused message stays; the event and the answer do.
                attempt!(tx, tx.rollback_to_savepoint().await);
                attempt!(tx, tx.mark_seen(&network, &event_id, now).await);
                // Writing at all, even wrongly, says the chat is reachable.
                attempt!(tx, tx.clear_unreachable(&to).await);
                // A first contact's creation was rolled back with the rest.
                recipient = Some(attempt!(tx, self.actor_of(&mut tx, &incoming).await).id);
                (vec![reply], Vec::new(), 0)
            }
        };
        let mut queued = sent;
        for (i, reply) in replies.into_iter().enumerate() {
            let tag = reply_tag.as_deref().unwrap_or_default();
            let mut out = NewOutgoing::message(&to, reply, format!("{key_base}/r{i}{tag}"), now)
                .for_person(recipient);
            // The first answer takes the place of the pressed card.
            if let (0, Some(message)) = (i, replaces.take())
                && let Payload::Message(reply) = out.payload
            {
                out.payload = Payload::Edit { message, reply };
            }
            attempt!(tx, tx.enqueue(&out).await);
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

/// Whether the person waits for an answer (what fair use counts): not a live
/// location moving, a chat's move or a join request.
fn asks_for_an_answer(content: &super::Content) -> bool {
    matches!(
        content,
        super::Content::Text(_) | super::Content::Button(_) | super::Content::Location(_)
    )
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
