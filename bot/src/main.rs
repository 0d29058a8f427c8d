//! The `kohero` binary: command line, configuration and wiring.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use kohero_console::ConsoleOptions;
use kohero_core::command::{DEFAULT_BAN_DAYS, MAX_BAN_DAYS, ModArg};
use kohero_core::domain::{ActorKind, Identity, InseeCode, Lang, ModeratorScope, Target};
use kohero_core::engine::{OperatorModeration, VerifyError};
use kohero_core::ports::{Store, SystemClock};
use kohero_core::{Engine, Operator};
use tracing_subscriber::EnvFilter;

use kohero::config;
use kohero::demo;

/// Kohero: a chat bot that helps people start and run local initiatives together.
#[derive(Debug, Parser)]
#[command(name = "kohero", version, about)]
struct Cli {
    /// Database: a SQLite file path, sqlite://PATH or postgres://... [default: ./kohero.db]
    #[arg(
        long,
        global = true,
        env = "KOHERO_DATABASE_URL",
        hide_env_values = true,
        value_name = "PATH_OR_URL"
    )]
    db: Option<String>,
    /// Configuration file [default: ./kohero.toml if present]
    #[arg(
        long,
        global = true,
        env = "KOHERO_CONFIG",
        hide_env_values = true,
        value_name = "PATH"
    )]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Chat in the terminal: one message per line on stdin, replies on stdout.
    Console {
        /// Your name: the identity console:NAME (created on first use).
        #[arg(long = "as", value_name = "NAME")]
        name: Option<String>,
        /// Your language.
        #[arg(long, value_parser = ["fr", "en"])]
        lang: Option<String>,
    },
    /// Serves every configured network, the delivery workers and the HTTP
    /// endpoints until SIGTERM or SIGINT.
    Serve {
        /// Only validate the configuration, then exit.
        #[arg(long)]
        check: bool,
    },
    /// Adds a clearly labelled sample set of initiatives around Lyon.
    DemoData,
    /// Operator commands.
    #[command(subcommand)]
    Admin(Admin),
    /// Applies the database migrations.
    Migrate,
    /// Prints the effective configuration: each setting, its value and where
    /// it came from (flag, environment, file, default), secrets hidden; then
    /// what `serve` would serve, or the problem `serve --check` would report.
    Config,
    /// Writes a consistent copy of a SQLite installation, even while `kohero
    /// serve` runs: the database (SQLite's VACUUM INTO, then checked) and,
    /// as FILE.matrix beside it, the Matrix store. Never overwrites
    /// anything and migrates nothing (back up before an upgrade).
    Backup {
        /// Where the copy goes (must not exist yet).
        file: PathBuf,
    },
    /// Moves an installation to another database (SQLite to PostgreSQL or back):
    /// the target is created and migrated, must be empty, and is filled in one
    /// transaction; row counts and checksums of every table are compared at the
    /// end. Stop `kohero serve` first.
    CopyDb {
        /// The database to copy: a SQLite path, sqlite://PATH or postgres://…
        from: String,
        /// The empty database to fill (created if needed).
        to: String,
    },
    /// A commune's municipality digest: shows its schedule, sets or stops it,
    /// adds an announcement, or queues it at once (a running `kohero serve`
    /// delivers it).
    Digest {
        /// INSEE code of the commune.
        insee: String,
        /// Queue it at once (with --announce: send the announcement alone, now).
        #[arg(long)]
        now: bool,
        /// Schedule it: a 5-field crontab expression, optionally followed by an
        /// IANA time zone, e.g. "0 9 * * lun" or "0 18 * * fri Europe/Paris".
        #[arg(long, value_name = "CRONTAB", conflicts_with_all = ["stop", "now", "announce"])]
        schedule: Option<String>,
        /// Stop the schedule.
        #[arg(long, conflicts_with_all = ["now", "announce"])]
        stop: bool,
        /// An announcement for the top of the next digest (alone and at once with --now).
        #[arg(long, value_name = "TEXT")]
        announce: Option<String>,
    },
    /// A consultation's counts for its town hall: one row an option (number,
    /// choice, count, percent of voters), then the number of voters; so far
    /// while it is open, final once closed. Nobody's vote is ever exported.
    Consultation {
        /// The consultation, e.g. C3.
        id: String,
        /// As CSV (RFC 4180), the one format offered.
        #[arg(long, required = true)]
        csv: bool,
    },
}

