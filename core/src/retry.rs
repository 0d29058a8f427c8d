//! Work run again when its transaction ran into a concurrent one
//! ([`StoreError::Conflict`](crate::ports::StoreError::Conflict)): on
//! PostgreSQL, transactions run `SERIALIZABLE` and the server gives one up
//! rather than let two interleave into a result no serial order gives.
//! Nothing of a given-up transaction is written, so running the same work
//! again is safe.

use std::future::Future;
use std::time::Duration;

/// How many times work is tried before its conflict is returned.
pub const ATTEMPTS: u32 = 10;

static CONFLICTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Transactions given up for a concurrent one so far in this process
/// (`kohero_store_conflicts_total`), whether run again or not.
pub fn conflicts() -> u64 {
    CONFLICTS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Counts one transaction given up for a concurrent one.
pub(crate) fn count_conflict() {
    CONFLICTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// An error that may be a conflict.
pub trait MayConflict {
    fn is_conflict(&self) -> bool;
}

/// Runs `attempt` until it ends otherwise than by a conflict, at most
/// [`ATTEMPTS`] times, pausing a little longer each time, at random (so the
/// transactions that collided do not collide again).
pub async fn on_conflict<T, E, F, Fut>(what: &str, mut attempt: F) -> Result<T, E>
where
    E: MayConflict + std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut n = 1;
    loop {
        let outcome = attempt().await;
        if matches!(&outcome, Err(e) if e.is_conflict()) {
            count_conflict();
        }
        match outcome {
            Err(e) if e.is_conflict() && n < ATTEMPTS => {
                tracing::debug!(work = what, attempt = n, error = %e, "ran into a concurrent transaction: again");
                tokio::time::sleep(pause(n)).await;
                n += 1;
            }
            Err(e) if e.is_conflict() => {
                tracing::warn!(work = what, attempts = n, error = %e, "gave up after repeated conflicts");
                return Err(e);
            }
            done => return done,
        }
    }
}

/// Before attempt `n + 1`: up to 1, 2, 4… ms (at most 128), at random.
pub fn pause(n: u32) -> Duration {
    let ceiling = 1u64 << n.clamp(1, 8).saturating_sub(1);
    Duration::from_micros(jitter() % (ceiling * 1000) + 100)
}

/// A random-enough number for a pause: the clock's nanoseconds, mixed.
fn jitter() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut x = nanos ^ 0x9e37_79b9_7f4a_7c15;
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^ (x >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::StoreError;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn conflicts_are_tried_again_other_errors_are_not() {
        let tries = AtomicU32::new(0);
        let r: Result<u32, StoreError> = on_conflict("test", || async {
            let n = tries.fetch_add(1, Ordering::SeqCst) + 1;
            if n < 3 {
                Err(StoreError::Conflict("40001".into()))
            } else {
                Ok(n)
            }
        })
        .await;
        assert_eq!(r.unwrap(), 3);

        let tries = AtomicU32::new(0);
        let r: Result<(), StoreError> = on_conflict("test", || async {
            tries.fetch_add(1, Ordering::SeqCst);
            Err(StoreError::NotFound("x".into()))
        })
        .await;
        assert!(matches!(r, Err(StoreError::NotFound(_))));
        assert_eq!(tries.load(Ordering::SeqCst), 1);

        let tries = AtomicU32::new(0);
        let r: Result<(), StoreError> = on_conflict("test", || async {
            tries.fetch_add(1, Ordering::SeqCst);
            Err(StoreError::Conflict("40P01".into()))
        })
        .await;
        assert!(r.unwrap_err().is_conflict());
        assert_eq!(tries.load(Ordering::SeqCst), ATTEMPTS);
    }

    #[test]
    fn pauses_grow_and_stay_short() {
        for n in 1..20 {
            let p = pause(n);
            assert!(p >= Duration::from_micros(100));
            assert!(p <= Duration::from_micros(128_100), "{n}: {p:?}");
        }
    }
}
