//! The SQLite store's part of [`kohero_core::ports::AdapterState`].

use super::*;

#[async_trait]
impl AdapterState for SqliteTx {
    async fn network_state(&mut self, network: &str, key: &str) -> StoreResult<Option<String>> {
        self.opt(sql::adapter_state::NETWORK_STATE, [network, key], |r| {
            get(r, "value")
        })
    }

    async fn set_network_state(
        &mut self,
        network: &str,
        key: &str,
        value: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        match value {
            Some(v) => self.changes(
                sql::adapter_state::SET_NETWORK_STATE,
                params![network, key, v, ms(at)],
            ),
            None => self.changes(sql::adapter_state::SET_NETWORK_STATE_2, [network, key]),
        }
        .map(drop)
    }

    async fn set_network_state_for_a_while(
        &mut self,
        network: &str,
        key: &str,
        value: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.changes(
            sql::adapter_state::SET_NETWORK_STATE_FOR_A_WHILE,
            params![network, key, value, ms(at)],
        )
        .map(drop)
    }

    async fn forget_network_state(&mut self, network: &str, who: &str) -> StoreResult<u64> {
        // Keys end in `:who`; compared with substr, not LIKE, so that `%` or `_`
        // in an id match nothing else.
        self.changes(
            "DELETE FROM network_state WHERE network = ?1
             AND (value = ?2 OR substr(key, -length(?2) - 1) = ':' || ?2)",
            [network, who],
        )
    }

    async fn remember_button(&mut self, command: &str, at: DateTime<Utc>) -> StoreResult<i64> {
        self.one(
            "INSERT INTO actions (command, created_at, used_at) VALUES (?1, ?2, ?2)
             ON CONFLICT (command) DO UPDATE SET used_at = max(coalesce(used_at, 0), excluded.used_at)
             RETURNING id",
            params![command, ms(at)],
            |r| get(r, "id"),
        )
    }

    async fn recall_button(&mut self, id: i64) -> StoreResult<Option<String>> {
        self.opt(sql::adapter_state::RECALL_BUTTON, [id], |r| {
            get(r, "command")
        })
    }

    async fn prune_buttons(&mut self, before: DateTime<Utc>) -> StoreResult<u64> {
        self.changes(sql::adapter_state::PRUNE_BUTTONS, [ms(before)])
    }
}
