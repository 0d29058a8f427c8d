//! Digest delivery: the real `kohero serve` (release build) delivering one
//! municipality digest to many Telegram readers through the fake Bot API, which
//! enforces an overall limit with real 429 answers.
//!
//! cargo build --release -p kohero && cargo bench -p kohero-tests --bench digest_delivery [-- READERS API_LIMIT BOT_RATE]
//!
//! Defaults: 10,000 readers, the API accepting 300 messages in any second, the
//! bot configured at 290/s (Telegram's 30/s and Kohero's default 29/s, ten
//! times faster, to keep the run short); run `-- 10000 30 29` for Telegram's
//! own figures. Prints the
//! achieved rate, its ratio to the API's limit, and the 429 answers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use kohero_tests::fake_telegram::FakeTelegram;
use kohero_tests::{Install, send_rate, stop, wait_until};

const BASE: i64 = 100_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args: Vec<f64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let readers = args.first().copied().unwrap_or(10_000.0) as i64;
    let api_limit = args.get(1).copied().unwrap_or(300.0) as u64;
    // A bot rate may be fractional: 28.8 (messages per second).
    let bot_rate = args.get(2).copied().unwrap_or(290.0);

    let k = Install::new();
    k.verify_town_hall("telegram:1", "69266");
    let tg = FakeTelegram::start().await;

    // Readers subscribe, and something happens in the commune (limits off).
    tg.enforce_limits(false);
    let child = k.serve_telegram(&tg, "off");
    for r in 0..readers {
        tg.text(BASE + r, "fr", "/abonner Villeurbanne");
    }
    tg.text(
        2,
        "fr",
        "/proposer Composteur | compost | Villeurbanne | Un bac",
    );
    wait_until("subscriptions", Duration::from_secs(600), || {
        tg.deliveries_since(0).len() as i64 > readers
    })
    .await;
    stop(child);
    // The setup's own sends (limits off) out of the API's one-second window.
    tokio::time::sleep(Duration::from_secs(2)).await;

    // The digest, against the limit.
    tg.enforce_limits(true);
    tg.set_global_limit(api_limit as usize);
    let child = k.serve_telegram(&tg, &format!("{bot_rate}/s:1"));
    let before = tg.deliveries_since(0).len();
    let queued = k.run(&["digest", "69266", "--now"], b"");
    assert!(queued.status.success(), "{queued:?}");
    wait_until("the digest", Duration::from_secs(3600), || {
        tg.deliveries_since(before).len() as i64 >= readers
    })
    .await;
    let sent = tg.deliveries_since(before);
    // From the first digest message to the last.
    let at: Vec<Instant> = sent.iter().map(|d| d.1).collect();
    let first = at.iter().copied().min().unwrap();
    let (rate, span, busiest) = send_rate(&at);
    stop(child);
    println!(
        "Digest to {readers} Telegram readers, API limit {api_limit}/s, bot configured {bot_rate}/s (burst 1)"
    );
    println!();
    println!("| messages | time | achieved | of the API's limit | busiest second | 429 answers |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| {} | {:.1} s | {rate:.1}/s | {:.1} % | {busiest} | {} |",
        sent.len(),
        span,
        rate / api_limit as f64 * 100.0,
        tg.too_many_requests().len()
    );
    for (chat, at, recent) in tg.too_many_requests() {
        println!(
            "429 to chat {chat} at {:+.3} s from the first digest message, {recent} sent in the second before",
            at.saturating_duration_since(first).as_secs_f64()
        );
    }
}
