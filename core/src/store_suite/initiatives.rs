//! The conformance suite of one port (see `ports::initiatives`).
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

pub async fn initiatives(store: &dyn Store) {
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
            carried_by: None,
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
        needs: 0,
    };
    assert_eq!(located, vec![here_row]);
    tx.commit().await.unwrap();

    // The change log: every write committed after a cursor, each initiative
    // once, as it is now.
    super::initiative_changes_seen(store, &crate::ports::ChangeCursor::default(), |(_, all)| {
        all.contains(&(gone.id, None))
    })
    .await;
    let mut r = store.read().await.unwrap();
    let start = r.initiative_changes_cursor().await.unwrap();
    let (after_all, all) = r
        .initiative_changes(&crate::ports::ChangeCursor::default(), 100)
        .await
        .unwrap();
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
    let (mid, first) = r
        .initiative_changes(&crate::ports::ChangeCursor::default(), 2)
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    let (end, rest) = r.initiative_changes(&mid, 100).await.unwrap();
    assert_eq!(end, start);
    assert_eq!(rest.last().map(|r| r.0), Some(gone.id));
    drop(r);

    // A write not yet committed is no change yet; once committed, it is
    // read from the cursor taken before.
    let mut tx = store.begin().await.unwrap();
    let mut moved = here.clone();
    moved.place = Some(p(46.0, 5.0));
    tx.update_initiative(&moved).await.unwrap();
    let mut r = store.read().await.unwrap();
    let (_, none) = r.initiative_changes(&start, 100).await.unwrap();
    assert!(none.is_empty(), "{none:?}");
    drop(r);
    tx.commit().await.unwrap();
    super::initiative_changes_seen(store, &start, |(_, changed)| !changed.is_empty()).await;
    let mut r = store.read().await.unwrap();
    let (next, changed) = r.initiative_changes(&start, 100).await.unwrap();
    assert_ne!(next, start);
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
    assert_eq!(r.initiative_changes_cursor().await.unwrap(), next);
    assert!(r.initiative_changes(&next, 100).await.unwrap().1.is_empty());
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

