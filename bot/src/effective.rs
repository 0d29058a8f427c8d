//! `kohero config`: every setting, its effective value and where it came from
//! (flag, environment, file, default), secrets hidden; then whether `serve`
//! would start, in the words `serve --check` uses.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use kohero_core::limiter::{Limits, Rate};

use crate::config::{Database, ServeConfig};

/// One setting: its variable, its key in the config file, whether it is a
/// secret, and what applies when nothing sets it.
struct Setting {
    env: &'static str,
    file: Option<&'static str>,
    secret: bool,
    default: fn(&Database) -> String,
}

fn none(_: &Database) -> String {
    "none".into()
}

/// A rate as `KOHERO_*_RATE_*` variables write it.
pub fn rate_text(r: Option<Rate>) -> String {
    match r {
        None => "off".into(),
        Some(r) => {
            let secs = r.per.as_secs_f64();
            let (n, unit) = if (secs - 60.0).abs() < 1e-9 {
                (f64::from(r.count), "min")
            } else if (secs - 3600.0).abs() < 1e-9 {
                (f64::from(r.count), "h")
            } else {
                (f64::from(r.count) / secs, "s")
            };
            let n = if n.fract() == 0.0 {
                format!("{n:.0}")
            } else {
                format!("{n}")
            };
            format!("{n}/{unit}:{}", r.burst)
        }
    }
}

const SETTINGS: &[Setting] = &[
    Setting {
        env: "KOHERO_HTTP_ADDR",
        file: Some("http_addr"),
        secret: false,
        default: |_| "none (no /healthz, /readyz, /metrics, webhook)".into(),
    },
    Setting {
        env: "KOHERO_PUBLIC_ADDR",
        file: Some("public_addr"),
        secret: false,
        default: |_| "none (no public pages)".into(),
    },
    Setting {
        env: "KOHERO_PUBLIC_URL",
        file: Some("public_url"),
        secret: false,
        default: |_| "none (cards carry no page link)".into(),
    },
    Setting {
        env: "KOHERO_TRUSTED_PROXIES",
        file: None,
        secret: false,
        default: |_| "none (X-Forwarded-For is ignored)".into(),
    },
    Setting {
        env: "KOHERO_MAP_TILES",
        file: None,
        secret: false,
        default: |_| "none (pages link to OpenStreetMap)".into(),
    },
    Setting {
        env: "KOHERO_PUBLIC_RATE",
        file: None,
        secret: false,
        default: |_| rate_text(Some(crate::web::PublicOptions::DEFAULT_RATE)),
    },
    Setting {
        env: "KOHERO_PUBLIC_CACHE_SECONDS",
        file: None,
        secret: false,
        default: |_| {
            crate::web::PublicOptions::DEFAULT_CACHE
                .as_secs()
                .to_string()
        },
    },
    Setting {
        env: "KOHERO_RETENTION_DAYS",
        file: Some("retention_days"),
        secret: false,
        default: |_| "7".into(),
    },
    Setting {
        env: "KOHERO_RATE_PERSON",
        file: Some("rate_person"),
        secret: false,
        default: |_| rate_text(kohero_core::fair_use::FairUse::default().per_person),
    },
    Setting {
        env: "KOHERO_MAX_OPEN_IDEAS",
        file: Some("max_open_ideas"),
        secret: false,
        default: |_| {
            kohero_core::fair_use::FairUse::default()
                .open_ideas
                .to_string()
        },
    },
    Setting {
        env: "KOHERO_MAX_SUBSCRIPTIONS",
        file: Some("max_subscriptions"),
        secret: false,
        default: |_| {
            kohero_core::fair_use::FairUse::default()
                .subscriptions
                .to_string()
        },
    },
    Setting {
        env: "KOHERO_MAX_ALERT_ITEMS",
        file: Some("max_alert_items"),
        secret: false,
        default: |_| {
            kohero_core::fair_use::FairUse::default()
                .alert_items
                .to_string()
        },
    },
    Setting {
        env: "KOHERO_AUTO_HIDE_REPORTS",
        file: Some("auto_hide_reports"),
        secret: false,
        default: |_| {
            kohero_core::domain::ModerationPolicy::default()
                .auto_hide_reports
                .to_string()
        },
    },
    Setting {
        env: "KOHERO_MUNICIPALITIES_MODERATE",
        file: Some("municipalities_moderate"),
        secret: false,
        default: |_| {
            kohero_core::domain::ModerationPolicy::default()
                .municipalities_moderate
                .to_string()
        },
    },
    Setting {
        env: "KOHERO_TELEGRAM_TOKEN",
        file: Some("telegram.token"),
        secret: true,
        default: |_| "none (no Telegram)".into(),
    },
    Setting {
        env: "KOHERO_TELEGRAM_API_URL",
        file: Some("telegram.api_url"),
        secret: false,
        default: |_| "https://api.telegram.org".into(),
    },
    Setting {
        env: "KOHERO_TELEGRAM_WEBHOOK_URL",
        file: Some("telegram.webhook_url"),
        secret: false,
        default: |_| "none (long polling)".into(),
    },
    Setting {
        env: "KOHERO_TELEGRAM_WEBHOOK_SECRET",
        file: Some("telegram.webhook_secret"),
        secret: true,
        default: none,
    },
    Setting {
        env: "KOHERO_TELEGRAM_RATE_CHAT",
        file: None,
        secret: false,
        default: |_| rate_text(Limits::telegram().per_chat),
    },
    Setting {
        env: "KOHERO_TELEGRAM_RATE_GROUP",
        file: None,
        secret: false,
        default: |_| rate_text(Limits::telegram().per_group),
    },
    Setting {
        env: "KOHERO_TELEGRAM_RATE_GLOBAL",
        file: None,
        secret: false,
        default: |_| rate_text(Limits::telegram().global),
    },
    Setting {
        env: "KOHERO_MATRIX_HOMESERVER",
        file: Some("matrix.homeserver"),
        secret: false,
        default: |_| "none (no Matrix)".into(),
    },
    Setting {
        env: "KOHERO_MATRIX_USER",
        file: Some("matrix.user"),
        secret: false,
        default: none,
    },
    Setting {
        env: "KOHERO_MATRIX_PASSWORD",
        file: Some("matrix.password"),
        secret: true,
        default: none,
    },
    Setting {
        env: "KOHERO_MATRIX_ACCESS_TOKEN",
        file: Some("matrix.access_token"),
        secret: true,
        default: none,
    },
    Setting {
        env: "KOHERO_MATRIX_STORE",
        file: Some("matrix.store"),
        secret: false,
        default: |db| crate::config::matrix_store_beside(db).display().to_string(),
    },
    Setting {
        env: "KOHERO_MATRIX_STORE_PASSPHRASE",
        file: Some("matrix.store_passphrase"),
        secret: true,
        default: |_| "none (the Matrix store is not encrypted at rest)".into(),
    },
    Setting {
        env: "KOHERO_MATRIX_RATE_CHAT",
        file: None,
        secret: false,
        default: |_| rate_text(Limits::synapse_default().per_chat),
    },
    Setting {
        env: "KOHERO_MATRIX_RATE_GROUP",
        file: None,
        secret: false,
        default: |_| rate_text(Limits::synapse_default().per_group),
    },
    Setting {
        env: "KOHERO_MATRIX_RATE_GLOBAL",
        file: None,
        secret: false,
        default: |_| rate_text(Limits::synapse_default().global),
    },
    Setting {
        env: "KOHERO_LOG",
        file: None,
        secret: false,
        default: |_| "warn".into(),
    },
    Setting {
        env: "KOHERO_LOG_FORMAT",
        file: None,
        secret: false,
        default: |_| "text".into(),
    },
];

