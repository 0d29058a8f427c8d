//! What Kohero sends: the address of a conversation, the priority of a
//! message, and the messages of the outbox.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::*;

/// Where a message goes: a network and a conversation on it (a Telegram chat id,
/// a Matrix user or room, a console name).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Address {
    pub network: String,
    pub chat: String,
}

impl Address {
    pub fn new(network: impl Into<String>, chat: impl Into<String>) -> Self {
        Self {
            network: network.into(),
            chat: chat.into(),
        }
    }

    /// The private conversation with an identity.
    pub fn of(identity: &Identity) -> Self {
        Self::new(identity.network.clone(), identity.id.clone())
    }
}

/// Which messages go first when a network's limits hold them back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    /// Someone is waiting in front of the bot: replies, notices.
    Interactive,
    /// Digests and announcements.
    Bulk,
}

impl Priority {
    pub fn rank(self) -> i64 {
        match self {
            Self::Interactive => 0,
            Self::Bulk => 1,
        }
    }
    pub fn from_rank(r: i64) -> Self {
        if r <= 0 {
            Self::Interactive
        } else {
            Self::Bulk
        }
    }
}

/// Where an outbox message goes on its network.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Destination {
    /// A conversation the network knows by this id: a person's private chat,
    /// a group or a room, a forum topic (`CHAT/THREAD` on Telegram).
    Chat(String),
    /// A commune's Space (none: outside any commune), on networks where the bot
    /// makes rooms: project rooms are created in it.
    CommuneSpace(Option<InseeCode>),
    /// A commune's announcement room, made on first use as `room` says.
    Announcements { commune: InseeCode, room: RoomSetup },
}

impl Destination {
    /// The person's or room's conversation at `to`.
    pub fn chat(to: &Address) -> Self {
        Self::Chat(to.chat.clone())
    }

    /// The key the outbox files the message under, for what is decided per
    /// conversation (a network's per-chat limits, an unreachable address): the
    /// chat id itself, or a name of the commune's room that no network uses as
    /// an id. Stores keep it; nothing parses it back.
    /// Borrowed for a chat (every message but the few to a commune's rooms):
    /// the delivery loop asks for it several times per message.
    pub fn chat_key(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Self::Chat(c) => c.as_str().into(),
            Self::CommuneSpace(c) => {
                format!("space:{}", c.as_ref().map_or("", InseeCode::as_str)).into()
            }
            Self::Announcements { commune, .. } => format!("announce:{commune}").into(),
        }
    }
}

/// How the bot makes a commune's announcement room: its name and topic, and
/// the name of the commune's Space it goes in (made too if needed).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RoomSetup {
    pub name: String,
    pub topic: String,
    pub space_name: String,
}

/// What an outbox message carries: a message to show, or changes to make to a
/// room, which the adapter performs (those its network has no use for are
/// left alone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payload {
    Message(crate::reply::Reply),
    /// A message that takes the place of one the bot sent before in the
    /// same chat (`message`, its network id): the card whose button the
    /// person pressed, now showing their choice. Networks that cannot edit
    /// (or no longer can, Telegram after 48 hours) send it as a new message.
    Edit {
        message: String,
        reply: crate::reply::Reply,
    },
    Room(Vec<RoomOp>),
    /// What people wrote in another chat of the project.
    Relay(Relay),
}

/// A change to a room the bot looks after. `user` is the person's id on the
/// room's network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum RoomOp {
    /// Let `user` in (`true`: Telegram approves the join request, Matrix
    /// invites) or turn their join request down.
    Admit { user: String, approve: bool },
    /// Take `user` out of the room.
    Remove { user: String },
    /// `user` became an organiser (Matrix: power level 50; networks without
    /// levels leave it alone).
    Promote { user: String },
    /// The room's name and topic change (the project is done or archived);
    /// networks whose chats belong to people leave it alone.
    Rename { name: String, topic: String },
    /// In a commune's forum: open a topic named `name` for `initiative`, which
    /// becomes one of the initiative's chats (the adapter reports it).
    CreateTopic {
        initiative: InitiativeId,
        name: String,
    },
    /// In a commune's Space (networks where the bot makes rooms): make the
    /// room of `initiative`, with its organisers (at their level) and members
    /// invited, the Space made first if needed (named `space_name`). The
    /// adapter reports the room; core then links it and brings its people up
    /// to date.
    CreateRoom {
        initiative: InitiativeId,
        name: String,
        topic: String,
        space_name: Option<String>,
        organisers: Vec<String>,
        members: Vec<String>,
    },
    /// Take back a message the bot posted or relayed in the room, or one a
    /// person wrote there (its network id: a Telegram `message_id`, a Matrix
    /// event id): what it shows was hidden by moderation. Matrix redacts it
    /// (with `reason`); Telegram deletes it while it can (48 hours).
    Delete { message: String, reason: String },
}

