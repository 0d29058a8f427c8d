//! Telegram's side of relaying between a project's chats: a group message
//! read into core's [`Said`] (its entities as [`Rich`] text), and a
//! [`Relay`] written out as Telegram HTML, in messages Telegram takes.

use kohero_core::domain::{Media, Relay, Relayed, ReplyTo, Rich, Said, Span, Style, network_name};
use kohero_core::geo::GeoPoint;
use teloxide::types::{Message, MessageEntity, MessageEntityKind};

use crate::render::{escape, visible_units};

/// Most UTF-16 code units of one relayed message (Telegram takes 4,096).
const MAX_UNITS: usize = 4_000;

/// Text and its entities (offsets in UTF-16 code units, as Telegram counts)
/// as runs of styled text: the text is cut at every entity's start and end,
/// and each piece takes the styles of the entities over it (they may nest
/// and overlap). An entity that does not fall on the text's characters is
/// ignored (never a panic on what the network sends).
pub fn rich(text: &str, entities: Option<&[MessageEntity]>) -> Rich {
    let entities = entities.unwrap_or_default();
    if entities.is_empty() {
        return Rich::plain(text).tidy();
    }
    // Byte offset of each UTF-16 offset that starts a character.
    let mut at: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    let mut units = 0;
    for (byte, c) in text.char_indices() {
        at.insert(units, byte);
        units += c.len_utf16();
    }
    at.insert(units, text.len());
    let ranges: Vec<(usize, usize, &MessageEntityKind)> = entities
        .iter()
        .filter_map(|e| {
            let start = *at.get(&e.offset)?;
            let end = *at.get(&e.offset.checked_add(e.length)?)?;
            (start < end).then_some((start, end, &e.kind))
        })
        .collect();
    let mut cuts: Vec<usize> = vec![0, text.len()];
    for (a, b, _) in &ranges {
        cuts.push(*a);
        cuts.push(*b);
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut spans = Vec::with_capacity(cuts.len());
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let mut style = Style::default();
        for (_, _, kind) in ranges.iter().filter(|(s, e, _)| *s <= a && b <= *e) {
            match kind {
                MessageEntityKind::Bold => style.bold = true,
                MessageEntityKind::Italic => style.italic = true,
                MessageEntityKind::Underline => style.underline = true,
                MessageEntityKind::Strikethrough => style.strike = true,
                MessageEntityKind::Spoiler => style.spoiler = true,
                MessageEntityKind::Code => style.code = true,
                MessageEntityKind::Pre { .. } => style.pre = true,
                MessageEntityKind::Blockquote | MessageEntityKind::ExpandableBlockquote => {
                    style.quote = true;
                }
                MessageEntityKind::TextLink { url } => style.link = Some(url.to_string()),
                _ => {}
            }
        }
        spans.push(Span {
            text: text[a..b].to_owned(),
            style,
        });
    }
    Rich(spans).tidy()
}

/// What a group message says, for the project's other chats; `None` for
/// what is not relayed (service messages: someone joined, a pin…).
pub fn said(m: &Message) -> Option<Said> {
    let caption = || m.caption().map(|c| rich(c, m.caption_entities()));
    if let Some(t) = m.text() {
        return Some(Said::Text(rich(t, m.entities())));
    }
    if let Some(v) = m.venue() {
        return Some(Said::Location {
            point: GeoPoint::new(v.location.latitude, v.location.longitude).ok()?,
            name: Some(v.title.clone()),
        });
    }
    if let Some(l) = m.location() {
        return Some(Said::Location {
            point: GeoPoint::new(l.latitude, l.longitude).ok()?,
            name: None,
        });
    }
    if let Some(sizes) = m.photo() {
        // The largest size Telegram made.
        let p = sizes.iter().max_by_key(|p| p.width * p.height)?;
        return Some(Said::Media(Media {
            image: true,
            name: "photo.jpg".into(),
            size: Some(u64::from(p.file.size)),
            mime: Some("image/jpeg".into()),
            source: p.file.id.to_string(),
            caption: caption(),
        }));
    }
    if let Some(s) = m.sticker() {
        return Some(Said::Text(Rich::plain(
            s.emoji.clone().unwrap_or_else(|| "🖼".into()),
        )));
    }
    let file = |name: String, file: &teloxide::types::FileMeta, mime: Option<String>| {
        Said::Media(Media {
            image: false,
            name,
            size: Some(u64::from(file.size)),
            mime,
            source: file.id.to_string(),
            caption: caption(),
        })
    };
    if let Some(d) = m.document() {
        let mime = d.mime_type.as_ref().map(ToString::to_string);
        let name = d.file_name.clone().unwrap_or_else(|| "fichier".into());
        return Some(file(name, &d.file, mime));
    }
    if let Some(v) = m.video() {
        let name = v.file_name.clone().unwrap_or_else(|| "video.mp4".into());
        return Some(file(name, &v.file, Some("video/mp4".into())));
    }
    if let Some(a) = m.audio() {
        let name = a.file_name.clone().unwrap_or_else(|| "audio".into());
        return Some(file(name, &a.file, None));
    }
    if let Some(v) = m.voice() {
        return Some(file("voice.ogg".into(), &v.file, Some("audio/ogg".into())));
    }
    if let Some(a) = m.animation() {
        let name = a
            .file_name
            .clone()
            .unwrap_or_else(|| "animation.mp4".into());
        return Some(file(name, &a.file, Some("video/mp4".into())));
    }
    None
}

