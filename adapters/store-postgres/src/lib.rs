//! Kohero's store for large installations: PostgreSQL through sqlx, migrations
//! from `migrations/postgres/` compiled into the binary (the same versions as
//! `migrations/sqlite/` for the same changes).
//!
//! Several `kohero serve` processes may share the database, and each runs
//! many transactions at once. Writing transactions run `SERIALIZABLE`: the
//! server lets them run side by side and gives one up (SQLSTATE 40001, or a
//! deadlock, 40P01: [`StoreError::Conflict`]) when their interleaving would
//! give a result no serial order gives, and core runs that work again
//! ([`kohero_core::retry`]). So core's read-then-write steps (the last
//! organiser leaving, an idea's supporters, a digest's tick) keep the
//! outcome they have on SQLite, where one writer runs at a time, without a
//! lock for the whole database. Reads are `REPEATABLE READ, READ ONLY`: one
//! snapshot, never waiting, never given up. The outbox claim skips rows
//! another transaction holds (`FOR UPDATE SKIP LOCKED`).

mod conn;
mod copy;

use std::time::Duration;

use async_trait::async_trait;
use kohero_core::ports::{Store, StoreError, StoreResult, Tx};
use kohero_sql::SqlTx;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// Connections a process keeps to the server, at most.
const POOL_SIZE: u32 = 16;

/// Writing transactions a process runs at once, at most (intake lanes,
/// webhooks, delivery, the scheduler): measured, more give each other up
/// more often than they serve more (docs/benchmarks.md).
const WRITERS: usize = 4;

/// How a writing transaction starts (see the crate's documentation).
const BEGIN_WRITE: &str = "BEGIN ISOLATION LEVEL SERIALIZABLE";
/// How a writing transaction on rows alone starts (`Store::begin_rows`).
const BEGIN_ROWS: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ";
/// How a read-only transaction starts: a snapshot that never waits for
/// writers nor is given up for them.
const BEGIN_READ: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

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
    /// Writing transactions of this process at once, at most: more only
    /// give each other up (serialization failures) without serving more.
    writers: std::sync::Arc<tokio::sync::Semaphore>,
}

/// How long a writing transaction waits for its turn before it goes ahead
/// anyway (a transaction begun inside another must not wait for ever).
const WRITER_WAIT: Duration = Duration::from_secs(10);

