//! The public pages and data under load (issue 21): `wrk` (Debian's
//! package) against the real `kohero serve` on loopback, on an installation
//! filled through the fake Telegram Bot API with INITIATIVES ideas around
//! Lyon (each from its own person, with an event on the first).
//!
//! cargo bench -p kohero-tests --bench public_pages [-- INITIATIVES SECONDS]
//! (`KOHERO_BIN` names the `kohero` binary: a release build for figures)
//!
//! With `KOHERO_BIN_BEFORE` naming another build, each measurement is made
//! with that build then with `KOHERO_BIN`, alternated, twice, on the same
//! installation (before/after comparisons in one run).
//!
//! Prints, for an initiative page, a commune page, a revalidation answered
//! 304, and a GeoJSON page of 5,000 features: requests per second and
//! latency percentiles, with the answer cache on (5 s, the default) and off.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::process::Command;
use std::time::Duration;

use kohero_tests::fake_telegram::FakeTelegram;
use kohero_tests::{Install, free_port, stop, wait_until};

const BASE: i64 = 200_000;

/// One wrk run: (requests/s, p50 ms, p99 ms, non-2xx/3xx answers).
fn wrk(url: &str, seconds: u32, header: Option<&str>) -> (f64, f64, f64, u64) {
    let mut c = Command::new("wrk");
    c.args(["-t2", "-c16", &format!("-d{seconds}s"), "--latency"]);
    if let Some(h) = header {
        c.args(["-H", h]);
    }
    let out = c.arg(url).output().expect("wrk (Debian package wrk)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let number = |line: &str| -> f64 {
        let v = line.split_whitespace().last().unwrap_or("0");
        let (n, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(v.len()));
        let n: f64 = n.parse().unwrap_or(f64::NAN);
        match unit {
            "us" => n / 1000.0,
            "s" => n * 1000.0,
            _ => n,
        }
    };
    let rps = text
        .lines()
        .find(|l| l.starts_with("Requests/sec:"))
        .map_or(f64::NAN, number);
    let p = |q: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(q))
            .map_or(f64::NAN, number)
    };
    let bad = text
        .lines()
        .find(|l| l.contains("Non-2xx or 3xx responses:"))
        .and_then(|l| l.split_whitespace().last()?.parse().ok())
        .unwrap_or(0);
    (rps, p("50%"), p("99%"), bad)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args: Vec<u32> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = i64::from(args.first().copied().unwrap_or(5_000));
    let seconds = args.get(1).copied().unwrap_or(10);

    // The installation: n ideas in a 10 km box around Lyon, one launched
    // with an event and an update.
    let k = Install::new();
    let tg = FakeTelegram::start().await;
    tg.enforce_limits(false);
    let child = k.serve_telegram(&tg, "off");
    for i in 0..n {
        let lat = 45.70 + (i % 100) as f64 * 0.0012;
        let lon = 4.78 + (i / 100 % 100) as f64 * 0.0016;
        tg.text(
            BASE + i,
            "fr",
            &format!("/proposer Atelier « réparation » n°{i} | repair | geo:{lat:.5},{lon:.5} | Vélos, grille-pain & co, chaque samedi."),
        );
    }
    wait_until("the ideas", Duration::from_secs(1800), || {
        tg.deliveries_since(0).len() as i64 >= n
    })
    .await;
    tg.text(BASE, "fr", "/lancer 1");
    tg.text(BASE, "fr", "/maj 1 Le local est trouvé !");
    tg.text(
        BASE,
        "fr",
        "/evenement 1 Atelier | 2027-05-17 10:30 | - | 3h",
    );
    wait_until("the project", Duration::from_secs(60), || {
        tg.deliveries_since(0).len() as i64 >= n + 3
    })
    .await;
    stop(child);

    println!("Public pages: {n} initiatives around Lyon, wrk -t2 -c16 -d{seconds}s on loopback");
    println!();
    let before = std::env::var_os("KOHERO_BIN_BEFORE").map(std::path::PathBuf::from);
    let builds: Vec<(&str, std::path::PathBuf)> = match &before {
        Some(b) => [("before", b.clone()), ("after", kohero_tests::kohero_bin())]
            .into_iter()
            .cycle()
            .take(4)
            .collect(),
        None => vec![("", kohero_tests::kohero_bin())],
    };
    println!("| what | build | answer cache | requests/s | p50 | p99 | errors |");
    println!("|---|---|---|---|---|---|---|");
    for cache in ["5", "0"] {
        for (build, bin) in &builds {
            let port = free_port();
            let addr = format!("127.0.0.1:{port}");
            let url = tg.url();
            let served = k.serve_bin(
                bin,
                &[
                    ("KOHERO_TELEGRAM_TOKEN", kohero_tests::fake_telegram::TOKEN),
                    ("KOHERO_TELEGRAM_API_URL", url.as_str()),
                    ("KOHERO_PUBLIC_ADDR", addr.as_str()),
                    ("KOHERO_PUBLIC_RATE", "1000000/s:1000000"),
                    ("KOHERO_PUBLIC_CACHE_SECONDS", cache),
                ],
            );
            wait_until("the public listener", Duration::from_secs(30), || {
                std::net::TcpStream::connect(&addr).is_ok()
            })
            .await;
            let base = format!("http://{addr}");
            let page = kohero_tests::http_get(&addr, "/i/1").await.unwrap();
            assert!(page.contains("Atelier"), "{page}");
            // The ETag of the page, for revalidations.
            let etag = {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
                s.write_all(format!("HEAD /i/1 HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes())
                    .await
                    .unwrap();
                let mut raw = String::new();
                s.read_to_string(&mut raw).await.unwrap();
                raw.lines()
                    .find_map(|l| l.strip_prefix("etag: "))
                    .unwrap()
                    .trim()
                    .to_owned()
            };
            let geo =
                kohero_tests::http_get(&addr, "/api/initiatives.geojson?bbox=4.7,45.6,4.95,45.9")
                    .await
                    .unwrap();
            let features = geo.matches("\"Feature\"").count();
            let commune = geo
                .split("\"commune\":\"")
                .nth(1)
                .and_then(|r| r.get(..5))
                .unwrap()
                .to_owned();
            let cached = if cache == "0" { "off" } else { "5 s" };
            for (what, path, header) in [
                ("initiative page /i/1", "/i/1".to_owned(), None),
                ("commune page", format!("/c/{commune}"), None),
                (
                    "revalidation of /i/1 (304)",
                    "/i/1".to_owned(),
                    Some(format!("If-None-Match: {etag}")),
                ),
                (
                    &*format!("GeoJSON, {features} features"),
                    "/api/initiatives.geojson?bbox=4.7,45.6,4.95,45.9".to_owned(),
                    None,
                ),
            ] {
                let (rps, p50, p99, bad) =
                    wrk(&format!("{base}{path}"), seconds, header.as_deref());
                println!(
                    "| {what} | {build} | {cached} | {rps:.0} | {p50:.2} ms | {p99:.2} ms | {bad} |"
                );
            }
            stop(served);
        }
    }
}
