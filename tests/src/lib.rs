//! Helpers for the end-to-end tests: they run the real `kohero` binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod fake_telegram;
pub mod matrix_client;
pub mod matrix_html;
pub mod synapse;
pub mod telegram_html;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The `kohero` binary built with the tests (`KOHERO_BIN` overrides).
///
/// `cargo test`/`nextest` build it in the same run because the `kohero` package
/// has integration tests of its own, so it is never stale.
pub fn kohero_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("KOHERO_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("test executable path");
    // target/debug/deps/kohero_tests-xxxx -> target/debug/kohero
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let bin = dir.join(format!("kohero{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: run the tests with `cargo nextest run --workspace` (or cargo test --workspace)",
        bin.display()
    );
    bin
}

/// A fresh installation: its own directory and database (a SQLite file there,
/// or a PostgreSQL database).
pub struct Install {
    pub dir: tempfile::TempDir,
    /// A PostgreSQL URL instead of the SQLite file.
    url: Option<String>,
}

impl Default for Install {
    fn default() -> Self {
        Self::new()
    }
}

impl Install {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            url: None,
        }
    }

    /// An installation on a fresh database named `name` on the PostgreSQL
    /// server at `server_url` (a URL to any database there, e.g. `…/postgres`).
    pub async fn on_postgres(server_url: &str, name: &str) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            url: Some(
                kohero_store_postgres::recreate_database(server_url, name)
                    .await
                    .unwrap(),
            ),
        }
    }

    /// What `--db` names: the SQLite file or the PostgreSQL URL.
    pub fn db(&self) -> std::ffi::OsString {
        match &self.url {
            Some(u) => u.into(),
            None => self.dir.path().join("kohero.db").into(),
        }
    }

    /// Runs `kohero --db DB ARGS...` in the installation's directory, with `input` on stdin.
    pub fn run(&self, args: &[&str], input: &[u8]) -> Output {
        let mut child = Command::new(kohero_bin())
            .arg("--db")
            .arg(self.db())
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("KOHERO_DATABASE_URL")
            .env_remove("KOHERO_CONFIG")
            .env("KOHERO_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        child.wait_with_output().unwrap()
    }

    /// Runs `kohero --db DB ARGS...`, which must succeed; its standard output.
    pub fn run_ok(&self, args: &[&str]) -> String {
        let out = self.run(args, b"");
        assert!(
            out.status.success(),
            "kohero {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `kohero admin verify IDENTITY municipality --commune INSEE`, which must succeed.
    pub fn verify_town_hall(&self, identity: &str, insee: &str) {
        let out = self.run(
            &[
                "admin",
                "verify",
                identity,
                "municipality",
                "--commune",
                insee,
            ],
            b"",
        );
        assert!(out.status.success(), "{out:?}");
    }

    /// Starts `kohero serve` on this installation with the network settings in
    /// `env` (none inherited from the caller), logs at `warn` on stderr.
    pub fn serve(&self, env: &[(&str, &str)]) -> Served {
        self.serve_to(env, Stdio::inherit())
    }

    /// As [`serve`](Self::serve), its log (`KOHERO_LOG=info` unless `env`
    /// says otherwise) written to the file returned, for tests of what an
    /// operator reads.
    pub fn serve_logged(&self, env: &[(&str, &str)]) -> (Served, std::path::PathBuf) {
        let path = self
            .dir
            .path()
            .join(format!("serve-{}.log", unique_suffix()));
        let file = std::fs::File::create(&path).unwrap();
        let mut with_level = vec![("KOHERO_LOG", "info")];
        with_level.extend_from_slice(env);
        (self.serve_to(&with_level, Stdio::from(file)), path)
    }

    /// As [`serve`](Self::serve), with another `kohero` binary (benchmarks
    /// comparing two builds on one installation).
    pub fn serve_bin(&self, bin: &std::path::Path, env: &[(&str, &str)]) -> Served {
        self.serve_with(bin, env, Stdio::inherit())
    }

    fn serve_to(&self, env: &[(&str, &str)], stderr: Stdio) -> Served {
        self.serve_with(&kohero_bin(), env, stderr)
    }

    fn serve_with(&self, bin: &std::path::Path, env: &[(&str, &str)], stderr: Stdio) -> Served {
        let mut c = Command::new(bin);
        c.arg("--db")
            .arg(self.db())
            .arg("serve")
            .current_dir(self.dir.path())
            .env("KOHERO_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr);
        for var in [
            "KOHERO_DATABASE_URL",
            "KOHERO_CONFIG",
            "KOHERO_TELEGRAM_TOKEN",
            "KOHERO_MATRIX_HOMESERVER",
            "KOHERO_MATRIX_USER",
        ] {
            c.env_remove(var);
        }
        c.envs(env.iter().copied());
        Served(Some(c.spawn().unwrap()))
    }

    /// `kohero serve` on the fake Telegram Bot API and on Synapse, as a
    /// new Matrix account (a server admin: it lifts its own rate limit);
    /// returns the bot's Matrix id.
    pub fn serve_on_both(
        &self,
        tg: &fake_telegram::FakeTelegram,
        synapse: &synapse::Synapse,
    ) -> (String, Served) {
        let password = "bot-pass";
        let id = synapse.register(&synapse::unique("kohero"), password, true);
        let url = tg.url();
        let served = self.serve(&[
            ("KOHERO_TELEGRAM_TOKEN", fake_telegram::TOKEN),
            ("KOHERO_TELEGRAM_API_URL", url.as_str()),
            ("KOHERO_MATRIX_HOMESERVER", synapse.url.as_str()),
            ("KOHERO_MATRIX_USER", id.as_str()),
            ("KOHERO_MATRIX_PASSWORD", password),
            ("KOHERO_MATRIX_STORE_PASSPHRASE", "store-secret"),
        ]);
        (id, served)
    }

    /// `kohero serve` on the fake Telegram Bot API alone, at an overall
    /// rate (`KOHERO_TELEGRAM_RATE_GLOBAL`: `off`, `29/s:1`…).
    pub fn serve_telegram(&self, tg: &fake_telegram::FakeTelegram, global: &str) -> Served {
        let url = tg.url();
        self.serve(&[
            ("KOHERO_TELEGRAM_TOKEN", fake_telegram::TOKEN),
            ("KOHERO_TELEGRAM_API_URL", url.as_str()),
            ("KOHERO_TELEGRAM_RATE_GLOBAL", global),
        ])
    }

    /// One console session as `name`: each line is a message; returns stdout.
    /// Asserts the INTERFACE.md promise: exit 0 at the end of input, whatever it was.
    pub fn chat(&self, name: &str, lines: &[&str]) -> String {
        self.chat_with(&["console", "--as", name], lines)
    }

    pub fn chat_with(&self, args: &[&str], lines: &[&str]) -> String {
        let mut input = lines.join("\n");
        input.push('\n');
        let out = self.run(args, input.as_bytes());
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "kohero {args:?} failed: {:?}\nstdout:\n{stdout}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }
}

/// The number of the first id written `marker` then digits (`A12`, `B5`,
/// `O7`), past words that merely start with the letter (« Besoin »).
pub fn letter_id(text: &str, marker: char) -> i64 {
    let start = text
        .char_indices()
        .find(|(i, c)| {
            *c == marker
                && text[i + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_some_and(|d| d.is_ascii_digit())
        })
        .unwrap_or_else(|| panic!("no {marker} followed by a number in {text}"))
        .0;
    first_number(&text[start..], marker)
}

/// The number after the first `marker` (`#` for initiatives, `E` for events).
pub fn first_number(text: &str, marker: char) -> i64 {
    let start = text
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in {text}"))
        + 1;
    text[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no number after {marker} in {text}"))
}

/// A running `kohero serve`, killed if a test fails before stopping it.
pub struct Served(pub Option<Child>);

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(c) = self.0.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Served {
    /// `kill -9`: no drain, no goodbye.
    pub fn kill9(&mut self) {
        let mut c = self.0.take().unwrap();
        c.kill().unwrap();
        c.wait().unwrap();
    }
}

/// SIGTERM, then the drain: exit 0 within 10 s.
pub fn stop(mut served: Served) {
    let mut child = served.0.take().unwrap();
    let asked = std::time::Instant::now();
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(asked.elapsed() < std::time::Duration::from_secs(10));
}

/// A number no other call in this process got.
fn unique_suffix() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// A free loopback port (bound, then released) for a `kohero serve` listener,
/// never one handed out before in this process: two listeners asked for
/// one after the other (several `kohero serve` of one benchmark) must not
/// get the same port back from the system.
pub fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// `who` (an identity of the `test` network) verified by the operator as
/// the town hall of commune `insee`.
pub async fn verify_town_hall(engine: &kohero_core::Engine, who: &str, insee: &str) {
    use kohero_core::domain::{ActorKind, Identity, InseeCode};
    engine
        .verify(
            &kohero_core::Operator::command_line(),
            &Identity::new("test", who),
            ActorKind::Municipality,
            vec![InseeCode::parse(insee).unwrap()],
        )
        .await
        .unwrap()
        .unwrap();
}

/// `GET path` on a local listener: the body (HTTP/1.0, the connection closed
/// by the server).
pub async fn http_get(addr: &str, path: &str) -> std::io::Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.write_all(format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    Ok(text
        .split_once("\r\n\r\n")
        .map_or(text.as_str(), |(_, body)| body)
        .to_owned())
}

/// The cumulative buckets `(upper bound, count)` of a Prometheus histogram for
/// one network, from a `/metrics` text (`+Inf` as infinity).
pub fn histogram(metrics: &str, name: &str, network: &str) -> Vec<(f64, u64)> {
    let prefix = format!("{name}_bucket{{network=\"{network}\",le=\"");
    metrics
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix(&prefix)?;
            let (le, count) = rest.split_once("\"} ")?;
            let le = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().ok()?
            };
            Some((le, count.trim().parse().ok()?))
        })
        .collect()
}

/// Waits (polling) until `done` holds, failing with `what` after `limit`.
pub async fn wait_until(what: &str, limit: std::time::Duration, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + limit;
    while !done() {
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Messages a second from the first to the last of `at`, the span in
/// seconds, and the most in any one second (a sliding window).
pub fn send_rate(at: &[std::time::Instant]) -> (f64, f64, usize) {
    let mut sorted = at.to_vec();
    sorted.sort();
    let (Some(first), Some(last)) = (sorted.first(), sorted.last()) else {
        return (0.0, 0.0, 0);
    };
    let span = (*last - *first).as_secs_f64();
    let mut busiest = 0;
    let mut j = 0;
    for i in 0..sorted.len() {
        while sorted[j] + std::time::Duration::from_secs(1) <= sorted[i] {
            j += 1;
        }
        busiest = busiest.max(i - j + 1);
    }
    ((sorted.len() - 1) as f64 / span, span, busiest)
}
