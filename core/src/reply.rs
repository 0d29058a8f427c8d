//! Network-neutral replies. Core says what to show; each adapter renders it its own
//! way (console lines, Telegram HTML and inline buttons, Matrix HTML and numbered
//! choices). Every string here is plain text: adapters escape it for their markup.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A short title, shown emphasised.
    Heading { text: String },
    /// A paragraph; may contain newlines.
    Text { text: String },
    /// Items of a list, each with its own actions.
    List { items: Vec<ListItem> },
    /// Actions about the whole reply (buttons on Telegram).
    Actions { actions: Vec<Action> },
    /// Machine-readable data shown as is (the `/mesdonnees` export).
    Data { text: String },
    /// Invites the person to share their location: a button that sends it where
    /// the network has one (Telegram's reply keyboard), a hint elsewhere.
    AskLocation { label: String },
    /// Lets the person into a project's chat `room` on the same network: a
    /// join-request invite link on Telegram, an invitation on Matrix.
    RoomInvite { room: String, label: String },
    /// Sent to a project's chat: let `user` in (`true`) or turn their join request
    /// down. Not a message: the adapter performs it.
    Admit { user: String, approve: bool },
    /// Sent to a project's chat: take `user` out of it. Not a message either.
    RemoveMember { user: String },
    /// Sent to a project's chat: `user` became an organiser (Matrix: power
    /// level 50). Networks without such levels leave it alone.
    Promote { user: String },
    /// A way to bring the bot into a new group for the project (Telegram: an
    /// "add to group" link carrying `/start PAYLOAD`, which links the group).
    AddToGroup { payload: String, label: String },
    /// Sent to a commune's forum: open a topic named `name` for `initiative`,
    /// which becomes one of the initiative's chats.
    CreateTopic { name: String, initiative: i64 },
    /// Sent to a network that gives every project a room of its own (Matrix):
    /// create the room for `initiative`, inside the Space of `commune` (created
    /// on first use, named `space_name`), invite the project's members, and link
    /// the room to the initiative.
    CreateRoom {
        initiative: i64,
        name: String,
        topic: String,
        commune: Option<String>,
        space_name: Option<String>,
    },
    /// Sent to a commune's announcement chat (`announce:INSEE`) on a network
    /// where the bot makes one (Matrix): the chat, created on first use in the
    /// commune's Space (named `space_name`), where the rest of the message goes.
    AnnouncementRoom {
        commune: String,
        name: String,
        topic: String,
        space_name: String,
    },
    /// Sent to a project's chat: its name and topic change (the project is done
    /// or archived). Networks whose chats belong to people leave it alone.
    RoomState { name: String, topic: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListItem {
    pub title: String,
    pub details: Vec<String>,
    pub actions: Vec<Action>,
}

/// A button: a label in the person's language and the command it sends back.
/// The command is parsed again like typed text when it comes back, so a forged
/// payload can do nothing a typed command could not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub label: String,
    pub command: String,
}

impl Reply {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            blocks: vec![Block::Text { text: text.into() }],
        }
    }

    pub fn heading(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Heading { text: text.into() });
        self
    }

    pub fn para(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Text { text: text.into() });
        self
    }

    pub fn list(mut self, items: Vec<ListItem>) -> Self {
        if !items.is_empty() {
            self.blocks.push(Block::List { items });
        }
        self
    }

    pub fn actions(mut self, actions: Vec<Action>) -> Self {
        if !actions.is_empty() {
            self.blocks.push(Block::Actions { actions });
        }
        self
    }

    pub fn ask_location(mut self, label: impl Into<String>) -> Self {
        self.blocks.push(Block::AskLocation {
            label: label.into(),
        });
        self
    }

    /// Adds a way to bring the bot into a group that `/start PAYLOAD` links.
    pub fn ask_group(mut self, label: impl Into<String>, payload: impl Into<String>) -> Self {
        self.blocks.push(Block::AddToGroup {
            payload: payload.into(),
            label: label.into(),
        });
        self
    }

    pub fn data(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Data { text: text.into() });
        self
    }

    /// Every action of the reply, in order (lists first, then the reply's own).
    pub fn all_actions(&self) -> impl Iterator<Item = &Action> {
        self.blocks
            .iter()
            .flat_map(|b| -> Box<dyn Iterator<Item = &Action>> {
                match b {
                    Block::List { items } => Box::new(items.iter().flat_map(|i| i.actions.iter())),
                    Block::Actions { actions } => Box::new(actions.iter()),
                    _ => Box::new(std::iter::empty()),
                }
            })
    }

    /// The reply as plain text, one block per paragraph (logs, tests, fallbacks).
    pub fn plain(&self) -> String {
        let mut out = Vec::new();
        for b in &self.blocks {
            match b {
                Block::Heading { text } | Block::Text { text } | Block::Data { text } => {
                    out.push(text.clone());
                }
                Block::AskLocation { label }
                | Block::RoomInvite { label, .. }
                | Block::AddToGroup { label, .. } => {
                    out.push(label.clone());
                }
                Block::Admit { user, approve } => {
                    out.push(format!(
                        "[{} {user}]",
                        if *approve { "admit" } else { "decline" }
                    ));
                }
                Block::RemoveMember { user } => out.push(format!("[remove {user}]")),
                Block::Promote { user } => out.push(format!("[promote {user}]")),
                Block::CreateTopic { name, .. } => out.push(format!("[topic {name}]")),
                Block::CreateRoom { name, .. } => out.push(format!("[room {name}]")),
                Block::RoomState { name, .. } => out.push(format!("[room name {name}]")),
                Block::AnnouncementRoom { name, .. } => out.push(format!("[announcements {name}]")),
                Block::List { items } => {
                    for i in items {
                        let mut s = format!("• {}", i.title);
                        for d in &i.details {
                            s.push_str("\n  ");
                            s.push_str(d);
                        }
                        out.push(s);
                    }
                }
                Block::Actions { actions } => {
                    let labels: Vec<_> = actions.iter().map(|a| a.command.as_str()).collect();
                    out.push(labels.join("  "));
                }
            }
        }
        out.join("\n")
    }
}

impl Action {
    pub fn new(label: impl Into<String>, command: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            command: command.into(),
        }
    }
}
