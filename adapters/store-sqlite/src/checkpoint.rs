//! Copies the write-ahead log into the database on a thread of its own, so that
//! the commits serving people rarely do it themselves.
//!
//! In WAL mode every commit appends pages to the log; something must copy them
//! back into the database file and sync it (a checkpoint). SQLite's automatic
//! checkpoint runs inside the commit that finds the log past
//! `wal_autocheckpoint` pages, holding the store meanwhile: with one write
//! connection, every update arriving during those milliseconds waits (the
//! slowest percent of replies, docs/benchmarks.md). Here a second connection
//! runs passive checkpoints after commits, at most every [`PACE`]: passive
//! checkpoints never block the writer, and copy and sync the bulk of the log
//! off the serving path. A passive checkpoint cannot restart the log while the
//! writer keeps appending, so the writer's own automatic checkpoint stays as the
//! backstop that does; by then almost every page is already copied and synced,
//! so it is short.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// The least time between two background checkpoints.
const PACE: Duration = Duration::from_millis(50);

#[derive(Debug)]
pub(crate) struct Checkpointer {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

#[derive(Debug, Default)]
struct Shared {
    /// A commit happened since the last checkpoint began.
    dirty: AtomicBool,
    stop: AtomicBool,
}

impl Checkpointer {
    /// Opens a second connection to the database at `path` (already in WAL
    /// mode) and starts the thread.
    pub(crate) fn start(path: &str) -> Result<Self, String> {
        let conn = Connection::open(path).map_err(|e| e.to_string())?;
        // Never wait for a lock: a checkpoint that finds one busy is skipped.
        conn.busy_timeout(Duration::ZERO)
            .map_err(|e| e.to_string())?;
        let shared = Arc::new(Shared::default());
        let s = shared.clone();
        let thread = std::thread::Builder::new()
            .name("kohero-wal-checkpoint".into())
            .spawn(move || run(&conn, &s))
            .map_err(|e| e.to_string())?;
        Ok(Self {
            shared,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// A transaction committed: a checkpoint is due (within [`PACE`]).
    pub(crate) fn nudge(&self) {
        if !self.shared.dirty.swap(true, Ordering::AcqRel) {
            self.unpark();
        }
    }

    fn unpark(&self) {
        if let Some(t) = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            t.thread().unpark();
        }
    }

    /// Stops the thread (after the checkpoint in progress) and closes its
    /// connection.
    pub(crate) fn stop(&self) {
        self.shared.stop.store(true, Ordering::Release);
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(t) = thread {
            t.thread().unpark();
            if t.join().is_err() {
                tracing::error!("the WAL checkpoint thread panicked");
            }
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(conn: &Connection, shared: &Shared) {
    loop {
        if shared.stop.load(Ordering::Acquire) {
            return;
        }
        if !shared.dirty.swap(false, Ordering::AcqRel) {
            // Woken by the next commit, or to stop (an unpark between the swap
            // and this park makes it return at once).
            std::thread::park();
            continue;
        }
        let r = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        });
        match r {
            Ok((busy, log, copied)) => {
                tracing::trace!(busy, log, copied, "background WAL checkpoint");
            }
            Err(e) => tracing::debug!(error = %e, "background WAL checkpoint skipped"),
        }
        // Pace (woken early only to stop).
        let until = Instant::now() + PACE;
        while !shared.stop.load(Ordering::Acquire) {
            let Some(left) = until.checked_duration_since(Instant::now()) else {
                break;
            };
            std::thread::park_timeout(left);
        }
    }
}
