//! The conformance suite of one port (see `ports::rooms`).
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

pub async fn rooms(store: &dyn Store) {
    let a = actor(store, "a").await;
    let i = initiative(store, a.id, "I", None).await;
    let j = initiative(store, a.id, "J", None).await;
    let g = Address::new("telegram", "-100");
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.room_initiative(&g).await.unwrap(), None);
    tx.link_room(&g, i.id, t0()).await.unwrap();
    tx.link_room(&Address::new("matrix", "!r:x"), i.id, t0())
        .await
        .unwrap();
    assert_eq!(tx.room_initiative(&g).await.unwrap(), Some(i.id));
    assert_eq!(tx.rooms_of(i.id).await.unwrap().len(), 2);
    // Relinking moves the chat to another initiative.
    tx.link_room(&g, j.id, t0()).await.unwrap();
    assert_eq!(
        tx.rooms_of(i.id).await.unwrap(),
        vec![Address::new("matrix", "!r:x")]
    );
    // Topics of a forum are chats inside it.
    let forum = Address::new("telegram", "-100");
    tx.link_room(&Address::new("telegram", "-100/7"), i.id, t0())
        .await
        .unwrap();
    tx.link_room(&Address::new("telegram", "-100/9"), j.id, t0())
        .await
        .unwrap();
    tx.link_room(&Address::new("telegram", "-1001/3"), i.id, t0())
        .await
        .unwrap();
    assert_eq!(
        tx.initiatives_within(&forum).await.unwrap(),
        vec![i.id, j.id]
    );
    assert!(
        tx.initiatives_within(&Address::new("matrix", "-100"))
            .await
            .unwrap()
            .is_empty()
    );
    // A group that became a supergroup keeps its link.
    let sg = Address::new("telegram", "-1009");
    tx.move_room(&g, &sg).await.unwrap();
    assert_eq!(tx.room_initiative(&g).await.unwrap(), None);
    assert_eq!(tx.room_initiative(&sg).await.unwrap(), Some(j.id));
    assert!(matches!(
        tx.link_room(&g, InitiativeId(987_654), t0()).await,
        Err(StoreError::NotFound(_))
    ));
    let villeurbanne = InseeCode::parse("69266").unwrap();
    let forum = Address::new("telegram", "-1007");
    assert!(tx.forums_of(&villeurbanne).await.unwrap().is_empty());
    assert_eq!(tx.forum_commune(&forum).await.unwrap(), None);
    tx.link_forum(&forum, &villeurbanne, a.id, t0())
        .await
        .unwrap();
    assert_eq!(
        tx.forums_of(&villeurbanne).await.unwrap(),
        vec![forum.clone()]
    );
    assert_eq!(
        tx.forum_commune(&forum).await.unwrap(),
        Some(villeurbanne.clone())
    );
    tx.link_forum(&forum, &InseeCode::parse("69123").unwrap(), a.id, t0())
        .await
        .unwrap();
    assert!(tx.forums_of(&villeurbanne).await.unwrap().is_empty());
    tx.commit().await.unwrap();
}

pub async fn posts_kept_to_be_taken_back(store: &dyn Store) {
    let u = Target::Update(UpdateId(5));
    let e = Target::Event(EventId(5));
    let group = Address::new("telegram", "-100/7");
    let room = Address::new("matrix", "!r:x");
    let mut tx = store.begin().await.unwrap();
    assert!(tx.posts_of(u).await.unwrap().is_empty());
    tx.record_post(u, &room, "$b:x", t0() + Duration::seconds(1))
        .await
        .unwrap();
    tx.record_post(u, &group, "42", t0()).await.unwrap();
    // Kept once: a report told twice (a retried send) changes nothing.
    tx.record_post(u, &group, "42", t0() + Duration::hours(1))
        .await
        .unwrap();
    // The same id in another chat is another message.
    tx.record_post(e, &Address::new("telegram", "-200"), "42", t0())
        .await
        .unwrap();
    let posts = tx.posts_of(u).await.unwrap();
    assert_eq!(
        posts,
        vec![
            Post {
                about: u,
                room: group.clone(),
                message: "42".into(),
                at: t0(),
            },
            Post {
                about: u,
                room: room.clone(),
                message: "$b:x".into(),
                at: t0() + Duration::seconds(1),
            },
        ]
    );
    assert_eq!(tx.forget_posts(u).await.unwrap(), 2);
    assert!(tx.posts_of(u).await.unwrap().is_empty());
    assert_eq!(tx.posts_of(e).await.unwrap().len(), 1);
    // Pruned by age.
    assert_eq!(tx.prune_posts(t0()).await.unwrap(), 0);
    assert_eq!(
        tx.prune_posts(t0() + Duration::seconds(1)).await.unwrap(),
        1
    );
    assert!(tx.posts_of(e).await.unwrap().is_empty());
    tx.commit().await.unwrap();
}

