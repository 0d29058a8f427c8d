//! The conformance suite of one port (see `ports::projects`).
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

pub async fn memberships(store: &dyn Store) {
    let a = actor(store, "a").await;
    let b = actor(store, "b").await;
    let i = initiative(store, a.id, "I", None).await;
    let c = actor(store, "c").await;
    let d = actor(store, "d").await;
    let j = initiative(store, a.id, "J", None).await;
    let empty = initiative(store, a.id, "K", None).await;
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
    // Tallies: counted for each initiative with members, the person's role
    // with them; an initiative without members (or unknown) left out.
    for (who, role) in [
        (a.id, Role::Supporter),
        (c.id, Role::Supporter),
        (d.id, Role::Follower),
    ] {
        tx.set_membership(&Membership {
            initiative: j.id,
            actor: who,
            role,
            since: t0(),
        })
        .await
        .unwrap();
    }
    let asked = [j.id, InitiativeId(987_654), empty.id, i.id];
    let tally = |supporters, members, role| MemberTally {
        supporters,
        members,
        role,
    };
    assert_eq!(
        tx.member_tallies(&asked, b.id).await.unwrap(),
        vec![
            (i.id, tally(0, 2, Some(Role::Member))),
            (j.id, tally(2, 0, None)),
        ]
    );
    assert_eq!(
        tx.member_tallies(&asked, d.id).await.unwrap(),
        vec![
            (i.id, tally(0, 2, None)),
            (j.id, tally(2, 0, Some(Role::Follower))),
        ]
    );
    assert_eq!(
        tx.member_tallies(&[j.id], a.id).await.unwrap(),
        vec![(j.id, tally(2, 0, Some(Role::Supporter)))]
    );
    assert!(tx.member_tallies(&[], a.id).await.unwrap().is_empty());
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
        minutes: EVENT_MINUTES_DEFAULT,
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

pub async fn updates_by_id(store: &dyn Store) {
    let a = actor(store, "a").await;
    let i = initiative(store, a.id, "I", None).await;
    let mut tx = store.begin().await.unwrap();
    let u1 = tx.insert_update(i.id, a.id, "un", t0()).await.unwrap();
    let u2 = tx.insert_update(i.id, a.id, "deux", t0()).await.unwrap();
    let mut got = tx
        .updates_by_ids(&[u2.id.0, u1.id.0, 987_654])
        .await
        .unwrap();
    got.sort_by_key(|u| u.id);
    assert_eq!(got, vec![u1, u2]);
    assert!(tx.updates_by_ids(&[]).await.unwrap().is_empty());
}
