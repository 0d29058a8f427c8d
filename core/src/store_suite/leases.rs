//! The conformance suite of one port (see `ports::leases`).
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

pub async fn leases_and_claims(store: &dyn Store) {
    let lease = "network/telegram";
    let later = |s: i64| t0() + Duration::seconds(s);
    let mut tx = store.begin().await.unwrap();
    assert!(tx.acquire_lease(lease, "a", t0(), later(15)).await.unwrap());
    // Held: another process is refused, the holder renews.
    assert!(
        !tx.acquire_lease(lease, "b", later(5), later(20))
            .await
            .unwrap()
    );
    assert!(
        tx.acquire_lease(lease, "a", later(5), later(20))
            .await
            .unwrap()
    );
    assert!(
        !tx.acquire_lease(lease, "b", later(19), later(34))
            .await
            .unwrap()
    );
    // Another lease is independent.
    assert!(
        tx.acquire_lease("network/matrix", "b", later(19), later(34))
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    // Expired: taken over, and the old holder is refused.
    let mut tx = store.begin().await.unwrap();
    assert!(
        tx.acquire_lease(lease, "b", later(20), later(35))
            .await
            .unwrap()
    );
    assert!(
        !tx.acquire_lease(lease, "a", later(21), later(36))
            .await
            .unwrap()
    );
    // Released only by its holder.
    tx.give_up_lease(lease, "a").await.unwrap();
    assert!(
        !tx.acquire_lease(lease, "a", later(22), later(37))
            .await
            .unwrap()
    );
    tx.give_up_lease(lease, "b").await.unwrap();
    assert!(
        tx.acquire_lease(lease, "a", later(22), later(37))
            .await
            .unwrap()
    );
    assert_eq!(
        tx.lease_holder(lease).await.unwrap(),
        Some(("a".to_owned(), later(37)))
    );
    assert_eq!(tx.lease_holder("nothing").await.unwrap(), None);
    // Taken from a holder known dead, before it lapses; only from that holder.
    assert!(
        !tx.take_lease_from(lease, "b", "c", later(40))
            .await
            .unwrap()
    );
    assert!(
        tx.take_lease_from(lease, "a", "c", later(40))
            .await
            .unwrap()
    );
    assert!(
        !tx.acquire_lease(lease, "a", later(23), later(38))
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();

    // A new holder hands back the previous holder's claims on its network only.
    let tg = Address::new("telegram", "100");
    let mx = Address::new("matrix", "@a:x");
    let mut tx = store.begin().await.unwrap();
    for (to, key) in [(&tg, "c1"), (&tg, "c2"), (&mx, "c3")] {
        tx.enqueue(&out(to, None, "x", key, Priority::Bulk, t0()))
            .await
            .unwrap();
    }
    assert_eq!(
        tx.claim("telegram", t0(), later(60), 1)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        tx.claim("matrix", t0(), later(60), 10).await.unwrap().len(),
        1
    );
    assert_eq!(
        tx.claim("telegram", t0(), later(60), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        tx.claim("telegram", t0(), later(60), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(tx.unclaim_network("telegram").await.unwrap(), 2);
    assert_eq!(
        tx.claim("telegram", t0(), later(60), 10)
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(
        tx.claim("matrix", t0(), later(60), 10)
            .await
            .unwrap()
            .is_empty()
    );
    tx.commit().await.unwrap();
}
