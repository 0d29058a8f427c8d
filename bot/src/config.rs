//! Configuration: flags > environment > config file > defaults (INTERFACE.md).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// What the config file may hold (`kohero.toml`). Environment variables override it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
    pub http_addr: Option<String>,
    /// The public listener (pages and open data).
    pub public_addr: Option<String>,
    /// The address people reach the public pages at.
    pub public_url: Option<String>,
    /// Days sent messages and seen update ids are kept (default 7).
    pub retention_days: Option<u32>,
    /// Messages one person may send (fair use), e.g. `1/s:30` (the default)
    /// or `off`.
    pub rate_person: Option<String>,
    /// Fair use: open ideas a person may hold (default 20).
    pub max_open_ideas: Option<usize>,
    /// Fair use: subscriptions a person may hold (default 20).
    pub max_subscriptions: Option<usize>,
    /// Fair use: initiatives shown in one alert batch (default 20).
    pub max_alert_items: Option<usize>,
    /// Moderation: distinct reports that hide an item pending review
    /// (default 3; 0: never).
    pub auto_hide_reports: Option<usize>,
    /// Moderation: verified municipalities moderate their communes (default false).
    pub municipalities_moderate: Option<bool>,
    #[serde(default)]
    pub telegram: TelegramFile,
    #[serde(default)]
    pub matrix: MatrixFile,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelegramFile {
    pub token: Option<SecretString>,
    pub api_url: Option<String>,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<SecretString>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixFile {
    pub homeserver: Option<String>,
    pub user: Option<String>,
    pub password: Option<SecretString>,
    pub access_token: Option<SecretString>,
    pub store: Option<String>,
    pub store_passphrase: Option<SecretString>,
}

/// The networks and listeners `serve` would run, from environment and file.
#[derive(Debug)]
pub struct ServeConfig {
    pub http_addr: Option<std::net::SocketAddr>,
    /// The public listener, `KOHERO_PUBLIC_ADDR` and what goes with it.
    pub public: Option<crate::web::PublicOptions>,
    pub retention: std::time::Duration,
    /// Fair use (`KOHERO_RATE_PERSON`, default 1/s:30).
    pub fair_use: kohero_core::fair_use::FairUse,
    /// Moderation (`KOHERO_AUTO_HIDE_REPORTS`, `KOHERO_MUNICIPALITIES_MODERATE`).
    pub moderation: kohero_core::domain::ModerationPolicy,
    pub telegram: Option<TelegramConfig>,
    pub matrix: Option<MatrixConfig>,
}

#[derive(Debug)]
pub struct TelegramConfig {
    pub token: SecretString,
    pub api_url: String,
    /// Telegram's published limits unless `KOHERO_TELEGRAM_RATE_*` say otherwise
    /// (bots granted more, or tests).
    pub limits: kohero_core::limiter::Limits,
    /// Webhook mode: the public URL Telegram posts to, and the secret it sends.
    pub webhook: Option<(String, SecretString)>,
}

/// A rate from a variable (`30/s`, `20/min:10`), the default when unset.
fn rate(
    env: &dyn Fn(&str) -> Option<String>,
    name: &str,
    default: Option<kohero_core::limiter::Rate>,
) -> anyhow::Result<Option<kohero_core::limiter::Rate>> {
    match var(env, name) {
        None => Ok(default),
        Some(v) if v == "off" => Ok(None),
        Some(v) => kohero_core::limiter::Rate::parse(&v)
            .map(Some)
            .with_context(|| {
                format!("{name} {v:?} is not a rate: write e.g. 30/s, 20/min:10 or off")
            }),
    }
}

/// A count of fair use: environment, else file, else the default; at least 1.
fn at_most(
    env: &dyn Fn(&str) -> Option<String>,
    name: &str,
    file: Option<usize>,
    default: usize,
) -> anyhow::Result<usize> {
    let n = match var(env, name) {
        Some(v) => v
            .trim()
            .parse::<usize>()
            .ok()
            .with_context(|| format!("{name} {v:?} is not a number"))?,
        None => file.unwrap_or(default),
    };
    if n == 0 {
        bail!("{name} must be at least 1");
    }
    Ok(n)
}

/// How moderation runs, from `KOHERO_AUTO_HIDE_REPORTS` (0: never) and
/// `KOHERO_MUNICIPALITIES_MODERATE` (true or false).
fn moderation(
    env: &dyn Fn(&str) -> Option<String>,
    file: &FileConfig,
) -> anyhow::Result<kohero_core::domain::ModerationPolicy> {
    let default = kohero_core::domain::ModerationPolicy::default();
    let auto_hide_reports = match var(env, "KOHERO_AUTO_HIDE_REPORTS") {
        Some(v) => v.trim().parse::<usize>().ok().with_context(|| {
            format!("KOHERO_AUTO_HIDE_REPORTS {v:?} is not a number (0: never hide on reports)")
        })?,
        None => file.auto_hide_reports.unwrap_or(default.auto_hide_reports),
    };
    let municipalities_moderate = match var(env, "KOHERO_MUNICIPALITIES_MODERATE") {
        Some(v) => match v.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => true,
            "false" | "0" | "no" | "off" => false,
            _ => bail!("KOHERO_MUNICIPALITIES_MODERATE {v:?} is not true or false"),
        },
        None => file
            .municipalities_moderate
            .unwrap_or(default.municipalities_moderate),
    };
    Ok(kohero_core::domain::ModerationPolicy {
        auto_hide_reports,
        municipalities_moderate,
    })
}

