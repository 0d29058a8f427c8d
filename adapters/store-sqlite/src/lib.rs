//! Kohero's embedded store: SQLite through sqlx, runtime queries, migrations from
//! `migrations/sqlite/` compiled into the binary.
//!
//! Writers are serialised: the pool hands out one connection, and every
//! transaction starts with `BEGIN IMMEDIATE`, so a transaction never meets
//! `SQLITE_BUSY` halfway and sees one consistent state from its first read.

mod rows;
mod tx;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use kohero_core::ports::{Store, StoreError, StoreResult, Tx};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("invalid SQLite location {0:?}: {1}")]
    Location(String, String),
    #[error("cannot open the SQLite database {0:?}: {1}")]
    Connect(String, String),
    #[error("cannot migrate the SQLite database {0:?}: {1}")]
    Migrate(String, String),
}

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `location`: a path,
    /// `sqlite://PATH`, or `sqlite::memory:`.
    #[tracing::instrument(skip_all, fields(location))]
    pub async fn open(location: &str) -> Result<Self, OpenError> {
        let url = if location.starts_with("sqlite:") {
            location.to_owned()
        } else {
            format!("sqlite://{location}")
        };
        let options = SqliteConnectOptions::from_str(&url)
            .map_err(|e| OpenError::Location(location.to_owned(), e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Checkpoint the WAL every ~40 MB rather than every 4 MB: each
            // checkpoint syncs the database file, and one-message transactions
            // were paying for a checkpoint every hundred commits or so.
            .pragma("wal_autocheckpoint", "10000");
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            // The one connection is ours alone: no ping before every transaction.
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(|e| OpenError::Connect(location.to_owned(), e.to_string()))?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| OpenError::Migrate(location.to_owned(), e.to_string()))?;
        Ok(Self { pool })
    }

    /// A fresh in-memory database (tests).
    pub async fn in_memory() -> Result<Self, OpenError> {
        Self::open("sqlite::memory:").await
    }

    /// The migrations this build knows, as (version, description).
    pub fn migrations() -> Vec<(i64, String)> {
        MIGRATOR
            .iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect()
    }

    /// Closes the pool, checkpointing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Maps sqlx errors to the port's: a unique violation is `Duplicate`, a write
/// that refers to a missing row (foreign key) is `NotFound`.
pub(crate) fn backend(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e {
        if d.is_unique_violation() {
            return StoreError::Duplicate(d.message().to_owned());
        }
        if d.is_foreign_key_violation() {
            return StoreError::NotFound(d.message().to_owned());
        }
    }
    StoreError::Backend(e.to_string())
}

#[async_trait]
impl Store for SqliteStore {
    async fn begin(&self) -> StoreResult<Box<dyn Tx>> {
        let tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        Ok(Box::new(tx::SqliteTx { tx }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    kohero_core::store_suite!(SqliteStore::in_memory().await.unwrap());

    #[tokio::test]
    async fn reopening_a_file_keeps_data_and_migrations_are_idempotent() {
        use kohero_core::domain::{Identity, Lang, NewActor};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let path = path.to_str().unwrap();
        {
            let s = SqliteStore::open(path).await.unwrap();
            let mut tx = s.begin().await.unwrap();
            tx.insert_actor(&NewActor {
                identity: Identity::new("console", "a"),
                display_name: "A".into(),
                lang: Lang::En,
                created_at: chrono::Utc::now(),
            })
            .await
            .unwrap();
            tx.commit().await.unwrap();
            s.close().await;
        }
        let s = SqliteStore::open(&format!("sqlite://{path}"))
            .await
            .unwrap();
        let mut tx = s.begin().await.unwrap();
        let a = tx
            .actor_by_identity(&Identity::new("console", "a"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(a.lang, Lang::En);
    }
}
