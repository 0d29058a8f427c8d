//! The conformance suite of one port (see `ports::transactions`).
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
            carried_by: None,
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
    assert!(tx.mark_seen("t", "e1", t0()).await.unwrap());
    tx.rollback_to_savepoint().await.unwrap();
    assert_eq!(tx.dialogue(a.id).await.unwrap().as_deref(), Some("kept"));
    // The event was undone too: it can be recorded again.
    assert!(tx.mark_seen("t", "e1", t0()).await.unwrap());
    tx.release_savepoint().await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.dialogue(a.id).await.unwrap().as_deref(), Some("kept"));
    assert!(!tx.mark_seen("t", "e1", t0()).await.unwrap());
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

pub async fn reads_wait_for_no_writer_and_write_nothing(store: &dyn Store) {
    let a = actor(store, "a").await;
    // A writer in the middle of its transaction holds no reader up, and a
    // reader sees what was committed, not what is being written.
    let mut w = store.begin().await.unwrap();
    let mut changed = w.actor(a.id).await.unwrap().unwrap();
    changed.display_name = "pas encore".into();
    w.update_actor(&changed).await.unwrap();
    let mut r = tokio::time::timeout(std::time::Duration::from_secs(5), store.read())
        .await
        .expect("a read waited for the writer")
        .unwrap();
    assert_eq!(r.actor(a.id).await.unwrap().unwrap().display_name, "a");
    // Writes in a read-only transaction fail (and leave nothing).
    assert!(
        r.insert_actor(&NewActor {
            identity: Identity::new("test", "intrus"),
            display_name: "intrus".into(),
            lang: Lang::Fr,
            created_at: t0(),
        })
        .await
        .is_err()
    );
    drop(r);
    w.commit().await.unwrap();
    let mut r = store.read().await.unwrap();
    assert_eq!(
        r.actor(a.id).await.unwrap().unwrap().display_name,
        "pas encore"
    );
    assert!(
        r.actor_by_identity(&Identity::new("test", "intrus"))
            .await
            .unwrap()
            .is_none()
    );
}

/// A transaction on rows alone (`begin_rows`, the outbox's): it claims,
/// records outcomes and commits like any other, and what it commits is
/// there; dropped, nothing is.
pub async fn row_transactions_claim_and_commit(store: &dyn Store) {
    let to = Address::new("telegram", "42");
    let mut tx = store.begin().await.unwrap();
    let id = tx
        .enqueue(&out(
            &to,
            None,
            "« et ça ? » 🌱",
            "rows/1",
            Priority::Interactive,
            t0(),
        ))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    {
        let mut tx = store.begin_rows().await.unwrap();
        let got = tx
            .claim("telegram", t0(), t0() + Duration::seconds(30), 10)
            .await
            .unwrap();
        assert_eq!(got.len(), 1);
        tx.mark_sent(&[id], t0()).await.unwrap();
        // dropped without commit
    }
    // Nothing of it was committed. Its row locks go with its rollback,
    // which a pooled store may send a moment later (PostgreSQL: when the
    // connection goes back to the pool); meanwhile a claim skips the row.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut tx = loop {
        let mut tx = store.begin_rows().await.unwrap();
        let got = tx
            .claim("telegram", t0(), t0() + Duration::seconds(30), 10)
            .await
            .unwrap();
        if !got.is_empty() || std::time::Instant::now() > deadline {
            assert_eq!(got.iter().map(|o| o.id).collect::<Vec<_>>(), vec![id]);
            break tx;
        }
        drop(tx);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    tx.mark_sent(&[id], t0()).await.unwrap();
    tx.commit().await.unwrap();
    let mut r = store.read().await.unwrap();
    assert_eq!(r.outbox_stats("telegram").await.unwrap().pending, 0);
    assert!(r.outgoing(id).await.unwrap().is_some());
}
