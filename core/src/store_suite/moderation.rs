//! The conformance suite of one port (see `ports::moderation`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;

use super::{actor, initiative, p, t0};
use crate::domain::*;
use crate::ports::{Store, StoreError};

fn report(target: Target, by: ActorId, reason: Reason, minutes: i64) -> NewReport {
    NewReport {
        target,
        reporter: by,
        reason,
        text: Some("« c'est de la pub » 🙄".into()),
        at: t0() + Duration::minutes(minutes),
    }
}

pub async fn reports_and_hiding(store: &dyn Store) {
    let a = actor(store, "a").await;
    let b = actor(store, "b").await;
    let c = actor(store, "c").await;
    let i = initiative(store, a.id, "Composteur", Some(p(45.77, 4.88))).await;
    let mut tx = store.begin().await.unwrap();
    let u = tx
        .insert_update(i.id, a.id, "Nouvelles", t0())
        .await
        .unwrap();
    let e = tx
        .insert_event(&NewEvent {
            initiative: i.id,
            title: "Atelier".into(),
            starts_at: t0() + Duration::days(3),
            tz: "Europe/Paris".into(),
            place: None,
            minutes: EVENT_MINUTES_DEFAULT,
            created_by: a.id,
            created_at: t0(),
        })
        .await
        .unwrap();
    assert!(!u.hidden && !e.hidden && !i.hidden);
    let ti = Target::Initiative(i.id);
    let tu = Target::Update(u.id);
    let r1 = tx
        .insert_report(&report(ti, b.id, Reason::Spam, 1))
        .await
        .unwrap();
    assert_eq!(r1.target, ti);
    assert_eq!(r1.reporter, b.id);
    assert_eq!(r1.reason, Reason::Spam);
    assert_eq!(r1.text.as_deref(), Some("« c'est de la pub » 🙄"));
    assert_eq!(r1.resolved_at, None);
    // One report per person and item; the transaction goes on.
    assert!(matches!(
        tx.insert_report(&report(ti, b.id, Reason::Other, 2)).await,
        Err(StoreError::Duplicate(_))
    ));
    tx.insert_report(&NewReport {
        text: None,
        ..report(ti, c.id, Reason::OffTopic, 3)
    })
    .await
    .unwrap();
    tx.insert_report(&report(tu, c.id, Reason::Offensive, 0))
        .await
        .unwrap();
    // The same id of another kind is another target.
    tx.insert_report(&report(
        Target::Actor(ActorId(i.id.0)),
        b.id,
        Reason::Spam,
        4,
    ))
    .await
    .unwrap();
    let open = tx.open_reports(10).await.unwrap();
    assert_eq!(
        open.iter().map(|r| r.target).collect::<Vec<_>>(),
        vec![tu, ti, ti, Target::Actor(ActorId(i.id.0))],
        "oldest first"
    );
    assert_eq!(tx.open_reports(2).await.unwrap().len(), 2);
    let on = tx.open_reports_on(ti).await.unwrap();
    assert_eq!(
        on.iter().map(|r| r.reporter).collect::<Vec<_>>(),
        vec![b.id, c.id]
    );
    assert_eq!(on[1].text, None);
    // Hiding: the item reads back hidden, and leaves the nearby index.
    tx.set_hidden(ti, Some(t0())).await.unwrap();
    tx.set_hidden(tu, Some(t0())).await.unwrap();
    tx.set_hidden(Target::Event(e.id), Some(t0()))
        .await
        .unwrap();
    assert!(tx.initiative(i.id).await.unwrap().unwrap().hidden);
    assert!(tx.update_by_id(u.id).await.unwrap().unwrap().hidden);
    assert!(tx.event(e.id).await.unwrap().unwrap().hidden);
    assert!(
        tx.located_initiatives()
            .await
            .unwrap()
            .iter()
            .all(|l| l.id != i.id)
    );
    tx.commit().await.unwrap();
    let (_, changes) = super::initiative_changes_seen(
        store,
        &crate::ports::ChangeCursor::default(),
        |(_, changes)| changes.iter().any(|(id, l)| *id == i.id && l.is_none()),
    )
    .await;
    let last = changes.iter().rev().find(|(id, _)| *id == i.id).unwrap();
    assert!(last.1.is_none(), "a hidden initiative leaves the index");
    let mut tx = store.begin().await.unwrap();
    // A write of the initiative's fields keeps it hidden.
    let mut again = tx.initiative(i.id).await.unwrap().unwrap();
    again.title = "Composteur partagé".into();
    tx.update_initiative(&again).await.unwrap();
    assert!(tx.initiative(i.id).await.unwrap().unwrap().hidden);
    for missing in [
        Target::Initiative(InitiativeId(987_654)),
        Target::Update(UpdateId(987_654)),
        Target::Event(EventId(987_654)),
        Target::Actor(a.id),
    ] {
        assert!(matches!(
            tx.set_hidden(missing, Some(t0())).await,
            Err(StoreError::NotFound(_))
        ));
    }
    tx.set_hidden(ti, None).await.unwrap();
    assert!(!tx.initiative(i.id).await.unwrap().unwrap().hidden);
    assert!(
        tx.located_initiatives()
            .await
            .unwrap()
            .iter()
            .any(|l| l.id == i.id)
    );
    // Resolving closes every open report on the target, and only those.
    assert_eq!(
        tx.resolve_reports(ti, t0() + Duration::hours(1))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        tx.resolve_reports(ti, t0() + Duration::hours(1))
            .await
            .unwrap(),
        0
    );
    assert!(tx.open_reports_on(ti).await.unwrap().is_empty());
    assert_eq!(tx.open_reports(10).await.unwrap().len(), 2);
    assert_eq!(tx.open_reports_by(b.id).await.unwrap(), 1);
    assert_eq!(tx.open_reports_by(c.id).await.unwrap(), 1);
    assert_eq!(tx.open_reports_by(a.id).await.unwrap(), 0);
    // Still one per person: a resolved report counts.
    assert!(matches!(
        tx.insert_report(&report(ti, b.id, Reason::Spam, 9)).await,
        Err(StoreError::Duplicate(_))
    ));
    // A reporter erased takes their reports along.
    tx.delete_actor(c.id).await.unwrap();
    assert!(tx.open_reports_on(tu).await.unwrap().is_empty());
    // Pruning: resolved reports before the date go, open ones stay.
    let n = tx
        .prune_moderation(t0() + Duration::days(1), t0(), t0())
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(tx.open_reports(10).await.unwrap().len(), 1);
    tx.insert_report(&report(ti, b.id, Reason::Spam, 9))
        .await
        .expect("a pruned report no longer counts");
    // A decided appeal is forgotten when its item is hidden again; an open
    // one, or another reason, stays.
    let appeal = NewReport {
        reason: Reason::Appeal,
        ..report(tu, a.id, Reason::Spam, 10)
    };
    tx.insert_report(&appeal).await.unwrap();
    assert!(!tx.reopen_appeal(tu, a.id).await.unwrap(), "still open");
    tx.resolve_reports(tu, t0()).await.unwrap();
    assert!(!tx.reopen_appeal(ti, a.id).await.unwrap(), "another target");
    assert!(tx.reopen_appeal(tu, a.id).await.unwrap());
    tx.insert_report(&appeal).await.expect("a second appeal");
    tx.resolve_reports(tu, t0()).await.unwrap();
    // A person's open reports are closed together (a banned reporter's).
    assert_eq!(tx.open_reports_by(b.id).await.unwrap(), 2);
    assert_eq!(tx.resolve_reports_by(b.id, t0()).await.unwrap(), 2);
    assert_eq!(tx.open_reports_by(b.id).await.unwrap(), 0);
    assert!(tx.open_reports(10).await.unwrap().is_empty());
    tx.commit().await.unwrap();
}

