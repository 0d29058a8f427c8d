//! The conformance suite of one port (see `ports::people`).
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

pub async fn actors_and_identities(store: &dyn Store) {
    let a = actor(store, "alice").await;
    assert_eq!(a.kind, ActorKind::Citizen);
    assert_eq!(a.tz, "Europe/Paris");
    assert!(!a.verified);
    let mut tx = store.begin().await.unwrap();
    let found = tx
        .actor_by_identity(&Identity::new("test", "alice"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, a);
    assert!(
        tx.actor_by_identity(&Identity::new("other", "alice"))
            .await
            .unwrap()
            .is_none()
    );
    let dup = tx
        .insert_actor(&NewActor {
            identity: Identity::new("test", "alice"),
            display_name: "x".into(),
            lang: Lang::En,
            created_at: t0(),
        })
        .await;
    assert!(matches!(dup, Err(StoreError::Duplicate(_))), "{dup:?}");
    drop(tx);

    let mut tx = store.begin().await.unwrap();
    let mut a2 = a.clone();
    a2.kind = ActorKind::Municipality;
    a2.verified = true;
    a2.communes = vec![
        InseeCode::parse("69266").unwrap(),
        InseeCode::parse("2A004").unwrap(),
    ];
    a2.communes.sort();
    a2.lang = Lang::En;
    a2.display_name = "Mairie <b>&".into();
    a2.location = Some(p(45.766, 4.88));
    tx.update_actor(&a2).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.actor(a.id).await.unwrap().unwrap(), a2);
    assert_eq!(
        tx.verified_names().await.unwrap(),
        vec![(a.id, "Mairie <b>&".to_owned())]
    );
    // A citizen speaks for no commune.
    let mut citizen = a2.clone();
    citizen.kind = ActorKind::Citizen;
    tx.update_actor(&citizen).await.unwrap();
    assert!(tx.actor(a.id).await.unwrap().unwrap().communes.is_empty());
    tx.update_actor(&a2).await.unwrap();
    assert_eq!(tx.actor(a.id).await.unwrap().unwrap(), a2);
    assert_eq!(
        tx.identities_of(a.id).await.unwrap(),
        vec![Identity::new("test", "alice")]
    );
    assert!(tx.actor(ActorId(999_999)).await.unwrap().is_none());
}