/// Relays: a pending relay rewritten or withdrawn only while no worker holds
/// or tried it, pending relays found again, the copies of relayed messages
/// kept (the newer replacing the older) and found from either side, pruned
/// by age, and relaying turned off and on per project.
pub async fn relays_and_their_copies(store: &dyn Store) {
    let a = actor(store, "a").await;
    let i = initiative(store, a.id, "I", None).await;
    let group = Address::new("telegram", "-100");
    let room = Address::new("matrix", "!r:x");
    let line = |m: &str, text: &str| Relayed {
        source: MessageRef::new(&room, m),
        author: "Bob".into(),
        sender: "@b:x".into(),
        person: Some(a.id),
        said: Said::Text(Rich::plain(text)),
        quote: None,
        edited: false,
    };
    let relay = |lines: Vec<Relayed>| NewOutgoing {
        network: group.network.clone(),
        to: Destination::chat(&group),
        recipient: None,
        payload: Payload::Relay(Relay { lines, edit: None }),
        priority: Priority::Interactive,
        key: String::new(),
        at: t0(),
        about: None,
    };
    let mut tx = store.begin().await.unwrap();
    assert!(tx.relaying(i.id).await.unwrap());
    tx.set_relaying(i.id, false, t0()).await.unwrap();
    tx.set_relaying(i.id, false, t0()).await.unwrap();
    assert!(!tx.relaying(i.id).await.unwrap());
    tx.set_relaying(i.id, true, t0()).await.unwrap();
    assert!(tx.relaying(i.id).await.unwrap());

    let first = tx
        .enqueue(&NewOutgoing {
            key: "relay/matrix/$a/0".into(),
            ..relay(vec![line("$a", "salut « toi » 🌱")])
        })
        .await
        .unwrap();
    let second = tx
        .enqueue(&NewOutgoing {
            key: "relay/matrix/$b/0".into(),
            ..relay(vec![line("$b", "b")])
        })
        .await
        .unwrap();
    // Not a relay: not among them.
    tx.enqueue(&out(&group, None, "x", "k/r0", Priority::Interactive, t0()))
        .await
        .unwrap();
    let pending = tx.pending_relays().await.unwrap();
    assert_eq!(
        pending.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![first, second]
    );
    // Gathered: a line more, read back whole.
    let Payload::Relay(r) = &pending[0].payload else {
        panic!("a relay")
    };
    let mut more = r.clone();
    more.lines.push(line("$c", "c"));
    let more = Payload::Relay(more);
    assert!(tx.rewrite(&pending[0], &more).await.unwrap());
    let back = tx.outgoing(first).await.unwrap().unwrap();
    assert_eq!(back.payload, more);
    assert_eq!(back.key, "relay/matrix/$a/0");
    // Written meanwhile by someone else (what `pending[0]` read is gone):
    // not rewritten.
    assert!(!tx.rewrite(&pending[0], &more).await.unwrap());
    let m = back;
    assert_eq!(tx.outgoing(-1).await.unwrap(), None);
    assert!(tx.withdraw(second).await.unwrap());
    assert!(!tx.withdraw(second).await.unwrap());
    assert_eq!(tx.outgoing(second).await.unwrap(), None);
    // Held by a worker: neither rewritten nor withdrawn.
    let claimed = tx
        .claim("telegram", t0(), t0() + Duration::minutes(1), 10)
        .await
        .unwrap();
    assert!(claimed.iter().any(|c| c.id == first));
    assert!(!tx.rewrite(&m, &m.payload).await.unwrap());
    assert!(!tx.withdraw(first).await.unwrap());
    // Tried once: no longer changed either.
    tx.mark_retry(first, t0(), "429").await.unwrap();
    assert!(!tx.rewrite(&m, &m.payload).await.unwrap());
    tx.mark_sent(&[first], t0()).await.unwrap();
    assert!(tx.pending_relays().await.unwrap().is_empty());

    // Copies, from the source and from the copy.
    let a_ref = MessageRef::new(&room, "$a");
    let c_ref = MessageRef::new(&room, "$c");
    assert_eq!(tx.relay_copy(&a_ref, &group).await.unwrap(), None);
    let copy = RelayCopy {
        row: first,
        room: group.clone(),
        message: "501".into(),
    };
    tx.record_relay(&a_ref, &copy, true, t0()).await.unwrap();
    tx.record_relay(&c_ref, &copy, true, t0() + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(
        tx.relay_copy(&a_ref, &group).await.unwrap(),
        Some((copy.clone(), true))
    );
    assert_eq!(tx.relay_copy(&a_ref, &room).await.unwrap(), None);
    assert_eq!(
        tx.relay_source(&group, "501").await.unwrap(),
        Some(a_ref.clone())
    );
    assert_eq!(tx.relay_source(&group, "502").await.unwrap(), None);
    // Edited later: the newer copy (another outbox message, not whole).
    let newer = RelayCopy {
        row: first + 100,
        room: group.clone(),
        message: "601".into(),
    };
    tx.record_relay(&a_ref, &newer, false, t0() + Duration::seconds(2))
        .await
        .unwrap();
    assert_eq!(
        tx.relay_copy(&a_ref, &group).await.unwrap(),
        Some((newer, false))
    );
    assert_eq!(tx.prune_relays(t0()).await.unwrap(), 0);
    assert_eq!(
        tx.prune_relays(t0() + Duration::seconds(2)).await.unwrap(),
        1
    );
    assert_eq!(tx.relay_copy(&c_ref, &group).await.unwrap(), None);
    assert!(tx.relay_copy(&a_ref, &group).await.unwrap().is_some());
    tx.commit().await.unwrap();
}
