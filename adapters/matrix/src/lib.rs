//! Kohero on Matrix (matrix-sdk 0.18): a sync loop hands timeline events to
//! core's exactly-once intake, and a [`MatrixSender`] delivers outbox messages
//! and performs room changes (Spaces, project rooms, invitations, removals).
//!
//! - The session (user, device id, access token) is kept in Kohero's store, so a
//!   restart reuses the same device; matrix-sdk keeps its state and crypto store
//!   in its own SQLite files (`KOHERO_MATRIX_STORE`), encrypted with the passphrase.
//! - The sync position is stored after the events of a sync response are
//!   committed; events seen again are recognised by their event id.
//! - The bot joins invitations to direct chats and rejects the others: the only
//!   other rooms it is in are those it created.
//! - Messages are sent with the outbox row's key as transaction id: the
//!   homeserver drops a repeated send, so nothing arrives twice.

mod intake;
mod on_lease;
pub mod parse;
mod quiet;
pub mod render;
mod rich;
mod rooms;
mod sender;

pub use quiet::expected_log;
pub use sender::MatrixSender;
pub(crate) use sender::{send_error, temporary};

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use kohero_core::domain::{Identity, ReplyTo, Rich, Said};
use kohero_core::inbox::Inbox;
use kohero_core::inbox::{ChatCheck, ChatRole, Content, Incoming};
use kohero_core::ports::{AdapterStore, SendError, Sender, StateKey, StoreError};
use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::config::{RequestConfig, SyncSettings};
use matrix_sdk::encryption::EncryptionSettings;
use matrix_sdk::ruma::api::error::{ErrorKind, RetryAfter};
use matrix_sdk::ruma::events::room::member::MembershipState;
use matrix_sdk::ruma::events::room::message::RoomMessageEventContent;
use matrix_sdk::ruma::events::room::power_levels::UserPowerLevel;
use matrix_sdk::ruma::{OwnedRoomId, OwnedTransactionId, OwnedUserId, RoomId, UserId};
use matrix_sdk::{Client, Room, RoomState};
use tokio::sync::{Mutex, watch};

/// The network's name in identities and addresses.
pub const NETWORK: &str = "matrix";

pub use on_lease::MatrixOnLease;

/// How to reach the homeserver and where to keep matrix-sdk's stores.
#[derive(Clone)]
pub struct MatrixOptions {
    pub homeserver: String,
    pub user: String,
    pub password: Option<String>,
    pub access_token: Option<String>,
    /// The directory of matrix-sdk's state and crypto store.
    pub store_dir: PathBuf,
    pub passphrase: Option<String>,
    /// Set while the sync loop is connected (for `/readyz`).
    pub connected: Arc<AtomicBool>,
    /// Other networks' files, for relayed images.
    pub shelf: Arc<kohero_core::ports::FileShelf>,
}

impl std::fmt::Debug for MatrixOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MatrixOptions")
            .field("homeserver", &self.homeserver)
            .field("user", &self.user)
            .field("store_dir", &self.store_dir)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MatrixError {
    #[error("cannot open the Matrix store in {0}: {1}")]
    Store(String, String),
    #[error("cannot log in to {0} as {1}: {2}")]
    Login(String, String, String),
    #[error(
        "no Matrix session is stored for {0}: set KOHERO_MATRIX_PASSWORD or KOHERO_MATRIX_ACCESS_TOKEN for the first login"
    )]
    NoCredentials(String),
    #[error("the access token belongs to {0}, not to {1}")]
    WrongUser(String, String),
    #[error(
        "the Matrix store in {0} does not hold the keys of the bot's device (another store was used with this database): point KOHERO_MATRIX_STORE at that store (processes that take Matrix over share it)"
    )]
    OtherStore(String),
    #[error("database: {0}")]
    Database(#[from] StoreError),
}

/// State shared by the intake and the sender.
struct Shared {
    client: Client,
    store: AdapterStore,
    me: OwnedUserId,
    connected: Arc<AtomicBool>,
    /// Direct chats: room → the person (`dmroom:` keys), person → room (`dm:` keys).
    dm_of_room: Mutex<HashMap<OwnedRoomId, Option<String>>>,
    /// Whether the homeserver's rate limit for the bot was lifted.
    unlimited: AtomicBool,
    /// Other networks' files, for relayed images.
    shelf: Arc<kohero_core::ports::FileShelf>,
}