#[derive(Debug, Subcommand)]
enum Admin {
    /// Verifies an association, municipality or company.
    Verify {
        /// NETWORK:ID, e.g. console:mairie, telegram:12345, matrix:@mairie:example.org
        identity: String,
        /// association, municipality or company
        kind: String,
        /// INSEE code of a commune the municipality speaks for (repeat for several).
        #[arg(long = "commune", value_name = "INSEE")]
        communes: Vec<String>,
    },
    /// Revokes a verification.
    Unverify {
        /// NETWORK:ID
        identity: String,
    },
    /// Moderators: who reviews reports, everywhere or for some communes.
    #[command(subcommand)]
    Moderator(ModeratorCommand),
    /// The open reports, oldest first, grouped by item.
    Reports,
    /// The newest entries of the moderation log.
    Log,
    /// The bans in force, newest first: identity, end, reason.
    Bans,
    /// Hides an item (#42 or 42, U15, E7) from everyone but its organisers;
    /// its author is told why and may ask for a review once.
    Hide {
        /// #42 or 42 (an initiative), U15 (an update), E7 (an event)
        target: String,
        /// Why, as its author will read it.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Keeps an item (shown again if it was hidden) and closes its reports.
    Keep {
        /// #42, U15, E7 or A12
        target: String,
    },
    /// Warns the author of an item and closes its reports.
    Warn {
        /// #42, U15, E7 or A12
        target: String,
        /// What the author will read.
        #[arg(long)]
        message: Option<String>,
    },
    /// Bans the author of an item (#42, U15, E7, A12) or an identity
    /// (NETWORK:ID, even one erased or never seen): their commands are refused
    /// with the reason and the end date, their open ideas hidden.
    Ban {
        /// An item or NETWORK:ID
        who: String,
        /// For this many days (default 30, at most 3650).
        #[arg(long, conflicts_with = "forever")]
        days: Option<u32>,
        /// For good.
        #[arg(long)]
        forever: bool,
        /// Why, as the person will read it.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Takes the author of an item (#42, U15, E7) out of the item's project.
    Remove {
        /// #42, U15 or E7
        target: String,
    },
    /// Lifts a ban: of an item's author or of an identity (NETWORK:ID).
    Unban {
        /// An item or NETWORK:ID
        who: String,
    },
}

#[derive(Debug, Subcommand)]
enum ModeratorCommand {
    /// Makes a person a moderator: everywhere, or for the communes given.
    Add {
        /// NETWORK:ID
        identity: String,
        /// INSEE code of a commune they moderate (repeat for several; none:
        /// everywhere).
        #[arg(long = "commune", value_name = "INSEE")]
        communes: Vec<String>,
    },
    /// Takes every moderation scope from a person.
    Remove {
        /// NETWORK:ID
        identity: String,
    },
    /// Every moderator and their scope.
    List,
}

fn parse_target(s: &str) -> anyhow::Result<Target> {
    Target::parse(s).with_context(|| {
        format!("invalid item {s:?}: #42 or 42 (an initiative), U15 (an update), E7 (an event), A12 (an actor)")
    })
}

fn parse_communes(communes: &[String]) -> anyhow::Result<Vec<InseeCode>> {
    communes
        .iter()
        .map(|c| {
            InseeCode::parse(c).with_context(|| {
                format!("invalid INSEE code {c:?}: five characters, e.g. 69266 or 2A004")
            })
        })
        .collect()
}

/// Runs a moderation command of the operator and prints its answer; a
/// refusal is an error.
async fn moderate(engine: &Engine, what: OperatorModeration) -> anyhow::Result<()> {
    match engine
        .moderate(&Operator::command_line(), what, Lang::En)
        .await?
    {
        Ok(reply) => {
            println!("{}", reply.plain());
            Ok(())
        }
        Err(refusal) => bail!("{}", refusal.plain()),
    }
}

fn init_logging(default: &str) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = EnvFilter::try_from_env("KOHERO_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let json = std::env::var("KOHERO_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().finish().with(Expected).init();
    } else {
        builder
            .with_ansi(std::io::stderr().is_terminal())
            .finish()
            .with(Expected)
            .init();
    }
}

/// Leaves out what matrix-sdk logs as an error or a warning but expects
/// (see `kohero_matrix::expected_log`): an operator sees ERROR only when
/// something needs them.
struct Expected;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Expected {
    fn event_enabled(
        &self,
        event: &tracing::Event<'_>,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) -> bool {
        let meta = event.metadata();
        if !meta.target().starts_with("matrix_sdk") || *meta.level() > tracing::Level::WARN {
            return true;
        }
        struct Message(String);
        impl tracing::field::Visit for Message {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    self.0 = format!("{value:?}");
                }
            }
        }
        let mut m = Message(String::new());
        event.record(&mut m);
        !kohero_matrix::expected_log(meta.target(), *meta.level(), &m.0)
    }
}

