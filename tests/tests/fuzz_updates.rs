//! Property tests of whole conversations: sequences of updates from several
//! people (commands with arbitrary Unicode arguments, buttons, locations, join
//! requests, group chatter) handed to `Engine::handle_events` on SQLite, as the
//! network adapters hand them, single and in batches. After each step:
//! - nothing panicked and no update failed (a failure is a bug);
//! - every update was answered or recorded (a private message always gets an
//!   answer);
//! - a refused update left the database as it was (its event id, its answer
//!   and, for a first contact, the person aside);
//! - every message in the outbox is one Telegram would take (HTML it parses,
//!   at most 4,096 UTF-16 units, callback data of 1–64 bytes) and a valid
//!   Matrix `formatted_body` within the specification's tags.
//!
//! CI runs a fixed number of cases (`PROPTEST_CASES` changes it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use kohero_core::domain::{ActorKind, Identity, InseeCode};
use kohero_core::geo::GeoPoint;
use kohero_core::inbox::{Content, Incoming, Intake};
use kohero_core::ports::Clock;
use kohero_core::{Engine, Operator};
use kohero_sql::TableData;
use kohero_store_sqlite::SqliteStore;
use kohero_tests::{matrix_html, telegram_html};
use proptest::prelude::*;
use serde_json::json;

struct TestClock(Mutex<DateTime<Utc>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// The people: Telegram user ids. The last is a verified town hall of Lyon.
const PEOPLE: [&str; 4] = ["1001", "1002", "1003", "1004"];
/// A Telegram group linked to project #1, and a forum of Lyon.
const GROUP: &str = "-100500";
const FORUM: &str = "-100900";

#[derive(Debug, Clone)]
enum Kind {
    Text(String),
    Button(String),
    Location(f64, f64),
    Moved(f64, f64),
    Join,
}

#[derive(Debug, Clone)]
struct Update {
    who: usize,
    /// In the project group (or the forum's topic) rather than the private chat.
    room: Option<&'static str>,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Step {
    /// One update alone: a refusal is checked to write nothing.
    One(Update),
    /// A getUpdates answer.
    Batch(Vec<Update>),
    /// Time passes and the scheduler runs.
    Later(i64),
}

fn nasty_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select(vec![
            'a', 'é', 'ç', 'œ', '\'', '’', ' ', ' ', '\n', '|', ':', ',', '-', '#', '0', '7',
            '«', '»', '?', '…', '<', '>', '&', '"', ';', '/', '!', 'E', 'U',
        ]),
        2 => prop::sample::select(vec![
            '👍', '🎉', '🌱', '👩', '\u{200D}', '🌾', '\u{FE0F}', '\u{301}', '\u{202E}',
            '\u{2066}', '\u{200B}', '\u{FEFF}', '\u{0}', '\u{1B}', '\u{2028}', '\u{10FFFF}',
            '𝕏', '中', 'ا', '٤',
        ]),
        1 => any::<char>(),
    ]
}

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(nasty_char(), 0..max).prop_map(|v| v.into_iter().collect())
}

/// Long texts of emoji and escapes: what breaks renderers that count wrong.
fn long_text() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["🌱", "&", "<b>", "é", "a ", "\n"]),
        1usize..4000,
    )
        .prop_map(|(s, n)| s.repeat(n).chars().take(4000).collect())
}

fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (1u32..6).prop_map(|n| n.to_string()),
        1 => (1u32..6).prop_map(|n| format!("#{n}")),
        1 => text(6),
    ]
}

fn place() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("geo:45.7640,4.8357".to_owned()),
        Just("Lyon".to_owned()),
        Just("69100".to_owned()),
        Just("Saint-Étienne".to_owned()),
        Just("-".to_owned()),
        text(12),
    ]
}

fn when() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("2026-12-24 18:00".to_owned()),
        Just("24/12/2026 18h30".to_owned()),
        Just("2031-01-01 10:00".to_owned()),
        Just("9999-12-31 23:59".to_owned()),
        Just("2026-03-29 02:30".to_owned()),
        text(16),
    ]
}

