//! What a SQL store gives the port implementations of [`crate::tx`]: a
//! connection inside a transaction that runs one statement with its values
//! and hands back its rows column by column ([`Conn`]). The port methods are
//! written once over it; each store only says how its driver binds a value,
//! reads a column, and guards a write.

use async_trait::async_trait;
use kohero_core::ports::StoreResult;

use crate::Columns;

/// Which SQL a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A statement: the same text for both dialects (numbered parameters `?N`,
/// see [`crate::statements::pg`]), or one text for each where they differ.
#[derive(Debug, Clone, Copy)]
pub enum Sql {
    Same(&'static str),
    Each {
        sqlite: &'static str,
        postgres: &'static str,
    },
}

impl Sql {
    /// The text for `dialect`.
    pub fn text(self, dialect: Dialect) -> &'static str {
        match (self, dialect) {
            (Self::Same(s), _) => s,
            (Self::Each { sqlite, .. }, Dialect::Sqlite) => sqlite,
            (Self::Each { postgres, .. }, Dialect::Postgres) => postgres,
        }
    }
}

impl From<&'static str> for Sql {
    fn from(s: &'static str) -> Self {
        Self::Same(s)
    }
}

/// One value bound to a statement. Nulls keep their type (PostgreSQL types
/// every parameter).
#[derive(Debug, Clone)]
pub enum Value<'a> {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<&'a str>),
    /// A list matched with `IN (SELECT value FROM json_each(?N))`: one JSON
    /// array on SQLite, an array (`= ANY($N)`) on PostgreSQL.
    Ints(Vec<i64>),
    Texts(Vec<&'a str>),
    /// Rows for one statement that writes them all, as one JSON array of
    /// arrays (`json_each` on SQLite, `jsonb_array_elements` on PostgreSQL).
    Json(String),
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value<'_> {
            fn from(v: $t) -> Self {
                Self::Int(Some(i64::from(v)))
            }
        }
        impl From<Option<$t>> for Value<'_> {
            fn from(v: Option<$t>) -> Self {
                Self::Int(v.map(i64::from))
            }
        }
    )*};
}
from_int!(i64, u32, bool);

impl From<f64> for Value<'_> {
    fn from(v: f64) -> Self {
        Self::Real(Some(v))
    }
}

impl From<Option<f64>> for Value<'_> {
    fn from(v: Option<f64>) -> Self {
        Self::Real(v)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(v: &'a str) -> Self {
        Self::Text(Some(v))
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(v: &'a String) -> Self {
        Self::Text(Some(v))
    }
}

impl<'a> From<Option<&'a str>> for Value<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Self::Text(v)
    }
}

impl<'a> From<&'a Option<String>> for Value<'a> {
    fn from(v: &'a Option<String>) -> Self {
        Self::Text(v.as_deref())
    }
}

impl<'a> From<&'a std::borrow::Cow<'_, str>> for Value<'a> {
    fn from(v: &'a std::borrow::Cow<'_, str>) -> Self {
        Self::Text(Some(v))
    }
}

/// The values of one statement, in the order of their numbers:
/// `values![a, b]` is `[Value::from(a), Value::from(b)]`.
#[macro_export]
macro_rules! values {
    ($($v:expr),* $(,)?) => {
        [$($crate::exec::Value::from($v)),*]
    };
}

/// How a statement runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct How {
    /// A write that may break a constraint (`Duplicate`, `NotFound`): it must
    /// leave the transaction usable when it does (PostgreSQL runs it in a
    /// savepoint of its own; SQLite undoes a failed statement by itself).
    pub guarded: bool,
    /// Reads or writes a large part of the database: a store that runs
    /// statements on the calling thread lets the runtime move its other tasks
    /// elsewhere meanwhile.
    pub heavy: bool,
}

impl How {
    pub const PLAIN: Self = Self {
        guarded: false,
        heavy: false,
    };
    pub const GUARDED: Self = Self {
        guarded: true,
        heavy: false,
    };
    pub const HEAVY: Self = Self {
        guarded: false,
        heavy: true,
    };
}

/// Each row of a statement, handed over as it is read.
pub type EachRow<'f> = dyn FnMut(&dyn Columns) -> StoreResult<()> + Send + 'f;

/// A connection inside a transaction, as a store's driver runs it.
#[async_trait]
pub trait Conn: Send + std::fmt::Debug + 'static {
    const DIALECT: Dialect;

    /// Runs a statement; returns how many rows it changed.
    async fn execute(
        &mut self,
        sql: &'static str,
        values: &[Value<'_>],
        how: How,
    ) -> StoreResult<u64>;

    /// Runs a statement (a query, or a write with `RETURNING`), handing each
    /// row to `each`.
    async fn rows(
        &mut self,
        sql: &'static str,
        values: &[Value<'_>],
        how: How,
        each: &mut EachRow<'_>,
    ) -> StoreResult<()>;

    /// Runs a statement without values or rows (savepoints).
    async fn run(&mut self, sql: &'static str) -> StoreResult<()>;

    /// Commits the transaction.
    async fn commit(self) -> StoreResult<()>
    where
        Self: Sized;
}
