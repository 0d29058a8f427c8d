//! One PostgreSQL transaction: a pooled connection inside `BEGIN`, running
//! the statements of the port (written once for both SQL stores in
//! [`kohero_sql::tx`]) with sqlx.

use async_trait::async_trait;
use kohero_core::ports::StoreResult;
use kohero_sql::statements::pg;
use kohero_sql::{Columns, Conn, Dialect, EachRow, How, Value};
use sqlx::Postgres;
use sqlx::Row;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;

use crate::backend;

/// One transaction on one of the pool's connections; dropped uncommitted, it
/// is rolled back when the connection goes back to the pool.
pub struct PgConn {
    tx: sqlx::Transaction<'static, Postgres>,
}

/// Its parts hold connections, clients or closures: shown by name only.
impl std::fmt::Debug for PgConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgConn").finish_non_exhaustive()
    }
}

impl PgConn {
    pub(crate) fn new(tx: sqlx::Transaction<'static, Postgres>) -> Self {
        Self { tx }
    }

    /// Ends a guarded statement's savepoint: kept on success, undone on failure.
    async fn settle<T>(&mut self, r: Result<T, sqlx::Error>) -> StoreResult<T> {
        match r {
            Ok(v) => {
                self.run("RELEASE kohero_statement").await?;
                Ok(v)
            }
            Err(e) => {
                self.run("ROLLBACK TO kohero_statement").await?;
                self.run("RELEASE kohero_statement").await?;
                Err(backend(e))
            }
        }
    }
}

/// `sql` with its values bound, as PostgreSQL types them (nulls typed, lists
/// as arrays).
fn query<'q>(sql: &'static str, values: &'q [Value<'q>]) -> Query<'q, Postgres, PgArguments> {
    let mut q = sqlx::query(pg(sql));
    for v in values {
        q = match v {
            Value::Int(v) => q.bind(*v),
            Value::Real(v) => q.bind(*v),
            Value::Text(v) => q.bind(*v),
            Value::Ints(v) => q.bind(v.as_slice()),
            Value::Texts(v) => q.bind(v.as_slice()),
            Value::Json(v) => q.bind(v.as_str()),
        };
    }
    q
}

/// A row's columns by name.
struct Cols<'a>(&'a PgRow);

impl Columns for Cols<'_> {
    fn int(&self, col: &str) -> StoreResult<Option<i64>> {
        self.0.try_get(col).map_err(backend)
    }
    fn real(&self, col: &str) -> StoreResult<Option<f64>> {
        self.0.try_get(col).map_err(backend)
    }
    fn text(&self, col: &str) -> StoreResult<Option<String>> {
        self.0.try_get(col).map_err(backend)
    }
}

#[async_trait]
impl Conn for PgConn {
    const DIALECT: Dialect = Dialect::Postgres;

    /// A guarded write runs in a savepoint of its own, so that a broken
    /// constraint (`Duplicate`, `NotFound`) leaves the transaction usable, as
    /// on SQLite (PostgreSQL otherwise aborts the whole transaction).
    async fn execute(
        &mut self,
        sql: &'static str,
        values: &[Value<'_>],
        how: How,
    ) -> StoreResult<u64> {
        if !how.guarded {
            let done = query(sql, values)
                .execute(&mut *self.tx)
                .await
                .map_err(backend)?;
            return Ok(done.rows_affected());
        }
        self.run("SAVEPOINT kohero_statement").await?;
        let r = query(sql, values).execute(&mut *self.tx).await;
        self.settle(r).await.map(|done| done.rows_affected())
    }

    async fn rows(
        &mut self,
        sql: &'static str,
        values: &[Value<'_>],
        how: How,
        each: &mut EachRow<'_>,
    ) -> StoreResult<()> {
        let rows = if how.guarded {
            self.run("SAVEPOINT kohero_statement").await?;
            let r = query(sql, values).fetch_all(&mut *self.tx).await;
            self.settle(r).await?
        } else {
            query(sql, values)
                .fetch_all(&mut *self.tx)
                .await
                .map_err(backend)?
        };
        for r in &rows {
            each(&Cols(r))?;
        }
        Ok(())
    }

    async fn run(&mut self, sql: &'static str) -> StoreResult<()> {
        sqlx::query(sql)
            .execute(&mut *self.tx)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn commit(self) -> StoreResult<()> {
        self.tx.commit().await.map_err(backend)
    }
}