fn command() -> impl Strategy<Value = String> {
    let t = || prop_oneof![3 => text(40), 1 => long_text()];
    prop_oneof![
        (
            t(),
            prop::sample::select(vec!["compost", "food", "pizza", ""]),
            place(),
            t()
        )
            .prop_map(|(a, c, p, d)| format!("/proposer {a} | {c} | {p} | {d}")),
        id().prop_map(|i| format!("/soutenir {i}")),
        id().prop_map(|i| format!("/lancer {i}")),
        id().prop_map(|i| format!("/rejoindre {i}")),
        id().prop_map(|i| format!("/suivre {i}")),
        id().prop_map(|i| format!("/quitter {i}")),
        id().prop_map(|i| format!("/voir {i}")),
        id().prop_map(|i| format!("/membres {i}")),
        (id(), t()).prop_map(|(i, x)| format!("/maj {i} {x}")),
        (id(), t(), when(), place())
            .prop_map(|(i, x, w, p)| format!("/evenement {i} {x} | {w} | {p}")),
        (
            id(),
            prop::sample::select(vec!["oui", "non", "peutetre", "bof"])
        )
            .prop_map(|(i, a)| format!("/participer E{i} {a}")),
        (
            id(),
            prop::sample::select(vec!["titre", "description", "lieu", "categorie"]),
            t()
        )
            .prop_map(|(i, f, x)| format!("/modifier {i} {f} {x}")),
        (
            id(),
            prop::sample::select(vec!["1001", "1002", "1003", "x"])
        )
            .prop_map(|(i, w)| format!("/coorganiser {i} {w}")),
        id().prop_map(|i| format!("/accepter {i}")),
        id().prop_map(|i| format!("/terminer {i}")),
        id().prop_map(|i| format!("/lier {i}")),
        Just("/lier_commune".to_owned()),
        (
            place(),
            prop::sample::select(vec!["", "3km", "500m", "900km", "0m"])
        )
            .prop_map(|(p, r)| format!("/abonner {p} {r}")),
        (
            place(),
            prop::sample::select(vec!["", "2km", "p2", "projets"])
        )
            .prop_map(|(p, r)| format!("/pres {p} {r}")),
        t().prop_map(|x| format!("/chercher {x}")),
        t().prop_map(|x| format!("/profil nom {x}")),
        Just("/desabonner".to_owned()),
        Just("/fil".to_owned()),
        Just("/mesdonnees".to_owned()),
        Just("/oublier".to_owned()),
        Just("/oublier confirmer".to_owned()),
        Just("/annuler".to_owned()),
        Just("/proposer".to_owned()),
        Just("/langue en".to_owned()),
        Just("/aide".to_owned()),
        Just("/start i1".to_owned()),
        t().prop_map(|x| format!("/digest {x}")),
        Just("/digest 0 9 * * lun".to_owned()),
        Just("/digest maintenant".to_owned()),
        t().prop_map(|x| format!("/annonce {x}")),
        t().prop_map(|x| format!("/alertes calme {x}")),
        t(),
    ]
}

fn update() -> impl Strategy<Value = Update> {
    let kind = prop_oneof![
        8 => command().prop_map(Kind::Text),
        2 => command().prop_map(Kind::Button),
        1 => (-90.0f64..90.0, -180.0f64..180.0).prop_map(|(a, b)| Kind::Location(a, b)),
        1 => (45.7f64..45.8, 4.8f64..4.9).prop_map(|(a, b)| Kind::Location(a, b)),
        1 => (45.7f64..45.8, 4.8f64..4.9).prop_map(|(a, b)| Kind::Moved(a, b)),
        1 => Just(Kind::Join),
    ];
    let room = prop_oneof![
        6 => Just(None),
        2 => Just(Some(GROUP)),
        1 => Just(Some(FORUM)),
    ];
    (0..PEOPLE.len(), room, kind).prop_map(|(who, room, kind)| Update { who, room, kind })
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        6 => update().prop_map(Step::One),
        2 => prop::collection::vec(update(), 1..8).prop_map(Step::Batch),
        1 => (1i64..(3 * 24 * 60)).prop_map(Step::Later),
    ];
    prop::collection::vec(step, 1..24)
}

struct World {
    engine: Engine,
    store: Arc<SqliteStore>,
    clock: Arc<TestClock>,
    next: u64,
    /// Outbox rows already checked.
    checked: i64,
}

/// Tables a refused update may still change: its event id, its answer, the
/// reachability of its chat, a first contact's person.
const BOOKKEEPING: &[&str] = &[
    "seen_events",
    "outbox",
    "unreachable",
    "actors",
    "identities",
];

fn domain_tables(dump: Vec<TableData>) -> (BTreeMap<String, TableData>, usize) {
    let mut actors = 0;
    let mut out = BTreeMap::new();
    for t in dump {
        if t.name == "actors" {
            actors = t.rows.len();
        }
        if !BOOKKEEPING.contains(&t.name.as_str()) {
            out.insert(t.name.clone(), t);
        }
    }
    (out, actors)
}

