//! Replies as Telegram messages: HTML text (user text escaped) and inline
//! keyboards. Telegram refuses a text over 4,096 UTF-16 code units once its
//! HTML is parsed, and any HTML it cannot parse; so a reply is built as styled
//! runs of plain text, packed into messages by their parsed length, and each
//! message is written out with its own balanced tags. A run too long for one
//! message is cut between characters (at a line end or a space when there is
//! one), never inside a tag or an entity.

use kohero_core::reply::{Block, Reply};

/// Telegram's limit for a message's text, in UTF-16 code units after the
/// HTML is parsed.
pub const MAX_UNITS: usize = 4096;
/// Buttons per keyboard row.
const ROW: usize = 3;
/// Most inline buttons in one message (Telegram refuses a longer keyboard).
pub const MAX_BUTTONS: usize = 100;

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

/// How a run of text is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Bold,
    Pre,
}

/// Text in one style, as the person will read it (not escaped yet).
#[derive(Debug, Clone, PartialEq)]
struct Run {
    style: Style,
    text: String,
}

impl Run {
    fn new(style: Style, text: impl Into<String>) -> Self {
        Self {
            style,
            text: text.into(),
        }
    }

    fn html(&self) -> String {
        let t = escape(&self.text);
        match self.style {
            Style::Plain => t,
            Style::Bold => format!("<b>{t}</b>"),
            Style::Pre => format!("<pre>{t}</pre>"),
        }
    }
}

/// Length as Telegram counts it.
fn units(s: &str) -> usize {
    s.encode_utf16().count()
}

/// A paragraph of the reply (separated from the others by a blank line) and
/// the buttons that belong to it.
struct Segment {
    runs: Vec<Run>,
    buttons: Vec<Vec<(String, String)>>,
}

/// The longest start of `s` within `max` units, cut after a line end, else
/// after a space, else between two characters; at least one character.
fn cut(s: &str, max: usize) -> (&str, &str) {
    let mut end = 0;
    let mut used = 0;
    let mut last_newline = None;
    let mut last_space = None;
    for (i, c) in s.char_indices() {
        let n = c.len_utf16();
        if used + n > max {
            break;
        }
        used += n;
        end = i + c.len_utf8();
        if c == '\n' {
            last_newline = Some(end);
        } else if c == ' ' {
            last_space = Some(end);
        }
    }
    if end == s.len() {
        return (s, "");
    }
    // Cut at a line end or a space in the second half of the room, else hard.
    let at = [last_newline, last_space]
        .into_iter()
        .flatten()
        .find(|&at| at * 2 >= end)
        .unwrap_or(end);
    let at = if at == 0 {
        s.chars().next().map_or(0, char::len_utf8)
    } else {
        at
    };
    s.split_at(at)
}

/// A message being filled: its runs and length so far.
#[derive(Default)]
struct Message {
    runs: Vec<Run>,
    units: usize,
    buttons: Vec<Vec<(String, String)>>,
}

impl Message {
    fn push(&mut self, run: Run) {
        self.units += units(&run.text);
        match self.runs.last_mut() {
            Some(last) if last.style == run.style => last.text.push_str(&run.text),
            _ => self.runs.push(run),
        }
    }
}

