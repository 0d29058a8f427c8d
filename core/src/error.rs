//! What goes wrong that is not the person's doing: the engine's error.

use crate::i18n::CatalogError;
use crate::places::gazetteer::DataError;
use crate::ports::StoreError;

/// A failure that is not the person's doing. Adapters log it and answer with
/// `Engine::internal_error_reply`.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Places(#[from] &'static DataError),
    /// `handle_event` needs the network's event id.
    #[error("an event from a network must carry its id")]
    NoEventId,
    /// Handling panicked (a bug): nothing of it was written.
    #[error("handling failed: {0}")]
    Failed(String),
    /// Scheduled work was refused as if someone had typed something wrong (a
    /// bug: nobody typed anything); the catalogue's message id.
    #[error("scheduled work refused: {0}")]
    ScheduledRefusal(String),
}

impl EngineError {
    /// A transaction given up for a concurrent one: the work may be run again.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(e) if e.is_conflict())
    }
}

impl crate::retry::MayConflict for EngineError {
    fn is_conflict(&self) -> bool {
        EngineError::is_conflict(self)
    }
}
