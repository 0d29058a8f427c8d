//! Property tests of every parser of what people type: arbitrary Unicode
//! (every plane, combining marks, bidi and zero-width characters, controls,
//! very long lines) must never panic, and what is accepted keeps its promises.
//! CI runs a fixed number of cases (`PROPTEST_CASES` raises it); a longer
//! coverage-guided run is `fuzz/` (docs/benchmarks.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;

use crate::command::{
    self, Command, Parsed, parse, parse_area, parse_event_id, parse_initiative_id,
};
use crate::domain::*;
use crate::geo::{GeoPoint, parse_radius};
use crate::text;

/// Characters people and attackers type: French letters and apostrophes,
/// emoji (with joiners and skin tones), combining marks, bidi and zero-width
/// characters, controls, other planes, and the syntax the parsers look for.
fn nasty_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select(vec![
            'a', 'e', 'é', 'è', 'ç', 'à', 'œ', 'É', 'ß', '\'', '’', ' ', ' ', '\n', '\t', '\r',
            '/', '!', '#', '|', ':', ',', '.', '-', '@', '0', '4', '7', '9', 'k', 'm', 'h',
            'E', 'e', 'p', 'g', 'o', 'i', '«', '»', '?', '…', '<', '>', '&', '"', ';', '=',
        ]),
        2 => prop::sample::select(vec![
            '👍', '🎉', '🌱', '👩', '\u{200D}', '🌾', '\u{1F3FD}', '\u{FE0F}', '❤', '٤', '٢',
            '\u{301}', '\u{308}', '\u{202E}', '\u{202D}', '\u{2066}', '\u{200B}', '\u{FEFF}',
            '\u{AD}', '\u{0}', '\u{7}', '\u{1B}', '\u{85}', '\u{2028}', '\u{E0001}',
            '\u{10FFFF}', '\u{FFFD}', '𝕏', '中', 'ا', 'Ω', 'ǅ', 'İ', 'ﬁ',
        ]),
        1 => any::<char>(),
    ]
}

fn nasty_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(nasty_char(), 0..max).prop_map(|v| v.into_iter().collect())
}

/// A command word, a known one most of the time, then arbitrary arguments.
fn command_line() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "/aide",
        "/start",
        "/pres",
        "/chercher",
        "/proposer",
        "/voir",
        "/modifier",
        "/soutenir",
        "/lancer",
        "/rejoindre",
        "/suivre",
        "/quitter",
        "/membres",
        "/maj",
        "/evenement",
        "/participer",
        "/fil",
        "/abonner",
        "/desabonner",
        "/profil",
        "/langue",
        "/mesdonnees",
        "/oublier",
        "/annuler",
        "/coorganiser",
        "/accepter",
        "/decliner",
        "/abandonner",
        "/terminer",
        "/archiver",
        "/lier",
        "/lier_commune",
        "/digest",
        "/annonce",
        "/alertes",
        "!voir",
        "/VOIR@kohero_bot",
        "geo:",
        "/évènement",
        "/",
    ]);
    (words, nasty_text(80)).prop_map(|(w, rest)| format!("{w} {rest}"))
}