/// Packs segments into messages of at most `max` units, a blank line between
/// segments; a segment that does not fit in what is left starts a new message,
/// and one longer than a whole message is cut across messages.
fn pack(segments: Vec<Segment>, max: usize) -> Vec<Message> {
    let mut out: Vec<Message> = Vec::new();
    let mut cur = Message::default();
    for seg in segments {
        let len: usize = seg.runs.iter().map(|r| units(&r.text)).sum();
        if len == 0 && seg.buttons.is_empty() {
            continue;
        }
        let sep = if cur.runs.is_empty() { 0 } else { 2 };
        if cur.units + sep + len > max && !cur.runs.is_empty() {
            out.push(std::mem::take(&mut cur));
        } else if sep > 0 {
            cur.push(Run::new(Style::Plain, "\n\n"));
        }
        for run in seg.runs {
            let mut rest = run.text.as_str();
            while !rest.is_empty() {
                let room = max.saturating_sub(cur.units);
                if room == 0 {
                    out.push(std::mem::take(&mut cur));
                    continue;
                }
                let (head, tail) = cut(rest, room);
                if units(head) > room && !cur.runs.is_empty() {
                    // Not even one character fits here (a surrogate pair in
                    // the last unit): go on in a new message.
                    out.push(std::mem::take(&mut cur));
                    continue;
                }
                cur.push(Run::new(run.style, head));
                rest = tail;
            }
        }
        cur.buttons.extend(seg.buttons);
    }
    if !cur.runs.is_empty() || !cur.buttons.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

/// Renders a reply as one or more messages: each list item's buttons go with
/// the message that shows it, the reply's own actions with the last.
pub fn render(reply: &Reply) -> Vec<Rendered> {
    render_within(reply, MAX_UNITS)
}

fn render_within(reply: &Reply, max: usize) -> Vec<Rendered> {
    let mut segments: Vec<Segment> = Vec::new();
    let mut last_buttons: Vec<Vec<(String, String)>> = Vec::new();
    let mut ask_location = None;
    let mut invites = Vec::new();
    let mut add_to_group = Vec::new();
    let segment = |runs: Vec<Run>| Segment {
        runs,
        buttons: Vec::new(),
    };
    for block in &reply.blocks {
        match block {
            Block::AskLocation { label } => ask_location = Some(label.clone()),
            Block::RoomInvite { room, label } => invites.push((room.clone(), label.clone())),
            Block::AddToGroup { payload, label } => {
                add_to_group.push((payload.clone(), label.clone()));
            }
            Block::Heading { text } => segments.push(segment(vec![Run::new(Style::Bold, text)])),
            Block::Text { text } => segments.push(segment(vec![Run::new(Style::Plain, text)])),
            Block::Data { text } => segments.push(segment(vec![Run::new(Style::Pre, text)])),
            Block::List { items } => {
                for item in items {
                    let mut runs = vec![
                        Run::new(Style::Plain, "• "),
                        Run::new(Style::Bold, &item.title),
                    ];
                    for d in &item.details {
                        runs.push(Run::new(Style::Plain, format!("\n   {d}")));
                    }
                    let tag = item.tag.as_deref();
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
                    segments.push(Segment {
                        runs,
                        buttons: row.chunks(ROW).map(<[_]>::to_vec).collect(),
                    });
                }
            }
            Block::Actions { actions } => {
                let row: Vec<(String, String)> = actions
                    .iter()
                    .map(|a| (a.label.clone(), a.command.clone()))
                    .collect();
                last_buttons.extend(row.chunks(ROW).map(<[_]>::to_vec));
            }
        }
    }
    let mut messages = pack(segments, max);
    if let Some(last) = messages.last_mut() {
        last.buttons.extend(last_buttons);
    }
    let n = messages.len();
    messages
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let last = i + 1 == n;
            let html: String = m.runs.iter().map(Run::html).collect();
            let buttons = keep_buttons(m.buttons);
            Rendered {
                ask_location: ask_location.clone().filter(|_| last && buttons.is_empty()),
                html,
                buttons,
                invites: if last { invites.clone() } else { Vec::new() },
                add_to_group: if last {
                    add_to_group.clone()
                } else {
                    Vec::new()
                },
            }
        })
        .collect()
}

/// At most [`MAX_BUTTONS`] buttons, the first ones (the reply's own actions,
/// last, are kept first when there are too many).
fn keep_buttons(rows: Vec<Vec<(String, String)>>) -> Vec<Vec<(String, String)>> {
    let total: usize = rows.iter().map(Vec::len).sum();
    if total <= MAX_BUTTONS {
        return rows;
    }
    let mut kept: Vec<Vec<(String, String)>> = Vec::new();
    let mut left = MAX_BUTTONS;
    for row in rows.into_iter().rev() {
        if row.len() > left {
            break;
        }
        left -= row.len();
        kept.push(row);
    }
    kept.reverse();
    kept
}

