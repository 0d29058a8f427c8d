//! One SQLite transaction: the store's connection inside `BEGIN`, running the
//! statements of the port (written once for both SQL stores in
//! [`kohero_sql::tx`]) on the calling thread.

use std::sync::Arc;

use async_trait::async_trait;
use kohero_core::ports::{StoreError, StoreResult};
use kohero_sql::{Columns, Conn, Dialect, EachRow, How, Value};
use rusqlite::types::{ToSql, ToSqlOutput, ValueRef};
use rusqlite::{Connection, Row};
use tokio::sync::OwnedMutexGuard;

use crate::backend;
use crate::checkpoint::Checkpointer;

/// A transaction holds one of the store's connections until it commits or
/// is dropped; dropped uncommitted, it is rolled back at once.
pub struct SqliteConn {
    /// The connection (always `Some`: `begin` checked), inside a transaction.
    conn: OwnedMutexGuard<Option<Connection>>,
    open: bool,
    /// Told of each commit.
    checkpointer: Option<Arc<Checkpointer>>,
}

/// Its parts hold connections, clients or closures: shown by name only.
impl std::fmt::Debug for SqliteConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteConn").finish_non_exhaustive()
    }
}

impl SqliteConn {
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

    pub(crate) fn db(&self) -> StoreResult<&Connection> {
        self.conn
            .as_ref()
            .ok_or_else(|| StoreError::Backend("the store is closed".into()))
    }

    fn execute_now(&self, sql: &str, values: &[Value<'_>]) -> StoreResult<u64> {
        let mut stmt = self.db()?.prepare_cached(sql).map_err(backend)?;
        let n = stmt
            .execute(rusqlite::params_from_iter(values.iter().map(Param)))
            .map_err(backend)?;
        Ok(u64::try_from(n).unwrap_or(u64::MAX))
    }

    fn rows_now(&self, sql: &str, values: &[Value<'_>], each: &mut EachRow<'_>) -> StoreResult<()> {
        let mut stmt = self.db()?.prepare_cached(sql).map_err(backend)?;
        let mut rows = stmt
            .query(rusqlite::params_from_iter(values.iter().map(Param)))
            .map_err(backend)?;
        while let Some(r) = rows.next().map_err(backend)? {
            each(&Cols(r))?;
        }
        Ok(())
    }
}

impl Drop for SqliteConn {
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

/// A value as SQLite binds it: a list as one JSON array (`json_each`).
struct Param<'a>(&'a Value<'a>);

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            Value::Int(Some(v)) => ToSqlOutput::from(*v),
            Value::Real(Some(v)) => ToSqlOutput::from(*v),
            Value::Text(Some(s)) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Int(None) | Value::Real(None) | Value::Text(None) => {
                ToSqlOutput::Borrowed(ValueRef::Null)
            }
            Value::Ints(v) => ToSqlOutput::from(json(v)?),
            Value::Texts(v) => ToSqlOutput::from(json(v)?),
            Value::Json(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

/// A list as one JSON array.
fn json(list: &impl serde::Serialize) -> rusqlite::Result<String> {
    serde_json::to_string(list).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// A row's columns by name.
pub(crate) struct Cols<'a, 'r>(pub(crate) &'a Row<'r>);

impl Columns for Cols<'_, '_> {
    fn int(&self, col: &str) -> StoreResult<Option<i64>> {
        self.0.get(col).map_err(backend)
    }
    fn real(&self, col: &str) -> StoreResult<Option<f64>> {
        self.0.get(col).map_err(backend)
    }
    fn text(&self, col: &str) -> StoreResult<Option<String>> {
        self.0.get(col).map_err(backend)
    }
}

#[async_trait]
impl Conn for SqliteConn {
    const DIALECT: Dialect = Dialect::Sqlite;

    async fn execute(
        &mut self,
        sql: &'static str,
        values: &[Value<'_>],
        how: How,
    ) -> StoreResult<u64> {
        // A failed statement is undone by SQLite itself: no guard needed.
        if how.heavy {
            heavy(|| self.execute_now(sql, values))
        } else {
            self.execute_now(sql, values)
        }
    }

    async fn rows(
        &mut self,
        sql: &'static str,
        values: &[Value<'_>],
        how: How,
        each: &mut EachRow<'_>,
    ) -> StoreResult<()> {
        if how.heavy {
            heavy(|| self.rows_now(sql, values, each))
        } else {
            self.rows_now(sql, values, each)
        }
    }

    async fn run(&mut self, sql: &'static str) -> StoreResult<()> {
        self.db()?.execute_batch(sql).map_err(backend)
    }

    async fn commit(mut self) -> StoreResult<()> {
        // A failed COMMIT leaves the transaction open: the drop rolls it back.
        self.db()?.execute_batch("COMMIT").map_err(backend)?;
        self.open = false;
        if let Some(c) = &self.checkpointer {
            c.nudge();
        }
        Ok(())
    }
}
