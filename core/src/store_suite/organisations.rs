//! The conformance suite of one port (see `ports::organisations`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;

use super::{actor, initiative, p, t0};
use crate::domain::*;
use crate::ports::{Store, StoreError};

async fn verify(store: &dyn Store, a: &Actor, kind: ActorKind, communes: &[&str]) -> Actor {
    let mut tx = store.begin().await.unwrap();
    let mut a = a.clone();
    a.kind = kind;
    a.verified = true;
    a.communes = communes
        .iter()
        .map(|c| InseeCode::parse(c).unwrap())
        .collect();
    tx.update_actor(&a).await.unwrap();
    tx.commit().await.unwrap();
    a
}

pub async fn profiles_teams_and_carried_initiatives(store: &dyn Store) {
    let asso = actor(store, "asso").await;
    let bob = actor(store, "bob").await;
    let carol = actor(store, "carol").await;
    let asso = verify(store, &asso, ActorKind::Association, &[]).await;

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.actor_profile(asso.id).await.unwrap(), None);
    let mut profile = ActorProfile::empty(asso.id, t0());
    profile.description = Some("Compost partagé, « et ça ? » 🌱".into());
    profile.categories = vec![Category::Compost, Category::Food];
    profile.place = Some(p(45.766, 4.879));
    profile.commune = InseeCode::parse("69266");
    profile.site = Some("https://compost.example.org".into());
    profile.contact = Some("bonjour@compost.example.org".into());
    tx.save_actor_profile(&profile).await.unwrap();
    assert_eq!(
        tx.actor_profile(asso.id).await.unwrap(),
        Some(profile.clone())
    );
    // Written again: the whole row.
    profile.site = None;
    profile.skills = vec!["jardinage".into(), "bricolage".into()];
    profile.skills_radius_m = Some(5000);
    profile.updated_at = t0() + Duration::hours(1);
    tx.save_actor_profile(&profile).await.unwrap();
    assert_eq!(
        tx.actor_profile(asso.id).await.unwrap(),
        Some(profile.clone())
    );
    let both = tx.actor_profiles(&[bob.id, asso.id]).await.unwrap();
    assert_eq!(both, vec![profile.clone()]);
    assert!(matches!(
        tx.save_actor_profile(&ActorProfile::empty(ActorId(999_999), t0()))
            .await,
        Err(StoreError::NotFound(_))
    ));

    // Teams: one actor per person.
    assert_eq!(tx.acts_for(bob.id).await.unwrap(), None);
    let m = TeamMember {
        actor: asso.id,
        member: bob.id,
        added_by: Some(asso.id),
        since: t0(),
        confirmed_at: None,
    };
    // Invited: acting for nobody yet.
    tx.add_team_member(&m).await.unwrap();
    assert_eq!(tx.acts_for(bob.id).await.unwrap(), None);
    assert!(tx.remove_team_member(asso.id, bob.id).await.unwrap());
    let m = TeamMember {
        confirmed_at: Some(t0()),
        ..m
    };
    tx.add_team_member(&m).await.unwrap();
    assert_eq!(tx.acts_for(bob.id).await.unwrap(), Some(asso.id));
    let again = TeamMember {
        actor: carol.id,
        ..m.clone()
    };
    assert!(matches!(
        tx.add_team_member(&again).await,
        Err(StoreError::Duplicate(_))
    ));
    tx.add_team_member(&TeamMember {
        member: carol.id,
        added_by: Some(bob.id),
        since: t0() + Duration::minutes(1),
        ..m.clone()
    })
    .await
    .unwrap();
    let team = tx.team_of(asso.id).await.unwrap();
    assert_eq!(
        team.iter().map(|t| t.member).collect::<Vec<_>>(),
        vec![bob.id, carol.id]
    );
    assert_eq!(team[0], m);
    assert!(tx.remove_team_member(asso.id, carol.id).await.unwrap());
    assert!(!tx.remove_team_member(asso.id, carol.id).await.unwrap());
    assert_eq!(tx.acts_for(carol.id).await.unwrap(), None);
    tx.commit().await.unwrap();

    // Carried initiatives, newest first.
    let i = initiative(store, bob.id, "Compost", None).await;
    let j = initiative(store, bob.id, "Jardin", None).await;
    let mut tx = store.begin().await.unwrap();
    tx.set_carried_by(i.id, Some(asso.id)).await.unwrap();
    tx.set_carried_by(j.id, Some(asso.id)).await.unwrap();
    let carried = tx.initiatives_carried_by(asso.id, 10).await.unwrap();
    assert_eq!(
        carried.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![j.id, i.id]
    );
    assert_eq!(carried[0].carried_by, Some(asso.id));
    assert_eq!(
        tx.initiatives_carried_by(asso.id, 1).await.unwrap().len(),
        1
    );
    tx.set_carried_by(j.id, None).await.unwrap();
    assert_eq!(
        tx.initiatives_carried_by(asso.id, 10).await.unwrap().len(),
        1
    );
    assert!(matches!(
        tx.set_carried_by(InitiativeId(999_999), None).await,
        Err(StoreError::NotFound(_))
    ));
    tx.commit().await.unwrap();

    // Following an actor.
    let mut tx = store.begin().await.unwrap();
    assert!(tx.follow_actor(carol.id, asso.id, t0()).await.unwrap());
    assert!(!tx.follow_actor(carol.id, asso.id, t0()).await.unwrap());
    assert!(tx.follow_actor(bob.id, asso.id, t0()).await.unwrap());
    assert_eq!(
        tx.followers_of_actor(asso.id).await.unwrap(),
        vec![bob.id, carol.id]
    );
    assert_eq!(
        tx.actors_followed_by(carol.id).await.unwrap(),
        vec![asso.id]
    );
    assert!(tx.unfollow_actor(carol.id, asso.id).await.unwrap());
    assert!(!tx.unfollow_actor(carol.id, asso.id).await.unwrap());
    assert!(tx.actors_followed_by(carol.id).await.unwrap().is_empty());
    tx.commit().await.unwrap();

    // Erasing a member takes them off the team; erasing the actor empties
    // its team and leaves its initiatives uncarried.
    let mut tx = store.begin().await.unwrap();
    tx.delete_actor(bob.id).await.unwrap();
    assert!(tx.team_of(asso.id).await.unwrap().is_empty());
    tx.add_team_member(&TeamMember {
        member: carol.id,
        added_by: None,
        ..m.clone()
    })
    .await
    .unwrap();
    tx.delete_actor(asso.id).await.unwrap();
    assert_eq!(tx.acts_for(carol.id).await.unwrap(), None);
    assert_eq!(tx.actor_profile(asso.id).await.unwrap(), None);
    assert!(tx.followers_of_actor(asso.id).await.unwrap().is_empty());
    assert_eq!(tx.initiative(i.id).await.unwrap().unwrap().carried_by, None);
    tx.commit().await.unwrap();
}

