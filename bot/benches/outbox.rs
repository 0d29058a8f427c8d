//! Outbox throughput and limiter precision on SQLite, with a test network that
//! accepts every message at once.
//!
//! cargo bench -p kohero --bench outbox [-- MESSAGES LIMITER_SECONDS]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::Utc;
use kohero::delivery::{Options, Worker};
use kohero::metrics::Metrics;
use kohero_core::domain::{Address, NewOutgoing, Outgoing, Priority};
use kohero_core::limiter::{Limits, Rate};
use kohero_core::ports::{SendError, Sender, Sent, Store};
use kohero_core::reply::{Action, ListItem, Reply};
use kohero_store_sqlite::SqliteStore;
use tokio::sync::{Notify, watch};

struct Sink {
    count: AtomicU64,
    times: Mutex<Vec<Instant>>,
    keep_times: bool,
}

impl Sink {
    fn new(keep_times: bool) -> Arc<Self> {
        Arc::new(Self {
            count: AtomicU64::new(0),
            times: Mutex::default(),
            keep_times,
        })
    }
}

#[async_trait]
impl Sender for Sink {
    fn network(&self) -> &str {
        "bench"
    }
    fn is_group(&self, _: &str) -> bool {
        false
    }
    async fn send(&self, _: &Outgoing) -> Result<Sent, SendError> {
        self.count.fetch_add(1, Ordering::Relaxed);
        if self.keep_times {
            self.times.lock().unwrap().push(Instant::now());
        }
        Ok(Sent::Done)
    }
}

fn reply() -> Reply {
    Reply::text("5 initiative(s) dans un rayon de 5 km :").list(
        (1..=5)
            .map(|i| ListItem {
                tag: Some(format!("#{i}")),
                title: format!("#{i} Composteur partagé"),
                details: vec!["350 m · Compost · idée ouverte · 3 soutiens".into()],
                actions: vec![Action::new("Voir", format!("/voir {i}"))],
            })
            .collect(),
    )
}

/// Writes `n` messages to `chats` chats, `per_tx` to a transaction: 1 as each
/// update writes its reply, 100 as a digest writes them.
async fn write(
    store: &SqliteStore,
    n: usize,
    chats: usize,
    per_tx: usize,
    priority: Priority,
    tag: &str,
) -> Duration {
    let r = reply();
    let start = Instant::now();
    let mut i = 0;
    while i < n {
        let mut tx = store.begin().await.unwrap();
        for _ in 0..per_tx.min(n - i) {
            tx.enqueue(&NewOutgoing {
                priority,
                ..NewOutgoing::message(
                    &Address::new("bench", (i % chats).to_string()),
                    r.clone(),
                    format!("{tag}{i}"),
                    Utc::now(),
                )
                .for_person(None)
            })
            .await
            .unwrap();
            i += 1;
        }
        tx.commit().await.unwrap();
    }
    start.elapsed()
}

async fn drain(store: Arc<SqliteStore>, sink: Arc<Sink>, limits: Limits, n: u64) -> Duration {
    let (stop, rx) = watch::channel(false);
    let worker = Worker::new(
        store,
        sink.clone(),
        limits,
        Options {
            batch: 128,
            poll: Duration::from_millis(5),
            concurrency: 16,
            ..Options::default()
        },
        Metrics::default().network("bench"),
        Arc::new(Notify::new()),
    );
    let start = Instant::now();
    let task = tokio::spawn(worker.run(rx, tokio::sync::watch::channel(true).1));
    while sink.count.load(Ordering::Relaxed) < n {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let took = start.elapsed();
    stop.send(true).unwrap();
    task.await.unwrap();
    took
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(20_000) as usize;
    let limiter_secs = args.get(1).copied().unwrap_or(60);
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        SqliteStore::open(dir.path().join("bench.db").to_str().unwrap())
            .await
            .unwrap(),
    );

    // The cost of a transaction itself, for comparison.
    let start = Instant::now();
    for _ in 0..n {
        let tx = store.begin().await.unwrap();
        tx.commit().await.unwrap();
    }
    let empty = start.elapsed();
    let wrote = write(&store, n, 1000, 1, Priority::Interactive, "w").await;
    let sink = Sink::new(false);
    let drained = drain(store.clone(), sink, Limits::unlimited(), n as u64).await;
    let batched = write(&store, n, 1000, 100, Priority::Bulk, "d").await;
    let sink = Sink::new(false);
    let drained_bulk = drain(store.clone(), sink, Limits::unlimited(), n as u64).await;

    println!("Outbox on SQLite (file, WAL), {n} messages, one transaction per message written");
    println!();
    println!("| phase | messages/s | total |");
    println!("|---|---|---|");
    println!(
        "| (empty transactions: BEGIN IMMEDIATE + COMMIT) | {:.0} | {:.2} s |",
        n as f64 / empty.as_secs_f64(),
        empty.as_secs_f64()
    );
    println!(
        "| written (enqueue + commit) | {:.0} | {:.2} s |",
        n as f64 / wrote.as_secs_f64(),
        wrote.as_secs_f64()
    );
    println!(
        "| claimed, sent, marked sent (worker, limits off) | {:.0} | {:.2} s |",
        n as f64 / drained.as_secs_f64(),
        drained.as_secs_f64()
    );
    println!(
        "| end to end (written then delivered) | {:.0} | {:.2} s |",
        n as f64 / (wrote + drained).as_secs_f64(),
        (wrote + drained).as_secs_f64()
    );
    println!(
        "| written 100 per transaction (a digest) | {:.0} | {:.2} s |",
        n as f64 / batched.as_secs_f64(),
        batched.as_secs_f64()
    );
    println!(
        "| those claimed, sent, marked sent | {:.0} | {:.2} s |",
        n as f64 / drained_bulk.as_secs_f64(),
        drained_bulk.as_secs_f64()
    );

    // Limiter precision: 30/s for `limiter_secs`, measured at the receiving side.
    let rate = 30u64;
    let total = rate * limiter_secs;
    write(&store, total as usize, 500, 1, Priority::Bulk, "l").await;
    let sink = Sink::new(true);
    let limits = Limits {
        per_chat: None,
        per_group: None,
        global: Some(Rate::per_second(rate as u32, 1)),
    };
    drain(store.clone(), sink.clone(), limits, total).await;
    let times = sink.times.lock().unwrap().clone();
    let span = (*times.last().unwrap() - times[0]).as_secs_f64();
    let achieved = (times.len() - 1) as f64 / span;
    let worst_second = times
        .iter()
        .enumerate()
        .map(|(i, t)| {
            times[i..]
                .iter()
                .take_while(|u| **u < *t + Duration::from_secs(1))
                .count()
        })
        .max()
        .unwrap_or(0);
    println!();
    println!(
        "Limiter at {rate}/s over {limiter_secs} s: achieved {achieved:.3}/s ({:+.2} %), busiest second {worst_second} messages",
        (achieved - rate as f64) / rate as f64 * 100.0
    );
}
