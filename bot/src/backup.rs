//! `kohero backup FILE`: a consistent copy of a SQLite installation while it
//! serves — the database and, beside it as `FILE.matrix/`, the Matrix store
//! (the bot device's keys: a restored database without them cannot
//! reconnect to its encrypted rooms).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::bail;
use kohero_store_sqlite::backup::{Written, backup_database, backup_folder};

use crate::config::Database;

/// The folder a backup keeps the Matrix store in: `FILE.matrix`.
pub fn matrix_copy(target: &Path) -> PathBuf {
    let mut name = target.as_os_str().to_owned();
    name.push(".matrix");
    PathBuf::from(name)
}

/// Bytes as people read them (1 kB = 1,000 bytes).
fn size(bytes: u64) -> String {
    let b = bytes as f64;
    if b < 1e3 {
        format!("{bytes} B")
    } else if b < 1e6 {
        format!("{:.1} kB", b / 1e3)
    } else if b < 1e9 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.2} GB", b / 1e9)
    }
}

/// Makes the backup; returns what to tell the operator.
pub async fn backup(
    db: &Database,
    target: &Path,
    matrix_store: &Path,
    passphrase_set: bool,
) -> anyhow::Result<String> {
    let source = match db {
        Database::Postgres(_) => bail!(
            "kohero backup copies a SQLite installation; for PostgreSQL use pg_dump --format=custom (while it serves), and copy the Matrix store {} beside it",
            matrix_store.display()
        ),
        Database::Sqlite(p) if p == "sqlite::memory:" || p == ":memory:" => {
            bail!("an in-memory database has nothing to back up")
        }
        Database::Sqlite(p) => PathBuf::from(p),
    };
    let matrix_target = matrix_copy(target);
    let with_matrix = matrix_store.is_dir();
    // Both names are checked before anything is written.
    for t in [Some(target), with_matrix.then_some(matrix_target.as_path())]
        .into_iter()
        .flatten()
    {
        if t.exists() {
            bail!(
                "{} already exists: a backup never overwrites anything; choose another name",
                t.display()
            );
        }
    }
    let started = Instant::now();
    let (source_c, target_c) = (source.clone(), target.to_path_buf());
    let db_written: Written =
        tokio::task::spawn_blocking(move || backup_database(&source_c, &target_c)).await??;
    let mut lines = vec![format!(
        "Database {} copied to {}: {}, integrity checked.",
        source.display(),
        target.display(),
        size(db_written.bytes)
    )];
    if with_matrix {
        let (from, to) = (matrix_store.to_path_buf(), matrix_target.clone());
        let written = tokio::task::spawn_blocking(move || backup_folder(&from, &to)).await?;
        let w = match written {
            Ok(w) => w,
            Err(e) => {
                // Half a backup is no backup.
                let _ = std::fs::remove_file(target);
                return Err(e.into());
            }
        };
        lines.push(format!(
            "Matrix store {} copied to {}: {} database(s) and {} other file(s), {}.",
            matrix_store.display(),
            matrix_target.display(),
            w.databases,
            w.files,
            size(w.bytes)
        ));
        lines.push(if passphrase_set {
            "Keep KOHERO_MATRIX_STORE_PASSPHRASE safe with it, apart from this backup: the Matrix store cannot be opened without it.".to_owned()
        } else {
            "The Matrix store is not encrypted (KOHERO_MATRIX_STORE_PASSPHRASE is not set): keep this backup where only the operator can read it.".to_owned()
        });
    } else {
        lines.push(format!(
            "No Matrix store at {} (Matrix is not configured, or the bot never logged in).",
            matrix_store.display()
        ));
    }
    lines.push(format!(
        "Done in {:.2} s. To restore: stop kohero, put {} in place of the database{}, start kohero.",
        started.elapsed().as_secs_f64(),
        target.display(),
        if with_matrix {
            format!(" and {} in place of the Matrix store", matrix_target.display())
        } else {
            String::new()
        }
    ));
    Ok(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_read_them() {
        assert_eq!(size(512), "512 B");
        assert_eq!(size(12_345), "12.3 kB");
        assert_eq!(size(4_200_000), "4.2 MB");
        assert_eq!(size(3_000_000_000), "3.00 GB");
    }
}
