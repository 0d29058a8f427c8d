//! Network-neutral replies. Core says what to show; each adapter renders it its own
//! way (console lines, Telegram HTML and inline buttons, Matrix HTML and numbered
//! choices). Every string here is plain text: adapters escape it for their markup.
//! Changes to rooms are not replies: see [`crate::domain::RoomOp`].

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
    /// A way to bring the bot into a new group for the project (Telegram: an
    /// "add to group" link carrying `/start PAYLOAD`, which links the group).
    AddToGroup { payload: String, label: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListItem {
    /// A short name for the item's buttons where they stand apart from it
    /// (`#42`, `E7`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
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
    #[must_use]
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            blocks: vec![Block::Text { text: text.into() }],
        }
    }

    #[must_use]
    pub fn heading(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Heading { text: text.into() });
        self
    }

    #[must_use]
    pub fn para(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Text { text: text.into() });
        self
    }

    #[must_use]
    pub fn list(mut self, items: Vec<ListItem>) -> Self {
        if !items.is_empty() {
            self.blocks.push(Block::List { items });
        }
        self
    }

    #[must_use]
    pub fn actions(mut self, actions: Vec<Action>) -> Self {
        if !actions.is_empty() {
            self.blocks.push(Block::Actions { actions });
        }
        self
    }

    #[must_use]
    pub fn ask_location(mut self, label: impl Into<String>) -> Self {
        self.blocks.push(Block::AskLocation {
            label: label.into(),
        });
        self
    }

    /// Adds a way to bring the bot into a group that `/start PAYLOAD` links.
    #[must_use]
    pub fn ask_group(mut self, label: impl Into<String>, payload: impl Into<String>) -> Self {
        self.blocks.push(Block::AddToGroup {
            payload: payload.into(),
            label: label.into(),
        });
        self
    }

    #[must_use]
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
