//! « Before a duplicate » (issue 19): what the check for similar initiatives
//! within 1 km costs a proposal, in a dense city. N initiatives within 5 km of
//! Lyon's centre (about 1 in 25 within 1 km of any point), titles drawn from
//! everyday words; then one-line proposals through the engine (`/proposer
//! TITRE | catégorie | geo:… | description`, each from a person of its own),
//! half with a title that shares a word with many neighbours, half with one
//! that shares none (the check finds nothing: the cost of the rest of a
//! proposal), alternated.
//!
//! cargo bench -p kohero-store-sqlite --bench similar [-- N_INITIATIVES N_PROPOSALS]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use kohero_core::domain::*;
use kohero_core::geo::GeoPoint;
use kohero_core::inbox::{Content, Incoming};
use kohero_core::ports::{Clock, Store};
use kohero_core::{Engine, reply::Reply};
use kohero_store_sqlite::SqliteStore;

struct FixedClock(Mutex<DateTime<Utc>>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

#[path = "support/rng.rs"]
#[allow(dead_code)]
mod rng;
use rng::Rng;

const WORDS: [&str; 16] = [
    "Composteur",
    "Jardin",
    "Nettoyage",
    "Repair",
    "Vélo",
    "Troc",
    "Potager",
    "Friperie",
    "Ruche",
    "Verger",
    "Grainothèque",
    "Cuisine",
    "Bibliothèque",
    "Atelier",
    "Marché",
    "Fresque",
];
const PLACES: [&str; 8] = [
    "des Pentes",
    "de la Croix-Rousse",
    "du parc",
    "de l'école",
    "des berges",
    "du marché",
    "de la place",
    "des Terreaux",
];

fn around_lyon(rng: &mut Rng, km: f64) -> GeoPoint {
    let (lat, lon) = (45.7640, 4.8357);
    let dlat = (rng.unit() * 2.0 - 1.0) * km / 111.0;
    let dlon = (rng.unit() * 2.0 - 1.0) * km / 78.0;
    GeoPoint::new(lat + dlat, lon + dlon).unwrap()
}

fn stats(mut v: Vec<Duration>) -> (f64, f64, f64) {
    v.sort();
    let at = |q: f64| v[((v.len() as f64 * q) as usize).min(v.len() - 1)].as_secs_f64() * 1e3;
    let mean = v.iter().map(Duration::as_secs_f64).sum::<f64>() / v.len() as f64 * 1e3;
    (at(0.5), at(0.99), mean)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(100_000);
    let proposals = args.get(1).copied().unwrap_or(400);
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        SqliteStore::open(dir.path().join("similar.db").to_str().unwrap())
            .await
            .unwrap(),
    );
    let clock = Arc::new(FixedClock(Mutex::new(
        Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap(),
    )));

    // The initiatives, from a few thousand people.
    let mut rng = Rng(19);
    let start = Instant::now();
    let mut tx = store.begin().await.unwrap();
    let mut people = Vec::new();
    for p in 0..2_000 {
        people.push(
            tx.insert_actor(&NewActor {
                identity: Identity::new("bench", format!("p{p}")),
                display_name: format!("p{p}"),
                lang: Lang::Fr,
                created_at: clock.now(),
            })
            .await
            .unwrap()
            .id,
        );
    }
    for i in 0..n {
        let title = format!(
            "{} {} {}",
            WORDS[(rng.next() % 16) as usize],
            PLACES[(rng.next() % 8) as usize],
            i
        );
        tx.insert_initiative(&NewInitiative {
            title,
            description: "Une initiative du quartier".into(),
            category: Category::ALL[(rng.next() % 11) as usize],
            place: Some(around_lyon(&mut rng, 5.0)),
            commune: InseeCode::parse("69123"),
            created_by: people[i % people.len()],
            created_at: clock.now(),
            carried_by: None,
        })
        .await
        .unwrap();
        if i % 10_000 == 9_999 {
            tx.commit().await.unwrap();
            tx = store.begin().await.unwrap();
        }
    }
    tx.commit().await.unwrap();
    let seeded = start.elapsed();
    let engine = Engine::new(store.clone(), clock.clone()).await.unwrap();

    let mut similar = Vec::new();
    let mut plain = Vec::new();
    let mut listed = 0usize;
    for k in 0..proposals {
        let alike = k % 2 == 0;
        let title = if alike {
            format!("{} partagé n°{k}", WORDS[(rng.next() % 16) as usize])
        } else {
            format!("Qzxw{k} Yvvk{k}")
        };
        let at = around_lyon(&mut rng, 4.0);
        let text = format!(
            "/proposer {title} | compost | geo:{:.5},{:.5} | Une idée",
            at.lat(),
            at.lon()
        );
        let incoming = Incoming {
            chat_check: None,
            chat: None,
            event_id: Some(format!("e{k}")),
            message_id: None,
            identity: Identity::new("bench", format!("new{k}")),
            display_name: Some(format!("new{k}")),
            lang_hint: None,
            content: Content::Text(text),
        };
        let t = Instant::now();
        let replies = engine.handle(incoming).await.unwrap();
        let took = t.elapsed();
        let said: String = replies.iter().map(Reply::plain).collect();
        assert!(said.contains('#'), "{said}");
        if alike {
            listed += usize::from(replies.len() > 1);
            similar.push(took);
        } else {
            plain.push(took);
        }
    }
    let (sp50, sp99, smean) = stats(similar);
    let (pp50, pp99, pmean) = stats(plain);
    println!(
        "« Before a duplicate »: {n} initiatives within 5 km of Lyon's centre (seeded in {:.1} s), {proposals} one-line proposals, alternated",
        seeded.as_secs_f64()
    );
    println!();
    println!("| proposal | p50 (ms) | p99 (ms) | mean (ms) |");
    println!("|---|---|---|---|");
    println!(
        "| a title like its neighbours' (check finds some) | {sp50:.2} | {sp99:.2} | {smean:.2} |"
    );
    println!("| a title like none (check finds none) | {pp50:.2} | {pp99:.2} | {pmean:.2} |");
    println!();
    println!(
        "similar ones listed after {listed} of {} alike proposals; the check's share of a proposal: {:.2} ms at p50",
        proposals.div_ceil(2),
        sp50 - pp50
    );
}