/// A network's limits from `PREFIX_CHAT`, `PREFIX_GROUP` and `PREFIX_GLOBAL`,
/// each defaulting to the network's own.
fn limits(
    env: &dyn Fn(&str) -> Option<String>,
    prefix: &str,
    d: kohero_core::limiter::Limits,
) -> anyhow::Result<kohero_core::limiter::Limits> {
    Ok(kohero_core::limiter::Limits {
        per_chat: rate(env, &format!("{prefix}_CHAT"), d.per_chat)?,
        per_group: rate(env, &format!("{prefix}_GROUP"), d.per_group)?,
        global: rate(env, &format!("{prefix}_GLOBAL"), d.global)?,
    })
}

#[derive(Debug)]
pub struct MatrixConfig {
    pub homeserver: String,
    pub user: String,
    pub password: Option<SecretString>,
    pub access_token: Option<SecretString>,
    /// Where matrix-sdk keeps its state and crypto store (`None`: beside the database).
    pub store: Option<PathBuf>,
    pub store_passphrase: Option<SecretString>,
    /// Synapse's default for a normal user unless `KOHERO_MATRIX_RATE_*` say
    /// otherwise; lifted when the bot can lift its own limit (server admin).
    pub limits: kohero_core::limiter::Limits,
}

/// Reads a variable through `env` (so tests give their own), empty meaning unset.
fn var(env: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    env(name).filter(|v| !v.trim().is_empty())
}

