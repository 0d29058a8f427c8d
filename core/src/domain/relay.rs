//! One conversation across a project's chats: what people write in one of
//! them (not to the bot) as core hands it to the others. Network-neutral:
//! each adapter reads its network's formatting into [`Rich`] text and writes
//! it back out its own way.

use serde::{Deserialize, Serialize};

use super::{ActorId, Address};
use crate::geo::GeoPoint;

/// Formatted text: runs of text, each with its style.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Rich(pub Vec<Span>);

/// A run of text in one style.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub text: String,
    #[serde(default, skip_serializing_if = "Style::is_plain")]
    pub style: Style,
}

/// How a run of text looks. Every network has these, or shows them plainly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[allow(clippy::struct_excessive_bools)]
pub struct Style {
    #[serde(default, skip_serializing_if = "is_false")]
    pub bold: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub italic: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub underline: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub strike: bool,
    /// Inline code.
    #[serde(default, skip_serializing_if = "is_false")]
    pub code: bool,
    /// A preformatted block.
    #[serde(default, skip_serializing_if = "is_false")]
    pub pre: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub spoiler: bool,
    /// Quoted (a block quote).
    #[serde(default, skip_serializing_if = "is_false")]
    pub quote: bool,
    /// A link to this address (`http`, `https` or `mailto` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_false(b: &bool) -> bool {
    !*b
}

impl Style {
    pub fn is_plain(&self) -> bool {
        *self == Self::default()
    }
}

/// Whether an address may be a link in a relayed message: the web and mail
/// only (no `javascript:`, no `tg:` or `matrix:` that would act in a client).
pub fn safe_link(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:"))
        && !url.chars().any(char::is_control)
}

impl Rich {
    /// Plain text, unstyled.
    pub fn plain(text: impl Into<String>) -> Self {
        Self(vec![Span {
            text: text.into(),
            style: Style::default(),
        }])
    }

    /// The text without its styles.
    pub fn text(&self) -> String {
        self.0.iter().map(|s| s.text.as_str()).collect()
    }

    /// Runs that touch and look the same are one; empty runs go; links that
    /// are not [`safe_link`]s (or longer than [`LINK_MAX`]) become plain
    /// text; past [`SPANS_MAX`] runs, the rest is one plain run.
    #[must_use]
    pub fn tidy(self) -> Self {
        let mut out: Vec<Span> = Vec::with_capacity(self.0.len().min(SPANS_MAX));
        for mut s in self.0 {
            if s.text.is_empty() {
                continue;
            }
            if s.style
                .link
                .as_deref()
                .is_some_and(|l| !safe_link(l) || l.len() > LINK_MAX)
            {
                s.style.link = None;
            }
            if out.len() >= SPANS_MAX {
                s.style = Style::default();
            }
            match out.last_mut() {
                Some(last) if last.style == s.style => last.text.push_str(&s.text),
                _ => out.push(s),
            }
        }
        Self(out)
    }

    /// Length in UTF-16 code units (what Telegram counts).
    pub fn units(&self) -> usize {
        self.0.iter().map(|s| s.text.encode_utf16().count()).sum()
    }
}

/// Longest link kept in relayed text (longer ones are shown as text).
pub const LINK_MAX: usize = 2_048;
/// Most styled runs kept in one relayed text.
pub const SPANS_MAX: usize = 500;

/// A name as shown in a relayed message: one line, without the characters
/// that reorder or hide text (bidirectional overrides, zero-width ones, line
/// and paragraph separators), not too long.
pub fn clean_name(name: &str, max: usize) -> String {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c,
                '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}'
                | '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{061C}' | '\u{180E}')
    };
    let one: String = name
        .chars()
        .map(|c| if hidden(c) { ' ' } else { c })
        .collect();
    let words: Vec<&str> = one.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.chars().count() <= max {
        joined
    } else {
        let mut cut: String = joined.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// A message of a shared chat: its network, chat and the network's id of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MessageRef {
    pub network: String,
    pub chat: String,
    pub message: String,
}

impl MessageRef {
    pub fn new(room: &Address, message: impl Into<String>) -> Self {
        Self {
            network: room.network.clone(),
            chat: room.chat.clone(),
            message: message.into(),
        }
    }

    pub fn room(&self) -> Address {
        Address::new(self.network.clone(), self.chat.clone())
    }
}

/// What a person said in a shared chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Said {
    Text(Rich),
    /// A shared place (a venue's name when it has one).
    Location {
        point: GeoPoint,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// An image or a file.
    Media(Media),
}

impl Said {
    /// The text it shows (a file's caption), for quotes and logs.
    pub fn text(&self) -> String {
        match self {
            Self::Text(r) => r.text(),
            Self::Location { point, name } => name
                .clone()
                .unwrap_or_else(|| format!("geo:{:.5},{:.5}", point.lat(), point.lon())),
            Self::Media(m) => m
                .caption
                .as_ref()
                .map_or_else(|| m.name.clone(), Rich::text),
        }
    }
}

/// An image or a file someone sent, as its network keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    /// An image (shown as one where it can be re-uploaded), or another file
    /// (told by its name and size).
    pub image: bool,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime: Option<String>,
    /// Where its network keeps it (a Telegram `file_id`, a Matrix `mxc://`
    /// URI), on the network of the line's source.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<Rich>,
}

