//! Matrix's side out: outbox messages delivered to direct chats and project
//! rooms (transaction ids from the outbox keys), room changes performed, and
//! what matrix-sdk's errors mean for delivery.

use crate::*;
use kohero_core::domain::{Address, Destination, InseeCode, Outgoing, Payload, RoomOp};
use kohero_core::ports::Sent;

/// Delivers outbox messages to Matrix.
pub struct MatrixSender {
    pub(crate) shared: Arc<Shared>,
}

/// Its parts hold connections, clients or closures: shown by name only.
impl std::fmt::Debug for MatrixSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MatrixSender").finish_non_exhaustive()
    }
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

pub(crate) fn temporary(e: StoreError) -> SendError {
    SendError::Temporary(e.to_string())
}

impl MatrixSender {
    /// The room of a person's direct chat: the one they last wrote from, else
    /// one matrix-sdk knows, else a new one.
    async fn dm_room(&self, person: &str) -> Result<Room, SendError> {
        let s = &self.shared;
        let uid = UserId::parse(person)
            .map_err(|_| SendError::Permanent(format!("not a Matrix user id: {person}")))?;
        let known = s
            .store
            .get(&StateKey::DirectChat(person.to_owned()))
            .await
            .map_err(temporary)?;
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

    /// Redacts an event of the room (what it shows was hidden). What the bot
    /// may not redact (a room it does not run) is left, and said in the log.
    async fn redact(
        &self,
        room: &Room,
        txn: OwnedTransactionId,
        event: &str,
        reason: &str,
    ) -> Result<(), SendError> {
        let Ok(event) = matrix_sdk::ruma::EventId::parse(event) else {
            return Err(SendError::Permanent(format!(
                "not a Matrix event id: {event}"
            )));
        };
        match room.redact(&event, Some(reason), Some(txn)).await {
            Ok(_) => Ok(()),
            Err(e) => match http_error(&e) {
                SendError::Unreachable(why) => {
                    tracing::info!(room = %room.room_id(), %event, error = %why, "a hidden post cannot be redacted");
                    Ok(())
                }
                other => Err(other),
            },
        }
    }

    /// Performs changes to a room (`key`: the outbox message's, for
    /// transaction ids).
    async fn perform(&self, room: &Room, key: &str, ops: &[RoomOp]) -> Result<Sent, SendError> {
        for (i, op) in ops.iter().enumerate() {
            match op {
                RoomOp::Delete { message, reason } => {
                    self.redact(room, transaction_id(key, i), message, reason)
                        .await?;
                }
                RoomOp::Admit {
                    user,
                    approve: true,
                } => self.invite(room, user).await?,
                RoomOp::Remove { user } => self.remove(room, user).await?,
                RoomOp::Promote { user } => rooms::promote(room, user).await?,
                RoomOp::Rename { name, topic } => {
                    room.set_name(name.clone())
                        .await
                        .map_err(|e| send_error(&e))?;
                    room.set_room_topic(topic)
                        .await
                        .map_err(|e| send_error(&e))?;
                }
                // A declined join request needs nothing on Matrix (the bot
                // invites; nobody asks); topics are Telegram's; rooms are
                // made in a commune's Space.
                RoomOp::Admit { approve: false, .. }
                | RoomOp::CreateTopic { .. }
                | RoomOp::CreateRoom { .. } => {}
            }
        }
        Ok(Sent::Done)
    }

    /// Makes the rooms of projects in a commune's Space (`None`: outside any).
    async fn make_rooms(
        &self,
        commune: Option<&InseeCode>,
        ops: &[RoomOp],
    ) -> Result<Sent, SendError> {
        let mut made = Vec::new();
        for op in ops {
            if let RoomOp::CreateRoom {
                initiative,
                name,
                topic,
                space_name,
                organisers,
                members,
            } = op
            {
                let room = rooms::create_project_room(
                    &self.shared,
                    rooms::ProjectRoom {
                        initiative: *initiative,
                        name,
                        topic,
                        space: commune.zip(space_name.as_deref()),
                        organisers,
                        members,
                    },
                )
                .await?;
                made.push((Address::new(NETWORK, room.as_str()), *initiative));
            }
        }
        Ok(Sent::RoomsMade(made))
    }

    /// Sends the rendered messages; remembers the numbered choices of the
    /// last. Returns the events sent.
    async fn say(
        &self,
        room: &Room,
        key: &str,
        rendering: &render::Rendering,
    ) -> Result<Vec<String>, SendError> {
        let mut sent = Vec::new();
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
            sent.push(r.response.event_id.to_string());
            last = Some(r.response.event_id);
        }
        let Some(event) = last else {
            return Ok(sent);
        };
        let store = &self.shared.store;
        let menu = StateKey::Menu(room.room_id().to_string());
        if rendering.choices.is_empty() {
            store.set(&menu, None).await.map_err(temporary)?;
            return Ok(sent);
        }
        let json = serde_json::to_string(&rendering.choices)
            .map_err(|e| SendError::Permanent(e.to_string()))?;
        store.set(&menu, Some(&json)).await.map_err(temporary)?;
        // Reactions to older messages work as long as sent messages are kept.
        store
            .set_for_a_while(&StateKey::Choices(event.to_string()), &json)
            .await
            .map_err(temporary)?;
        Ok(sent)
    }
}

