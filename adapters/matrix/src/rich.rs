//! Matrix's side of relaying between a project's chats: a message's
//! `formatted_body` (HTML, of the subset the spec recommends) read into
//! core's [`Rich`] text, and relays written out as Matrix events.

use kohero_core::domain::{Relay, Relayed, Rich, Said, Span, Style, network_name};
use serde_json::{Value, json};

use crate::render::escape;

/// What a tag does to the text inside it; `None` for tags whose text is
/// kept plain (and for unknown ones).
fn apply(style: &mut Style, tag: &str, attrs: &str) {
    match tag {
        "b" | "strong" => style.bold = true,
        "i" | "em" => style.italic = true,
        "u" => style.underline = true,
        "s" | "del" | "strike" => style.strike = true,
        "code" => style.code = true,
        "pre" => style.pre = true,
        "blockquote" => style.quote = true,
        "a" => {
            style.link = attr(attrs, "href").filter(|l| l.len() <= kohero_core::domain::LINK_MAX);
        }
        "span" if attrs.contains("data-mx-spoiler") => style.spoiler = true,
        _ => {}
    }
}

/// An attribute's value (`href="…"` or `href='…'`), entities decoded.
fn attr(attrs: &str, name: &str) -> Option<String> {
    let lower = attrs.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = attrs[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let rest = rest[1..].trim_start();
        let quote = rest.chars().next()?;
        if quote != '"' && quote != '\'' {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            return Some(decode(&rest[..end]));
        }
        let end = rest[1..].find(quote)?;
        return Some(decode(&rest[1..=end]));
    }
    None
}

/// HTML's character references (the named ones Matrix clients write, and
/// numbers).
fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let c = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16)
                .ok()
                .and_then(char::from_u32),
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A `formatted_body` as rich text: known tags give their styles, line
/// breaks and paragraphs give new lines, everything else is kept as its
/// text (a reply's `<mx-reply>` quote is dropped: it is the answered
/// message, quoted on its own).
pub fn from_html(html: &str) -> Rich {
    let mut spans: Vec<Span> = Vec::new();
    // The open tags and what each did.
    let mut stack: Vec<(String, Style)> = Vec::new();
    let mut style = Style::default();
    let mut skip = 0usize;
    let mut rest = html;
    let push = |spans: &mut Vec<Span>, text: String, style: &Style| {
        if !text.is_empty() {
            spans.push(Span {
                text,
                style: style.clone(),
            });
        }
    };
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if skip == 0 {
                push(&mut spans, decode(rest), &style);
            }
            break;
        };
        if skip == 0 {
            push(&mut spans, decode(&rest[..lt]), &style);
        }
        rest = &rest[lt..];
        let Some(gt) = rest.find('>') else {
            if skip == 0 {
                push(&mut spans, decode(rest), &style);
            }
            break;
        };
        let inner = &rest[1..gt];
        rest = &rest[gt + 1..];
        let self_closing = inner.ends_with('/');
        let closing = inner.starts_with('/');
        let inner = inner.trim_start_matches('/').trim_end_matches('/');
        let (name, attrs) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
        let name = name.to_ascii_lowercase();
        if name == "mx-reply" {
            if closing {
                skip = skip.saturating_sub(1);
            } else {
                skip += 1;
            }
            continue;
        }
        if skip > 0 {
            continue;
        }
        match (name.as_str(), closing) {
            ("br", _) => push(&mut spans, "\n".into(), &style),
            (_, false) if self_closing => {}
            (_, false) => {
                let before = style.clone();
                apply(&mut style, &name, attrs);
                if name == "li" {
                    push(&mut spans, "• ".into(), &style);
                }
                stack.push((name, before));
            }
            (_, true) => {
                if matches!(
                    name.as_str(),
                    "p" | "div" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
                ) {
                    push(&mut spans, "\n".into(), &style);
                }
                // Closes the innermost open tag of that name (and what was
                // left open inside it).
                if let Some(pos) = stack.iter().rposition(|(n, _)| *n == name) {
                    style = stack[pos].1.clone();
                    stack.truncate(pos);
                }
            }
        }
    }
    // Paragraph ends leave a new line at the very end.
    if let Some(last) = spans.last_mut() {
        let trimmed = last.text.trim_end_matches('\n').len();
        last.text.truncate(trimmed);
    }
    Rich(spans).tidy()
}

/// Rich text as Matrix HTML.
pub fn to_html(rich: &Rich) -> String {
    let mut out = String::new();
    let mut in_quote = false;
    for s in &rich.0 {
        if s.style.quote != in_quote {
            out.push_str(if s.style.quote {
                "<blockquote>"
            } else {
                "</blockquote>"
            });
            in_quote = s.style.quote;
        }
        // A message's next lines are set in: none looks like a relayed
        // line's « Name (Network) : ».
        let text = escape(&s.text).replace('\n', "<br>&nbsp;&nbsp;");
        let st = &s.style;
        if st.pre {
            out.push_str(&format!("<pre><code>{}</code></pre>", escape(&s.text)));
            continue;
        }
        if st.code {
            out.push_str(&format!("<code>{text}</code>"));
            continue;
        }
        let mut open = String::new();
        let mut close = String::new();
        let mut wrap = |tag: &str, end: &str| {
            open.push_str(tag);
            close.insert_str(0, end);
        };
        if let Some(l) = &st.link {
            wrap(&format!("<a href=\"{}\">", escape(l)), "</a>");
        }
        if st.bold {
            wrap("<strong>", "</strong>");
        }
        if st.italic {
            wrap("<em>", "</em>");
        }
        if st.underline {
            wrap("<u>", "</u>");
        }
        if st.strike {
            wrap("<del>", "</del>");
        }
        if st.spoiler {
            wrap("<span data-mx-spoiler>", "</span>");
        }
        out.push_str(&format!("{open}{text}{close}"));
    }
    if in_quote {
        out.push_str("</blockquote>");
    }
    out
}

