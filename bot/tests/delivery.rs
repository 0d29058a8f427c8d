//! The delivery worker against a test network adapter and the real SQLite store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use kohero::delivery::{Options, Worker};
use kohero::metrics::Metrics;
use kohero_core::domain::{Address, NewOutgoing, Priority};
use kohero_core::limiter::{Limits, Rate};
use kohero_core::ports::Store;
use kohero_core::reply::Reply;
use kohero_store_sqlite::SqliteStore;
use support::{Behaviour, TestNetwork};
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

struct Setup {
    _dir: tempfile::TempDir,
    path: String,
    store: Arc<SqliteStore>,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db").to_str().unwrap().to_owned();
    let store = Arc::new(SqliteStore::open(&path).await.unwrap());
    Setup {
        _dir: dir,
        path,
        store,
    }
}

async fn enqueue(store: &dyn Store, chat: &str, key: &str, priority: Priority) {
    let mut tx = store.begin().await.unwrap();
    tx.enqueue(&NewOutgoing {
        priority,
        ..NewOutgoing::message(
            &Address::new("test", chat),
            Reply::text(key),
            key.to_owned(),
            Utc::now(),
        )
        .for_person(None)
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

fn fast() -> Options {
    Options {
        batch: 16,
        lease: Duration::from_secs(30),
        poll: Duration::from_millis(20),
        send_timeout: Duration::from_millis(300),
        concurrency: 4,
        backoff: Duration::from_millis(50),
        max_backoff: Duration::from_secs(1),
    }
}

fn start(
    s: &Setup,
    net: Arc<TestNetwork>,
    limits: Limits,
    options: Options,
) -> (watch::Sender<bool>, tokio::task::JoinHandle<()>) {
    let (stop, rx) = watch::channel(false);
    let metrics = Metrics::default();
    let worker = Worker::new(
        s.store.clone(),
        net,
        limits,
        options,
        metrics.network("test"),
        Arc::new(Notify::new()),
    );
    (stop, tokio::spawn(worker.run(rx, watch::channel(true).1)))
}

async fn until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn pending(store: &dyn Store) -> u64 {
    let mut tx = store.begin().await.unwrap();
    tx.outbox_stats("test").await.unwrap().pending
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_retried_or_stopped_as_they_deserve() {
    let s = setup().await;
    let net = TestNetwork::new(Duration::ZERO);
    net.script(
        "429",
        vec![Behaviour::RetryAfter(Duration::from_millis(400))],
    );
    net.script("5xx", vec![Behaviour::Temporary, Behaviour::Temporary]);
    net.script("slow", vec![Behaviour::Hang]);
    net.script("bad", vec![Behaviour::Permanent]);
    net.script("gone", vec![Behaviour::Unreachable]);
    for (chat, key) in [
        ("1", "ok"),
        ("2", "429"),
        ("3", "5xx"),
        ("4", "slow"),
        ("5", "bad"),
        ("6", "gone"),
        ("6", "gone-too"),
    ] {
        enqueue(s.store.as_ref(), chat, key, Priority::Interactive).await;
    }
    let (stop, task) = start(&s, net.clone(), Limits::unlimited(), fast());
    until("the retried messages", Duration::from_secs(10), || {
        let r = net.received_keys();
        ["ok", "429", "5xx", "slow"]
            .iter()
            .all(|k| r.contains(&(*k).to_owned()))
    })
    .await;
    // 429: the next attempt honours retry_after.
    let a = net.attempts_of("429");
    assert_eq!(a.len(), 2);
    assert!(a[1] - a[0] >= Duration::from_millis(400), "{a:?}");
    // 5xx: retried with growing delays.
    let a = net.attempts_of("5xx");
    assert_eq!(a.len(), 3);
    assert!(a[1] - a[0] >= Duration::from_millis(37), "{a:?}");
    assert!(a[2] - a[1] >= Duration::from_millis(75), "{a:?}");
    // Timeout: abandoned after 300 ms and sent again.
    assert_eq!(net.attempts_of("slow").len(), 2);
    // Permanent and unreachable: tried once, never again; the chat's other
    // messages stop too.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(net.attempts_of("bad").len(), 1);
    assert_eq!(net.attempts_of("gone").len(), 1);
    assert!(net.attempts_of("gone-too").len() <= 1);
    assert!(!net.received_keys().contains(&"gone-too".to_owned()));
    assert_eq!(pending(s.store.as_ref()).await, 0);
    let mut tx = s.store.begin().await.unwrap();
    assert!(tx.is_unreachable(&Address::new("test", "6")).await.unwrap());
    drop(tx);
    stop.send(true).unwrap();
    task.await.unwrap();
    // Sent once each.
    let r = net.received_keys();
    let unique: HashSet<_> = r.iter().collect();
    assert_eq!(unique.len(), r.len(), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_limiter_holds_over_a_10000_message_burst() {
    let s = setup().await;
    let net = TestNetwork::new(Duration::ZERO);
    let global = Rate::per_second(2000, 20);
    let per_chat = Rate::per_second(25, 2);
    {
        let mut tx = s.store.begin().await.unwrap();
        for i in 0..10_000 {
            tx.enqueue(&NewOutgoing {
                priority: Priority::Bulk,
                ..NewOutgoing::message(
                    &Address::new("test", (i % 100).to_string()),
                    Reply::text("x"),
                    format!("b{i}"),
                    Utc::now(),
                )
                .for_person(None)
            })
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
    let limits = Limits {
        per_chat: Some(per_chat),
        per_group: None,
        global: Some(global),
    };
    let (stop, task) = start(
        &s,
        net.clone(),
        limits,
        Options {
            batch: 200,
            ..fast()
        },
    );
    until("10,000 messages", Duration::from_secs(120), || {
        net.received.lock().unwrap().len() == 10_000
    })
    .await;
    stop.send(true).unwrap();
    task.await.unwrap();

    let received = net.received.lock().unwrap().clone();
    let check = |times: &[Duration], rate: Rate, what: &str| {
        let window = Duration::from_secs(1);
        let allowed = rate.burst as usize
            + (rate.count as f64 * window.as_secs_f64() / rate.per.as_secs_f64()) as usize
            + 1;
        for (i, t) in times.iter().enumerate() {
            let n = times[i..].iter().take_while(|u| **u < *t + window).count();
            assert!(
                n <= allowed,
                "{what}: {n} messages in the second from {t:?}, at most {allowed}"
            );
        }
    };
    let all: Vec<Duration> = received.iter().map(|r| r.0).collect();
    check(&all, global, "global");
    let mut by_chat: HashMap<&str, Vec<Duration>> = HashMap::new();
    for r in &received {
        by_chat.entry(r.1.as_str()).or_default().push(r.0);
    }
    for (chat, times) in by_chat {
        check(&times, per_chat, chat);
    }
    let unique: HashSet<_> = received.iter().map(|r| &r.2).collect();
    assert_eq!(unique.len(), 10_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_finishes_the_send_in_flight_and_hands_back_the_rest() {
    let s = setup().await;
    let net = TestNetwork::new(Duration::from_millis(300));
    for i in 0..5 {
        enqueue(
            s.store.as_ref(),
            &i.to_string(),
            &format!("m{i}"),
            Priority::Interactive,
        )
        .await;
    }
    let (stop, task) = start(
        &s,
        net.clone(),
        Limits::unlimited(),
        Options {
            concurrency: 2,
            ..fast()
        },
    );
    until("the first sends", Duration::from_secs(5), || {
        net.attempts.lock().unwrap().len() == 2
    })
    .await;
    stop.send(true).unwrap();
    task.await.unwrap();
    // The sends in flight finished and were recorded; the rest was handed back and
    // is claimable at once by the next process.
    assert_eq!(net.received_keys().len(), 2);
    let mut tx = s.store.begin().await.unwrap();
    let now = Utc::now();
    assert_eq!(tx.outbox_stats("test").await.unwrap().pending, 3);
    assert_eq!(tx.claim("test", now, now, 10).await.unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_waiting_go_before_bulk_sends() {
    let s = setup().await;
    let net = TestNetwork::new(Duration::ZERO);
    for i in 0..30 {
        enqueue(
            s.store.as_ref(),
            &format!("d{i}"),
            &format!("digest{i}"),
            Priority::Bulk,
        )
        .await;
    }
    enqueue(s.store.as_ref(), "p1", "reply1", Priority::Interactive).await;
    enqueue(s.store.as_ref(), "p2", "reply2", Priority::Interactive).await;
    let (stop, task) = start(
        &s,
        net.clone(),
        Limits::unlimited(),
        Options {
            concurrency: 1,
            ..fast()
        },
    );
    until("everything", Duration::from_secs(10), || {
        net.received.lock().unwrap().len() == 32
    })
    .await;
    stop.send(true).unwrap();
    task.await.unwrap();
    assert_eq!(
        &net.received_keys()[..2],
        &["reply1".to_owned(), "reply2".to_owned()]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_written_by_another_process_are_picked_up() {
    let s = setup().await;
    let net = TestNetwork::new(Duration::ZERO);
    let (stop, task) = start(
        &s,
        net.clone(),
        Limits::unlimited(),
        Options {
            poll: Duration::from_millis(250),
            ..fast()
        },
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Another connection to the same file, as `kohero digest --now` would open.
    let other = SqliteStore::open(&s.path).await.unwrap();
    let written = net.start.elapsed();
    enqueue(&other, "9", "from-elsewhere", Priority::Bulk).await;
    until(
        "the other process's message",
        Duration::from_secs(5),
        || !net.received_keys().is_empty(),
    )
    .await;
    let picked = net.received.lock().unwrap()[0].0 - written;
    assert!(picked < Duration::from_secs(1), "{picked:?}");
    stop.send(true).unwrap();
    task.await.unwrap();
}