impl ServeConfig {
    /// Builds and validates the serving configuration: environment over file.
    pub fn load(file: &FileConfig, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let http_addr = match var(env, "KOHERO_HTTP_ADDR").or_else(|| file.http_addr.clone()) {
            Some(a) => Some(a.parse().with_context(|| {
                format!(
                    "KOHERO_HTTP_ADDR {a:?} is not an address: write HOST:PORT, e.g. 127.0.0.1:8080"
                )
            })?),
            None => None,
        };
        let retention_days = match var(env, "KOHERO_RETENTION_DAYS") {
            Some(d) => d
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|d| *d > 0)
                .with_context(|| format!("KOHERO_RETENTION_DAYS {d:?} is not a number of days"))?,
            None => file.retention_days.unwrap_or(7),
        };
        let retention = std::time::Duration::from_secs(u64::from(retention_days) * 86_400);
        let default = kohero_core::fair_use::FairUse::default();
        let per_person = match var(env, "KOHERO_RATE_PERSON").or_else(|| file.rate_person.clone()) {
            None => default.per_person,
            Some(v) if v.trim() == "off" => None,
            Some(v) => Some(kohero_core::limiter::Rate::parse(&v).with_context(|| {
                format!("KOHERO_RATE_PERSON {v:?} is not a rate: write e.g. 1/s:30 or off")
            })?),
        };
        let fair_use = kohero_core::fair_use::FairUse {
            per_person,
            open_ideas: at_most(
                env,
                "KOHERO_MAX_OPEN_IDEAS",
                file.max_open_ideas,
                default.open_ideas,
            )?,
            subscriptions: at_most(
                env,
                "KOHERO_MAX_SUBSCRIPTIONS",
                file.max_subscriptions,
                default.subscriptions,
            )?,
            alert_items: at_most(
                env,
                "KOHERO_MAX_ALERT_ITEMS",
                file.max_alert_items,
                default.alert_items,
            )?,
        };
        let moderation = moderation(env, file)?;
        let token = var(env, "KOHERO_TELEGRAM_TOKEN")
            .map(SecretString::from)
            .or_else(|| file.telegram.token.clone());
        let telegram = match token {
            Some(token) => {
                let api_url = var(env, "KOHERO_TELEGRAM_API_URL")
                    .or_else(|| file.telegram.api_url.clone())
                    .unwrap_or_else(|| "https://api.telegram.org".to_owned());
                if !(api_url.starts_with("http://") || api_url.starts_with("https://")) {
                    bail!(
                        "KOHERO_TELEGRAM_API_URL {api_url:?} must start with http:// or https://"
                    );
                }
                let t = token.expose_secret();
                let well_formed = t.split_once(':').is_some_and(|(id, rest)| {
                    !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()) && !rest.is_empty()
                });
                if !well_formed {
                    bail!(
                        "KOHERO_TELEGRAM_TOKEN is not a bot token (expected DIGITS:SECRET from @BotFather)"
                    );
                }
                let limits = limits(
                    env,
                    "KOHERO_TELEGRAM_RATE",
                    kohero_core::limiter::Limits::telegram(),
                )?;
                let webhook = match (
                    var(env, "KOHERO_TELEGRAM_WEBHOOK_URL")
                        .or_else(|| file.telegram.webhook_url.clone()),
                    var(env, "KOHERO_TELEGRAM_WEBHOOK_SECRET")
                        .map(SecretString::from)
                        .or_else(|| file.telegram.webhook_secret.clone()),
                ) {
                    (None, None) => None,
                    (Some(url), Some(secret)) => {
                        if !url.starts_with("https://") && !url.starts_with("http://") {
                            bail!("KOHERO_TELEGRAM_WEBHOOK_URL {url:?} must be an http(s) URL");
                        }
                        let sec = secret.expose_secret();
                        let ok = (1..=256).contains(&sec.len())
                            && sec
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                        if !ok {
                            bail!(
                                "KOHERO_TELEGRAM_WEBHOOK_SECRET must be 1 to 256 characters among A-Z, a-z, 0-9, _ and -"
                            );
                        }
                        if http_addr.is_none() {
                            bail!(
                                "webhook mode needs KOHERO_HTTP_ADDR, where Telegram's requests arrive"
                            );
                        }
                        Some((url, secret))
                    }
                    _ => bail!(
                        "webhook mode needs both KOHERO_TELEGRAM_WEBHOOK_URL and KOHERO_TELEGRAM_WEBHOOK_SECRET"
                    ),
                };
                Some(TelegramConfig {
                    token,
                    api_url,
                    limits,
                    webhook,
                })
            }
            None => None,
        };
        let homeserver =
            var(env, "KOHERO_MATRIX_HOMESERVER").or_else(|| file.matrix.homeserver.clone());
        let user = var(env, "KOHERO_MATRIX_USER").or_else(|| file.matrix.user.clone());
        let password = var(env, "KOHERO_MATRIX_PASSWORD")
            .map(SecretString::from)
            .or_else(|| file.matrix.password.clone());
        let access_token = var(env, "KOHERO_MATRIX_ACCESS_TOKEN")
            .map(SecretString::from)
            .or_else(|| file.matrix.access_token.clone());
        let matrix = match (homeserver, user) {
            (None, None) if password.is_none() && access_token.is_none() => None,
            (Some(homeserver), Some(user)) => {
                if !(homeserver.starts_with("http://") || homeserver.starts_with("https://")) {
                    bail!(
                        "KOHERO_MATRIX_HOMESERVER {homeserver:?} must start with http:// or https://"
                    );
                }
                if !(user.starts_with('@') && user.contains(':')) {
                    bail!(
                        "KOHERO_MATRIX_USER {user:?} must be a full Matrix ID, e.g. @kohero:example.org"
                    );
                }
                let limits = limits(
                    env,
                    "KOHERO_MATRIX_RATE",
                    kohero_core::limiter::Limits::synapse_default(),
                )?;
                Some(MatrixConfig {
                    homeserver,
                    user,
                    password,
                    access_token,
                    store: matrix_store_setting(file, env),
                    store_passphrase: matrix_passphrase(file, env),
                    limits,
                })
            }
            _ => bail!(
                "Matrix needs KOHERO_MATRIX_HOMESERVER and KOHERO_MATRIX_USER (and a password or access token the first time)"
            ),
        };
        let public = public(env, file)?;
        Ok(Self {
            http_addr,
            public,
            retention,
            fair_use,
            moderation,
            telegram,
            matrix,
        })
    }

    pub fn has_network(&self) -> bool {
        self.telegram.is_some() || self.matrix.is_some()
    }
}

