//! Telegram throughput: the real `kohero serve` (release build) against the fake
//! Bot API with limits out of the way, 1,000 simulated people sending locations
//! and commands.
//!
//! cargo build --release -p kohero && cargo bench -p kohero-tests --bench telegram [-- SECONDS PEOPLE RATE...]
//!
//! Two measures: the sustained rate (closed loop: each person sends again as soon
//! as answered, so the bot is saturated), and the latency inside the bot at
//! offered rates below it (open loop: updates arrive at a fixed rate). Latency
//! "inside the bot" is measured twice: by the fake server, from the getUpdates
//! answer that hands an update out to the sendMessage request that carries its
//! reply (so it includes both HTTP exchanges and the fake server's own delays on
//! the shared cores), and by the bot itself (`kohero_reply_latency_seconds` on
//! /metrics: from the update's arrival in the bot to its reply handed to the
//! HTTP client), read as the share of replies within 10 ms.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::collections::{HashMap, VecDeque};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kohero_tests::fake_telegram::{FakeTelegram, TOKEN};
use kohero_tests::{Install, free_port, histogram, http_get, kohero_bin};

const BASE: i64 = 10_000;

/// What person `p` sends as their `n`-th message: each gets exactly one reply.
fn send(tg: &FakeTelegram, p: i64, n: u64) -> i64 {
    let lat = 45.74 + (p % 50) as f64 * 0.001;
    let lon = 4.82 + (p / 50) as f64 * 0.001;
    match n % 4 {
        0 => tg.location(BASE + p, lat, lon),
        1 => tg.text(BASE + p, "fr", "/voir 1"),
        2 => tg.text(BASE + p, "fr", "/chercher cafe"),
        _ => tg.text(BASE + p, "fr", "/aide"),
    }
}

struct Run {
    answered: u64,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Run {
    fn rate(&self) -> f64 {
        self.answered as f64 / self.elapsed.as_secs_f64()
    }
    /// The latency percentile `q`, in milliseconds (latencies sorted).
    fn pct(&self, q: f64) -> f64 {
        let l = &self.latencies;
        if l.is_empty() {
            return f64::NAN;
        }
        l[((l.len() as f64 * q) as usize).min(l.len() - 1)].as_secs_f64() * 1e3
    }
}

/// The secret the bots of the webhook mode check.
const SECRET: &str = "bench-webhook-secret";

/// What person `p` sends as their `n`-th message in webhook mode (texts: one
/// reply each), as Telegram would push it, to one of the processes' webhooks
/// (by person: a load balancer keeping a chat on one process). Returns the
/// update id.
fn push_to_webhook(tg: &FakeTelegram, hooks: &[String], p: i64, n: u64) -> i64 {
    let text = match n % 3 {
        0 => "/voir 1",
        1 => "/chercher cafe",
        _ => "/aide",
    };
    let update = tg.text_update(BASE + p, "fr", text);
    let id = update["update_id"].as_i64().unwrap();
    let addr = hooks[usize::try_from(p).unwrap() % hooks.len()].clone();
    tokio::spawn(async move {
        for _ in 0..50 {
            if post_update(&addr, &update).await == Some(200) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the webhook at {addr} kept refusing update {id}");
    });
    id
}

/// One POST to a webhook (HTTP/1.1, a new connection): its status.
async fn post_update(addr: &str, update: &serde_json::Value) -> Option<u16> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = update.to_string();
    let mut s = tokio::net::TcpStream::connect(addr).await.ok()?;
    let req = format!(
        "POST /telegram/webhook HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nX-Telegram-Bot-Api-Secret-Token: {SECRET}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.ok()?;
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).await.ok()?;
    let text = String::from_utf8_lossy(&answer);
    text.split(' ').nth(1)?.parse().ok()
}

/// Sends for `seconds`: at `rate` per second (open loop), or as fast as answered
/// (closed loop, `rate` = None); pushed to `hooks` (webhook mode) when given.
async fn drive(
    tg: &FakeTelegram,
    people: i64,
    seconds: u64,
    rate: Option<f64>,
    hooks: Option<&[String]>,
) -> Run {
    let mut outstanding: HashMap<i64, VecDeque<i64>> = HashMap::new();
    let mut count: HashMap<i64, u64> = HashMap::new();
    let mut seen = tg.deliveries_since(0).len();
    let mut pushed_at: HashMap<i64, Instant> = HashMap::new();
    let mut push = |p: i64,
                    outstanding: &mut HashMap<i64, VecDeque<i64>>,
                    pushed_at: &mut HashMap<i64, Instant>| {
        let n = count.entry(p).or_default();
        let u = match hooks {
            Some(h) => {
                let u = push_to_webhook(tg, h, p, *n);
                pushed_at.insert(u, Instant::now());
                u
            }
            None => send(tg, p, *n),
        };
        *n += 1;
        outstanding.entry(BASE + p).or_default().push_back(u);
    };
    let start = Instant::now();
    let end = start + Duration::from_secs(seconds);
    let mut sent = 0u64;
    if rate.is_none() {
        for p in 0..people {
            push(p, &mut outstanding, &mut pushed_at);
        }
    }
    let mut run = Run {
        answered: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
    };
    let mut next_person = 0i64;
    while Instant::now() < end {
        if let Some(r) = rate {
            let due = (start.elapsed().as_secs_f64() * r) as u64;
            while sent < due {
                push(next_person, &mut outstanding, &mut pushed_at);
                next_person = (next_person + 1) % people;
                sent += 1;
            }
        }
        let notified = tg.delivered.notified();
        let new = tg.deliveries_since(seen);
        if new.is_empty() {
            let _ = tokio::time::timeout(Duration::from_millis(1), notified).await;
            continue;
        }
        seen += new.len();
        for (chat, at) in new {
            let Some(u) = outstanding.get_mut(&chat).and_then(VecDeque::pop_front) else {
                continue;
            };
            if let Some(h) = tg.handed_at(u).or_else(|| pushed_at.get(&u).copied()) {
                run.latencies.push(at.saturating_duration_since(h));
            }
            run.answered += 1;
            if rate.is_none() {
                push(chat - BASE, &mut outstanding, &mut pushed_at);
            }
        }
    }
    run.elapsed = start.elapsed();
    run.latencies.sort();
    // Let the last answers in before the next run.
    tokio::time::sleep(Duration::from_millis(500)).await;
    run
}

/// What the bot and the database spent over a run: a counter of the bot's
/// `/metrics` and CPU seconds, read before and after.
#[derive(Debug, Clone, Copy, Default)]
struct Costs {
    round_trips: f64,
    conflicts: f64,
    /// CPU seconds of the bot process.
    bot_cpu: f64,
    /// CPU seconds of the processes called `postgres` (the server's).
    db_cpu: f64,
}

impl Costs {
    /// Summed over the bots (`/metrics` address, process id).
    async fn now(bots: &[(String, u32)]) -> Self {
        let mut texts = Vec::new();
        for (http, _) in bots {
            texts.push(http_get(http, "/metrics").await.unwrap_or_default());
        }
        let counter = |name: &str| {
            texts
                .iter()
                .map(|text| {
                    text.lines()
                        .find_map(|l| l.strip_prefix(name)?.trim().parse::<f64>().ok())
                        .unwrap_or(f64::NAN)
                })
                .sum::<f64>()
        };
        let mut db_cpu = 0.0;
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
            if comm.trim() == "postgres" {
                db_cpu += cpu_seconds(&entry.path().join("stat"));
            }
        }
        Self {
            round_trips: counter("kohero_store_round_trips_total"),
            conflicts: counter("kohero_store_conflicts_total"),
            bot_cpu: bots
                .iter()
                .map(|(_, pid)| cpu_seconds(std::path::Path::new(&format!("/proc/{pid}/stat"))))
                .sum(),
            db_cpu,
        }
    }

