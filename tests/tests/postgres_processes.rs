//! Two `kohero serve` processes on one PostgreSQL database and the fake Telegram
//! Bot API (issue "PostgreSQL"): one process at a time polls and sends (the
//! Telegram lease), so a 2,000-reader digest fired by the scheduler of both
//! processes goes out once per reader without passing the bot's global rate;
//! killed in the middle of the next digest, the lease holder is replaced by the
//! other process, which finishes it. Runs on the throwaway cluster `scripts/test`
//! starts (`KOHERO_TEST_POSTGRES_URL`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use kohero_tests::fake_telegram::{FakeTelegram, TOKEN};
use kohero_tests::{Install, Served, free_port, http_get, stop};

const READERS: i64 = 2000;
const FIRST_READER: i64 = 100_000;
/// The bot's global rate (messages a second, burst 1), and what the fake API
/// accepts in any second: a little more, so that a limiter per process (two
/// processes sending at once) would earn 429 answers.
const BOT_RATE: usize = 150;
const API_LIMIT: usize = 160;

fn server() -> String {
    std::env::var("KOHERO_TEST_POSTGRES_URL")
        .expect("KOHERO_TEST_POSTGRES_URL is not set: run the tests with scripts/test")
}

struct Process {
    served: Served,
    http: String,
}

fn start(k: &Install, tg: &FakeTelegram) -> Process {
    let url = tg.url();
    let http = format!("127.0.0.1:{}", free_port());
    let rate = format!("{BOT_RATE}/s:1");
    let served = k.serve(&[
        ("KOHERO_TELEGRAM_TOKEN", TOKEN),
        ("KOHERO_TELEGRAM_API_URL", url.as_str()),
        ("KOHERO_TELEGRAM_RATE_GLOBAL", rate.as_str()),
        ("KOHERO_HTTP_ADDR", http.as_str()),
    ]);
    Process { served, http }
}

/// Whether the process holds the Telegram lease (its `/metrics`), if it answers.
async fn holds(p: &Process) -> Option<bool> {
    let m = http_get(&p.http, "/metrics").await.ok()?;
    let line = m
        .lines()
        .find(|l| l.starts_with("kohero_lease_held{network=\"telegram\"}"))?;
    Some(line.ends_with(" 1"))
}

