//! Telegram's side out: outbox messages sent through the Bot API (HTML, inline
//! keyboards whose callback data are button ids, invite links, operations on
//! groups and forum topics), and what Telegram's errors mean for delivery.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use kohero_core::Reply;
use kohero_core::domain::{Address, Destination, InitiativeId, Outgoing, Payload, Relay, RoomOp};
use kohero_core::ports::{AdapterStore, SendError, Sender, Sent, StateKey};
use teloxide::ApiError;
use teloxide::RequestError;
use teloxide::payloads::{
    CreateChatInviteLinkSetters, EditMessageTextSetters, SendMessageSetters, SendPhotoSetters,
    UnbanChatMemberSetters,
};
use teloxide::requests::Requester;
use teloxide::types::{
    ButtonRequest, ChatId, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton,
    KeyboardMarkup, LinkPreviewOptions, MessageId, ParseMode, ReplyParameters, ThreadId, UserId,
};

/// Relayed messages show no link preview (a link in a relay is someone
/// else's message, not the bot's choice).
fn no_preview() -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: true,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}

use crate::{ACTION_PREFIX, Bot, NETWORK, render};

/// Sends outbox messages through the Bot API.
pub struct TelegramSender {
    bot: Bot,
    store: AdapterStore,
    /// The bot's username, for "add to group" links.
    username: String,
    /// Button ids already given out (they never change while in use), and
    /// when the store last heard of each, to spare the store.
    known: Mutex<HashMap<String, (i64, std::time::Instant)>>,
    /// Replies sent in several messages and retried: the ids of the messages
    /// Telegram already took, by outbox id.
    progress: Mutex<HashMap<i64, Vec<String>>>,
    /// Other networks' files, for relayed images.
    shelf: std::sync::Arc<kohero_core::ports::FileShelf>,
}

/// Its parts hold connections, clients or closures: shown by name only.
impl std::fmt::Debug for TelegramSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramSender").finish_non_exhaustive()
    }
}

impl TelegramSender {
    pub(crate) fn new(
        bot: Bot,
        store: AdapterStore,
        username: String,
        shelf: std::sync::Arc<kohero_core::ports::FileShelf>,
    ) -> Self {
        Self {
            bot,
            store,
            username,
            known: Mutex::default(),
            progress: Mutex::default(),
            shelf,
        }
    }
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

    /// Opens a forum topic for a project, once: the topic is kept (and
    /// reported) as soon as Telegram made it, so a retry finds it.
    async fn create_topic(
        &self,
        chat: ChatId,
        initiative: InitiativeId,
        name: &str,
    ) -> Result<Address, SendError> {
        let key = StateKey::ForumTopic {
            forum: chat.0.to_string(),
            initiative,
        };
        let known = self.store.get(&key).await.map_err(temporary)?;
        let room = match known {
            Some(room) => room,
            None => {
                // Telegram's limit for a topic name is 128 characters.
                let name: String = name.chars().take(128).collect();
                let topic = self
                    .bot
                    .create_forum_topic(chat, name)
                    .await
                    .map_err(send_error)?;
                let room = format!("{}/{}", chat.0, topic.thread_id.0.0);
                self.store.set(&key, Some(&room)).await.map_err(temporary)?;
                room
            }
        };
        Ok(Address::new(NETWORK, room))
    }

    /// Deletes a message of a chat (a topic's messages are the forum's).
    /// Telegram deletes only what is less than 48 hours old, and others'
    /// messages only where the bot is an administrator allowed to: what it
    /// cannot delete (or finds gone) is left, and said in the log.
    async fn delete(&self, chat: ChatId, message: &str) -> Result<(), SendError> {
        let Ok(id) = message.parse::<i32>() else {
            return Err(SendError::Permanent(format!(
                "not a Telegram message id: {message}"
            )));
        };
        match self.bot.delete_message(chat, MessageId(id)).await {
            Ok(_) => Ok(()),
            Err(RequestError::Api(e)) if cannot_delete(&e) => {
                tracing::info!(chat = chat.0, message = id, error = %e, "a hidden post cannot be deleted");
                Ok(())
            }
            Err(e) => Err(send_error(e)),
        }
    }