/// The message a group message answers, when it is a reply (in a forum
/// topic every message "answers" the topic's first one: not a reply).
/// `me`: the bot, whose relayed copies already start with their author.
pub fn reply_to(m: &Message, me: teloxide::types::UserId) -> Option<ReplyTo> {
    let r = m.reply_to_message()?;
    if r.forum_topic_created().is_some() {
        return None;
    }
    let author = r
        .from
        .as_ref()
        .filter(|u| u.id != me)
        .map(teloxide::types::User::full_name);
    let text = r
        .text()
        .or_else(|| r.caption())
        .map_or_else(|| "📎".to_owned(), str::to_owned);
    Some(ReplyTo {
        message: r.id.0.to_string(),
        author,
        text,
    })
}

/// Rich text as Telegram HTML. Quoted runs that follow each other share one
/// `<blockquote>`; code and preformatted runs take no other style (Telegram
/// refuses entities inside them).
pub fn html(rich: &Rich) -> String {
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
        out.push_str(&span_html(s));
    }
    if in_quote {
        out.push_str("</blockquote>");
    }
    out
}

fn span_html(s: &Span) -> String {
    if s.style.pre {
        return format!("<pre>{}</pre>", escape(&s.text));
    }
    // A message's next lines are set in: none looks like a relayed line's
    // « Name (Network) : ».
    let text = escape(&s.text).replace('\n', "\n\u{a0}\u{a0}");
    let st = &s.style;
    if st.code {
        return format!("<code>{text}</code>");
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
        wrap("<b>", "</b>");
    }
    if st.italic {
        wrap("<i>", "</i>");
    }
    if st.underline {
        wrap("<u>", "</u>");
    }
    if st.strike {
        wrap("<s>", "</s>");
    }
    if st.spoiler {
        wrap("<tg-spoiler>", "</tg-spoiler>");
    }
    format!("{open}{text}{close}")
}

/// One relayed line: the quote it answers, the author's name and network,
/// then what they said.
pub fn line_html(l: &Relayed) -> String {
    let mut s = String::new();
    if let Some(q) = &l.quote {
        s.push_str("<blockquote>");
        if let Some(a) = &q.author {
            s.push_str(&format!("<b>{}</b> : ", escape(a)));
        }
        s.push_str(&escape(&q.excerpt));
        s.push_str("</blockquote>");
    }
    s.push_str(&format!(
        "<b>{}</b> ({}) : ",
        escape(&l.author),
        escape(&network_name(&l.source.network))
    ));
    if l.edited {
        s.push_str("✏️ ");
    }
    match &l.said {
        Said::Text(r) => s.push_str(&html(r)),
        Said::Location { point, name } => {
            let (lat, lon) = (point.lat(), point.lon());
            let label = name
                .clone()
                .unwrap_or_else(|| format!("{lat:.5}, {lon:.5}"));
            s.push_str(&format!(
                "📍 <a href=\"https://www.openstreetmap.org/?mlat={lat:.6}&amp;mlon={lon:.6}#map=17/{lat:.6}/{lon:.6}\">{}</a>",
                escape(&label)
            ));
        }
        Said::Media(m) => {
            s.push_str(&escape(&m.notice()));
            if let Some(c) = &m.caption {
                s.push('\n');
                s.push_str(&html(c));
            }
        }
    }
    s
}

/// Most UTF-16 code units of a photo's caption, as Telegram counts them
/// once its HTML is read (it takes 1,024).
const CAPTION_UNITS: usize = 1_024;

/// The caption of a relayed image: its author, then its own caption, cut
/// (with « … ») to what Telegram takes.
pub fn caption(l: &Relayed) -> String {
    let signature = format!(
        "<b>{}</b> ({})",
        escape(&l.author),
        escape(&network_name(&l.source.network))
    );
    let Said::Media(Media {
        caption: Some(c), ..
    }) = &l.said
    else {
        return signature;
    };
    let budget = CAPTION_UNITS.saturating_sub(visible_units(&signature) + 4);
    let mut text = String::new();
    let mut units = 0;
    let full = c.text();
    for ch in full.chars() {
        if units + ch.len_utf16() > budget.saturating_sub(1) {
            text.push('…');
            break;
        }
        units += ch.len_utf16();
        text.push(ch);
    }
    format!("{signature} : {}", escape(&text))
}

