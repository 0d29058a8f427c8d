//! Building the municipality digests of every French commune at once, on SQLite:
//! one verified municipality per commune (34,969), all scheduled for the same
//! minute, over 100,000 initiatives with a week of activity, and readers
//! subscribed to communes. Times one pass of the scheduler
//! (`Engine::run_schedules`), which gathers, groups, renders and queues them.
//!
//! cargo bench -p kohero-store-sqlite --bench digests [-- INITIATIVES READERS]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use kohero_core::Engine;
use kohero_core::domain::*;
use kohero_core::places::Gazetteer;
use kohero_core::ports::{Clock, Store};
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

/// Communes weighted by population: most initiatives and readers are in towns.
struct Weighted {
    cumulative: Vec<f64>,
}

impl Weighted {
    fn pick(&self, rng: &mut Rng) -> usize {
        let x = rng.unit() * self.cumulative.last().unwrap();
        self.cumulative
            .partition_point(|c| *c < x)
            .min(self.cumulative.len() - 1)
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n_initiatives = args.first().copied().unwrap_or(100_000);
    let n_readers = args.get(1).copied().unwrap_or(20_000);
    let g = Gazetteer::shipped().unwrap();
    let communes = g.communes();
    let mut total = 0.0;
    let weighted = Weighted {
        cumulative: communes
            .iter()
            .map(|c| {
                total += f64::from(c.population.max(1));
                total
            })
            .collect(),
    };
    let tick = Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap(); // Monday 09:00 Paris
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        SqliteStore::open(dir.path().join("digests.db").to_str().unwrap())
            .await
            .unwrap(),
    );
    let mut rng = Rng(42);

    // The data, through the store port, in large transactions.
    let setup = Instant::now();
    let mut tx = store.begin().await.unwrap();
    for (i, c) in communes.iter().enumerate() {
        let mut a = tx
            .insert_actor(&NewActor {
                identity: Identity::new("bench", format!("mairie-{}", c.code)),
                display_name: format!("Mairie de {}", c.name),
                lang: Lang::Fr,
                created_at: tick - Duration::days(30),
            })
            .await
            .unwrap();
        a.kind = ActorKind::Municipality;
        a.verified = true;
        a.communes = vec![c.code.clone()];
        tx.update_actor(&a).await.unwrap();
        let mut plan = DigestPlan::new(a.id, "Europe/Paris");
        plan.schedule = Some("0 9 * * lun".into());
        plan.next_at = Some(tick);
        tx.save_digest_plan(&plan).await.unwrap();
        if i % 5000 == 4999 {
            tx.commit().await.unwrap();
            tx = store.begin().await.unwrap();
        }
    }
    let author = tx
        .insert_actor(&NewActor {
            identity: Identity::new("bench", "author"),
            display_name: "Autrice".into(),
            lang: Lang::Fr,
            created_at: tick - Duration::days(30),
        })
        .await
        .unwrap();
    let categories = Category::ALL;
    let (mut launched, mut updated, mut events) = (0, 0, 0);
    for n in 0..n_initiatives {
        let c = &communes[weighted.pick(&mut rng)];
        let created = tick - Duration::minutes(rng.below(7 * 24 * 60) as i64 + 1);
        let mut i = tx
            .insert_initiative(&NewInitiative {
                title: format!("Initiative {n}"),
                description: "Un composteur partagé au pied des immeubles".into(),
                category: categories[rng.below(categories.len())],
                place: c.centre,
                commune: Some(c.code.clone()),
                created_by: author.id,
                created_at: created,
                carried_by: None,
            })
            .await
            .unwrap();
        tx.insert_activity(&NewActivity {
            initiative: i.id,
            kind: ActivityKind::Created,
            ref_id: None,
            at: created,
        })
        .await
        .unwrap();
        if rng.unit() < 0.3 {
            i.kind = InitiativeKind::Project;
            i.status = Status::Active;
            tx.update_initiative(&i).await.unwrap();
            tx.insert_activity(&NewActivity {
                initiative: i.id,
                kind: ActivityKind::Launched,
                ref_id: None,
                at: created,
            })
            .await
            .unwrap();
            launched += 1;
            if rng.unit() < 0.6 {
                let u = tx
                    .insert_update(i.id, author.id, "Le bac est installé, venez !", created)
                    .await
                    .unwrap();
                tx.insert_activity(&NewActivity {
                    initiative: i.id,
                    kind: ActivityKind::Updated,
                    ref_id: Some(u.id.0),
                    at: created,
                })
                .await
                .unwrap();
                updated += 1;
            }
            if rng.unit() < 0.3 {
                tx.insert_event(&NewEvent {
                    initiative: i.id,
                    title: "Atelier".into(),
                    starts_at: tick + Duration::hours(rng.below(14 * 24) as i64 + 1),
                    tz: "Europe/Paris".into(),
                    place: None,
                    minutes: EVENT_MINUTES_DEFAULT,
                    created_by: author.id,
                    created_at: created,
                })
                .await
                .unwrap();
                events += 1;
            }
        }
        if n % 5000 == 4999 {
            tx.commit().await.unwrap();
            tx = store.begin().await.unwrap();
        }
    }
    for r in 0..n_readers {
        let c = &communes[weighted.pick(&mut rng)];
        let a = tx
            .insert_actor(&NewActor {
                identity: Identity::new("bench", format!("reader-{r}")),
                display_name: format!("R{r}"),
                lang: if r % 5 == 0 { Lang::En } else { Lang::Fr },
                created_at: tick - Duration::days(30),
            })
            .await
            .unwrap();
        tx.insert_subscription(&NewSubscription {
            actor: a.id,
            center: c.centre,
            radius_m: 5000,
            commune: Some(c.code.clone()),
            categories: vec![],
            created_at: tick - Duration::days(30),
        })
        .await
        .unwrap();
        if r % 5000 == 4999 {
            tx.commit().await.unwrap();
            tx = store.begin().await.unwrap();
        }
    }
    tx.commit().await.unwrap();
    let setup = setup.elapsed();

    let clock = Arc::new(FixedClock(Mutex::new(tick + Duration::seconds(5))));
    let engine = Engine::new(store.clone(), clock.clone()).await.unwrap();
    let start = Instant::now();
    let t = engine.run_schedules().await.unwrap();
    let took = start.elapsed();

    println!(
        "Digests of {} communes (one verified municipality each, all due at once), SQLite file",
        communes.len()
    );
    println!(
        "{n_initiatives} initiatives created over the last week ({launched} launched, {updated} with an update, {events} with an event ahead), {n_readers} readers subscribed to communes; setup {:.1} s",
        setup.as_secs_f64()
    );
    println!();
    println!(
        "| digests run | messages queued | time (gather, group, render, queue, commit) | digests/s |"
    );
    println!("|---|---|---|---|");
    println!(
        "| {} | {} | **{:.2} s** | {:.0} |",
        t.digests,
        t.digest_messages,
        took.as_secs_f64(),
        t.digests as f64 / took.as_secs_f64()
    );
}
