//! The conformance suite of one port (see `ports::adapter_state`).
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

pub async fn button_actions(store: &dyn Store) {
    let mut tx = store.begin().await.unwrap();
    let a = tx.remember_button("/voir 42", t0()).await.unwrap();
    let b = tx
        .remember_button("/participer E7 peutetre", t0())
        .await
        .unwrap();
    assert_ne!(a, b);
    assert_eq!(tx.remember_button("/voir 42", t0()).await.unwrap(), a);
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.recall_button(a).await.unwrap().as_deref(),
        Some("/voir 42")
    );
    assert_eq!(
        tx.recall_button(b).await.unwrap().as_deref(),
        Some("/participer E7 peutetre")
    );
    assert_eq!(tx.recall_button(987_654).await.unwrap(), None);
    assert_eq!(tx.recall_button(-1).await.unwrap(), None);
    // Giving a button out again keeps it; buttons not given out since go.
    let later = t0() + Duration::days(30);
    assert_eq!(tx.remember_button("/voir 42", later).await.unwrap(), a);
    // An older time does not make it look unused.
    assert_eq!(tx.remember_button("/voir 42", t0()).await.unwrap(), a);
    assert_eq!(tx.prune_buttons(t0() + Duration::days(1)).await.unwrap(), 1);
    assert_eq!(tx.recall_button(b).await.unwrap(), None);
    assert_eq!(
        tx.recall_button(a).await.unwrap().as_deref(),
        Some("/voir 42")
    );
    assert_eq!(
        tx.prune_buttons(later + Duration::days(1)).await.unwrap(),
        1
    );
    assert_eq!(tx.recall_button(a).await.unwrap(), None);
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

pub async fn what_adapters_keep_for_a_while_and_about_people(store: &dyn Store) {
    let mut tx = store.begin().await.unwrap();
    // Kept for a while: pruned with sent messages; kept for good: not.
    tx.set_network_state_for_a_while("matrix", "choices:$e1", "[\"/voir 1\"]", t0())
        .await
        .unwrap();
    tx.set_network_state("matrix", "session", Some("s"), t0())
        .await
        .unwrap();
    // What the Matrix adapter keeps about @ann: a value, and keys ending in her id.
    tx.set_network_state("matrix", "dmroom:!r1:x", Some("@ann:x"), t0())
        .await
        .unwrap();
    tx.set_network_state("matrix", "dm:@ann:x", Some("!r1:x"), t0())
        .await
        .unwrap();
    tx.set_network_state("matrix", "dm:@bob:x", Some("!r2:x"), t0())
        .await
        .unwrap();
    tx.set_network_state("telegram", "dm:@ann:x", Some("other network"), t0())
        .await
        .unwrap();
    assert_eq!(
        tx.forget_network_state("matrix", "@ann:x").await.unwrap(),
        2
    );
    assert_eq!(tx.network_state("matrix", "dm:@ann:x").await.unwrap(), None);
    assert_eq!(
        tx.network_state("matrix", "dmroom:!r1:x").await.unwrap(),
        None
    );
    assert!(
        tx.network_state("matrix", "dm:@bob:x")
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        tx.network_state("telegram", "dm:@ann:x")
            .await
            .unwrap()
            .is_some()
    );
    assert!(tx.prune(t0() + Duration::seconds(1)).await.unwrap() >= 1);
    assert_eq!(
        tx.network_state("matrix", "choices:$e1").await.unwrap(),
        None
    );
    assert!(
        tx.network_state("matrix", "session")
            .await
            .unwrap()
            .is_some()
    );
}
