//! The HTTP endpoints of `kohero serve`: `/healthz` (the process answers),
//! `/readyz` (every task up, each network's lease held somewhere and its
//! adapter connected here, the store answering a read) and `/metrics`
//! (Prometheus text). They read through `Store::read`, which waits for no
//! writer.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::Utc;
use kohero_core::Engine;
use kohero_core::ports::Store;
use tokio::sync::watch;

use crate::metrics::{Metrics, OutboxGauge};
use crate::supervise::{Health, TaskState};

#[derive(Clone)]
pub(crate) struct Http {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) engine: Arc<Engine>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) networks: Vec<HttpNetwork>,
    pub(crate) tasks: Arc<Health>,
    pub(crate) round_trips: Option<fn() -> u64>,
}

#[derive(Clone)]
pub(crate) struct HttpNetwork {
    pub(crate) name: String,
    pub(crate) connected: Arc<std::sync::atomic::AtomicBool>,
    pub(crate) held: watch::Receiver<bool>,
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(h): State<Http>) -> impl IntoResponse {
    // A read that opens proves the database answers (without waiting for
    // writers); dropping it ends it.
    let db = h.store.read().await.is_ok();
    let mut body = format!("database {}\n", if db { "ok" } else { "unreachable" });
    let mut ready = db;
    for n in &h.networks {
        let up = n.connected.load(std::sync::atomic::Ordering::Relaxed);
        // A process on standby for a network is ready without being connected.
        ready &= up || !*n.held.borrow();
        body.push_str(&format!(
            "{} {}, {}\n",
            n.name,
            if up { "connected" } else { "disconnected" },
            if *n.held.borrow() {
                "polling and sending (lease held)"
            } else {
                "standby (another process holds the lease)"
            }
        ));
    }
    for (name, state) in h.tasks.tasks() {
        match state {
            TaskState::Running => {}
            TaskState::Down { why, failures } => {
                ready = false;
                body.push_str(&format!(
                    "task {name} down ({failures} failure(s) in a row, restarting): {why}\n"
                ));
            }
            TaskState::GaveUp { why } => {
                ready = false;
                body.push_str(&format!("task {name} failed for good: {why}\n"));
            }
        }
    }
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, body)
}

async fn metrics(State(h): State<Http>) -> impl IntoResponse {
    let leases: BTreeMap<String, bool> = h
        .networks
        .iter()
        .map(|n| (n.name.clone(), *n.held.borrow()))
        .collect();
    let mut gauges = BTreeMap::new();
    if let Ok(mut tx) = h.store.read().await {
        let now = Utc::now();
        for n in &h.networks {
            if let Ok(s) = tx.outbox_stats(&n.name).await {
                gauges.insert(
                    n.name.clone(),
                    OutboxGauge {
                        depth: s.pending,
                        oldest_age_seconds: s
                            .oldest
                            .map(|o| (now - o).num_milliseconds().max(0) as f64 / 1000.0)
                            .unwrap_or(0.0),
                    },
                );
            }
        }
    }
    let mut text = h.metrics.render(&gauges, &leases);
    text.push_str(&format!(
        "# HELP kohero_updates_failed_total Updates that failed for a reason not the person's (recorded, answered with an apology).\n\
         # TYPE kohero_updates_failed_total counter\n\
         kohero_updates_failed_total {}\n\
         # HELP kohero_scheduled_failures_total Pieces of scheduled work (a digest, a person's alerts, a reminder) that failed; tried again at the next pass.\n\
         # TYPE kohero_scheduled_failures_total counter\n\
         kohero_scheduled_failures_total {}\n\
         # HELP kohero_task_restarts_total Long-running tasks restarted after they ended or panicked.\n\
         # TYPE kohero_task_restarts_total counter\n\
         kohero_task_restarts_total {}\n",
        h.engine.failed_updates(),
        h.engine.scheduled_failures(),
        h.tasks.restarts()
    ));
    text.push_str(&format!(
        "# HELP kohero_store_conflicts_total Transactions given up for a concurrent one (PostgreSQL serialization failures and deadlocks), each run again.\n\
         # TYPE kohero_store_conflicts_total counter\n\
         kohero_store_conflicts_total {}\n",
        kohero_core::retry::conflicts()
    ));
    if let Some(trips) = h.round_trips {
        text.push_str(&format!(
            "# HELP kohero_store_round_trips_total Exchanges with the database server: statements, BEGIN, COMMIT, rollbacks.\n\
             # TYPE kohero_store_round_trips_total counter\n\
             kohero_store_round_trips_total {}\n",
            trips()
        ));
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}

/// The HTTP routes: `/healthz`, `/readyz`, `/metrics`.
pub(crate) fn router(h: Http) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(h)
}
