//! Checkpoints the WAL from a thread of its own, on a connection of its own.
//!
//! SQLite's automatic checkpoint runs inside the commit that crosses the
//! threshold: that commit copies the log into the database and syncs the file
//! while it holds the store's only connection, and every update waiting behind
//! it waits too (the slowest percent of Telegram updates were those). A passive
//! checkpoint on another connection copies the same pages without taking the
//! write lock, so transactions go on meanwhile; the log restarts from its
//! beginning once a checkpoint has caught up.

use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

/// How often the log is checkpointed.
const EVERY: Duration = Duration::from_millis(500);

#[derive(Debug)]
pub struct Checkpointer {
    stop: Sender<()>,
    thread: JoinHandle<()>,
}

impl Checkpointer {
    pub fn start(path: PathBuf) -> std::io::Result<Self> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("kohero-sqlite-checkpoint".into())
            .spawn(move || {
                let conn = match Connection::open(&path)
                    .and_then(|c| c.busy_timeout(Duration::from_secs(1)).map(|()| c))
                {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::error!(error = %e, "cannot open the database to checkpoint it");
                        return;
                    }
                };
                loop {
                    match stopped.recv_timeout(EVERY) {
                        Err(RecvTimeoutError::Timeout) => {}
                        // Closing: the store's connection checkpoints last.
                        Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
                    }
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    {
                        tracing::warn!(error = %e, "checkpointing the SQLite log");
                    }
                }
            })?;
        Ok(Self { stop, thread })
    }

    /// Stops the thread and closes its connection.
    pub fn stop(self) {
        let _ = self.stop.send(());
        if self.thread.join().is_err() {
            tracing::warn!("the checkpoint thread panicked");
        }
    }
}
