//! Replies as Matrix messages: an HTML `formatted_body` with a plain `body`
//! fallback, user text escaped. Matrix has no buttons: actions become numbered
//! choices, answered with the number or with the command (written `!cmd`).

use kohero_core::reply::{Block, Reply};

/// Most bytes of one message (body and formatted body together); Matrix events
/// are limited to 64 KiB, JSON included.
pub const MAX_BYTES: usize = 24_000;

/// One message to send.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    pub body: String,
    pub html: String,
}

/// What a reply becomes on Matrix.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendering {
    /// The messages, in order (one unless the reply is very long).
    pub messages: Vec<Rendered>,
    /// The commands of the numbered choices, `1` first.
    pub choices: Vec<String>,
    /// Rooms to invite the recipient into.
    pub invites: Vec<String>,
}

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

/// A command as written on Matrix: `!voir 42` (clients take `/` for their own).
pub fn matrix_command(command: &str) -> String {
    match command.strip_prefix('/') {
        Some(rest) => format!("!{rest}"),
        None => command.to_owned(),
    }
}

/// One rendered piece: (plain, html).
type Part = (String, String);

fn choice(n: usize, label: &str, command: &str) -> Part {
    let cmd = matrix_command(command);
    (
        format!("[{n}] {label} ({cmd})"),
        format!(
            "<b>[{n}]</b> {} (<code>{}</code>)",
            escape(label),
            escape(&cmd)
        ),
    )
}

/// Renders a reply.
pub fn render(reply: &Reply) -> Rendering {
    let mut parts: Vec<Part> = Vec::new();
    let mut out = Rendering::default();
    let number = |label: &str, command: &str, choices: &mut Vec<String>| {
        choices.push(command.to_owned());
        choice(choices.len(), label, command)
    };
    for block in &reply.blocks {
        match block {
            Block::Heading { text } => {
                parts.push((text.clone(), format!("<b>{}</b>", escape(text))));
            }
            Block::Text { text } => parts.push((text.clone(), escape(text))),
            Block::Data { text } => parts.push((
                text.clone(),
                format!("<pre><code>{}</code></pre>", escape_pre(text)),
            )),
            Block::AskLocation { label } => parts.push((
                format!("{label} (📍, geo:LAT,LON)"),
                format!("{} (📍, <code>geo:LAT,LON</code>)", escape(label)),
            )),
            Block::RoomInvite { room, label } => {
                out.invites.push(room.clone());
                let link = format!("https://matrix.to/#/{room}");
                parts.push((
                    format!("{label}: {link}"),
                    format!("<a href=\"{}\">{}</a>", escape(&link), escape(label)),
                ));
            }
            // Telegram's "add the bot to a group": the bot makes its own rooms here.
            // Telegram's way into a group: Matrix rooms are made by the bot.
            Block::AddToGroup { .. } => {}
            Block::List { items } => {
                let mut plain = Vec::new();
                let mut html = String::from("<ul>");
                for item in items {
                    let mut p = format!("• {}", item.title);
                    let mut h = format!("<li><b>{}</b>", escape(&item.title));
                    for d in &item.details {
                        p.push_str("\n  ");
                        p.push_str(d);
                        h.push_str("<br>");
                        h.push_str(&escape(d));
                    }
                    let acts: Vec<Part> = item
                        .actions
                        .iter()
                        .map(|a| number(&a.label, &a.command, &mut out.choices))
                        .collect();
                    if !acts.is_empty() {
                        p.push_str("\n  ");
                        p.push_str(&join(acts.iter().map(|a| a.0.as_str()), "  "));
                        h.push_str("<br>");
                        h.push_str(&join(acts.iter().map(|a| a.1.as_str()), " · "));
                    }
                    h.push_str("</li>");
                    plain.push(p);
                    html.push_str(&h);
                }
                html.push_str("</ul>");
                parts.push((plain.join("\n"), html));
            }
            Block::Actions { actions } => {
                let acts: Vec<Part> = actions
                    .iter()
                    .map(|a| number(&a.label, &a.command, &mut out.choices))
                    .collect();
                parts.push((
                    join(acts.iter().map(|a| a.0.as_str()), "  "),
                    join(acts.iter().map(|a| a.1.as_str()), " · "),
                ));
            }
        }
    }
    out.messages = pack(parts);
    out
}

