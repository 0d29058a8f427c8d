//! The conformance suite of one port (see `ports::consultations`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;

use super::{actor, t0};
use crate::domain::*;
use crate::ports::{Store, StoreError};

fn new(municipality: ActorId, options: usize, multiple: bool) -> NewConsultation {
    NewConsultation {
        municipality,
        communes: vec![InseeCode::parse("69266").unwrap()],
        question: "Faut-il piétonniser la rue Pasteur le dimanche ? « et ça ? » 🚲".into(),
        options: (1..=options).map(|i| format!("Option {i} d'été")).collect(),
        multiple,
        ends_at: t0() + Duration::days(10),
        created_at: t0(),
        sent_at: None,
    }
}

pub async fn votes_counts_and_the_close(store: &dyn Store) {
    let mairie = actor(store, "mairie").await;
    let other = actor(store, "autre mairie").await;
    let (a, b, c) = (
        actor(store, "a").await,
        actor(store, "b").await,
        actor(store, "c").await,
    );
    let mut tx = store.begin().await.unwrap();
    let c3 = tx
        .insert_consultation(&new(mairie.id, 10, true))
        .await
        .unwrap();
    assert_eq!(c3.options.len(), 10);
    assert_eq!(c3.question, new(mairie.id, 10, true).question);
    assert!(c3.multiple && c3.sent_at.is_none() && c3.closed_at.is_none());
    assert_eq!(tx.consultation(c3.id).await.unwrap(), Some(c3.clone()));
    let mut later = new(other.id, 2, false);
    later.sent_at = Some(t0());
    let c4 = tx.insert_consultation(&later).await.unwrap();
    assert_eq!(
        tx.consultation(ConsultationId(999_999)).await.unwrap(),
        None
    );
    assert_eq!(
        tx.consultations_of(mairie.id, 10).await.unwrap(),
        vec![c3.clone()]
    );
    // Waiting for the digest: c3 only (c4 was sent), and not once over.
    let waiting = tx
        .consultations_to_send(&[mairie.id, other.id], t0())
        .await
        .unwrap();
    assert_eq!(waiting, vec![c3.clone()]);
    assert!(
        tx.consultations_to_send(&[mairie.id], t0() + Duration::days(10))
            .await
            .unwrap()
            .is_empty()
    );
    tx.mark_consultation_sent(c3.id, t0() + Duration::hours(1))
        .await
        .unwrap();
    assert!(
        tx.consultations_to_send(&[mairie.id], t0())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        tx.mark_consultation_sent(ConsultationId(999_999), t0())
            .await,
        Err(StoreError::NotFound(_))
    ));

    // Votes: one a person, replaced; options 1 and 10 at the edges.
    let first_last = Choices::one(0).toggled(9);
    tx.cast_vote(c3.id, a.id, Choices::one(1), t0())
        .await
        .unwrap();
    tx.cast_vote(c3.id, a.id, first_last, t0() + Duration::hours(2))
        .await
        .unwrap();
    tx.cast_vote(c3.id, b.id, Choices::one(0), t0())
        .await
        .unwrap();
    tx.cast_vote(c4.id, a.id, Choices::one(1), t0())
        .await
        .unwrap();
    let va = tx.vote_of(c3.id, a.id).await.unwrap().unwrap();
    assert_eq!((va.choices, va.at), (first_last, t0() + Duration::hours(2)));
    assert_eq!(tx.vote_of(c3.id, c.id).await.unwrap(), None);
    assert_eq!(
        tx.votes_of(a.id)
            .await
            .unwrap()
            .iter()
            .map(|v| v.consultation)
            .collect::<Vec<_>>(),
        vec![c3.id, c4.id]
    );
    let t = tx.tally(c3.id, 10).await.unwrap();
    assert_eq!(t.voters, 2);
    assert_eq!(t.counts, vec![2, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert_eq!(
        tx.tally(c4.id, 2).await.unwrap(),
        Tally {
            counts: vec![0, 1],
            voters: 1
        }
    );
    assert!(matches!(
        tx.cast_vote(ConsultationId(999_999), a.id, Choices::one(0), t0())
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        tx.cast_vote(c3.id, ActorId(999_999), Choices::one(0), t0())
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(tx.withdraw_vote(c4.id, a.id).await.unwrap());
    assert!(!tx.withdraw_vote(c4.id, a.id).await.unwrap());
    assert_eq!(tx.tally(c4.id, 2).await.unwrap().voters, 0);

    // Two people merged: one vote, the later one.
    tx.cast_vote(c3.id, c.id, Choices::one(4), t0() + Duration::hours(3))
        .await
        .unwrap();
    tx.merge_actors(b.id, c.id).await.unwrap();
    let vb = tx.vote_of(c3.id, b.id).await.unwrap().unwrap();
    assert_eq!(vb.choices, Choices::one(4));
    assert_eq!(tx.tally(c3.id, 10).await.unwrap().voters, 2);

    // Due at its end; closed once, counts kept, votes gone.
    assert!(
        tx.consultations_due(t0() + Duration::days(9), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let due = tx
        .consultations_due(t0() + Duration::days(10), 10)
        .await
        .unwrap();
    assert_eq!(
        due.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![c3.id, c4.id]
    );
    // Messages that showed a vote on c3 (keys ending in `/vote/ID`) go at
    // the close; others stay.
    let to = Address::new("test", "a");
    let mut keep = Vec::new();
    let mut gone = Vec::new();
    for (key, goes) in [
        (format!("e1/r0/vote/{}/", c3.id), true),
        (format!("e5/r0/vote/{}/vote/{}/", c4.id, c3.id), true),
        (format!("e2/r0/vote/{}1/", c3.id), false),
        (format!("e3/r0/vote/{}/", c4.id), false),
        ("e4/r0".to_owned(), false),
    ] {
        let id = tx
            .enqueue(&NewOutgoing::message(
                &to,
                crate::reply::Reply::text("Votre vote : Oui"),
                key,
                t0(),
            ))
            .await
            .unwrap();
        if goes { gone.push(id) } else { keep.push(id) }
    }
    let results = tx.tally(c3.id, 10).await.unwrap();
    let at = t0() + Duration::days(10);
    assert!(tx.close_consultation(c3.id, &results, at).await.unwrap());
    assert!(
        !tx.close_consultation(c3.id, &Tally::default(), at)
            .await
            .unwrap()
    );
    assert!(matches!(
        tx.close_consultation(ConsultationId(999_999), &results, at)
            .await,
        Err(StoreError::NotFound(_))
    ));
    for id in gone {
        assert_eq!(tx.outgoing(id).await.unwrap(), None);
    }
    for id in keep {
        assert!(tx.outgoing(id).await.unwrap().is_some());
    }
    let closed = tx.consultation(c3.id).await.unwrap().unwrap();
    assert_eq!(closed.closed_at, Some(at));
    assert_eq!(closed.results, Some(results));
    assert_eq!(tx.vote_of(c3.id, a.id).await.unwrap(), None);
    assert_eq!(tx.tally(c3.id, 10).await.unwrap().voters, 0);
    assert_eq!(
        tx.consultations_due(at, 10)
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect::<Vec<_>>(),
        vec![c4.id]
    );
    assert_eq!(
        tx.consultations_closed_since(&[mairie.id, other.id], at)
            .await
            .unwrap(),
        vec![closed.clone()]
    );
    assert!(
        tx.consultations_closed_since(&[other.id], t0())
            .await
            .unwrap()
            .is_empty()
    );
    // A person erased: their votes go with them.
    tx.cast_vote(c4.id, b.id, Choices::one(0), t0())
        .await
        .unwrap();
    tx.delete_actor(b.id).await.unwrap();
    assert_eq!(tx.tally(c4.id, 2).await.unwrap().voters, 0);
    tx.commit().await.unwrap();
}
