//! Applies the compiled-in migrations, recording them in `_sqlx_migrations`
//! exactly as sqlx's migrator does (same table, same checksums), so a database
//! created by either opens with the other.

use std::collections::HashMap;
use std::time::Instant;

use rusqlite::{Connection, OptionalExtension, params};
use sqlx::migrate::Migrator;

/// Applies the migrations not yet applied, up to `upto` (all: `i64::MAX`).
pub fn run(conn: &Connection, migrator: &Migrator, upto: i64) -> Result<(), String> {
    let err = |e: rusqlite::Error| e.to_string();
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
            version BIGINT PRIMARY KEY,
            description TEXT NOT NULL,
            installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
            success BOOLEAN NOT NULL,
            checksum BLOB NOT NULL,
            execution_time BIGINT NOT NULL
        )",
    )
    .map_err(err)?;
    let dirty: Option<i64> = conn
        .query_row(
            "SELECT version FROM _sqlx_migrations WHERE success = false ORDER BY version LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(err)?;
    if let Some(v) = dirty {
        return Err(format!(
            "migration {v} was left half-applied; restore a backup"
        ));
    }
    let mut applied: HashMap<i64, Vec<u8>> = HashMap::new();
    {
        let mut stmt = conn
            .prepare("SELECT version, checksum FROM _sqlx_migrations")
            .map_err(err)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))
            .map_err(err)?;
        for row in rows {
            let (v, sum) = row.map_err(err)?;
            applied.insert(v, sum);
        }
    }
    let known: Vec<_> = migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .collect();
    if let Some(v) = applied
        .keys()
        .find(|v| !known.iter().any(|m| m.version == **v))
    {
        return Err(format!(
            "the database has migration {v}, which this build does not know: it was made by a newer Kohero"
        ));
    }
    for m in known.into_iter().filter(|m| m.version <= upto) {
        if let Some(sum) = applied.get(&m.version) {
            if sum.as_slice() != &*m.checksum {
                return Err(format!(
                    "migration {} ({}) differs from the one applied to this database",
                    m.version, m.description
                ));
            }
            continue;
        }
        let started = Instant::now();
        let apply = || -> rusqlite::Result<()> {
            conn.execute_batch(m.sql.as_str())?;
            conn.execute(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
                 VALUES (?, ?, true, ?, ?)",
                params![
                    m.version,
                    &*m.description,
                    &*m.checksum,
                    i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX)
                ],
            )?;
            Ok(())
        };
        if m.no_tx {
            apply().map_err(err)?;
        } else {
            conn.execute_batch("BEGIN IMMEDIATE").map_err(err)?;
            // Another process may have applied it since we looked.
            let done: Option<i64> = conn
                .query_row(
                    "SELECT version FROM _sqlx_migrations WHERE version = ?",
                    [m.version],
                    |r| r.get(0),
                )
                .optional()
                .map_err(err)?;
            if done.is_some() {
                conn.execute_batch("COMMIT").map_err(err)?;
                continue;
            }
            if let Err(e) = apply() {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(format!("migration {} ({}): {e}", m.version, m.description));
            }
            conn.execute_batch("COMMIT").map_err(err)?;
        }
    }
    Ok(())
}
