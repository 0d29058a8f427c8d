//! What network adapters hand to core, and the port they hand it through:
//! [`Incoming`] messages with their [`Content`], the [`Inbox`] that takes them
//! (exactly once, by the network's event id), and what became of each
//! ([`Intake`]). The engine implements the handling; adapters only see this.

use async_trait::async_trait;

use crate::domain::{Address, Identity, InitiativeId, Lang, MessageRef, ReplyTo, Said, Target};
use crate::error::EngineError;
use crate::geo::GeoPoint;

/// A message from a person, as an adapter hands it to core.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    pub identity: Identity,
    /// The conversation to answer in; the private chat with the identity when
    /// `None` or equal to the identity's id. Any other chat is a shared one (a
    /// group, a room), where only the project commands are served.
    pub chat: Option<String>,
    /// The network's id of this event (Telegram `update_id`, Matrix event id), for
    /// exactly-once intake.
    pub event_id: Option<String>,
    /// The network's id of the message in its chat (Telegram `message_id`,
    /// Matrix event id), when the event is one: what it shows in a shared chat
    /// can then be taken back (an update hidden by moderation). For a button
    /// pressed in a private chat: the bot's message the button is on, when
    /// the network says (Telegram), whose place the answer may take.
    pub message_id: Option<String>,
    /// The name the network shows for the person; used when they are first seen.
    pub display_name: Option<String>,
    /// The language the network reports (Telegram's `language_code`), for a first contact.
    pub lang_hint: Option<Lang>,
    /// What the network says of the shared chat and of the sender in it, for
    /// the commands that change what the chat is: asked only for those
    /// ([`crate::command::needs_chat_check`]). `None` elsewhere, and from a
    /// network that cannot say: such a command is then refused.
    pub chat_check: Option<ChatCheck>,
    pub content: Content,
}

/// A shared chat as its network sees it, and the sender's place in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatCheck {
    pub role: ChatRole,
    /// Kohero made the chat (a commune's Space or announcement room, a
    /// project's room): it is never linked by hand.
    pub made_by_kohero: bool,
}

/// The sender's place in a shared chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatRole {
    /// Telegram `creator`; Matrix: a creator of the room, or power level 100.
    Owner,
    /// Telegram `administrator`; Matrix: power level 50 or more.
    Admin,
    /// Anyone else in the chat.
    Member,
    /// Writes as the chat itself (Telegram's anonymous administrators, who
    /// post as the group): who they are cannot be checked.
    Anonymous,
    /// The network could not say (its answer failed).
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// Typed text: a command, an answer in a dialogue, or chatter.
    Text(String),
    /// A shared location.
    Location(GeoPoint),
    /// The command carried by a button the person pressed.
    Button(String),
    /// A live location moved: the stored position follows, nothing is answered.
    Moved(GeoPoint),
    /// The chat changed its id (a Telegram group became a supergroup `to`).
    ChatMoved(String),
    /// The person asks to enter this shared chat (Telegram join request).
    JoinRequest,
    /// Written in a shared chat for the people there, not for the bot
    /// (anything but a command): relayed into the project's other chats.
    /// `Incoming::message_id` names it.
    Said { said: Said, reply: Option<ReplyTo> },
    /// A message of a shared chat (by its network id) was changed.
    Edited { message: String, said: Said },
    /// A message of a shared chat (by its network id) was taken back (a
    /// Matrix redaction; Telegram does not tell bots of deletions).
    Retracted { message: String },
}

impl Content {
    /// Whether it is chat between people, for the project's other chats.
    pub fn is_relayed(&self) -> bool {
        matches!(
            self,
            Self::Said { .. } | Self::Edited { .. } | Self::Retracted { .. }
        )
    }
}

/// What became of an incoming event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intake {
    /// Handled; this many messages were queued.
    Queued(usize),
    /// Refused (the person's doing: a bad command, no right to do it): nothing
    /// of it was written but the event id and these answers.
    Refused(usize),
    /// Seen before (a redelivery after a restart or a crash): nothing done again.
    Duplicate,
    /// Failed for a reason not the person's (a store error, a bug): recorded as
    /// failed, never handed again; this many apologies were queued (0 or 1).
    Failed(usize),
}

/// Where a network adapter hands what it receives (exactly-once intake in core).
#[async_trait]
pub trait Inbox: Send + Sync {
    /// `Err` means the update was not recorded: hand it again later.
    async fn accept(&self, incoming: Incoming) -> Result<Intake, EngineError>;

    /// Hands several updates at once (few transactions where the store allows).
    /// `Err` means some were not recorded: hand them all again (those recorded
    /// are recognised by their event id).
    async fn accept_batch(&self, batch: Vec<Incoming>) -> Result<Vec<Intake>, EngineError> {
        let mut out = Vec::with_capacity(batch.len());
        for i in batch {
            out.push(self.accept(i).await?);
        }
        Ok(out)
    }

    /// A network made `room` for `initiative` (a Matrix room, a forum topic),
    /// as an outbox message asked: it becomes the initiative's chat there, and
    /// its people are brought up to date. Saying it again changes nothing.
    async fn room_made(&self, room: Address, initiative: InitiativeId) -> Result<(), EngineError>;

    /// An outbox message showing `about` went out in `room` as these network
    /// messages: core keeps them, to take them back if `about` is hidden.
    async fn posted(
        &self,
        about: Target,
        room: Address,
        messages: Vec<String>,
    ) -> Result<(), EngineError>;

    /// A relay went out (see [`Relayed`]): core keeps its copies.
    async fn relayed(&self, relayed: Relayed) -> Result<(), EngineError>;
}

/// A relay ([`crate::domain::Payload::Relay`]) went out in `room` as these
/// network messages: what core must know to relay edits, redactions and
/// replies of the messages it carried (`sources`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relayed {
    /// The outbox message.
    pub row: i64,
    pub sources: Vec<MessageRef>,
    pub room: Address,
    pub messages: Vec<String>,
}

/// The key of a network event (`network/event id`): the outbox keys of the
/// replies to it are this key, a slash and the reply's tag (`…/r0`), so each
/// reply is written once however often the event is handed in.
pub fn event_key(incoming: &Incoming) -> Option<String> {
    let e = incoming.event_id.as_ref()?;
    Some(format!("{}/{e}", incoming.identity.network))
}

/// The event key an outbox key belongs to (see [`event_key`]), if it is a reply's.
pub fn event_key_of(outbox_key: &str) -> Option<&str> {
    outbox_key.rsplit_once('/').map(|(event, _)| event)
}