async fn wait_until(what: &str, limit: Duration, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done().await {
        assert!(Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Messages containing `text` each reader received so far (one pass over the
/// calls).
fn counts(tg: &FakeTelegram, text: &str) -> BTreeMap<i64, usize> {
    let mut got: BTreeMap<i64, usize> = (0..READERS).map(|r| (FIRST_READER + r, 0)).collect();
    for c in tg.calls("sendMessage") {
        if c.status != 200 || !c.body["text"].as_str().unwrap_or_default().contains(text) {
            continue;
        }
        if let Some(n) = c.body["chat_id"]
            .as_i64()
            .and_then(|chat| got.get_mut(&chat))
        {
            *n += 1;
        }
    }
    got
}

/// Digest messages each reader received so far.
fn digests(tg: &FakeTelegram) -> BTreeMap<i64, usize> {
    counts(tg, "La lettre de")
}

/// The most messages the fake API accepted in any one second since `from`.
fn busiest_second(tg: &FakeTelegram, from: usize) -> usize {
    let sent = tg.deliveries_since(from);
    let mut most = 0;
    let mut start = 0;
    for (i, (_, at)) in sent.iter().enumerate() {
        while sent[start].1 + Duration::from_secs(1) <= *at {
            start += 1;
        }
        most = most.max(i + 1 - start);
    }
    most
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_deliver_a_digest_once_and_one_finishes_what_the_other_started() {
    let k = Install::on_postgres(&server(), "kohero_two_processes").await;
    k.verify_town_hall("telegram:70", "69266");
    let tg = FakeTelegram::start().await;
    tg.set_global_limit(API_LIMIT);
    let a = start(&k, &tg);
    let b = start(&k, &tg);

    // Exactly one of the two holds the Telegram lease.
    wait_until("a lease holder", Duration::from_secs(30), async || {
        matches!(
            (holds(&a).await, holds(&b).await),
            (Some(true), Some(false)) | (Some(false), Some(true))
        )
    })
    .await;

    // 2,000 readers subscribe: each answered once.
    for r in 0..READERS {
        tg.text(FIRST_READER + r, "fr", "/abonner Villeurbanne");
    }
    tg.text(
        71,
        "fr",
        "/proposer Composteur | compost | Villeurbanne | Un bac",
    );
    let setup = Duration::from_secs(60 + READERS.unsigned_abs() / BOT_RATE as u64);
    wait_until("every subscription answered", setup, async || {
        counts(&tg, "Abonnement enregistré")
            .values()
            .all(|n| *n >= 1)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Answered once each; told of the new initiative at most once.
    let answered = counts(&tg, "Abonnement enregistré");
    assert!(answered.values().all(|n| *n == 1), "{answered:?}");
    let told = counts(&tg, "Composteur");
    assert!(told.values().all(|n| *n <= 1), "{told:?}");

    // The digest every minute: both schedulers see it due, one runs the tick.
    let out = k.run(&["digest", "69266", "--schedule", "* * * * *"], b"");
    assert!(out.status.success(), "{out:?}");
    let from = tg.deliveries_since(0).len();
    wait_until(
        "the scheduled digest",
        Duration::from_secs(75 + READERS.unsigned_abs() / BOT_RATE as u64),
        async || digests(&tg).values().all(|n| *n >= 1),
    )
    .await;
    let out = k.run(&["digest", "69266", "--stop"], b"");
    assert!(out.status.success(), "{out:?}");
    // Long enough for a second run of the tick, had there been one.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let first = digests(&tg);
    assert!(first.values().all(|n| *n == 1), "not once each: {first:?}");
    let busiest = busiest_second(&tg, from);
    assert!(busiest <= BOT_RATE + 1, "{busiest} messages in one second");
    assert!(
        tg.too_many_requests().is_empty(),
        "{:?}",
        tg.too_many_requests()
    );

    // Something new, and the next digest at once; the lease holder is killed
    // when a quarter is out.
    tg.text(
        71,
        "fr",
        "/proposer Repair café | reparation | Villeurbanne | Mardi",
    );
    tg.wait_for(71, 2, Duration::from_secs(30)).await;
    let out = k.run(&["digest", "69266", "--now"], b"");
    assert!(out.status.success(), "{out:?}");
    let second = |tg: &FakeTelegram| -> usize {
        digests(tg)
            .values()
            .map(|n| n.saturating_sub(1))
            .sum::<usize>()
    };
    wait_until("the second digest", Duration::from_secs(60), async || {
        second(&tg) >= READERS as usize / 4
    })
    .await;
    let (mut holder, other) = if holds(&a).await == Some(true) {
        (a, b)
    } else {
        (b, a)
    };
    holder.served.kill9();
    let killed = Instant::now();
    let at_kill = second(&tg);
    assert!(at_kill < READERS as usize, "killed too late: {at_kill}");
    let delivered_at_kill = tg.deliveries_since(0).len();
    wait_until(
        "the other process takes over",
        Duration::from_secs(30),
        async || tg.deliveries_since(0).len() > delivered_at_kill + 16,
    )
    .await;
    let takeover = killed.elapsed();
    assert_eq!(holds(&other).await, Some(true));
    wait_until(
        "the second digest finished",
        Duration::from_secs(60 + READERS.unsigned_abs() / BOT_RATE as u64),
        async || digests(&tg).values().all(|n| *n >= 2),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let counts = digests(&tg);
    let twice = counts.values().filter(|n| **n > 2).count();
    assert!(counts.values().all(|n| *n <= 3), "{counts:?}");
    // At most the batch the killed process had claimed and sent went twice.
    assert!(twice <= 16, "{twice} readers got the second digest twice");
    assert!(
        tg.too_many_requests().is_empty(),
        "{:?}",
        tg.too_many_requests()
    );
    // Never two getUpdates at once.
    assert_eq!(tg.polling_conflicts(), 0);
    println!(
        "two processes: {READERS} readers; scheduled digest once each, busiest second {busiest}; \
         second digest: {at_kill} out at kill -9 of the lease holder, taken over after {takeover:?}, {twice} twice"
    );
    stop(other.served);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nearby_search_follows_another_process_within_a_second() {
    let k = Install::on_postgres(&server(), "kohero_index_follows").await;
    let tg = FakeTelegram::start().await;
    tg.enforce_limits(false);
    let p = start(&k, &tg);
    wait_until("the lease", Duration::from_secs(30), async || {
        holds(&p).await == Some(true)
    })
    .await;
    let (lat, lon) = (45.7640, 4.8357);
    tg.location(500, lat, lon);
    let got = tg.wait_for(500, 1, Duration::from_secs(30)).await;
    assert!(!got[0].0.contains("Frigo solidaire"), "{}", got[0].0);

    // Another process (the command line) writes an idea in Lyon.
    let said = k.chat(
        "zoe",
        &["/proposer Frigo solidaire | alimentation | Lyon | Un frigo partagé"],
    );
    assert!(said.contains("Frigo solidaire"), "{said}");
    // A second later, the serving process's nearby search has it (notified;
    // its periodic catch-up alone runs every 5 s).
    tokio::time::sleep(Duration::from_secs(1)).await;
    tg.location(500, lat, lon);
    let got = tg.wait_for(500, 2, Duration::from_secs(30)).await;
    assert!(got[1].0.contains("Frigo solidaire"), "{}", got[1].0);
    stop(p.served);
}

/// Processes started at the same moment on one database all serve: what each
/// writes at start (the networks it makes rooms on, its adapters' state) is
/// run again when it runs into another's (one of two benchmark processes
/// started together used to exit with « could not serialize access due to
/// concurrent update »).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_started_together_all_serve() {
    let k = Install::on_postgres(&server(), "kohero_started_together").await;
    assert!(k.run(&["demo-data"], b"").status.success());
    let tg = FakeTelegram::start().await;
    for round in 0..4 {
        let mut ps: Vec<Process> = (0..4).map(|_| start(&k, &tg)).collect();
        for (i, p) in ps.iter_mut().enumerate() {
            wait_until(
                &format!("round {round}: process {i} answers /healthz"),
                Duration::from_secs(30),
                async || {
                    let child = p.served.0.as_mut().unwrap();
                    assert!(
                        child.try_wait().unwrap().is_none(),
                        "round {round}: process {i} exited at start"
                    );
                    http_get(&p.http, "/healthz").await.is_ok()
                },
            )
            .await;
        }
        for p in ps {
            stop(p.served);
        }
    }
}
