//! One PostgreSQL transaction: a pooled connection inside `BEGIN`, running
//! the statements of the port (written once for both SQL stores in
//! [`kohero_sql::tx`]) with sqlx.

use async_trait::async_trait;
use kohero_core::ports::StoreResult;
use kohero_sql::statements::pg;
use kohero_sql::tx::{EVENT_RELEASE, EVENT_SAVEPOINT};
use kohero_sql::{Columns, Conn, Dialect, EachRow, How, Value};
use sqlx::Postgres;
use sqlx::Row;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;

use crate::backend;

/// An event's release and the next one's opening, in one exchange.
const RELEASE_THEN_SAVEPOINT: &str = "RELEASE kohero_event; SAVEPOINT kohero_event";

/// Exchanges with the server so far, in this process: each statement, each
/// `BEGIN`, `COMMIT` and rollback (`kohero_store_round_trips_total`).
pub(crate) static ROUND_TRIPS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Counts one exchange with the server.
pub(crate) fn round_trip() {
    ROUND_TRIPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// One transaction on one of the pool's connections; dropped uncommitted, it
/// is rolled back when the connection goes back to the pool.
pub struct PgConn {
    tx: sqlx::Transaction<'static, Postgres>,
    /// A guarded statement's savepoint is still open, the newest savepoint
    /// of the transaction: the next guarded statement releases it in the
    /// same exchange as it opens its own.
    statement_savepoint: bool,
    /// The engine released an event's savepoint and nothing ran since: the
    /// release goes with the next event's savepoint, in one exchange, or
    /// with the commit (which releases every savepoint).
    event_released: bool,
    /// A statement failed outside a savepoint of its own: PostgreSQL refuses
    /// everything but a rollback to a savepoint until then (`Some(true)`
    /// when that failure was a conflict). Held-back releases and the commit
    /// say so rather than pass for done.
    aborted: Option<bool>,
    /// A writer's turn (see `PgStore::begin`), given back when the
    /// transaction ends.
    _turn: Option<tokio::sync::OwnedSemaphorePermit>,
}

/// Its parts hold connections, clients or closures: shown by name only.
impl std::fmt::Debug for PgConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgConn").finish_non_exhaustive()
    }
}

impl PgConn {
    /// `tx` has just begun: two exchanges, its `BEGIN` and its end
    /// (`COMMIT`, or the rollback when it is dropped).
    pub(crate) fn new(tx: sqlx::Transaction<'static, Postgres>) -> Self {
        round_trip();
        round_trip();
        Self {
            tx,
            statement_savepoint: false,
            event_released: false,
            aborted: None,
            _turn: None,
        }
    }

    /// Holds a writer's turn until the transaction ends.
    pub(crate) fn with_turn(mut self, turn: Option<tokio::sync::OwnedSemaphorePermit>) -> Self {
        self._turn = turn;
        self
    }

    /// Opens a guarded statement's savepoint. The previous one, if still
    /// open and the newest, is released in the same exchange (one round
    /// trip, not two); a savepoint left open is released with the enclosing
    /// one or at commit.
    async fn open_statement_savepoint(&mut self) -> StoreResult<()> {
        self.flush_release().await?;
        round_trip();
        let sql = if self.statement_savepoint {
            "RELEASE kohero_statement; SAVEPOINT kohero_statement"
        } else {
            "SAVEPOINT kohero_statement"
        };
        sqlx::raw_sql(sql)
            .execute(&mut *self.tx)
            .await
            .map_err(backend)?;
        self.statement_savepoint = true;
        Ok(())
    }

    /// The error a statement of an aborted transaction gets here.
    fn refuse_aborted(&self) -> StoreResult<()> {
        match self.aborted {
            None => Ok(()),
            Some(true) => Err(kohero_core::ports::StoreError::Conflict(
                "the transaction was given up by an earlier statement".into(),
            )),
            Some(false) => Err(kohero_core::ports::StoreError::Backend(
                "the transaction was aborted by an earlier failed statement".into(),
            )),
        }
    }

    /// Notes that an unguarded statement failed (see `aborted`).
    fn failed(&mut self, e: sqlx::Error) -> kohero_core::ports::StoreError {
        let e = backend(e);
        self.aborted = Some(e.is_conflict());
        e
    }

    /// Sends an event savepoint's release held back (see `event_released`).
    async fn flush_release(&mut self) -> StoreResult<()> {
        if std::mem::take(&mut self.event_released) {
            self.refuse_aborted()?;
            round_trip();
            sqlx::raw_sql(EVENT_RELEASE)
                .execute(&mut *self.tx)
                .await
                .map_err(backend)?;
        }
        Ok(())
    }

    /// Ends a guarded statement: on success its savepoint stays open (see
    /// [`Self::open_statement_savepoint`]); on failure it is undone.
    async fn settle<T>(&mut self, r: Result<T, sqlx::Error>) -> StoreResult<T> {
        match r {
            Ok(v) => Ok(v),
            Err(e) => {
                round_trip();
                sqlx::raw_sql("ROLLBACK TO kohero_statement")
                    .execute(&mut *self.tx)
                    .await
                    .map_err(backend)?;
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
            self.flush_release().await?;
            round_trip();
            let done = query(sql, values).execute(&mut *self.tx).await;
            return done.map(|d| d.rows_affected()).map_err(|e| self.failed(e));
        }
        self.open_statement_savepoint().await?;
        round_trip();
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
            self.open_statement_savepoint().await?;
            round_trip();
            let r = query(sql, values).fetch_all(&mut *self.tx).await;
            self.settle(r).await?
        } else {
            self.flush_release().await?;
            round_trip();
            let r = query(sql, values).fetch_all(&mut *self.tx).await;
            r.map_err(|e| self.failed(e))?
        };
        for r in &rows {
            each(&Cols(r))?;
        }
        Ok(())
    }

    /// Statements without values: the engine's and the port methods'
    /// savepoints. Any of them leaves the guarded statement's savepoint no
    /// longer the newest, or gone: it is not released by name afterwards.
    ///
    /// An event's release waits for what comes next: the next event's
    /// savepoint (both go in one exchange) or the commit (nothing to send).
    async fn run(&mut self, sql: &'static str) -> StoreResult<()> {
        self.statement_savepoint = false;
        if sql == EVENT_RELEASE && !self.event_released {
            self.event_released = true;
            return Ok(());
        }
        let sql = if sql == EVENT_SAVEPOINT && self.event_released {
            self.refuse_aborted()?;
            self.event_released = false;
            RELEASE_THEN_SAVEPOINT
        } else {
            self.flush_release().await?;
            sql
        };
        round_trip();
        let r = sqlx::raw_sql(sql).execute(&mut *self.tx).await;
        match r {
            Ok(_) => {
                if sql.starts_with("ROLLBACK TO") {
                    self.aborted = None;
                }
                Ok(())
            }
            Err(e) => Err(self.failed(e)),
        }
    }

    /// A transaction an earlier failure aborted is not committed (PostgreSQL
    /// would answer the commit with a rollback, and no error).
    async fn commit(self) -> StoreResult<()> {
        self.refuse_aborted()?;
        self.tx.commit().await.map_err(backend)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_combined_exchange_is_the_two_statements_it_replaces() {
        assert_eq!(
            RELEASE_THEN_SAVEPOINT,
            format!("{EVENT_RELEASE}; {EVENT_SAVEPOINT}")
        );
    }
}
