//! Telegram's side in: long polling (or the webhook), each update turned into
//! core's `Incoming` and handed to the inbox in one batch, confirmed to
//! Telegram only once recorded.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use kohero_core::domain::{Identity, Lang};
use kohero_core::geo::GeoPoint;
use kohero_core::inbox::{ChatCheck, ChatRole, Content, Inbox, Incoming};
use teloxide::RequestError;
use teloxide::payloads::GetUpdatesSetters;
use teloxide::requests::Requester;
use teloxide::types::{ChatId, ChatMemberKind, Message, Update, UpdateKind, User};
use tokio::sync::watch;

use crate::{ACTION_PREFIX, NETWORK, Telegram, WebhookAnswer, allowed_updates, same_secret};

impl Telegram {
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
            UpdateKind::Message(m) => self.message(m, event_id).await,
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
                // The message the button is on: a card that shows what was
                // pressed takes its place.
                let pressed = q.message.as_ref().map(|m| m.id().0.to_string());
                chat.map(|chat| {
                    let mut i = incoming(
                        &q.from,
                        chat,
                        event_id,
                        Content::Button(content.unwrap_or_else(|| "#stale".to_owned())),
                    );
                    i.message_id = pressed;
                    i
                })
            }
            // Someone asks to enter a group: core decides (members of its project).
            UpdateKind::ChatJoinRequest(r) => {
                Some(incoming(&r.from, r.chat.id, event_id, Content::JoinRequest))
            }
            // A message of a group changed: relayed as changed.
            UpdateKind::EditedMessage(m) if !m.chat.is_private() => {
                let from = m.from.as_ref().filter(|u| !u.is_bot);
                match (from, crate::relay::said(&m)) {
                    (Some(from), Some(said)) if m.location().is_none() => {
                        let mut i = incoming(
                            from,
                            m.chat.id,
                            event_id,
                            Content::Edited {
                                message: m.id.0.to_string(),
                                said,
                            },
                        );
                        i.chat = Some(topic_chat(&m));
                        Some(i)
                    }
                    _ => None,
                }
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
        self.store
            .recall_button(id)
            .await
            .map_err(|e| e.to_string())
    }

    /// A message as core's input. In groups only commands for this bot (and a
    /// group's move to a supergroup) reach core; other messages are not stored.
    async fn message(&self, m: Message, event_id: String) -> Option<Incoming> {
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
            let Some(text) = m.text().filter(|t| t.starts_with('/')) else {
                // Said to the group's people: for the project's other chats.
                return self.said_in_group(&m, from, event_id);
            };
            let word = text.split_whitespace().next().unwrap_or_default();
            if let Some((_, bot)) = word.split_once('@')
                && !bot.eq_ignore_ascii_case(&self.username)
            {
                return None; // for another bot
            }
            let needs_check = kohero_core::command::needs_chat_check(text);
            // An anonymous administrator writes as the group itself (through
            // GroupAnonymousBot): only told, for the commands that need to
            // know who they are, to write as themselves.
            let anonymous = m.sender_chat.as_ref().is_some_and(|c| c.id == m.chat.id);
            if from.is_bot && !(anonymous && needs_check) {
                return None;
            }
            let mut i = incoming(from, m.chat.id, event_id, Content::Text(text.to_owned()));
            // What it shows can be taken back (deleteMessage by its id).
            i.message_id = Some(m.id.0.to_string());
            if needs_check {
                let role = if anonymous {
                    ChatRole::Anonymous
                } else {
                    self.role_in(m.chat.id, from.id).await
                };
                i.chat_check = Some(ChatCheck {
                    role,
                    // Telegram groups are people's own: the bot makes none
                    // (forum topics are refused by core as such).
                    made_by_kohero: false,
                });
            }
            i.chat = Some(topic_chat(&m));
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

    /// A group message for its people, not for the bot: relayed into the
    /// project's other chats (core decides whether the group is a
    /// project's). Bots are not relayed — the bot's own copies least of
    /// all — but an anonymous administrator, writing as the group, is.
    fn said_in_group(&self, m: &Message, from: &User, event_id: String) -> Option<Incoming> {
        let anonymous = m.sender_chat.as_ref().is_some_and(|c| c.id == m.chat.id);
        if (from.is_bot && !anonymous) || from.id == self.me || m.is_automatic_forward() {
            return None;
        }
        let said = crate::relay::said(m)?;
        let reply = crate::relay::reply_to(m, self.me);
        let mut i = incoming(from, m.chat.id, event_id, Content::Said { said, reply });
        if anonymous {
            i.display_name = m.chat.title().map(str::to_owned);
        }
        i.message_id = Some(m.id.0.to_string());
        i.chat = Some(topic_chat(m));
        Some(i)
    }

    /// The sender's place in a group, as Telegram says (`getChatMember`: the
    /// owner's status is `creator`), kept a little while: updates are handled
    /// one after the other, so someone repeating `/lier` must not make a
    /// request to Telegram each time and hold up everyone's updates.
    async fn role_in(&self, chat: ChatId, user: teloxide::types::UserId) -> ChatRole {
        if let Some(role) = self.roles.get(chat, user) {
            return role;
        }
        let role = match self.bot.get_chat_member(chat, user).await {
            Ok(member) => match member.kind {
                ChatMemberKind::Owner(_) => ChatRole::Owner,
                ChatMemberKind::Administrator(_) => ChatRole::Admin,
                _ => ChatRole::Member,
            },
            Err(e) => {
                tracing::warn!(error = %e, chat = chat.0, "getChatMember failed");
                // Not kept: asked again next time.
                return ChatRole::Unknown;
            }
        };
        self.roles.put(chat, user, role);
        role
    }
}

/// getChatMember's answers of the last [`ROLE_KEPT`], by group and person.
#[derive(Debug, Default)]
pub(crate) struct Roles(std::sync::Mutex<HashMap<(i64, u64), (ChatRole, Instant)>>);

/// How long an answer of getChatMember is believed.
const ROLE_KEPT: Duration = Duration::from_secs(30);
/// Most answers kept; past that the old ones go.
const ROLES_MAX: usize = 10_000;

impl Roles {
    fn get(&self, chat: ChatId, user: teloxide::types::UserId) -> Option<ChatRole> {
        let roles = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        roles
            .get(&(chat.0, user.0))
            .filter(|(_, at)| at.elapsed() < ROLE_KEPT)
            .map(|(role, _)| *role)
    }

    fn put(&self, chat: ChatId, user: teloxide::types::UserId, role: ChatRole) {
        let mut roles = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if roles.len() >= ROLES_MAX {
            roles.retain(|_, (_, at)| at.elapsed() < ROLE_KEPT);
        }
        roles.insert((chat.0, user.0), (role, Instant::now()));
    }
}

/// The chat a group message belongs to: in a forum topic, the topic
/// (`CHAT/THREAD`, a project's room), else the group.
fn topic_chat(m: &Message) -> String {
    match m.thread_id.filter(|_| m.is_topic_message) {
        Some(t) => format!("{}/{}", m.chat.id.0, t.0.0),
        None => m.chat.id.0.to_string(),
    }
}

fn incoming(from: &User, chat: ChatId, event_id: String, content: Content) -> Incoming {
    Incoming {
        chat_check: None,
        identity: Identity::new(NETWORK, from.id.0.to_string()),
        chat: Some(chat.0.to_string()),
        event_id: Some(event_id),
        message_id: None,
        display_name: Some(from.full_name()),
        lang_hint: from.language_code.as_deref().and_then(Lang::parse),
        content,
    }
}
