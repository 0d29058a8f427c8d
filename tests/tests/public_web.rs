//! End-to-end (issue 21): a chat journey on the fake Telegram Bot API, then
//! the public listener of the same `kohero serve`: pages, GeoJSON (checked
//! by geojson-validator), iCalendar (read by Python's icalendar), Atom (read
//! by Python's XML parser), conditional requests, bad requests, hidden
//! content and personal data left out, the per-address limit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use kohero_tests::fake_telegram::FakeTelegram;
use kohero_tests::{Install, first_number, free_port, stop, wait_until};
use std::time::Duration;

struct Got {
    status: u16,
    headers: HashMap<String, String>,
    body: String,
}

/// One HTTP/1.0 request with these headers.
async fn get(addr: &str, method: &str, path: &str, headers: &[(&str, &str)]) -> Got {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut req = format!("{method} {path} HTTP/1.0\r\nHost: {addr}\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Got {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// Runs an independent checker (tests/checkers/check.py) on `body`.
fn check(kind: &str, body: &str) -> serde_json::Value {
    let python = std::env::var("KOHERO_CHECKERS_PYTHON").unwrap_or_else(|_| {
        panic!("KOHERO_CHECKERS_PYTHON is not set: run the tests with scripts/test")
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("data.{kind}"));
    std::fs::write(&file, body).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/checkers/check.py");
    let out = std::process::Command::new(python)
        .arg(script)
        .arg(kind)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{kind} checker refused it: {}\n{body}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_and_open_data_after_a_chat_journey() {
    let tg = FakeTelegram::start().await;
    let k = Install::new();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let url = tg.url();
    let env = [
        ("KOHERO_TELEGRAM_TOKEN", kohero_tests::fake_telegram::TOKEN),
        ("KOHERO_TELEGRAM_API_URL", url.as_str()),
        ("KOHERO_PUBLIC_ADDR", addr.as_str()),
        ("KOHERO_PUBLIC_URL", "https://kohero.example.org/"),
        ("KOHERO_PUBLIC_RATE", "40/s:40"),
        ("KOHERO_PUBLIC_CACHE_SECONDS", "0"),
    ];
    let served = k.serve(&env);

    // The journey: an idea with French punctuation, markup and an emoji,
    // launched, with an update, two events (one changed, one cancelled).
    let title = "Composteur « partagé » d'Élise 🌱";
    tg.text(
        1,
        "fr",
        &format!("/proposer {title} | compost | geo:45.7745,4.8320 | Un bac <b>au</b> square & des ateliers"),
    );
    let (r, _) = tg.answer_to(1, "est publiée").await;
    let id = first_number(&r, '#');
    // The card in chat carries the page's link.
    tg.text(2, "fr", &format!("/voir {id}"));
    tg.answer_to(2, &format!("https://kohero.example.org/i/{id}"))
        .await;
    tg.text(2, "fr", &format!("/soutenir {id}"));
    tg.answer_to(2, "soutien").await;
    tg.text(1, "fr", &format!("/lancer {id}"));
    tg.answer_to(1, "projet").await;
    tg.text(
        1,
        "fr",
        &format!("/maj {id} Le bac est livré, merci « à tous » !"),
    );
    tg.answer_to(1, "Nouvelle publiée").await;
    tg.text(
        1,
        "fr",
        &format!("/evenement {id} Atelier vélo | 2027-05-17 10:30 | geo:45.7745,4.8320 | 3h"),
    );
    let e1 = first_number(&tg.answer_to(1, "Événement E").await.0, 'E');
    tg.text(
        1,
        "fr",
        &format!("/evenement {id} Apéro | 2027-06-01 18:00"),
    );
    let (apero, _) = tg.answer_to(1, "Apéro").await;
    let e2 = first_number(&apero[apero.find("Événement E").unwrap()..], 'E');
    tg.text(2, "fr", &format!("/participer E{e1} oui"));
    tg.answer_to(2, "enregistrée").await;
    tg.text(
        1,
        "fr",
        &format!(
            "/evenement E{e1} Atelier vélo & co | 2027-05-18 14:00 | geo:45.7745,4.8320 | 2h30"
        ),
    );
    tg.answer_to(1, "modifié").await;
    tg.text(1, "fr", &format!("/evenement E{e2} annuler"));
    tg.answer_to(1, "annulé").await;
    // A second idea, hidden by moderation.
    tg.text(
        3,
        "fr",
        "/proposer Arnaque cachée | other | geo:45.7750,4.8330 | spam",
    );
    let hidden = first_number(&tg.answer_to(3, "est publiée").await.0, '#');
    k.run_ok(&["admin", "hide", &hidden.to_string(), "--reason", "spam"]);

    // The initiative's page, in French by default.
    let page = get(&addr, "GET", &format!("/i/{id}"), &[]).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.headers["content-type"], "text/html; charset=utf-8");
    let html = &page.body;
    assert!(html.len() < 50_000, "{} bytes", html.len());
    assert!(html.contains("<html lang=\"fr\">"));
    for meta in [
        "property=\"og:title\"",
        "property=\"og:description\"",
        &format!("property=\"og:url\" content=\"https://kohero.example.org/i/{id}\""),
        "name=\"twitter:card\" content=\"summary\"",
    ] {
        assert!(html.contains(meta), "{meta} missing:\n{html}");
    }
    assert!(
        html.contains("Composteur « partagé » d&#39;Élise 🌱"),
        "{html}"
    );
    assert!(
        html.contains("Un bac &#60;b&#62;au&#60;/b&#62; square &#38; des ateliers"),
        "{html}"
    );
    assert!(!html.contains("<b>au</b>") && !html.contains("<script"));
    assert!(html.contains(&format!("https://t.me/kohero_test_bot?start=i{id}")));
    assert!(html.contains("Le bac est livré"));
    assert!(html.contains(&format!("/i/{id}/signaler")), "how to report");
    assert!(
        html.contains("18/05/2027 14:00 (Europe/Paris), 2 h 30"),
        "{html}"
    );
    assert!(!html.contains("Apéro"), "a cancelled event is not upcoming");
    assert!(html.contains("1 soutien"));
    // No person's name: the organiser and the supporter are Telegram users
    // whose first names the fake API gives as « User 1 »-like names.
    // Every private chat of the fake Bot API is « Ada »'s: no name is shown.
    assert!(!html.contains("Ada"), "a person's name shown on the page");
    // Conditional requests.
    let etag = page.headers["etag"].clone();
    let modified = page.headers["last-modified"].clone();
    assert!(page.headers["cache-control"].starts_with("public, max-age="));
    assert_eq!(page.headers["vary"], "Accept-Language");
    let again = get(
        &addr,
        "GET",
        &format!("/i/{id}"),
        &[("If-None-Match", &etag)],
    )
    .await;
    assert_eq!((again.status, again.body.as_str()), (304, ""));
    let since = get(
        &addr,
        "GET",
        &format!("/i/{id}"),
        &[("If-Modified-Since", &modified)],
    )
    .await;
    assert_eq!(since.status, 304);
    // A removal no timestamp of the page shows (an event cancelled) still
    // makes it modified.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    tg.text(
        1,
        "fr",
        &format!("/evenement {id} Brunch | 2027-07-01 11:00"),
    );
    let (brunch, _) = tg.answer_to(1, "Brunch").await;
    let e3 = first_number(&brunch[brunch.find("Événement E").unwrap()..], 'E');
    let with = get(&addr, "GET", &format!("/i/{id}"), &[]).await;
    assert!(with.body.contains("Brunch"));
    let modified = with.headers["last-modified"].clone();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    tg.text(1, "fr", &format!("/evenement E{e3} annuler"));
    tg.answer_to(1, "Événement E3 « Brunch » annulé").await;
    let after = get(
        &addr,
        "GET",
        &format!("/i/{id}"),
        &[("If-Modified-Since", &modified)],
    )
    .await;
    assert_eq!(after.status, 200, "a cancelled event left a stale page");
    assert!(!after.body.contains("Brunch"));
    // English, by preference or by choice.
    let en = get(
        &addr,
        "GET",
        &format!("/i/{id}"),
        &[("Accept-Language", "en-GB,en;q=0.9")],
    )
    .await;
    assert!(en.body.contains("<html lang=\"en\">") && en.body.contains("Join on Telegram"));
    assert_ne!(en.headers["etag"], etag);
    let en = get(&addr, "GET", &format!("/i/{id}?lang=en"), &[]).await;
    assert!(en.body.contains("<html lang=\"en\">"));

    // Bad and unknown addresses: clear 400 and 404.
    for (path, code, words) in [
        ("/i/abc".to_owned(), 400, "numéro d'initiative"),
        ("/i/99999".to_owned(), 404, "pas d'initiative"),
        (format!("/i/{hidden}"), 404, "masquée"),
        ("/c/ABCDEF".to_owned(), 400, "code INSEE"),
        (
            "/api/initiatives.geojson?bbox=1,2,3".to_owned(),
            400,
            "OUEST,SUD,EST,NORD",
        ),
        (
            "/api/initiatives.geojson?category=poney".to_owned(),
            400,
            "Catégorie inconnue",
        ),
        (
            "/api/initiatives.geojson?limit=9999999".to_owned(),
            400,
            "limit",
        ),
        ("/nulle-part".to_owned(), 404, "n'existe pas"),
    ] {
        let r = get(&addr, "GET", &path, &[]).await;
        assert_eq!(r.status, code, "{path}: {}", r.body);
        assert!(r.body.contains(words), "{path}: {}", r.body);
    }
    let post = get(&addr, "POST", &format!("/i/{id}"), &[]).await;
    assert_eq!(post.status, 405);

    // GeoJSON of a box around Lyon: the project, not the hidden idea.
    let geo = get(
        &addr,
        "GET",
        "/api/initiatives.geojson?bbox=4.7,45.7,4.95,45.82",
        &[],
    )
    .await;
    assert_eq!(geo.status, 200, "{}", geo.body);
    assert_eq!(geo.headers["content-type"], "application/geo+json");
    assert_eq!(geo.headers["access-control-allow-origin"], "*");
    let v: serde_json::Value = serde_json::from_str(&geo.body).unwrap();
    let features = v["features"].as_array().unwrap();
    assert_eq!(features.len(), 1, "{v}");
    let f = &features[0];
    assert_eq!(f["properties"]["id"], id);
    assert_eq!(f["properties"]["title"], title);
    assert_eq!(f["properties"]["status"], "active");
    assert_eq!(f["geometry"]["coordinates"][0], 4.832);
    let commune = f["properties"]["commune"].as_str().unwrap().to_owned();
    let checked = check("geojson", &geo.body);
    assert_eq!(checked["structure"], serde_json::json!({}), "{checked}");
    assert_eq!(checked["invalid"], serde_json::json!({}), "{checked}");
    assert_eq!(checked["problematic"], serde_json::json!({}), "{checked}");
    // Filters and an empty box.
    let none = get(
        &addr,
        "GET",
        "/api/initiatives.geojson?bbox=4.7,45.7,4.95,45.82&category=repair",
        &[],
    )
    .await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&none.body).unwrap()["features"],
        serde_json::json!([])
    );
    let ideas = get(&addr, "GET", "/api/initiatives.geojson?status=open", &[]).await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&ideas.body).unwrap()["features"],
        serde_json::json!([])
    );
    // The commune's GeoJSON, and its pages.
    let cg = get(
        &addr,
        "GET",
        &format!("/c/{commune}/initiatives.geojson"),
        &[],
    )
    .await;
    assert_eq!(check("geojson", &cg.body)["features"], 1, "{}", cg.body);

    // The initiative's calendar, read by icalendar: the changed event at its
    // new time in Paris (sequence 1), the cancelled one marked so.
    let ics = get(&addr, "GET", &format!("/i/{id}/events.ics"), &[]).await;
    assert_eq!(ics.status, 200);
    assert_eq!(ics.headers["content-type"], "text/calendar; charset=utf-8");
    let cal = check("ics", &ics.body);
    assert_eq!(cal["zones"], serde_json::json!(["Europe/Paris"]), "{cal}");
    let events = cal["events"].as_array().unwrap();
    assert_eq!(events.len(), 3, "{cal}\n{}", ics.body);
    let changed = events
        .iter()
        .find(|e| e["uid"] == format!("event-{e1}@kohero.example.org"))
        .unwrap();
    assert_eq!(changed["summary"], "Atelier vélo & co");
    assert_eq!(changed["sequence"], 1);
    assert_eq!(changed["status"], "CONFIRMED");
    assert_eq!(changed["start_utc"], "2027-05-18T12:00:00+00:00");
    assert_eq!(changed["minutes"], 150);
    assert_eq!(changed["tzid"], "Europe/Paris");
    let cancelled = events
        .iter()
        .find(|e| e["uid"] == format!("event-{e2}@kohero.example.org"))
        .unwrap();
    assert_eq!(
        (cancelled["status"].as_str(), cancelled["sequence"].as_i64()),
        (Some("CANCELLED"), Some(1))
    );
    assert_eq!(cancelled["minutes"], 120);
    let cics = get(&addr, "GET", &format!("/c/{commune}/events.ics"), &[]).await;
    assert_eq!(
        check("ics", &cics.body)["events"].as_array().unwrap().len(),
        3
    );

    // The town hall sends an announcement alone, then a digest: the
    // commune's page shows both, under the town hall's public name.
    tg.text(4, "fr", "/start");
    tg.answer_to(4, "Bonjour").await;
    let verify = || {
        k.run_ok(&[
            "admin",
            "verify",
            "telegram:4",
            "municipality",
            "--commune",
            &commune,
        ])
    };
    verify();
    tg.text(4, "fr", "/profil nom Mairie « test » d'ici");
    tg.answer_to(4, "Mairie").await;
    tg.text(
        4,
        "fr",
        "/annonce maintenant Fête du compost <b>samedi</b> au square & goûter 🎉",
    );
    tg.answer_to(4, "Annonce en route").await;
    // Nobody subscribed yet: the digest reaches no one in chat, but it is
    // published, and the town hall is told where.
    tg.text(4, "fr", "/digest maintenant");
    let (sent, _) = tg.answer_to(4, "Lettre en route").await;
    assert!(
        sent.contains(&format!("https://kohero.example.org/c/{commune}")),
        "{sent}"
    );

    // The commune's page and feed.
    let cp = get(&addr, "GET", &format!("/c/{commune}"), &[]).await;
    assert_eq!(cp.status, 200, "{}", cp.body);
    assert!(
        cp.body
            .contains(&format!("https://kohero.example.org/i/{id}"))
    );
    assert!(!cp.body.contains("Arnaque"));
    assert!(cp.body.contains("application/atom+xml"));
    let letters = &cp.body[cp.body.find("Lettres de la mairie").expect("the digests")..];
    assert_eq!(letters.matches("<article>").count(), 2, "{letters}");
    assert!(
        letters.contains("Mairie « test » d&#39;ici, le "),
        "{letters}"
    );
    assert!(
        letters.contains("Fête du compost &#60;b&#62;samedi&#60;/b&#62; au square &#38; goûter 🎉"),
        "{letters}"
    );
    // The digest (the newer, first) names the initiative, not the hidden one.
    let digest = &letters[..letters.find("</article>").unwrap()];
    assert!(
        digest.contains(&format!("https://kohero.example.org/i/{id}")),
        "{digest}"
    );
    assert!(!digest.contains("Fête du compost"), "{digest}");
    // A town hall whose verification is taken back speaks for nobody: its
    // letters leave the page.
    k.run_ok(&["admin", "unverify", "telegram:4"]);
    let cp2 = get(&addr, "GET", &format!("/c/{commune}"), &[]).await;
    assert_eq!(cp2.status, 200);
    assert!(!cp2.body.contains("Lettres de la mairie") && !cp2.body.contains("Fête du compost"));
    verify();
    let feed = get(&addr, "GET", &format!("/c/{commune}/feed.atom"), &[]).await;
    assert_eq!(feed.status, 200);
    let atom = check("atom", &feed.body);
    let entries = atom["entries"].as_array().unwrap();
    assert!(entries.len() >= 4, "{atom}");
    assert!(
        entries
            .iter()
            .all(|e| !e["title"].as_str().unwrap().contains("Arnaque"))
    );
    assert!(
        entries
            .iter()
            .any(|e| e["title"].as_str().unwrap().contains("Atelier vélo")),
        "{atom}"
    );
    for body in [&feed.body, &ics.body, &geo.body, &cp.body] {
        assert!(!body.contains("Ada"), "a person's name published");
    }

    // « Signaler »: a small form, a report filed once, moderators told.
    let form = get(&addr, "GET", &format!("/i/{id}/signaler"), &[]).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("<label for=\"r-spam\">") && form.body.contains("<textarea"));
    assert!(page.body.contains(&format!("/i/{id}/signaler")));
    let post = |body: &'static str, origin: &'static str| {
        let addr = addr.clone();
        let path = format!("/i/{id}/signaler");
        async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
            let req = format!(
                "POST {path} HTTP/1.0\r\nHost: {addr}\r\nOrigin: {origin}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            s.write_all(req.as_bytes()).await.unwrap();
            let mut raw = Vec::new();
            s.read_to_end(&mut raw).await.unwrap();
            String::from_utf8(raw).unwrap()
        }
    };
    let local = format!("http://{addr}");
    let local: &'static str = Box::leak(local.into_boxed_str());
    let foreign = post("cible=&raison=spam&texte=", "https://evil.example").await;
    assert!(
        foreign.starts_with("HTTP/1.0 403") || foreign.starts_with("HTTP/1.1 403"),
        "{foreign}"
    );
    let incomplete = post("cible=&texte=hop", local).await;
    assert!(
        incomplete.contains(" 400 ") && incomplete.contains("choisissez une raison"),
        "{incomplete}"
    );
    let filed = post(
        "cible=&raison=spam&texte=C%27est+%C2%AB+louche+%C2%BB+%F0%9F%A4%94",
        local,
    )
    .await;
    assert!(
        filed.contains(" 200 ") && filed.contains("Merci"),
        "{filed}"
    );
    let twice = post("cible=&raison=spam", local).await;
    assert!(twice.contains(" 422 "), "{twice}");
    let reports = k.run_ok(&["admin", "reports"]);
    assert!(reports.contains("louche"), "{reports}");

    // One address asking too fast is told to wait; the others are not.
    let mut limited = 0;
    for _ in 0..80 {
        let r = get(&addr, "GET", "/robots.txt", &[]).await;
        if r.status == 429 {
            assert!(r.headers.contains_key("retry-after"));
            limited += 1;
        }
    }
    assert!(limited > 0, "80 requests at once were never limited");
    stop(served);

    // After a restart the same address is still the same reporter: it
    // cannot report the same item again.
    let served = k.serve(&env);
    wait_until("the public listener again", Duration::from_secs(30), || {
        std::net::TcpStream::connect(&addr).is_ok()
    })
    .await;
    let again = post("cible=&raison=spam", local).await;
    assert!(again.contains(" 422 ") && again.contains("déjà"), "{again}");
    stop(served);
}

