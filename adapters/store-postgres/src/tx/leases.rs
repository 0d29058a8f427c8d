//! The PostgreSQL store's part of [`kohero_core::ports::Leases`].

use super::*;

#[async_trait]
impl Leases for PgTx {
    async fn acquire_lease(
        &mut self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = self
            .changes(
                sqlx::query(
                    "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $4)
                     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,
                         expires_at = excluded.expires_at
                     WHERE leases.holder = excluded.holder OR leases.expires_at <= $3",
                )
                .bind(name)
                .bind(holder)
                .bind(ms(now))
                .bind(ms(until)),
            )
            .await?;
        Ok(n == 1)
    }

    async fn give_up_lease(&mut self, name: &str, holder: &str) -> StoreResult<()> {
        self.changes(
            sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
                .bind(name)
                .bind(holder),
        )
        .await?;
        Ok(())
    }

    async fn lease_holder(&mut self, name: &str) -> StoreResult<Option<(String, DateTime<Utc>)>> {
        self.opt(
            sqlx::query("SELECT holder, expires_at FROM leases WHERE name = $1").bind(name),
            |r| Ok((get(r, "holder")?, rows::time(get(r, "expires_at")?)?)),
        )
        .await
    }

    async fn take_lease_from(
        &mut self,
        name: &str,
        from: &str,
        holder: &str,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = self
            .changes(
                sqlx::query(
                    "UPDATE leases SET holder = $1, expires_at = $2 WHERE name = $3 AND holder = $4",
                )
                .bind(holder)
                .bind(ms(until))
                .bind(name)
                .bind(from),
            )
            .await?;
        Ok(n == 1)
    }
}
