//! A consultation for many Telegram readers: the real `kohero serve` sends
//! the cards, takes every reader's vote by the card's button (each card then
//! edited to show it; one reader in ten changes their vote), and sends the
//! results, through the fake Bot API enforcing Telegram's limits with real
//! 429 answers (edits count against them, as sends do). The counts are
//! checked against the votes cast, exactly.
//!
//! cargo bench -p kohero-tests --bench consultation_delivery [-- READERS API_LIMIT BOT_RATE]
//! (`KOHERO_BIN` names the `kohero` binary to run: a release build for figures)
//!
//! Defaults: 10,000 readers, the API accepting 300 messages in any second, the
//! bot configured at 290/s (the digest benchmark's conditions); `-- 10000 30
//! 29` for Telegram's own limit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use kohero_tests::fake_telegram::FakeTelegram;
use kohero_tests::{Install, send_rate, stop, wait_until};

const BASE: i64 = 100_000;
const TOWN: i64 = 1;
const OPTIONS: [&str; 3] = ["Oui", "Non", "Seulement l'été"];

/// The option reader `r` chooses first, and finally.
fn choice(r: i64) -> (usize, usize) {
    let first = (r % 3) as usize;
    let last = if r % 10 == 0 { (first + 1) % 3 } else { first };
    (first, last)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args: Vec<f64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let readers = args.first().copied().unwrap_or(10_000.0) as i64;
    let api_limit = args.get(1).copied().unwrap_or(300.0) as u64;
    let bot_rate = args.get(2).copied().unwrap_or(290.0);

    let k = Install::new();
    k.verify_town_hall(&format!("telegram:{TOWN}"), "69266");
    let tg = FakeTelegram::start().await;

    // Readers subscribe (limits off).
    tg.enforce_limits(false);
    let child = k.serve_telegram(&tg, "off");
    for r in 0..readers {
        tg.text(BASE + r, "fr", "/abonner Villeurbanne");
    }
    wait_until("subscriptions", Duration::from_secs(900), || {
        tg.deliveries_since(0).len() as i64 >= readers
    })
    .await;
    stop(child);
    tokio::time::sleep(Duration::from_secs(2)).await;

    // Against the limit from now on.
    tg.enforce_limits(true);
    tg.set_global_limit(api_limit as usize);
    let child = k.serve_telegram(&tg, &format!("{bot_rate}/s:1"));
    let until = (chrono::Utc::now().date_naive() + chrono::Days::new(30)).format("%Y-%m-%d");
    let before = tg.deliveries_since(0).len();
    tg.text(
        TOWN,
        "fr",
        &format!(
            "/consultation Faut-il piétonniser la rue Pasteur le dimanche ? | {} | jusqu'au {until} maintenant",
            OPTIONS.join(" | ")
        ),
    );
    let cards = |tg: &FakeTelegram| {
        tg.deliveries_since(before)
            .iter()
            .filter(|(chat, _)| *chat >= BASE)
            .count() as i64
    };
    wait_until("the cards", Duration::from_secs(3600), || {
        cards(&tg) >= readers
    })
    .await;
    let card_times: Vec<Instant> = tg
        .deliveries_since(before)
        .iter()
        .filter(|(chat, _)| *chat >= BASE)
        .map(|d| d.1)
        .collect();

    // Every reader presses an option on their card; one in ten changes it.
    let shown = tg.shown_everywhere();
    let card_of = |r: i64| {
        shown[&(BASE + r)]
            .iter()
            .rev()
            .find(|m| m.1.contains("Consultation C1"))
            .cloned()
            .expect("a card")
    };
    let edits_before = tg.edits().len();
    for r in 0..readers {
        let (id, _, markup, _) = card_of(r);
        let data = FakeTelegram::button(&markup, OPTIONS[choice(r).0]).unwrap();
        assert!(data.len() <= 64);
        tg.callback_on(BASE + r, id, &data);
    }
    wait_until("the first votes", Duration::from_secs(3600), || {
        tg.edits().len() - edits_before >= readers as usize
    })
    .await;
    let changers: Vec<i64> = (0..readers).filter(|r| r % 10 == 0).collect();
    let shown = tg.shown_everywhere();
    for r in &changers {
        let (id, _, markup, _) = shown[&(BASE + r)]
            .iter()
            .find(|m| m.1.contains("Consultation C1"))
            .cloned()
            .unwrap();
        let data = FakeTelegram::button(&markup, OPTIONS[choice(*r).1]).unwrap();
        tg.callback_on(BASE + r, id, &data);
    }
    wait_until("the changed votes", Duration::from_secs(3600), || {
        tg.edits().len() - edits_before >= readers as usize + changers.len()
    })
    .await;
    let edit_times: Vec<Instant> = tg.edits()[edits_before..].iter().map(|e| e.1).collect();
    // Each card shows its reader's final vote.
    let shown = tg.shown_everywhere();
    let wrong = (0..readers)
        .filter(|r| {
            let card = shown[&(BASE + r)]
                .iter()
                .find(|m| m.1.contains("Consultation C1"))
                .unwrap();
            !card
                .1
                .contains(&format!("Votre vote : {}.", OPTIONS[choice(*r).1]))
        })
        .count();

    // Closed by the town hall: the counts, and the results to every reader.
    let before_results = tg.deliveries_since(0).len();
    tg.text(TOWN, "fr", "/consultation C1 clore");
    let (results, _) = tg.answer_to(TOWN, "Résultats de la consultation C1").await;
    let mut expected = [0u32; 3];
    for r in 0..readers {
        expected[choice(r).1] += 1;
    }
    let mut exact = results.contains(&format!("{readers} votants"));
    for (i, o) in OPTIONS.iter().enumerate() {
        exact &= results.contains(&format!("{o} : {} (", expected[i]));
    }
    wait_until("the results", Duration::from_secs(3600), || {
        tg.deliveries_since(before_results)
            .iter()
            .filter(|(chat, _)| *chat >= BASE)
            .count() as i64
            >= readers
    })
    .await;
    let result_times: Vec<Instant> = tg
        .deliveries_since(before_results)
        .iter()
        .filter(|(chat, _)| *chat >= BASE)
        .map(|d| d.1)
        .collect();
    let csv = k.run(&["consultation", "C1", "--csv"], b"");
    let csv = String::from_utf8(csv.stdout).unwrap();
    let csv_exact = (0..3)
        .all(|i| csv.contains(&format!("{},{},{},", i + 1, OPTIONS[i], expected[i])))
        && csv.contains(&format!(",voters,{readers},"));
    stop(child);

    println!(
        "Consultation for {readers} Telegram readers, API limit {api_limit}/s, bot configured {bot_rate}/s (burst 1)"
    );
    println!();
    println!("| phase | messages | time | achieved | of the API's limit | busiest second |");
    println!("|---|---|---|---|---|---|");
    for (phase, at) in [
        ("cards sent", &card_times),
        ("votes: cards edited", &edit_times),
        ("results sent", &result_times),
    ] {
        let (r, span, busiest) = send_rate(at);
        println!(
            "| {phase} | {} | {span:.1} s | {r:.1}/s | {:.1} % | {busiest} |",
            at.len(),
            r / api_limit as f64 * 100.0
        );
    }
    println!();
    println!(
        "429 answers: {}; cards showing a wrong vote: {wrong}; counts exact: {exact} ({results:?}); CSV exact: {csv_exact}",
        tg.too_many_requests().len(),
    );
    assert!(exact && csv_exact && wrong == 0, "{results}\n{csv}");
}
