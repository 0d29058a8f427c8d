//! systemd's service notifications (sd_notify(3)), spoken directly: one
//! datagram per state on the socket `NOTIFY_SOCKET` names (a path, or an
//! abstract name written `@name`). Outside systemd (`NOTIFY_SOCKET` unset)
//! nothing is sent.
//!
//! - `READY=1` once every listener is bound and every task started
//!   (`Type=notify`: systemd orders dependent units after it);
//! - `WATCHDOG=1` every half of `WATCHDOG_USEC` while the runtime runs and
//!   the store opens a read (`WatchdogSec=`: a process stuck on a lock or a
//!   dead disk is restarted, not left answering nothing);
//! - `STOPPING=1` when a stop begins, `STATUS=` lines for `systemctl status`.

use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::sync::Arc;
use std::time::Duration;

use kohero_core::ports::Store;
use tokio::sync::watch;

/// Where notifications go, if anywhere.
#[derive(Debug)]
pub struct Notifier {
    to: Option<(UnixDatagram, SocketAddr)>,
    watchdog: Option<Duration>,
}

impl Notifier {
    /// From `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` (the
    /// watchdog is this process's only when the pid is ours or unset).
    pub fn from_env() -> Self {
        let to = std::env::var_os("NOTIFY_SOCKET").and_then(|name| {
            let name = name.to_string_lossy().into_owned();
            let addr = match name.strip_prefix('@') {
                Some(abstract_name) => {
                    use std::os::linux::net::SocketAddrExt;
                    SocketAddr::from_abstract_name(abstract_name.as_bytes()).ok()?
                }
                None if name.starts_with('/') => SocketAddr::from_pathname(&name).ok()?,
                None => {
                    tracing::warn!(%name, "NOTIFY_SOCKET is neither a path nor @name: not notifying");
                    return None;
                }
            };
            match UnixDatagram::unbound() {
                Ok(s) => Some((s, addr)),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot make a socket to notify the service manager");
                    None
                }
            }
        });
        let ours = std::env::var("WATCHDOG_PID")
            .ok()
            .and_then(|p| p.trim().parse::<u32>().ok())
            .is_none_or(|p| p == std::process::id());
        let watchdog = std::env::var("WATCHDOG_USEC")
            .ok()
            .and_then(|u| u.trim().parse::<u64>().ok())
            .filter(|u| *u > 0 && ours && to.is_some())
            .map(Duration::from_micros);
        Self { to, watchdog }
    }

    /// Sends one notification (`KEY=VALUE` lines); a failure is logged, never
    /// fatal.
    pub fn send(&self, state: &str) {
        if let Some((socket, addr)) = &self.to
            && let Err(e) = socket.send_to_addr(state.as_bytes(), addr)
        {
            tracing::warn!(error = %e, "cannot notify the service manager");
        }
    }

    /// `READY=1` with a status line.
    pub fn ready(&self, status: &str) {
        self.send(&format!("READY=1\nSTATUS={}", one_line(status)));
    }

    /// `STOPPING=1` with a status line.
    pub fn stopping(&self, status: &str) {
        self.send(&format!("STOPPING=1\nSTATUS={}", one_line(status)));
    }

    /// Pings the watchdog at half its interval while the store opens a read
    /// within that time, until `stop`.
    pub fn keep_watchdog(self: &Arc<Self>, store: Arc<dyn Store>, mut stop: watch::Receiver<bool>) {
        let Some(interval) = self.watchdog else {
            return;
        };
        let half = interval / 2;
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                let alive = tokio::time::timeout(half, async {
                    match store.read().await {
                        Ok(tx) => {
                            drop(tx);
                            true
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "the store does not answer: the watchdog is not pinged");
                            false
                        }
                    }
                })
                .await
                .unwrap_or(false);
                if alive {
                    me.send("WATCHDOG=1");
                }
                tokio::select! {
                    () = tokio::time::sleep(half) => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
            }
        });
    }
}

/// A status is one line.
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn notifications_reach_a_path_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let listener = UnixDatagram::bind(&path).unwrap();
        let n = Notifier {
            to: Some((
                UnixDatagram::unbound().unwrap(),
                SocketAddr::from_pathname(&path).unwrap(),
            )),
            watchdog: None,
        };
        n.ready("serving telegram\nand matrix");
        let mut buf = [0u8; 256];
        let got = listener.recv(&mut buf).unwrap();
        assert_eq!(
            std::str::from_utf8(&buf[..got]).unwrap(),
            "READY=1\nSTATUS=serving telegram and matrix"
        );
        // Nowhere to send: nothing happens.
        Notifier {
            to: None,
            watchdog: None,
        }
        .ready("x");
    }
}
