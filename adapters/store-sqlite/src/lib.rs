//! Kohero's embedded store: SQLite (rusqlite, bundled), migrations from
//! `migrations/sqlite/` compiled into the binary and recorded as sqlx records
//! them (`_sqlx_migrations`, so databases made by earlier builds open as they are).
//!
//! Writers are serialised: the store owns one connection behind an async lock,
//! and every transaction starts with `BEGIN IMMEDIATE`, so a transaction never
//! meets `SQLITE_BUSY` halfway and sees one consistent state from its first
//! read. Statements run on the calling thread: SQLite answers a prepared,
//! cached statement in microseconds, which is less than handing it to another
//! thread and back (sqlx's SQLite driver did that for every statement, and the
//! hand-offs were most of the time spent per update). The few statements that
//! read a large part of the database run in `block_in_place` (see `conn::heavy`).

pub mod backup;
mod checkpoint;
mod conn;
mod copy;
mod migrate;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use kohero_core::ports::{Store, StoreError, StoreResult, Tx};
use kohero_sql::SqlTx;
use rusqlite::{Connection, ErrorCode, ffi};
use tokio::sync::Mutex;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// How long a transaction waits for another process's write lock (for example
/// `kohero digest` while `kohero serve` runs) before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(10);

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
    /// The writers' connection; `None` once closed.
    conn: Arc<Mutex<Option<Connection>>>,
    /// A read-only connection for [`Store::read`] (file databases: in WAL mode
    /// its snapshots never wait for the writer); `None` once closed.
    reader: Option<Arc<Mutex<Option<Connection>>>>,
    /// Background WAL checkpoints (file databases only).
    checkpointer: Option<Arc<checkpoint::Checkpointer>>,
}

/// Creates the SQLite database at `path` with the migrations up to
/// `version` only, recorded as every build records them: the schema an older
/// build left behind (the fixtures of upgrade tests).
pub fn migrate_until(path: &std::path::Path, version: i64) -> Result<(), String> {
    let conn = Connection::open(path).map_err(|e| e.to_string())?;
    migrate::run(&conn, &MIGRATOR, version)
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `location`: a path,
    /// `sqlite://PATH`, or `sqlite::memory:`.
    #[tracing::instrument(skip_all, fields(location))]
    pub async fn open(location: &str) -> Result<Self, OpenError> {
        let path = location
            .strip_prefix("sqlite://")
            .or_else(|| location.strip_prefix("sqlite:"))
            .unwrap_or(location);
        if path.is_empty() {
            return Err(OpenError::Location(
                location.to_owned(),
                "no file named".into(),
            ));
        }
        let connect = |e: rusqlite::Error| OpenError::Connect(location.to_owned(), e.to_string());
        let conn = if path == ":memory:" {
            Connection::open_in_memory()
        } else {
            Connection::open(path)
        }
        .map_err(connect)?;
        // While opening, wait for another process as SQLite does; once open, a
        // transaction waits without blocking its thread (see `begin`).
        conn.busy_timeout(LOCK_WAIT).map_err(connect)?;
        // The log is copied into the database by a background checkpoint
        // (checkpoint.rs); the commit that finds it past `wal_autocheckpoint`
        // pages restarts it, with little left to copy by then.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;
             PRAGMA wal_autocheckpoint = 2000; PRAGMA journal_size_limit = 67108864;",
        )
        .map_err(connect)?;
        conn.set_prepared_statement_cache_capacity(256);
        migrate::run(&conn, &MIGRATOR, i64::MAX)
            .map_err(|e| OpenError::Migrate(location.to_owned(), e))?;
        conn.busy_timeout(Duration::ZERO).map_err(connect)?;
        let (checkpointer, reader) = if path == ":memory:" {
            (None, None)
        } else {
            let reader = Connection::open(path).map_err(connect)?;
            reader
                .execute_batch("PRAGMA query_only = ON; PRAGMA foreign_keys = ON;")
                .map_err(connect)?;
            reader.set_prepared_statement_cache_capacity(128);
            (
                Some(Arc::new(
                    checkpoint::Checkpointer::start(path)
                        .map_err(|e| OpenError::Connect(location.to_owned(), e))?,
                )),
                Some(Arc::new(Mutex::new(Some(reader)))),
            )
        };
        let store = Self {
            conn: Arc::new(Mutex::new(Some(conn))),
            reader,
            checkpointer,
        };
        store
            .upgrade_outbox()
            .await
            .map_err(|e| OpenError::Migrate(location.to_owned(), e.to_string()))?;
        Ok(store)
    }

    /// Converts outbox rows of an earlier format (see migration 12) under the
    /// write lock; finds nothing to do, through a partial index, once done.
    async fn upgrade_outbox(&self) -> StoreResult<()> {
        if !SqlTx::new(self.begin_read().await?)
            .outbox_to_upgrade()
            .await?
        {
            return Ok(());
        }
        let mut tx = SqlTx::new(self.begin_write().await?);
        tx.upgrade_outbox().await?;
        Box::new(tx).commit().await
    }

    /// A writer's transaction: `BEGIN IMMEDIATE`, waiting asleep for another
    /// process's write lock.
    async fn begin_write(&self) -> StoreResult<conn::SqliteConn> {
        let conn = self.conn.clone().lock_owned().await;
        // Another process holding the write lock: wait for it asleep, not in
        // SQLite's busy handler, which would block this runtime thread.
        let started = tokio::time::Instant::now();
        let mut pause = Duration::from_millis(1);
        loop {
            let Some(db) = conn.as_ref() else {
                return Err(StoreError::Backend("the store is closed".into()));
            };
            let begun = db.execute_batch("BEGIN IMMEDIATE");
            match begun {
                Ok(()) => break,
                Err(e) if is_busy(&e) && started.elapsed() < LOCK_WAIT => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
                Err(e) => return Err(backend(e)),
            }
        }
        Ok(conn::SqliteConn::new(conn, self.checkpointer.clone()))
    }

    /// On the reader connection (a snapshot from its first read; WAL readers
    /// never wait for the writer); an in-memory database has only the one
    /// connection, and reads there as a writer would.
    async fn begin_read(&self) -> StoreResult<conn::SqliteConn> {
        let Some(reader) = &self.reader else {
            return self.begin_write().await;
        };
        let conn = reader.clone().lock_owned().await;
        let Some(db) = conn.as_ref() else {
            return Err(StoreError::Backend("the store is closed".into()));
        };
        db.execute_batch("BEGIN").map_err(backend)?;
        Ok(conn::SqliteConn::new(conn, None))
    }

    /// A fresh in-memory database (tests).
    pub async fn in_memory() -> Result<Self, OpenError> {
        Self::open("sqlite::memory:").await
    }

    /// The migrations this build knows, as (version, description).
    pub fn migrations() -> Vec<(i64, String)> {
        kohero_sql::migration_list(&MIGRATOR)
    }

    /// Closes the connection (waiting for the transaction in progress),
    /// checkpointing the WAL. Later transactions fail.
    pub async fn close(&self) {
        if let Some(reader) = &self.reader
            && let Some(r) = reader.lock().await.take()
        {
            let _ = r.close();
        }
        let Some(conn) = self.conn.lock().await.take() else {
            return;
        };
        if let Some(c) = &self.checkpointer {
            c.stop();
        }
        // The last connection to close checkpoints: let it wait for others.
        if let Err(e) = conn.busy_timeout(LOCK_WAIT) {
            tracing::warn!(error = %e, "closing the SQLite database");
        }
        if let Err((_, e)) = conn.close() {
            tracing::warn!(error = %e, "closing the SQLite database");
        }
    }
}