/// One relayed line as HTML: the quote it answers, the author's name and
/// network, then what they said.
fn line_html(l: &Relayed) -> String {
    let mut s = String::new();
    if let Some(q) = &l.quote {
        s.push_str("<blockquote>");
        if let Some(a) = &q.author {
            s.push_str(&format!("<strong>{}</strong> : ", escape(a)));
        }
        s.push_str(&escape(&q.excerpt));
        s.push_str("</blockquote>");
    }
    s.push_str(&format!(
        "<strong>{}</strong> ({}) : ",
        escape(&l.author),
        escape(&network_name(&l.source.network))
    ));
    if l.edited {
        s.push_str("✏️ ");
    }
    match &l.said {
        Said::Text(r) => s.push_str(&to_html(r)),
        Said::Location { point, name } => {
            let label = name
                .clone()
                .unwrap_or_else(|| format!("{:.5}, {:.5}", point.lat(), point.lon()));
            s.push_str(&format!("📍 {}", escape(&label)));
        }
        Said::Media(m) => {
            s.push_str(&escape(&m.notice()));
            if let Some(c) = &m.caption {
                s.push_str("<br>");
                s.push_str(&to_html(c));
            }
        }
    }
    s
}

/// A relay as the content of one Matrix event: a text (a location for a
/// lone location), replying to the answered message where Kohero knows it
/// there, or replacing an earlier copy (`m.replace`).
pub fn content(relay: &Relay) -> Value {
    let body = relay.plain();
    let html = relay
        .lines
        .iter()
        .map(line_html)
        .collect::<Vec<_>>()
        .join("<br>");
    let mut content = match relay.lines.as_slice() {
        [
            Relayed {
                said: Said::Location { point, .. },
                ..
            },
        ] if relay.edit.is_none() => json!({
            "msgtype": "m.location",
            "body": body,
            "geo_uri": format!("geo:{:.6},{:.6}", point.lat(), point.lon()),
        }),
        _ => json!({
            "msgtype": "m.text",
            "body": body,
            "format": "org.matrix.custom.html",
            "formatted_body": html,
        }),
    };
    if let Some(edit) = &relay.edit {
        let new = content.clone();
        content["body"] = Value::String(format!("* {body}"));
        content["formatted_body"] = Value::String(format!("* {html}"));
        content["m.new_content"] = new;
        content["m.relates_to"] = json!({"rel_type": "m.replace", "event_id": edit});
    } else if let [line] = relay.lines.as_slice()
        && let Some(answered) = line.quote.as_ref().and_then(|q| q.message.as_ref())
    {
        content["m.relates_to"] = json!({"m.in_reply_to": {"event_id": answered}});
    }
    content
}

/// A relayed image's `m.image` content: its author and caption as the
/// caption (the `filename` names the file).
pub fn image(l: &Relayed, url: &str, mime: &str, size: usize) -> Value {
    let Said::Media(m) = &l.said else {
        return json!({});
    };
    let caption = m.caption.as_ref().map(Rich::text);
    let body = match &caption {
        Some(c) => format!("{} : {c}", l.signature()),
        None => l.signature(),
    };
    let html = match &m.caption {
        Some(c) => format!(
            "<strong>{}</strong> ({}) : {}",
            escape(&l.author),
            escape(&network_name(&l.source.network)),
            to_html(c)
        ),
        None => format!(
            "<strong>{}</strong> ({})",
            escape(&l.author),
            escape(&network_name(&l.source.network))
        ),
    };
    json!({
        "msgtype": "m.image",
        "body": body,
        "format": "org.matrix.custom.html",
        "formatted_body": html,
        "filename": m.name,
        "url": url,
        "info": {"mimetype": mime, "size": size},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatted_bodies_become_styled_runs() {
        let r = from_html(
            "<mx-reply><blockquote>avant</blockquote></mx-reply>Salut <strong>tout <em>le</em></strong> monde &amp; <a href=\"https://x.fr/?a=1&amp;b=2\">lien</a><br>« et ça ? » <a href='javascript:alert(1)'>piège</a>",
        );
        assert_eq!(r.text(), "Salut tout le monde & lien\n« et ça ? » piège");
        assert!(
            r.0.iter()
                .any(|s| s.text == "le" && s.style.bold && s.style.italic)
        );
        assert!(
            r.0.iter()
                .any(|s| s.text == "lien"
                    && s.style.link.as_deref() == Some("https://x.fr/?a=1&b=2"))
        );
        // An unsafe link is text only.
        assert!(
            r.0.iter()
                .all(|s| s.style.link.as_deref() != Some("javascript:alert(1)"))
        );
        // Unbalanced and unknown tags lose nothing of the text.
        let r = from_html("<b>gras<i>et</b> fin</i> <font color=red>x</font> <p>para</p>");
        assert_eq!(r.text(), "graset fin x para");
    }

    #[test]
    fn rich_text_goes_back_out_escaped() {
        let r = from_html("<code>&lt;b&gt;</code> <strong>gras</strong>");
        assert_eq!(to_html(&r), "<code>&lt;b&gt;</code> <strong>gras</strong>");
    }
}