/// Runs tests/browser/check.mjs: headless Chromium opens these pages.
fn browse(base: &str, paths: &[&str]) -> serde_json::Value {
    let modules = std::env::var("KOHERO_BROWSER_MODULES").unwrap_or_else(|_| {
        panic!("KOHERO_BROWSER_MODULES is not set: run the tests with scripts/test")
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/browser/check.mjs");
    let out = std::process::Command::new("node")
        .arg(script)
        .arg(base)
        .args(paths)
        .env("KOHERO_BROWSER_MODULES", modules)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the browser failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_opens_the_pages_and_follows_their_links() {
    let tg = FakeTelegram::start().await;
    let k = Install::new();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let base = format!("http://{addr}");
    let url = tg.url();
    let tiles = TileServer::start().await;
    let served = k.serve(&[
        ("KOHERO_TELEGRAM_TOKEN", kohero_tests::fake_telegram::TOKEN),
        ("KOHERO_TELEGRAM_API_URL", url.as_str()),
        ("KOHERO_PUBLIC_ADDR", addr.as_str()),
        ("KOHERO_PUBLIC_URL", base.as_str()),
        ("KOHERO_MAP_TILES", tiles.template.as_str()),
    ]);
    tg.text(
        1,
        "fr",
        "/proposer Disco soupe « anti-gaspi » | antiwaste | geo:45.7640,4.8357 | Éplucher, cuisiner, danser 🎶",
    );
    let (r, _) = tg.answer_to(1, "est publiée").await;
    let id = first_number(&r, '#');
    tg.text(1, "fr", &format!("/lancer {id}"));
    tg.answer_to(1, "projet").await;
    tg.text(
        1,
        "fr",
        &format!("/evenement {id} Soupe géante | 2027-03-20 12:00 | geo:45.7640,4.8357"),
    );
    tg.answer_to(1, "Événement E").await;
    let geo = get(
        &addr,
        "GET",
        "/api/initiatives.geojson?bbox=4.8,45.7,4.9,45.8",
        &[],
    )
    .await;
    let v: serde_json::Value = serde_json::from_str(&geo.body).unwrap();
    let commune = v["features"][0]["properties"]["commune"]
        .as_str()
        .unwrap()
        .to_owned();

    let initiative = format!("/i/{id}");
    let commune_page = format!("/c/{commune}");
    let english = format!("/i/{id}?lang=en");
    let seen = browse(&base, &[&initiative, &commune_page, &english]);
    assert_eq!(
        seen["errors"],
        serde_json::json!([]),
        "console errors: {seen}"
    );
    let pages = seen["pages"].as_array().unwrap();
    for p in pages {
        assert_eq!(p["status"], 200, "{p}");
        assert_eq!(p["scripts"], 0, "{p}");
        assert_eq!(p["imagesWithoutAlt"], 0, "{p}");
        assert!(p["bytes"].as_u64().unwrap() < 50_000, "{p}");
        for (href, status) in p["linkStatus"].as_object().unwrap() {
            assert_eq!(status, 200, "{href} from {}", p["path"]);
        }
    }
    let i = &pages[0];
    assert_eq!(i["lang"], "fr");
    assert_eq!(i["h1"], "Disco soupe « anti-gaspi »");
    assert_eq!(i["meta"]["og:title"], "Disco soupe « anti-gaspi »");
    assert!(
        i["meta"]["og:description"]
            .as_str()
            .unwrap()
            .contains("Éplucher")
    );
    assert_eq!(i["meta"]["og:url"], format!("{base}/i/{id}"));
    assert_eq!(i["meta"]["twitter:card"], "summary");
    assert!(
        i["linkStatus"]
            .as_object()
            .unwrap()
            .contains_key(&format!("{base}/i/{id}/events.ics")),
        "{i}"
    );
    let c = &pages[1];
    assert!(
        c["links"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l == &serde_json::json!(format!("{base}/i/{id}"))),
        "{c}"
    );
    assert!(c["linkStatus"].as_object().unwrap().len() >= 4, "{c}");
    // The commune's map: three tiles by two around Lyon at zoom 13, each
    // asked of the tile server and shown; a pin links to the initiative.
    let shown = c["mapTiles"].as_array().unwrap();
    assert_eq!(shown.len(), 6, "{c}");
    let seen = std::fs::read_to_string(tiles.dir.path().join("seen.txt")).unwrap_or_default();
    for t in shown {
        assert_eq!(t["loaded"], true, "{t}");
        let src = t["src"].as_str().unwrap();
        let path = src.strip_prefix(&tiles.origin).unwrap_or(src);
        assert!(seen.lines().any(|l| l == path), "{path} not in {seen}");
    }
    assert!(seen.contains("/13/4206/2922.png"), "Lyon's tile: {seen}");
    assert!(
        c["mapPins"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(format!("{base}/i/{id}"))),
        "{c}"
    );
    // No map, no tiles, on an initiative's page.
    assert_eq!(pages[0]["mapTiles"], serde_json::json!([]));
    assert_eq!(pages[2]["lang"], "en");
    stop(served);
}

/// tests/browser/tiles.mjs: map tiles over HTTPS on loopback, with a
/// certificate made for the test by `openssl`.
struct TileServer {
    child: std::process::Child,
    dir: tempfile::TempDir,
    /// `https://127.0.0.1:PORT`
    origin: String,
    /// What `KOHERO_MAP_TILES` is set to.
    template: String,
}

impl TileServer {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let made = std::process::Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
            ])
            .args(["-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"])
            .args(["-addext", "subjectAltName=IP:127.0.0.1"])
            .arg("-keyout")
            .arg(dir.path().join("key.pem"))
            .arg("-out")
            .arg(dir.path().join("cert.pem"))
            .output()
            .unwrap();
        assert!(
            made.status.success(),
            "openssl: {}",
            String::from_utf8_lossy(&made.stderr)
        );
        let port = free_port();
        let child = std::process::Command::new("node")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/browser/tiles.mjs"))
            .arg(port.to_string())
            .arg(dir.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let origin = format!("https://127.0.0.1:{port}");
        wait_until("the tile server", Duration::from_secs(30), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        })
        .await;
        Self {
            child,
            template: format!("{origin}/{{z}}/{{x}}/{{y}}.png"),
            origin,
            dir,
        }
    }
}

impl Drop for TileServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