pub async fn the_actors_index_feed(store: &dyn Store) {
    let mairie = actor(store, "mairie").await;
    let asso = actor(store, "asso2").await;
    let citizen = actor(store, "citoyen").await;
    let mut tx = store.read().await.unwrap();
    let start = tx.actor_changes_cursor().await.unwrap();
    drop(tx);
    // A citizen's profile (skills) is no verified actor's.
    let mut tx = store.begin().await.unwrap();
    let mut skills = ActorProfile::empty(citizen.id, t0());
    skills.skills = vec!["jardinage".into()];
    tx.save_actor_profile(&skills).await.unwrap();
    tx.commit().await.unwrap();
    let mairie = verify(store, &mairie, ActorKind::Municipality, &["69266", "69123"]).await;
    let asso = verify(store, &asso, ActorKind::Association, &[]).await;
    let mut tx = store.begin().await.unwrap();
    let mut profile = ActorProfile::empty(asso.id, t0());
    profile.categories = vec![Category::Repair];
    profile.place = Some(p(45.75, 4.85));
    tx.save_actor_profile(&profile).await.unwrap();
    tx.commit().await.unwrap();

    super::actor_changes_seen(store, &start, |(_, changed)| {
        changed
            .iter()
            .filter(|c| c.0 == asso.id || c.0 == mairie.id)
            .count()
            == 2
    })
    .await;
    let mut tx = store.read().await.unwrap();
    let located = tx.located_actors().await.unwrap();
    let of = |id: ActorId| located.iter().find(|l| l.id == id).cloned();
    assert_eq!(
        of(mairie.id),
        Some(LocatedActor {
            id: mairie.id,
            kind: ActorKind::Municipality,
            categories: vec![],
            place: None,
            commune: InseeCode::parse("69123"),
        })
    );
    assert_eq!(
        of(asso.id),
        Some(LocatedActor {
            id: asso.id,
            kind: ActorKind::Association,
            categories: vec![Category::Repair],
            place: Some(p(45.75, 4.85)),
            commune: None,
        })
    );
    assert_eq!(of(citizen.id), None);
    let (next, changed) = tx.actor_changes(&start, 100).await.unwrap();
    assert_ne!(next, start);
    let ids: Vec<ActorId> = changed.iter().map(|c| c.0).collect();
    assert!(
        ids.contains(&mairie.id) && ids.contains(&asso.id),
        "{ids:?}"
    );
    // Each actor once, as it is now; the citizen's profile as no actor.
    assert_eq!(ids.iter().filter(|i| **i == asso.id).count(), 1);
    assert!(
        changed
            .iter()
            .all(|(id, l)| (*id == citizen.id) == l.is_none())
    );
    assert_eq!(
        tx.actor_changes(&next, 100).await.unwrap(),
        (next.clone(), vec![])
    );
    // Paged.
    let (first, page) = tx.actor_changes(&start, 1).await.unwrap();
    assert_eq!(page.len(), 1);
    assert!(first != start && first != next);
    drop(tx);

    // Unverified, then erased: each a change with no actor behind it.
    let mut tx = store.begin().await.unwrap();
    let mut plain = asso.clone();
    plain.kind = ActorKind::Citizen;
    plain.verified = false;
    tx.update_actor(&plain).await.unwrap();
    tx.commit().await.unwrap();
    let (after, changed) =
        super::actor_changes_seen(store, &next, |(_, changed)| !changed.is_empty()).await;
    assert_eq!(changed, vec![(asso.id, None)]);
    let mut tx = store.begin().await.unwrap();
    tx.delete_actor(mairie.id).await.unwrap();
    tx.commit().await.unwrap();
    let (_, changed) =
        super::actor_changes_seen(store, &after, |(_, changed)| !changed.is_empty()).await;
    let mut tx = store.read().await.unwrap();
    assert_eq!(changed, vec![(mairie.id, None)]);
    assert!(
        tx.located_actors()
            .await
            .unwrap()
            .iter()
            .all(|l| l.id != mairie.id && l.id != asso.id)
    );
}
