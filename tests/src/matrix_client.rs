//! A real Matrix client (matrix-sdk, with encryption) for the end-to-end tests:
//! a person who opens a direct chat with the bot, writes, shares locations, and
//! reads what the bot answers and which rooms it invites them to.

use std::time::{Duration, Instant};

use matrix_sdk::config::SyncSettings;
use matrix_sdk::ruma::api::client::room::create_room::v3::{
    Request as CreateRoomRequest, RoomPreset,
};
use matrix_sdk::ruma::events::room::message::RoomMessageEventContent;
use matrix_sdk::ruma::{OwnedEventId, OwnedRoomId, OwnedUserId, RoomId, UserId};
use matrix_sdk::{Client, RoomState};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::synapse::{Synapse, unique};

/// How long a test waits for the bot.
pub const WAIT: Duration = Duration::from_secs(30);

/// A message seen in a room: (room, sender, event JSON).
#[derive(Debug, Clone)]
pub struct Seen {
    pub room: OwnedRoomId,
    pub sender: String,
    pub event: Value,
}

impl Seen {
    pub fn body(&self) -> &str {
        self.event["content"]["body"].as_str().unwrap_or("")
    }
}

pub struct TestUser {
    pub client: Client,
    pub id: OwnedUserId,
    _dir: tempfile::TempDir,
    /// Messages received and not yet taken by a wait.
    inbox: Mutex<Vec<Seen>>,
    /// Rooms this user was invited to, not yet taken.
    invites: Mutex<Vec<OwnedRoomId>>,
}

impl TestUser {
    /// Registers a new user on the homeserver and logs in (its own device and
    /// crypto store).
    pub async fn new(synapse: &Synapse, prefix: &str) -> Self {
        let name = unique(prefix);
        let id = synapse.register(&name, "secret-pass", false);
        Self::login(synapse, &id, "secret-pass").await
    }

    /// Logs in to an existing account, as a new device with its own store.
    pub async fn login(synapse: &Synapse, id: &str, password: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let client = Client::builder()
            .homeserver_url(&synapse.url)
            .sqlite_store(dir.path(), None)
            .build()
            .await
            .unwrap();
        client
            .matrix_auth()
            .login_username(id, password)
            .initial_device_display_name("test")
            .send()
            .await
            .unwrap();
        let u = Self {
            client,
            id: UserId::parse(id).unwrap(),
            _dir: dir,
            inbox: Mutex::new(Vec::new()),
            invites: Mutex::new(Vec::new()),
        };
        // The first sync: keys uploaded, the starting point set.
        u.sync(Duration::ZERO).await;
        u
    }

    /// One sync; collects messages and invitations.
    pub async fn sync(&self, timeout: Duration) {
        let resp = self
            .client
            .sync_once(SyncSettings::new().timeout(timeout))
            .await
            .unwrap();
        let mut inbox = self.inbox.lock().await;
        for (room, update) in &resp.rooms.joined {
            for ev in &update.timeline.events {
                let Ok(v) = serde_json::from_str::<Value>(ev.raw().json().get()) else {
                    continue;
                };
                let sender = v["sender"].as_str().unwrap_or("").to_owned();
                if sender == self.id.as_str() || v.get("state_key").is_some() {
                    continue;
                }
                inbox.push(Seen {
                    room: room.clone(),
                    sender,
                    event: v,
                });
            }
        }
        self.invites
            .lock()
            .await
            .extend(resp.rooms.invited.keys().cloned());
    }

    /// Opens a direct chat with `bot` (encrypted or not) and waits until the bot joined.
    pub async fn open_dm(&self, bot: &str, encrypted: bool) -> OwnedRoomId {
        let bot = UserId::parse(bot).unwrap();
        let room = if encrypted {
            self.client.create_dm(&bot).await.unwrap()
        } else {
            let mut req = CreateRoomRequest::new();
            req.invite = vec![bot.clone()];
            req.is_direct = true;
            req.preset = Some(RoomPreset::TrustedPrivateChat);
            self.client.create_room(req).await.unwrap()
        };
        let id = room.room_id().to_owned();
        self.wait_joined(&id, &bot).await;
        id
    }

