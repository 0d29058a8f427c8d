//! What network adapters keep for themselves: their own state by key (the
//! Matrix session, sync position, Spaces, direct chats, numbered choices) and
//! the commands behind Telegram's button ids.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;

/// What network adapters keep for themselves: their own state by key (the
/// Matrix session, sync position, Spaces, direct chats, numbered choices) and
/// the commands behind Telegram's button ids.
#[async_trait]
pub trait AdapterState: Send {
    /// A value an adapter keeps for itself (Matrix session, sync position,
    /// the Space of a commune, the numbered choices last shown in a room).
    async fn network_state(&mut self, network: &str, key: &str) -> StoreResult<Option<String>>;

    /// Sets (`Some`) or removes (`None`) an adapter's value.
    async fn set_network_state(
        &mut self,
        network: &str,
        key: &str,
        value: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Sets an adapter's value that may go once it is older than the retention
    /// time: `prune` removes it with sent messages (the choices of a
    /// message, answered by reactions).
    async fn set_network_state_for_a_while(
        &mut self,
        network: &str,
        key: &str,
        value: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Removes what adapters keep about a person (`who`, their id on `network`):
    /// values equal to it and keys ending in `:who`. Returns how many went.
    async fn forget_network_state(&mut self, network: &str, who: &str) -> StoreResult<u64>;

    /// Keeps a button's command for a network whose buttons carry only a short id;
    /// the same command always gets the same id, and `at` is when it was last
    /// given out (see [`prune_buttons`](Self::prune_buttons)).
    async fn remember_button(&mut self, command: &str, at: DateTime<Utc>) -> StoreResult<i64>;

    /// The command behind a button id, if it was ever given out.
    async fn recall_button(&mut self, id: i64) -> StoreResult<Option<String>>;

    /// Deletes button actions not given out since `before` (a button older than
    /// that says it is no longer valid); returns how many went.
    async fn prune_buttons(&mut self, before: DateTime<Utc>) -> StoreResult<u64>;
}