impl Shared {
    /// Records that `room` is the direct chat with `person`, both ways.
    async fn remember_dm(&self, room: &RoomId, person: &str) -> Result<(), StoreError> {
        self.store
            .set_all(&[
                (StateKey::DirectChatPerson(room.to_string()), Some(person)),
                (StateKey::DirectChat(person.to_owned()), Some(room.as_str())),
            ])
            .await?;
        self.dm_of_room
            .lock()
            .await
            .insert(room.to_owned(), Some(person.to_owned()));
        Ok(())
    }
}

/// A connected Matrix bot.
#[derive(Clone)]
pub struct Matrix {
    shared: Arc<Shared>,
}

/// Its parts hold connections, clients or closures: shown by name only.
impl std::fmt::Debug for Matrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matrix").finish_non_exhaustive()
    }
}

impl Matrix {
    /// Opens matrix-sdk's store, restores the stored session or logs in (first
    /// run), waits for the encryption set-up (cross-signing bootstrapped on the
    /// first login) and tries to lift the homeserver's rate limit for the bot.
    pub async fn connect(opts: MatrixOptions, store: AdapterStore) -> Result<Self, MatrixError> {
        std::fs::create_dir_all(&opts.store_dir)
            .map_err(|e| MatrixError::Store(opts.store_dir.display().to_string(), e.to_string()))?;
        let client = Client::builder()
            .homeserver_url(&opts.homeserver)
            .sqlite_store(&opts.store_dir, opts.passphrase.as_deref())
            .with_encryption_settings(EncryptionSettings {
                auto_enable_cross_signing: true,
                ..Default::default()
            })
            // Kohero retries through its outbox and sync loop, seeing every
            // rate limit and failure itself.
            .request_config(
                RequestConfig::new()
                    .timeout(Duration::from_secs(60))
                    .disable_retry(),
            )
            .respect_login_well_known(false)
            .build()
            .await
            .map_err(|e| MatrixError::Store(opts.store_dir.display().to_string(), e.to_string()))?;
        let login_err =
            |e: String| MatrixError::Login(opts.homeserver.clone(), opts.user.clone(), e);
        let stored = store.get(&StateKey::Session).await?;
        let stored: Option<MatrixSession> = stored
            .and_then(|s| serde_json::from_str(&s).ok())
            .filter(|s: &MatrixSession| s.meta.user_id.as_str() == opts.user);
        let session = match (stored, &opts.password, &opts.access_token) {
            (Some(s), _, _) => {
                client
                    .restore_session(s.clone())
                    .await
                    .map_err(|e| login_err(e.to_string()))?;
                tracing::info!(device = %s.meta.device_id, "Matrix session restored");
                None
            }
            (None, Some(pw), _) => {
                quiet::first_login_begins();
                client
                    .matrix_auth()
                    .login_username(&opts.user, pw)
                    .initial_device_display_name("Kohero")
                    .send()
                    .await
                    .map_err(|e| login_err(e.to_string()))?;
                client.matrix_auth().session()
            }
            (None, None, Some(token)) => {
                quiet::first_login_begins();
                let s = whoami(&client, token).await.map_err(login_err)?;
                if s.meta.user_id.as_str() != opts.user {
                    return Err(MatrixError::WrongUser(
                        s.meta.user_id.to_string(),
                        opts.user.clone(),
                    ));
                }
                client
                    .restore_session(s.clone())
                    .await
                    .map_err(|e| login_err(e.to_string()))?;
                Some(s)
            }
            (None, None, None) => return Err(MatrixError::NoCredentials(opts.user.clone())),
        };
        // A session from the database (not a new login): its device's keys must
        // be in this store.
        let restored = session.is_none();
        if let Some(s) = session {
            let json = serde_json::to_string(&s).map_err(|e| login_err(e.to_string()))?;
            store.set(&StateKey::Session, Some(&json)).await?;
            tracing::info!(device = %s.meta.device_id, "logged in to Matrix; session stored");
        }
        // The device's signing key, recorded at each new login: a store that
        // does not hold it (a fresh directory, another machine's) would give
        // the same device other keys and break encryption.
        if let Some(key) = client.encryption().ed25519_key().await {
            match store.get(&StateKey::DeviceKey).await? {
                Some(k) if k != key && restored => {
                    return Err(MatrixError::OtherStore(
                        opts.store_dir.display().to_string(),
                    ));
                }
                Some(k) if k == key => {}
                _ => store.set(&StateKey::DeviceKey, Some(&key)).await?,
            }
        }
        client
            .encryption()
            .wait_for_e2ee_initialization_tasks()
            .await;
        match client.encryption().cross_signing_status().await {
            Some(s) if s.has_master && s.has_self_signing && s.has_user_signing => {
                tracing::info!("Matrix cross-signing ready");
            }
            other => tracing::warn!(status = ?other, "Matrix cross-signing is not complete"),
        }
        let me = client
            .user_id()
            .map(ToOwned::to_owned)
            .ok_or_else(|| login_err("no user id after login".into()))?;
        let shared = Arc::new(Shared {
            client,
            store,
            me,
            connected: opts.connected.clone(),
            dm_of_room: Mutex::new(HashMap::new()),
            unlimited: AtomicBool::new(false),
            shelf: opts.shelf.clone(),
        });
        let m = Self { shared };
        m.lift_rate_limit().await;
        Ok(m)
    }

