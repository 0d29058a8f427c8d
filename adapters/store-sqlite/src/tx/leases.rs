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
            "INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?4)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,
                 expires_at = excluded.expires_at
             WHERE leases.holder = excluded.holder OR leases.expires_at <= ?3",
            params![name, holder, ms(now), ms(until)],
        )?;
        Ok(n == 1)
    }

    async fn give_up_lease(&mut self, name: &str, holder: &str) -> StoreResult<()> {
        self.changes(
            "DELETE FROM leases WHERE name = ? AND holder = ?",
            [name, holder],
        )?;
        Ok(())
    }

    async fn lease_holder(&mut self, name: &str) -> StoreResult<Option<(String, DateTime<Utc>)>> {
        self.opt(
            "SELECT holder, expires_at FROM leases WHERE name = ?",
            [name],
            |r| Ok((get(r, "holder")?, rows::time(get(r, "expires_at")?)?)),
        )
    }

    async fn take_lease_from(
        &mut self,
        name: &str,
        from: &str,
        holder: &str,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = self.changes(
            "UPDATE leases SET holder = ?, expires_at = ? WHERE name = ? AND holder = ?",
            params![holder, ms(until), name, from],
        )?;
        Ok(n == 1)
    }
}
