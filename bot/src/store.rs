//! The store the database URL names: SQLite (a path or `sqlite://`, the
//! default) or PostgreSQL (`postgres://`).

use async_trait::async_trait;
use kohero_core::ports::{Store, StoreResult, Tx};
use kohero_store_postgres::PgStore;
use kohero_store_sqlite::SqliteStore;

use crate::config::Database;

#[derive(Debug, Clone)]
pub enum AnyStore {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl AnyStore {
    /// Opens (creating and migrating if needed) the database.
    pub async fn open(db: &Database) -> anyhow::Result<Self> {
        Ok(match db {
            Database::Sqlite(path) => Self::Sqlite(SqliteStore::open(path).await?),
            Database::Postgres(url) => Self::Postgres(PgStore::open(url).await?),
        })
    }

    /// The migrations this build knows for this kind of database.
    pub fn migrations(&self) -> Vec<(i64, String)> {
        match self {
            Self::Sqlite(_) => SqliteStore::migrations(),
            Self::Postgres(_) => PgStore::migrations(),
        }
    }

    /// Exchanges with the database server so far (PostgreSQL; SQLite has
    /// none: it runs in the process).
    pub fn round_trips(&self) -> Option<u64> {
        match self {
            Self::Sqlite(_) => None,
            Self::Postgres(_) => Some(PgStore::round_trips()),
        }
    }

    pub async fn close(&self) {
        match self {
            Self::Sqlite(s) => s.close().await,
            Self::Postgres(s) => s.close().await,
        }
    }
}

#[async_trait]
impl Store for AnyStore {
    async fn begin(&self) -> StoreResult<Box<dyn Tx>> {
        match self {
            Self::Sqlite(s) => s.begin().await,
            Self::Postgres(s) => s.begin().await,
        }
    }

    async fn begin_rows(&self) -> StoreResult<Box<dyn Tx>> {
        match self {
            Self::Sqlite(s) => s.begin_rows().await,
            Self::Postgres(s) => s.begin_rows().await,
        }
    }

    fn concurrent_writers(&self) -> usize {
        match self {
            Self::Sqlite(s) => s.concurrent_writers(),
            Self::Postgres(s) => s.concurrent_writers(),
        }
    }

    async fn read(&self) -> StoreResult<Box<dyn Tx>> {
        match self {
            Self::Sqlite(s) => s.read().await,
            Self::Postgres(s) => s.read().await,
        }
    }
}
