//! What the SQL stores (SQLite and PostgreSQL) share, written once: reading
//! their rows back into the domain ([`rows`]: each store says how to read one
//! column, the parsing is here), the outbox's stored form and the conversion
//! of earlier formats ([`outbox_form`]), the statements that are the same in
//! both dialects ([`statements`]), and the tables as `kohero copy-db` moves
//! them. Core has no storage: this is the stores' side.

#[macro_use]
pub mod exec;
pub mod outbox_form;
pub mod rows;
pub mod statements;
pub mod tx;

pub use exec::{Conn, Dialect, EachRow, How, Sql, Value};
pub use rows::*;
pub use tx::SqlTx;

/// The migrations a store's build knows, as (version, description).
pub fn migration_list(migrator: &sqlx::migrate::Migrator) -> Vec<(i64, String)> {
    migrator
        .iter()
        .map(|m| (m.version, m.description.to_string()))
        .collect()
}
