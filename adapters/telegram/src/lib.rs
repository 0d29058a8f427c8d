//! Kohero on Telegram, through the Bot API with teloxide: long polling intake with
//! exactly-once handling (`update_id`), and a [`Sender`] that renders replies as
//! HTML with inline keyboards whose callback data are opaque ids.
//!
//! Private chats only in this version; group linking and forum topics come later.

pub mod render;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use kohero_core::domain::{Identity, Lang, Outgoing};
use kohero_core::geo::GeoPoint;
use kohero_core::inbox::Inbox;
use kohero_core::inbox::{Content, Incoming};
use kohero_core::ports::{SendError, Sender, Store};
use teloxide::ApiError;
use teloxide::RequestError;
use teloxide::payloads::{
    CreateChatInviteLinkSetters, GetUpdatesSetters, SendMessageSetters, SetMyCommandsSetters,
    SetWebhookSetters, UnbanChatMemberSetters,
};
use teloxide::requests::Requester;
use teloxide::types::{
    AllowedUpdate, BotCommand, BotCommandScope, ButtonRequest, ChatId, InlineKeyboardButton,
    InlineKeyboardMarkup, KeyboardButton, KeyboardMarkup, Message, MessageId, ParseMode, ThreadId,
    Update, UpdateKind, User, UserId,
};
use tokio::sync::watch;

pub use teloxide::Bot;

/// The network name in identities and addresses.
pub const NETWORK: &str = "telegram";
/// Callback data prefix of Kohero's buttons.
const ACTION_PREFIX: &str = "a:";

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("invalid Bot API URL {0:?}")]
    Url(String),
    #[error("the Bot API refused the token or could not be reached: {0}")]
    GetMe(RequestError),
    #[error("cannot set the bot's commands: {0}")]
    Commands(RequestError),
    #[error("cannot set or remove the webhook: {0}")]
    Webhook(RequestError),
}

fn allowed_updates() -> Vec<AllowedUpdate> {
    vec![
        AllowedUpdate::Message,
        AllowedUpdate::EditedMessage,
        AllowedUpdate::CallbackQuery,
        AllowedUpdate::ChatJoinRequest,
    ]
}

/// What a webhook request gets back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookAnswer {
    /// 200: handled (or nothing to do).
    Accepted,
    /// 401: the secret token is missing or wrong.
    Unauthorized,
    /// 400: not an update.
    BadRequest,
    /// 500: not recorded; Telegram sends it again.
    Retry,
}

/// Compares without stopping at the first difference.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A connected bot: its name, and what it needs to send and receive.
#[derive(Clone)]
pub struct Telegram {
    bot: Bot,
    store: Arc<dyn Store>,
    username: String,
    connected: Arc<AtomicBool>,
}

/// The command menu, in French (default) and English. Names use only a-z, 0-9, _.
fn commands(lang: Lang) -> Vec<BotCommand> {
    let list: &[(&str, &str, &str)] = &[
        ("pres", "Initiatives autour de moi", "near"),
        ("chercher", "Chercher par mots", "search"),
        ("proposer", "Proposer une idée", "propose"),
        ("fil", "L'actualité de ce que je suis", "feed"),
        ("abonner", "M'abonner à un lieu", "subscribe"),
        ("alertes", "Régler mes alertes", "alerts"),
        ("profil", "Mon profil", "profile"),
        ("langue", "Changer de langue", "language"),
        ("mesdonnees", "Mes données", "mydata"),
        ("aide", "Aide", "help"),
    ];
    let en: &[&str] = &[
        "Initiatives near me",
        "Search by words",
        "Propose an idea",
        "News from what I follow",
        "Subscribe to a place",
        "Set my alerts",
        "My profile",
        "Change language",
        "My data",
        "Help",
    ];
    list.iter()
        .zip(en)
        .map(|((fr_cmd, fr_desc, en_cmd), en_desc)| match lang {
            Lang::Fr => BotCommand::new(*fr_cmd, *fr_desc),
            Lang::En => BotCommand::new(*en_cmd, *en_desc),
        })
        .collect()
}