    /// Performs the changes to a group or a topic that Telegram has.
    async fn perform(&self, to: &str, ops: &[RoomOp]) -> Result<Sent, SendError> {
        let (chat, thread) = chat_and_thread(to)?;
        let chat = ChatId(chat);
        let user = |u: &str| -> Result<UserId, SendError> {
            u.parse::<u64>()
                .map(UserId)
                .map_err(|_| SendError::Permanent(format!("not a Telegram user id: {u}")))
        };
        let mut made = Vec::new();
        for op in ops {
            match op {
                RoomOp::Admit { user: u, approve } => {
                    let id = user(u)?;
                    if *approve {
                        self.bot.approve_chat_join_request(chat, id).await
                    } else {
                        self.bot.decline_chat_join_request(chat, id).await
                    }
                    .map_err(send_error)?;
                }
                RoomOp::Remove { user: u } if thread.is_some() => {
                    // A topic has no members of its own: taking the person out
                    // would take them out of the whole forum, which is the
                    // commune's, not the project's.
                    tracing::debug!(chat = chat.0, user = u, "not removed from a forum topic");
                }
                RoomOp::Remove { user: u } => {
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
                RoomOp::CreateTopic { initiative, name } => {
                    made.push((
                        self.create_topic(chat, *initiative, name).await?,
                        *initiative,
                    ));
                }
                RoomOp::Delete { message, .. } => self.delete(chat, message).await?,
                // Telegram groups belong to the people who made them: the bot
                // neither makes rooms nor renames them, and has no levels.
                RoomOp::Promote { .. } | RoomOp::Rename { .. } | RoomOp::CreateRoom { .. } => {}
            }
        }
        Ok(if made.is_empty() {
            Sent::Done
        } else {
            Sent::RoomsMade(made)
        })
    }
}

fn temporary(e: kohero_core::ports::StoreError) -> SendError {
    SendError::Temporary(e.to_string())
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

/// Telegram's answers to a deletion that will never be possible: the
/// message is gone, too old (48 hours), or not the bot's to delete.
fn cannot_delete(e: &ApiError) -> bool {
    match e {
        ApiError::MessageToDeleteNotFound | ApiError::MessageCantBeDeleted => true,
        ApiError::Unknown(d) => {
            let d = d.to_ascii_lowercase();
            d.contains("message to delete not found") || d.contains("message can't be deleted")
        }
        _ => false,
    }
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
            let given = self
                .store
                .remember_buttons(&missing)
                .await
                .map_err(temporary)?;
            let mut told = Vec::with_capacity(missing.len());
            for (c, id) in missing.into_iter().zip(given) {
                ids.insert(c, id);
                told.push((c.to_owned(), id));
            }
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
        match &message.payload {
            Payload::Relay(r) => crate::relay::render(r).len(),
            _ => message.reply().map_or(1, |r| render::render(r).len()),
        }
    }

    /// A reply Telegram takes in several messages: when one of them fails, the
    /// ones already accepted are not sent again at the retry (while this
    /// process runs; after a crash the whole reply goes again, at least once).
    async fn send(&self, message: &Outgoing) -> Result<Sent, SendError> {
        let Destination::Chat(to) = &message.to else {
            return Err(SendError::Permanent(format!(
                "Telegram has no rooms of communes: {:?}",
                message.to
            )));
        };
        let r = match &message.payload {
            Payload::Room(ops) => return self.perform(to, ops).await,
            Payload::Relay(relay) if relay.edit.is_some() => {
                return self.edit_relay(to, relay).await;
            }
            Payload::Relay(relay) => {
                if let Some(sent) = self.send_image(to, relay).await? {
                    return Ok(sent);
                }
                self.send_relay(message.id, to, relay).await
            }
            Payload::Message(reply) => self.send_parts(message.id, to, reply).await,
            Payload::Edit { message: m, reply } => {
                if self.edit_reply(to, m, reply).await? {
                    return Ok(Sent::Posted(vec![m.clone()]));
                }
                // It cannot be edited (too old, gone): a new message.
                self.send_parts(message.id, to, reply).await
            }
        };
        let mut progress = self.progress.lock().unwrap_or_else(PoisonError::into_inner);
        match r {
            Err(e @ (SendError::RetryAfter { .. } | SendError::Temporary(_))) => Err(e),
            Err(e) => {
                progress.remove(&message.id);
                Err(e)
            }
            Ok(()) => Ok(Sent::Posted(
                progress
                    .remove(&message.id)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|m| !m.is_empty())
                    .collect(),
            )),
        }
    }
}