/// A relay as Telegram messages: its lines, one after the other, in as few
/// messages as Telegram takes (a line too long for one is cut, as plain
/// text, between characters).
pub fn render(relay: &Relay) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for l in &relay.lines {
        let line = line_html(l);
        let pieces = if visible_units(&line) > MAX_UNITS {
            cut_plain(&kohero_core::domain::Relay {
                lines: vec![l.clone()],
                edit: None,
            })
        } else {
            vec![line]
        };
        for p in pieces {
            let joined = if current.is_empty() {
                p.clone()
            } else {
                format!("{current}\n{p}")
            };
            if visible_units(&joined) > MAX_UNITS && !current.is_empty() {
                out.push(std::mem::take(&mut current));
                current = p;
            } else {
                current = joined;
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A line too long for one message, as plain text in pieces.
fn cut_plain(relay: &Relay) -> Vec<String> {
    let plain = relay.plain();
    let mut out = Vec::new();
    let mut piece = String::new();
    let mut units = 0;
    for c in plain.chars() {
        let n = c.len_utf16();
        if units + n > MAX_UNITS {
            out.push(std::mem::take(&mut piece));
            units = 0;
        }
        piece.push(c);
        units += n;
    }
    out.push(piece);
    // Telegram refuses a blank message: such a piece is not sent.
    out.into_iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| escape(&p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kohero_core::domain::{MessageRef, Quote};

    fn line(text: Rich) -> Relayed {
        Relayed {
            source: MessageRef {
                network: "matrix".into(),
                chat: "!r:x".into(),
                message: "$e".into(),
            },
            author: "Bob <b>".into(),
            sender: "@b:x".into(),
            person: None,
            said: Said::Text(text),
            quote: None,
            edited: false,
        }
    }

    #[test]
    fn styles_become_balanced_tags_and_text_is_escaped() {
        let bold = Style {
            bold: true,
            ..Style::default()
        };
        let r = Rich(vec![
            Span {
                text: "« et ça ? » <script>".into(),
                style: Style::default(),
            },
            Span {
                text: "gras".into(),
                style: bold,
            },
            Span {
                text: "lien".into(),
                style: Style {
                    link: Some("https://exemple.fr/?a=1&b=2".into()),
                    italic: true,
                    ..Style::default()
                },
            },
        ]);
        assert_eq!(
            html(&r),
            "« et ça ? » &lt;script&gt;<b>gras</b><a href=\"https://exemple.fr/?a=1&amp;b=2\"><i>lien</i></a>"
        );
        let l = line(r);
        let h = line_html(&l);
        assert!(h.starts_with("<b>Bob &lt;b&gt;</b> (Matrix) : "), "{h}");
    }

    #[test]
    fn entities_in_utf16_units_and_bad_offsets_are_safe() {
        let e = |kind, offset, length| MessageEntity {
            kind,
            offset,
            length,
        };
        // « 🌱 » is two UTF-16 units: « gras » starts at unit 3.
        let r = rich(
            "🌱 gras",
            Some(&[
                e(MessageEntityKind::Bold, 3, 4),
                // Inside the surrogate pair, past the end: ignored.
                e(MessageEntityKind::Italic, 1, 2),
                e(MessageEntityKind::Code, 5, 100),
            ]),
        );
        assert_eq!(r.text(), "🌱 gras");
        assert!(r.0.iter().any(|s| s.text == "gras" && s.style.bold));
        assert!(r.0.iter().all(|s| !s.style.italic && !s.style.code));
    }

    #[test]
    fn next_lines_are_set_in_and_captions_fit() {
        let l = line(Rich::plain("ok\nAlice (Matrix) : je pars"));
        let h = line_html(&l);
        assert!(h.contains("ok\n\u{a0}\u{a0}Alice (Matrix)"), "{h}");
        let mut img = line(Rich::plain(""));
        img.said = Said::Media(Media {
            image: true,
            name: "x.png".into(),
            size: None,
            mime: None,
            source: "mxc://x/y".into(),
            caption: Some(Rich::plain("🌱".repeat(1_000))),
        });
        let c = caption(&img);
        assert!(visible_units(&c) <= CAPTION_UNITS, "{}", visible_units(&c));
        assert!(c.ends_with('…'));
        // Only spaces past the first message: nothing blank is sent.
        let spaces = line(Rich::plain(format!("x{}", " ".repeat(8_000))));
        let parts = render(&Relay {
            lines: vec![spaces],
            edit: None,
        });
        assert!(parts.iter().all(|p| !p.trim().is_empty()), "{parts:?}");
    }

    #[test]
    fn quotes_are_blockquotes_and_long_lines_are_cut() {
        let mut l = line(Rich::plain("oui 👍"));
        l.quote = Some(Quote {
            message: Some("12".into()),
            author: Some("Alice".into()),
            excerpt: "On se voit samedi ?".into(),
        });
        assert_eq!(
            line_html(&l),
            "<blockquote><b>Alice</b> : On se voit samedi ?</blockquote><b>Bob &lt;b&gt;</b> (Matrix) : oui 👍"
        );
        let long = line(Rich::plain("🌱".repeat(5_000)));
        let parts = render(&Relay {
            lines: vec![long],
            edit: None,
        });
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|p| visible_units(p) <= MAX_UNITS));
        // Many short lines: one message.
        let many: Vec<_> = (0..40)
            .map(|n| line(Rich::plain(format!("m{n}"))))
            .collect();
        assert_eq!(
            render(&Relay {
                lines: many,
                edit: None
            })
            .len(),
            1
        );
    }
}