/// A commune's page from the store: counts by status, the latest of each
/// live status, its activity and upcoming events, hidden ones left out.
pub async fn commune_pages(store: &dyn Store) {
    let a = actor(store, "a").await;
    let lyon = InseeCode::parse("69123").unwrap();
    let paris = InseeCode::parse("75056").unwrap();
    let mut tx = store.begin().await.unwrap();
    let mut made = Vec::new();
    // (title, commune, status, changed after t0 in hours, hidden)
    for (title, commune, status, hours, hidden) in [
        ("a « idée » 🌱", &lyon, Status::Open, 1, false),
        ("b l'idée", &lyon, Status::Open, 3, false),
        ("c projet", &lyon, Status::Active, 2, false),
        ("d abandon", &lyon, Status::Dropped, 5, false),
        ("h cachée", &lyon, Status::Open, 9, true),
        ("p Paris", &paris, Status::Open, 7, false),
    ] {
        let mut i = tx
            .insert_initiative(&NewInitiative {
                title: title.into(),
                description: "…".into(),
                category: Category::Repair,
                place: None,
                commune: Some(commune.clone()),
                created_by: a.id,
                created_at: t0(),
                carried_by: None,
            })
            .await
            .unwrap();
        i.status = status;
        i.updated_at = t0() + Duration::hours(hours);
        tx.update_initiative(&i).await.unwrap();
        if hidden {
            tx.set_hidden(Target::Initiative(i.id), Some(t0()))
                .await
                .unwrap();
        }
        made.push(i);
    }
    let [ia, ib, ic, _id, ih, ip] = made.try_into().unwrap();
    tx.commit().await.unwrap();

    let mut r = store.read().await.unwrap();
    let one = r.commune_overview(&lyon, 1).await.unwrap();
    let mut counts = one.counts.clone();
    counts.sort_by_key(|(s, _)| s.key());
    assert_eq!(
        counts,
        vec![(Status::Active, 1), (Status::Dropped, 1), (Status::Open, 2)]
    );
    assert_eq!((one.count(Status::Done), one.shown()), (0, 3));
    // The dropped one counts for the change, the hidden one not.
    assert_eq!(one.changed_at, Some(t0() + Duration::hours(5)));
    let ids = |o: &CommuneOverview| {
        let mut v: Vec<InitiativeId> = o.latest.iter().map(|s| s.id).collect();
        v.sort_by_key(|i| i.0);
        v
    };
    assert_eq!(ids(&one), vec![ib.id, ic.id]);
    let b = one.latest.iter().find(|s| s.id == ib.id).unwrap();
    assert_eq!(*b, InitiativeSummary::from(&ib));
    let all = r.commune_overview(&lyon, 10).await.unwrap();
    assert_eq!(ids(&all), vec![ia.id, ib.id, ic.id]);
    assert!(
        r.commune_overview(&lyon, 0)
            .await
            .unwrap()
            .latest
            .is_empty()
    );
    // The core's own choice from all of them (small communes) is the same.
    let every: Vec<InitiativeSummary> = r
        .initiative_summaries_in(&lyon, usize::MAX)
        .await
        .unwrap()
        .into_iter()
        .filter(|s| !s.hidden)
        .collect();
    let sorted = |mut o: CommuneOverview| {
        o.counts.sort_by_key(|(s, _)| s.key());
        o.latest.sort_by_key(|s| s.id.0);
        o
    };
    for n in [0, 1, 2, 10] {
        assert_eq!(
            sorted(r.commune_overview(&lyon, n).await.unwrap()),
            sorted(CommuneOverview::of(&every, n)),
            "{n} a status"
        );
    }
    assert_eq!(
        r.initiative_summaries_in(&lyon, 2)
            .await
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect::<Vec<_>>(),
        vec![ia.id, ib.id]
    );
    assert_eq!(
        r.commune_overview(&InseeCode::parse("13055").unwrap(), 10)
            .await
            .unwrap(),
        CommuneOverview::default()
    );
    drop(r);

    let mut tx = store.begin().await.unwrap();
    let mut acts = Vec::new();
    for (i, hours) in [(&ia, 1), (&ih, 2), (&ip, 3), (&ic, 4)] {
        acts.push(
            tx.insert_activity(&NewActivity {
                initiative: i.id,
                kind: ActivityKind::Updated,
                ref_id: None,
                at: t0() + Duration::hours(hours),
            })
            .await
            .unwrap(),
        );
    }
    let mut events = Vec::new();
    // (initiative, starts after t0 in days)
    for (i, days) in [(&ia, 3), (&ic, 2), (&ih, 1), (&ia, 4), (&ic, 5), (&ip, 2)] {
        events.push(
            tx.insert_event(&NewEvent {
                initiative: i.id,
                title: "Atelier « vélo »".into(),
                starts_at: t0() + Duration::days(days),
                tz: "Europe/Paris".into(),
                place: None,
                minutes: EVENT_MINUTES_DEFAULT,
                created_by: a.id,
                created_at: t0(),
            })
            .await
            .unwrap(),
        );
    }
    // The fourth is cancelled, the fifth hidden.
    let mut cancelled = events[3].clone();
    cancelled.cancelled_at = Some(t0());
    tx.change_event(&cancelled).await.unwrap();
    tx.set_hidden(Target::Event(events[4].id), Some(t0()))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut r = store.read().await.unwrap();
    assert_eq!(
        r.activity_in(&lyon, 10).await.unwrap(),
        vec![acts[3].clone(), acts[0].clone()]
    );
    assert_eq!(
        r.activity_in(&lyon, 1).await.unwrap(),
        vec![acts[3].clone()]
    );
    assert!(r.activity_in(&paris, 0).await.unwrap().is_empty());
    assert_eq!(
        r.activity_in(&paris, 5).await.unwrap(),
        vec![acts[2].clone()]
    );
    let to = t0() + Duration::days(14);
    assert_eq!(
        r.events_in(&lyon, t0(), to, 10).await.unwrap(),
        vec![events[1].clone(), events[0].clone()]
    );
    assert_eq!(
        r.events_in(&lyon, t0(), to, 1).await.unwrap(),
        vec![events[1].clone()]
    );
    assert_eq!(
        r.events_in(&lyon, t0() + Duration::days(2) + Duration::hours(1), to, 10)
            .await
            .unwrap(),
        vec![events[0].clone()]
    );
    assert!(
        r.events_in(&lyon, t0(), t0() + Duration::days(2), 10)
            .await
            .unwrap()
            .is_empty()
    );
}
