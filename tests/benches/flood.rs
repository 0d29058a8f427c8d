//! Fair use under a flood: the real `kohero serve` (release build) against the
//! fake Bot API enforcing Telegram's limits (1 message a second in a chat, 30 a
//! second overall), with its default limits and fair use. One person sends
//! 200 commands at once while others write at a steady pace; the others'
//! reply latency is measured (from the getUpdates answer that hands their
//! update out to the sendMessage that carries the reply).
//!
//! cargo build --release -p kohero && cargo bench -p kohero-tests --bench flood [-- OTHERS SECONDS]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kohero_tests::fake_telegram::{FakeTelegram, TOKEN};
use kohero_tests::{Install, kohero_bin};

const FLOODER: i64 = 1;
const FLOOD: usize = 200;

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let others = args.first().copied().unwrap_or(60) as i64;
    let seconds = args.get(1).copied().unwrap_or(30);
    let k = Install::new();
    let tg = FakeTelegram::start().await;
    let mut child = Command::new(kohero_bin())
        .arg("--db")
        .arg(k.db())
        .arg("serve")
        .env("KOHERO_TELEGRAM_TOKEN", TOKEN)
        .env("KOHERO_TELEGRAM_API_URL", tg.url())
        .env("KOHERO_LOG", "error")
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    while tg.calls("getUpdates").is_empty() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The flood, all at once.
    let started = Instant::now();
    for _ in 0..FLOOD {
        tg.text(FLOODER, "fr", "/aide");
    }
    // The others: one message each, spread evenly over the run.
    let gap = Duration::from_secs(seconds) / u32::try_from(others.max(1)).unwrap();
    let mut sent = Vec::new();
    for p in 0..others {
        let at = started + gap * u32::try_from(p).unwrap();
        tokio::time::sleep_until(at.into()).await;
        sent.push((1000 + p, tg.text(1000 + p, "fr", "/aide")));
    }
    // Everyone's answer (the others' within a minute of the last).
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut latencies = Vec::new();
    for (chat, update) in &sent {
        loop {
            if let (Some(handed), Some((_, _, at))) =
                (tg.handed_at(*update), tg.sent_to(*chat).first().cloned())
            {
                latencies.push(at.saturating_duration_since(handed));
                break;
            }
            assert!(Instant::now() < deadline, "person {chat} never answered");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let flood_answered = tg.sent_to(FLOODER).len();
    latencies.sort();
    let pct = |q: f64| {
        latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)].as_secs_f64()
            * 1e3
    };
    println!(
        "Flood: one person sends {FLOOD} commands at once; {others} others write one each over {seconds} s (fake Bot API enforcing Telegram's limits; kohero's defaults)"
    );
    println!();
    println!(
        "| others answered | p50 | p99 | max | the flooder's messages answered | 429 answers |"
    );
    println!("|---|---|---|---|---|---|");
    println!(
        "| {} of {others} | {:.0} ms | {:.0} ms | {:.0} ms | {flood_answered} of {FLOOD} | {} |",
        latencies.len(),
        pct(0.5),
        pct(0.99),
        latencies.last().unwrap().as_secs_f64() * 1e3,
        tg.too_many_requests().len()
    );
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let _ = child.wait();
}
