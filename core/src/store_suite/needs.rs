//! The conformance suite of one port (see `ports::needs`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;

use super::{actor, initiative, p, t0};
use crate::domain::*;
use crate::ports::{Store, StoreError};

pub async fn needs_offers_and_partners(store: &dyn Store) {
    let org = actor(store, "org").await;
    let ann = actor(store, "ann").await;
    let asso = actor(store, "asso").await;
    let i = initiative(store, org.id, "Jardin", Some(p(45.0, 4.0))).await;
    let j = initiative(store, org.id, "Compost", None).await;

    let mut tx = store.begin().await.unwrap();
    let new = NewNeed {
        initiative: i.id,
        kind: NeedKind::Volunteers,
        quantity: Some(5),
        detail: Some("samedi 12 avril, 9h-12h « et ça ? » 🌱".into()),
        created_by: org.id,
        created_at: t0(),
        until: Some(t0() + Duration::days(10)),
    };
    let b = tx.insert_need(&new).await.unwrap();
    assert_eq!(
        (b.kind, b.quantity, b.filled, b.status),
        (NeedKind::Volunteers, Some(5), 0, NeedStatus::Open)
    );
    assert_eq!(b.detail, new.detail);
    assert_eq!(b.until, new.until);
    assert_eq!(tx.need(b.id).await.unwrap(), Some(b.clone()));
    let money = tx
        .insert_need(&NewNeed {
            initiative: j.id,
            kind: NeedKind::Funding,
            quantity: Some(500),
            detail: None,
            ..new.clone()
        })
        .await
        .unwrap();
    assert!(matches!(
        tx.insert_need(&NewNeed {
            initiative: InitiativeId(999_999),
            ..new.clone()
        })
        .await,
        Err(StoreError::NotFound(_))
    ));
    let mut filled = money.clone();
    filled.filled = 1;
    filled.status = NeedStatus::Filled;
    filled.closed_at = Some(t0() + Duration::hours(1));
    tx.update_need(&filled).await.unwrap();
    assert_eq!(tx.need(money.id).await.unwrap(), Some(filled.clone()));
    assert_eq!(
        tx.needs_of(&[i.id, j.id], true).await.unwrap(),
        vec![b.clone()]
    );
    assert_eq!(
        tx.needs_of(&[j.id, i.id], false).await.unwrap(),
        vec![b.clone(), filled.clone()]
    );
    assert!(matches!(
        tx.update_need(&Need {
            id: NeedId(999_999),
            ..b.clone()
        })
        .await,
        Err(StoreError::NotFound(_))
    ));

    // Offers: a person's, an actor's; answered.
    let mine = tx
        .insert_offer(&NewOffer {
            initiative: i.id,
            need: Some(b.id),
            person: ann.id,
            as_actor: None,
            message: Some("Je viens avec ma brouette".into()),
            created_at: t0(),
        })
        .await
        .unwrap();
    assert_eq!(mine.status, OfferStatus::Pending);
    let theirs = tx
        .insert_offer(&NewOffer {
            initiative: i.id,
            need: None,
            person: asso.id,
            as_actor: Some(asso.id),
            message: None,
            created_at: t0() + Duration::minutes(1),
        })
        .await
        .unwrap();
    assert_eq!(tx.offer(mine.id).await.unwrap(), Some(mine.clone()));
    let mut accepted = theirs.clone();
    accepted.status = OfferStatus::Accepted;
    accepted.answered_at = Some(t0() + Duration::hours(2));
    accepted.answered_by = Some(org.id);
    tx.update_offer(&accepted).await.unwrap();
    assert_eq!(tx.offer(theirs.id).await.unwrap(), Some(accepted.clone()));
    assert_eq!(tx.partners_of(i.id).await.unwrap(), vec![asso.id]);
    assert!(tx.partners_of(j.id).await.unwrap().is_empty());
    assert_eq!(tx.offers_by(ann.id).await.unwrap(), vec![mine.clone()]);
    assert_eq!(
        tx.offers_for(i.id).await.unwrap(),
        vec![mine.clone(), accepted.clone()]
    );
    assert!(matches!(
        tx.insert_offer(&NewOffer {
            initiative: i.id,
            need: Some(NeedId(999_999)),
            person: ann.id,
            as_actor: None,
            message: None,
            created_at: t0(),
        })
        .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        tx.update_offer(&Offer {
            id: OfferId(999_999),
            ..mine.clone()
        })
        .await,
        Err(StoreError::NotFound(_))
    ));
    tx.commit().await.unwrap();

    // Erased: a person's own offers go; an actor's stays, without them.
    let mut tx = store.begin().await.unwrap();
    tx.delete_actor(ann.id).await.unwrap();
    assert_eq!(tx.offer(mine.id).await.unwrap(), None);
    tx.delete_actor(org.id).await.unwrap();
    assert_eq!(tx.need(b.id).await.unwrap().unwrap().created_by, None);
    let kept = tx.offer(theirs.id).await.unwrap().unwrap();
    assert_eq!(kept.answered_by, None);
    assert_eq!(kept.as_actor, Some(asso.id));
    tx.commit().await.unwrap();
}

