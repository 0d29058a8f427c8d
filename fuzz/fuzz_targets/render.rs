//! Any reply, rendered for Telegram: every message must be one Telegram takes
//! (HTML it parses, at most 4,096 UTF-16 units, not blank), checked by the
//! independent parser the tests use.
#![no_main]

use kohero_core::reply::{Action, ListItem, Reply};
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/src/telegram_html.rs"]
#[allow(dead_code)]
mod telegram_html;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    // The input is cut into blocks by U+0001, each block's kind by its first
    // byte; repetition makes long texts out of short inputs.
    let mut reply = Reply::default();
    for piece in s.split('\u{1}') {
        let mut chars = piece.chars();
        let kind = chars.next().unwrap_or('t');
        let rest: String = chars.collect();
        let times = (kind as usize % 7) * 300 + 1;
        let long: String = rest.repeat(times).chars().take(9000).collect();
        reply = match kind as u32 % 5 {
            0 => reply.heading(rest),
            1 => reply.para(long),
            2 => reply.data(long),
            3 => reply.list(
                rest.split('\n')
                    .map(|t| ListItem {
                        title: t.chars().take(120).collect(),
                        details: vec![long.chars().take(300).collect()],
                        actions: vec![Action::new("Voir", "/voir 1")],
                    })
                    .collect(),
            ),
            _ => reply.actions(vec![Action::new(rest.chars().take(30).collect::<String>() + "x", "/aide")]),
        };
    }
    for part in kohero_telegram::render::render(&reply) {
        if kohero_telegram::render::visible(&part.html).trim().is_empty() {
            continue;
        }
        let body = serde_json::json!({"text": part.html, "parse_mode": "HTML"});
        if let Err(e) = telegram_html::check_send_message(&body) {
            panic!("{e}: {}", part.html);
        }
    }
});
