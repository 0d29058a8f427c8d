//! Matrix's side in: the sync loop, each timeline event read (`parse.rs`) and
//! handed to the inbox with its event id; invitations to direct chats joined,
//! others declined.

use crate::*;

impl Matrix {
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
        let mut token = s.store.get(&StateKey::SyncPosition).await.ok().flatten();
        let mut backoff = Duration::from_millis(500);
        let mut repaired = false;
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
            if crate::quiet::first_login_settled() {
                // matrix-sdk's warning about the bot's own device is left
                // out while a first login settles: see for ourselves.
                self.check_own_device().await;
            }
            if !repaired {
                // Once per start, with the rooms known: project rooms back to
                // Kohero's rules, beside the sync.
                repaired = true;
                let shared = self.shared.clone();
                tokio::spawn(async move {
                    let n = rooms::repair_project_rooms(&shared).await;
                    tracing::debug!(repaired = n, "project rooms checked");
                });
            }
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
            if let Err(e) = s.store.set(&StateKey::SyncPosition, Some(&next)).await {
                tracing::warn!(error = %e, "cannot store the Matrix sync position");
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
    /// Says, at WARN, if the server does not list the bot's device: it was
    /// deleted (its access token no longer works) or the login went wrong.
    async fn check_own_device(&self) {
        let client = &self.shared.client;
        let Some(mine) = client.device_id().map(ToOwned::to_owned) else {
            return;
        };
        match client.devices().await {
            Ok(r) if r.devices.iter().any(|d| d.device_id == mine) => {
                tracing::info!(device = %mine, "Matrix device registered");
            }
            Ok(_) => tracing::warn!(
                device = %mine,
                "the homeserver does not list the bot's Matrix device: it may have been deleted; \
                 remove the stored session (or log in again) if messages stop"
            ),
            Err(e) => tracing::warn!(error = %e, "cannot list the bot's Matrix devices"),
        }
    }

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
        let v = s
            .store
            .get(&StateKey::DirectChatPerson(room.to_string()))
            .await
            .ok()?;
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
        let shared = chat.is_some();
        let reply = match (&p.reply_to, shared) {
            (Some(a), true) => Some(self.answered(room_id, a).await),
            _ => None,
        };
        let said = |said| Content::Said {
            said,
            reply: reply.clone(),
        };
        let content = match p.message {
            parse::Message::Location(point) if shared => said(Said::Location { point, name: None }),
            parse::Message::Location(g) => Content::Location(g),
            parse::Message::Text(t) => match parse::choice_number(&t) {
                Some(n) => match self
                    .choices(StateKey::Menu(room_id.to_string()))
                    .await
                    .get(n - 1)
                {
                    Some(cmd) => Content::Button(cmd.clone()),
                    None if shared => said(Said::Text(p.rich.unwrap_or_else(|| Rich::plain(t)))),
                    None => Content::Text(t),
                },
                // Said to the room's people: for the project's other chats.
                None if shared && !t.trim_start().starts_with('/') => {
                    said(Said::Text(p.rich.unwrap_or_else(|| Rich::plain(t))))
                }
                None => Content::Text(t),
            },
            parse::Message::Media(m) if shared => said(Said::Media(m)),
            parse::Message::Edit { of, said } if shared => Content::Edited { message: of, said },
            parse::Message::Redaction { of } if shared => Content::Retracted { message: of },
            parse::Message::Reaction { to, key } => {
                let choices = self.choices(StateKey::Choices(to)).await;
                Content::Button(parse::reaction_choice(&key, &choices)?)
            }
            // Files, edits and redactions in a direct chat mean nothing.
            parse::Message::Media(_)
            | parse::Message::Edit { .. }
            | parse::Message::Redaction { .. } => {
                return None;
            }
        };
        let display_name = self.display_name(room_id, &p.sender).await;
        let chat_check = match (&chat, &content) {
            // Taking someone else's message back: the network says whether
            // the sender may (a room's moderators).
            (Some(_), Content::Retracted { .. }) => Some(self.chat_check(room_id, &p.sender).await),
            (Some(_), Content::Text(t) | Content::Button(t))
                if kohero_core::command::needs_chat_check(t) =>
            {
                Some(self.chat_check(room_id, &p.sender).await)
            }
            _ => None,
        };
        // A numbered answer or a reaction in a direct chat names no card to
        // change (see `Incoming::message_id`): Matrix answers anew.
        let message_id = match (&chat, &content) {
            (None, Content::Button(_)) => None,
            _ => Some(p.event_id.clone()),
        };
        Some(Incoming {
            chat_check,
            identity: Identity::new(NETWORK, p.sender),
            chat,
            message_id,
            event_id: Some(p.event_id),
            display_name,
            lang_hint: None,
            content,
        })
    }

