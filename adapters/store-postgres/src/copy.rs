//! Whole-database reading and loading for `kohero copy-db`.

use kohero_core::ports::{StoreError, StoreResult};
use kohero_sql::{Cell, TableData, must_be_empty, parents_first, quoted_identifiers};
use sqlx::postgres::PgRow;
// Table and column names in the SQL below come from the database's own catalog
// and are quoted; every value is a bound parameter.
use sqlx::{AssertSqlSafe, PgConnection, Postgres, Row};

use crate::{PgStore, backend};

/// Rows per INSERT statement at most (and 60,000 parameters).
const ROWS_PER_INSERT: usize = 1000;

/// The tables `copy-db` moves: every base table of the schema but the migration
/// records and the change logs of initiatives and actors (their triggers fill
/// them as rows arrive; on PostgreSQL they carry transaction ids, which mean
/// nothing elsewhere), parents first.
async fn user_tables(db: &mut PgConnection) -> StoreResult<Vec<String>> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
           AND table_name NOT IN ('_sqlx_migrations', 'initiative_changes', 'actor_changes')",
    )
    .fetch_all(&mut *db)
    .await
    .map_err(backend)?;
    let mut tables = Vec::with_capacity(names.len());
    for name in names {
        let parents: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT p.relname::text FROM pg_constraint c
             JOIN pg_class t ON t.oid = c.conrelid
             JOIN pg_class p ON p.oid = c.confrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace
             WHERE c.contype = 'f' AND t.relname = $1 AND n.nspname = current_schema()",
        )
        .bind(&name)
        .fetch_all(&mut *db)
        .await
        .map_err(backend)?;
        tables.push((name, parents));
    }
    parents_first(tables)
}

/// A table's columns and their types, in order.
async fn columns(db: &mut PgConnection, table: &str) -> StoreResult<Vec<(String, String)>> {
    sqlx::query(
        "SELECT column_name::text AS name, data_type::text AS kind FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(&mut *db)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| {
        Ok((
            r.try_get::<String, _>("name").map_err(backend)?,
            r.try_get::<String, _>("kind").map_err(backend)?,
        ))
    })
    .collect()
}

fn unsupported(table: &str, column: &str, kind: &str) -> StoreError {
    StoreError::Backend(
        format!("copy-db cannot move column {table}.{column} of type {kind}").into(),
    )
}

fn cell(row: &PgRow, i: usize, table: &str, column: &str, kind: &str) -> StoreResult<Cell> {
    let c = match kind {
        "bigint" => row
            .try_get::<Option<i64>, _>(i)
            .map_err(backend)?
            .map(Cell::Int),
        "integer" => row
            .try_get::<Option<i32>, _>(i)
            .map_err(backend)?
            .map(|v| Cell::Int(v.into())),
        "double precision" => row
            .try_get::<Option<f64>, _>(i)
            .map_err(backend)?
            .map(Cell::Real),
        "text" => row
            .try_get::<Option<String>, _>(i)
            .map_err(backend)?
            .map(Cell::Text),
        "bytea" => row
            .try_get::<Option<Vec<u8>>, _>(i)
            .map_err(backend)?
            .map(Cell::Blob),
        _ => return Err(unsupported(table, column, kind)),
    };
    Ok(c.unwrap_or(Cell::Null))
}

/// Binds a cell for a column of type `kind` (a NULL typed as the column).
fn bind<'q>(
    q: sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>,
    c: &'q Cell,
    kind: &str,
) -> sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments> {
    match (c, kind) {
        (Cell::Int(i), "integer") => q.bind(i32::try_from(*i).ok()),
        (Cell::Int(i), _) => q.bind(*i),
        (Cell::Real(f), _) => q.bind(*f),
        (Cell::Text(t), _) => q.bind(t.as_str()),
        (Cell::Blob(b), _) => q.bind(b.as_slice()),
        (Cell::Null, "bigint") => q.bind(None::<i64>),
        (Cell::Null, "integer") => q.bind(None::<i32>),
        (Cell::Null, "double precision") => q.bind(None::<f64>),
        (Cell::Null, "bytea") => q.bind(None::<Vec<u8>>),
        (Cell::Null, _) => q.bind(None::<String>),
    }
}

