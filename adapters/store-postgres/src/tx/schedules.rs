//! The PostgreSQL store's part of [`kohero_core::ports::Schedules`].

use super::*;

#[async_trait]
impl Schedules for PgTx {
    async fn digest_plan(&mut self, municipality: ActorId) -> StoreResult<Option<DigestPlan>> {
        self.opt(
            sqlx::query(pg(sql::schedules::DIGEST_PLAN)).bind(municipality.0),
            rows::digest_plan,
        )
        .await
    }

    async fn due_digest_plans(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<DigestPlan>> {
        self.all(
            sqlx::query(pg(sql::schedules::DUE_DIGEST_PLANS)).bind(ms(now)),
            rows::digest_plan,
        )
        .await
    }

    async fn record_digest_ticks(
        &mut self,
        ticks: &[(ActorId, DateTime<Utc>)],
    ) -> StoreResult<Vec<ActorId>> {
        let claimed: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO digest_ticks (municipality_id, tick)
             SELECT * FROM unnest($1::bigint[], $2::bigint[])
             ON CONFLICT DO NOTHING RETURNING municipality_id",
        )
        .bind(ticks.iter().map(|(m, _)| m.0).collect::<Vec<_>>())
        .bind(ticks.iter().map(|(_, t)| ms(*t)).collect::<Vec<_>>())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(backend)?;
        Ok(claimed.into_iter().map(ActorId).collect())
    }

    async fn save_digest_plans(&mut self, plans: &[DigestPlan]) -> StoreResult<()> {
        self.changes(
            sqlx::query(
                "INSERT INTO digest_plans (municipality_id, schedule, tz, next_at, last_at, announcement)
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[],
                                      $5::bigint[], $6::text[])
                 ON CONFLICT (municipality_id) DO UPDATE SET schedule = excluded.schedule,
                    tz = excluded.tz, next_at = excluded.next_at, last_at = excluded.last_at,
                    announcement = excluded.announcement",
            )
            .bind(plans.iter().map(|p| p.municipality.0).collect::<Vec<_>>())
            .bind(plans.iter().map(|p| p.schedule.clone()).collect::<Vec<_>>())
            .bind(plans.iter().map(|p| p.tz.clone()).collect::<Vec<_>>())
            .bind(plans.iter().map(|p| p.next_at.map(ms)).collect::<Vec<_>>())
            .bind(plans.iter().map(|p| p.last_at.map(ms)).collect::<Vec<_>>())
            .bind(plans.iter().map(|p| p.announcement.clone()).collect::<Vec<_>>()),
        )
        .await
        .map(drop)
    }

    async fn digest_plans_of(&mut self, ids: &[ActorId]) -> StoreResult<Vec<DigestPlan>> {
        self.all(
            sqlx::query(
                "SELECT * FROM digest_plans
                 WHERE municipality_id = ANY($1) ORDER BY municipality_id",
            )
            .bind(id_list(ids.iter().map(|a| a.0))),
            rows::digest_plan,
        )
        .await
    }

    async fn queue_alert(&mut self, a: &NewAlert) -> StoreResult<()> {
        self.changes(
            sqlx::query(pg(sql::schedules::QUEUE_ALERT))
                .bind(a.actor.0)
                .bind(a.initiative.0)
                .bind(a.kind.key())
                .bind(a.ref_id)
                .bind(ms(a.at)),
        )
        .await
        .map(drop)
    }

    async fn alerted_actors(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<ActorId>> {
        let ids: Vec<i64> = sqlx::query_scalar(pg(sql::schedules::ALERTED_ACTORS))
            .bind(ms(now))
            .fetch_all(&mut *self.tx)
            .await
            .map_err(backend)?;
        Ok(ids.into_iter().map(ActorId).collect())
    }

    async fn alerts_of(&mut self, actor: ActorId) -> StoreResult<Vec<Alert>> {
        self.all(
            sqlx::query(pg(sql::schedules::ALERTS_OF)).bind(actor.0),
            rows::alert,
        )
        .await
    }

    async fn delete_alerts(&mut self, actor: ActorId, upto: i64) -> StoreResult<()> {
        self.changes(
            sqlx::query(pg(sql::schedules::DELETE_ALERTS))
                .bind(actor.0)
                .bind(upto),
        )
        .await
        .map(drop)
    }

    async fn alert_prefs(&mut self, actor: ActorId) -> StoreResult<AlertPrefs> {
        Ok(self
            .opt(
                sqlx::query(pg(sql::schedules::ALERT_PREFS)).bind(actor.0),
                rows::alert_prefs,
            )
            .await?
            .unwrap_or_default())
    }

    async fn set_alert_prefs(&mut self, actor: ActorId, p: &AlertPrefs) -> StoreResult<()> {
        self.changes(
            sqlx::query(pg(sql::schedules::SET_ALERT_PREFS))
                .bind(actor.0)
                .bind(i64::from(p.enabled))
                .bind(i64::from(p.quiet_from))
                .bind(i64::from(p.quiet_to))
                .bind(p.last_sent_at.map(ms))
                .bind(p.hold_until.map(ms)),
        )
        .await
        .map(drop)
    }

    async fn record_reminder(&mut self, event: EventId, which: Reminder) -> StoreResult<bool> {
        let n = self
            .changes(
                sqlx::query(pg(sql::schedules::RECORD_REMINDER))
                    .bind(event.0)
                    .bind(which.key()),
            )
            .await?;
        Ok(n == 1)
    }
}