    /// Waits until `user` joined `room`.
    pub async fn wait_joined(&self, room: &RoomId, user: &UserId) {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(r) = self.client.get_room(room)
                && let Ok(m) = r.members(matrix_sdk::RoomMemberships::JOIN).await
                && m.iter().any(|m| m.user_id() == user)
            {
                return;
            }
            assert!(Instant::now() < deadline, "{user} did not join {room}");
            self.sync(Duration::from_millis(500)).await;
        }
    }

    pub async fn say(&self, room: &RoomId, text: &str) -> OwnedEventId {
        let r = self.client.get_room(room).unwrap();
        r.send(RoomMessageEventContent::text_plain(text))
            .await
            .unwrap()
            .response
            .event_id
    }

    /// Sends a raw `m.room.message` content (locations in their various forms).
    pub async fn send_raw(&self, room: &RoomId, content: Value) -> OwnedEventId {
        let r = self.client.get_room(room).unwrap();
        r.send_raw("m.room.message", content)
            .await
            .unwrap()
            .response
            .event_id
    }

    pub async fn react(&self, room: &RoomId, to: &str, key: &str) {
        let r = self.client.get_room(room).unwrap();
        r.send_raw(
            "m.reaction",
            json!({"m.relates_to": {"rel_type": "m.annotation", "event_id": to, "key": key}}),
        )
        .await
        .unwrap();
    }

    /// Waits for a message from `from` in `room` whose body satisfies `pred`;
    /// returns it and drops the messages before it.
    pub async fn wait_for(&self, room: &RoomId, from: &str, pred: impl Fn(&str) -> bool) -> Seen {
        let deadline = Instant::now() + WAIT;
        loop {
            {
                let mut inbox = self.inbox.lock().await;
                if let Some(i) = inbox
                    .iter()
                    .position(|s| s.room == room && s.sender == from && pred(s.body()))
                {
                    let seen = inbox[i].clone();
                    inbox.drain(..=i);
                    return seen;
                }
            }
            let bodies: Vec<String> = self
                .inbox
                .lock()
                .await
                .iter()
                .filter(|s| s.room == room)
                .map(|s| s.body().to_owned())
                .collect();
            assert!(
                Instant::now() < deadline,
                "no matching message in {room} from {from}; seen: {bodies:#?}"
            );
            self.sync(Duration::from_millis(500)).await;
        }
    }

    /// Every message from `from` in `room` received within `d` (and not taken yet).
    pub async fn messages_within(&self, room: &RoomId, from: &str, d: Duration) -> Vec<Seen> {
        let deadline = Instant::now() + d;
        while Instant::now() < deadline {
            self.sync(Duration::from_millis(300)).await;
        }
        let mut inbox = self.inbox.lock().await;
        let (mine, rest): (Vec<_>, Vec<_>) = inbox
            .drain(..)
            .partition(|s| s.room == room && s.sender == from);
        *inbox = rest;
        mine
    }

    /// Waits for an invitation to a room whose name satisfies `pred`.
    pub async fn wait_invite(&self, pred: impl Fn(&str) -> bool) -> OwnedRoomId {
        let deadline = Instant::now() + WAIT;
        loop {
            let invites = self.invites.lock().await.clone();
            for id in invites {
                if let Some(r) = self.client.get_room(&id)
                    && r.state() == RoomState::Invited
                    && pred(&r.name().unwrap_or_default())
                {
                    return id;
                }
            }
            assert!(Instant::now() < deadline, "no matching invitation");
            self.sync(Duration::from_millis(500)).await;
        }
    }

    pub async fn join(&self, room: &RoomId) {
        self.client.join_room_by_id(room).await.unwrap();
        self.sync(Duration::ZERO).await;
    }

    /// This user's membership in `room`, as the homeserver says.
    pub async fn membership(&self, room: &RoomId) -> RoomState {
        self.sync(Duration::ZERO).await;
        self.client
            .get_room(room)
            .map(|r| r.state())
            .unwrap_or(RoomState::Left)
    }

    /// A client-server API call with this user's token: `GET` without a body,
    /// `POST` with one; `None` unless the answer is a success.
    async fn api(&self, path: &[&str], body: Option<Value>) -> Option<Value> {
        let mut url = self.client.homeserver();
        url.path_segments_mut()
            .unwrap()
            .pop_if_empty()
            .push("_matrix")
            .push("client")
            .extend(path);
        let http = self.client.http_client();
        let req = match body {
            Some(b) => http
                .post(url)
                .header("content-type", "application/json")
                .body(b.to_string()),
            None => http.get(url),
        };
        let r = req
            .bearer_auth(self.client.access_token().unwrap())
            .send()
            .await
            .unwrap();
        if !r.status().is_success() {
            return None;
        }
        serde_json::from_slice(&r.bytes().await.unwrap()).ok()
    }

    /// A state event of a room, read from the homeserver.
    pub async fn state(&self, room: &RoomId, kind: &str, key: &str) -> Option<Value> {
        self.api(&["v3", "rooms", room.as_str(), "state", kind, key], None)
            .await
    }

    /// Sets a state event of a room with this user's token; whether the
    /// homeserver took it.
    pub async fn put_state(&self, room: &RoomId, kind: &str, key: &str, content: &Value) -> bool {
        let mut url = self.client.homeserver();
        url.path_segments_mut().unwrap().pop_if_empty().extend([
            "_matrix",
            "client",
            "v3",
            "rooms",
            room.as_str(),
            "state",
            kind,
            key,
        ]);
        self.client
            .http_client()
            .put(url)
            .header("content-type", "application/json")
            .body(content.to_string())
            .bearer_auth(self.client.access_token().unwrap())
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    }

    /// One event of a room, from the homeserver (a redacted one has lost
    /// its content and says what redacted it).
    pub async fn event(&self, room: &RoomId, event: &str) -> Option<Value> {
        self.api(&["v3", "rooms", room.as_str(), "event", event], None)
            .await
    }

    /// Every state event of a room, from the homeserver.
    pub async fn all_state(&self, room: &RoomId) -> Vec<Value> {
        self.api(&["v3", "rooms", room.as_str(), "state"], None)
            .await
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
    }

    /// The device ids with keys of `user`, from the homeserver (`/keys/query`).
    pub async fn devices_of(&self, user: &str) -> Vec<String> {
        let v = self
            .api(
                &["v3", "keys", "query"],
                Some(json!({"device_keys": {user: []}})),
            )
            .await
            .unwrap_or_default();
        v["device_keys"][user]
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// A Space's children, from the homeserver's hierarchy API.
    pub async fn space_children(&self, space: &RoomId) -> Vec<Value> {
        self.api(&["v1", "rooms", space.as_str(), "hierarchy"], None)
            .await
            .and_then(|v| v["rooms"].as_array().cloned())
            .unwrap_or_default()
    }
}
