//! What the operator's command line does through the engine (verification,
//! digests for a commune) and what the console asks of it (a person's pending
//! messages, language).

use serde::{Deserialize, Serialize};

use crate::command::Command;
use crate::domain::*;
use crate::error::EngineError;
use crate::reply::Reply;

use super::{Engine, digest, refuse};

/// Proof that the caller is an operator (the `kohero admin` command line): chat
/// commands never build one, so no chat message can verify anyone.
#[derive(Debug)]
pub struct Operator(());

impl Operator {
    /// For the operator's command line only.
    pub fn command_line() -> Self {
        Self(())
    }
}

/// What the operator's command line asks of moderation.
#[derive(Debug, Clone, PartialEq)]
pub enum OperatorModeration {
    /// As `/moderation` in chat: the queue, the log, or an action on an item.
    Item(crate::command::ModArg),
    /// Bans an identity (and the person's other identities, if known): for
    /// days, or for good (`None`).
    Ban {
        identity: Identity,
        days: Option<u32>,
        reason: Option<String>,
    },
    /// Lifts an identity's ban.
    Unban(Identity),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum VerifyError {
    /// A municipality needs at least one commune.
    NoCommune,
    /// Only organisations are verified.
    Citizen,
}

impl Engine {
    /// Sets a person's language (console `--lang`), creating them if never seen.
    pub async fn set_language(&self, identity: &Identity, lang: Lang) -> Result<(), EngineError> {
        crate::retry::on_conflict::<_, EngineError, _, _>("language", || async {
            let mut tx = self.store.begin().await?;
            let mut actor = self.actor_for(&mut tx, identity, None, Some(lang)).await?;
            if actor.lang != lang {
                actor.lang = lang;
                tx.update_actor(&actor).await?;
            }
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Verifies an organisation (operators only: see [`Operator`]).
    pub async fn verify(
        &self,
        _operator: &Operator,
        identity: &Identity,
        kind: ActorKind,
        communes: Vec<InseeCode>,
    ) -> Result<Result<Actor, VerifyError>, EngineError> {
        if kind == ActorKind::Citizen {
            return Ok(Err(VerifyError::Citizen));
        }
        if kind == ActorKind::Municipality && communes.is_empty() {
            return Ok(Err(VerifyError::NoCommune));
        }
        crate::retry::on_conflict::<_, EngineError, _, _>("verify", || async {
            let mut tx = self.store.begin().await?;
            let mut actor = self.actor_for(&mut tx, identity, None, None).await?;
            actor.kind = kind;
            actor.verified = true;
            let mut communes = communes.clone();
            communes.sort();
            communes.dedup();
            actor.communes = communes;
            tx.update_actor(&actor).await?;
            tx.commit().await?;
            self.catch_up_actors().await?;
            Ok(Ok(actor))
        })
        .await
    }

    /// Revokes a verification; the actor becomes a citizen again. `None` if unknown.
    pub async fn unverify(
        &self,
        _operator: &Operator,
        identity: &Identity,
    ) -> Result<Option<Actor>, EngineError> {
        crate::retry::on_conflict::<_, EngineError, _, _>("unverify", || async {
            let mut tx = self.store.begin().await?;
            let Some(mut actor) = tx.actor_by_identity(identity).await? else {
                return Ok(None);
            };
            actor.kind = ActorKind::Citizen;
            actor.verified = false;
            actor.communes.clear();
            tx.update_actor(&actor).await?;
            tx.commit().await?;
            self.catch_up_actors().await?;
            Ok(Some(actor))
        })
        .await
    }

    /// Makes a person a moderator everywhere (no commune) or for communes,
    /// creating them if never seen.
    pub async fn add_moderator(
        &self,
        _operator: &Operator,
        identity: &Identity,
        communes: &[InseeCode],
    ) -> Result<Actor, EngineError> {
        crate::retry::on_conflict::<_, EngineError, _, _>("moderator added", || async {
            let mut tx = self.store.begin().await?;
            let actor = self.actor_for(&mut tx, identity, None, None).await?;
            if communes.is_empty() {
                tx.add_moderator(actor.id, None).await?;
            }
            for c in communes {
                tx.add_moderator(actor.id, Some(c)).await?;
            }
            tx.commit().await?;
            Ok(actor)
        })
        .await
    }

    /// Takes every moderation scope from a person; how many there were
    /// (`None`: unknown identity).
    pub async fn remove_moderator(
        &self,
        _operator: &Operator,
        identity: &Identity,
    ) -> Result<Option<u64>, EngineError> {
        crate::retry::on_conflict::<_, EngineError, _, _>("moderator removed", || async {
            let mut tx = self.store.begin().await?;
            let Some(actor) = tx.actor_by_identity(identity).await? else {
                return Ok(None);
            };
            let n = tx.remove_moderator(actor.id).await?;
            tx.commit().await?;
            Ok(Some(n))
        })
        .await
    }

    /// Every moderator, with their identities and scope.
    pub async fn moderators(
        &self,
        _operator: &Operator,
    ) -> Result<Vec<(Vec<Identity>, ModeratorScope)>, EngineError> {
        let mut tx = self.store.read().await?;
        let mut out = Vec::new();
        for (actor, scope) in tx.moderators().await? {
            out.push((tx.identities_of(actor).await?, scope));
        }
        Ok(out)
    }

    /// The bans in force, newest first (`kohero admin bans`).
    pub async fn bans(&self, _operator: &Operator) -> Result<Vec<Ban>, EngineError> {
        let mut tx = self.store.read().await?;
        Ok(tx.bans_in_force(self.clock.now(), 10_000).await?)
    }

    /// The operator's command line as a moderator everywhere (`kohero admin
    /// reports`, `hide`, `keep`, `warn`, `ban`, `unban`, `log`): the same
    /// actions as `/moderation`, logged without a moderator's name; committed
    /// unless refused. The answer is in `lang`.
    pub async fn moderate(
        &self,
        _operator: &Operator,
        what: OperatorModeration,
        lang: Lang,
    ) -> Result<Result<Reply, Reply>, EngineError> {
        let tx = self.store.begin().await?;
        let mut actor = self.scheduler_actor();
        actor.lang = lang;
        let mut ctx = self.ctx(tx, actor, self.local_key("cli"));
        ctx.operator = true;
        let outcome = match what {
            OperatorModeration::Item(arg) => super::moderation::command(&mut ctx, arg).await,
            OperatorModeration::Ban {
                identity,
                days,
                reason,
            } => super::moderation::ban_identity(&mut ctx, &identity, days, reason).await,
            OperatorModeration::Unban(identity) => {
                super::moderation::unban_identity(&mut ctx, &identity).await
            }
        };
        match outcome {
            Ok(replies) => {
                let super::Ctx { tx, touched, .. } = ctx;
                tx.commit().await?;
                self.apply_to_index(&touched);
                Ok(Ok(replies.into_iter().next().unwrap_or_default()))
            }
            Err(fail) => Ok(Err(self.refusal(lang, fail)?)),
        }
    }

    /// Messages waiting in the outbox for this identity's private chat (the console
    /// delivers these itself).
    pub async fn pending(&self, identity: &Identity) -> Result<Vec<Outgoing>, EngineError> {
        let mut tx = self.store.read().await?;
        Ok(tx.pending_to(&Address::of(identity)).await?)
    }

    /// Marks a message delivered, once the network has taken it.
    pub async fn delivered(&self, outgoing_id: i64) -> Result<(), EngineError> {
        let mut tx = self.store.begin().await?;
        tx.mark_sent(&[outgoing_id], self.clock.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether an identity was ever seen.
    pub async fn knows(&self, identity: &Identity) -> Result<bool, EngineError> {
        let mut tx = self.store.read().await?;
        Ok(tx.actor_by_identity(identity).await?.is_some())
    }

    /// The operator's command line acting for a commune's verified
    /// municipalities (`kohero digest INSEE --schedule …`, `--stop`,
    /// `--announce …`): the digest or announcement command runs as each of them,
    /// exactly as if they had typed it, and is committed unless refused. Returns
    /// each municipality with its answer; none if the commune has no verified
    /// municipality.
    pub async fn digest_for_commune(
        &self,
        _operator: &Operator,
        commune: &InseeCode,
        command: Command,
    ) -> Result<Vec<(Actor, Reply)>, EngineError> {
        let municipalities = self.store.begin().await?.municipalities_of(commune).await?;
        let mut out = Vec::new();
        for m in municipalities {
            let tx = self.store.begin().await?;
            let mut ctx = self.ctx(tx, m.clone(), self.local_key("cli"));
            let outcome = match command.clone() {
                Command::Digest(arg) => digest::command(&mut ctx, arg).await,
                Command::Announce { now, text } => digest::announce(&mut ctx, now, &text).await,
                _ => Err(refuse!("digest-not-municipality")),
            };
            let reply = match outcome {
                Ok(replies) => {
                    ctx.tx.commit().await?;
                    replies.into_iter().next().unwrap_or_default()
                }
                Err(fail) => self.refusal(m.lang, fail)?,
            };
            out.push((m, reply));
        }
        Ok(out)
    }

    /// `kohero digest INSEE --now`: queues the digest of every verified
    /// municipality of the commune at once. Returns each municipality with the
    /// number of messages queued; none if the commune has no verified municipality.
    pub async fn queue_digest_now(
        &self,
        commune: &InseeCode,
    ) -> Result<Vec<(Actor, usize)>, EngineError> {
        let now = self.clock.now();
        let municipalities = self.store.begin().await?.municipalities_of(commune).await?;
        let mut out = Vec::new();
        for m in municipalities {
            // Each municipality in its own transaction, run again whole if
            // PostgreSQL gives it up for a concurrent one (same keys: its
            // messages are queued once).
            let key_base = self.local_key(&format!("digest/{}/now", m.id));
            let n = crate::retry::on_conflict::<_, EngineError, _, _>("digest", || async {
                let mut tx = self.store.begin().await?;
                let mut plan = tx
                    .digest_plan(m.id)
                    .await?
                    .unwrap_or_else(|| DigestPlan::new(m.id, &m.tz));
                let mut ctx = self.ctx(tx, m.clone(), key_base.clone());
                ctx.now = now;
                let (n, _) = digest::queue(&mut ctx, &m, &mut plan, now, None, false)
                    .await
                    .map_err(Self::scheduled)?;
                ctx.tx.save_digest_plan(&plan).await?;
                ctx.tx.commit().await?;
                Ok(n)
            })
            .await?;
            out.push((m, n));
        }
        Ok(out)
    }

    /// `kohero consultation C3 --csv`: the counts of a consultation as CSV
    /// (so far while it is open, final once closed); `None` if there is no
    /// such consultation. Read only.
    pub async fn consultation_csv(
        &self,
        _operator: &Operator,
        id: ConsultationId,
    ) -> Result<Option<String>, EngineError> {
        let tx = self.store.read().await?;
        let mut ctx = self.ctx(tx, self.scheduler_actor(), self.local_key("cli"));
        super::consultations::csv(&mut ctx, id)
            .await
            .map_err(Self::scheduled)
    }
}