impl Media {
    /// The file told by its name and size, as plain text (« 🖼 photo.jpg
    /// (12 Ko) »): what a chat shows where the file itself does not go.
    pub fn notice(&self) -> String {
        let icon = if self.image { "🖼" } else { "📎" };
        match self.size {
            Some(b) => format!("{icon} {} ({})", self.name, file_size(b)),
            None => format!("{icon} {}", self.name),
        }
    }
}

/// A file's size as people read it (« 12 Ko », « 1.5 Mo »).
pub fn file_size(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} o")
    } else if bytes < 1024 * 1024 {
        format!("{:.0} Ko", b / 1024.0)
    } else {
        format!("{:.1} Mo", b / (1024.0 * 1024.0))
    }
}

/// The message a relayed one answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The destination chat's message it answers, when Kohero knows it (the
    /// copy of the original there, or the original of a copy): the network
    /// shows a reply to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Who wrote it, when not already in the excerpt (a relayed copy starts
    /// with its author).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Its start, plain.
    pub excerpt: String,
}

/// The message a person's one answers, as the source network says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyTo {
    /// The network's id of the message answered, in the same chat.
    pub message: String,
    pub author: Option<String>,
    pub text: String,
}

/// One person's message as relayed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relayed {
    /// Where it was written.
    pub source: MessageRef,
    /// The name the network shows for its author.
    pub author: String,
    /// The author's id on the source network: only they change the line.
    #[serde(default)]
    pub sender: String,
    /// The author, when Kohero knows them (their pending relays go with
    /// `/oublier`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<ActorId>,
    pub said: Said,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<Quote>,
    /// Changed after it was relayed, and shown as a new message.
    #[serde(default, skip_serializing_if = "is_false")]
    pub edited: bool,
}

impl Relayed {
    /// How its author is named: « Alice (Telegram) ».
    pub fn signature(&self) -> String {
        format!("{} ({})", self.author, network_name(&self.source.network))
    }
}

/// A network's name as people know it (`telegram` → Telegram).
pub fn network_name(network: &str) -> String {
    match network {
        "telegram" => "Telegram".to_owned(),
        "matrix" => "Matrix".to_owned(),
        other => {
            let mut c = other.chars();
            c.next().map_or_else(String::new, |f| {
                f.to_uppercase().chain(c).collect::<String>()
            })
        }
    }
}

/// What people wrote in one chat, relayed into another as one message: a
/// burst is gathered into one message while the destination's limit holds
/// the first back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relay {
    pub lines: Vec<Relayed>,
    /// The destination's message this one replaces (an edit or a
    /// redaction of what it showed): the network edits it in place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit: Option<String>,
}

/// Most lines gathered into one relayed message.
pub const RELAY_LINES_MAX: usize = 50;
/// Most text (UTF-16 code units) gathered into one relayed message: under
/// Telegram's 4,096 with room for the names.
pub const RELAY_UNITS_MAX: usize = 3_000;

impl Relay {
    /// Whether `line` may join this message (a burst gathered): text only,
    /// within the limits, and not a message that edits another.
    pub fn can_gather(&self, line: &Relayed) -> bool {
        let text = |l: &Relayed| matches!(l.said, Said::Text(_));
        self.edit.is_none()
            && text(line)
            && self.lines.iter().all(text)
            && self.lines.len() < RELAY_LINES_MAX
            && self.units() + line_units(line) <= RELAY_UNITS_MAX
    }

    /// Its length, as gathering counts it.
    pub fn units(&self) -> usize {
        self.lines.iter().map(line_units).sum()
    }

    /// As plain text, a line per message (logs, tests, fallbacks).
    pub fn plain(&self) -> String {
        self.lines
            .iter()
            .map(|l| {
                let mut s = String::new();
                if let Some(q) = &l.quote {
                    s.push_str("> ");
                    if let Some(a) = &q.author {
                        s.push_str(a);
                        s.push_str(" : ");
                    }
                    s.push_str(&q.excerpt);
                    s.push('\n');
                }
                s.push_str(&l.signature());
                s.push_str(" : ");
                if l.edited {
                    s.push_str("✏️ ");
                }
                match &l.said {
                    Said::Media(m) => s.push_str(&format!("[{}] {}", m.name, l.said.text())),
                    Said::Location { .. } => s.push_str(&format!("📍 {}", l.said.text())),
                    // A line of its own starts with a name: the message's
                    // next lines are set in, so that none looks like one.
                    Said::Text(r) => s.push_str(&r.text().replace('\n', "\n  ")),
                }
                s
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn line_units(l: &Relayed) -> usize {
    l.said.text().encode_utf16().count()
        + l.author.encode_utf16().count()
        + l.quote
            .as_ref()
            .map_or(0, |q| q.excerpt.encode_utf16().count())
        + 16
}

/// A copy of a relayed message in another chat, as core keeps it (to relay
/// edits, redactions and replies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayCopy {
    /// The outbox message that carried it (its lines are read back to edit it).
    pub row: i64,
    pub room: Address,
    /// The network's id of the copy there.
    pub message: String,
}

/// Longest excerpt of a message quoted in a reply.
pub const QUOTE_CHARS: usize = 100;
