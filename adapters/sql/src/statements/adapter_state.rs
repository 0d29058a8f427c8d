//! Statements of [`AdapterState`](kohero_core::ports::AdapterState) (both stores).

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

/// [`AdapterState::forget_network_state`](kohero_core::ports::AdapterState::forget_network_state):
/// keys end in `:who`, compared by position, not with LIKE, so that `%` or `_`
/// in an id match nothing else.
pub const FORGET_NETWORK_STATE: &str = "DELETE FROM network_state WHERE network = ?1
    AND (value = ?2 OR substr(key, length(key) - length(?2)) = ':' || ?2)";

/// [`AdapterState::remember_button`](kohero_core::ports::AdapterState::remember_button).
pub const REMEMBER_BUTTON: &str =
    "INSERT INTO actions (command, created_at, used_at) VALUES (?1, ?2, ?2)
    ON CONFLICT (command) DO UPDATE SET used_at = CASE
        WHEN coalesce(actions.used_at, 0) > excluded.used_at THEN actions.used_at
        ELSE excluded.used_at END
    RETURNING id";

/// Every statement of this file (tests).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[
    NETWORK_STATE,
    SET_NETWORK_STATE,
    SET_NETWORK_STATE_2,
    SET_NETWORK_STATE_FOR_A_WHILE,
    RECALL_BUTTON,
    PRUNE_BUTTONS,
    FORGET_NETWORK_STATE,
    REMEMBER_BUTTON,
];