fn parse_identity(s: &str) -> anyhow::Result<Identity> {
    Identity::parse(s).with_context(|| {
        format!("invalid identity {s:?}: write NETWORK:ID, e.g. console:mairie or telegram:12345")
    })
}

use config::check_networks;

/// Connects the configured network adapters; with the Telegram bot's
/// username, for the public pages' links.
async fn networks(
    cfg: &config::ServeConfig,
    db: &config::Database,
    store: Arc<dyn kohero_core::ports::Store>,
) -> anyhow::Result<(Vec<kohero::serve::Network>, Option<String>)> {
    use secrecy::ExposeSecret;
    check_networks(cfg)?;
    let mut out = Vec::new();
    let mut telegram_bot = None;
    // Each network's files, for the others' senders (relayed images).
    let shelf = Arc::new(kohero_core::ports::FileShelf::default());
    if let Some(m) = &cfg.matrix {
        let opts = kohero_matrix::MatrixOptions {
            homeserver: m.homeserver.clone(),
            user: m.user.clone(),
            password: m.password.as_ref().map(|p| p.expose_secret().to_owned()),
            access_token: m
                .access_token
                .as_ref()
                .map(|p| p.expose_secret().to_owned()),
            store_dir: m
                .store
                .clone()
                .unwrap_or_else(|| config::matrix_store_beside(db)),
            passphrase: m
                .store_passphrase
                .as_ref()
                .map(|p| p.expose_secret().to_owned()),
            connected: Arc::default(),
            shelf: shelf.clone(),
        };
        if opts.passphrase.is_none() {
            tracing::warn!(
                "KOHERO_MATRIX_STORE_PASSPHRASE is not set: the Matrix crypto store is not encrypted at rest"
            );
        }
        // Connected (matrix-sdk's stores opened) only while this process holds
        // the Matrix lease.
        let state = kohero_core::ports::AdapterStore::new(store.clone(), kohero_matrix::NETWORK);
        let mx = kohero_matrix::MatrixOnLease::new(opts, state);
        shelf.add(kohero_matrix::NETWORK, mx.files());
        out.push(kohero::serve::Network {
            sender: mx.sender(),
            limits: m.limits,
            delivery: kohero::delivery::Options::default(),
            connected: mx.connected(),
            routes: None,
            intake: Arc::new(move |inbox, stop| {
                let held = inbox.lease();
                Box::pin(mx.clone().run(Arc::new(inbox), stop, held))
            }),
        });
    }
    if let Some(t) = &cfg.telegram {
        let webhook = t
            .webhook
            .as_ref()
            .map(|(url, secret)| (url.as_str(), secret.expose_secret()));
        let tg = kohero_telegram::Telegram::connect(
            t.token.expose_secret(),
            &t.api_url,
            kohero_core::ports::AdapterStore::new(store, kohero_telegram::NETWORK),
            webhook,
        )
        .await
        .context("cannot start Telegram")?;
        let connected = tg.connected();
        telegram_bot = Some(tg.username().to_owned());
        let sender = tg.sender(shelf.clone());
        shelf.add(kohero_telegram::NETWORK, tg.files());
        let (intake, routes): (kohero::serve::IntakeTask, Option<kohero::serve::Routes>) =
            match &t.webhook {
                None => (
                    Arc::new(move |inbox, stop| {
                        let held = inbox.lease();
                        Box::pin(tg.clone().run_intake(Arc::new(inbox), stop, held))
                    }),
                    None,
                ),
                Some((_, secret)) => {
                    let secret = secret.expose_secret().to_owned();
                    (
                        Arc::new(|_, mut stop| {
                            Box::pin(async move {
                                let _ = stop.changed().await;
                            })
                        }),
                        Some(Box::new(move |inbox| telegram_webhook(tg, inbox, secret))),
                    )
                }
            };
        out.push(kohero::serve::Network {
            sender,
            limits: t.limits,
            delivery: kohero::delivery::Options::default(),
            connected,
            routes,
            intake,
        });
    }
    Ok((out, telegram_bot))
}

