//! What network adapters keep for themselves: their own state by key (the
//! Matrix session, sync position, Spaces, direct chats, numbered choices) and
//! the commands behind Telegram's button ids.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{InitiativeId, InseeCode};

use super::{Store, StoreResult};

/// What network adapters keep for themselves: their own state by key (the
/// Matrix session, sync position, Spaces, direct chats, numbered choices) and
/// the commands behind Telegram's button ids.
#[async_trait]
pub trait AdapterState: Send {
    /// A value an adapter keeps for itself (Matrix session, sync position,
    /// the Space of a commune, the numbered choices last shown in a room).
    async fn network_state(&mut self, network: &str, key: &str) -> StoreResult<Option<String>>;

    /// Sets (`Some`) or removes (`None`) an adapter's value.
    async fn set_network_state(
        &mut self,
        network: &str,
        key: &str,
        value: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Sets an adapter's value that may go once it is older than the retention
    /// time: `prune` removes it with sent messages (the choices of a
    /// message, answered by reactions).
    async fn set_network_state_for_a_while(
        &mut self,
        network: &str,
        key: &str,
        value: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Removes what adapters keep about a person (`who`, their id on `network`):
    /// values equal to it and keys ending in `:who`. Returns how many went.
    async fn forget_network_state(&mut self, network: &str, who: &str) -> StoreResult<u64>;

    /// Keeps a button's command for a network whose buttons carry only a short id;
    /// the same command always gets the same id, and `at` is when it was last
    /// given out (see [`prune_buttons`](Self::prune_buttons)).
    async fn remember_button(&mut self, command: &str, at: DateTime<Utc>) -> StoreResult<i64>;

    /// The command behind a button id, if it was ever given out.
    async fn recall_button(&mut self, id: i64) -> StoreResult<Option<String>>;

    /// Deletes button actions not given out since `before` (a button older than
    /// that says it is no longer valid); returns how many went.
    async fn prune_buttons(&mut self, before: DateTime<Utc>) -> StoreResult<u64>;
}

/// What an adapter keeps, named by what it is about. Stored as text under
/// the same keys earlier builds used (see [`StateKey::stored`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StateKey {
    /// Where the network's intake goes on from (Matrix's sync token).
    SyncPosition,
    /// The adapter's login (the Matrix session).
    Session,
    /// The key of the bot's device (Matrix), to notice a store swapped under it.
    DeviceKey,
    /// The direct chat with a person (by their id on the network).
    DirectChat(String),
    /// The person a direct chat is with (by the chat's id).
    DirectChatPerson(String),
    /// The numbered choices last shown in a chat.
    Menu(String),
    /// The numbered choices of one sent message (answered by reactions); kept
    /// for a while only.
    Choices(String),
    /// A commune's Space, made by the bot.
    CommuneSpace(InseeCode),
    /// A commune's announcement room, made by the bot.
    Announcements(InseeCode),
    /// The room the bot made for a project, kept as soon as it exists so
    /// that a retry finds it instead of making another.
    ProjectRoom(InitiativeId),
    /// The topic the bot opened for a project in a forum (a commune may have
    /// several forums: one topic in each), kept likewise.
    ForumTopic {
        forum: String,
        initiative: InitiativeId,
    },
    /// The secret the public pages key visitors' addresses with (kept so
    /// that a restart keeps one visitor one reporter).
    VisitorKey,
}

impl StateKey {
    /// The text the key is stored under.
    pub fn stored(&self) -> String {
        match self {
            Self::SyncPosition => "sync".into(),
            Self::Session => "session".into(),
            Self::DeviceKey => "device_key".into(),
            Self::DirectChat(person) => format!("dm:{person}"),
            Self::DirectChatPerson(room) => format!("dmroom:{room}"),
            Self::Menu(chat) => format!("menu:{chat}"),
            Self::Choices(message) => format!("choices:{message}"),
            Self::CommuneSpace(c) => format!("space:{c}"),
            Self::Announcements(c) => format!("announce:{c}"),
            Self::ProjectRoom(i) => format!("project:{i}"),
            Self::ForumTopic { forum, initiative } => format!("topic:{forum}:{initiative}"),
            Self::VisitorKey => "visitor_key".into(),
        }
    }
}

/// The part of the store a network adapter gets: its own state and button
/// ids, one short transaction per call (reads in a read-only one), for its own
/// network only. Adapters never see the domain's tables: what they must know
/// of people and rooms comes in the outbox's messages.
#[derive(Clone)]
pub struct AdapterStore {
    store: Arc<dyn Store>,
    network: String,
}

/// Its parts hold connections, clients or closures: shown by name only.
impl std::fmt::Debug for AdapterStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdapterStore").finish_non_exhaustive()
    }
}

