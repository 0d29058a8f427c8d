//! Statements of [`Initiatives`](kohero_core::ports::Initiatives) that are the same in both stores.

/// [`Initiatives::insert_initiative`](kohero_core::ports::Initiatives::insert_initiative).
pub const INSERT_INITIATIVE: &str =
    "INSERT INTO initiatives (kind, title, description, category, lat, lon, commune, status,
    created_by, search_text, created_at, updated_at)
    VALUES ('idea', ?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?8, ?9, ?10) RETURNING *";

/// [`Initiatives::initiative`](kohero_core::ports::Initiatives::initiative).
pub const INITIATIVE: &str = "SELECT * FROM initiatives WHERE id = ?1";

/// [`Initiatives::update_initiative`](kohero_core::ports::Initiatives::update_initiative).
pub const UPDATE_INITIATIVE: &str =
    "UPDATE initiatives SET kind = ?1, title = ?2, description = ?3, category = ?4, lat = ?5,
    lon = ?6, commune = ?7, status = ?8, created_by = ?9, offered_to = ?10, search_text = ?11,
    updated_at = ?12
    WHERE id = ?13";

/// Every statement of this file (tests).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[INSERT_INITIATIVE, INITIATIVE, UPDATE_INITIATIVE];