impl TelegramSender {
    /// A relay: its messages in the chat (or topic), the first answering
    /// the message a lone reply answers, as a reply Telegram shows.
    async fn send_relay(&self, id: i64, to: &str, relay: &Relay) -> Result<(), SendError> {
        let (chat, thread) = chat_and_thread(to)?;
        let answers = match relay.lines.as_slice() {
            [line] => line
                .quote
                .as_ref()
                .and_then(|q| q.message.as_deref())
                .and_then(|m| m.parse::<i32>().ok()),
            _ => None,
        };
        let done = self.parts_sent(id);
        for (n, html) in crate::relay::render(relay).into_iter().enumerate() {
            if n < done {
                continue;
            }
            if n > done {
                tokio::time::sleep(PART_GAP).await;
            }
            let mut req = self
                .bot
                .send_message(ChatId(chat), html)
                .parse_mode(ParseMode::Html)
                .link_preview_options(no_preview());
            if let Some(t) = thread {
                req = req.message_thread_id(ThreadId(MessageId(t)));
            }
            if n == 0
                && let Some(m) = answers
            {
                req = req.reply_parameters(
                    ReplyParameters::new(MessageId(m)).allow_sending_without_reply(),
                );
            }
            let sent = req.await.map_err(send_error)?;
            self.sent_part(id, Some(sent.id.0.to_string()));
        }
        Ok(())
    }

