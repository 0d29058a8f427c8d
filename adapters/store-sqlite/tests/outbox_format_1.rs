//! A database written by the build before the typed outbox (migrations 1 to
//! 11, outbox rows of format 1: replies whose blocks mixed messages and room
//! changes, addressed to `space:INSEE` and `announce:INSEE` pseudo-chats),
//! committed as `fixtures/outbox-format-1.sqlite`, opens with every pending
//! message readable in format 2, the same messages in the same places.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kohero_core::domain::*;
use kohero_core::ports::Store;
use kohero_core::reply::Block;
use kohero_sql::Cell;
use kohero_sql::outbox_form;
use kohero_store_sqlite::SqliteStore;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/outbox-format-1.sqlite"
);

async fn open_copy() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kohero.db");
    std::fs::copy(FIXTURE, &path).unwrap();
    (dir, path.to_string_lossy().into_owned())
}

async fn pending(store: &SqliteStore, network: &str, chat: &str) -> Vec<Outgoing> {
    let mut tx = store.read().await.unwrap();
    tx.pending_to(&Address::new(network, chat)).await.unwrap()
}

fn ops(o: &Outgoing) -> &[RoomOp] {
    match &o.payload {
        Payload::Room(ops) => ops,
        other => panic!("not room changes: {other:?}"),
    }
}

#[tokio::test]
async fn format_1_rows_are_converted_when_the_store_opens() {
    let (_dir, path) = open_copy().await;
    let store = SqliteStore::open(&path).await.unwrap();

    // A person's chat: the message and its blocks as they were.
    let dm = pending(&store, "telegram", "1001").await;
    assert_eq!(dm.len(), 1);
    assert_eq!(dm[0].to, Destination::Chat("1001".into()));
    let blocks = &dm[0].reply().unwrap().blocks;
    assert!(matches!(&blocks[1], Block::RoomInvite { room, .. } if room == "-100200"));
    assert!(matches!(&blocks[2], Block::AddToGroup { payload, .. } if payload == "link-7"));
    assert_eq!(blocks.len(), 6);
    assert!(dm[0].recipient.is_some());

    // Room changes become operations, in the same chats.
    let admit = pending(&store, "telegram", "-100200").await;
    assert_eq!(
        ops(&admit[0]),
        [RoomOp::Admit {
            user: "1001".into(),
            approve: true
        }]
    );
    let topic = pending(&store, "telegram", "-100300/55").await;
    assert_eq!(
        ops(&topic[0]),
        [RoomOp::Remove {
            user: "1001".into()
        }]
    );
    let forum = pending(&store, "telegram", "-100300").await;
    assert_eq!(
        ops(&forum[0]),
        [RoomOp::CreateTopic {
            initiative: InitiativeId(9),
            name: "#9 Jardin".into()
        }]
    );

    // A rename with its line: two messages, the line keeping the row's id and
    // key (Matrix deduplicates by it), the rename after it.
    let room = pending(&store, "matrix", "!room:example.org").await;
    assert_eq!(room.len(), 3, "{room:?}");
    assert_eq!(room[0].plain(), "#7 Composteur (terminé)");
    assert_eq!((room[0].id, room[0].key.as_str()), (6, "fixture/5"));
    assert!(matches!(ops(&room[1]), [RoomOp::Promote { user }] if user == "@ann:example.org"));
    assert!(
        matches!(ops(&room[2]), [RoomOp::Rename { name, .. }] if name == "#7 Composteur (terminé)")
    );
    assert_eq!(room[2].key, "fixture/5/1");

    // Commune rooms: typed destinations, filed where they were.
    let space = pending(&store, "matrix", "space:69266").await;
    assert_eq!(
        space[0].to,
        Destination::CommuneSpace(InseeCode::parse("69266"))
    );
    assert!(
        matches!(ops(&space[0]), [RoomOp::CreateRoom { initiative: InitiativeId(7), space_name: Some(s), .. }]
        if s == "Kohero · Villeurbanne")
    );
    let nowhere = pending(&store, "matrix", "space:").await;
    assert_eq!(nowhere[0].to, Destination::CommuneSpace(None));
    let announce = pending(&store, "matrix", "announce:69266").await;
    assert_eq!(announce.len(), 2);
    for a in &announce {
        assert!(matches!(&a.to, Destination::Announcements { commune, room }
            if commune.as_str() == "69266" && room.name == "Annonces · Villeurbanne"
                && room.space_name == "Kohero · Villeurbanne"));
    }
    assert_eq!(announce[0].plain(), "La lettre de mairie\nBonjour à tous");
    assert_eq!(announce[0].priority, Priority::Bulk);
    assert!(matches!(
        ops(&announce[1]),
        [RoomOp::Admit { approve: true, .. }]
    ));

    // A row that cannot be read is failed with the reason, not left to break
    // every claim.
    assert!(pending(&store, "telegram", "1002").await.is_empty());
    let outbox = store
        .dump()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "outbox")
        .unwrap();
    let col = |n: &str| outbox.columns.iter().position(|c| c == n).unwrap();
    let (key, status, error, format, body) = (
        col("idem_key"),
        col("status"),
        col("last_error"),
        col("format"),
        col("body"),
    );
    let broken = outbox
        .rows
        .iter()
        .find(|r| r[key] == Cell::Text("fixture/broken".into()))
        .unwrap();
    assert_eq!(broken[status], Cell::Text("failed".into()));
    assert!(matches!(&broken[error], Cell::Text(e) if e.contains("not converted")));
    // Every row is in format 2, history too (its list items have their tags).
    assert!(outbox.rows.iter().all(|r| r[format] == Cell::Int(2)));
    let sent = outbox
        .rows
        .iter()
        .find(|r| r[key] == Cell::Text("fixture/0".into()))
        .unwrap();
    let Cell::Text(b) = &sent[body] else { panic!() };
    let (_, payload, _) = outbox_form::decode(2, b).unwrap();
    let Payload::Message(r) = payload else {
        panic!()
    };
    let Block::List { items } = &r.blocks[1] else {
        panic!("{r:?}")
    };
    assert_eq!(items[0].tag.as_deref(), Some("#7"));
    assert_eq!(items[1].tag, None);
    // Rooms and topics made by the earlier build are where this build's
    // adapters look before making one: the pending room creation for #7 and
    // topic creation for #9 find them instead of making second ones.
    let mut tx = store.read().await.unwrap();
    assert_eq!(
        tx.network_state("matrix", "project:7")
            .await
            .unwrap()
            .as_deref(),
        Some("!old:example.org")
    );
    assert_eq!(
        tx.network_state("telegram", "topic:-100300:9")
            .await
            .unwrap()
            .as_deref(),
        Some("-100300/77")
    );
    assert_eq!(
        tx.network_state("telegram", "topic:-100555:9")
            .await
            .unwrap(),
        None
    );
    drop(tx);
    drop(store);

    // Opened again: nothing left to convert, nothing written twice.
    let store = SqliteStore::open(&path).await.unwrap();
    assert_eq!(
        pending(&store, "matrix", "!room:example.org").await.len(),
        3
    );
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.outbox_stats("matrix").await.unwrap().pending, 7);
}