pub async fn subscriptions_and_dialogues(store: &dyn Store) {
    let a = actor(store, "a").await;
    let mut tx = store.begin().await.unwrap();
    let s = tx
        .insert_subscription(&NewSubscription {
            actor: a.id,
            center: Some(p(45.0, 4.0)),
            radius_m: 3000,
            commune: None,
            categories: vec![Category::Compost, Category::Food],
            created_at: t0(),
        })
        .await
        .unwrap();
    tx.insert_subscription(&NewSubscription {
        actor: a.id,
        center: None,
        radius_m: 5000,
        commune: InseeCode::parse("69266"),
        categories: vec![],
        created_at: t0(),
    })
    .await
    .unwrap();
    let subs = tx.subscriptions_of(a.id).await.unwrap();
    assert_eq!(subs.len(), 2);
    assert_eq!(subs[0], s);
    assert!(subs[1].categories.is_empty());
    assert_eq!(tx.delete_subscriptions_of(a.id).await.unwrap(), 2);
    assert_eq!(tx.delete_subscriptions_of(a.id).await.unwrap(), 0);

    assert!(tx.dialogue(a.id).await.unwrap().is_none());
    tx.set_dialogue(a.id, Some(r#"{"x":1}"#)).await.unwrap();
    tx.set_dialogue(a.id, Some(r#"{"x":2}"#)).await.unwrap();
    assert_eq!(
        tx.dialogue(a.id).await.unwrap().as_deref(),
        Some(r#"{"x":2}"#)
    );
    tx.set_dialogue(a.id, None).await.unwrap();
    assert!(tx.dialogue(a.id).await.unwrap().is_none());
}

pub async fn forgetting_an_actor(store: &dyn Store) {
    let a = actor(store, "a").await;
    let b = actor(store, "b").await;
    let i = initiative(store, a.id, "I", None).await;
    let mut tx = store.begin().await.unwrap();
    tx.set_membership(&Membership {
        initiative: i.id,
        actor: a.id,
        role: Role::Organiser,
        since: t0(),
    })
    .await
    .unwrap();
    tx.set_membership(&Membership {
        initiative: i.id,
        actor: b.id,
        role: Role::Member,
        since: t0(),
    })
    .await
    .unwrap();
    let u = tx.insert_update(i.id, a.id, "x", t0()).await.unwrap();
    let e = tx
        .insert_event(&NewEvent {
            initiative: i.id,
            title: "e".into(),
            starts_at: t0(),
            tz: "UTC".into(),
            place: None,
            minutes: EVENT_MINUTES_DEFAULT,
            created_by: a.id,
            created_at: t0(),
        })
        .await
        .unwrap();
    tx.set_rsvp(&Rsvp {
        event: e.id,
        actor: a.id,
        answer: RsvpAnswer::Yes,
        at: t0(),
    })
    .await
    .unwrap();
    tx.set_dialogue(a.id, Some("{}")).await.unwrap();
    tx.enqueue(&out(
        &Address::new("test", "a"),
        Some(a.id),
        "x",
        "fa",
        Priority::Interactive,
        t0(),
    ))
    .await
    .unwrap();
    tx.insert_subscription(&NewSubscription {
        actor: a.id,
        center: None,
        radius_m: 1,
        commune: None,
        categories: vec![],
        created_at: t0(),
    })
    .await
    .unwrap();
    // b was told a joined, and of an update: the first names a.
    for (kind, ref_id) in [(AlertKind::NewMember, a.id.0), (AlertKind::Update, u.id.0)] {
        tx.queue_alert(&NewAlert {
            actor: b.id,
            initiative: i.id,
            kind,
            ref_id: Some(ref_id),
            at: t0(),
        })
        .await
        .unwrap();
    }
    tx.delete_actor(a.id).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let left: Vec<AlertKind> = tx
        .alerts_of(b.id)
        .await
        .unwrap()
        .into_iter()
        .map(|x| x.kind)
        .collect();
    assert_eq!(left, vec![AlertKind::Update]);
    assert!(tx.actor(a.id).await.unwrap().is_none());
    assert!(
        tx.actor_by_identity(&Identity::new("test", "a"))
            .await
            .unwrap()
            .is_none()
    );
    let kept = tx.initiative(i.id).await.unwrap().unwrap();
    assert_eq!(kept.created_by, None);
    assert_eq!(tx.update_by_id(u.id).await.unwrap().unwrap().author, None);
    assert_eq!(tx.event(e.id).await.unwrap().unwrap().created_by, None);
    assert!(tx.rsvps(e.id).await.unwrap().is_empty());
    assert_eq!(tx.members(i.id).await.unwrap().len(), 1);
    assert!(tx.dialogue(a.id).await.unwrap().is_none());
    assert!(tx.pending_for(a.id).await.unwrap().is_empty());
    assert!(tx.subscriptions_of(a.id).await.unwrap().is_empty());
    assert!(tx.actor(b.id).await.unwrap().is_some());
    // The identity can come back as a new person.
    let again = tx
        .insert_actor(&NewActor {
            identity: Identity::new("test", "a"),
            display_name: "a".into(),
            lang: Lang::Fr,
            created_at: t0(),
        })
        .await
        .unwrap();
    assert_ne!(again.id, a.id);
}

pub async fn actors_by_id_and_their_reachable_identities(store: &dyn Store) {
    let a = actor(store, "a").await;
    let b = actor(store, "b").await;
    let mut tx = store.begin().await.unwrap();
    let mut m = tx.actor(b.id).await.unwrap().unwrap();
    m.kind = ActorKind::Municipality;
    m.verified = true;
    m.lang = Lang::En;
    m.communes = vec![InseeCode::parse("69123").unwrap()];
    tx.update_actor(&m).await.unwrap();
    let mut got = tx
        .actors_by_ids(&[b.id, a.id, ActorId(987_654)])
        .await
        .unwrap();
    got.sort_by_key(|x| x.id);
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].communes, m.communes, "with their communes");
    assert!(tx.actors_by_ids(&[]).await.unwrap().is_empty());
    // Reachable identities, with the person's language; unreachable ones left out.
    tx.set_unreachable(&Address::new("test", "a"), "blocked", t0())
        .await
        .unwrap();
    let reach = tx.reachable_identities(&[a.id, b.id]).await.unwrap();
    assert_eq!(reach, vec![(b.id, Lang::En, Identity::new("test", "b"))]);
    tx.clear_unreachable(&Address::new("test", "a"))
        .await
        .unwrap();
    let reach = tx.reachable_identities(&[a.id, b.id]).await.unwrap();
    assert_eq!(reach.len(), 2);
    assert_eq!(reach[0].0, a.id);
}

/// Link codes, failed attempts, identities used last, and two people made
/// one: what both held kept once (the stronger role, the earliest date).
pub async fn linked_identities(store: &dyn Store) {
    let a = actor(store, "a").await;
    let b = actor(store, "b").await;
    let c = actor(store, "c").await;
    let i = initiative(store, c.id, "I", None).await;
    let j = initiative(store, c.id, "J", None).await;
    let ta = Identity::new("test", "a");
    let tb = Identity::new("test", "b");
    let mut tx = store.begin().await.unwrap();

    // Codes: one per issuer, digits unique, typed once.
    let code = |digits: &str, actor: ActorId, issuer: &Identity| LinkCode {
        code: digits.into(),
        actor,
        issuer: issuer.clone(),
        created_at: t0(),
        expires_at: t0() + LINK_CODE_VALID,
        claimed: None,
    };
    tx.save_link_code(&code("000001", a.id, &ta)).await.unwrap();
    tx.save_link_code(&code("000002", a.id, &ta)).await.unwrap();
    assert_eq!(tx.link_code("000001").await.unwrap(), None);
    assert!(matches!(
        tx.save_link_code(&code("000002", b.id, &tb)).await,
        Err(StoreError::Duplicate(_))
    ));
    let mut typed = code("000002", a.id, &ta);
    typed.claimed = Some((tb.clone(), t0() + Duration::minutes(1)));
    tx.save_link_code(&typed).await.unwrap();
    assert_eq!(tx.link_code("000002").await.unwrap(), Some(typed.clone()));
    assert_eq!(tx.link_code_of(&ta).await.unwrap(), Some(typed));
    assert_eq!(tx.link_code_of(&tb).await.unwrap(), None);
    tx.save_link_code(&code("000003", b.id, &tb)).await.unwrap();
    tx.delete_link_code("000002").await.unwrap();
    assert_eq!(tx.link_code_of(&ta).await.unwrap(), None);

    // Failed attempts, by identity and overall; pruned with dead codes.
    for m in 0..3 {
        tx.record_link_failure(&tb, t0() + Duration::minutes(m))
            .await
            .unwrap();
    }
    tx.record_link_failure(&ta, t0()).await.unwrap();
    let since = t0() + Duration::minutes(1);
    assert_eq!(tx.link_failures_since(Some(&tb), since).await.unwrap(), 2);
    assert_eq!(tx.link_failures_since(None, t0()).await.unwrap(), 4);
    assert_eq!(
        tx.prune_links(t0() + Duration::hours(1), since)
            .await
            .unwrap(),
        1 + 2
    );
    assert_eq!(tx.link_code("000003").await.unwrap(), None);

    let ma = Identity::new("matrix", "@a:x");
    tx.commit().await.unwrap();

    // B: a support of I, organiser of J; A: member of I. An RSVP each to one
    // event, the same subscription each.
    let mut tx = store.begin().await.unwrap();
    let m = |actor: ActorId, initiative: InitiativeId, role: Role, min: i64| Membership {
        initiative,
        actor,
        role,
        since: t0() + Duration::minutes(min),
    };
    tx.set_membership(&m(a.id, i.id, Role::Member, 5))
        .await
        .unwrap();
    tx.set_membership(&m(b.id, i.id, Role::Supporter, 1))
        .await
        .unwrap();
    tx.set_membership(&m(b.id, j.id, Role::Organiser, 2))
        .await
        .unwrap();
    let e = tx
        .insert_event(&NewEvent {
            initiative: i.id,
            title: "Fête".into(),
            starts_at: t0() + Duration::days(2),
            tz: "Europe/Paris".into(),
            place: None,
            minutes: EVENT_MINUTES_DEFAULT,
            created_by: c.id,
            created_at: t0(),
        })
        .await
        .unwrap();
    for (who, answer, min) in [(a.id, RsvpAnswer::Yes, 9), (b.id, RsvpAnswer::No, 3)] {
        tx.set_rsvp(&Rsvp {
            event: e.id,
            actor: who,
            answer,
            at: t0() + Duration::minutes(min),
        })
        .await
        .unwrap();
    }
    for (who, min) in [(a.id, 7), (b.id, 4), (b.id, 8)] {
        tx.insert_subscription(&NewSubscription {
            actor: who,
            center: Some(p(45.76, 4.83)),
            radius_m: if min == 8 { 900 } else { 2000 },
            commune: None,
            categories: vec![],
            created_at: t0() + Duration::minutes(min),
        })
        .await
        .unwrap();
    }
    tx.save_link_code(&code("000004", b.id, &tb)).await.unwrap();
    tx.merge_actors(a.id, b.id).await.unwrap();
    assert_eq!(tx.actor(b.id).await.unwrap(), None);
    assert_eq!(tx.link_code("000004").await.unwrap(), None);
    assert_eq!(
        tx.actor_by_identity(&tb).await.unwrap().map(|x| x.id),
        Some(a.id)
    );
    let mut ms = tx.memberships_of(a.id).await.unwrap();
    ms.sort_by_key(|m| m.initiative);
    assert_eq!(
        ms,
        vec![
            // The stronger role, the earliest date.
            m(a.id, i.id, Role::Member, 1),
            m(a.id, j.id, Role::Organiser, 2),
        ]
    );
    let rsvps = tx.rsvps_of(a.id).await.unwrap();
    assert_eq!(rsvps.len(), 1);
    assert_eq!(
        (rsvps[0].answer, rsvps[0].at),
        (RsvpAnswer::No, t0() + Duration::minutes(3))
    );
    let mut subs = tx.subscriptions_of(a.id).await.unwrap();
    subs.sort_by_key(|s| s.radius_m);
    assert_eq!(
        subs.iter()
            .map(|s| (s.radius_m, s.created_at))
            .collect::<Vec<_>>(),
        vec![
            (900, t0() + Duration::minutes(8)),
            (2000, t0() + Duration::minutes(4)),
        ]
    );

    // An identity taken away starts afresh.
    let mut tx2 = tx;
    let moved = tx2
        .detach_identity(&tb, "B again", Lang::En, t0())
        .await
        .unwrap();
    assert_ne!(moved.id, a.id);
    assert_eq!(
        (moved.display_name.as_str(), moved.lang, moved.verified),
        ("B again", Lang::En, false)
    );
    assert_eq!(tx2.identities_of(moved.id).await.unwrap(), vec![tb.clone()]);
    assert!(tx2.memberships_of(moved.id).await.unwrap().is_empty());
    assert!(matches!(
        tx2.detach_identity(&Identity::new("test", "nobody"), "x", Lang::Fr, t0())
            .await,
        Err(StoreError::NotFound(_))
    ));
    // Notices: the identity used last first, unless the person chose one.
    let z = tx2
        .insert_actor(&NewActor {
            identity: ma.clone(),
            display_name: "z".into(),
            lang: Lang::Fr,
            created_at: t0(),
        })
        .await
        .unwrap();
    tx2.merge_actors(a.id, z.id).await.unwrap();
    tx2.touch_identity(&ta, t0()).await.unwrap();
    tx2.touch_identity(&ma, t0() + Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(
        tx2.identities_of(a.id).await.unwrap(),
        vec![ma.clone(), ta.clone()]
    );
    // Written at most once a minute: matrix again 40 s after its last time
    // is not written, so test (used in between) stays first.
    tx2.touch_identity(&ta, t0() + Duration::seconds(320))
        .await
        .unwrap();
    tx2.touch_identity(&ma, t0() + Duration::seconds(340))
        .await
        .unwrap();
    assert_eq!(
        tx2.identities_of(a.id).await.unwrap(),
        vec![ta.clone(), ma.clone()]
    );
    let mut chosen = tx2.actor(a.id).await.unwrap().unwrap();
    chosen.notify_network = Some("matrix".into());
    tx2.update_actor(&chosen).await.unwrap();
    assert_eq!(
        tx2.actor(a.id).await.unwrap().unwrap().notify_network,
        Some("matrix".into())
    );
    assert_eq!(
        tx2.identities_of(a.id).await.unwrap(),
        vec![ma.clone(), ta.clone()]
    );
    let reach = tx2.reachable_identities(&[a.id]).await.unwrap();
    assert_eq!(reach[0].2, ma);
    tx2.commit().await.unwrap();
}