impl Telegram {
    /// Checks the token (`getMe`), publishes the command menus, and registers the
    /// webhook (`Some((public URL, secret))`) or removes any (long polling).
    pub async fn connect(
        token: &str,
        api_url: &str,
        store: Arc<dyn Store>,
        webhook: Option<(&str, &str)>,
    ) -> Result<Self, ConnectError> {
        let url = url::Url::parse(api_url).map_err(|_| ConnectError::Url(api_url.to_owned()))?;
        let bot = Bot::new(token).set_api_url(url);
        let me = bot.get_me().await.map_err(ConnectError::GetMe)?;
        match webhook {
            Some((public, secret)) => {
                let public =
                    url::Url::parse(public).map_err(|_| ConnectError::Url(public.to_owned()))?;
                bot.set_webhook(public)
                    .secret_token(secret)
                    .allowed_updates(allowed_updates())
                    .await
                    .map_err(ConnectError::Webhook)?;
            }
            None => {
                bot.delete_webhook().await.map_err(ConnectError::Webhook)?;
            }
        }
        let username = me.username().to_owned();
        for (lang, code) in [(Lang::Fr, None), (Lang::En, Some("en"))] {
            for scope in [
                BotCommandScope::AllPrivateChats,
                BotCommandScope::AllGroupChats,
            ] {
                let mut req = bot.set_my_commands(commands(lang)).scope(scope);
                if let Some(code) = code {
                    req = req.language_code(code);
                }
                req.await.map_err(ConnectError::Commands)?;
            }
        }
        tracing::info!(%username, "connected to Telegram");
        Ok(Self {
            bot,
            store,
            username,
            connected: Arc::new(AtomicBool::new(true)),
        })
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    pub fn connected(&self) -> Arc<AtomicBool> {
        self.connected.clone()
    }

    pub fn sender(&self) -> Arc<TelegramSender> {
        Arc::new(TelegramSender {
            bot: self.bot.clone(),
            store: self.store.clone(),
            username: self.username.clone(),
            known: Mutex::default(),
            progress: Mutex::default(),
        })
    }

    /// Long polling until `stop`, while `held` (this process holds the Telegram
    /// lease: Telegram answers one getUpdates at a time per bot): each update is
    /// handed to `inbox` and confirmed to Telegram (by the next offset) only once
    /// it is recorded, so after a crash Telegram hands it again and core
    /// recognises it.
    pub async fn run_intake(
        self,
        inbox: Arc<dyn Inbox>,
        mut stop: watch::Receiver<bool>,
        mut held: watch::Receiver<bool>,
    ) {
        let mut offset: i32 = 0;
        let mut failures: u32 = 0;
        while !*stop.borrow() {
            if !*held.borrow() {
                tracing::info!("Telegram polling paused: another process holds the lease");
                if !kohero_core::ports::until_held(&mut held, &mut stop).await {
                    break;
                }
                tracing::info!("Telegram polling resumed: this process holds the lease");
            }
            let poll = self
                .bot
                .get_updates()
                .offset(offset)
                .timeout(20)
                .allowed_updates(allowed_updates());
            let updates = tokio::select! {
                _ = stop.changed() => break,
                // Lease lost: stop polling at once (the next holder's getUpdates
                // would conflict with this one).
                _ = held.wait_for(|h| !*h) => continue,
                r = poll => r,
            };
            match updates {
                Ok(updates) => {
                    failures = 0;
                    self.connected.store(true, Ordering::Relaxed);
                    let Some(last) = updates
                        .last()
                        .map(|u| i32::try_from(u.id.0).unwrap_or(i32::MAX))
                    else {
                        continue;
                    };
                    match self.handle_batch(&inbox, updates).await {
                        // Confirmed to Telegram by the next getUpdates.
                        Ok(()) => offset = offset.max(last.saturating_add(1)),
                        Err(e) => {
                            // Nothing was recorded: ask for the same updates again.
                            tracing::error!(error = %e, "updates not handled; will retry");
                            tokio::select! {
                                _ = stop.changed() => break,
                                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                            }
                        }
                    }
                }
                Err(e) => {
                    failures += 1;
                    self.connected.store(false, Ordering::Relaxed);
                    let wait = match &e {
                        RequestError::RetryAfter(s) => s.duration(),
                        _ => Duration::from_millis(500 * u64::from(failures.min(20))),
                    };
                    tracing::warn!(error = %e, ?wait, "getUpdates failed");
                    tokio::select! {
                        _ = stop.changed() => break,
                        _ = tokio::time::sleep(wait) => {}
                    }
                }
            }
        }
        tracing::info!("Telegram intake stopped");
    }

    /// One update pushed by Telegram to the webhook: checked against the secret,
    /// handed to core, and answered so that Telegram retries what was not recorded.
    pub async fn webhook(
        &self,
        inbox: &Arc<dyn Inbox>,
        secret: &str,
        given: Option<&[u8]>,
        body: &[u8],
    ) -> WebhookAnswer {
        if !given.is_some_and(|g| same_secret(g, secret.as_bytes())) {
            return WebhookAnswer::Unauthorized;
        }
        let Ok(update) = serde_json::from_slice::<Update>(body) else {
            return WebhookAnswer::BadRequest;
        };
        match self.handle_batch(inbox, vec![update]).await {
            Ok(()) => WebhookAnswer::Accepted,
            Err(e) => {
                tracing::error!(error = %e, "webhook update not handled");
                WebhookAnswer::Retry
            }
        }
    }

    /// Hands a getUpdates answer to core in one batch (one transaction).
    async fn handle_batch(
        &self,
        inbox: &Arc<dyn Inbox>,
        updates: Vec<Update>,
    ) -> Result<(), String> {
        let mut batch = Vec::with_capacity(updates.len());
        for u in updates {
            if let Some(i) = self.incoming(u).await? {
                batch.push(i);
            }
        }
        if batch.is_empty() {
            return Ok(());
        }
        inbox
            .accept_batch(batch)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// What an update means for core, if anything.
    async fn incoming(&self, u: Update) -> Result<Option<Incoming>, String> {
        let event_id = u.id.0.to_string();
        let incoming = match u.kind {
            UpdateKind::Message(m) => self.message(m, event_id),
            UpdateKind::CallbackQuery(q) => {
                let chat = q.message.as_ref().map(|m| m.chat().id);
                let content = match q
                    .data
                    .as_deref()
                    .and_then(|d| d.strip_prefix(ACTION_PREFIX))
                {
                    Some(id) => match id.parse::<i64>() {
                        Ok(id) => self.recall(id).await?,
                        Err(_) => None,
                    },
                    None => None,
                };
                // Always answer the query (it stops the button's spinner). A forged or
                // stale payload reaches core as an unknown button, which says so.
                if let Err(e) = self.bot.answer_callback_query(q.id.clone()).await {
                    tracing::debug!(error = %e, "answerCallbackQuery failed");
                }
                let chat = chat.filter(|c| c.is_user());
                chat.map(|chat| {
                    incoming(
                        &q.from,
                        chat,
                        event_id,
                        Content::Button(content.unwrap_or_else(|| "#stale".to_owned())),
                    )
                })
            }
            // Someone asks to enter a group: core decides (members of its project).
            UpdateKind::ChatJoinRequest(r) => {
                Some(incoming(&r.from, r.chat.id, event_id, Content::JoinRequest))
            }
            // A live location moving: the stored position follows, silently.
            // Other edits are not answered.
            UpdateKind::EditedMessage(m) => {
                match (m.chat.is_private(), m.location(), m.from.as_ref()) {
                    (true, Some(l), Some(from)) => GeoPoint::new(l.latitude, l.longitude)
                        .ok()
                        .map(|p| incoming(from, m.chat.id, event_id, Content::Moved(p))),
                    _ => None,
                }
            }
            _ => None,
        };
        Ok(incoming)
    }

    async fn recall(&self, id: i64) -> Result<Option<String>, String> {
        let mut tx = self.store.read().await.map_err(|e| e.to_string())?;
        tx.recall_button(id).await.map_err(|e| e.to_string())
    }

    /// A message as core's input. In groups only commands for this bot (and a
    /// group's move to a supergroup) reach core; other messages are not stored.
    fn message(&self, m: Message, event_id: String) -> Option<Incoming> {
        let from = m.from.as_ref()?;
        if !m.chat.is_private() {
            if let Some(to) = m.migrate_to_chat_id() {
                return Some(incoming(
                    from,
                    m.chat.id,
                    event_id,
                    Content::ChatMoved(to.0.to_string()),
                ));
            }
            let text = m.text()?;
            if !text.starts_with('/') || from.is_bot {
                return None;
            }
            let word = text.split_whitespace().next().unwrap_or_default();
            if let Some((_, bot)) = word.split_once('@')
                && !bot.eq_ignore_ascii_case(&self.username)
            {
                return None; // for another bot
            }
            let mut i = incoming(from, m.chat.id, event_id, Content::Text(text.to_owned()));
            // In a forum topic the chat is the topic ("CHAT/THREAD"), a project's room.
            if m.is_topic_message
                && let Some(t) = m.thread_id
            {
                i.chat = Some(format!("{}/{}", m.chat.id.0, t.0.0));
            }
            return Some(i);
        }
        if from.is_bot {
            return None;
        }
        let content = if let Some(t) = m.text() {
            Content::Text(t.to_owned())
        } else if let Some(l) = m.location() {
            Content::Location(GeoPoint::new(l.latitude, l.longitude).ok()?)
        } else if let Some(v) = m.venue() {
            Content::Location(GeoPoint::new(v.location.latitude, v.location.longitude).ok()?)
        } else {
            // Stickers, photos, voice…: answered with the short help.
            Content::Text(String::new())
        };
        Some(incoming(from, m.chat.id, event_id, content))
    }
}

fn incoming(from: &User, chat: ChatId, event_id: String, content: Content) -> Incoming {
    Incoming {
        identity: Identity::new(NETWORK, from.id.0.to_string()),
        chat: Some(chat.0.to_string()),
        event_id: Some(event_id),
        display_name: Some(from.full_name()),
        lang_hint: from.language_code.as_deref().and_then(Lang::parse),
        content,
    }
}

/// Sends outbox messages through the Bot API.
pub struct TelegramSender {
    bot: Bot,
    store: Arc<dyn Store>,
    /// The bot's username, for "add to group" links.
    username: String,
    /// Button ids already given out (they never change while in use), and
    /// when the store last heard of each, to spare the store.
    known: Mutex<HashMap<String, (i64, std::time::Instant)>>,
    /// Replies sent in several messages and retried: how many of their
    /// messages Telegram already took, by outbox id.
    progress: Mutex<HashMap<i64, usize>>,
}

/// The pause between the messages of one long reply.
const PART_GAP: Duration = Duration::from_millis(1050);
/// Most button ids kept in memory; past that the cache starts again.
const KNOWN_MAX: usize = 100_000;
/// How often the store hears that a cached button is still given out: the
/// pruner deletes buttons not given out for far longer (90 days), so a cached
/// id is never one that was pruned.
const KNOWN_REFRESH: Duration = Duration::from_secs(24 * 3600);

impl TelegramSender {
    /// Links into a project's chat: one that asks to join the group (the bot
    /// approves members of the project) and, for a forum topic, one that opens
    /// the topic once inside.
    async fn invite_links(&self, room: &str) -> Result<Vec<url::Url>, SendError> {
        let (chat, thread) = chat_and_thread(room)?;
        let link = self
            .bot
            .create_chat_invite_link(ChatId(chat))
            .creates_join_request(true)
            .await
            .map_err(send_error)?;
        let mut out = vec![
            url::Url::parse(&link.invite_link).map_err(|e| SendError::Permanent(e.to_string()))?,
        ];
        // t.me/c/ID/THREAD opens a topic of a supergroup (ID without its -100).
        if let Some(t) = thread
            && let Some(id) = chat.to_string().strip_prefix("-100")
            && let Ok(url) = url::Url::parse(&format!("https://t.me/c/{id}/{t}"))
        {
            out.push(url);
        }
        Ok(out)
    }

    async fn perform(
        &self,
        chat: ChatId,
        thread: Option<i32>,
        op: &render::Op,
    ) -> Result<(), SendError> {
        if let (render::Op::Remove { user }, Some(t)) = (op, thread) {
            // A topic has no members of its own: taking the person out would
            // take them out of the whole forum, which is the commune's, not
            // the project's.
            tracing::debug!(
                chat = chat.0,
                thread = t,
                user,
                "not removed from a forum topic"
            );
            return Ok(());
        }
        if let render::Op::CreateTopic { name, initiative } = op {
            // Telegram's limit for a topic name is 128 characters.
            let name: String = name.chars().take(128).collect();
            let topic = self
                .bot
                .create_forum_topic(chat, name)
                .await
                .map_err(send_error)?;
            let room = kohero_core::domain::Address::new(
                NETWORK,
                format!("{}/{}", chat.0, topic.thread_id.0.0),
            );
            let temporary = |e: kohero_core::ports::StoreError| SendError::Temporary(e.to_string());
            let mut tx = self.store.begin().await.map_err(temporary)?;
            tx.link_room(
                &room,
                kohero_core::domain::InitiativeId(*initiative),
                chrono::Utc::now(),
            )
            .await
            .map_err(temporary)?;
            tx.commit().await.map_err(temporary)?;
            return Ok(());
        }
        let user = |u: &str| -> Result<UserId, SendError> {
            u.parse::<u64>()
                .map(UserId)
                .map_err(|_| SendError::Permanent(format!("not a Telegram user id: {u}")))
        };
        match op {
            render::Op::Admit {
                user: u,
                approve: true,
            } => {
                self.bot
                    .approve_chat_join_request(chat, user(u)?)
                    .await
                    .map_err(send_error)?;
            }
            render::Op::Admit {
                user: u,
                approve: false,
            } => {
                self.bot
                    .decline_chat_join_request(chat, user(u)?)
                    .await
                    .map_err(send_error)?;
            }
            render::Op::CreateTopic { .. } => {}
            render::Op::Remove { user: u } => {
                // Ban then unban: out of the group, free to come back by invitation.
                let id = user(u)?;
                self.bot
                    .ban_chat_member(chat, id)
                    .await
                    .map_err(send_error)?;
                self.bot
                    .unban_chat_member(chat, id)
                    .only_if_banned(true)
                    .await
                    .map_err(send_error)?;
            }
        }
        Ok(())
    }
}

/// A chat as Kohero addresses it: "CHAT", or "CHAT/THREAD" for a forum topic.
fn chat_and_thread(room: &str) -> Result<(i64, Option<i32>), SendError> {
    let bad = || SendError::Permanent(format!("not a Telegram chat: {room}"));
    let (chat, thread) = match room.split_once('/') {
        Some((c, t)) => (c, Some(t.parse::<i32>().map_err(|_| bad())?)),
        None => (room, None),
    };
    Ok((chat.parse().map_err(|_| bad())?, thread))
}

fn send_error(e: RequestError) -> SendError {
    match e {
        RequestError::RetryAfter(s) => SendError::RetryAfter {
            after: s.duration(),
            chat_only: false,
        },
        RequestError::Api(
            ApiError::BotBlocked
            | ApiError::ChatNotFound
            | ApiError::UserDeactivated
            | ApiError::BotKicked
            | ApiError::BotKickedFromSupergroup
            | ApiError::CantInitiateConversation
            | ApiError::GroupDeactivated,
        ) => SendError::Unreachable(e.to_string()),
        RequestError::Api(ApiError::Unknown(ref d)) if !d.starts_with("Bad Request") => {
            SendError::Temporary(e.to_string())
        }
        RequestError::Api(_) => SendError::Permanent(e.to_string()),
        RequestError::MigrateToChatId(_) => SendError::Permanent(e.to_string()),
        _ => SendError::Temporary(e.to_string()),
    }
}

impl TelegramSender {
    async fn keyboard(
        &self,
        rows: &[Vec<(String, String)>],
    ) -> Result<Option<InlineKeyboardMarkup>, SendError> {
        if rows.is_empty() {
            return Ok(None);
        }
        // Every command's id: from the cache, else from the store (then cached).
        let mut ids: HashMap<&str, i64> = HashMap::new();
        {
            let known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
            for (_, c) in rows.iter().flatten() {
                if let Some((id, told)) = known.get(c)
                    && told.elapsed() < KNOWN_REFRESH
                {
                    ids.insert(c, *id);
                }
            }
        }
        let missing: Vec<&str> = rows
            .iter()
            .flatten()
            .map(|(_, c)| c.as_str())
            .filter(|c| !ids.contains_key(c))
            .collect();
        if !missing.is_empty() {
            let temporary = |e: kohero_core::ports::StoreError| SendError::Temporary(e.to_string());
            let mut tx = self.store.begin().await.map_err(temporary)?;
            let now = chrono::Utc::now();
            let mut told = Vec::with_capacity(missing.len());
            for c in missing {
                let id = tx.remember_button(c, now).await.map_err(temporary)?;
                ids.insert(c, id);
                told.push((c.to_owned(), id));
            }
            tx.commit().await.map_err(temporary)?;
            let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
            if known.len() + told.len() > KNOWN_MAX {
                known.clear();
            }
            let at = std::time::Instant::now();
            known.extend(told.into_iter().map(|(c, id)| (c, (id, at))));
        }
        let out = rows
            .iter()
            .map(|row| {
                row.iter()
                    .filter_map(|(label, command)| {
                        let id = ids.get(command.as_str())?;
                        Some(InlineKeyboardButton::callback(
                            label.clone(),
                            format!("{ACTION_PREFIX}{id}"),
                        ))
                    })
                    .collect()
            })
            .collect::<Vec<Vec<_>>>();
        Ok(Some(InlineKeyboardMarkup::new(out)))
    }
}

#[async_trait]
impl Sender for TelegramSender {
    fn network(&self) -> &str {
        NETWORK
    }

    /// Groups and supergroups have negative chat ids.
    fn is_group(&self, chat: &str) -> bool {
        chat.starts_with('-')
    }

    /// A long reply is several messages, about a second apart.
    fn parts(&self, message: &Outgoing) -> usize {
        render::render(&message.reply).len()
    }

    /// A reply Telegram takes in several messages: when one of them fails, the
    /// ones already accepted are not sent again at the retry (while this
    /// process runs; after a crash the whole reply goes again, at least once).
    async fn send(&self, message: &Outgoing) -> Result<(), SendError> {
        let r = self.send_parts(message).await;
        let mut progress = self.progress.lock().unwrap_or_else(PoisonError::into_inner);
        match &r {
            Err(SendError::RetryAfter { .. } | SendError::Temporary(_)) => {}
            _ => {
                progress.remove(&message.id);
            }
        }
        r
    }
}

impl TelegramSender {
    async fn send_parts(&self, message: &Outgoing) -> Result<(), SendError> {
        let (chat, thread) = chat_and_thread(&message.to.chat)?;
        let done = self
            .progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&message.id)
            .copied()
            .unwrap_or(0);
        for (n, part) in render::render(&message.reply).into_iter().enumerate() {
            if n < done {
                continue;
            }
            if n > done {
                // Telegram takes about one message a second in a chat.
                tokio::time::sleep(PART_GAP).await;
            }
            for op in &part.ops {
                self.perform(ChatId(chat), thread, op).await?;
            }
            // Telegram trims a text and refuses it blank.
            if render::visible(&part.html).trim().is_empty() {
                continue;
            }
            let mut kb = self.keyboard(&part.buttons).await?;
            for (payload, label) in &part.add_to_group {
                // Added as an administrator able to invite, approve and remove.
                let link = format!(
                    "https://t.me/{}?startgroup={payload}&admin=invite_users+restrict_members+manage_topics",
                    self.username
                );
                if let Ok(url) = url::Url::parse(&link) {
                    let button = InlineKeyboardButton::url(label.clone(), url);
                    match kb.as_mut() {
                        Some(k) => k.inline_keyboard.push(vec![button]),
                        None => kb = Some(InlineKeyboardMarkup::new(vec![vec![button]])),
                    }
                }
            }
            for (room, label) in &part.invites {
                // The join link with the core's label; a topic's own link
                // (for once inside the forum) as a speech bubble.
                let links = match self.invite_links(room).await {
                    Ok(links) => links,
                    Err(e @ (SendError::RetryAfter { .. } | SendError::Temporary(_))) => {
                        return Err(e);
                    }
                    // The project's chat is gone or the bot may not invite
                    // there: that chat's problem, not this person's. The
                    // reply goes without the button.
                    Err(e) => {
                        tracing::warn!(room = %room, error = %e, "no invite link for a project's chat");
                        continue;
                    }
                };
                let row: Vec<InlineKeyboardButton> = links
                    .into_iter()
                    .enumerate()
                    .map(|(i, link)| {
                        let text = if i == 0 {
                            label.clone()
                        } else {
                            "💬".to_owned()
                        };
                        InlineKeyboardButton::url(text, link)
                    })
                    .collect();
                match kb.as_mut() {
                    Some(k) => k.inline_keyboard.push(row),
                    None => kb = Some(InlineKeyboardMarkup::new(vec![row])),
                }
            }
            let mut req = self
                .bot
                .send_message(ChatId(chat), part.html)
                .parse_mode(ParseMode::Html);
            if let Some(t) = thread {
                req = req.message_thread_id(ThreadId(MessageId(t)));
            }
            if let Some(kb) = kb {
                req = req.reply_markup(kb);
            } else if let Some(label) = &part.ask_location {
                let button = KeyboardButton::new(label.clone()).request(ButtonRequest::Location);
                req = req.reply_markup(KeyboardMarkup::new(vec![vec![button]]).resize_keyboard());
            }
            req.await.map_err(send_error)?;
            self.sent_part(message.id, n + 1);
        }
        Ok(())
    }

    /// Records that the first `parts` messages of a reply were accepted.
    fn sent_part(&self, id: i64, parts: usize) {
        let mut progress = self.progress.lock().unwrap_or_else(PoisonError::into_inner);
        if parts == 0 {
            return;
        }
        if progress.len() >= KNOWN_MAX {
            progress.clear();
        }
        progress.insert(id, parts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_names_follow_telegram_rules() {
        for lang in [Lang::Fr, Lang::En] {
            for c in commands(lang) {
                assert!(
                    c.command
                        .chars()
                        .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_'),
                    "{}",
                    c.command
                );
            }
        }
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
    }

    #[test]
    fn errors_map_to_delivery_outcomes() {
        assert!(matches!(
            send_error(RequestError::Api(ApiError::BotBlocked)),
            SendError::Unreachable(_)
        ));
        assert!(matches!(
            send_error(RequestError::Api(ApiError::MessageIsTooLong)),
            SendError::Permanent(_)
        ));
        assert!(matches!(
            send_error(RequestError::Api(ApiError::Unknown(
                "Internal Server Error".into()
            ))),
            SendError::Temporary(_)
        ));
    }
}