/// Rows this build cannot read — one written by an older process still
/// running beside it (format 1, after the conversion), one garbled — are
/// failed when claimed, with the reason; the network's other messages go.
#[tokio::test]
async fn unreadable_rows_do_not_hold_up_a_network() {
    use chrono::Utc;
    let (_dir, path) = open_copy().await;
    let store = SqliteStore::open(&path).await.unwrap();
    {
        let db = rusqlite::Connection::open(&path).unwrap();
        db.execute_batch(
            r#"INSERT INTO outbox (network, chat, body, priority, idem_key, next_attempt_at, created_at)
               VALUES ('telegram', '1003', '{"blocks":[{"type":"text","text":"old"}]}', 0, 'late/old', 0, 0);
               INSERT INTO outbox (network, chat, body, priority, idem_key, next_attempt_at, created_at, format)
               VALUES ('telegram', '1004', 'garbled', 0, 'late/garbled', 0, 0, 2);"#,
        )
        .unwrap();
    }
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    let claimed = tx
        .claim("telegram", now, now + chrono::Duration::seconds(60), 100)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let chats: Vec<String> = claimed
        .iter()
        .map(|o| o.to.chat_key().into_owned())
        .collect();
    assert_eq!(chats, ["1001", "-100200", "-100300/55", "-100300"]);
    let outbox = store
        .dump()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "outbox")
        .unwrap();
    let col = |n: &str| outbox.columns.iter().position(|c| c == n).unwrap();
    for key in ["late/old", "late/garbled"] {
        let row = outbox
            .rows
            .iter()
            .find(|r| r[col("idem_key")] == Cell::Text(key.into()))
            .unwrap();
        assert_eq!(row[col("status")], Cell::Text("failed".into()), "{key}");
        assert!(
            matches!(&row[col("last_error")], Cell::Text(e) if e.starts_with("unreadable")),
            "{key}: {:?}",
            row[col("last_error")]
        );
    }
}
