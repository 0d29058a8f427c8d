//! Replies as Telegram messages: HTML text (user text escaped) and inline
//! keyboards; long replies split under Telegram's 4,096-character limit.

use kohero_core::reply::{Block, Reply};

/// Telegram's limit for a message's text, in UTF-16 code units; we count chars
/// and keep a margin.
pub const MAX_TEXT: usize = 4000;
/// Buttons per keyboard row.
const ROW: usize = 3;

/// One message to send: HTML, and the buttons (label, command) by rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub html: String,
    pub buttons: Vec<Vec<(String, String)>>,
    /// A reply-keyboard button that shares the location (only without inline buttons).
    pub ask_location: Option<String>,
    /// Invite links to make into URL buttons: (group chat id, label).
    pub invites: Vec<(String, String)>,
    /// "Add the bot to a group" buttons: (start payload, label).
    pub add_to_group: Vec<(String, String)>,
    /// Operations on the chat itself, done before any text is sent.
    pub ops: Vec<Op>,
}

/// Something to do in a group rather than say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Admit { user: String, approve: bool },
    Remove { user: String },
    CreateTopic { name: String, initiative: i64 },
}

/// Escapes text for Telegram's HTML parse mode.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// A short name for an item's buttons: its `#42` or `E7`, if it starts with one.
fn item_tag(title: &str) -> Option<&str> {
    let first = title.split_whitespace().next()?;
    let digits = first.trim_start_matches(['#', 'E']);
    (first.len() > digits.len() && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
        .then_some(first)
}

/// Splits a text into pieces of at most `max` characters, at line ends if possible.
fn split(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.split_inclusive('\n') {
        if cur.chars().count() + line.chars().count() > max && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        if line.chars().count() > max {
            let chars: Vec<char> = line.chars().collect();
            for chunk in chars.chunks(max) {
                out.push(chunk.iter().collect());
            }
        } else {
            cur.push_str(line);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Renders a reply as one or more messages; the buttons go with the last one.
pub fn render(reply: &Reply) -> Vec<Rendered> {
    let mut parts: Vec<String> = Vec::new();
    let mut buttons: Vec<Vec<(String, String)>> = Vec::new();
    let mut ask_location = None;
    let mut invites = Vec::new();
    let mut add_to_group = Vec::new();
    let mut ops = Vec::new();
    for block in &reply.blocks {
        match block {
            Block::AskLocation { label } => ask_location = Some(label.clone()),
            Block::RoomInvite { room, label } => invites.push((room.clone(), label.clone())),
            Block::AddToGroup { payload, label } => {
                add_to_group.push((payload.clone(), label.clone()));
            }
            Block::Admit { user, approve } => ops.push(Op::Admit {
                user: user.clone(),
                approve: *approve,
            }),
            Block::RemoveMember { user } => ops.push(Op::Remove { user: user.clone() }),
            Block::CreateTopic { name, initiative } => ops.push(Op::CreateTopic {
                name: name.clone(),
                initiative: *initiative,
            }),
            // Telegram groups belong to the people who made them: the bot neither
            // creates nor renames them (the line that comes with a rename is shown).
            Block::CreateRoom { .. }
            | Block::RoomState { .. }
            | Block::Promote { .. }
            | Block::AnnouncementRoom { .. } => {}
            Block::Heading { text } => parts.push(format!("<b>{}</b>", escape(text))),
            Block::Text { text } => parts.push(escape(text)),
            Block::Data { text } => {
                for piece in split(text, MAX_TEXT - 20) {
                    parts.push(format!("<pre>{}</pre>", escape(&piece)));
                }
            }
            Block::List { items } => {
                for item in items {
                    let mut s = format!("• <b>{}</b>", escape(&item.title));
                    for d in &item.details {
                        s.push_str("\n   ");
                        s.push_str(&escape(d));
                    }
                    parts.push(s);
                    let tag = item_tag(&item.title);
                    let row: Vec<(String, String)> = item
                        .actions
                        .iter()
                        .map(|a| {
                            let label = match tag {
                                Some(t) => format!("{} {t}", a.label),
                                None => a.label.clone(),
                            };
                            (label, a.command.clone())
                        })
                        .collect();
                    buttons.extend(row.chunks(ROW).map(<[_]>::to_vec));
                }
            }
            Block::Actions { actions } => {
                let row: Vec<(String, String)> = actions
                    .iter()
                    .map(|a| (a.label.clone(), a.command.clone()))
                    .collect();
                buttons.extend(row.chunks(ROW).map(<[_]>::to_vec));
            }
        }
    }
    // Pack blocks into messages under the limit, never splitting inside a tag.
    let mut messages: Vec<String> = Vec::new();
    let mut cur = String::new();
    for p in parts {
        let len = p.chars().count();
        if !cur.is_empty() && cur.chars().count() + 2 + len > MAX_TEXT {
            messages.push(std::mem::take(&mut cur));
        }
        if len > MAX_TEXT {
            // Escaped plain text only gets this long: split it.
            messages.extend(split(&p, MAX_TEXT));
            continue;
        }
        if !cur.is_empty() {
            cur.push_str("\n\n");
        }
        cur.push_str(&p);
    }
    if !cur.is_empty() || messages.is_empty() {
        messages.push(cur);
    }
    let n = messages.len();
    messages
        .into_iter()
        .enumerate()
        .map(|(i, html)| {
            let last = i + 1 == n;
            Rendered {
                html,
                buttons: if last { buttons.clone() } else { Vec::new() },
                ask_location: ask_location.clone().filter(|_| last && buttons.is_empty()),
                invites: if last { invites.clone() } else { Vec::new() },
                add_to_group: if last {
                    add_to_group.clone()
                } else {
                    Vec::new()
                },
                ops: if i == 0 { ops.clone() } else { Vec::new() },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kohero_core::reply::{Action, ListItem};

    #[test]
    fn user_text_is_escaped() {
        let r = Reply::text("<b>x</b> & _*[").heading("\"T\"");
        let m = render(&r);
        assert_eq!(
            m[0].html,
            "&lt;b&gt;x&lt;/b&gt; &amp; _*[\n\n<b>&quot;T&quot;</b>"
        );
    }

    #[test]
    fn lists_get_buttons_named_after_their_items() {
        let r = Reply::text("2 :")
            .list(vec![ListItem {
                title: "#42 Compost".into(),
                details: vec!["350 m".into()],
                actions: vec![
                    Action::new("Voir", "/voir 42"),
                    Action::new("Suivre", "/suivre 42"),
                ],
            }])
            .actions(vec![Action::new("Page suivante", "/pres p2")]);
        let m = render(&r);
        assert_eq!(m.len(), 1);
        assert!(m[0].html.contains("• <b>#42 Compost</b>\n   350 m"));
        assert_eq!(
            m[0].buttons,
            vec![
                vec![
                    ("Voir #42".into(), "/voir 42".into()),
                    ("Suivre #42".into(), "/suivre 42".into())
                ],
                vec![("Page suivante".into(), "/pres p2".into())],
            ]
        );
    }

    #[test]
    fn long_replies_are_split_under_the_limit() {
        let long = "é".repeat(9000);
        let r = Reply::text(long).actions(vec![Action::new("OK", "/aide")]);
        let m = render(&r);
        assert!(m.len() >= 3);
        assert!(m.iter().all(|p| p.html.chars().count() <= MAX_TEXT));
        assert!(m[..m.len() - 1].iter().all(|p| p.buttons.is_empty()));
        assert_eq!(m.last().map(|p| p.buttons.len()), Some(1));
        let data = Reply::default().data("{\n".repeat(3000));
        assert!(
            render(&data)
                .iter()
                .all(|p| p.html.chars().count() <= MAX_TEXT && p.html.starts_with("<pre>"))
        );
    }
}
