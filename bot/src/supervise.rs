//! Supervised tasks: every long-running task of `kohero serve` (intakes,
//! delivery workers, the scheduler, the pruner, leases, the index follower) runs
//! under a supervisor that restarts it with backoff when it ends or panics
//! before it was told to stop. `/readyz` says which task is down and why; a
//! task that keeps failing makes the process exit non-zero, so that a service
//! manager restarts it whole.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use kohero_core::unwind::panic_message;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// How many failures in a row a task may have before the process gives up.
pub const MAX_FAILURES: u32 = 6;
/// A run longer than this was healthy: the failure count starts again.
pub const HEALTHY_RUN: Duration = Duration::from_secs(120);
/// The first restart delay; it doubles with each failure in a row.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// The longest restart delay.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What a supervised task is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskState {
    Running,
    /// Ended or panicked; restarts after a delay.
    Down {
        why: String,
        failures: u32,
    },
    /// Failed too often: the process is stopping.
    GaveUp {
        why: String,
    },
}

/// The state of every supervised task, by name, for `/readyz` and `/metrics`.
#[derive(Debug, Default)]
pub struct Health {
    tasks: Mutex<BTreeMap<String, TaskState>>,
    restarts: std::sync::atomic::AtomicU64,
}

impl Health {
    fn set(&self, name: &str, state: TaskState) {
        self.tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_owned(), state);
    }

    /// Every task and its state, by name.
    pub fn tasks(&self) -> BTreeMap<String, TaskState> {
        self.tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether every task runs.
    pub fn all_running(&self) -> bool {
        self.tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .all(|s| *s == TaskState::Running)
    }

    /// Restarts since the process started (`kohero_task_restarts_total`).
    pub fn restarts(&self) -> u64 {
        self.restarts.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Runs tasks and restarts them; tells when one cannot be kept up.
pub struct Supervisor {
    tasks: JoinSet<()>,
    health: Arc<Health>,
    stop: watch::Receiver<bool>,
    gave_up: watch::Sender<Option<String>>,
    backoff: (Duration, Duration),
}

/// Its parts hold connections, clients or closures: shown by name only.
impl std::fmt::Debug for Supervisor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Supervisor").finish_non_exhaustive()
    }
}

/// Aborts a task when dropped (its supervisor stopped or was aborted).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Supervisor {
    pub fn new(stop: watch::Receiver<bool>) -> Self {
        Self {
            tasks: JoinSet::new(),
            health: Arc::default(),
            stop,
            gave_up: watch::channel(None).0,
            backoff: (FIRST_BACKOFF, MAX_BACKOFF),
        }
    }

    /// Shorter restart delays (tests).
    pub fn with_backoff(mut self, first: Duration, max: Duration) -> Self {
        self.backoff = (first, max);
        self
    }

    pub fn health(&self) -> Arc<Health> {
        self.health.clone()
    }

    /// Tells which task could not be kept up, once one cannot.
    pub fn gave_up(&self) -> watch::Receiver<Option<String>> {
        self.gave_up.subscribe()
    }

    /// Runs `make()` as task `name` until the stop signal, and again after it
    /// ends or panics before that.
    pub fn spawn<F, Fut>(&mut self, name: impl Into<String>, make: F)
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let name = name.into();
        let health = self.health.clone();
        let mut stop = self.stop.clone();
        let gave_up = self.gave_up.clone();
        let (first, max) = self.backoff;
        health.set(&name, TaskState::Running);
        self.tasks.spawn(async move {
            let mut failures = 0u32;
            loop {
                health.set(&name, TaskState::Running);
                let started = Instant::now();
                let mut run = AbortOnDrop(tokio::spawn(make()));
                let ended = (&mut run.0).await;
                if *stop.borrow() {
                    break;
                }
                let why = match ended {
                    Ok(()) => "ended on its own".to_owned(),
                    Err(e) if e.is_panic() => {
                        format!("panicked: {}", panic_message(e.into_panic().as_ref()))
                    }
                    Err(e) => format!("cancelled: {e}"),
                };
                if started.elapsed() >= HEALTHY_RUN {
                    failures = 0;
                }
                failures += 1;
                health
                    .restarts
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if failures > MAX_FAILURES {
                    tracing::error!(task = %name, %why, failures, "task keeps failing: stopping the process");
                    health.set(&name, TaskState::GaveUp { why: why.clone() });
                    gave_up.send_replace(Some(format!("{name}: {why}")));
                    break;
                }
                let wait = first
                    .saturating_mul(1 << (failures - 1).min(16))
                    .min(max);
                tracing::error!(task = %name, %why, failures, restart_in = ?wait, "task stopped; restarting it");
                health.set(
                    &name,
                    TaskState::Down {
                        why: why.clone(),
                        failures,
                    },
                );
                tokio::select! {
                    _ = stop.changed() => break,
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        });
    }

    /// Waits for every task to finish (after the stop signal).
    pub async fn join_all(&mut self) {
        while self.tasks.join_next().await.is_some() {}
    }

    pub fn abort_all(&mut self) {
        self.tasks.abort_all();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn a_panicking_task_is_restarted_and_reported_down_meanwhile() {
        let (stop_tx, stop) = watch::channel(false);
        let mut s =
            Supervisor::new(stop).with_backoff(Duration::from_millis(200), Duration::from_secs(1));
        let health = s.health();
        let runs = Arc::new(AtomicU32::new(0));
        let r = runs.clone();
        let stopping = stop_tx.subscribe();
        s.spawn("flaky", move || {
            let n = r.fetch_add(1, Ordering::SeqCst);
            let mut stop = stopping.clone();
            async move {
                if n == 0 {
                    panic!("first run fails");
                }
                let _ = stop.wait_for(|s| *s).await;
            }
        });
        tokio::time::sleep(Duration::from_millis(80)).await;
        let TaskState::Down { why, failures } = health.tasks()["flaky"].clone() else {
            panic!("{:?}", health.tasks());
        };
        assert!(why.contains("first run fails"), "{why}");
        assert_eq!(failures, 1);
        assert!(!health.all_running());
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 2);
        assert!(health.all_running());
        assert_eq!(health.restarts(), 1);
        stop_tx.send_replace(true);
        tokio::time::timeout(Duration::from_secs(2), s.join_all())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_task_that_keeps_failing_stops_the_process() {
        let (_stop_tx, stop) = watch::channel(false);
        let mut s =
            Supervisor::new(stop).with_backoff(Duration::from_millis(1), Duration::from_millis(5));
        let mut gave_up = s.gave_up();
        s.spawn("broken", || async {});
        tokio::time::timeout(Duration::from_secs(5), gave_up.wait_for(Option::is_some))
            .await
            .unwrap()
            .unwrap();
        let why = gave_up.borrow().clone().unwrap();
        assert!(why.starts_with("broken: ended on its own"), "{why}");
        assert!(matches!(
            s.health().tasks()["broken"],
            TaskState::GaveUp { .. }
        ));
    }
}
