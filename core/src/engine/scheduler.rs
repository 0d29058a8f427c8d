//! The scheduler: digests, batches of alerts and reminders, each piece in its
//! own transaction and on its own (see [`Engine::run_schedules`]).

use chrono::{DateTime, Utc};

use super::{Engine, EngineError, Fail, alerts, consultations, digest};
use crate::domain::*;
use crate::unwind::{CatchUnwind, panic_message};

/// What one pass of the scheduler did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    /// Digests run (empty ones included).
    pub digests: usize,
    /// Messages queued for those digests.
    pub digest_messages: usize,
    /// Batches of alerts queued.
    pub alert_batches: usize,
    /// Reminders queued.
    pub reminders: usize,
    /// Consultations closed (their end came).
    pub consultations_closed: usize,
}

/// Consultations closed in one pass at most (the rest in the next).
const CONSULTATIONS_PER_PASS: u32 = 50;

impl Engine {
    /// The scheduler acting: nobody in particular, so messages are written in
    /// each recipient's language.
    pub(super) fn scheduler_actor(&self) -> Actor {
        Actor {
            id: ActorId(0),
            kind: ActorKind::Citizen,
            display_name: "Kohero".into(),
            lang: Lang::default(),
            tz: "Europe/Paris".into(),
            verified: false,
            communes: Vec::new(),
            location: None,
            created_at: self.clock.now(),
            notify_network: None,
        }
    }

    /// A failure of scheduled work: refusals cannot happen there (nobody typed
    /// anything), store failures can.
    pub(super) fn scheduled(fail: Fail) -> EngineError {
        match fail {
            Fail::Store(e) => e.into(),
            Fail::User(m) => EngineError::ScheduledRefusal(m.id.to_owned()),
            Fail::Reply(_) => EngineError::ScheduledRefusal("a reply".to_owned()),
        }
    }

    /// One pass of the scheduler (run by `kohero serve` every few seconds): the
    /// digests that are due (a digest missed while the process was down runs
    /// once, then the schedule goes on from now), the batches of alerts whose
    /// time has come, and the event reminders. Each piece in its own
    /// transaction, and on its own: a piece that fails (a store error, a panic)
    /// is logged and counted (`kohero_scheduled_failures_total`) and the others
    /// go on; it is tried again at the next pass. A tick already run (by
    /// another process, or before a crash) is not run again.
    pub async fn run_schedules(&self) -> Result<Tick, EngineError> {
        let now = self.clock.now();
        let mut tick = Tick::default();
        if let Some((digests, messages)) =
            self.isolated("digests", || self.run_due_digests(now)).await
        {
            tick.digests = digests;
            tick.digest_messages = messages;
        }
        let ended = self
            .isolated("consultations", || async {
                Ok(self
                    .store
                    .read()
                    .await?
                    .consultations_due(now, CONSULTATIONS_PER_PASS)
                    .await?)
            })
            .await
            .unwrap_or_default();
        for c in ended {
            let close = || async {
                let mut tx = self.store.begin().await?;
                let Some(m) = tx.actor(c.municipality).await? else {
                    return Ok(false);
                };
                let mut ctx = self.ctx(tx, self.scheduler_actor(), format!("close/{}", c.id));
                ctx.now = now;
                consultations::close(&mut ctx, &m, &c)
                    .await
                    .map_err(Self::scheduled)?;
                ctx.tx.commit().await?;
                Ok(true)
            };
            if let Some(true) = self
                .isolated(&format!("close of consultation C{}", c.id), close)
                .await
            {
                tick.consultations_closed += 1;
            }
        }
        let alerted = self
            .isolated("alerts", || async {
                Ok(self.store.read().await?.alerted_actors(now).await?)
            })
            .await
            .unwrap_or_default();
        for who in alerted {
            let batch = || async {
                let mut tx = self.store.begin().await?;
                let Some(actor) = tx.actor(who).await? else {
                    return Ok(false);
                };
                let mut ctx = self.ctx(
                    tx,
                    actor,
                    format!("alerts/{who}/{}", now.timestamp_millis()),
                );
                ctx.now = now;
                let queued = alerts::flush(&mut ctx).await.map_err(Self::scheduled)?;
                ctx.tx.commit().await?;
                Ok(queued)
            };
            if let Some(queued) = self
                .isolated(&format!("alerts of actor {who}"), batch)
                .await
            {
                tick.alert_batches += usize::from(queued);
            }
        }
        let soon = self
            .isolated("reminders", || async {
                Ok(self
                    .store
                    .read()
                    .await?
                    .events_starting(now, now + Reminder::Day.lead())
                    .await?)
            })
            .await
            .unwrap_or_default();
        for e in soon {
            let Some(which) = alerts::reminder_due(&e, now) else {
                continue;
            };
            let reminder = || async {
                let tx = self.store.begin().await?;
                let mut ctx = self.ctx(
                    tx,
                    self.scheduler_actor(),
                    format!("reminder/{}/{}", e.id, which.key()),
                );
                ctx.now = now;
                let n = alerts::remind(&mut ctx, &e, which)
                    .await
                    .map_err(Self::scheduled)?;
                ctx.tx.commit().await?;
                Ok(n)
            };
            if let Some(n) = self
                .isolated(&format!("reminder of event {}", e.id), reminder)
                .await
            {
                tick.reminders += n;
            }
        }
        Ok(tick)
    }

    /// Runs a piece of scheduled work on its own: run again when its
    /// transaction ran into a concurrent one; its failure or panic is logged
    /// and counted, and `None` lets the rest go on.
    async fn isolated<T, F, Fut>(&self, what: &str, work: F) -> Option<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, EngineError>>,
    {
        let why = match CatchUnwind::new(crate::retry::on_conflict(what, work)).await {
            Ok(Ok(v)) => return Some(v),
            Ok(Err(e)) => e.to_string(),
            Err(panic) => format!("panic: {}", panic_message(panic.as_ref())),
        };
        self.scheduled_failures
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tracing::error!(work = what, error = %why, "scheduled work failed; the rest goes on, and it is tried again at the next pass");
        None
    }