impl AdapterStore {
    pub fn new(store: Arc<dyn Store>, network: &str) -> Self {
        Self {
            store,
            network: network.to_owned(),
        }
    }

    pub async fn get(&self, key: &StateKey) -> StoreResult<Option<String>> {
        let mut tx = self.store.read().await?;
        tx.network_state(&self.network, &key.stored()).await
    }

    /// Sets (`Some`) or removes (`None`) a value.
    pub async fn set(&self, key: &StateKey, value: Option<&str>) -> StoreResult<()> {
        self.set_all(&[(key.clone(), value)]).await
    }

    /// Sets several values at once.
    /// Each write runs again when it ran into a concurrent transaction (two
    /// processes starting at once write the same state).
    pub async fn set_all(&self, values: &[(StateKey, Option<&str>)]) -> StoreResult<()> {
        crate::retry::on_conflict("adapter state", || async {
            let mut tx = self.store.begin().await?;
            let now = Utc::now();
            for (key, value) in values {
                tx.set_network_state(&self.network, &key.stored(), *value, now)
                    .await?;
            }
            tx.commit().await
        })
        .await
    }

    /// Sets a value that may go once it is older than the retention time.
    pub async fn set_for_a_while(&self, key: &StateKey, value: &str) -> StoreResult<()> {
        crate::retry::on_conflict("adapter state", || async {
            let mut tx = self.store.begin().await?;
            tx.set_network_state_for_a_while(&self.network, &key.stored(), value, Utc::now())
                .await?;
            tx.commit().await
        })
        .await
    }

    /// The ids of buttons' commands (see [`AdapterState::remember_button`]),
    /// in order.
    pub async fn remember_buttons(&self, commands: &[&str]) -> StoreResult<Vec<i64>> {
        crate::retry::on_conflict("buttons", || async {
            let mut tx = self.store.begin().await?;
            let now = Utc::now();
            let mut ids = Vec::with_capacity(commands.len());
            for c in commands {
                ids.push(tx.remember_button(c, now).await?);
            }
            tx.commit().await?;
            Ok(ids)
        })
        .await
    }

    /// The command behind a button id, if it was ever given out.
    pub async fn recall_button(&self, id: i64) -> StoreResult<Option<String>> {
        let mut tx = self.store.read().await?;
        tx.recall_button(id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys earlier builds wrote stay the same: a database made by them
    /// keeps its Matrix session, sync position, direct chats, Spaces and
    /// announcement rooms. (`project:` and `topic:` are new: migration 12
    /// fills them from the rooms earlier builds linked.)
    #[test]
    fn keys_are_stored_as_before() {
        let c = InseeCode::parse("69266").unwrap();
        let keys = [
            (StateKey::SyncPosition, "sync"),
            (StateKey::Session, "session"),
            (StateKey::DeviceKey, "device_key"),
            (StateKey::DirectChat("@a:x".into()), "dm:@a:x"),
            (StateKey::DirectChatPerson("!r:x".into()), "dmroom:!r:x"),
            (StateKey::Menu("!r:x".into()), "menu:!r:x"),
            (StateKey::Choices("$e".into()), "choices:$e"),
            (StateKey::CommuneSpace(c.clone()), "space:69266"),
            (StateKey::Announcements(c), "announce:69266"),
            (StateKey::ProjectRoom(InitiativeId(7)), "project:7"),
            (StateKey::VisitorKey, "visitor_key"),
            (
                StateKey::ForumTopic {
                    forum: "-100200".into(),
                    initiative: InitiativeId(7),
                },
                "topic:-100200:7",
            ),
        ];
        for (key, stored) in &keys {
            assert_eq!(key.stored(), *stored);
        }
    }
}
