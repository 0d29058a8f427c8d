//! One SQLite transaction implementing the store port.

mod adapter_state;
mod initiatives;
mod intake;
mod leases;
mod outbox;
mod people;
mod projects;
mod rooms;
mod schedules;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kohero_core::domain::*;
use kohero_core::geo::BoundingBox;
use kohero_core::places::Located;
use kohero_core::ports::{
    AdapterState, Initiatives, Leases, Outbox, People, Projects, Rooms, Schedules, SeenUpdates,
    StoreError, StoreResult, Tx,
};
use kohero_core::text::search_document;
use rusqlite::{Connection, Params, Row, params};
use tokio::sync::OwnedMutexGuard;

use std::sync::Arc;

use crate::backend;
use crate::checkpoint::Checkpointer;
use crate::rows::{self, commune_code, get, lat_lon, ms};
use kohero_sql::statements as sql;

/// A transaction holds the store's one connection until it commits or is
/// dropped; dropped uncommitted, it is rolled back at once.
pub struct SqliteTx {
    /// The store's connection (always `Some`: `begin` checked), inside a
    /// transaction.
    conn: OwnedMutexGuard<Option<Connection>>,
    open: bool,
    /// Told of each commit.
    checkpointer: Option<Arc<Checkpointer>>,
}

/// Its parts hold connections, clients or closures: shown by name only.
impl std::fmt::Debug for SqliteTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteTx").finish_non_exhaustive()
    }
}

impl SqliteTx {
    pub(crate) fn new(
        conn: OwnedMutexGuard<Option<Connection>>,
        checkpointer: Option<Arc<Checkpointer>>,
    ) -> Self {
        Self {
            conn,
            open: true,
            checkpointer,
        }
    }
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        if self.open
            && let Some(db) = self.conn.as_ref()
            && let Err(e) = db.execute_batch("ROLLBACK")
        {
            tracing::warn!(error = %e, "rolling back a SQLite transaction");
        }
    }
}

/// Runs a statement that reads or writes a large part of the database: on a
/// multi-threaded runtime the thread's other tasks move elsewhere meanwhile.
/// (Ordinary statements take microseconds and run in place.)
pub(crate) fn heavy<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// A list bound as one JSON array (read back with `json_each`): one statement
/// whatever the number of values.
fn json_list<T: Into<serde_json::Value>>(values: impl Iterator<Item = T>) -> String {
    serde_json::Value::Array(values.map(Into::into).collect()).to_string()
}

fn not_found(what: &str, n: u64) -> StoreResult<()> {
    if n == 0 {
        Err(StoreError::NotFound(what.to_owned()))
    } else {
        Ok(())
    }
}

fn limit_of(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl SqliteTx {
    fn db(&self) -> StoreResult<&Connection> {
        self.conn
            .as_ref()
            .ok_or_else(|| StoreError::Backend("the store is closed".into()))
    }

    /// Every row of a query, read back with `f`.
    fn all<T>(
        &self,
        sql: &str,
        params: impl Params,
        mut f: impl FnMut(&Row<'_>) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        let mut stmt = self.db()?.prepare_cached(sql).map_err(backend)?;
        let mut rows = stmt.query(params).map_err(backend)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(backend)? {
            out.push(f(r)?);
        }
        Ok(out)
    }

    /// The first row of a query, if any, read back with `f`.
    fn opt<T>(
        &self,
        sql: &str,
        params: impl Params,
        f: impl FnOnce(&Row<'_>) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        let mut stmt = self.db()?.prepare_cached(sql).map_err(backend)?;
        let mut rows = stmt.query(params).map_err(backend)?;
        match rows.next().map_err(backend)? {
            Some(r) => f(r).map(Some),
            None => Ok(None),
        }
    }

    /// The row a statement must return (`RETURNING`), read back with `f`.
    fn one<T>(
        &self,
        sql: &str,
        params: impl Params,
        f: impl FnOnce(&Row<'_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.opt(sql, params, f)?
            .ok_or_else(|| StoreError::Backend("the statement returned no row".into()))
    }

    /// Runs a write; returns how many rows it changed.
    fn changes(&self, sql: &str, params: impl Params) -> StoreResult<u64> {
        let mut stmt = self.db()?.prepare_cached(sql).map_err(backend)?;
        let n = stmt.execute(params).map_err(backend)?;
        Ok(u64::try_from(n).unwrap_or(u64::MAX))
    }

    fn communes(&self, actor: i64) -> StoreResult<Vec<InseeCode>> {
        self.all(
            "SELECT insee FROM actor_communes WHERE actor_id = ? ORDER BY insee",
            [actor],
            |r| commune_code(&get::<String>(r, "insee")?),
        )
    }

    /// Actors read by `sql`, with the communes of those who speak for some.
    fn actors(&self, sql: &str, params: impl Params) -> StoreResult<Vec<Actor>> {
        let mut actors = self.all(sql, params, |r| rows::actor(r, Vec::new()))?;
        for a in &mut actors {
            // Citizens (nearly everyone who writes) speak for no commune: no query.
            if a.kind != ActorKind::Citizen {
                a.communes = self.communes(a.id.0)?;
            }
        }
        Ok(actors)
    }
}

#[async_trait]
impl Tx for SqliteTx {
    async fn commit(mut self: Box<Self>) -> StoreResult<()> {
        // A failed COMMIT leaves the transaction open: the drop rolls it back.
        self.db()?.execute_batch("COMMIT").map_err(backend)?;
        self.open = false;
        if let Some(c) = &self.checkpointer {
            c.nudge();
        }
        Ok(())
    }

    async fn savepoint(&mut self) -> StoreResult<()> {
        self.db()?
            .execute_batch("SAVEPOINT kohero_event")
            .map_err(backend)
    }

    async fn rollback_to_savepoint(&mut self) -> StoreResult<()> {
        self.db()?
            .execute_batch("ROLLBACK TO kohero_event")
            .map_err(backend)
    }

    async fn release_savepoint(&mut self) -> StoreResult<()> {
        self.db()?
            .execute_batch("RELEASE kohero_event")
            .map_err(backend)
    }
}
