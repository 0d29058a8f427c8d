//! The SQLite store's part of [`kohero_core::ports::Schedules`].

use super::*;

#[async_trait]
impl Schedules for SqliteTx {
    async fn digest_plan(&mut self, municipality: ActorId) -> StoreResult<Option<DigestPlan>> {
        self.opt(
            sql::schedules::DIGEST_PLAN,
            [municipality.0],
            rows::digest_plan,
        )
    }

    async fn due_digest_plans(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<DigestPlan>> {
        self.all(
            sql::schedules::DUE_DIGEST_PLANS,
            [ms(now)],
            rows::digest_plan,
        )
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
        self.all(
            "INSERT INTO digest_ticks (municipality_id, tick)
             SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)
             WHERE true
             ON CONFLICT DO NOTHING RETURNING municipality_id",
            [list],
            |r| Ok(ActorId(get(r, "municipality_id")?)),
        )
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
        self.changes(
            "INSERT INTO digest_plans (municipality_id, schedule, tz, next_at, last_at, announcement)
             SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),
                    json_extract(value, '$[2]'), json_extract(value, '$[3]'),
                    json_extract(value, '$[4]'), json_extract(value, '$[5]')
             FROM json_each(?) WHERE true
             ON CONFLICT (municipality_id) DO UPDATE SET schedule = excluded.schedule,
                tz = excluded.tz, next_at = excluded.next_at, last_at = excluded.last_at,
                announcement = excluded.announcement",
            [list],
        )
        .map(drop)
    }

    async fn digest_plans_of(&mut self, ids: &[ActorId]) -> StoreResult<Vec<DigestPlan>> {
        self.all(
            "SELECT * FROM digest_plans
             WHERE municipality_id IN (SELECT value FROM json_each(?)) ORDER BY municipality_id",
            [json_list(ids.iter().map(|a| a.0))],
            rows::digest_plan,
        )
    }

    async fn queue_alert(&mut self, a: &NewAlert) -> StoreResult<()> {
        self.changes(
            sql::schedules::QUEUE_ALERT,
            params![a.actor.0, a.initiative.0, a.kind.key(), a.ref_id, ms(a.at)],
        )
        .map(drop)
    }

    async fn alerted_actors(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<ActorId>> {
        self.all(sql::schedules::ALERTED_ACTORS, [ms(now)], |r| {
            Ok(ActorId(get(r, "actor_id")?))
        })
    }

    async fn alerts_of(&mut self, actor: ActorId) -> StoreResult<Vec<Alert>> {
        self.all(sql::schedules::ALERTS_OF, [actor.0], rows::alert)
    }

    async fn delete_alerts(&mut self, actor: ActorId, upto: i64) -> StoreResult<()> {
        self.changes(sql::schedules::DELETE_ALERTS, [actor.0, upto])
            .map(drop)
    }

    async fn alert_prefs(&mut self, actor: ActorId) -> StoreResult<AlertPrefs> {
        Ok(self
            .opt(sql::schedules::ALERT_PREFS, [actor.0], rows::alert_prefs)?
            .unwrap_or_default())
    }

    async fn set_alert_prefs(&mut self, actor: ActorId, p: &AlertPrefs) -> StoreResult<()> {
        self.changes(
            sql::schedules::SET_ALERT_PREFS,
            params![
                actor.0,
                i64::from(p.enabled),
                i64::from(p.quiet_from),
                i64::from(p.quiet_to),
                p.last_sent_at.map(ms),
                p.hold_until.map(ms)
            ],
        )
        .map(drop)
    }

    async fn record_reminder(&mut self, event: EventId, which: Reminder) -> StoreResult<bool> {
        let n = self.changes(
            sql::schedules::RECORD_REMINDER,
            params![event.0, which.key()],
        )?;
        Ok(n == 1)
    }
}
