//! The store port, implemented once for both SQL stores over a [`Conn`]: one
//! file per port, each method a statement or a few (their texts in
//! [`crate::statements`]). A store's transaction is `SqlTx<its connection>`.

mod adapter_state;
mod consultations;
mod democracy;
mod events;
mod initiatives;
mod intake;
mod leases;
mod moderation;
mod needs;
mod organisations;
mod outbox;
mod people;
mod projects;
mod rooms;
mod schedules;

use async_trait::async_trait;
use kohero_core::domain::{Actor, ActorKind, InseeCode};
use kohero_core::ports::{ChangeCursor, StoreError, StoreResult, Tx};

use crate::exec::{Conn, Dialect, How, Sql, Value};
use crate::{Columns, commune_code, get};

/// One transaction of a SQL store.
#[derive(Debug)]
pub struct SqlTx<C> {
    conn: C,
}

impl<C: Conn> SqlTx<C> {
    pub fn new(conn: C) -> Self {
        Self { conn }
    }

    fn text(sql: impl Into<Sql>) -> &'static str {
        sql.into().text(C::DIALECT)
    }

    fn dialect() -> Dialect {
        C::DIALECT
    }

    async fn rows_how<T: Send>(
        &mut self,
        sql: impl Into<Sql>,
        values: &[Value<'_>],
        how: How,
        mut f: impl FnMut(&dyn Columns) -> StoreResult<T> + Send,
    ) -> StoreResult<Vec<T>> {
        let mut out = Vec::new();
        self.conn
            .rows(Self::text(sql), values, how, &mut |r| {
                out.push(f(r)?);
                Ok(())
            })
            .await?;
        Ok(out)
    }

    /// Every row of a query, read back with `f`.
    async fn all<T: Send>(
        &mut self,
        sql: impl Into<Sql>,
        values: &[Value<'_>],
        f: impl FnMut(&dyn Columns) -> StoreResult<T> + Send,
    ) -> StoreResult<Vec<T>> {
        self.rows_how(sql, values, How::PLAIN, f).await
    }

    /// Every row of a query that reads a large part of the database.
    async fn all_heavy<T: Send>(
        &mut self,
        sql: impl Into<Sql>,
        values: &[Value<'_>],
        f: impl FnMut(&dyn Columns) -> StoreResult<T> + Send,
    ) -> StoreResult<Vec<T>> {
        self.rows_how(sql, values, How::HEAVY, f).await
    }

    /// The first row of a query, if any, read back with `f`.
    async fn opt<T: Send>(
        &mut self,
        sql: impl Into<Sql>,
        values: &[Value<'_>],
        f: impl FnMut(&dyn Columns) -> StoreResult<T> + Send,
    ) -> StoreResult<Option<T>> {
        Ok(self.all(sql, values, f).await?.into_iter().next())
    }

    /// The row a query must return, read back with `f`.
    async fn one<T: Send>(
        &mut self,
        sql: impl Into<Sql>,
        values: &[Value<'_>],
        f: impl FnMut(&dyn Columns) -> StoreResult<T> + Send,
    ) -> StoreResult<T> {
        self.opt(sql, values, f).await?.ok_or_else(no_row)
    }

    /// The row a write returns (`RETURNING`), the write guarded.
    async fn write_one<T: Send>(
        &mut self,
        sql: impl Into<Sql>,
        values: &[Value<'_>],
        f: impl FnMut(&dyn Columns) -> StoreResult<T> + Send,
    ) -> StoreResult<T> {
        self.rows_how(sql, values, How::GUARDED, f)
            .await?
            .into_iter()
            .next()
            .ok_or_else(no_row)
    }

    /// A write that may break a constraint; returns how many rows it changed.
    async fn changes(&mut self, sql: impl Into<Sql>, values: &[Value<'_>]) -> StoreResult<u64> {
        self.conn
            .execute(Self::text(sql), values, How::GUARDED)
            .await
    }

    /// A write that cannot break a constraint, or touches many rows.
    async fn run(
        &mut self,
        sql: impl Into<Sql>,
        values: &[Value<'_>],
        how: How,
    ) -> StoreResult<u64> {
        self.conn.execute(Self::text(sql), values, how).await
    }

    /// Opens a savepoint, ended by [`Self::settle`].
    async fn open_savepoint(&mut self, name: Savepoint) -> StoreResult<()> {
        self.conn.run(name.begin()).await
    }

    /// Ends a savepoint: kept when `r` is a success, undone otherwise.
    async fn settle<T>(&mut self, name: Savepoint, r: StoreResult<T>) -> StoreResult<T> {
        match r {
            Ok(v) => {
                self.conn.run(name.release()).await?;
                Ok(v)
            }
            Err(e) => {
                self.conn.run(name.rollback()).await?;
                self.conn.run(name.release()).await?;
                Err(e)
            }
        }
    }

    /// Where a reader of a change log starts: after every change this
    /// transaction sees (see [`ChangeCursor`]). `newest` is the SQLite
    /// statement (the last sequence number), `above` the PostgreSQL one (the
    /// transactions above the horizon that wrote changes).
    async fn change_cursor(
        &mut self,
        newest: &'static str,
        above: &'static str,
    ) -> StoreResult<ChangeCursor> {
        if C::DIALECT == Dialect::Sqlite {
            let at = self.one(newest, &[], |r| get(r, "seq")).await?;
            return Ok(ChangeCursor {
                at,
                read: Vec::new(),
            });
        }
        let at: i64 = self
            .one(crate::statements::initiatives::CHANGES_HORIZON, &[], |r| {
                get(r, "seq")
            })
            .await?;
        let mut read: Vec<i64> = self.all(above, &values![at], |r| get(r, "seq")).await?;
        read.sort_unstable();
        Ok(ChangeCursor { at, read })
    }

    /// The changes of a change log after `cursor`, at most about `limit`,
    /// each id once (its newest), and the cursor after them. SQLite has one
    /// writer at a time, so a change's sequence number (`by_seq`) is its
    /// commit order. PostgreSQL's writers run side by side: a transaction
    /// may take number 10 and commit after number 11 was read, so the
    /// cursor there is a transaction horizon and the transactions above it
    /// already read (migration 22): `by_transaction` reads the changes of
    /// the transactions from the horizon up but those, all committed since
    /// this transaction sees them; the horizon moves up to the snapshot's
    /// once a read is whole. A page never splits a transaction but one that
    /// wrote more than a page, read whole.
    async fn change_page<I, L, F>(
        &mut self,
        by_seq: &'static str,
        by_transaction: &'static str,
        cursor: &ChangeCursor,
        limit: usize,
        f: F,
    ) -> StoreResult<(ChangeCursor, Vec<(I, L)>)>
    where
        I: Copy + Eq + std::hash::Hash + Send,
        L: Send,
        F: Fn(&dyn Columns) -> StoreResult<(i64, I, L)> + Send + Sync,
    {
        if C::DIALECT == Dialect::Sqlite {
            let rows = self
                .all(by_seq, &values![cursor.at, limit_of(limit)], &f)
                .await?;
            let (at, changes) = crate::changes_after(cursor.at, rows);
            return Ok((
                ChangeCursor {
                    at,
                    read: Vec::new(),
                },
                changes,
            ));
        }
        let horizon: i64 = self
            .one(crate::statements::initiatives::CHANGES_HORIZON, &[], |r| {
                get(r, "seq")
            })
            .await?;
        let page = [
            Value::from(cursor.at),
            Value::from(i64::MAX),
            Value::Ints(cursor.read.clone()),
            Value::from(limit_of(limit.saturating_add(1))),
        ];
        let mut rows = self.all(by_transaction, &page, &f).await?;
        let at = match rows.get(limit).map(|r| r.0) {
            // Everything this transaction sees is read: up to its horizon.
            None => horizon.max(cursor.at),
            // One transaction wrote more than a page: all of it.
            Some(cut) if rows.first().is_some_and(|r| r.0 == cut) => {
                let whole = [
                    Value::from(cut),
                    Value::from(cut.saturating_add(1)),
                    Value::Ints(cursor.read.clone()),
                    Value::from(i64::MAX),
                ];
                rows = self.all(by_transaction, &whole, &f).await?;
                cursor.at
            }
            // The transaction the page would split: next time.
            Some(cut) => {
                rows.retain(|r| r.0 < cut);
                cursor.at
            }
        };
        let mut read: Vec<i64> = cursor
            .read
            .iter()
            .copied()
            .chain(rows.iter().map(|r| r.0))
            .collect();
        read.sort_unstable();
        read.dedup();
        read.retain(|x| *x >= at);
        let (_, changes) = crate::changes_after(cursor.at, rows);
        Ok((ChangeCursor { at, read }, changes))
    }

    /// Actors read by `sql`, with the communes of those who speak for some.
    async fn actors(
        &mut self,
        sql: impl Into<Sql>,
        values: &[Value<'_>],
    ) -> StoreResult<Vec<Actor>> {
        let mut actors = self
            .all(sql, values, |r| crate::actor(r, Vec::new()))
            .await?;
        for a in &mut actors {
            // Citizens (nearly everyone who writes) speak for no commune: no query.
            if a.kind != ActorKind::Citizen {
                a.communes = self.communes(a.id.0).await?;
            }
        }
        Ok(actors)
    }

    async fn communes(&mut self, actor: i64) -> StoreResult<Vec<InseeCode>> {
        self.all(crate::statements::people::COMMUNES, &values![actor], |r| {
            commune_code(&get::<String>(r, "insee")?)
        })
        .await
    }
}

/// The savepoints a transaction takes: one per event of a batch (the
/// engine's), one around a port method that writes several rows.
#[derive(Debug, Clone, Copy)]
enum Savepoint {
    Event,
    Method,
}

impl Savepoint {
    fn begin(self) -> &'static str {
        match self {
            Self::Event => EVENT_SAVEPOINT,
            Self::Method => "SAVEPOINT kohero_method",
        }
    }
    fn rollback(self) -> &'static str {
        match self {
            Self::Event => "ROLLBACK TO kohero_event",
            Self::Method => "ROLLBACK TO kohero_method",
        }
    }
    fn release(self) -> &'static str {
        match self {
            Self::Event => EVENT_RELEASE,
            Self::Method => "RELEASE kohero_method",
        }
    }
}

/// How an event's savepoint is opened, as a connection receives it
/// ([`Conn::run`]): a connection may send its release with the next
/// opening (PostgreSQL's does, one exchange instead of two).
pub const EVENT_SAVEPOINT: &str = "SAVEPOINT kohero_event";
/// How an event's savepoint is released (see [`EVENT_SAVEPOINT`]).
pub const EVENT_RELEASE: &str = "RELEASE kohero_event";

fn no_row() -> StoreError {
    StoreError::Backend("the statement returned no row".into())
}

pub(crate) fn not_found(what: &str, n: u64) -> StoreResult<()> {
    if n == 0 {
        Err(StoreError::NotFound(what.to_owned()))
    } else {
        Ok(())
    }
}

pub(crate) fn limit_of(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn count(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

#[async_trait]
impl<C: Conn> Tx for SqlTx<C> {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        self.conn.commit().await
    }

    async fn savepoint(&mut self) -> StoreResult<()> {
        self.open_savepoint(Savepoint::Event).await
    }

    async fn rollback_to_savepoint(&mut self) -> StoreResult<()> {
        self.conn.run(Savepoint::Event.rollback()).await
    }

    async fn release_savepoint(&mut self) -> StoreResult<()> {
        self.conn.run(Savepoint::Event.release()).await
    }
}
