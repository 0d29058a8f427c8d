//! Nearby discovery benchmark: Kohero's in-memory index (rstar over unit vectors,
//! in core) against SQLite's R*Tree module, on the same 1,000,000 initiatives
//! clustered around real communes (weighted by population, plus a rural share),
//! checking that both return the same results.
//!
//! cargo bench -p kohero-store-sqlite --bench nearby [-- N_INITIATIVES N_QUERIES N_ACTORS N_NEEDS]
//!
//! Prints p50/p99 latency and queries per second for k=10 nearest and for a 1 km
//! radius, the index's build time and bytes per initiative, and SQLite's figures;
//! then, beside them, the open needs (N_NEEDS spread over the initiatives,
//! `/besoins`: projects with an open need, of any kind or of one) and the
//! verified actors' index (N_ACTORS, `/acteurs`: all, or one kind).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]
// The counting allocator below is the one unsafe piece: it forwards to the system
// allocator and counts live bytes, to measure the index's memory.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use kohero_core::domain::{ActorId, ActorKind, Category, InitiativeId, InitiativeKind, NeedKind};
use kohero_core::geo::GeoPoint;
use kohero_core::places::{
    Filter, Gazetteer, Located, Mask, NearbyIndex, Row, actor_kind_code, category_bits,
};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[path = "support/rng.rs"]
#[allow(dead_code)]
mod rng;
use rng::Rng;

/// Points around real communes, weighted by population; `rural` of them anywhere
/// in mainland France.
struct Sampler {
    centres: Vec<(GeoPoint, f64)>,
    cumulative: Vec<f64>,
}

impl Sampler {
    fn new() -> Self {
        let g = Gazetteer::shipped().expect("gazetteer");
        let mut centres = Vec::new();
        let mut cumulative = Vec::new();
        let mut total = 0.0;
        for c in g.communes() {
            if let Some(p) = c.centre {
                let pop = f64::from(c.population.max(50));
                // Spread grows with the town: 300 m for a village, kilometres for a city.
                centres.push((p, 300.0 + pop.sqrt() * 8.0));
                total += pop;
                cumulative.push(total);
            }
        }
        Self {
            centres,
            cumulative,
        }
    }

    fn point(&self, rng: &mut Rng, rural: f64) -> GeoPoint {
        if rng.unit() < rural {
            return GeoPoint::new(42.4 + rng.unit() * 8.6, -4.7 + rng.unit() * 12.8).unwrap();
        }
        let total = *self.cumulative.last().unwrap();
        let x = rng.unit() * total;
        let i = self.cumulative.partition_point(|c| *c < x);
        let (c, spread) = self.centres[i.min(self.centres.len() - 1)];
        let dlat = rng.gauss() * spread / 111_195.0;
        let dlon = rng.gauss() * spread / (111_195.0 * c.lat().to_radians().cos());
        GeoPoint::new(
            (c.lat() + dlat).clamp(-90.0, 90.0),
            (c.lon() + dlon).clamp(-180.0, 180.0),
        )
        .unwrap()
    }
}

struct Stats {
    p50: Duration,
    p99: Duration,
    qps: f64,
}

