//! The conformance suite of one port (see `ports::outbox`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(unused_imports)]
use chrono::{DateTime, Duration, TimeZone, Utc};

#[allow(unused_imports)]
use super::{actor, initiative, out, p, t0};
#[allow(unused_imports)]
use crate::domain::*;
#[allow(unused_imports)]
use crate::ports::{Store, StoreError};
#[allow(unused_imports)]
use crate::reply::Reply;

pub async fn outbox(store: &dyn Store) {
    let a = actor(store, "a").await;
    let chat = Address::new("telegram", "100");
    let other = Address::new("telegram", "200");
    let matrix = Address::new("matrix", "@a:x");
    let mut tx = store.begin().await.unwrap();
    let r1 = tx
        .enqueue(&out(
            &chat,
            Some(a.id),
            "un <b>",
            "k1",
            Priority::Interactive,
            t0(),
        ))
        .await
        .unwrap();
    let r2 = tx
        .enqueue(&out(&chat, None, "deux", "k2", Priority::Bulk, t0()))
        .await
        .unwrap();
    let r3 = tx
        .enqueue(&out(
            &other,
            None,
            "trois",
            "k3",
            Priority::Interactive,
            t0() + Duration::seconds(1),
        ))
        .await
        .unwrap();
    tx.enqueue(&out(&matrix, None, "m", "k4", Priority::Interactive, t0()))
        .await
        .unwrap();
    assert!(matches!(
        tx.enqueue(&out(
            &chat,
            None,
            "again",
            "k1",
            Priority::Interactive,
            t0()
        ))
        .await,
        Err(StoreError::Duplicate(_))
    ));
    let pending = tx.pending_to(&chat).await.unwrap();
    assert_eq!(
        pending.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![r1, r2]
    );
    assert_eq!(pending[0].reply(), Some(&Reply::text("un <b>")));
    assert_eq!(pending[0].key, "k1");
    assert_eq!(pending[0].recipient, Some(a.id));
    assert_eq!(tx.pending_for(a.id).await.unwrap().len(), 1);
    let stats = tx.outbox_stats("telegram").await.unwrap();
    assert_eq!(stats.pending, 3);
    assert_eq!(stats.oldest, Some(t0()));
    tx.commit().await.unwrap();

    // Destinations and payloads come back as they went in: a room's changes,
    // a commune's Space, its announcement room (filed under keys of their own).
    let commune = InseeCode::parse("69123").unwrap();
    let typed = [
        NewOutgoing::room(
            "matrix",
            Destination::CommuneSpace(Some(commune.clone())),
            vec![RoomOp::CreateRoom {
                initiative: InitiativeId(4),
                name: "#4 Jardin « partagé » 🌱".into(),
                topic: "l'été".into(),
                space_name: Some("Lyon".into()),
                organisers: vec!["@o:x".into()],
                members: vec![],
            }],
            "typed/1".into(),
            t0(),
        ),
        NewOutgoing::room(
            "matrix",
            Destination::Announcements {
                commune: commune.clone(),
                room: RoomSetup {
                    name: "Annonces".into(),
                    topic: "t".into(),
                    space_name: "Lyon".into(),
                },
            },
            vec![RoomOp::Admit {
                user: "@a:x".into(),
                approve: true,
            }],
            "typed/2".into(),
            t0(),
        )
        .for_person(Some(a.id)),
        NewOutgoing::room(
            "matrix",
            Destination::Chat("!r:x".into()),
            vec![
                RoomOp::Rename {
                    name: "n".into(),
                    topic: "t".into(),
                },
                RoomOp::Remove {
                    user: "@b:x".into(),
                },
                RoomOp::Promote {
                    user: "@c:x".into(),
                },
                RoomOp::Delete {
                    message: "$ev:x".into(),
                    reason: "masqué « modération »".into(),
                },
            ],
            "typed/3".into(),
            t0(),
        ),
        // A message that shows an update keeps what it shows.
        NewOutgoing::message(
            &Address::new("telegram", "-100/7"),
            Reply::text("U3 « et ça ? »"),
            "typed/4".into(),
            t0(),
        )
        .about(Target::Update(UpdateId(3))),
    ];
    let mut tx = store.begin().await.unwrap();
    for m in &typed {
        tx.enqueue(m).await.unwrap();
        let got = tx.pending_to(&m.address()).await.unwrap();
        assert_eq!(got.len(), 1, "{:?}", m.to);
        assert_eq!((&got[0].network, &got[0].to), (&m.network, &m.to));
        assert_eq!(got[0].payload, m.payload);
        assert_eq!(got[0].recipient, m.recipient);
        assert_eq!(got[0].about, m.about);
    }
    assert_eq!(typed[0].address(), Address::new("matrix", "space:69123"));
    // Out of the way of what follows.
    for m in &typed {
        let id = tx.pending_to(&m.address()).await.unwrap()[0].id;
        tx.mark_sent(&[id], t0()).await.unwrap();
    }
    tx.commit().await.unwrap();

    // Claims: interactive first, then oldest; a claimed row is not claimed again
    // before its lease ends.
    let now = t0() + Duration::seconds(5);
    let lease = now + Duration::seconds(30);
    let mut tx = store.begin().await.unwrap();
    let got = tx.claim("telegram", now, lease, 2).await.unwrap();
    assert_eq!(got.iter().map(|o| o.id).collect::<Vec<_>>(), vec![r1, r3]);
    let got = tx.claim("telegram", now, lease, 10).await.unwrap();
    assert_eq!(got.iter().map(|o| o.id).collect::<Vec<_>>(), vec![r2]);
    assert!(
        tx.claim("telegram", now, lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // After the lease, unsent rows come back (a worker died).
    let later = lease + Duration::seconds(1);
    assert_eq!(
        tx.claim("telegram", later, later + Duration::seconds(30), 10)
            .await
            .unwrap()
            .len(),
        3
    );
    tx.unclaim(r2).await.unwrap();
    assert_eq!(
        tx.claim("telegram", later, later, 10).await.unwrap().len(),
        1
    );

    tx.mark_sent(&[r1], later).await.unwrap();
    tx.mark_retry(r3, later + Duration::seconds(60), "HTTP 502")
        .await
        .unwrap();
    let after = later + Duration::seconds(31);
    // r3 is not due yet; r2's claim has run out.
    let got = tx.claim("telegram", after, after, 10).await.unwrap();
    assert_eq!(got.iter().map(|o| o.id).collect::<Vec<_>>(), vec![r2]);
    let due = later + Duration::seconds(61);
    let got = tx.claim("telegram", due, due, 10).await.unwrap();
    let r3row = got.iter().find(|o| o.id == r3).unwrap();
    assert_eq!(r3row.attempts, 1);
    tx.mark_failed(r2, "HTTP 400", due).await.unwrap();
    assert_eq!(tx.outbox_stats("telegram").await.unwrap().pending, 1);
    assert!(matches!(
        tx.mark_sent(&[999_999], t0()).await,
        Err(StoreError::NotFound(_))
    ));
    // One of several missing: none is marked, and the transaction goes on.
    assert!(matches!(
        tx.mark_sent(&[r3, 999_999], due).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(tx.outbox_stats("telegram").await.unwrap().pending, 1);
    tx.mark_sent(&[], due).await.unwrap();
    tx.commit().await.unwrap();

    // Unreachable: pending rows fail, the address is remembered until it writes again.
    let mut tx = store.begin().await.unwrap();
    assert!(!tx.is_unreachable(&other).await.unwrap());
    assert_eq!(tx.set_unreachable(&other, "blocked", due).await.unwrap(), 1);
    assert!(tx.is_unreachable(&other).await.unwrap());
    assert!(!tx.is_unreachable(&chat).await.unwrap());
    assert_eq!(tx.outbox_stats("telegram").await.unwrap().pending, 0);
    tx.clear_unreachable(&other).await.unwrap();
    assert!(!tx.is_unreachable(&other).await.unwrap());

    // Pruning removes done rows and seen events older than the cut, never pending rows.
    assert_eq!(tx.outbox_stats("matrix").await.unwrap().pending, 1);
    let pruned = tx.prune(due + Duration::days(8)).await.unwrap();
    // Those sent and failed here, and the four typed messages sent above.
    assert_eq!(pruned, 7);
    assert_eq!(tx.outbox_stats("matrix").await.unwrap().pending, 1);
}

/// A claim takes at most `CLAIM_PER_CHAT` messages of one chat, the oldest
/// of each (interactive first), so that one chat's backlog leaves room for the
/// others; the rest come with the next claims, in order.
pub async fn a_claim_takes_a_few_of_each_chat(store: &dyn Store) {
    use crate::ports::CLAIM_PER_CHAT;
    let flood = Address::new("telegram", "7");
    let other = Address::new("telegram", "8");
    let mut tx = store.begin().await.unwrap();
    let mut flooded = Vec::new();
    for n in 0..5 {
        let at = t0() + Duration::milliseconds(n);
        let key = format!("f{n}");
        flooded.push(
            tx.enqueue(&out(&flood, None, "aide", &key, Priority::Interactive, at))
                .await
                .unwrap(),
        );
    }
    let late = tx
        .enqueue(&out(
            &other,
            None,
            "aide",
            "o",
            Priority::Interactive,
            t0() + Duration::seconds(1),
        ))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let now = t0() + Duration::seconds(5);
    let mut tx = store.begin().await.unwrap();
    let got: Vec<i64> = tx
        .claim("telegram", now, now + Duration::seconds(30), 16)
        .await
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    let mut want = flooded[..CLAIM_PER_CHAT].to_vec();
    want.push(late);
    assert_eq!(got, want);
    // Those sent, the next ones of the flood, in order.
    for id in &got {
        tx.mark_sent(&[*id], now).await.unwrap();
    }
    let got: Vec<i64> = tx
        .claim("telegram", now, now + Duration::seconds(30), 16)
        .await
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(got, flooded[CLAIM_PER_CHAT..2 * CLAIM_PER_CHAT].to_vec());
}