impl World {
    async fn new() -> Self {
        let store = Arc::new(SqliteStore::in_memory().await.unwrap());
        let clock = Arc::new(TestClock(Mutex::new(
            Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap(),
        )));
        let engine = Engine::new(store.clone(), clock.clone())
            .await
            .unwrap()
            .with_room_networks(["matrix".to_owned()]);
        let mut w = Self {
            engine,
            store,
            clock,
            next: 0,
            checked: 0,
        };
        let lyon = InseeCode::parse("69123").unwrap();
        w.engine
            .verify(
                &Operator::command_line(),
                &Identity::new("telegram", PEOPLE[3]),
                ActorKind::Municipality,
                vec![lyon],
            )
            .await
            .unwrap()
            .unwrap();
        for line in [
            "/proposer Composteur | compost | geo:45.7640,4.8357 | Un bac",
            "/proposer Disco soupe | food | Lyon | -",
            "/lancer 1",
        ] {
            w.handle(vec![Update {
                who: 0,
                room: None,
                kind: Kind::Text(line.into()),
            }])
            .await;
        }
        w.handle(vec![Update {
            who: 0,
            room: Some(GROUP),
            kind: Kind::Text("/lier 1".into()),
        }])
        .await;
        w.handle(vec![Update {
            who: 3,
            room: Some(FORUM),
            kind: Kind::Text("/lier_commune".into()),
        }])
        .await;
        w
    }

    fn incoming(&mut self, u: &Update) -> Incoming {
        self.next += 1;
        let point = |a: f64, b: f64| GeoPoint::new(a, b).unwrap();
        Incoming {
            chat_check: None,
            identity: Identity::new("telegram", PEOPLE[u.who]),
            chat: Some(u.room.unwrap_or(PEOPLE[u.who]).to_owned()),
            event_id: Some(self.next.to_string()),
            message_id: None,
            display_name: Some(format!("Personne {}", u.who)),
            lang_hint: None,
            content: match &u.kind {
                Kind::Text(t) => Content::Text(t.clone()),
                Kind::Button(t) => Content::Button(t.clone()),
                Kind::Location(a, b) => Content::Location(point(*a, *b)),
                Kind::Moved(a, b) => Content::Moved(point(*a, *b)),
                Kind::Join => Content::JoinRequest,
            },
        }
    }

    async fn handle(&mut self, updates: Vec<Update>) -> Vec<Intake> {
        let batch: Vec<Incoming> = updates.iter().map(|u| self.incoming(u)).collect();
        let results = self.engine.handle_events(batch.clone()).await.unwrap();
        assert_eq!(results.len(), batch.len());
        for (r, (u, i)) in results.iter().zip(updates.iter().zip(&batch)) {
            assert!(
                !matches!(r, Intake::Failed(_)),
                "update failed: {u:?} ({:?})",
                self.failure(i).await
            );
            assert!(!matches!(r, Intake::Duplicate), "{u:?}");
            let private = u.room.is_none();
            let waiting = matches!(u.kind, Kind::Text(_) | Kind::Button(_) | Kind::Location(..));
            if private && waiting {
                assert!(
                    matches!(r, Intake::Queued(n) | Intake::Refused(n) if *n > 0),
                    "not answered: {u:?} -> {r:?}"
                );
            }
        }
        results
    }

    async fn failure(&self, i: &Incoming) -> Option<String> {
        let dump = self.store.dump().await.unwrap();
        let seen = dump.into_iter().find(|t| t.name == "seen_events")?;
        let id = seen.columns.iter().position(|c| c == "event_id")?;
        let why = seen.columns.iter().position(|c| c == "failure")?;
        seen.rows
            .iter()
            .find(|r| r[id] == kohero_sql::Cell::Text(i.event_id.clone().unwrap_or_default()))
            .map(|r| format!("{:?}", r[why]))
    }

    /// Every message queued since the last check, rendered for Telegram and
    /// for Matrix, held against what those networks accept.
    async fn check_outbox(&mut self) {
        let dump = self.store.dump().await.unwrap();
        let outbox = dump.into_iter().find(|t| t.name == "outbox").unwrap();
        let col = |n: &str| outbox.columns.iter().position(|c| c == n).unwrap();
        let (id, body, format) = (col("id"), col("body"), col("format"));
        for row in &outbox.rows {
            let kohero_sql::Cell::Int(n) = row[id] else {
                panic!()
            };
            if n <= self.checked {
                continue;
            }
            self.checked = self.checked.max(n);
            let kohero_sql::Cell::Text(b) = &row[body] else {
                panic!()
            };
            let kohero_sql::Cell::Int(f) = row[format] else {
                panic!()
            };
            let (_, payload, _) = kohero_sql::outbox_form::decode(f, b).unwrap();
            if let kohero_core::domain::Payload::Message(reply)
            | kohero_core::domain::Payload::Edit { reply, .. } = payload
            {
                check_telegram(&reply);
                check_matrix(&reply);
            }
        }
    }
}

