//! The PostgreSQL store's part of [`kohero_core::ports::AdapterState`].

use super::*;

#[async_trait]
impl AdapterState for PgTx {
    async fn network_state(&mut self, network: &str, key: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar(pg(sql::adapter_state::NETWORK_STATE))
            .bind(network)
            .bind(key)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(backend)
    }

    async fn set_network_state(
        &mut self,
        network: &str,
        key: &str,
        value: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let q = match value {
            Some(v) => sqlx::query(pg(sql::adapter_state::SET_NETWORK_STATE))
                .bind(network)
                .bind(key)
                .bind(v)
                .bind(ms(at)),
            None => sqlx::query(pg(sql::adapter_state::SET_NETWORK_STATE_2))
                .bind(network)
                .bind(key),
        };
        self.changes(q).await?;
        Ok(())
    }

    async fn set_network_state_for_a_while(
        &mut self,
        network: &str,
        key: &str,
        value: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.changes(
            sqlx::query(pg(sql::adapter_state::SET_NETWORK_STATE_FOR_A_WHILE))
                .bind(network)
                .bind(key)
                .bind(value)
                .bind(ms(at)),
        )
        .await?;
        Ok(())
    }

    async fn forget_network_state(&mut self, network: &str, who: &str) -> StoreResult<u64> {
        // Keys end in `:who`; compared with right(), not LIKE, so that `%` or `_`
        // in an id match nothing else.
        let r = sqlx::query(
            "DELETE FROM network_state WHERE network = $1
             AND (value = $2 OR right(key, length($2) + 1) = ':' || $2)",
        )
        .bind(network)
        .bind(who)
        .execute(&mut *self.tx)
        .await
        .map_err(backend)?;
        Ok(r.rows_affected())
    }

    async fn remember_button(&mut self, command: &str, at: DateTime<Utc>) -> StoreResult<i64> {
        self.write_scalar(
            sqlx::query(
                "INSERT INTO actions (command, created_at, used_at) VALUES ($1, $2, $2)
                 ON CONFLICT (command) DO UPDATE
                 SET used_at = greatest(coalesce(actions.used_at, 0), excluded.used_at)
                 RETURNING id",
            )
            .bind(command)
            .bind(ms(at)),
        )
        .await
    }

    async fn recall_button(&mut self, id: i64) -> StoreResult<Option<String>> {
        sqlx::query_scalar(pg(sql::adapter_state::RECALL_BUTTON))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(backend)
    }

    async fn prune_buttons(&mut self, before: DateTime<Utc>) -> StoreResult<u64> {
        self.changes(sqlx::query(pg(sql::adapter_state::PRUNE_BUTTONS)).bind(ms(before)))
            .await
    }
}
