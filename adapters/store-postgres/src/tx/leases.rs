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
                sqlx::query(pg(sql::leases::ACQUIRE_LEASE))
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
            sqlx::query(pg(sql::leases::GIVE_UP_LEASE))
                .bind(name)
                .bind(holder),
        )
        .await?;
        Ok(())
    }

    async fn lease_holder(&mut self, name: &str) -> StoreResult<Option<(String, DateTime<Utc>)>> {
        self.opt(sqlx::query(pg(sql::leases::LEASE_HOLDER)).bind(name), |r| {
            Ok((get(r, "holder")?, rows::time(get(r, "expires_at")?)?))
        })
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
                sqlx::query(pg(sql::leases::TAKE_LEASE_FROM))
                    .bind(holder)
                    .bind(ms(until))
                    .bind(name)
                    .bind(from),
            )
            .await?;
        Ok(n == 1)
    }
}
