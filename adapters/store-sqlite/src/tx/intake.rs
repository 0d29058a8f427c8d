//! The SQLite store's part of [`kohero_core::ports::SeenUpdates`].

use super::*;

#[async_trait]
impl SeenUpdates for SqliteTx {
    async fn mark_seen(
        &mut self,
        network: &str,
        event_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = self.changes(sql::intake::MARK_SEEN, params![network, event_id, ms(at)])?;
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
            sql::intake::MARK_FAILED_UPDATE,
            params![network, event_id, ms(at), why],
        )?;
        Ok(())
    }

    async fn prune(&mut self, before: DateTime<Utc>) -> StoreResult<u64> {
        let before = ms(before);
        heavy(|| {
            let mut n = 0;
            for sql in [
                sql::intake::PRUNE,
                sql::intake::PRUNE_2,
                sql::intake::PRUNE_3,
                sql::intake::PRUNE_4,
                sql::intake::PRUNE_5,
            ] {
                n += self.changes(sql, [before])?;
            }
            Ok(n)
        })
    }
}
