//! Kohero's embedded store: SQLite through sqlx, runtime queries, migrations from
//! `migrations/sqlite/` compiled into the binary.
//!
//! Writers are serialised: the store owns one connection behind an async lock,
//! and every transaction starts with `BEGIN IMMEDIATE`, so a transaction never
//! meets `SQLITE_BUSY` halfway and sees one consistent state from its first
//! read. (A one-connection sqlx pool did the same with more work per
//! transaction: a spawned task to hand the connection back, a semaphore to take
//! it again.)

mod rows;
mod tx;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use kohero_core::ports::{Store, StoreError, StoreResult, Tx};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous,
    SqliteTransactionManager,
};
use sqlx::{ConnectOptions, Connection};
use sqlx_core::sql_str::SqlStr;
use sqlx_core::transaction::TransactionManager;
use tokio::sync::{Mutex, OwnedMutexGuard};

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
    /// `None` once closed.
    conn: Arc<Mutex<Option<SqliteConnection>>>,
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
        let mut conn = options
            .connect()
            .await
            .map_err(|e| OpenError::Connect(location.to_owned(), e.to_string()))?;
        MIGRATOR
            .run(&mut conn)
            .await
            .map_err(|e| OpenError::Migrate(location.to_owned(), e.to_string()))?;
        Ok(Self {
            conn: Arc::new(Mutex::new(Some(conn))),
        })
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

    /// Closes the connection (waiting for the transaction in progress),
    /// checkpointing the WAL. Later transactions fail.
    pub async fn close(&self) {
        let Some(conn) = self.conn.lock().await.take() else {
            return;
        };
        if let Err(e) = conn.close().await {
            tracing::warn!(error = %e, "closing the SQLite database");
        }
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
        let mut conn =
            OwnedMutexGuard::try_map(self.conn.clone().lock_owned().await, Option::as_mut)
                .map_err(|_| StoreError::Backend("the store is closed".into()))?;
        SqliteTransactionManager::begin(&mut conn, Some(SqlStr::from_static("BEGIN IMMEDIATE")))
            .await
            .map_err(backend)?;
        Ok(Box::new(tx::SqliteTx::new(conn)))
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
