//! Makes `tests/fixtures/kohero-0011.db`: a small installation as Kohero's
//! schema stood at migration 0011, made by applying `migrations/sqlite/`
//! 0001…0011 as every build does (`kohero_store_sqlite::migrate_until`),
//! then writing what people had done by then, in that
//! schema. CI upgrades a copy with the current binary and uses it
//! (`tests/tests/operations.rs`).
//!
//!     cargo run -p kohero-tests --example make_upgrade_fixture [VERSION]
//!
//! Run when a new fixture is wanted; the file is committed and stands for a
//! database an older build left behind (CI never rebuilds it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rusqlite::{Connection, params};

fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}

fn main() {
    let upto: i64 = std::env::args()
        .nth(1)
        .map_or(11, |v| v.parse().expect("a migration number"));
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(format!("kohero-{upto:04}.db"));
    let _ = std::fs::remove_file(&out);
    kohero_store_sqlite::migrate_until(&out, upto).unwrap();
    let db = Connection::open(&out).unwrap();

    let t0 = ms("2026-03-01T10:00:00Z");
    // Élise (Telegram, French), Bob (Telegram, English), Villeurbanne's
    // town hall (the console, verified).
    for (id, kind, name, lang, verified) in [
        (1, "citizen", "Élise", "fr", 0),
        (2, "citizen", "Bob", "en", 0),
        (3, "municipality", "Mairie de Villeurbanne", "fr", 1),
    ] {
        db.execute(
            "INSERT INTO actors (id, kind, display_name, lang, tz, verified, created_at)
             VALUES (?1, ?2, ?3, ?4, 'Europe/Paris', ?5, ?6)",
            params![id, kind, name, lang, verified, t0],
        )
        .unwrap();
    }
    for (network, id, actor) in [
        ("telegram", "1001", 1),
        ("telegram", "1002", 2),
        ("console", "mairie", 3),
    ] {
        db.execute(
            "INSERT INTO identities (network, external_id, actor_id) VALUES (?1, ?2, ?3)",
            params![network, id, actor],
        )
        .unwrap();
    }
    db.execute(
        "INSERT INTO actor_communes (actor_id, insee) VALUES (3, '69266')",
        [],
    )
    .unwrap();
    for (id, kind, title, description, category, lat, lon, status) in [
        (
            1,
            "idea",
            "Composteur « partagé » d'Élise 🌱",
            "Un bac au square & des ateliers, <b>ouverts</b> à tous.",
            "compost",
            45.7745,
            4.8820,
            "open",
        ),
        (
            2,
            "project",
            "Repair café du Tonkin",
            "Réparer plutôt que jeter : vélos, grille-pain…",
            "repair",
            45.7700,
            4.8700,
            "active",
        ),
    ] {
        db.execute(
            "INSERT INTO initiatives (id, kind, title, description, category, lat, lon, commune,
                status, created_by, search_text, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '69266', ?8, 1, ?9, ?10, ?10)",
            params![
                id,
                kind,
                title,
                description,
                category,
                lat,
                lon,
                status,
                kohero_core::text::search_document(title, description),
                t0 + id
            ],
        )
        .unwrap();
    }
    for (initiative, actor, role, at) in [
        (1, 1, "organiser", t0),
        (1, 2, "supporter", t0 + 60_000),
        (2, 1, "organiser", t0),
        (2, 2, "member", t0 + 60_000),
    ] {
        db.execute(
            "INSERT INTO memberships (initiative_id, actor_id, role, since) VALUES (?1, ?2, ?3, ?4)",
            params![initiative, actor, role, at],
        )
        .unwrap();
    }
    db.execute(
        "INSERT INTO updates (id, initiative_id, author_id, body, created_at)
         VALUES (1, 2, 1, 'Le local est trouvé, merci « à tous » !', ?1)",
        [t0 + 120_000],
    )
    .unwrap();
    db.execute(
        "INSERT INTO events (id, initiative_id, title, starts_at, tz, lat, lon, created_by, created_at)
         VALUES (1, 2, 'Premier atelier', ?1, 'Europe/Paris', 45.77, 4.87, 1, ?2)",
        [ms("2027-05-17T08:30:00Z"), t0 + 180_000],
    )
    .unwrap();
    db.execute(
        "INSERT INTO rsvps (event_id, actor_id, answer, at) VALUES (1, 2, 'yes', ?1)",
        [t0 + 240_000],
    )
    .unwrap();
    db.execute(
        "INSERT INTO subscriptions (id, actor_id, lat, lon, radius_m, commune, categories, created_at)
         VALUES (1, 2, 45.77, 4.87, 2000, NULL, 'repair,compost', ?1)",
        [t0],
    )
    .unwrap();
    for (initiative, kind, reference, at) in [
        (1, "created", None, t0 + 1),
        (2, "created", None, t0 + 2),
        (2, "launched", None, t0 + 3),
        (2, "updated", Some(1), t0 + 120_000),
        (2, "event", Some(1), t0 + 180_000),
    ] {
        db.execute(
            "INSERT INTO activity (initiative_id, kind, ref_id, at) VALUES (?1, ?2, ?3, ?4)",
            params![initiative, kind, reference, at],
        )
        .unwrap();
    }
    // Small pages: a small file to commit.
    db.execute_batch("PRAGMA page_size = 1024; VACUUM").unwrap();
    drop(db);
    println!(
        "wrote {} ({} bytes)",
        out.display(),
        std::fs::metadata(&out).unwrap().len()
    );
}
