//! How the outbox keeps a message: a format number (a column of its own) and
//! a JSON body holding the [`Destination`], the [`Payload`] and, for a message
//! whose posts must be found again, what it shows (`about`, absent otherwise:
//! bodies without it read as before, and a build that does not know it reads
//! the rest). A body is only
//! read in the format it was written in; rows of an earlier format are
//! converted once, when a store opens ([`upgrade_v1`]), so renaming a variant
//! never turns pending messages into unreadable rows unnoticed.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use kohero_core::domain::{
    Destination, InitiativeId, InseeCode, Payload, RoomOp, RoomSetup, Target,
};
use kohero_core::reply::Reply;

/// The format this build writes.
pub const FORMAT: i64 = 2;

#[derive(Serialize, Deserialize)]
struct Body {
    to: Destination,
    payload: Payload,
    #[serde(default)]
    about: Option<Target>,
}

#[derive(Serialize)]
struct BodyRef<'a> {
    to: &'a Destination,
    payload: &'a Payload,
    #[serde(skip_serializing_if = "Option::is_none")]
    about: Option<Target>,
}

/// The body of a message in [`FORMAT`].
pub fn encode(
    to: &Destination,
    payload: &Payload,
    about: Option<Target>,
) -> Result<String, serde_json::Error> {
    serde_json::to_string(&BodyRef { to, payload, about })
}

/// A message's body as read: where it goes, what it carries, what it shows.
pub type Decoded = (Destination, Payload, Option<Target>);

/// Reads a body written in `format`.
pub fn decode(format: i64, body: &str) -> Result<Decoded, String> {
    if format != FORMAT {
        return Err(format!(
            "outbox body in format {format}, this build reads {FORMAT}"
        ));
    }
    let b: Body = serde_json::from_str(body).map_err(|e| format!("outbox body: {e}"))?;
    Ok((b.to, b.payload, b.about))
}

/// A row of format 1 (a `Reply` of blocks, room changes among them, addressed
/// to a chat or to `space:INSEE` / `announce:INSEE`) as rows of [`FORMAT`]:
/// their chat keys and bodies. Room changes and a message in one row (a
/// rename and its line) become two rows: the message first, which keeps the
/// row's id and key (a network that deduplicates by key still recognises it),
/// then the changes.
pub fn upgrade_v1(chat: &str, body: &str) -> Result<Vec<(String, String)>, String> {
    let old: Value = serde_json::from_str(body).map_err(|e| format!("not JSON: {e}"))?;
    let blocks = old
        .get("blocks")
        .and_then(Value::as_array)
        .ok_or("no blocks")?;
    let mut to = if let Some(c) = chat.strip_prefix("space:") {
        Destination::CommuneSpace(InseeCode::parse(c))
    } else {
        Destination::Chat(chat.to_owned())
    };
    let mut ops = Vec::new();
    let mut message = Vec::new();
    for b in blocks {
        let s = |k: &str| -> Result<String, String> {
            b.get(k)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("a block without {k}"))
        };
        let initiative = || -> Result<InitiativeId, String> {
            b.get("initiative")
                .and_then(Value::as_i64)
                .map(InitiativeId)
                .ok_or_else(|| "a block without its initiative".to_owned())
        };
        match b.get("type").and_then(Value::as_str).unwrap_or_default() {
            "admit" => ops.push(RoomOp::Admit {
                user: s("user")?,
                approve: b.get("approve").and_then(Value::as_bool).unwrap_or(false),
            }),
            "remove_member" => ops.push(RoomOp::Remove { user: s("user")? }),
            "promote" => ops.push(RoomOp::Promote { user: s("user")? }),
            "room_state" => ops.push(RoomOp::Rename {
                name: s("name")?,
                topic: s("topic")?,
            }),
            "create_topic" => ops.push(RoomOp::CreateTopic {
                initiative: initiative()?,
                name: s("name")?,
            }),
            // Its people are invited when the room is reported made.
            "create_room" => ops.push(RoomOp::CreateRoom {
                initiative: initiative()?,
                name: s("name")?,
                topic: s("topic")?,
                space_name: s("space_name").ok(),
                organisers: Vec::new(),
                members: Vec::new(),
            }),
            "announcement_room" => {
                let commune = InseeCode::parse(&s("commune")?).ok_or("a bad commune code")?;
                to = Destination::Announcements {
                    commune,
                    room: RoomSetup {
                        name: s("name")?,
                        topic: s("topic")?,
                        space_name: s("space_name")?,
                    },
                };
            }
            "list" => {
                let mut b = b.clone();
                if let Some(items) = b.get_mut("items").and_then(Value::as_array_mut) {
                    for item in items {
                        let tag = item.get("title").and_then(Value::as_str).and_then(v1_tag);
                        if let (Some(tag), Some(o)) = (tag, item.as_object_mut()) {
                            o.insert("tag".into(), json!(tag));
                        }
                    }
                }
                message.push(b);
            }
            _ => message.push(b.clone()),
        }
    }
    if chat.starts_with("announce:") && !matches!(to, Destination::Announcements { .. }) {
        return Err("a message to an announcement room without its description".into());
    }
    let chat_key = to.chat_key().into_owned();
    let mut rows = Vec::new();
    if !message.is_empty() || ops.is_empty() {
        let reply: Reply = serde_json::from_value(json!({ "blocks": message }))
            .map_err(|e| format!("a message block: {e}"))?;
        let body = encode(&to, &Payload::Message(reply), None).map_err(|e| e.to_string())?;
        rows.push((chat_key.clone(), body));
    }
    if !ops.is_empty() {
        let body = encode(&to, &Payload::Room(ops), None).map_err(|e| e.to_string())?;
        rows.push((chat_key, body));
    }
    Ok(rows)
}

