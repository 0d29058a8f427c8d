//! The conformance suite of one port (see `ports::schedules`).
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
    assert_eq!(
        tx.record_digest_ticks(&[(m.id, t0())]).await.unwrap(),
        vec![m.id]
    );
    assert!(
        tx.record_digest_ticks(&[(m.id, t0())])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        tx.record_digest_ticks(&[(m.id, t0() + Duration::days(7))])
            .await
            .unwrap(),
        vec![m.id]
    );
    // Many at once: only the new ones are claimed.
    let claimed = tx
        .record_digest_ticks(&[
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
    let all: Vec<InitiativeId> = tx
        .initiatives_in_communes(std::slice::from_ref(&lyon))
        .await
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    let mut asked = all.clone();
    asked.reverse();
    asked.push(InitiativeId(987_654));
    assert_eq!(
        tx.initiative_summaries(&asked)
            .await
            .unwrap()
            .iter()
            .map(|i| i.id)
            .collect::<Vec<_>>(),
        all
    );
    assert!(tx.initiative_summaries(&[]).await.unwrap().is_empty());
    // Whole initiatives the same way: by id, unknown ones left out.
    let whole = tx.initiatives_by_ids(&asked).await.unwrap();
    assert_eq!(whole.iter().map(|i| i.id).collect::<Vec<_>>(), all);
    assert_eq!(
        tx.initiatives_by_ids(&[i.id]).await.unwrap(),
        vec![tx.initiative(i.id).await.unwrap().unwrap()]
    );
    assert!(tx.initiatives_by_ids(&[]).await.unwrap().is_empty());
    // A summary is the initiative without its description, hidden or not.
    let summary = InitiativeSummary::from(&i);
    assert_eq!(
        tx.initiative_summaries(&[i.id]).await.unwrap(),
        vec![summary.clone()]
    );
    assert_eq!(
        tx.initiative_summaries_in(&lyon, usize::MAX).await.unwrap(),
        vec![summary.clone()]
    );
    tx.set_hidden(Target::Initiative(i.id), Some(t0()))
        .await
        .unwrap();
    let hidden = tx.initiative_summaries_in(&lyon, usize::MAX).await.unwrap();
    assert!(hidden[0].hidden && !hidden[0].is_shown(), "{hidden:?}");
    assert_eq!(tx.initiative_summaries(&[i.id]).await.unwrap(), hidden);
    tx.set_hidden(Target::Initiative(i.id), None).await.unwrap();
    assert!(
        tx.initiative_summaries_in(&InseeCode::parse("75056").unwrap(), 10)
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
            minutes: EVENT_MINUTES_DEFAULT,
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
        .map(|n| {
            NewOutgoing::message(
                &Address::new("test", format!("r{n}")),
                Reply::text(format!("digest {n}")),
                format!("many/{n}"),
                t0(),
            )
            .for_person(Some(a.id))
            .bulk()
        })
        .collect();
    tx.enqueue_many(&many).await.unwrap();
    let got = tx.pending_to(&Address::new("test", "r2")).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].reply(), Some(&Reply::text("digest 2")));
    assert_eq!(got[0].priority, Priority::Bulk);
    assert_eq!(got[0].recipient, Some(a.id));
    let mut again = many[..1].to_vec();
    again[0].to = Destination::Chat("r9".into());
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
    assert!(tx.record_reminder(e.id, Reminder::Day).await.unwrap());
    assert!(!tx.record_reminder(e.id, Reminder::Day).await.unwrap());
    assert!(tx.record_reminder(e.id, Reminder::Hour).await.unwrap());
    tx.commit().await.unwrap();

    // Forgetting the person takes their alerts and settings; the town hall's plan goes with it.
    let mut tx = store.begin().await.unwrap();
    tx.delete_actor(a.id).await.unwrap();
    assert!(tx.alerted_actors(t0()).await.unwrap().is_empty());
    assert_eq!(tx.alert_prefs(a.id).await.unwrap(), AlertPrefs::default());
    tx.delete_actor(m.id).await.unwrap();
    assert_eq!(tx.digest_plan(m.id).await.unwrap(), None);
}

/// Digests sent, as communes' pages read them: newest first, per commune,
/// their announcement and initiatives as written.
pub async fn sent_digests_for_pages(store: &dyn Store) {
    let m = actor(store, "mairie").await;
    let lyon = InseeCode::parse("69123").unwrap();
    let villeurbanne = InseeCode::parse("69266").unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.record_sent_digests(&[]).await.unwrap();
    let new = |commune: &InseeCode, hours: i64, text: Option<&str>, ids: Vec<i64>| NewSentDigest {
        commune: commune.clone(),
        municipality: m.id,
        at: t0() + Duration::hours(hours),
        since: t0(),
        announcement: text.map(str::to_owned),
        initiatives: ids.into_iter().map(InitiativeId).collect(),
    };
    tx.record_sent_digests(&[
        new(&lyon, 1, Some("« Fête » des voisins 🎉 l'été"), vec![]),
        new(&villeurbanne, 1, None, vec![7, 3]),
    ])
    .await
    .unwrap();
    tx.record_sent_digests(&[new(&lyon, 2, None, vec![3, 1, 2])])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut r = store.read().await.unwrap();
    let got = r.sent_digests(&lyon, 10).await.unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].at, t0() + Duration::hours(2));
    assert_eq!(
        got[0].initiatives,
        vec![InitiativeId(3), InitiativeId(1), InitiativeId(2)]
    );
    assert_eq!(got[0].announcement, None);
    assert_eq!(
        got[1].announcement.as_deref(),
        Some("« Fête » des voisins 🎉 l'été")
    );
    assert!(got[1].initiatives.is_empty());
    assert_eq!(
        (got[1].commune.clone(), got[1].municipality, got[1].since),
        (lyon.clone(), m.id, t0())
    );
    assert_eq!(
        r.sent_digests(&lyon, 1).await.unwrap(),
        vec![got[0].clone()]
    );
    let v = r.sent_digests(&villeurbanne, 10).await.unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].initiatives, vec![InitiativeId(7), InitiativeId(3)]);
    assert!(
        r.sent_digests(&InseeCode::parse("75056").unwrap(), 10)
            .await
            .unwrap()
            .is_empty()
    );
}
