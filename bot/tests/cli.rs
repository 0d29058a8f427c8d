//! The command line itself: configuration precedence and clear errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn kohero(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kohero"));
    c.current_dir(dir)
        .env_remove("KOHERO_DATABASE_URL")
        .env_remove("KOHERO_CONFIG")
        .env("KOHERO_LOG", "warn");
    c
}

#[test]
fn defaults_to_kohero_db_in_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = kohero(dir.path()).arg("migrate").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(dir.path().join("kohero.db").exists());
}

#[test]
fn flag_beats_environment_beats_config_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kohero.toml"),
        "database_url = \"from-file.db\"\n",
    )
    .unwrap();
    kohero(dir.path()).arg("migrate").output().unwrap();
    assert!(dir.path().join("from-file.db").exists());
    kohero(dir.path())
        .arg("migrate")
        .env("KOHERO_DATABASE_URL", "sqlite://from-env.db")
        .output()
        .unwrap();
    assert!(dir.path().join("from-env.db").exists());
    kohero(dir.path())
        .args(["--db", "from-flag.db", "migrate"])
        .env("KOHERO_DATABASE_URL", "from-env2.db")
        .output()
        .unwrap();
    assert!(dir.path().join("from-flag.db").exists());
    assert!(!dir.path().join("from-env2.db").exists());
    std::fs::write(
        dir.path().join("other.toml"),
        "database_url = \"named.db\"\n",
    )
    .unwrap();
    kohero(dir.path())
        .args(["--config", "other.toml", "migrate"])
        .output()
        .unwrap();
    assert!(dir.path().join("named.db").exists());
}

