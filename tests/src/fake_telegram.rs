//! A fake Telegram Bot API server on loopback: it speaks the documented Bot API
//! JSON (getMe, getUpdates, sendMessage, answerCallbackQuery, setMyCommands, …),
//! hands out updates shaped like real ones, records every call, enforces the chat
//! and global limits with real 429 answers, and fails on request. It refuses
//! what Telegram refuses, with Telegram's 400 answers: HTML it cannot parse,
//! texts over 4,096 UTF-16 units or blank, callback data over 64 bytes, chat
//! ids that are not numbers, topic names over 128 characters, deleting a
//! message that is gone, older than 48 hours or someone else's where the bot
//! is not an administrator. Tests fail on
//! any such 400 ([`FakeTelegram::assert_no_bad_requests`], and every wait).

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::sync::Notify;

pub const TOKEN: &str = "123456:TEST-token";
pub const BOT_ID: i64 = 777;

/// A call the bot made.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub body: Value,
    pub at: Instant,
    /// The HTTP status answered.
    pub status: u16,
    /// The description of a refusal.
    pub error: Option<String>,
    /// The `message_id` of the message a send made.
    pub result_id: Option<i64>,
}

/// A scripted failure for the next `sendMessage`.
#[derive(Debug, Clone, Copy)]
pub enum Failure {
    TooManyRequests(u64),
    ServerError,
}

#[derive(Default)]
struct Inner {
    updates: Vec<Value>,
    /// Every update ever handed out, to replay them.
    history: Vec<Value>,
    next_update: i64,
    next_message: i64,
    calls: Vec<Call>,
    failures: VecDeque<Failure>,
    blocked: HashSet<i64>,
    /// Accepted sends per chat, for the limits.
    sent_at: HashMap<i64, Vec<Instant>>,
    all_sent_at: Vec<Instant>,
    /// Each edit accepted: (chat, when).
    edits: Vec<(i64, Instant)>,
    enforce_limits: bool,
    /// Sends accepted in any one second, all chats together (Telegram: 30).
    global_limit: usize,
    /// 429 answers given for exceeded limits: (chat, when, sends in the last second).
    too_many: Vec<(i64, Instant, usize)>,
    /// When each update was first handed out by getUpdates.
    handed_at: HashMap<i64, Instant>,
    /// Every accepted sendMessage: (chat, when).
    deliveries: Vec<(i64, Instant)>,
    /// getUpdates requests in progress (Telegram serves one at a time per bot).
    polling: usize,
    /// getUpdates refused with 409 because another was in progress.
    conflicts: usize,
    /// Members' statuses by (chat, user) as getChatMember answers them
    /// (`creator`, `administrator`, `member`, `left`…); `member` when unset.
    statuses: HashMap<(i64, i64), String>,
    /// Every message in a chat, by (chat, message id), for deleteMessage.
    messages: HashMap<(i64, i64), Posted>,
    /// Every message as Telegram shows it, by (chat, message id): what a
    /// reply carries as `reply_to_message`, what an edit changes.
    bodies: HashMap<(i64, i64), Value>,
    /// Files people sent, by `file_id`, for getFile and the download.
    files: HashMap<String, Vec<u8>>,
}

/// A message of a chat as deleteMessage sees it.
#[derive(Debug, Clone, Copy, Default)]
struct Posted {
    by_bot: bool,
    /// Sent more than 48 hours ago (Telegram then deletes it no more).
    old: bool,
    deleted: bool,
}

/// Counts a getUpdates in progress until the request ends (answered, or the
/// client gone).
struct Polling(FakeTelegram);

impl Drop for Polling {
    fn drop(&mut self) {
        self.0.lock().polling -= 1;
    }
}

#[derive(Clone)]
pub struct FakeTelegram {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
    new_update: Arc<Notify>,
    /// Woken at every accepted sendMessage.
    pub delivered: Arc<Notify>,
}

fn ok(result: Value) -> Response {
    axum::Json(json!({"ok": true, "result": result})).into_response()
}

fn err(status: StatusCode, description: &str, parameters: Option<Value>) -> Response {
    let mut body = json!({"ok": false, "error_code": status.as_u16(), "description": description});
    if let Some(p) = parameters {
        body["parameters"] = p;
    }
    (status, axum::Json(body)).into_response()
}

fn bot_user() -> Value {
    json!({"id": BOT_ID, "is_bot": true, "first_name": "Kohero", "username": "kohero_test_bot"})
}

fn user(id: i64, name: &str, lang: &str) -> Value {
    json!({"id": id, "is_bot": false, "first_name": name, "language_code": lang})
}

fn group(id: i64) -> Value {
    json!({"id": id, "type": "group", "title": "Quartier"})
}

