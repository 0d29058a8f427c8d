//! The PostgreSQL migrations mirror the SQLite ones: same versions, and after
//! the last one, the same tables with the same columns. Run against the
//! throwaway cluster `scripts/test` starts (`KOHERO_TEST_POSTGRES_URL`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use sqlx::Connection;

static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");
static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

fn server() -> String {
    std::env::var("KOHERO_TEST_POSTGRES_URL")
        .expect("KOHERO_TEST_POSTGRES_URL is not set: run the tests with scripts/test")
}

/// A fresh database on the test cluster, for this test alone.
async fn fresh_database(name: &str) -> String {
    kohero_store_postgres::recreate_database(&server(), name)
        .await
        .unwrap()
}

type Columns = BTreeMap<String, BTreeSet<String>>;

async fn sqlite_columns() -> Columns {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("s.db").display());
    let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
    SQLITE.run(&mut db).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table'
         AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' AND name NOT LIKE 'initiatives_fts%'",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    let mut out = Columns::new();
    for t in tables {
        let cols: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?)")
            .bind(&t)
            .fetch_all(&mut db)
            .await
            .unwrap();
        out.insert(t, cols.into_iter().collect());
    }
    out
}

#[tokio::test]
async fn postgres_migrations_mirror_the_sqlite_ones() {
    let versions =
        |m: &sqlx::migrate::Migrator| -> Vec<i64> { m.iter().map(|x| x.version).collect() };
    assert_eq!(versions(&POSTGRES), versions(&SQLITE));

    let url = fresh_database(&format!("kohero_schema_{}", std::process::id())).await;
    let mut pg = sqlx::PgConnection::connect(&url).await.unwrap();
    POSTGRES.run(&mut pg).await.unwrap();
    // Applying them again changes nothing.
    POSTGRES.run(&mut pg).await.unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
    )
    .fetch_all(&mut pg)
    .await
    .unwrap();
    // The change logs' transaction ids exist only where writers run side by
    // side (migration 22): SQLite's sequence is its commit order already.
    const POSTGRES_ONLY: [(&str, &str); 2] =
        [("initiative_changes", "xid"), ("actor_changes", "xid")];
    let mut postgres = Columns::new();
    for (t, c) in rows {
        if !POSTGRES_ONLY.contains(&(t.as_str(), c.as_str())) {
            postgres.entry(t).or_default().insert(c);
        }
    }
    assert_eq!(postgres, sqlite_columns().await);
}
