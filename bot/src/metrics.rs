//! Counters for `/metrics` (Prometheus text format), per network.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

#[derive(Debug, Default)]
pub struct NetworkCounters {
    pub updates_in: AtomicU64,
    pub duplicates_in: AtomicU64,
    pub sent: AtomicU64,
    pub rate_limit_waits: AtomicU64,
    pub errors_retry_after: AtomicU64,
    pub errors_temporary: AtomicU64,
    pub errors_timeout: AtomicU64,
    pub errors_permanent: AtomicU64,
    pub errors_unreachable: AtomicU64,
}

/// Gauges read from the store when scraped.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutboxGauge {
    pub depth: u64,
    pub oldest_age_seconds: f64,
}

/// Reads a counter family: (kind label, value) pairs.
type Reading = dyn Fn(&NetworkCounters) -> Vec<(Option<&'static str>, u64)>;

#[derive(Debug, Default)]
pub struct Metrics {
    networks: Mutex<BTreeMap<String, std::sync::Arc<NetworkCounters>>>,
}

impl Metrics {
    pub fn network(&self, name: &str) -> std::sync::Arc<NetworkCounters> {
        self.networks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(name.to_owned())
            .or_default()
            .clone()
    }

    pub fn networks(&self) -> Vec<String> {
        self.networks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .cloned()
            .collect()
    }

    /// The Prometheus text exposition, with the outbox gauges given per network.
    pub fn render(&self, outbox: &BTreeMap<String, OutboxGauge>) -> String {
        let nets = self
            .networks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, get: &Reading| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for (net, c) in &nets {
                for (kind, v) in get(c) {
                    match kind {
                        Some(k) => {
                            let _ = writeln!(out, "{name}{{network=\"{net}\",kind=\"{k}\"}} {v}");
                        }
                        None => {
                            let _ = writeln!(out, "{name}{{network=\"{net}\"}} {v}");
                        }
                    }
                }
            }
        };
        fn load(a: &AtomicU64) -> u64 {
            a.load(Ordering::Relaxed)
        }
        counter(
            "kohero_updates_in_total",
            "Incoming updates handled.",
            &|c| vec![(None, load(&c.updates_in))],
        );
        counter(
            "kohero_duplicate_updates_total",
            "Incoming updates seen before and skipped.",
            &|c| vec![(None, load(&c.duplicates_in))],
        );
        counter(
            "kohero_messages_sent_total",
            "Outgoing messages the network accepted.",
            &|c| vec![(None, load(&c.sent))],
        );
        counter(
            "kohero_rate_limit_waits_total",
            "Sends held back by the rate limiter.",
            &|c| vec![(None, load(&c.rate_limit_waits))],
        );
        counter(
            "kohero_send_errors_total",
            "Failed send attempts by kind.",
            &|c| {
                vec![
                    (Some("retry_after"), load(&c.errors_retry_after)),
                    (Some("temporary"), load(&c.errors_temporary)),
                    (Some("timeout"), load(&c.errors_timeout)),
                    (Some("permanent"), load(&c.errors_permanent)),
                    (Some("unreachable"), load(&c.errors_unreachable)),
                ]
            },
        );
        let _ = writeln!(
            out,
            "# HELP kohero_outbox_depth Messages waiting to be sent.\n# TYPE kohero_outbox_depth gauge"
        );
        for (net, g) in outbox {
            let _ = writeln!(out, "kohero_outbox_depth{{network=\"{net}\"}} {}", g.depth);
        }
        let _ = writeln!(
            out,
            "# HELP kohero_outbox_oldest_age_seconds Age of the oldest waiting message.\n# TYPE kohero_outbox_oldest_age_seconds gauge"
        );
        for (net, g) in outbox {
            let _ = writeln!(
                out,
                "kohero_outbox_oldest_age_seconds{{network=\"{net}\"}} {:.3}",
                g.oldest_age_seconds
            );
        }
        out
    }
}
