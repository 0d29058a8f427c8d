//! The messaging port: how a network adapter delivers what the outbox holds,
//! and what it says when it cannot; and how an adapter waits for its lease.

use async_trait::async_trait;

use crate::domain::{Address, InitiativeId, Outgoing};

/// Why a network did not take a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Too many requests: the network says when to try again (Telegram 429
    /// `retry_after`, Matrix `M_LIMIT_EXCEEDED` `retry_after_ms`).
    #[error("rate limited: retry after {after:?}")]
    RetryAfter {
        after: std::time::Duration,
        /// The limit is this chat's only (not the whole bot's).
        chat_only: bool,
    },
    /// Worth retrying later: a 5xx, a dropped connection.
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// The message itself is refused (malformed, too long): retrying cannot help.
    #[error("refused: {0}")]
    Permanent(String),
    /// Nobody can be reached at this address (the person blocked the bot, the
    /// chat is gone): stop sending there.
    #[error("unreachable: {0}")]
    Unreachable(String),
}

/// What a delivered message left behind that core must know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// Delivered; nothing more.
    Done,
    /// [`RoomOp::CreateRoom`](crate::domain::RoomOp::CreateRoom)s or
    /// [`RoomOp::CreateTopic`](crate::domain::RoomOp::CreateTopic)s made these
    /// rooms, each for its initiative (or found them made by an earlier
    /// attempt): core links them (see
    /// [`Inbox::room_made`](crate::inbox::Inbox::room_made)).
    RoomsMade(Vec<(Address, InitiativeId)>),
    /// A message went out as these network messages (Telegram `message_id`s,
    /// Matrix event ids), in order: core keeps them when the message shows
    /// something that may be taken back ([`Outgoing::about`]).
    Posted(Vec<String>),
}

/// A network's way of delivering outbox messages (the messaging port). Adapters
/// render the [`crate::reply::Reply`] their own way and perform the
/// [`RoomOp`](crate::domain::RoomOp)s their network has.
#[async_trait]
pub trait Sender: Send + Sync {
    /// The network's name in identities and addresses (`telegram`, `matrix`).
    fn network(&self) -> &str;
    /// Whether a chat is a group (group limits apply).
    fn is_group(&self, chat: &str) -> bool;
    /// Delivers one message (renders its reply, performs its room changes);
    /// `Ok` once the network accepted it.
    async fn send(&self, message: &Outgoing) -> Result<Sent, SendError>;
    /// How many network messages `send` makes of it (a long reply on
    /// Telegram): the worker gives each the send timeout.
    fn parts(&self, _message: &Outgoing) -> usize {
        1
    }
    /// Whether it can send now (a network connected only while this process
    /// holds its lease may not be yet): the delivery worker waits meanwhile.
    fn ready(&self) -> bool {
        true
    }
    /// Whether the network no longer limits the bot (the limiter steps aside).
    fn unlimited(&self) -> bool {
        false
    }
}

/// For a network adapter's polling loop: waits until this process holds the
/// network's lease (`held` true; only the holder polls, see `kohero serve`).
/// Returns false when `stop` turns true first.
pub async fn until_held(
    held: &mut tokio::sync::watch::Receiver<bool>,
    stop: &mut tokio::sync::watch::Receiver<bool>,
) -> bool {
    loop {
        if *stop.borrow() {
            return false;
        }
        if *held.borrow_and_update() {
            return true;
        }
        tokio::select! {
            r = stop.changed() => if r.is_err() { return false },
            r = held.changed() => if r.is_err() { return false },
        }
    }
}