/// Checks that something can be served.
pub fn check_networks(cfg: &ServeConfig) -> anyhow::Result<()> {
    if !cfg.has_network() {
        bail!(
            "nothing to serve: no network is configured. Set KOHERO_TELEGRAM_TOKEN, or \
             KOHERO_MATRIX_HOMESERVER and KOHERO_MATRIX_USER (see INTERFACE.md); \
             `kohero console` chats in the terminal"
        );
    }
    Ok(())
}

/// The public listener: `KOHERO_PUBLIC_ADDR`, `KOHERO_PUBLIC_URL`,
/// `KOHERO_TRUSTED_PROXIES`, `KOHERO_MAP_TILES`, `KOHERO_PUBLIC_RATE`,
/// `KOHERO_PUBLIC_CACHE_SECONDS`. `None` without an address.
fn public(
    env: &dyn Fn(&str) -> Option<String>,
    file: &FileConfig,
) -> anyhow::Result<Option<crate::web::PublicOptions>> {
    use crate::web::{IpNet, PublicOptions};
    let Some(addr) = var(env, "KOHERO_PUBLIC_ADDR").or_else(|| file.public_addr.clone()) else {
        return Ok(None);
    };
    let addr = addr.parse().with_context(|| {
        format!("KOHERO_PUBLIC_ADDR {addr:?} is not an address: write HOST:PORT, e.g. 0.0.0.0:8081")
    })?;
    let url = match var(env, "KOHERO_PUBLIC_URL").or_else(|| file.public_url.clone()) {
        None => None,
        Some(u) => {
            let u = u.trim().trim_end_matches('/').to_owned();
            let host = u
                .strip_prefix("https://")
                .or_else(|| u.strip_prefix("http://"));
            if host.is_none_or(|h| h.is_empty() || h.contains(['"', '<', '>', ' ', '?', '#'])) {
                bail!(
                    "KOHERO_PUBLIC_URL {u:?} must be the http(s) address of the pages, e.g. https://kohero.example.org"
                );
            }
            Some(u)
        }
    };
    let mut trusted_proxies = Vec::new();
    for p in var(env, "KOHERO_TRUSTED_PROXIES")
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        trusted_proxies.push(IpNet::parse(p).with_context(|| {
            format!("KOHERO_TRUSTED_PROXIES: {p:?} is not an address or a network (e.g. 127.0.0.1, 10.0.0.0/8, ::1)")
        })?);
    }
    let map_tiles = match var(env, "KOHERO_MAP_TILES") {
        None => None,
        Some(t) => {
            let ok = t.starts_with("https://")
                && ["{z}", "{x}", "{y}"].iter().all(|p| t.contains(p))
                && !t.contains(['"', '<', '>', ' ']);
            if !ok {
                bail!(
                    "KOHERO_MAP_TILES {t:?} must be an https tile address with {{z}}, {{x}} and {{y}}, e.g. https://tile.example.org/{{z}}/{{x}}/{{y}}.png"
                );
            }
            Some(t)
        }
    };
    let rate = match var(env, "KOHERO_PUBLIC_RATE") {
        None => PublicOptions::DEFAULT_RATE,
        Some(v) => kohero_core::limiter::Rate::parse(&v).with_context(|| {
            format!("KOHERO_PUBLIC_RATE {v:?} is not a rate: write e.g. 20/s:100")
        })?,
    };
    let cache = match var(env, "KOHERO_PUBLIC_CACHE_SECONDS") {
        None => PublicOptions::DEFAULT_CACHE,
        Some(v) => std::time::Duration::from_secs(
            v.trim()
                .parse::<u64>()
                .ok()
                .filter(|s| *s <= 3600)
                .with_context(|| {
                    format!(
                        "KOHERO_PUBLIC_CACHE_SECONDS {v:?} is not a number of seconds (0 to 3600)"
                    )
                })?,
        ),
    };
    Ok(Some(PublicOptions {
        addr,
        url,
        trusted_proxies,
        map_tiles,
        rate,
        cache,
        telegram_bot: None,
        matrix_bot: None,
    }))
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

