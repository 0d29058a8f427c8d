//! [`Leases`] on a SQL store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kohero_core::ports::{Leases, StoreResult};

use super::SqlTx;
use crate::exec::Conn;
use crate::statements::leases as sql;
use crate::{get, ms};

#[async_trait]
impl<C: Conn> Leases for SqlTx<C> {
    async fn acquire_lease(
        &mut self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = self
            .changes(
                sql::ACQUIRE_LEASE,
                &values![name, holder, ms(now), ms(until)],
            )
            .await?;
        Ok(n == 1)
    }

    async fn give_up_lease(&mut self, name: &str, holder: &str) -> StoreResult<()> {
        self.changes(sql::GIVE_UP_LEASE, &values![name, holder])
            .await
            .map(drop)
    }

    async fn lease_holder(&mut self, name: &str) -> StoreResult<Option<(String, DateTime<Utc>)>> {
        self.opt(sql::LEASE_HOLDER, &values![name], |r| {
            Ok((get(r, "holder")?, crate::time(get(r, "expires_at")?)?))
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
                sql::TAKE_LEASE_FROM,
                &values![holder, ms(until), name, from],
            )
            .await?;
        Ok(n == 1)
    }
}
