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

mod on_lease;
pub mod parse;
pub mod render;
mod rooms;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use kohero_core::domain::Identity;
use kohero_core::inbox::Inbox;
use kohero_core::inbox::{Content, Incoming};
use kohero_core::ports::{SendError, Sender, Store, StoreError};
use kohero_core::reply::Block;
use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::config::{RequestConfig, SyncSettings};
use matrix_sdk::encryption::EncryptionSettings;
use matrix_sdk::ruma::api::error::{ErrorKind, RetryAfter};
use matrix_sdk::ruma::events::room::member::MembershipState;
use matrix_sdk::ruma::events::room::message::RoomMessageEventContent;
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
    store: Arc<dyn Store>,
    me: OwnedUserId,
    connected: Arc<AtomicBool>,
    /// Direct chats: room → the person (`dmroom:` keys), person → room (`dm:` keys).
    dm_of_room: Mutex<HashMap<OwnedRoomId, Option<String>>>,
    /// Whether the homeserver's rate limit for the bot was lifted.
    unlimited: AtomicBool,
}

impl Shared {
    /// Records that `room` is the direct chat with `person`, both ways.
    async fn remember_dm(&self, room: &RoomId, person: &str) -> Result<(), StoreError> {
        let mut tx = self.store.begin().await?;
        let now = chrono::Utc::now();
        tx.set_network_state(NETWORK, &format!("dmroom:{room}"), Some(person), now)
            .await?;
        tx.set_network_state(NETWORK, &format!("dm:{person}"), Some(room.as_str()), now)
            .await?;
        tx.commit().await?;
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

const SESSION_KEY: &str = "session";
const SYNC_KEY: &str = "sync";
/// The bot device's ed25519 key, as its store holds it.
const DEVICE_KEY: &str = "device_key";

impl Matrix {
    /// Opens matrix-sdk's store, restores the stored session or logs in (first
    /// run), waits for the encryption set-up (cross-signing bootstrapped on the
    /// first login) and tries to lift the homeserver's rate limit for the bot.
    pub async fn connect(opts: MatrixOptions, store: Arc<dyn Store>) -> Result<Self, MatrixError> {
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
        let stored = {
            let mut tx = store.read().await?;
            tx.network_state(NETWORK, SESSION_KEY).await?
        };
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
            let mut tx = store.begin().await?;
            tx.set_network_state(NETWORK, SESSION_KEY, Some(&json), chrono::Utc::now())
                .await?;
            tx.commit().await?;
            tracing::info!(device = %s.meta.device_id, "logged in to Matrix; session stored");
        }
        // The device's signing key, recorded at each new login: a store that
        // does not hold it (a fresh directory, another machine's) would give
        // the same device other keys and break encryption.
        if let Some(key) = client.encryption().ed25519_key().await {
            let mut tx = store.begin().await?;
            match tx.network_state(NETWORK, DEVICE_KEY).await? {
                Some(k) if k != key && restored => {
                    return Err(MatrixError::OtherStore(
                        opts.store_dir.display().to_string(),
                    ));
                }
                Some(k) if k == key => {}
                _ => {
                    tx.set_network_state(NETWORK, DEVICE_KEY, Some(&key), chrono::Utc::now())
                        .await?;
                    tx.commit().await?;
                }
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

    /// Syncs until `stop` turns true or `held` turns false (another process
    /// holds the Matrix lease now): each response's events go to `inbox` in one
    /// batch, then the sync position is stored (the next holder starts there).
    pub async fn run_intake(
        self,
        inbox: Arc<dyn Inbox>,
        mut stop: watch::Receiver<bool>,
        mut held: watch::Receiver<bool>,
    ) {
        let s = &self.shared;
        let mut token = match s.store.read().await {
            Ok(mut tx) => tx.network_state(NETWORK, SYNC_KEY).await.ok().flatten(),
            Err(_) => None,
        };
        let mut backoff = Duration::from_millis(500);
        while !*stop.borrow() && *held.borrow() {
            let settings = match &token {
                Some(t) => SyncSettings::new()
                    .token(t.clone())
                    .timeout(Duration::from_secs(25)),
                // The first sync of a new bot: only the rooms, no history.
                None => SyncSettings::new().timeout(Duration::from_secs(0)),
            };
            let resp = tokio::select! {
                _ = stop.changed() => break,
                _ = held.wait_for(|h| !*h) => break,
                r = s.client.sync_once(settings) => r,
            };
            let resp = match resp {
                Ok(r) => r,
                Err(e) => {
                    s.connected.store(false, Ordering::Relaxed);
                    tracing::warn!(error = %e, retry_in = ?backoff, "Matrix sync failed");
                    let wait = jitter(backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                    tokio::select! {
                        _ = stop.changed() => break,
                        () = tokio::time::sleep(wait) => continue,
                    }
                }
            };
            s.connected.store(true, Ordering::Relaxed);
            backoff = Duration::from_millis(500);
            for room_id in resp.rooms.invited.keys() {
                self.answer_invite(room_id).await;
            }
            if token.is_some() {
                let mut batch = Vec::new();
                for (room_id, update) in &resp.rooms.joined {
                    for ev in &update.timeline.events {
                        if ev.kind.is_utd() {
                            tracing::warn!(room = %room_id, event = ?ev.event_id(), "cannot decrypt an event");
                            continue;
                        }
                        let Ok(value) =
                            serde_json::from_str::<serde_json::Value>(ev.raw().json().get())
                        else {
                            continue;
                        };
                        if let Some(p) = parse::parse(&value)
                            && p.sender != s.me.as_str()
                            && let Some(i) = self.incoming(room_id, p).await
                        {
                            batch.push(i);
                        }
                    }
                }
                if !batch.is_empty() && !self.hand_over(&inbox, batch, &mut stop).await {
                    break;
                }
            }
            let next = resp.next_batch;
            match s.store.begin().await {
                Ok(mut tx) => {
                    let r = async {
                        tx.set_network_state(NETWORK, SYNC_KEY, Some(&next), chrono::Utc::now())
                            .await?;
                        tx.commit().await
                    }
                    .await;
                    if let Err(e) = r {
                        tracing::warn!(error = %e, "cannot store the Matrix sync position");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot store the Matrix sync position"),
            }
            token = Some(next);
        }
        s.connected.store(false, Ordering::Relaxed);
    }

    /// Hands a batch to core until it is recorded; `false` if told to stop first
    /// (the batch comes again after a restart: the position was not stored).
    async fn hand_over(
        &self,
        inbox: &Arc<dyn Inbox>,
        batch: Vec<Incoming>,
        stop: &mut watch::Receiver<bool>,
    ) -> bool {
        let mut wait = Duration::from_millis(200);
        loop {
            match inbox.accept_batch(batch.clone()).await {
                Ok(_) => return true,
                Err(e) => {
                    tracing::error!(error = %e, "Matrix events not handled; trying again");
                    tokio::select! {
                        _ = stop.changed() => return false,
                        () = tokio::time::sleep(wait) => {}
                    }
                    wait = (wait * 2).min(Duration::from_secs(10));
                }
            }
        }
    }

    /// Joins an invitation to a direct chat, turns down any other.
    async fn answer_invite(&self, room_id: &RoomId) {
        let s = &self.shared;
        let Some(room) = s.client.get_room(room_id) else {
            return;
        };
        if room.state() != RoomState::Invited {
            return;
        }
        let direct = room.is_direct().await.unwrap_or(false);
        let inviter = room
            .invite_details()
            .await
            .ok()
            .map(|d| d.inviter_id.to_string());
        match (direct, inviter) {
            (true, Some(person)) => match room.join().await {
                Ok(()) => {
                    tracing::info!(room = %room_id, %person, "joined a direct chat");
                    if let Err(e) = s.remember_dm(room_id, &person).await {
                        tracing::warn!(error = %e, "cannot record a direct chat");
                    }
                }
                Err(e) => tracing::warn!(room = %room_id, error = %e, "cannot join a direct chat"),
            },
            _ => {
                tracing::info!(room = %room_id, "invitation to a room that is not a direct chat: declined");
                if let Err(e) = room.leave().await {
                    tracing::warn!(room = %room_id, error = %e, "cannot decline an invitation");
                }
            }
        }
    }

    /// The person whose direct chat `room` is, if it is one.
    async fn dm_person(&self, room: &RoomId) -> Option<String> {
        let s = &self.shared;
        if let Some(v) = s.dm_of_room.lock().await.get(room) {
            return v.clone();
        }
        let v = match s.store.read().await {
            Ok(mut tx) => tx
                .network_state(NETWORK, &format!("dmroom:{room}"))
                .await
                .ok()
                .flatten(),
            Err(_) => return None,
        };
        s.dm_of_room.lock().await.insert(room.to_owned(), v.clone());
        v
    }

    /// What an event becomes for core.
    async fn incoming(&self, room_id: &RoomId, p: parse::Parsed) -> Option<Incoming> {
        let dm = self.dm_person(room_id).await;
        // In a direct chat, the person the bot talks with; elsewhere a shared room.
        let chat = match &dm {
            Some(person) if *person == p.sender => None,
            Some(_) => return None,
            None => Some(room_id.to_string()),
        };
        let content = match p.message {
            parse::Message::Location(g) => Content::Location(g),
            parse::Message::Text(t) => match parse::choice_number(&t) {
                Some(n) => match self.choices(&format!("menu:{room_id}")).await.get(n - 1) {
                    Some(cmd) => Content::Button(cmd.clone()),
                    None => Content::Text(t),
                },
                None => Content::Text(t),
            },
            parse::Message::Reaction { to, key } => {
                let choices = self.choices(&format!("choices:{to}")).await;
                Content::Button(parse::reaction_choice(&key, &choices)?)
            }
        };
        let display_name = match self.shared.client.get_room(room_id) {
            Some(room) => match UserId::parse(&p.sender) {
                Ok(uid) => room
                    .get_member_no_sync(&uid)
                    .await
                    .ok()
                    .flatten()
                    .and_then(|m| m.display_name().map(str::to_owned)),
                Err(_) => None,
            },
            None => None,
        }
        .or_else(|| {
            p.sender
                .strip_prefix('@')
                .and_then(|s| s.split(':').next())
                .map(str::to_owned)
        });
        Some(Incoming {
            identity: Identity::new(NETWORK, p.sender),
            chat,
            event_id: Some(p.event_id),
            display_name,
            lang_hint: None,
            content,
        })
    }

    /// Numbered choices stored under `key`.
    async fn choices(&self, key: &str) -> Vec<String> {
        let Ok(mut tx) = self.shared.store.read().await else {
            return Vec::new();
        };
        tx.network_state(NETWORK, key)
            .await
            .ok()
            .flatten()
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default()
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

/// Delivers outbox messages to Matrix.
pub struct MatrixSender {
    shared: Arc<Shared>,
}

/// A transaction id from an outbox key: the same key always gives the same id.
fn transaction_id(key: &str, part: usize) -> OwnedTransactionId {
    let mut s = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            s.push(c);
        } else {
            s.push_str(&format!(".{:x}.", u32::from(c)));
        }
    }
    OwnedTransactionId::from(format!("kohero-{s}-{part}"))
}

/// Classifies matrix-sdk's errors for the delivery worker.
pub(crate) fn send_error(e: &matrix_sdk::Error) -> SendError {
    match e {
        matrix_sdk::Error::Http(h) => http_error(h),
        matrix_sdk::Error::WrongRoomState(_) => {
            SendError::Unreachable(format!("the bot is not in the room: {e}"))
        }
        _ => SendError::Temporary(e.to_string()),
    }
}

fn http_error(h: &matrix_sdk::HttpError) -> SendError {
    if let matrix_sdk::HttpError::Cached(inner) = h {
        return http_error(inner);
    }
    if let matrix_sdk::HttpError::Reqwest(_) = h {
        return SendError::Temporary(h.to_string());
    }
    if let Some(api) = h.as_client_api_error() {
        match api.error_kind() {
            Some(ErrorKind::LimitExceeded(d)) => {
                let after = match d.retry_after {
                    Some(RetryAfter::Delay(d)) => d,
                    Some(RetryAfter::DateTime(t)) => {
                        t.duration_since(SystemTime::now()).unwrap_or_default()
                    }
                    None => Duration::from_secs(1),
                };
                return SendError::RetryAfter {
                    after,
                    chat_only: false,
                };
            }
            Some(ErrorKind::Forbidden | ErrorKind::NotFound) => {
                return SendError::Unreachable(h.to_string());
            }
            Some(ErrorKind::UnknownToken(_) | ErrorKind::MissingToken) => {
                return SendError::Temporary(format!("the bot's session was refused: {h}"));
            }
            _ => {}
        }
        let status = api.status_code;
        if status.as_u16() == 429 {
            return SendError::RetryAfter {
                after: Duration::from_secs(1),
                chat_only: false,
            };
        }
        if status.is_server_error() {
            return SendError::Temporary(h.to_string());
        }
        return SendError::Permanent(h.to_string());
    }
    SendError::Temporary(h.to_string())
}

fn temporary(e: StoreError) -> SendError {
    SendError::Temporary(e.to_string())
}

impl MatrixSender {
    /// The room of a person's direct chat: the one they last wrote from, else
    /// one matrix-sdk knows, else a new one.
    async fn dm_room(&self, person: &str) -> Result<Room, SendError> {
        let s = &self.shared;
        let uid = UserId::parse(person)
            .map_err(|_| SendError::Permanent(format!("not a Matrix user id: {person}")))?;
        let known = {
            let mut tx = s.store.read().await.map_err(temporary)?;
            tx.network_state(NETWORK, &format!("dm:{person}"))
                .await
                .map_err(temporary)?
        };
        if let Some(id) = known.and_then(|r| RoomId::parse(r).ok())
            && let Some(room) = s.client.get_room(&id)
            && room.state() == RoomState::Joined
        {
            return Ok(room);
        }
        if let Some(room) = s.client.get_dm_room(&uid) {
            return Ok(room);
        }
        let room = s.client.create_dm(&uid).await.map_err(|e| send_error(&e))?;
        s.remember_dm(room.room_id(), person)
            .await
            .map_err(temporary)?;
        Ok(room)
    }

    fn joined_room(&self, id: &str) -> Result<Room, SendError> {
        let rid =
            RoomId::parse(id).map_err(|_| SendError::Permanent(format!("not a room id: {id}")))?;
        match self.shared.client.get_room(&rid) {
            Some(r) if r.state() == RoomState::Joined => Ok(r),
            _ => Err(SendError::Unreachable(format!("the bot is not in {id}"))),
        }
    }

    /// Invites `user` into `room` unless they are in it or invited already.
    async fn invite(&self, room: &Room, user: &str) -> Result<(), SendError> {
        let uid = UserId::parse(user)
            .map_err(|_| SendError::Permanent(format!("not a Matrix user id: {user}")))?;
        if let Ok(Some(m)) = room.get_member(&uid).await
            && matches!(
                m.membership(),
                MembershipState::Join | MembershipState::Invite
            )
        {
            return Ok(());
        }
        room.invite_user_by_id(&uid)
            .await
            .map_err(|e| send_error(&e))
    }

    async fn remove(&self, room: &Room, user: &str) -> Result<(), SendError> {
        let uid = UserId::parse(user)
            .map_err(|_| SendError::Permanent(format!("not a Matrix user id: {user}")))?;
        match room.get_member(&uid).await {
            Ok(Some(m))
                if matches!(
                    m.membership(),
                    MembershipState::Join | MembershipState::Invite
                ) =>
            {
                room.kick_user(&uid, None).await.map_err(|e| send_error(&e))
            }
            // Not in the room: nothing to do.
            Ok(_) => Ok(()),
            Err(e) => Err(send_error(&e)),
        }
    }

    /// Sends the rendered messages; remembers the numbered choices of the last.
    async fn say(
        &self,
        room: &Room,
        key: &str,
        rendering: &render::Rendering,
    ) -> Result<(), SendError> {
        let mut last = None;
        for (i, m) in rendering.messages.iter().enumerate() {
            if m.body.is_empty() {
                continue;
            }
            let content = RoomMessageEventContent::notice_html(m.body.clone(), m.html.clone());
            let r = room
                .send(content)
                .with_transaction_id(transaction_id(key, i))
                .await
                .map_err(|e| send_error(&e))?;
            last = Some(r.response.event_id);
        }
        let Some(event) = last else {
            return Ok(());
        };
        let s = &self.shared;
        let now = chrono::Utc::now();
        let mut tx = s.store.begin().await.map_err(temporary)?;
        let menu_key = format!("menu:{}", room.room_id());
        if rendering.choices.is_empty() {
            tx.set_network_state(NETWORK, &menu_key, None, now)
                .await
                .map_err(temporary)?;
        } else {
            let json = serde_json::to_string(&rendering.choices)
                .map_err(|e| SendError::Permanent(e.to_string()))?;
            tx.set_network_state(NETWORK, &menu_key, Some(&json), now)
                .await
                .map_err(temporary)?;
            // Reactions to older messages work as long as sent messages are kept.
            tx.set_network_state_for_a_while(NETWORK, &format!("choices:{event}"), &json, now)
                .await
                .map_err(temporary)?;
        }
        tx.commit().await.map_err(temporary)?;
        Ok(())
    }
}

#[async_trait]
impl Sender for MatrixSender {
    fn network(&self) -> &str {
        NETWORK
    }

    fn is_group(&self, _chat: &str) -> bool {
        // Synapse limits per user, not per room: one global rate covers it.
        false
    }

    fn unlimited(&self) -> bool {
        self.shared.unlimited.load(Ordering::Relaxed)
    }

    async fn send(&self, message: &kohero_core::domain::Outgoing) -> Result<(), SendError> {
        let rendering = render::render(&message.reply);
        let chat = message.to.chat.as_str();
        if chat.starts_with("space:") {
            for op in &rendering.ops {
                if let Block::CreateRoom {
                    initiative,
                    name,
                    topic,
                    commune,
                    space_name,
                } = op
                {
                    rooms::create_project_room(
                        &self.shared,
                        *initiative,
                        name,
                        topic,
                        commune.as_deref(),
                        space_name.as_deref(),
                    )
                    .await?;
                }
            }
            return Ok(());
        }
        let room = if chat.starts_with('@') {
            self.dm_room(chat).await?
        } else if let Some(commune) = chat.strip_prefix("announce:") {
            let Some(Block::AnnouncementRoom {
                name,
                topic,
                space_name,
                ..
            }) = rendering
                .ops
                .iter()
                .find(|b| matches!(b, Block::AnnouncementRoom { .. }))
            else {
                return Err(SendError::Permanent(format!(
                    "a message to {chat} without its room's description"
                )));
            };
            rooms::announcement_room(&self.shared, commune, name, topic, space_name).await?
        } else {
            self.joined_room(chat)?
        };
        for op in &rendering.ops {
            match op {
                Block::Admit {
                    user,
                    approve: true,
                } => self.invite(&room, user).await?,
                Block::RemoveMember { user } => self.remove(&room, user).await?,
                Block::Promote { user } => rooms::promote(&room, user).await?,
                Block::RoomState { name, topic } => {
                    room.set_name(name.clone())
                        .await
                        .map_err(|e| send_error(&e))?;
                    room.set_room_topic(topic)
                        .await
                        .map_err(|e| send_error(&e))?;
                }
                // A declined join request needs nothing on Matrix; project
                // rooms are created from `space:` addresses, announcement rooms
                // above.
                _ => {}
            }
        }
        if chat.starts_with('@') {
            for target in &rendering.invites {
                let target_room = self.joined_room(target)?;
                self.invite(&target_room, chat).await?;
            }
        }
        self.say(&room, &message.key, &rendering).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transaction_ids_are_stable_and_url_safe() {
        let a = transaction_id("matrix/$ev:x/r0", 0);
        assert_eq!(a, transaction_id("matrix/$ev:x/r0", 0));
        assert_ne!(a, transaction_id("matrix/$ev:x/r0", 1));
        assert!(
            a.as_str()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
            "{a}"
        );
    }
}
