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
        let n = self.changes(
            "INSERT INTO seen_events (network, event_id, seen_at) VALUES (?, ?, ?)
             ON CONFLICT (network, event_id) DO NOTHING",
            params![network, event_id, ms(at)],
        )?;
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
            "INSERT INTO seen_events (network, event_id, seen_at, failure) VALUES (?, ?, ?, ?)
             ON CONFLICT (network, event_id) DO UPDATE SET failure = excluded.failure",
            params![network, event_id, ms(at), why],
        )?;
        Ok(())
    }

    async fn prune(&mut self, before: DateTime<Utc>) -> StoreResult<u64> {
        let before = ms(before);
        heavy(|| {
            let mut n = 0;
            for sql in [
                "DELETE FROM outbox WHERE status <> 'pending' AND done_at < ?",
                "DELETE FROM seen_events WHERE seen_at < ?",
                "DELETE FROM network_state WHERE temporary = 1 AND updated_at < ?",
                "DELETE FROM digest_ticks WHERE tick < ?",
                "DELETE FROM initiative_changes WHERE at < ?",
            ] {
                n += self.changes(sql, [before])?;
            }
            Ok(n)
        })
    }
}
