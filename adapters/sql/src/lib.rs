//! What the SQL stores (SQLite and PostgreSQL) share, written once: reading
//! their rows back into the domain ([`rows`]: each store says how to read one
//! column, the parsing is here), the outbox's stored form and the conversion
//! of earlier formats ([`outbox_form`]), and the tables as `kohero copy-db`
//! moves them. Core has no storage: this is the stores' side.

pub mod outbox_form;
pub mod rows;

pub use rows::*;
