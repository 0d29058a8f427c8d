//! `serve` in-process with a test network: intake, replies through the outbox,
//! the HTTP endpoints, and stopping.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kohero::delivery;
use kohero::serve::{self, Network, ServeOptions};
use kohero_core::domain::Identity;
use kohero_core::inbox::Inbox;
use kohero_core::limiter::Limits;
use kohero_core::ports::SystemClock;
use kohero_core::{Content, Engine, Incoming};
use kohero_store_sqlite::SqliteStore;
use support::TestNetwork;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

async fn http_get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).await.unwrap();
    let code = buf[9..12].parse().unwrap();
    let body = buf.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
    (code, body)
}

fn update(id: &str, text: &str) -> Incoming {
    Incoming {
        chat_check: None,
        identity: Identity::new("test", "42"),
        chat: None,
        event_id: Some(id.to_owned()),
        message_id: None,
        display_name: Some("Ada".into()),
        lang_hint: None,
        content: Content::Text(text.to_owned()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_updates_health_readiness_metrics_and_stops() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        SqliteStore::open(dir.path().join("k.db").to_str().unwrap())
            .await
            .unwrap(),
    );
    let engine = Arc::new(
        Engine::new(store.clone(), Arc::new(SystemClock))
            .await
            .unwrap(),
    );
    let net = TestNetwork::new(Duration::ZERO);
    let connected = Arc::new(AtomicBool::new(true));
    let (updates_tx, updates_rx) = mpsc::channel::<Incoming>(16);
    let updates_rx = Arc::new(tokio::sync::Mutex::new(updates_rx));
    let network = Network {
        sender: net.clone(),
        limits: Limits::unlimited(),
        delivery: delivery::Options::default(),
        connected: connected.clone(),
        routes: None,
        intake: Arc::new(move |handle, mut stop| {
            let updates_rx = updates_rx.clone();
            Box::pin(async move {
                let mut updates_rx = updates_rx.lock().await;
                loop {
                    tokio::select! {
                        _ = stop.changed() => break,
                        u = updates_rx.recv() => match u {
                            Some(u) => { handle.accept(u).await.unwrap(); }
                            None => break,
                        },
                    }
                }
            })
        }),
    };
    let (bound_tx, bound_rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve::run(
        engine,
        store,
        vec![network],
        ServeOptions {
            http: Some("127.0.0.1:0".parse().unwrap()),
            ..ServeOptions::default()
        },
        async move {
            let _ = stop_rx.await;
        },
        Some(bound_tx),
    ));
    let addr = bound_rx.await.unwrap();

    assert_eq!(http_get(addr, "/healthz").await, (200, "ok\n".to_owned()));
    let (code, body) = http_get(addr, "/readyz").await;
    assert_eq!(code, 200, "{body}");
    assert!(
        body.contains("database ok") && body.contains("test connected"),
        "{body}"
    );

    // An update is answered through the outbox; the same update again is not.
    updates_tx.send(update("1", "/aide")).await.unwrap();
    updates_tx.send(update("1", "/aide")).await.unwrap();
    updates_tx.send(update("2", "/voir 99")).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while net.received_keys().len() < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no replies: {:?}",
            net.received_keys()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        net.received_keys(),
        vec!["test/1/r0".to_owned(), "test/2/r0".to_owned()]
    );

    let (code, m) = http_get(addr, "/metrics").await;
    assert_eq!(code, 200);
    assert!(
        m.contains("kohero_updates_in_total{network=\"test\"} 2"),
        "{m}"
    );
    assert!(
        m.contains("kohero_duplicate_updates_total{network=\"test\"} 1"),
        "{m}"
    );
    assert!(
        m.contains("kohero_messages_sent_total{network=\"test\"} 2"),
        "{m}"
    );
    assert!(m.contains("kohero_outbox_depth{network=\"test\"} 0"), "{m}");
    // Both first replies were timed from their update's arrival; the duplicate was not.
    assert!(
        m.contains("kohero_reply_latency_seconds_count{network=\"test\"} 2"),
        "{m}"
    );
    assert!(
        m.contains("kohero_reply_latency_seconds_bucket{network=\"test\",le=\"+Inf\"} 2"),
        "{m}"
    );
    assert!(
        m.contains("kohero_send_errors_total{network=\"test\",kind=\"timeout\"} 0"),
        "{m}"
    );

    connected.store(false, Ordering::Relaxed);
    let (code, body) = http_get(addr, "/readyz").await;
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("test disconnected"));

    // Stopping drains and returns well within the limit.
    let asked = tokio::time::Instant::now();
    stop_tx.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert!(asked.elapsed() < serve::DRAIN_LIMIT);
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
