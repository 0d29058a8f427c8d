//! The PostgreSQL store's part of [`kohero_core::ports::Schedules`].

use super::*;

#[async_trait]
impl Schedules for PgTx {
    async fn digest_plan(&mut self, municipality: ActorId) -> StoreResult<Option<DigestPlan>> {
        self.opt(
            sqlx::query("SELECT * FROM digest_plans WHERE municipality_id = $1")
                .bind(municipality.0),
            rows::digest_plan,
        )
        .await
    }

    async fn due_digest_plans(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<DigestPlan>> {
        self.all(
            sqlx::query(
                "SELECT * FROM digest_plans WHERE next_at IS NOT NULL AND next_at <= $1
                 ORDER BY next_at, municipality_id",
            )
            .bind(ms(now)),
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
            sqlx::query(
                "INSERT INTO alerts (actor_id, initiative_id, kind, ref_id, at) VALUES ($1, $2, $3, $4, $5)",
            )
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
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT a.actor_id FROM alerts a
             LEFT JOIN alert_prefs p ON p.actor_id = a.actor_id
             WHERE p.hold_until IS NULL OR p.hold_until <= $1
             ORDER BY a.actor_id",
        )
        .bind(ms(now))
        .fetch_all(&mut *self.tx)
        .await
        .map_err(backend)?;
        Ok(ids.into_iter().map(ActorId).collect())
    }

    async fn alerts_of(&mut self, actor: ActorId) -> StoreResult<Vec<Alert>> {
        self.all(
            sqlx::query("SELECT * FROM alerts WHERE actor_id = $1 ORDER BY id").bind(actor.0),
            rows::alert,
        )
        .await
    }

    async fn delete_alerts(&mut self, actor: ActorId, upto: i64) -> StoreResult<()> {
        self.changes(
            sqlx::query("DELETE FROM alerts WHERE actor_id = $1 AND id <= $2")
                .bind(actor.0)
                .bind(upto),
        )
        .await
        .map(drop)
    }

    async fn alert_prefs(&mut self, actor: ActorId) -> StoreResult<AlertPrefs> {
        Ok(self
            .opt(
                sqlx::query("SELECT * FROM alert_prefs WHERE actor_id = $1").bind(actor.0),
                rows::alert_prefs,
            )
            .await?
            .unwrap_or_default())
    }

    async fn set_alert_prefs(&mut self, actor: ActorId, p: &AlertPrefs) -> StoreResult<()> {
        self.changes(
            sqlx::query(
                "INSERT INTO alert_prefs (actor_id, enabled, quiet_from, quiet_to, last_sent_at,
                    hold_until)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (actor_id) DO UPDATE SET enabled = excluded.enabled,
                    quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to,
                    last_sent_at = excluded.last_sent_at, hold_until = excluded.hold_until",
            )
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
                sqlx::query(
                    "INSERT INTO event_reminders (event_id, which) VALUES ($1, $2)
                     ON CONFLICT DO NOTHING",
                )
                .bind(event.0)
                .bind(which.key()),
            )
            .await?;
        Ok(n == 1)
    }
}
