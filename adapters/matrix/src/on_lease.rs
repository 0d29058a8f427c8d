//! The Matrix bot as one of several processes: the client, and with it
//! matrix-sdk's state and crypto store, is opened only while this process holds
//! the Matrix lease, and closed when it loses it, so two processes never use
//! the store at once (processes that may take the lease over share the store
//! directory).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use kohero_core::domain::Outgoing;
use kohero_core::inbox::Inbox;
use kohero_core::ports::{AdapterStore, SendError, Sender, Sent, until_held};
use tokio::sync::watch;

use crate::{Matrix, MatrixOptions, NETWORK};

/// How long to wait before connecting again after a failure.
const RETRY: Duration = Duration::from_secs(10);

/// A Matrix bot connected while the lease is held.
#[derive(Clone)]
pub struct MatrixOnLease {
    opts: MatrixOptions,
    store: AdapterStore,
    current: Arc<RwLock<Option<Matrix>>>,
}

/// Its parts hold connections, clients or closures: shown by name only.
impl std::fmt::Debug for MatrixOnLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MatrixOnLease").finish_non_exhaustive()
    }
}

impl MatrixOnLease {
    pub fn new(opts: MatrixOptions, store: AdapterStore) -> Self {
        Self {
            opts,
            store,
            current: Arc::default(),
        }
    }

    /// Set while the sync loop is connected (for `/readyz`).
    pub fn connected(&self) -> Arc<AtomicBool> {
        self.opts.connected.clone()
    }

    /// Sends through the client while connected; not ready otherwise.
    pub fn sender(&self) -> Arc<dyn Sender> {
        Arc::new(OnLeaseSender {
            current: self.current.clone(),
        })
    }

    /// Matrix's files (read through the current client), for other
    /// networks' senders.
    pub fn files(&self) -> Arc<dyn kohero_core::ports::Files> {
        Arc::new(MatrixFiles {
            current: self.current.clone(),
        })
    }

    fn set(&self, m: Option<Matrix>) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = m;
    }

    /// Until `stop`: whenever `held` turns true, connects (restoring the stored
    /// session, or logging in the first time), syncs until the lease is lost,
    /// then closes the client and its stores.
    pub async fn run(
        self,
        inbox: Arc<dyn Inbox>,
        mut stop: watch::Receiver<bool>,
        mut held: watch::Receiver<bool>,
    ) {
        loop {
            if !until_held(&mut held, &mut stop).await {
                break;
            }
            let m = match Matrix::connect(self.opts.clone(), self.store.clone()).await {
                Ok(m) => m,
                Err(e) => {
                    tracing::error!(error = %e, retry_in = ?RETRY, "cannot start Matrix");
                    tokio::select! {
                        _ = stop.changed() => break,
                        () = tokio::time::sleep(RETRY) => continue,
                    }
                }
            };
            self.set(Some(m.clone()));
            m.run_intake(inbox.clone(), stop.clone(), held.clone())
                .await;
            self.set(None);
            self.opts.connected.store(false, Ordering::Relaxed);
            if *stop.borrow() {
                break;
            }
            tracing::info!("Matrix lease lost: client and stores closed");
        }
        self.set(None);
    }
}

/// Files people sent on Matrix, downloaded by the bot's client (while
/// this process holds the Matrix lease).
struct MatrixFiles {
    current: Arc<RwLock<Option<Matrix>>>,
}

#[async_trait]
impl kohero_core::ports::Files for MatrixFiles {
    async fn fetch(&self, source: &str, max: u64) -> Result<Option<Vec<u8>>, SendError> {
        use matrix_sdk::media::{MediaFormat, MediaRequestParameters};
        use matrix_sdk::ruma::events::room::MediaSource;
        let client = self
            .current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|m| m.shared.client.clone());
        let Some(client) = client else {
            return Err(SendError::Temporary("Matrix is not connected here".into()));
        };
        let request = MediaRequestParameters {
            source: MediaSource::Plain(source.into()),
            format: MediaFormat::File,
        };
        let bytes = client
            .media()
            .get_media_content(&request, false)
            .await
            .map_err(|e| crate::sender::send_error(&e))?;
        Ok((bytes.len() as u64 <= max).then_some(bytes))
    }
}

struct OnLeaseSender {
    current: Arc<RwLock<Option<Matrix>>>,
}

impl OnLeaseSender {
    fn now(&self) -> Option<Matrix> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

#[async_trait]
impl Sender for OnLeaseSender {
    fn network(&self) -> &str {
        NETWORK
    }

    fn is_group(&self, _chat: &str) -> bool {
        // Synapse limits per user, not per room: one global rate covers it.
        false
    }

    fn ready(&self) -> bool {
        self.now().is_some()
    }

    fn unlimited(&self) -> bool {
        self.now().is_some_and(|m| m.unlimited())
    }

    async fn send(&self, message: &Outgoing) -> Result<Sent, SendError> {
        match self.now() {
            Some(m) => m.sender().send(message).await,
            None => Err(SendError::Temporary(
                "Matrix is not connected in this process".into(),
            )),
        }
    }
}