async fn dump_in(db: &mut PgConnection) -> StoreResult<Vec<TableData>> {
    let mut out = Vec::new();
    for name in user_tables(db).await? {
        let cols = columns(db, &name).await?;
        let names: Vec<String> = cols.iter().map(|c| c.0.clone()).collect();
        let sql = format!(
            "SELECT {} FROM \"{name}\" ORDER BY 1",
            quoted_identifiers(&names)
        );
        let fetched = sqlx::query(AssertSqlSafe(sql))
            .fetch_all(&mut *db)
            .await
            .map_err(backend)?;
        let mut rows = Vec::with_capacity(fetched.len());
        for r in &fetched {
            rows.push(
                cols.iter()
                    .enumerate()
                    .map(|(i, (c, k))| cell(r, i, &name, c, k))
                    .collect::<StoreResult<Vec<_>>>()?,
            );
        }
        out.push(TableData {
            name,
            columns: names,
            rows,
        });
    }
    Ok(out)
}

async fn restore_in(db: &mut PgConnection, tables: &[TableData]) -> StoreResult<()> {
    for name in user_tables(db).await? {
        let filled: bool = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT EXISTS (SELECT 1 FROM \"{name}\")"
        )))
        .fetch_one(&mut *db)
        .await
        .map_err(backend)?;
        must_be_empty(&name, filled)?;
    }
    for t in tables {
        let kinds: std::collections::HashMap<String, String> =
            columns(db, &t.name).await?.into_iter().collect();
        let col_kinds: Vec<&str> = t
            .columns
            .iter()
            .map(|c| {
                kinds.get(c).map(String::as_str).ok_or_else(|| {
                    StoreError::Backend(format!("the target has no column {}.{c}", t.name).into())
                })
            })
            .collect::<StoreResult<_>>()?;
        let width = t.columns.len().max(1);
        let per = ROWS_PER_INSERT.min(60_000 / width).max(1);
        for chunk in t.rows.chunks(per) {
            let mut n = 0;
            let values = chunk
                .iter()
                .map(|_| {
                    let marks = (0..width)
                        .map(|_| {
                            n += 1;
                            format!("${n}")
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!("({marks})")
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO \"{}\" ({}) VALUES {values}",
                t.name,
                quoted_identifiers(&t.columns)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for row in chunk {
                for (c, kind) in row.iter().zip(&col_kinds) {
                    q = bind(q, c, kind);
                }
            }
            q.execute(&mut *db).await.map_err(backend)?;
        }
        // Identity columns continue after the copied ids.
        let identities: Vec<String> = sqlx::query_scalar(
            "SELECT column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES'",
        )
        .bind(&t.name)
        .fetch_all(&mut *db)
        .await
        .map_err(backend)?;
        for col in identities {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence($1, $2),
                               COALESCE((SELECT MAX(\"{col}\") FROM \"{}\"), 0) + 1, false)",
                t.name
            );
            sqlx::query(AssertSqlSafe(sql))
                .bind(format!("\"{}\"", t.name))
                .bind(&col)
                .execute(&mut *db)
                .await
                .map_err(backend)?;
        }
    }
    Ok(())
}

impl PgStore {
    /// Every table's rows, read in one snapshot, tables ordered parents first
    /// (foreign keys).
    pub async fn dump(&self) -> StoreResult<Vec<TableData>> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let out = dump_in(&mut tx).await?;
        tx.commit().await.map_err(backend)?;
        Ok(out)
    }

    /// Loads `tables` (from [`Self::dump`] of this or another store) into this
    /// database, which must be empty, in one transaction: all or nothing.
    pub async fn restore(&self, tables: &[TableData]) -> StoreResult<()> {
        let mut tx = self.writer().await?;
        restore_in(&mut tx, tables).await?;
        tx.commit().await.map_err(backend)
    }
}
