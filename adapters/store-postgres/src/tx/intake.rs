//! The PostgreSQL store's part of [`kohero_core::ports::SeenUpdates`].

use super::*;

#[async_trait]
impl SeenUpdates for PgTx {
    async fn mark_seen(
        &mut self,
        network: &str,
        event_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = self
            .changes(
                sqlx::query(
                    "INSERT INTO seen_events (network, event_id, seen_at) VALUES ($1, $2, $3)
             ON CONFLICT (network, event_id) DO NOTHING",
                )
                .bind(network)
                .bind(event_id)
                .bind(ms(at)),
            )
            .await?;
        Ok(n == 1)
    }

    async fn mark_failed_update(
        &mut self,
        network: &str,
        event_id: &str,
        why: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.changes(
            sqlx::query(
                "INSERT INTO seen_events (network, event_id, seen_at, failure) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (network, event_id) DO UPDATE SET failure = excluded.failure",
            )
            .bind(network)
            .bind(event_id)
            .bind(ms(at))
            .bind(why),
        )
        .await?;
        Ok(())
    }

    async fn prune(&mut self, before: DateTime<Utc>) -> StoreResult<u64> {
        let a = self
            .changes(
                sqlx::query("DELETE FROM outbox WHERE status <> 'pending' AND done_at < $1")
                    .bind(ms(before)),
            )
            .await?;
        let b = self
            .changes(sqlx::query("DELETE FROM seen_events WHERE seen_at < $1").bind(ms(before)))
            .await?;
        let c = self
            .changes(
                sqlx::query("DELETE FROM network_state WHERE temporary = 1 AND updated_at < $1")
                    .bind(ms(before)),
            )
            .await?;
        let d = self
            .changes(sqlx::query("DELETE FROM digest_ticks WHERE tick < $1").bind(ms(before)))
            .await?;
        let e = self
            .changes(sqlx::query("DELETE FROM initiative_changes WHERE at < $1").bind(ms(before)))
            .await?;
        Ok(a + b + c + d + e)
    }
}
