//! The store conformance suite, written once: every store crate runs it with
//! `kohero_core::store_suite!(make_store_expression);` in its tests. A store
//! that passes behaves like the others.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::domain::*;
use crate::geo::GeoPoint;
use crate::ports::{Store, StoreError};
use crate::reply::Reply;

/// Generates one `#[tokio::test]` per suite function, each on a fresh store.
#[macro_export]
macro_rules! store_suite {
    ($make:expr) => {
        mod store_suite {
            #[allow(unused_imports)]
            use super::*;
            $crate::store_suite!(@tests $make;
                actors_and_identities,
                initiatives_and_boxes,
                search_by_word_prefix,
                located_initiatives_for_the_index,
                memberships,
                updates_events_rsvps,
                subscriptions_and_dialogues,
                activity_feed,
                outbox,
                leases_and_claims,
                exactly_once_intake,
                button_actions,
                network_state,
                rooms,
                forgetting_an_actor,
                rollback_leaves_nothing,
                savepoints_undo_part_of_a_transaction,
                missing_rows_are_not_found,
                digests_alerts_and_reminders
            );
        }
    };
    (@tests $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test]
            async fn $name() {
                let store = $make;
                $crate::store_suite::$name(&store).await;
            }
        )*
    };
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 10, 0, 0).unwrap()
}

fn p(lat: f64, lon: f64) -> GeoPoint {
    GeoPoint::new(lat, lon).unwrap()
}