pub async fn moderators_bans_and_the_log(store: &dyn Store) {
    let a = actor(store, "a").await;
    let m = actor(store, "m").await;
    let n = actor(store, "n").await;
    let lyon = InseeCode::parse("69123").unwrap();
    let villeurbanne = InseeCode::parse("69266").unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.moderator_scope(m.id).await.unwrap(), None);
    tx.add_moderator(m.id, Some(&villeurbanne)).await.unwrap();
    tx.add_moderator(m.id, Some(&lyon)).await.unwrap();
    tx.add_moderator(m.id, Some(&lyon)).await.unwrap();
    assert_eq!(
        tx.moderator_scope(m.id).await.unwrap(),
        Some(ModeratorScope::Communes(vec![
            lyon.clone(),
            villeurbanne.clone()
        ]))
    );
    tx.add_moderator(n.id, None).await.unwrap();
    tx.add_moderator(n.id, Some(&lyon)).await.unwrap();
    assert_eq!(
        tx.moderator_scope(n.id).await.unwrap(),
        Some(ModeratorScope::Everywhere)
    );
    assert_eq!(
        tx.moderators().await.unwrap(),
        vec![
            (
                m.id,
                ModeratorScope::Communes(vec![lyon.clone(), villeurbanne])
            ),
            (n.id, ModeratorScope::Everywhere)
        ]
    );
    assert_eq!(tx.remove_moderator(m.id).await.unwrap(), 2);
    assert_eq!(tx.remove_moderator(m.id).await.unwrap(), 0);
    assert_eq!(tx.moderator_scope(m.id).await.unwrap(), None);
    assert!(matches!(
        tx.add_moderator(ActorId(987_654), None).await,
        Err(StoreError::NotFound(_))
    ));

    // Bans are by identity, replace each other, and outlive the person.
    let who = Identity::new("test", "a");
    assert_eq!(tx.ban_of(&who).await.unwrap(), None);
    let ban = Ban {
        identity: who.clone(),
        until: Some(t0() + Duration::days(7)),
        reason: "spam répété".into(),
        at: t0(),
    };
    tx.set_ban(&ban).await.unwrap();
    assert_eq!(tx.ban_of(&who).await.unwrap(), Some(ban.clone()));
    let for_good = Ban {
        until: None,
        ..ban.clone()
    };
    tx.set_ban(&for_good).await.unwrap();
    assert_eq!(tx.ban_of(&who).await.unwrap(), Some(for_good.clone()));
    // In force: for good, or not ended yet; newest first.
    let ended = Ban {
        identity: Identity::new("test", "ended"),
        until: Some(t0() - Duration::days(1)),
        at: t0() - Duration::days(9),
        ..ban.clone()
    };
    let week = Ban {
        identity: Identity::new("test", "week"),
        at: t0() - Duration::days(1),
        ..ban.clone()
    };
    tx.set_ban(&ended).await.unwrap();
    tx.set_ban(&week).await.unwrap();
    assert_eq!(
        tx.bans_in_force(t0(), 10).await.unwrap(),
        vec![for_good.clone(), week.clone()]
    );
    assert_eq!(
        tx.bans_in_force(t0(), 1).await.unwrap(),
        vec![for_good.clone()]
    );
    assert_eq!(
        tx.bans_in_force(t0() + Duration::days(8), 10)
            .await
            .unwrap(),
        vec![for_good.clone()]
    );
    tx.lift_ban(&ended.identity).await.unwrap();
    tx.lift_ban(&week.identity).await.unwrap();
    // The log about a person, oldest first.
    let first = tx
        .insert_log(&NewLogEntry {
            at: t0(),
            moderator: Some(n.id),
            subject: Some(a.id),
            action: ModAction::Hide,
            target: Some(Target::Update(UpdateId(3))),
            reason: "spam".into(),
        })
        .await
        .unwrap();
    assert_eq!(first.moderator, Some(n.id));
    assert_eq!(first.target, Some(Target::Update(UpdateId(3))));
    tx.insert_log(&NewLogEntry {
        at: t0() + Duration::minutes(5),
        moderator: None,
        subject: Some(a.id),
        action: ModAction::Ban,
        target: None,
        reason: "spam répété".into(),
    })
    .await
    .unwrap();
    let about = tx.log_about(a.id).await.unwrap();
    assert_eq!(
        about.iter().map(|l| l.action).collect::<Vec<_>>(),
        vec![ModAction::Hide, ModAction::Ban]
    );
    assert_eq!(about[1].target, None);
    let recent = tx.recent_log(1).await.unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].action, ModAction::Ban);
    // Erasure: the ban stays, the log forgets whom it was about and who acted.
    tx.delete_actor(a.id).await.unwrap();
    tx.delete_actor(n.id).await.unwrap();
    assert_eq!(tx.ban_of(&who).await.unwrap(), Some(for_good));
    assert!(tx.log_about(a.id).await.unwrap().is_empty());
    let kept = tx.recent_log(10).await.unwrap();
    assert_eq!(kept.len(), 2);
    assert!(
        kept.iter()
            .all(|l| l.subject.is_none() && l.moderator.is_none())
    );
    assert_eq!(tx.moderators().await.unwrap(), vec![]);
    // Pruning: the log before the date, bans ended before theirs.
    let other = Identity::new("test", "z");
    tx.set_ban(&Ban {
        identity: other.clone(),
        ..ban
    })
    .await
    .unwrap();
    let pruned = tx
        .prune_moderation(t0(), t0() + Duration::minutes(1), t0() + Duration::days(8))
        .await
        .unwrap();
    assert_eq!(pruned, 2, "the older log line and the ended ban");
    assert_eq!(tx.ban_of(&other).await.unwrap(), None);
    assert!(
        tx.ban_of(&who).await.unwrap().is_some(),
        "a ban for good stays"
    );
    assert!(tx.lift_ban(&who).await.unwrap());
    assert!(!tx.lift_ban(&who).await.unwrap());
    assert_eq!(tx.recent_log(10).await.unwrap().len(), 1);
    tx.commit().await.unwrap();
}