/// The zero-width joiner, kept inside emoji sequences only.
const ZWJ: char = '\u{200D}';

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_command_parser_never_panics(line in prop_oneof![command_line(), nasty_text(200)]) {
        let _ = parse(&line);
        let _ = command::with_default_id(&line, InitiativeId(42));
        let words: Vec<&str> = line.split_whitespace().collect();
        let _ = parse_area(&words);
        for w in &words {
            let _ = parse_initiative_id(w);
            let _ = parse_event_id(w);
            let _ = command::parse_kind(w);
            let _ = Category::parse(w);
            let _ = RsvpAnswer::parse(w);
            let _ = Lang::parse(w);
            let _ = InseeCode::parse(w);
        }
    }

    #[test]
    fn a_command_in_a_project_chat_parses_as_it_would_with_its_id(line in command_line()) {
        // Adding the room's id never turns a line that parsed into a panic,
        // and a line that was already a command stays one.
        let with = command::with_default_id(&line, InitiativeId(7));
        let before = parse(&line);
        let after = parse(&with);
        if let Ok(Parsed::Command(_)) = before {
            prop_assert!(matches!(after, Ok(Parsed::Command(_)) | Err(_)));
        }
    }

    #[test]
    fn ids_are_positive_and_round_trip(n in 1i64..=999_999_999_999_999) {
        prop_assert_eq!(parse_initiative_id(&format!("#{n}")), Some(InitiativeId(n)));
        prop_assert_eq!(parse_event_id(&format!("E{n}")), Some(EventId(n)));
        prop_assert_eq!(parse(&format!("/voir {n}")), Ok(Parsed::Command(Command::Show(InitiativeId(n)))));
    }

    #[test]
    fn locations_parse_or_are_refused_and_round_trip(s in nasty_text(40), lat in -90.0f64..=90.0, lon in -180.0f64..=180.0) {
        let _ = GeoPoint::parse_uri(&s);
        let _ = GeoPoint::parse_uri(&format!("geo:{s}"));
        let _ = parse_radius(&s);
        let p = GeoPoint::new(lat, lon).unwrap();
        let back = GeoPoint::parse_uri(&p.to_uri()).unwrap();
        prop_assert!(p.distance_m(back) < 2.0);
        let r = p.rounded();
        prop_assert!((-90.0..=90.0).contains(&r.lat()) && (-180.0..=180.0).contains(&r.lon()));
        let _ = p.bounding_box(100_000.0);
    }

    #[test]
    fn radii_parse_to_finite_metres(s in nasty_text(20), n in 0u32..1_000_000) {
        if let Some(r) = parse_radius(&s) {
            prop_assert!(r.is_finite() && r >= 0.0);
        }
        prop_assert_eq!(parse_radius(&format!("{n}m")), Some(f64::from(n)));
    }

    #[test]
    fn dates_and_schedules_never_panic(s in nasty_text(40), y in 0i32..300_000, mo in 0u32..14, d in 0u32..33, h in 0u32..26, mi in 0u32..62) {
        let _ = crate::engine::parse_when_for_tests(&s, "Europe/Paris");
        let _ = crate::engine::parse_when_for_tests(&format!("{y}-{mo:02}-{d:02} {h:02}:{mi:02}"), "Europe/Paris");
        let _ = crate::engine::parse_when_for_tests(&format!("{d}/{mo}/{y} {h}h{mi}"), "America/New_York");
        let _ = crate::cron::Schedule::parse(&s, "Europe/Paris");
        let _ = crate::cron::Schedule::parse(&format!("{mi} {h} {d} {mo} * {s}"), "Europe/Paris");
    }

    #[test]
    fn user_text_is_cleaned_limited_and_never_truncated(s in nasty_text(300)) {
        for (r, max) in [(text::title(&s), text::TITLE_MAX), (text::display_name(&s), text::NAME_MAX), (text::description(&s), text::DESCRIPTION_MAX)] {
            match r {
                Ok(t) => {
                    prop_assert!(!t.is_empty() && t.chars().count() <= max);
                    // Only a joiner inside an emoji sequence stays of the invisible ones.
                    // Joiners, emoji presentation and flag tags stay inside emoji.
                    let emoji_part = |c: char| c == ZWJ || c == '\u{FE0F}' || ('\u{E0020}'..='\u{E007F}').contains(&c);
                    let stray = |c: char| (c.is_control() && c != '\n') || (text::is_invisible(c) && !emoji_part(c));
                    prop_assert!(!t.chars().any(stray));
                    prop_assert!(!t.starts_with(ZWJ));
                    prop_assert_eq!(t.trim(), t.as_str());
                }
                Err(text::TextError::TooLong { len, max: m }) => prop_assert!(len > m),
                Err(text::TextError::Empty) => {}
            }
        }
        let _ = text::fold(&s);
        let _ = text::search_words(&s);
        let _ = text::search_document(&s, &s);
        let e = text::excerpt(&s, 50);
        prop_assert!(e.chars().count() <= 50);
    }

    #[test]
    fn very_long_lines_are_handled(c in nasty_char(), n in 5_000usize..40_000) {
        let line: String = std::iter::repeat_n(c, n).collect();
        let _ = parse(&line);
        let _ = parse(&format!("/proposer {line}"));
        let _ = parse(&format!("/maj 4 {line}"));
        prop_assert!(text::title(&line).is_err() || line.trim().chars().count() <= text::TITLE_MAX);
    }
}
