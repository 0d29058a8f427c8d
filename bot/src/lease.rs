//! Leases: the jobs only one process may do at a time when several `kohero
//! serve` share a database (PostgreSQL): polling a network (Telegram getUpdates,
//! the Matrix sync) and sending to it. Sending only from the holder keeps the
//! network's rate limits for the bot as a whole with the in-memory limiter (see
//! ARCHITECTURE.md). The lease is a row (`leases`) with a holder and an expiry:
//! renewed every [`RENEW`], it lapses [`TTL`] after the holder's last renewal,
//! and another process takes it at its next try, so a dead holder is replaced
//! within `TTL + RENEW` (20 s).

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use kohero_core::ports::{Store, StoreError};
use tokio::sync::watch;

/// How long a lease holds without renewal.
pub const TTL: Duration = Duration::from_secs(15);
/// How often the holder renews it, and others try to take it.
pub const RENEW: Duration = Duration::from_secs(5);

/// The lease of a network's polling and sending.
pub fn network_lease(network: &str) -> String {
    format!("network/{network}")
}

/// This process's name as a lease holder: host, process id and start time
/// (unique even when a process id comes back).
pub fn holder_id() -> String {
    format!(
        "{}/{}/{}",
        host(),
        std::process::id(),
        Utc::now().timestamp_millis()
    )
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "host".to_owned())
}

