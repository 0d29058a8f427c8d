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
