//! Kohero's store for large installations: PostgreSQL through sqlx, migrations
//! from `migrations/postgres/` compiled into the binary (the same versions as
//! `migrations/sqlite/` for the same changes).
//!
//! Several `kohero serve` processes may share the database. Every transaction
//! first takes one transaction-level advisory lock, so writers are serialised
//! across processes as SQLite serialises them within one: a transaction sees
//! one consistent state from its first read to its commit, and core's
//! read-then-write steps (an idea's supporters, a digest's tick) cannot
//! interleave. The outbox claim still skips rows another transaction holds
//! (`FOR UPDATE SKIP LOCKED`).

mod conn;
mod copy;

use std::time::Duration;

use async_trait::async_trait;
use kohero_core::ports::{Store, StoreError, StoreResult, Tx};
use kohero_sql::SqlTx;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// The advisory lock every transaction takes (an arbitrary constant: "kohero").
const WRITER_LOCK: i64 = 0x6b6f_6865_726f;

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("invalid PostgreSQL URL: {0}")]
    Location(String),
    #[error("cannot connect to PostgreSQL: {0}")]
    Connect(String),
    #[error("cannot migrate the PostgreSQL database: {0}")]
    Migrate(String),
}

#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to `url` (`postgres://…`) and migrates the database.
    pub async fn open(url: &str) -> Result<Self, OpenError> {
        let options: PgConnectOptions = url
            .parse()
            .map_err(|e: sqlx::Error| OpenError::Location(e.to_string()))?;
        // Every transaction holds the writers' lock: a process that hangs
        // inside one (stopped, swapped out) must not hold up the others for
        // long. The server ends such a session; the process's transaction
        // fails and is tried again.
        let options = options.options([("idle_in_transaction_session_timeout", "30s")]);
        // One connection first, for the real reason when the server cannot be
        // reached (the pool would only say it timed out).
        let first = match options.connect().await {
            Ok(c) => c,
            // A database that does not exist yet is created (INTERFACE.md:
            // every subcommand creates the database it opens).
            Err(sqlx::Error::Database(d)) if d.code().as_deref() == Some("3D000") => {
                create_database(&options).await?;
                options
                    .connect()
                    .await
                    .map_err(|e| OpenError::Connect(e.to_string()))?
            }
            Err(e) => return Err(OpenError::Connect(e.to_string())),
        };
        first.close().await.ok();
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| OpenError::Connect(e.to_string()))?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| OpenError::Migrate(e.to_string()))?;
        let store = Self { pool };
        store
            .upgrade_outbox()
            .await
            .map_err(|e| OpenError::Migrate(format!("converting the outbox: {e}")))?;
        Ok(store)
    }

    /// Converts outbox rows of an earlier format (see migration 12) in one
    /// transaction under the writers' lock; finds nothing to do, through a
    /// partial index, once done.
    async fn upgrade_outbox(&self) -> StoreResult<()> {
        let read = self.pool.begin().await.map_err(backend)?;
        if !SqlTx::new(conn::PgConn::new(read))
            .outbox_to_upgrade()
            .await?
        {
            return Ok(());
        }
        let mut tx = SqlTx::new(conn::PgConn::new(self.writer().await?));
        tx.upgrade_outbox().await?;
        Box::new(tx).commit().await
    }

    /// Wakes `wake` whenever another connection writes an initiative
    /// (`NOTIFY kohero_initiatives` from the trigger), until the process ends:
    /// each process's nearby index then catches up at once. Notifications
    /// missed while the listening connection is down are caught by the
    /// periodic catch-up.
    pub async fn follow_initiative_changes(&self, wake: std::sync::Arc<tokio::sync::Notify>) {
        loop {
            let mut listener = match sqlx::postgres::PgListener::connect_with(&self.pool).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for initiative changes; retrying");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    continue;
                }
            };
            if let Err(e) = listener.listen("kohero_initiatives").await {
                tracing::warn!(error = %e, "cannot listen for initiative changes; retrying");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
            loop {
                match listener.recv().await {
                    Ok(_) => wake.notify_one(),
                    Err(e) => {
                        tracing::warn!(error = %e, "initiative change notifications interrupted");
                        // Whatever was missed meanwhile.
                        wake.notify_one();
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        break;
                    }
                }
            }
        }
    }

    /// A transaction holding the writers' lock (see the crate's documentation).
    async fn writer(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Postgres>> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITER_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        Ok(tx)
    }

    /// The migrations this build knows, as (version, description).
    pub fn migrations() -> Vec<(i64, String)> {
        kohero_sql::migration_list(&MIGRATOR)
    }

    /// Closes the pool, waiting for the connections in use.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Drops and creates the database `name` on the server `server_url` (a URL to
/// any database there, e.g. `…/postgres`), and returns the new database's URL.
/// For tests and benchmarks: `name` is the caller's own, letters, digits and
/// `_` only, and whatever was in that database is gone.
pub async fn recreate_database(server_url: &str, name: &str) -> Result<String, OpenError> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(OpenError::Location(format!("database name {name:?}")));
    }
    let Some((base, _)) = server_url.rsplit_once('/') else {
        return Err(OpenError::Location(server_url.to_owned()));
    };
    let mut admin = sqlx::PgConnection::connect(server_url)
        .await
        .map_err(|e| OpenError::Connect(e.to_string()))?;
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut admin)
            .await
            .map_err(|e| OpenError::Connect(e.to_string()))?;
    }
    Ok(format!("{base}/{name}"))
}

/// Creates the database `options` names, connecting to the server's
/// `postgres` database with the same credentials.
async fn create_database(options: &PgConnectOptions) -> Result<(), OpenError> {
    let name = options
        .get_database()
        .ok_or_else(|| OpenError::Location("no database named".into()))?
        .to_owned();
    let mut admin = options
        .clone()
        .database("postgres")
        .connect()
        .await
        .map_err(|e| OpenError::Connect(format!("cannot create database {name:?}: {e}")))?;
    let sql = format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\""));
    let created = sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut admin)
        .await;
    admin.close().await.ok();
    match created {
        Ok(_) => {
            tracing::info!(database = %name, "PostgreSQL database created");
            Ok(())
        }
        // Created meanwhile by another process: fine.
        Err(sqlx::Error::Database(d)) if d.code().as_deref() == Some("42P04") => Ok(()),
        Err(e) => Err(OpenError::Connect(format!(
            "cannot create database {name:?}: {e}"
        ))),
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
    StoreError::Backend(Box::new(e))
}

#[async_trait]
impl Store for PgStore {
    async fn begin(&self) -> StoreResult<Box<dyn Tx>> {
        Ok(Box::new(SqlTx::new(conn::PgConn::new(
            self.writer().await?,
        ))))
    }

    /// A read-only transaction: no writers' lock, so health probes and reads
    /// never wait behind writes.
    async fn read(&self) -> StoreResult<Box<dyn Tx>> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        sqlx::query("SET TRANSACTION READ ONLY")
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        Ok(Box::new(SqlTx::new(conn::PgConn::new(tx))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh database on the test cluster (`KOHERO_TEST_POSTGRES_URL`, set by
    /// `scripts/test`).
    async fn fresh() -> PgStore {
        let url = std::env::var("KOHERO_TEST_POSTGRES_URL")
            .expect("KOHERO_TEST_POSTGRES_URL is not set: run the tests with scripts/test");
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!(
            "kohero_store_{}_{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        PgStore::open(&recreate_database(&url, &name).await.unwrap())
            .await
            .unwrap()
    }

    kohero_core::store_suite!(fresh().await);
}