fn stats(mut samples: Vec<Duration>, total: Duration) -> Stats {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    Stats {
        p50: at(0.50),
        p99: at(0.99),
        qps: samples.len() as f64 / total.as_secs_f64(),
    }
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// SQLite's R*Tree: boxes of points in (lat, lon), queried by expanding bounding boxes.
struct SqliteRtree {
    db: rusqlite::Connection,
}

impl SqliteRtree {
    fn build(rows: &[Located]) -> (Self, Duration) {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE VIRTUAL TABLE rt USING rtree(id, min_lat, max_lat, min_lon, max_lon);",
        )
        .unwrap();
        let start = Instant::now();
        let tx = db.unchecked_transaction().unwrap();
        {
            let mut ins = tx
                .prepare("INSERT INTO rt VALUES (?1, ?2, ?2, ?3, ?3)")
                .unwrap();
            for r in rows {
                ins.execute((r.id.0, r.place.lat(), r.place.lon())).unwrap();
            }
        }
        tx.commit().unwrap();
        (Self { db }, start.elapsed())
    }

    fn within(&self, c: GeoPoint, radius_m: f64) -> Vec<(i64, f64)> {
        let b = c.bounding_box(radius_m);
        let mut q = self
            .db
            .prepare_cached(
                "SELECT id, min_lat, min_lon FROM rt
                 WHERE max_lat >= ?1 AND min_lat <= ?2 AND max_lon >= ?3 AND min_lon <= ?4",
            )
            .unwrap();
        let rows = q
            .query_map((b.min_lat, b.max_lat, b.min_lon, b.max_lon), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, f64>(1)?,
                    r.get::<_, f64>(2)?,
                ))
            })
            .unwrap();
        let mut out: Vec<(i64, f64)> = rows
            .filter_map(Result::ok)
            .filter_map(|(id, lat, lon)| {
                let d = c.distance_m(GeoPoint::new(lat, lon).ok()?);
                (d <= radius_m).then_some((id, d))
            })
            .collect();
        out.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        out
    }

    /// The k nearest within `max_m`: widen the box until k points lie inside its circle.
    fn nearest(&self, c: GeoPoint, k: usize, max_m: f64) -> Vec<(i64, f64)> {
        let mut r = 500.0;
        loop {
            let mut found = self.within(c, r);
            if found.len() >= k || r >= max_m {
                found.truncate(k);
                return found;
            }
            r = (r * 2.0).min(max_m);
        }
    }
}