/// `POST /telegram/webhook`: Telegram's pushed updates, with its secret header.
fn telegram_webhook(
    tg: kohero_telegram::Telegram,
    inbox: Arc<dyn kohero_core::inbox::Inbox>,
    secret: String,
) -> axum::Router {
    use axum::http::{HeaderMap, StatusCode};
    use kohero_telegram::WebhookAnswer;
    let handler = move |headers: HeaderMap, body: axum::body::Bytes| {
        let (tg, inbox, secret) = (tg.clone(), inbox.clone(), secret.clone());
        async move {
            let given = headers
                .get("x-telegram-bot-api-secret-token")
                .map(axum::http::HeaderValue::as_bytes);
            match tg.webhook(&inbox, &secret, given, &body).await {
                WebhookAnswer::Accepted => StatusCode::OK,
                WebhookAnswer::Unauthorized => StatusCode::UNAUTHORIZED,
                WebhookAnswer::BadRequest => StatusCode::BAD_REQUEST,
                WebhookAnswer::Retry => StatusCode::INTERNAL_SERVER_ERROR,
            }
        }
    };
    axum::Router::new().route("/telegram/webhook", axum::routing::post(handler))
}

/// Where the networks on which the bot makes rooms itself are recorded.
const ROOM_NETWORKS: (&str, &str) = ("kohero", "room-networks");

