//! Everything a person can type, through every parser of typed text: nothing
//! may panic, and accepted text keeps its limits.
#![no_main]

use kohero_core::command;
use kohero_core::domain::InitiativeId;
use kohero_core::geo::{GeoPoint, parse_radius};
use kohero_core::text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let _ = command::parse(s);
    let _ = command::parse(&command::with_default_id(s, InitiativeId(42)));
    let words: Vec<&str> = s.split_whitespace().collect();
    let _ = command::parse_area(&words);
    let _ = GeoPoint::parse_uri(s);
    let _ = parse_radius(s);
    let _ = kohero_core::cron::Schedule::parse(s, "Europe/Paris");
    if let Ok(t) = text::title(s) {
        assert!(t.chars().count() <= text::TITLE_MAX);
    }
    if let Ok(t) = text::description(s) {
        assert!(t.chars().count() <= text::DESCRIPTION_MAX);
    }
    let _ = text::search_document(s, s);
    let _ = text::excerpt(s, 280);
});