/// `KOHERO_MATRIX_STORE`, else the file's `matrix.store`.
fn matrix_store_setting(
    file: &FileConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<PathBuf> {
    var(env, "KOHERO_MATRIX_STORE")
        .or_else(|| file.matrix.store.clone())
        .map(PathBuf::from)
}

/// `KOHERO_MATRIX_STORE_PASSPHRASE`, else the file's `matrix.store_passphrase`.
fn matrix_passphrase(
    file: &FileConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<SecretString> {
    var(env, "KOHERO_MATRIX_STORE_PASSPHRASE")
        .map(SecretString::from)
        .or_else(|| file.matrix.store_passphrase.clone())
}

/// Where this installation's Matrix store is (its setting, else beside the
/// database), and whether a passphrase encrypts it; whether Matrix is
/// configured or not (`kohero backup`).
pub fn matrix_store(
    db: &Database,
    file: &FileConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> (PathBuf, bool) {
    (
        matrix_store_setting(file, env).unwrap_or_else(|| matrix_store_beside(db)),
        matrix_passphrase(file, env).is_some(),
    )
}

/// matrix-sdk's store when `KOHERO_MATRIX_STORE` is unset: beside the SQLite
/// database (`kohero.db` → `kohero.db.matrix/`), else `./kohero-matrix/`.
pub fn matrix_store_beside(db: &Database) -> PathBuf {
    match db {
        Database::Sqlite(p) if p != "sqlite::memory:" => PathBuf::from(format!("{p}.matrix")),
        _ => PathBuf::from("kohero-matrix"),
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

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn serving_configuration() {
        let file = FileConfig::default();
        let none = ServeConfig::load(&file, &env(&[])).unwrap();
        assert!(!none.has_network());
        let tg = ServeConfig::load(
            &file,
            &env(&[
                ("KOHERO_TELEGRAM_TOKEN", "123:abc"),
                ("KOHERO_HTTP_ADDR", "127.0.0.1:8080"),
            ]),
        )
        .unwrap();
        assert!(tg.has_network());
        assert_eq!(
            tg.telegram.as_ref().unwrap().api_url,
            "https://api.telegram.org"
        );
        // Secrets never show in Debug output.
        let shown = format!("{tg:?}");
        assert!(!shown.contains("123:abc"), "{shown}");
        assert!(ServeConfig::load(&file, &env(&[("KOHERO_TELEGRAM_TOKEN", "nope")])).is_err());
        assert!(ServeConfig::load(&file, &env(&[("KOHERO_HTTP_ADDR", "localhost")])).is_err());
        assert_eq!(none.retention.as_secs(), 7 * 86_400);
        assert_eq!(
            ServeConfig::load(&file, &env(&[])).unwrap().fair_use,
            kohero_core::fair_use::FairUse::default()
        );
        let off = ServeConfig::load(&file, &env(&[("KOHERO_RATE_PERSON", "off")])).unwrap();
        assert_eq!(off.fair_use.per_person, None);
        let two = ServeConfig::load(&file, &env(&[("KOHERO_RATE_PERSON", "2/s:5")])).unwrap();
        assert_eq!(
            two.fair_use.per_person,
            Some(kohero_core::limiter::Rate::per_second(2, 5))
        );
        assert!(ServeConfig::load(&file, &env(&[("KOHERO_RATE_PERSON", "vite")])).is_err());
        let m = ServeConfig::load(
            &file,
            &env(&[
                ("KOHERO_AUTO_HIDE_REPORTS", "0"),
                ("KOHERO_MUNICIPALITIES_MODERATE", "yes"),
            ]),
        )
        .unwrap()
        .moderation;
        assert_eq!((m.auto_hide_reports, m.municipalities_moderate), (0, true));
        assert_eq!(
            ServeConfig::load(&file, &env(&[])).unwrap().moderation,
            kohero_core::domain::ModerationPolicy::default()
        );
        assert!(
            ServeConfig::load(
                &file,
                &env(&[("KOHERO_MUNICIPALITIES_MODERATE", "peut-être")])
            )
            .is_err()
        );
        assert!(ServeConfig::load(&file, &env(&[("KOHERO_AUTO_HIDE_REPORTS", "-1")])).is_err());
        let caps = ServeConfig::load(&file, &env(&[("KOHERO_MAX_OPEN_IDEAS", "5")])).unwrap();
        assert_eq!(caps.fair_use.open_ideas, 5);
        assert_eq!(caps.fair_use.subscriptions, 20);
        assert!(ServeConfig::load(&file, &env(&[("KOHERO_MAX_ALERT_ITEMS", "0")])).is_err());
        assert!(ServeConfig::load(&file, &env(&[("KOHERO_MAX_SUBSCRIPTIONS", "x")])).is_err());
        let r = ServeConfig::load(&file, &env(&[("KOHERO_RETENTION_DAYS", "30")])).unwrap();
        assert_eq!(r.retention.as_secs(), 30 * 86_400);
        assert!(ServeConfig::load(&file, &env(&[("KOHERO_RETENTION_DAYS", "0")])).is_err());
        assert!(
            ServeConfig::load(
                &file,
                &env(&[
                    ("KOHERO_TELEGRAM_TOKEN", "1:a"),
                    ("KOHERO_TELEGRAM_RATE_GLOBAL", "fast")
                ])
            )
            .is_err()
        );
        assert!(
            ServeConfig::load(
                &file,
                &env(&[
                    ("KOHERO_TELEGRAM_TOKEN", "1:a"),
                    ("KOHERO_TELEGRAM_WEBHOOK_URL", "https://x/h")
                ])
            )
            .is_err()
        );
        assert!(
            ServeConfig::load(
                &file,
                &env(&[
                    ("KOHERO_TELEGRAM_TOKEN", "1:a"),
                    ("KOHERO_TELEGRAM_WEBHOOK_URL", "https://x/h"),
                    ("KOHERO_TELEGRAM_WEBHOOK_SECRET", "s3cr3t")
                ])
            )
            .is_err(),
            "needs KOHERO_HTTP_ADDR"
        );
        assert!(
            ServeConfig::load(
                &file,
                &env(&[
                    ("KOHERO_TELEGRAM_TOKEN", "1:a"),
                    ("KOHERO_HTTP_ADDR", "127.0.0.1:1"),
                    ("KOHERO_TELEGRAM_WEBHOOK_URL", "https://x/h"),
                    ("KOHERO_TELEGRAM_WEBHOOK_SECRET", "bad secret!")
                ])
            )
            .is_err()
        );
        let wh = ServeConfig::load(
            &file,
            &env(&[
                ("KOHERO_TELEGRAM_TOKEN", "1:a"),
                ("KOHERO_HTTP_ADDR", "127.0.0.1:1"),
                ("KOHERO_TELEGRAM_WEBHOOK_URL", "https://x/h"),
                ("KOHERO_TELEGRAM_WEBHOOK_SECRET", "s3cr3t"),
            ]),
        )
        .unwrap();
        assert!(wh.telegram.as_ref().unwrap().webhook.is_some());
        assert!(!format!("{wh:?}").contains("s3cr3t"));
        let off = ServeConfig::load(
            &file,
            &env(&[
                ("KOHERO_TELEGRAM_TOKEN", "1:a"),
                ("KOHERO_TELEGRAM_RATE_CHAT", "off"),
            ]),
        )
        .unwrap();
        assert!(off.telegram.unwrap().limits.per_chat.is_none());
        assert!(ServeConfig::load(&file, &env(&[("KOHERO_MATRIX_USER", "@k:x")])).is_err());
        assert!(
            ServeConfig::load(
                &file,
                &env(&[
                    ("KOHERO_MATRIX_HOMESERVER", "http://x"),
                    ("KOHERO_MATRIX_USER", "kohero")
                ])
            )
            .is_err()
        );
        let m = ServeConfig::load(
            &file,
            &env(&[
                ("KOHERO_MATRIX_HOMESERVER", "http://127.0.0.1:8008"),
                ("KOHERO_MATRIX_USER", "@k:x"),
                ("KOHERO_MATRIX_PASSWORD", "pw"),
            ]),
        )
        .unwrap();
        assert!(m.matrix.is_some());
        let file: FileConfig = toml::from_str("[telegram]\ntoken = \"9:zz\"\n").unwrap();
        assert!(
            ServeConfig::load(&file, &env(&[]))
                .unwrap()
                .telegram
                .is_some()
        );
    }

    #[test]
    fn precedence() {
        let file = FileConfig {
            database_url: Some("file.db".into()),
            ..FileConfig::default()
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