/// The visible text of a message, as Telegram reads it: tags dropped,
/// entities decoded. (Telegram counts its length, and refuses it blank.)
pub fn visible(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        text.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with('<') {
            rest = tail.find('>').map_or("", |j| &tail[j + 1..]);
        } else {
            let end = tail.find(';').map_or(tail.len(), |j| j + 1);
            text.push(match &tail[..end] {
                "&lt;" => '<',
                "&gt;" => '>',
                "&quot;" => '"',
                _ => '&',
            });
            rest = &tail[end..];
        }
    }
    text.push_str(rest);
    text
}

/// The length Telegram counts for a message.
pub fn visible_units(html: &str) -> usize {
    units(&visible(html))
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
                tag: Some("#42".into()),
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
    fn long_replies_are_split_by_telegram_length() {
        // 3,000 emoji are 6,000 UTF-16 units: two messages, though 3,000 characters.
        let long = "🌱".repeat(3000);
        let r = Reply::text(long).actions(vec![Action::new("OK", "/aide")]);
        let m = render(&r);
        assert_eq!(m.len(), 2);
        assert!(m.iter().all(|p| visible_units(&p.html) <= MAX_UNITS));
        assert!(m[0].buttons.is_empty());
        assert_eq!(m[1].buttons.len(), 1);
        // Escaping does not count: 4,000 ampersands are 4,000 units, one message.
        let m = render(&Reply::text("&".repeat(4000)));
        assert_eq!(m.len(), 1);
        assert_eq!(visible_units(&m[0].html), 4000);
    }

    #[test]
    fn data_is_cut_into_whole_pre_blocks() {
        let data = Reply::text("Vos données :").data("{\"a\": \"<é>\"}\n".repeat(900));
        let m = render(&data);
        assert!(m.len() >= 3, "{}", m.len());
        for p in &m {
            assert!(visible_units(&p.html) <= MAX_UNITS);
            assert_eq!(
                p.html.matches("<pre>").count(),
                p.html.matches("</pre>").count()
            );
        }
        assert!(m[1].html.starts_with("<pre>{"), "{}", &m[1].html[..40]);
    }

    #[test]
    fn a_surrogate_pair_is_never_cut() {
        for max in 1..12 {
            let r = Reply::text(format!("a{}", "😀".repeat(10)));
            for p in render_within(&r, max) {
                assert!(visible_units(&p.html) <= max.max(2));
                assert!(!p.html.is_empty());
            }
        }
    }

    #[test]
    fn items_keep_their_buttons_in_their_message() {
        let items: Vec<ListItem> = (1..=40)
            .map(|i| ListItem {
                tag: Some(format!("#{i}")),
                title: format!("#{i} {}", "x".repeat(100)),
                details: vec!["d".repeat(200)],
                actions: vec![Action::new("Voir", format!("/voir {i}"))],
            })
            .collect();
        let m = render(&Reply::text("Digest").list(items));
        assert!(m.len() >= 3);
        for p in &m {
            for row in &p.buttons {
                for (label, _) in row {
                    let tag = label.trim_start_matches("Voir ");
                    assert!(p.html.contains(&format!("<b>{tag} ")), "{label}");
                }
            }
        }
    }

    #[test]
    fn keyboards_stay_under_telegrams_limit() {
        let items: Vec<ListItem> = (1..=60)
            .map(|i| ListItem {
                tag: Some(format!("#{i}")),
                title: format!("#{i}"),
                details: vec![],
                actions: vec![
                    Action::new("Voir", format!("/voir {i}")),
                    Action::new("Suivre", format!("/suivre {i}")),
                ],
            })
            .collect();
        let m = render(
            &Reply::text("x")
                .list(items)
                .actions(vec![Action::new("Suite", "/pres p2")]),
        );
        for p in &m {
            assert!(p.buttons.iter().map(Vec::len).sum::<usize>() <= MAX_BUTTONS);
        }
        let last = m.last().unwrap();
        assert_eq!(last.buttons.last().unwrap()[0].1, "/pres p2");
    }
}
