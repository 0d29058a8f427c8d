//! The ports: what core needs from the outside world. Stores implement [`Store`]
//! (SQLite and PostgreSQL, in their own crates; both pass the conformance suite
//! in `store_suite`); time comes from a [`Clock`].
//!
//! Every change the engine makes for one incoming message happens inside one
//! [`Tx`]: dropping it without [`Tx::commit`] rolls everything back, so a refusal
//! or a failure never leaves a partial write.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

mod adapter_state;
mod consultations;
mod democracy;
mod events;
mod files;
mod initiatives;
mod intake;
mod leases;
mod moderation;
mod needs;
mod network;
mod organisations;
mod outbox;
mod people;
mod projects;
mod rooms;
mod schedules;

pub use adapter_state::{AdapterState, AdapterStore, StateKey};
pub use consultations::Consultations;
pub use democracy::Democracy;
pub use events::Events;
pub use files::{FileShelf, Files, MEDIA_MAX};
pub use initiatives::Initiatives;
pub use intake::SeenUpdates;
pub use leases::Leases;
pub use moderation::Moderation;
pub use needs::Needs;
pub use network::{SendError, Sender, Sent, until_held};
pub use organisations::Organisations;
pub use outbox::{CLAIM_PER_CHAT, Outbox};
pub use people::People;
pub use projects::Projects;
pub use rooms::Rooms;
pub use schedules::Schedules;

/// Where a reader of a change log is (initiatives', actors'): what it has
/// read, in the store's own terms. SQLite has one writer at a time, so a
/// change's sequence number is its commit order: `at` is the last number
/// read, `read` stays empty. PostgreSQL's writers run side by side, and a
/// transaction may take a number and commit after a later one is read:
/// there `at` is a transaction horizon (every transaction below it has
/// ended and been read) and `read` the transactions above it already read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeCursor {
    pub at: i64,
    pub read: Vec<i64>,
}

/// The error a database driver (or the store itself) gave, kept whole as the
/// source of a [`StoreError::Backend`].
pub type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong inside a store. Users never see these details.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or answered with an error (the
    /// driver's error is the source).
    #[error("database error: {0}")]
    Backend(#[source] Source),
    /// A row the caller said exists does not (a bug or a concurrent delete).
    #[error("not found: {0}")]
    NotFound(String),
    /// A unique constraint refused the write (e.g. an identity already taken).
    #[error("duplicate: {0}")]
    Duplicate(String),
    /// A stored value could not be read back into the domain (corrupt row).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The transaction ran into a concurrent one and was given up (on
    /// PostgreSQL: a serialization failure or a deadlock); nothing of it is
    /// written, and the same work run again in a new transaction may pass.
    /// Never a reason to record work as failed: retry it (see
    /// [`crate::retry`]).
    #[error("concurrent transaction: {0}")]
    Conflict(String),
}

impl StoreError {
    /// Whether running the transaction again may succeed.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::Conflict(_))
    }
}

impl crate::retry::MayConflict for StoreError {
    fn is_conflict(&self) -> bool {
        StoreError::is_conflict(self)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A database of Kohero's state.
#[async_trait]
pub trait Store: Send + Sync {
    /// Starts a transaction. Its outcome is one a serial order of the
    /// transactions could have given: SQLite serialises writers; PostgreSQL
    /// runs it `SERIALIZABLE` and gives it up with [`StoreError::Conflict`]
    /// when another would make it otherwise (then run it again).
    async fn begin(&self) -> StoreResult<Box<dyn Tx>>;

    /// A writing transaction for work that row locks and unique keys keep
    /// right and that reads no range another transaction relies on: the
    /// outbox claim (`FOR UPDATE SKIP LOCKED`), the outcomes of sends, the
    /// creation of a batch's newcomers. On PostgreSQL
    /// it runs `REPEATABLE READ` (a row two write at once still gives one
    /// up: [`StoreError::Conflict`]) instead of `SERIALIZABLE`, whose
    /// predicate lock on the whole due index made every reply written
    /// meanwhile a conflict. Elsewhere the same as [`Store::begin`].
    async fn begin_rows(&self) -> StoreResult<Box<dyn Tx>> {
        self.begin().await
    }

    /// How many writing transactions may usefully run at once: 1 where the
    /// database has one writer at a time (SQLite: a second would only wait),
    /// more where writers run side by side (PostgreSQL). Intake splits a
    /// batch into as many lanes.
    fn concurrent_writers(&self) -> usize {
        1
    }

    /// Starts a read-only transaction (health, metrics, pure reads): one
    /// consistent snapshot, taken without waiting for writers or holding them
    /// up (on PostgreSQL no writers' lock; on SQLite a reader connection of its
    /// own). Its writes fail.
    async fn read(&self) -> StoreResult<Box<dyn Tx>>;
}

/// One transaction: every concern's port, committed or dropped together.
/// Methods that write return [`StoreError::NotFound`] when the row they change
/// does not exist; reads return `None` or an empty list instead.
#[async_trait]
pub trait Tx:
    People
    + Initiatives
    + Projects
    + Events
    + Outbox
    + SeenUpdates
    + Leases
    + Schedules
    + Rooms
    + Moderation
    + AdapterState
    + Organisations
    + Needs
    + Democracy
    + Consultations
    + Send
{
    async fn commit(self: Box<Self>) -> StoreResult<()>;

    /// Marks a point this transaction can come back to (one level).
    async fn savepoint(&mut self) -> StoreResult<()>;

    /// Undoes everything since the savepoint, which stays in place.
    async fn rollback_to_savepoint(&mut self) -> StoreResult<()>;

    /// Forgets the savepoint, keeping what was done since.
    async fn release_savepoint(&mut self) -> StoreResult<()>;
}

/// The time. Tests use a fixed or stepped clock.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
