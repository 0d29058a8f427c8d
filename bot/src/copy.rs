//! `kohero copy-db FROM_URL TO_URL`: moves an installation between databases
//! (SQLite to PostgreSQL and back, or between two of one kind). The target is
//! created and migrated, must be empty, and is filled in one transaction (all or
//! nothing); identity sequences continue after the copied ids. At the end every
//! table is read back from both sides and compared: row count and a checksum.
//!
//! Both sides are opened (and migrated) by this build first, so they have the
//! same tables. The whole source is held in memory while copying.

use kohero_sql::{Cell, TableData};

use crate::config::Database;
use crate::store::AnyStore;

/// One table as compared at the end.
#[derive(Debug, Clone, PartialEq)]
pub struct Compared {
    pub table: String,
    pub source: Fingerprint,
    pub target: Fingerprint,
}

/// A table's row count and a checksum of its rows that does not depend on
/// their order (the sum of each row's FNV-1a hash).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fingerprint {
    pub rows: u64,
    pub checksum: u64,
}

impl Fingerprint {
    pub fn of(t: &TableData) -> Self {
        let mut f = Self::default();
        for row in &t.rows {
            f.rows += 1;
            f.checksum = f.checksum.wrapping_add(row_hash(row));
        }
        f
    }
}

/// FNV-1a over a self-delimiting encoding of the row's cells.
fn row_hash(row: &[Cell]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for c in row {
        match c {
            Cell::Null => eat(&[0]),
            Cell::Int(i) => {
                eat(&[1]);
                eat(&i.to_le_bytes());
            }
            Cell::Real(f) => {
                eat(&[2]);
                eat(&f.to_bits().to_le_bytes());
            }
            Cell::Text(t) => {
                eat(&[3]);
                eat(&(t.len() as u64).to_le_bytes());
                eat(t.as_bytes());
            }
            Cell::Blob(b) => {
                eat(&[4]);
                eat(&(b.len() as u64).to_le_bytes());
                eat(b);
            }
        }
    }
    h
}

async fn dump(store: &AnyStore) -> anyhow::Result<Vec<TableData>> {
    Ok(match store {
        AnyStore::Sqlite(s) => s.dump().await?,
        AnyStore::Postgres(s) => s.dump().await?,
    })
}

async fn restore(store: &AnyStore, tables: &[TableData]) -> anyhow::Result<()> {
    match store {
        AnyStore::Sqlite(s) => s.restore(tables).await?,
        AnyStore::Postgres(s) => s.restore(tables).await?,
    }
    Ok(())
}

/// Copies `from` into `to` and compares them; `Err` when anything differs.
pub async fn copy_db(from: &Database, to: &Database) -> anyhow::Result<Vec<Compared>> {
    if from == to {
        anyhow::bail!("the source and the target are the same database");
    }
    let source = AnyStore::open(from).await?;
    let target = AnyStore::open(to).await?;
    let result = async {
        let tables = dump(&source).await?;
        restore(&target, &tables).await?;
        let copied = dump(&target).await?;
        compare(&tables, &copied)
    }
    .await;
    source.close().await;
    target.close().await;
    result
}

/// Pairs the tables of both sides by name; `Err` if the sets differ or any
/// table's fingerprint does.
pub fn compare(source: &[TableData], target: &[TableData]) -> anyhow::Result<Vec<Compared>> {
    let mut out = Vec::with_capacity(source.len());
    for s in source {
        let Some(t) = target.iter().find(|t| t.name == s.name) else {
            anyhow::bail!("the target has no table {}", s.name);
        };
        out.push(Compared {
            table: s.name.clone(),
            source: Fingerprint::of(s),
            target: Fingerprint::of(t),
        });
    }
    if let Some(t) = target
        .iter()
        .find(|t| !source.iter().any(|s| s.name == t.name))
    {
        anyhow::bail!("the source has no table {}", t.name);
    }
    let differ: Vec<&str> = out
        .iter()
        .filter(|c| c.source != c.target)
        .map(|c| c.table.as_str())
        .collect();
    if !differ.is_empty() {
        anyhow::bail!(
            "copied tables differ from the source: {}",
            differ.join(", ")
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, rows: Vec<Vec<Cell>>) -> TableData {
        TableData {
            name: name.into(),
            columns: vec!["a".into(), "b".into()],
            rows,
        }
    }

    #[test]
    fn fingerprints_ignore_order_and_see_every_value() {
        let a = vec![Cell::Int(1), Cell::Text("x".into())];
        let b = vec![Cell::Int(2), Cell::Null];
        let one = table("t", vec![a.clone(), b.clone()]);
        let other_order = table("t", vec![b.clone(), a.clone()]);
        assert_eq!(Fingerprint::of(&one), Fingerprint::of(&other_order));
        for changed in [
            vec![Cell::Int(1), Cell::Text("y".into())],
            vec![Cell::Int(1), Cell::Null],
            vec![Cell::Real(1.0), Cell::Text("x".into())],
            vec![Cell::Int(1), Cell::Blob(b"x".to_vec())],
        ] {
            let t = table("t", vec![changed, b.clone()]);
            assert_ne!(Fingerprint::of(&one), Fingerprint::of(&t));
        }
        // Text boundaries count: ("ab", "c") is not ("a", "bc").
        let x = table(
            "t",
            vec![vec![Cell::Text("ab".into()), Cell::Text("c".into())]],
        );
        let y = table(
            "t",
            vec![vec![Cell::Text("a".into()), Cell::Text("bc".into())]],
        );
        assert_ne!(Fingerprint::of(&x), Fingerprint::of(&y));
        assert!(compare(std::slice::from_ref(&one), &[other_order]).is_ok());
        assert!(compare(std::slice::from_ref(&one), &[table("t", vec![a])]).is_err());
        assert!(compare(std::slice::from_ref(&one), &[table("u", vec![])]).is_err());
    }
}