#[test]
fn bad_configuration_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = kohero(dir.path())
        .args(["--db", "mysql://x", "migrate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));
    let out = kohero(dir.path())
        .args(["--config", "missing.toml", "migrate"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the config file"));
    std::fs::write(dir.path().join("bad.toml"), "database = 3\n").unwrap();
    let out = kohero(dir.path())
        .args(["--config", "bad.toml", "migrate"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid config file"));
    let out = kohero(dir.path())
        .args(["--db", "postgres://kohero@127.0.0.1:9/k", "migrate"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("cannot connect to PostgreSQL"),
        "{err}"
    );
}

#[test]
fn no_subcommand_opens_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let out = kohero(dir.path())
        .stdin(std::process::Stdio::null())
        .env("USER", "someone")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let mut child = kohero(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"/aide\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("/proposer"));
}

#[test]
fn serve_refuses_without_a_network_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["serve"][..], &["serve", "--check"]] {
        let out = kohero(dir.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("nothing to serve"),
            "{out:?}"
        );
    }
    let out = kohero(dir.path())
        .args(["serve", "--check"])
        .env("KOHERO_TELEGRAM_TOKEN", "123:secret-token")
        .env("KOHERO_HTTP_ADDR", "nowhere")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("KOHERO_HTTP_ADDR"), "{err}");
    assert!(!err.contains("secret-token"), "{err}");
    // A configured network with no subcommand means serve.
    let out = kohero(dir.path())
        .env("KOHERO_TELEGRAM_TOKEN", "not a token")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a bot token"));
}

#[test]
fn help_shows_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let out = kohero(dir.path())
        .arg("--help")
        .env("KOHERO_DATABASE_URL", "postgres://kohero:hunter2@db/kohero")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--db") && !help.contains("hunter2"), "{help}");
}

/// Makes `console:mairie` Villeurbanne's verified town hall.
const VERIFY_TOWN_HALL: &[&str] = &[
    "admin",
    "verify",
    "console:mairie",
    "municipality",
    "--commune",
    "69266",
];

#[test]
fn digests_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| kohero(dir.path()).args(args).output().unwrap();
    let text = |o: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    let out = run(&["digest", "69266", "--schedule", "0 9 * * lun"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("no verified municipality"),
        "{}",
        text(&out)
    );
    let out = run(VERIFY_TOWN_HALL);
    assert!(out.status.success(), "{out:?}");
    let out = run(&["digest", "69266", "--schedule", "0 9 * * 8"]);
    assert!(
        text(&out).contains("Je ne comprends pas la programmation"),
        "{}",
        text(&out)
    );
    let out = run(&["digest", "69266", "--schedule", "0 9 * * lun Europe/Paris"]);
    assert!(out.status.success(), "{out:?}");
    assert!(text(&out).contains("Prochain envoi"), "{}", text(&out));
    let out = run(&["digest", "69266", "--announce", "Marché samedi"]);
    assert!(text(&out).contains("Annonce enregistrée"), "{}", text(&out));
    let out = run(&["digest", "69266"]);
    assert!(text(&out).contains("« 0 9 * * lun »"), "{}", text(&out));
    assert!(text(&out).contains("Marché samedi"), "{}", text(&out));
    let out = run(&["digest", "69266", "--stop"]);
    assert!(
        text(&out).contains("n'est plus programmée"),
        "{}",
        text(&out)
    );
    let out = run(&["digest", "69266", "--stop", "--now"]);
    assert!(!out.status.success(), "conflicting flags");
    // The console town hall sees the same plan in chat.
    let out = kohero(dir.path())
        .args(["console", "--as", "mairie"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(b"/digest\n")?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(text(&out).contains("pas programmée"), "{}", text(&out));
}

/// A fresh database on the test cluster `scripts/test` starts.
fn fresh_postgres(name: &str) -> String {
    let url = std::env::var("KOHERO_TEST_POSTGRES_URL")
        .expect("KOHERO_TEST_POSTGRES_URL is not set: run the tests with scripts/test");
    let db = format!("kohero_cli_{name}_{}", std::process::id());
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(kohero_store_postgres::recreate_database(&url, &db))
        .unwrap()
}

#[test]
fn a_postgres_url_chooses_the_postgres_store() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_postgres("store");
    let run = |args: &[&str]| {
        kohero(dir.path())
            .arg("--db")
            .arg(&url)
            .args(args)
            .output()
            .unwrap()
    };
    for _ in 0..2 {
        let out = run(&["migrate"]);
        assert!(out.status.success(), "{out:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("up to date"));
    }
    let out = run(VERIFY_TOWN_HALL);
    assert!(out.status.success(), "{out:?}");
    let out = run(&["digest", "69266", "--schedule", "0 9 * * lun"]);
    assert!(out.status.success(), "{out:?}");
    // Another process reads what the first wrote: the data is in PostgreSQL,
    // and no SQLite file was made.
    let out = run(&["digest", "69266"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("« 0 9 * * lun »"),
        "{out:?}"
    );
    assert!(!dir.path().join("kohero.db").exists());
}

#[test]
fn copy_db_moves_an_installation_to_postgres_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let run = |db: &str, args: &[&str], input: &str| {
        use std::io::Write;
        let mut c = kohero(dir.path())
            .arg("--db")
            .arg(db)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        c.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        let out = c.wait_with_output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    let copy = |from: &str, to: &str| {
        let out = kohero(dir.path())
            .args(["copy-db", from, to])
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    // An installation with a bit of everything.
    assert!(run("a.db", &["demo-data"], "").0);
    assert!(run("a.db", VERIFY_TOWN_HALL, "").0);
    assert!(
        run(
            "a.db",
            &["digest", "69266", "--schedule", "0 9 * * lun"],
            ""
        )
        .0
    );
    let (ok, said) = run(
        "a.db",
        &["console", "--as", "zoe"],
        "/proposer Jardin partagé | nature | Villeurbanne | Un jardin\n/soutenir 2\n/abonner Villeurbanne\n",
    );
    assert!(ok && said.contains("#9"), "{said}");

    // To PostgreSQL (a database that does not exist yet): created, filled, compared.
    let server = std::env::var("KOHERO_TEST_POSTGRES_URL")
        .expect("KOHERO_TEST_POSTGRES_URL is not set: run the tests with scripts/test");
    let (server, _) = server.rsplit_once('/').unwrap();
    let pg = format!("{server}/kohero_cli_copy_target_{}", std::process::id());
    let (ok, said) = copy("a.db", &pg);
    assert!(ok, "{said}");
    assert!(said.contains("| initiatives | 9 |"), "{said}");
    assert!(said.contains("every table matches the source"), "{said}");
    assert!(!said.contains("| NO |"), "{said}");
    // A second copy into it is refused, and leaves it as it was.
    let (ok, said) = copy("a.db", &pg);
    assert!(!ok && said.contains("already has data"), "{said}");
    assert!(copy("a.db", "a.db").1.contains("same database"));

    // The copy works: search, the town hall's plan, and new ids after the copied ones.
    let (ok, said) = run(&pg, &["console", "--as", "yann"], "/chercher jardin\n");
    assert!(ok && said.contains("#9 Jardin partagé"), "{said}");
    let (_, said) = run(&pg, &["digest", "69266"], "");
    assert!(said.contains("« 0 9 * * lun »"), "{said}");
    let (ok, said) = run(
        &pg,
        &["console", "--as", "yann"],
        "/proposer Composteur | compost | Villeurbanne | Un bac\n",
    );
    assert!(ok && said.contains("#10"), "{said}");

    // And back to a new SQLite file.
    let (ok, said) = copy(&pg, "b.db");
    assert!(ok && said.contains("| initiatives | 10 |"), "{said}");
    let (ok, said) = run(
        "b.db",
        &["console", "--as", "yann"],
        "/chercher composteur bac\n",
    );
    assert!(ok && said.contains("#10 Composteur"), "{said}");
}