    /// A relayed image from another network, re-uploaded with its author as
    /// the caption; `None` when the relay is not one, or the image cannot be
    /// read or is too big (then it is told by its name and size).
    async fn send_image(&self, to: &str, relay: &Relay) -> Result<Option<Sent>, SendError> {
        let [line] = relay.lines.as_slice() else {
            return Ok(None);
        };
        let kohero_core::domain::Said::Media(media) = &line.said else {
            return Ok(None);
        };
        if !media.image || line.source.network == NETWORK {
            return Ok(None);
        }
        let Some(bytes) = self.shelf.fetch(&line.source.network, media).await else {
            return Ok(None);
        };
        let (chat, thread) = chat_and_thread(to)?;
        let caption = crate::relay::caption(line);
        let mut req = self
            .bot
            .send_photo(
                ChatId(chat),
                teloxide::types::InputFile::memory(bytes).file_name(media.name.clone()),
            )
            .caption(caption)
            .parse_mode(ParseMode::Html);
        if let Some(t) = thread {
            req = req.message_thread_id(ThreadId(MessageId(t)));
        }
        match req.await.map_err(send_error) {
            Ok(sent) => Ok(Some(Sent::Posted(vec![sent.id.0.to_string()]))),
            // Telegram refuses the file as a photo: it is told by its name.
            Err(SendError::Permanent(why)) => {
                tracing::info!(error = %why, "a relayed image was refused: told by its name");
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// A relay that replaces a copy sent before (an edit, a line taken
    /// out): the copy is edited in place. Telegram edits only the bot's
    /// messages of the last 48 hours: what it will not edit stays as it
    /// was, and is said in the log.
    async fn edit_relay(&self, to: &str, relay: &Relay) -> Result<Sent, SendError> {
        let Some(edit) = relay.edit.as_deref() else {
            return Ok(Sent::Done);
        };
        // A copy that was whole fits in one message.
        let Some(html) = crate::relay::render(relay).into_iter().next() else {
            return Ok(Sent::Done);
        };
        Ok(if self.edit_text(to, edit, html, None).await? {
            Sent::Posted(vec![edit.to_owned()])
        } else {
            Sent::Done
        })
    }

    /// A reply in place of the bot's message `edit` (a card whose button
    /// was pressed): its text and buttons. `false` when Telegram will not
    /// edit it (older than 48 hours, deleted) or the reply is longer than
    /// one message: the caller sends it anew.
    async fn edit_reply(&self, to: &str, edit: &str, reply: &Reply) -> Result<bool, SendError> {
        let mut parts = render::render(reply);
        if parts.len() != 1 {
            return Ok(false);
        }
        let part = parts.remove(0);
        let keyboard = self.keyboard(&part.buttons).await?;
        self.edit_text(to, edit, part.html, keyboard).await
    }

    /// Edits the bot's message `edit` in chat `to` to show `html` (and
    /// `keyboard`): `true` when it shows it (an edit that changes nothing
    /// included), `false` when Telegram will not edit it (older than 48
    /// hours, deleted), which is said in the log.
    async fn edit_text(
        &self,
        to: &str,
        edit: &str,
        html: String,
        keyboard: Option<InlineKeyboardMarkup>,
    ) -> Result<bool, SendError> {
        let (chat, _) = chat_and_thread(to)?;
        let Ok(message) = edit.parse::<i32>() else {
            return Err(SendError::Permanent(format!(
                "not a Telegram message id: {edit}"
            )));
        };
        let mut req = self
            .bot
            .edit_message_text(ChatId(chat), MessageId(message), html)
            .parse_mode(ParseMode::Html)
            .link_preview_options(no_preview());
        if let Some(kb) = keyboard {
            req = req.reply_markup(kb);
        }
        match req.await {
            Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(true),
            Err(RequestError::Api(
                e @ (ApiError::MessageCantBeEdited | ApiError::MessageToEditNotFound),
            )) => {
                tracing::info!(chat, message, error = %e, "a message cannot be edited");
                Ok(false)
            }
            Err(e) => Err(send_error(e)),
        }
    }

    async fn send_parts(&self, id: i64, to: &str, reply: &Reply) -> Result<(), SendError> {
        let (chat, thread) = chat_and_thread(to)?;
        let done = self.parts_sent(id);
        for (n, part) in render::render(reply).into_iter().enumerate() {
            if n < done {
                continue;
            }
            if n > done {
                // Telegram takes about one message a second in a chat.
                tokio::time::sleep(PART_GAP).await;
            }
            // Telegram trims a text and refuses it blank.
            if render::visible(&part.html).trim().is_empty() {
                self.sent_part(id, None);
                continue;
            }
            let mut kb = self.keyboard(&part.buttons).await?;
            for (payload, label) in &part.add_to_group {
                // Added as an administrator able to invite, approve and remove.
                let link = format!(
                    "https://t.me/{}?startgroup={payload}&admin=invite_users+restrict_members+delete_messages+manage_topics",
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
            let sent = req.await.map_err(send_error)?;
            self.sent_part(id, Some(sent.id.0.to_string()));
        }
        Ok(())
    }

    /// How many messages of outbox message `id` Telegram already took (a
    /// retry goes on from there).
    fn parts_sent(&self, id: i64) -> usize {
        self.progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
            .map_or(0, Vec::len)
    }

    /// Records that the next message of a reply was accepted (`None`: it
    /// was blank and skipped), with its id.
    fn sent_part(&self, id: i64, message: Option<String>) {
        let mut progress = self.progress.lock().unwrap_or_else(PoisonError::into_inner);
        if progress.len() >= KNOWN_MAX && !progress.contains_key(&id) {
            progress.clear();
        }
        // A skipped part keeps its place (an empty id, dropped when reported).
        progress
            .entry(id)
            .or_default()
            .push(message.unwrap_or_default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
