//! Configuration: flags > environment > config file > defaults (INTERFACE.md).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// What the config file may hold (`kohero.toml`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
}

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file path, or `sqlite::memory:`.
    Sqlite(String),
    Postgres(String),
}

impl Database {
    pub fn parse(s: &str) -> anyhow::Result<Self> {
        let s = s.trim();
        if s.is_empty() {
            bail!("the database location is empty");
        }
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return Ok(Self::Postgres(s.to_owned()));
        }
        if s == "sqlite::memory:" {
            return Ok(Self::Sqlite(s.to_owned()));
        }
        if let Some(path) = s
            .strip_prefix("sqlite://")
            .or_else(|| s.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                bail!("the SQLite URL {s:?} names no file");
            }
            return Ok(Self::Sqlite(path.to_owned()));
        }
        if let Some((scheme, _)) = s.split_once("://") {
            bail!(
                "unsupported database URL scheme {scheme:?}: use a file path, sqlite://PATH or postgres://..."
            );
        }
        Ok(Self::Sqlite(s.to_owned()))
    }
}

/// Reads the config file: the one named, or `./kohero.toml` if present.
pub fn load_file(named: Option<&Path>) -> anyhow::Result<FileConfig> {
    let (path, required) = match named {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from("kohero.toml"), false),
    };
    if !required && !path.exists() {
        return Ok(FileConfig::default());
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("invalid config file {}", path.display()))
}

/// The database: flag or `KOHERO_DATABASE_URL` (clap merges both), else the file, else `./kohero.db`.
pub fn database(flag_or_env: Option<&str>, file: &FileConfig) -> anyhow::Result<Database> {
    let raw = flag_or_env
        .map(str::to_owned)
        .or_else(|| file.database_url.clone())
        .unwrap_or_else(|| "kohero.db".to_owned());
    Database::parse(&raw)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn database_locations() {
        assert_eq!(
            Database::parse("k.db").unwrap(),
            Database::Sqlite("k.db".into())
        );
        assert_eq!(
            Database::parse("sqlite:///tmp/k.db").unwrap(),
            Database::Sqlite("/tmp/k.db".into())
        );
        assert_eq!(
            Database::parse("sqlite://k.db").unwrap(),
            Database::Sqlite("k.db".into())
        );
        assert!(matches!(
            Database::parse("postgres://u@h/db").unwrap(),
            Database::Postgres(_)
        ));
        assert!(Database::parse("mysql://x").is_err());
        assert!(Database::parse("").is_err());
    }

    #[test]
    fn precedence() {
        let file = FileConfig {
            database_url: Some("file.db".into()),
        };
        assert_eq!(
            database(Some("flag.db"), &file).unwrap(),
            Database::Sqlite("flag.db".into())
        );
        assert_eq!(
            database(None, &file).unwrap(),
            Database::Sqlite("file.db".into())
        );
        assert_eq!(
            database(None, &FileConfig::default()).unwrap(),
            Database::Sqlite("kohero.db".into())
        );
    }
}
