//! The conformance suite of one port (see `ports::intake`).
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

pub async fn exactly_once_intake(store: &dyn Store) {
    let mut tx = store.begin().await.unwrap();
    assert!(tx.mark_seen("telegram", "1001", t0()).await.unwrap());
    assert!(!tx.mark_seen("telegram", "1001", t0()).await.unwrap());
    assert!(tx.mark_seen("matrix", "1001", t0()).await.unwrap());
    assert!(tx.seen("telegram", "1001").await.unwrap());
    assert!(!tx.seen("telegram", "1009").await.unwrap());
    tx.commit().await.unwrap();
    let mut r = store.read().await.unwrap();
    assert!(r.seen("matrix", "1001").await.unwrap());
    assert!(!r.seen("matrix", "« 1001 »").await.unwrap());
    drop(r);
    // Rolled back with its transaction: seen again later.
    {
        let mut tx = store.begin().await.unwrap();
        assert!(tx.mark_seen("telegram", "1002", t0()).await.unwrap());
    }
    let mut tx = store.begin().await.unwrap();
    assert!(tx.mark_seen("telegram", "1002", t0()).await.unwrap());
    assert!(!tx.mark_seen("telegram", "1001", t0()).await.unwrap());
    assert_eq!(tx.prune(t0() + Duration::seconds(1)).await.unwrap(), 3);
    assert!(tx.mark_seen("telegram", "1001", t0()).await.unwrap());
    // A failed event is recorded (seen, with why), seen or not before.
    tx.mark_failed_update("telegram", "1003", "injected", t0())
        .await
        .unwrap();
    assert!(!tx.mark_seen("telegram", "1003", t0()).await.unwrap());
    assert!(tx.seen("telegram", "1003").await.unwrap());
    tx.mark_failed_update("telegram", "1001", "after all", t0())
        .await
        .unwrap();
    assert!(!tx.mark_seen("telegram", "1001", t0()).await.unwrap());
    assert_eq!(tx.prune(t0() + Duration::seconds(1)).await.unwrap(), 2);
}
