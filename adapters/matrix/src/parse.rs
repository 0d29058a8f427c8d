//! What a timeline event means for Kohero, read from its JSON (decrypted when it
//! was encrypted). Anything else (edits, redactions, notices from other bots,
//! state events, unknown types) means nothing and is left alone.

use kohero_core::domain::{Media, Rich, Said};
use kohero_core::geo::GeoPoint;
use serde_json::Value;

/// Longest message body handled; longer ones are ignored (nothing Kohero asks
/// for is that long: a description is at most 4,000 characters).
pub const MAX_BODY: usize = 20_000;

/// An event as Kohero reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Typed text, `!cmd` already written `/cmd`.
    Text(String),
    /// A shared location.
    Location(GeoPoint),
    /// A reaction `key` to the event `to`.
    Reaction { to: String, key: String },
    /// An image or a file (`m.image`, `m.file`, `m.video`, `m.audio`).
    Media(Media),
    /// The event `of` was edited to say `said` (`m.replace`).
    Edit { of: String, said: Said },
    /// The event `of` was redacted.
    Redaction { of: String },
}

/// A reply: the event answered, and who and what the reply's fallback
/// quotes of it, when the client wrote one (MSC2781 dropped them: then the
/// answered event is read).
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    pub event_id: String,
    pub fallback: Option<(String, String)>,
}

/// The parts of an event Kohero needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub event_id: String,
    pub sender: String,
    pub message: Message,
    /// A text's formatting (its `formatted_body` read), for relaying.
    pub rich: Option<Rich>,
    /// The event it answers, for relaying.
    pub reply_to: Option<Answered>,
}

/// Reads one timeline event; `None` when it means nothing to Kohero.
pub fn parse(event: &Value) -> Option<Parsed> {
    let event_id = event.get("event_id")?.as_str()?.to_owned();
    let sender = event.get("sender")?.as_str()?.to_owned();
    // State events (membership, names…) are not messages.
    if event.get("state_key").is_some() {
        return None;
    }
    let content = event.get("content")?;
    let relation = content.get("m.relates_to");
    let rel_type = relation
        .and_then(|r| r.get("rel_type"))
        .and_then(Value::as_str);
    let mut rich = None;
    let mut reply_to = None;
    let message = match event.get("type")?.as_str()? {
        "m.room.message" => {
            // An edit is only relayed: the first version was the one answered.
            if rel_type == Some("m.replace") || content.get("m.new_content").is_some() {
                let of = relation?.get("event_id")?.as_str()?.to_owned();
                let new = content.get("m.new_content")?;
                let said = match new.get("msgtype")?.as_str()? {
                    "m.text" | "m.emote" => Said::Text(text_of(new)?),
                    _ => return None,
                };
                return Some(Parsed {
                    event_id,
                    sender,
                    message: Message::Edit { of, said },
                    rich: None,
                    reply_to: None,
                });
            }
            reply_to = relation
                .and_then(|r| r.get("m.in_reply_to"))
                .and_then(|r| r.get("event_id"))
                .and_then(Value::as_str)
                .map(|e| Answered {
                    event_id: e.to_owned(),
                    fallback: content
                        .get("body")
                        .and_then(Value::as_str)
                        .and_then(reply_fallback),
                });
            match content.get("msgtype")?.as_str()? {
                "m.text" | "m.emote" => {
                    let body = content.get("body")?.as_str()?;
                    if body.len() > MAX_BODY {
                        return None;
                    }
                    rich = text_of(content);
                    Message::Text(command_text(strip_reply_fallback(body)))
                }
                "m.location" => Message::Location(location(content)?),
                kind @ ("m.image" | "m.file" | "m.video" | "m.audio") => {
                    Message::Media(media(content, kind == "m.image")?)
                }
                // Notices are what bots send: never answered (no loops between bots).
                _ => return None,
            }
        }
        "m.room.redaction" => {
            // Room versions up to 10 name the event outside the content, 11 inside.
            let of = event
                .get("redacts")
                .or_else(|| content.get("redacts"))?
                .as_str()?
                .to_owned();
            Message::Redaction { of }
        }
        "m.reaction" => {
            let r = relation?;
            if rel_type != Some("m.annotation") {
                return None;
            }
            Message::Reaction {
                to: r.get("event_id")?.as_str()?.to_owned(),
                key: r.get("key")?.as_str()?.to_owned(),
            }
        }
        _ => return None,
    };
    Some(Parsed {
        event_id,
        sender,
        message,
        rich,
        reply_to,
    })
}

