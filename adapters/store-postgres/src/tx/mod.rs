//! One PostgreSQL transaction implementing the store port.

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
use sqlx::Postgres;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;

use crate::backend;
use crate::rows::{self, commune_code, get, lat_lon, ms};
use kohero_sql::statements::{self as sql, pg};

/// One transaction on one of the pool's connections; dropped uncommitted, it is
/// rolled back when the connection goes back to the pool.
pub struct PgTx {
    tx: sqlx::Transaction<'static, Postgres>,
}

/// Its parts hold connections, clients or closures: shown by name only.
impl std::fmt::Debug for PgTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgTx").finish_non_exhaustive()
    }
}

impl PgTx {
    pub(crate) fn new(tx: sqlx::Transaction<'static, Postgres>) -> Self {
        Self { tx }
    }
}

fn id_list(values: impl Iterator<Item = i64>) -> Vec<i64> {
    values.collect()
}

fn codes(communes: &[InseeCode]) -> Vec<String> {
    communes.iter().map(|c| c.as_str().to_owned()).collect()
}

fn limit_of(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn not_found(what: &str, n: u64) -> StoreResult<()> {
    if n == 0 {
        Err(StoreError::NotFound(what.to_owned()))
    } else {
        Ok(())
    }
}

impl PgTx {
    async fn communes(&mut self, actor: i64) -> StoreResult<Vec<InseeCode>> {
        self.all(
            sqlx::query("SELECT insee FROM actor_communes WHERE actor_id = $1 ORDER BY insee")
                .bind(actor),
            |r| commune_code(&get::<String>(r, "insee")?),
        )
        .await
    }

    /// Actors read by `q`, with the communes of those who speak for some.
    async fn actors(&mut self, q: Query<'_, Postgres, PgArguments>) -> StoreResult<Vec<Actor>> {
        let mut actors = self.all(q, |r| rows::actor(r, Vec::new())).await?;
        for a in &mut actors {
            // Citizens (nearly everyone who writes) speak for no commune: no query.
            if a.kind != ActorKind::Citizen {
                a.communes = self.communes(a.id.0).await?;
            }
        }
        Ok(actors)
    }

    /// Every row of a query, read back with `f`.
    async fn all<T>(
        &mut self,
        q: Query<'_, Postgres, PgArguments>,
        f: impl FnMut(&PgRow) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        q.fetch_all(&mut *self.tx)
            .await
            .map_err(backend)?
            .iter()
            .map(f)
            .collect()
    }

    /// The row of a query, if any, read back with `f`.
    async fn opt<T>(
        &mut self,
        q: Query<'_, Postgres, PgArguments>,
        f: impl FnOnce(&PgRow) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        q.fetch_optional(&mut *self.tx)
            .await
            .map_err(backend)?
            .as_ref()
            .map(f)
            .transpose()
    }

    /// Runs a write in a savepoint of its own, so that a broken constraint
    /// (`Duplicate`, `NotFound`) leaves the transaction usable, as on SQLite
    /// (PostgreSQL otherwise aborts the whole transaction). Returns how many
    /// rows it changed.
    async fn changes(&mut self, q: Query<'_, Postgres, PgArguments>) -> StoreResult<u64> {
        self.run("SAVEPOINT kohero_statement").await?;
        let r = q.execute(&mut *self.tx).await;
        self.settle(r).await.map(|done| done.rows_affected())
    }

    /// A write returning one row (`RETURNING`), in a savepoint like `changes`.
    async fn write_one<T>(
        &mut self,
        q: Query<'_, Postgres, PgArguments>,
        f: fn(&PgRow) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.run("SAVEPOINT kohero_statement").await?;
        let r = q.fetch_one(&mut *self.tx).await;
        f(&self.settle(r).await?)
    }

    /// A write returning one value, in a savepoint like `changes`.
    async fn write_scalar(&mut self, q: Query<'_, Postgres, PgArguments>) -> StoreResult<i64> {
        self.write_one(q, |r| get(r, "id")).await
    }

    /// Ends the statement's savepoint: kept on success, undone on failure.
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

    /// Runs a statement that returns nothing.
    async fn run(&mut self, sql: &'static str) -> StoreResult<()> {
        sqlx::query(sql)
            .execute(&mut *self.tx)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl Tx for PgTx {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        self.tx.commit().await.map_err(backend)
    }

    async fn savepoint(&mut self) -> StoreResult<()> {
        self.run("SAVEPOINT kohero_event").await
    }

    async fn rollback_to_savepoint(&mut self) -> StoreResult<()> {
        self.run("ROLLBACK TO kohero_event").await
    }

    async fn release_savepoint(&mut self) -> StoreResult<()> {
        self.run("RELEASE kohero_event").await
    }
}
