//! Telegram throughput: the real `kohero serve` (release build) against the fake
//! Bot API with limits out of the way, 1,000 simulated people each sending their
//! next location or command as soon as the previous one is answered.
//!
//! cargo build --release -p kohero && cargo bench -p kohero-tests --bench telegram [-- SECONDS PEOPLE]
//!
//! Latency "inside the bot" is from the getUpdates answer that handed an update
//! out to the sendMessage request that carries its reply.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kohero_tests::fake_telegram::{FakeTelegram, TOKEN};
use kohero_tests::{Install, kohero_bin};

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let seconds = args.first().copied().unwrap_or(20);
    let people = args.get(1).copied().unwrap_or(1000) as i64;

    let k = Install::new();
    let out = k.run(&["demo-data"], b"");
    assert!(out.status.success());
    let tg = FakeTelegram::start().await;
    tg.enforce_limits(false);
    let mut child = Command::new(kohero_bin())
        .arg("--db")
        .arg(k.db())
        .arg("serve")
        .env("KOHERO_TELEGRAM_TOKEN", TOKEN)
        .env("KOHERO_TELEGRAM_API_URL", tg.url())
        .env("KOHERO_TELEGRAM_RATE_CHAT", "off")
        .env("KOHERO_TELEGRAM_RATE_GROUP", "off")
        .env("KOHERO_TELEGRAM_RATE_GLOBAL", "off")
        .env("KOHERO_LOG", "error")
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    while tg.calls("getUpdates").is_empty() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // What people send, in turn: one reply each.
    let script = |person: i64, n: u64| -> Box<dyn Fn(&FakeTelegram) -> i64> {
        let lat = 45.74 + (person % 50) as f64 * 0.001;
        let lon = 4.82 + (person / 50) as f64 * 0.001;
        match n % 4 {
            0 => Box::new(move |tg| tg.location(10_000 + person, lat, lon)),
            1 => Box::new(move |tg| tg.text(10_000 + person, "fr", "/voir 1")),
            2 => Box::new(move |tg| tg.text(10_000 + person, "fr", "/chercher cafe")),
            _ => Box::new(move |tg| tg.text(10_000 + person, "fr", "/aide")),
        }
    };
    let mut outstanding: HashMap<i64, i64> = HashMap::new(); // chat -> update id
    let mut sent_count: HashMap<i64, u64> = HashMap::new();
    for p in 0..people {
        let u = script(p, 0)(&tg);
        outstanding.insert(10_000 + p, u);
        sent_count.insert(10_000 + p, 1);
    }
    let start = Instant::now();
    let end = start + Duration::from_secs(seconds);
    let mut seen = 0usize;
    let mut latencies = Vec::new();
    let mut completed = 0u64;
    while Instant::now() < end {
        let notified = tg.delivered.notified();
        let new = tg.deliveries_since(seen);
        if new.is_empty() {
            let _ = tokio::time::timeout(Duration::from_millis(5), notified).await;
            continue;
        }
        seen += new.len();
        for (chat, at) in new {
            if let Some(u) = outstanding.remove(&chat) {
                if let Some(h) = tg.handed_at(u) {
                    latencies.push(at.saturating_duration_since(h));
                }
                completed += 1;
                let n = sent_count.entry(chat).or_default();
                let next = script(chat - 10_000, *n)(&tg);
                *n += 1;
                outstanding.insert(chat, next);
            }
        }
    }
    let elapsed = start.elapsed();
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let _ = child.wait();

    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    println!("Telegram, {people} simulated people, {seconds} s, SQLite, limits off");
    println!();
    println!("| updates answered | updates/s | p50 inside the bot | p99 inside the bot |");
    println!("|---|---|---|---|");
    println!(
        "| {completed} | {:.0} | {:.2} ms | {:.2} ms |",
        completed as f64 / elapsed.as_secs_f64(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3
    );
}