    /// The name a room shows for a person: their display name there, else
    /// their id's local part.
    async fn display_name(&self, room_id: &RoomId, user: &str) -> Option<String> {
        let shown = match (self.shared.client.get_room(room_id), UserId::parse(user)) {
            (Some(room), Ok(uid)) => room
                .get_member_no_sync(&uid)
                .await
                .ok()
                .flatten()
                .and_then(|m| m.display_name().map(str::to_owned)),
            _ => None,
        };
        shown.or_else(|| {
            user.strip_prefix('@')
                .and_then(|s| s.split(':').next())
                .map(str::to_owned)
        })
    }

    /// The message a reply answers: who wrote it (none when it is the
    /// bot's: a relayed copy starts with its author) and its text, read
    /// from the homeserver — never from the reply's fallback, which its
    /// sender writes and could fill with anyone's name and words.
    async fn answered(&self, room_id: &RoomId, a: &parse::Answered) -> ReplyTo {
        let me = self.shared.me.as_str();
        let (author, text) = self
            .read_event(room_id, &a.event_id)
            .await
            .unwrap_or_default();
        let author = match author.filter(|w| w != me) {
            Some(who) => self.display_name(room_id, &who).await,
            None => None,
        };
        ReplyTo {
            message: a.event_id.clone(),
            author,
            text,
        }
    }

    /// An event's sender and body, read from the homeserver.
    async fn read_event(&self, room_id: &RoomId, event: &str) -> Option<(Option<String>, String)> {
        let room = self.shared.client.get_room(room_id)?;
        let id = matrix_sdk::ruma::EventId::parse(event).ok()?;
        let ev = room.event(&id, None).await.ok()?;
        let v: serde_json::Value = serde_json::from_str(ev.raw().json().get()).ok()?;
        let sender = v.get("sender").and_then(|s| s.as_str()).map(str::to_owned);
        let body = v
            .get("content")
            .and_then(|c| c.get("body"))
            .and_then(|b| b.as_str())
            .unwrap_or("");
        let body = parse::strip_reply_fallback(body);
        Some((sender, body.chars().take(500).collect()))
    }

    /// A shared room as Matrix sees it: made by Kohero when the bot created
    /// it; the sender its owner when one of its creators or at power level
    /// 100 (or more), an administrator from 50.
    async fn chat_check(&self, room_id: &RoomId, sender: &str) -> ChatCheck {
        let client = &self.shared.client;
        let unknown = ChatCheck {
            role: ChatRole::Unknown,
            made_by_kohero: false,
        };
        let (Some(room), Ok(uid)) = (client.get_room(room_id), UserId::parse(sender)) else {
            return unknown;
        };
        let creators = room.creators().unwrap_or_default();
        let made_by_kohero = client
            .user_id()
            .is_some_and(|me| creators.iter().any(|c| c == me));
        let role = if creators.contains(&uid) {
            ChatRole::Owner
        } else {
            match room.get_member(&uid).await {
                Ok(Some(m)) => match m.power_level() {
                    UserPowerLevel::Infinite => ChatRole::Owner,
                    UserPowerLevel::Int(p) if i64::from(p) >= 100 => ChatRole::Owner,
                    UserPowerLevel::Int(p) if i64::from(p) >= 50 => ChatRole::Admin,
                    _ => ChatRole::Member,
                },
                Ok(None) => ChatRole::Member,
                Err(e) => {
                    tracing::warn!(room = %room_id, error = %e, "cannot read a member's power level");
                    ChatRole::Unknown
                }
            }
        };
        ChatCheck {
            role,
            made_by_kohero,
        }
    }

    /// Numbered choices stored under `key`.
    async fn choices(&self, key: StateKey) -> Vec<String> {
        self.shared
            .store
            .get(&key)
            .await
            .ok()
            .flatten()
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default()
    }
}