/// A database location with any password in it hidden.
pub fn shown_database(db: &Database) -> String {
    match db {
        Database::Sqlite(p) => p.clone(),
        Database::Postgres(url) => match url.split_once("://") {
            Some((scheme, rest)) => match rest.rsplit_once('@') {
                Some((who, host)) => {
                    let user = who.split(':').next().unwrap_or_default();
                    if who.contains(':') {
                        format!("{scheme}://{user}:(hidden)@{host}")
                    } else {
                        format!("{scheme}://{who}@{host}")
                    }
                }
                None => url.clone(),
            },
            None => url.clone(),
        },
    }
}

/// A key of the config file (`telegram.token`), as TOML text if present.
fn file_value(table: Option<&toml::Table>, key: &str) -> Option<String> {
    let mut v: Option<&toml::Value> = None;
    for part in key.split('.') {
        v = match v {
            None => table?.get(part),
            Some(toml::Value::Table(t)) => t.get(part),
            Some(_) => None,
        };
    }
    v.map(|v| match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// Where the config file and the database came from.
pub struct Sources<'a> {
    /// `--config` given on the command line.
    pub config_flag: Option<&'a Path>,
    /// `--db` given on the command line.
    pub db_flag: Option<&'a str>,
}

/// The text `kohero config` prints, and whether `serve` would start.
pub fn describe(
    sources: &Sources<'_>,
    env: &dyn Fn(&str) -> Option<String>,
) -> (String, anyhow::Result<()>) {
    let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let mut out = String::new();
    // The file: --config, else KOHERO_CONFIG, else ./kohero.toml if present.
    let (file_path, file_from): (Option<PathBuf>, &str) =
        match (sources.config_flag, var("KOHERO_CONFIG")) {
            (Some(p), _) => (Some(p.to_path_buf()), "flag --config"),
            (None, Some(p)) => (Some(PathBuf::from(p)), "environment KOHERO_CONFIG"),
            (None, None) if Path::new("kohero.toml").exists() => {
                (Some(PathBuf::from("kohero.toml")), "default ./kohero.toml")
            }
            (None, None) => (None, "default: ./kohero.toml is absent"),
        };
    let loaded = crate::config::load_file(file_path.as_deref());
    let table: Option<toml::Table> = file_path
        .as_deref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| t.parse::<toml::Table>().ok());
    let _ = writeln!(
        out,
        "Configuration file: {} ({file_from})",
        file_path
            .as_deref()
            .map_or("none".to_owned(), |p| p.display().to_string())
    );
    let file = match loaded {
        Ok(f) => f,
        Err(e) => return (out, Err(e)),
    };
    let (db_text, db_from) = match (sources.db_flag, var("KOHERO_DATABASE_URL")) {
        (Some(d), Some(e)) if d == e => (d.to_owned(), "environment KOHERO_DATABASE_URL"),
        (Some(d), _) => (d.to_owned(), "flag --db"),
        (None, _) => match &file.database_url {
            Some(d) => (d.clone(), "file: database_url"),
            None => ("kohero.db".to_owned(), "default"),
        },
    };
    let db = match Database::parse(&db_text) {
        Ok(db) => db,
        Err(e) => return (out, Err(e)),
    };
    let _ = writeln!(out, "Database: {} ({db_from})", shown_database(&db));
    let _ = writeln!(out);
    let _ = writeln!(out, "| setting | value | from |");
    let _ = writeln!(out, "|---|---|---|");
    for s in SETTINGS {
        let (value, from) = match (
            var(s.env),
            s.file.and_then(|k| file_value(table.as_ref(), k)),
        ) {
            (Some(v), _) => (Some(v), "environment".to_owned()),
            (None, Some(v)) => (Some(v), format!("file: {}", s.file.unwrap_or_default())),
            (None, None) => (None, "default".to_owned()),
        };
        let shown = match value {
            Some(_) if s.secret => "(set, hidden)".to_owned(),
            Some(v) => v.replace('|', "\\|"),
            None => (s.default)(&db),
        };
        let _ = writeln!(out, "| {} | {shown} | {from} |", s.env);
    }
    let _ = writeln!(out);
    let verdict = ServeConfig::load(&file, env).and_then(|cfg| {
        crate::config::check_networks(&cfg)?;
        let mut serves = Vec::new();
        if let Some(t) = &cfg.telegram {
            serves.push(match &t.webhook {
                Some((url, _)) => format!("Telegram (webhook {url})"),
                None => "Telegram (long polling)".to_owned(),
            });
        }
        if let Some(m) = &cfg.matrix {
            serves.push(format!("Matrix as {} on {}", m.user, m.homeserver));
        }
        if let Some(a) = cfg.http_addr {
            serves.push(format!("HTTP endpoints on {a}"));
        }
        if let Some(p) = &cfg.public {
            serves.push(format!("public pages on {}", p.addr));
        }
        let _ = writeln!(out, "kohero serve would serve: {}.", serves.join(", "));
        Ok(())
    });
    (out, verdict)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn rates_read_as_they_are_written() {
        for r in ["1/s:30", "20/min:1", "29/s:1", "0.2/s:10", "10/h:5"] {
            assert_eq!(rate_text(Rate::parse(r)), r);
        }
        assert_eq!(rate_text(None), "off");
    }

    #[test]
    fn passwords_in_database_urls_are_hidden() {
        assert_eq!(
            shown_database(&Database::Postgres("postgres://k:s3cr@t@db:5432/k".into())),
            "postgres://k:(hidden)@db:5432/k"
        );
        assert_eq!(
            shown_database(&Database::Postgres("postgres://k@db/k".into())),
            "postgres://k@db/k"
        );
    }

    #[test]
    fn each_value_says_where_it_came_from_and_secrets_never_show() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("k.toml");
        std::fs::write(
            &file,
            "retention_days = 14\n[telegram]\ntoken = \"123:file-secret\"\n",
        )
        .unwrap();
        let env = |k: &str| match k {
            "KOHERO_HTTP_ADDR" => Some("127.0.0.1:8080".to_owned()),
            "KOHERO_MATRIX_PASSWORD" => Some("env-secret".to_owned()),
            _ => None,
        };
        let (text, verdict) = describe(
            &Sources {
                config_flag: Some(&file),
                db_flag: Some("postgres://k:pw@db/k"),
            },
            &env,
        );
        assert!(text.contains("(flag --config)"), "{text}");
        assert!(
            text.contains("Database: postgres://k:(hidden)@db/k (flag --db)"),
            "{text}"
        );
        assert!(
            text.contains("| KOHERO_HTTP_ADDR | 127.0.0.1:8080 | environment |"),
            "{text}"
        );
        assert!(
            text.contains("| KOHERO_RETENTION_DAYS | 14 | file: retention_days |"),
            "{text}"
        );
        assert!(
            text.contains("| KOHERO_TELEGRAM_TOKEN | (set, hidden) | file: telegram.token |"),
            "{text}"
        );
        assert!(
            text.contains("| KOHERO_PUBLIC_RATE | 20/s:100 | default |"),
            "{text}"
        );
        assert!(
            text.contains("| KOHERO_TELEGRAM_RATE_GLOBAL | 29/s:1 | default |"),
            "{text}"
        );
        for secret in ["file-secret", "env-secret", "pw@"] {
            assert!(!text.contains(secret), "{secret} shown: {text}");
        }
        // A password without a homeserver: the words `serve --check` says.
        let e = verdict.unwrap_err();
        assert!(
            format!("{e:#}").contains("KOHERO_MATRIX_HOMESERVER"),
            "{e:#}"
        );
    }
}
