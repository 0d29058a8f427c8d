//! [`AdapterState`] on a SQL store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kohero_core::ports::{AdapterState, StoreResult};

use super::SqlTx;
use crate::exec::{Conn, How};
use crate::statements::adapter_state as sql;
use crate::{get, ms};

#[async_trait]
impl<C: Conn> AdapterState for SqlTx<C> {
    async fn network_state(&mut self, network: &str, key: &str) -> StoreResult<Option<String>> {
        self.opt(sql::NETWORK_STATE, &values![network, key], |r| {
            get(r, "value")
        })
        .await
    }

    async fn set_network_state(
        &mut self,
        network: &str,
        key: &str,
        value: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        match value {
            Some(v) => {
                self.changes(sql::SET_NETWORK_STATE, &values![network, key, v, ms(at)])
                    .await
            }
            None => {
                self.changes(sql::SET_NETWORK_STATE_2, &values![network, key])
                    .await
            }
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
            sql::SET_NETWORK_STATE_FOR_A_WHILE,
            &values![network, key, value, ms(at)],
        )
        .await
        .map(drop)
    }

    async fn forget_network_state(&mut self, network: &str, who: &str) -> StoreResult<u64> {
        self.run(
            sql::FORGET_NETWORK_STATE,
            &values![network, who],
            How::PLAIN,
        )
        .await
    }

    async fn remember_button(&mut self, command: &str, at: DateTime<Utc>) -> StoreResult<i64> {
        self.write_one(sql::REMEMBER_BUTTON, &values![command, ms(at)], |r| {
            get(r, "id")
        })
        .await
    }

    async fn recall_button(&mut self, id: i64) -> StoreResult<Option<String>> {
        self.opt(sql::RECALL_BUTTON, &values![id], |r| get(r, "command"))
            .await
    }

    async fn prune_buttons(&mut self, before: DateTime<Utc>) -> StoreResult<u64> {
        self.changes(sql::PRUNE_BUTTONS, &values![ms(before)]).await
    }
}