/// Compares result lists; a difference only counts when it is not a tie (two
/// distances within `tolerance_m`) or a point on the radius edge.
fn differs(a: &[(i64, f64)], b: &[(i64, f64)], edge_m: Option<f64>, tolerance_m: f64) -> bool {
    let ids = |v: &[(i64, f64)]| {
        v.iter()
            .map(|x| x.0)
            .collect::<std::collections::BTreeSet<_>>()
    };
    let (sa, sb) = (ids(a), ids(b));
    if sa == sb {
        return false;
    }
    let last = a.iter().chain(b).map(|x| x.1).fold(0.0f64, f64::max);
    a.iter()
        .chain(b)
        .filter(|x| !(sa.contains(&x.0) && sb.contains(&x.0)))
        .any(|x| {
            let near_edge = edge_m.is_some_and(|e| (x.1 - e).abs() <= tolerance_m);
            let tie_at_end = (x.1 - last).abs() <= tolerance_m;
            !(near_edge || tie_at_end)
        })
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(1_000_000);
    let n_queries = args.get(1).copied().unwrap_or(20_000);
    let n_actors = args.get(2).copied().unwrap_or(100_000);
    let n_needs = args.get(3).copied().unwrap_or(200_000);

    let sampler = Sampler::new();
    let mut rng = Rng(42);
    let categories = Category::ALL;
    let rows: Vec<Located> = (0..n)
        .map(|i| Located {
            id: InitiativeId(i as i64 + 1),
            place: sampler.point(&mut rng, 0.10),
            category: categories[(rng.next() % 11) as usize],
            kind: if rng.next().is_multiple_of(3) {
                InitiativeKind::Project
            } else {
                InitiativeKind::Idea
            },
            needs: 0,
        })
        .collect();
    // Open needs, each on an initiative drawn at random (a few get several).
    let mut rows = rows;
    let mut nrng = Rng(99);
    for _ in 0..n_needs {
        let at = (nrng.next() % n as u64) as usize;
        rows[at].needs |= NeedKind::ALL[(nrng.next() % 5) as usize].bit();
    }
    let with_needs = rows.iter().filter(|r| r.needs != 0).count();
    let mut qrng = Rng(7);
    let queries: Vec<GeoPoint> = (0..n_queries)
        .map(|_| sampler.point(&mut qrng, 0.10))
        .collect();

    // The index: build time and bytes.
    let before = LIVE.load(Ordering::Relaxed);
    let start = Instant::now();
    let index = NearbyIndex::bulk_load(rows.iter().copied());
    let build = start.elapsed();
    let bytes = (LIVE.load(Ordering::Relaxed) - before) as f64;
    let all = Filter::default();

    let run = |f: &dyn Fn(GeoPoint) -> usize| {
        let mut samples = Vec::with_capacity(queries.len());
        let mut results = 0usize;
        let start = Instant::now();
        for q in &queries {
            let t = Instant::now();
            results += f(*q);
            samples.push(t.elapsed());
        }
        (
            stats(samples, start.elapsed()),
            results as f64 / queries.len() as f64,
        )
    };

    let (knn, knn_avg) = run(&|q| index.nearby(q, 100_000.0, &all, 10).len());
    let (r1, r1_avg) = run(&|q| index.nearby(q, 1_000.0, &all, usize::MAX).len());

    let (sqlite, sqlite_build) = SqliteRtree::build(&rows);
    let (s_knn, _) = run(&|q| sqlite.nearest(q, 10, 100_000.0).len());
    let (s_r1, _) = run(&|q| sqlite.within(q, 1_000.0).len());

    // Same results on every query.
    let mut knn_diff = 0;
    let mut r1_diff = 0;
    for q in &queries {
        let a: Vec<(i64, f64)> = index
            .nearby(*q, 100_000.0, &all, 10)
            .into_iter()
            .map(|(i, d)| (i.0, d))
            .collect();
        let b = sqlite.nearest(*q, 10, 100_000.0);
        if differs(&a, &b, None, 2.0) {
            knn_diff += 1;
        }
        let a: Vec<(i64, f64)> = index
            .nearby(*q, 1_000.0, &all, usize::MAX)
            .into_iter()
            .map(|(i, d)| (i.0, d))
            .collect();
        let b = sqlite.within(*q, 1_000.0);
        if differs(&a, &b, Some(1_000.0), 2.0) {
            r1_diff += 1;
        }
    }

    println!(
        "Nearby discovery: {n} initiatives, {n_queries} queries (90% around communes by population, 10% rural)"
    );
    println!();
    println!("| engine | query | p50 (µs) | p99 (µs) | queries/s | results/query |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| kohero index | k=10 nearest | {:.1} | {:.1} | {:.0} | {knn_avg:.1} |",
        micros(knn.p50),
        micros(knn.p99),
        knn.qps
    );
    println!(
        "| kohero index | 1 km radius | {:.1} | {:.1} | {:.0} | {r1_avg:.1} |",
        micros(r1.p50),
        micros(r1.p99),
        r1.qps
    );
    println!(
        "| SQLite R*Tree | k=10 nearest | {:.1} | {:.1} | {:.0} | |",
        micros(s_knn.p50),
        micros(s_knn.p99),
        s_knn.qps
    );
    println!(
        "| SQLite R*Tree | 1 km radius | {:.1} | {:.1} | {:.0} | |",
        micros(s_r1.p50),
        micros(s_r1.p99),
        s_r1.qps
    );
    println!();
    println!(
        "index: bulk load {:.2} s, {:.1} bytes per initiative ({:.1} MiB); SQLite R*Tree insert {:.2} s",
        build.as_secs_f64(),
        bytes / n as f64,
        bytes / 1_048_576.0,
        sqlite_build.as_secs_f64()
    );
    println!(
        "speed-up over SQLite (p50): k=10 {:.1}x, 1 km {:.1}x",
        micros(s_knn.p50) / micros(knn.p50),
        micros(s_r1.p50) / micros(r1.p50)
    );
    println!(
        "same results: k=10 {}/{} queries differ, 1 km {}/{} differ (ties and radius edges within 2 m excepted)",
        knn_diff, n_queries, r1_diff, n_queries
    );

    // Open needs (`/besoins`): an index of the initiatives with open needs
    // (as the engine keeps one beside the initiatives').
    let before = LIVE.load(Ordering::Relaxed);
    let needs_index = NearbyIndex::bulk_load(rows.iter().copied().filter(|r| r.needs != 0));
    let needs_bytes = (LIVE.load(Ordering::Relaxed) - before) as f64;
    let any_need = Mask {
        needs: 0x1f,
        ..Mask::default()
    };
    let funding = Mask {
        needs: NeedKind::Funding.bit(),
        ..Mask::default()
    };
    let (nk, nk_avg) = run(&|q| needs_index.nearby(q, 100_000.0, any_need, 10).len());
    let (nf, nf_avg) = run(&|q| needs_index.nearby(q, 100_000.0, funding, 10).len());
    let (n1, n1_avg) = run(&|q| needs_index.nearby(q, 1_000.0, any_need, usize::MAX).len());
    // Needs kept right: every result has an open need of the kind asked.
    let mut need_wrong = 0;
    for q in queries.iter().take(2000) {
        let through_all: Vec<InitiativeId> = index
            .nearby(*q, 100_000.0, funding, 10)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        let through_needs: Vec<InitiativeId> = needs_index
            .nearby(*q, 100_000.0, funding, 10)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        if through_all != through_needs {
            need_wrong += 1;
        }
        for (id, _) in needs_index.nearby(*q, 100_000.0, funding, 10) {
            let r = &rows[(id.0 - 1) as usize];
            if r.needs & NeedKind::Funding.bit() == 0 {
                need_wrong += 1;
            }
        }
    }

    // Verified actors (`/acteurs`): an index of their own.
    let kinds = [
        ActorKind::Association,
        ActorKind::Company,
        ActorKind::Municipality,
    ];
    let mut arng = Rng(1234);
    let actors: Vec<Row<ActorId>> = (0..n_actors)
        .map(|i| {
            let cats: Vec<Category> = (0..1 + arng.next() % 3)
                .map(|_| categories[(arng.next() % 11) as usize])
                .collect();
            Row {
                id: ActorId(i as i64 + 1),
                place: sampler.point(&mut arng, 0.10),
                categories: category_bits(&cats),
                kind: actor_kind_code(kinds[(arng.next() % 3) as usize]),
                needs: 0,
            }
        })
        .collect();
    let before = LIVE.load(Ordering::Relaxed);
    let start = Instant::now();
    let actor_index = NearbyIndex::bulk_load(actors.iter().copied());
    let actor_build = start.elapsed();
    let actor_bytes = (LIVE.load(Ordering::Relaxed) - before) as f64;
    let associations = Mask {
        kind: Some(actor_kind_code(ActorKind::Association)),
        ..Mask::default()
    };
    let compost_associations = Mask {
        categories: category_bits(&[Category::Compost]),
        ..associations
    };
    let (ak, ak_avg) = run(&|q| actor_index.nearby(q, 100_000.0, Mask::default(), 10).len());
    let (aa, aa_avg) = run(&|q| actor_index.nearby(q, 100_000.0, associations, 10).len());
    let (ac, ac_avg) = run(&|q| {
        actor_index
            .nearby(q, 100_000.0, compost_associations, 10)
            .len()
    });
    let (a5, a5_avg) = run(&|q| {
        actor_index
            .nearby(q, 5_000.0, Mask::default(), usize::MAX)
            .len()
    });

    println!();
    println!(
        "Needs and actors: {n_needs} open needs on {with_needs} of the initiatives; {n_actors} verified actors"
    );
    println!();
    println!("| index | query | p50 (µs) | p99 (µs) | queries/s | results/query |");
    println!("|---|---|---|---|---|---|");
    for (what, query, st, avg) in [
        ("initiatives", "k=10 with an open need", &nk, nk_avg),
        ("initiatives", "k=10 with an open funding need", &nf, nf_avg),
        ("initiatives", "1 km radius, with an open need", &n1, n1_avg),
        ("actors", "k=10 nearest", &ak, ak_avg),
        ("actors", "k=10 associations", &aa, aa_avg),
        ("actors", "k=10 compost associations", &ac, ac_avg),
        ("actors", "5 km radius", &a5, a5_avg),
    ] {
        println!(
            "| {what} | {query} | {:.1} | {:.1} | {:.0} | {avg:.1} |",
            micros(st.p50),
            micros(st.p99),
            st.qps
        );
    }
    println!();
    println!(
        "needs' index: {:.1} MiB; actors' index: bulk load {:.3} s, {:.1} bytes per actor ({:.1} MiB); needs filter wrong on {need_wrong} results or queries",
        needs_bytes / 1_048_576.0,
        actor_build.as_secs_f64(),
        actor_bytes / n_actors.max(1) as f64,
        actor_bytes / 1_048_576.0
    );
    if knn_diff + r1_diff + need_wrong > 0 {
        std::process::exit(1);
    }
}
