//! Statements of [`Leases`](kohero_core::ports::Leases) (both stores).

/// [`Leases::acquire_lease`](kohero_core::ports::Leases::acquire_lease).
pub const ACQUIRE_LEASE: &str = "INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?4)
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,
    expires_at = excluded.expires_at
    WHERE leases.holder = excluded.holder OR leases.expires_at <= ?3";

/// [`Leases::give_up_lease`](kohero_core::ports::Leases::give_up_lease).
pub const GIVE_UP_LEASE: &str = "DELETE FROM leases WHERE name = ?1 AND holder = ?2";

/// [`Leases::lease_holder`](kohero_core::ports::Leases::lease_holder).
pub const LEASE_HOLDER: &str = "SELECT holder, expires_at FROM leases WHERE name = ?1";

/// [`Leases::take_lease_from`](kohero_core::ports::Leases::take_lease_from).
pub const TAKE_LEASE_FROM: &str =
    "UPDATE leases SET holder = ?1, expires_at = ?2 WHERE name = ?3 AND holder = ?4";

/// Every statement of this file (tests).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[ACQUIRE_LEASE, GIVE_UP_LEASE, LEASE_HOLDER, TAKE_LEASE_FROM];