/// The `#42` or `E7` format 1 read at the start of an item's title.
fn v1_tag(title: &str) -> Option<String> {
    let first = title.split_whitespace().next()?;
    let digits = first.trim_start_matches(['#', 'E']);
    (first.len() > digits.len() && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| first.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kohero_core::reply::{Block, ListItem};

    fn one(chat: &str, body: Value) -> Vec<(String, Destination, Payload)> {
        upgrade_v1(chat, &body.to_string())
            .unwrap()
            .into_iter()
            .map(|(k, b)| {
                let (to, p, _) = decode(FORMAT, &b).unwrap();
                (k, to, p)
            })
            .collect()
    }

    #[test]
    fn messages_keep_their_blocks_and_items_get_their_tags() {
        let rows = one(
            "42",
            json!({"blocks": [
                {"type": "heading", "text": "À côté"},
                {"type": "list", "items": [
                    {"title": "#7 Composteur « Les Pentes »", "details": ["💡"], "actions": [
                        {"label": "Soutenir", "command": "/soutenir 7"}]},
                    {"title": "Réunion", "details": [], "actions": []}]},
                {"type": "room_invite", "room": "-100", "label": "Rejoindre"}
            ]}),
        );
        assert_eq!(rows.len(), 1);
        let (key, to, Payload::Message(r)) = &rows[0] else {
            panic!("{rows:?}")
        };
        assert_eq!((key.as_str(), to), ("42", &Destination::Chat("42".into())));
        let Block::List { items } = &r.blocks[1] else {
            panic!()
        };
        assert_eq!(items[0].tag.as_deref(), Some("#7"));
        assert_eq!(
            items[1],
            ListItem {
                tag: None,
                title: "Réunion".into(),
                details: vec![],
                actions: vec![]
            }
        );
        assert!(matches!(r.blocks[2], Block::RoomInvite { .. }));
    }

    #[test]
    fn room_changes_become_operations_and_a_mixed_row_two() {
        let rows = one(
            "!room:x",
            json!({"blocks": [
                {"type": "room_state", "name": "✅ Compost", "topic": "fini"},
                {"type": "text", "text": "Projet terminé"}
            ]}),
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].2, Payload::Message(Reply::text("Projet terminé")));
        assert_eq!(
            rows[1].2,
            Payload::Room(vec![RoomOp::Rename {
                name: "✅ Compost".into(),
                topic: "fini".into()
            }])
        );
        let rows = one(
            "-100/5",
            json!({"blocks": [{"type": "admit", "user": "7", "approve": true}]}),
        );
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].2,
            Payload::Room(vec![RoomOp::Admit {
                user: "7".into(),
                approve: true
            }])
        );
    }

    #[test]
    fn commune_rooms_lose_their_prefixes() {
        let rows = one(
            "space:69123",
            json!({"blocks": [{"type": "create_room", "initiative": 4, "name": "#4 Jardin",
                "topic": "t", "commune": "69123", "space_name": "Lyon"}]}),
        );
        assert_eq!(rows[0].0, "space:69123");
        assert_eq!(
            rows[0].1,
            Destination::CommuneSpace(InseeCode::parse("69123"))
        );
        assert!(matches!(
            &rows[0].2,
            Payload::Room(ops) if matches!(&ops[0], RoomOp::CreateRoom { initiative: InitiativeId(4), .. })
        ));
        let rows = one(
            "announce:69123",
            json!({"blocks": [
                {"type": "announcement_room", "commune": "69123", "name": "Annonces",
                 "topic": "t", "space_name": "Lyon"},
                {"type": "text", "text": "Digest"}]}),
        );
        assert_eq!(rows.len(), 1);
        assert!(
            matches!(&rows[0].1, Destination::Announcements { commune, room }
            if commune.as_str() == "69123" && room.space_name == "Lyon")
        );
        assert_eq!(rows[0].2, Payload::Message(Reply::text("Digest")));
    }

    #[test]
    fn what_cannot_be_read_is_refused() {
        assert!(upgrade_v1("1", "not json").is_err());
        assert!(upgrade_v1("1", "{}").is_err());
        assert!(upgrade_v1("1", r#"{"blocks":[{"type":"admit"}]}"#).is_err());
        assert!(
            upgrade_v1(
                "announce:69123",
                r#"{"blocks":[{"type":"text","text":"x"}]}"#
            )
            .is_err()
        );
        assert!(decode(1, "{}").is_err());
        assert!(
            decode(
                FORMAT,
                r#"{"to":{"nowhere":1},"payload":{"message":{"blocks":[]}}}"#
            )
            .is_err()
        );
    }
}