impl PgStore {
    /// Connects to `url` (`postgres://…`) and migrates the database.
    pub async fn open(url: &str) -> Result<Self, OpenError> {
        let options: PgConnectOptions = url
            .parse()
            .map_err(|e: sqlx::Error| OpenError::Location(e.to_string()))?;
        // A process that hangs inside a transaction (stopped, swapped out)
        // must not hold its row locks for long: the server ends such a
        // session; the process's transaction fails and is tried again.
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
            .max_connections(POOL_SIZE)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| OpenError::Connect(e.to_string()))?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| OpenError::Migrate(e.to_string()))?;
        let store = Self {
            pool,
            writers: std::sync::Arc::new(tokio::sync::Semaphore::new(WRITERS)),
        };
        store
            .upgrade_outbox()
            .await
            .map_err(|e| OpenError::Migrate(format!("converting the outbox: {e}")))?;
        Ok(store)
    }

    /// Converts outbox rows of an earlier format (see migration 12) in one
    /// writing transaction; finds nothing to do, through a partial index,
    /// once done.
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
        // A closed pool is a process ending: nothing more to follow.
        while !self.pool.is_closed() {
            let mut listener = match sqlx::postgres::PgListener::connect_with(&self.pool).await {
                Ok(l) => l,
                Err(_) if self.pool.is_closed() => return,
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
                    Err(_) if self.pool.is_closed() => return,
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

    /// A writing transaction, `SERIALIZABLE` (see the crate's documentation).
    async fn writer(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Postgres>> {
        self.pool.begin_with(BEGIN_WRITE).await.map_err(backend)
    }

    /// A turn among this process's writers ([`WRITERS`]), or none after
    /// [`WRITER_WAIT`].
    async fn writer_turn(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        tokio::time::timeout(WRITER_WAIT, self.writers.clone().acquire_owned())
            .await
            .ok()?
            .ok()
    }

    /// Exchanges with the server this process has made so far through its
    /// stores (statements, `BEGIN`, `COMMIT`, rollbacks): divided by the
    /// updates handled, what an update costs in round trips.
    pub fn round_trips() -> u64 {
        conn::ROUND_TRIPS.load(std::sync::atomic::Ordering::Relaxed)
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
/// that refers to a missing row (foreign key) is `NotFound`, a serialization
/// failure or a deadlock is `Conflict` (run the transaction again).
pub(crate) fn backend(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e {
        if matches!(d.code().as_deref(), Some("40001" | "40P01")) {
            return StoreError::Conflict(d.message().to_owned());
        }
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
        let turn = self.writer_turn().await;
        Ok(Box::new(SqlTx::new(
            conn::PgConn::new(self.writer().await?).with_turn(turn),
        )))
    }

    async fn begin_rows(&self) -> StoreResult<Box<dyn Tx>> {
        let turn = self.writer_turn().await;
        let tx = self.pool.begin_with(BEGIN_ROWS).await.map_err(backend)?;
        Ok(Box::new(SqlTx::new(conn::PgConn::new(tx).with_turn(turn))))
    }

    /// Writers run side by side, [`WRITERS`] of this process at once.
    fn concurrent_writers(&self) -> usize {
        WRITERS
    }

    /// A read-only snapshot: health probes and reads never wait behind
    /// writes, nor are they given up for them.
    async fn read(&self) -> StoreResult<Box<dyn Tx>> {
        let tx = self.pool.begin_with(BEGIN_READ).await.map_err(backend)?;
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

    use kohero_core::domain::*;

    async fn person(store: &PgStore, name: &str) -> Actor {
        let mut tx = store.begin().await.unwrap();
        let a = tx
            .insert_actor(&NewActor {
                identity: Identity::new("test", name),
                display_name: name.to_owned(),
                lang: Lang::Fr,
                created_at: chrono::Utc::now(),
            })
            .await
            .unwrap();
        tx.commit().await.unwrap();
        a
    }

    fn idea(by: ActorId, title: &str) -> NewInitiative {
        NewInitiative {
            title: title.to_owned(),
            description: "Une description".to_owned(),
            category: Category::Compost,
            place: kohero_core::geo::GeoPoint::new(45.76, 4.83).ok(),
            commune: InseeCode::parse("69123"),
            created_by: by,
            created_at: chrono::Utc::now(),
            carried_by: None,
        }
    }

    /// Writers run side by side: the one that wrote first may commit last,
    /// after a reader has read the other's change. A reader following the
    /// change log from a cursor taken before still gets both, each once.
    #[tokio::test]
    async fn a_change_committed_after_a_later_one_is_still_read() {
        let store = fresh().await;
        let a = person(&store, "a").await;
        let start = store
            .read()
            .await
            .unwrap()
            .initiative_changes_cursor()
            .await
            .unwrap();
        let mut first = store.begin().await.unwrap();
        let slow = first.insert_initiative(&idea(a.id, "Lent")).await.unwrap();
        let mut second = store.begin().await.unwrap();
        let quick = second
            .insert_initiative(&idea(a.id, "Rapide"))
            .await
            .unwrap();
        second.commit().await.unwrap();
        let mut r = store.read().await.unwrap();
        let (cursor, seen) = r.initiative_changes(&start, 100).await.unwrap();
        drop(r);
        // The slow one is not committed: not read, and not skipped either.
        assert!(seen.iter().all(|(id, _)| *id != slow.id), "{seen:?}");
        first.commit().await.unwrap();
        let mut r = store.read().await.unwrap();
        let (end, later) = r.initiative_changes(&cursor, 100).await.unwrap();
        assert!(end.at >= cursor.at);
        let mut all: Vec<InitiativeId> = seen.iter().chain(&later).map(|c| c.0).collect();
        all.sort_unstable();
        assert_eq!(all, vec![slow.id.min(quick.id), slow.id.max(quick.id)]);
        assert!(later.iter().any(|(id, l)| *id == slow.id && l.is_some()));
    }

    /// Two transactions that read what the other writes: the server gives
    /// one up, and the store says it is a conflict (to run again), not a
    /// failure.
    #[tokio::test]
    async fn a_write_skew_is_a_conflict() {
        let store = fresh().await;
        let a = person(&store, "a").await;
        let mut tx = store.begin().await.unwrap();
        let i = tx.insert_initiative(&idea(a.id, "Jardin")).await.unwrap();
        tx.commit().await.unwrap();
        let mut one = store.begin().await.unwrap();
        let mut two = store.begin().await.unwrap();
        let seen_by_one = one.initiative(i.id).await.unwrap().unwrap();
        let seen_by_two = two.initiative(i.id).await.unwrap().unwrap();
        let mut by_one = seen_by_one.clone();
        by_one.title = "Jardin partagé".into();
        one.update_initiative(&by_one).await.unwrap();
        one.commit().await.unwrap();
        let mut by_two = seen_by_two.clone();
        by_two.description = "Plus de bacs".into();
        let written = two.update_initiative(&by_two).await;
        let outcome = match written {
            Ok(()) => two.commit().await,
            Err(e) => Err(e),
        };
        assert!(
            matches!(outcome, Err(StoreError::Conflict(_))),
            "{outcome:?}"
        );
        // The first write stands, whole.
        let mut r = store.read().await.unwrap();
        let now = r.initiative(i.id).await.unwrap().unwrap();
        assert_eq!(now.title, "Jardin partagé");
        assert_eq!(now.description, "Une description");
    }
}
