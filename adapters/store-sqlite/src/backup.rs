//! `kohero backup`: consistent copies of SQLite databases while they serve.
//!
//! A file copy of a live database in WAL mode may catch half a transaction
//! (the database file and its `-wal` change apart); `VACUUM INTO` reads one
//! snapshot through SQLite and writes a new, compact database from it. A
//! reader never blocks the writer in WAL mode, so `kohero serve` goes on
//! meanwhile. Each copy is written under a temporary name, checked
//! (`PRAGMA integrity_check`), flushed to disk, then renamed: a backup that
//! exists is whole.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// How long a backup waits for a lock (another process checkpointing, say).
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// What one backup wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// Databases copied through SQLite.
    pub databases: u32,
    /// Other files copied as they are.
    pub files: u32,
    /// Bytes written in all.
    pub bytes: u64,
}

/// Why a backup was not made. Nothing is left at the target when it fails.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists: a backup never overwrites anything; choose another name")]
    Exists(PathBuf),
    #[error("there is no SQLite database at {0}")]
    NoSource(PathBuf),
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("{0}: {1}")]
    Sqlite(PathBuf, String),
    #[error("the copy {0} failed its integrity check: {1}")]
    Corrupt(PathBuf, String),
}

fn io(p: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |e| BackupError::Io(p.to_path_buf(), e)
}

fn sqlite(p: &Path) -> impl FnOnce(rusqlite::Error) -> BackupError + '_ {
    move |e| BackupError::Sqlite(p.to_path_buf(), e.to_string())
}

/// The name a copy is written under until it is whole.
fn partial(target: &Path) -> PathBuf {
    let mut name = target.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Copies the SQLite database at `source` to `target` (which must not exist)
/// from one snapshot, checks the copy and flushes it.
pub fn backup_database(source: &Path, target: &Path) -> Result<Written, BackupError> {
    if target.exists() {
        return Err(BackupError::Exists(target.to_path_buf()));
    }
    if !source.is_file() {
        return Err(BackupError::NoSource(source.to_path_buf()));
    }
    let tmp = partial(target);
    let _ = fs::remove_file(&tmp);
    let result = copy_database(source, &tmp).and_then(|bytes| {
        fs::rename(&tmp, target).map_err(io(target))?;
        sync_parent(target)?;
        Ok(Written {
            databases: 1,
            files: 0,
            bytes,
        })
    });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn copy_database(source: &Path, tmp: &Path) -> Result<u64, BackupError> {
    let db = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite(source))?;
    db.busy_timeout(LOCK_WAIT).map_err(sqlite(source))?;
    let into = tmp
        .to_str()
        .ok_or_else(|| BackupError::Sqlite(tmp.to_path_buf(), "the name is not UTF-8".into()))?;
    db.execute("VACUUM INTO ?1", [into])
        .map_err(sqlite(source))?;
    drop(db);
    let copy =
        Connection::open_with_flags(tmp, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sqlite(tmp))?;
    let verdict: Vec<String> = copy
        .prepare("PRAGMA integrity_check")
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(sqlite(tmp))?;
    drop(copy);
    if verdict != ["ok"] {
        return Err(BackupError::Corrupt(tmp.to_path_buf(), verdict.join("; ")));
    }
    let file = fs::File::open(tmp).map_err(io(tmp))?;
    file.sync_all().map_err(io(tmp))?;
    Ok(file.metadata().map_err(io(tmp))?.len())
}

/// Whether a file is a SQLite database (its first 16 bytes say so).
fn is_database(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == b"SQLite format 3\0")
}

/// Copies a folder (the Matrix store: matrix-sdk's SQLite databases and
/// whatever else it keeps) to `target`, which must not exist: databases
/// through SQLite, other files as they are; the journals of live databases
/// (`-wal`, `-shm`, `-journal`) are not copied, their content is in the copy.
pub fn backup_folder(source: &Path, target: &Path) -> Result<Written, BackupError> {
    if target.exists() {
        return Err(BackupError::Exists(target.to_path_buf()));
    }
    let tmp = partial(target);
    let _ = fs::remove_dir_all(&tmp);
    let mut written = Written::default();
    let result = copy_folder(source, &tmp, &mut written).and_then(|()| {
        fs::rename(&tmp, target).map_err(io(target))?;
        sync_parent(target)
    });
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    Ok(written)
}