async fn actor(store: &dyn Store, name: &str) -> Actor {
    let mut tx = store.begin().await.unwrap();
    let a = tx
        .insert_actor(&NewActor {
            identity: Identity::new("test", name),
            display_name: name.to_owned(),
            lang: Lang::Fr,
            created_at: t0(),
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    a
}

async fn initiative(
    store: &dyn Store,
    by: ActorId,
    title: &str,
    place: Option<GeoPoint>,
) -> Initiative {
    let mut tx = store.begin().await.unwrap();
    let i = tx
        .insert_initiative(&NewInitiative {
            title: title.to_owned(),
            description: "Une description".to_owned(),
            category: Category::Compost,
            place,
            commune: InseeCode::parse("69266"),
            created_by: by,
            created_at: t0(),
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    i
}

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

pub async fn initiatives_and_boxes(store: &dyn Store) {
    let a = actor(store, "a").await;
    let lyon = initiative(store, a.id, "Lyon", Some(p(45.764, 4.8357))).await;
    let _far = initiative(store, a.id, "Paris", Some(p(48.8566, 2.3522))).await;
    let _none = initiative(store, a.id, "Nowhere", None).await;
    assert_eq!(lyon.kind, InitiativeKind::Idea);
    assert_eq!(lyon.status, Status::Open);
    assert_eq!(lyon.created_by, Some(a.id));

    let mut tx = store.begin().await.unwrap();
    let got = tx.initiative(lyon.id).await.unwrap().unwrap();
    assert_eq!(got, lyon);
    let bb = p(45.76, 4.84).bounding_box(5000.0);
    let inside: Vec<_> = tx
        .initiatives_in_box(&bb)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.title)
        .collect();
    assert_eq!(inside, vec!["Lyon"]);
    // The box is inclusive at its edges.
    let edge = crate::geo::BoundingBox {
        min_lat: 45.764,
        max_lat: 45.764,
        min_lon: 4.8357,
        max_lon: 4.8357,
    };
    assert_eq!(tx.initiatives_in_box(&edge).await.unwrap().len(), 1);

    let mut changed = got.clone();
    changed.kind = InitiativeKind::Project;
    changed.status = Status::Active;
    changed.title = "Lyon 2".into();
    changed.place = Some(p(45.0, 5.0));
    changed.commune = None;
    changed.offered_to = Some(a.id);
    changed.updated_at = t0() + Duration::hours(1);
    tx.update_initiative(&changed).await.unwrap();
    assert_eq!(tx.initiative(lyon.id).await.unwrap().unwrap(), changed);
    assert!(tx.initiatives_in_box(&bb).await.unwrap().is_empty());
    assert_eq!(tx.initiatives_created_by(a.id).await.unwrap().len(), 3);
}

pub async fn search_by_word_prefix(store: &dyn Store) {
    let a = actor(store, "a").await;
    let mut tx = store.begin().await.unwrap();
    for (title, desc) in [
        ("Repair Café : réparation", "Vélos et grille-pain"),
        ("Composteur partagé", "Au pied de l'immeuble"),
        ("Café des parents", "Rencontres"),
    ] {
        tx.insert_initiative(&NewInitiative {
            title: title.into(),
            description: desc.into(),
            category: Category::Repair,
            place: None,
            commune: None,
            created_by: a.id,
            created_at: t0(),
        })
        .await
        .unwrap();
    }
    let titles = |v: Vec<Initiative>| {
        let mut t: Vec<String> = v.into_iter().map(|i| i.title).collect();
        t.sort();
        t
    };
    let w = |s: &str| crate::text::search_words(s);
    assert_eq!(
        titles(
            tx.search_initiatives(&w("cafe reparation"), 10)
                .await
                .unwrap()
        ),
        vec!["Repair Café : réparation"]
    );
    assert_eq!(
        titles(tx.search_initiatives(&w("CAF"), 10).await.unwrap()),
        vec!["Café des parents", "Repair Café : réparation"]
    );
    assert_eq!(
        titles(tx.search_initiatives(&w("velo"), 10).await.unwrap()),
        vec!["Repair Café : réparation"]
    );
    // Prefixes of words only, not inner parts.
    assert!(
        tx.search_initiatives(&w("afe"), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(tx.search_initiatives(&w("%"), 10).await.unwrap().is_empty());
    assert_eq!(tx.search_initiatives(&w("cafe"), 1).await.unwrap().len(), 1);
    // Edits are searchable at once; the old words are gone.
    let mut i = tx
        .search_initiatives(&w("composteur"), 10)
        .await
        .unwrap()
        .remove(0);
    i.title = "Lombricomposteur".into();
    i.description = "Vers de terre".into();
    tx.update_initiative(&i).await.unwrap();
    assert!(
        tx.search_initiatives(&w("composteur"), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        tx.search_initiatives(&w("pied"), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        tx.search_initiatives(&w("lombri vers"), 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

pub async fn located_initiatives_for_the_index(store: &dyn Store) {
    let a = actor(store, "a").await;
    let here = initiative(store, a.id, "Ici", Some(p(45.0, 4.0))).await;
    initiative(store, a.id, "Nulle part", None).await;
    let gone = initiative(store, a.id, "Abandonnée", Some(p(45.1, 4.1))).await;
    let mut tx = store.begin().await.unwrap();
    let mut dropped = gone.clone();
    dropped.status = Status::Dropped;
    tx.update_initiative(&dropped).await.unwrap();
    let located = tx.located_initiatives().await.unwrap();
    let here_row = crate::places::Located {
        id: here.id,
        place: p(45.0, 4.0),
        category: Category::Compost,
        kind: InitiativeKind::Idea,
    };
    assert_eq!(located, vec![here_row]);

    // The change log: every write after a cursor, each initiative once, as it is now.
    let start = tx.initiative_changes_cursor().await.unwrap();
    let (after_all, all) = tx.initiative_changes(0, 100).await.unwrap();
    assert_eq!(after_all, start);
    assert_eq!(
        all,
        vec![
            (here.id, Some(here_row)),
            (InitiativeId(here.id.0 + 1), None),
            (gone.id, None),
        ]
    );
    // Paged: the first two changes, then the rest.
    let (mid, first) = tx.initiative_changes(0, 2).await.unwrap();
    assert_eq!(first.len(), 2);
    let (end, rest) = tx.initiative_changes(mid, 100).await.unwrap();
    assert_eq!(end, start);
    assert_eq!(rest.last().map(|r| r.0), Some(gone.id));
    let mut moved = here.clone();
    moved.place = Some(p(46.0, 5.0));
    tx.update_initiative(&moved).await.unwrap();
    let (next, changed) = tx.initiative_changes(start, 100).await.unwrap();
    assert!(next > start);
    assert_eq!(
        changed,
        vec![(
            here.id,
            Some(crate::places::Located {
                place: p(46.0, 5.0),
                ..here_row
            })
        )]
    );
    assert_eq!(tx.initiative_changes_cursor().await.unwrap(), next);
    assert!(tx.initiative_changes(next, 100).await.unwrap().1.is_empty());
    tx.commit().await.unwrap();
}

pub async fn memberships(store: &dyn Store) {
    let a = actor(store, "a").await;
    let b = actor(store, "b").await;
    let i = initiative(store, a.id, "I", None).await;
    let mut tx = store.begin().await.unwrap();
    let m = |actor: ActorId, role: Role, min: i64| Membership {
        initiative: i.id,
        actor,
        role,
        since: t0() + Duration::minutes(min),
    };
    tx.set_membership(&m(b.id, Role::Supporter, 5))
        .await
        .unwrap();
    tx.set_membership(&m(a.id, Role::Organiser, 1))
        .await
        .unwrap();
    let all = tx.members(i.id).await.unwrap();
    assert_eq!(
        all.iter().map(|m| m.actor).collect::<Vec<_>>(),
        vec![a.id, b.id]
    );
    tx.set_membership(&m(b.id, Role::Member, 5)).await.unwrap();
    assert_eq!(
        tx.membership(i.id, b.id).await.unwrap().unwrap().role,
        Role::Member
    );
    assert_eq!(tx.members(i.id).await.unwrap().len(), 2);
    assert_eq!(tx.memberships_of(b.id).await.unwrap().len(), 1);
    tx.remove_membership(i.id, b.id).await.unwrap();
    assert!(tx.membership(i.id, b.id).await.unwrap().is_none());
    assert!(matches!(
        tx.remove_membership(i.id, b.id).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn updates_events_rsvps(store: &dyn Store) {
    let a = actor(store, "a").await;
    let b = actor(store, "b").await;
    let i = initiative(store, a.id, "I", None).await;
    let mut tx = store.begin().await.unwrap();
    let u1 = tx.insert_update(i.id, a.id, "premier", t0()).await.unwrap();
    let u2 = tx
        .insert_update(i.id, a.id, "second\nligne", t0() + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        tx.updates_of(i.id, 10)
            .await
            .unwrap()
            .iter()
            .map(|u| u.id)
            .collect::<Vec<_>>(),
        vec![u2.id, u1.id]
    );
    assert_eq!(tx.updates_of(i.id, 1).await.unwrap().len(), 1);
    assert_eq!(
        tx.update_by_id(u2.id).await.unwrap().unwrap().text,
        "second\nligne"
    );
    assert_eq!(tx.updates_by(a.id).await.unwrap().len(), 2);

    let new = |title: &str, h: i64| NewEvent {
        initiative: i.id,
        title: title.into(),
        starts_at: t0() + Duration::hours(h),
        tz: "Europe/Paris".into(),
        place: Some(p(45.0, 4.0)),
        created_by: a.id,
        created_at: t0(),
    };
    let late = tx.insert_event(&new("tard", 48)).await.unwrap();
    let soon = tx.insert_event(&new("bientôt", 2)).await.unwrap();
    let past = tx.insert_event(&new("passé", -2)).await.unwrap();
    assert_eq!(tx.event(past.id).await.unwrap().unwrap(), past);
    assert_eq!(
        tx.events_of(i.id, t0())
            .await
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect::<Vec<_>>(),
        vec![soon.id, late.id]
    );
    let r = |actor: ActorId, answer: RsvpAnswer| Rsvp {
        event: soon.id,
        actor,
        answer,
        at: t0(),
    };
    tx.set_rsvp(&r(a.id, RsvpAnswer::Yes)).await.unwrap();
    tx.set_rsvp(&r(b.id, RsvpAnswer::Maybe)).await.unwrap();
    tx.set_rsvp(&r(b.id, RsvpAnswer::No)).await.unwrap();
    let rs = tx.rsvps(soon.id).await.unwrap();
    assert_eq!(rs.len(), 2);
    assert_eq!(
        rs.iter().find(|x| x.actor == b.id).unwrap().answer,
        RsvpAnswer::No
    );
    assert_eq!(tx.rsvps_of(b.id).await.unwrap().len(), 1);
    assert!(matches!(
        tx.set_rsvp(&Rsvp {
            event: EventId(987_654),
            ..r(a.id, RsvpAnswer::Yes)
        })
        .await,
        Err(StoreError::NotFound(_))
    ));
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

pub async fn activity_feed(store: &dyn Store) {
    let a = actor(store, "a").await;
    let i = initiative(store, a.id, "I", None).await;
    let j = initiative(store, a.id, "J", None).await;
    let k = initiative(store, a.id, "K", None).await;
    let mut tx = store.begin().await.unwrap();
    for (n, (init, kind)) in [
        (i.id, ActivityKind::Created),
        (j.id, ActivityKind::Created),
        (k.id, ActivityKind::Created),
        (i.id, ActivityKind::Launched),
        (i.id, ActivityKind::Updated),
    ]
    .into_iter()
    .enumerate()
    {
        tx.insert_activity(&NewActivity {
            initiative: init,
            kind,
            ref_id: Some(n as i64),
            at: t0() + Duration::minutes(n as i64),
        })
        .await
        .unwrap();
    }
    let got = tx.activity_of(&[i.id, j.id], 0, 10).await.unwrap();
    assert_eq!(
        got.iter().map(|a| a.kind).collect::<Vec<_>>(),
        vec![
            ActivityKind::Updated,
            ActivityKind::Launched,
            ActivityKind::Created,
            ActivityKind::Created
        ]
    );
    assert_eq!(got[0].ref_id, Some(4));
    let page2 = tx.activity_of(&[i.id, j.id], 2, 10).await.unwrap();
    assert_eq!(page2.len(), 2);
    assert_eq!(page2[0], got[2]);
    assert!(tx.activity_of(&[], 0, 10).await.unwrap().is_empty());
}

fn out(
    to: &Address,
    recipient: Option<ActorId>,
    text: &str,
    key: &str,
    priority: Priority,
    at: DateTime<Utc>,
) -> NewOutgoing {
    NewOutgoing {
        to: to.clone(),
        recipient,
        reply: Reply::text(text),
        priority,
        key: key.to_owned(),
        at,
    }
}

pub async fn leases_and_claims(store: &dyn Store) {
    let lease = "network/telegram";
    let later = |s: i64| t0() + Duration::seconds(s);
    let mut tx = store.begin().await.unwrap();
    assert!(tx.acquire_lease(lease, "a", t0(), later(15)).await.unwrap());
    // Held: another process is refused, the holder renews.
    assert!(
        !tx.acquire_lease(lease, "b", later(5), later(20))
            .await
            .unwrap()
    );
    assert!(
        tx.acquire_lease(lease, "a", later(5), later(20))
            .await
            .unwrap()
    );
    assert!(
        !tx.acquire_lease(lease, "b", later(19), later(34))
            .await
            .unwrap()
    );
    // Another lease is independent.
    assert!(
        tx.acquire_lease("network/matrix", "b", later(19), later(34))
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    // Expired: taken over, and the old holder is refused.
    let mut tx = store.begin().await.unwrap();
    assert!(
        tx.acquire_lease(lease, "b", later(20), later(35))
            .await
            .unwrap()
    );
    assert!(
        !tx.acquire_lease(lease, "a", later(21), later(36))
            .await
            .unwrap()
    );
    // Released only by its holder.
    tx.release_lease(lease, "a").await.unwrap();
    assert!(
        !tx.acquire_lease(lease, "a", later(22), later(37))
            .await
            .unwrap()
    );
    tx.release_lease(lease, "b").await.unwrap();
    assert!(
        tx.acquire_lease(lease, "a", later(22), later(37))
            .await
            .unwrap()
    );
    assert_eq!(
        tx.lease_holder(lease).await.unwrap(),
        Some(("a".to_owned(), later(37)))
    );
    assert_eq!(tx.lease_holder("nothing").await.unwrap(), None);
    // Taken from a holder known dead, before it lapses; only from that holder.
    assert!(
        !tx.take_lease_from(lease, "b", "c", later(40))
            .await
            .unwrap()
    );
    assert!(
        tx.take_lease_from(lease, "a", "c", later(40))
            .await
            .unwrap()
    );
    assert!(
        !tx.acquire_lease(lease, "a", later(23), later(38))
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();

    // A new holder hands back the previous holder's claims on its network only.
    let tg = Address::new("telegram", "100");
    let mx = Address::new("matrix", "@a:x");
    let mut tx = store.begin().await.unwrap();
    for (to, key) in [(&tg, "c1"), (&tg, "c2"), (&mx, "c3")] {
        tx.enqueue(&out(to, None, "x", key, Priority::Bulk, t0()))
            .await
            .unwrap();
    }
    assert_eq!(
        tx.claim("telegram", t0(), later(60), 1)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        tx.claim("matrix", t0(), later(60), 10).await.unwrap().len(),
        1
    );
    assert_eq!(
        tx.claim("telegram", t0(), later(60), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        tx.claim("telegram", t0(), later(60), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(tx.release_claims("telegram").await.unwrap(), 2);
    assert_eq!(
        tx.claim("telegram", t0(), later(60), 10)
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(
        tx.claim("matrix", t0(), later(60), 10)
            .await
            .unwrap()
            .is_empty()
    );
    tx.commit().await.unwrap();
}

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
    assert_eq!(pending[0].reply, Reply::text("un <b>"));
    assert_eq!(pending[0].key, "k1");
    assert_eq!(pending[0].recipient, Some(a.id));
    assert_eq!(tx.pending_for(a.id).await.unwrap().len(), 1);
    let stats = tx.outbox_stats("telegram").await.unwrap();
    assert_eq!(stats.pending, 3);
    assert_eq!(stats.oldest, Some(t0()));
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
    tx.release(r2).await.unwrap();
    assert_eq!(
        tx.claim("telegram", later, later, 10).await.unwrap().len(),
        1
    );

    tx.mark_sent(r1, later).await.unwrap();
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
        tx.mark_sent(999_999, t0()).await,
        Err(StoreError::NotFound(_))
    ));
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
    assert_eq!(pruned, 3);
    assert_eq!(tx.outbox_stats("matrix").await.unwrap().pending, 1);
}

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
    tx.link_forum(&forum, &villeurbanne, a.id, t0())
        .await
        .unwrap();
    assert_eq!(
        tx.forums_of(&villeurbanne).await.unwrap(),
        vec![forum.clone()]
    );
    tx.link_forum(&forum, &InseeCode::parse("69123").unwrap(), a.id, t0())
        .await
        .unwrap();
    assert!(tx.forums_of(&villeurbanne).await.unwrap().is_empty());
}

pub async fn button_actions(store: &dyn Store) {
    let mut tx = store.begin().await.unwrap();
    let a = tx.remember_action("/voir 42", t0()).await.unwrap();
    let b = tx
        .remember_action("/participer E7 peutetre", t0())
        .await
        .unwrap();
    assert_ne!(a, b);
    assert_eq!(tx.remember_action("/voir 42", t0()).await.unwrap(), a);
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.recall_action(a).await.unwrap().as_deref(),
        Some("/voir 42")
    );
    assert_eq!(
        tx.recall_action(b).await.unwrap().as_deref(),
        Some("/participer E7 peutetre")
    );
    assert_eq!(tx.recall_action(987_654).await.unwrap(), None);
    assert_eq!(tx.recall_action(-1).await.unwrap(), None);
    // Giving a button out again keeps it; buttons not given out since go.
    let later = t0() + Duration::days(30);
    assert_eq!(tx.remember_action("/voir 42", later).await.unwrap(), a);
    // An older time does not make it look unused.
    assert_eq!(tx.remember_action("/voir 42", t0()).await.unwrap(), a);
    assert_eq!(tx.prune_actions(t0() + Duration::days(1)).await.unwrap(), 1);
    assert_eq!(tx.recall_action(b).await.unwrap(), None);
    assert_eq!(
        tx.recall_action(a).await.unwrap().as_deref(),
        Some("/voir 42")
    );
    assert_eq!(
        tx.prune_actions(later + Duration::days(1)).await.unwrap(),
        1
    );
    assert_eq!(tx.recall_action(a).await.unwrap(), None);
}

pub async fn network_state(store: &dyn Store) {
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.network_state("matrix", "session").await.unwrap(), None);
    tx.set_network_state("matrix", "session", Some("{\"a\":1}"), t0())
        .await
        .unwrap();
    tx.set_network_state("matrix", "sync", Some("s1"), t0())
        .await
        .unwrap();
    tx.set_network_state("telegram", "sync", Some("other"), t0())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.network_state("matrix", "session")
            .await
            .unwrap()
            .as_deref(),
        Some("{\"a\":1}")
    );
    tx.set_network_state("matrix", "sync", Some("s2"), t0())
        .await
        .unwrap();
    tx.set_network_state("matrix", "session", None, t0())
        .await
        .unwrap();
    // Rolled back: the values stay as committed.
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.network_state("matrix", "sync").await.unwrap().as_deref(),
        Some("s1")
    );
    tx.set_network_state("matrix", "sync", Some("s2"), t0())
        .await
        .unwrap();
    tx.set_network_state("matrix", "session", None, t0())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.network_state("matrix", "session").await.unwrap(), None);
    assert_eq!(
        tx.network_state("matrix", "sync").await.unwrap().as_deref(),
        Some("s2")
    );
    assert_eq!(
        tx.network_state("telegram", "sync")
            .await
            .unwrap()
            .as_deref(),
        Some("other")
    );
}

pub async fn exactly_once_intake(store: &dyn Store) {
    let mut tx = store.begin().await.unwrap();
    assert!(tx.record_event("telegram", "1001", t0()).await.unwrap());
    assert!(!tx.record_event("telegram", "1001", t0()).await.unwrap());
    assert!(tx.record_event("matrix", "1001", t0()).await.unwrap());
    tx.commit().await.unwrap();
    // Rolled back with its transaction: seen again later.
    {
        let mut tx = store.begin().await.unwrap();
        assert!(tx.record_event("telegram", "1002", t0()).await.unwrap());
    }
    let mut tx = store.begin().await.unwrap();
    assert!(tx.record_event("telegram", "1002", t0()).await.unwrap());
    assert!(!tx.record_event("telegram", "1001", t0()).await.unwrap());
    assert_eq!(tx.prune(t0() + Duration::seconds(1)).await.unwrap(), 3);
    assert!(tx.record_event("telegram", "1001", t0()).await.unwrap());
    // A failed event is recorded (seen, with why), seen or not before.
    tx.record_failed_event("telegram", "1003", "injected", t0())
        .await
        .unwrap();
    assert!(!tx.record_event("telegram", "1003", t0()).await.unwrap());
    tx.record_failed_event("telegram", "1001", "after all", t0())
        .await
        .unwrap();
    assert!(!tx.record_event("telegram", "1001", t0()).await.unwrap());
    assert_eq!(tx.prune(t0() + Duration::seconds(1)).await.unwrap(), 2);
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

pub async fn rollback_leaves_nothing(store: &dyn Store) {
    let a = actor(store, "a").await;
    {
        let mut tx = store.begin().await.unwrap();
        tx.insert_initiative(&NewInitiative {
            title: "jamais".into(),
            description: String::new(),
            category: Category::Other,
            place: None,
            commune: None,
            created_by: a.id,
            created_at: t0(),
        })
        .await
        .unwrap();
        tx.set_dialogue(a.id, Some("{}")).await.unwrap();
        // dropped without commit
    }
    let mut tx = store.begin().await.unwrap();
    assert!(tx.initiatives_created_by(a.id).await.unwrap().is_empty());
    assert!(tx.dialogue(a.id).await.unwrap().is_none());
}

pub async fn savepoints_undo_part_of_a_transaction(store: &dyn Store) {
    let a = actor(store, "a").await;
    let mut tx = store.begin().await.unwrap();
    tx.savepoint().await.unwrap();
    tx.set_dialogue(a.id, Some("kept")).await.unwrap();
    tx.release_savepoint().await.unwrap();
    tx.savepoint().await.unwrap();
    tx.set_dialogue(a.id, Some("undone")).await.unwrap();
    assert!(tx.record_event("t", "e1", t0()).await.unwrap());
    tx.rollback_to_savepoint().await.unwrap();
    assert_eq!(tx.dialogue(a.id).await.unwrap().as_deref(), Some("kept"));
    // The event was undone too: it can be recorded again.
    assert!(tx.record_event("t", "e1", t0()).await.unwrap());
    tx.release_savepoint().await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.dialogue(a.id).await.unwrap().as_deref(), Some("kept"));
    assert!(!tx.record_event("t", "e1", t0()).await.unwrap());
}

pub async fn missing_rows_are_not_found(store: &dyn Store) {
    let a = actor(store, "a").await;
    let i = initiative(store, a.id, "I", None).await;
    let mut tx = store.begin().await.unwrap();
    let mut ghost = a.clone();
    ghost.id = ActorId(777_777);
    assert!(matches!(
        tx.update_actor(&ghost).await,
        Err(StoreError::NotFound(_))
    ));
    let mut gi = i.clone();
    gi.id = InitiativeId(777_777);
    assert!(matches!(
        tx.update_initiative(&gi).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        tx.delete_actor(ActorId(777_777)).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        tx.set_membership(&Membership {
            initiative: InitiativeId(777_777),
            actor: a.id,
            role: Role::Follower,
            since: t0(),
        })
        .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(
        tx.initiative(InitiativeId(777_777))
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn digests_alerts_and_reminders(store: &dyn Store) {
    let m = actor(store, "mairie").await;
    let a = actor(store, "a").await;
    let lyon = InseeCode::parse("69266").unwrap();
    let i = initiative(store, a.id, "Composteur", Some(p(45.76, 4.88))).await;
    let mut tx = store.begin().await.unwrap();
    // Municipalities of a commune: verified municipalities only.
    let mut mm = tx.actor(m.id).await.unwrap().unwrap();
    mm.kind = ActorKind::Municipality;
    mm.communes = vec![lyon.clone()];
    tx.update_actor(&mm).await.unwrap();
    assert!(tx.municipalities_of(&lyon).await.unwrap().is_empty());
    mm.verified = true;
    tx.update_actor(&mm).await.unwrap();
    assert_eq!(tx.municipalities_of(&lyon).await.unwrap(), vec![mm.clone()]);

    // Plans, due plans, ticks claimed once.
    assert_eq!(tx.digest_plan(m.id).await.unwrap(), None);
    let mut plan = DigestPlan::new(m.id, "Europe/Paris");
    plan.schedule = Some("0 9 * * 1".into());
    plan.next_at = Some(t0() + Duration::hours(1));
    plan.announcement = Some("Marché".into());
    tx.save_digest_plan(&plan).await.unwrap();
    assert!(tx.due_digest_plans(t0()).await.unwrap().is_empty());
    assert_eq!(
        tx.due_digest_plans(t0() + Duration::hours(1))
            .await
            .unwrap(),
        vec![plan.clone()]
    );
    plan.last_at = Some(t0());
    plan.announcement = None;
    tx.save_digest_plan(&plan).await.unwrap();
    assert_eq!(tx.digest_plan(m.id).await.unwrap(), Some(plan));
    assert!(tx.claim_digest_tick(m.id, t0()).await.unwrap());
    assert!(!tx.claim_digest_tick(m.id, t0()).await.unwrap());
    assert!(
        tx.claim_digest_tick(m.id, t0() + Duration::days(7))
            .await
            .unwrap()
    );
    // Many at once: only the new ones are claimed.
    let claimed = tx
        .claim_digest_ticks(&[
            (m.id, t0()),
            (m.id, t0() + Duration::days(14)),
            (a.id, t0()),
        ])
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
    assert!(claimed.contains(&a.id) && claimed.contains(&m.id));
    let mut other = DigestPlan::new(a.id, "UTC");
    other.next_at = Some(t0() + Duration::days(1));
    let mut mine = tx.digest_plan(m.id).await.unwrap().unwrap();
    mine.announcement = Some("Fête".into());
    mine.schedule = None;
    tx.save_digest_plans(&[mine.clone(), other.clone()])
        .await
        .unwrap();
    assert_eq!(tx.digest_plan(m.id).await.unwrap(), Some(mine));
    assert_eq!(tx.digest_plans_of(&[a.id, m.id]).await.unwrap().len(), 2);
    assert_eq!(tx.digest_plan(a.id).await.unwrap(), Some(other));

    // What a digest reads.
    assert_eq!(
        tx.initiatives_in_communes(std::slice::from_ref(&lyon))
            .await
            .unwrap(),
        vec![i.clone()]
    );
    assert!(
        tx.initiatives_in_communes(&[InseeCode::parse("75056").unwrap()])
            .await
            .unwrap()
            .is_empty()
    );
    for (k, at) in [(ActivityKind::Created, 0), (ActivityKind::Launched, 2)] {
        tx.insert_activity(&NewActivity {
            initiative: i.id,
            kind: k,
            ref_id: None,
            at: t0() + Duration::hours(at),
        })
        .await
        .unwrap();
    }
    let since = tx
        .activity_since(&[i.id], t0() + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(since.len(), 1);
    assert_eq!(since[0].kind, ActivityKind::Launched);
    let e = tx
        .insert_event(&NewEvent {
            initiative: i.id,
            title: "e".into(),
            starts_at: t0() + Duration::days(3),
            tz: "UTC".into(),
            place: None,
            created_by: a.id,
            created_at: t0(),
        })
        .await
        .unwrap();
    assert_eq!(
        tx.events_between(&[i.id], t0(), t0() + Duration::days(14))
            .await
            .unwrap(),
        vec![e.clone()]
    );
    assert!(
        tx.events_between(&[i.id], t0(), t0() + Duration::days(3))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        tx.events_starting(t0() + Duration::days(2), t0() + Duration::days(4))
            .await
            .unwrap(),
        vec![e.clone()]
    );

    // Many messages in one write; a repeated key writes none.
    let many: Vec<NewOutgoing> = (0..3)
        .map(|n| NewOutgoing {
            to: Address::new("test", format!("r{n}")),
            recipient: Some(a.id),
            reply: Reply::text(format!("digest {n}")),
            priority: Priority::Bulk,
            key: format!("many/{n}"),
            at: t0(),
        })
        .collect();
    tx.enqueue_many(&many).await.unwrap();
    let got = tx.pending_to(&Address::new("test", "r2")).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].reply, Reply::text("digest 2"));
    assert_eq!(got[0].priority, Priority::Bulk);
    assert_eq!(got[0].recipient, Some(a.id));
    let mut again = many[..1].to_vec();
    again[0].to = Address::new("test", "r9");
    assert!(matches!(
        tx.enqueue_many(&again).await,
        Err(StoreError::Duplicate(_))
    ));
    assert!(
        tx.pending_to(&Address::new("test", "r9"))
            .await
            .unwrap()
            .is_empty()
    );

    // Subscriptions near a place or to a commune.
    let mut near = Vec::new();
    for (center, commune) in [
        (Some(p(45.77, 4.89)), None),
        (Some(p(48.85, 2.35)), None),
        (None, Some(lyon.clone())),
    ] {
        near.push(
            tx.insert_subscription(&NewSubscription {
                actor: a.id,
                center,
                radius_m: 3000,
                commune,
                categories: vec![],
                created_at: t0(),
            })
            .await
            .unwrap(),
        );
    }
    let found = tx
        .subscriptions_near(
            std::slice::from_ref(&lyon),
            &p(45.76, 4.88).bounding_box(20_000.0),
        )
        .await
        .unwrap();
    assert_eq!(found, vec![near[0].clone(), near[2].clone()]);

    // Alerts: queued, listed, deleted up to an id.
    for kind in [AlertKind::NewInitiative, AlertKind::Update] {
        tx.queue_alert(&NewAlert {
            actor: a.id,
            initiative: i.id,
            kind,
            ref_id: Some(7),
            at: t0(),
        })
        .await
        .unwrap();
    }
    assert_eq!(tx.alerted_actors(t0()).await.unwrap(), vec![a.id]);
    let alerts = tx.alerts_of(a.id).await.unwrap();
    assert_eq!(alerts.len(), 2);
    assert_eq!(alerts[1].kind, AlertKind::Update);
    tx.delete_alerts(a.id, alerts[0].id).await.unwrap();
    assert_eq!(tx.alerts_of(a.id).await.unwrap(), vec![alerts[1].clone()]);
    assert_eq!(tx.alert_prefs(a.id).await.unwrap(), AlertPrefs::default());
    let prefs = AlertPrefs {
        enabled: false,
        quiet_from: 21 * 60 + 30,
        quiet_to: 7 * 60,
        last_sent_at: Some(t0()),
        hold_until: Some(t0() + Duration::hours(1)),
    };
    tx.set_alert_prefs(a.id, &prefs).await.unwrap();
    assert_eq!(tx.alert_prefs(a.id).await.unwrap(), prefs);
    // Held: not looked at before the time comes.
    assert!(tx.alerted_actors(t0()).await.unwrap().is_empty());
    assert_eq!(
        tx.alerted_actors(t0() + Duration::hours(1)).await.unwrap(),
        vec![a.id]
    );

    // Reminders, once each.
    assert!(tx.claim_reminder(e.id, Reminder::Day).await.unwrap());
    assert!(!tx.claim_reminder(e.id, Reminder::Day).await.unwrap());
    assert!(tx.claim_reminder(e.id, Reminder::Hour).await.unwrap());
    tx.commit().await.unwrap();

    // Forgetting the person takes their alerts and settings; the town hall's plan goes with it.
    let mut tx = store.begin().await.unwrap();
    tx.delete_actor(a.id).await.unwrap();
    assert!(tx.alerted_actors(t0()).await.unwrap().is_empty());
    assert_eq!(tx.alert_prefs(a.id).await.unwrap(), AlertPrefs::default());
    tx.delete_actor(m.id).await.unwrap();
    assert_eq!(tx.digest_plan(m.id).await.unwrap(), None);
}
