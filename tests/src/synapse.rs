//! The Synapse homeserver of the Matrix tests, started by `scripts/test`
//! (`scripts/synapse start`), and users registered on it.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// The running test homeserver.
#[derive(Debug, Clone)]
pub struct Synapse {
    pub url: String,
    pub dir: PathBuf,
    venv: PathBuf,
}

/// The homeserver's server name (`scripts/synapse` generates it so).
pub const SERVER_NAME: &str = "localhost";

impl Synapse {
    /// The homeserver `scripts/test` started. A test that needs one fails (never
    /// skips) when there is none.
    pub fn get() -> Self {
        let url = std::env::var("KOHERO_TEST_SYNAPSE_URL").expect(
            "KOHERO_TEST_SYNAPSE_URL is not set: run the tests with scripts/test, which starts Synapse",
        );
        let dir = PathBuf::from(
            std::env::var("KOHERO_TEST_SYNAPSE_DIR").expect("KOHERO_TEST_SYNAPSE_DIR is not set"),
        );
        let venv = std::env::var_os("KOHERO_SYNAPSE_VENV")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(std::env::var("HOME").unwrap_or_default())
                    .join(".cache/kohero-synapse-venv")
            });
        Self { url, dir, venv }
    }

    /// Registers `name` with `password` (a server admin if `admin`); returns the
    /// full Matrix ID.
    pub fn register(&self, name: &str, password: &str, admin: bool) -> String {
        let out = Command::new(self.venv.join("bin/register_new_matrix_user"))
            .args(["-u", name, "-p", password])
            .arg(if admin { "-a" } else { "--no-admin" })
            .arg("-c")
            .arg(self.dir.join("homeserver.yaml"))
            .arg(&self.url)
            .output()
            .expect("register_new_matrix_user runs");
        assert!(
            out.status.success(),
            "registering {name} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        format!("@{name}:{SERVER_NAME}")
    }
}

impl Synapse {
    /// Lifts the homeserver's message rate limit for `user` (Synapse's admin
    /// API, called by a server admin registered for the purpose).
    pub async fn unlimit(&self, user: &str) {
        let admin = unique("admin");
        self.register(&admin, "admin-pass", true);
        let http = matrix_sdk::reqwest::Client::new();
        let login = http
            .post(format!("{}/_matrix/client/v3/login", self.url))
            .header("content-type", "application/json")
            .body(
                serde_json::json!({"type": "m.login.password",
                    "identifier": {"type": "m.id.user", "user": admin},
                    "password": "admin-pass"})
                .to_string(),
            )
            .send()
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&login.bytes().await.unwrap()).unwrap();
        let token = v["access_token"].as_str().unwrap();
        let r = http
            .post(format!(
                "{}/_synapse/admin/v1/users/{user}/override_ratelimit",
                self.url
            ))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(r#"{"messages_per_second":0,"burst_count":0}"#)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{:?}", r.status());
    }
}

/// A user name no other test (or earlier run against the same homeserver) has.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        t % 1_000_000_000
    )
}

/// A homeserver of a test's own (to stop and restart it), in its own directory.
pub struct OwnSynapse {
    pub synapse: Synapse,
    port: u16,
    rc_message: Option<String>,
    _dir: tempfile::TempDir,
}

impl OwnSynapse {
    /// Generates a config and starts Synapse on a free port (`scripts/synapse`).
    pub fn start() -> Self {
        Self::start_with(None)
    }

    /// The same, with Synapse's message rate limit set to `PER_SECOND:BURST`.
    pub fn start_with(rc_message: Option<&str>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let me = Self {
            synapse: Synapse {
                url: format!("http://127.0.0.1:{port}"),
                dir: dir.path().to_path_buf(),
                venv: Synapse::get().venv,
            },
            port,
            rc_message: rc_message.map(str::to_owned),
            _dir: dir,
        };
        me.run("start");
        me
    }

    fn run(&self, what: &str) {
        // The checkout the tests run in (cargo and nextest set this when they run
        // a test), not the one the test binary was first compiled in: a build
        // directory shared between clones keeps the first one's paths.
        let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(
            || env!("CARGO_MANIFEST_DIR").into(),
            std::path::PathBuf::from,
        );
        let script = manifest.join("../scripts/synapse");
        let mut c = Command::new(script);
        c.arg(what).arg(&self.synapse.dir);
        if what == "start" {
            c.arg(self.port.to_string());
        }
        c.env("KOHERO_SYNAPSE_VENV", &self.synapse.venv);
        if let Some(rc) = &self.rc_message {
            c.env("KOHERO_SYNAPSE_RC_MESSAGE", rc);
        }
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "scripts/synapse {what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn stop(&self) {
        self.run("stop");
    }

    pub fn restart(&self) {
        self.run("start");
    }
}

impl Drop for OwnSynapse {
    fn drop(&mut self) {
        let _ = std::panic::catch_unwind(|| self.stop());
    }
}