/// Maps SQLite errors to the port's: a unique violation is `Duplicate`, a write
/// that refers to a missing row (foreign key) is `NotFound`.
pub(crate) fn backend(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e {
        let msg = msg.clone().unwrap_or_else(|| f.to_string());
        match f.extended_code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                return StoreError::Duplicate(msg);
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => return StoreError::NotFound(msg),
            _ => {}
        }
    }
    StoreError::Backend(Box::new(e))
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if matches!(f.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked))
}

#[async_trait]
impl Store for SqliteStore {
    async fn begin(&self) -> StoreResult<Box<dyn Tx>> {
        Ok(Box::new(SqlTx::new(self.begin_write().await?)))
    }

    async fn read(&self) -> StoreResult<Box<dyn Tx>> {
        Ok(Box::new(SqlTx::new(self.begin_read().await?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh database in a file (kept for the test's life), as installations
    /// have: a writer's and a reader's connection.
    async fn file_store() -> SqliteStore {
        let dir = Box::leak(Box::new(tempfile::tempdir().unwrap()));
        SqliteStore::open(dir.path().join("k.db").to_str().unwrap())
            .await
            .unwrap()
    }

    kohero_core::store_suite!(file_store().await);

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

    #[tokio::test]
    async fn a_database_migrated_by_sqlx_opens_and_one_migrated_here_satisfies_sqlx() {
        use sqlx::{ConnectOptions, Connection};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true);
        let mut conn = options.connect().await.unwrap();
        MIGRATOR.run(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        let s = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
        s.close().await;

        let path = dir.path().join("k2.db");
        let s = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
        s.close().await;
        let mut conn = options.filename(&path).connect().await.unwrap();
        // sqlx finds every migration applied with its checksum: nothing to do.
        MIGRATOR.run(&mut conn).await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(n as usize, SqliteStore::migrations().len());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_second_process_waits_for_the_write_lock_without_blocking_its_runtime() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let path = path.to_str().unwrap().to_owned();
        let a = SqliteStore::open(&path).await.unwrap();
        let b = SqliteStore::open(&path).await.unwrap();
        let held = a.begin().await.unwrap();
        let waiting = tokio::spawn(async move {
            let started = std::time::Instant::now();
            let tx = b.begin().await.unwrap();
            tx.commit().await.unwrap();
            started.elapsed()
        });
        // The runtime keeps running other work meanwhile.
        let ticks = tokio::spawn(async {
            for _ in 0..20 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!waiting.is_finished(), "the lock is held");
        ticks.await.unwrap();
        held.commit().await.unwrap();
        let waited = waiting.await.unwrap();
        assert!(waited >= Duration::from_millis(300), "{waited:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_log_is_copied_into_the_database_in_the_background() {
        use kohero_core::domain::{Identity, Lang, NewActor};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let s = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
        let size = || std::fs::metadata(&path).unwrap().len();
        let before = size();
        let mut tx = s.begin().await.unwrap();
        for i in 0..5000 {
            tx.insert_actor(&NewActor {
                identity: Identity::new("console", format!("person-{i}")),
                display_name: format!("Personne numéro {i} {}", "x".repeat(100)),
                lang: Lang::Fr,
                created_at: chrono::Utc::now(),
            })
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        // Far below `wal_autocheckpoint`: only the background checkpoint copies
        // these pages into the database file.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while size() < before + 1_000_000 {
            assert!(
                std::time::Instant::now() < deadline,
                "not copied: {} -> {} bytes",
                before,
                size()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Closing stops the thread.
        s.close().await;
    }
}
