//! Statements of [`AdapterState`](kohero_core::ports::AdapterState) that are the same in both stores.

/// [`AdapterState::network_state`](kohero_core::ports::AdapterState::network_state).
pub const NETWORK_STATE: &str = "SELECT value FROM network_state WHERE network = ?1 AND key = ?2";

/// [`AdapterState::set_network_state`](kohero_core::ports::AdapterState::set_network_state).
pub const SET_NETWORK_STATE: &str =
    "INSERT INTO network_state (network, key, value, updated_at) VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT (network, key) DO UPDATE SET value = excluded.value,
    updated_at = excluded.updated_at, temporary = 0";

/// [`AdapterState::set_network_state`](kohero_core::ports::AdapterState::set_network_state).
pub const SET_NETWORK_STATE_2: &str = "DELETE FROM network_state WHERE network = ?1 AND key = ?2";

/// [`AdapterState::set_network_state_for_a_while`](kohero_core::ports::AdapterState::set_network_state_for_a_while).
pub const SET_NETWORK_STATE_FOR_A_WHILE: &str =
    "INSERT INTO network_state (network, key, value, updated_at, temporary)
    VALUES (?1, ?2, ?3, ?4, 1)
    ON CONFLICT (network, key) DO UPDATE SET value = excluded.value,
    updated_at = excluded.updated_at, temporary = 1";

/// [`AdapterState::recall_button`](kohero_core::ports::AdapterState::recall_button).
pub const RECALL_BUTTON: &str = "SELECT command FROM actions WHERE id = ?1";

/// [`AdapterState::prune_buttons`](kohero_core::ports::AdapterState::prune_buttons).
pub const PRUNE_BUTTONS: &str = "DELETE FROM actions WHERE used_at < ?1";

/// Every statement of this file (tests).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[
    NETWORK_STATE,
    SET_NETWORK_STATE,
    SET_NETWORK_STATE_2,
    SET_NETWORK_STATE_FOR_A_WHILE,
    RECALL_BUTTON,
    PRUNE_BUTTONS,
];
