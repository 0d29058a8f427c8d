//! Whole-database reading and loading for `kohero copy-db`.

use kohero_core::ports::{StoreError, StoreResult};
use kohero_sql::{Cell, TableData, must_be_empty, parents_first, quoted_identifiers};
use rusqlite::Connection;
use rusqlite::types::{Value, ValueRef};

use crate::{SqliteStore, backend};

/// The tables `copy-db` moves: every table but SQLite's own, the migration
/// records, and what triggers rebuild as rows arrive (the search index, the
/// initiatives' and actors' change logs).
fn user_tables(db: &Connection) -> StoreResult<Vec<String>> {
    let mut stmt = db
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table'
             AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'
             AND name NOT LIKE 'initiatives_fts%'
             AND name NOT IN ('initiative_changes', 'actor_changes')",
        )
        .map_err(backend)?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(backend)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(backend)?;
    let mut tables = Vec::with_capacity(names.len());
    for name in names {
        let mut stmt = db
            .prepare("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)")
            .map_err(backend)?;
        let parents = stmt
            .query_map([&name], |r| r.get::<_, String>(0))
            .map_err(backend)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(backend)?;
        tables.push((name, parents));
    }
    parents_first(tables)
}

fn columns(db: &Connection, table: &str) -> StoreResult<Vec<String>> {
    let mut stmt = db
        .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")
        .map_err(backend)?;
    stmt.query_map([table], |r| r.get::<_, String>(0))
        .map_err(backend)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(backend)
}

fn cell(v: ValueRef<'_>) -> Cell {
    match v {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Int(i),
        ValueRef::Real(f) => Cell::Real(f),
        ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
    }
}

fn value(c: &Cell) -> Value {
    match c {
        Cell::Null => Value::Null,
        Cell::Int(i) => Value::Integer(*i),
        Cell::Real(f) => Value::Real(*f),
        Cell::Text(t) => Value::Text(t.clone()),
        Cell::Blob(b) => Value::Blob(b.clone()),
    }
}

fn dump_in(db: &Connection) -> StoreResult<Vec<TableData>> {
    let mut out = Vec::new();
    for name in user_tables(db)? {
        let columns = columns(db, &name)?;
        let sql = format!(
            "SELECT {} FROM \"{name}\" ORDER BY 1",
            quoted_identifiers(&columns)
        );
        let mut stmt = db.prepare(&sql).map_err(backend)?;
        let n = columns.len();
        let rows = stmt
            .query_map([], |r| {
                (0..n)
                    .map(|i| r.get_ref(i).map(cell))
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(backend)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(backend)?;
        out.push(TableData {
            name,
            columns,
            rows,
        });
    }
    Ok(out)
}

fn restore_in(db: &Connection, tables: &[TableData]) -> StoreResult<()> {
    for name in user_tables(db)? {
        let filled: bool = db
            .query_row(
                &format!("SELECT EXISTS (SELECT 1 FROM \"{name}\")"),
                [],
                |r| r.get(0),
            )
            .map_err(backend)?;
        must_be_empty(&name, filled)?;
    }
    for t in tables {
        let marks = (1..=t.columns.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO \"{}\" ({}) VALUES ({marks})",
            t.name,
            quoted_identifiers(&t.columns)
        );
        let mut stmt = db.prepare(&sql).map_err(backend)?;
        for row in &t.rows {
            stmt.execute(rusqlite::params_from_iter(row.iter().map(value)))
                .map_err(backend)?;
        }
    }
    Ok(())
}

impl SqliteStore {
    /// Every table's rows, read in one transaction, tables ordered parents
    /// first (foreign keys).
    pub async fn dump(&self) -> StoreResult<Vec<TableData>> {
        let guard = self.conn.lock().await;
        let db = guard
            .as_ref()
            .ok_or_else(|| StoreError::Backend("the store is closed".into()))?;
        crate::conn::heavy(|| {
            db.execute_batch("BEGIN").map_err(backend)?;
            let r = dump_in(db);
            let _ = db.execute_batch("COMMIT");
            r
        })
    }

    /// Loads `tables` (from [`Self::dump`] of this or another store) into this
    /// database, which must be empty, in one transaction: all or nothing.
    pub async fn restore(&self, tables: &[TableData]) -> StoreResult<()> {
        let guard = self.conn.lock().await;
        let db = guard
            .as_ref()
            .ok_or_else(|| StoreError::Backend("the store is closed".into()))?;
        crate::conn::heavy(|| {
            db.execute_batch("BEGIN IMMEDIATE").map_err(backend)?;
            match restore_in(db, tables) {
                Ok(()) => db.execute_batch("COMMIT").map_err(backend),
                Err(e) => {
                    let _ = db.execute_batch("ROLLBACK");
                    Err(e)
                }
            }
        })
    }
}