/// The room networks the last `kohero serve` served.
async fn load_room_networks(store: &dyn Store) -> anyhow::Result<Vec<String>> {
    let mut tx = store.read().await?;
    let v = tx.network_state(ROOM_NETWORKS.0, ROOM_NETWORKS.1).await?;
    Ok(v.unwrap_or_default()
        .split(',')
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Run again on a conflict: processes started together write it at once
/// (one of them used to exit at start on PostgreSQL).
async fn save_room_networks(store: &dyn Store, networks: &[String]) -> anyhow::Result<()> {
    let joined = networks.join(",");
    kohero_core::retry::on_conflict("room networks", || async {
        let mut tx = store.begin().await?;
        tx.set_network_state(
            ROOM_NETWORKS.0,
            ROOM_NETWORKS.1,
            Some(&joined),
            chrono::Utc::now(),
        )
        .await?;
        tx.commit().await
    })
    .await?;
    Ok(())
}

/// `kohero copy-db FROM TO`: copies, compares, prints the comparison.
async fn copy_db(from: &str, to: &str) -> anyhow::Result<()> {
    let from = config::Database::parse(from).context("the source")?;
    let to = config::Database::parse(to).context("the target")?;
    let compared = kohero::copy::copy_db(&from, &to).await?;
    let rows: u64 = compared.iter().map(|c| c.target.rows).sum();
    println!("| table | rows | checksum | same |");
    println!("|---|---|---|---|");
    for c in &compared {
        println!(
            "| {} | {} | {:016x} | {} |",
            c.table,
            c.target.rows,
            c.target.checksum,
            if c.source == c.target { "yes" } else { "NO" }
        );
    }
    println!(
        "Copied {rows} row(s) in {} table(s); every table matches the source.",
        compared.len()
    );
    Ok(())
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(Command::CopyDb { from, to }) = &cli.command {
        return copy_db(from, to).await;
    }
    if let Some(Command::Config) = &cli.command {
        let env = |k: &str| std::env::var(k).ok();
        // clap fills --config from KOHERO_CONFIG too: the variable is told
        // apart by `describe`.
        let from_env = env("KOHERO_CONFIG").map(PathBuf::from);
        let config_flag = cli
            .config
            .as_deref()
            .filter(|p| from_env.as_deref() != Some(*p));
        let (text, verdict) = kohero::effective::describe(
            &kohero::effective::Sources {
                config_flag,
                db_flag: cli.db.as_deref(),
            },
            &env,
        );
        print!("{text}");
        return verdict;
    }
    // Before the store is opened: opening migrates, and a backup is what an
    // operator makes before a new build migrates.
    if let Some(Command::Backup { file }) = &cli.command {
        let cfg = config::load_file(cli.config.as_deref())?;
        let db = config::database(cli.db.as_deref(), &cfg)?;
        let (matrix, passphrase) =
            config::matrix_store(&db, &cfg, &|k: &str| std::env::var(k).ok());
        println!(
            "{}",
            kohero::backup::backup(&db, file, &matrix, passphrase).await?
        );
        return Ok(());
    }
    let file = config::load_file(cli.config.as_deref())?;
    let db = config::database(cli.db.as_deref(), &file)?;
    let store = Arc::new(kohero::store::AnyStore::open(&db).await?);
    let engine = Engine::new(store.clone(), Arc::new(SystemClock))
        .await?
        .with_room_networks(load_room_networks(store.as_ref()).await?);
    let serve_config = config::ServeConfig::load(&file, &|k| std::env::var(k).ok());
    let command = match cli.command {
        Some(c) => c,
        // A network configured (even wrongly): serve, and say what is wrong.
        None if serve_config
            .as_ref()
            .map_or(true, config::ServeConfig::has_network) =>
        {
            Command::Serve { check: false }
        }
        None => Command::Console {
            name: None,
            lang: None,
        },
    };
    match command {
        Command::Serve { check } => {
            let cfg = serve_config?;
            check_networks(&cfg)?;
            if check {
                println!("The configuration is valid.");
                return Ok(());
            }
            let (networks, telegram_bot) = networks(&cfg, &db, store.clone()).await?;
            // Matrix gives every launched project a room the bot creates, and
            // each commune an announcement room. Recorded, so that other
            // commands (`kohero digest --now`) address the same rooms.
            let rooms: Vec<String> = cfg
                .matrix
                .iter()
                .map(|_| kohero_matrix::NETWORK.to_owned())
                .collect();
            save_room_networks(store.as_ref(), &rooms).await?;
            let engine = engine
                .with_room_networks(rooms)
                .with_fair_use(cfg.fair_use)
                .with_moderation(cfg.moderation)
                .with_public_url(cfg.public.as_ref().and_then(|p| p.url.clone()));
            // PostgreSQL tells of other processes' initiative writes as they commit.
            let initiative_changes = match store.as_ref() {
                kohero::store::AnyStore::Postgres(pg) => {
                    let wake = Arc::new(tokio::sync::Notify::new());
                    let pg = pg.clone();
                    let w = wake.clone();
                    tokio::spawn(async move { pg.follow_initiative_changes(w).await });
                    Some(wake)
                }
                kohero::store::AnyStore::Sqlite(_) => None,
            };
            kohero::serve::run(
                Arc::new(engine),
                store.clone(),
                networks,
                kohero::serve::ServeOptions {
                    http: cfg.http_addr,
                    public: cfg.public.clone().map(|mut p| {
                        p.telegram_bot = telegram_bot.clone();
                        p.matrix_bot = cfg.matrix.as_ref().map(|m| m.user.clone());
                        p
                    }),
                    retention: cfg.retention,
                    initiative_changes,
                    round_trips: store
                        .round_trips()
                        .map(|_| kohero_store_postgres::PgStore::round_trips as fn() -> u64),
                },
                kohero::serve::signals(),
                None,
            )
            .await?;
        }
        Command::Console { name, lang } => {
            let name = name
                .or_else(|| std::env::var("USER").ok())
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| "moi".to_owned());
            let identity = Identity::parse(&format!("console:{name}"))
                .with_context(|| format!("invalid console name {name:?}"))?;
            if let Some(l) = lang.as_deref().and_then(Lang::parse) {
                engine.set_language(&identity, l).await?;
            }
            let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
            let opts = ConsoleOptions {
                identity,
                display_name: name,
                interactive,
            };
            let stdin = tokio::io::BufReader::new(tokio::io::stdin());
            kohero_console::run(&engine, &opts, stdin, tokio::io::stdout()).await?;
        }
        Command::Digest {
            insee,
            now,
            schedule,
            stop,
            announce,
        } => {
            let code = kohero_core::domain::InseeCode::parse(&insee).with_context(|| {
                format!("{insee:?} is not an INSEE commune code (5 characters, e.g. 69266)")
            })?;
            use kohero_core::command::{Command as Chat, DigestArg};
            let chat = match (schedule, stop, announce) {
                (Some(s), _, _) => Some(Chat::Digest(DigestArg::Set(s))),
                (None, true, _) => Some(Chat::Digest(DigestArg::Off)),
                (None, false, Some(text)) => Some(Chat::Announce { now, text }),
                (None, false, None) if !now => Some(Chat::Digest(DigestArg::Show)),
                (None, false, None) => None,
            };
            if let Some(chat) = chat {
                let answers = engine
                    .digest_for_commune(&Operator::command_line(), &code, chat)
                    .await?;
                if answers.is_empty() {
                    bail!(
                        "commune {code} has no verified municipality: verify one first with \
                         `kohero admin verify IDENTITY municipality --commune {code}`"
                    );
                }
                for (m, reply) in answers {
                    println!("{}: {}", m.display_name, reply.plain());
                }
                return Ok(());
            }
            let queued = engine.queue_digest_now(&code).await?;
            if queued.is_empty() {
                bail!(
                    "commune {code} has no verified municipality: verify one first with \
                     `kohero admin verify IDENTITY municipality --commune {code}`"
                );
            }
            for (m, n) in queued {
                if n == 0 {
                    println!(
                        "{}: nothing new since the last digest; nothing queued.",
                        m.display_name
                    );
                } else {
                    println!(
                        "{}: digest queued, {n} message(s); a running `kohero serve` delivers them.",
                        m.display_name
                    );
                }
            }
        }
        Command::Consultation { id, csv: _ } => {
            let c = kohero_core::command::parse_consultation_id(&id)
                .with_context(|| format!("{id:?} is not a consultation id (e.g. C3)"))?;
            match engine
                .consultation_csv(&Operator::command_line(), c)
                .await?
            {
                Some(csv) => print!("{csv}"),
                None => bail!("there is no consultation {id}"),
            }
        }
        Command::DemoData => {
            let added = demo::add(&engine).await?;
            if added == 0 {
                println!("Demo data is already present.");
            } else {
                println!("Added {added} demo initiatives around Lyon (titles start with [Démo]).");
            }
        }
        Command::Admin(Admin::Verify {
            identity,
            kind,
            communes,
        }) => {
            let identity = parse_identity(&identity)?;
            let kind: ActorKind = kind
                .parse()
                .ok()
                .filter(|k| *k != ActorKind::Citizen)
                .with_context(|| {
                    format!("invalid kind {kind:?}: association, municipality or company")
                })?;
            let communes = parse_communes(&communes)?;
            match engine
                .verify(&Operator::command_line(), &identity, kind, communes)
                .await?
            {
                Ok(a) => {
                    let communes: Vec<String> =
                        a.communes.iter().map(ToString::to_string).collect();
                    println!(
                        "{identity} is now a verified {} (communes: {}).",
                        a.kind.key(),
                        if communes.is_empty() {
                            "none".to_owned()
                        } else {
                            communes.join(", ")
                        }
                    );
                }
                Err(VerifyError::NoCommune) => {
                    bail!("a municipality needs at least one --commune INSEE")
                }
                Err(VerifyError::Citizen) => bail!("citizens are not verified"),
            }
        }
        Command::Admin(Admin::Moderator(ModeratorCommand::Add { identity, communes })) => {
            let identity = parse_identity(&identity)?;
            let communes = parse_communes(&communes)?;
            engine
                .add_moderator(&Operator::command_line(), &identity, &communes)
                .await?;
            if communes.is_empty() {
                println!("{identity} now moderates everywhere.");
            } else {
                let list: Vec<String> = communes.iter().map(ToString::to_string).collect();
                println!("{identity} now moderates communes {}.", list.join(", "));
            }
        }
        Command::Admin(Admin::Moderator(ModeratorCommand::Remove { identity })) => {
            let identity = parse_identity(&identity)?;
            match engine
                .remove_moderator(&Operator::command_line(), &identity)
                .await?
            {
                Some(0) => bail!("{identity} is not a moderator"),
                Some(_) => println!("{identity} no longer moderates."),
                None => bail!("{identity} is unknown"),
            }
        }
        Command::Admin(Admin::Moderator(ModeratorCommand::List)) => {
            let all = engine.moderators(&Operator::command_line()).await?;
            if all.is_empty() {
                println!("No moderator yet: `kohero admin moderator add NETWORK:ID`.");
            }
            for (identities, scope) in all {
                let who: Vec<String> = identities.iter().map(ToString::to_string).collect();
                let scope = match scope {
                    ModeratorScope::Everywhere => "everywhere".to_owned(),
                    ModeratorScope::Communes(c) => {
                        let c: Vec<String> = c.iter().map(ToString::to_string).collect();
                        format!("communes {}", c.join(", "))
                    }
                };
                println!("{}\t{scope}", who.join(", "));
            }
        }
        Command::Admin(Admin::Reports) => {
            moderate(&engine, OperatorModeration::Item(ModArg::List)).await?;
        }
        Command::Admin(Admin::Bans) => {
            let bans = engine.bans(&Operator::command_line()).await?;
            if bans.is_empty() {
                println!("No ban in force.");
            }
            for b in bans {
                let until = b.until.map_or_else(
                    || "for good".to_owned(),
                    |u| format!("until {}", u.to_rfc3339()),
                );
                println!("{}\t{until}\t{}", b.identity, b.reason);
            }
        }
        Command::Admin(Admin::Log) => {
            moderate(&engine, OperatorModeration::Item(ModArg::Log)).await?;
        }
        Command::Admin(Admin::Hide { target, reason }) => {
            let t = parse_target(&target)?;
            moderate(&engine, OperatorModeration::Item(ModArg::Hide(t, reason))).await?;
        }
        Command::Admin(Admin::Keep { target }) => {
            let t = parse_target(&target)?;
            moderate(&engine, OperatorModeration::Item(ModArg::Keep(t))).await?;
        }
        Command::Admin(Admin::Remove { target }) => {
            let t = parse_target(&target)?;
            moderate(&engine, OperatorModeration::Item(ModArg::Remove(t))).await?;
        }
        Command::Admin(Admin::Warn { target, message }) => {
            let t = parse_target(&target)?;
            moderate(&engine, OperatorModeration::Item(ModArg::Warn(t, message))).await?;
        }
        Command::Admin(Admin::Ban {
            who,
            days,
            forever,
            reason,
        }) => {
            let days = if forever {
                None
            } else {
                let d = days.unwrap_or(DEFAULT_BAN_DAYS);
                if !(1..=MAX_BAN_DAYS).contains(&d) {
                    bail!("--days takes 1 to {MAX_BAN_DAYS}; for good, --forever");
                }
                Some(d)
            };
            let what = if who.contains(':') {
                OperatorModeration::Ban {
                    identity: parse_identity(&who)?,
                    days,
                    reason,
                }
            } else {
                OperatorModeration::Item(ModArg::Ban(parse_target(&who)?, days, reason))
            };
            moderate(&engine, what).await?;
        }
        Command::Admin(Admin::Unban { who }) => {
            let what = if who.contains(':') {
                OperatorModeration::Unban(parse_identity(&who)?)
            } else {
                OperatorModeration::Item(ModArg::Unban(parse_target(&who)?))
            };
            moderate(&engine, what).await?;
        }
        Command::Admin(Admin::Unverify { identity }) => {
            let identity = parse_identity(&identity)?;
            match engine
                .unverify(&Operator::command_line(), &identity)
                .await?
            {
                Some(_) => println!("{identity} is no longer verified."),
                None => bail!("{identity} is unknown"),
            }
        }
        // Done at the top of `run`, before `--db` is opened (copy-db names its
        // own two databases).
        Command::CopyDb { .. } | Command::Backup { .. } | Command::Config => {}
        Command::Migrate => {
            let versions = store.migrations();
            println!(
                "Database is up to date ({} migration(s), latest {}).",
                versions.len(),
                versions
                    .last()
                    .map(|(v, d)| format!("{v} {d}"))
                    .unwrap_or_default()
            );
        }
    }
    store.close().await;
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging("warn");
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kohero: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kohero: {e:#}");
            ExitCode::from(2)
        }
    }
}
