//! Running Kohero for a town (issue 22), through the real binary: backups
//! taken while it serves a Telegram load.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kohero_tests::fake_telegram::FakeTelegram;
use kohero_tests::{Install, first_number, free_port, stop, wait_until};

/// What SQLite says of a database file: its integrity, its foreign keys,
/// and how many initiatives it holds.
fn inspect(db: &Path) -> (Vec<String>, usize, i64) {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    let integrity: Vec<String> = c
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let broken_keys = c
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |_| Ok(()))
        .unwrap()
        .count();
    let ideas: i64 = c
        .query_row("SELECT COUNT(*) FROM initiatives", [], |r| r.get(0))
        .unwrap();
    (integrity, broken_keys, ideas)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_load_is_whole_and_serves_once_restored() {
    let tg = FakeTelegram::start().await;
    tg.enforce_limits(false);
    let k = Install::new();
    // The Matrix store beside the database, as the bot's first login leaves
    // it: a live SQLite database in WAL mode and a file.
    let store = k.dir.path().join("kohero.db.matrix");
    std::fs::create_dir(&store).unwrap();
    let crypto = rusqlite::Connection::open(store.join("matrix-sdk-crypto.sqlite3")).unwrap();
    crypto
        .execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE kv (k TEXT, v BLOB);
             INSERT INTO kv VALUES ('device', x'00ff');",
        )
        .unwrap();
    std::fs::write(store.join("device.json"), b"{\"id\":\"KOHERO\"}").unwrap();

    let served = k.serve_telegram(&tg, "off");
    tg.text(
        1,
        "fr",
        "/proposer Composteur « partagé » d'Élise 🌱 | compost | geo:45.7745,4.8320 | Un bac au square",
    );
    let (r, _) = tg.answer_to(1, "est publiée").await;
    let first = first_number(&r, '#');

    // The load: five people propose and support ideas as fast as the bot
    // answers, until the backups are made.
    let done = Arc::new(AtomicBool::new(false));
    let load = tokio::spawn({
        let (tg, done) = (tg.clone(), done.clone());
        async move {
            let mut n = 0u32;
            while !done.load(Ordering::Relaxed) {
                for who in 2..7 {
                    tg.text(
                        who,
                        "fr",
                        &format!("/proposer Atelier « vélo » n°{n} d'hiver 🚲 | repair | geo:45.76,4.83 | Réparer & partager"),
                    );
                    tg.text(who, "fr", &format!("/soutenir {first}"));
                }
                n += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            n
        }
    });
    wait_until("the load to start", Duration::from_secs(60), || {
        tg.deliveries_since(0).len() > 50
    })
    .await;

    let mut counts = Vec::new();
    for b in 0..3 {
        let file = k.dir.path().join(format!("backup-{b}.db"));
        let file_s = file.to_str().unwrap();
        let said = k.run_ok(&["backup", file_s]);
        assert!(said.contains("integrity checked"), "{said}");
        assert!(said.contains("kohero.db.matrix"), "{said}");
        assert!(said.contains("not encrypted"), "{said}");
        let (integrity, broken_keys, ideas) = inspect(&file);
        assert_eq!(integrity, ["ok"], "backup {b}");
        assert_eq!(broken_keys, 0, "backup {b}");
        counts.push(ideas);
        // The Matrix store beside it: its database through SQLite, its file.
        let copied = k.dir.path().join(format!("backup-{b}.db.matrix"));
        let c = rusqlite::Connection::open(copied.join("matrix-sdk-crypto.sqlite3")).unwrap();
        let v: Vec<u8> = c
            .query_row("SELECT v FROM kv WHERE k = 'device'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, [0x00, 0xff]);
        assert!(copied.join("device.json").is_file());
        assert!(!copied.join("matrix-sdk-crypto.sqlite3-wal").exists());
        // Every table reads back: copy-db compares each table's rows and
        // checksums with the backup's.
        let again = k.dir.path().join(format!("again-{b}.db"));
        let compared = k.run_ok(&["copy-db", file_s, again.to_str().unwrap()]);
        assert!(compared.contains("every table matches"), "{compared}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    done.store(true, Ordering::Relaxed);
    let rounds = load.await.unwrap();
    assert!(rounds > 3, "the load ran {rounds} rounds");
    // Snapshots in time: each backup holds at least what the one before held.
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
    assert!(counts[0] > 1, "{counts:?}");

    // Never over anything: the same name twice is refused, nothing changes.
    let file = k.dir.path().join("backup-0.db");
    let before = std::fs::read(&file).unwrap();
    let out = k.run(&["backup", file.to_str().unwrap()], b"");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already exists"),
        "{out:?}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), before);
    // PostgreSQL is pg_dump's business, said plainly.
    let out = std::process::Command::new(kohero_tests::kohero_bin())
        .args(["--db", "postgres://kohero@127.0.0.1:1/kohero", "backup"])
        .arg(k.dir.path().join("x.db"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("pg_dump"),
        "{out:?}"
    );
    stop(served);
    drop(crypto);

    // Restored: the last backup in place of the database serves the ideas.
    let restored = Install::new();
    std::fs::copy(
        k.dir.path().join("backup-2.db"),
        restored.dir.path().join("kohero.db"),
    )
    .unwrap();
    let seen = restored.chat("Zoé", &[&format!("/voir {first}")]);
    assert!(seen.contains("Composteur « partagé » d'Élise 🌱"), "{seen}");
    assert!(seen.contains("soutien(s)"), "{seen}");
}

/// The next notification on the socket, if one comes within `wait`.
async fn notification(sock: &tokio::net::UnixDatagram, wait: Duration) -> Option<String> {
    let mut buf = [0u8; 512];
    let n = tokio::time::timeout(wait, sock.recv(&mut buf))
        .await
        .ok()?
        .unwrap();
    Some(String::from_utf8_lossy(&buf[..n]).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn systemd_is_told_when_it_is_ready_alive_and_stopping() {
    let tg = FakeTelegram::start().await;
    let k = Install::new();
    let path = k.dir.path().join("notify.sock");
    let sock = tokio::net::UnixDatagram::bind(&path).unwrap();
    let http = format!("127.0.0.1:{}", kohero_tests::free_port());
    let url = tg.url();
    let served = k.serve(&[
        ("KOHERO_TELEGRAM_TOKEN", kohero_tests::fake_telegram::TOKEN),
        ("KOHERO_TELEGRAM_API_URL", url.as_str()),
        ("KOHERO_HTTP_ADDR", http.as_str()),
        ("NOTIFY_SOCKET", path.to_str().unwrap()),
        ("WATCHDOG_USEC", "400000"),
    ]);
    let ready = notification(&sock, Duration::from_secs(60)).await.unwrap();
    assert_eq!(ready, "READY=1\nSTATUS=serving telegram");
    // Ready means listening: the probe answers at once.
    let health = kohero_tests::http_get(&http, "/healthz").await.unwrap();
    assert!(!health.is_empty());
    // The watchdog is pinged every 0.2 s while the store answers.
    let mut pings = 0;
    let since = std::time::Instant::now();
    while since.elapsed() < Duration::from_secs(2) {
        match notification(&sock, Duration::from_secs(1)).await.as_deref() {
            Some("WATCHDOG=1") => pings += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!((3..=20).contains(&pings), "{pings} pings in 2 s");
    tg.text(1, "fr", "/aide");
    tg.answer_to(1, "/proposer").await;
    stop(served);
    let mut after = Vec::new();
    while let Some(n) = notification(&sock, Duration::from_millis(500)).await {
        after.push(n);
    }
    assert!(
        after
            .iter()
            .any(|n| n.starts_with("STOPPING=1\nSTATUS=stopping")),
        "{after:?}"
    );
}

/// The units in `deploy/` pass `systemd-analyze verify`, with their
/// `ExecStart` pointed at the binary under test (verify checks it exists).
#[test]
fn the_service_units_pass_systemd_analyze_verify() {
    let deploy = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy");
    let dir = tempfile::tempdir().unwrap();
    let bin = kohero_tests::kohero_bin();
    let mut units = Vec::new();
    for name in [
        "kohero.service",
        "kohero-backup.service",
        "kohero-backup.timer",
    ] {
        let text = std::fs::read_to_string(deploy.join(name)).unwrap();
        assert!(
            !name.ends_with(".service") || text.contains("/usr/local/bin/kohero"),
            "{name}"
        );
        let text = text.replace("/usr/local/bin/kohero", bin.to_str().unwrap());
        std::fs::write(dir.path().join(name), text).unwrap();
        units.push(dir.path().join(name));
    }
    let out = std::process::Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .args(&units)
        .env("SYSTEMD_LOG_LEVEL", "notice")
        .output()
        .expect("systemd-analyze (Debian's systemd package; scripts/test installs it)");
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{said}");
    // No warning about our units (systemd may still talk of the host's).
    for name in [
        "kohero.service",
        "kohero-backup.service",
        "kohero-backup.timer",
    ] {
        assert!(
            !said.lines().any(|l| l.contains(name)),
            "systemd-analyze about {name}: {said}"
        );
    }
    // The main unit is a notify service with a watchdog, hardened.
    let main = std::fs::read_to_string(deploy.join("kohero.service")).unwrap();
    for line in [
        "Type=notify",
        "WatchdogSec=",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "PrivateTmp=yes",
        "RestrictAddressFamilies=",
        "Restart=on-failure",
        "EnvironmentFile=",
        "User=kohero",
        "StateDirectory=kohero",
    ] {
        assert!(main.lines().any(|l| l.starts_with(line)), "{line}");
    }
    // It stops within its drain time: TimeoutStopSec over DRAIN_LIMIT (10 s).
    let stop: u64 = main
        .lines()
        .find_map(|l| l.strip_prefix("TimeoutStopSec="))
        .unwrap()
        .parse()
        .unwrap();
    assert!(stop > 10, "TimeoutStopSec={stop}");
}

/// `tests/fixtures/kohero-0011.db`: an installation as migration 0011 left
/// it (made by `cargo run -p kohero-tests --example make_upgrade_fixture`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_left_by_an_older_build_upgrades_and_serves() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/kohero-0011.db");
    let k = Install::new();
    let db = k.dir.path().join("kohero.db");
    std::fs::copy(&fixture, &db).unwrap();
    let before: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT MAX(version) FROM _sqlx_migrations", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(before, 11);
    let said = k.run_ok(&["migrate"]);
    assert!(said.contains("up to date"), "{said}");
    let (integrity, broken_keys, ideas) = inspect(&db);
    assert_eq!(
        (integrity, broken_keys, ideas),
        (vec!["ok".to_owned()], 0, 2)
    );
    let c = rusqlite::Connection::open(&db).unwrap();
    let (latest, failed): (i64, i64) = c
        .query_row(
            "SELECT MAX(version), SUM(NOT success) FROM _sqlx_migrations",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(latest >= 21 && failed == 0, "{latest} {failed}");
    // The old event got the new columns' defaults: two hours, never changed.
    let minutes: i64 = c
        .query_row(
            "SELECT duration_minutes FROM events WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(minutes, 120);
    drop(c);

    // It serves the people it knew, in their languages.
    let tg = FakeTelegram::start().await;
    let served = k.serve_telegram(&tg, "off");
    tg.text(1001, "fr", "/voir 1");
    let (card, _) = tg
        .answer_to(1001, "Composteur « partagé » d'Élise 🌱")
        .await;
    // Markup typed then is shown as typed; the support and the role kept.
    assert!(card.contains("<b>ouverts</b>"), "{card}");
    assert!(card.contains("1 soutien(s)"), "{card}");
    assert!(card.contains("Vous êtes organisateur"), "{card}");
    tg.text(1001, "fr", "/chercher composteur partage");
    tg.answer_to(1001, "1 initiative(s)").await;
    tg.text(1002, "en", "/voir 2");
    let (card, _) = tg.answer_to(1002, "Repair café du Tonkin").await;
    assert!(card.contains("Premier atelier"), "{card}");
    // What they did then still counts: Élise organises the event Bob said
    // he would come to; she cancels it and Bob is told, in English.
    tg.text(1001, "fr", "/evenement E1 annuler");
    tg.answer_to(1001, "annulé").await;
    let (notice, _) = tg.answer_to(1002, "Cancelled: E1").await;
    assert!(notice.contains("Premier atelier"), "{notice}");
    stop(served);
    // The town hall of the fixture answers an idea of its commune.
    let out = k.chat_with(
        &["console", "--as", "mairie"],
        &["/reponse 1 etude Nous regardons l'emplacement « du square »."],
    );
    assert!(out.contains("#1"), "{out}");
}

/// nginx, stopped with the test.
struct Nginx(std::process::Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `curl` through the proxy: (status, headers and body as one text).
fn curl(args: &[&str]) -> (u16, String) {
    let out = std::process::Command::new("curl")
        .args(["--silent", "--show-error", "--insecure", "--include"])
        .args(["--max-time", "10", "--write-out", "\n%{http_code}"])
        .args(args)
        .output()
        .expect("curl");
    assert!(out.status.success(), "curl {args:?}: {out:?}");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (said, code) = text.rsplit_once('\n').unwrap();
    (code.trim().parse().unwrap(), said.to_owned())
}

/// `deploy/nginx.conf`, as written (only its ports, certificate paths and
/// Kohero's addresses changed for loopback), passes `nginx -t` with
/// Debian's nginx and, in front of a running `kohero serve`: serves the
/// public pages over TLS, redirects plain HTTP, keeps `/metrics`,
/// `/healthz` and `/readyz` private and the webhook to Telegram's networks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nginx_example_serves_the_pages_and_keeps_the_private_listener_private() {
    let tg = FakeTelegram::start().await;
    let k = Install::new();
    let (http, public) = (free_port(), free_port());
    let (http, public) = (format!("127.0.0.1:{http}"), format!("127.0.0.1:{public}"));
    let url = tg.url();
    let served = k.serve(&[
        ("KOHERO_TELEGRAM_TOKEN", kohero_tests::fake_telegram::TOKEN),
        ("KOHERO_TELEGRAM_API_URL", url.as_str()),
        ("KOHERO_HTTP_ADDR", http.as_str()),
        ("KOHERO_PUBLIC_ADDR", public.as_str()),
        ("KOHERO_PUBLIC_URL", "https://kohero.example.org"),
        ("KOHERO_TRUSTED_PROXIES", "127.0.0.1,::1"),
    ]);
    let title = "Réparer l'abri « vélos » 🚲";
    tg.text(
        1,
        "fr",
        &format!("/proposer {title} | reparation | geo:45.7745,4.8320 | Samedi matin"),
    );
    let id = first_number(&tg.answer_to(1, "est publiée").await.0, '#');

    // The example, with what only differs on loopback replaced (each
    // replacement must find its text: the example cannot drift unseen).
    let dir = tempfile::tempdir().unwrap();
    let made = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"])
        .args(["-subj", "/CN=kohero.example.org"])
        .arg("-keyout")
        .arg(dir.path().join("key.pem"))
        .arg("-out")
        .arg(dir.path().join("cert.pem"))
        .output()
        .unwrap();
    assert!(made.status.success(), "openssl: {made:?}");
    let (plain, tls) = (free_port(), free_port());
    let d = dir.path().to_str().unwrap();
    let mut site =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/nginx.conf"))
            .unwrap();
    for (from, to) in [
        ("listen 80;", format!("listen 127.0.0.1:{plain};")),
        ("listen [::]:80;", String::new()),
        (
            "listen 443 ssl http2;",
            format!("listen 127.0.0.1:{tls} ssl http2;"),
        ),
        ("listen [::]:443 ssl http2;", String::new()),
        (
            "/etc/letsencrypt/live/kohero.example.org/fullchain.pem",
            format!("{d}/cert.pem"),
        ),
        (
            "/etc/letsencrypt/live/kohero.example.org/privkey.pem",
            format!("{d}/key.pem"),
        ),
        ("http://127.0.0.1:8080", format!("http://{http}")),
        ("http://127.0.0.1:8081", format!("http://{public}")),
    ] {
        assert!(
            site.contains(from),
            "deploy/nginx.conf no longer has {from}"
        );
        site = site.replace(from, &to);
    }
    std::fs::write(dir.path().join("site.conf"), site).unwrap();
    let temp = |name: &str| format!("{name} {d}/{name};");
    std::fs::write(
        dir.path().join("nginx.conf"),
        format!(
            "pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n access_log off;\n {}\n {}\n {}\n {}\n {}\n include {d}/site.conf;\n}}\n",
            temp("client_body_temp_path"),
            temp("proxy_temp_path"),
            temp("fastcgi_temp_path"),
            temp("uwsgi_temp_path"),
            temp("scgi_temp_path"),
        ),
    )
    .unwrap();
    let nginx = |extra: &[&str]| {
        let mut c = std::process::Command::new("nginx");
        c.arg("-e")
            .arg(format!("{d}/error.log"))
            .arg("-p")
            .arg(d)
            .arg("-c")
            .arg(format!("{d}/nginx.conf"))
            .args(extra);
        c
    };
    let checked = nginx(&["-t"])
        .output()
        .expect("nginx (Debian's nginx package; scripts/test installs it)");
    let said = String::from_utf8_lossy(&checked.stderr);
    assert!(checked.status.success(), "nginx -t: {said}");
    assert!(!said.contains("[warn]"), "nginx -t: {said}");
    let _nginx = Nginx(
        nginx(&["-g", "daemon off;"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_until("nginx", Duration::from_secs(20), || {
        std::net::TcpStream::connect(("127.0.0.1", tls)).is_ok()
    })
    .await;
    let resolve = format!("kohero.example.org:{tls}:127.0.0.1");
    let site = format!("https://kohero.example.org:{tls}");

    // The page, over TLS, with the proxy's headers and Kohero's.
    let (status, page) = curl(&["--resolve", &resolve, &format!("{site}/i/{id}")]);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("abri « vélos » 🚲"), "{page}");
    let lower = page.to_lowercase();
    assert!(
        lower.contains("strict-transport-security: max-age=31536000"),
        "{page}"
    );
    assert!(lower.contains("etag:"), "{page}");
    assert!(!lower.contains("server: nginx/"), "{page}");
    // Open data through the proxy.
    let (status, geo) = curl(&[
        "--resolve",
        &resolve,
        &format!("{site}/api/initiatives.geojson?bbox=4.8,45.7,4.9,45.8"),
    ]);
    assert_eq!(status, 200, "{geo}");
    assert!(
        geo.contains("FeatureCollection") && geo.contains("vélos"),
        "{geo}"
    );

    // The private listener's paths are not reachable through the proxy…
    for path in ["/metrics", "/healthz", "/readyz"] {
        let (status, said) = curl(&["--resolve", &resolve, &format!("{site}{path}")]);
        assert_eq!(status, 404, "{path}: {said}");
        assert!(!said.contains("kohero_"), "{path}: {said}");
    }
    // …while they answer on it directly.
    let (status, metrics) = curl(&[&format!("http://{http}/metrics")]);
    assert_eq!(status, 200);
    assert!(metrics.contains("kohero_"), "{metrics}");
    // The webhook takes posts from Telegram's networks only.
    let (status, said) = curl(&[
        "--resolve",
        &resolve,
        "--data",
        "{}",
        &format!("{site}/telegram/webhook"),
    ]);
    assert_eq!(status, 403, "{said}");
    // Methods the pages do not take are refused by the proxy.
    let (status, _) = curl(&[
        "--resolve",
        &resolve,
        "-X",
        "DELETE",
        &format!("{site}/i/{id}"),
    ]);
    assert_eq!(status, 403);
    // Plain HTTP is sent to HTTPS.
    let (status, said) = curl(&[
        "--resolve",
        &format!("kohero.example.org:{plain}:127.0.0.1"),
        &format!("http://kohero.example.org:{plain}/i/{id}"),
    ]);
    assert_eq!(status, 301, "{said}");
    assert!(
        said.to_lowercase()
            .contains(&format!("location: https://kohero.example.org/i/{id}")),
        "{said}"
    );
    stop(served);
}