    /// Per update answered between `self` and `after`: round trips,
    /// conflicts (total), bot and database CPU in milliseconds.
    fn per_update(&self, after: &Self, updates: u64) -> String {
        let n = updates.max(1) as f64;
        let trips = after.round_trips - self.round_trips;
        let trips = if trips.is_nan() {
            "–".to_owned()
        } else {
            format!("{:.1}", trips / n)
        };
        format!(
            "{trips} | {:.0} | {:.2} ms | {:.2} ms",
            after.conflicts - self.conflicts,
            (after.bot_cpu - self.bot_cpu) * 1e3 / n,
            (after.db_cpu - self.db_cpu) * 1e3 / n,
        )
    }
}

/// User and system CPU seconds of a process (`/proc/PID/stat`, at the
/// usual 100 ticks a second).
fn cpu_seconds(stat: &std::path::Path) -> f64 {
    let text = std::fs::read_to_string(stat).unwrap_or_default();
    let Some((_, rest)) = text.rsplit_once(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime: fields 14 and 15 of stat, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// The bot's own reply-latency histogram (cumulative buckets, seconds).
async fn latencies(http: &str) -> Vec<(f64, u64)> {
    let text = http_get(http, "/metrics").await.unwrap();
    histogram(&text, "kohero_reply_latency_seconds", "telegram")
}

/// The bot's own measure over a run (between two readings): the share of
/// replies within 10 ms, and the bucket bound the 99th percentile falls under.
fn own(before: &[(f64, u64)], after: &[(f64, u64)]) -> String {
    let delta: Vec<(f64, u64)> = after
        .iter()
        .zip(before)
        .map(|((le, a), (_, b))| (*le, a - b))
        .collect();
    let total = delta.last().map_or(0, |d| d.1);
    if total == 0 {
        return "– | –".to_owned();
    }
    let within = delta.iter().find(|d| d.0 >= 0.010).map_or(0, |d| d.1);
    let p99 = delta
        .iter()
        .find(|d| d.1 as f64 >= total as f64 * 0.99)
        .map_or(f64::INFINITY, |d| d.0);
    format!(
        "{:.2} % | ≤ {} ms",
        within as f64 * 100.0 / total as f64,
        p99 * 1e3
    )
}

fn start_bot(k: &Install, tg: &FakeTelegram, http: &str, webhook: bool) -> Child {
    let mut c = Command::new(kohero_bin());
    if webhook {
        c.env(
            "KOHERO_TELEGRAM_WEBHOOK_URL",
            "https://kohero.example.org/telegram/webhook",
        )
        .env("KOHERO_TELEGRAM_WEBHOOK_SECRET", SECRET);
    }
    c.arg("--db")
        .arg(k.db())
        .arg("serve")
        .env("KOHERO_TELEGRAM_TOKEN", TOKEN)
        .env("KOHERO_TELEGRAM_API_URL", tg.url())
        .env("KOHERO_TELEGRAM_RATE_CHAT", "off")
        .env("KOHERO_TELEGRAM_RATE_GROUP", "off")
        .env("KOHERO_TELEGRAM_RATE_GLOBAL", "off")
        // Simulated people answer at once, faster than a person: fair use off.
        .env("KOHERO_RATE_PERSON", "off")
        .env("KOHERO_LOG", "error")
        .env("KOHERO_HTTP_ADDR", http)
        .stdin(Stdio::null())
        .spawn()
        .unwrap()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args: Vec<f64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let seconds = args.first().copied().unwrap_or(15.0) as u64;
    let people = args.get(1).copied().unwrap_or(1000.0) as i64;
    let rates: Vec<f64> = if args.len() > 2 {
        args[2..].to_vec()
    } else {
        vec![100.0, 250.0, 500.0]
    };

    // KOHERO_BENCH_POSTGRES_URL (a URL to a PostgreSQL server's database, e.g.
    // …/postgres) runs the same on a fresh PostgreSQL database.
    let (k, store) = match std::env::var("KOHERO_BENCH_POSTGRES_URL") {
        Ok(url) => (
            Install::on_postgres(&url, "kohero_bench_telegram").await,
            "PostgreSQL",
        ),
        Err(_) => (Install::new(), "SQLite"),
    };
    assert!(k.run(&["demo-data"], b"").status.success());
    let tg = FakeTelegram::start().await;
    tg.enforce_limits(false);
    // KOHERO_BENCH_WEBHOOK_PROCESSES=N: N processes on the database in
    // webhook mode, each update pushed to one of them (by person), the
    // replies sent by the lease holder; else one process, long polling.
    let processes: usize = std::env::var("KOHERO_BENCH_WEBHOOK_PROCESSES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let webhook = processes > 0;
    let mut children = Vec::new();
    let mut hooks = Vec::new();
    for _ in 0..processes.max(1) {
        let http = format!("127.0.0.1:{}", free_port());
        children.push(start_bot(&k, &tg, &http, webhook));
        hooks.push(http);
    }
    let http = hooks[0].clone();
    if webhook {
        for h in &hooks {
            while http_get(h, "/healthz").await.is_err() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        while tg.calls("setWebhook").is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    } else {
        while tg.calls("getUpdates").is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let bots: Vec<(String, u32)> = hooks
        .iter()
        .cloned()
        .zip(children.iter().map(Child::id))
        .collect();
    let hooks = webhook.then_some(hooks.as_slice());

    let mode = if webhook {
        format!("webhook, {processes} process(es)")
    } else {
        "long polling".to_owned()
    };
    println!(
        "Telegram, {people} simulated people, {seconds} s per run, {store}, {mode}, limits off"
    );
    println!();
    println!(
        "| load | updates answered | updates/s | p50 (fake server) | p99 (fake server) | bot: within 10 ms | bot: p99 bucket | round trips/update | conflicts | bot CPU/update | database CPU/update |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let mut before = latencies(&http).await;
    let mut costs = Costs::now(&bots).await;
    let sat = drive(&tg, people, seconds, None, hooks).await;
    let after = latencies(&http).await;
    let spent = Costs::now(&bots).await;
    println!(
        "| saturated (closed loop) | {} | {:.0} | {:.1} ms | {:.1} ms | {} | {} |",
        sat.answered,
        sat.rate(),
        sat.pct(0.5),
        sat.pct(0.99),
        own(&before, &after),
        costs.per_update(&spent, sat.answered)
    );
    before = after;
    costs = spent;
    for r in rates {
        let run = drive(&tg, people, seconds, Some(r), hooks).await;
        let after = latencies(&http).await;
        let spent = Costs::now(&bots).await;
        println!(
            "| offered {r:.0}/s | {} | {:.0} | {:.1} ms | {:.1} ms | {} | {} |",
            run.answered,
            run.rate(),
            run.pct(0.5),
            run.pct(0.99),
            own(&before, &after),
            costs.per_update(&spent, run.answered)
        );
        before = after;
        costs = spent;
    }
    for mut child in children {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let _ = child.wait();
    }
}