/// A text message's words with their formatting: its `formatted_body` when
/// it has one in HTML, else its body (without a reply's quote).
fn text_of(content: &Value) -> Option<Rich> {
    let body = content.get("body")?.as_str()?;
    if body.len() > MAX_BODY {
        return None;
    }
    let html = content
        .get("formatted_body")
        .and_then(Value::as_str)
        .filter(|_| content.get("format").and_then(Value::as_str) == Some("org.matrix.custom.html"))
        .filter(|h| h.len() <= MAX_BODY * 2);
    Some(match html {
        Some(h) => crate::rich::from_html(h),
        None => Rich::plain(strip_reply_fallback(body)),
    })
}

/// An image's or a file's name, size, type and place (`url`, or an
/// encrypted file's `file.url`).
fn media(content: &Value, image: bool) -> Option<Media> {
    let info = content.get("info");
    let source = content
        .get("url")
        .or_else(|| content.get("file")?.get("url"))?
        .as_str()?
        .to_owned();
    let body = content.get("body").and_then(Value::as_str).unwrap_or("");
    let name = content
        .get("filename")
        .and_then(Value::as_str)
        .unwrap_or(body);
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    // A body that is not the file name is its caption.
    let caption = (content.get("filename").is_some() && !body.is_empty() && body != name)
        .then(|| Rich::plain(body));
    Some(Media {
        image,
        name: if name.is_empty() {
            "fichier".into()
        } else {
            name
        },
        size: info.and_then(|i| i.get("size")).and_then(Value::as_u64),
        mime: info
            .and_then(|i| i.get("mimetype"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        source,
        caption,
    })
}

/// Who and what a reply's fallback quotes (`> <@b:x> avant`).
fn reply_fallback(body: &str) -> Option<(String, String)> {
    if !body.starts_with("> <") {
        return None;
    }
    let end = body.find("\n\n").unwrap_or(body.len());
    let quoted: Vec<&str> = body[..end]
        .lines()
        .map(|l| l.trim_start_matches('>').trim_start())
        .collect();
    let first = quoted.first()?;
    let close = first.find('>')?;
    let author = first[1..close].to_owned();
    let mut text = first[close + 1..].trim_start().to_owned();
    for l in &quoted[1..] {
        text.push(' ');
        text.push_str(l);
    }
    Some((author, text))
}

/// The location of an `m.location` message: the MSC3488 form (stable or
/// unstable name) first, then the older `geo_uri`.
fn location(content: &Value) -> Option<GeoPoint> {
    let uri = ["m.location", "org.matrix.msc3488.location"]
        .iter()
        .find_map(|k| content.get(*k)?.get("uri")?.as_str())
        .or_else(|| content.get("geo_uri")?.as_str())?;
    GeoPoint::parse_uri(uri.trim()).ok()
}

/// A reply's body starts with the quoted message (`> ` lines, then a blank
/// line): only what follows was written.
pub(crate) fn strip_reply_fallback(body: &str) -> &str {
    if !body.starts_with("> ") {
        return body;
    }
    match body.find("\n\n") {
        Some(i) if body[..i].lines().all(|l| l.starts_with('>')) => &body[i + 2..],
        _ => body,
    }
}

/// `!cmd args` is the Matrix way of writing `/cmd args`.
fn command_text(body: &str) -> String {
    let t = body.trim_start();
    match t.strip_prefix('!') {
        Some(rest) if rest.starts_with(|c: char| c.is_alphabetic()) => format!("/{rest}"),
        _ => body.to_owned(),
    }
}

/// A bare number answering the numbered choices last shown (`1`, ` 2 `).
pub fn choice_number(text: &str) -> Option<usize> {
    let t = text.trim();
    (t.len() <= 3 && !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()))
        .then(|| t.parse().ok())
        .flatten()
        .filter(|n| *n > 0)
}

/// What a reaction means on a message with choices: a keycap digit picks that
/// choice; 👍, 🤔 and 👎 answer an event's RSVP (yes, maybe, no).
pub fn reaction_choice(key: &str, choices: &[String]) -> Option<String> {
    let key = key.trim_end_matches(['\u{fe0f}', '\u{20e3}']);
    if let Some(n) = choice_number(key) {
        return choices.get(n - 1).cloned();
    }
    let answer = match key {
        "👍" | "✅" => ["oui", "yes"],
        "🤔" | "❓" => ["peutetre", "maybe"],
        "👎" | "❌" => ["non", "no"],
        _ => return None,
    };
    choices
        .iter()
        .find(|c| {
            let mut words = c.split_whitespace();
            let verb = words.next().unwrap_or("");
            matches!(verb, "/participer" | "/rsvp")
                && c.split_whitespace()
                    .last()
                    .is_some_and(|w| answer.contains(&w))
        })
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn msg(content: Value) -> Value {
        json!({"type": "m.room.message", "event_id": "$e", "sender": "@a:x", "content": content})
    }

    #[test]
    fn texts_and_commands() {
        let p = parse(&msg(
            json!({"msgtype": "m.text", "body": "!proposer Jardin"}),
        ))
        .unwrap();
        assert_eq!(p.message, Message::Text("/proposer Jardin".into()));
        assert_eq!((p.event_id.as_str(), p.sender.as_str()), ("$e", "@a:x"));
        let p = parse(&msg(json!({"msgtype": "m.text", "body": "/aide"}))).unwrap();
        assert_eq!(p.message, Message::Text("/aide".into()));
        let p = parse(&msg(json!({"msgtype": "m.text", "body": "!!! ok"}))).unwrap();
        assert_eq!(p.message, Message::Text("!!! ok".into()));
        let p = parse(&msg(
            json!({"msgtype": "m.text", "body": "> <@b:x> avant\n> suite\n\n!fil"}),
        ))
        .unwrap();
        assert_eq!(p.message, Message::Text("/fil".into()));
    }

    #[test]
    fn locations_in_both_forms() {
        let p = parse(&msg(
            json!({"msgtype": "m.location", "body": "ici", "geo_uri": "geo:45.76,4.83;u=35"}),
        ))
        .unwrap();
        assert!(matches!(p.message, Message::Location(g) if (g.lat() - 45.76).abs() < 1e-9));
        let p = parse(&msg(json!({
            "msgtype": "m.location", "body": "ici",
            "org.matrix.msc3488.location": {"uri": "geo:45.7,4.8,170;u=10"}
        })))
        .unwrap();
        assert!(matches!(p.message, Message::Location(g) if (g.lon() - 4.8).abs() < 1e-9));
        assert_eq!(
            parse(&msg(
                json!({"msgtype": "m.location", "body": "x", "geo_uri": "geo:999,0"})
            )),
            None
        );
    }

    #[test]
    fn edits_notices_state_and_unknown_events_mean_nothing() {
        assert_eq!(
            parse(&msg(json!({"msgtype": "m.text", "body": "* x",
                "m.new_content": {"msgtype": "m.text", "body": "x"},
                "m.relates_to": {"rel_type": "m.replace", "event_id": "$o"}})))
            .map(|p| p.message),
            Some(Message::Edit {
                of: "$o".into(),
                said: Said::Text(Rich::plain("x"))
            })
        );
        assert_eq!(
            parse(&msg(json!({"msgtype": "m.notice", "body": "bot"}))),
            None
        );
        assert_eq!(
            parse(
                &json!({"type": "m.room.member", "state_key": "@a:x", "event_id": "$m",
                "sender": "@a:x", "content": {"membership": "join"}})
            ),
            None
        );
        assert_eq!(
            parse(
                &json!({"type": "m.room.redaction", "event_id": "$r", "sender": "@a:x",
                "redacts": "$e", "content": {}})
            )
            .map(|p| p.message),
            Some(Message::Redaction { of: "$e".into() })
        );
        assert_eq!(
            parse(
                &json!({"type": "m.room.redaction", "event_id": "$r", "sender": "@a:x",
                "content": {"redacts": "$e11"}})
            )
            .map(|p| p.message),
            Some(Message::Redaction { of: "$e11".into() })
        );
        assert_eq!(
            parse(&msg(
                json!({"msgtype": "m.text", "body": "a".repeat(MAX_BODY + 1)})
            )),
            None
        );
        assert_eq!(parse(&json!({"type": "m.room.message"})), None);
    }

    #[test]
    fn replies_images_and_formatting_for_relaying() {
        let p = parse(&msg(json!({"msgtype": "m.text",
            "body": "> <@b:x> On se voit ?\n> samedi\n\nOui « 👍 »",
            "format": "org.matrix.custom.html",
            "formatted_body": "<mx-reply><blockquote>On se voit ?</blockquote></mx-reply><b>Oui</b> « 👍 »",
            "m.relates_to": {"m.in_reply_to": {"event_id": "$q"}}})))
        .unwrap();
        assert_eq!(p.message, Message::Text("Oui « 👍 »".into()));
        let rich = p.rich.unwrap();
        assert_eq!(rich.text(), "Oui « 👍 »");
        assert!(rich.0[0].style.bold);
        assert_eq!(
            p.reply_to,
            Some(Answered {
                event_id: "$q".into(),
                fallback: Some(("@b:x".into(), "On se voit ? samedi".into()))
            })
        );
        let p = parse(&msg(json!({"msgtype": "m.image", "body": "compost.jpg",
            "url": "mxc://x/abc", "info": {"size": 20480, "mimetype": "image/jpeg"}})))
        .unwrap();
        let Message::Media(m) = p.message else {
            panic!("an image")
        };
        assert!(m.image);
        assert_eq!(
            (m.name.as_str(), m.size, m.source.as_str()),
            ("compost.jpg", Some(20480), "mxc://x/abc")
        );
    }

    #[test]
    fn reactions_pick_choices_and_answer_rsvps() {
        let p = parse(&json!({"type": "m.reaction", "event_id": "$r", "sender": "@a:x",
            "content": {"m.relates_to": {"rel_type": "m.annotation", "event_id": "$m", "key": "👍"}}}))
        .unwrap();
        assert_eq!(
            p.message,
            Message::Reaction {
                to: "$m".into(),
                key: "👍".into()
            }
        );
        let choices = vec![
            "/voir 4".to_owned(),
            "/participer E7 oui".to_owned(),
            "/participer E7 peutetre".to_owned(),
            "/participer E7 non".to_owned(),
        ];
        assert_eq!(
            reaction_choice("👍", &choices).as_deref(),
            Some("/participer E7 oui")
        );
        assert_eq!(
            reaction_choice("👎", &choices).as_deref(),
            Some("/participer E7 non")
        );
        assert_eq!(
            reaction_choice("1\u{fe0f}\u{20e3}", &choices).as_deref(),
            Some("/voir 4")
        );
        assert_eq!(reaction_choice("🎉", &choices), None);
        assert_eq!(reaction_choice("👍", &choices[..1]), None);
        assert_eq!(choice_number(" 2 "), Some(2));
        assert_eq!(choice_number("0"), None);
        assert_eq!(choice_number("2a"), None);
    }
}
