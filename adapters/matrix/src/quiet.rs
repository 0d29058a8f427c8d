//! What matrix-sdk logs that is no news to an operator. Kohero's log shows
//! ERROR only when something needs them; matrix-sdk logs some answers it
//! expects and handles itself:
//!
//! - every failed request at ERROR (`matrix_sdk::http_client`), the 404s it
//!   asks for on purpose included: « Account data not found » for the secret
//!   storage key of an account that never set one up, « No current backup
//!   version » for an account without key backup. A 404 reaches Kohero as an
//!   error where it matters (a message to a room that is gone), and Kohero
//!   logs it there, in its own words;
//! - « Trying to backup room keys but no backup key was found »: Kohero keeps
//!   room keys in its own store (`kohero backup` copies it), not in server
//!   side key backup;
//! - « Our own device might have been deleted » during a first login: the
//!   crypto setup asks the server for the bot's own devices before the new
//!   device's keys are uploaded. Once the first sync is done, Kohero checks
//!   the device itself and says so, at WARN, if the server really lost it;
//!   after that matrix-sdk's own warning is shown again.

use std::sync::atomic::{AtomicBool, Ordering};

use tracing::Level;

/// A first login is settling (from the login to the first sync).
static FIRST_LOGIN: AtomicBool = AtomicBool::new(false);

pub(crate) fn first_login_begins() {
    FIRST_LOGIN.store(true, Ordering::Relaxed);
}

/// Whether a first login was settling; it no longer is.
pub(crate) fn first_login_settled() -> bool {
    FIRST_LOGIN.swap(false, Ordering::Relaxed)
}

/// Whether an event matrix-sdk logs (`target`, `level`, its message) is one
/// it expects: the logging of the binary leaves it out.
pub fn expected_log(target: &str, level: Level, message: &str) -> bool {
    if !target.starts_with("matrix_sdk") {
        return false;
    }
    match level {
        Level::ERROR => {
            target == "matrix_sdk::http_client"
                && message.contains("status_code: 404")
                && message.contains("kind: NotFound")
        }
        Level::WARN => {
            (target == "matrix_sdk_crypto::backups" && message.contains("no backup key was found"))
                || (target == "matrix_sdk_crypto::identities::manager"
                    && message.contains("Our own device might have been deleted")
                    && FIRST_LOGIN.load(Ordering::Relaxed))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_matrix_sdk_expects_is_left_out() {
        let not_found = "Error while sending request: Api(Server(MatrixError(Error { status_code: 404, body: Standard(StandardErrorBody { kind: NotFound, message: \"Account data not found\" }) })))";
        assert!(expected_log(
            "matrix_sdk::http_client",
            Level::ERROR,
            not_found
        ));
        // Other failures stay errors; other crates are not judged here.
        let forbidden = "Error while sending request: Api(Server(MatrixError(Error { status_code: 403, body: Standard(StandardErrorBody { kind: Forbidden, message: \"not in room\" }) })))";
        assert!(!expected_log(
            "matrix_sdk::http_client",
            Level::ERROR,
            forbidden
        ));
        assert!(!expected_log("kohero", Level::ERROR, not_found));
        assert!(expected_log(
            "matrix_sdk_crypto::backups",
            Level::WARN,
            "Trying to backup room keys but no backup key was found"
        ));
        // The own device: only while a first login settles.
        let own = "Our own device might have been deleted";
        let target = "matrix_sdk_crypto::identities::manager";
        assert!(!expected_log(target, Level::WARN, own));
        first_login_begins();
        assert!(expected_log(target, Level::WARN, own));
        assert!(first_login_settled());
        assert!(!expected_log(target, Level::WARN, own));
        assert!(!first_login_settled());
    }
}
