//! [`SeenUpdates`] on a SQL store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kohero_core::ports::{SeenUpdates, StoreResult};

use super::SqlTx;
use crate::exec::{Conn, How};
use crate::ms;
use crate::statements::intake as sql;

#[async_trait]
impl<C: Conn> SeenUpdates for SqlTx<C> {
    async fn mark_seen(
        &mut self,
        network: &str,
        event_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        // `ON CONFLICT DO NOTHING` breaks no constraint: no savepoint.
        let n = self
            .run(
                sql::MARK_SEEN,
                &values![network, event_id, ms(at)],
                How::PLAIN,
            )
            .await?;
        Ok(n == 1)
    }

    async fn seen(&mut self, network: &str, event_id: &str) -> StoreResult<bool> {
        Ok(self
            .opt(sql::SEEN, &values![network, event_id], |_| Ok(()))
            .await?
            .is_some())
    }

    async fn mark_failed_update(
        &mut self,
        network: &str,
        event_id: &str,
        why: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.changes(
            sql::MARK_FAILED_UPDATE,
            &values![network, event_id, ms(at), why],
        )
        .await
        .map(drop)
    }

    async fn prune(&mut self, before: DateTime<Utc>) -> StoreResult<u64> {
        let mut n = 0;
        for statement in [
            sql::PRUNE,
            sql::PRUNE_2,
            sql::PRUNE_3,
            sql::PRUNE_4,
            sql::PRUNE_5,
            sql::PRUNE_6,
        ] {
            n += self
                .run(
                    statement,
                    &values![ms(before)],
                    How {
                        guarded: true,
                        heavy: true,
                    },
                )
                .await?;
        }
        Ok(n)
    }
}