    /// Whether the homeserver no longer limits the bot's messages (it is a
    /// Synapse admin and lifted its own limit).
    pub fn unlimited(&self) -> bool {
        self.shared.unlimited.load(Ordering::Relaxed)
    }

    pub fn sender(&self) -> Arc<dyn Sender> {
        Arc::new(MatrixSender {
            shared: self.shared.clone(),
        })
    }

    /// Asks Synapse's admin API to stop limiting the bot's messages; works when
    /// the bot is a server admin, and otherwise changes nothing.
    async fn lift_rate_limit(&self) {
        let c = &self.shared.client;
        let Some(token) = c.access_token() else {
            return;
        };
        let mut url = c.homeserver();
        let Ok(mut segs) = url.path_segments_mut() else {
            return;
        };
        segs.pop_if_empty().extend([
            "_synapse",
            "admin",
            "v1",
            "users",
            self.shared.me.as_str(),
            "override_ratelimit",
        ]);
        drop(segs);
        let r = c
            .http_client()
            .post(url)
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(r#"{"messages_per_second":0,"burst_count":0}"#)
            .timeout(Duration::from_secs(30))
            .send()
            .await;
        match r {
            Ok(r) if r.status().is_success() => {
                self.shared.unlimited.store(true, Ordering::Relaxed);
                tracing::info!("Synapse rate limit lifted for the bot");
            }
            Ok(r) => tracing::info!(
                status = r.status().as_u16(),
                "the bot cannot lift its Synapse rate limit (not a server admin): the homeserver's limits apply"
            ),
            Err(e) => tracing::warn!(error = %e, "cannot ask Synapse to lift the rate limit"),
        }
    }
}

/// Finds who an access token belongs to (user and device), for a first start
/// with a token instead of a password.
async fn whoami(client: &Client, token: &str) -> Result<MatrixSession, String> {
    let url = client
        .homeserver()
        .join("_matrix/client/v3/account/whoami")
        .map_err(|e| e.to_string())?;
    let r = client
        .http_client()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !r.status().is_success() {
        return Err(format!("the access token was refused ({})", r.status()));
    }
    let body = r.bytes().await.map_err(|e| e.to_string())?;
    let v: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    let user = v
        .get("user_id")
        .and_then(|u| u.as_str())
        .ok_or("whoami gave no user id")?;
    let device = v
        .get("device_id")
        .and_then(|u| u.as_str())
        .ok_or("the access token has no device: log in with a password once")?;
    Ok(MatrixSession {
        meta: matrix_sdk::SessionMeta {
            user_id: UserId::parse(user).map_err(|e| e.to_string())?,
            device_id: device.into(),
        },
        tokens: matrix_sdk::SessionTokens {
            access_token: token.to_owned(),
            refresh_token: None,
        },
    })
}

/// Up to a quarter more or less, so that many clients do not retry together.
fn jitter(d: Duration) -> Duration {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|t| t.subsec_nanos())
        .unwrap_or(0);
    let f = 0.75 + f64::from(nanos % 1000) / 2000.0;
    d.mul_f64(f)
}
