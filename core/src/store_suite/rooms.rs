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