/// A message to write to the outbox, in the transaction of the change that causes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutgoing {
    pub network: String,
    pub to: Destination,
    /// The person it is for, when known (erased with them).
    pub recipient: Option<ActorId>,
    pub payload: Payload,
    pub priority: Priority,
    /// Stable and unique: networks that deduplicate use it (Matrix transaction id).
    pub key: String,
    pub at: DateTime<Utc>,
    /// What the message shows, when its posts must be found again (a
    /// project room's copy of an update or an event, taken back if it is
    /// hidden): the sender reports the network's ids of what it posted.
    pub about: Option<Target>,
}

impl NewOutgoing {
    /// A message to the conversation at `to`, for nobody in particular, answered
    /// at once (see [`Self::for_person`], [`Self::bulk`]).
    #[must_use]
    pub fn message(
        to: &Address,
        reply: crate::reply::Reply,
        key: String,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            network: to.network.clone(),
            to: Destination::chat(to),
            recipient: None,
            payload: Payload::Message(reply),
            priority: Priority::Interactive,
            key,
            at,
            about: None,
        }
    }

    /// Changes to a room on `network`.
    #[must_use]
    pub fn room(
        network: &str,
        to: Destination,
        ops: Vec<RoomOp>,
        key: String,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            network: network.to_owned(),
            to,
            recipient: None,
            payload: Payload::Room(ops),
            priority: Priority::Interactive,
            key,
            at,
            about: None,
        }
    }

    /// The message is for `person` (erased with them).
    #[must_use]
    pub fn for_person(mut self, person: Option<ActorId>) -> Self {
        self.recipient = person;
        self
    }

    /// The message shows `target` (see [`Self::about`]).
    #[must_use]
    pub fn about(mut self, target: Target) -> Self {
        self.about = Some(target);
        self
    }

    /// The message can wait behind those someone is waiting for.
    #[must_use]
    pub fn bulk(mut self) -> Self {
        self.priority = Priority::Bulk;
        self
    }

    /// Where the outbox files it (see [`Destination::chat_key`]).
    pub fn address(&self) -> Address {
        Address::new(self.network.clone(), self.to.chat_key().into_owned())
    }
}

/// A message in the outbox, waiting to be sent (or claimed by a delivery worker).
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub id: i64,
    pub network: String,
    pub to: Destination,
    pub recipient: Option<ActorId>,
    pub payload: Payload,
    pub priority: Priority,
    pub key: String,
    /// Attempts already made.
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    /// What it shows, when its posts must be found again (see
    /// [`NewOutgoing::about`]).
    pub about: Option<Target>,
}

impl Outgoing {
    /// Where the outbox files it (see [`Destination::chat_key`]): the address
    /// whose limits and reachability apply.
    pub fn address(&self) -> Address {
        Address::new(self.network.clone(), self.to.chat_key().into_owned())
    }

    /// The message it carries, if it carries one.
    pub fn reply(&self) -> Option<&crate::reply::Reply> {
        match &self.payload {
            Payload::Message(r) | Payload::Edit { reply: r, .. } => Some(r),
            Payload::Room(_) | Payload::Relay(_) => None,
        }
    }

    /// What it carries as plain text (logs, tests).
    pub fn plain(&self) -> String {
        self.payload.plain()
    }
}

impl Payload {
    /// The message as plain text, or the room changes in brackets.
    pub fn plain(&self) -> String {
        match self {
            Self::Message(r) | Self::Edit { reply: r, .. } => r.plain(),
            Self::Relay(r) => r.plain(),
            Self::Room(ops) => ops
                .iter()
                .map(|op| match op {
                    RoomOp::Admit { user, approve } => {
                        format!("[{} {user}]", if *approve { "admit" } else { "decline" })
                    }
                    RoomOp::Remove { user } => format!("[remove {user}]"),
                    RoomOp::Promote { user } => format!("[promote {user}]"),
                    RoomOp::Rename { name, .. } => format!("[room name {name}]"),
                    RoomOp::CreateTopic { name, .. } => format!("[topic {name}]"),
                    RoomOp::CreateRoom { name, .. } => format!("[room {name}]"),
                    RoomOp::Delete { message, .. } => format!("[delete {message}]"),
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// A message in a shared chat that shows something (a copy of an update or an
/// event the bot posted, the command a person wrote): its network id, kept so
/// that it can be taken back when what it shows is hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub about: Target,
    pub room: Address,
    /// The network's id of the message (Telegram `message_id`, Matrix event id).
    pub message: String,
    pub at: DateTime<Utc>,
}

/// How long posts are kept: a post older than that is no longer taken back
/// (Telegram deletes nothing after 48 hours anyway).
pub const POSTS_KEPT: chrono::Duration = chrono::Duration::days(90);

/// How the outbox of a network stands (for metrics).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OutboxStats {
    pub pending: u64,
    pub oldest: Option<DateTime<Utc>>,
}
