//! Files the networks keep (an image someone sent in a project's chat),
//! read by another network's sender to show them there: a relayed image is
//! re-uploaded, up to a size.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use async_trait::async_trait;

use super::SendError;
use crate::domain::Media;

/// The largest file re-uploaded by default: Telegram takes photos up to
/// 10 MB (and hands bots files up to 20 MB).
pub const MEDIA_MAX: u64 = 10 * 1024 * 1024;

/// A network's files.
#[async_trait]
pub trait Files: Send + Sync {
    /// The bytes of the file `source` (a Telegram `file_id`, a Matrix
    /// `mxc://` URI), when it is at most `max` bytes: `Ok(None)` when bigger.
    async fn fetch(&self, source: &str, max: u64) -> Result<Option<Vec<u8>>, SendError>;
}

/// Every network's files, by network name, and the largest re-uploaded.
pub struct FileShelf {
    networks: RwLock<HashMap<String, Arc<dyn Files>>>,
    max: u64,
}

impl Default for FileShelf {
    fn default() -> Self {
        Self::new(MEDIA_MAX)
    }
}

/// Its parts hold clients: shown by name only.
impl std::fmt::Debug for FileShelf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileShelf")
            .field("max", &self.max)
            .finish_non_exhaustive()
    }
}

impl FileShelf {
    pub fn new(max: u64) -> Self {
        Self {
            networks: RwLock::default(),
            max,
        }
    }

    /// `network`'s files can now be read.
    pub fn add(&self, network: &str, files: Arc<dyn Files>) {
        self.networks
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(network.to_owned(), files);
    }

    /// The bytes of `media`, kept by `network`, when it can be shown again
    /// elsewhere: that network's files are known here, the file is not too
    /// big, and it was read. `None` otherwise (said in the log): the file is
    /// then told by its name and size.
    pub async fn fetch(&self, network: &str, media: &Media) -> Option<Vec<u8>> {
        if media.size.is_some_and(|s| s > self.max) {
            return None;
        }
        let files = self
            .networks
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(network)
            .cloned()?;
        match files.fetch(&media.source, self.max).await {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::warn!(%network, error = %e, "a relayed file cannot be read: told by its name");
                None
            }
        }
    }
}