/// A ChatMember object as the Bot API documents each status.
fn chat_member(user_id: i64, status: &str) -> Value {
    let u = user(user_id, "Ada", "fr");
    match status {
        "creator" => json!({"status": "creator", "user": u, "is_anonymous": false}),
        "administrator" => json!({
            "status": "administrator", "user": u, "can_be_edited": false,
            "is_anonymous": false, "can_manage_chat": true, "can_delete_messages": true,
            "can_manage_video_chats": true, "can_restrict_members": true,
            "can_promote_members": false, "can_change_info": true, "can_invite_users": true,
            "can_post_stories": false, "can_edit_stories": false, "can_delete_stories": false,
            "can_pin_messages": true, "can_manage_topics": false,
        }),
        "left" => json!({"status": "left", "user": u}),
        "kicked" => json!({"status": "kicked", "user": u, "until_date": 0}),
        _ => json!({"status": "member", "user": u}),
    }
}

fn private_chat(id: i64, name: &str) -> Value {
    json!({"id": id, "type": "private", "first_name": name})
}

impl FakeTelegram {
    /// Starts the server on 127.0.0.1 with a free port.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fake = Self {
            addr: listener.local_addr().unwrap(),
            inner: Arc::new(Mutex::new(Inner {
                next_update: 1000,
                next_message: 1,
                enforce_limits: true,
                global_limit: 30,
                ..Inner::default()
            })),
            new_update: Arc::new(Notify::new()),
            delivered: Arc::new(Notify::new()),
        };
        let app = Router::new()
            .route("/{bot}/{method}", post(handle).get(handle))
            .route("/file/{bot}/{*path}", axum::routing::get(download))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        fake
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn push(&self, kind: &str, payload: Value) -> i64 {
        let mut s = self.lock();
        s.next_update += 1;
        let id = s.next_update;
        let mut u = json!({"update_id": id});
        u[kind] = payload;
        s.history.push(u.clone());
        s.updates.push(u);
        drop(s);
        self.new_update.notify_waiters();
        id
    }

    fn next_message_id(&self) -> i64 {
        let mut s = self.lock();
        s.next_message += 1;
        s.next_message
    }

    /// A message from `user_id` in `chat`, with `fields` added.
    fn message(&self, chat: Value, user_id: i64, lang: &str, fields: Value) -> Value {
        let mut m = json!({
            "message_id": self.next_message_id(),
            "date": 1_764_400_000,
            "chat": chat,
            "from": user(user_id, "Ada", lang),
        });
        if let (Some(m), Value::Object(f)) = (m.as_object_mut(), fields) {
            m.extend(f);
        }
        self.keep(&m, false);
        m
    }

    /// Keeps a message of a chat, for deleteMessage.
    fn keep(&self, m: &Value, by_bot: bool) {
        if let (Some(chat), Some(id)) = (m["chat"]["id"].as_i64(), m["message_id"].as_i64()) {
            let mut s = self.lock();
            s.messages.insert(
                (chat, id),
                Posted {
                    by_bot,
                    ..Posted::default()
                },
            );
            s.bodies.insert((chat, id), m.clone());
        }
    }

    /// A message from `user_id` (named `name`) in group `chat_id`, with
    /// `fields` (text, entities, photo, location…); a reply when `reply_to`
    /// names a message of the group. Returns (update id, message id).
    pub fn said_in_group(
        &self,
        chat_id: i64,
        user_id: i64,
        name: &str,
        fields: Value,
        reply_to: Option<i64>,
    ) -> (i64, i64) {
        let mut m = json!({
            "message_id": self.next_message_id(),
            "date": 1_764_400_000,
            "chat": group(chat_id),
            "from": user(user_id, name, "fr"),
        });
        if let (Some(o), Value::Object(f)) = (m.as_object_mut(), fields) {
            o.extend(f);
        }
        if let Some(to) = reply_to {
            let answered = self
                .lock()
                .bodies
                .get(&(chat_id, to))
                .cloned()
                .expect("a reply to a message of the group");
            m["reply_to_message"] = answered;
        }
        self.keep(&m, false);
        let id = m["message_id"].as_i64().unwrap_or_default();
        (self.push("message", m), id)
    }

    /// `user_id` edits their message `message_id` of group `chat_id` to say `text`.
    pub fn edit_in_group(
        &self,
        chat_id: i64,
        message_id: i64,
        user_id: i64,
        name: &str,
        text: &str,
    ) -> i64 {
        let m = json!({
            "message_id": message_id,
            "date": 1_764_400_000,
            "edit_date": 1_764_400_100,
            "chat": group(chat_id),
            "from": user(user_id, name, "fr"),
            "text": text,
        });
        self.keep(&m, false);
        self.push("edited_message", m)
    }

    /// A file someone sent, which getFile then finds by `file_id`.
    pub fn add_file(&self, file_id: &str, bytes: &[u8]) {
        self.lock().files.insert(file_id.to_owned(), bytes.to_vec());
    }

    /// A message of a chat as it now stands (edits applied), if it exists.
    pub fn message_now(&self, chat: i64, message: i64) -> Option<Value> {
        self.lock().bodies.get(&(chat, message)).cloned()
    }

    /// The `message_id` of the message an update handed out.
    pub fn message_id_of(&self, update: i64) -> i64 {
        self.lock()
            .history
            .iter()
            .find(|u| u["update_id"].as_i64() == Some(update))
            .and_then(|u| u["message"]["message_id"].as_i64())
            .expect("an update with a message")
    }

    /// Makes a message older than Telegram's 48 hours for deletions.
    pub fn make_old(&self, chat: i64, message: i64) {
        if let Some(m) = self.lock().messages.get_mut(&(chat, message)) {
            m.old = true;
        }
    }

    /// The messages of a chat deleted so far, in id order.
    pub fn deleted(&self, chat: i64) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .lock()
            .messages
            .iter()
            .filter(|((c, _), m)| *c == chat && m.deleted)
            .map(|((_, id), _)| *id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// The id of the message a sendMessage call got, from the calls recorded.
    pub fn sent_ids(&self, chat: i64, pred: impl Fn(&str) -> bool) -> Vec<i64> {
        self.lock()
            .calls
            .iter()
            .filter(|c| c.method == "sendMessage" && c.status == 200)
            .filter(|c| c.body["chat_id"].as_i64() == Some(chat))
            .filter(|c| pred(c.body["text"].as_str().unwrap_or_default()))
            .filter_map(|c| c.result_id)
            .collect()
    }

    /// A message from `user_id` in their private chat, with `fields` added.
    fn private_message(&self, user_id: i64, lang: &str, fields: Value) -> Value {
        self.message(private_chat(user_id, "Ada"), user_id, lang, fields)
    }

    /// A private text message as Telegram would push it to a webhook (not queued).
    pub fn text_update(&self, user_id: i64, lang: &str, text: &str) -> Value {
        let m = self.private_message(user_id, lang, json!({"text": text}));
        let mut s = self.lock();
        s.next_update += 1;
        json!({"update_id": s.next_update, "message": m})
    }

    /// A private text message from `user_id`; returns the update id.
    pub fn text(&self, user_id: i64, lang: &str, text: &str) -> i64 {
        let mut m = self.private_message(user_id, lang, json!({"text": text}));
        if text.starts_with('/') {
            let len = text
                .split_whitespace()
                .next()
                .map_or(0, |w| w.encode_utf16().count());
            m["entities"] = json!([{"type": "bot_command", "offset": 0, "length": len}]);
        }
        self.push("message", m)
    }

    /// A message in a group chat.
    pub fn group_text(&self, chat_id: i64, user_id: i64, text: &str) -> i64 {
        let m = self.message(group(chat_id), user_id, "fr", json!({ "text": text }));
        self.push("message", m)
    }

    /// A message an anonymous administrator writes in a group: from
    /// GroupAnonymousBot, as the group itself (`sender_chat`).
    pub fn anonymous_group_text(&self, chat_id: i64, text: &str) -> i64 {
        let m = json!({
            "message_id": self.next_message_id(),
            "date": 1_764_400_000,
            "chat": group(chat_id),
            "from": {"id": 1_087_968_824_i64, "is_bot": true, "first_name": "Group",
                     "username": "GroupAnonymousBot"},
            "sender_chat": group(chat_id),
            "text": text,
        });
        self.push("message", m)
    }

    /// Sets what getChatMember says of `user` in `chat` (Telegram's statuses:
    /// `creator` for the owner, `administrator`, `member`, `restricted`,
    /// `left`, `kicked`).
    pub fn set_status(&self, chat: i64, user: i64, status: &str) {
        self.lock().statuses.insert((chat, user), status.to_owned());
    }

    /// A message in a forum topic.
    pub fn topic_text(&self, chat_id: i64, thread: i64, user_id: i64, text: &str) -> i64 {
        let forum =
            json!({"id": chat_id, "type": "supergroup", "title": "Villeurbanne", "is_forum": true});
        let m = self.message(
            forum,
            user_id,
            "fr",
            json!({"message_thread_id": thread, "is_topic_message": true, "text": text}),
        );
        self.push("message", m)
    }

    /// A message in a forum supergroup's general topic (not a topic message).
    pub fn forum_text(&self, chat_id: i64, user_id: i64, text: &str) -> i64 {
        let forum =
            json!({"id": chat_id, "type": "supergroup", "title": "Villeurbanne", "is_forum": true});
        let m = self.message(forum, user_id, "fr", json!({ "text": text }));
        self.push("message", m)
    }

    /// The highest update id the bot has confirmed (by asking for the updates
    /// after it): Telegram will not hand it again.
    pub fn confirmed(&self) -> i64 {
        self.calls("getUpdates")
            .iter()
            .filter_map(|c| c.body["offset"].as_i64())
            .max()
            .unwrap_or(0)
            - 1
    }

    /// Someone asks to join a group through an invite link.
    pub fn join_request(&self, chat_id: i64, user_id: i64) -> i64 {
        let r = json!({
            "chat": {"id": chat_id, "type": "supergroup", "title": "Quartier"},
            "from": user(user_id, "Ada", "fr"),
            "user_chat_id": user_id,
            "date": 1_764_400_000,
        });
        self.push("chat_join_request", r)
    }

    /// The group became a supergroup with a new id.
    pub fn migrate(&self, chat_id: i64, user_id: i64, to: i64) -> i64 {
        let m = self.message(
            group(chat_id),
            user_id,
            "fr",
            json!({ "migrate_to_chat_id": to }),
        );
        self.push("message", m)
    }

    /// A shared location.
    pub fn location(&self, user_id: i64, lat: f64, lon: f64) -> i64 {
        let m = self.private_message(
            user_id,
            "fr",
            json!({"location": {"latitude": lat, "longitude": lon}}),
        );
        self.push("message", m)
    }

    /// A live location moving (an edit of the first location message).
    pub fn live_location_moved(&self, user_id: i64, lat: f64, lon: f64) -> i64 {
        // An edit of the first location message: same id, an edit date.
        let m = self.private_message(
            user_id,
            "fr",
            json!({
                "message_id": 1,
                "edit_date": 1_764_400_060,
                "location": {"latitude": lat, "longitude": lon, "live_period": 900},
            }),
        );
        self.push("edited_message", m)
    }

    /// A sticker (no text).
    pub fn sticker(&self, user_id: i64) -> i64 {
        let sticker = json!({
            "file_id": "s1", "file_unique_id": "u1", "type": "regular",
            "width": 512, "height": 512, "is_animated": false, "is_video": false,
        });
        let m = self.private_message(user_id, "fr", json!({ "sticker": sticker }));
        self.push("message", m)
    }

    /// A button press on a message the bot sent.
    pub fn callback(&self, user_id: i64, data: &str) -> i64 {
        self.callback_on(user_id, 1, data)
    }

    /// A button press on the bot's message `message` in the person's chat.
    pub fn callback_on(&self, user_id: i64, message: i64, data: &str) -> i64 {
        let q = json!({
            "id": format!("cb{}", self.next_message_id()),
            "from": user(user_id, "Ada", "fr"),
            "message": {
                "message_id": message,
                "date": 1_764_400_000,
                "chat": private_chat(user_id, "Ada"),
                "from": bot_user(),
                "text": "…",
            },
            "chat_instance": "ci",
            "data": data,
        });
        self.push("callback_query", q)
    }

    /// Hands these updates out again, as Telegram does when the bot crashed before
    /// confirming them with its next offset.
    pub fn replay(&self, ids: &[i64]) {
        let mut s = self.lock();
        let again: Vec<Value> = s
            .history
            .iter()
            .filter(|u| ids.contains(&u["update_id"].as_i64().unwrap_or(0)))
            .cloned()
            .collect();
        s.updates.extend(again);
        s.updates
            .sort_by_key(|u| u["update_id"].as_i64().unwrap_or(0));
        drop(s);
        self.new_update.notify_waiters();
    }

    /// Sets the overall limit (messages accepted in any one second), for bots
    /// Telegram grants more (benchmarks).
    pub fn set_global_limit(&self, per_second: usize) {
        self.lock().global_limit = per_second;
    }

    /// The 429 answers exceeded limits have earned so far: (chat, when, sends
    /// accepted in the second before).
    pub fn too_many_requests(&self) -> Vec<(i64, Instant, usize)> {
        self.lock().too_many.clone()
    }

    /// getUpdates refused so far because another was in progress (two bot
    /// instances polling at once).
    pub fn polling_conflicts(&self) -> usize {
        self.lock().conflicts
    }

    /// Turns the 429 answers for exceeded limits off (benchmarks).
    pub fn enforce_limits(&self, on: bool) {
        self.lock().enforce_limits = on;
    }

    /// When an update was first handed to the bot.
    pub fn handed_at(&self, update: i64) -> Option<Instant> {
        self.lock().handed_at.get(&update).copied()
    }

    /// Accepted sends since index `from`: (chat, when).
    pub fn deliveries_since(&self, from: usize) -> Vec<(i64, Instant)> {
        let s = self.lock();
        s.deliveries
            .get(from..)
            .map(<[_]>::to_vec)
            .unwrap_or_default()
    }

    pub fn fail_next_send(&self, f: Failure) {
        self.lock().failures.push_back(f);
    }

    pub fn block(&self, chat: i64) {
        self.lock().blocked.insert(chat);
    }

    pub fn calls(&self, method: &str) -> Vec<Call> {
        self.lock()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// Requests refused with 400 so far: (method, Telegram's description).
    pub fn bad_requests(&self) -> Vec<(String, String)> {
        self.lock()
            .calls
            .iter()
            .filter(|c| c.status == 400)
            .map(|c| (c.method.clone(), c.error.clone().unwrap_or_default()))
            .collect()
    }

    /// Fails the test if Kohero sent anything Telegram would refuse.
    pub fn assert_no_bad_requests(&self) {
        let bad = self.bad_requests();
        assert!(bad.is_empty(), "Telegram would refuse: {bad:#?}");
    }

    /// Messages accepted for a chat: (text, reply_markup, when).
    /// The bot's messages in a chat as they show now (edits applied), by
    /// message id: (id, text as Telegram shows it, keyboard, edited).
    pub fn shown_in(&self, chat: i64) -> Vec<(i64, String, Value, bool)> {
        self.shown_everywhere().remove(&chat).unwrap_or_default()
    }

    /// The texts the bot sent to a chat, as Telegram shows them (the HTML is
    /// parsed: a message Telegram would refuse fails here), with their
    /// keyboards.
    pub fn texts_to(&self, chat: i64) -> Vec<(String, Value)> {
        self.sent_to(chat)
            .into_iter()
            .map(|(html, markup, _)| (crate::telegram_html::parse(&html).unwrap(), markup))
            .collect()
    }

    /// Waits (a minute at most) for the bot's message to `chat` containing
    /// `needle` (the last one if several), with its keyboard.
    pub async fn answer_to(&self, chat: i64, needle: &str) -> (String, Value) {
        let deadline = Instant::now() + std::time::Duration::from_secs(60);
        loop {
            if let Some(found) = self
                .texts_to(chat)
                .into_iter()
                .rev()
                .find(|(t, _)| t.contains(needle))
            {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needle:?} to {chat}: {:?}",
                self.texts_to(chat)
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// The edits accepted, in order: (chat, when).
    pub fn edits(&self) -> Vec<(i64, Instant)> {
        self.lock().edits.clone()
    }

    /// Every message the bot sent, as it shows now, by chat: (id, text,
    /// keyboard, edited), in order (one pass, for many chats at once).
    pub fn shown_everywhere(&self) -> HashMap<i64, Vec<(i64, String, Value, bool)>> {
        let s = self.lock();
        let mut out: HashMap<i64, Vec<(i64, String, Value, bool)>> = HashMap::new();
        for ((chat, id), b) in &s.bodies {
            if b["from"]["id"].as_i64() != Some(BOT_ID) {
                continue;
            }
            out.entry(*chat).or_default().push((
                *id,
                b["text"].as_str().unwrap_or_default().to_owned(),
                b["reply_markup"].clone(),
                b.get("edit_date").is_some(),
            ));
        }
        for v in out.values_mut() {
            v.sort_by_key(|m| m.0);
        }
        out
    }

    pub fn sent_to(&self, chat: i64) -> Vec<(String, Value, Instant)> {
        self.calls("sendMessage")
            .into_iter()
            .filter(|c| c.status == 200 && c.body["chat_id"].as_i64() == Some(chat))
            .map(|c| {
                (
                    c.body["text"].as_str().unwrap_or_default().to_owned(),
                    c.body["reply_markup"].clone(),
                    c.at,
                )
            })
            .collect()
    }

    /// Waits until `chat` has received `n` messages; panics after `timeout`.
    pub async fn wait_for(
        &self,
        chat: i64,
        n: usize,
        timeout: Duration,
    ) -> Vec<(String, Value, Instant)> {
        let deadline = Instant::now() + timeout;
        loop {
            self.assert_no_bad_requests();
            let got = self.sent_to(chat);
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "chat {chat}: {} of {n} messages after {timeout:?}: {:?}",
                got.len(),
                got.iter().map(|g| &g.0).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The callback data of the button whose label starts with `label`.
    pub fn button(markup: &Value, label: &str) -> Option<String> {
        markup["inline_keyboard"]
            .as_array()?
            .iter()
            .find_map(|row| {
                row.as_array()?.iter().find_map(|b| {
                    b["text"]
                        .as_str()?
                        .starts_with(label)
                        .then(|| b["callback_data"].as_str().map(str::to_owned))?
                })
            })
    }
}

async fn handle(
    State(f): State<FakeTelegram>,
    Path((bot, method)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    // JSON for most methods; multipart (setWebhook) is kept as raw text.
    let body: Value = if body.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(&body)
            .unwrap_or_else(|_| json!({"raw": String::from_utf8_lossy(&body)}))
    };
    let at = Instant::now();
    // Bot API method names are case-insensitive (teloxide sends "GetMe").
    let method = canonical(&method);
    let refused = check(&method, &body);
    let resp = if bot != format!("bot{TOKEN}") {
        err(StatusCode::UNAUTHORIZED, "Unauthorized", None)
    } else if let Err(e) = &refused {
        err(StatusCode::BAD_REQUEST, e, None)
    } else {
        answer(&f, &method, &body).await
    };
    let status = resp.status().as_u16();
    // The message id a send made, read back from the answer.
    let (parts, bytes) = resp.into_parts();
    let bytes = axum::body::to_bytes(bytes, usize::MAX)
        .await
        .unwrap_or_default();
    let result_id = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| v["result"]["message_id"].as_i64());
    f.lock().calls.push(Call {
        method,
        body,
        at,
        status,
        error: refused.err(),
        result_id,
    });
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// A file's download (`/file/bot<token>/<file_path>`), as getFile named it.
async fn download(
    State(f): State<FakeTelegram>,
    Path((bot, path)): Path<(String, String)>,
) -> Response {
    if bot != format!("bot{TOKEN}") {
        return err(StatusCode::UNAUTHORIZED, "Unauthorized", None);
    }
    let id = path.strip_prefix("files/").unwrap_or_default();
    match f.lock().files.get(id) {
        Some(bytes) => bytes.clone().into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A text field of multipart form data (kept as raw text).
fn multipart_field(raw: &str, name: &str) -> Option<String> {
    let start = raw.find(&format!("name=\"{name}\""))?;
    let rest = &raw[start..];
    let value = &rest[rest.find("\r\n\r\n")? + 4..];
    Some(value[..value.find("\r\n")?].to_owned())
}

/// What Telegram refuses before doing anything: `Err` is the 400's description.
fn check(method: &str, body: &Value) -> Result<(), String> {
    let chat_is_a_number = || match &body["chat_id"] {
        Value::Number(_) => Ok(()),
        Value::String(s) if s.starts_with('@') || s.parse::<i64>().is_ok() => Ok(()),
        _ => Err("Bad Request: chat not found".to_owned()),
    };
    match method {
        "sendMessage" | "editMessageText" => {
            chat_is_a_number()?;
            crate::telegram_html::check_send_message(body)
        }
        "sendPhoto" => {
            let raw = body["raw"].as_str().unwrap_or_default();
            if multipart_field(raw, "chat_id")
                .and_then(|c| c.parse::<i64>().ok())
                .is_none()
            {
                return Err("Bad Request: chat not found".into());
            }
            if !raw.contains("name=\"photo\"") {
                return Err("Bad Request: there is no photo in the request".into());
            }
            let caption = multipart_field(raw, "caption").unwrap_or_default();
            let visible = if multipart_field(raw, "parse_mode").as_deref() == Some("HTML") {
                crate::telegram_html::parse(&caption)?
            } else {
                caption
            };
            if visible.encode_utf16().count() > 1024 {
                return Err("Bad Request: message caption is too long".into());
            }
            Ok(())
        }
        "createForumTopic" => {
            chat_is_a_number()?;
            let n = body["name"].as_str().map_or(0, |n| n.chars().count());
            if (1..=128).contains(&n) {
                Ok(())
            } else {
                Err("Bad Request: TOPIC_NAME_INVALID".into())
            }
        }
        "deleteMessage" => {
            chat_is_a_number()?;
            if body["message_id"].as_i64().is_some() {
                Ok(())
            } else {
                Err("Bad Request: message identifier is not specified".into())
            }
        }
        "createChatInviteLink"
        | "approveChatJoinRequest"
        | "declineChatJoinRequest"
        | "banChatMember"
        | "unbanChatMember"
        | "getChatMember" => chat_is_a_number(),
        _ => Ok(()),
    }
}

/// The documented spelling of a method name.
fn canonical(method: &str) -> String {
    const KNOWN: &[&str] = &[
        "getMe",
        "getUpdates",
        "sendMessage",
        "answerCallbackQuery",
        "setMyCommands",
        "deleteWebhook",
        "setWebhook",
        "createChatInviteLink",
        "approveChatJoinRequest",
        "declineChatJoinRequest",
        "banChatMember",
        "unbanChatMember",
        "createForumTopic",
        "editMessageText",
        "getChatMember",
        "sendPhoto",
        "getFile",
        "deleteMessage",
    ];
    KNOWN
        .iter()
        .find(|k| k.eq_ignore_ascii_case(method))
        .map_or_else(|| method.to_owned(), |k| (*k).to_owned())
}

/// A message (sent or edited) to `chat` at `now`, under Telegram's limits
/// when they are enforced: about 1 message/s in a chat (a third message
/// within 2 s is refused here), the overall limit in any second, and 20 a
/// minute in a group. Over them, a real 429; else the message is counted.
fn admit(s: &mut Inner, chat: i64, now: Instant) -> Option<Response> {
    if let Some(refused) = over_limit(s, chat, now) {
        return Some(refused);
    }
    s.sent_at.entry(chat).or_default().push(now);
    s.all_sent_at.push(now);
    None
}

fn over_limit(s: &mut Inner, chat: i64, now: Instant) -> Option<Response> {
    if !s.enforce_limits {
        return None;
    }
    let recent_chat = s.sent_at.get(&chat).map_or(0, |v| {
        v.iter()
            .filter(|t| now - **t < Duration::from_secs(2))
            .count()
    });
    s.all_sent_at.retain(|t| now - *t < Duration::from_secs(1));
    let recent_all = s.all_sent_at.len();
    let group_minute = if chat < 0 {
        s.sent_at.get(&chat).map_or(0, |v| {
            v.iter()
                .filter(|t| now - **t < Duration::from_secs(60))
                .count()
        })
    } else {
        0
    };
    if recent_chat > 2 || recent_all >= s.global_limit || group_minute >= 20 {
        s.too_many.push((chat, now, recent_all));
        return Some(err(
            StatusCode::TOO_MANY_REQUESTS,
            "Too Many Requests: retry after 1",
            Some(json!({"retry_after": 1})),
        ));
    }
    None
}

async fn answer(f: &FakeTelegram, method: &str, body: &Value) -> Response {
    match method {
        "getMe" => ok(json!({
            "id": BOT_ID, "is_bot": true, "first_name": "Kohero", "username": "kohero_test_bot",
            "can_join_groups": true, "can_read_all_group_messages": false,
            "supports_inline_queries": false, "can_connect_to_business": false,
            "has_main_web_app": false
        })),
        "getUpdates" => {
            {
                let mut s = f.lock();
                if s.polling > 0 {
                    s.conflicts += 1;
                    return err(
                        StatusCode::CONFLICT,
                        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                        None,
                    );
                }
                s.polling += 1;
            }
            let _polling = Polling(f.clone());
            let offset = body["offset"].as_i64().unwrap_or(0);
            let timeout = body["timeout"].as_u64().unwrap_or(0).min(1);
            let deadline = Instant::now() + Duration::from_secs(timeout);
            loop {
                let pending: Vec<Value> = {
                    let mut s = f.lock();
                    // Like Telegram: an offset confirms every earlier update, and
                    // at most 100 are handed out at once.
                    s.updates
                        .retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
                    let batch: Vec<Value> = s.updates.iter().take(100).cloned().collect();
                    let now = Instant::now();
                    for u in &batch {
                        let id = u["update_id"].as_i64().unwrap_or(0);
                        s.handed_at.entry(id).or_insert(now);
                    }
                    batch
                };
                if !pending.is_empty() || Instant::now() >= deadline {
                    return ok(Value::Array(pending));
                }
                let _ = tokio::time::timeout(
                    deadline.saturating_duration_since(Instant::now()),
                    f.new_update.notified(),
                )
                .await;
            }
        }
        "sendMessage" | "sendPhoto" => {
            // A photo comes as multipart form data (kept as raw text).
            let photo = method == "sendPhoto";
            let raw = body["raw"].as_str().unwrap_or_default();
            let chat = if photo {
                multipart_field(raw, "chat_id")
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(0)
            } else {
                body["chat_id"].as_i64().unwrap_or(0)
            };
            let mut s = f.lock();
            if let Some(failure) = s.failures.pop_front() {
                return match failure {
                    Failure::TooManyRequests(after) => err(
                        StatusCode::TOO_MANY_REQUESTS,
                        &format!("Too Many Requests: retry after {after}"),
                        Some(json!({"retry_after": after})),
                    ),
                    Failure::ServerError => err(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "Internal Server Error",
                        None,
                    ),
                };
            }
            if s.blocked.contains(&chat) {
                return err(
                    StatusCode::FORBIDDEN,
                    "Forbidden: bot was blocked by the user",
                    None,
                );
            }
            let answered = body["reply_parameters"]["message_id"].as_i64();
            let answered_body = answered.and_then(|m| s.bodies.get(&(chat, m)).cloned());
            if answered.is_some()
                && answered_body.is_none()
                && body["reply_parameters"]["allow_sending_without_reply"] != json!(true)
            {
                return err(
                    StatusCode::BAD_REQUEST,
                    "Bad Request: message to be replied not found",
                    None,
                );
            }
            let now = Instant::now();
            if let Some(refused) = admit(&mut s, chat, now) {
                return refused;
            }
            s.deliveries.push((chat, now));
            f.delivered.notify_waiters();
            s.next_message += 1;
            let id = s.next_message;
            s.messages.insert(
                (chat, id),
                Posted {
                    by_bot: true,
                    ..Posted::default()
                },
            );
            let chat_json = if chat < 0 {
                group(chat)
            } else {
                private_chat(chat, "Ada")
            };
            let mut sent = json!({
                "message_id": id,
                "date": 1_764_400_000,
                "chat": chat_json,
                "from": bot_user(),
            });
            if photo {
                let caption = multipart_field(raw, "caption").unwrap_or_default();
                sent["caption"] =
                    Value::String(crate::telegram_html::parse(&caption).unwrap_or_default());
                sent["photo"] = json!([{"file_id": format!("sent-{id}"),
                    "file_unique_id": format!("u-sent-{id}"), "width": 1, "height": 1,
                    "file_size": raw.len()}]);
            } else {
                sent["text"] = Value::String(
                    crate::telegram_html::parse(body["text"].as_str().unwrap_or_default())
                        .unwrap_or_default(),
                );
            }
            if let Some(a) = answered_body {
                sent["reply_to_message"] = a;
            }
            let mut kept = sent.clone();
            if body["reply_markup"]["inline_keyboard"].is_array() {
                kept["reply_markup"] = body["reply_markup"].clone();
            }
            s.bodies.insert((chat, id), kept);
            drop(s);
            ok(sent)
        }
        "editMessageText" => {
            // Telegram: the bot edits its own messages, not past 48 hours, and
            // refuses an edit that changes nothing.
            let chat = body["chat_id"].as_i64().unwrap_or_default();
            let id = body["message_id"].as_i64().unwrap_or_default();
            let text = crate::telegram_html::parse(body["text"].as_str().unwrap_or_default())
                .unwrap_or_default();
            let mut s = f.lock();
            let Some(m) = s.messages.get(&(chat, id)).copied().filter(|m| !m.deleted) else {
                return err(
                    StatusCode::BAD_REQUEST,
                    "Bad Request: message to edit not found",
                    None,
                );
            };
            if !m.by_bot || m.old {
                return err(
                    StatusCode::BAD_REQUEST,
                    "Bad Request: message can't be edited",
                    None,
                );
            }
            let Some(shown) = s.bodies.get_mut(&(chat, id)) else {
                return err(
                    StatusCode::BAD_REQUEST,
                    "Bad Request: message to edit not found",
                    None,
                );
            };
            let markup = if body["reply_markup"]["inline_keyboard"].is_array() {
                body["reply_markup"].clone()
            } else {
                Value::Null
            };
            if shown["text"].as_str() == Some(text.as_str())
                && shown.get("reply_markup").cloned().unwrap_or(Value::Null) == markup
            {
                return err(
                    StatusCode::BAD_REQUEST,
                    "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
                    None,
                );
            }
            let now = Instant::now();
            if let Some(refused) = admit(&mut s, chat, now) {
                return refused;
            }
            s.edits.push((chat, now));
            let Some(shown) = s.bodies.get_mut(&(chat, id)) else {
                return err(
                    StatusCode::BAD_REQUEST,
                    "Bad Request: message to edit not found",
                    None,
                );
            };
            shown["text"] = Value::String(text);
            if markup.is_null() {
                if let Some(o) = shown.as_object_mut() {
                    o.remove("reply_markup");
                }
            } else {
                shown["reply_markup"] = markup;
            }
            shown["edit_date"] = json!(1_764_400_200);
            ok(shown.clone())
        }
        "deleteMessage" => {
            // Telegram: a bot deletes its own messages, and others' only as
            // an administrator (in a private chat, the person's too); nothing
            // older than 48 hours.
            let chat = body["chat_id"].as_i64().unwrap_or_default();
            let id = body["message_id"].as_i64().unwrap_or_default();
            let mut s = f.lock();
            let admin = matches!(
                s.statuses.get(&(chat, BOT_ID)).map(String::as_str),
                Some("administrator" | "creator")
            );
            let Some(m) = s.messages.get_mut(&(chat, id)).filter(|m| !m.deleted) else {
                return err(
                    StatusCode::BAD_REQUEST,
                    "Bad Request: message to delete not found",
                    None,
                );
            };
            if m.old {
                return err(
                    StatusCode::BAD_REQUEST,
                    "Bad Request: message can't be deleted for everyone",
                    None,
                );
            }
            if !m.by_bot && !admin && chat < 0 {
                return err(
                    StatusCode::BAD_REQUEST,
                    "Bad Request: message can't be deleted",
                    None,
                );
            }
            m.deleted = true;
            ok(json!(true))
        }
        "getFile" => {
            let id = body["file_id"].as_str().unwrap_or_default();
            match f.lock().files.get(id) {
                Some(bytes) => ok(json!({"file_id": id, "file_unique_id": format!("u-{id}"),
                    "file_size": bytes.len(), "file_path": format!("files/{id}")})),
                None => err(
                    StatusCode::BAD_REQUEST,
                    "Bad Request: invalid file_id",
                    None,
                ),
            }
        }
        "createForumTopic" => {
            let thread = f.next_message_id();
            ok(json!({"message_thread_id": thread, "name": body["name"], "icon_color": 7_322_096}))
        }
        "getChatMember" => {
            let chat = body["chat_id"].as_i64().unwrap_or_default();
            let user_id = body["user_id"].as_i64().unwrap_or_default();
            let status = f
                .lock()
                .statuses
                .get(&(chat, user_id))
                .cloned()
                .unwrap_or_else(|| "member".to_owned());
            ok(chat_member(user_id, &status))
        }
        "createChatInviteLink" => ok(json!({
            "invite_link": format!("https://t.me/+join{}", body["chat_id"]),
            "creator": bot_user(),
            "creates_join_request": body["creates_join_request"],
            "is_primary": false,
            "is_revoked": false,
        })),
        _ => ok(json!(true)),
    }
}
