//! What a timeline event means for Kohero, read from its JSON (decrypted when it
//! was encrypted). Anything else (edits, redactions, notices from other bots,
//! state events, unknown types) means nothing and is left alone.

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
}

/// The parts of an event Kohero needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub event_id: String,
    pub sender: String,
    pub message: Message,
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
    let message = match event.get("type")?.as_str()? {
        "m.room.message" => {
            // Edits change nothing: the first version was the one answered.
            if rel_type == Some("m.replace") || content.get("m.new_content").is_some() {
                return None;
            }
            match content.get("msgtype")?.as_str()? {
                "m.text" => {
                    let body = content.get("body")?.as_str()?;
                    if body.len() > MAX_BODY {
                        return None;
                    }
                    Message::Text(command_text(strip_reply_fallback(body)))
                }
                "m.location" => Message::Location(location(content)?),
                // Notices are what bots send: never answered (no loops between bots).
                _ => return None,
            }
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
    })
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
fn strip_reply_fallback(body: &str) -> &str {
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
                "m.relates_to": {"rel_type": "m.replace", "event_id": "$o"}}))),
            None
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
            ),
            None
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