fn copy_folder(source: &Path, target: &Path, written: &mut Written) -> Result<(), BackupError> {
    fs::create_dir(target).map_err(io(target))?;
    let mut entries = fs::read_dir(source)
        .map_err(io(source))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(io(source))?;
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let from = entry.path();
        let to = target.join(entry.file_name());
        let kind = entry.file_type().map_err(io(&from))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if kind.is_dir() {
            copy_folder(&from, &to, written)?;
        } else if !kind.is_file()
            || name.ends_with("-wal")
            || name.ends_with("-shm")
            || name.ends_with("-journal")
        {
            continue;
        } else if is_database(&from) {
            written.bytes += copy_database(&from, &to)?;
            written.databases += 1;
        } else {
            written.bytes += fs::copy(&from, &to).map_err(io(&from))?;
            fs::File::open(&to)
                .and_then(|f| f.sync_all())
                .map_err(io(&to))?;
            written.files += 1;
        }
    }
    Ok(())
}

/// Flushes the folder that holds `path`, so that its new name survives a
/// power cut.
fn sync_parent(path: &Path) -> Result<(), BackupError> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    fs::File::open(parent)
        .and_then(|d| d.sync_all())
        .map_err(io(parent))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_live_database_and_a_folder_are_copied_whole_and_never_over_anything() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("live.db");
        let live = Connection::open(&source).unwrap();
        live.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (x TEXT);
             INSERT INTO t VALUES ('« vélo » d''hiver 🚲');",
        )
        .unwrap();
        // An open transaction of the writer is not in the copy.
        live.execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES ('half');")
            .unwrap();
        let target = dir.path().join("copy.db");
        let w = backup_database(&source, &target).unwrap();
        assert_eq!(w.databases, 1);
        assert_eq!(w.bytes, fs::metadata(&target).unwrap().len());
        live.execute_batch("COMMIT").unwrap();
        let copy = Connection::open(&target).unwrap();
        let rows: Vec<String> = copy
            .prepare("SELECT x FROM t")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows, ["« vélo » d'hiver 🚲"]);
        assert!(!partial(&target).exists());

        // Never over an existing file; no source, no file left behind.
        assert!(matches!(
            backup_database(&source, &target),
            Err(BackupError::Exists(_))
        ));
        let nowhere = dir.path().join("none.db");
        let other = dir.path().join("other.db");
        assert!(matches!(
            backup_database(&nowhere, &other),
            Err(BackupError::NoSource(_))
        ));
        assert!(!other.exists() && !partial(&other).exists());

        // A folder: databases through SQLite, journals left, files copied.
        let store = dir.path().join("store");
        fs::create_dir_all(store.join("media")).unwrap();
        let state = Connection::open(store.join("state.sqlite3")).unwrap();
        state
            .execute_batch(
                "PRAGMA journal_mode = WAL; CREATE TABLE kv (k, v); INSERT INTO kv VALUES (1, 2);",
            )
            .unwrap();
        fs::write(store.join("media").join("a.bin"), b"\x00\x01").unwrap();
        let copied = dir.path().join("store-copy");
        let w = backup_folder(&store, &copied).unwrap();
        assert_eq!((w.databases, w.files), (1, 1));
        assert!(copied.join("state.sqlite3").is_file());
        assert!(!copied.join("state.sqlite3-wal").exists());
        assert_eq!(
            fs::read(copied.join("media").join("a.bin")).unwrap(),
            b"\x00\x01"
        );
        assert!(matches!(
            backup_folder(&store, &copied),
            Err(BackupError::Exists(_))
        ));
        drop(state);
    }
}