fn join<'a>(it: impl Iterator<Item = &'a str>, sep: &str) -> String {
    it.collect::<Vec<_>>().join(sep)
}

/// Escapes text inside `<pre>`, where newlines stay newlines.
fn escape_pre(s: &str) -> String {
    escape(s).replace("<br>", "\n")
}

/// Packs parts into messages under [`MAX_BYTES`]; a part longer than that alone
/// is cut at character boundaries.
fn pack(parts: Vec<Part>) -> Vec<Rendered> {
    let mut messages = Vec::new();
    let mut cur = Rendered::default();
    let size = |r: &Rendered| r.body.len() + r.html.len();
    for (plain, html) in parts {
        if plain.len() + html.len() > MAX_BYTES {
            if size(&cur) > 0 {
                messages.push(std::mem::take(&mut cur));
            }
            // Too long for one message: plain pieces, escaped.
            // Escaping grows a byte to at most six.
            for piece in chunks(&plain, MAX_BYTES / 7) {
                messages.push(Rendered {
                    html: escape(&piece),
                    body: piece,
                });
            }
            continue;
        }
        if size(&cur) > 0 && size(&cur) + plain.len() + html.len() + 8 > MAX_BYTES {
            messages.push(std::mem::take(&mut cur));
        }
        if size(&cur) > 0 {
            cur.body.push_str("\n\n");
            cur.html.push_str("<br><br>");
        }
        cur.body.push_str(&plain);
        cur.html.push_str(&html);
    }
    if size(&cur) > 0 || messages.is_empty() {
        messages.push(cur);
    }
    messages
}

/// Cuts a text into pieces of at most `max` bytes, at character boundaries.
fn chunks(s: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if cur.len() + c.len_utf8() > max {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kohero_core::reply::{Action, ListItem};

    #[test]
    fn user_text_is_escaped_and_has_a_plain_fallback() {
        let r = Reply::text("<b>x</b> & _*[\nligne").heading("\"T\"");
        let m = render(&r);
        assert_eq!(m.messages.len(), 1);
        assert_eq!(
            m.messages[0].html,
            "&lt;b&gt;x&lt;/b&gt; &amp; _*[<br>ligne<br><br><b>&quot;T&quot;</b>"
        );
        assert_eq!(m.messages[0].body, "<b>x</b> & _*[\nligne\n\n\"T\"");
    }

    #[test]
    fn actions_become_numbered_choices_written_with_a_bang() {
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
        assert_eq!(m.choices, vec!["/voir 42", "/suivre 42", "/pres p2"]);
        let body = &m.messages[0].body;
        assert!(
            body.contains("• #42 Compost\n  350 m\n  [1] Voir (!voir 42)  [2] Suivre (!suivre 42)"),
            "{body}"
        );
        assert!(body.ends_with("[3] Page suivante (!pres p2)"), "{body}");
        assert!(m.messages[0].html.contains(
            "<li><b>#42 Compost</b><br>350 m<br><b>[1]</b> Voir (<code>!voir 42</code>)"
        ));
    }

    #[test]
    fn invitations_are_links_and_invites() {
        let invite = Reply {
            blocks: vec![Block::RoomInvite {
                room: "!r:x".into(),
                label: "Entrer".into(),
            }],
        };
        let m = render(&invite);
        assert_eq!(m.invites, vec!["!r:x"]);
        assert!(m.messages[0].body.contains("https://matrix.to/#/!r:x"));
    }

    #[test]
    fn long_replies_are_split_under_the_event_limit() {
        let r = Reply::text("é".repeat(40_000)).actions(vec![Action::new("OK", "/aide")]);
        let m = render(&r);
        assert!(m.messages.len() >= 2);
        assert!(
            m.messages
                .iter()
                .all(|p| p.body.len() + p.html.len() <= MAX_BYTES)
        );
        assert!(m.messages.last().is_some_and(|p| p.body.contains("[1] OK")));
        let data = Reply::default().data("{\n".repeat(10_000));
        assert!(
            render(&data)
                .messages
                .iter()
                .all(|p| p.body.len() + p.html.len() <= MAX_BYTES)
        );
    }
}