pub async fn open_needs_in_the_index_feed_and_skilled_people(store: &dyn Store) {
    let org = actor(store, "org2").await;
    let i = initiative(store, org.id, "Jardin", Some(p(45.0, 4.0))).await;
    let mut near = actor(store, "near").await;
    let far = actor(store, "far").await;
    let nobody = actor(store, "noskills").await;
    let start = store
        .read()
        .await
        .unwrap()
        .initiative_changes_cursor()
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    let need = |kind| NewNeed {
        initiative: i.id,
        kind,
        quantity: None,
        detail: None,
        created_by: org.id,
        created_at: t0(),
        until: None,
    };
    tx.insert_need(&need(NeedKind::Skill)).await.unwrap();
    tx.insert_need(&need(NeedKind::Skill)).await.unwrap();
    let place = tx.insert_need(&need(NeedKind::Place)).await.unwrap();
    tx.commit().await.unwrap();
    let (_, changed) =
        super::initiative_changes_seen(store, &start, |(_, changed)| !changed.is_empty()).await;
    let bits = NeedKind::Skill.bit() | NeedKind::Place.bit();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].1.unwrap().needs, bits);
    let mut tx = store.begin().await.unwrap();
    let located = tx.located_initiatives().await.unwrap();
    assert_eq!(located.iter().find(|l| l.id == i.id).unwrap().needs, bits);
    let mut closed = place.clone();
    closed.status = NeedStatus::Closed;
    tx.update_need(&closed).await.unwrap();
    let located = tx.located_initiatives().await.unwrap();
    assert_eq!(
        located.iter().find(|l| l.id == i.id).unwrap().needs,
        NeedKind::Skill.bit()
    );

    // People with skills, where they last were.
    near.location = Some(p(45.01, 4.01));
    tx.update_actor(&near).await.unwrap();
    let mut far2 = far.clone();
    far2.location = Some(p(48.0, 2.0));
    tx.update_actor(&far2).await.unwrap();
    let mut n2 = nobody.clone();
    n2.location = Some(p(45.0, 4.0));
    tx.update_actor(&n2).await.unwrap();
    for a in [near.id, far.id] {
        let mut profile = ActorProfile::empty(a, t0());
        profile.skills = vec!["jardinage".into()];
        profile.skills_radius_m = Some(3000);
        tx.save_actor_profile(&profile).await.unwrap();
    }
    let found = tx
        .skilled_people_in(&p(45.0, 4.0).bounding_box(10_000.0))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, near.id);
    assert_eq!(found[0].1, p(45.01, 4.01));
    assert_eq!(found[0].2.skills, vec!["jardinage".to_owned()]);
    // Whose skills alert about it waits.
    assert!(tx.need_alerts_waiting(i.id).await.unwrap().is_empty());
    for kind in [AlertKind::Need, AlertKind::NewInitiative] {
        tx.queue_alert(&NewAlert {
            actor: if kind == AlertKind::Need {
                near.id
            } else {
                far.id
            },
            initiative: i.id,
            kind,
            ref_id: Some(place.id.0),
            at: t0(),
        })
        .await
        .unwrap();
    }
    assert_eq!(tx.need_alerts_waiting(i.id).await.unwrap(), vec![near.id]);
    tx.commit().await.unwrap();
}