/// Whether a lease holder was a process of this host that no longer runs (a
/// `kohero serve` restarted after a crash takes its lease at once instead of
/// waiting for it to lapse). Only where `/proc` tells; a process id taken again
/// by another program only means waiting for the lapse.
fn gone_from_this_host(holder: &str) -> bool {
    let mut parts = holder.rsplitn(3, '/');
    let (Some(_started), Some(pid), Some(h)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    h == host()
        && pid != std::process::id()
        && std::path::Path::new("/proc/self").exists()
        && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Keeps trying to hold a network's lease until `stop`; `held` tells the
/// network's intake and delivery worker whether they may run. Taking the lease
/// over also hands back the claims on the network's messages (they were the
/// previous holder's). A renewal that fails or takes longer than [`RENEW`]
/// counts as lost: the process stops before the lease can lapse.
pub async fn keep(
    store: Arc<dyn Store>,
    network: String,
    holder: String,
    held: watch::Sender<bool>,
    mut stop: watch::Receiver<bool>,
) {
    let name = network_lease(&network);
    // Whatever ends this task (a stop, a panic, an abort), this process no
    // longer claims the lease: its intake and worker pause until it is kept
    // again.
    let _released = NotHeldOnExit(held.clone());
    while !*stop.borrow() {
        let was = *held.borrow();
        let tried = tokio::time::timeout(
            RENEW,
            kohero_core::retry::on_conflict("lease", || {
                attempt(store.as_ref(), &name, &network, &holder, was)
            }),
        )
        .await;
        let now_held = match tried {
            Ok(Ok(h)) => h,
            Ok(Err(e)) => {
                tracing::warn!(%network, error = %e, "cannot renew the lease");
                false
            }
            Err(_) => {
                tracing::warn!(%network, "renewing the lease took too long");
                false
            }
        };
        if now_held != was {
            if now_held {
                tracing::info!(%network, %holder, "lease taken: this process polls and sends");
            } else {
                tracing::warn!(%network, "lease lost: another process polls and sends");
            }
        }
        held.send_replace(now_held);
        tokio::select! {
            _ = stop.changed() => {}
            _ = tokio::time::sleep(RENEW) => {}
        }
    }
}

/// Says "not held" when dropped.
struct NotHeldOnExit(watch::Sender<bool>);

impl Drop for NotHeldOnExit {
    fn drop(&mut self) {
        self.0.send_replace(false);
    }
}

async fn attempt(
    store: &dyn Store,
    name: &str,
    network: &str,
    holder: &str,
    was_held: bool,
) -> Result<bool, StoreError> {
    let now = Utc::now();
    let until = now + chrono::Duration::from_std(TTL).unwrap_or_default();
    let mut tx = store.begin().await?;
    let mut held = tx.acquire_lease(name, holder, now, until).await?;
    if !held
        && let Some((current, _)) = tx.lease_holder(name).await?
        && gone_from_this_host(&current)
    {
        held = tx.take_lease_from(name, &current, holder, until).await?;
        if held {
            tracing::info!(%network, previous = %current, "lease taken from a process of this host that is gone");
        }
    }
    if held && !was_held {
        let n = tx.unclaim_network(network).await?;
        if n > 0 {
            tracing::info!(%network, messages = n, "claims of the previous holder handed back");
        }
    }
    tx.commit().await?;
    Ok(held)
}

/// Gives a network's lease up (a process stopping, its work drained), so that
/// another process takes over at its next try instead of after [`TTL`].
pub async fn give_up(store: &dyn Store, network: &str, holder: &str) {
    let r = kohero_core::retry::on_conflict("lease given up", || async {
        let mut tx = store.begin().await?;
        tx.give_up_lease(&network_lease(network), holder).await?;
        tx.commit().await
    })
    .await;
    if let Err(e) = r {
        tracing::warn!(%network, error = %e, "cannot give the lease up; it lapses by itself");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kohero_core::domain::{Address, NewOutgoing, Priority};

    /// A holder that dies without giving its lease up (its task aborted; the
    /// same process, so not "gone from this host"): the other keeper takes the
    /// lease once it lapses, within TTL + RENEW, and hands the claims back.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_lapsed_lease_is_taken_over_and_its_claims_handed_back() {
        let store: Arc<dyn Store> =
            Arc::new(kohero_store_sqlite::SqliteStore::in_memory().await.unwrap());
        let (_stop_tx, stop) = watch::channel(false);
        let (a_tx, mut a) = watch::channel(false);
        let me = holder_id();
        let first = tokio::spawn(keep(
            store.clone(),
            "telegram".into(),
            format!("{me}-a"),
            a_tx,
            stop.clone(),
        ));
        a.wait_for(|h| *h).await.unwrap();
        // The holder claims a message, then dies.
        let now = Utc::now();
        let mut tx = store.begin().await.unwrap();
        tx.enqueue(&NewOutgoing {
            priority: Priority::Bulk,
            ..NewOutgoing::message(
                &Address::new("telegram", "1"),
                kohero_core::Reply::text("x"),
                "k".into(),
                now,
            )
            .for_person(None)
        })
        .await
        .unwrap();
        let later = now + chrono::Duration::minutes(10);
        assert_eq!(tx.claim("telegram", now, later, 10).await.unwrap().len(), 1);
        tx.commit().await.unwrap();
        first.abort();
        let died = std::time::Instant::now();

        let (b_tx, mut b) = watch::channel(false);
        tokio::spawn(keep(
            store.clone(),
            "telegram".into(),
            format!("{me}-b"),
            b_tx,
            stop,
        ));
        tokio::time::timeout(TTL + RENEW + Duration::from_secs(2), b.wait_for(|h| *h))
            .await
            .expect("not taken over")
            .unwrap();
        let waited = died.elapsed();
        assert!(
            waited >= TTL - RENEW,
            "taken before the lease lapsed: {waited:?}"
        );
        let mut tx = store.begin().await.unwrap();
        let again = tx.claim("telegram", Utc::now(), later, 10).await.unwrap();
        assert_eq!(
            again.len(),
            1,
            "the dead holder's claim was not handed back"
        );
    }

    #[test]
    fn a_holder_is_gone_only_if_it_was_here_and_its_process_is_not() {
        let me = holder_id();
        assert!(!gone_from_this_host(&me));
        // A process id no running process has (above the kernel's limit).
        let dead = format!("{}/4194305/1", host());
        assert_eq!(
            gone_from_this_host(&dead),
            std::path::Path::new("/proc/self").exists()
        );
        assert!(!gone_from_this_host("elsewhere.example/4194305/1"));
        assert!(!gone_from_this_host("garbage"));
        // Our parent runs.
        let parent = std::fs::read_to_string("/proc/self/stat")
            .ok()
            .and_then(|s| s.split_whitespace().nth(3).map(str::to_owned))
            .unwrap_or_else(|| "1".into());
        assert!(!gone_from_this_host(&format!("{}/{parent}/1", host())));
    }
}