fn check_telegram(reply: &kohero_core::Reply) {
    for part in kohero_telegram::render::render(reply) {
        if kohero_telegram::render::visible(&part.html)
            .trim()
            .is_empty()
        {
            // The sender skips a blank part (Telegram would refuse it).
            continue;
        }
        let mut rows: Vec<serde_json::Value> = part
            .buttons
            .iter()
            .enumerate()
            .map(|(r, row)| {
                json!(row
                    .iter()
                    .enumerate()
                    .map(|(i, (label, _))| json!({"text": label, "callback_data": format!("a:{}", 9_000_000_000_000_000_000i64 + (r * 10 + i) as i64)}))
                    .collect::<Vec<_>>())
            })
            .collect();
        for (_, label) in &part.invites {
            rows.push(json!([{"text": label, "url": "https://t.me/+join-100500"}]));
        }
        let body = json!({
            "chat_id": 1001,
            "text": part.html,
            "parse_mode": "HTML",
            "reply_markup": if rows.is_empty() { serde_json::Value::Null } else { json!({"inline_keyboard": rows}) },
        });
        if let Err(e) = telegram_html::check_send_message(&body) {
            panic!("Telegram would refuse ({e}): {}", part.html);
        }
    }
}

fn check_matrix(reply: &kohero_core::Reply) {
    let r = kohero_matrix::render::render(reply);
    for m in &r.messages {
        if m.body.trim().is_empty() && m.html.trim().is_empty() {
            continue;
        }
        if let Err(e) = matrix_html::check_message(&m.body, &m.html) {
            panic!("not a valid Matrix message ({e}): {}", m.html);
        }
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    })
}

async fn run(steps: Vec<Step>) {
    let mut w = World::new().await;
    w.check_outbox().await;
    for step in steps {
        match step {
            Step::One(u) => {
                let first_contact = !w
                    .engine
                    .knows(&Identity::new("telegram", PEOPLE[u.who]))
                    .await
                    .unwrap();
                let (before, actors_before) = domain_tables(w.store.dump().await.unwrap());
                let r = w.handle(vec![u.clone()]).await;
                if matches!(r[..], [Intake::Refused(_)]) {
                    let (after, actors_after) = domain_tables(w.store.dump().await.unwrap());
                    for (name, t) in &before {
                        assert_eq!(
                            Some(t),
                            after.get(name),
                            "a refusal of {u:?} changed {name}"
                        );
                    }
                    assert!(
                        actors_after == actors_before
                            || (first_contact && actors_after == actors_before + 1),
                        "a refusal of {u:?} changed the people"
                    );
                }
            }
            Step::Batch(us) => {
                w.handle(us).await;
            }
            Step::Later(minutes) => {
                *w.clock.0.lock().unwrap() += Duration::minutes(minutes);
                w.engine.run_schedules().await.unwrap();
            }
        }
        w.check_outbox().await;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(48)
    ))]

    #[test]
    fn conversations_never_break_kohero(steps in steps()) {
        runtime().block_on(run(steps));
    }
}

/// The defects found by hand, as fixed cases.
#[test]
fn known_defects() {
    let emoji_update = format!("/maj 1 {}", "🌱".repeat(3990));
    runtime().block_on(run(vec![
        Step::One(Update {
            who: 1,
            room: None,
            kind: Kind::Text("et ça ?".into()),
        }),
        Step::One(Update {
            who: 1,
            room: None,
            kind: Kind::Text("ok 👍".into()),
        }),
        Step::One(Update {
            who: 1,
            room: None,
            kind: Kind::Text("/pres ab€cd".into()),
        }),
        Step::One(Update {
            who: 1,
            room: None,
            kind: Kind::Text("/oublier".into()),
        }),
        Step::One(Update {
            who: 1,
            room: None,
            kind: Kind::Text("/oublier confirmer".into()),
        }),
        Step::One(Update {
            who: 0,
            room: None,
            kind: Kind::Text(emoji_update),
        }),
        Step::One(Update {
            who: 0,
            room: None,
            kind: Kind::Text("/voir 1".into()),
        }),
        Step::One(Update {
            who: 0,
            room: None,
            kind: Kind::Text("/mesdonnees".into()),
        }),
        Step::One(Update {
            who: 0,
            room: None,
            kind: Kind::Text("/evenement 1 Fête | 9999-12-31 10:00 | -".into()),
        }),
        Step::Later(60 * 24 * 8),
    ]));
}
