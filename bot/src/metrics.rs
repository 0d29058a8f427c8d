//! Counters for `/metrics` (Prometheus text format), per network.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

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
    /// From an update's arrival to its first reply handed to the network.
    pub reply_latency: Histogram,
    /// When the updates still waiting for their first reply arrived, by event key.
    arrivals: Mutex<HashMap<String, Instant>>,
}

/// Arrivals older than this are forgotten (their reply went out from another
/// process, or never will): the map stays small.
const ARRIVAL_MEMORY: Duration = Duration::from_secs(300);
/// The map is swept of old arrivals when it grows past this.
const ARRIVALS_SWEEP_AT: usize = 50_000;

impl NetworkCounters {
    /// Notes that the update with this event key arrived at `at`.
    pub fn arrived(&self, event_key: String, at: Instant) {
        let mut a = self.arrivals.lock().unwrap_or_else(PoisonError::into_inner);
        if a.len() >= ARRIVALS_SWEEP_AT {
            a.retain(|_, t| t.elapsed() < ARRIVAL_MEMORY);
        }
        // Handed in again after a failed transaction: the first arrival counts.
        a.entry(event_key).or_insert(at);
    }

    /// Forgets the arrival noted at `at` (the update queued no reply, or was a
    /// duplicate); an earlier arrival of the same update, still waiting for its
    /// reply, stays.
    pub fn forget(&self, event_key: &str, at: Instant) {
        let mut a = self.arrivals.lock().unwrap_or_else(PoisonError::into_inner);
        if a.get(event_key) == Some(&at) {
            a.remove(event_key);
        }
    }

    /// A reply to the update with this event key is being handed to the network:
    /// the first one counts in [`Self::reply_latency`].
    pub fn replying(&self, event_key: &str) {
        let at = self
            .arrivals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(event_key);
        if let Some(at) = at {
            self.reply_latency.observe(at.elapsed());
        }
    }
}

/// Upper bounds of the latency histogram's buckets, in seconds.
pub const LATENCY_BUCKETS: [f64; 16] = [
    0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
    10.0,
];

/// A Prometheus histogram with the [`LATENCY_BUCKETS`] bounds.
#[derive(Debug, Default)]
pub struct Histogram {
    /// Observations in each bucket alone (not cumulative); the last is +Inf.
    buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    sum_micros: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, d: Duration) {
        let s = d.as_secs_f64();
        let i = LATENCY_BUCKETS
            .iter()
            .position(|b| s <= *b)
            .unwrap_or(LATENCY_BUCKETS.len());
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add(d.as_micros() as u64, Ordering::Relaxed);
    }

    /// Cumulative counts per bound (the last for +Inf), and the sum in seconds.
    pub fn read(&self) -> (Vec<u64>, f64) {
        let mut total = 0;
        let counts = self
            .buckets
            .iter()
            .map(|b| {
                total += b.load(Ordering::Relaxed);
                total
            })
            .collect();
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        (counts, sum)
    }
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
    pub fn render(
        &self,
        outbox: &BTreeMap<String, OutboxGauge>,
        leases: &BTreeMap<String, bool>,
    ) -> String {
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
            "# HELP kohero_lease_held Whether this process holds the network's lease (polls and sends).\n# TYPE kohero_lease_held gauge"
        );
        for (net, held) in leases {
            let _ = writeln!(
                out,
                "kohero_lease_held{{network=\"{net}\"}} {}",
                u8::from(*held)
            );
        }
        let name = "kohero_reply_latency_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} From an update's arrival to its first reply handed to the network.\n# TYPE {name} histogram"
        );
        for (net, c) in &nets {
            let (counts, sum) = c.reply_latency.read();
            for (i, n) in counts.iter().enumerate() {
                let le = LATENCY_BUCKETS
                    .get(i)
                    .map_or_else(|| "+Inf".to_owned(), |b| b.to_string());
                let _ = writeln!(out, "{name}_bucket{{network=\"{net}\",le=\"{le}\"}} {n}");
            }
            let count = counts.last().copied().unwrap_or(0);
            let _ = writeln!(out, "{name}_sum{{network=\"{net}\"}} {sum:.6}");
            let _ = writeln!(out, "{name}_count{{network=\"{net}\"}} {count}");
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_timed_once_from_the_first_arrival() {
        let c = NetworkCounters::default();
        let long_ago = Instant::now() - Duration::from_millis(40);
        c.arrived("t/1".into(), long_ago);
        c.arrived("t/1".into(), Instant::now());
        let now = Instant::now();
        c.arrived("t/2".into(), now);
        c.forget("t/2", now);
        // A duplicate of t/1 arriving now leaves the first arrival alone.
        c.forget("t/1", now);
        c.replying("t/1");
        c.replying("t/1");
        c.replying("t/2");
        let (counts, sum) = c.reply_latency.read();
        assert_eq!(counts.last(), Some(&1));
        // 40 ms: above the 25 ms bound, within the 50 ms one.
        let i25 = LATENCY_BUCKETS.iter().position(|b| *b == 0.025).unwrap();
        assert_eq!(counts[i25], 0);
        assert_eq!(counts[i25 + 1], 1);
        assert!((0.04..1.0).contains(&sum), "{sum}");
        let text = Metrics::default().render(&BTreeMap::new(), &BTreeMap::new());
        assert!(
            text.contains("# TYPE kohero_reply_latency_seconds histogram"),
            "{text}"
        );
    }
}