impl MatrixSender {
    /// A relayed image from another network, uploaded to the homeserver:
    /// the content of its `m.image`; `None` when the relay is not one, or
    /// the image cannot be read or is too big (then told by its name).
    async fn image(
        &self,
        relay: &kohero_core::domain::Relay,
    ) -> Result<Option<serde_json::Value>, SendError> {
        let [line] = relay.lines.as_slice() else {
            return Ok(None);
        };
        let kohero_core::domain::Said::Media(media) = &line.said else {
            return Ok(None);
        };
        if !media.image || relay.edit.is_some() || line.source.network == NETWORK {
            return Ok(None);
        }
        let Some(bytes) = self.shared.shelf.fetch(&line.source.network, media).await else {
            return Ok(None);
        };
        let mime: mime::Mime = media
            .mime
            .as_deref()
            .and_then(|m| m.parse().ok())
            .filter(|m: &mime::Mime| m.type_() == mime::IMAGE)
            .unwrap_or(mime::IMAGE_JPEG);
        let size = bytes.len();
        let uploaded = self
            .shared
            .client
            .media()
            .upload(&mime, bytes, None)
            .await
            .map_err(|e| send_error(&e))?;
        Ok(Some(crate::rich::image(
            line,
            uploaded.content_uri.as_str(),
            mime.as_ref(),
            size,
        )))
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

    async fn send(&self, message: &Outgoing) -> Result<Sent, SendError> {
        let room = match &message.to {
            Destination::CommuneSpace(commune) => {
                let Payload::Room(ops) = &message.payload else {
                    return Err(SendError::Permanent(
                        "a commune's Space takes no messages".into(),
                    ));
                };
                return self.make_rooms(commune.as_ref(), ops).await;
            }
            Destination::Chat(chat) if chat.starts_with('@') => self.dm_room(chat).await?,
            Destination::Chat(chat) => self.joined_room(chat)?,
            Destination::Announcements { commune, room } => {
                rooms::announcement_room(&self.shared, commune, room).await?
            }
        };
        let reply = match &message.payload {
            // Matrix votes come as numbered answers, never by editing a
            // card: a card to replace is sent anew.
            Payload::Message(reply) | Payload::Edit { reply, .. } => reply,
            Payload::Room(ops) => return self.perform(&room, &message.key, ops).await,
            Payload::Relay(relay) => {
                let content = match self.image(relay).await? {
                    Some(image) => image,
                    None => crate::rich::content(relay),
                };
                let r = room
                    .send_raw("m.room.message", content)
                    .with_transaction_id(&transaction_id(&message.key, 0))
                    .await
                    .map_err(|e| send_error(&e))?;
                // An edit keeps its copy's id: the copy is still the one shown.
                let shown = relay
                    .edit
                    .clone()
                    .unwrap_or_else(|| r.response.event_id.to_string());
                return Ok(Sent::Posted(vec![shown]));
            }
        };
        let rendering = render::render(reply);
        if let Destination::Chat(person) = &message.to
            && person.starts_with('@')
        {
            for target in &rendering.invites {
                let target_room = self.joined_room(target)?;
                self.invite(&target_room, person).await?;
            }
        }
        let posted = self.say(&room, &message.key, &rendering).await?;
        Ok(Sent::Posted(posted))
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