    /// Runs the digests due at `now`, many to a transaction: the municipalities
    /// sorted by commune (neighbours share their readers' area), what they need
    /// read in a few statements per chunk. Each tick is claimed in the chunk's
    /// transaction; one already claimed (another process, a run before a crash)
    /// is skipped. Returns (digests run, messages queued).
    async fn run_due_digests(&self, now: DateTime<Utc>) -> Result<(usize, usize), EngineError> {
        /// Municipalities per transaction.
        const CHUNK: usize = 256;
        let mut tx = self.store.read().await?;
        let due = tx.due_digest_plans(now).await?;
        if due.is_empty() {
            return Ok((0, 0));
        }
        let ticks: std::collections::HashMap<ActorId, Option<DateTime<Utc>>> =
            due.iter().map(|p| (p.municipality, p.next_at)).collect();
        let ids: Vec<ActorId> = due.iter().map(|p| p.municipality).collect();
        let mut actors = tx.actors_by_ids(&ids).await?;
        drop(tx);
        actors.sort_by(|a, b| a.communes.first().cmp(&b.communes.first()));
        let (mut runs, mut messages) = (0, 0);
        for chunk in actors.chunks(CHUNK) {
            let done = self
                .isolated("digests", || self.run_digest_chunk(chunk, &ticks, now))
                .await;
            let (r, m) = match done {
                Some(done) => done,
                // One municipality's digest may be what fails: each on its own.
                None if chunk.len() > 1 => {
                    let (mut r, mut m) = (0, 0);
                    for one in chunk {
                        let what = format!("digest of municipality {}", one.id);
                        let alone = std::slice::from_ref(one);
                        if let Some((a, b)) = self
                            .isolated(&what, || self.run_digest_chunk(alone, &ticks, now))
                            .await
                        {
                            r += a;
                            m += b;
                        }
                    }
                    (r, m)
                }
                None => (0, 0),
            };
            runs += r;
            messages += m;
        }
        tracing::info!(digests = runs, messages, "digests run");
        Ok((runs, messages))
    }

    /// The digests of some municipalities, in one transaction. Returns (digests
    /// run, messages queued).
    async fn run_digest_chunk(
        &self,
        chunk: &[Actor],
        ticks: &std::collections::HashMap<ActorId, Option<DateTime<Utc>>>,
        now: DateTime<Utc>,
    ) -> Result<(usize, usize), EngineError> {
        let (mut runs, mut messages) = (0, 0);
        let mut tx = self.store.begin().await?;
        let ids: Vec<ActorId> = chunk.iter().map(|a| a.id).collect();
        // Still due at the tick that was read...
        let candidates: Vec<(DigestPlan, DateTime<Utc>)> = tx
            .digest_plans_of(&ids)
            .await?
            .into_iter()
            .filter_map(|plan| {
                let read = ticks.get(&plan.municipality).copied().flatten();
                let due = plan.next_at.filter(|t| Some(*t) == read)?;
                Some((plan, due))
            })
            .collect();
        // ... and not run elsewhere (then it is that run's to move on).
        let claimed: std::collections::HashSet<ActorId> = tx
            .record_digest_ticks(
                &candidates
                    .iter()
                    .map(|(p, due)| (p.municipality, *due))
                    .collect::<Vec<_>>(),
            )
            .await?
            .into_iter()
            .collect();
        let plans: Vec<(DigestPlan, DateTime<Utc>)> = candidates
            .into_iter()
            .filter(|(p, _)| claimed.contains(&p.municipality))
            .map(|(mut plan, due)| {
                plan.next_at = plan
                    .schedule
                    .as_deref()
                    .and_then(|s| crate::cron::Schedule::parse(s, &plan.tz).ok())
                    .and_then(|s| s.next_after(now));
                (plan, due)
            })
            .collect();
        let allowed: Vec<Actor> = chunk
            .iter()
            .filter(|a| a.is_verified_municipality())
            .filter(|a| plans.iter().any(|(p, _)| p.municipality == a.id))
            .cloned()
            .collect();
        let since = plans
            .iter()
            .map(|(p, _)| digest::period_start(p, now))
            .min()
            .unwrap_or(now);
        let mut ctx = self.ctx(tx, self.scheduler_actor(), "digest".into());
        ctx.now = now;
        let gathered = digest::gather(&mut ctx, &allowed, since, true)
            .await
            .map_err(Self::scheduled)?;
        let mut saved = Vec::with_capacity(plans.len());
        let mut out = digest::Queued::default();
        let mut consultations = Vec::new();
        for (mut plan, due) in plans {
            let n = match allowed.iter().find(|a| a.id == plan.municipality) {
                Some(m) => {
                    consultations.extend(digest::sent_with(m.id, &gathered));
                    digest::queue_gathered(
                        &mut ctx, m, &mut plan, due, None, true, &gathered, &mut out,
                    )
                }
                // No longer a verified municipality: the schedule moves on.
                None => 0,
            };
            runs += 1;
            messages += n;
            tracing::debug!(municipality = %plan.municipality, tick = %due, messages = n, "digest run");
            saved.push(plan);
        }
        out.write(&mut ctx.tx).await?;
        for c in consultations {
            ctx.tx.mark_consultation_sent(c, now).await?;
        }
        ctx.tx.save_digest_plans(&saved).await?;
        ctx.tx.commit().await?;
        Ok((runs, messages))
    }
}
