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
                sqlx::query(pg(sql::intake::MARK_SEEN))
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
            sqlx::query(pg(sql::intake::MARK_FAILED_UPDATE))
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
            .changes(sqlx::query(pg(sql::intake::PRUNE)).bind(ms(before)))
            .await?;
        let b = self
            .changes(sqlx::query(pg(sql::intake::PRUNE_2)).bind(ms(before)))
            .await?;
        let c = self
            .changes(sqlx::query(pg(sql::intake::PRUNE_3)).bind(ms(before)))
            .await?;
        let d = self
            .changes(sqlx::query(pg(sql::intake::PRUNE_4)).bind(ms(before)))
            .await?;
        let e = self
            .changes(sqlx::query(pg(sql::intake::PRUNE_5)).bind(ms(before)))
            .await?;
        Ok(a + b + c + d + e)
    }
}
