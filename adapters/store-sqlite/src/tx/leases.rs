//! The SQLite store's part of [`kohero_core::ports::Leases`].

use super::*;

#[async_trait]
impl Leases for SqliteTx {
    async fn acquire_lease(
        &mut self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = self.changes(
            sql::leases::ACQUIRE_LEASE,
            params![name, holder, ms(now), ms(until)],
        )?;
        Ok(n == 1)
    }

    async fn give_up_lease(&mut self, name: &str, holder: &str) -> StoreResult<()> {
        self.changes(sql::leases::GIVE_UP_LEASE, [name, holder])?;
        Ok(())
    }

    async fn lease_holder(&mut self, name: &str) -> StoreResult<Option<(String, DateTime<Utc>)>> {
        self.opt(sql::leases::LEASE_HOLDER, [name], |r| {
            Ok((get(r, "holder")?, rows::time(get(r, "expires_at")?)?))
        })
    }

    async fn take_lease_from(
        &mut self,
        name: &str,
        from: &str,
        holder: &str,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = self.changes(
            sql::leases::TAKE_LEASE_FROM,
            params![holder, ms(until), name, from],
        )?;
        Ok(n == 1)
    }
}
