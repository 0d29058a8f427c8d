//! [`Schedules`] on a SQL store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kohero_core::domain::*;
use kohero_core::ports::{Schedules, StoreResult};

use super::SqlTx;
use crate::exec::{Conn, Value};
use crate::statements::schedules as sql;
use crate::{get, ms};

#[async_trait]
impl<C: Conn> Schedules for SqlTx<C> {
    async fn digest_plan(&mut self, municipality: ActorId) -> StoreResult<Option<DigestPlan>> {
        self.opt(sql::DIGEST_PLAN, &values![municipality.0], |r| {
            crate::digest_plan(r)
        })
        .await
    }

    async fn due_digest_plans(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<DigestPlan>> {
        self.all(sql::DUE_DIGEST_PLANS, &values![ms(now)], |r| {
            crate::digest_plan(r)
        })
        .await
    }

    async fn record_digest_ticks(
        &mut self,
        ticks: &[(ActorId, DateTime<Utc>)],
    ) -> StoreResult<Vec<ActorId>> {
        let list = serde_json::Value::Array(
            ticks
                .iter()
                .map(|(m, t)| serde_json::json!([m.0, ms(*t)]))
                .collect(),
        )
        .to_string();
        // A write that only skips what is taken (ON CONFLICT DO NOTHING).
        self.all(sql::RECORD_DIGEST_TICKS, &[Value::Json(list)], |r| {
            Ok(ActorId(get(r, "municipality_id")?))
        })
        .await
    }

    async fn save_digest_plans(&mut self, plans: &[DigestPlan]) -> StoreResult<()> {
        let list = serde_json::Value::Array(
            plans
                .iter()
                .map(|p| {
                    serde_json::json!([
                        p.municipality.0,
                        p.schedule,
                        p.tz,
                        p.next_at.map(ms),
                        p.last_at.map(ms),
                        p.announcement
                    ])
                })
                .collect(),
        )
        .to_string();
        self.changes(sql::SAVE_DIGEST_PLANS, &[Value::Json(list)])
            .await
            .map(drop)
    }

    async fn record_sent_digests(&mut self, digests: &[NewSentDigest]) -> StoreResult<()> {
        if digests.is_empty() {
            return Ok(());
        }
        let list = serde_json::Value::Array(
            digests
                .iter()
                .map(|d| {
                    serde_json::json!([
                        d.commune.as_str(),
                        d.municipality.0,
                        ms(d.at),
                        ms(d.since),
                        d.announcement,
                        d.initiatives.iter().map(|i| i.0).collect::<Vec<_>>()
                    ])
                })
                .collect(),
        )
        .to_string();
        self.changes(sql::RECORD_SENT_DIGESTS, &[Value::Json(list)])
            .await
            .map(drop)
    }

    async fn sent_digests(
        &mut self,
        commune: &InseeCode,
        limit: usize,
    ) -> StoreResult<Vec<SentDigest>> {
        self.all(
            sql::SENT_DIGESTS,
            &values![commune.as_str(), super::limit_of(limit)],
            |r| crate::sent_digest(r),
        )
        .await
    }

    async fn digest_plans_of(&mut self, ids: &[ActorId]) -> StoreResult<Vec<DigestPlan>> {
        self.all(
            sql::DIGEST_PLANS_OF,
            &[Value::Ints(ids.iter().map(|a| a.0).collect())],
            |r| crate::digest_plan(r),
        )
        .await
    }

    async fn queue_alert(&mut self, a: &NewAlert) -> StoreResult<()> {
        self.changes(
            sql::QUEUE_ALERT,
            &values![a.actor.0, a.initiative.0, a.kind.key(), a.ref_id, ms(a.at)],
        )
        .await
        .map(drop)
    }

    async fn alerted_actors(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<ActorId>> {
        self.all(sql::ALERTED_ACTORS, &values![ms(now)], |r| {
            Ok(ActorId(get(r, "actor_id")?))
        })
        .await
    }

    async fn alerts_of(&mut self, actor: ActorId) -> StoreResult<Vec<Alert>> {
        self.all(sql::ALERTS_OF, &values![actor.0], |r| crate::alert(r))
            .await
    }

    async fn delete_alerts(&mut self, actor: ActorId, upto: i64) -> StoreResult<()> {
        self.changes(sql::DELETE_ALERTS, &values![actor.0, upto])
            .await
            .map(drop)
    }

    async fn alert_prefs(&mut self, actor: ActorId) -> StoreResult<AlertPrefs> {
        Ok(self
            .opt(sql::ALERT_PREFS, &values![actor.0], |r| {
                crate::alert_prefs(r)
            })
            .await?
            .unwrap_or_default())
    }

    async fn set_alert_prefs(&mut self, actor: ActorId, p: &AlertPrefs) -> StoreResult<()> {
        self.changes(
            sql::SET_ALERT_PREFS,
            &values![
                actor.0,
                p.enabled,
                p.quiet_from,
                p.quiet_to,
                p.last_sent_at.map(ms),
                p.hold_until.map(ms)
            ],
        )
        .await
        .map(drop)
    }

    async fn record_reminder(&mut self, event: EventId, which: Reminder) -> StoreResult<bool> {
        let n = self
            .changes(sql::RECORD_REMINDER, &values![event.0, which.key()])
            .await?;
        Ok(n == 1)
    }
}
